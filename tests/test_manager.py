"""The session manager against the strict fake PortOne over loopback, on a fake clock."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from structlog.testing import LogCapture

from aioportone import (
    APIError,
    AuthenticationError,
    ConnectError,
    PortOneClient,
    PortOneError,
    Token,
    TokenEvent,
    TokenManager,
    TokenUnavailableError,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

from ._helpers import GatedSource, fail_once, local_minter, run_spread
from ._logs import LOCAL_LIFE, LOCAL_REFRESH, Varies, hooked, token_event, token_log, token_logs

STATUS = "/api/transaction/ORDER-1/status"
# A local token renewed by the background task.
RENEWED_LOCALLY = token_event("refreshed", expires_in=LOCAL_LIFE)
RENEWAL_SCHEDULED = token_event("refresh_scheduled", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH)


def _tokens_seen(fake: FakePortOne) -> set[str]:
    return {r.headers["Authorization"] for r in fake.requests if "Authorization" in r.headers}


async def test_thousand_concurrent_requests_over_five_lifetimes(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """1,000 requests over 5 token lifetimes: no 401 from the strict fake, ~1 mint per lifetime."""
    fake.state.add_transaction("ORDER-1")
    events: list[TokenEvent] = []
    statuses: list[str] = []
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, on_event=events.append
    ) as portone:

        async def call(_: int) -> None:
            data = await portone.request("GET", STATUS)
            statuses.append(data["content"]["status"])

        await run_spread(clock, 1000, 0.5, call)  # 500 s of fake time = 5 lifetimes of 100 s

    assert statuses == ["Success"] * 1000
    assert all(r.authorized for r in fake.requests)
    # The token minted on entry, then renewals only: no failure, no rejection, nobody waiting.
    # Each 100 s token (95 s after back-dating) is replaced at 65-75 % of its life.
    renewals = (len(events) - 1) // 2
    assert hooked(events) == [
        token_event("refreshed", expires_in=95.0),
        *[RENEWED_LOCALLY, RENEWAL_SCHEDULED] * renewals,
    ]
    minted = [e for e in events if e.name == "refreshed"]
    assert 5 <= len(minted) <= 10
    assert len(_tokens_seen(fake)) <= len(minted)


async def test_request_never_waits_for_a_refresh_on_the_hot_path(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The background task renews the token before it is due; a request finds a fresh one."""
    async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock) as tokens:
        first = tokens.current()
        await clock.advance(first.lifetime * 0.8)
        second = tokens.current()
        assert second is not first
        assert second.remaining(clock.time()) > 0.8 * second.lifetime


async def test_cancelled_waiters_never_cancel_the_refresh(clock: FakeClock) -> None:
    """Cancelling requests that wait for a token leaves the shared refresh to finish for others."""
    tokens_made: list[Token] = []
    mint = local_minter()

    def make(now: float) -> Token:
        token = mint(now)
        tokens_made.append(token)
        return token

    source = GatedSource(make)
    async with TokenManager(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source=source, clock=clock
    ) as tokens:
        first = tokens.current()
        source.gate = anyio.Event()  # the next fetch hangs until we open it
        tokens.invalidate(first)
        got: list[Token] = []

        async def waiter() -> None:
            got.append(await tokens.get())

        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as doomed:
                async with anyio.create_task_group() as inner:
                    for _ in range(10):
                        inner.start_soon(waiter)
                    await clock.settle()
                    doomed.cancel()
            for _ in range(5):
                tg.start_soon(waiter)
            await clock.settle()
            assert source.calls == 2  # one start-up fetch, one refresh for all 15 waiters
            source.gate.set()
        assert len(got) == 5
        assert {id(t) for t in got} == {id(tokens_made[-1])}
        assert tokens.current() is tokens_made[-1]
        assert source.completed == 2


async def test_leaving_async_with_mid_flight_leaves_nothing_behind(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Exiting the client mid-request: requests fail with our error; no task or session leaks."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(delay=30.0, times=None, path="status$")
    errors: list[BaseException] = []
    before = set(asyncio.all_tasks())

    async def call(portone: PortOneClient, started: anyio.Event) -> None:
        started.set()
        try:
            await portone.request("GET", STATUS)
        except PortOneError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
        ) as portone:
            for _ in range(20):
                started = anyio.Event()
                tg.start_soon(call, portone, started)
                await started.wait()
            await clock.run_until(lambda: len(fake.requests) == 20, timeout=0)
    gc.collect()  # an unclosed ClientSession would warn here, and warnings are errors
    assert len(errors) == 20
    assert all(isinstance(e, ConnectError) for e in errors)
    # The fake's own handlers are still sleeping on the injected delay; nothing else may remain.
    leftover = {
        t
        for t in asyncio.all_tasks() - before
        if not t.done() and "RequestHandler" not in repr(t.get_coro())
    }
    assert leftover <= {asyncio.current_task()}


