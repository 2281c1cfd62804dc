"""Each resource against a stub caller: the request it builds, and what it makes of an answer.

No network and no client: :class:`StubCaller` has the members of ``_resources._base.Caller``,
records every request a resource asks for and answers from a list of literals (or raises one).
The fake-server tests drive the same methods over HTTP; these pin the request itself and the
parsing, one layer down. Signatures are checked against the fake's own recipe, not the
library's.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from aioportone import (
    AmbiguousResultError,
    ConnectError,
    DuplicateError,
    Payout,
    ServerError,
)
from aioportone._resources import (
    Checkout,
    PaymentLinks,
    Payouts,
    Reconciliation,
    Refunds,
    SubMerchants,
    Subscriptions,
    Transactions,
)
from aioportone._resources._validate import Environment
from aioportone._secrets import Secret
from aioportone._signer import Signer
from aioportone.testing._recipes import portone_signature
from tests._fixtures import FAILURE_URL, SUCCESS_URL, link_args
from tests.test_resources_checkout import payment_args

KEY = "stubKey01"
SECRET = "stub-secret-0123456789abcdef"


@dataclass(frozen=True)
class Sent:
    """One request a resource asked for, with the options it set."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] | None = None
    idempotent: bool | None = None
    auth: bool = True
    sub_merchant_key: str | None = None
    expect: str = "json"


class StubCaller:
    """What a resource needs of the client, and nothing else: answers come from ``answers``
    in order (an exception in it is raised instead), requests go to ``sent``."""

    def __init__(self, *answers: Any, sub_merchant_key: str | None = None) -> None:
        self.client_key = KEY
        self.environment: Environment = "sandbox"
        self.key_segment = KEY
        self.sub_merchant_key = sub_merchant_key
        self.signer = Signer(KEY, Secret(SECRET))
        self.sent: list[Sent] = []
        self._answers = list(answers)

    def request(self, method: str, path: str, **options: Any) -> Coroutine[Any, Any, Any]:
        # Sent() takes the options a resource may set: a per-call timeout or max_retries (that
        # is with_options()'s) or a form, which no method here sends, fail as unexpected.
        # ``parse`` is how the answer becomes a result, not an option of the request.
        parse = options.pop("parse", None)
        self.sent.append(Sent(method, path, **options))
        return self._answer(parse)

    def _fetch(self, path: str, parse: Any) -> Coroutine[Any, Any, Any]:
        self.sent.append(Sent("GET", path))
        return self._answer(parse)

    async def _answer(self, parse: Any) -> Any:
        answer = self._answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer if parse is None else parse(answer)


def signature(**fields: str) -> str:
    """The signature the fake's recipe computes over ``fields`` with the stub's secret."""
    return portone_signature(SECRET, fields)


def request_signature(*, amount: str, currency: str, merchant_order_id: str) -> str:
    """A payment request's signature (payment links and checkout sign the same six fields)."""
    return signature(
        amount=amount,
        client_key=KEY,
        currency=currency,
        failure_url=FAILURE_URL,
        merchant_order_id=merchant_order_id,
        success_url=SUCCESS_URL,
    )


def test_the_stub_signer_hides_its_secret() -> None:
    """The signer a caller exposes names the key only: neither repr nor str shows the secret."""
    signer = StubCaller().signer
    assert repr(signer) == str(signer) == f"Signer(portone_key={KEY!r})"


async def test_transactions_details_posts_the_ref_and_parses_the_answer() -> None:
    """details() posts {order_ref} under the encoded key, retried like a read."""
    stub = StubCaller(
        {"order_ref": "PO-1", "merchant_order_ref": "ORDER-1", "amount": 100.5, "status": "Success"}
    )
    txn = await Transactions(stub).details("PO-1")
    assert stub.sent == [
        Sent("POST", f"/api/{KEY}/transaction-details", {"order_ref": "PO-1"}, idempotent=True)
    ]
    assert (txn.order_ref, txn.merchant_order_ref, txn.amount, txn.status) == (
        "PO-1",
        "ORDER-1",
        Decimal("100.5"),
        "Success",
    )


async def test_transactions_status_reads_the_envelope() -> None:
    """status() puts the merchant ref in the path and reads PortOne's ``content``."""
    stub = StubCaller(
        {"content": {"order_ref": "PO-2", "channel_order_ref": "CH-2", "status": "Pending"}}
    )
    result = await Transactions(stub).status("ORDER 2")
    assert stub.sent == [Sent("GET", "/api/transaction/ORDER%202/status")]
    assert (result.order_ref, result.channel_order_ref, result.status) == (
        "PO-2",
        "CH-2",
        "Pending",
    )


