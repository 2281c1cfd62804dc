"""The request path's fast paths give exactly what the general code gives."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioportone import (
    APIError,
    ConfigurationError,
    PortOneClient,
    TokenEvent,
    TokenManager,
    TransactionStatus,
    _observe,
    _skew,
)
from aioportone._client_checks import request_path
from aioportone._config import path_segment, text
from aioportone._decipher import UNREADABLE, decode_body
from aioportone._events_webhook import frozen
from aioportone._resources._validate import expect_object, record
from aioportone._skew import ServerClockOffset
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

from ._logs import records, token_log


def general_segment(value: Any) -> str:
    """``path_segment`` without its fast path: check, quote everything, escape dot segments."""
    encoded = quote(text("ref", value), safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


@given(
    st.one_of(
        st.text(alphabet="AZaz09_.~-/%?# é", min_size=0, max_size=12),
        st.text(max_size=12),
    )
)
def test_path_segment_equals_the_general_encoding_for_any_text(value: str) -> None:
    """Every reference, plain or not, is encoded exactly as quoting it in full would."""
    try:
        expected = general_segment(value)
    except ConfigurationError:
        with pytest.raises(ConfigurationError, match="ref"):
            path_segment("ref", value)
    else:
        assert path_segment("ref", value) == expected


@given(st.text(max_size=12))
def test_an_encoded_segment_always_passes_the_request_path_check(value: str) -> None:
    """``_fetch`` skips ``request``'s path check: a path built from encoded segments passes it,
    with the segment still one segment."""
    try:
        segment = path_segment("ref", value)
    except ConfigurationError:
        return  # refused before any path is built
    path = f"/api/transaction/{segment}/status"
    assert request_path(path) == path
    assert path.split("/")[3] == segment


def general_decode(body: bytes) -> Any:
    """``decode_body`` without its fast path: the standard library's own bytes handling."""
    if not body:
        return UNREADABLE
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return UNREADABLE


_BOMS = {
    "utf-8": b"\xef\xbb\xbf",
    "utf-16-le": b"\xff\xfe",
    "utf-16-be": b"\xfe\xff",
    "utf-32-le": b"\xff\xfe\x00\x00",
    "utf-32-be": b"\x00\x00\xfe\xff",
}
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


def _encoded(value: Any, encoding: str, bom: bool) -> bytes:
    text = json.dumps(value, ensure_ascii=False)
    return (_BOMS[encoding] if bom else b"") + text.encode(encoding, "surrogatepass")


@given(
    st.one_of(
        st.binary(max_size=24),
        st.builds(_encoded, _JSON, st.sampled_from(sorted(_BOMS)), st.booleans()),
    )
)
def test_a_body_decodes_exactly_as_json_loads_decodes_its_bytes(body: bytes) -> None:
    """UTF-8 first changes nothing: BOMs, UTF-16/32, lone surrogates and garbage alike."""
    # repr: NaN is not equal to itself, and UNREADABLE shows as itself.
    assert repr(decode_body(body)) == repr(general_decode(body))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"status_code": "2000"}', {"status_code": "2000"}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
        ('{"a": "é"}'.encode("utf-16"), {"a": "é"}),
        ('{"a": 1}'.encode("utf-16-le"), {"a": 1}),
        ('{"a": 1}'.encode("utf-32-be"), {"a": 1}),
        (b"\xef\xbb\xbf<html>", UNREADABLE),
        (b'"\xed\xa0\x80"', "\ud800"),
        (b"[" * 100_000, UNREADABLE),
        (b"<html>502</html>", UNREADABLE),
        (b"\xff\xfe\xfd", UNREADABLE),
    ],
)
def test_the_bodies_the_fast_path_hands_on_still_decode(body: bytes, expected: Any) -> None:
    """A BOM, UTF-16 or 32, an encoded lone surrogate: decoded; deep nesting, garbage: not."""
    assert decode_body(body) == expected


