"""Time, injectable. Everything time-dependent in aioportone reads the clock through this seam.

The system clock is the default; :class:`aioportone.testing.FakeClock` lets a test step through a
six-hour token in microseconds.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

import anyio

__all__ = ["Clock", "SystemClock", "wait_event"]


@runtime_checkable
class Clock(Protocol):
    """Wall time in Unix seconds, and sleeping measured on the same clock."""

    def time(self) -> float:
        """The current time in Unix seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds`` of this clock's time.

        Args:
            seconds: How long; zero or less returns at once.
        """
        ...


class SystemClock:
    """The real clock: ``time.time()`` and ``anyio.sleep``."""

    def time(self) -> float:
        """``time.time()``."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """``anyio.sleep(seconds)``.

        Args:
            seconds: How long; zero or less returns at once.
        """
        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


async def wait_event(clock: Clock, event: anyio.Event, seconds: float) -> None:
    """Wait for ``event``, at most ``seconds`` of ``clock`` time; callers re-check their state.

    ``anyio.move_on_after`` would measure real time, which a fake clock cannot step; so the
    timeout is a clock sleep racing the event.
    """
    if event.is_set() or seconds <= 0:
        return
    async with anyio.create_task_group() as tg:

        async def _timer() -> None:
            await clock.sleep(seconds)
            tg.cancel_scope.cancel()

        tg.start_soon(_timer)
        await event.wait()
        tg.cancel_scope.cancel()
