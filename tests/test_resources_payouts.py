"""portone.payouts against the fake PortOne over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from structlog.testing import LogCapture

from aioportone import (
    AmbiguousResultError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PortOneClient,
    ServerError,
)
from aioportone.testing import FakeClock, FakePortOne
from aioportone.testing._payout_state import VirtualAccountRecord
from tests._fixtures import open_client

APPROVER = "approver@shop.example"


def payout_args(account: VirtualAccountRecord, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "txn_ref": "PAYOUT-1",
        "virtual_account": account.account_no,
        "amount": 2500,
        "currency": "THB",
        "channel_key": "GBPRIMEPAY_PAYOUT",
        "account_no": "7771000241",
        "account_name": "John Doe",
        "signature_hash": "sig-from-portone",
    }
    args.update(overrides)
    return args


def window(clock: FakeClock) -> dict[str, Any]:
    now = datetime.fromtimestamp(clock.time(), UTC)
    return {"start": now - timedelta(hours=1), "end": now + timedelta(hours=1)}


async def _created(client: PortOneClient, fake: FakePortOne, clock: FakeClock, **kw: Any) -> str:
    """Create a payout and return PortOne's reference of it, found by the merchant's ref."""
    account = kw.pop("account", None) or fake.state.payouts.add_virtual_account()
    args = payout_args(account, **kw)
    await client.payouts.create(**args)
    found = await client.payouts.find(args["txn_ref"], **window(clock))
    assert found is not None
    return found.txn_ref


async def test_create_sends_the_documented_body_and_draws_the_balance(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """create() posts key, channel, signature and txn_details; the account's balance drops."""
    account = fake.state.payouts.add_virtual_account(balance=10000)
    accepted = await client.payouts.create(
        **payout_args(account, amount=Decimal("2500.5"), bank_name="Ayudhya", remarks="June")
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/api/payout/transaction")
    assert request.json == {
        "key": client.client_key,
        "channel_key": "GBPRIMEPAY_PAYOUT",
        "signature_hash": "sig-from-portone",
        "environment": "sandbox",
        "txn_details": {
            "virtual_acc_no": account.account_no,
            "amount": 2500.5,
            "currency": "THB",
            "txn_ref": "PAYOUT-1",
            "remarks": "June",
            "bank_details": {
                "account_no": "7771000241",
                "account_type": "BANK",
                "account_name": "John Doe",
                "bank_name": "Ayudhya",
            },
        },
    }
    assert (accepted.txn_ref, accepted.message) == ("PAYOUT-1", "Payout created successfully")
    balance = await client.payouts.virtual_accounts.balance(account.account_no)
    assert balance.balance == Decimal("7499.5")


async def test_status_list_and_cancel_follow_the_payout(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A payout is listed as Created; cancelling it restores the balance and says Cancelled."""
    account = fake.state.payouts.add_virtual_account(balance=5000)
    ref = await _created(client, fake, clock, account=account, amount=1000)
    assert (await client.payouts.status(ref)).status == "Created"
    (listed,) = [p async for p in client.payouts.list(**window(clock))]
    assert (listed.merchant_txn_ref, listed.amount, listed.status) == (
        "PAYOUT-1",
        Decimal(1000),
        "Created",
    )
    assert listed.virtual_account == account.account_no
    assert listed.is_approved is False
    await client.payouts.cancel(ref)
    await client.payouts.cancel(ref)  # harmless twice
    assert (await client.payouts.status(ref)).status == "Cancelled"
    assert (await client.payouts.virtual_accounts.balance(account.account_no)).balance == 5000
    accounts = client.payouts.virtual_accounts
    entries = [e async for e in accounts.statement(account.account_no, **window(clock))]
    assert [(e.txn_type, e.amount, e.balance) for e in entries] == [
        ("Debit", Decimal(1000), Decimal(4000)),
        ("Credit", Decimal(1000), Decimal(5000)),
    ]
    assert all(e.txn_ref == ref for e in entries)


async def test_list_walks_every_page(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """With page_size=2, five payouts come back over three requests, each asked page by page."""
    account = fake.state.payouts.add_virtual_account()
    for i in range(5):
        await client.payouts.create(**payout_args(account, txn_ref=f"P-{i}", amount=10))
    got = [p.merchant_txn_ref async for p in client.payouts.list(page_size=2, **window(clock))]
    assert got == [f"P-{i}" for i in range(5)]
    pages = fake.calls(r"/payouts$", "POST")
    assert [r.json["page"] for r in pages] == [1, 2, 3]
    assert pages[0].json["from"].count(":") == 2  # "2006-01-02 15:04:05", as the spec writes it


async def test_more_than_the_balance_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A payout above the virtual account's balance is refused (4041) and takes nothing."""
    account = fake.state.payouts.add_virtual_account(balance=100)
    with pytest.raises(InvalidRequestError) as caught:
        await client.payouts.create(**payout_args(account, amount=100.01))
    assert caught.value.code == "4041"
    assert (await client.payouts.virtual_accounts.balance(account.account_no)).balance == 100


@pytest.mark.parametrize(
    "fault",
    [{"drop_after": True}, {"status": 503}, {"status": 200, "body": ["not", "an", "object"]}],
)
async def test_a_lost_payout_answer_is_ambiguous_and_never_replayed(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock, fault: dict[str, Any]
) -> None:
    """A dropped answer, a 5xx or an unreadable 2xx raises AmbiguousResultError, sent once."""
    account = fake.state.payouts.add_virtual_account(balance=1000)
    fake.fail(path=r"^/api/payout/transaction$", times=None, **fault)
    with pytest.raises(AmbiguousResultError) as caught:
        await client.payouts.create(**payout_args(account, amount=100))
    assert len(fake.calls(r"^/api/payout/transaction$")) == 1
    assert "payouts.find('PAYOUT-1'" in caught.value.how_to_check
    fake.faults.clear()
    found = await client.payouts.find("PAYOUT-1", **window(clock))
    # drop_after processed the payout; the injected answers never reached the handler.
    assert (found is not None) == bool(fault.get("drop_after"))


async def test_approval_with_the_emailed_code_releases_the_payout(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock, logs: LogCapture
) -> None:
    """send_otp → verify → send_otp → approve with the codes sent moves the payout on."""
    ref = await _created(client, fake, clock)
    approvals = client.payouts.approvals
    sent = await approvals.send_otp("verify", email=APPROVER)
    assert (sent.action, sent.type) == ("verify", "email")
    code = fake.state.payouts.otp(APPROVER, "verify")
    args: dict[str, Any] = {
        "approver_email": APPROVER,
        "approver_name": "Ann",
        "signature_hash": "sig",
    }
    await approvals.verify([ref], otp=code, **args)
    await approvals.resend_otp("approve", email=APPROVER)
    approve_code = fake.state.payouts.otp(APPROVER, "approve")
    await approvals.approve([ref], otp=approve_code, **args)
    assert fake.requests[-1].json["txn_refs"] == [ref]
    assert (await client.payouts.status(ref)).status == "Processing"
    (listed,) = [p async for p in client.payouts.list(**window(clock))]
    assert (listed.is_verified, listed.is_approved) == (True, True)
    assert code not in repr(logs.entries)
    assert approve_code not in repr(logs.entries)


async def test_a_wrong_code_is_refused_without_being_echoed(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A wrong OTP raises 4073; neither the code given nor the right one is in the message."""
    ref = await _created(client, fake, clock)
    await client.payouts.approvals.send_otp("approve", email=APPROVER)
    right = fake.state.payouts.otp(APPROVER, "approve")
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(InvalidRequestError) as caught:
        await client.payouts.approvals.approve(
            [ref], otp=wrong, approver_email=APPROVER, approver_name="Ann", signature_hash="s"
        )
    assert caught.value.code == "4073"
    assert wrong not in str(caught.value)
    assert right not in str(caught.value)
    with pytest.raises(ConfigurationError) as bad:
        await client.payouts.approvals.approve(
            [ref], otp=" 12 ", approver_email=APPROVER, approver_name="Ann", signature_hash="s"
        )
    assert bad.value.argument == "otp"
    assert "12" not in str(bad.value)


async def test_a_lost_approval_is_ambiguous_and_never_replayed(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """An approval whose answer is lost raises AmbiguousResultError and is sent once."""
    ref = await _created(client, fake, clock)
    await client.payouts.approvals.send_otp("approve", email=APPROVER)
    code = fake.state.payouts.otp(APPROVER, "approve")
    fake.fail(path=r"/payout/approve$", drop_after=True)
    with pytest.raises(AmbiguousResultError) as caught:
        await client.payouts.approvals.approve(
            [ref], otp=code, approver_email=APPROVER, approver_name="Ann", signature_hash="s"
        )
    assert len(fake.calls(r"/payout/approve$")) == 1
    assert "payouts.status" in caught.value.how_to_check
    assert code not in str(caught.value)
    assert (await client.payouts.status(ref)).status == "Processing"


async def test_beneficiaries_are_created_listed_and_verified(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A created beneficiary is listed, and verifying their account gives the bank's name."""
    beneficiaries = client.payouts.beneficiaries
    created = await beneficiaries.create(
        name="Nguyen Van A",
        bank_account_number="288477738990000",
        bank_account_name="NGUYEN VAN A",
        bank_name="Bank of Ayudhya",
        bank_no="025",
        payout_channel="GBPRIMEPAY_PAYOUT",
        signature_hash="sig",
        email="a@example.com",
    )
    assert created.uuid
    assert created.email == "a@example.com"
    assert fake.requests[-1].json["bank_account_type"] == "BANK"
    for i in range(2):
        await beneficiaries.create(
            name=f"B{i}",
            bank_account_number=f"10{i}",
            bank_account_name=f"B{i}",
            bank_name="Bank",
            bank_no="025",
            payout_channel="GBPRIMEPAY_PAYOUT",
            signature_hash="sig",
        )
    names = [b.name async for b in beneficiaries.list(page_size=2)]
    assert names == ["Nguyen Van A", "B0", "B1"]
    check = await beneficiaries.verify_account(
        channel_key="GBPRIMEPAY_PAYOUT",
        account_number="288477738990000",
        account_name="Nguyen Van A",
        bank_name="Bank of Ayudhya",
        bank_number="025",
        request_id="check-1",
    )
    assert (check.is_verified, check.account_name, check.request_id) == (
        True,
        "NGUYEN VAN A",
        "check-1",
    )
    with pytest.raises(InvalidRequestError):
        await beneficiaries.verify_account(
            channel_key="GBPRIMEPAY_PAYOUT",
            account_number="999",
            account_name="Nobody",
            bank_name="Bank",
            bank_number="025",
            request_id="check-2",
        )


async def test_virtual_accounts_are_listed_per_environment(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """list() returns the merchant's accounts of the asked environment with their balances."""
    sandbox = fake.state.payouts.add_virtual_account(balance=Decimal("10.5"))
    fake.state.payouts.add_virtual_account(environment="live")
    (account,) = await client.payouts.virtual_accounts.list()
    assert (account.account_no, account.balance, account.currency) == (
        sandbox.account_no,
        Decimal("10.5"),
        "THB",
    )
    assert fake.requests[-1].query == {"environment": "sandbox"}
    assert len(await client.payouts.virtual_accounts.list(environment="live")) == 1


async def test_unknown_references_are_not_found(fake: FakePortOne, client: PortOneClient) -> None:
    """status and cancel of an unknown payout raise NotFoundError (4096)."""
    with pytest.raises(NotFoundError):
        await client.payouts.status("NO-SUCH-PAYOUT")
    with pytest.raises(NotFoundError):
        await client.payouts.cancel("NO-SUCH-PAYOUT")


async def test_reads_are_retried_after_a_server_error(fake: FakePortOne, clock: FakeClock) -> None:
    """A 503 on a balance lookup is retried; a 503 on every try ends in ServerError."""
    account = fake.state.payouts.add_virtual_account(balance=7)
    async with open_client(fake, clock) as client:
        fake.fail(status=503, path=r"/balance$")
        assert (await client.payouts.virtual_accounts.balance(account.account_no)).balance == 7
        fake.fail(status=503, path=r"/balance$", times=None)
        with pytest.raises(ServerError):
            await client.payouts.virtual_accounts.balance(account.account_no)
    assert len(fake.calls(r"/balance$")) == 1 + 1 + 3


async def test_references_are_percent_encoded(fake: FakePortOne, client: PortOneClient) -> None:
    """A reference with '/' or '?' stays one path segment."""
    with pytest.raises(NotFoundError):
        await client.payouts.status("../a/b?x")
    assert fake.requests[-1].path == "/api/payout/..%2Fa%2Fb%3Fx/status"


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": float("nan")}, "amount"),
        ({"currency": "TH"}, "currency"),
        ({"account_type": "WALLET"}, "account_type"),
        ({"txn_ref": "a\nb"}, "txn_ref"),
        ({"signature_hash": ""}, "signature_hash"),
        ({"recipient_emails": "a@b.c"}, "recipient_emails"),
        ({"send_email": "yes"}, "send_email"),
        ({"environment": "prod"}, "environment"),
    ],
)
async def test_bad_payout_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, change: dict[str, Any], argument: str
) -> None:
    """Each bad argument raises ConfigurationError naming it, and nothing is sent."""
    account = fake.state.payouts.add_virtual_account()
    with pytest.raises(ConfigurationError) as caught:
        await client.payouts.create(**payout_args(account, **change))
    assert caught.value.argument == argument
    assert fake.requests == []


async def test_bad_listing_and_approval_arguments_are_refused(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A naive datetime, a reversed window, a bad page size or bare-string refs are refused."""
    w = window(clock)
    with pytest.raises(ConfigurationError, match="start"):
        client.payouts.list(start=datetime(2026, 1, 1), end=w["end"])
    with pytest.raises(ConfigurationError, match="end"):
        client.payouts.list(start=w["end"], end=w["start"])
    with pytest.raises(ConfigurationError, match="page_size"):
        client.payouts.virtual_accounts.statement("9", page_size=0, **w)
    with pytest.raises(ConfigurationError, match="txn_refs"):
        await client.payouts.approvals.verify(
            "REF", otp="1", approver_email=APPROVER, approver_name="A", signature_hash="s"
        )
    with pytest.raises(ConfigurationError, match="step"):
        await client.payouts.approvals.send_otp("pay", email=APPROVER)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_requests_carry_a_valid_jwt(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """Every payout request passed the fake's JWT check; a revoked token is renewed once."""
    ref = await _created(client, fake, clock)
    token = await client.tokens.get()
    fake.revoke(token.value)
    assert (await client.payouts.status(ref)).status == "Created"
    assert [r.authorized for r in fake.requests].count(False) == 1


async def test_concurrent_payouts_never_overdraw_the_account(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """Two payouts of 60 held until both arrived, from 100: one is created, one refused (4041)."""
    account = fake.state.payouts.add_virtual_account(balance=100)
    gate = anyio.Event()
    fake.fail(path=r"^/api/payout/transaction$", hold=gate, times=2)
    results: list[object] = []

    async def pay(ref: str) -> None:
        try:
            results.append(
                await client.payouts.create(**payout_args(account, txn_ref=ref, amount=60))
            )
        except InvalidRequestError as exc:
            results.append(exc.code)

    async with anyio.create_task_group() as tg:
        tg.start_soon(pay, "A")
        tg.start_soon(pay, "B")
        while len(fake.calls(r"^/api/payout/transaction$")) < 2:
            await anyio.lowlevel.checkpoint()
        gate.set()
    outcomes = sorted(r if isinstance(r, str) else type(r).__name__ for r in results)
    assert outcomes == ["4041", "PayoutAccepted"]
    assert fake.state.payouts.virtual_accounts[account.account_no].balance == 40


async def test_a_refused_payout_is_a_plain_error(fake: FakePortOne, client: PortOneClient) -> None:
    """PortOne's clear refusal (here an unknown virtual account, 4061) is not ambiguous."""
    account = fake.state.payouts.add_virtual_account()
    with pytest.raises(InvalidRequestError) as caught:
        await client.payouts.create(**payout_args(account, virtual_account="000"))
    assert caught.value.code == "4061"
    assert len(fake.calls(r"^/api/payout/transaction$")) == 1


async def test_reading_posts_and_cancel_are_retried_but_creates_are_not(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """After one 503, listing, statement, cancel and account checks succeed on a retry; a
    beneficiary creation is not sent again."""
    account = fake.state.payouts.add_virtual_account()
    async with open_client(fake, clock) as client:
        ref = await _created(client, fake, clock, account=account)
        w = window(clock)
        fake.fail(status=503, path=r"/payouts$")
        assert [p async for p in client.payouts.list(**w)]
        fake.fail(status=503, path=r"/statement$")
        assert [e async for e in client.payouts.virtual_accounts.statement(account.account_no, **w)]
        fake.fail(status=503, path=r"/Cancelled$")
        await client.payouts.cancel(ref)
        fake.fail(status=503, path=r"/verification$")
        with pytest.raises(InvalidRequestError):  # retried, then: no such beneficiary
            await client.payouts.beneficiaries.verify_account(
                channel_key="C",
                account_number="1",
                account_name="A",
                bank_name="B",
                bank_number="2",
                request_id="r",
            )
        fake.fail(status=503, path=r"/createBeneficiary$")
        with pytest.raises(ServerError):
            await client.payouts.beneficiaries.create(
                name="N",
                bank_account_number="1",
                bank_account_name="N",
                bank_name="B",
                bank_no="2",
                payout_channel="GBPRIMEPAY_PAYOUT",
                signature_hash="s",
            )
    counts = [
        len(fake.calls(p))
        for p in (r"/payouts$", r"/statement$", r"/Cancelled$", r"/verification$")
    ]
    assert counts == [3, 2, 2, 2]  # find() listed once before the failing listing
    assert len(fake.calls(r"/createBeneficiary$")) == 1