@pytest.mark.parametrize(
    ("ref", "encoded"),
    [
        ("ORDER-1001_1", "ORDER-1001_1"),
        ("a.b~c", "a.b~c"),
        ("...", "..."),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("ORDER 1", "ORDER%201"),
        ("ORDER-1\n", None),
        ("", None),
    ],
)
def test_plain_refs_pass_unchanged_and_others_are_encoded_or_refused(
    ref: str, encoded: str | None
) -> None:
    """A plain reference is used as is; dot segments are escaped; bad ones still refused."""
    if encoded is None:
        with pytest.raises(ConfigurationError, match="ref"):
            path_segment("ref", ref)
    else:
        assert path_segment("ref", ref) == encoded


def test_a_non_string_ref_is_still_refused_by_name() -> None:
    """A number where a reference belongs is refused, naming the argument."""
    with pytest.raises(ConfigurationError, match="ref"):
        path_segment("ref", 1001)


def test_from_json_copies_the_callers_dict() -> None:
    """A result parsed from your own dict does not change when you change the dict later."""
    data = {"content": {"order_ref": "R1", "status": "Success"}, "status_code": "2000"}
    result = TransactionStatus.from_json(data)
    data["status_code"] = "5000"
    assert result.raw["status_code"] == "2000"
    with pytest.raises(TypeError):
        result.raw["status_code"] = "x"  # type: ignore[index]


def test_a_read_only_mapping_is_kept_rather_than_copied() -> None:
    """frozen() hands back a mapping that is already read-only instead of copying it."""
    view = MappingProxyType({"a": 1})
    assert frozen(view) is view
    assert frozen({"a": 1}) == view


