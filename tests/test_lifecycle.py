"""Entering and leaving the client and the manager: misuse gets one clear, typed error."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Literal

import anyio
import pytest

from aioportone import (
    ConfigurationError,
    PortOneClient,
    PortOneError,
    TokenManager,
    TokenUnavailableError,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

STATUS = "/api/transaction/ORDER-1/status"


def manager(fake: FakePortOne, clock: FakeClock, **options: Any) -> TokenManager:
    return TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, **options)


async def test_current_before_entering_says_not_running(clock: FakeClock) -> None:
    """current() on a manager never entered says it is not running, not 'a refresh is under way'."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock)
    with pytest.raises(TokenUnavailableError, match="not running") as info:
        tokens.current()
    assert "refresh" not in str(info.value)


@pytest.mark.parametrize("source", ["local", "server"])
async def test_no_token_is_handed_out_after_exit(
    fake: FakePortOne, clock: FakeClock, source: Literal["local", "server"]
) -> None:
    """After 'async with' ends, current()/get() raise and usable() is None: no cached token."""
    tokens = manager(fake, clock, token_source=source)
    async with tokens:
        assert tokens.current() is not None
    assert tokens.usable() is None
    with pytest.raises(TokenUnavailableError, match="not running"):
        tokens.current()
    with pytest.raises(TokenUnavailableError, match="not running"):
        await tokens.get()


@pytest.mark.parametrize("source", ["local", "server"])
async def test_sequential_reentry_works(
    fake: FakePortOne, clock: FakeClock, source: Literal["local", "server"]
) -> None:
    """A manager and a client can be entered again after their 'async with' ended."""
    fake.state.add_transaction("ORDER-1")
    client = PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, token_source=source
    )
    for _ in range(2):
        async with client as portone:
            await portone.request("GET", STATUS)
    tokens = manager(fake, clock, token_source=source)
    for _ in range(2):
        async with tokens:
            assert tokens.current() is not None


async def test_second_entry_of_an_open_manager_is_refused(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Entering a manager already entered raises ConfigurationError; the first keeps working."""
    tokens = manager(fake, clock)
    async with tokens:
        with pytest.raises(ConfigurationError, match="already entered"):
            async with tokens:
                pass  # pragma: no cover - refused
        assert tokens.current() is not None


async def test_concurrent_entry_while_starting_is_refused(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Two tasks entering one client at once: the second gets ConfigurationError, no group."""
    held = anyio.Event()
    fake.fail(hold=held, path="auth-token", times=1)
    fake.state.add_transaction("ORDER-1")
    client = PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, token_source="server"
    )
    outcomes: list[object] = []

    async def use() -> None:
        try:
            async with client as portone:
                await portone.request("GET", STATUS)
                outcomes.append("ok")
        except PortOneError as exc:
            outcomes.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(use)
        await anyio.wait_all_tasks_blocked()  # the first entry waits for its first token
        tg.start_soon(use)
        await anyio.wait_all_tasks_blocked()
        held.set()
    assert outcomes[1] == "ok"
    assert isinstance(outcomes[0], ConfigurationError)
    assert outcomes[0].argument == "PortOneClient"


async def test_requests_waiting_at_exit_get_a_typed_error(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Requests queued for a token when the client exits raise TokenUnavailableError (closed)."""
    fake.token_lifetime = 600
    fake.state.add_transaction("ORDER-1")
    outcome: list[BaseException] = []

    async def call(portone: PortOneClient) -> None:
        try:
            await portone.request("GET", STATUS)
        except BaseException as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, token_source="server"
        ) as portone:
            fake.auth_token_down(3600)
            await clock.advance(601)  # the token is dead and no new one can be had
            for _ in range(5):
                tg.start_soon(call, portone)
            await anyio.wait_all_tasks_blocked()
    assert len(outcome) == 5
    assert all(isinstance(e, TokenUnavailableError) for e in outcome), outcome
    assert all("closed" in str(e) for e in outcome)


@pytest.mark.parametrize("source", ["local", "server"])
async def test_requests_not_started_at_exit_get_a_typed_error(
    fake: FakePortOne, clock: FakeClock, source: Literal["local", "server"]
) -> None:
    """Request tasks created just before the client exits fail as closed, not with RuntimeError."""
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, token_source=source
    ) as portone:
        tasks = [asyncio.ensure_future(portone.request("GET", STATUS)) for _ in range(3)]
    outcome = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(e, TokenUnavailableError) for e in outcome), outcome
    assert all("closed" in str(e) for e in outcome)
    assert fake.calls("status$") == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_auth_token_timeout_names_the_cause(clock: FakeClock) -> None:
    """Server tokens from a host that refuses connections: the timeout message says why."""
    tokens = TokenManager(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=f"http://127.0.0.1:{_closed_port()}",
        clock=clock,
        wait_timeout=30,
    )
    failure: list[BaseException] = []

    async def enter() -> None:
        try:
            async with tokens:
                pass  # pragma: no cover - no token
        except TokenUnavailableError as exc:
            failure.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(enter)
        while not failure:
            await anyio.wait_all_tasks_blocked()
            await clock.advance(1)
    message = str(failure[0])
    assert "within 30 s" in message
    assert "ConnectError" in message
    assert DEMO_SECRET_KEY not in message


def test_repr_of_a_half_built_client_never_raises() -> None:
    """A constructor that raised part-way leaves an object whose repr still works."""
    client = PortOneClient.__new__(PortOneClient)
    assert repr(client).startswith("PortOneClient(")
    tokens = TokenManager.__new__(TokenManager)
    assert repr(tokens).startswith("TokenManager(")
    with pytest.raises(ConfigurationError):
        PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, timeout=-1)
