"""Token renewal that no answer can stop: Retry-After caps, what is fatal, hostile Dates, clock
steps and seconds-long tokens, each through a client on the fake PortOne and a fake clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from aioportone import PortOneClient, PortOneError, RefreshPolicy, TokenEvent
from aioportone._jwt import import_secret, mint
from aioportone._skew import ServerClockOffset
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

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
AUTH_PATH = "/api/merchant/auth-token"
AUTH = rf"^{AUTH_PATH}$"
HOUR = 3600.0
YEAR_2100 = "Fri, 31 Dec 2100 23:59:59 GMT"
OVERFLOWING = "Fri, 31 Dec 99999999999999999999 23:59:59 GMT"


@asynccontextmanager
async def server_client(
    fake: FakePortOne, clock: Any, **kwargs: Any
) -> AsyncIterator[PortOneClient]:
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=fake.url,
        clock=clock,
        **kwargs,
    ) as portone:
        yield portone


async def outcome(
    portone: PortOneClient, clock: FakeClock, call: Callable[[], Awaitable[object]] | None = None
) -> PortOneError | None:
    """Run one request to its end; the fake clock moves only while it waits for a token."""
    box: list[PortOneError | None] = []

    async def run() -> None:
        try:
            await (call() if call is not None else portone.request("GET", STATUS))
        except PortOneError as exc:
            box.append(exc)
        else:
            box.append(None)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        while not box:
            await anyio.wait_all_tasks_blocked()
            if box:
                break
            if portone.tokens._waiters:
                await clock.advance(1)
            else:
                await anyio.sleep(0.001)  # loopback I/O in flight
    return box[0]


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await anyio.wait_all_tasks_blocked()
        await anyio.sleep(0.001)


# -- 1. Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["999999999", YEAR_2100])
async def test_absurd_retry_after_never_stops_renewal(
    fake: FakePortOne, clock: FakeClock, retry_after: str
) -> None:
    """One 429 with an absurd Retry-After at the refresh point: 24 h later requests still work."""
    async with server_client(fake, clock) as portone:
        fake.fail(status=429, retry_after=retry_after, path=AUTH, times=1)
        failures = 0
        for _ in range(48):  # a request every half hour for a day
            await clock.advance(HOUR / 2)
            failures += await outcome(portone, clock) is not None
    assert failures == 0
    assert fake.auth_token_calls >= 6  # renewed about every 4 hours, the 429 included


async def test_request_without_token_brings_a_long_wait_forward(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """auth-token back after a long 429 spell: a waiting request gets a token within seconds."""
    events: list[TokenEvent] = []
    async with server_client(fake, clock, on_event=events.append, rng=random.Random(3)) as portone:
        spell = fake.fail(status=429, retry_after="250", path=AUTH, times=None)
        await clock.advance(7 * HOUR)  # the token expired an hour ago
        seen = len(events)
        await clock.advance_to_next()  # one more refused attempt: the next is >= 250 s away
        await until(lambda: len(events) > seen)
        refused = injected(429, fake.url + AUTH_PATH, "POST", "RateLimitError")
        # Near the token's end the backoff shrinks to half the time left above its floor, down
        # to the 5 s between fetches; once it expired, the Retry-After counts again.
        attempts = len(events) - 2
        spell_events = [
            *server_start(),
            *failed_refreshes(attempts - 1, refused),
            *failed_refreshes(attempts, refused, delay=Varies(250, 300))[-1:],
        ]
        assert hooked(events) == spell_events
        spell.until = fake.now()  # PortOne is back
        assert await outcome(portone, clock) is None
    # The request waiting for a token brought the next attempt forward, and it succeeded.
    assert hooked(events) == [
        *spell_events,
        token_event("refreshed", source="server", waiters=1, expires_in=SERVER_LIFE),
        token_event(
            "refresh_scheduled",
            source="server",
            waiters=1,
            expires_in=SERVER_LIFE,
            delay=SERVER_REFRESH,
        ),
    ]


# -- 2. what is fatal ----------------------------------------------------------------------------


def _expired_token(fake: FakePortOne) -> str:
    now = int(fake.now())
    return mint(
        key=import_secret(DEMO_SECRET_KEY),
        portone_key=DEMO_CLIENT_KEY,
        issued_at=now - 2 * 3600,
        expires_at=now - 3600,
    )


HOSTILE_ANSWERS: dict[str, Callable[[FakePortOne], dict[str, Any]]] = {
    "html-200": lambda fake: {"raw": b"<html>maintenance</html>"},
    "empty-200": lambda fake: {"raw": b""},
    "waf-401": lambda fake: {"status": 401, "raw": b"<html>Access denied</html>"},
    "waf-403": lambda fake: {"status": 403, "raw": b"Forbidden"},
    "timeout-408": lambda fake: {"status": 408},
    "other-422": lambda fake: {"status": 422},
    "exp-in-past": lambda fake: {
        "body": {"content": {"token": _expired_token(fake), "expires_in": 21600}}
    },
    "expires-in-0": lambda fake: {"body": {"content": {"token": fake.mint(), "expires_in": 0}}},
}

# The error each of those answers is reported with ({auth}: the auth-token URL).
REFUSALS = {
    "html-200": "InvalidServerTokenError: PortOne's auth-token answer has no content.token",
    "empty-200": "InvalidServerTokenError: PortOne's auth-token answer has no content.token",
    "waf-401": "AuthenticationError: HTTP 401 (POST {auth})",
    "waf-403": "InvalidRequestError: HTTP 403 (POST {auth})",
    "timeout-408": injected(408, "{auth}", "POST", "InvalidRequestError"),
    "other-422": injected(422, "{auth}", "POST", "InvalidRequestError"),
    "exp-in-past": "InvalidServerTokenError: PortOne's token is already expired",
    "expires-in-0": "InvalidServerTokenError: PortOne's auth-token answer has expires_in <= 0",
}


@pytest.mark.parametrize("answer", sorted(HOSTILE_ANSWERS))
async def test_undocumented_refusal_is_transient(
    fake: FakePortOne, clock: FakeClock, answer: str
) -> None:
    """Ten minutes of odd auth-token answers: no give-up, and service resumes as PortOne does."""
    events: list[TokenEvent] = []
    async with server_client(fake, clock, on_event=events.append) as portone:
        fake.fail(**HOSTILE_ANSWERS[answer](fake), path=AUTH, times=None, until=fake.now() + 600)
        portone.tokens.invalidate(portone.tokens.current())  # a refresh is needed right now
        for _ in range(20):
            await clock.advance(30)
        assert await outcome(portone, clock) is None
    # Failures only, none given up on, then the token a waiting request asked for.
    attempts = len(events) - 4
    assert attempts >= 2
    assert hooked(events) == [
        *server_start(),
        *failed_refreshes(attempts, REFUSALS[answer].format(auth=fake.url + AUTH_PATH)),
        token_event("refreshed", source="server", waiters=1, expires_in=SERVER_LIFE),
        token_event(
            "refresh_scheduled",
            source="server",
            waiters=1,
            expires_in=SERVER_LIFE,
            delay=SERVER_REFRESH,
        ),
    ]


# -- 3. hostile Date -----------------------------------------------------------------------------


@pytest.mark.parametrize("date", [YEAR_2100, OVERFLOWING])
async def test_hostile_date_moves_nothing(fake: FakePortOne, clock: FakeClock, date: str) -> None:
    """Every answer dated 2100 (or past any year): the offset stays, every request succeeds."""
    async with server_client(fake, clock) as portone:
        fake.fail(headers={"Date": date}, times=None)
        failures = 0
        for _ in range(20):  # 10 hours: renewals happen under the hostile Date too
            await clock.advance(HOUR / 2)
            failures += await outcome(portone, clock) is not None
        assert portone.tokens.offset.offset == 0
    assert failures == 0
    assert fake.auth_token_calls >= 3


def test_far_offset_needs_agreeing_answers() -> None:
    """A Date an hour off moves the offset only on the third agreeing answer; garbage never."""
    offset = ServerClockOffset()
    # 1970-01-01 01:01:40 is 3700 s: PortOne an hour ahead of our 100.
    assert not offset.observe("Thu, 01 Jan 1970 01:01:40 GMT", received_at=100.0)
    assert not offset.observe("Thu, 01 Jan 1970 01:01:41 GMT", received_at=101.0)
    assert offset.offset == 0
    assert offset.observe("Thu, 01 Jan 1970 01:01:42 GMT", received_at=102.0)
    assert offset.offset == pytest.approx(3600.5)
    # Disagreeing far measurements (a flapping proxy) never move it.
    other = ServerClockOffset()
    for n, date in enumerate(["01:01:40", "05:00:00", "01:01:42", "09:00:00"]):
        assert not other.observe(f"Thu, 01 Jan 1970 {date} GMT", received_at=100.0 + n)
    assert other.offset == 0
    for garbage in [YEAR_2100, OVERFLOWING, "Fri, 31 Dec 99999 23:59:59 GMT", "\x00", "9" * 400]:
        assert not offset.observe(garbage, received_at=102.0)
    assert offset.offset == pytest.approx(3600.5)


async def test_revoked_token_is_replaced_after_portone_clock_moved(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """PortOne's Date two hours off, then it revokes the token: the next request still succeeds."""
    async with server_client(fake, clock) as portone:
        fake.skew = -2 * HOUR
        # A far Date waits for agreement; the refusal below corroborates it and moves the
        # token's expiry, which must not keep the revoked token in use.
        assert await outcome(portone, clock) is None
        revoked = portone.tokens.current().value
        fake.revoke(revoked)
        assert await outcome(portone, clock) is None
        assert await outcome(portone, clock) is None
        assert portone.tokens.current().value != revoked
        assert portone.tokens.offset.offset == pytest.approx(-2 * HOUR, abs=2)


