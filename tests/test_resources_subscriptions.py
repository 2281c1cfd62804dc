"""portone.subscriptions against the fake PortOne over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import anyio
import anyio.lowlevel
import pytest
from aiohttp import web

from aioportone import (
    AmbiguousResultError,
    AuthenticationError,
    ConfigurationError,
    Deduction,
    InvalidRequestError,
    NewPlan,
    NewSubscription,
    PortOneClient,
    webhooks,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne
from tests._fixtures import FAILURE_URL, SUCCESS_URL

PENDING_URL = "https://shop.example/pending"
DEDUCT = "^/api/subscription/createDeduction$"
TRIGGER = "^/api/subscription/triggerNextDeduction$"


def _hmac(fields: dict[str, str]) -> str:
    """The documented recipe, spelled out: sorted, form-encoded, HMAC-SHA256, base64."""
    message = urlencode(sorted(fields.items())).encode()
    return base64.b64encode(
        hmac.new(DEMO_SECRET_KEY.encode(), message, hashlib.sha256).digest()
    ).decode()


async def _regular_plan(client: PortOneClient, **overrides: Any) -> NewPlan:
    args: dict[str, Any] = {
        "merchant_order_ref": "PLAN-1",
        "plan_type": "REGULAR",
        "name": "Monthly box",
        "currency": "THB",
        "amount": 100.5,
        "frequency": 1,
        "period": "M",
    }
    args.update(overrides)
    return await client.subscriptions.create_plan(**args)


async def _ondemand_plan(client: PortOneClient) -> NewPlan:
    return await client.subscriptions.create_plan(
        merchant_order_ref="PLAN-OD", plan_type="ONDEMAND", name="Rides", currency="THB"
    )


def _links(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "currency": "THB",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
        "pending_url": PENDING_URL,
    }
    args.update(overrides)
    return args


async def _active_ondemand(fake: FakePortOne, client: PortOneClient) -> NewSubscription:
    plan = await _ondemand_plan(client)
    sub = await client.subscriptions.create(
        **_links(
            plan_order_ref=plan.order_ref,
            subscription_type="ONDEMAND",
            merchant_order_ref="SUB-OD",
            initial_amount=10,
        )
    )
    fake.state.subscriptions.subscribe(sub.order_ref)
    return sub


async def _active_regular(
    fake: FakePortOne, client: PortOneClient, count: int = 3
) -> NewSubscription:
    plan = await _regular_plan(client)
    sub = await client.subscriptions.create(
        **_links(
            plan_order_ref=plan.order_ref,
            subscription_type="REGULAR",
            merchant_order_ref="SUB-R",
            quantity=2,
            recurrence_count=count,
        )
    )
    fake.state.subscriptions.subscribe(sub.order_ref)
    return sub


# -- plans --------------------------------------------------------------------------------------


async def test_regular_plan_is_signed_over_amount_and_frequency(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """create_plan sends the documented body, signed over amount, client_key, currency,
    frequency and merchant_order_ref as the regular-plan page lists them."""
    plan = await _regular_plan(client, description="A box", notes={"gift": "yes"})
    sent = fake.requests[-1].json
    assert sent == {
        "portone_key": DEMO_CLIENT_KEY,
        "merchant_order_ref": "PLAN-1",
        "source": "api",
        "environment": "sandbox",
        "name": "Monthly box",
        "currency": "THB",
        "plan_type": "REGULAR",
        "amount": 100.5,
        "frequency": 1,
        "period": "M",
        "description": "A box",
        "notes": [{"key": "gift", "value": "yes"}],
        "signature_hash": _hmac(
            {
                "amount": "100.5",
                "client_key": DEMO_CLIENT_KEY,
                "currency": "THB",
                "frequency": "1",
                "merchant_order_ref": "PLAN-1",
            }
        ),
    }
    assert plan.merchant_order_ref == "PLAN-1"
    assert plan.order_ref in fake.state.subscriptions.plans


async def test_ondemand_plan_signs_three_fields_and_reads_back(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """An on-demand plan carries no amount, is signed over three fields, and get_plan reads it."""
    new = await _ondemand_plan(client)
    sent = fake.requests[-1].json
    assert "amount" not in sent
    assert sent["signature_hash"] == _hmac(
        {"client_key": DEMO_CLIENT_KEY, "currency": "THB", "merchant_order_ref": "PLAN-OD"}
    )
    plan = await client.subscriptions.get_plan(new.order_ref)
    assert (plan.order_ref, plan.plan_type, plan.amount, plan.is_active) == (
        new.order_ref,
        "ONDEMAND",
        None,
        True,
    )
    assert plan.raw["content"]["name"] == "Rides"


async def test_cancelled_plan_takes_no_subscription(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """cancel_plan deactivates the plan (twice is harmless); a subscription on it is refused."""
    new = await _regular_plan(client)
    await client.subscriptions.cancel_plan(new.order_ref)
    await client.subscriptions.cancel_plan(new.order_ref)
    assert fake.requests[-1].path == f"/api/subscription/plan/{new.order_ref}/status/cancelled"
    assert (await client.subscriptions.get_plan(new.order_ref)).is_active is False
    with pytest.raises(InvalidRequestError):
        await client.subscriptions.create(
            **_links(
                plan_order_ref=new.order_ref,
                subscription_type="REGULAR",
                merchant_order_ref="SUB-X",
                recurrence_count=1,
            )
        )


async def test_plan_create_with_lost_answer_is_ambiguous_and_not_resent(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """PortOne documents no duplicate check for plans: a lost answer raises
    AmbiguousResultError naming the reference, after exactly one request."""
    fake.fail(drop_after=True, path="createPlan$")
    with pytest.raises(AmbiguousResultError) as caught:
        await _regular_plan(client)
    assert "'PLAN-1'" in caught.value.how_to_check
    assert len(fake.calls("createPlan$")) == 1
    assert len(fake.state.subscriptions.plans) == 1


# -- subscriptions ------------------------------------------------------------------------------


async def test_regular_subscription_signs_quantity(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A regular subscription sends quantity 1 by default and signs it with the five URL and
    reference fields; a body whose quantity was changed after signing is refused (4011)."""
    plan = await _regular_plan(client)
    sub = await client.subscriptions.create(
        **_links(
            plan_order_ref=plan.order_ref,
            subscription_type="REGULAR",
            merchant_order_ref="SUB-1",
            recurrence_count=12,
            started_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
    )
    sent = fake.requests[-1].json
    assert (sent["quantity"], sent["recurrance_count"], sent["allow_accumulate"]) == (1, 12, "N")
    assert sent["started_at"] == "2030-01-02T03:04:05.000Z"
    assert sent["signature_hash"] == _hmac(
        {
            "client_key": DEMO_CLIENT_KEY,
            "currency": "THB",
            "failure_url": FAILURE_URL,
            "merchant_order_ref": "SUB-1",
            "quantity": "1",
            "success_url": SUCCESS_URL,
        }
    )
    assert sub.url == f"https://subscription.portone.cloud/?ref={sub.order_ref}"
    tampered = {**sent, "quantity": 5, "merchant_order_ref": "SUB-2"}
    tampered["signature_hash"] = sent["signature_hash"]
    with pytest.raises(InvalidRequestError) as caught:
        await client.request("POST", "/api/subscription/createSubscription", json=tampered)
    assert caught.value.code == "4011"


async def test_regular_subscription_collects_every_installment(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """Subscribed, it collects the first installment; triggering collects the others and the
    last one completes it; transactions lists every payment."""
    sub = await _active_regular(fake, client, count=2)
    state = await client.subscriptions.get(sub.order_ref)
    assert (state.status, state.collected_count, state.quantity) == ("Active", 1, 2)
    assert state.next_deduction_amount == Decimal(201)
    await client.subscriptions.trigger_next_deduction(sub.order_ref)
    assert fake.requests[-1].json == {
        "portone_key": DEMO_CLIENT_KEY,
        "subscription_order_ref": sub.order_ref,
        "environment": "sandbox",
    }
    state = await client.subscriptions.get(sub.order_ref)
    assert (state.status, state.collected_count, state.collected_amount) == (
        "Completed",
        2,
        Decimal(402),
    )
    assert state.order_ref == sub.order_ref
    payments = await client.subscriptions.transactions(sub.order_ref)
    assert [(p.amount, p.status) for p in payments] == [(Decimal(201), "Success")] * 2
    with pytest.raises(InvalidRequestError):
        await client.subscriptions.trigger_next_deduction(sub.order_ref)


async def test_cancelled_subscription_is_cancelled(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """cancel() stops the subscription; cancelling again is harmless."""
    sub = await _active_regular(fake, client)
    await client.subscriptions.cancel(sub.order_ref)
    await client.subscriptions.cancel(sub.order_ref)
    assert (await client.subscriptions.get(sub.order_ref)).status == "Cancelled"


# -- deductions ---------------------------------------------------------------------------------


async def test_deduction_is_signed_and_shows_in_transactions(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """deduct() signs amount, client_key, currency and both references; the charge appears in
    transactions() under the merchant reference."""
    sub = await _active_ondemand(fake, client)
    deduction = await client.subscriptions.deduct(
        sub.order_ref, merchant_order_ref="RIDE-1", amount=Decimal("12.34"), currency="THB"
    )
    sent = fake.requests[-1].json
    assert sent["amount"] == 12.34
    assert sent["signature_hash"] == _hmac(
        {
            "amount": "12.34",
            "client_key": DEMO_CLIENT_KEY,
            "currency": "THB",
            "merchant_order_ref": "RIDE-1",
            "subscription_order_ref": sub.order_ref,
        }
    )
    assert isinstance(deduction, Deduction)
    assert (deduction.merchant_order_ref, deduction.status) == ("RIDE-1", "Initiated")
    payments = await client.subscriptions.transactions(sub.order_ref)
    assert [(p.merchant_order_ref, p.amount) for p in payments][-1] == ("RIDE-1", Decimal("12.34"))
    assert payments[-1].order_ref == deduction.order_ref


async def test_deduction_before_the_customer_subscribed_is_refused(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A deduction on a link the customer has not completed is a plain InvalidRequestError."""
    plan = await _ondemand_plan(client)
    sub = await client.subscriptions.create(
        **_links(
            plan_order_ref=plan.order_ref,
            subscription_type="ONDEMAND",
            merchant_order_ref="SUB-OD",
            initial_amount=10,
        )
    )
    with pytest.raises(InvalidRequestError) as caught:
        await client.subscriptions.deduct(
            sub.order_ref, merchant_order_ref="RIDE-1", amount=5, currency="THB"
        )
    assert caught.value.code == "4001"


@pytest.mark.parametrize(
    "fault",
    [
        {"drop_after": True},
        {"status": 502},
        {"status": 200, "body": "accepted"},
        {"status": 200, "body": {"status_code": "2000"}},
    ],
    ids=["dropped-after-processing", "5xx", "not-an-object", "no-order-ref"],
)
async def test_deduction_with_unknown_outcome_is_ambiguous_and_never_resent(
    fake: FakePortOne, client: PortOneClient, fault: dict[str, Any]
) -> None:
    """A lost, 5xx or unreadable answer to a deduction raises AmbiguousResultError pointing at
    transactions(); exactly one request went out."""
    sub = await _active_ondemand(fake, client)
    fake.fail(path=DEDUCT, **fault)
    with pytest.raises(AmbiguousResultError) as caught:
        await client.subscriptions.deduct(
            sub.order_ref, merchant_order_ref="RIDE-1", amount=5, currency="THB"
        )
    assert f"subscriptions.transactions({sub.order_ref!r})" in caught.value.how_to_check
    assert "'RIDE-1'" in caught.value.how_to_check
    assert len(fake.calls(DEDUCT)) == 1


async def test_deduction_refused_in_a_200_is_a_plain_error(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A 200 carrying is_success false and a 4xxx code is a refusal, not an unknown outcome."""
    sub = await _active_ondemand(fake, client)
    refusal = {"is_success": False, "message": "no", "status_code": "4001", "status_reason": "X"}
    fake.fail(path=DEDUCT, status=200, body=refusal)
    with pytest.raises(InvalidRequestError):
        await client.subscriptions.deduct(
            sub.order_ref, merchant_order_ref="RIDE-1", amount=5, currency="THB"
        )


async def test_deduction_answer_in_the_guide_pages_shape_is_a_success(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The guide pages' success (status_code "200", not "2000") is read as the deduction."""
    sub = await _active_ondemand(fake, client)
    answer = {"is_success": True, "merchant_order_ref": "RIDE-1", "order_ref": "R1"}
    fake.fail(path=DEDUCT, status=200, body={**answer, "status_code": "200", "status": "success"})
    deduction = await client.subscriptions.deduct(
        sub.order_ref, merchant_order_ref="RIDE-1", amount=5, currency="THB"
    )
    assert (deduction.order_ref, deduction.status) == ("R1", "success")


async def test_trigger_with_lost_answer_is_ambiguous_and_charged_once(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A triggered deduction whose answer was lost is not resent: one charge, one request."""
    sub = await _active_regular(fake, client)
    fake.fail(drop_after=True, path=TRIGGER)
    with pytest.raises(AmbiguousResultError) as caught:
        await client.subscriptions.trigger_next_deduction(sub.order_ref)
    assert "subscriptions.transactions(" in caught.value.how_to_check
    assert len(fake.calls(TRIGGER)) == 1
    assert len(await client.subscriptions.transactions(sub.order_ref)) == 2


async def test_concurrent_deductions_each_charge_once(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """Twenty deductions released together each charge exactly once, under their own refs."""
    sub = await _active_ondemand(fake, client)
    gate = anyio.Event()
    fake.fail(path=DEDUCT, hold=gate, times=None)
    results: list[Deduction] = []

    async def one(n: int) -> None:
        results.append(
            await client.subscriptions.deduct(
                sub.order_ref, merchant_order_ref=f"RIDE-{n}", amount=n + 1, currency="THB"
            )
        )

    async with anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(one, n)
        # The fake records a request before holding it: wait until all twenty are held.
        while len(fake.calls(DEDUCT)) < 20:
            await anyio.lowlevel.checkpoint()
        gate.set()
    payments = await client.subscriptions.transactions(sub.order_ref)
    assert sorted(p.merchant_order_ref for p in payments[1:]) == sorted(
        f"RIDE-{n}" for n in range(20)
    )
    assert {d.order_ref for d in results} == {p.order_ref for p in payments[1:]}


# -- arguments, paths, webhooks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        ({"plan_type": "WEEKLY"}, "plan_type"),
        ({"frequency": None}, "frequency"),
        ({"frequency": 0}, "frequency"),
        ({"period": "X"}, "period"),
        ({"amount": 0}, "amount"),
        ({"currency": "BAHT"}, "currency"),
        ({"plan_type": "ONDEMAND"}, "amount"),
        ({"notes": {"k": 5}}, "notes['k']"),
        ({"extra": {"signature_hash": "x"}}, "extra"),
    ],
)
async def test_create_plan_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, call: dict[str, Any], argument: str
) -> None:
    """A bad plan argument raises ConfigurationError naming it, and nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await _regular_plan(client, **call)
    assert caught.value.argument == argument
    assert fake.calls("/api/subscription") == []


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        ({"subscription_type": "REGULAR"}, "initial_amount"),
        ({"initial_amount": None}, "initial_amount"),
        ({"quantity": 2}, "quantity"),
        ({"pending_url": "shop.example/p"}, "pending_url"),
        ({"customer_name": ""}, "customer_name"),
        ({"notify_by_email": "yes"}, "notify_by_email"),
        ({"additional_costs": {"tax": float("nan")}}, "additional_costs['tax']"),
        ({"expires_at": datetime(2030, 1, 1)}, "expires_at"),  # naive: refused
    ],
)
async def test_create_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, call: dict[str, Any], argument: str
) -> None:
    """A bad subscription argument raises ConfigurationError naming it; nothing is sent."""
    args = _links(
        plan_order_ref="PLAN",
        subscription_type="ONDEMAND",
        merchant_order_ref="S",
        initial_amount=1,
    )
    args.update(call)
    with pytest.raises(ConfigurationError) as caught:
        await client.subscriptions.create(**args)
    assert caught.value.argument == argument
    assert fake.calls("/api/subscription") == []


async def test_deduct_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A deduction of 0, in a bad currency, or from an empty reference sends nothing."""
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("SUB", {"amount": 0, "currency": "THB"}, "amount"),
        ("SUB", {"amount": 1, "currency": "TH"}, "currency"),
        ("", {"amount": 1, "currency": "THB"}, "subscription_order_ref"),
        ("SUB", {"amount": 1, "currency": "THB", "source": "default"}, "source"),
    ]
    for ref, call, argument in cases:
        with pytest.raises(ConfigurationError) as caught:
            await client.subscriptions.deduct(ref, merchant_order_ref="D", **call)
        assert caught.value.argument == argument
    assert fake.calls("/api/subscription") == []


async def test_references_stay_one_path_segment(fake: FakePortOne, client: PortOneClient) -> None:
    """A reference with '/' or '?' is percent-encoded: it cannot reach another path."""
    for call in (
        client.subscriptions.get("../plan/x?y"),
        client.subscriptions.get_plan("a/b"),
        client.subscriptions.transactions("a/b"),
    ):
        with pytest.raises(InvalidRequestError):
            await call
    assert [r.path for r in fake.requests] == [
        "/api/subscription/..%2Fplan%2Fx%3Fy",
        "/api/subscription/plan/a%2Fb",
        "/api/subscription/a%2Fb/txns-records",
    ]


async def test_another_merchants_key_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A plan whose portone_key is not the caller's key is refused (4010)."""
    await _ondemand_plan(client)
    body = {**fake.requests[-1].json, "portone_key": "someoneElse0001"}
    with pytest.raises(AuthenticationError):
        await client.request("POST", "/api/subscription/createPlan", json=body)


async def test_fake_subscription_webhook_verifies(fake: FakePortOne, client: PortOneClient) -> None:
    """The fake's subscription-link webhook passes verify_subscription_link_webhook."""
    sub = await _active_ondemand(fake, client)
    record = fake.state.subscriptions.subscriptions[sub.order_ref]
    event = webhooks.verify_subscription_link_webhook(
        fake.state.subscriptions.webhook(record), DEMO_SECRET_KEY
    )
    assert (event.order_ref, event.status, event.merchant_order_ref) == (
        sub.order_ref,
        "Active",
        "SUB-OD",
    )


async def test_fake_posts_the_subscription_webhook_to_registered_endpoints(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """send_webhooks posts the signed webhook to subscription_status endpoints; a
    webhook_handler for subscription links accepts it."""
    sub = await _active_ondemand(fake, client)
    received: list[webhooks.SubscriptionLinkEvent] = []

    async def on_event(event: webhooks.SubscriptionLinkEvent) -> None:
        received.append(event)

    app = web.Application()
    app.router.add_post(
        "/hook", webhooks.webhook_handler(DEMO_SECRET_KEY, on_event, kind="subscription_link")
    )
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        await client.webhook_endpoints.register(
            name="subs", url=f"http://{host}:{port}/hook", type="subscription_status"
        )
        record = fake.state.subscriptions.subscriptions[sub.order_ref]
        (delivery,) = await fake.state.subscriptions.send_webhooks(record)
    finally:
        await runner.cleanup()
    assert delivery.status == 200
    assert [(e.order_ref, e.status) for e in received] == [(sub.order_ref, "Active")]


async def test_awkward_references_and_float_amounts_are_signed_as_portone_does(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A reference with spaces, '~', '&' and non-ASCII text and a fractional amount are signed
    the way the fake's separate copy of the recipe checks them; 0.1 + 0.2 is refused unsent."""
    sub = await _active_ondemand(fake, client)
    ref = "ride 7 ~ café & more"
    sent = len(fake.requests)
    with pytest.raises(ConfigurationError, match="amount"):
        await client.subscriptions.deduct(
            sub.order_ref, merchant_order_ref=ref, amount=0.1 + 0.2, currency="THB"
        )
    assert len(fake.requests) == sent
    deduction = await client.subscriptions.deduct(
        sub.order_ref, merchant_order_ref=ref, amount=0.3, currency="THB"
    )
    assert deduction.merchant_order_ref == ref
    assert fake.requests[-1].json["signature_hash"] == _hmac(
        {
            "amount": "0.3",
            "client_key": DEMO_CLIENT_KEY,
            "currency": "THB",
            "merchant_order_ref": ref,
            "subscription_order_ref": sub.order_ref,
        }
    )
