"""What PortOne's payout answers become: frozen records with typed fields and the raw JSON.

The payout spec is loose about types: counts and flags arrive as numbers or booleans in its
examples and are declared as strings in its schemas, so both are read. As everywhere, a missing
text field reads as ``""``, a missing number or flag as ``None``, and ``raw`` (left out of
``repr`` and ``hash``: it carries account numbers and names) keeps everything PortOne sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._events_webhook import frozen
from ._models import _decimal, _text

__all__ = [
    "AccountVerification",
    "Beneficiary",
    "OtpSent",
    "Payout",
    "PayoutAccepted",
    "PayoutStatus",
    "StatementEntry",
    "VirtualAccount",
    "VirtualAccountBalance",
]


def _truth(data: Mapping[str, Any], name: str) -> bool | None:
    """A flag PortOne writes as ``true`` or as ``"true"``; None when absent or unreadable."""
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


@dataclass(frozen=True, slots=True)
class PayoutAccepted:
    """PortOne's answer to a payout creation: it took the request (the payout is ``Created``).

    The answer names no PortOne reference: find the payout by your ``txn_ref`` with
    ``payouts.find(...)`` (or in ``payouts.list(...)``, as ``Payout.merchant_txn_ref``).

    Attributes:
        txn_ref: Your reference of the payout, as sent.
        message: PortOne's message, e.g. ``"Payout created successfully"``.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    txn_ref: str
    message: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], txn_ref: str) -> PayoutAccepted:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
            txn_ref: Your reference of the payout.
        """
        return cls(txn_ref=txn_ref, message=_text(data, "message"), raw=frozen(data))


@dataclass(frozen=True, slots=True)
class Payout:
    """One payout, as the payouts listing shows it.

    Attributes:
        txn_ref: PortOne's reference: what ``payouts.status`` and ``payouts.cancel`` take.
        merchant_txn_ref: Your reference, the ``txn_ref`` given to ``payouts.create``.
        status: ``Created``, ``Cancelled``... as PortOne wrote it.
        amount: The amount paid out.
        currency: ISO 4217 currency code.
        virtual_account: The virtual account it is paid from.
        to_account_no: The beneficiary's account number.
        is_verified: Whether it passed the verify step (None: not yet, or not reported).
        is_approved: Whether it was approved (None: not reported).
        environment: ``"sandbox"`` or ``"live"``.
        raw: The payout as PortOne sent it, read-only (left out of ``repr``).
    """

    txn_ref: str
    merchant_txn_ref: str
    status: str
    amount: Decimal | None
    currency: str
    virtual_account: str
    to_account_no: str
    is_verified: bool | None
    is_approved: bool | None
    environment: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Payout:
        """Read one item of the payouts listing.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            txn_ref=_text(data, "txn_ref"),
            merchant_txn_ref=_text(data, "merchant_txn_ref"),
            status=_text(data, "status"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            virtual_account=_text(data, "vaaccount_no"),
            to_account_no=_text(data, "to_account_no"),
            is_verified=_truth(data, "is_verified"),
            is_approved=_truth(data, "is_approved"),
            environment=_text(data, "environment"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class PayoutStatus:
    """A payout's status, by PortOne's reference.

    Attributes:
        txn_ref: PortOne's reference of the payout (as asked).
        status: ``Created``, ``Cancelled``... as PortOne wrote it.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    txn_ref: str
    status: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], txn_ref: str) -> PayoutStatus:
        """Read PortOne's answer (``{"Status": "Created"}``, capitalised).

        Args:
            data: The decoded JSON answer.
            txn_ref: PortOne's reference of the payout.
        """
        return cls(txn_ref=txn_ref, status=_text(data, "Status", "status"), raw=frozen(data))


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """Someone payouts go to, as PortOne stores them.

    Attributes:
        uuid: PortOne's id of the beneficiary.
        name: Their name.
        email: Their e-mail address.
        phone: Their phone number.
        address: Their address.
        raw: The beneficiary as PortOne sent it, read-only (left out of ``repr``).
    """

    uuid: str
    name: str
    email: str
    phone: str
    address: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Beneficiary:
        """Read one beneficiary.

        Args:
            data: The decoded JSON object.
        """
        return cls(
            uuid=_text(data, "uuid"),
            name=_text(data, "name"),
            email=_text(data, "email"),
            phone=_text(data, "phone"),
            address=_text(data, "address"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class AccountVerification:
    """What the beneficiary's bank says about an account.

    Compare ``account_name`` with the name you were given before paying out: the bank's
    spelling is the one that counts.

    Attributes:
        is_verified: Whether the bank knows the account (None: not reported).
        account_number: The account number checked.
        account_name: The account holder's name, as the bank has it.
        bank_number: The bank's number.
        request_id: Your id of the check, echoed.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    is_verified: bool | None
    account_number: str
    account_name: str
    bank_number: str
    request_id: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccountVerification:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        return cls(
            is_verified=_truth(data, "is_verified"),
            account_number=_text(data, "account_number"),
            account_name=_text(data, "account_name"),
            bank_number=_text(data, "bank_number"),
            request_id=_text(data, "request_id"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class OtpSent:
    """PortOne sent a one-time code to the approver (the code itself is never in the answer).

    Attributes:
        action: The step the code is for, ``"verify"`` or ``"approve"``, as PortOne wrote it.
        type: Where it was sent, ``"email"`` or ``"phone"``.
        message: PortOne's message (it names the address or number).
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    action: str
    type: str
    message: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OtpSent:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        return cls(
            action=_text(data, "action"),
            type=_text(data, "type"),
            message=_text(data, "message"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class VirtualAccount:
    """A virtual account payouts are paid from.

    Attributes:
        account_no: Its number: what ``balance`` and ``statement`` take.
        account_name: Its name.
        bank_code: The bank's code.
        bank_name: The bank's name.
        channel_key: The payout channel, e.g. ``"EPAY_PAYOUT"``.
        currency: ISO 4217 currency code.
        balance: Its balance when listed.
        start_date: When it opened, as PortOne wrote it.
        end_date: When it closes, as PortOne wrote it.
        raw: The account as PortOne sent it, read-only (left out of ``repr``).
    """

    account_no: str
    account_name: str
    bank_code: str
    bank_name: str
    channel_key: str
    currency: str
    balance: Decimal | None
    start_date: str
    end_date: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VirtualAccount:
        """Read one item of the virtual-account listing.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            account_no=_text(data, "account_no"),
            account_name=_text(data, "account_name"),
            bank_code=_text(data, "bank_code"),
            bank_name=_text(data, "bank_name"),
            channel_key=_text(data, "channel_key"),
            currency=_text(data, "currency"),
            balance=_decimal(data, "balance"),
            start_date=_text(data, "start_date"),
            end_date=_text(data, "end_date"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class VirtualAccountBalance:
    """A virtual account's balance now.

    Attributes:
        account_no: The account (as asked).
        balance: What it holds; None when PortOne's answer did not say.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    account_no: str
    balance: Decimal | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], account_no: str) -> VirtualAccountBalance:
        """Read PortOne's answer (``{"Balance": 0}``, capitalised).

        Args:
            data: The decoded JSON answer.
            account_no: The account asked about.
        """
        return cls(
            account_no=account_no, balance=_decimal(data, "Balance", "balance"), raw=frozen(data)
        )


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One movement on a virtual account's statement.

    Attributes:
        txn_ref: PortOne's reference of the payout (or top-up) that moved the money.
        txn_type: ``"Debit"`` or ``"Credit"``.
        amount: The amount moved.
        balance: The balance after it.
        currency: ISO 4217 currency code.
        to_account_no: The account paid to, for a debit.
        created_at: When it was recorded, as PortOne wrote it.
        raw: The entry as PortOne sent it, read-only (left out of ``repr``).
    """

    txn_ref: str
    txn_type: str
    amount: Decimal | None
    balance: Decimal | None
    currency: str
    to_account_no: str
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StatementEntry:
        """Read one item of a statement.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            txn_ref=_text(data, "txn_ref"),
            txn_type=_text(data, "txn_type"),
            amount=_decimal(data, "amount"),
            balance=_decimal(data, "balance"),
            currency=_text(data, "currency"),
            to_account_no=_text(data, "to_account_no"),
            created_at=_text(data, "created_at"),
            raw=frozen(data),
        )
