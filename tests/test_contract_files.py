"""Contract tests of the file operations and of the pay-channel calls left on ``request()``: the
reconciliation export and upload (recon.yaml), the sub-merchant transactions export
(mastermerchant.yaml), pay-channel credentials (payment.yaml). The requests the client sends and
the fake's answers are checked against the spec.

The exports answer files where the specs declare ``text/plain`` (recon.yaml, whose example is an
xlsx's bytes) or JSON (mastermerchant.yaml, whose example is the text "Excel File Stream to
download"); the fake answers CSV. The tests check that the media type is the one disagreement.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from aioportone import PortOneClient
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._contract import (
    SERVER,
    Exchange,
    answer_errors,
    error_texts,
    load_specs,
    matched,
    mock_request,
    recording,
    spec_example,
)
from tests._fixtures import link_args

EXPORT_RECORDS = ("post", "/api/recon/v3/export-dashboard-records")
UPLOAD = ("post", "/api/recon/v3/upload-file")
EXPORT_TRANSACTIONS = ("post", "/api/master-merchant/{mkey}/merchants/export-transactions")
ADD_CHANNEL = ("post", "/api/merchant/{key}/add-pay-channel/{pckey}")
UPDATE_CHANNEL = ("put", "/api/merchant/{key}/add-pay-channel/{pckey}")
GET_CHANNEL = ("get", "/api/merchant/{key}/pay-channel/{pckey}")
OPERATIONS = {
    EXPORT_RECORDS: "recon",
    UPLOAD: "recon",
    EXPORT_TRANSACTIONS: "mastermerchant",
    ADD_CHANNEL: "payment",
    UPDATE_CHANNEL: "payment",
    GET_CHANNEL: "payment",
}


@pytest.fixture(scope="module")
def specs() -> dict[str, OpenAPI]:
    return load_specs(*set(OPERATIONS.values()))


async def _scenario(portone: PortOneClient, fake: FakePortOne, clock: FakeClock) -> None:
    """Each operation once, with a 200 answer."""
    now = datetime.fromtimestamp(clock.time(), UTC)
    window: dict[str, Any] = {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    fake.state.recon.add_record("755919531746953", owner_key=DEMO_CLIENT_KEY)
    upload = await portone.reconciliation.upload_file(
        file=("Lazada Paid out.csv", b"order_id,amount\r\nT1,1\r\n", "text/csv")
    )
    assert upload.file_key
    export = await portone.reconciliation.export_records(
        **window, data_source="LAZADA_ORDER", status="reconciled", msm_id=27, brand_ids=[]
    )
    assert b"755919531746953" in export.content
    await portone.sub_merchants.add(email_address="shop@market.example", name="Shop", country="VN")
    sub = fake.state.sub_merchants.of(DEMO_CLIENT_KEY)[-1]
    async with PortOneClient(sub.key, sub.secret, base_url=fake.url, clock=fake.clock) as own:
        link = await own.payment_links.create(**link_args(merchant_order_id="SUB-C1"))
    fake.state.pay_link(link.payment_link_ref)
    await portone.sub_merchants.export_transactions(**window)
    path = f"/api/merchant/{DEMO_CLIENT_KEY}/add-pay-channel/MOMO"
    body = {
        "creds": {"accessKey": "TestKey", "partnerCode": "TestCode", "secretKey": "TestSecretKey"},
        "country": "VN",
        "environment": "sandbox",
    }
    await portone.request("POST", path, json=body)
    await portone.request("PUT", path, json=body, idempotent=True)
    await portone.request(
        "GET",
        f"/api/merchant/{DEMO_CLIENT_KEY}/pay-channel/MOMO",
        params={"environment": "sandbox", "payType": "PAYIN"},
    )


#: The Content-Disposition of each answer, by request path (the last exchange's fixture run).
dispositions: dict[str, str] = {}


def _disposition(request: web.Request, response: web.StreamResponse) -> bool:
    dispositions[request.raw_path] = response.headers.get("Content-Disposition", "")
    return True


@pytest.fixture
async def exchanges(clock: FakeClock, specs: dict[str, OpenAPI]) -> dict[tuple[str, str], Exchange]:
    """The scenario's exchanges by the spec operation each matched (the last of each)."""
    async with recording(clock, keep=_disposition) as (fake, portone, seen):
        await _scenario(portone, fake, clock)
    assert all(r.authorized for r in fake.requests)
    found = {}
    for x in seen:
        name = (
            "recon"
            if x.path.startswith("/api/recon/")
            else "mastermerchant"
            if x.path.startswith("/api/master-merchant/")
            else "payment"
        )
        x = matched(specs[name], x)
        if x.operation in OPERATIONS:
            found[x.operation] = x
    assert set(found) == set(OPERATIONS)
    assert all(x.status == 200 for x in found.values())
    return found


