"""portone.payment_links against the fake PortOne over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from aioportone import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PaymentLink,
    PaymentLinkDetails,
    PaymentLinkStatus,
    PortOneClient,
)
from aioportone._signatures import sign_payment_request
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import FAILURE_URL, SUCCESS_URL, link_args, open_client, raw_link_body


async def test_create_sends_a_signed_link_request(fake: FakePortOne, client: PortOneClient) -> None:
    """create() posts every required field and a signature_hash PortOne's recipe reproduces."""
    link = await client.payment_links.create(**link_args(description="Order 1001"))
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/api/paymentLink")
    assert request.headers["X-Portone-Client-Key"] == DEMO_CLIENT_KEY
    body = request.json
    assert body["portone_key"] == DEMO_CLIENT_KEY
    assert body["merchant_order_id"] == "ORDER-1001"
    assert (body["amount"], body["currency"], body["country_code"]) == (2500, "THB", "TH")
    assert body["merchant_details"] == {
        "name": "Demo Shop",
        "promo_discount": 0,
        "shipping_charges": 0,
    }
    assert (body["source"], body["environment"], body["description"]) == (
        "api",
        "sandbox",
        "Order 1001",
    )
    assert body["signature_hash"] == sign_payment_request(
        secret_key=DEMO_SECRET_KEY,
        portone_key=DEMO_CLIENT_KEY,
        amount=2500,
        currency="THB",
        merchant_order_id="ORDER-1001",
        success_url=SUCCESS_URL,
        failure_url=FAILURE_URL,
    )
    assert isinstance(link, PaymentLink)
    assert link.payment_link_ref in fake.state.links
    assert link.url == f"https://checkout.portone.cloud?ref={link.payment_link_ref}"
    assert (link.merchant_order_id, link.recovered) == ("ORDER-1001", False)


async def test_create_accepts_a_decimal_amount_and_signs_what_it_sends(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A Decimal amount travels as the JSON number it equals, and PortOne accepts the signature."""
    link = await client.payment_links.create(**link_args(amount=Decimal("100.50"), currency="usd"))
    body = fake.requests[-1].json
    assert (body["amount"], body["currency"]) == (100.5, "USD")
    assert fake.state.links[link.payment_link_ref].body["amount"] == 100.5


async def test_create_passes_extra_fields_and_optional_ones(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """extra, pending_url and expires_at reach the request body as PortOne spells them."""
    customer = {"name": "Ann", "email_address": "ann@example.com", "phone_number": "+6612345678"}
    await client.payment_links.create(
        **link_args(
            pending_url="https://shop.example/pending",
            expires_at=datetime(2025, 7, 1, 12, 30, tzinfo=UTC),
            extra={"customer_details": customer},
        )
    )
    body = fake.requests[-1].json
    assert body["customer_details"] == customer
    assert body["pending_url"] == "https://shop.example/pending"
    assert body["expiry_date"] == "2025-07-01T12:30:00.000Z"


async def test_environment_defaults_to_the_clients_and_can_be_overridden(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The client's environment is used unless a call names another one."""
    async with open_client(fake, clock, environment="live") as portone:
        await portone.payment_links.create(**link_args())
        assert fake.requests[-1].json["environment"] == "live"
        await portone.payment_links.create(
            **link_args(merchant_order_id="B", environment="sandbox")
        )
        assert fake.requests[-1].json["environment"] == "sandbox"


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "1e2"}, "amount"),
        ({"amount": float("nan")}, "amount"),
        ({"amount": Decimal("0.10000000000000000001")}, "amount"),
        ({"currency": "TH"}, "currency"),
        ({"currency": "T1B"}, "currency"),
        ({"country_code": "THA"}, "country_code"),
        ({"environment": "production"}, "environment"),
        ({"success_url": "ftp://shop.example/ok"}, "success_url"),
        ({"failure_url": "/relative"}, "failure_url"),
        ({"merchant_order_id": ""}, "merchant_order_id"),
        ({"merchant_name": "  "}, "merchant_name"),
        ({"source": "woocommerce"}, "source"),
        ({"expires_at": datetime(2025, 7, 1)}, "expires_at"),
        ({"extra": {"amount": 1}}, "extra"),
        ({"extra": {"signature_hash": "x"}}, "extra"),
    ],
)
async def test_create_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, overrides: dict[str, Any], argument: str
) -> None:
    """A bad argument raises ConfigurationError naming it, and nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await client.payment_links.create(**link_args(**overrides))
    assert caught.value.argument == argument
    assert fake.calls("paymentLink") == []


async def test_status_reads_the_camel_case_answer_with_attempts(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """status() returns the link's status and each payment attempt, read from camelCase."""
    link = await client.payment_links.create(**link_args())
    fake.state.pay_link(link.payment_link_ref, status="Failed")
    fake.state.pay_link(link.payment_link_ref)
    status = await client.payment_links.status(link.payment_link_ref)
    request = fake.requests[-1]
    assert (request.method, request.path) == (
        "GET",
        f"/api/paymentLink/{link.payment_link_ref}/fetch-status",
    )
    assert isinstance(status, PaymentLinkStatus)
    assert (status.payment_link_ref, status.merchant_order_ref, status.status) == (
        link.payment_link_ref,
        "ORDER-1001",
        "Success",
    )
    assert status.url == link.url
    assert [(t.merchant_order_ref, t.status) for t in status.transactions] == [
        (f"{link.payment_link_ref}_1", "Failed"),
        (f"{link.payment_link_ref}_2", "Success"),
    ]
    assert status.transactions[1].status_code == "2000"
    assert status.transactions[1].created_at.endswith("Z")


