"""Retries: reads are retried with backoff and Retry-After honoured; writes are not replayed."""

from __future__ import annotations

import socket
from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio
import pytest

from aioportone import (
    ConnectError,
    PortOneClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

STATUS = "/api/transaction/ORDER-1/status"
T = TypeVar("T")


async def with_time_passing(clock: FakeClock, call: Awaitable[T]) -> T:
    """Await ``call``, moving the fake clock to the next sleeper whenever everything waits."""
    result: list[T] = []
    errors: list[BaseException] = []

    async def run() -> None:
        try:
            result.append(await call)
        except Exception as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        await clock.run_until(lambda: bool(result or errors))
    if errors:
        raise errors[0]
    return result[0]


async def test_read_is_retried_through_server_errors(fake: FakePortOne, clock: FakeClock) -> None:
    """Two 503s, then the answer: the caller just gets the answer."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=503, path="status$", times=2)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        data: Any = await with_time_passing(clock, portone.request("GET", STATUS))
    assert data["content"]["status"] == "Success"
    assert len(fake.calls("status$")) == 3


async def test_read_gives_up_after_max_retries(fake: FakePortOne, clock: FakeClock) -> None:
    """A read failing every time is tried 1 + max_retries times, then raises ServerError."""
    fake.fail(status=500, path="status$", times=None)
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        base_url=fake.url,
        clock=clock,
        retry=RetryPolicy(max_retries=3),
    ) as portone:
        with pytest.raises(ServerError):
            await with_time_passing(clock, portone.request("GET", STATUS))
    assert len(fake.calls("status$")) == 4


async def test_retry_after_is_honoured(fake: FakePortOne, clock: FakeClock) -> None:
    """A 429 with Retry-After: 7 makes the retry wait 7 s, not the usual sub-second backoff."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=429, retry_after="7", path="status$", times=1)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        await with_time_passing(clock, portone.request("GET", STATUS))
    first, second = fake.calls("status$")
    assert second.at - first.at >= 7


async def test_retry_after_too_long_goes_to_the_caller(fake: FakePortOne, clock: FakeClock) -> None:
    """A Retry-After beyond retry_after_max is not waited for: RateLimitError says how long."""
    fake.fail(status=429, retry_after="3600", path="status$", times=1)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        with pytest.raises(RateLimitError) as info:
            await portone.request("GET", STATUS)
    assert info.value.retry_after == 3600
    assert len(fake.calls("status$")) == 1


async def test_write_is_not_replayed_after_a_server_error(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A POST answered 503 may have been processed: it is sent once and the error raised."""
    fake.fail(status=503, path="transaction-details$", times=1)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        with pytest.raises(ServerError):
            await portone.request(
                "POST", f"/api/{DEMO_CLIENT_KEY}/transaction-details", json={"order_ref": "x"}
            )
    assert len(fake.calls("transaction-details$")) == 1


async def test_write_refused_with_429_is_replayed(fake: FakePortOne, clock: FakeClock) -> None:
    """A POST refused with 429 was never processed, so it is sent again."""
    txn = fake.state.add_transaction("ORDER-1")
    fake.fail(status=429, path="transaction-details$", times=1)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        data: Any = await with_time_passing(
            clock,
            portone.request(
                "POST",
                f"/api/{DEMO_CLIENT_KEY}/transaction-details",
                json={"order_ref": txn.order_ref},
            ),
        )
    assert data["content"]["order_ref"] == txn.order_ref
    assert len(fake.calls("transaction-details$")) == 2


async def test_unreachable_portone_is_a_connect_error_that_sent_nothing(clock: FakeClock) -> None:
    """Nothing listening: ConnectError with request_sent False, after the retries."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=f"http://127.0.0.1:{port}", clock=clock
    ) as portone:
        with pytest.raises(ConnectError) as info:
            await with_time_passing(clock, portone.request("POST", "/api/x", json={}))
    assert info.value.request_sent is False
    assert "could not connect" in str(info.value)
