"""Under load: first-come-first-served admission, a token chosen after admission, and a wait
for a connection slot that has its own limit and its own error."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from structlog.testing import LogCapture

from aioportone import PoolTimeoutError, PortOneClient, PortOneError, TimeoutError
from aioportone._clock import SystemClock
from aioportone._gate import Gate
from aioportone.testing import FakeClock, FakePortOne
from tests._fixtures import open_client
from tests._logs import token_log

STATUS = "/api/transaction/ORDER-1/status"
ANSWER = {"content": {"status": "Success"}, "status_code": "2000", "status_reason": "SUCCESS"}


class Turnstile:
    """A fault's ``hold``: keeps each arriving request until the test lets it through,
    one at a time, in the order they arrived."""

    def __init__(self) -> None:
        self.held: list[anyio.Event] = []
        self._arrived = anyio.Event()

    async def wait(self) -> None:
        gate = anyio.Event()
        self.held.append(gate)
        self._arrived.set()
        await gate.wait()

    async def arrivals(self, n: int) -> None:
        """Return once ``n`` requests have arrived."""
        while len(self.held) < n:
            self._arrived = anyio.Event()
            await self._arrived.wait()


async def test_thousand_requests_through_ten_slots_are_served_in_order(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """100 looping workers, 10 connections: each request reaches PortOne in the order made."""
    turnstile = Turnstile()
    fake.fail(status=200, body=ANSWER, hold=turnstile, path="/status$", times=None)
    made: list[str] = []
    answered: list[str] = []
    async with open_client(fake, clock, max_connections=10) as portone:

        async def worker(w: int) -> None:
            for k in range(10):
                ref = f"W{w}-{k}"
                made.append(ref)
                await portone.request("GET", f"/api/transaction/{ref}/status")
                answered.append(ref)

        async with anyio.create_task_group() as tg:
            for w in range(100):
                tg.start_soon(worker, w)
            # Let one answer go at a time, each once the one before it let a new request in:
            # a worker whose answer came back must queue behind the ones already waiting.
            for k in range(1000):
                await turnstile.arrivals(min(k + 10, 1000))
                turnstile.held[k].set()
    arrived = [r.path.split("/")[3] for r in fake.calls("/status$")]
    assert len(arrived) == 1000
    assert sorted(arrived[:10]) == sorted(made[:10])  # the first ten went out together
    assert arrived[10:] == made[10:]
    assert answered[10:] == made[10:]


async def test_request_queued_past_its_tokens_life_arrives_with_a_fresh_token(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A request that waited 150 s for a slot (tokens live 100 s) carries a token PortOne takes."""
    fake.state.add_transaction("ORDER-1")
    turnstile = Turnstile()
    fake.fail(status=200, body=ANSWER, hold=turnstile, path="^/api/slow$", times=1)
    async with open_client(
        fake, clock, max_connections=1, timeout=600, pool_timeout=600
    ) as portone:
        queued_with = portone.tokens.current().value
        results: list[Any] = []

        async def call(path: str) -> None:
            results.append(await portone.request("GET", path))

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "/api/slow")
            await turnstile.arrivals(1)
            tg.start_soon(call, STATUS)  # waits for the one slot
            await clock.advance(150)
            turnstile.held[0].set()
    (status,) = fake.calls("status$")
    assert status.authorized is True  # one trip: no 4054 and no second round
    assert status.headers["Authorization"] != f"Bearer {queued_with}"
    assert len(results) == 2


async def test_pool_timeout_is_its_own_error_and_nothing_is_retried(
    fake: FakePortOne, clock: FakeClock, logs: LogCapture
) -> None:
    """No free slot within pool_timeout: PoolTimeoutError, never sent, never retried."""
    turnstile = Turnstile()
    fake.fail(status=200, body=ANSWER, hold=turnstile, path="^/api/slow$", times=1)
    errors: list[Exception] = []
    async with open_client(fake, clock, max_connections=1, pool_timeout=5) as portone:

        async def queued() -> None:
            try:
                await portone.request("GET", STATUS)
            except Exception as exc:
                errors.append(exc)

        async with anyio.create_task_group() as tg:
            tg.start_soon(portone.request, "GET", "/api/slow")
            await turnstile.arrivals(1)
            tg.start_soon(queued)
            await clock.advance(5)
            assert len(errors) == 1
            turnstile.held[0].set()
    (error,) = errors
    assert isinstance(error, PoolTimeoutError)
    assert not isinstance(error, TimeoutError)  # not PortOne's slowness
    assert error.request_sent is False
    assert "max_connections" in str(error)
    assert fake.calls("status$") == []
    # Only the token minted on entry: no retry, nor any other event, for the refused request.
    assert logs.entries == [token_log("refreshed", expires_in=95.0)]


async def test_owned_session_connector_matches_max_connections(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The owned session's connector holds as many connections as the gate admits."""
    async with open_client(fake, clock, max_connections=7) as portone:
        transport = portone._transport
        assert transport is not None
        connector = transport.session.connector
        assert connector is not None
        assert (connector.limit, transport.gate.size) == (7, 7)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "10"])
def test_bad_max_connections_is_refused(value: Any) -> None:
    """max_connections must be a positive integer, named in the error."""
    with pytest.raises(ValueError, match="max_connections"):
        PortOneClient("key", "secret", max_connections=value)


