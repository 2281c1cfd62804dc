"""Contract tests of portone.payouts: the requests the client builds and the answers the fake
gives are checked against PortOne's payout spec (tests/portone_spec/payout.yaml).

payout.yaml has more defects than the other specs; each is listed below with what it gets wrong
and checked as narrowly as it can be (the one error it causes, and no other), never skipped. The
client follows the schema where its examples disagree, and reads both spellings of the answers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openapi_core import OpenAPI

from aioportone import Payout, PortOneClient, PortOneError, StatementEntry
from aioportone._resources._payout_common import count
from aioportone.testing import FakeClock, FakePortOne
from tests._contract import (
    Exchange,
    answer_errors,
    assert_only_defects,
    first_successes,
    lacking_keys,
    load_specs,
    matched,
    raw_example,
    recording,
    request_errors,
    spec_example,
)

APPROVER = "approver@shop.example"

OPERATIONS = {
    ("post", "/api/payout/transaction"),
    ("get", "/api/payout/{portone_txn_reference}/status"),
    ("put", "/api/payout/{portone_txn_reference}/status/Cancelled"),
    ("post", "/api/merchant/{key}/payouts"),
    ("get", "/api/merchant/{key}/payout/va"),
    ("get", "/api/payout/va/{va_number}/balance"),
    ("post", "/api/payout/va/{va_number}/statement"),
    ("post", "/api/payout/vendor/account/verification"),
    ("post", "/api/merchants/{key}/payout/createBeneficiary"),
    ("get", "/api/merchants/{key}/payout/createBeneficiary"),
    ("post", "/api/merchant/payout/generateOTP/verify"),
    ("post", "/api/merchant/payout/generateOTP/approve"),
    ("post", "/api/merchant/payout/resendOTP/verify"),
    ("post", "/api/merchant/payout/resendOTP/approve"),
    ("post", "/api/merchant/payout/verify"),
    ("post", "/api/merchant/payout/approve"),
}

# Requests the spec cannot accept as it stands, with the one error each draws and why the client
# does not bend to it.
REQUEST_DEFECTS = {
    ("post", "/api/merchant/{key}/payouts"): (
        "'merchants_keys' is a required property",
        "the schema requires merchants_keys but declares no such property, and its own example "
        "leaves it out: the client sends what the example and the declared properties say",
    ),
}
# 200 answers the schema cannot describe, with the one error each draws and why.
ANSWER_DEFECTS = {
    ("post", "/api/payout/va/{va_number}/statement"): (
        "is not of type 'object'",
        "content is declared as one statement entry (an object); the example is a list of them",
    ),
    ("get", "/api/merchants/{key}/payout/createBeneficiary"): (
        "is not of type 'object'",
        "content is declared as one virtual account (an object); a listing is a list",
    ),
}
# 200 examples whose keys cannot be compared with the fake's answer, and why.
EXAMPLE_GAPS = {
    ("post", "/api/payout/transaction"): "the example is not JSON (a comma is missing)",
    ("get", "/api/merchants/{key}/payout/createBeneficiary"): (
        "the example is the sub-merchant invitations listing, copied from another operation"
    ),
    ("post", "/api/merchant/payout/approve"): (
        "the example is the sub-merchant invitations listing, copied from another operation"
    ),
    ("post", "/api/merchant/payout/resendOTP/approve"): (
        "the example is the approval's answer (status_message, no action or type), unlike the "
        "three other code requests and the schema"
    ),
}


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return load_specs("payout")["payout"]


async def _scenario(portone: PortOneClient, fake: FakePortOne, clock: FakeClock) -> None:
    """Every payout method once, and a few documented errors."""
    now = datetime.fromtimestamp(clock.time(), UTC)
    window: dict[str, Any] = {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    account = fake.state.payouts.add_virtual_account(balance=10000)
    payouts = portone.payouts
    await payouts.beneficiaries.create(
        name="Nguyen Van A",
        bank_account_number="288477738990000",
        bank_account_name="Nguyen Van A",
        bank_name="Bank of Ayudhya",
        bank_no="025",
        payout_channel="GBPRIMEPAY_PAYOUT",
        signature_hash="sig",
        email="a@example.com",
        phone="+66812345678",
        address="Bangkok",
    )
    assert [b async for b in payouts.beneficiaries.list()]
    await payouts.beneficiaries.verify_account(
        channel_key="GBPRIMEPAY_PAYOUT",
        account_number="288477738990000",
        account_name="Nguyen Van A",
        bank_name="Bank of Ayudhya",
        bank_number="025",
        request_id="1234",
        signature_hash="sig",
    )
    assert await payouts.virtual_accounts.list()
    await payouts.create(
        txn_ref="PAYOUT-C1",
        virtual_account=account.account_no,
        amount=100.5,
        currency="THB",
        channel_key="GBPRIMEPAY_PAYOUT",
        account_no="288477738990000",
        account_name="Nguyen Van A",
        signature_hash="sig",
        bank_name="Bank of Ayudhya",
        bank_no="025",
        email="a@example.com",
        country="TH",
        remarks="contract",
        send_email=False,
        recipient_emails=["a@example.com"],
        split_payouts=False,
    )
    await payouts.create(
        txn_ref="PAYOUT-C2",
        virtual_account=account.account_no,
        amount=10,
        currency="THB",
        channel_key="GBPRIMEPAY_PAYOUT",
        account_no="1",
        account_name="B",
        signature_hash="sig",
    )
    first = await payouts.find("PAYOUT-C1", **window)
    second = await payouts.find("PAYOUT-C2", **window)
    assert first is not None
    assert second is not None
    await payouts.status(first.txn_ref)
    await payouts.virtual_accounts.balance(account.account_no)
    assert [e async for e in payouts.virtual_accounts.statement(account.account_no, **window)]
    await payouts.cancel(second.txn_ref)
    approvals = payouts.approvals
    signed: dict[str, Any] = {
        "approver_email": APPROVER,
        "approver_name": "Ann",
        "signature_hash": "sig",
    }
    await approvals.send_otp("verify", email=APPROVER)
    await approvals.resend_otp("verify", email=APPROVER)
    await approvals.verify(
        [first.txn_ref], otp=fake.state.payouts.otp(APPROVER, "verify"), **signed
    )
    await approvals.send_otp("approve", email=APPROVER)
    with pytest.raises(PortOneError):
        await approvals.approve([first.txn_ref], otp="not-the-code", **signed)
    await approvals.resend_otp("approve", email=APPROVER, two_fa_type="phone")
    await approvals.approve(
        [first.txn_ref], otp=fake.state.payouts.otp(APPROVER, "approve"), **signed
    )
    for failing in (
        payouts.status("NO-SUCH-PAYOUT"),
        payouts.virtual_accounts.balance("000"),
        payouts.create(
            txn_ref="PAYOUT-C3",
            virtual_account=account.account_no,
            amount=10**9,
            currency="THB",
            channel_key="GBPRIMEPAY_PAYOUT",
            account_no="1",
            account_name="B",
            signature_hash="sig",
        ),
    ):
        with pytest.raises(PortOneError):
            await failing


@pytest.fixture
async def exchanges(clock: FakeClock, spec: OpenAPI) -> list[Exchange]:
    """Every exchange of the scenario, with the spec operation each one matched."""
    async with recording(clock) as (fake, portone, seen):
        await _scenario(portone, fake, clock)
    assert all(r.authorized for r in fake.requests)
    return [matched(spec, x) for x in seen]


async def test_scenario_covers_every_payout_operation(exchanges: list[Exchange]) -> None:
    """Each payout operation but the statement download was exercised with a 200 answer."""
    assert {x.operation for x in exchanges if x.status == 200} == OPERATIONS


async def test_every_payout_request_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each request is valid for payout.yaml, but for the listed defects' one error each."""
    defects = {operation: (error,) for operation, (error, _why) in REQUEST_DEFECTS.items()}
    assert_only_defects(exchanges, lambda x: request_errors(spec, x), defects)


