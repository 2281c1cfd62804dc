"""A stepped clock for the chaos run, and the test of quiet that lets it move.

The run moves time only when nothing is happening: every task waits, and the fake holds no
request. Time then jumps to the next sleeper's deadline. A jump never lands while a request is
on the wire, so no token can expire in flight because of the harness (that would be a false
"expired token" finding). The check is a fast one (``sleep(0)`` rounds, not the 0.1 s polls of
:func:`anyio.wait_all_tasks_blocked`): a run takes tens of thousands of steps.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

import anyio
from anyio.lowlevel import checkpoint

from aioportone.testing import FakePortOne

__all__ = ["SteppedClock", "quiet"]


class SteppedClock:
    """An :class:`aioportone.Clock` that moves only through :meth:`jump`."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def time(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), event))
        try:
            await event.wait()
        finally:
            event.set()  # a cancelled sleeper no longer holds its deadline

    def next_deadline(self) -> float | None:
        while self._sleepers and self._sleepers[0][2].is_set():
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    def jump(self, to: float) -> None:
        """Set the time to ``to`` (never backwards) and wake every sleeper it passes."""
        self._now = max(self._now, to)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            heapq.heappop(self._sleepers)[2].set()


def _all_blocked(me: asyncio.Task[object] | None) -> bool:
    for task in asyncio.all_tasks():
        if task is me:
            continue
        waiter = getattr(task, "_fut_waiter", None)
        if waiter is None or waiter.done():
            return False
    return True


async def quiet(fake: FakePortOne, rounds: int = 4) -> None:
    """Return once every other task has waited ``rounds`` loop turns in a row with the fake
    holding no request (a slow answer keeps it busy in real time: that is waited out)."""
    me = asyncio.current_task()
    calm = 0
    while calm < rounds:
        await asyncio.sleep(0)
        if fake.in_flight:
            calm = 0
            await asyncio.sleep(0.001)
        elif not _all_blocked(me):
            calm = 0
        else:
            calm += 1
