"""Edge cases of the token manager: redirects, late rejections, shutdown, broken hooks."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, MutableMapping
from typing import Any

import anyio
import pytest
import structlog
from aiohttp import web
from aiohttp.test_utils import TestServer

from aioportone import (
    APIError,
    PortOneClient,
    PortOneError,
    TokenManager,
    TokenUnavailableError,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

STATUS = "/api/transaction/ORDER-1/status"
HOUR = 3600.0


async def test_auth_token_redirect_never_carries_the_secret(clock: FakeClock) -> None:
    """An auth-token answer redirecting elsewhere is refused: the secret goes nowhere else."""
    received: list[bytes] = []

    async def elsewhere(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.json_response({})

    other_app = web.Application()
    other_app.router.add_post("/steal", elsewhere)
    async with TestServer(other_app, host="127.0.0.1") as other:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPTemporaryRedirect(other.make_url("/steal"))

        app = web.Application()
        app.router.add_post("/api/merchant/auth-token", redirect)
        async with TestServer(app, host="127.0.0.1") as portone:
            tokens = TokenManager(
                DEMO_CLIENT_KEY,
                DEMO_SECRET_KEY,
                token_source="server",
                base_url=str(portone.make_url("")),
                clock=clock,
            )
            with pytest.raises(APIError) as info:
                await tokens.source.fetch(clock.time())
            await tokens.source.aclose()  # type: ignore[attr-defined]
    assert info.value.status == 307
    assert received == []


async def test_clock_change_keeps_a_valid_server_token(fake: FakePortOne, clock: FakeClock) -> None:
    """PortOne's clock jumps while auth-token is down: the issued token stays in use."""
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", base_url=fake.url, clock=clock
    ) as portone:
        token = portone.tokens.current()
        await clock.advance(HOUR)
        fake.auth_token_down(HOUR)
        fake.skew = 30.0
        await portone.request("GET", STATUS)  # its Date header reveals the jump
        await portone.request("GET", STATUS)
        kept = portone.tokens.current()
        assert kept.value == token.value
        assert kept.expires_at == pytest.approx(token.expires_at - 30, abs=1)
    assert all(r.authorized for r in fake.requests if "status" in r.path)


async def test_late_rejections_do_not_cut_the_backoff_short(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """40 requests rejected with the same revoked token during an outage: a few fetches, not 40."""
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=fake.url,
        clock=clock,
        wait_timeout=30,
        rng=random.Random(0),  # the backoff's jitter, fixed: the same fetches on every run
    ) as portone:
        await clock.advance(60)
        fake.auth_token_down(HOUR)
        fake.revoke(portone.tokens.current().value)
        waves = [anyio.Event() for _ in range(20)]  # the 4054 answers, released 2 at a time
        for wave in waves:
            fake.fail(hold=wave, path="status$", times=2)
        before = fake.auth_token_calls
        failures: list[BaseException] = []

        async def call() -> None:
            try:
                await portone.request("GET", STATUS)
            except PortOneError as exc:
                failures.append(exc)

        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(call)
            await clock.run_until(lambda: len(fake.calls("status$")) == 40, timeout=0)
            for number, wave in enumerate(waves, start=1):
                wave.set()  # two more late 4054s reach the client, then half a second passes
                await clock.run_until(
                    lambda n=number: portone.tokens._waiters >= 2 * n,  # type: ignore[misc]
                    timeout=0,
                )
                await clock.advance(0.5)
            await clock.run_until(lambda: len(failures) == 40, timeout=60)
        assert all(isinstance(f, TokenUnavailableError) for f in failures)
        # ~40 s of simulated time: the backoff allows a handful of fetches, not one per answer.
        assert fake.auth_token_calls - before <= 8, fake.auth_token_calls - before


async def test_waiting_for_a_token_is_not_an_ambiguous_refund(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """No token to send: a refund fails with TokenUnavailableError and is never sent."""
    fake.token_lifetime = 600  # ten-minute tokens: the same story, fewer refresh attempts
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=fake.url,
        clock=clock,
        wait_timeout=10,
        timeout=1,
    ) as portone:
        fake.auth_token_down(10 * HOUR)
        await clock.advance(601)
        outcome: list[BaseException] = []

        async def refund() -> None:
            try:
                await portone.refunds.create(
                    "ORDER-REF",
                    amount=100,
                    channel="FAKEPSP",
                    reason="test",
                    refund_type="full",
                )
            except PortOneError as exc:
                outcome.append(exc)

        async with anyio.create_task_group() as tg:
            tg.start_soon(refund)
            await clock.settle()
            await clock.advance(11)
    assert len(outcome) == 1
    assert isinstance(outcome[0], TokenUnavailableError)
    assert fake.calls("/api/refund/") == []


async def test_cancelled_start_closes_the_auth_session(fake: FakePortOne, clock: FakeClock) -> None:
    """Cancelled while fetching its first token, the manager still closes its HTTP session."""
    fake.fail(delay=5.0, path="auth-token")
    tokens = TokenManager(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", base_url=fake.url, clock=clock
    )

    async def enter() -> None:
        async with tokens:
            pass  # pragma: no cover - cancelled before

    task = asyncio.ensure_future(enter())
    await clock.run_until(lambda: fake.auth_token_calls == 1, timeout=0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tokens.source._session is None  # type: ignore[attr-defined]


async def test_waiters_are_released_when_the_manager_closes(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Leaving 'async with' wakes requests waiting for a token instead of leaving them hanging."""
    fake.token_lifetime = 600
    outcome: list[BaseException] = []
    async with anyio.create_task_group() as tg:
        async with TokenManager(
            DEMO_CLIENT_KEY,
            DEMO_SECRET_KEY,
            token_source="server",
            base_url=fake.url,
            clock=clock,
        ) as tokens:
            fake.auth_token_down(10 * HOUR)
            await clock.advance(601)

            async def waiter() -> None:
                try:
                    await tokens.get()
                except TokenUnavailableError as exc:
                    outcome.append(exc)

            tg.start_soon(waiter)
            await clock.settle()
    assert len(outcome) == 1
    assert "closed" in str(outcome[0])


async def test_broken_log_pipeline_does_not_stop_refresh(clock: FakeClock) -> None:
    """A structlog processor that raises: tokens still renew and nothing reaches the caller."""

    def explode(_: Any, __: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
        raise RuntimeError("log sink down")

    structlog.configure(processors=[explode])
    async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock) as tokens:
        first = tokens.current()
        await clock.advance(first.lifetime * 0.9)
        assert tokens.current() is not first
