"""What PortOne's subscription answers become: plans, subscriptions, deductions, their payments.

Read as tolerantly as the other answers (see :mod:`aioportone._resources._models`): a missing
text reads as ``""``, a missing number or flag as ``None``, and ``raw`` keeps the whole answer
out of ``repr`` and ``hash``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._events_webhook import frozen
from ._models import _content, _decimal, _flag, _objects, _text

__all__ = [
    "Deduction",
    "NewPlan",
    "NewSubscription",
    "Plan",
    "Subscription",
    "SubscriptionTransaction",
    "subscription_transactions",
]


def _int(data: Mapping[str, Any], name: str) -> int | None:
    """A whole number, also when written as text (subscription.yaml types ``collected_count``
    as a string, its example as a number)."""
    value = data.get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class NewPlan:
    """A plan PortOne just created.

    Attributes:
        order_ref: PortOne's reference of the plan: what subscriptions are created on.
        merchant_order_ref: Your reference of the plan.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], merchant_order_ref: str) -> NewPlan:
        """Read PortOne's answer to a plan creation.

        Args:
            data: The decoded JSON answer.
            merchant_order_ref: The reference the plan was created under.
        """
        return cls(
            order_ref=_text(data, "order_ref"),
            merchant_order_ref=_text(data, "merchant_order_ref") or merchant_order_ref,
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan as PortOne stores it.

    Attributes:
        order_ref: PortOne's reference of the plan.
        merchant_order_ref: Your reference of the plan.
        name: The plan's name.
        description: The plan's description.
        plan_type: ``"REGULAR"`` or ``"ONDEMAND"``.
        amount: A regular plan's amount per deduction (None for an on-demand plan).
        currency: ISO 4217 currency code.
        frequency: Every how many ``period`` a regular plan deducts.
        period: ``H``, ``D``, ``W``, ``M``, ``Q`` or ``Y``.
        is_active: False once the plan is cancelled.
        environment: ``"sandbox"`` or ``"live"``.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    name: str
    description: str
    plan_type: str
    amount: Decimal | None
    currency: str
    frequency: int | None
    period: str
    is_active: bool | None
    environment: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], order_ref: str = "") -> Plan:
        """Read PortOne's answer to a plan lookup.

        Args:
            data: The decoded JSON answer.
            order_ref: The reference it was looked up by, when the answer lacks it.
        """
        content = _content(data)
        return cls(
            order_ref=_text(content, "order_ref") or order_ref,
            merchant_order_ref=_text(content, "merchant_order_ref"),
            name=_text(content, "name"),
            description=_text(content, "description"),
            plan_type=_text(content, "plan_type"),
            amount=_decimal(content, "amount"),
            currency=_text(content, "currency"),
            frequency=_int(content, "frequency"),
            period=_text(content, "period"),
            is_active=_flag(content, "is_active"),
            environment=_text(content, "environment"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class NewSubscription:
    """A subscription PortOne just created; send the customer to ``url`` to subscribe.

    Attributes:
        order_ref: PortOne's reference of the subscription.
        merchant_order_ref: Your reference of the subscription.
        url: The subscription link (``https://subscription.portone.cloud/?ref=...``); None
            when PortOne's answer did not carry it.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    url: str | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], merchant_order_ref: str) -> NewSubscription:
        """Read PortOne's answer to a subscription creation.

        Args:
            data: The decoded JSON answer.
            merchant_order_ref: The reference the subscription was created under.
        """
        return cls(
            order_ref=_text(data, "order_ref"),
            merchant_order_ref=_text(data, "merchant_order_ref") or merchant_order_ref,
            url=_text(data, "subscription_link") or None,
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as PortOne stores it, with what it collected so far.

    https://docs.portone.cloud/docs/subscription-link-lifecycle: ``Created`` until the customer
    subscribes, then ``Active``, ``Completed`` after the last deduction; or ``Expired``,
    ``Cancelled``.

    Attributes:
        order_ref: PortOne's reference of the subscription.
        merchant_order_ref: Your reference of the subscription.
        plan_order_ref: PortOne's reference of its plan.
        subscription_type: ``"REGULAR"`` or ``"ONDEMAND"``.
        status: Its state in the lifecycle above.
        currency: ISO 4217 currency code.
        quantity: How many of the plan a regular subscription buys per deduction.
        recurrence_count: How many deductions a regular subscription makes (PortOne's
            ``recurrance_count``).
        plan_amount: The plan's amount.
        total_amount: What the whole subscription costs.
        collected_amount: What was collected so far.
        collected_count: How many deductions were collected so far.
        next_deduction_amount: The amount of the next deduction.
        next_deduction_date: When it is due, as PortOne wrote it (``""`` when none is).
        in_trial: Whether the trial period is running.
        environment: ``"sandbox"`` or ``"live"``.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    plan_order_ref: str
    subscription_type: str
    status: str
    currency: str
    quantity: int | None
    recurrence_count: int | None
    plan_amount: Decimal | None
    total_amount: Decimal | None
    collected_amount: Decimal | None
    collected_count: int | None
    next_deduction_amount: Decimal | None
    next_deduction_date: str
    in_trial: bool | None
    environment: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], order_ref: str = "") -> Subscription:
        """Read PortOne's answer to a subscription lookup.

        Args:
            data: The decoded JSON answer.
            order_ref: The reference it was looked up by (subscription.yaml's answer does not
                repeat it).
        """
        content = _content(data)
        return cls(
            order_ref=_text(content, "order_ref") or order_ref,
            merchant_order_ref=_text(content, "merchant_order_ref"),
            plan_order_ref=_text(content, "plan_order_ref"),
            subscription_type=_text(content, "subscription_type"),
            status=_text(content, "status"),
            currency=_text(content, "currency"),
            quantity=_int(content, "quantity"),
            recurrence_count=_int(content, "recurrance_count"),
            plan_amount=_decimal(content, "plan_amount"),
            total_amount=_decimal(content, "total_amount"),
            collected_amount=_decimal(content, "collected_amount"),
            collected_count=_int(content, "collected_count"),
            next_deduction_amount=_decimal(content, "next_deduction_amount"),
            next_deduction_date=_text(content, "next_deduction_date"),
            in_trial=_flag(content, "in_trial"),
            environment=_text(content, "environment"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class Deduction:
    """An on-demand deduction PortOne accepted. It is processed afterwards: its outcome is in
    ``subscriptions.transactions(...)`` (and the payment webhook).

    Attributes:
        order_ref: PortOne's reference of the deduction's payment.
        merchant_order_ref: Your reference of the deduction.
        status: PortOne's status of it when answering (``"Initiated"``).
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    status: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], merchant_order_ref: str) -> Deduction:
        """Read PortOne's answer to a deduction.

        Args:
            data: The decoded JSON answer.
            merchant_order_ref: The reference the deduction was made under.
        """
        return cls(
            order_ref=_text(data, "order_ref"),
            merchant_order_ref=_text(data, "merchant_order_ref") or merchant_order_ref,
            status=_text(data, "status"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class SubscriptionTransaction:
    """One payment of a subscription: a regular deduction, an on-demand one, or the first.

    Attributes:
        order_ref: PortOne's reference of the payment (what refunds take).
        merchant_order_ref: Its merchant reference (PortOne's own for regular deductions).
        channel_order_ref: The payment channel's reference.
        channel_name: The payment channel, e.g. ``"ONEPAY"``.
        method_key: The payment method, e.g. ``"ONEPAY_SUBSCRIPTION_CARD"``.
        amount: The amount.
        currency: ISO 4217 currency code.
        status: ``"Success"``, ``"Failed"``...
        refund_status: PortOne's refund status, ``""`` while nothing was refunded.
        created_at: When, as PortOne wrote it.
        raw: The payment as PortOne sent it, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    channel_order_ref: str
    channel_name: str
    method_key: str
    amount: Decimal | None
    currency: str
    status: str
    refund_status: str
    created_at: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubscriptionTransaction:
        """Read one item of a subscription's ``txns-records``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            order_ref=_text(data, "order_ref"),
            merchant_order_ref=_text(data, "merchant_order_ref"),
            channel_order_ref=_text(data, "channel_order_ref"),
            channel_name=_text(data, "channel_name"),
            method_key=_text(data, "method_key"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            status=_text(data, "status"),
            refund_status=_text(data, "refund_status"),
            created_at=_text(data, "created_at"),
            raw=frozen(data),
        )


def subscription_transactions(data: Mapping[str, Any]) -> tuple[SubscriptionTransaction, ...]:
    """The payments in a ``txns-records`` answer, oldest first as PortOne lists them."""
    return tuple(SubscriptionTransaction.from_json(item) for item in _objects(data.get("content")))
