"""What PortOne's master-merchant answers become: frozen records with typed fields and the raw JSON.

mastermerchant.yaml declares the invitation flags as strings and the others as booleans; both
spellings are read. A missing text field reads as ``""``, a missing number or flag as ``None``,
and ``raw`` (left out of ``repr`` and ``hash``: it carries names and e-mail addresses) keeps
everything PortOne sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._events_webhook import frozen
from ._models import _content, _decimal, _text
from ._models_payouts import _truth

__all__ = [
    "InvitedSubMerchant",
    "SubMerchant",
    "SubMerchantAdded",
    "SubMerchantPaymentLink",
    "SubMerchantTransaction",
]


@dataclass(frozen=True, slots=True)
class SubMerchantAdded:
    """PortOne's answer to adding a sub-merchant.

    Attributes:
        kyc_link: Where the sub-merchant completes its KYC.
        message: PortOne's message, e.g. ``"Merchant added successfully!"``.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    kyc_link: str
    message: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubMerchantAdded:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        content = data.get("content")
        content = content if isinstance(content, Mapping) else {}
        return cls(
            kyc_link=_text(content, "kyc_link"), message=_text(data, "message"), raw=frozen(data)
        )


@dataclass(frozen=True, slots=True)
class SubMerchant:
    """A sub-merchant of the master merchant.

    Attributes:
        key: Its PortOne key: what ``sub_merchants.set_status`` and the ``merchant_keys`` filters
            take, and what a client acting for it sends as ``X-Portone-SubMerchant-Key``.
        uuid: Its id.
        name: Its name.
        email_address: Its e-mail address.
        merchant_status: ``"ACTIVE"``, ``"INACTIVE"``...
        kyc_status: Its KYC's progress, e.g. ``"SUBMITTED"``.
        kyc_link: Where it completes its KYC.
        master_merchant_access: Whether the master merchant acts for it.
        use_master_merchant_creds: Whether it uses the master merchant's payment channels.
        is_login_allowed: Whether it may log in to the PortOne dashboard.
        is_invite_merchant: Whether it was invited by e-mail.
        send_kyc_link_email: Whether PortOne e-mailed it the KYC link.
        raw: The sub-merchant as PortOne sent it, read-only (left out of ``repr``).
    """

    key: str
    uuid: str
    name: str
    email_address: str
    merchant_status: str
    kyc_status: str
    kyc_link: str
    master_merchant_access: bool | None
    use_master_merchant_creds: bool | None
    is_login_allowed: bool | None
    is_invite_merchant: bool | None
    send_kyc_link_email: bool | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubMerchant:
        """Read one sub-merchant (a listing item, or a status change's ``content``).

        Args:
            data: The decoded JSON object.
        """
        item = _content(data)
        return cls(
            key=_text(item, "key"),
            uuid=_text(item, "uuid"),
            name=_text(item, "name"),
            email_address=_text(item, "email_address"),
            merchant_status=_text(item, "merchant_status"),
            kyc_status=_text(item, "kyc_status"),
            kyc_link=_text(item, "kyc_link"),
            master_merchant_access=_truth(item, "master_merchant_access"),
            use_master_merchant_creds=_truth(item, "use_master_merchant_creds"),
            is_login_allowed=_truth(item, "is_login_allowed"),
            is_invite_merchant=_truth(item, "is_invite_merchant"),
            send_kyc_link_email=_truth(item, "send_kyc_link_email"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class InvitedSubMerchant:
    """A sub-merchant invited by e-mail that may not have registered yet.

    Attributes:
        email_address: The address invited.
        name: Its name.
        status: ``"INVITED"``...
        country: Its country (ISO 3166 alpha-2).
        invite_link: Where it registers.
        created_at: When it was invited, as PortOne wrote it.
        raw: The invitation as PortOne sent it, read-only (left out of ``repr``).
    """

    email_address: str
    name: str
    status: str
    country: str
    invite_link: str
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InvitedSubMerchant:
        """Read one item of the invitations listing.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            email_address=_text(data, "email_address"),
            name=_text(data, "name"),
            status=_text(data, "status"),
            country=_text(data, "country"),
            invite_link=_text(data, "invite_link"),
            created_at=_text(data, "created_at"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class SubMerchantTransaction:
    """A payment attempt made with a sub-merchant.

    Attributes:
        order_ref: PortOne's reference of the attempt.
        merchant_order_ref: The sub-merchant's reference.
        merchant_key: The sub-merchant's PortOne key.
        amount: The amount.
        currency: ISO 4217 currency code.
        status: ``"Success"``, ``"Initiated"``... as PortOne wrote it.
        channel_key: The payment channel.
        method_name: The payment method.
        payment_link_ref: The payment link it was paid on, if any.
        date: When, as PortOne wrote it.
        raw: The transaction as PortOne sent it, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    merchant_key: str
    amount: Decimal | None
    currency: str
    status: str
    channel_key: str
    method_name: str
    payment_link_ref: str
    date: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubMerchantTransaction:
        """Read one item of the sub-merchant transactions listing.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            order_ref=_text(data, "order_ref"),
            merchant_order_ref=_text(data, "merchant_order_ref"),
            merchant_key=_text(data, "merchant_key"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            status=_text(data, "status"),
            channel_key=_text(data, "channel_key"),
            method_name=_text(data, "method_name"),
            payment_link_ref=_text(data, "payment_link_ref"),
            date=_text(data, "date"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class SubMerchantPaymentLink:
    """A payment link of a sub-merchant.

    Attributes:
        link_ref: PortOne's reference of the link.
        link: Its URL.
        merchant_order_ref: The sub-merchant's reference of the order.
        merchant_key: The sub-merchant's PortOne key.
        amount: The amount.
        currency: ISO 4217 currency code.
        status: ``"Created"``, ``"Success"``... as PortOne wrote it.
        created_at: When, as PortOne wrote it.
        raw: The link as PortOne sent it, read-only (left out of ``repr``).
    """

    link_ref: str
    link: str
    merchant_order_ref: str
    merchant_key: str
    amount: Decimal | None
    currency: str
    status: str
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubMerchantPaymentLink:
        """Read one item of the sub-merchant payment links listing.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            link_ref=_text(data, "link_ref"),
            link=_text(data, "link"),
            merchant_order_ref=_text(data, "merchant_order_ref"),
            merchant_key=_text(data, "merchant_key", "portone_key"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            status=_text(data, "status"),
            created_at=_text(data, "created_at"),
            raw=frozen(data),
        )
