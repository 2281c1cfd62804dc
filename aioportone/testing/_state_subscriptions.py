"""What the fake PortOne remembers of subscriptions: plans, subscription links on them, and the
payments they collected (regular installments, on-demand deductions).

Reached as ``fake.state.subscriptions``. Tests play the customer's side with it:
``subscribe(order_ref)`` is the customer completing the subscription link, after which PortOne
deducts (``charge_next`` for a regular installment) or the merchant does (an on-demand
deduction through the API).

Signatures are checked and made with the fake's own copy of PortOne's recipe, written from the
docs pages, so the client's signing code is tested against an independent implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import aiohttp

from ._recipes import portone_signature
from ._records import Delivery, Transaction, iso_time, json_number

if TYPE_CHECKING:
    from ._context import Host, Ledger

__all__ = ["Plan", "Subscription", "SubscriptionBook"]

# Seconds per period letter, for the fake's next-deduction dates (a month is 30 days here).
_PERIOD_SECONDS = {"H": 3600, "D": 86400, "W": 7 * 86400, "M": 30 * 86400, "Q": 90 * 86400}
_PERIOD_SECONDS["Y"] = 365 * 86400
# Statuses after which a subscription collects nothing more.
# https://docs.portone.cloud/docs/subscription-link-lifecycle
FINAL_SUBSCRIPTION_STATUSES = frozenset({"Completed", "Expired", "Cancelled"})


@dataclass
class Plan:
    """A plan as the fake stores it.

    Attributes:
        order_ref: PortOne's reference of the plan.
        owner_key: The merchant's PortOne key.
        body: The creation request as received.
        created_at: When, in the fake's time.
        is_active: False once cancelled.
    """

    order_ref: str
    owner_key: str
    body: dict[str, Any]
    created_at: float
    is_active: bool = True

    @property
    def plan_type(self) -> str:
        return str(self.body["plan_type"])

    @property
    def amount(self) -> Decimal:
        """A regular plan's amount per deduction (0 for an on-demand plan)."""
        return _decimal(self.body.get("amount", 0))

    def as_json(self) -> dict[str, Any]:
        # subscription.yaml PlanContent
        shown = {
            "portone_key": self.owner_key,
            "currency": self.body["currency"],
            "description": self.body.get("description", ""),
            "environment": self.body["environment"],
            "merchant_order_ref": self.body["merchant_order_ref"],
            "name": self.body["name"],
            "notes": self.body.get("notes", []),
            "order_ref": self.order_ref,
            "is_active": self.is_active,
            "plan_type": self.plan_type,
        }
        if self.plan_type == "REGULAR":
            shown.update(
                amount=self.body["amount"],
                frequency=self.body["frequency"],
                period=self.body["period"],
            )
        return shown


