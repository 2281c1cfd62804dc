"""portone.refunds against the fake PortOne over loopback HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aioportone import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PortOneClient,
    RefundSummary,
)
from aioportone.testing import FakePortOne, Transaction


def _paid(fake: FakePortOne, **fields: Any) -> Transaction:
    fields.setdefault("amount", 1000)
    return fake.state.add_transaction("ORDER-R", channel_key="OMISE", **fields)


async def test_partial_refund_sends_every_required_field(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """create() posts amount, channel, description, environment, type and reason to PortOne."""
    txn = _paid(fake)
    summary = await client.refunds.create(
        txn.order_ref, amount=400, channel="OMISE", reason="damaged", description="box crushed"
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", f"/api/refund/{txn.order_ref}")
    assert request.json == {
        "amount": 400,
        "channel": "OMISE",
        "description": "box crushed",
        "environment": "sandbox",
        "refund_type": "partial",
        "refund_reason": "damaged",
    }
    assert isinstance(summary, RefundSummary)
    assert summary.amount_to_refund == Decimal(600)
    latest = summary.latest
    assert latest is not None
    assert (latest.amount, latest.currency, latest.status) == (Decimal(400), "THB", "SUCCESS")
    assert (latest.refund_type, latest.reason) == ("partial", "damaged")
    assert latest.refund_id
    assert latest.refunded_at.endswith("Z")


async def test_full_refund_refunds_what_is_left(fake: FakePortOne, client: PortOneClient) -> None:
    """A full refund after a partial one refunds the rest; nothing is left to refund."""
    txn = _paid(fake)
    await client.refunds.create(txn.order_ref, amount=Decimal("250.5"), channel="OMISE", reason="a")
    summary = await client.refunds.create(
        txn.order_ref, amount=749.5, channel="OMISE", reason="b", refund_type="full"
    )
    assert summary.amount_to_refund == 0
    assert [r.amount for r in summary.refunds] == [Decimal("250.5"), Decimal("749.5")]
    assert fake.requests[-1].json["description"] == "b"


async def test_get_lists_every_refund(fake: FakePortOne, client: PortOneClient) -> None:
    """get() returns the refunds oldest first and the amount still refundable."""
    txn = _paid(fake)
    assert (await client.refunds.get(txn.order_ref)).refunds == ()
    await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="a")
    await client.refunds.create(txn.order_ref, amount=200, channel="OMISE", reason="b")
    summary = await client.refunds.get(txn.order_ref)
    assert fake.requests[-1].method == "GET"
    assert fake.requests[-1].path == f"/api/refund/{txn.order_ref}"
    assert [r.reason for r in summary.refunds] == ["a", "b"]
    assert summary.amount_to_refund == Decimal(700)
    assert summary.raw["amountToRefund"] == 700


async def test_refund_not_allowed_is_4070(fake: FakePortOne, client: PortOneClient) -> None:
    """A payment that cannot be refunded raises InvalidRequestError with code 4070."""
    txn = _paid(fake, is_refund_allowed=False)
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(txn.order_ref, amount=1, channel="OMISE", reason="x")
    assert caught.value.code == "4070"
    assert caught.value.reason == "INVALID_PAYMENT_REQUEST_REFUND_NOT_ALLOWED"


async def test_second_refund_where_only_one_is_allowed_is_4070(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A channel that allows one refund per payment refuses the second with 4070."""
    txn = _paid(fake, is_multi_refund_allowed=False)
    await client.refunds.create(txn.order_ref, amount=1, channel="OMISE", reason="x")
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(txn.order_ref, amount=1, channel="OMISE", reason="y")
    assert caught.value.code == "4070"


async def test_partial_refund_not_allowed_is_4081(fake: FakePortOne, client: PortOneClient) -> None:
    """A channel that refunds only in full refuses a partial refund with 4081."""
    txn = _paid(fake, is_partial_refund_allowed=False)
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(txn.order_ref, amount=1, channel="OMISE", reason="x")
    assert (caught.value.code, caught.value.reason) == ("4081", "PARTIAL_REFUND_NOT_ALLOWED")
    summary = await client.refunds.create(
        txn.order_ref, amount=1000, channel="OMISE", reason="x", refund_type="full"
    )
    assert summary.amount_to_refund == 0


async def test_refund_of_more_than_is_left_is_4041(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """Refunding more than the refundable amount raises InvalidRequestError (4041)."""
    txn = _paid(fake)
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(txn.order_ref, amount=1000.01, channel="OMISE", reason="x")
    assert caught.value.code == "4041"


async def test_refund_on_the_wrong_channel_is_refused(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The channel must be the one the buyer paid with (4046 INVALID_PAYMENT_CHANNEL_KEY)."""
    txn = _paid(fake)
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(txn.order_ref, amount=1, channel="STRIPE", reason="x")
    assert caught.value.code == "4046"


async def test_refund_in_the_other_environment_is_4034(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A live refund of a sandbox payment raises InvalidRequestError (4034 INVALID_ENVIRONMENT)."""
    txn = _paid(fake)
    with pytest.raises(InvalidRequestError) as caught:
        await client.refunds.create(
            txn.order_ref, amount=1, channel="OMISE", reason="x", environment="live"
        )
    assert (caught.value.code, caught.value.reason) == ("4034", "INVALID_ENVIRONMENT")
    assert fake.requests[-1].json["environment"] == "live"


async def test_refund_of_unknown_payment_is_not_found(client: PortOneClient) -> None:
    """An order ref PortOne does not know raises NotFoundError (4096), for create and get."""
    with pytest.raises(NotFoundError):
        await client.refunds.create("NOPE", amount=1, channel="OMISE", reason="x")
    with pytest.raises(NotFoundError):
        await client.refunds.get("NOPE")


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"channel": ""}, "channel"),
        ({"reason": ""}, "reason"),
        ({"refund_type": "half"}, "refund_type"),
        ({"environment": "test"}, "environment"),
        ({"description": 5}, "description"),
    ],
)
async def test_create_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, overrides: dict[str, Any], argument: str
) -> None:
    """A bad refund argument raises ConfigurationError naming it, and nothing is sent."""
    call: dict[str, Any] = {"amount": 1, "channel": "OMISE", "reason": "x"}
    call.update(overrides)
    with pytest.raises(ConfigurationError) as caught:
        await client.refunds.create("ORDER", **call)
    assert caught.value.argument == argument
    assert fake.calls("/api/refund/") == []
