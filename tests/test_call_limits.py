"""One deadline per call, a client-wide retry budget, per-call overrides and the events that
report retries."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio
import pytest
from anyio.lowlevel import checkpoint
from yarl import URL

from aioportone import (
    ConfigurationError,
    PortOneClient,
    RetryPolicy,
    ServerError,
    TokenEvent,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client
from tests._logs import hooked, injected, request_event, token_event

STATUS = "/api/transaction/ORDER-1/status"
T = TypeVar("T")


async def with_time_passing(clock: FakeClock, call: Awaitable[T], horizon: float = 1.0) -> T:
    """Await ``call``, moving the fake clock to the next sleeper whenever everything waits and
    that sleeper is due within ``horizon`` seconds (a backoff, not the token refresher): while
    a request is on the wire nothing is due so soon, and the clock stays put."""
    result: list[T] = []
    errors: list[BaseException] = []

    async def run() -> None:
        try:
            result.append(await call)
        except Exception as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        while not result and not errors:
            await anyio.wait_all_tasks_blocked()
            due = clock.next_deadline()
            if result or errors:
                break
            if due is not None and due - clock.time() <= horizon:
                await clock.advance_to_next()
            else:
                await checkpoint()
    if errors:
        raise errors[0]
    return result[0]


async def test_timeout_bounds_the_whole_call_retries_included(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """timeout=5 against a PortOne always answering 503: the call ends within 5 s of clock."""
    fake.fail(status=503, path="status$", times=None)
    retry = RetryPolicy(max_retries=100, backoff_base=1.0, backoff_max=1.0)
    async with open_client(fake, clock, retry=retry, timeout=5) as portone:
        started = clock.time()
        with pytest.raises(ServerError) as caught:
            await with_time_passing(clock, portone.request("GET", STATUS))
        elapsed = clock.time() - started
    assert elapsed <= 5
    assert len(fake.calls("status$")) > 2  # it did retry, within the deadline
    assert "timeout would pass" in "".join(caught.value.__notes__)


async def test_per_call_timeout_and_retries_override_the_client(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """request(timeout=, max_retries=) and with_options() bound one call, not the client."""
    fake.fail(status=503, path="status$", times=None)
    retry = RetryPolicy(max_retries=100, backoff_base=1.0, backoff_max=1.0)
    async with open_client(fake, clock, retry=retry, timeout=60) as portone:
        started = clock.time()
        with pytest.raises(ServerError):
            await with_time_passing(clock, portone.request("GET", STATUS, timeout=2))
        assert clock.time() - started <= 2
        before = len(fake.calls("status$"))
        with pytest.raises(ServerError):
            await portone.request("GET", STATUS, max_retries=0)
        assert len(fake.calls("status$")) == before + 1
        fake.state.add_transaction("ORDER-1")
        quick = portone.with_options(max_retries=0)
        with pytest.raises(ServerError):
            await quick.transactions.status("ORDER-1")
        assert len(fake.calls("status$")) == before + 2
        started = clock.time()
        with pytest.raises(ServerError):
            await with_time_passing(
                clock, portone.with_options(timeout=3).transactions.status("ORDER-1")
            )
        assert clock.time() - started <= 3


async def test_a_view_shares_the_client_and_cannot_be_entered(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """with_options() shares tokens, slots and budget; entering the view is refused."""
    fake.state.add_transaction("ORDER-1")
    async with open_client(fake, clock) as portone:
        view = portone.with_options(timeout=5)
        assert view.tokens is portone.tokens
        status = await view.transactions.status("ORDER-1")
        assert status.status == "Success"
        with pytest.raises(ConfigurationError, match="view"):
            async with view:
                pass


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 2.5}, "max_retries"),
    ],
)
async def test_bad_per_call_limits_are_refused_before_sending(
    fake: FakePortOne, clock: FakeClock, options: dict[str, Any], argument: str
) -> None:
    """A bad timeout or max_retries names itself, for request() and with_options() alike."""
    async with open_client(fake, clock) as portone:
        with pytest.raises(ConfigurationError) as caught:
            await portone.request("GET", STATUS, **options)
        assert caught.value.argument == argument
        with pytest.raises(ConfigurationError):
            portone.with_options(**options)
    assert fake.calls("status$") == []


def _retry(attempt: int, budget: int, error: str) -> dict[str, Any]:
    """A read of STATUS retried at once (the tests' retries wait 0 s), as the hook sees it."""
    return request_event(
        "request_retry",
        method="GET",
        path=STATUS,
        attempt=attempt,
        delay=0.0,
        error=error,
        budget=budget,
    )


async def test_outage_retries_stay_within_the_budget_which_refills_after(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """1,000 reads during an outage make at most 1,100 attempts; successes refill the budget."""
    fake.state.add_transaction("ORDER-1")
    outage = fake.fail(status=503, path="status$", times=None)
    events: list[TokenEvent] = []
    async with open_client(fake, clock, on_event=events.append) as portone:
        failed = 0

        async def read() -> None:
            nonlocal failed
            try:
                await portone.request("GET", STATUS)
            except ServerError:
                failed += 1

        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(read)
        assert failed == 1000
        # Budget 500, 5 a retry: 100 retries, not the 2,000 that max_retries=2 would allow.
        assert len(fake.calls("status$")) <= 1100
        # The first 100 failures each take 5 from the budget; the 101st finds it empty and says
        # so, once: the other 899 fail without a word, their second attempts too.
        failure = injected(503, fake.url + STATUS)
        retries = [_retry(1, 495 - 5 * i, failure) for i in range(100)]
        exhausted = request_event(
            "retry_budget_exhausted", method="GET", path=STATUS, error=failure, budget=0
        )
        assert hooked(events) == [token_event("refreshed", expires_in=95.0), *retries, exhausted]
        # Still empty: a failing read is not retried at all.
        fake.faults.remove(outage)
        fake.fail(status=503, path="status$", times=1)
        with pytest.raises(ServerError) as caught:
            await portone.request("GET", STATUS)
        assert "retry budget is exhausted" in "".join(caught.value.__notes__)
        # PortOne recovers: 500 answers put the budget back, and retries work again.
        async with anyio.create_task_group() as tg:
            for _ in range(500):
                tg.start_soon(portone.request, "GET", STATUS)
        fake.fail(status=503, path="status$", times=1)
        before = len(fake.calls("status$"))
        data: Any = await portone.request("GET", STATUS)
        assert data["content"]["status"] == "Success"
        assert len(fake.calls("status$")) == before + 2
    # Still empty: no event for the unretried read; refilled to 500: one retry, 5 taken.
    assert hooked(events) == [
        token_event("refreshed", expires_in=95.0),
        *retries,
        exhausted,
        _retry(1, 495, failure),
    ]


async def test_retries_reach_on_event(fake: FakePortOne, clock: FakeClock) -> None:
    """Each retry is a RequestEvent (a TokenEvent, so token-event hooks keep working)."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=502, path="status$", times=2)
    events: list[TokenEvent] = []
    async with open_client(fake, clock, on_event=events.append) as portone:
        await portone.request("GET", STATUS)
    failure = (
        f"ServerError: HTTP 502 5020 INJECTED_FAILURE: Injected failure (GET {fake.url}{STATUS})"
    )
    assert hooked(events) == [
        token_event("refreshed", expires_in=95.0),
        _retry(1, 495, failure),
        _retry(2, 490, failure),
    ]


async def test_a_raising_hook_or_log_pipeline_changes_no_outcome(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A hook and a structlog processor that raise: the retried read still succeeds."""
    import structlog

    def broken(*_: Any) -> Any:
        raise RuntimeError("broken pipeline")

    structlog.configure(processors=[broken])
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=503, path="status$", times=1)
    async with open_client(fake, clock, on_event=broken) as portone:
        data: Any = await portone.request("GET", STATUS)
    assert data["content"]["status"] == "Success"


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "https://h.example/"])
@pytest.mark.parametrize(
    "path", ["/api/transaction/A%2FB/status", "/api/%2E%2E/x", "/api/a%20b%3Fc", "/api/paymentLink"]
)
async def test_urls_are_built_exactly_as_before(clock: FakeClock, base: str, path: str) -> None:
    """The cached-base URL is the very URL that parsing base + path gives."""
    async with PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=base, clock=clock) as c:
        transport = c._transport
        assert transport is not None
        built = transport.url(path)
    expected = URL(base.rstrip("/") + path, encoded=True)
    assert str(built) == str(expected)
    assert built.raw_path == expected.raw_path
