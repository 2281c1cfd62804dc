"""What each token failure mode costs a user, measured against the fake PortOne on a fake clock.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/failure_modes.py``). Every figure is a count
or a span of simulated time, so it is the same on any machine.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Awaitable, Callable

import anyio

from aioportone import PortOneClient, PortOneError, TokenEvent, TokenManager
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

HOUR = 3600.0
STATUS = "/api/transaction/ORDER-1/status"


async def spread(
    clock: FakeClock, n: int, spacing: float, call: Callable[[], Awaitable[None]]
) -> None:
    """One call every ``spacing`` seconds of simulated time, each finishing before time moves."""
    for _ in range(n):
        await call()
        await clock.advance(spacing)


class Counter:
    def __init__(self, portone: PortOneClient) -> None:
        self.portone, self.ok, self.failed = portone, 0, 0

    async def __call__(self) -> None:
        try:
            await self.portone.request("GET", STATUS)
            self.ok += 1
        except PortOneError:
            self.failed += 1


def client(fake: FakePortOne, clock: FakeClock, **kwargs: object) -> PortOneClient:
    # A fixed seed for the refresh jitter: the table is then the same on every run.
    kwargs.setdefault("rng", random.Random(7))
    return PortOneClient(
        DEMO_CLIENT_KEY,
        str(kwargs.pop("secret_key", DEMO_SECRET_KEY)),
        base_url=fake.url,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


async def outage_mid_life() -> str:
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake, client(fake, clock, token_source="server") as p:
        fake.state.add_transaction("ORDER-1")
        await clock.advance(3 * HOUR)
        before = fake.auth_token_calls
        fake.auth_token_down(2 * HOUR)
        count = Counter(p)
        await spread(clock, 240, 60, count)  # a request a minute, hours 3 to 7
        calls = fake.auth_token_calls - before
    return f"{count.failed} of {count.ok + count.failed} requests failed; {calls} auth-token calls"


async def outage_past_expiry() -> str:
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake:
        fake.state.add_transaction("ORDER-1")
        async with client(fake, clock, token_source="server", wait_timeout=10) as p:
            fault = fake.auth_token_down(7 * HOUR)
            await clock.advance(6 * HOUR + 60)
            failed_after = -1.0
            start = clock.time()
            async with anyio.create_task_group() as tg:

                async def one() -> None:
                    nonlocal failed_after
                    with contextlib.suppress(PortOneError):
                        await p.request("GET", STATUS)
                    failed_after = clock.time() - start

                tg.start_soon(one)
                await anyio.wait_all_tasks_blocked()
                await clock.advance(11)
            assert fault.until is not None
            await clock.advance(fault.until - clock.time())  # PortOne is back
            while True:
                try:
                    p.tokens.current()
                    break
                except PortOneError:
                    await clock.advance(1)
            recovered = clock.time() - fault.until
    return (
        f"a request fails after {failed_after:.0f} s (wait_timeout=10 s); "
        f"service back {recovered:.0f} s after PortOne"
    )


async def wrong_secret() -> str:
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake:
        try:
            async with client(fake, clock, token_source="server", secret_key="x" * 32):
                pass
        except PortOneError as exc:
            kind = type(exc).__name__
        return f"{kind} on entering, after {fake.auth_token_calls} auth-token call(s), 0 s waited"


async def secret_rotated() -> str:
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake, client(fake, clock, token_source="server") as p:
        fake.state.add_transaction("ORDER-1")
        fake.merchants[DEMO_CLIENT_KEY] = "rotated" * 5
        await clock.advance(6 * HOUR)
        before = fake.auth_token_calls
        count = Counter(p)
        await spread(clock, 60, 60, count)
        calls = fake.auth_token_calls - before
    return f"each request fails at once ({count.failed}/60); {calls} auth-token calls in the hour"


async def skew(offset: float, source: str) -> str:
    clock = FakeClock()
    async with (
        FakePortOne(clock=clock, skew=offset) as fake,
        client(fake, clock, token_source=source) as p,
    ):
        fake.state.add_transaction("ORDER-1")
        count = Counter(p)
        await spread(clock, 600, 1, count)
        hidden = sum(1 for r in fake.requests if r.authorized is False)
    return f"{count.failed} of 600 requests failed; {hidden} refused and retried unseen"


async def revoked() -> str:
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake, client(fake, clock, token_source="server") as p:
        fake.state.add_transaction("ORDER-1")
        await clock.advance(60)
        fake.revoke(p.tokens.current().value)
        await p.request("GET", STATUS)
        sent = len(fake.calls("status$"))
    return f"0 failed; {fake.auth_token_calls - 1} extra auth-token call, {sent - 1} retry"


async def fleet() -> str:
    clock = FakeClock()
    times: list[float] = []

    def hook(event: TokenEvent) -> None:
        if event.name == "refreshed":
            times.append(clock.time())

    async with FakePortOne(clock=clock) as fake, contextlib.AsyncExitStack() as stack:
        for pid in range(200):
            await stack.enter_async_context(
                TokenManager(
                    DEMO_CLIENT_KEY,
                    DEMO_SECRET_KEY,
                    token_source="server",
                    base_url=fake.url,
                    clock=clock,
                    on_event=hook,
                    rng=random.Random(pid),
                )
            )
        await clock.advance(5 * HOUR)
    renewals = sorted(times[200:])
    window = (renewals[-1] - renewals[0]) / 60
    busiest = max(sum(1 for t in renewals if m <= t < m + 60) for m in renewals)
    return f"200 renewals spread over {window:.0f} min; busiest minute {busiest}"


async def main() -> None:
    rows = [
        ("auth-token down 2 h mid-life", await outage_mid_life()),
        ("auth-token down past expiry", await outage_past_expiry()),
        ("wrong secret at start", await wrong_secret()),
        ("secret rotated under a worker", await secret_rotated()),
        ("PortOne clock 30 s behind, local", await skew(-30, "local")),
        ("PortOne clock 30 s ahead, local", await skew(30, "local")),
        ("PortOne clock 30 s behind, server", await skew(-30, "server")),
        ("PortOne clock 30 s ahead, server", await skew(30, "server")),
        ("token revoked", await revoked()),
        ("200 processes started together", await fleet()),
    ]
    width = max(len(name) for name, _ in rows)
    print("Failure mode costs (simulated time, fake PortOne over loopback)")
    for name, cost in rows:
        print(f"  {name:<{width}}  {cost}")


if __name__ == "__main__":
    anyio.run(main)
