"""One fake PortOne and one client on an event loop of their own, for property tests.

Hypothesis calls a test function once per example, synchronously; starting a server and a
client for each would cost more than the example. So both live on a loop in a background
thread for the whole module, and each example sends its coroutine there and waits for the
outcome, with a deadline: a call that does not end is a hang, and the test says so.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from aioportone import PortOneClient, RetryPolicy
from aioportone.testing import FakeClock, FakePortOne
from tests.chaos import CANARY_KEY, CANARY_SECRET

__all__ = ["HANG", "HostileEnv", "Outcome"]

# Seconds of real time an example may take before it counts as a hang.
HANG = 20.0


@dataclass(frozen=True)
class Outcome:
    """How a call ended: a value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


class HostileEnv:
    """The fake and a client of the canary merchant, on a background loop.

    The client never retries (``max_retries=0``): a retry waits on the fake clock, which no one
    moves here. Token refusals are still retried once with a fresh token, as always.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._host: Any = None
        self.fake: FakePortOne
        self.client: PortOneClient

    def start(self) -> None:
        self._thread.start()
        self._host = asyncio.run_coroutine_threadsafe(self._serve(), self.loop)
        if not self._ready.wait(HANG):
            raise RuntimeError("the fake PortOne did not start")

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with FakePortOne({CANARY_KEY: CANARY_SECRET}, clock=self.clock) as fake:
            self.fake = fake
            async with PortOneClient(
                CANARY_KEY,
                CANARY_SECRET,
                base_url=fake.url,
                clock=self.clock,
                timeout=5,
                retry=RetryPolicy(max_retries=0),
            ) as client:
                self.client = client
                self._ready.set()
                await self._stop.wait()

    def run(self, call: Callable[[HostileEnv], Awaitable[Any]]) -> Outcome:
        """Run ``call(env)`` on the loop; its value or exception (any kind) as an Outcome."""

        async def guarded() -> Outcome:
            try:
                return Outcome(value=await call(self))
            except Exception as exc:
                return Outcome(error=exc)

        future = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        try:
            return future.result(HANG)
        except FutureTimeout:
            future.cancel()
            raise AssertionError(f"the call did not end within {HANG:g} s") from None

    def close(self) -> None:
        stop = self._stop
        if stop is not None:
            self.loop.call_soon_threadsafe(stop.set)
        if self._host is not None:
            self._host.result(HANG)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(HANG)
        self.loop.close()
