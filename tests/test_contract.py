"""Contract tests: the requests the client builds, and the answers the fake PortOne gives, are
checked against PortOne's own OpenAPI specs with openapi-core.

One scenario drives every resource method through the fake, successes and documented errors
alike, and every exchange is captured on the fake's side of the wire. The specs are loose in
places and incomplete in a few; each case where a spec cannot judge an exchange is listed below
with its reason and checked another way (PortOne's generic error shape), never skipped.

The specs are PortOne's, vendored as data in ``tests/portone_spec/`` (origin, licence and how to
regenerate them: its NOTICE.md). ``$PORTONE_OPENAPI_DIR`` points the tests at another copy
instead (PortOne's unstripped originals, or newer ones); a folder lacking the specs fails the
tests rather than skipping them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from openapi_core import OpenAPI

from aioportone import PortOneClient, PortOneError
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._contract import (
    Exchange,
    answer_errors,
    first_successes,
    lacking_keys,
    load_specs,
    matched,
    recording,
    request_errors,
    spec_example,
)
from tests._fixtures import FAILURE_URL, SUCCESS_URL, link_args, raw_link_body

# Every operation a resource method calls, as (method, spec path).
OPERATIONS = {
    ("post", "/api/merchant/auth-token"),
    ("get", "/api/transaction/{merchantOrderRef}/status"),
    ("post", "/api/{key}/transaction-details"),
    ("post", "/api/merchant/{key}/fetch-all-payments"),
    ("post", "/api/transaction/{order_ref}/capture"),
    ("put", "/api/{portOneKey}/update-transaction-details/{merchant_order_ref}"),
    ("put", "/api/transaction/status"),
    ("post", "/api/paymentLink"),
    ("put", "/api/update-paylink/{payment_link_ref}"),
    ("put", "/api/paymentLink/{payment_link_ref}/status/{link_status}"),
    ("get", "/api/paymentLink/{portOneLinkRef}/fetch-status"),
    ("get", "/api/merchant/{smchKey}/paymentLink/{merchantLinkRef}/status"),
    ("post", "/api/refund/{portone_order_ref}"),
    ("get", "/api/refund/{portone_order_ref}"),
    ("post", "/api/merchant/{key}/webhook"),
    ("get", "/api/merchant/{key}/webhook"),
    ("post", "/api/merchant/generate-signature"),
}

# (method, spec path, HTTP status) of answers the spec does not document, and why the fake
# gives them. test_undocumented_answers_have_portones_error_shape checks them instead.
SPEC_GAPS: dict[tuple[str, str, int], str] = {
    ("get", "/api/transaction/{merchantOrderRef}/status", 400): (
        "payment.yaml documents only 200 for the status lookup; an unknown merchant ref gets "
        "4096 INVALID_REFERENCE, the code the details lookup documents for the same case"
    ),
    ("get", "/api/paymentLink/{portOneLinkRef}/fetch-status", 400): (
        "payment.yaml documents 200 and 401 only; an unknown link gets 4083 "
        "INVALID_PAYMENT_LINK_REF from https://docs.portone.cloud/docs/error-codes"
    ),
    ("post", "/api/paymentLink", 400): (
        "payment.yaml documents 200 and 401 only; a second link for one merchant_order_id gets "
        "4002 DUPLICATE_TRANSACTION_ERROR (https://docs.portone.cloud/docs/error-codes)"
    ),
}

# Requests the scenario sends invalid on purpose, to draw a documented error, with the one
# required field each lacks.
DELIBERATELY_INVALID = {("post", "/api/paymentLink"): "signature_hash"}

# 200 examples whose keys cannot be compared with the fake's answer, and why.
EXAMPLE_GAPS: dict[tuple[str, str], str] = {
    (
        "get",
        "/api/refund/{portone_order_ref}",
    ): "refund.yaml's example is not JSON (a trailing comma)",
    ("post", "/api/merchant/{key}/fetch-all-payments"): (
        "the example spells status_reason as status_message; the schema (and the fake) say "
        "status_reason, and the client reads both"
    ),
}
# payment.yaml gives capture a schema but no example, and the COD status update neither (its
# 200 is an empty media type: PortOne documents no answer body).
NO_EXAMPLE = {("post", "/api/transaction/{order_ref}/capture"), ("put", "/api/transaction/status")}
# Operations whose example "content" lists far more fields than the fake stores (a real
# transaction has ~60: buyer, device, routing...); only the top level is compared for them.
PARTIAL_CONTENT = {
    ("post", "/api/{key}/transaction-details"): "the fake keeps the fields the client reads",
    ("put", "/api/update-paylink/{payment_link_ref}"): "the fake echoes the fields it was given",
    ("put", "/api/{portOneKey}/update-transaction-details/{merchant_order_ref}"): (
        "the content echoes the fields the request updated, as the example does"
    ),
}


@pytest.fixture(scope="module")
def specs() -> dict[str, OpenAPI]:
    return load_specs("payment", "refund")


def _spec(specs: dict[str, OpenAPI], path: str) -> OpenAPI:
    return specs["refund" if path.startswith("/api/refund/") else "payment"]


async def _scenario(portone: PortOneClient, fake: FakePortOne, clock: FakeClock) -> None:
    """Every resource method once, and each documented error the fake can produce."""
    txn = fake.state.add_transaction("ORDER-C1", amount=1000, channel_key="OMISE")
    await portone.transactions.status("ORDER-C1")
    await portone.transactions.details(txn.order_ref)
    now = datetime.fromtimestamp(clock.time(), UTC)
    start, end = now - timedelta(days=1), now + timedelta(days=1)
    assert [t async for t in portone.transactions.list(start=start, end=end, page_size=1)]
    await portone.transactions.capture(txn.order_ref)
    await portone.transactions.update_details(
        "ORDER-C1", description="contract", user_configured_field1="crm-1"
    )
    cod = fake.state.add_transaction("ORDER-COD", status="Pending", method_name="COD")
    await portone.transactions.update_cod_status(
        cod.merchant_order_ref, status="Success", signature="Y29kLXNpZ25hdHVyZQ=="
    )
    link = await portone.payment_links.create(**link_args(description="contract"))
    await portone.payment_links.update(link.payment_link_ref, description="changed")
    fake.state.pay_link(link.payment_link_ref)
    await portone.payment_links.status(link.payment_link_ref)
    await portone.payment_links.status_by_merchant_ref("ORDER-1001")
    other = await portone.payment_links.create(**link_args(merchant_order_id="ORDER-C2"))
    await portone.payment_links.cancel(other.payment_link_ref)
    await portone.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="contract")
    await portone.refunds.get(txn.order_ref)
    await portone.webhook_endpoints.register(
        name="contract", url="https://shop.example/hook", type="payment_status"
    )
    await portone.webhook_endpoints.list()
    await portone.signatures.generate(
        amount=10,
        currency="THB",
        merchant_order_id="ORDER-C3",
        success_url=SUCCESS_URL,
        failure_url=FAILURE_URL,
    )
    refused = fake.state.add_transaction("ORDER-C4", is_refund_allowed=False, channel_key="OMISE")
    for failing in (
        portone.transactions.status("NO-SUCH-ORDER"),
        portone.transactions.details("NO-SUCH-REF"),
        portone.transactions.capture("NO-SUCH-REF"),
        portone.payment_links.status("NO-SUCH-LINK"),
        portone.payment_links.create(**link_args(description="duplicate")),
        portone.refunds.create(refused.order_ref, amount=1, channel="OMISE", reason="x"),
        portone.request("POST", "/api/paymentLink", json=raw_link_body(signature_hash=None)),
    ):
        with pytest.raises(PortOneError):
            await failing


@pytest.fixture
async def exchanges(clock: FakeClock, specs: dict[str, OpenAPI]) -> list[Exchange]:
    """Every exchange of the scenario, with the spec operation each one matched."""
    async with recording(clock) as (fake, portone, seen):
        await _scenario(portone, fake, clock)
        # Six-hour tokens: the client asks PortOne's auth-token API, whose exchange is checked too.
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", base_url=fake.url, clock=clock
        ) as server_tokens:
            await server_tokens.webhook_endpoints.list()
    assert [(x.method, x.path) for x in seen] == [(r.method, r.path) for r in fake.requests]
    return [matched(_spec(specs, x.path), x) for x in seen]


def _gap(x: Exchange) -> str | None:
    return SPEC_GAPS.get((*x.operation, x.status))


async def test_scenario_covers_every_operation(exchanges: list[Exchange]) -> None:
    """Each PortOne operation a resource calls was exercised with a successful answer."""
    assert {x.operation for x in exchanges if x.status == 200} == OPERATIONS


async def test_every_request_matches_the_spec(
    specs: dict[str, OpenAPI], exchanges: list[Exchange]
) -> None:
    """Each request the client sent is a valid request of its operation in PortOne's spec."""
    problems = {}
    for x in exchanges:
        errors = request_errors(_spec(specs, x.path), x)
        lacking = DELIBERATELY_INVALID.get(x.operation)
        if lacking is not None and lacking not in json.loads(x.body):
            # The only fault of a deliberately invalid request must be the missing field.
            assert len(errors) == 1
            assert f"'{lacking}' is a required property" in errors[0]
        elif errors:
            problems[str(x)] = errors
    assert problems == {}


