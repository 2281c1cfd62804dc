"""The file operations against the fake PortOne over loopback HTTP: the reconciliation export
and upload, the sub-merchant transactions export, and pay-channel credentials via request()."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aioportone import (
    ConfigurationError,
    Download,
    InvalidRequestError,
    PortOneClient,
    ReconUpload,
    ServerError,
)
from aioportone._resources._files import MAX_UPLOAD_SIZE
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import link_args, open_client

ORDERS = "LAZADA_ORDER"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def window(clock: FakeClock) -> dict[str, Any]:
    now = datetime.fromtimestamp(clock.time(), UTC)
    return {"start": now - timedelta(hours=1), "end": now + timedelta(hours=1)}


def box(clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        **window(clock),
        "data_source": ORDERS,
        "status": "reconciled",
        "msm_id": 27,
    }
    args.update(overrides)
    return args


def rows(download: Download) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(download.content.decode("utf-8"))))


async def test_export_records_returns_the_boxs_records_as_a_file(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """export_records() answers a Download of the box's records, sent with records()' body."""
    fake.state.recon.add_record("T1", owner_key=DEMO_CLIENT_KEY)
    fake.state.recon.add_record("T2", owner_key=DEMO_CLIENT_KEY, status="unreconciled")
    export = await client.reconciliation.export_records(**box(clock), record_type="refund")
    assert isinstance(export, Download)
    assert export.filename == "source-records.csv"
    assert [row["transaction_id"] for row in rows(export)] == []  # no refund
    export = await client.reconciliation.export_records(**box(clock))
    assert [row["transaction_id"] for row in rows(export)] == ["T1"]
    sent = fake.requests[-1].json
    assert (sent["status"], sent["msm_id"], sent["environment"]) == ("reconciled", 27, "sandbox")
    assert "page" not in sent


async def test_an_export_answering_portones_error_as_text_raises_it(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """recon.yaml's 200 text/plain error body raises that error instead of becoming a file."""
    error = (
        b'{"message":"Data source mapping not found for Merchant","status_code":"4001",'
        b'"status_reason":"INVALID_REQUEST"}\n'
    )
    fake.fail(status=200, raw=error, headers={"Content-Type": "text/plain"}, path="export")
    with pytest.raises(InvalidRequestError, match="Data source mapping not found"):
        await client.reconciliation.export_records(**box(clock))


