"""Six-hour server tokens: outages, skewed clocks, wrong secrets and fleets, on a fake clock."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from aioportone import (
    AuthenticationError,
    PortOneClient,
    PortOneError,
    TokenEvent,
    TokenManager,
    TokenUnavailableError,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

from ._helpers import run_spread
from ._logs import (
    SERVER_LIFE,
    SERVER_REFRESH,
    Varies,
    failed_refreshes,
    hooked,
    injected,
    server_start,
    token_event,
)

STATUS = "/api/transaction/ORDER-1/status"
HOUR = 3600.0


@asynccontextmanager
async def server_client(
    fake: FakePortOne, clock: FakeClock, **kwargs: Any
) -> AsyncIterator[PortOneClient]:
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        kwargs.pop("secret_key", DEMO_SECRET_KEY),
        token_source="server",
        base_url=fake.url,
        clock=clock,
        **kwargs,
    ) as portone:
        yield portone


async def test_token_comes_from_auth_token_api(fake: FakePortOne, clock: FakeClock) -> None:
    """The server source posts key and secret, verifies the JWT and keeps it ~6 hours."""
    async with server_client(fake, clock) as portone:
        token = portone.tokens.current()
        await portone.request("GET", STATUS)
    call = fake.calls("auth-token")[0]
    assert call.json == {"portone_key": DEMO_CLIENT_KEY, "portone_secret": DEMO_SECRET_KEY}
    assert "Authorization" not in call.headers  # never through the auth middleware
    assert token.source == "server"
    assert token.lifetime == pytest.approx(6 * HOUR, abs=1)
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {token.value}"


async def test_eighteen_hours_cost_a_handful_of_auth_token_calls(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Stepping through 3 x 6 hours with steady traffic: ~one auth-token call per 4 hours."""
    async with server_client(fake, clock) as portone:

        async def call(_: int) -> None:
            await portone.request("GET", STATUS)

        await run_spread(clock, 1080, 60.0, call)  # one request a minute for 18 hours
    assert all(r.authorized for r in fake.requests if "auth-token" not in r.path)
    assert 3 <= fake.auth_token_calls <= 6


