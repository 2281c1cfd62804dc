"""A clock that only moves when a test says so."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable

import anyio
from anyio.lowlevel import checkpoint

__all__ = ["FakeClock"]

# How many consecutive loop iterations must find every task waiting before the loop counts as
# settled. A byte written to a loopback socket is seen by the next poll of the selector and its
# callback runs one iteration later, so three quiet iterations let an HTTP exchange with the
# fake PortOne finish instead of being mistaken for a task that waits forever.
_QUIET_ROUNDS = 3
# A task that yields in a loop without ever waiting would keep the loop from settling; after
# this many iterations settle() stops waiting for it.
_MAX_ROUNDS = 100_000


class FakeClock:
    """A :class:`aioportone.Clock` whose time moves only when the test moves it.

    Sleepers wake in deadline order as time passes them, and each gets to run (its HTTP
    exchanges with the fake PortOne included) before time moves on, so a background refresher
    sees exactly the moments it asked for. Six hours of 100-second tokens take a fraction of a
    second of real time.

    ::

        clock = FakeClock()
        await clock.advance(6 * 3600)  # every sleeper on the way wakes, in order
        await clock.run_until(lambda: fake.auth_token_calls == 2, timeout=7 * 3600)

    Args:
        start: The clock's initial time, in Unix seconds.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def time(self) -> float:
        """The clock's current time, in Unix seconds."""
        return self._now

    def next_deadline(self) -> float | None:
        """The earliest time a sleeper is waiting for, or None when nobody sleeps."""
        self._drop_woken()
        return self._sleepers[0][0] if self._sleepers else None

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has moved ``seconds`` forward.

        Args:
            seconds: How long to wait on this clock; zero or less only yields to other tasks.
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

        Sleepers wake one at a time in deadline order, with the clock reading each one's
        deadline, and everything they start is settled before the next one wakes.

        Args:
            seconds: How far to move the clock; must not be negative.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds: a clock cannot go backwards")
        target = self._now + seconds
        await self.settle()
        while await self._wake_next(target):
            pass
        self._now = max(self._now, target)
        await self.settle()

    async def advance_to_next(self) -> bool:
        """Jump to the earliest sleeper's deadline and run it.

        Returns:
            False when nobody sleeps on this clock (and time did not move), else True.
        """
        deadline = self.next_deadline()
        if deadline is None:
            return False
        await self.advance(max(0.0, deadline - self._now))
        return True

    async def run_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = 86_400.0,  # noqa: ASYNC109 - clock time, which fail_after cannot measure
    ) -> None:
        """Let tasks run and time pass, sleeper by sleeper, until ``condition()`` holds.

        ``condition`` is checked whenever every task is waiting; while it is false, the clock
        jumps to the next sleeper's deadline and runs it. Time stops where the condition
        first held.

        Args:
            condition: A function of no arguments, true once the test may go on.
            timeout: The most clock time, in seconds, that may pass before giving up.

        Raises:
            ValueError: ``timeout`` is negative.
            TimeoutError: The condition still did not hold after ``timeout`` seconds of clock
                time, or nobody sleeps on the clock any more, so waiting could not change it.
        """
        if timeout < 0:
            raise ValueError("timeout: must not be negative")
        limit = self._now + timeout
        await self.settle()
        while not condition():
            deadline = self.next_deadline()
            if deadline is None:
                raise TimeoutError(
                    "run_until: the condition is false, every task is waiting and nobody "
                    "sleeps on the clock, so time passing cannot make it true"
                )
            if deadline > limit:
                raise TimeoutError(
                    f"run_until: the condition is still false and {timeout:g} s of clock time "
                    "(the timeout) would pass before the next sleeper is due"
                )
            await self._wake_next(limit)

    def stall(self, seconds: float) -> None:
        """Move time forward by ``seconds`` without letting any task run.

        This is the event loop blocked (or the process suspended) that long: no sleeper
        notices until the next :meth:`advance`, :meth:`settle` or :meth:`run_until` wakes
        the ones whose deadline has passed, in order.

        Args:
            seconds: How far to move the clock; must not be negative.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds: a clock cannot go backwards")
        self._now += seconds

    async def settle(self) -> None:
        """Let every task that can run, run, until all of them wait.

        Sleepers whose deadline the clock has already reached (after :meth:`stall`) wake
        first. Time does not move.
        """
        while await self._wake_next(self._now):
            pass
        await _settle()

    async def _wake_next(self, target: float) -> bool:
        """Wake the earliest sleeper due by ``target`` and settle; False when there is none."""
        self._drop_woken()
        if not self._sleepers or self._sleepers[0][0] > target:
            return False
        deadline, _, event = heapq.heappop(self._sleepers)
        self._now = max(self._now, deadline)
        event.set()
        await _settle()
        return True

    def _drop_woken(self) -> None:
        while self._sleepers and self._sleepers[0][2].is_set():
            heapq.heappop(self._sleepers)

    def __repr__(self) -> str:
        return f"FakeClock(time={self._now:.3f})"


async def _settle() -> None:
    """Run the event loop until every other task waits on something.

    ``anyio.wait_all_tasks_blocked`` does the same but sleeps 0.1 s of real time whenever a
    task is runnable, which made each sleeper cost a tenth of a second.
    """
    try:
        this = asyncio.current_task()
    except RuntimeError:  # not on asyncio (aiohttp, and so the fake, need it anyway)
        await anyio.wait_all_tasks_blocked()
        return
    quiet = 0
    for _ in range(_MAX_ROUNDS):
        await asyncio.sleep(0)
        if all(task is this or _waiting(task) for task in asyncio.all_tasks()):
            quiet += 1
            if quiet >= _QUIET_ROUNDS:
                return
        else:
            quiet = 0


def _waiting(task: asyncio.Task[object]) -> bool:
    # The same test anyio's wait_all_tasks_blocked makes: a task is waiting when the future it
    # awaits is still pending.
    waiter = getattr(task, "_fut_waiter", None)
    return waiter is not None and not waiter.done()
