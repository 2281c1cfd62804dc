"""The TokenManager's synchronous half on a literal clock: no event loop, no server.

The desk answers between awaits (a token now, a fetch's end, a rejection, an answer's ``Date``)
and calls two hooks where the anyio shell wakes someone; here they are recorded instead.
"""

from __future__ import annotations

import ast
import functools
import random
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

import pytest

from aioportone import (
    AuthenticationError,
    ServerError,
    Token,
    TokenEvent,
    TokenManager,
    TokenUnavailableError,
    _token_desk,
)
from aioportone._token_desk import NOT_RUNNING, TokenDesk

KEY = "desk-merchant-key"
SECRET = "desk-secret-0123456789abcdef0123"


class Edges(random.Random):
    """Jitter pinned to its edges: ``random()`` is 0 and ``uniform`` returns the cap."""

    def random(self) -> float:
        return 0.0

    def uniform(self, a: float, b: float) -> float:
        return b


class Stopped:
    """A clock that reads ``now`` and is moved by hand; the desk never sleeps on it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("the desk never sleeps")


class Stub:
    """A network source: not awaited here, the tokens it would give are handed to the desk."""

    name = "stub"

    async def fetch(self, now: float) -> Token:
        raise AssertionError("the desk never awaits its source")


class Desk(TokenDesk):
    """A desk whose shell hooks are recorded, its events collected, running from the start."""

    def __init__(self, source: Stub | None = None) -> None:
        self.hooks: list[str] = []
        self.events: list[TokenEvent] = []
        self.stopped = Stopped(1000.0)
        super().__init__(
            KEY,
            SECRET,
            token_source="local" if source is None else source,
            on_event=self.events.append,
            clock=self.stopped,
            rng=Edges(),
        )
        self._running = True

    def _notify(self) -> None:
        self.hooks.append("notify")

    def _wake_refresher(self) -> None:
        self.hooks.append("wake")


def server_token(issued: float = 1000.0, life: float = 21600.0) -> Token:
    return Token(value="srv.jwt.sig", issued_at=issued, expires_at=issued + life, source="stub")


def test_the_manager_is_the_desk_under_an_anyio_shell() -> None:
    """TokenManager takes every synchronous member from the desk, and the desk imports neither
    anyio nor aiohttp itself."""
    assert issubclass(TokenManager, TokenDesk)
    for name in ("usable", "current", "invalidate", "rejected", "observe_answer"):
        assert getattr(TokenManager, name) is getattr(TokenDesk, name)
    tree = ast.parse(Path(_token_desk.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported}.isdisjoint({"anyio", "aiohttp", "asyncio"})


def test_a_desk_that_is_not_running_hands_out_no_token() -> None:
    """Before the shell starts it (or after it closed), current() and a waiting look refuse."""
    desk = Desk()
    desk._running = False
    with pytest.raises(TokenUnavailableError, match="not running") as caught:
        desk.current()
    assert str(caught.value).endswith(NOT_RUNNING)
    with pytest.raises(TokenUnavailableError, match="closed while waiting"):
        desk._poll(1030.0)
    assert desk.usable() is None
    assert (desk.hooks, desk.events) == ([], [])


def test_current_mints_on_the_spot_with_a_local_source() -> None:
    """No token held: one is minted, held, reported and announced; the next call reuses it."""
    desk = Desk()
    assert desk.usable() is None
    token = desk.current()
    assert (token.issued_at, token.expires_at) == (1000.0, 1095.0)  # iat back-dated 5 s
    assert desk.usable() is token
    assert desk.current() is token
    assert desk._poll(1030.0) is token
    assert desk.hooks == ["notify"]
    assert desk.events == [TokenEvent(name="refreshed", source="local", expires_in=95.0)]


def test_a_rejected_minted_token_is_replaced_by_different_bytes() -> None:
    """Rejected, the token is dropped and the refresher woken; minted again in the same second,
    the new token is a second older, so it does not sign to the rejected bytes."""
    desk = Desk()
    rejected = desk.current()
    desk.rejected(rejected)
    assert desk.usable() is None
    fresh = desk.current()
    assert fresh.value != rejected.value
    assert (fresh.issued_at, fresh.expires_at) == (999.0, 1094.0)
    assert desk.hooks == ["notify", "wake", "notify"]
    assert desk.events == [
        TokenEvent(name="refreshed", source="local", expires_in=95.0),
        TokenEvent(name="token_rejected", source="local", expires_in=95.0),
        TokenEvent(name="refreshed", source="local", expires_in=94.0),
    ]


def test_a_fetched_token_is_held_and_its_refresh_scheduled() -> None:
    """The end of a fetch: the token is held, waiters told, the next refresh reported."""
    desk = Desk(Stub())
    assert desk._fetch_started() == 1000.0
    token = server_token()
    desk._fetched(token)
    assert desk.usable() is token
    assert desk._poll(1030.0) is token
    assert desk.hooks == ["notify"]
    assert desk.events == [
        TokenEvent(name="refreshed", source="stub", expires_in=21600.0),
        # 75 % of six hours, jitter pinned to 0.
        TokenEvent(name="refresh_scheduled", source="stub", expires_in=21600.0, delay=16200.0),
    ]


def test_a_token_too_old_to_use_counts_as_a_failure() -> None:
    """A source's token already below its floor is not held: the fetch failed."""
    desk = Desk(Stub())
    desk._fetch_started()
    desk._fetched(server_token(issued=900.0, life=105.0))  # 5 s left, floor 10.5 s
    assert desk.usable() is None
    assert desk.hooks == ["notify"]
    assert desk.events == [
        TokenEvent(
            name="refresh_failed",
            source="stub",
            delay=5.0,  # min_interval after the fetch started
            attempt=1,
            error="TokenError: the stub source gave a token too old to use",
        )
    ]


