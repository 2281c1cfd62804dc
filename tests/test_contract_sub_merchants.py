"""Contract tests of portone.sub_merchants: the requests the client builds and the answers the
fake gives are checked against PortOne's master-merchant spec (mastermerchant.yaml).

The transactions export (a file answer) is not a method yet and is not exercised here. Each spec
defect these operations meet is listed below with what it gets wrong and checked as narrowly as
it can be, never skipped; the client follows the examples where the schema types disagree with
them and with the sibling operations, and says so.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from openapi_core import OpenAPI

from aioportone import (
    PortOneClient,
    PortOneError,
    SubMerchant,
    SubMerchantPaymentLink,
    SubMerchantTransaction,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._contract import (
    Exchange,
    answer_errors,
    assert_only_defects,
    first_successes,
    load_specs,
    matched,
    raw_example,
    recording,
    request_errors,
    spec_example,
)
from tests._fixtures import link_args

BASE = "/api/master-merchant/{mkey}"
OPERATIONS = {
    ("post", f"{BASE}/add-merchant"),
    ("get", f"{BASE}/merchants-invite"),
    ("get", f"{BASE}/merchants"),
    ("post", f"{BASE}/merchants/paginated"),
    ("put", f"{BASE}/merchants/{{key}}/status/{{status}}"),
    ("post", f"{BASE}/merchants/payment-methods"),
    ("post", f"{BASE}/merchants/transactions"),
    ("post", f"{BASE}/merchants/payment-links"),
}

# Requests the schema cannot accept as it stands, with the errors each draws and why the client
# does not bend to it.
REQUEST_DEFECTS = {
    ("post", f"{BASE}/merchants/paginated"): (
        ("page", "pagesize"),
        "page and pagesize are declared as strings; the example, and the transactions and "
        "payment-links listings, send integers, which the client sends too",
    ),
    ("post", f"{BASE}/merchants/payment-methods"): (
        ("enable", "default"),
        "enable and default are declared as strings; the example sends booleans, as the client "
        "does (a Go bool field refuses the text 'true')",
    ),
}
# 200 answers the schema cannot describe, with the error each draws and why.
ANSWER_DEFECTS = {
    ("post", f"{BASE}/merchants/paginated"): (
        "is not of type 'object'",
        "content is declared as one sub-merchant (an object); the example is a list of them",
    ),
}
# 200 examples that are not JSON, and cannot be compared with the fake's answer.
EXAMPLE_GAPS = {
    ("get", f"{BASE}/merchants-invite"): "a comma is missing after created_at",
    ("post", f"{BASE}/merchants/paginated"): "a trailing comma closes the content list",
}
# The fields of each listing item the client reads: PortOne's example and the fake carry them.
READ_FIELDS = {
    ("get", f"{BASE}/merchants"): ("uuid", "key", "name", "email_address", "merchant_status"),
    ("post", f"{BASE}/merchants/transactions"): (
        "order_ref",
        "merchant_order_ref",
        "merchant_key",
        "amount",
        "currency",
        "status",
        "channel_key",
        "method_name",
        "payment_link_ref",
        "date",
    ),
    ("post", f"{BASE}/merchants/payment-links"): (
        "link_ref",
        "link",
        "merchant_order_ref",
        "merchant_key",
        "amount",
        "currency",
        "status",
        "created_at",
    ),
}


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return load_specs("mastermerchant")["mastermerchant"]


async def _scenario(portone: PortOneClient, fake: FakePortOne, clock: FakeClock) -> None:
    """Every sub-merchant method once, a sale on a sub-merchant's link, and documented errors."""
    now = datetime.fromtimestamp(clock.time(), UTC)
    window: dict[str, Any] = {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    subs = portone.sub_merchants
    added = await subs.add(
        email_address="shop-a@market.example",
        name="Shop A",
        country="VN",
        is_invite_merchant=True,
        send_kyc_link_email=True,
    )
    assert added.kyc_link.startswith("https://")
    (invited,) = await subs.invited()
    assert invited.email_address == "shop-a@market.example"
    (everyone,) = await subs.all()
    assert [m.key async for m in subs.list(**window, statuses=["ACTIVE"], page_size=1)] == [
        everyone.key
    ]
    async with _acting_for(fake, everyone.key, clock) as seller:
        link = await seller.payment_links.create(**link_args(merchant_order_id="SUB-ORDER-1"))
    fake.state.pay_link(link.payment_link_ref)
    (txn,) = [t async for t in subs.transactions(**window, merchant_keys=[everyone.key])]
    assert (txn.merchant_key, txn.payment_link_ref) == (everyone.key, link.payment_link_ref)
    (shown,) = [x async for x in subs.payment_links(**window)]
    assert shown.link_ref == link.payment_link_ref
    await subs.set_payment_method(
        merchant_keys=[everyone.key],
        payment_channel_key="MOMOPAY",
        payment_method_key="MOMOPAY_WALLET",
        method_sub_type="WALLET",
        enable=True,
        default=True,
    )
    changed = await subs.set_status(everyone.key, status="INACTIVE")
    assert changed.merchant_status == "INACTIVE"
    with pytest.raises(PortOneError):
        await subs.set_status("NoSuchMerchant1", status="ACTIVE")


def _acting_for(fake: FakePortOne, key: str, clock: FakeClock) -> PortOneClient:
    """A client of the master merchant acting for the sub-merchant ``key``."""
    return PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, sub_merchant_key=key
    )


