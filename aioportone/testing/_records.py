"""The records the fake PortOne keeps: transactions, their refunds, payment links, webhook
endpoints and the webhooks it delivered, each able to write itself in PortOne's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "FINAL_LINK_STATUSES",
    "Delivery",
    "PaymentLink",
    "Refund",
    "Transaction",
    "WebhookEndpoint",
    "iso_time",
    "json_number",
]

# Link statuses after which a link can no longer be paid, changed or cancelled.
# https://docs.portone.cloud/docs/life-cycle
FINAL_LINK_STATUSES = frozenset({"Success", "Expired", "Cancelled"})


def iso_time(when: float) -> str:
    """A timestamp as PortOne writes them: ``2022-06-14T09:30:45.152761Z``."""
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number PortOne would write (``500``, ``100.5``)."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Refund:
    """One refund, as PortOne lists it under ``refundDetails``.

    Attributes:
        refund_id: PortOne's id of the refund.
        psp_refund_id: The payment channel's id of the refund.
        amount: The amount refunded.
        currency: ISO 4217 currency code.
        refund_type: ``"full"`` or ``"partial"``.
        reason: The refund reason.
        description: The refund description.
        refunded_at: When, in the fake's time.
        status: PortOne's refund status.
    """

    refund_id: str
    psp_refund_id: str
    amount: Decimal
    currency: str
    refund_type: str
    reason: str
    description: str
    refunded_at: float
    status: str = "SUCCESS"

    def as_json(self) -> dict[str, Any]:
        return {
            "refund_date": iso_time(self.refunded_at),
            "refund_id": self.refund_id,
            "psp_refund_id": self.psp_refund_id,
            "amount": json_number(self.amount),
            "currency": self.currency,
            "refund_status": self.status,
            "refund_type": self.refund_type,
            "refund_reason": self.reason,
        }


@dataclass
class Transaction:
    """A payment attempt as PortOne stores it.

    ``is_partial_refund_allowed`` plays a payment channel that refunds only in full (4081).

    Attributes:
        order_ref: PortOne's reference.
        merchant_order_ref: The merchant's reference.
        amount: The amount paid.
        currency: ISO 4217 currency code.
        status: ``"Success"``, ``"Failed"``, ``"Pending"``...
        channel_order_ref: The payment channel's reference.
        channel_key: The payment channel.
        method_name: The payment method.
        country_code: ISO 3166 alpha-2 country code.
        payment_link_ref: The link it was paid on, if any.
        link_order_ref: That link's merchant order id, if any.
        environment: ``"sandbox"`` or ``"live"``.
        created_at: When, in the fake's time.
        is_refund_allowed: Whether refunds are accepted.
        is_multi_refund_allowed: Whether more than one refund is accepted.
        is_partial_refund_allowed: Whether partial refunds are accepted.
        captured: Whether a capture was made.
        refunds: Its refunds, oldest first.
        extra: Further fields added to its JSON.
    """

    order_ref: str
    merchant_order_ref: str
    amount: float
    currency: str
    status: str = "Success"
    channel_order_ref: str = ""
    channel_key: str = "FAKEPSP"
    method_name: str = "Card"
    country_code: str = "TH"
    payment_link_ref: str = ""
    link_order_ref: str = ""
    environment: str = "sandbox"
    created_at: float = 0.0
    is_refund_allowed: bool = True
    is_multi_refund_allowed: bool = True
    is_partial_refund_allowed: bool = True
    captured: bool = False
    refunds: list[Refund] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def refundable(self) -> Decimal:
        """What is left to refund."""
        paid = Decimal(repr(self.amount) if isinstance(self.amount, float) else self.amount)
        return paid - sum((r.amount for r in self.refunds), Decimal(0))

    def status_content(self) -> dict[str, Any]:
        return {
            "order_ref": self.order_ref,
            "channel_order_ref": self.channel_order_ref,
            "status": self.status,
        }

    def details(self) -> dict[str, Any]:
        return {
            "order_ref": self.order_ref,
            "merchant_order_ref": self.merchant_order_ref,
            "channel_order_ref": self.channel_order_ref,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "status_code": "2000" if self.status == "Success" else "",
            "status_reason": "SUCCESS" if self.status == "Success" else "",
            "channel_key": self.channel_key,
            "method_name": self.method_name,
            "country_code": self.country_code,
            "payment_link_ref": self.payment_link_ref,
            "created_at": iso_time(self.created_at),
            "is_refund_allowed": self.is_refund_allowed,
            "is_multi_refund_allowed": self.is_multi_refund_allowed,
            "refund_status": self.refund_status,
            "refund_completed": bool(self.refunds) and self.refundable == 0,
            **self.extra,
        }

    @property
    def refund_status(self) -> str:
        if not self.refunds:
            return ""
        return "FULL_REFUNDED" if self.refundable == 0 else "PARTIAL_REFUNDED"


@dataclass
class PaymentLink:
    """A payment link; ``body`` is the creation request as received (updates merge into it).

    Attributes:
        ref: PortOne's reference of the link.
        owner_key: The merchant's PortOne key.
        merchant_order_id: The merchant's id of the order.
        body: The creation request's JSON body, with updates merged in.
        created_at: When, in the fake's time.
        status: ``"Created"``, ``"Processing"``, ``"Success"``, ``"Cancelled"``...
        attempts: The payment attempts made on it.
    """

    ref: str
    owner_key: str
    merchant_order_id: str
    body: dict[str, Any]
    created_at: float
    status: str = "Created"
    attempts: list[Transaction] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://checkout.portone.cloud?ref={self.ref}"

    def status_content(self) -> dict[str, Any]:
        # payment.yaml PaymentLinkContent: camelCase, unlike the rest of the API. "link" is
        # not in the schema but PortOne sends it (the WooCommerce plugin reads content.link).
        return {
            "merchantOrderRef": self.merchant_order_id,
            "paymentLinkRef": self.ref,
            "status": self.status,
            "link": self.url,
            "transactionsList": [
                {
                    "channelOrderRef": t.channel_order_ref,
                    "createdAt": iso_time(t.created_at),
                    "merchantOrderRef": t.merchant_order_ref,
                    "status": t.status,
                    "statusCode": "2000" if t.status == "Success" else "4001",
                    "statusReason": "SUCCESS" if t.status == "Success" else "FAILED",
                }
                for t in self.attempts
            ],
        }

    def details(self) -> dict[str, Any]:
        shown = {k: v for k, v in self.body.items() if k != "signature_hash"}
        return {
            **shown,
            "status": self.status,
            "link": self.url,
            "link_order_ref": self.merchant_order_id,
            "created_at": iso_time(self.created_at),
        }


@dataclass
class WebhookEndpoint:
    """A registered webhook URL.

    Attributes:
        owner_key: The merchant's PortOne key.
        name: Its name.
        url: Where webhooks are posted.
        type: The webhook type, e.g. ``"payment_status"``.
        environment: ``"sandbox"`` or ``"live"``.
        uuid: Its id.
        created_at: When, in the fake's time.
        enabled: Whether webhooks are posted to it.
    """

    owner_key: str
    name: str
    url: str
    type: str
    environment: str
    uuid: str
    created_at: float
    enabled: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "uuid": self.uuid,
            "url": self.url,
            "enabled": self.enabled,
            "created_at": iso_time(self.created_at),
            "type": self.type,
        }


@dataclass(frozen=True)
class Delivery:
    """One webhook the fake posted: where, what, and the HTTP status it got (None: no answer).

    Attributes:
        url: Where it was posted.
        type: The webhook type, e.g. ``"payment_status"``.
        payload: The JSON body posted.
        status: The HTTP status of the answer; None when there was none.
    """

    url: str
    type: str
    payload: dict[str, Any]
    status: int | None
