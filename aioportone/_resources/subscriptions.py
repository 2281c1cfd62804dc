"""Subscriptions: plans, subscription links, on-demand deductions, and their payments.

Plans and subscriptions are signed locally (no call to a signature API). Every write that
creates or charges is sent once and never replayed after an unknown outcome: PortOne documents
no duplicate check on ``merchant_order_ref`` for them (subscription.yaml lists no 4002), so a
second try could make a second plan, link or charge.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import path_segment, text
from .._errors import AmbiguousResultError, APIError, ConfigurationError, PortOneError
from ._models_subscriptions import (
    Deduction,
    NewPlan,
    NewSubscription,
    Plan,
    Subscription,
    SubscriptionTransaction,
    subscription_transactions,
)
from ._money import may_have_acted
from ._validate import (
    Environment,
    body_fields,
    check_choice,
    check_currency,
    check_environment,
    check_iso_datetime,
    check_url,
    expect_object,
    free_text,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Subscriptions"]

SubscriptionType = Literal["REGULAR", "ONDEMAND"]
Period = Literal["H", "D", "W", "M", "Q", "Y"]
Source = Literal["default", "api", "checkout"]
DeductionSource = Literal["api", "checkout"]
_TYPES: tuple[SubscriptionType, ...] = get_args(SubscriptionType)
_PERIODS: tuple[Period, ...] = get_args(Period)
_SOURCES: tuple[Source, ...] = get_args(Source)
_DEDUCTION_SOURCES: tuple[DeductionSource, ...] = get_args(DeductionSource)
# Body fields the methods set from their arguments; ``extra`` may not override them.
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
# No lookup by merchant_order_ref exists for plans or subscriptions (subscription.yaml).
_NO_LOOKUP = "PortOne has no lookup by merchant_order_ref for these: look for {ref!r} in the "
_NO_LOOKUP += "PortOne dashboard before creating it again under a new reference."


class Subscriptions:
    """``portone.subscriptions``: plans, subscription links, deductions, and their payments.

    A plan says what is charged (a fixed amount every period, or on demand); a subscription
    on it is a link the customer opens to subscribe; after that PortOne deducts on schedule
    (regular), or when you call :meth:`deduct` (on demand).

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    # -- plans ----------------------------------------------------------------------------------

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
        kind = check_choice("plan_type", plan_type, _TYPES)
        code = check_currency(currency)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_ref": ref,
            "source": check_choice("source", source, _SOURCES),
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
            count = _count("frequency", frequency)
            body.update(
                amount=number, frequency=count, period=check_choice("period", period, _PERIODS)
            )
        else:
            _none_for("an ONDEMAND plan", amount=amount, frequency=frequency, period=period)
        if description is not None:
            body["description"] = free_text("description", description)
        if notes is not None:
            body["notes"] = _notes(notes)
        body.update(body_fields(extra, _PLAN_FIELDS))
        body["signature_hash"] = self._client.signer.plan(
            currency=code,
            merchant_order_ref=ref,
            amount=number,
            frequency=count,
        )
        data = await self._write(
            "POST",
            "/api/subscription/createPlan",
            body,
            what=f"Creating the plan {ref!r}",
            how_to_check=_NO_LOOKUP.format(ref=ref),
        )
        return NewPlan.from_json(data, ref)

    async def get_plan(self, order_ref: str) -> Plan:
        """The plan with PortOne's reference ``order_ref``.

        Args:
            order_ref: PortOne's reference of the plan (``NewPlan.order_ref``).
        """
        ref = path_segment("order_ref", order_ref)
        data = await self._client.request("GET", f"/api/subscription/plan/{ref}")
        return Plan.from_json(expect_object(data, "the plan"), order_ref)

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
        kind = check_choice("subscription_type", subscription_type, _TYPES)
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
            "source": check_choice("source", source, _SOURCES),
            "environment": check_environment(environment, self._client.environment),
        }
        signed_quantity: int | None = None
        if kind == "REGULAR":
            if initial_amount is not None:
                raise ConfigurationError("initial_amount", "is for ONDEMAND subscriptions only")
            if recurrence_count is None:
                raise ConfigurationError("recurrence_count", "is required for a REGULAR one")
            signed_quantity = _count("quantity", 1 if quantity is None else quantity)
            body.update(
                quantity=signed_quantity,
                recurrance_count=_count("recurrence_count", recurrence_count),
                allow_accumulate="Y" if _flag("allow_accumulate", allow_accumulate) else "N",
            )
            if started_at is not None:
                body["started_at"] = check_iso_datetime("started_at", started_at)
            if (trial_frequency is None) != (trial_period is None):
                raise ConfigurationError("trial_period", "give trial_frequency and trial_period")
            if trial_frequency is not None:
                body["trial_frequency"] = _count("trial_frequency", trial_frequency)
                body["trial_period"] = check_choice("trial_period", trial_period, _PERIODS)
        else:
            _none_for(
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
            _customer(
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
                body[name] = _flag(name, flag)
        if expires_at is not None:
            body["expiry_date"] = check_iso_datetime("expires_at", expires_at)
        if notes is not None:
            body["notes"] = _notes(notes)
        if additional_costs is not None:
            body["additional_costs"] = _costs(additional_costs)
        body.update(body_fields(extra, _SUBSCRIPTION_FIELDS))
        body["signature_hash"] = self._client.signer.subscription(
            currency=code,
            merchant_order_ref=ref,
            success_url=success,
            failure_url=failure,
            quantity=signed_quantity,
        )
        data = await self._write(
            "POST",
            "/api/subscription/createSubscription",
            body,
            what=f"Creating the subscription {ref!r}",
            how_to_check=_NO_LOOKUP.format(ref=ref),
        )
        return NewSubscription.from_json(data, ref)

    async def get(self, order_ref: str) -> Subscription:
        """The subscription with PortOne's reference ``order_ref``, with what it collected.

        Args:
            order_ref: PortOne's reference of the subscription (``NewSubscription.order_ref``).
        """
        ref = path_segment("order_ref", order_ref)
        data = await self._client.request("GET", f"/api/subscription/{ref}")
        return Subscription.from_json(expect_object(data, "the subscription"), order_ref)

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
        data = await self._client.request("GET", f"/api/subscription/{ref}/txns-records")
        return subscription_transactions(expect_object(data, "the subscription's payments"))

    # -- deductions -----------------------------------------------------------------------------

    async def deduct(
        self,
        subscription_order_ref: str,
        *,
        merchant_order_ref: str,
        amount: int | float | Decimal,
        currency: str,
        description: str | None = None,
        source: DeductionSource = "api",
        environment: Environment | None = None,
    ) -> Deduction:
        """Charge an active on-demand subscription ``amount`` now; signed here.

        This moves money and PortOne has no idempotency key for it, so it is **never** sent
        twice by the library: when the connection drops after it went out, PortOne answers
        with a server error, or its answer cannot be read, :class:`AmbiguousResultError` is
        raised and :meth:`transactions` tells whether the charge happened.

        Args:
            subscription_order_ref: PortOne's reference of the subscription.
            merchant_order_ref: Your unique reference of this deduction.
            amount: The amount in the currency's unit; more than 0, and refused before
                sending when it cannot travel exactly.
            currency: ISO 4217 code such as ``"THB"`` (the subscription's).
            description: What the charge is for.
            source: PortOne's ``source`` field: ``"api"`` (default) or ``"checkout"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            The accepted deduction (``status`` ``"Initiated"``); its outcome comes later.

        Raises:
            AmbiguousResultError: The deduction was sent and its outcome is unknown.
        """
        subscription = text("subscription_order_ref", subscription_order_ref)
        ref = text("merchant_order_ref", merchant_order_ref)
        code = check_currency(currency)
        number = wire_amount(amount, currency=code)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_ref": ref,
            "subscription_order_ref": subscription,
            "source": check_choice("source", source, _DEDUCTION_SOURCES),
            "amount": number,
            "currency": code,
            "environment": check_environment(environment, self._client.environment),
        }
        if description is not None:
            body["description"] = free_text("description", description)
        body["signature_hash"] = self._client.signer.deduction(
            amount=number,
            currency=code,
            merchant_order_ref=ref,
            subscription_order_ref=subscription,
        )
        # subscription.yaml's path; the guide page (creating-an-on-demand-deduction) writes
        # /api/subscription/deduct, which no spec declares.
        data = await self._write(
            "POST",
            "/api/subscription/createDeduction",
            body,
            what=f"The deduction {ref!r} from {subscription!r}",
            how_to_check=_check_payments(subscription, ref),
        )
        return Deduction.from_json(data, ref)

    async def trigger_next_deduction(
        self, subscription_order_ref: str, *, environment: Environment | None = None
    ) -> None:
        """Make a regular subscription's next scheduled deduction now, not at its date.

        PortOne processes it shortly after answering; :meth:`transactions` shows it. Never
        replayed: after an unknown outcome :class:`AmbiguousResultError` is raised, since a
        second call could charge the following installment too.

        Args:
            subscription_order_ref: PortOne's reference of the subscription.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Raises:
            AmbiguousResultError: The request was sent and its outcome is unknown.
        """
        subscription = text("subscription_order_ref", subscription_order_ref)
        body = {
            "portone_key": self._client.client_key,
            "subscription_order_ref": subscription,
            "environment": check_environment(environment, self._client.environment),
        }
        await self._write(
            "PUT",
            "/api/subscription/triggerNextDeduction",
            body,
            what=f"Triggering the next deduction of {subscription!r}",
            how_to_check=_check_payments(subscription, None),
            answer_ref=False,
        )

    async def _write(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        *,
        what: str,
        how_to_check: str,
        answer_ref: bool = True,
    ) -> Mapping[str, Any]:
        """Send a write PortOne cannot deduplicate, once; its answer, or AmbiguousResultError
        when its outcome is unknown (``answer_ref``: a success names an ``order_ref``)."""
        try:
            data = await self._client.request(method, path, json=body)
        except PortOneError as exc:
            data = _documented_success(exc)
            if data is None:
                if not outcome_unknown(exc):
                    raise  # PortOne saw nothing, or said no
                raise AmbiguousResultError(
                    f"{what} was sent but got no clear answer from PortOne, and was not retried.",
                    how_to_check=how_to_check,
                ) from exc
        if not isinstance(data, Mapping) or (
            answer_ref and not isinstance(data.get("order_ref"), str)
        ):
            # A 2xx that says neither yes nor no: it may have happened.
            raise AmbiguousResultError(
                f"{what} was answered with a success PortOne's spec does not describe.",
                how_to_check=how_to_check,
            )
        return data


def outcome_unknown(exc: PortOneError) -> bool:
    """Whether a write that failed with ``exc`` may still have happened at PortOne.

    Whatever may have let a refund happen (see ``_money.may_have_acted``: a lost answer, 5xx,
    429, a token rejection), and a 2xx answer that is neither PortOne's success nor a refusal
    in its error shape.
    """
    if may_have_acted(exc):
        return True
    if isinstance(exc, APIError) and 200 <= exc.status < 300:
        body = exc.body or {}
        refused = body.get("is_success") in (False, "false") or str(exc.code or "").startswith("4")
        return not refused
    return False


def _documented_success(exc: PortOneError) -> Mapping[str, Any] | None:
    """The answer of a 2xx that PortOne's guide pages show as a success (``status_code``
    ``"200"``, where subscription.yaml writes ``"2000"``), else None."""
    if not isinstance(exc, APIError) or exc.status != 200 or exc.body is None:
        return None
    if exc.code == "200" and exc.body.get("is_success") not in (False, "false"):
        return exc.body
    return None


def _check_payments(subscription: str, ref: str | None) -> str:
    deduction = f"one with merchant_order_ref {ref!r}" if ref else "a new one"
    return (
        f"call await portone.subscriptions.transactions({subscription!r}) and look for "
        f"{deduction} before deducting again."
    )


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(name, f"must be a whole number (got {type(value).__name__})")
    if not 1 <= value <= 10**6:
        raise ConfigurationError(name, f"must be between 1 and 1000000 (got {value})")
    return value


def _flag(name: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigurationError(name, "must be True or False")
    return value


def _none_for(what: str, **values: Any) -> None:
    for name, value in values.items():
        if value is not None:
            raise ConfigurationError(name, f"does not apply to {what}")


def _notes(notes: Any) -> list[dict[str, str]]:
    if not isinstance(notes, Mapping) or not all(isinstance(k, str) for k in notes):
        raise ConfigurationError("notes", "must be a mapping of note names to texts")
    return [
        {"key": text("notes", k), "value": free_text(f"notes[{k!r}]", v)} for k, v in notes.items()
    ]


def _costs(costs: Any) -> list[dict[str, Any]]:
    if not isinstance(costs, Mapping) or not all(isinstance(k, str) for k in costs):
        raise ConfigurationError("additional_costs", "must be a mapping of names to amounts")
    return [
        {"key": text("additional_costs", k), "value": wire_amount(v, f"additional_costs[{k!r}]")}
        for k, v in costs.items()
    ]


def _customer(**fields: str | None) -> dict[str, str]:
    return {name: free_text(name, value) for name, value in fields.items() if value is not None}
