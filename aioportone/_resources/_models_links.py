"""What PortOne answers about payment links: the link, its status and its payment attempts.

PortOne answers a link's status in camelCase and its creation in snake_case, so the fields are
read under both spellings, with the tolerant readers of ``_models``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._events_webhook import frozen
from ._models import _content, _decimal, _objects, _optional_text, _text

__all__ = ["LinkTransaction", "PaymentLink", "PaymentLinkDetails", "PaymentLinkStatus"]


@dataclass(frozen=True, slots=True)
class PaymentLink:
    """A payment link PortOne created (or already had, when ``recovered`` is True).

    Attributes:
        payment_link_ref: PortOne's reference of the link.
        url: The checkout URL to send the buyer to; None when PortOne's answer did not carry
            it, which is the case for a recovered link: PortOne's status lookup has no URL,
            and it is not rebuilt from the reference because PortOne documents no rule for
            it (its examples put sandbox links on ``checkout.portone.cloud`` in one place and
            on ``stage-checkout.portone.cloud`` in another), and a guessed URL could send a
            buyer to the wrong checkout. PortOne's console shows the link's URL.
        merchant_order_id: Your id of the order.
        recovered: True when PortOne already had this link (a retried create, or
            ``resolve_duplicate``) and it was looked up by ``merchant_order_id`` rather than
            created by this call.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    payment_link_ref: str
    url: str | None
    merchant_order_id: str
    recovered: bool
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def created(cls, data: Mapping[str, Any], merchant_order_id: str) -> PaymentLink:
        """Read PortOne's answer to a link creation.

        Args:
            data: The decoded JSON answer.
            merchant_order_id: The id the link was created under.
        """
        # https://docs.portone.cloud/docs/payment-link-api: a bare object, no envelope.
        return cls(
            payment_link_ref=_text(data, "payment_link_ref"),
            url=_optional_text(data, "payment_link", "link"),
            merchant_order_id=merchant_order_id,
            recovered=False,
            raw=frozen(data),
        )

    @classmethod
    def recovered_from(cls, status: PaymentLinkStatus, merchant_order_id: str) -> PaymentLink:
        """The link PortOne already had, from its status lookup (``recovered=True``).

        Args:
            status: The looked-up status of the link.
            merchant_order_id: The id the link was created under.
        """
        return cls(
            payment_link_ref=status.payment_link_ref,
            url=status.url,
            merchant_order_id=status.merchant_order_ref or merchant_order_id,
            recovered=True,
            raw=status.raw,
        )


@dataclass(frozen=True, slots=True)
class LinkTransaction:
    """One payment attempt made on a payment link.

    Attributes:
        merchant_order_ref: The attempt's own merchant ref (PortOne appends ``_1``, ``_2``...
            to the link's): what ``transactions.status`` takes.
        channel_order_ref: The payment channel's own reference.
        status: The attempt's status.
        status_code: PortOne's status code of the attempt.
        status_reason: PortOne's status reason.
        created_at: When it was made, as PortOne wrote it.
        raw: The attempt as PortOne sent it, read-only (left out of ``repr``).
    """

    merchant_order_ref: str
    channel_order_ref: str
    status: str
    status_code: str
    status_reason: str
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinkTransaction:
        """Read one item of a link's ``transactionsList``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            merchant_order_ref=_text(data, "merchantOrderRef", "merchant_order_ref"),
            channel_order_ref=_text(data, "channelOrderRef", "channel_order_ref"),
            status=_text(data, "status"),
            status_code=_text(data, "statusCode", "status_code"),
            status_reason=_text(data, "statusReason", "status_reason"),
            created_at=_text(data, "createdAt", "created_at"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class PaymentLinkStatus:
    """A payment link's state (``Created``, ``Processing``, ``Success``, ``Expired``,
    ``Cancelled``) and the payment attempts made on it.

    Attributes:
        payment_link_ref: PortOne's reference of the link.
        merchant_order_ref: Your id of the order.
        status: The link's state.
        url: The checkout URL, when PortOne sent it.
        transactions: The payment attempts, oldest first.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    payment_link_ref: str
    merchant_order_ref: str
    status: str
    url: str | None
    transactions: tuple[LinkTransaction, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaymentLinkStatus:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        # PortOne answers this one in camelCase; snake_case is read too, should it change.
        content = _content(data)
        attempts = content.get("transactionsList", content.get("transactions_list"))
        return cls(
            payment_link_ref=_text(content, "paymentLinkRef", "payment_link_ref"),
            merchant_order_ref=_text(content, "merchantOrderRef", "merchant_order_ref"),
            status=_text(content, "status"),
            url=_optional_text(content, "link", "paymentLink", "payment_link"),
            transactions=tuple(LinkTransaction.from_json(t) for t in _objects(attempts)),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class PaymentLinkDetails:
    """A payment link as PortOne stores it, returned by an update.

    Attributes:
        merchant_order_id: Your id of the order.
        status: The link's state.
        url: The checkout URL, when PortOne sent it.
        amount: The amount the link asks for.
        currency: ISO 4217 currency code.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    merchant_order_id: str
    status: str
    url: str | None
    amount: Decimal | None
    currency: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaymentLinkDetails:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        content = _content(data)
        return cls(
            merchant_order_id=_text(content, "merchant_order_id", "link_order_ref"),
            status=_text(content, "status"),
            url=_optional_text(content, "link", "payment_link"),
            amount=_decimal(content, "amount"),
            currency=_text(content, "currency"),
            raw=frozen(data),
        )
