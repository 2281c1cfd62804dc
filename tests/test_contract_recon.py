"""Contract tests of portone.reconciliation: the requests the client builds and the answers the
fake gives are checked against PortOne's recon spec (tests/portone_spec/recon.yaml).

The export (a file answer) and the upload (a multipart body) are not methods yet and are not
exercised here. recon.yaml's one defect met by these operations, an example that contradicts its
schema, is checked below as such; the client follows the schema.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openapi_core import OpenAPI

from aioportone import ConfigurationError, PortOneClient, PortOneError, ReconRecord, ReconSummary
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._contract import (
    Exchange,
    answer_errors,
    first_successes,
    load_specs,
    matched,
    recording,
    request_errors,
    spec_example,
)

OPERATIONS = {
    ("get", "/api/recon/v3/data-sources"),
    ("post", "/api/recon/v3/create-recon"),
    ("post", "/api/recon/v3/summary"),
    ("post", "/api/recon/v3/dashboard-records"),
}


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return load_specs("recon")["recon"]


async def _scenario(portone: PortOneClient, fake: FakePortOne, clock: FakeClock) -> None:
    """Every reconciliation method once, and a few documented errors."""
    now = datetime.fromtimestamp(clock.time(), UTC)
    window: dict[str, Any] = {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    recon = fake.state.recon
    recon.add_record("755919531746953", owner_key=DEMO_CLIENT_KEY, mismatches={"mismatch_fee": -3})
    recon.add_record("750843826081325", owner_key=DEMO_CLIENT_KEY)
    recon.add_record("755919531746953", owner_key=DEMO_CLIENT_KEY, data_source="LAZADA_SETTLEMENT")
    sources = await portone.reconciliation.data_sources()
    assert {s.source_name for s in sources.sources} == {"LAZADA_ORDER", "LAZADA_SETTLEMENT"}
    await portone.reconciliation.create(
        recon_id="RECON-1",
        data_source="LAZADA_ORDER",
        file_key="uploads/orders.csv",
        file_link="https://files.example/orders.csv",
        file_name="orders.csv",
    )
    summary = await portone.reconciliation.summary(
        **window,
        data_source_a="LAZADA_ORDER",
        data_source_b="LAZADA_SETTLEMENT",
        brand_ids=["Brand_id_1"],
        marketplace_ids=["mp_id_1"],
        countries=["SG"],
        currencies=["INR"],
    )
    box = summary.box("mismatch_fee")
    assert box is not None
    assert box.msm_id is not None
    records = portone.reconciliation.records(
        **window,
        data_source=box.data_source,
        status="reconciled",
        msm_id=box.msm_id,
        mismatch="mismatch_fee",
        countries=["SG"],
        page_size=1,
    )
    assert [r.transaction_id async for r in records] == ["755919531746953"]
    everything = portone.reconciliation.records(
        **window, data_source="LAZADA_ORDER", status="reconciled", msm_id=box.msm_id, page_size=1
    )
    assert len([r async for r in everything]) == 2
    for failing in (
        portone.reconciliation.create(
            recon_id="RECON-2",
            data_source="SHOPEE_INCOME",
            file_key="k",
            file_link="https://files.example/k.csv",
            file_name="k.csv",
        ),
        portone.reconciliation.summary(
            **window, data_source_a="LAZADA_ORDER", data_source_b="LAZADA_ORDER"
        ),
    ):
        with pytest.raises(PortOneError):
            await failing


@pytest.fixture
async def exchanges(clock: FakeClock, spec: OpenAPI) -> list[Exchange]:
    """Every exchange of the scenario, with the spec operation each one matched."""
    async with recording(clock) as (fake, portone, seen):
        await _scenario(portone, fake, clock)
    assert all(r.authorized for r in fake.requests)
    return [matched(spec, x) for x in seen]


async def test_scenario_covers_every_recon_operation(exchanges: list[Exchange]) -> None:
    """Each reconciliation method's operation was exercised with a 200 answer."""
    assert {x.operation for x in exchanges if x.status == 200} == OPERATIONS
    assert {x.status for x in exchanges} == {200, 400}


