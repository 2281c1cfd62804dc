"""First-come-first-served admission in front of aiohttp's connection pool.

aiohttp's pool is not fair: a connection released by a task that loops goes straight back to
that task, and requests waiting for one can starve (measured: 100 of 200 tight-loop workers got
no answer for 90 s on a 100-connection pool). The gate hands a released slot to the request
that has waited longest, never to whoever asks next, so requests are sent in the order they
were made. Sized to the connector's limit, a request that passes the gate finds a connection
free, which is what lets the transport pick the token after admission.

Waiting is the normal case under load (with 1,000 tasks on 100 slots, nine requests in ten
queue), so a waiter costs one future and a deque entry, nothing more: one alarm serves the
whole queue. It is set for the earliest expiry among the waiters and, when it goes off, expires
those whose time has come and sets itself for the next. Waiters usually share one
``pool_timeout`` and arrive in order, so a newcomer's expiry is later than the alarm's and
queueing touches no timer at all (a timer per waiter cost more than the rest of the wait).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from ._clock import Clock, SystemClock

__all__ = ["Gate"]

# A queued request: the future its slot (True) or its timeout (False) is delivered on, and the
# moment it gives up, on the loop's clock for the system clock, else on the gate's clock.
_Waiter = tuple[asyncio.Future[bool], float]


class Gate:
    """``size`` slots; :meth:`try_enter` is the uncontended path (no await), :meth:`enter`
    queues, :meth:`leave` frees a slot or hands it to the first waiter."""

    __slots__ = ("_alarm", "_alarm_at", "_clock", "_free", "_waiters", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = size
        self._waiters: deque[_Waiter] = deque()
        # The one alarm: a loop timer for the system clock, else a task sleeping on the clock
        # (the loop cannot know a test's fake time).
        self._alarm: asyncio.TimerHandle | asyncio.Task[None] | None = None
        self._alarm_at = 0.0
        self._clock: Clock | None = None

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
        system = type(clock) is SystemClock
        expires = (loop.time() if system else clock.time()) + max(0.0, seconds)
        waiter = (admitted, expires)
        self._waiters.append(waiter)
        if self._alarm is None or expires < self._alarm_at or clock is not self._clock:
            self._set_alarm(loop, expires, clock, system)
        try:
            entered = await admitted
        except BaseException:
            if admitted.done() and not admitted.cancelled() and admitted.result():
                self.leave()  # handed a slot, then cancelled: pass it on
            else:
                self._drop(waiter)
            raise
        if not entered:
            self._drop(waiter)
        return entered

    def leave(self) -> None:
        """Free the caller's slot: straight to the longest waiter, if any."""
        waiters = self._waiters
        while waiters:
            admitted = waiters.popleft()[0]
            if not admitted.done():
                admitted.set_result(True)
                if not waiters:
                    self._disarm()
                return
        self._free += 1

    def _drop(self, waiter: _Waiter) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)
        if not self._waiters:
            self._disarm()

    def _disarm(self) -> None:
        # Nobody left to expire: no timer outlives the queue (nor a task asleep on a test's
        # clock after the test is done with it).
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None

    def _set_alarm(
        self, loop: asyncio.AbstractEventLoop, when: float, clock: Clock, system: bool
    ) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
        self._alarm_at, self._clock = when, clock
        if system:
            self._alarm = loop.call_at(when, self._ring, loop)
        else:
            self._alarm = loop.create_task(self._sleep_then_ring(loop, clock, when))

    async def _sleep_then_ring(
        self, loop: asyncio.AbstractEventLoop, clock: Clock, when: float
    ) -> None:
        await clock.sleep(when - clock.time())
        self._ring(loop)

    def _ring(self, loop: asyncio.AbstractEventLoop) -> None:
        """Expire every waiter whose time has come; set the alarm for the next one, if any."""
        clock = self._clock
        assert clock is not None
        system = type(clock) is SystemClock
        now = loop.time() if system else clock.time()
        self._alarm = None
        nearest: float | None = None
        for admitted, expires in self._waiters:
            if admitted.done():
                continue
            if expires <= now:
                admitted.set_result(False)  # the waiter leaves the queue when it resumes
            elif nearest is None or expires < nearest:
                nearest = expires
        if nearest is not None:
            self._set_alarm(loop, nearest, clock, system)

    def __repr__(self) -> str:
        return f"Gate(size={self.size}, in_use={self.in_use}, waiting={self.waiting})"