def test_a_waiting_look_brings_the_fetch_forward_then_times_out_with_the_cause() -> None:
    """No token from a network source: the look wakes the refresher and says how long to wait;
    at the deadline it raises, quoting the last failure and chaining it."""
    desk = Desk(Stub())
    assert desk._poll(1030.0) == 30.0
    assert desk.hooks == ["wake"]
    desk._fetch_started()
    outage = ServerError(status=503)
    desk._failed(outage)
    desk.stopped.now = 1030.0
    with pytest.raises(TokenUnavailableError) as caught:
        desk._poll(1030.0)
    assert str(caught.value) == (
        "no usable PortOne token within 30 s (last refresh failed: ServerError: HTTP 503)"
    )
    assert caught.value.__cause__ is outage


def test_a_refusal_reaches_every_waiter_as_its_own_copy() -> None:
    """After a credential refusal with no token left, each look raises a fresh copy of it."""
    desk = Desk(Stub())
    desk._fetch_started()
    refusal = AuthenticationError(status=400, code="4099")
    desk._failed(refusal)
    assert desk.events == [
        TokenEvent(
            name="refresh_gave_up",
            source="stub",
            delay=300.0,
            attempt=1,
            error="AuthenticationError: HTTP 400 4099",
        )
    ]
    raised: list[AuthenticationError] = []
    looks: list[Callable[[], object]] = [desk.current, functools.partial(desk._poll, 1030.0)]
    for look in looks:
        with pytest.raises(AuthenticationError) as caught:
            look()
        assert caught.value.__cause__ is refusal
        raised.append(caught.value)
    assert raised[0] is not raised[1]
    assert refusal not in raised


def test_portones_clock_moving_drops_a_minted_token() -> None:
    """A Date 30 s ahead moves the offset: reported, and a token minted on the old offset is
    dropped and minted again on the new one."""
    desk = Desk()
    old = desk.current()
    desk.observe_answer({"Date": formatdate(1030.0, usegmt=True)})
    assert desk.offset.offset == 30.5  # the header is truncated to the second
    assert desk.usable() is None
    new = desk.current()
    assert new.value != old.value
    assert desk.hooks == ["notify", "wake", "notify"]
    assert desk.events == [
        TokenEvent(name="refreshed", source="local", expires_in=95.0),
        TokenEvent(name="clock_skew", source="local", expires_in=95.0, offset=30.5),
        # Claims in whole seconds of PortOne's clock: exp 1125, 1094.5 on ours.
        TokenEvent(name="refreshed", source="local", expires_in=94.5),
    ]


def test_portones_clock_moving_shifts_a_server_tokens_expiry() -> None:
    """A token PortOne issued is kept, its expiry moved on our clock by the shift."""
    desk = Desk(Stub())
    desk._fetch_started()
    desk._fetched(server_token())
    desk.hooks.clear()
    desk.observe_answer({"Date": formatdate(1030.0, usegmt=True)})
    shifted = desk.usable()
    assert shifted is not None
    assert shifted.expires_at == 1000.0 + 21600.0 - 30.5
    assert desk.hooks == ["wake"]


def test_closing_forgets_the_token_and_its_headers() -> None:
    """Closed, the desk holds no token, has dropped its headers and tells the waiters."""
    desk = Desk()
    token = desk.current()
    headers = desk.auth_headers(token)
    desk._close()
    assert desk.usable() is None
    assert desk.auth_headers(token) is not headers
    assert desk.hooks == ["notify", "notify"]
    with pytest.raises(TokenUnavailableError, match="not running"):
        desk.current()


def test_the_repr_shows_neither_the_secret_nor_the_token() -> None:
    """A desk holding a token names its key, source and origin, and no credential."""
    desk = Desk()
    token = desk.current()
    shown = repr(desk)
    assert shown.startswith(
        "TokenManager(client_key='desk-merchant-key', source='local', "
        "base_url='https://api.portone.cloud', token="
    )
    assert SECRET not in shown
    assert token.value not in shown