async def test_gate_hands_a_freed_slot_to_the_longest_waiter() -> None:
    """A task that frees a slot and asks again queues behind the tasks already waiting."""
    gate = Gate(1)
    clock = FakeClock()
    order: list[str] = []
    assert gate.try_enter()

    async def waiter(name: str) -> None:
        assert await gate.enter(100, clock)
        order.append(name)
        gate.leave()

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter, "first")
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(waiter, "second")
        await anyio.wait_all_tasks_blocked()
        gate.leave()
        assert not gate.try_enter()  # the slot went to "first", not to whoever asked now
    assert order == ["first", "second"]
    assert gate.in_use == 0


async def test_cancelled_waiters_leak_no_slot() -> None:
    """Cancelling a waiter, even one just handed a slot, leaves every slot usable."""
    gate = Gate(1)
    clock = FakeClock()
    assert gate.try_enter()

    async def user() -> None:
        # The transport's pattern: a slot once entered is left in a ``finally``.
        if not await gate.enter(100, clock):
            return
        try:
            await anyio.sleep_forever()
        finally:
            gate.leave()

    async with anyio.create_task_group() as tg:
        tg.start_soon(user)
        tg.start_soon(user)
        await anyio.wait_all_tasks_blocked()
        gate.leave()  # handed to the first waiter, which is cancelled before it runs
        tg.cancel_scope.cancel()
    assert (gate.in_use, gate.waiting) == (0, 0)
    assert gate.try_enter()


async def test_gate_wait_times_out_on_the_clock() -> None:
    """A waiter gives up after its seconds of clock time and leaves the queue."""
    gate = Gate(1)
    clock = FakeClock()
    assert gate.try_enter()
    results: list[bool] = []

    async def wait() -> None:
        results.append(await gate.enter(5, clock))

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        await anyio.wait_all_tasks_blocked()
        await clock.advance(5)
    assert results == [False]
    assert gate.waiting == 0


async def test_requests_waiting_for_a_slot_when_the_client_closes_get_a_typed_error(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Leaving ``async with`` while requests hold or wait for slots: each gets a PortOneError."""
    turnstile = Turnstile()
    fake.fail(status=200, body=ANSWER, hold=turnstile, path="^/api/slow$", times=1)
    errors: list[Exception] = []
    async with anyio.create_task_group() as tg:
        async with open_client(fake, clock, max_connections=1) as portone:

            async def call(path: str) -> None:
                try:
                    await portone.request("GET", path)
                except Exception as exc:
                    errors.append(exc)

            tg.start_soon(call, "/api/slow")
            await turnstile.arrivals(1)
            tg.start_soon(call, STATUS)
            tg.start_soon(call, STATUS)
            await anyio.wait_all_tasks_blocked()
        turnstile.held[0].set()
    assert len(errors) == 3
    assert all(isinstance(e, PortOneError) for e in errors), errors
    assert fake.calls("status$") == []


async def test_a_shorter_wait_queued_later_expires_first() -> None:
    """One alarm serves the queue: a later waiter with less time gives up before an earlier
    one with more, and the earlier one still gets the next slot."""
    gate = Gate(1)
    clock = FakeClock()
    assert gate.try_enter()
    results: dict[str, bool] = {}

    async def wait(name: str, seconds: float) -> None:
        results[name] = await gate.enter(seconds, clock)
        if results[name]:
            gate.leave()

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait, "patient", 100)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(wait, "hasty", 5)
        await anyio.wait_all_tasks_blocked()
        await clock.advance(5)
        assert results == {"hasty": False}
        assert gate.waiting == 1
        gate.leave()
    assert results == {"hasty": False, "patient": True}
    assert (gate.in_use, gate.waiting) == (0, 0)


async def test_many_waiters_expiring_together_all_give_up() -> None:
    """Waiters sharing one moment of expiry are all told so by the same alarm."""
    gate = Gate(1)
    clock = FakeClock()
    assert gate.try_enter()
    results: list[bool] = []

    async def wait() -> None:
        results.append(await gate.enter(5, clock))

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(wait)
        await anyio.wait_all_tasks_blocked()
        await clock.advance(5)
    assert results == [False] * 50
    assert gate.waiting == 0


async def test_no_alarm_outlives_the_queue() -> None:
    """Once every waiter has its slot, nothing is left asleep on the clock."""
    gate = Gate(1)
    clock = FakeClock()
    assert gate.try_enter()

    async def wait() -> None:
        assert await gate.enter(100, clock)
        gate.leave()

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        tg.start_soon(wait)
        await anyio.wait_all_tasks_blocked()
        assert clock.next_deadline() == clock.time() + 100
        gate.leave()
    await anyio.wait_all_tasks_blocked()
    assert clock.next_deadline() is None
    assert gate.try_enter()


async def test_on_the_system_clock_an_exhausted_wait_gives_up_at_once() -> None:
    """The system clock's alarm is a loop timer: a wait of nothing left ends in False."""
    gate = Gate(1)
    assert gate.try_enter()
    assert await gate.enter(0, SystemClock()) is False
    assert (gate.in_use, gate.waiting) == (1, 0)