async def test_five_hundred_concurrent_requests_one_auth_token_call(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """500 requests at start-up, and 500 more hitting a revoked token: one fetch each time."""
    async with server_client(fake, clock) as portone:
        async with anyio.create_task_group() as tg:
            for _ in range(500):
                tg.start_soon(portone.request, "GET", STATUS)
        assert fake.auth_token_calls == 1
        await clock.advance(10)
        fake.revoke(portone.tokens.current().value)
        async with anyio.create_task_group() as tg:
            for _ in range(500):
                tg.start_soon(portone.request, "GET", STATUS)
        assert fake.auth_token_calls == 2


async def test_two_hour_outage_mid_life_costs_users_nothing(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """auth-token down for 2 hours around the refresh point: zero failed requests."""
    events: list[TokenEvent] = []
    async with server_client(fake, clock, on_event=events.append) as portone:
        await clock.advance(3 * HOUR)
        fake.auth_token_down(2 * HOUR)
        failures = 0

        async def call(_: int) -> None:
            nonlocal failures
            try:
                await portone.request("GET", STATUS)
            except PortOneError:
                failures += 1

        await run_spread(clock, 180, 60.0, call)  # hours 3 to 6, a request a minute
    assert failures == 0
    # Failures (each backoff within 300 s) from the refresh point on, then the renewal.
    attempts = len(events) - 4
    assert attempts > 0, "the outage was never noticed"
    down = injected(503, fake.url + "/api/merchant/auth-token", "POST")
    assert hooked(events) == [
        *server_start(),
        *failed_refreshes(attempts, down),
        token_event("refreshed", source="server", expires_in=SERVER_LIFE),
        token_event(
            "refresh_scheduled", source="server", expires_in=SERVER_LIFE, delay=SERVER_REFRESH
        ),
    ]


async def test_outage_past_expiry_fails_fast_then_recovers(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """auth-token down past expiry: requests fail within the deadline, then service resumes."""
    async with server_client(fake, clock, wait_timeout=15) as portone:
        fake.auth_token_down(7 * HOUR)
        await clock.advance(6 * HOUR)  # the token has expired, refreshes keep failing
        outcome: list[BaseException | None] = []

        async def call() -> None:
            try:
                await portone.request("GET", STATUS)
                outcome.append(None)
            except PortOneError as exc:
                outcome.append(exc)

        async with anyio.create_task_group() as tg:
            tg.start_soon(call)
            await clock.settle()
            await clock.advance(16)
        assert len(outcome) == 1
        assert isinstance(outcome[0], TokenUnavailableError)
        assert outcome[0].__cause__ is not None
        await clock.advance(2 * HOUR)  # PortOne is back; the background task gets a token itself
        assert portone.tokens.current().remaining(clock.time()) > 4 * HOUR
        await portone.request("GET", STATUS)


async def test_wrong_secret_fails_at_once(fake: FakePortOne, clock: FakeClock) -> None:
    """A wrong secret: entering the client raises AuthenticationError after one call."""
    with pytest.raises(AuthenticationError, match="4099") as info:
        async with server_client(fake, clock, secret_key="not-the-secret-at-all-000000000"):
            pass  # pragma: no cover - entering fails
    assert fake.auth_token_calls == 1
    assert "not-the-secret" not in str(info.value)


async def test_secret_revoked_later_fails_fast_and_does_not_hammer(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Secret rotated under a running worker: requests fail at once; few calls over an hour."""
    async with server_client(fake, clock) as portone:
        fake.merchants[DEMO_CLIENT_KEY] = "rotated-secret-rotated-secret-00"
        await clock.advance(6 * HOUR)  # refreshes fail with 4099 and the token expires
        calls_before = fake.auth_token_calls
        for _ in range(50):
            with pytest.raises(AuthenticationError, match="4099"):
                await portone.request("GET", STATUS)
        await clock.advance(HOUR)
        assert fake.auth_token_calls - calls_before <= 4
    assert fake.auth_token_calls <= 8


async def test_rate_limited_refresh_honours_retry_after(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A 429 with Retry-After: the next attempt waits at least that long."""
    events: list[TokenEvent] = []
    async with server_client(fake, clock, on_event=events.append) as portone:
        fake.fail(status=429, retry_after="120", path="auth-token", times=1)
        await clock.advance(portone.tokens.current().lifetime * 0.76)
        refused = injected(429, fake.url + "/api/merchant/auth-token", "POST", "RateLimitError")
        # The one failure waits the 120 s asked (a backoff would be seconds), then succeeds.
        assert hooked(events) == [
            *server_start(),
            token_event(
                "refresh_failed",
                source="server",
                expires_in=Varies(0.25 * 21600, 0.35 * 21600),
                delay=120.0,
                attempt=1,
                error=refused,
            ),
            token_event("refreshed", source="server", expires_in=SERVER_LIFE),
            token_event(
                "refresh_scheduled", source="server", expires_in=SERVER_LIFE, delay=SERVER_REFRESH
            ),
        ]


@pytest.mark.parametrize("skew", [-30.0, 30.0])
@pytest.mark.parametrize("source", ["local", "server"])
async def test_portone_clock_skew_rejects_nothing(
    clock: FakeClock, skew: float, source: str
) -> None:
    """PortOne's clock 30 s behind or ahead: every user request succeeds, in both token modes."""
    async with FakePortOne(clock=clock, skew=skew) as fake:
        fake.state.add_transaction("ORDER-1")
        async with PortOneClient(
            DEMO_CLIENT_KEY,
            DEMO_SECRET_KEY,
            token_source=source,  # type: ignore[arg-type]
            base_url=fake.url,
            clock=clock,
        ) as portone:
            done = 0

            async def call(_: int) -> None:
                nonlocal done
                await portone.request("GET", STATUS)
                done += 1

            await run_spread(clock, 600, 1.0, call)  # 10 minutes: several 100 s lifetimes
        assert done == 600
        assert portone.tokens.offset.offset == pytest.approx(skew, abs=1.5)
        rejected = [r for r in fake.requests if r.authorized is False]
        # Local tokens minted before any answer showed PortOne's clock can be refused, once
        # per request then in flight; each is retried with a corrected token and the user
        # never sees it. Server tokens come with PortOne's clock: nothing is refused.
        if source == "server" or skew > 0:
            assert rejected == []
        else:
            assert {r.at for r in rejected} == {fake.requests[0].at}
            assert len(rejected) <= 2


async def test_revoked_server_token_one_refresh_one_retry(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A revoked 6-hour token: one auth-token call, the request retried once and succeeding."""
    async with server_client(fake, clock) as portone:
        await clock.advance(60)
        fake.revoke(portone.tokens.current().value)
        await portone.request("GET", STATUS)
    statuses = [r.authorized for r in fake.requests if "status" in r.path]
    assert statuses == [False, True]
    assert fake.auth_token_calls == 2


# 200 managers with real loopback HTTP take ~20 s here; room for a slower CI machine.
@pytest.mark.timeout(180)
async def test_fleet_refreshes_spread_out(clock: FakeClock) -> None:
    """200 processes started at the same instant renew their tokens over a window, not at once."""
    async with FakePortOne(clock=clock) as fake:
        refreshed_at: list[float] = []

        def on_event(event: TokenEvent) -> None:
            if event.name == "refreshed":
                refreshed_at.append(clock.time())

        async with contextlib.AsyncExitStack() as stack:
            for pid in range(200):
                await stack.enter_async_context(
                    TokenManager(
                        DEMO_CLIENT_KEY,
                        DEMO_SECRET_KEY,
                        token_source="server",
                        base_url=fake.url,
                        clock=clock,
                        on_event=on_event,
                        rng=random.Random(pid),
                    )
                )
            assert fake.auth_token_calls == 200
            await clock.advance(5 * HOUR)
        renewals = sorted(refreshed_at[200:])
        assert len(renewals) == 200
        spread = renewals[-1] - renewals[0]
        assert spread > 0.5 * HOUR  # jitter of 10 % of 6 h spreads them over ~36 minutes
        per_minute = max(sum(1 for t in renewals if m <= t < m + 60) for m in renewals)
        assert per_minute <= 20