@dataclass
class Subscription:
    """A subscription link and what it collected.

    Attributes:
        order_ref: PortOne's reference of the subscription.
        owner_key: The merchant's PortOne key.
        plan: Its plan.
        body: The creation request as received.
        created_at: When, in the fake's time.
        status: ``Created``, ``Active``, ``Completed``, ``Expired`` or ``Cancelled``.
        in_trial: Whether its trial runs.
        started_at: When the customer subscribed, in the fake's time (None: not yet).
        payments: The payments it collected, oldest first (also in ``fake.state.transactions``).
    """

    order_ref: str
    owner_key: str
    plan: Plan
    body: dict[str, Any]
    created_at: float
    status: str = "Created"
    in_trial: bool = False
    started_at: float | None = None
    payments: list[Transaction] = field(default_factory=list)

    @property
    def is_regular(self) -> bool:
        return bool(self.body["subscription_type"] == "REGULAR")

    @property
    def url(self) -> str:
        return f"https://subscription.portone.cloud/?ref={self.order_ref}"

    @property
    def additional_cost(self) -> Decimal:
        costs = self.body.get("additional_costs") or []
        return sum((_decimal(c.get("value", 0)) for c in costs), Decimal(0))

    @property
    def installment(self) -> Decimal:
        """What one regular deduction charges: the plan's amount times the quantity."""
        return self.plan.amount * int(self.body.get("quantity", 1))

    @property
    def collected(self) -> list[Transaction]:
        return [t for t in self.payments if t.status == "Success"]

    @property
    def collected_amount(self) -> Decimal:
        return sum((_decimal(t.amount) for t in self.collected), Decimal(0))

    def due(self) -> bool:
        """Whether a regular subscription has an installment left to collect."""
        left = int(self.body.get("recurrance_count", 0)) - len(self.collected)
        return self.is_regular and self.status == "Active" and left > 0

    def as_json(self, now: float) -> dict[str, Any]:
        """The subscription as PortOne's lookup answers it.

        Args:
            now: The fake's time, for the dates that depend on it.
        """
        # subscription.yaml SubscriptionContent; collected_count is a string there (its
        # example writes a number), and next_deduction_date a string ("" when none is due).
        body = self.body
        count = int(body.get("recurrance_count", 0))
        total = self.installment * count + self.additional_cost if self.is_regular else None
        shown: dict[str, Any] = {
            key: body.get(key, default)
            for key, default in (
                ("additional_costs", []),
                ("allow_accumulate", "N"),
                ("currency", ""),
                ("country_code", ""),
                ("customer_email_address", ""),
                ("customer_name", ""),
                ("customer_phone_number", ""),
                ("environment", "sandbox"),
                ("merchant_order_ref", ""),
                ("notes", []),
                ("notify_by_email", False),
                ("notify_by_phone", False),
                ("plan_order_ref", ""),
                ("quantity", 1),
                ("recurrance_count", 1),
                ("source", "api"),
                ("subscription_type", ""),
                ("trial_frequency", 0),
                ("trial_period", ""),
            )
        }
        due = self.due()
        step = _PERIOD_SECONDS.get(str(self.plan.body.get("period", "M")), 30 * 86400)
        step *= int(self.plan.body.get("frequency", 1))
        last = self.payments[-1].created_at if self.payments else self.started_at or now
        shown.update(
            order_ref=self.order_ref,
            portone_key=self.owner_key,
            created_at=iso_time(self.created_at),
            expired_at=str(body.get("expiry_date") or iso_time(self.created_at + 30 * 86400)),
            signature_hash="",
            started_at=iso_time(self.started_at if self.started_at is not None else now),
            status=self.status,
            total_amount=json_number(total if total is not None else self.collected_amount),
            plan_amount=json_number(self.plan.amount),
            collected_amount=json_number(self.collected_amount),
            total_additional_cost=json_number(self.additional_cost),
            next_deduction_amount=json_number(self.installment if due else Decimal(0)),
            next_deduction_date=iso_time(last + step) if due else "",
            collected_count=str(len(self.collected)),
            in_trial=self.in_trial,
        )
        return shown

    def payment_json(self, txn: Transaction) -> dict[str, Any]:
        """One payment as PortOne's ``txns-records`` lists it.

        Args:
            txn: One of ``payments``.
        """
        # subscription.yaml TxnContent
        return {
            "amount": txn.amount,
            "channel_name": txn.channel_key,
            "channel_order_ref": txn.channel_order_ref,
            "created_at": iso_time(txn.created_at),
            "currency": txn.currency,
            "merchant_order_ref": txn.merchant_order_ref,
            "method_key": txn.method_name,
            "order_ref": txn.order_ref,
            "payment_method_used": "",
            "refund_status": txn.refund_status,
            "status": txn.status,
        }


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