async def test_upload_file_sends_a_multipart_form_and_feeds_create(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """upload_file() posts the file and environment as multipart; create() takes its answer."""
    content = b"order_id,amount\r\nT1,100\r\n"
    upload = await client.reconciliation.upload_file(file=("lazada.csv", content, "text/csv"))
    assert isinstance(upload, ReconUpload)
    assert (upload.file_key, upload.file_name) == ("UPLOAD/lazada.csv", "lazada.csv")
    assert upload.raw["message"] == "File Uploaded Successfully!"
    (stored,) = fake.state.recon.uploads
    assert (stored["content"], stored["environment"], stored["owner_key"]) == (
        content,
        "sandbox",
        DEMO_CLIENT_KEY,
    )
    assert fake.requests[-1].headers["Content-Type"].startswith("multipart/form-data")
    await client.reconciliation.create(
        recon_id=upload.recon_id,
        data_source=ORDERS,
        file_key=upload.file_key,
        file_link=upload.file_link,
        file_name=upload.file_name,
    )
    assert fake.state.recon.recons[-1]["file_key"] == "UPLOAD/lazada.csv"


async def test_exports_are_retried_and_the_upload_is_not(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A 503 on an export is retried; a 503 on the upload is not sent again."""
    async with open_client(fake, clock) as client:
        fake.fail(status=503, path=r"/export-dashboard-records$")
        await client.reconciliation.export_records(**box(clock))
        fake.fail(status=503, path=r"/export-transactions$")
        await client.sub_merchants.export_transactions(**window(clock))
        fake.fail(status=503, path=r"/upload-file$")
        with pytest.raises(ServerError):
            await client.reconciliation.upload_file(file=("a.csv", b"x", "text/csv"))
    paths = ("/export-dashboard-records$", "/export-transactions$", "/upload-file$")
    assert [len(fake.calls(p)) for p in paths] == [2, 2, 1]
    assert fake.state.recon.uploads == []


@pytest.mark.parametrize(
    "file",
    [
        b"order_id\r\n",
        ("a.csv", b"x"),
        ("../a.csv", b"x", "text/csv"),
        ("", b"x", "text/csv"),
        ("a.csv", "x", "text/csv"),
        ("a.csv", b"", "text/csv"),
        ("a.csv", b"x" * (MAX_UPLOAD_SIZE + 1), "text/csv"),
        ("a.csv", b"x", "csv"),
        ("a.csv", b"x", "text/csv\r\nX-Injected: 1"),
    ],
    ids=[
        "bytes",
        "pair",
        "directory",
        "no-name",
        "text",
        "empty",
        "too-big",
        "not-a-type",
        "crlf",
    ],
)
async def test_a_bad_upload_file_is_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, file: Any
) -> None:
    """Each bad file argument raises ConfigurationError naming 'file'; nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await client.reconciliation.upload_file(file=file)
    assert caught.value.argument == "file"
    assert fake.calls("/api/recon/") == []


async def test_export_transactions_returns_the_sub_merchants_payments_as_a_file(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """export_transactions() answers a Download listing each sub-merchant's payment."""
    await client.sub_merchants.add(email_address="shop@market.example", name="Shop", country="VN")
    sub = fake.state.sub_merchants.of(DEMO_CLIENT_KEY)[-1]
    async with PortOneClient(sub.key, sub.secret, base_url=fake.url, clock=clock) as own:
        link = await own.payment_links.create(**link_args(merchant_order_id="SUB-1"))
    fake.state.pay_link(link.payment_link_ref)
    export = await client.sub_merchants.export_transactions(
        **window(clock), merchant_keys=[sub.key]
    )
    assert export.filename == "transactions.csv"
    assert [row["merchant_key"] for row in rows(export)] == [sub.key]
    sent = fake.requests[-1].json
    assert (sent["page"], sent["pagesize"], sent["merchant_keys"]) == (1, 100, [sub.key])


@pytest.mark.parametrize(
    ("overrides", "name"),
    [({"page": 0}, "page"), ({"page": True}, "page"), ({"page_size": 101}, "page_size")],
)
async def test_bad_export_arguments_are_refused_before_sending(
    fake: FakePortOne,
    client: PortOneClient,
    clock: FakeClock,
    overrides: dict[str, Any],
    name: str,
) -> None:
    """A bad page or page size of the export raises ConfigurationError naming it."""
    with pytest.raises(ConfigurationError) as caught:
        await client.sub_merchants.export_transactions(**window(clock), **overrides)
    assert caught.value.argument == name
    assert fake.calls("/export-transactions") == []


async def test_pay_channel_credentials_through_request_come_back_masked(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The documented request() calls add, replace and read a channel's credentials, masked."""
    path = f"/api/merchant/{DEMO_CLIENT_KEY}/add-pay-channel/MOMO"
    body = {"creds": {"accessKey": "access-1234"}, "country": "VN", "environment": "sandbox"}
    added = await client.request("POST", path, json=body)
    assert added["content"]["maskedData"]["accessKey"].endswith("234")
    body["creds"] = {"accessKey": "access-5678", "secretKey": "very-secret-value"}
    await client.request("PUT", path, json=body, idempotent=True)
    read = await client.request(
        "GET",
        f"/api/merchant/{DEMO_CLIENT_KEY}/pay-channel/MOMO",
        params={"environment": "sandbox", "payType": "PAYIN"},
    )
    (channel,) = read["content"]
    assert channel["creds"]["accessKey"].endswith("678")
    assert "very-secret-value" not in str(read)


async def test_an_export_answered_as_json_comes_back_whole_as_a_file(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A JSON success where a file was expected is kept, as a Download of that JSON."""
    answer = {"status_code": "2000", "message": "queued", "content": {"rows": 2}}
    fake.fail(status=200, body=answer, path="export-transactions")
    export = await client.sub_merchants.export_transactions(**window(clock))
    assert export.content_type == "application/json"
    assert json.loads(export.content) == answer