async def test_payment_link_create_is_signed_and_sent_for_the_sub_merchant() -> None:
    """create() sends the whole body, signed over the six payment-request fields, with the
    caller's sub-merchant key, and reads the link from the answer."""
    stub = StubCaller(
        {"payment_link_ref": "PL-1", "payment_link": "https://checkout.example/PL-1"},
        sub_merchant_key="subKey01",
    )
    link = await PaymentLinks(stub).create(
        **link_args(merchant_order_id="ORDER-L1", amount=Decimal("25.50"))
    )
    body = {
        "portone_key": KEY,
        "merchant_order_id": "ORDER-L1",
        "amount": 25.5,
        "currency": "THB",
        "country_code": "TH",
        "merchant_details": {"name": "Demo Shop", "promo_discount": 0, "shipping_charges": 0},
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
        "source": "api",
        "environment": "sandbox",
        "signature_hash": request_signature(
            amount="25.5", currency="THB", merchant_order_id="ORDER-L1"
        ),
    }
    assert stub.sent == [Sent("POST", "/api/paymentLink", body, sub_merchant_key="subKey01")]
    assert (link.payment_link_ref, link.url, link.recovered) == (
        "PL-1",
        "https://checkout.example/PL-1",
        False,
    )


async def test_payment_link_lost_answer_is_resent_once_then_recovered() -> None:
    """A lost answer sends the same signed body again; PortOne's 4002 to it leads to a lookup
    by merchant id, whose open link is returned as recovered."""
    lost = ConnectError("connection reset", request_sent=True)
    duplicate = DuplicateError(status=400, code="4002", message="duplicate merchant_order_id")
    status = {
        "content": {"paymentLinkRef": "PL-2", "merchantOrderRef": "ORDER-L2", "status": "Created"}
    }
    stub = StubCaller(lost, duplicate, status)
    link = await PaymentLinks(stub).create(**link_args(merchant_order_id="ORDER-L2"))
    first, again, lookup = stub.sent
    assert again == first
    assert (first.method, first.path) == ("POST", "/api/paymentLink")
    assert lookup == Sent("GET", f"/api/merchant/{KEY}/paymentLink/ORDER-L2/status")
    assert (link.payment_link_ref, link.merchant_order_id, link.recovered) == (
        "PL-2",
        "ORDER-L2",
        True,
    )


async def test_refund_create_sends_every_field_once() -> None:
    """create() posts the refund fields (description defaulting to the reason), not idempotent,
    and reads every refund of the payment."""
    answer = {
        "amountToRefund": 600,
        "refundDetails": [
            {"refund_id": "R-1", "amount": 400, "currency": "THB", "refund_status": "SUCCESS"}
        ],
    }
    stub = StubCaller(answer)
    summary = await Refunds(stub).create("PO-3", amount=400, channel="OMISE", reason="damaged")
    body = {
        "amount": 400,
        "channel": "OMISE",
        "description": "damaged",
        "environment": "sandbox",
        "refund_type": "partial",
        "refund_reason": "damaged",
    }
    assert stub.sent == [Sent("POST", "/api/refund/PO-3", body)]
    assert summary.amount_to_refund == Decimal(600)
    latest = summary.latest
    assert latest is not None
    assert (latest.refund_id, latest.amount, latest.status) == ("R-1", Decimal(400), "SUCCESS")


async def test_refund_after_a_server_error_is_ambiguous_and_not_resent() -> None:
    """A 5xx proves nothing about a refund: AmbiguousResultError, and one request only."""
    stub = StubCaller(ServerError(status=502))
    with pytest.raises(AmbiguousResultError) as caught:
        await Refunds(stub).create("PO-4", amount=1, channel="OMISE", reason="r")
    assert len(stub.sent) == 1
    assert "portone.refunds.get('PO-4')" in caught.value.how_to_check


async def test_subscription_plan_is_signed_over_amount_and_frequency() -> None:
    """create_plan() (inherited from the plans module) signs a regular plan's five fields."""
    stub = StubCaller({"order_ref": "PLAN-1"})
    plan = await Subscriptions(stub).create_plan(
        merchant_order_ref="P-1",
        plan_type="REGULAR",
        name="Monthly box",
        currency="THB",
        amount=Decimal("199.00"),
        frequency=1,
        period="M",
    )
    body = {
        "portone_key": KEY,
        "merchant_order_ref": "P-1",
        "source": "api",
        "environment": "sandbox",
        "name": "Monthly box",
        "currency": "THB",
        "plan_type": "REGULAR",
        "amount": 199,
        "frequency": 1,
        "period": "M",
        "signature_hash": signature(
            amount="199", client_key=KEY, currency="THB", frequency="1", merchant_order_ref="P-1"
        ),
    }
    assert stub.sent == [Sent("POST", "/api/subscription/createPlan", body)]
    assert (plan.order_ref, plan.merchant_order_ref) == ("PLAN-1", "P-1")


