"""A high-concurrency worker: look up 1,000 payments at once through one shared client.

One :class:`PortOneClient` serves every task: one token, refreshed in the background, one
connection pool. An ``anyio.CapacityLimiter`` bounds how many lookups are in flight, and the
pool is as wide as the limiter (aiohttp's default stops at 100 connections). A task per
reference is fine for thousands; for millions, a fixed pool of workers reading from a stream
keeps memory flat (that is what ``aioportone status --file`` does).

    python examples/status_worker.py     # 1,000 lookups against a fake PortOne
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import aiohttp
import anyio

from aioportone import Clock, PortOneClient, PortOneError, SystemClock
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def __str__(self) -> str:
        total = self.ok + self.failed
        rate = total / self.elapsed if self.elapsed else 0.0
        statuses = ", ".join(f"{n} {s}" for s, n in self.statuses.most_common())
        errors = ", ".join(f"{n} {e}" for e, n in self.errors.most_common()) or "none"
        return (
            f"{total} lookups: {self.ok} ok ({statuses or 'none'}), {self.failed} failed "
            f"({errors}) in {self.elapsed:.2f} s, {rate:,.0f}/s"
        )


async def check_all(portone: PortOneClient, refs: Sequence[str], concurrency: int) -> Summary:
    """Look every reference up, at most ``concurrency`` at a time; count what came back."""
    summary = Summary()
    limiter = anyio.CapacityLimiter(concurrency)

    async def check(ref: str) -> None:
        async with limiter:
            try:
                status = await portone.transactions.status(ref)
            except PortOneError as exc:  # one bad reference must not stop the others
                summary.failed += 1
                summary.errors[type(exc).__name__] += 1
            else:
                summary.ok += 1
                summary.statuses[status.status] += 1

    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for ref in refs:
            tg.start_soon(check, ref)
    summary.elapsed = time.perf_counter() - started
    return summary


async def main(
    *,
    refs: Sequence[str] | None = None,
    concurrency: int = 50,
    base_url: str | None = None,
    client_key: str = DEMO_CLIENT_KEY,
    secret_key: str = DEMO_SECRET_KEY,
    clock: Clock | None = None,
) -> Summary:
    """Look ``refs`` up against ``base_url``. By default: 1,000 references against a fake
    PortOne started here, which knows all but every hundredth of them."""
    async with AsyncExitStack() as stack:
        if base_url is None:
            fake = await stack.enter_async_context(FakePortOne(clock=clock or SystemClock()))
            base_url, client_key, secret_key = fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY
            refs = [f"ORDER-{n:05d}" for n in range(1000)] if refs is None else refs
            for n, ref in enumerate(refs):
                if n % 100 != 99:
                    fake.state.add_transaction(ref, status="Success" if n % 10 else "Pending")
        if refs is None:
            raise ValueError("refs: give the references to look up")
        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
        )
        portone = await stack.enter_async_context(
            PortOneClient(client_key, secret_key, base_url=base_url, session=session, clock=clock)
        )
        summary = await check_all(portone, refs, concurrency)
    print(f"concurrency {concurrency}, one client: {summary}")
    return summary


if __name__ == "__main__":
    # The library prints nothing unless asked; this script shows its warnings (a failed refresh).
    logging.basicConfig(level=logging.WARNING)
    anyio.run(main)
