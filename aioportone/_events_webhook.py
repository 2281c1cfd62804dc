"""What a verified webhook or redirect becomes: a frozen record, typed fields plus the raw payload.

The typed fields of a signed event are exactly the fields PortOne's signature covers, so every
typed value is authenticated. Everything else PortOne sends (``status_code``, buyer details,
``payment_link_ref``, ...) is kept in ``raw`` but is *not* covered by the signature: treat it as
information, not proof. PortOne adds payload fields without notice, hence ``raw``.

``raw`` is left out of ``repr`` (it carries buyer names, e-mails and phone numbers, and events end
up in logs) and out of ``hash`` (it is a mapping); it still takes part in ``==``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

__all__ = [
    "PaymentEvent",
    "PaymentLinkEvent",
    "RedirectResult",
    "RefundEvent",
    "SubscriptionLinkEvent",
    "WebhookEvent",
    "frozen",
]


def frozen(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of ``payload``: the ``raw`` of every event and resource record.

    A mapping that is already read-only is kept as it is: the resources hand over the dict
    ``json.loads`` made for an answer, wrapped, and copying it again would only cost time.
    """
    if type(payload) is MappingProxyType:
        return payload
    return MappingProxyType(dict(payload))


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A payment webhook whose ``signature_hash`` matched.

    PortOne asks merchants to also check ``amount`` and ``currency`` against their own record of
    ``merchant_order_ref`` before fulfilling the order.
    """

    order_ref: str
    """PortOne's reference for the transaction (the one refunds and status lookups take)."""
    merchant_order_ref: str
    channel_order_ref: str
    channel_key: str
    method_name: str
    country_code: str
    status: str
    amount: Decimal
    currency: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)


@dataclass(frozen=True, slots=True)
class PaymentLinkEvent:
    """A payment-link webhook whose ``signature_hash`` matched."""

    link_ref: str
    merchant_order_ref: str
    status: str
    amount: Decimal
    currency: str
    country_code: str
    """Read from the payload's ``countryCode`` when it has no ``country_code``."""
    raw: Mapping[str, Any] = field(repr=False, hash=False)


@dataclass(frozen=True, slots=True)
class SubscriptionLinkEvent:
    """A subscription-link webhook whose ``signature_hash`` matched.

    The amounts (``collected_amount``, ``recurring_amount``, ...) are not signed; they are in
    ``raw`` only.
    """

    order_ref: str
    merchant_order_ref: str
    status: str
    currency: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)


@dataclass(frozen=True, slots=True)
class RedirectResult:
    """The query parameters of a success/failure redirect whose ``signature_hash`` matched.

    ``amount`` and ``currency`` travel in the redirect too but are not signed, so they are only
    in ``raw``; confirm them with a transaction status lookup before trusting them.
    """

    order_ref: str
    merchant_order_ref: str
    channel_order_ref: str
    status: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)


@dataclass(frozen=True, slots=True)
class RefundEvent:
    """A refund webhook. **Unsigned**: anyone who knows your URL can send one.

    Use it only as a hint that something changed, and reconcile with
    ``await portone.refunds.get(event.order_ref)``, which asks PortOne itself.
    """

    order_ref: str
    """PortOne's reference of the refunded payment (the payload's ``payment_txn_ref``)."""
    refund_id: str | None
    refund_status: str | None
    amount: Decimal | None
    currency: str | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)


WebhookEvent = PaymentEvent | PaymentLinkEvent | SubscriptionLinkEvent | RefundEvent
"""Any event :func:`aioportone.webhooks.webhook_handler` can pass to its callback."""