class SubscriptionBook:
    """The fake's plans and subscriptions, by PortOne's references.

    Args:
        fake: The fake server it belongs to.
        state: The fake's other records (each payment is a transaction there too, so it can
            be looked up and refunded like any payment).
    """

    def __init__(self, fake: Host, state: Ledger) -> None:
        self._fake = fake
        self._state = state
        self.plans: dict[str, Plan] = {}
        self.subscriptions: dict[str, Subscription] = {}

    def add_plan(self, owner_key: str, body: dict[str, Any]) -> Plan:
        """Store a plan as its creation request would.

        Args:
            owner_key: The merchant's PortOne key.
            body: The creation request's JSON body.
        """
        plan = Plan(self._state.new_ref(), owner_key, dict(body), self._fake.now())
        self.plans[plan.order_ref] = plan
        return plan

    def add_subscription(self, owner_key: str, plan: Plan, body: dict[str, Any]) -> Subscription:
        """Store a subscription link on ``plan`` as its creation request would.

        Args:
            owner_key: The merchant's PortOne key.
            plan: The plan it is on.
            body: The creation request's JSON body.
        """
        sub = Subscription(self._state.new_ref(), owner_key, plan, dict(body), self._fake.now())
        self.subscriptions[sub.order_ref] = sub
        return sub

    def subscribe(self, order_ref: str, *, status: str = "Success") -> Subscription:
        """The customer completes the subscription link ``order_ref``.

        On success the subscription becomes ``Active`` and its first payment is made: a regular
        one's first installment (with the additional costs) unless it starts with a trial, an
        on-demand one's ``initial_amount``. Any other ``status`` records a failed first payment
        and leaves the link ``Created``.

        Args:
            order_ref: PortOne's reference of the subscription.
            status: The first payment's status.

        Raises:
            KeyError: There is no such subscription.
            ValueError: It is not ``Created`` (already subscribed, or closed).
        """
        sub = self.subscriptions[order_ref]
        if sub.status != "Created":
            raise ValueError(f"subscription {order_ref!r} is {sub.status}: it cannot be subscribed")
        trial = sub.is_regular and bool(sub.body.get("trial_frequency"))
        if sub.is_regular:
            first = sub.installment + sub.additional_cost
        else:
            first = _decimal(sub.body.get("initial_amount", 0))
        if not trial:
            self._charge(sub, first, f"{sub.order_ref}_1", status)
        if status == "Success":
            sub.status, sub.in_trial, sub.started_at = "Active", trial, self._fake.now()
            self._complete_if_done(sub)
        return sub

    def charge_next(self, order_ref: str, *, status: str = "Success") -> Transaction:
        """PortOne collects the next installment of the regular subscription ``order_ref``
        (its schedule came, or the merchant triggered it); the last one completes it.

        Args:
            order_ref: PortOne's reference of the subscription.
            status: The payment's status.

        Raises:
            KeyError: There is no such subscription.
            ValueError: It has nothing left to collect.
        """
        sub = self.subscriptions[order_ref]
        if not sub.due():
            raise ValueError(f"subscription {order_ref!r} has no installment due")
        amount = sub.installment + (sub.additional_cost if not sub.collected else 0)
        sub.in_trial = False
        txn = self._charge(sub, amount, f"{sub.order_ref}_{len(sub.payments) + 1}", status)
        self._complete_if_done(sub)
        return txn

    def deduct(self, sub: Subscription, amount: Any, merchant_order_ref: str) -> Transaction:
        """An on-demand deduction of ``amount`` from ``sub`` under the merchant's reference.

        Args:
            sub: The subscription.
            amount: The amount, as the request carried it.
            merchant_order_ref: The merchant's reference of the deduction.
        """
        return self._charge(sub, _decimal(amount), merchant_order_ref, "Success")

    def _charge(
        self, sub: Subscription, amount: Decimal, merchant_order_ref: str, status: str
    ) -> Transaction:
        txn = self._state.add_transaction(
            merchant_order_ref,
            amount=json_number(amount),
            currency=str(sub.body["currency"]),
            status=status,
            environment=str(sub.body["environment"]),
            channel_key="FAKEPSP",
            method_name="FAKEPSP_SUBSCRIPTION_CARD",
        )
        sub.payments.append(txn)
        return txn

    def _complete_if_done(self, sub: Subscription) -> None:
        if sub.is_regular and sub.status == "Active" and not sub.due():
            sub.status = "Completed"

    # -- webhooks -------------------------------------------------------------------------------

    def webhook(self, sub: Subscription) -> dict[str, Any]:
        """The subscription-link webhook PortOne sends when ``sub`` changes status, signed.

        Args:
            sub: The subscription.
        """
        # https://docs.portone.cloud/docs/subscription-link-webhook (payload) and
        # https://docs.portone.cloud/docs/subscription-link-webhook-response (what is signed).
        content = sub.as_json(self._fake.now())
        payload = {
            **content,
            "chaipaykey": sub.owner_key,
            "link": sub.url,
            "name": sub.plan.body["name"],
            "recurring_amount": json_number(sub.installment),
            "frequency": sub.plan.body.get("frequency", 0),
            "period": sub.plan.body.get("period", ""),
        }
        signed = {name: str(payload[name]) for name in _WEBHOOK_SIGNED}
        secret = self._fake.merchants[sub.owner_key]
        return {**payload, "signature_hash": portone_signature(secret, signed)}

    async def send_webhooks(self, sub: Subscription) -> list[Delivery]:
        """Post :meth:`webhook` of ``sub`` to every ``subscription_status`` endpoint of its
        merchant and environment.

        Args:
            sub: The subscription.

        Returns:
            One :class:`Delivery` per post, also appended to ``fake.state.deliveries``.
        """
        payload = self.webhook(sub)
        urls = [
            e.url
            for e in self._state.webhooks
            if e.owner_key == sub.owner_key
            and e.type == "subscription_status"
            and e.environment == sub.body["environment"]
            and e.enabled
        ]
        sent: list[Delivery] = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for url in urls:
                try:
                    async with session.post(url, json=payload) as resp:
                        status: int | None = resp.status
                except (aiohttp.ClientError, TimeoutError):
                    status = None
                sent.append(Delivery(url, "subscription_status", payload, status))
        self._state.deliveries.extend(sent)
        return sent


_WEBHOOK_SIGNED = ("currency", "merchant_order_ref", "order_ref", "status")