async def test_every_recon_request_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each request the client sent is valid for recon.yaml."""
    problems = {str(x): request_errors(spec, x) for x in exchanges}
    assert {k: v for k, v in problems.items() if v} == {}


async def test_every_recon_answer_matches_the_spec(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Each answer of the fake, successes and errors, validates against its documented response."""
    problems = {}
    for x in exchanges:
        errors = answer_errors(spec, x)
        if errors:
            problems[str(x)] = errors
    assert problems == {}


async def test_recon_answers_carry_the_fields_of_the_spec_examples(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """Every key of a 200 example, of its data and of data's first items, is in the answer."""
    missing: dict[str, set[str]] = {}
    compared = set()
    for x in first_successes(exchanges):
        compared.add(x.operation)
        example, answer = spec_example(spec, *x.operation), x.data
        lacking = set(example) - set(answer)
        data, got = example.get("data") or {}, answer.get("data") or {}
        lacking |= {f"data.{k}" for k in set(data) - set(got)}
        for name in ("content", "list", "dataFields"):
            if data.get(name):
                lacking |= {f"data.{name}[].{k}" for k in set(data[name][0]) - set(got[name][0])}
        if lacking:
            missing[str(x)] = lacking
    assert missing == {}
    assert compared == OPERATIONS


def test_the_records_example_contradicts_its_schema(spec: OpenAPI) -> None:
    """recon.yaml's records example sends mismatches as a list; its schema declares one value."""
    path = "/api/recon/v3/dashboard-records"
    media = spec.spec / "paths" / path / "post" / "requestBody" / "content" / "application/json"
    example = (media / "schema" / "example").read_value()
    assert isinstance(example["mismatches"], list)
    x = Exchange(
        method="POST",
        path=path,
        query={},
        headers={"Content-Type": "application/json"},
        body=json.dumps(example).encode(),
        status=200,
        answer=b"{}",
    )
    errors = request_errors(spec, x)
    assert len(errors) == 1
    assert "is not of type 'string'" in errors[0]
    with pytest.raises(ConfigurationError, match="mismatch"):
        PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY).reconciliation.records(
            start=datetime(2024, 1, 1, tzinfo=UTC),
            end=datetime(2024, 2, 1, tzinfo=UTC),
            data_source="LAZADA_ORDER",
            status="reconciled",
            msm_id=27,
            mismatch=example["mismatches"],  # type: ignore[arg-type]
        )


def test_the_client_reads_portones_own_recon_examples(spec: OpenAPI) -> None:
    """The summary and records examples read as the typed fields."""
    summary = ReconSummary.from_json(spec_example(spec, "post", "/api/recon/v3/summary"))
    fee = summary.box("mismatch_fee")
    assert fee is not None
    assert (fee.msm_id, fee.count_sku, fee.amount_value, fee.value) == (
        27,
        999,
        Decimal(351252),
        Decimal(28630),
    )
    assert summary.flows[0].source == "sale_transactions"
    listing = spec_example(spec, "post", "/api/recon/v3/dashboard-records")
    record = ReconRecord.from_json(listing["data"]["content"][0])
    assert (record.amount, record.fee_mismatch, record.quantity) == (
        Decimal("398.67"),
        Decimal("-33.27"),
        1,
    )


async def test_the_recon_validator_rejects_a_wrong_answer(
    spec: OpenAPI, exchanges: list[Exchange]
) -> None:
    """The check can fail: a summary count sent as text breaks the summary schema."""
    x = next(x for x in exchanges if x.operation[1].endswith("/summary") and x.status == 200)
    data: dict[str, Any] = x.data
    data["data"]["dataFields"][0]["count"] = "ten"
    assert answer_errors(spec, x, json.dumps(data).encode())
