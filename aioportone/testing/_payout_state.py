"""What the fake PortOne remembers of payouts: virtual accounts and their balances, payouts,
beneficiaries, and the one-time codes it "sent" to approvers.

Reached as ``fake.state.payouts``. A payout draws its amount from the virtual account when it is
created; cancelling it puts the amount back. Tests play the approver's inbox with
:meth:`PayoutState.otp` and the payout channel with :meth:`PayoutState.settle`.
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._records import iso_time, json_number

if TYPE_CHECKING:
    from ._context import Host

__all__ = ["BeneficiaryRecord", "PayoutRecord", "PayoutState", "VirtualAccountRecord"]


@dataclass
class VirtualAccountRecord:
    """A virtual account payouts are paid from.

    Attributes:
        owner_key: The merchant's PortOne key.
        account_no: Its number.
        currency: ISO 4217 currency code.
        balance: What it holds.
        channel_key: The payout channel.
        environment: ``"sandbox"`` or ``"live"``.
        account_name: Its name.
        bank_name: Its bank.
        entries: Its statement, oldest first, as PortOne writes the entries.
    """

    owner_key: str
    account_no: str
    currency: str
    balance: Decimal
    channel_key: str
    environment: str
    account_name: str = "VAP001 DEMO SHOP"
    bank_name: str = "DEMOBANK"
    entries: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        # payout.yaml, VirtualAccountContent.
        return {
            "account_no": self.account_no,
            "account_name": self.account_name,
            "bank_code": self.bank_name,
            "bank_name": self.bank_name,
            "start_date": "2026-01-01T00:00:00Z",
            "channel_key": self.channel_key,
            "end_date": "2027-01-01T00:00:00Z",
            "balance": json_number(self.balance),
            "currency": self.currency,
            "condition": "NO_CONDITION",
            "conditional_amount": 0,
        }


@dataclass
class PayoutRecord:
    """One payout.

    Attributes:
        txn_ref: PortOne's reference.
        merchant_txn_ref: The merchant's ``txn_ref``.
        owner_key: The merchant's PortOne key.
        virtual_account: The account it is paid from.
        amount: The amount.
        currency: ISO 4217 currency code.
        to_account_no: The beneficiary's account number.
        environment: ``"sandbox"`` or ``"live"``.
        created_at: When, in the fake's time.
        status: ``Created``, ``Processing`` (approved), ``Cancelled``, or what ``settle`` set.
        is_verified: Whether the verify step passed (None: not yet).
        verified_by: Who verified it.
        is_approved: Whether it was approved.
        approved_by: Who approved it.
    """

    txn_ref: str
    merchant_txn_ref: str
    owner_key: str
    virtual_account: str
    amount: Decimal
    currency: str
    to_account_no: str
    environment: str
    created_at: float
    status: str = "Created"
    is_verified: bool | None = None
    verified_by: str = ""
    is_approved: bool = False
    approved_by: str = ""

    def as_json(self) -> dict[str, Any]:
        # payout.yaml, the example of POST /api/merchant/{key}/payouts.
        return {
            "vaaccount_no": self.virtual_account,
            "txn_ref": self.txn_ref,
            "merchant_txn_ref": self.merchant_txn_ref,
            "status": self.status,
            "status_channel_reason": "",
            "is_approved": self.is_approved,
            "approved_by": self.approved_by,
            "approved_time": "0001-01-01T00:00:00Z",
            "is_verified": self.is_verified,
            "verified_by": self.verified_by,
            "verified_time": "0001-01-01T00:00:00Z",
            "due_date": iso_time(self.created_at),
            "to_account_no": self.to_account_no,
            "channel_ref": "",
            "amount": json_number(self.amount),
            "currency": self.currency,
            "environment": self.environment,
        }


@dataclass
class BeneficiaryRecord:
    """A registered beneficiary.

    Attributes:
        owner_key: The merchant's PortOne key.
        uuid: PortOne's id.
        body: The registration request's body.
    """

    owner_key: str
    uuid: str
    body: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            **{k: self.body.get(k, "") for k in ("name", "email", "phone", "address")},
        }


class PayoutState:
    """The fake's payout data.

    Args:
        fake: The fake server it belongs to.
    """

    def __init__(self, fake: Host) -> None:
        self._fake = fake
        self._seq = itertools.count(1)
        self.virtual_accounts: dict[str, VirtualAccountRecord] = {}
        self.payouts: dict[str, PayoutRecord] = {}  # by PortOne's txn_ref
        self.beneficiaries: list[BeneficiaryRecord] = []
        self._codes: dict[tuple[str, str, str], str] = {}  # (owner, email, step) -> code

    def _default_owner(self) -> str:
        return next(iter(self._fake.merchants))

    def add_virtual_account(
        self,
        *,
        balance: float | Decimal = 100000,
        currency: str = "THB",
        channel_key: str = "GBPRIMEPAY_PAYOUT",
        environment: str = "sandbox",
        owner_key: str | None = None,
    ) -> VirtualAccountRecord:
        """Open a virtual account holding ``balance``.

        Args:
            balance: What it holds.
            currency: ISO 4217 currency code.
            channel_key: The payout channel.
            environment: ``"sandbox"`` or ``"live"``.
            owner_key: The merchant's PortOne key; the first merchant when None.
        """
        account = VirtualAccountRecord(
            owner_key=owner_key or self._default_owner(),
            account_no=f"9020002{next(self._seq):05d}",
            currency=currency,
            balance=Decimal(repr(balance)) if isinstance(balance, float) else Decimal(balance),
            channel_key=channel_key,
            environment=environment,
        )
        self.virtual_accounts[account.account_no] = account
        return account

    def add_payout(
        self, account: VirtualAccountRecord, details: dict[str, Any], amount: Decimal
    ) -> PayoutRecord:
        """Create a payout from ``account``, drawing ``amount`` from its balance.

        Args:
            account: The virtual account paid from.
            details: The request's ``txn_details``.
            amount: The amount.
        """
        payout = PayoutRecord(
            txn_ref=f"PARTNERTEST02{secrets.randbelow(10**19):019d}",
            merchant_txn_ref=str(details["txn_ref"]),
            owner_key=account.owner_key,
            virtual_account=account.account_no,
            amount=amount,
            currency=account.currency,
            to_account_no=str(details["bank_details"]["account_no"]),
            environment=account.environment,
            created_at=self._fake.now(),
        )
        self.payouts[payout.txn_ref] = payout
        self._move(account, payout, -amount)
        return payout

    def cancel(self, payout: PayoutRecord) -> None:
        """Cancel ``payout``; its amount returns to the virtual account.

        Args:
            payout: The payout.
        """
        payout.status = "Cancelled"
        self._move(self.virtual_accounts[payout.virtual_account], payout, payout.amount)

    def _move(self, account: VirtualAccountRecord, payout: PayoutRecord, delta: Decimal) -> None:
        account.balance += delta
        # payout.yaml, VirtualAccountStatementContent.
        account.entries.append(
            {
                "created_at": iso_time(self._fake.now()),
                "vaaccount_no": account.account_no,
                "txn_ref": payout.txn_ref,
                "to_account_no": payout.to_account_no,
                "channel_ref": "",
                "amount": json_number(abs(delta)),
                "txn_type": "Debit" if delta < 0 else "Credit",
                "balance": json_number(account.balance),
                "actual_txn_time": iso_time(self._fake.now()),
                "currency": account.currency,
                "at": self._fake.now(),
            }
        )

    def by_merchant_ref(self, merchant_txn_ref: str) -> list[PayoutRecord]:
        """Every payout created under the merchant's ``txn_ref`` (PortOne does not refuse a
        second one).

        Args:
            merchant_txn_ref: The merchant's reference.
        """
        return [p for p in self.payouts.values() if p.merchant_txn_ref == merchant_txn_ref]

    def settle(self, txn_ref: str, status: str = "Success") -> PayoutRecord:
        """The payout channel finishes a payout (``"Success"``, ``"Failed"``...).

        Args:
            txn_ref: PortOne's reference of the payout.
            status: Its new status.
        """
        payout = self.payouts[txn_ref]
        payout.status = status
        return payout

    def add_beneficiary(self, owner_key: str, body: dict[str, Any]) -> BeneficiaryRecord:
        """Register a beneficiary as its creation request would.

        Args:
            owner_key: The merchant's PortOne key.
            body: The creation request's body.
        """
        record = BeneficiaryRecord(owner_key=owner_key, uuid=str(uuid.uuid4()), body=dict(body))
        self.beneficiaries.append(record)
        return record

    def new_code(self, owner_key: str, email: str, step: str) -> str:
        """Make (and remember) the one-time code PortOne sends ``email`` for ``step``.

        Args:
            owner_key: The merchant's PortOne key.
            email: The approver's address.
            step: ``"verify"`` or ``"approve"``.
        """
        code = f"{secrets.randbelow(10**6):06d}"
        self._codes[(owner_key, email, step)] = code
        return code

    def otp(self, email: str, step: str, owner_key: str | None = None) -> str:
        """The last code sent to ``email`` for ``step``: what the approver reads in their inbox.

        Args:
            email: The approver's address.
            step: ``"verify"`` or ``"approve"``.
            owner_key: The merchant's PortOne key; the first merchant when None.

        Raises:
            KeyError: No code was sent to ``email`` for ``step``.
        """
        return self._codes[(owner_key or self._default_owner(), email, step)]

    def use_code(self, owner_key: str, email: str, step: str, code: object) -> bool:
        """Whether ``code`` is the one sent for ``step``; a matching code is used up.

        Args:
            owner_key: The merchant's PortOne key.
            email: The approver's address.
            step: ``"verify"`` or ``"approve"``.
            code: The code given.
        """
        expected = self._codes.get((owner_key, email, step))
        if expected is None or not isinstance(code, str):
            return False
        if not secrets.compare_digest(expected.encode(), code.encode()):
            return False
        del self._codes[(owner_key, email, step)]
        return True
