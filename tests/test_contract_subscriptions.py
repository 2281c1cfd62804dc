"""Contract tests for ``portone.subscriptions``: every request the client sends and every answer
the fake gives are checked against PortOne's subscription.yaml with openapi-core.

One scenario drives each subscription method through the fake (successes and documented
errors), capturing every exchange on the fake's side of the wire. Where PortOne's own examples
contradict their schema, :data:`EXAMPLE_DEFECTS` says so and a test checks that exactly those
examples fail: the client and the fake follow the schema.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from aioportone import PortOneClient, PortOneError
from aioportone.testing import FakeClock, FakePortOne
from tests._contract import (
    SERVER,
    Exchange,
    answer_errors,
    error_texts,
    first_successes,
    lacking_keys,
    load_specs,
    matched,
    recording,
    request_errors,
    spec_example,
)
from tests._fixtures import FAILURE_URL, SUCCESS_URL

# Every subscription.yaml operation, each called by a method of portone.subscriptions.
OPERATIONS = {
    ("post", "/api/subscription/createPlan"),
    ("get", "/api/subscription/plan/{orderRef}"),
    ("put", "/api/subscription/plan/{orderRef}/status/{status}"),
    ("post", "/api/subscription/createSubscription"),
    ("post", "/api/subscription/createDeduction"),
    ("put", "/api/subscription/triggerNextDeduction"),
    ("get", "/api/subscription/{orderRef}"),
    ("get", "/api/subscription/{orderRef}/txns-records"),
    ("put", "/api/subscription/{orderRef}/status/{status}"),
}

# PortOne's examples that break their own schema, by (operation, "request" or status): what
# is wrong. The client and the fake follow the schema; the client also reads the examples'
# spellings (is_success "true", collected_count 0).
EXAMPLE_DEFECTS: dict[tuple[str, str, str], str] = {
    ("post", "/api/subscription/createPlan", "400"): 'is_success is the string "false"',
    ("post", "/api/subscription/createSubscription", "request"): "no environment (required)",
    ("post", "/api/subscription/createSubscription", "200"): 'is_success is the string "true"',
    ("post", "/api/subscription/createSubscription", "400"): 'is_success is the string "false"',
    ("post", "/api/subscription/createDeduction", "request"): "no environment (required)",
    ("post", "/api/subscription/createDeduction", "200"): 'is_success is the string "true"',
    ("post", "/api/subscription/createDeduction", "400"): 'is_success is the string "false"',
    ("put", "/api/subscription/triggerNextDeduction", "200"): 'is_success is the string "true"',
    ("put", "/api/subscription/triggerNextDeduction", "400"): 'is_success is the string "false"',
    ("get", "/api/subscription/{orderRef}", "200"): (
        'is_success is the string "true", collected_count the number 0 (a string in the '
        "schema), next_deduction_date null (a string)"
    ),
}
# Words each defect's validation errors must mention.
DEFECT_WORDS: dict[str, tuple[str, ...]] = {
    'is_success is the string "false"': ("'false' is not of type 'boolean'",),
    'is_success is the string "true"': ("'true' is not of type 'boolean'",),
    "no environment (required)": ("'environment' is a required property",),
    "collected_count the number 0 (a string in the schema)": ("0 is not of type 'string'",),
    "next_deduction_date null (a string)": ("None is not of type 'string'",),
}


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return load_specs("subscription")["subscription"]


async def _scenario(portone: PortOneClient, fake: FakePortOne) -> None:
    """Every subscription method, and errors PortOne documents."""
    subs = portone.subscriptions
    urls: dict[str, Any] = {"success_url": SUCCESS_URL, "failure_url": FAILURE_URL}
    urls["pending_url"] = "https://shop.example/pending"
    regular = await subs.create_plan(
        merchant_order_ref="PLAN-C1",
        plan_type="REGULAR",
        name="Monthly",
        currency="THB",
        amount=1000,
        frequency=1,
        period="M",
        description="contract",
        notes={"k": "v"},
    )
    await subs.get_plan(regular.order_ref)
    sub = await subs.create(
        plan_order_ref=regular.order_ref,
        subscription_type="REGULAR",
        merchant_order_ref="SUB-C1",
        currency="THB",
        quantity=3,
        recurrence_count=3,
        allow_accumulate=True,
        customer_name="A Customer",
        customer_email_address="a@shop.example",
        additional_costs={"tax": 5, "shipping": 5},
        trial_frequency=7,
        trial_period="D",
        **urls,
    )
    fake.state.subscriptions.subscribe(sub.order_ref)
    await subs.trigger_next_deduction(sub.order_ref)
    await subs.get(sub.order_ref)
    await subs.transactions(sub.order_ref)
    await subs.cancel(sub.order_ref)
    ondemand = await subs.create_plan(
        merchant_order_ref="PLAN-C2", plan_type="ONDEMAND", name="Rides", currency="THB"
    )
    rides = await subs.create(
        plan_order_ref=ondemand.order_ref,
        subscription_type="ONDEMAND",
        merchant_order_ref="SUB-C2",
        currency="THB",
        initial_amount=100,
        extra={"country_code": "TH"},
        **urls,
    )
    for failing in (
        subs.deduct(rides.order_ref, merchant_order_ref="RIDE-0", amount=5, currency="THB"),
        subs.get_plan("NO-SUCH-PLAN"),
        subs.get("NO-SUCH-SUBSCRIPTION"),
        subs.cancel("NO-SUCH-SUBSCRIPTION"),
        subs.trigger_next_deduction(rides.order_ref),
        portone.request(
            "POST",
            "/api/subscription/createPlan",
            json={**fake.calls("createPlan$")[-1].json, "signature_hash": "forged"},
        ),
    ):
        with pytest.raises(PortOneError):
            await failing
    fake.state.subscriptions.subscribe(rides.order_ref)
    await subs.deduct(rides.order_ref, merchant_order_ref="RIDE-1", amount=12.5, currency="THB")
    await subs.cancel_plan(ondemand.order_ref)


@pytest.fixture
async def exchanges(clock: FakeClock, spec: OpenAPI) -> list[Exchange]:
    async with recording(clock) as (fake, portone, seen):
        await _scenario(portone, fake)
    return [matched(spec, x) for x in seen]


async def test_scenario_covers_every_subscription_operation(exchanges: list[Exchange]) -> None:
    """Each subscription.yaml operation was called and answered with a success."""
    assert {x.operation for x in exchanges if x.status == 200} == OPERATIONS
    assert {x.status for x in exchanges} == {200, 400}


async def test_every_request_matches_the_spec(spec: OpenAPI, exchanges: list[Exchange]) -> None:
    """Each request the client sent is a valid request of its operation."""
    problems = {str(x): e for x in exchanges if (e := request_errors(spec, x))}
    assert problems == {}


async def test_every_answer_matches_the_spec(spec: OpenAPI, exchanges: list[Exchange]) -> None:
    """Each answer of the fake, success or error, validates against what its operation documents."""
    problems = {}
    for x in exchanges:
        errors = answer_errors(spec, x)
        if errors:
            problems[str(x)] = errors
    assert problems == {}


def _media(spec: OpenAPI, method: str, path: str, status: str) -> Any:
    if status == "request":
        node = spec.spec / "paths" / path / method / "requestBody" / "content"
        return (node / "application/json" / "schema" / "example").read_value()
    return spec_example(spec, method, path, status)


async def test_success_answers_carry_the_fields_of_the_examples(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Every key of a 200 example, and of its content, is in the fake's first 200 answer."""
    missing: dict[str, set[str]] = {}
    compared = set()
    for x in first_successes(exchanges):
        compared.add(x.operation)
        lacking = lacking_keys(_media(spec, *x.operation, "200"), x.data)
        if lacking:
            missing[str(x)] = lacking
    assert missing == {}
    assert compared == OPERATIONS


async def test_portones_examples_break_their_schema_exactly_where_listed(spec: OpenAPI) -> None:
    """subscription.yaml's examples validate, except the listed ones, for the listed reasons."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for method, path in sorted(OPERATIONS):
        concrete = path.replace("{orderRef}", "REF").replace("{status}", "cancelled")
        operation = spec.spec / "paths" / path / method
        body_media = operation / "requestBody" / "content"
        kinds = ["request"] if "application/json" in body_media else []
        for status in [*kinds, *map(str, (operation / "responses").keys())]:
            example = _media(spec, method, path, status)
            body = json.dumps(example).encode()
            request = MockRequest(
                SERVER,
                method,
                concrete,
                data=body if status == "request" else None,
                content_type="application/json",
            )
            if status == "request":
                errors = error_texts(spec.iter_request_errors(request))
            else:
                response = MockResponse(body, status_code=int(status))
                errors = error_texts(spec.iter_response_errors(request, response))
            if errors:
                found[(method, path, status)] = errors
    assert set(found) == set(EXAMPLE_DEFECTS)
    for key, reason in EXAMPLE_DEFECTS.items():
        text = "\n".join(found[key])
        for part in reason.split(", "):
            for word in DEFECT_WORDS[part]:
                assert word in text, (key, text)
