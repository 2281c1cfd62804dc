"""First-come-first-served admission in front of aiohttp's connection pool.

aiohttp's pool is not fair: a connection released by a task that loops goes straight back to
that task, and requests waiting for one can starve (measured: 100 of 200 tight-loop workers got
no answer for 90 s on a 100-connection pool). The gate hands a released slot to the request
that has waited longest, never to whoever asks next, so requests are sent in the order they
were made. Sized to the connector's limit, a request that passes the gate finds a connection
free, which is what lets the transport pick the token after admission.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from ._clock import Clock, SystemClock

__all__ = ["Gate"]


class Gate:
    """``size`` slots; :meth:`try_enter` is the uncontended path (no await), :meth:`enter`
    queues, :meth:`leave` frees a slot or hands it to the first waiter."""

    __slots__ = ("_free", "_waiters", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = size
        self._waiters: deque[asyncio.Future[bool]] = deque()

    @property
    def waiting(self) -> int:
        """Requests queued for a slot."""
        return len(self._waiters)

    @property
    def in_use(self) -> int:
        """Slots held by admitted requests."""
        return self.size - self._free

    def try_enter(self) -> bool:
        """Take a free slot now, if there is one and nobody queues for it."""
        if self._free and not self._waiters:
            self._free -= 1
            return True
        return False

    async def enter(self, seconds: float, clock: Clock) -> bool:
        """Queue for a slot, at most ``seconds`` of ``clock`` time; False on timeout.

        A cancelled waiter leaves the queue; one cancelled just after a slot was handed to it
        passes the slot on, so no slot is ever lost.
        """
        loop = asyncio.get_running_loop()
        admitted: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(admitted)
        # The system clock's timer is the loop's own; any other clock (a test's fake one) is
        # raced by a task sleeping on it, since the loop cannot know that clock's time.
        handle: asyncio.TimerHandle | None = None
        alarm: asyncio.Task[None] | None = None
        if type(clock) is SystemClock:
            handle = loop.call_later(max(0.0, seconds), _expire, admitted)
        else:
            alarm = loop.create_task(_alarm(clock, seconds, admitted))
        try:
            entered = await admitted
        except BaseException:
            if admitted.done() and not admitted.cancelled() and admitted.result():
                self.leave()  # handed a slot, then cancelled: pass it on
            else:
                self._drop(admitted)
            raise
        finally:
            if handle is not None:
                handle.cancel()
            if alarm is not None:
                alarm.cancel()
        if not entered:
            self._drop(admitted)
        return entered

    def leave(self) -> None:
        """Free the caller's slot: straight to the longest waiter, if any."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self._free += 1

    def _drop(self, waiter: asyncio.Future[bool]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def __repr__(self) -> str:
        return f"Gate(size={self.size}, in_use={self.in_use}, waiting={self.waiting})"


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


async def _alarm(clock: Clock, seconds: float, waiter: asyncio.Future[bool]) -> None:
    await clock.sleep(seconds)
    _expire(waiter)