def test_policy_fields_are_checked() -> None:
    """A RefreshPolicy with a bad field is refused naming that field."""
    from aioportone import ConfigurationError

    for name, value in [("min_interval", -1), ("retry_after_max", float("nan")), ("jitter", 0.9)]:
        with pytest.raises(ConfigurationError, match=name):
            RefreshPolicy(**{name: value})


# -- 4. our clock steps --------------------------------------------------------------------------


class SteppedClock:
    """Our wall clock, which an administrator (or NTP) can step; sleeping stays monotonic."""

    def __init__(self, inner: FakeClock) -> None:
        self.inner = inner
        self.step = 0.0

    def time(self) -> float:
        return self.inner.time() + self.step

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


async def test_forward_clock_step_does_not_lock_server_tokens_out(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Our clock jumps 7 hours ahead: within seconds requests succeed again, for 5 minutes on."""
    ours = SteppedClock(clock)
    async with server_client(fake, ours) as portone:
        assert await outcome(portone, clock) is None
        ours.step = 7 * HOUR  # PortOne's Date has not changed: its clock did not move
        failures = 0
        for _ in range(60):
            failures += await outcome(portone, clock) is not None
            await clock.advance(5)
        assert portone.tokens.offset.offset == pytest.approx(-7 * HOUR, abs=2)
    assert failures == 0


async def test_forward_clock_step_with_local_tokens_costs_one_request(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Our clock jumps an hour with local tokens: PortOne's refusal confirms its Date at once."""
    ours = SteppedClock(clock)
    fake.state.add_transaction("ORDER-1")
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=ours
    ) as portone:
        assert await outcome(portone, clock) is None
        ours.step = HOUR
        failures = 0
        for _ in range(20):
            failures += await outcome(portone, clock) is not None
            await clock.advance(1)
        assert portone.tokens.offset.offset == pytest.approx(-HOUR, abs=2)
    # The first answer after the step has the Date already seen: nothing to learn from yet.
    assert failures <= 1