async def test_every_payout_answer_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each answer validates against its documented response, but for the listed defects."""
    defects = {operation: (error,) for operation, (error, _why) in ANSWER_DEFECTS.items()}
    assert_only_defects(exchanges, lambda x: answer_errors(spec, x), defects, status=200)


async def test_payout_answers_carry_the_fields_of_the_spec_examples(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Every key of a usable 200 example (and of its content) is in the fake's answer too."""
    missing: dict[str, set[str]] = {}
    compared = set()
    for x in first_successes(exchanges, skip=EXAMPLE_GAPS):
        compared.add(x.operation)
        lacking = lacking_keys(spec_example(spec, *x.operation), x.data, content_object=False)
        if lacking:
            missing[str(x)] = lacking
    assert missing == {}
    assert compared == OPERATIONS - set(EXAMPLE_GAPS)


def test_the_gapped_examples_really_are_unusable(spec: OpenAPI) -> None:
    """The payout-creation example does not parse; the copied ones list invitations."""
    raw = raw_example(spec, "post", "/api/payout/transaction")
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    for path, method in (
        ("/api/merchants/{key}/payout/createBeneficiary", "get"),
        ("/api/merchant/payout/approve", "post"),
    ):
        assert "email_address" in spec_example(spec, method, path)["content"][0]
    assert "action" not in spec_example(spec, "post", "/api/merchant/payout/resendOTP/approve")


def test_the_client_reads_portones_own_listing_examples(spec: OpenAPI) -> None:
    """The examples' numbers and booleans (declared as strings) read as the typed fields."""
    listing = spec_example(spec, "post", "/api/merchant/{key}/payouts")
    payout = Payout.from_json(listing["content"][0])
    assert (payout.amount, payout.is_approved, payout.is_verified) == (Decimal(2000), False, None)
    assert payout.merchant_txn_ref == "txnref_8808CB99A0CF688"
    assert (count(listing["total_pages"]), count("1"), count("x")) == (1, 1, None)
    statement = spec_example(spec, "post", "/api/payout/va/{va_number}/statement")
    entry = StatementEntry.from_json(statement["content"][0])
    assert (entry.txn_type, entry.amount, entry.balance) == (
        "Debit",
        Decimal(13500),
        Decimal(218624),
    )


async def test_the_payout_validator_rejects_a_wrong_answer(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """The check can fail: a balance sent as text breaks the balance schema."""
    x = next(x for x in exchanges if x.operation[1].endswith("/balance") and x.status == 200)
    data: dict[str, Any] = x.data
    data["Balance"] = "ten"
    assert answer_errors(spec, x, json.dumps(data).encode())
