"""The events the library logs, each scenario's list pinned whole (names, levels, fields, order):
giving up on a refused secret, PortOne's clock elsewhere, a failing hook, an empty retry budget,
and webhooks, which log nothing. The helpers and the level tables are in tests/_logs.py."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import LogCapture

from aioportone import PortOneClient, RetryPolicy, ServerError, TokenEvent
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client
from tests._logs import (
    LOCAL_REFRESH,
    SERVER_REFRESH,
    Varies,
    hooked,
    injected,
    request_event,
    request_log,
    server_start,
    token_event,
    token_log,
    token_logs,
)

STATUS = "/api/transaction/ORDER-1/status"
HOUR = 3600.0


async def test_a_refused_secret_is_given_up_on_with_doubling_waits(
    fake: FakePortOne, clock: FakeClock, logs: LogCapture
) -> None:
    """Secret rotated under a worker: each refresh is refused with 4099 and reported as
    refresh_gave_up (an error), 5 min then 10, 20, 40 and at most 60 min apart."""
    events: list[TokenEvent] = []
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=fake.url,
        clock=clock,
        on_event=events.append,
    ):
        fake.merchants[DEMO_CLIENT_KEY] = "rotated-secret-rotated-secret-00"
        await clock.advance(6 * HOUR)
    refused = (
        "AuthenticationError: HTTP 400 4099 INVALID_UNAUTHORISED_PORTONE_SECRET_ERROR: Invalid "
        f"secret key (POST {fake.url}/api/merchant/auth-token)"
    )
    # The token still held loses the time waited since the refresh point, a draw.
    left = Varies(0.25 * 21600, 0.35 * 21600)
    waited = 0.0
    given_up = []
    for attempt, delay in enumerate([300.0, 600.0, 1200.0, 2400.0, 3600.0], start=1):
        given_up.append(
            token_event(
                "refresh_gave_up",
                source="server",
                expires_in=Varies(left.low - waited, left.high - waited),
                delay=delay,
                attempt=attempt,
                error=refused,
            )
        )
        waited += delay
    expected = [
        *server_start(),
        *given_up,
    ]
    assert hooked(events) == expected
    assert logs.entries == token_logs(expected)


@pytest.mark.parametrize(
    ("skew", "offset"), [(30.0, 30.5), (-30.0, -29.5)], ids=["ahead", "behind"]
)
async def test_portone_clock_elsewhere_is_logged_with_the_offset(
    clock: FakeClock, logs: LogCapture, skew: float, offset: float
) -> None:
    """A local token and PortOne's clock 30 s off: clock_skew once, with the offset measured
    from the first answer's Date (whole seconds, so read as the middle of the second), and the
    token re-minted on PortOne's clock: at once when PortOne is ahead, after PortOne rejected
    the first token (issued in its future) when it is behind."""
    events: list[TokenEvent] = []
    async with FakePortOne(clock=clock, skew=skew) as fake:
        fake.state.add_transaction("ORDER-1")
        async with PortOneClient(
            DEMO_CLIENT_KEY,
            DEMO_SECRET_KEY,
            base_url=fake.url,
            clock=clock,
            on_event=events.append,
        ) as portone:
            await portone.request("GET", STATUS)
            await clock.advance(1)
            await portone.request("GET", STATUS)
    if skew > 0:
        # The shift wakes the background task, which mints and schedules the next renewal.
        remint = [
            token_event("refreshed", expires_in=94.5),
            token_event("refresh_scheduled", expires_in=94.5, delay=LOCAL_REFRESH),
        ]
    else:
        # The request retried after the rejection mints the token itself.
        remint = [
            token_event("token_rejected", expires_in=95.0),
            token_event("refreshed", expires_in=94.5),
        ]
    expected = [
        token_event("refreshed", expires_in=95.0),
        token_event("clock_skew", expires_in=95.0, offset=offset),
        *remint,
    ]
    assert hooked(events) == expected
    assert logs.entries == token_logs(expected)


@pytest.mark.parametrize(
    ("skew", "offset"), [(30.0, 30.5), (-30.0, -29.5)], ids=["ahead", "behind"]
)
async def test_server_tokens_log_portone_clock_before_the_first_token(
    clock: FakeClock, logs: LogCapture, skew: float, offset: float
) -> None:
    """Server tokens: the auth-token answer's Date gives the offset before any token is held
    (no expires_in yet, the entering task waiting); the token is not re-minted."""
    async with (
        FakePortOne(clock=clock, skew=skew) as fake,
        PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", base_url=fake.url, clock=clock
        ),
    ):
        pass
    assert logs.entries == [
        token_log("clock_skew", source="server", waiters=1, offset=offset),
        token_log("refreshed", source="server", waiters=1, expires_in=21599.5),
        token_log(
            "refresh_scheduled",
            source="server",
            waiters=1,
            expires_in=21599.5,
            delay=SERVER_REFRESH,
        ),
    ]


async def test_a_raising_hook_is_logged_after_each_event(
    fake: FakePortOne, clock: FakeClock, logs: LogCapture
) -> None:
    """A hook that raises: each token event and each retry is logged, then the hook's failure
    (token.hook_failed with the source, request.hook_failed without)."""

    def hook(event: TokenEvent) -> None:
        raise RuntimeError("hook bug")

    fake.state.add_transaction("ORDER-1")
    fake.fail(status=503, path="status$", times=1)
    async with open_client(fake, clock, on_event=hook) as portone:
        await portone.request("GET", STATUS)
    assert logs.entries == [
        token_log("refreshed", expires_in=95.0),
        token_log("hook_failed", waiters=None, error="RuntimeError: hook bug"),
        request_log(
            "retry",
            method="GET",
            path=STATUS,
            attempt=1,
            delay=0.0,
            error=injected(503, fake.url + STATUS),
            budget=495,
        ),
        request_log("hook_failed", error="RuntimeError: hook bug"),
    ]


async def test_an_empty_retry_budget_is_logged_once(
    fake: FakePortOne, clock: FakeClock, logs: LogCapture
) -> None:
    """Budget 10, 5 a retry: the first read's two retries empty it; its third failure is
    retry_budget_exhausted (a warning, attempt 0, no delay); later reads say nothing more."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=503, path="status$", times=None)
    events: list[TokenEvent] = []
    small = RetryPolicy(backoff_base=0.0, backoff_max=0.0, budget=10)
    async with open_client(fake, clock, on_event=events.append, retry=small) as portone:
        for _ in range(3):
            with pytest.raises(ServerError):
                await portone.request("GET", STATUS)
    failure = injected(503, fake.url + STATUS)
    common: dict[str, Any] = {"method": "GET", "path": STATUS, "error": failure}
    assert logs.entries == [
        token_log("refreshed", expires_in=95.0),
        request_log("retry", attempt=1, delay=0.0, budget=5, **common),
        request_log("retry", attempt=2, delay=0.0, budget=0, **common),
        request_log("retry_budget_exhausted", attempt=0, delay=None, budget=0, **common),
    ]
    # The hook gets the same, as RequestEvents (attempt and delay None when there are none).
    assert hooked(events) == [
        token_event("refreshed", expires_in=95.0),
        request_event("request_retry", attempt=1, delay=0.0, budget=5, **common),
        request_event("request_retry", attempt=2, delay=0.0, budget=0, **common),
        request_event("retry_budget_exhausted", budget=0, **common),
    ]
