"""Bill subscriptions with ``portone.subscriptions``: a monthly plan, and pay-per-ride.

1. A regular plan (299 THB a month), a subscription link on it for 12 months; the customer
   subscribes (the fake plays that part) and PortOne deducts each month.
2. An on-demand plan: the customer subscribes once, then each ride is a deduction you make.
   A deduction's answer is lost on the way back: the library does not send it again (that could
   charge twice) but raises ``AmbiguousResultError``, and ``transactions()`` tells the truth.

    python examples/subscriptions.py      # against a fake PortOne
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import anyio
import structlog

from aioportone import (
    AmbiguousResultError,
    Clock,
    PortOneClient,
    Subscription,
    SubscriptionTransaction,
    SystemClock,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

SHOP = "https://shop.example/subscriptions"


@dataclass
class Summary:
    """What the run did, for the test suite to check."""

    monthly: Subscription | None = None
    rides: tuple[SubscriptionTransaction, ...] = ()
    ambiguous: list[AmbiguousResultError] = field(default_factory=list)


async def main(*, fake: FakePortOne | None = None, clock: Clock | None = None) -> Summary:
    """Run both stories against ``fake`` (or a fake PortOne started here)."""
    summary = Summary()
    async with AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(FakePortOne(clock=clock or SystemClock()))
        portone = await stack.enter_async_context(
            PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=fake.clock)
        )
        subs = portone.subscriptions
        urls: dict[str, Any] = {
            "success_url": f"{SHOP}/welcome",
            "failure_url": f"{SHOP}/failed",
            "pending_url": f"{SHOP}/pending",
        }

        print("regular: 299 THB a month, 12 months")
        plan = await subs.create_plan(
            merchant_order_ref="PLAN-MONTHLY-299",
            plan_type="REGULAR",
            name="Coffee box, monthly",
            currency="THB",
            amount=299,
            frequency=1,
            period="M",
        )
        print(f"  plan     {plan.order_ref} (signed locally)")
        new = await subs.create(
            plan_order_ref=plan.order_ref,
            subscription_type="REGULAR",
            merchant_order_ref="SUB-ALICE-1",
            currency="THB",
            recurrence_count=12,
            customer_name="Alice",
            customer_email_address="alice@example.com",
            **urls,
        )
        print(f"  link     {new.url}")
        fake.state.subscriptions.subscribe(new.order_ref)  # Alice opens the link and pays
        await subs.trigger_next_deduction(new.order_ref)  # the second month, collected now
        monthly = summary.monthly = await subs.get(new.order_ref)
        print(
            f"  status   {monthly.status}: {monthly.collected_count} of "
            f"{monthly.recurrence_count} collected, {monthly.collected_amount} THB; next "
            f"{monthly.next_deduction_amount} THB"
        )

        print("on demand: each ride is a deduction")
        rides_plan = await subs.create_plan(
            merchant_order_ref="PLAN-RIDES", plan_type="ONDEMAND", name="Rides", currency="THB"
        )
        rides = await subs.create(
            plan_order_ref=rides_plan.order_ref,
            subscription_type="ONDEMAND",
            merchant_order_ref="SUB-BOB-RIDES",
            currency="THB",
            initial_amount=1,
            **urls,
        )
        fake.state.subscriptions.subscribe(rides.order_ref)  # Bob saves his card (1 THB)
        ride = await subs.deduct(
            rides.order_ref, merchant_order_ref="RIDE-1001", amount=120, currency="THB"
        )
        print(f"  ride     RIDE-1001: 120 THB {ride.status}")
        # PortOne charges the next ride, but the answer never comes back.
        fake.fail(drop_after=True, path="createDeduction$")
        try:
            await subs.deduct(
                rides.order_ref, merchant_order_ref="RIDE-1002", amount=85.5, currency="THB"
            )
        except AmbiguousResultError as exc:
            summary.ambiguous.append(exc)
            print("  ride     RIDE-1002: no answer; not resent (AmbiguousResultError)")
        summary.rides = await subs.transactions(rides.order_ref)
        charged = [t for t in summary.rides if t.merchant_order_ref == "RIDE-1002"]
        print(
            f"  checked  transactions(): RIDE-1002 charged {len(charged)} time(s), no retry needed"
        )
        await subs.cancel(rides.order_ref)
        await subs.cancel_plan(rides_plan.order_ref)
        print(f"done: {len(summary.rides)} payments on the ride subscription, now cancelled")
    return summary


if __name__ == "__main__":
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    anyio.run(main)
