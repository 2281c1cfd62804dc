"""Small test-only token sources and a load driver shared by the token tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

from aioportone import LocalTokenSource, ServerError, Token
from aioportone._jwt import import_secret
from aioportone._skew import ServerClockOffset
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock


def local_minter() -> Callable[[float], Token]:
    """Mints demo-merchant tokens as the local source would, for wrapping in test sources."""
    source = LocalTokenSource(
        portone_key=DEMO_CLIENT_KEY,
        key=import_secret(DEMO_SECRET_KEY),
        lifetime=100,
        skew_allowance=5,
        offset=ServerClockOffset(),
    )
    return source.mint_now


class GatedSource:
    """A token source whose fetches block until the test opens the gate, and can be told to fail.

    It has no ``mint_now``, so waiting requests really wait for the background fetch, as they
    would for PortOne's auth-token API.
    """

    name = "gated"

    def __init__(self, inner: Callable[[float], Token], *, open_: bool = True) -> None:
        self._inner = inner
        self.gate = anyio.Event()
        if open_:
            self.gate.set()
        self.calls = 0
        self.completed = 0
        self.failures: list[Exception] = []

    async def fetch(self, now: float) -> Token:
        self.calls += 1
        await self.gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        self.completed += 1
        return self._inner(now)


def fail_once() -> Exception:
    return ServerError(status=503, code="5000", reason="PAYMENT_SYSTEM_ERROR", message="down")


async def run_spread(
    clock: FakeClock, n: int, spacing: float, call: Callable[[int], Awaitable[None]]
) -> None:
    """Start ``n`` tasks at once; task i issues its call at clock time +i*spacing."""
    finished = 0

    async def one(i: int) -> None:
        nonlocal finished
        await clock.sleep(i * spacing)
        try:
            await call(i)
        finally:
            finished += 1

    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
        await clock.run_until(lambda: finished >= n, timeout=n * spacing + 3600)
