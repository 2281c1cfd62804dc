"""Pay a vendor: check their account, create a payout, have it approved, and survive a lost answer.

A payout is paid from one of your virtual accounts. It is created (its amount leaves the
account's balance), approved by a person with the one-time code PortOne sends them, or cancelled
before that (the amount comes back). A payout whose answer is lost is never sent again by the
library: ``AmbiguousResultError`` says so, and ``payouts.find`` by your own reference tells
whether PortOne has it, so the vendor is paid once.

PortOne documents no recipe for the payouts' ``signature_hash``: your integration supplies it
(here, a placeholder the fake accepts).

    python examples/payouts.py     # against a fake PortOne
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import structlog

from aioportone import AmbiguousResultError, Clock, PortOneClient, SystemClock
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

APPROVER = "approver@shop.example"
SIGNATURE = "signature-from-your-portone-integration"


@dataclass
class Outcome:
    paid: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    balance: Decimal | None = None
    statement: list[str] = field(default_factory=list)


def _now(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock.time(), UTC)


async def pay_once(
    portone: PortOneClient, clock: Clock, txn_ref: str, amount: int, payout: dict[str, Any]
) -> str:
    """Create the payout, or find it when the answer was lost; PortOne's reference of it."""
    start, end = _now(clock) - timedelta(hours=1), _now(clock) + timedelta(hours=1)
    try:
        await portone.payouts.create(txn_ref=txn_ref, amount=amount, **payout)
    except AmbiguousResultError as exc:
        print(f"  lost     {txn_ref}: {type(exc.__cause__).__name__}, not retried")
    found = await portone.payouts.find(txn_ref, start=start, end=end)
    if found is None:  # PortOne never got it: creating it now cannot pay twice
        await portone.payouts.create(txn_ref=txn_ref, amount=amount, **payout)
        found = await portone.payouts.find(txn_ref, start=start, end=end)
    assert found is not None
    print(f"  payout   {txn_ref} is PortOne's {found.txn_ref}: {found.status}")
    return found.txn_ref


async def run(portone: PortOneClient, fake: FakePortOne, clock: Clock) -> Outcome:
    outcome = Outcome()
    (account,) = await portone.payouts.virtual_accounts.list()
    print(f"  account  {account.account_no}: {account.balance} {account.currency}")
    await portone.payouts.beneficiaries.create(
        name="Somchai Supplies",
        bank_account_number="7771000241",
        bank_account_name="SOMCHAI SUPPLIES CO",
        bank_name="Bank of Ayudhya",
        bank_no="025",
        payout_channel="GBPRIMEPAY_PAYOUT",
        signature_hash=SIGNATURE,
    )
    check = await portone.payouts.beneficiaries.verify_account(
        channel_key="GBPRIMEPAY_PAYOUT",
        account_number="7771000241",
        account_name="Somchai Supplies",
        bank_name="Bank of Ayudhya",
        bank_number="025",
        request_id="check-1",
    )
    print(f"  verified 7771000241 belongs to {check.account_name!r}")
    payout: dict[str, Any] = {
        "virtual_account": account.account_no,
        "currency": account.currency,
        "channel_key": "GBPRIMEPAY_PAYOUT",
        "account_no": "7771000241",
        "account_name": check.account_name,
        "signature_hash": SIGNATURE,
    }
    invoice = await pay_once(portone, clock, "INV-2001", 12000, payout)
    # The network drops the answer of the next one after PortOne processed it.
    fake.fail(path=r"^/api/payout/transaction$", drop_after=True)
    second = await pay_once(portone, clock, "INV-2002", 3000, payout)
    mistake = await pay_once(portone, clock, "INV-2003", 500, payout)
    await portone.payouts.cancel(mistake)
    outcome.cancelled.append("INV-2003")
    print("  cancel   INV-2003: its 500 goes back to the account")
    await portone.payouts.approvals.send_otp("approve", email=APPROVER)
    code = fake.state.payouts.otp(APPROVER, "approve")  # what the approver reads in their inbox
    await portone.payouts.approvals.approve(
        [invoice, second],
        otp=code,
        approver_email=APPROVER,
        approver_name="Ann Approver",
        signature_hash=SIGNATURE,
    )
    for ref, name in ((invoice, "INV-2001"), (second, "INV-2002")):
        status = await portone.payouts.status(ref)
        outcome.paid.append(name)
        print(f"  approve  {name}: {status.status}")
    balance = await portone.payouts.virtual_accounts.balance(account.account_no)
    outcome.balance = balance.balance
    print(f"  balance  {balance.balance} {account.currency}")
    async for entry in portone.payouts.virtual_accounts.statement(
        account.account_no, start=_now(clock) - timedelta(hours=1), end=_now(clock)
    ):
        outcome.statement.append(f"{entry.txn_type} {entry.amount}")
    print(f"  statement {', '.join(outcome.statement)}")
    return outcome


async def main(*, clock: Clock | None = None) -> Outcome:
    """The story against a fake PortOne holding one virtual account with 50,000 THB."""
    clock = clock or SystemClock()
    print("Paying vendors from a virtual account (fake PortOne):")
    async with FakePortOne(clock=clock) as fake:
        fake.state.payouts.add_virtual_account(balance=50000)
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
        ) as portone:
            return await run(portone, fake, clock)


if __name__ == "__main__":
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    anyio.run(main)
