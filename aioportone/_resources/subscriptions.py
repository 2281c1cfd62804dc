"""Subscriptions: plans, subscription links, on-demand deductions, and their payments.

Plans, subscriptions and deductions are signed locally (no call to a signature API). One
resource, three modules: the plan methods live in :mod:`.subscription_plans`, the deductions in
:mod:`.subscription_deductions`, and the send-once write they all use (and why no creation or
charge is ever replayed) in :mod:`._subscription_common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._config import path_segment, text, whole_number
from .._errors import ConfigurationError
from ._models_subscriptions import (
    NewSubscription,
    Subscription,
    SubscriptionTransaction,
    subscription_transactions,
)
from ._subscription_common import (
    MAX_COUNT,
    NO_LOOKUP,
    PERIODS,
    SOURCES,
    TYPES,
    Period,
    Source,
    SubscriptionType,
    as_bool,
    check_costs,
    check_none_for,
    check_notes,
    customer_fields,
    write_once,
)
from ._validate import (
    Environment,
    body_fields,
    check_choice,
    check_currency,
    check_environment,
    check_iso_datetime,
    check_url,
    parse_object,
    wire_amount,
)
from .subscription_deductions import SubscriptionDeductions
from .subscription_plans import SubscriptionPlans

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Subscriptions"]

# Body fields create() sets from its arguments; ``extra`` may not override them.
_SUBSCRIPTION_FIELDS = frozenset(
    {
        "portone_key",
        "signature_hash",
        "merchant_order_ref",
        "description",
        "source",
        "customer_email_address",
        "customer_name",
        "customer_phone_number",
        "currency",
        "environment",
        "notify_by_email",
        "notify_by_phone",
        "plan_order_ref",
        "notes",
        "additional_costs",
        "success_url",
        "failure_url",
        "pending_url",
        "subscription_type",
        "initial_amount",
        "allow_accumulate",
        "quantity",
        "recurrance_count",
        "started_at",
        "trial_frequency",
        "trial_period",
        "expiry_date",
    }
)


class Subscriptions(SubscriptionPlans, SubscriptionDeductions):
    """``portone.subscriptions``: plans, subscription links, deductions, and their payments.

    A plan says what is charged (a fixed amount every period, or on demand); a subscription
    on it is a link the customer opens to subscribe; after that PortOne deducts on schedule
    (regular), or when you call :meth:`deduct` (on demand).

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    # -- subscriptions --------------------------------------------------------------------------

    async def create(
        self,
        *,
        plan_order_ref: str,
        subscription_type: SubscriptionType,
        merchant_order_ref: str,
        currency: str,
        success_url: str,
        failure_url: str,
        pending_url: str,
        quantity: int | None = None,
        recurrence_count: int | None = None,
        allow_accumulate: bool | None = None,
        initial_amount: int | float | Decimal | None = None,
        started_at: datetime | None = None,
        expires_at: datetime | None = None,
        trial_frequency: int | None = None,
        trial_period: Period | None = None,
        customer_name: str | None = None,
        customer_email_address: str | None = None,
        customer_phone_number: str | None = None,
        notify_by_email: bool | None = None,
        notify_by_phone: bool | None = None,
        description: str | None = None,
        notes: Mapping[str, str] | None = None,
        additional_costs: Mapping[str, int | float | Decimal] | None = None,
        source: Source = "api",
        environment: Environment | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> NewSubscription:
        """Create a subscription link on a plan; send the customer to its ``url``.

        ``subscription_type`` is the plan's type. A ``"REGULAR"`` subscription buys
        ``quantity`` (default 1) of the plan ``recurrence_count`` times, and may start with a
        trial; an ``"ONDEMAND"`` one charges ``initial_amount`` when the customer subscribes,
        then whatever you :meth:`deduct`. The ``signature_hash`` is computed here (the regular
        recipe signs ``quantity`` too).

        Sent once: PortOne documents no duplicate check on ``merchant_order_ref``, so after an
        unknown outcome :class:`AmbiguousResultError` is raised rather than a second link
        risked.

        Args:
            plan_order_ref: PortOne's reference of the plan (``NewPlan.order_ref``).
            subscription_type: ``"REGULAR"`` or ``"ONDEMAND"``, as the plan.
            merchant_order_ref: Your unique reference of the subscription.
            currency: ISO 4217 code such as ``"THB"`` (the plan's).
            success_url: Where PortOne sends the customer after subscribing.
            failure_url: Where PortOne sends the customer after a failure.
            pending_url: Where PortOne sends the customer while the outcome is pending.
            quantity: How many of the plan each regular deduction buys (at least 1).
            recurrence_count: How many deductions a regular subscription makes (sent as
                PortOne's ``recurrance_count``); required for ``"REGULAR"``.
            allow_accumulate: Whether missed regular deductions accumulate (``Y``/``N``);
                False when None.
            initial_amount: What an on-demand subscription charges first; required for
                ``"ONDEMAND"``.
            started_at: When a regular subscription starts (timezone-aware); now when None.
            expires_at: When the subscription link stops working (timezone-aware).
            trial_frequency: How many ``trial_period`` a regular subscription's trial lasts.
            trial_period: ``"H"``, ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``.
            customer_name: The customer's name.
            customer_email_address: The customer's e-mail address.
            customer_phone_number: The customer's phone number, international format.
            notify_by_email: Whether PortOne e-mails the link to the customer.
            notify_by_phone: Whether PortOne texts the link to the customer.
            description: What the customer subscribes to.
            notes: Key-value notes kept with the subscription.
            additional_costs: Named extra amounts (``{"shipping": 25}``), charged once.
            source: PortOne's ``source`` field: ``"api"`` (default), ``"default"`` or
                ``"checkout"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
            extra: Further documented body fields (``country_code``, ...); they may not
                override the ones above.

        Returns:
            The subscription's references and link.

        Raises:
            AmbiguousResultError: The creation was sent and its outcome is unknown.
        """
        kind = check_choice("subscription_type", subscription_type, TYPES)
        ref = text("merchant_order_ref", merchant_order_ref)
        code = check_currency(currency)
        success = check_url("success_url", success_url)
        failure = check_url("failure_url", failure_url)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_ref": ref,
            "plan_order_ref": text("plan_order_ref", plan_order_ref),
            "subscription_type": kind,
            "currency": code,
            "success_url": success,
            "failure_url": failure,
            "pending_url": check_url("pending_url", pending_url),
            "source": check_choice("source", source, SOURCES),
            "environment": check_environment(environment, self._client.environment),
        }
        signed_quantity: int | None = None
        if kind == "REGULAR":
            if initial_amount is not None:
                raise ConfigurationError("initial_amount", "is for ONDEMAND subscriptions only")
            if recurrence_count is None:
                raise ConfigurationError("recurrence_count", "is required for a REGULAR one")
            signed_quantity = whole_number(
                "quantity", 1 if quantity is None else quantity, MAX_COUNT
            )
            body.update(
                quantity=signed_quantity,
                recurrance_count=whole_number("recurrence_count", recurrence_count, MAX_COUNT),
                allow_accumulate="Y" if as_bool("allow_accumulate", allow_accumulate) else "N",
            )
            if started_at is not None:
                body["started_at"] = check_iso_datetime("started_at", started_at)
            if (trial_frequency is None) != (trial_period is None):
                raise ConfigurationError("trial_period", "give trial_frequency and trial_period")
            if trial_frequency is not None:
                body["trial_frequency"] = whole_number(
                    "trial_frequency", trial_frequency, MAX_COUNT
                )
                body["trial_period"] = check_choice("trial_period", trial_period, PERIODS)
        else:
            check_none_for(
                "an ONDEMAND subscription",
                quantity=quantity,
                recurrence_count=recurrence_count,
                allow_accumulate=allow_accumulate,
                started_at=started_at,
                trial_frequency=trial_frequency,
                trial_period=trial_period,
            )
            if initial_amount is None:
                raise ConfigurationError("initial_amount", "is required for an ONDEMAND one")
            body["initial_amount"] = wire_amount(initial_amount, "initial_amount")
        body.update(
            customer_fields(
                customer_name=customer_name,
                customer_email_address=customer_email_address,
                customer_phone_number=customer_phone_number,
                description=description,
            )
        )
        for name, flag in (
            ("notify_by_email", notify_by_email),
            ("notify_by_phone", notify_by_phone),
        ):
            if flag is not None:
                body[name] = as_bool(name, flag)
        if expires_at is not None:
            body["expiry_date"] = check_iso_datetime("expires_at", expires_at)
        if notes is not None:
            body["notes"] = check_notes(notes)
        if additional_costs is not None:
            body["additional_costs"] = check_costs(additional_costs)
        body.update(body_fields(extra, _SUBSCRIPTION_FIELDS))
        body["signature_hash"] = self._client.signer.subscription(
            currency=code,
            merchant_order_ref=ref,
            success_url=success,
            failure_url=failure,
            quantity=signed_quantity,
        )
        data = await write_once(
            self._client,
            "POST",
            "/api/subscription/createSubscription",
            body,
            what=f"Creating the subscription {ref!r}",
            how_to_check=NO_LOOKUP.format(ref=ref),
        )
        return NewSubscription.from_json(data, ref)

    async def get(self, order_ref: str) -> Subscription:
        """The subscription with PortOne's reference ``order_ref``, with what it collected.

        Args:
            order_ref: PortOne's reference of the subscription (``NewSubscription.order_ref``).
        """
        ref = path_segment("order_ref", order_ref)
        return await self._client.request(
            "GET",
            f"/api/subscription/{ref}",
            parse=parse_object(Subscription.from_json, "the subscription", order_ref),
        )

    async def cancel(self, order_ref: str) -> None:
        """Cancel the subscription: PortOne deducts nothing more. Cancelling twice is harmless.

        Args:
            order_ref: PortOne's reference of the subscription.
        """
        ref = path_segment("order_ref", order_ref)
        await self._client.request(
            "PUT", f"/api/subscription/{ref}/status/cancelled", idempotent=True
        )

    async def transactions(self, order_ref: str) -> tuple[SubscriptionTransaction, ...]:
        """Every payment of the subscription, oldest first: how to check a deduction.

        Args:
            order_ref: PortOne's reference of the subscription.
        """
        ref = path_segment("order_ref", order_ref)
        return await self._client.request(
            "GET",
            f"/api/subscription/{ref}/txns-records",
            parse=parse_object(subscription_transactions, "the subscription's payments"),
        )