async def test_every_documented_answer_matches_the_spec(
    specs: dict[str, OpenAPI], exchanges: list[Exchange]
) -> None:
    """Each answer of the fake validates against the response its operation documents."""
    problems = {}
    for x in exchanges:
        if _gap(x) is not None:
            continue
        errors = answer_errors(_spec(specs, x.path), x)
        if errors:
            problems[str(x)] = errors
    assert problems == {}


async def test_undocumented_answers_have_portones_error_shape(exchanges: list[Exchange]) -> None:
    """Errors the spec does not list still have PortOne's shape; every listed gap occurs."""
    gaps = [x for x in exchanges if _gap(x) is not None]
    assert {(*x.operation, x.status) for x in gaps} == set(SPEC_GAPS)
    for x in gaps:
        data = x.data
        assert isinstance(data["message"], str), x
        assert re.fullmatch(r"4\d{3}", data["status_code"]), x
        assert re.fullmatch(r"[A-Z_]+", data["status_reason"]), x


async def test_success_answers_carry_the_fields_of_the_spec_examples(
    specs: dict[str, OpenAPI], exchanges: list[Exchange]
) -> None:
    """Every key of a 200 example (and of its "content") is in the fake's answer too."""
    missing: dict[str, set[str]] = {}
    compared = set()
    for x in first_successes(exchanges, skip={*EXAMPLE_GAPS, *NO_EXAMPLE}):
        compared.add(x.operation)
        example = spec_example(_spec(specs, x.path), *x.operation)
        lacking = lacking_keys(example, x.data, content_object=x.operation not in PARTIAL_CONTENT)
        if lacking:
            missing[str(x)] = lacking
    assert missing == {}
    assert compared == OPERATIONS - set(EXAMPLE_GAPS) - NO_EXAMPLE


async def test_the_validator_rejects_a_wrong_answer(
    specs: dict[str, OpenAPI], exchanges: list[Exchange]
) -> None:
    """The contract check can fail: an amount sent as text breaks the details schema."""
    details = next(
        x
        for x in exchanges
        if x.operation[1] == "/api/{key}/transaction-details" and x.status == 200
    )
    data = details.data
    data["content"]["amount"] = "ten"
    assert answer_errors(specs["payment"], details, json.dumps(data).encode())