def _master_merchant(request: web.Request, _response: web.StreamResponse) -> bool:
    return request.path.startswith("/api/master-merchant/")


@pytest.fixture
async def exchanges(clock: FakeClock, spec: OpenAPI) -> list[Exchange]:
    """Every master-merchant exchange of the scenario, with the spec operation it matched."""
    async with recording(clock, keep=_master_merchant) as (fake, portone, seen):
        await _scenario(portone, fake, clock)
    assert all(r.authorized for r in fake.requests)
    return [matched(spec, x) for x in seen]


async def test_scenario_covers_every_sub_merchant_operation(exchanges: list[Exchange]) -> None:
    """Each sub-merchant method's operation was exercised with a 200 answer, and an error."""
    assert {x.operation for x in exchanges if x.status == 200} == OPERATIONS
    assert {x.status for x in exchanges} == {200, 400}


async def test_every_sub_merchant_request_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each request is valid for mastermerchant.yaml, but for the listed type defects."""
    defects = {
        operation: ("is not of type 'string'", *names)
        for operation, (names, _why) in REQUEST_DEFECTS.items()
    }
    assert_only_defects(exchanges, lambda x: request_errors(spec, x), defects)


async def test_every_sub_merchant_answer_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each answer validates against its documented response, but for the listed defect."""
    defects = {operation: (error,) for operation, (error, _why) in ANSWER_DEFECTS.items()}
    assert_only_defects(exchanges, lambda x: answer_errors(spec, x), defects, status=200)


async def test_sub_merchant_answers_carry_the_fields_of_the_spec_examples(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """A usable example's top-level keys, and the item fields the client reads, are answered.

    The examples spell ``status_reason`` as ``status_message``; the fake writes the schema's
    ``status_reason``, which the client's error parsing reads along with the other spelling.
    """
    missing: dict[str, set[str]] = {}
    compared = set()
    for x in first_successes(exchanges, skip=EXAMPLE_GAPS):
        compared.add(x.operation)
        example, answer = spec_example(spec, *x.operation), x.data
        lacking = {"status_reason" if k == "status_message" else k for k in example} - set(answer)
        for name in READ_FIELDS.get(x.operation, ()):
            for where, data in (("example", example), ("fake", answer)):
                if name not in data["content"][0]:
                    lacking.add(f"{where}: content[].{name}")
        if lacking:
            missing[str(x)] = lacking
    assert missing == {}
    assert compared == OPERATIONS - set(EXAMPLE_GAPS)


def test_the_gapped_examples_really_are_unusable(spec: OpenAPI) -> None:
    """The invitations and paginated listing examples do not parse as JSON."""
    for method, path in EXAMPLE_GAPS:
        raw = raw_example(spec, method, path)
        with pytest.raises(json.JSONDecodeError):
            json.loads(raw)


def test_the_client_reads_portones_own_sub_merchant_examples(spec: OpenAPI) -> None:
    """The listing examples read as the typed fields."""
    merchant = SubMerchant.from_json(spec_example(spec, "get", f"{BASE}/merchants")["content"][0])
    assert (merchant.key, merchant.merchant_status, merchant.is_login_allowed) == (
        "TVgdcMycdFpGZIlp",
        "ACTIVE",
        False,
    )
    status = SubMerchant.from_json(
        spec_example(spec, "put", f"{BASE}/merchants/{{key}}/status/{{status}}")
    )
    assert (status.key, status.merchant_status) == ("TVgdcMycdFpGZIlp", "INACTIVE")
    txns = spec_example(spec, "post", f"{BASE}/merchants/transactions")
    txn = SubMerchantTransaction.from_json(txns["content"][0])
    assert (txn.amount, txn.currency, txn.status) == (Decimal(2365000), "VND", "Initiated")
    links = spec_example(spec, "post", f"{BASE}/merchants/payment-links")
    link = SubMerchantPaymentLink.from_json(links["content"][0])
    assert (link.link_ref, link.amount) == ("2AhPD4pbnHzDIhASC3EBvxJ7Gw5", Decimal(2000))


async def test_the_sub_merchant_validator_rejects_a_wrong_answer(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """The check can fail: a sub-merchant flag sent as text breaks the listing schema."""
    x = next(x for x in exchanges if x.operation == ("get", f"{BASE}/merchants"))
    data: dict[str, Any] = x.data
    data["content"][0]["is_login_allowed"] = "no"
    assert answer_errors(spec, x, json.dumps(data).encode())