async def test_status_by_merchant_ref_uses_the_merchant_scoped_path(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """status_by_merchant_ref() looks the link up under /api/merchant/{key}/paymentLink/."""
    link = await client.payment_links.create(**link_args())
    status = await client.payment_links.status_by_merchant_ref("ORDER-1001")
    assert status.payment_link_ref == link.payment_link_ref
    assert status.status == "Created"
    assert status.transactions == ()
    assert (
        fake.requests[-1].path == f"/api/merchant/{DEMO_CLIENT_KEY}/paymentLink/ORDER-1001/status"
    )


async def test_status_of_unknown_link_is_not_found(client: PortOneClient) -> None:
    """An unknown link ref raises NotFoundError (4083 INVALID_PAYMENT_LINK_REF)."""
    with pytest.raises(NotFoundError) as caught:
        await client.payment_links.status("2BEemUknaImTq5ljmoNQQV2tSll")
    assert caught.value.code == "4083"
    with pytest.raises(NotFoundError):
        await client.payment_links.status_by_merchant_ref("NO-SUCH-ORDER")


async def test_cancel_puts_the_cancelled_status(fake: FakePortOne, client: PortOneClient) -> None:
    """cancel() PUTs .../status/cancelled; the link is then Cancelled; cancelling again is fine."""
    link = await client.payment_links.create(**link_args())
    await client.payment_links.cancel(link.payment_link_ref)
    request = fake.requests[-1]
    assert (request.method, request.path) == (
        "PUT",
        f"/api/paymentLink/{link.payment_link_ref}/status/cancelled",
    )
    assert fake.state.links[link.payment_link_ref].status == "Cancelled"
    await client.payment_links.cancel(link.payment_link_ref)
    assert (await client.payment_links.status(link.payment_link_ref)).status == "Cancelled"


async def test_cancel_of_a_paid_link_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A paid link cannot be cancelled: InvalidRequestError."""
    link = await client.payment_links.create(**link_args())
    fake.state.pay_link(link.payment_link_ref)
    with pytest.raises(InvalidRequestError):
        await client.payment_links.cancel(link.payment_link_ref)


async def test_update_sends_only_the_changed_fields(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """update() PUTs a partial body and returns the link as PortOne now stores it."""
    link = await client.payment_links.create(**link_args())
    details = await client.payment_links.update(
        link.payment_link_ref, amount=Decimal("3000"), description="Bigger order"
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("PUT", f"/api/update-paylink/{link.payment_link_ref}")
    assert request.json == {"amount": 3000, "description": "Bigger order"}
    assert isinstance(details, PaymentLinkDetails)
    assert (details.amount, details.currency, details.status) == (Decimal(3000), "THB", "Created")
    assert details.merchant_order_id == "ORDER-1001"
    assert details.url == link.url


async def test_update_needs_a_field_and_a_known_link(client: PortOneClient) -> None:
    """update() without fields is a ConfigurationError; an unknown link is NotFoundError."""
    with pytest.raises(ConfigurationError) as caught:
        await client.payment_links.update("2BEemUknaImTq5ljmoNQQV2tSll")
    assert caught.value.argument == "update"
    with pytest.raises(NotFoundError):
        await client.payment_links.update("2BEemUknaImTq5ljmoNQQV2tSll", description="x")


async def test_missing_signature_is_a_401_validation_error_not_retried(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """PortOne's 401 for a missing signature_hash (4001) raises InvalidRequestError, sent once."""
    with pytest.raises(InvalidRequestError) as caught:
        await client.request("POST", "/api/paymentLink", json=raw_link_body(signature_hash=None))
    assert (caught.value.status, caught.value.code) == (401, "4001")
    assert len(fake.calls("^/api/paymentLink$")) == 1


async def test_wrong_signature_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A signature_hash that does not match the fields is refused with 4011; no link exists."""
    with pytest.raises(InvalidRequestError) as caught:
        await client.request("POST", "/api/paymentLink", json=raw_link_body())
    assert (caught.value.status, caught.value.code) == (401, "4011")
    assert fake.state.links == {}


async def test_sub_merchant_key_travels_only_where_declared_and_scopes_lookups(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The sub-merchant header goes on link create and update only; the lookup path uses it."""
    async with open_client(fake, clock, sub_merchant_key="subMerchant0001") as portone:
        link = await portone.payment_links.create(**link_args())
        assert fake.requests[-1].headers["X-Portone-SubMerchant-Key"] == "subMerchant0001"
        assert fake.state.links[link.payment_link_ref].owner_key == "subMerchant0001"
        status = await portone.payment_links.status_by_merchant_ref("ORDER-1001")
        assert "X-Portone-SubMerchant-Key" not in fake.requests[-1].headers
        await portone.payment_links.update(link.payment_link_ref, description="New")
        assert fake.requests[-1].headers["X-Portone-SubMerchant-Key"] == "subMerchant0001"
        await portone.payment_links.status(link.payment_link_ref)
        assert "X-Portone-SubMerchant-Key" not in fake.requests[-1].headers
    assert status.payment_link_ref == link.payment_link_ref
    lookup = [r for r in fake.requests if r.path.endswith("/ORDER-1001/status")]
    assert lookup[-1].path == "/api/merchant/subMerchant0001/paymentLink/ORDER-1001/status"


async def test_a_call_names_its_own_sub_merchant(fake: FakePortOne, clock: FakeClock) -> None:
    """sub_merchant_key= on create, update and the lookup overrides the client's default."""
    async with open_client(fake, clock, sub_merchant_key="subMerchant0001") as portone:
        link = await portone.payment_links.create(**link_args(), sub_merchant_key="subOther02")
        assert fake.requests[-1].headers["X-Portone-SubMerchant-Key"] == "subOther02"
        await portone.payment_links.update(
            link.payment_link_ref, description="New", sub_merchant_key="subOther02"
        )
        assert fake.requests[-1].headers["X-Portone-SubMerchant-Key"] == "subOther02"
        status = await portone.payment_links.status_by_merchant_ref(
            "ORDER-1001", sub_merchant_key="subOther02"
        )
    assert fake.state.links[link.payment_link_ref].owner_key == "subOther02"
    assert status.payment_link_ref == link.payment_link_ref
    assert fake.requests[-1].path == "/api/merchant/subOther02/paymentLink/ORDER-1001/status"


async def test_without_a_sub_merchant_no_header_is_sent(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A client without sub_merchant_key never sends X-Portone-SubMerchant-Key."""
    async with open_client(fake, clock) as portone:
        link = await portone.payment_links.create(**link_args())
        await portone.payment_links.update(link.payment_link_ref, description="New")
    assert all("X-Portone-SubMerchant-Key" not in r.headers for r in fake.requests)
