"""What PortOne's answers become: spellings, the whole answer in .raw, links without a ref."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pytest

from aioportone import (
    AmbiguousResultError,
    PaymentLink,
    PaymentLinkStatus,
    PortOneClient,
    RetryPolicy,
    Transaction,
)
from aioportone.testing import FakeClock, FakePortOne
from tests._fixtures import link_args, open_client

LINK_CREATE = "^/api/paymentLink$"


class _Result(Protocol):
    @property
    def raw(self) -> Mapping[str, Any]: ...


async def test_an_empty_spelling_does_not_hide_a_present_one(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """Details with status_code "" next to statusCode "5000" read "5000", not ""."""
    txn = fake.state.add_transaction(
        "ORDER-S1", status="Failed", status_code="", statusCode="5000", statusReason="PSP DOWN"
    )
    details = await client.transactions.details(txn.order_ref)
    assert (details.status_code, details.status_reason) == ("5000", "PSP DOWN")


@pytest.mark.parametrize(
    "item",
    [
        {"status_code": "", "statusCode": "2000"},
        {"statusCode": "", "status_code": "2000"},
        {"status_code": None, "statusCode": "2000"},
        {"status_code": 2000},
    ],
)
def test_the_first_non_empty_spelling_wins_whatever_the_order(item: dict[str, Any]) -> None:
    """Whichever spelling comes first, an empty or null one never wins over "2000"."""
    assert Transaction.from_json({"content": item}).status_code == "2000"


def test_every_spelling_empty_reads_as_empty() -> None:
    """When every spelling is empty, the field reads "" (PortOne's "nothing")."""
    assert Transaction.from_json({"status_code": "", "statusCode": ""}).status_code == ""


async def test_raw_is_the_whole_answer_of_each_lookup(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """.raw keeps PortOne's envelope (status_code, message) next to content, for every result."""
    txn = fake.state.add_transaction("ORDER-R1", amount=1000, channel_key="OMISE")
    link = await client.payment_links.create(**link_args())
    endpoint = await client.webhook_endpoints.register(
        name="raw", url="https://shop.example/hook", type="payment_status"
    )
    results: list[_Result] = [
        await client.transactions.status("ORDER-R1"),
        await client.transactions.details(txn.order_ref),
        await client.transactions.update_details("ORDER-R1", description="raw"),
        await client.payment_links.status(link.payment_link_ref),
        await client.payment_links.status_by_merchant_ref("ORDER-1001"),
        await client.payment_links.update(link.payment_link_ref, description="raw"),
        endpoint,
    ]
    for result in results:
        assert result.raw["status_code"] == "2000", type(result).__name__
        assert "content" in result.raw, type(result).__name__
    assert results[1].raw["content"]["order_ref"] == txn.order_ref
    assert endpoint.raw["content"]["uuid"] == endpoint.uuid
    assert endpoint.raw["message"]


async def test_link_creation_answered_without_its_ref_is_resolved_on_the_dedup_path(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A creation answered {} is sent once more; PortOne's 4002 finds the one link it made."""
    fake.fail(after=True, status=200, body={}, path=LINK_CREATE, method="POST")
    link = await client.payment_links.create(**link_args())
    (stored,) = fake.state.links.values()
    assert (link.payment_link_ref, link.recovered) == (stored.ref, True)
    assert len(fake.calls(LINK_CREATE, "POST")) == 2


@pytest.mark.parametrize("answer", [{}, {"payment_link_ref": ""}, {"payment_link": "https://x"}])
async def test_link_creation_never_answered_with_its_ref_is_ambiguous(
    fake: FakePortOne, clock: FakeClock, answer: dict[str, Any]
) -> None:
    """Both sends answered without payment_link_ref: AmbiguousResultError, never a ref of ""."""
    fake.fail(after=True, status=200, body=answer, path=LINK_CREATE, method="POST", times=None)
    async with open_client(fake, clock, retry=RetryPolicy(max_retries=0)) as portone:
        with pytest.raises(AmbiguousResultError) as caught:
            await portone.payment_links.create(**link_args())
    assert "status_by_merchant_ref('ORDER-1001')" in caught.value.how_to_check
    assert "may exist" in str(caught.value)
    assert len(fake.calls(LINK_CREATE, "POST")) == 2


def test_a_link_recovered_from_portones_documented_lookup_has_no_url() -> None:
    """PortOne's status example carries no URL: the recovered link says None, not a guess."""
    # payment.yaml, GET /api/paymentLink/{merchantLinkRef}/status, the 200 example's shape.
    status = PaymentLinkStatus.from_json(
        {
            "content": {
                "merchantOrderRef": "2212D256605F222",
                "paymentLinkRef": "2kxG67L5yd3d6spRv76uE1QWnR5",
                "status": "Created",
                "transactionsList": [],
            },
            "status_code": "2000",
            "status_reason": "SUCCESS",
        }
    )
    link = PaymentLink.recovered_from(status, "2212D256605F222")
    assert (link.payment_link_ref, link.url, link.recovered) == (
        "2kxG67L5yd3d6spRv76uE1QWnR5",
        None,
        True,
    )
    assert link.raw["status_code"] == "2000"
