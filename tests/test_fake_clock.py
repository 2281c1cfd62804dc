"""FakeClock: time moves only when the test moves it, every sleeper wakes in order, and a test
can run until a condition holds without writing its own loop."""

from __future__ import annotations

import aiohttp
import anyio
import pytest

from aioportone import PortOneClient, TokenEvent
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

from ._logs import LOCAL_LIFE, LOCAL_REFRESH, hooked, token_event

STATUS = "/api/transaction/ORDER-1/status"


async def test_advance_wakes_sleepers_in_deadline_order_at_their_deadlines(
    clock: FakeClock,
) -> None:
    """Three sleepers, started out of order: each wakes at its own deadline, earliest first."""
    start = clock.time()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.time() - start))

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper, "late", 30.0)
        tg.start_soon(sleeper, "early", 10.0)
        tg.start_soon(sleeper, "middle", 20.0)
        await clock.settle()
        await clock.advance(25)
        assert woke == [("early", 10.0), ("middle", 20.0)]
        assert clock.time() - start == 25
        await clock.advance(5)
    assert woke[-1] == ("late", 30.0)


async def test_six_hours_of_local_tokens(fake: FakePortOne, clock: FakeClock) -> None:
    """advance(6 h) renews a 100 s token all the way through; the next request is accepted."""
    fake.state.add_transaction("ORDER-1")
    events: list[TokenEvent] = []
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, on_event=events.append
    ) as portone:
        await portone.request("GET", STATUS)
        await clock.advance(6 * 3600)
        await portone.request("GET", STATUS)
        token = portone.tokens.current()
    # The token minted on entry, then renewals and nothing else: no failure, nobody waiting.
    renewals = (len(events) - 1) // 2
    assert hooked(events) == [
        token_event("refreshed", expires_in=95.0),
        *[
            token_event("refreshed", expires_in=LOCAL_LIFE),
            token_event("refresh_scheduled", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH),
        ]
        * renewals,
    ]
    refreshes = [e for e in events if e.name == "refreshed"]
    # A 95 s token is replaced at 65-75 % of its life: 300 or more renewals in 6 hours.
    assert len(refreshes) >= 300
    assert token.remaining(clock.time()) > 20
    assert all(r.authorized for r in fake.requests)


async def test_run_until_stops_where_the_condition_first_holds(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """run_until(third refresh) leaves the clock at that refresh, not at the end of a step."""
    events: list[tuple[str, float]] = []
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        base_url=fake.url,
        clock=clock,
        on_event=lambda e: events.append((e.name, clock.time())),
    ) as portone:
        first = portone.tokens.current()
        await clock.run_until(lambda: [n for n, _ in events].count("refreshed") == 3, timeout=600)
        third = [t for n, t in events if n == "refreshed"][2]
        assert clock.time() == third
        assert third - first.issued_at < 3 * first.lifetime


async def test_run_until_gives_up_after_its_timeout(clock: FakeClock) -> None:
    """A condition that never holds ends in TimeoutError after `timeout` s of clock time."""
    start = clock.time()

    async def ticker() -> None:
        while True:
            await clock.sleep(10)

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        with pytest.raises(TimeoutError, match="still false and 60 s of clock time"):
            await clock.run_until(lambda: False, timeout=60)
        assert clock.time() - start <= 60
        tg.cancel_scope.cancel()


async def test_run_until_says_when_nothing_can_change(clock: FakeClock) -> None:
    """Nothing sleeps on the clock and the condition is false: an error at once, not a hang."""
    with pytest.raises(TimeoutError, match="nobody sleeps on the clock"):
        await clock.run_until(lambda: False)


async def test_stall_moves_time_without_running_anyone(clock: FakeClock) -> None:
    """stall(60) passes a 30 s sleeper's deadline unnoticed until the next settle()."""
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(30)
        woke.append(clock.time())

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper)
        await clock.settle()
        start = clock.time()
        clock.stall(60)
        assert woke == []
        await clock.settle()
        assert woke == [start + 60]


async def test_negative_moves_are_refused(clock: FakeClock) -> None:
    """A clock cannot go backwards: advance and stall refuse negative seconds."""
    with pytest.raises(ValueError, match="backwards"):
        await clock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.stall(-1)


async def test_fault_delay_waits_on_the_fakes_clock(fake: FakePortOne, clock: FakeClock) -> None:
    """fail(delay=30) holds the answer until the fake clock has moved 30 s, not real seconds."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(delay=30.0, path="status$")
    answers: list[int] = []

    async def ask() -> None:
        async with aiohttp.ClientSession() as session, session.get(fake.url + STATUS) as resp:
            answers.append(resp.status)

    async with anyio.create_task_group() as tg:
        tg.start_soon(ask)
        await clock.run_until(lambda: len(fake.requests) == 1, timeout=0)
        await clock.advance(29)
        assert answers == []
        await clock.advance(1)
        await clock.run_until(lambda: answers != [], timeout=0)
    assert answers == [401]  # answered (no JWT was sent) once the delay had passed
