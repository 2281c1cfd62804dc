"""Requests that move money are never replayed blindly; payment links are safe to retry because
PortOne refuses a second link with the same merchant_order_id (4002)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from structlog.testing import LogCapture

from aioportone import (
    AmbiguousResultError,
    ConnectError,
    DuplicateError,
    PortOneClient,
    RetryPolicy,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import link_args, open_client
from tests._logs import request_log, token_log

LINK_CREATE = "^/api/paymentLink$"


async def test_link_create_after_dropped_answer_returns_the_one_link(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A create whose answer was lost is retried; PortOne's 4002 is resolved to the same link."""
    fake.fail(drop_after=True, path=LINK_CREATE, method="POST")
    link = await client.payment_links.create(**link_args())
    assert len(fake.state.links) == 1
    (stored,) = fake.state.links.values()
    assert link.payment_link_ref == stored.ref
    assert link.url == stored.url
    assert link.recovered is True
    assert len(fake.calls(LINK_CREATE, "POST")) == 2
    # The retry carried the very same signed body, so PortOne could recognise it.
    first, second = fake.calls(LINK_CREATE, "POST")
    assert first.json == second.json
    assert fake.requests[-1].path == "/api/merchant/demoPortOneKey01/paymentLink/ORDER-1001/status"


async def test_link_create_after_server_error_is_retried_to_a_fresh_link(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A 5xx before PortOne stored anything: the retry creates the link, exactly once."""
    fake.fail(status=502, path=LINK_CREATE, method="POST")
    link = await client.payment_links.create(**link_args())
    assert list(fake.state.links) == [link.payment_link_ref]
    assert link.recovered is False


async def test_link_create_that_fails_twice_is_ambiguous(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """When the retry is lost too, AmbiguousResultError says how to find the link."""
    fake.fail(drop_after=True, path=LINK_CREATE, method="POST", times=None)
    async with open_client(fake, clock, retry=RetryPolicy(max_retries=0)) as portone:
        with pytest.raises(AmbiguousResultError) as caught:
            await portone.payment_links.create(**link_args())
    assert "status_by_merchant_ref('ORDER-1001')" in caught.value.how_to_check
    assert isinstance(caught.value.__cause__, ConnectError)
    assert len(fake.state.links) == 1


async def test_duplicate_on_first_try_is_raised(fake: FakePortOne, client: PortOneClient) -> None:
    """A merchant_order_id already used raises DuplicateError (4002) unless told to resolve it."""
    await client.payment_links.create(**link_args())
    with pytest.raises(DuplicateError) as caught:
        await client.payment_links.create(**link_args(amount=9999))
    assert (caught.value.code, caught.value.reason) == ("4002", "DUPLICATE_TRANSACTION_ERROR")
    assert len(fake.state.links) == 1


async def test_duplicate_on_first_try_resolved_when_asked(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """resolve_duplicate=True returns the existing link instead of raising."""
    first = await client.payment_links.create(**link_args())
    again = await client.payment_links.create(**link_args(), resolve_duplicate=True)
    assert again.payment_link_ref == first.payment_link_ref
    assert again.recovered is True
    assert len(fake.state.links) == 1


async def test_refund_after_dropped_answer_is_not_replayed(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A refund whose answer was lost raises AmbiguousResultError; no second request is sent."""
    txn = fake.state.add_transaction("ORDER-M", amount=1000, channel_key="OMISE")
    fake.fail(drop_after=True, path="^/api/refund/", method="POST")
    with pytest.raises(AmbiguousResultError) as caught:
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert len(fake.calls("^/api/refund/", "POST")) == 1
    assert f"portone.refunds.get({txn.order_ref!r})" in caught.value.how_to_check
    assert isinstance(caught.value.__cause__, ConnectError)
    # It did happen: the way to check, as the error says, shows the one refund.
    summary = await client.refunds.get(txn.order_ref)
    assert len(summary.refunds) == 1


async def test_refund_after_server_error_is_not_replayed(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A 5xx answer to a refund is ambiguous too: raised, not retried."""
    txn = fake.state.add_transaction("ORDER-N", amount=1000, channel_key="OMISE")
    fake.fail(status=503, path="^/api/refund/", method="POST", times=None)
    with pytest.raises(AmbiguousResultError):
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert len(fake.calls("^/api/refund/", "POST")) == 1


async def test_refund_dropped_before_processing_is_still_ambiguous(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The client cannot tell a drop before processing from one after: it never replays."""
    txn = fake.state.add_transaction("ORDER-O", amount=1000, channel_key="OMISE")
    fake.fail(drop=True, path="^/api/refund/", method="POST")
    with pytest.raises(AmbiguousResultError):
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert txn.refunds == []
    assert len(fake.calls("^/api/refund/", "POST")) == 1


async def test_refund_to_an_unreachable_server_is_a_plain_connect_error(
    clock: FakeClock, logs: LogCapture
) -> None:
    """A connection that never opened reached no one: ConnectError(request_sent=False), retried."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more: every connection attempt is refused.
    async with PortOneClient(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        base_url=f"http://127.0.0.1:{port}",
        clock=clock,
        retry=RetryPolicy(backoff_base=0.0, backoff_max=0.0),
    ) as portone:
        with pytest.raises(ConnectError) as caught:
            await portone.refunds.create("ORDER", amount=100, channel="OMISE", reason="x")
    assert caught.value.request_sent is False

    def retry(attempt: int, budget: int) -> dict[str, Any]:
        return request_log(
            "retry",
            method="POST",
            path="/api/refund/ORDER",
            attempt=attempt,
            delay=0.0,
            error="ConnectError: could not connect to PortOne (ConnectionRefusedError) "
            f"(POST http://127.0.0.1:{port}/api/refund/ORDER)",
            budget=budget,
        )

    assert logs.entries == [token_log("refreshed", expires_in=95.0), retry(1, 495), retry(2, 490)]


async def test_link_create_retry_refused_is_still_ambiguous(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """First answer lost, retry refused (429): the caller hears 'may exist', not a plain 429."""
    fake.fail(drop_after=True, path=LINK_CREATE, method="POST", times=1)
    fake.fail(status=429, path=LINK_CREATE, method="POST", times=1)
    async with open_client(fake, clock, retry=RetryPolicy(max_retries=0)) as portone:
        with pytest.raises(AmbiguousResultError) as caught:
            await portone.payment_links.create(**link_args())
    assert len(fake.state.links) == 1  # it does exist: a new id would have made a second one
    assert "status_by_merchant_ref" in caught.value.how_to_check


async def test_lost_answer_never_passes_off_a_paid_link_as_new(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The id already names a paid link: after a lost answer the caller gets DuplicateError."""
    old = await client.payment_links.create(**link_args(amount=10))
    fake.state.pay_link(old.payment_link_ref)
    fake.fail(drop_after=True, path=LINK_CREATE, method="POST")
    with pytest.raises(DuplicateError):
        await client.payment_links.create(**link_args(amount=99))