async def test_failing_source_is_reported_and_the_refresher_carries_on(
    clock: FakeClock, logs: LogCapture
) -> None:
    """A fetch that fails once is logged and retried; the user's requests never see it."""
    events: list[TokenEvent] = []
    source = GatedSource(local_minter())
    async with TokenManager(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source=source,
        clock=clock,
        on_event=events.append,
    ) as tokens:
        first = tokens.current()
        source.failures.append(fail_once())
        await clock.advance_to_next()  # the refresh point: the fetch fails
        assert tokens.current() is first  # still valid: kept serving
        # The first fetch had the entering task waiting for it; the failed one had nobody.
        # The retry waits out min_interval (5 s) since the failed fetch: the backoff is shorter.
        first_token = [
            token_event("refreshed", source="gated", waiters=1, expires_in=95.0),
            token_event(
                "refresh_scheduled",
                source="gated",
                waiters=1,
                expires_in=95.0,
                delay=Varies(0.65 * 95, 0.75 * 95),
            ),
        ]
        failure = token_event(
            "refresh_failed",
            source="gated",
            expires_in=Varies(95 - 0.75 * 95, 95 - 0.65 * 95),
            delay=5.0,
            attempt=1,
            error="ServerError: HTTP 503 5000 PAYMENT_SYSTEM_ERROR: down",
        )
        assert hooked(events) == [*first_token, failure]
        await clock.advance_to_next()  # the retry, after a backoff, succeeds
        assert tokens.current() is not first
        assert await tokens.get() is tokens.current()
    renewal = [
        token_event("refreshed", source="gated", expires_in=LOCAL_LIFE),
        token_event(
            "refresh_scheduled", source="gated", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH
        ),
    ]
    assert hooked(events) == [*first_token, failure, *renewal]
    assert logs.entries == token_logs([*first_token, failure, *renewal])


async def test_hook_that_raises_does_not_break_refresh(clock: FakeClock, logs: LogCapture) -> None:
    """A user's event hook that raises is logged; tokens keep being refreshed."""

    def hook(event: TokenEvent) -> None:
        raise RuntimeError("hook bug")

    async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock, on_event=hook) as tokens:
        first = tokens.current()
        await clock.advance(first.lifetime * 0.9)
        assert tokens.current() is not first
    # Each event is logged, then the hook's failure after it (with no waiters field).
    hook_failed = token_log("hook_failed", waiters=None, error="RuntimeError: hook bug")
    assert logs.entries == [
        token_log("refreshed", expires_in=95.0),
        hook_failed,
        token_log("refreshed", expires_in=LOCAL_LIFE),
        hook_failed,
        token_log("refresh_scheduled", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH),
        hook_failed,
    ]


async def test_user_exception_passes_through_unwrapped(clock: FakeClock) -> None:
    """An error raised inside 'async with' reaches the caller as itself, not an ExceptionGroup."""
    with pytest.raises(KeyError, match="mine"):
        async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock):
            raise KeyError("mine")


