"""What PortOne's answers become: frozen records with typed fields and the raw JSON.

PortOne adds fields without notice and spells some answers in camelCase (payment-link status)
and others in snake_case, so parsing is tolerant: a missing text field reads as ``""`` (PortOne's
own convention for "empty"), a missing number or flag as ``None``, and everything PortOne sent
stays in ``raw``. ``raw`` is left out of ``repr`` (it carries buyer names, e-mails and phone
numbers, and results end up in logs) and out of ``hash``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .._events_webhook import frozen

__all__ = [
    "Refund",
    "RefundSummary",
    "Transaction",
    "TransactionStatus",
    "WebhookEndpoint",
]


def _text(data: Mapping[str, Any], name: str, *others: str) -> str:
    """The first of ``name, *others`` (spellings of one field) with a non-empty value, or ``""``.

    Numbers are written out. An empty string is PortOne's "nothing here", so it never wins
    over another spelling that carries a value: an answer with ``status_code: ""`` next to
    ``statusCode: "2000"`` reads ``"2000"``, whichever spelling comes first.
    """
    value = data.get(name)
    # The usual case, answered before the loop: the first spelling holds an exact string
    # (json.loads makes no other kind) and nothing could win over it.
    if type(value) is str and (value or not others):
        return value
    for spelling in (name, *others):
        value = data.get(spelling)
        if isinstance(value, str):
            if value:
                return value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return ""


def _optional_text(data: Mapping[str, Any], name: str, *others: str) -> str | None:
    return _text(data, name, *others) or None


def _decimal(data: Mapping[str, Any], *names: str) -> Decimal | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, bool) or value is None:
            continue
        try:
            # repr: a JSON float's shortest form (100.5, not 100.5000000000000000277...).
            number = Decimal(repr(value) if isinstance(value, float) else str(value))
        except (InvalidOperation, ValueError):
            continue
        if number.is_finite():
            return number
    return None


def _flag(data: Mapping[str, Any], name: str) -> bool | None:
    value = data.get(name)
    return value if isinstance(value, bool) else None


def _objects(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _content(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``data["content"]`` when PortOne wrapped the answer in its envelope, else ``data``."""
    content = data.get("content")
    # Most answers have no envelope: None is answered before the (slow) Mapping ABC check.
    if content is None:
        return data
    return content if type(content) is dict or isinstance(content, Mapping) else data


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """The status of one payment attempt (``Success``, ``Failed``, ``Pending``, ``Expired``...).

    Attributes:
        order_ref: PortOne's reference: the one refunds and ``transactions.details`` take.
        channel_order_ref: The payment channel's own reference.
        status: The attempt's status.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    channel_order_ref: str
    status: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransactionStatus:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        content = _content(data)
        # Positional: a frozen record's __init__ is the dearest part of the status call.
        return cls(
            _text(content, "order_ref"),
            _text(content, "channel_order_ref"),
            _text(content, "status"),
            frozen(data),
        )


@dataclass(frozen=True, slots=True)
class Transaction:
    """A payment attempt in full, from the details lookup or the payments listing.

    Text fields PortOne left out read as ``""``, numbers and flags as ``None``.

    Attributes:
        order_ref: PortOne's reference of the payment.
        merchant_order_ref: Your reference (for a link's attempt, the link's with ``_1``...).
        channel_order_ref: The payment channel's own reference.
        status: ``Success``, ``Failed``, ``Pending``...
        status_code: PortOne's status code of the attempt (``"2000"`` on success).
        status_reason: PortOne's status reason.
        amount: The amount paid.
        currency: ISO 4217 currency code.
        country_code: ISO 3166 alpha-2 country code.
        channel_key: The payment channel (e.g. ``"OMISE"``): what a refund's ``channel`` takes.
        method_name: The payment method.
        payment_link_ref: The payment link it was paid on, if any.
        created_at: When it was created, as PortOne wrote it.
        is_refund_allowed: Whether PortOne allows refunding it.
        is_multi_refund_allowed: Whether it may be refunded more than once.
        refund_status: PortOne's refund status, ``""`` while nothing was refunded.
        raw: PortOne's whole answer (the details lookup's envelope included), or the item of
            the listing, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    channel_order_ref: str
    status: str
    status_code: str
    status_reason: str
    amount: Decimal | None
    currency: str
    country_code: str
    channel_key: str
    method_name: str
    payment_link_ref: str
    created_at: str
    is_refund_allowed: bool | None
    is_multi_refund_allowed: bool | None
    refund_status: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transaction:
        """Read one transaction; the details lookup wraps it in ``content``, the listing not.

        Args:
            data: The decoded JSON answer, or one item of the listing.
        """
        item = _content(data)
        return cls(
            order_ref=_text(item, "order_ref"),
            merchant_order_ref=_text(item, "merchant_order_ref"),
            channel_order_ref=_text(item, "channel_order_ref"),
            status=_text(item, "status"),
            # The details schema says statusCode, its example and the listing say status_code.
            status_code=_text(item, "status_code", "statusCode"),
            status_reason=_text(item, "status_reason", "statusReason"),
            amount=_decimal(item, "amount"),
            currency=_text(item, "currency"),
            country_code=_text(item, "country_code"),
            channel_key=_text(item, "channel_key"),
            method_name=_text(item, "method_name"),
            payment_link_ref=_text(item, "payment_link_ref"),
            # The details lookup calls it "date", the listing and webhooks "created_at".
            created_at=_text(item, "created_at", "date"),
            is_refund_allowed=_flag(item, "is_refund_allowed"),
            is_multi_refund_allowed=_flag(item, "is_multi_refund_allowed"),
            refund_status=_text(item, "refund_status"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class Refund:
    """One refund of a payment.

    Attributes:
        refund_id: PortOne's id of the refund.
        psp_refund_id: The payment channel's id of the refund.
        amount: The amount refunded.
        currency: ISO 4217 currency code.
        status: PortOne's ``refund_status``, e.g. ``"SUCCESS"``.
        refund_type: The refund type as PortOne wrote it (e.g. ``"partial"``).
        reason: The reason given.
        refunded_at: When, as PortOne wrote it.
        raw: The refund as PortOne sent it, read-only (left out of ``repr``).
    """

    refund_id: str
    psp_refund_id: str
    amount: Decimal | None
    currency: str
    status: str
    refund_type: str
    reason: str
    refunded_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Refund:
        """Read one item of ``refundDetails``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            refund_id=_text(data, "refund_id"),
            psp_refund_id=_text(data, "psp_refund_id"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            status=_text(data, "refund_status"),
            refund_type=_text(data, "refund_type"),
            reason=_text(data, "refund_reason"),
            refunded_at=_text(data, "refund_date"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class RefundSummary:
    """Every refund of one payment, and the amount that can still be refunded.

    Attributes:
        amount_to_refund: What can still be refunded.
        refunds: Every refund, oldest first.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    amount_to_refund: Decimal | None
    refunds: tuple[Refund, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @property
    def latest(self) -> Refund | None:
        """The most recent refund (PortOne lists them oldest first)."""
        return self.refunds[-1] if self.refunds else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefundSummary:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
        """
        # https://docs.portone.cloud/docs/refund: a bare object, camelCase at the top only.
        body = _content(data)
        return cls(
            amount_to_refund=_decimal(body, "amountToRefund", "amount_to_refund"),
            refunds=tuple(
                Refund.from_json(r)
                for r in _objects(body.get("refundDetails", body.get("refund_details")))
            ),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A URL PortOne posts one type of webhook to.

    Attributes:
        name: The name it was registered under.
        uuid: PortOne's id of the endpoint.
        url: Where PortOne posts.
        type: The webhook type, e.g. ``"payment_status"``.
        enabled: Whether PortOne posts to it.
        created_at: When it was registered, as PortOne wrote it.
        raw: PortOne's whole answer to the registration (envelope included), or the item
            of the listing, read-only (left out of ``repr``).
    """

    name: str
    uuid: str
    url: str
    type: str
    enabled: bool | None
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WebhookEndpoint:
        """Read one registered endpoint.

        Args:
            data: The decoded JSON object: the registration's answer (the endpoint wrapped in
                ``content``) or one item of the listing.
        """
        item = _content(data)
        return cls(
            name=_text(item, "name"),
            uuid=_text(item, "uuid"),
            url=_text(item, "url"),
            type=_text(item, "type"),
            enabled=_flag(item, "enabled"),
            created_at=_text(item, "created_at"),
            raw=frozen(data),
        )
