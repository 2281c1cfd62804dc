"""request() beyond JSON: file answers, multipart forms, calls without a JWT, bodiless writes."""

from __future__ import annotations

from typing import Any

import aiohttp
import anyio
import pytest

from aioportone import AmbiguousResultError, ConfigurationError, Download, PortOneClient
from aioportone._download import filename_of
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client

EXPORT = "/api/export"
CSV_HEADERS = {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": 'attachment; filename="report.csv"',
}


async def test_a_file_answer_comes_back_as_a_download(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """With expect="file", a CSV answer is a Download with its bytes, type and file name."""
    fake.fail(path=EXPORT, raw=b"a,b\r\n1,2\r\n", headers=CSV_HEADERS)
    got = await client.request("GET", EXPORT, expect="file")
    assert got == Download(b"a,b\r\n1,2\r\n", "text/csv; charset=utf-8", "report.csv")
    assert "1,2" not in repr(got)


async def test_a_one_number_csv_is_still_a_file(fake: FakePortOne, client: PortOneClient) -> None:
    """A file whose bytes happen to be valid JSON ("42") stays a file."""
    fake.fail(path=EXPORT, raw=b"42", headers={"Content-Type": "text/csv"})
    got = await client.request("GET", EXPORT, expect="file")
    assert isinstance(got, Download)
    assert got.content == b"42"


async def test_a_file_without_content_type_is_octet_stream(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A binary answer (an XLSX) without a file name has filename None."""
    fake.fail(path=EXPORT, raw=b"PK\x03\x04binary")
    got = await client.request("GET", EXPORT, expect="file")
    assert isinstance(got, Download)
    assert (got.content_type, got.filename) == ("application/octet-stream", None)


async def test_json_from_a_file_operation_is_still_json(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A JSON answer to expect="file" is decoded as usual (PortOne's errors are JSON)."""
    fake.fail(path=EXPORT, body={"content": [1], "status_code": "2000"})
    assert await client.request("GET", EXPORT, expect="file") == {
        "content": [1],
        "status_code": "2000",
    }


async def test_an_html_200_is_never_a_file(fake: FakePortOne, client: PortOneClient) -> None:
    """A proxy's HTML page with status 200 is not a download, even where a file is expected."""
    fake.fail(path=EXPORT, raw=b"<html>maintenance</html>", headers={"Content-Type": "text/html"})
    assert await client.request("GET", EXPORT, expect="file") is None


async def test_without_expect_file_a_csv_answer_to_a_write_is_ambiguous(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A non-JSON 2xx to a write stays ambiguous unless the caller expected a file."""
    fake.fail(path="/api/refund/", raw=b"a,b\r\n", headers=CSV_HEADERS)
    with pytest.raises(AmbiguousResultError):
        await client.request("POST", "/api/refund/REF-1", json={"amount": 1})


async def test_without_expect_file_a_csv_read_gives_none(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """By default a non-JSON answer to a read is None, as before (never mistaken for a file)."""
    fake.fail(path=EXPORT, raw=b"a,b\r\n", headers=CSV_HEADERS)
    assert await client.request("GET", EXPORT) is None


async def test_an_empty_answer_to_a_file_read_is_none(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """An empty 2xx to a read stays None with expect="file"."""
    fake.fail(path=EXPORT, raw=b"", headers=CSV_HEADERS)
    assert await client.request("GET", EXPORT, expect="file") is None


async def test_a_file_over_the_size_limit_is_refused(fake: FakePortOne, clock: FakeClock) -> None:
    """max_response_size applies to files too."""
    fake.fail(path=EXPORT, raw=b"x" * 2048, headers=CSV_HEADERS)
    async with open_client(fake, clock, max_response_size=1024) as portone:
        with pytest.raises(Exception, match="max_response_size"):
            await portone.request("GET", EXPORT, expect="file")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", "résumé.pdf"),
        ('attachment; filename="a\\\\b\\\\c.csv"', "c.csv"),
        ('attachment; filename=".."', None),
        ("inline", None),
        ("", None),
    ],
)
def test_a_file_name_is_reduced_to_a_bare_name(header: str, name: str | None) -> None:
    """A Content-Disposition name never carries a directory part."""
    assert filename_of(header) == name


async def test_a_form_arrives_as_multipart(fake: FakePortOne, client: PortOneClient) -> None:
    """form= sends multipart/form-data with the file's name, type and bytes."""
    fake.fail(path="/api/upload", body={"status_code": "2000"})
    await client.request(
        "POST",
        "/api/upload",
        form={"source": "bank", "file": ("recon.csv", b"id,amount\r\n1,2\r\n", "text/csv")},
        idempotent=True,
    )
    sent = fake.requests[-1]
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="recon.csv"' in sent.body
    assert b"Content-Type: text/csv" in sent.body
    assert b"id,amount\r\n1,2\r\n" in sent.body
    assert b'name="source"' in sent.body


async def test_a_form_is_rebuilt_for_a_retry(fake: FakePortOne, clock: FakeClock) -> None:
    """A retried multipart request carries the whole form again, not an empty one."""
    fake.fail(path="/api/upload", status=503, times=1)
    fake.fail(path="/api/upload", body={"status_code": "2000"})
    async with open_client(fake, clock) as portone:
        await portone.request(
            "POST", "/api/upload", form={"file": ("a.csv", b"1,2", "text/csv")}, idempotent=True
        )
    assert [b"1,2" in r.body for r in fake.requests] == [True, True]


@pytest.mark.parametrize(
    "options",
    [
        {"form": {"f": ("a.csv", b"1", "text/csv")}, "json": {"a": 1}},
        {"form": {}},
        {"form": {"f": ("a.csv", "not bytes", "text/csv")}},
        {"form": {"f": ("a\r\n.csv", b"1", "text/csv")}},
        {"form": aiohttp.FormData({"a": "b"})},
        {"form": [("a", "b")]},
    ],
)
async def test_a_bad_form_is_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, options: dict[str, Any]
) -> None:
    """A bad form (or one given with json) raises ConfigurationError naming form."""
    with pytest.raises(ConfigurationError) as caught:
        await client.request("POST", "/api/upload", **options)
    assert caught.value.argument == "form"
    assert fake.requests == []


@pytest.mark.parametrize(("name", "value"), [("expect", "xml"), ("auth", "no")])
async def test_bad_request_options_are_refused(
    fake: FakePortOne, client: PortOneClient, name: str, value: Any
) -> None:
    """expect= and auth= take only their documented values."""
    with pytest.raises(ConfigurationError) as caught:
        await client.request("GET", EXPORT, **{name: value})
    assert caught.value.argument == name
    assert fake.requests == []


async def test_a_parse_that_is_no_function_is_refused(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """parse= takes a function of the answer; anything else is refused before sending."""
    with pytest.raises(ConfigurationError) as caught:
        await client.request("GET", EXPORT, parse="TransactionStatus")  # type: ignore[arg-type]
    assert caught.value.argument == "parse"
    assert fake.requests == []


async def test_parse_of_a_file_answer_gets_the_download(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """With expect="file", parse= is given the Download."""
    fake.fail(path=EXPORT, raw=b"a,b\r\n1,2\r\n", headers=CSV_HEADERS)
    got = await client.request("GET", EXPORT, expect="file", parse=lambda d: d.filename)
    assert got == "report.csv"


async def test_parse_turns_the_answer_into_the_result(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """The call returns what parse returns, after retries; what parse raises is raised."""
    fake.state.add_transaction("ORDER-1")
    path = "/api/transaction/ORDER-1/status"
    seen: list[Any] = []

    def status_of(answer: Any) -> str:
        seen.append(answer)
        return str(answer["content"]["status"])

    fake.fail(path="status$", status=503)  # one retry first: parse sees only the final answer
    results: list[str] = []

    async def call() -> None:
        results.append(await client.request("GET", path, parse=status_of))

    async with anyio.create_task_group() as tg:
        tg.start_soon(call)
        while not results:  # the retry's backoff runs on the fake clock
            await anyio.wait_all_tasks_blocked()
            await clock.advance(1)
    assert results == ["Success"]
    assert len(seen) == 1
    assert len(fake.calls("status$")) == 2

    def broken(answer: Any) -> None:
        raise LookupError("no such field")

    with pytest.raises(LookupError, match="no such field"):
        await client.request("GET", path, parse=broken)


@pytest.mark.parametrize("borrowed", [False, True])
async def test_auth_false_sends_the_client_key_alone(
    fake: FakePortOne, clock: FakeClock, borrowed: bool
) -> None:
    """auth=False sends X-Portone-Client-Key without Authorization; the next call has its JWT."""
    fake.fail(path="/api/initiatePayment", body={"is_success": True})
    async with aiohttp.ClientSession() as session:
        options: dict[str, Any] = {"session": session} if borrowed else {}
        async with open_client(fake, clock, **options) as portone:
            await portone.request("POST", "/api/initiatePayment", json={}, auth=False)
            unauthenticated = fake.requests[-1]
            fake.state.add_transaction("ORDER-1")
            await portone.transactions.status("ORDER-1")
            after = fake.requests[-1]
    assert unauthenticated.headers["X-Portone-Client-Key"] == DEMO_CLIENT_KEY
    assert "Authorization" not in unauthenticated.headers
    assert after.headers["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("borrowed", [False, True])
async def test_a_bodiless_write_has_no_content_type(
    fake: FakePortOne, clock: FakeClock, method: str, borrowed: bool
) -> None:
    """A POST, PUT or PATCH without json= or form= goes with no body and no Content-Type."""
    fake.fail(path="/api/thing", body={"status_code": "2000"})
    async with aiohttp.ClientSession() as session:
        options: dict[str, Any] = {"session": session} if borrowed else {}
        async with open_client(fake, clock, **options) as portone:
            await portone.request(method, "/api/thing", idempotent=True)
    sent = fake.requests[-1]
    assert "Content-Type" not in sent.headers
    assert sent.body == b""
    assert sent.headers["Authorization"].startswith("Bearer ")


async def test_a_json_write_keeps_its_content_type(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A body sent as JSON is still labelled application/json."""
    fake.fail(path="/api/thing", body={"status_code": "2000"})
    await client.request("PUT", "/api/thing", json={"a": 1}, idempotent=True)
    assert fake.requests[-1].headers["Content-Type"] == "application/json"


async def test_sub_merchant_key_goes_only_on_calls_that_name_it(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The sub-merchant key is not a default header; request(sub_merchant_key=) sends it."""
    fake.state.add_transaction("ORDER-1")
    async with open_client(fake, clock, sub_merchant_key="subMerchant0001") as portone:
        await portone.transactions.status("ORDER-1")
        assert "X-Portone-SubMerchant-Key" not in fake.requests[-1].headers
        await portone.request(
            "GET", "/api/transaction/ORDER-1/status", sub_merchant_key="subOther02"
        )
        assert fake.requests[-1].headers["X-Portone-SubMerchant-Key"] == "subOther02"
        with pytest.raises(ConfigurationError) as caught:
            await portone.request("GET", "/api/x", sub_merchant_key="a\r\nb")
    assert caught.value.argument == "sub_merchant_key"
