"""portone.reconciliation against the fake PortOne over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient, PortOneError, ServerError
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client

ORDERS, SETTLEMENTS = "LAZADA_ORDER", "LAZADA_SETTLEMENT"


def window(clock: FakeClock) -> dict[str, Any]:
    now = datetime.fromtimestamp(clock.time(), UTC)
    return {"start": now - timedelta(hours=1), "end": now + timedelta(hours=1)}


def records_args(clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        **window(clock),
        "data_source": ORDERS,
        "status": "reconciled",
        "msm_id": 27,
    }
    args.update(overrides)
    return args


async def test_data_sources_are_read_for_the_environment(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """data_sources() asks for the client's environment and reads each source's fields."""
    fake.state.recon.add_record("T1", owner_key=DEMO_CLIENT_KEY)
    sources = await client.reconciliation.data_sources(environment="live")
    assert fake.requests[-1].query == {"environment": "live"}
    orders = next(s for s in sources.sources if s.source_name == ORDERS)
    assert (orders.display_name, orders.category, orders.is_sku_level) == (
        "Lazada Order",
        "MARKETPLACE",
        True,
    )
    assert ORDERS in sources.raw["data"]["selection"]


async def test_summary_sends_the_documented_body(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """summary() posts the window in ISO 8601 UTC and the filters under recon.yaml's names."""
    fake.state.recon.add_record("T1", owner_key=DEMO_CLIENT_KEY, mismatches={"mismatch_fee": -2})
    fake.state.recon.add_record("T1", owner_key=DEMO_CLIENT_KEY, data_source=SETTLEMENTS)
    start = datetime(2025, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=7)))
    summary = await client.reconciliation.summary(
        start=start,
        end=datetime.fromtimestamp(clock.time() + 60, UTC),
        data_source_a=ORDERS,
        data_source_b=SETTLEMENTS,
        brand_ids=["B1"],
        countries=["SG", "IN"],
    )
    body = fake.requests[-1].json
    assert body["from"] == "2025-01-01T07:00:00.000Z"
    assert (body["brand_id"], body["country"], body["record_type"]) == (
        ["B1"],
        ["SG", "IN"],
        "payment",
    )
    assert "marketplace_id" not in body
    fee = summary.box("mismatch_fee")
    assert fee is not None
    assert (fee.count, fee.amount_value, fee.msm_id) == (1, Decimal(2), 27)
    assert summary.box("no such box") is None


async def test_records_walk_every_page_of_one_box(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """records() asks page after page until totalPages, and yields only the box's records."""
    for n in range(5):
        fake.state.recon.add_record(f"T{n}", owner_key=DEMO_CLIENT_KEY)
    fake.state.recon.add_record("T9", owner_key=DEMO_CLIENT_KEY, status="unreconciled")
    found = [r async for r in client.reconciliation.records(**records_args(clock), page_size=2)]
    assert [r.transaction_id for r in found] == [f"T{n}" for n in range(5)]
    pages = [c.json["page"] for c in fake.calls(r"/dashboard-records$")]
    assert pages == [1, 2, 3]
    assert fake.requests[-1].json["page_size"] == 2


async def test_records_of_one_mismatch(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """mismatch= is sent as one value and narrows the records to those with that difference."""
    fake.state.recon.add_record("OK", owner_key=DEMO_CLIENT_KEY)
    fake.state.recon.add_record("TAX", owner_key=DEMO_CLIENT_KEY, mismatches={"mismatch_tax": 1.5})
    args = records_args(clock, mismatch="mismatch_tax")
    (record,) = [r async for r in client.reconciliation.records(**args)]
    assert (record.transaction_id, record.tax_mismatch) == ("TAX", Decimal("1.5"))
    assert fake.requests[-1].json["mismatches"] == "mismatch_tax"


async def test_create_reconciles_a_known_data_source(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """create() posts the file's names; an unknown data source is PortOne's 400."""
    args: dict[str, Any] = {
        "file_key": "k",
        "file_link": "https://f.example/k.csv",
        "file_name": "k.csv",
    }
    await client.reconciliation.create(recon_id="R1", data_source=ORDERS, **args)
    assert fake.state.recon.recons[-1]["recon_id"] == "R1"
    with pytest.raises(PortOneError, match="data source"):
        await client.reconciliation.create(recon_id="R2", data_source="NOPE", **args)


async def test_reads_are_retried_and_create_is_not(fake: FakePortOne, clock: FakeClock) -> None:
    """A 503 on summary or records is retried; a 503 on create is not sent again."""
    async with open_client(fake, clock) as client:
        fake.fail(status=503, path=r"/summary$")
        await client.reconciliation.summary(
            **window(clock), data_source_a=ORDERS, data_source_b=SETTLEMENTS
        )
        fake.fail(status=503, path=r"/dashboard-records$")
        assert [r async for r in client.reconciliation.records(**records_args(clock))] == []
        fake.fail(status=503, path=r"/create-recon$")
        with pytest.raises(ServerError):
            await client.reconciliation.create(
                recon_id="R1",
                data_source=ORDERS,
                file_key="k",
                file_link="https://f.example/k.csv",
                file_name="k.csv",
            )
    assert [len(fake.calls(p)) for p in ("/summary$", "/dashboard-records$", "/create-recon$")] == [
        2,
        2,
        1,
    ]


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"status": "matched"}, "status"),
        ({"msm_id": True}, "msm_id"),
        ({"msm_id": "27"}, "msm_id"),
        ({"record_type": "sale"}, "record_type"),
        ({"mismatch": ["mismatch_fee"]}, "mismatch"),
        ({"brand_ids": "B1"}, "brand_ids"),
        ({"currencies": ["INR", ""]}, "currencies"),
        ({"start": datetime(2026, 1, 1)}, "start"),
        ({"end": datetime(2000, 1, 1, tzinfo=UTC)}, "end"),
        ({"page_size": 0}, "page_size"),
        ({"environment": "prod"}, "environment"),
    ],
)
async def test_bad_record_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock, overrides: dict[str, Any], name: str
) -> None:
    """Each bad records() argument raises ConfigurationError naming it; nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        client.reconciliation.records(**records_args(clock, **overrides))
    assert caught.value.argument == name
    assert fake.calls("/api/recon/") == []


async def test_bad_summary_and_create_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """summary() and create() name their bad argument; nothing is sent."""
    with pytest.raises(ConfigurationError, match="data_source_b"):
        await client.reconciliation.summary(
            **window(clock), data_source_a=ORDERS, data_source_b=" "
        )
    with pytest.raises(ConfigurationError, match="file_link"):
        await client.reconciliation.create(
            recon_id="R",
            data_source=ORDERS,
            file_key="k",
            file_link=1,  # type: ignore[arg-type]
            file_name="n",
        )
    assert fake.calls("/api/recon/") == []


async def test_a_hostile_records_page_ends_the_walk(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """An empty page claiming 99 more ends the iteration after one request: no endless loop."""
    answer = {"data": {"content": [], "totalPages": 99}, "status_code": "2000"}
    fake.fail(status=200, body=answer, path=r"/dashboard-records$", times=None)
    assert [r async for r in client.reconciliation.records(**records_args(clock))] == []
    assert len(fake.calls(r"/dashboard-records$")) == 1


async def test_a_summary_that_is_not_an_object_is_an_error(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A summary answered with a JSON list raises PortOneError rather than an empty summary."""
    fake.fail(status=200, body=[1, 2], path=r"/summary$")
    with pytest.raises(PortOneError, match="recon summary"):
        await client.reconciliation.summary(
            **window(clock), data_source_a=ORDERS, data_source_b=SETTLEMENTS
        )
