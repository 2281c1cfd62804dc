"""portone.checkout.initiate_payment and the virtual-account statement download, on the fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aioportone import (
    AmbiguousResultError,
    ConfigurationError,
    Download,
    InitiatedPayment,
    InvalidRequestError,
    PortOneClient,
)
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import FAILURE_URL, SUCCESS_URL, open_client


def payment_args(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``checkout.initiate_payment`` with sensible values."""
    args: dict[str, Any] = {
        "merchant_order_id": "ORDER-P1",
        "amount": 4000,
        "currency": "VND",
        "payment_channel": "STRIPE",
        "payment_method": "STRIPE_CARD",
        "description": "Two books",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
    }
    args.update(overrides)
    return args


async def test_initiate_payment_returns_where_the_buyer_goes(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A started payment carries PortOne's reference, redirect URL and expiry, and .raw."""
    payment = await client.checkout.initiate_payment(**payment_args(pending_url=SUCCESS_URL))
    assert isinstance(payment, InitiatedPayment)
    assert payment.merchant_order_ref == "ORDER-P1"
    assert payment.redirect_url is not None
    assert payment.redirect_url.endswith(payment.order_ref)
    assert (payment.expiry_in_minutes, payment.deep_link, payment.qrcode_url) == (20, None, None)
    assert payment.raw["is_success"] is True
    assert fake.state.transactions["ORDER-P1"].status == "Initiated"


async def test_initiate_payment_goes_without_a_jwt(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The request has the client key and a signature, no Authorization header."""
    await client.checkout.initiate_payment(**payment_args(transaction_type="PREAUTH"))
    sent = fake.requests[-1]
    assert sent.path == "/api/initiatePayment"
    assert "Authorization" not in sent.headers
    assert sent.headers["X-Portone-Client-Key"] == DEMO_CLIENT_KEY
    assert sent.json is not None
    assert (sent.json["key"], sent.json["pmt_channel"], sent.json["transaction_type"]) == (
        DEMO_CLIENT_KEY,
        "STRIPE",
        "PREAUTH",
    )


async def test_a_wrong_signature_is_refused_by_the_fake(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The fake checks the signature with its own recipe: a forged one gets 4011."""
    body = {
        "key": DEMO_CLIENT_KEY,
        "merchant_order_id": "ORDER-F1",
        "pmt_channel": "STRIPE",
        "pmt_method": "STRIPE_CARD",
        "description": "x",
        "environment": "sandbox",
        "amount": 10,
        "currency": "THB",
        "signature_hash": "forged",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
    }
    with pytest.raises(InvalidRequestError) as caught:
        await client.request("POST", "/api/initiatePayment", json=body, auth=False)
    assert (caught.value.status, caught.value.code) == (401, "4011")
    assert "ORDER-F1" not in fake.state.transactions


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 10.5}, "amount"),  # VND has no minor unit
        ({"currency": "dollars"}, "currency"),
        ({"success_url": "shop.example/ok"}, "success_url"),
        ({"payment_channel": ""}, "payment_channel"),
        ({"transaction_type": "REFUND"}, "transaction_type"),
        ({"environment": "prod"}, "environment"),
        ({"extra": {"amount": 1}}, "extra"),
        ({"description": 5}, "description"),
    ],
)
async def test_bad_payment_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, change: dict[str, Any], argument: str
) -> None:
    """Each bad argument raises ConfigurationError naming it, and nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await client.checkout.initiate_payment(**payment_args(**change))
    assert caught.value.argument == argument
    assert fake.requests == []


@pytest.mark.parametrize("fault", [{"status": 503}, {"drop": True}, {"status": 429}])
async def test_an_unclear_answer_is_ambiguous_and_not_replayed(
    fake: FakePortOne, clock: FakeClock, fault: dict[str, Any]
) -> None:
    """A 5xx, a 429 or a dropped connection raises AmbiguousResultError after one send."""
    fake.fail(path="/api/initiatePayment", **fault)
    async with open_client(fake, clock) as portone:
        with pytest.raises(AmbiguousResultError) as caught:
            await portone.checkout.initiate_payment(**payment_args())
    assert "transactions.status('ORDER-P1')" in caught.value.how_to_check
    assert [r.path for r in fake.requests] == ["/api/initiatePayment"]


async def test_an_unreadable_success_is_ambiguous(fake: FakePortOne, client: PortOneClient) -> None:
    """A 200 whose body is not JSON raises AmbiguousResultError, never returns None."""
    fake.fail(path="/api/initiatePayment", raw=b"<html>ok</html>", after=True)
    with pytest.raises(AmbiguousResultError):
        await client.checkout.initiate_payment(**payment_args())
    assert len(fake.requests) == 1


async def test_a_refusal_is_a_plain_error(fake: FakePortOne, client: PortOneClient) -> None:
    """A refusal PortOne explains (is_success false) raises it, not an ambiguity."""
    fake.fail(
        path="/api/initiatePayment",
        status=400,
        body={"is_success": False, "message": "channel off", "status_code": "4001"},
    )
    with pytest.raises(InvalidRequestError) as caught:
        await client.checkout.initiate_payment(**payment_args())
    assert not isinstance(caught.value, AmbiguousResultError)
    assert caught.value.code == "4001"


async def test_the_statement_downloads_as_a_csv(fake: FakePortOne, client: PortOneClient) -> None:
    """download_statement returns the CSV PortOne sends, with its file name."""
    account = fake.state.payouts.add_virtual_account(balance=1000)
    await client.payouts.create(
        txn_ref="PAYOUT-D1",
        virtual_account=account.account_no,
        amount=100,
        currency="THB",
        channel_key="GBPRIMEPAY_PAYOUT",
        account_no="1",
        account_name="B",
        signature_hash="sig",
    )
    now = datetime.fromtimestamp(fake.now(), UTC)
    statement = await client.payouts.virtual_accounts.download_statement(
        account.account_no, start=now - timedelta(days=1), end=now + timedelta(days=1)
    )
    assert isinstance(statement, Download)
    assert statement.content_type.startswith("text/csv")
    assert statement.filename == f"statement-{account.account_no}.csv"
    lines = statement.content.decode().splitlines()
    assert lines[0].startswith("created_at,vaaccount_no,txn_ref")
    assert [line.split(",")[6] for line in lines[1:]] == ["Debit"]
    sent = fake.requests[-1]
    assert sent.query["from"].endswith("+00:00")
    assert sent.headers["Authorization"].startswith("Bearer ")


async def test_a_json_statement_answer_is_kept_as_a_download(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """Should PortOne answer JSON (as payout.yaml declares), it comes back as a JSON Download."""
    fake.fail(path="download-statement", body={"content": [], "status_code": "2000"})
    now = datetime.now(UTC)
    got = await client.payouts.virtual_accounts.download_statement("9020", start=now, end=now)
    assert (got.content_type, got.content) == (
        "application/json",
        b'{"content": [], "status_code": "2000"}',
    )


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"start": datetime(2026, 1, 1)}, "start"),  # naive on purpose
        ({"account_no": "a/b\r\n"}, "account_no"),
    ],
)
async def test_bad_statement_arguments_are_refused(
    fake: FakePortOne, client: PortOneClient, change: dict[str, Any], argument: str
) -> None:
    """A naive datetime or a bad account number is refused before sending."""
    now = datetime.now(UTC)
    args: dict[str, Any] = {"account_no": "9020", "start": now, "end": now, **change}
    with pytest.raises(ConfigurationError) as caught:
        await client.payouts.virtual_accounts.download_statement(args.pop("account_no"), **args)
    assert caught.value.argument == argument
    assert fake.requests == []