async def test_resource_results_keep_the_whole_answer_read_only(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """transactions.status keeps PortOne's answer in .raw, read-only, without a copy step."""
    fake.state.add_transaction("ORDER-9", status="Success")
    result = await client.transactions.status("ORDER-9")
    assert result.raw["status_code"] == "2000"
    assert result.raw["content"]["status"] == "Success"
    with pytest.raises(TypeError):
        result.raw["status_code"] = "x"  # type: ignore[index]


class _Answer(Mapping[str, Any]):
    """A read-only mapping that is not a dict: the general branch of the checks."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _Text(str):
    """A str subclass: read by the general branch of ``_text``."""


_CONTENT: dict[str, Any] = {"order_ref": "R1", "channel_order_ref": 42, "status": "Success"}
_STATUS: dict[str, Any] = {"content": _CONTENT, "status_code": "2000"}


@pytest.mark.parametrize(
    "answer",
    [
        _STATUS,
        OrderedDict(_STATUS),
        _Answer(_STATUS),
        MappingProxyType(_STATUS),
        {**_STATUS, "content": _Answer(_CONTENT)},
        {**_STATUS, "content": {"order_ref": _Text("R1"), "channel_order_ref": 42.0}},
    ],
)
def test_a_status_reads_the_same_whatever_mapping_holds_it(answer: Mapping[str, Any]) -> None:
    """A status answer parses to the same fields from a dict or any other mapping."""
    checked = expect_object(answer, "a transaction status")
    assert checked is answer
    result = TransactionStatus.from_json(record(answer, "a transaction status"))
    assert result.order_ref == "R1"
    assert result.channel_order_ref in ("42", "42.0")
    assert result.raw == answer
    assert result.status == answer["content"].get("status", "")


@pytest.mark.parametrize("answer", [None, [], "text", 1, ["content"]])
def test_an_answer_that_is_not_an_object_is_still_refused(answer: Any) -> None:
    """A 2xx whose JSON is not an object is an APIError, fast path or not."""
    with pytest.raises(APIError, match="a transaction status"):
        record(answer, "a transaction status")
    with pytest.raises(APIError, match="a transaction status"):
        expect_object(answer, "a transaction status")


def test_a_date_already_seen_is_neither_parsed_nor_measured_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answers repeating one Date cost one parse; a step of our clock is learned next second."""
    parsed: list[str] = []
    real = _skew.parse_http_date

    def counting(value: str) -> float | None:
        parsed.append(value)
        return real(value)

    monkeypatch.setattr(_skew, "parse_http_date", counting)
    offset = ServerClockOffset()
    assert not offset.observe("Thu, 01 Jan 1970 00:01:40 GMT", received_at=100.5)
    # Our clock stepped back 30 s while PortOne's Date stayed the same: nothing yet...
    for _ in range(5):
        assert not offset.observe("Thu, 01 Jan 1970 00:01:40 GMT", received_at=70.5)
    assert parsed == ["Thu, 01 Jan 1970 00:01:40 GMT"]
    assert offset.offset == 0.0
    # ...and the next second's Date measures the step.
    assert offset.observe("Thu, 01 Jan 1970 00:01:41 GMT", received_at=71.5)
    assert offset.offset == 30.0


def test_token_events_are_built_only_for_a_listener(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Nobody listening: an event costs no fields; a listener gets every non-None field."""
    built: list[TokenEvent] = []
    real = _observe._event_fields

    def counting(event: TokenEvent) -> dict[str, Any]:
        built.append(event)
        return real(event)

    monkeypatch.setattr(_observe, "_event_fields", counting)
    hooked: list[TokenEvent] = []
    observer = _observe.Observer(hooked.append)
    event = TokenEvent("refresh_scheduled", "server", expires_in=30.0, delay=1.5, waiters=3)
    observer.emit(event)
    assert built == []
    assert hooked == [event]
    caplog.set_level(logging.DEBUG, logger="aioportone")
    observer.emit(event)
    expected = {k: v for k, v in asdict(event).items() if v is not None and k != "name"}
    assert records(caplog) == [
        token_log("refresh_scheduled", source="server", expires_in=30.0, delay=1.5, waiters=3)
    ]
    (logged,) = [r for r in caplog.records if r.name == "aioportone"]
    assert logged.levelno == logging.DEBUG
    assert logged.fields == expected  # type: ignore[attr-defined]
    assert list(logged.fields) == list(expected)  # type: ignore[attr-defined]
    assert hooked == [event, event]


async def test_a_middleware_session_reads_each_date_once(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock, fake: FakePortOne
) -> None:
    """Many answers carrying one Date through tokens.middleware: it is parsed and measured once."""
    parsed: list[str] = []
    real = _skew.parse_http_date

    def counting(value: str) -> float | None:
        parsed.append(value)
        return real(value)

    monkeypatch.setattr(_skew, "parse_http_date", counting)
    measured: list[float] = []
    real_measure = ServerClockOffset.measure

    def measuring(self: ServerClockOffset, value: float) -> bool:
        measured.append(value)
        return real_measure(self, value)

    monkeypatch.setattr(ServerClockOffset, "measure", measuring)
    fake.state.add_transaction("ORDER-1")
    async with (
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as tokens,
        aiohttp.ClientSession(middlewares=[tokens.middleware]) as session,
    ):
        for _ in range(20):
            async with session.get(fake.url + "/api/transaction/ORDER-1/status") as resp:
                assert resp.status == 200
        token = tokens.current()
    assert len(parsed) == 1
    assert len(measured) == 1
    assert len(fake.requests) == 20
    assert {r.headers["Authorization"] for r in fake.requests} == {f"Bearer {token.value}"}


_FIRST_ENTRY = """
import asyncio, sys
import aioportone
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

async def main():
    async with FakePortOne() as fake:
        before = set(sys.modules)
        fake.state.add_transaction("ORDER-1")
        client = aioportone.PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url)
        async with client as portone:
            await portone.transactions.status("ORDER-1")
        print(sorted(m for m in set(sys.modules) - before if m.startswith("anyio")))

asyncio.run(main())
"""


def test_a_process_first_request_imports_no_anyio_module() -> None:
    """anyio's asyncio backend is loaded with aioportone, not inside the first ``async with``
    (where its imports cost a fresh process's first request tens of milliseconds)."""
    out = subprocess.run(  # noqa: S603 - this interpreter, a literal script
        [sys.executable, "-c", _FIRST_ENTRY], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
