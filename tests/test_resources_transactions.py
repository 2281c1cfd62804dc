"""portone.transactions against the fake PortOne over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from aioportone import (
    AmbiguousResultError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PortOneClient,
    Transaction,
    TransactionStatus,
)
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client


async def test_status_sends_merchant_ref_in_path_and_parses_content(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """status() asks by merchant ref and returns PortOne's order ref, PSP ref and status."""
    txn = fake.state.add_transaction("ORDER-7", status="Pending")
    result = await client.transactions.status("ORDER-7")
    assert isinstance(result, TransactionStatus)
    assert (result.order_ref, result.channel_order_ref, result.status) == (
        txn.order_ref,
        txn.channel_order_ref,
        "Pending",
    )
    assert result.raw["status_code"] == "2000"
    request = fake.requests[-1]
    assert (request.method, request.path) == ("GET", "/api/transaction/ORDER-7/status")


async def test_status_of_unknown_ref_is_not_found(client: PortOneClient) -> None:
    """A merchant ref PortOne does not know raises NotFoundError with code 4096."""
    with pytest.raises(NotFoundError) as caught:
        await client.transactions.status("NO-SUCH-ORDER")
    assert caught.value.code == "4096"
    assert caught.value.reason == "INVALID_REFERENCE"


async def test_details_posts_portone_ref_and_parses_the_transaction(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """details() posts {order_ref} to /api/{key}/transaction-details and types the answer."""
    txn = fake.state.add_transaction("ORDER-8", amount=100.5, currency="USD", channel_key="OMISE")
    result = await client.transactions.details(txn.order_ref)
    assert isinstance(result, Transaction)
    assert result.order_ref == txn.order_ref
    assert result.merchant_order_ref == "ORDER-8"
    assert result.amount == Decimal("100.5")
    assert (result.currency, result.channel_key, result.status) == ("USD", "OMISE", "Success")
    assert result.is_refund_allowed is True
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", f"/api/{DEMO_CLIENT_KEY}/transaction-details")
    assert request.json == {"order_ref": txn.order_ref}


async def test_details_of_unknown_ref_is_not_found(client: PortOneClient) -> None:
    """An order ref PortOne does not know raises NotFoundError (4096 INVALID_REFERENCE)."""
    with pytest.raises(NotFoundError) as caught:
        await client.transactions.details("2YGZp22ExeOu0As61wa7i0JyMJn")
    assert caught.value.code == "4096"


async def test_details_is_retried_after_a_dropped_connection(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """details() only reads, so a dropped connection is retried and the caller gets the answer."""
    txn = fake.state.add_transaction("ORDER-9")
    fake.fail(drop=True, path="transaction-details$", method="POST")
    async with open_client(fake, clock) as portone:
        result = await portone.transactions.details(txn.order_ref)
    assert result.order_ref == txn.order_ref
    assert len(fake.calls("transaction-details$", "POST")) == 2


def _span(clock: FakeClock) -> tuple[datetime, datetime]:
    now = datetime.fromtimestamp(clock.time(), UTC)
    return now - timedelta(days=1), now + timedelta(days=1)


async def test_list_walks_every_page(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """list() yields every transaction in the window, asking page after page until the last."""
    refs = {fake.state.add_transaction(f"ORDER-{n}").merchant_order_ref for n in range(5)}
    fake.state.add_transaction("LIVE-1", environment="live")
    start, end = _span(clock)
    seen = [t async for t in client.transactions.list(start=start, end=end, page_size=2)]
    assert {t.merchant_order_ref for t in seen} == refs
    assert all(isinstance(t, Transaction) for t in seen)
    pages = fake.calls(f"^/api/merchant/{DEMO_CLIENT_KEY}/fetch-all-payments$", "POST")
    assert [r.json["page"] for r in pages] == [1, 2, 3]
    assert pages[0].json["size"] == 2
    assert pages[0].json["environment"] == "sandbox"
    assert pages[0].json["from"].endswith("Z")


async def test_list_of_an_empty_window_makes_one_request(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """An empty listing ends after its first page."""
    start, end = _span(clock)
    seen = [t async for t in client.transactions.list(start=start, end=end, environment="live")]
    assert seen == []
    assert len(fake.calls("fetch-all-payments$")) == 1
    assert fake.requests[-1].json["environment"] == "live"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"start": datetime(2025, 1, 1), "end": datetime(2025, 1, 2, tzinfo=UTC)}, "start"),
        (
            {"start": datetime(2025, 1, 2, tzinfo=UTC), "end": datetime(2025, 1, 1, tzinfo=UTC)},
            "end",
        ),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"environment": "production"}, "environment"),
    ],
)
async def test_list_checks_its_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, kwargs: dict[str, object], argument: str
) -> None:
    """Bad listing arguments raise ConfigurationError naming the argument, at call time."""
    call: dict[str, object] = {
        "start": datetime(2025, 1, 1, tzinfo=UTC),
        "end": datetime(2025, 1, 2, tzinfo=UTC),
    }
    call.update(kwargs)
    with pytest.raises(ConfigurationError) as caught:
        client.transactions.list(**call)  # type: ignore[arg-type]
    assert caught.value.argument == argument
    assert fake.calls("fetch-all-payments") == []


async def test_capture_posts_to_the_capture_path(fake: FakePortOne, client: PortOneClient) -> None:
    """capture() posts to /api/transaction/{order_ref}/capture and returns on success."""
    txn = fake.state.add_transaction("PREAUTH-1")
    await client.transactions.capture(txn.order_ref)
    assert txn.captured
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", f"/api/transaction/{txn.order_ref}/capture")


async def test_capture_of_unknown_transaction_is_not_found(client: PortOneClient) -> None:
    """PortOne's 404 on capture raises NotFoundError."""
    with pytest.raises(NotFoundError) as caught:
        await client.transactions.capture("NOPE")
    assert caught.value.status == 404


async def test_capture_twice_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A second capture of the same payment raises InvalidRequestError."""
    txn = fake.state.add_transaction("PREAUTH-2")
    await client.transactions.capture(txn.order_ref)
    with pytest.raises(InvalidRequestError):
        await client.transactions.capture(txn.order_ref)


async def test_capture_after_a_dropped_connection_is_ambiguous_not_replayed(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A capture whose answer was lost is not sent again; the error says how to check."""
    txn = fake.state.add_transaction("PREAUTH-3")
    fake.fail(drop_after=True, path="/capture$", method="POST")
    with pytest.raises(AmbiguousResultError) as caught:
        await client.transactions.capture(txn.order_ref)
    assert f"transactions.details({txn.order_ref!r})" in caught.value.how_to_check
    assert len(fake.calls("/capture$")) == 1
    assert txn.captured