# -- 5. seconds-long tokens ----------------------------------------------------------------------


async def test_one_second_tokens_do_not_hammer_auth_token(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """PortOne hands out 1-second tokens for an hour: a few dozen auth-token calls, not hundreds."""
    fake.token_lifetime = 1
    async with server_client(fake, clock):
        for _ in range(360):
            await clock.advance(10)
            await until(lambda: fake.in_flight == 0)
    assert fake.auth_token_calls <= 40, fake.auth_token_calls


# -- 13. logging never changes an outcome --------------------------------------------------------


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot describe myself")


async def test_broken_reporting_changes_no_renewal_outcome(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Log processor and hook both raising, auth-token down then back: requests still succeed."""

    def explode(*_: Any) -> Any:
        raise RuntimeError("log sink down")

    def hook(_: TokenEvent) -> None:
        raise RuntimeError("hook down")

    import structlog

    structlog.configure(processors=[explode])
    async with server_client(fake, clock, on_event=hook) as portone:
        fake.auth_token_down(60)
        portone.tokens.invalidate(portone.tokens.current())
        await clock.advance(61)
        assert await outcome(portone, clock) is None
        fake.revoke(portone.tokens.current().value)
        await clock.advance(10)
        assert await outcome(portone, clock) is None


async def test_unprintable_source_error_still_renews(clock: FakeClock) -> None:
    """A custom source failing with an exception whose str() raises: waiters get the next token."""
    from aioportone import TokenManager

    from ._helpers import GatedSource, local_minter

    source = GatedSource(local_minter())
    async with TokenManager(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source=source, clock=clock
    ) as tokens:
        source.failures.append(_Unprintable())
        tokens.invalidate(tokens.current())
        got: list[object] = []

        async def waiter() -> None:
            got.append(await tokens.get())

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            while not got:
                await anyio.wait_all_tasks_blocked()
                await clock.advance(1)
        assert source.completed == 2
