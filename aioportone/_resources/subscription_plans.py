"""Subscription plans: what a subscription charges, and how often. Signed locally.

The plan methods of ``portone.subscriptions``: :class:`Subscriptions` inherits them, so one
resource covers plans, subscription links and deductions, as PortOne's API does.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._config import path_segment, text, whole_number
from .._errors import ConfigurationError
from ._models_subscriptions import NewPlan, Plan
from ._subscription_common import (
    MAX_COUNT,
    NO_LOOKUP,
    PERIODS,
    SOURCES,
    TYPES,
    Period,
    Source,
    SubscriptionType,
    check_none_for,
    check_notes,
    write_once,
)
from ._validate import (
    Environment,
    body_fields,
    check_choice,
    check_currency,
    check_environment,
    free_text,
    parse_object,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["SubscriptionPlans"]

# Body fields create_plan() sets from its arguments; ``extra`` may not override them.
_PLAN_FIELDS = frozenset(
    {
        "portone_key",
        "signature_hash",
        "merchant_order_ref",
        "source",
        "description",
        "environment",
        "name",
        "notes",
        "currency",
        "plan_type",
        "amount",
        "frequency",
        "period",
    }
)


class SubscriptionPlans:
    """The plan methods of ``portone.subscriptions`` (:class:`Subscriptions`).

    A plan says what is charged: a fixed amount every period, or on demand.
    """

    _client: Caller

    async def create_plan(
        self,
        *,
        merchant_order_ref: str,
        plan_type: SubscriptionType,
        name: str,
        currency: str,
        amount: int | float | Decimal | None = None,
        frequency: int | None = None,
        period: Period | None = None,
        description: str | None = None,
        notes: Mapping[str, str] | None = None,
        source: Source = "api",
        environment: Environment | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> NewPlan:
        """Create a plan; its ``signature_hash`` is computed here with your secret.

        A ``"REGULAR"`` plan deducts ``amount`` every ``frequency`` ``period`` (``frequency=2,
        period="W"``: every two weeks); an ``"ONDEMAND"`` plan takes none of the three.

        Sent once: PortOne documents no duplicate check on ``merchant_order_ref`` for plans,
        so after an unknown outcome :class:`AmbiguousResultError` is raised rather than a
        second plan risked.

        Args:
            merchant_order_ref: Your unique reference of the plan.
            plan_type: ``"REGULAR"`` or ``"ONDEMAND"``.
            name: The plan's name, shown to customers.
            currency: ISO 4217 code such as ``"THB"``.
            amount: A regular plan's amount per deduction, in the currency's unit.
            frequency: Every how many ``period`` a regular plan deducts (at least 1).
            period: ``"H"``, ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (regular plans).
            description: A description of the plan.
            notes: Key-value notes kept with the plan.
            source: PortOne's ``source`` field: ``"api"`` (default), ``"default"`` or
                ``"checkout"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
            extra: Further documented body fields; they may not override the ones above.

        Returns:
            The plan's references; :meth:`get_plan` reads the rest.

        Raises:
            AmbiguousResultError: The creation was sent and its outcome is unknown.
        """
        ref = text("merchant_order_ref", merchant_order_ref)
        kind = check_choice("plan_type", plan_type, TYPES)
        code = check_currency(currency)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_ref": ref,
            "source": check_choice("source", source, SOURCES),
            "environment": check_environment(environment, self._client.environment),
            "name": free_text("name", name),
            "currency": code,
            "plan_type": kind,
        }
        number: int | float | None = None
        count: int | None = None
        if kind == "REGULAR":
            for arg, value in (("amount", amount), ("frequency", frequency), ("period", period)):
                if value is None:
                    raise ConfigurationError(arg, "is required for a REGULAR plan")
            number = wire_amount(amount, currency=code)
            count = whole_number("frequency", frequency, MAX_COUNT)
            body.update(
                amount=number, frequency=count, period=check_choice("period", period, PERIODS)
            )
        else:
            check_none_for("an ONDEMAND plan", amount=amount, frequency=frequency, period=period)
        if description is not None:
            body["description"] = free_text("description", description)
        if notes is not None:
            body["notes"] = check_notes(notes)
        body.update(body_fields(extra, _PLAN_FIELDS))
        body["signature_hash"] = self._client.signer.plan(
            currency=code,
            merchant_order_ref=ref,
            amount=number,
            frequency=count,
        )
        data = await write_once(
            self._client,
            "POST",
            "/api/subscription/createPlan",
            body,
            what=f"Creating the plan {ref!r}",
            how_to_check=NO_LOOKUP.format(ref=ref),
        )
        return NewPlan.from_json(data, ref)

    async def get_plan(self, order_ref: str) -> Plan:
        """The plan with PortOne's reference ``order_ref``.

        Args:
            order_ref: PortOne's reference of the plan (``NewPlan.order_ref``).
        """
        ref = path_segment("order_ref", order_ref)
        return await self._client.request(
            "GET",
            f"/api/subscription/plan/{ref}",
            parse=parse_object(Plan.from_json, "the plan", order_ref),
        )

    async def cancel_plan(self, order_ref: str) -> None:
        """Cancel the plan: no new subscription can be made on it. Cancelling twice is harmless.

        Args:
            order_ref: PortOne's reference of the plan.
        """
        ref = path_segment("order_ref", order_ref)
        # Only "cancelled" may be set (subscription.yaml); the same status twice is the same
        # plan, so it is retried like a read.
        await self._client.request(
            "PUT", f"/api/subscription/plan/{ref}/status/cancelled", idempotent=True
        )