def _multipart(x: Exchange) -> MockRequest:
    # The boundary stays in the media type: the multipart body cannot be read without it.
    return MockRequest(
        SERVER,
        x.method,
        x.path,
        headers=x.headers,
        data=x.body,
        content_type=x.headers["Content-Type"],
    )


async def test_every_request_matches_the_spec(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange]
) -> None:
    """Each request the client sent (the multipart upload included) is valid for its spec."""
    problems = {}
    for operation, x in exchanges.items():
        request = _multipart(x) if operation == UPLOAD else mock_request(x)
        errors = error_texts(specs[OPERATIONS[operation]].iter_request_errors(request))
        if errors:
            problems[str(x)] = errors
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


async def test_the_upload_sends_the_declared_form_fields(
    exchanges: dict[tuple[str, str], Exchange],
) -> None:
    """recon.yaml's upload form: a file part named 'file' and an 'environment' field."""
    x = exchanges[UPLOAD]
    assert x.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="Lazada Paid out.csv"' in x.body
    assert b'name="environment"' in x.body
    assert b"order_id,amount\r\nT1,1\r\n" in x.body


async def test_json_answers_match_the_spec_and_its_example(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange]
) -> None:
    """The upload and pay-channel answers validate and carry every key of their example."""
    for operation in (UPLOAD, ADD_CHANNEL, UPDATE_CHANNEL, GET_CHANNEL):
        x, spec = exchanges[operation], specs[OPERATIONS[operation]]
        request = _multipart(x) if operation == UPLOAD else mock_request(x)
        response = MockResponse(x.answer, status_code=200)
        assert error_texts(spec.iter_response_errors(request, response)) == [], operation
        example = spec_example(spec, *operation)
        assert set(example) <= set(x.data), operation
        inner = example.get("data") or example.get("content")
        got = x.data.get("data") or x.data.get("content")
        if isinstance(inner, list):
            inner, got = inner[0], got[0]
        assert set(inner) <= set(got), operation


async def test_the_pay_channel_answers_show_no_credential(
    exchanges: dict[tuple[str, str], Exchange],
) -> None:
    """As payment.yaml's examples: the credentials come back masked, never as sent."""
    for operation in (ADD_CHANNEL, UPDATE_CHANNEL, GET_CHANNEL):
        assert b"TestSecretKey" not in exchanges[operation].answer
    masked = exchanges[GET_CHANNEL].data["content"][0]["creds"]["secretKey"]
    assert masked.startswith("*")
    assert masked.endswith("Key")


@pytest.mark.parametrize("operation", [EXPORT_RECORDS, EXPORT_TRANSACTIONS])
async def test_the_export_answers_are_files_where_the_specs_say_otherwise(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange], operation: Any
) -> None:
    """Each CSV export draws exactly one error, its media type, and names its file."""
    x = exchanges[operation]
    errors = answer_errors(specs[OPERATIONS[operation]], x, content_type="text/csv")
    assert len(errors) == 1, errors
    assert "text/csv" in errors[0]
    assert dispositions[x.path].startswith("attachment; filename=")


def test_the_recon_export_example_is_an_xlsx_and_an_error(specs: dict[str, OpenAPI]) -> None:
    """recon.yaml's 200 examples: an xlsx (a zip) and a JSON error, both as text/plain."""
    media = (
        specs["recon"].spec
        / "paths"
        / EXPORT_RECORDS[1]
        / "post"
        / "responses"
        / "200"
        / "content"
        / "text/plain"
        / "examples"
    )
    values = [(media / name / "value").read_value() for name in ("example-0", "example-1")]
    assert '"status_code":"4001"' in values[0]
    assert values[1].startswith("PK")