async def test_subscription_deduction_is_signed_and_sent_once() -> None:
    """deduct() (inherited from the deductions module) signs its five fields; an answer in the
    guide pages' shape is a success."""
    answer = {"status_code": "200", "order_ref": "D-1", "status": "Initiated"}
    stub = StubCaller(answer)
    deduction = await Subscriptions(stub).deduct(
        "SUB-1", merchant_order_ref="DED-1", amount=50, currency="THB"
    )
    body = {
        "portone_key": KEY,
        "merchant_order_ref": "DED-1",
        "subscription_order_ref": "SUB-1",
        "source": "api",
        "amount": 50,
        "currency": "THB",
        "environment": "sandbox",
        "signature_hash": signature(
            amount="50",
            client_key=KEY,
            currency="THB",
            merchant_order_ref="DED-1",
            subscription_order_ref="SUB-1",
        ),
    }
    assert stub.sent == [Sent("POST", "/api/subscription/createDeduction", body)]
    assert (deduction.order_ref, deduction.merchant_order_ref, deduction.status) == (
        "D-1",
        "DED-1",
        "Initiated",
    )


async def test_subscription_get_reads_the_envelope() -> None:
    """get() asks by PortOne's reference and reads the subscription from ``content``."""
    answer = {"content": {"merchant_order_ref": "S-1", "plan_order_ref": "PLAN-1"}}
    stub = StubCaller(answer)
    subscription = await Subscriptions(stub).get("SUB-2")
    assert stub.sent == [Sent("GET", "/api/subscription/SUB-2")]
    assert (subscription.order_ref, subscription.merchant_order_ref) == ("SUB-2", "S-1")
    assert subscription.plan_order_ref == "PLAN-1"


async def test_payouts_list_walks_pages_until_total_pages() -> None:
    """list() posts the window and page under the encoded key, page after page, retried like
    a read, and types every item."""
    item = {"txn_ref": "T-1", "merchant_txn_ref": "M-1", "status": "Created", "amount": 10}
    stub = StubCaller(
        {"content": [item], "total_pages": 2},
        {"content": [{**item, "txn_ref": "T-2"}], "total_pages": 2},
    )
    start = datetime(2024, 5, 1, tzinfo=UTC)
    end = datetime(2024, 5, 2, tzinfo=UTC)
    payouts = [p async for p in Payouts(stub).list(start=start, end=end, page_size=1)]
    assert [p.txn_ref for p in payouts] == ["T-1", "T-2"]
    assert all(isinstance(p, Payout) and p.amount == Decimal(10) for p in payouts)
    path = f"/api/merchant/{KEY}/payouts"
    assert [(s.method, s.path, s.idempotent) for s in stub.sent] == [("POST", path, True)] * 2
    assert [s.json["page"] for s in stub.sent] == [1, 2]
    assert stub.sent[0].json == {
        "page": 1,
        "pagesize": 1,
        "from": "2024-05-01 00:00:00",
        "to": "2024-05-02 00:00:00",
        "filters": {},
        "environment": "sandbox",
    }


async def test_checkout_initiate_payment_goes_without_a_jwt_and_is_signed() -> None:
    """initiate_payment() sends auth=False and a signature over the payment-request fields."""
    answer = {
        "order_ref": "PO-5",
        "redirect_url": "https://pay.example/PO-5",
        "expiry_in_minutes": "20",
    }
    stub = StubCaller(answer)
    payment = await Checkout(stub).initiate_payment(**payment_args())
    (sent,) = stub.sent
    assert (sent.method, sent.path, sent.auth, sent.idempotent) == (
        "POST",
        "/api/initiatePayment",
        False,
        None,
    )
    assert sent.json["key"] == KEY
    assert sent.json["signature_hash"] == request_signature(
        amount="4000", currency="VND", merchant_order_id="ORDER-P1"
    )
    assert (payment.order_ref, payment.merchant_order_ref, payment.expiry_in_minutes) == (
        "PO-5",
        "ORDER-P1",
        20,
    )


async def test_reconciliation_data_sources_sends_the_environment_as_a_query() -> None:
    """data_sources() puts the environment in the query and types each source."""
    answer = {"data": {"list": [{"source_name": "LAZADA_ORDER", "currency": "VND"}]}}
    stub = StubCaller(answer)
    sources = await Reconciliation(stub).data_sources(environment="live")
    assert stub.sent == [Sent("GET", "/api/recon/v3/data-sources", params={"environment": "live"})]
    assert [(s.source_name, s.currency) for s in sources.sources] == [("LAZADA_ORDER", "VND")]


async def test_sub_merchant_status_is_a_put_retried_like_a_read() -> None:
    """set_status() PUTs an empty body under the master merchant's key, idempotent."""
    answer = {"content": {"key": "SUBKEY", "name": "Shop", "merchant_status": "INACTIVE"}}
    stub = StubCaller(answer)
    merchant = await SubMerchants(stub).set_status("SUBKEY", status="INACTIVE")
    path = f"/api/master-merchant/{KEY}/merchants/SUBKEY/status/INACTIVE"
    assert stub.sent == [Sent("PUT", path, {}, idempotent=True)]
    assert (merchant.key, merchant.name, merchant.merchant_status) == ("SUBKEY", "Shop", "INACTIVE")
