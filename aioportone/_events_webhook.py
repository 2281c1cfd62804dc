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

    Attributes:
        order_ref: PortOne's reference for the transaction (the one refunds and details
            lookups take).
        merchant_order_ref: Your reference of the payment.
        channel_order_ref: The payment channel's own reference.
        channel_key: The payment channel (e.g. ``"OMISE"``).
        method_name: The payment method.
        country_code: ISO 3166 alpha-2 country code.
        status: The payment's status, e.g. ``"Success"``.
        amount: The amount, as signed.
        currency: ISO 4217 currency code.
        raw: The whole payload, read-only; fields not listed above are not authenticated.
    """

    order_ref: str
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
    """A payment-link webhook whose ``signature_hash`` matched.

    Attributes:
        link_ref: PortOne's reference of the payment link.
        merchant_order_ref: Your id of the order.
        status: The link's state, e.g. ``"Success"``.
        amount: The amount, as signed.
        currency: ISO 4217 currency code.
        country_code: ISO 3166 alpha-2 code; read from the payload's ``countryCode`` when it
            has no ``country_code``.
        raw: The whole payload, read-only; fields not listed above are not authenticated.
    """

    link_ref: str
    merchant_order_ref: str
    status: str
    amount: Decimal
    currency: str
    country_code: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)


@dataclass(frozen=True, slots=True)
class SubscriptionLinkEvent:
    """A subscription-link webhook whose ``signature_hash`` matched.

    The amounts (``collected_amount``, ``recurring_amount``, ...) are not signed; they are in
    ``raw`` only.

    Attributes:
        order_ref: PortOne's reference of the subscription order.
        merchant_order_ref: Your reference of the subscription.
        status: Its status.
        currency: ISO 4217 currency code.
        raw: The whole payload, read-only; fields not listed above are not authenticated.
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

    Attributes:
        order_ref: PortOne's reference of the payment.
        merchant_order_ref: Your reference of the payment.
        channel_order_ref: The payment channel's own reference.
        status: The payment's status.
        raw: Every query parameter, read-only; those not listed above are not authenticated.
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

    Attributes:
        order_ref: PortOne's reference of the refunded payment (the payload's
            ``payment_txn_ref``).
        refund_id: The refund's id, if the payload has one.
        refund_status: The refund's status, if given.
        amount: The amount, if given.
        currency: The currency, if given.
        raw: The whole payload, read-only; none of it is authenticated.
    """

    order_ref: str
    refund_id: str | None
    refund_status: str | None
    amount: Decimal | None
    currency: str | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)


WebhookEvent = PaymentEvent | PaymentLinkEvent | SubscriptionLinkEvent | RefundEvent
"""Any event :func:`aioportone.webhooks.webhook_handler` can pass to its callback."""