async def test_get_outside_async_with_is_a_clear_error() -> None:
    """Using a manager that was never entered says how to use it instead of hanging."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY)
    with pytest.raises(TokenUnavailableError, match="async with"):
        await tokens.get()


async def test_stalled_background_task_never_hands_out_an_old_token(clock: FakeClock) -> None:
    """If the loop stalled past the floor, current() mints on the spot instead of a dying token."""
    async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock) as tokens:
        first = tokens.current()
        clock.stall(first.lifetime - 1)  # time jumps without the background task running
        fresh = tokens.current()
        assert fresh is not first
        assert fresh.remaining(clock.time()) > 90


async def test_server_source_waiters_time_out_with_the_cause(clock: FakeClock) -> None:
    """With no usable token and a refresh that keeps failing, waiters get TokenUnavailableError."""
    source = GatedSource(local_minter())
    async with TokenManager(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source=source, clock=clock, wait_timeout=20
    ) as tokens:
        first = tokens.current()
        source.failures.extend(fail_once() for _ in range(100))
        result: list[BaseException] = []

        async def waiter() -> None:
            try:
                await tokens.get()
            except TokenUnavailableError as exc:
                result.append(exc)

        async with anyio.create_task_group() as tg:
            clock.stall(first.expires_at - clock.time())  # the token is dead
            tg.start_soon(waiter)
            await clock.settle()
            await clock.advance(21)
        assert len(result) == 1
        assert "20 s" in str(result[0])
        assert isinstance(result[0].__cause__, PortOneError)


async def test_fatal_source_error_fails_waiters_at_once(clock: FakeClock) -> None:
    """A wrong secret is not retried into a timeout: waiters get AuthenticationError now."""
    source = GatedSource(local_minter())
    source.failures.append(
        AuthenticationError(
            status=400, code="4099", reason="INVALID_UNAUTHORISED_PORTONE_SECRET_ERROR"
        )
    )
    with pytest.raises(AuthenticationError, match="4099"):
        async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source=source, clock=clock):
            pass  # pragma: no cover - entering fails
    assert source.calls == 1


async def test_headers_injected_only_for_portone(fake: FakePortOne, clock: FakeClock) -> None:
    """Client key and JWT go on PortOne requests (no sub-merchant key); another host gets none."""
    fake.state.add_transaction("ORDER-1")
    seen: list[dict[str, str]] = []

    async def elsewhere(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({})

    other_app = web.Application()
    other_app.router.add_get("/elsewhere", elsewhere)
    async with (
        TestServer(other_app, host="127.0.0.1") as other,
        TokenManager(
            DEMO_CLIENT_KEY,
            DEMO_SECRET_KEY,
            base_url=fake.url,
            clock=clock,
            sub_merchant_key="SUBKEY1",
        ) as tokens,
    ):
        async with aiohttp.ClientSession(middlewares=[tokens.middleware]) as session:
            async with session.get(fake.url + STATUS) as resp:
                assert resp.status == 200
            async with session.get(other.make_url("/elsewhere")) as resp:
                assert resp.status == 200
        token = tokens.current()
    sent = fake.requests[-1].headers
    assert sent["X-Portone-Client-Key"] == DEMO_CLIENT_KEY
    # PortOne declares the sub-merchant header on payment-link create and update only.
    assert "X-Portone-SubMerchant-Key" not in sent
    assert sent["Authorization"] == f"Bearer {token.value}"
    assert not any(k.lower().startswith(("authorization", "x-portone")) for k in seen[0])


async def test_cross_origin_redirect_never_carries_the_jwt(clock: FakeClock) -> None:
    """A redirect to another origin: the client refuses it, a middleware session drops the JWT."""
    landed: list[dict[str, str]] = []

    async def land(request: web.Request) -> web.Response:
        landed.append(dict(request.headers))
        return web.json_response({"status_code": "2000"})

    other_app = web.Application()
    other_app.router.add_get("/land", land)
    other = TestServer(other_app, host="127.0.0.1")

    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(other.make_url("/land"))

    fake = FakePortOne(clock=clock)
    fake.app.router.add_get("/api/bounce", bounce)
    async with (
        other,
        fake,
        PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as portone,
    ):
        with pytest.raises(APIError) as info:
            await portone.request("GET", "/api/bounce")
        assert info.value.status == 302
        assert landed == []
        async with aiohttp.ClientSession(middlewares=[portone.tokens.middleware]) as session:
            async with session.get(fake.url + "/api/bounce") as resp:
                assert resp.status == 200
    assert len(landed) == 1
    assert not any(k.lower() in ("authorization", "x-portone-client-key") for k in landed[0])
    assert fake.requests[0].headers["Authorization"].startswith("Bearer ")


async def test_portone_401_4054_refreshes_and_retries_once(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A token PortOne rejects (4054) is replaced and the request retried exactly once."""
    fake.state.add_transaction("ORDER-1")
    first = client.tokens.current()
    fake.revoke(first.value)
    data: Any = await client.request("GET", STATUS)
    assert data["content"]["status"] == "Success"
    assert [r.authorized for r in fake.requests] == [False, True]
    assert client.tokens.current() is not first


async def test_validation_401_is_raised_not_retried(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A 401 that is a validation error (4001) reaches the caller after a single request."""
    body = {
        "is_success": False,
        "message": "signature_hash is required",
        "status_code": "4001",
        "status_reason": "INVALID_PAYMENT_REQUEST",
    }
    fake.fail(status=401, body=body, path="status$")
    with pytest.raises(PortOneError, match="4001") as info:
        await client.request("GET", STATUS)
    assert not isinstance(info.value, AuthenticationError)
    assert len(fake.requests) == 1


async def test_borrowed_session_is_used_untouched_and_left_open(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A session you lend is authenticated per request, never modified, and not closed."""
    fake.state.add_transaction("ORDER-1")
    async with aiohttp.ClientSession() as session:
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, session=session
        ) as portone:
            fake.revoke(portone.tokens.current().value)
            await clock.advance(1)
            data = await portone.request("GET", STATUS)
            assert data["content"]["status"] == "Success"
        assert not session.closed
        assert "Authorization" not in session.headers
        assert "X-Portone-Client-Key" not in session.headers
    assert [r.authorized for r in fake.requests] == [False, True]


async def test_owned_session_follows_token_changes(fake: FakePortOne, clock: FakeClock) -> None:
    """Every request carries the token current at send time, across refreshes."""
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        sent = []
        for _ in range(4):
            await portone.request("GET", STATUS)
            sent.append(portone.tokens.current().value)
            await clock.advance(60)
    seen = [r.headers["Authorization"].removeprefix("Bearer ") for r in fake.requests]
    assert seen == sent
    assert len(set(seen)) >= 3
