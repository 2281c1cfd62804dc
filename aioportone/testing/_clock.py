"""A clock that only moves when a test says so."""

from __future__ import annotations

import heapq
import itertools

import anyio
from anyio.lowlevel import checkpoint

__all__ = ["FakeClock"]


class FakeClock:
    """A :class:`aioportone.Clock` whose time moves only through :meth:`advance`.

    Sleepers wake in deadline order as time passes them, and each gets to run before time moves
    on, so a background refresher sees exactly the moments it asked for.

    Args:
        start: The time it starts at, in Unix seconds.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def time(self) -> float:
        """The fake time, in Unix seconds."""
        return self._now

    def next_deadline(self) -> float | None:
        """The earliest time a sleeper is waiting for, if any."""
        self._drop_woken()
        return self._sleepers[0][0] if self._sleepers else None

    async def sleep(self, seconds: float) -> None:
        """Return once :meth:`advance` has moved the clock ``seconds`` past now, or further.

        Args:
            seconds: How long, in fake time; zero or less returns at once.
        """
        if seconds <= 0:
            await checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), event))
        try:
            await event.wait()
        finally:
            event.set()  # a cancelled sleeper no longer holds its deadline

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, waking and running every sleeper it passes.

        Args:
            seconds: How far, zero or more.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds: a clock cannot go backwards")
        target = self._now + seconds
        await settle()
        while True:
            self._drop_woken()
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            deadline, _, event = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            event.set()
            await settle()
        self._now = target
        await settle()

    async def advance_to_next(self) -> bool:
        """Jump to the earliest sleeper's deadline and run it; False when nobody sleeps."""
        deadline = self.next_deadline()
        if deadline is None:
            return False
        await self.advance(max(0.0, deadline - self._now))
        return True

    def _drop_woken(self) -> None:
        while self._sleepers and self._sleepers[0][2].is_set():
            heapq.heappop(self._sleepers)

    def __repr__(self) -> str:
        return f"FakeClock(time={self._now:.3f})"


async def settle() -> None:
    """Let every task that can run, run, until all are waiting on something."""
    await anyio.wait_all_tasks_blocked()
