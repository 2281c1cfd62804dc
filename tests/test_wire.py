"""The one exchange over aiohttp: its error mapping on plain exceptions, and the exchange itself
against a small server on 127.0.0.1 (bodies within and past the limit, no server at all)."""

from __future__ import annotations

import builtins
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aioportone import AmbiguousResultError, ConnectError, ResponseTooLargeError, TimeoutError
from aioportone._errors import PortOneError
from aioportone._retry import Decision
from aioportone._retry_report import final_error
from aioportone._wire import WIRE_ERRORS, exchange, failure_of, shown, translate

URL_WITH_QUERY = URL("http://127.0.0.1:1/api/transaction/ORDER-1/status?amount=5&ref=x")
BODY = b'{"status_code": "2000"}'


def test_shown_drops_the_query_string_and_keeps_a_plain_string() -> None:
    """An error shows the URL without its query; a string (no query by construction) as is."""
    assert shown(URL_WITH_QUERY) == "http://127.0.0.1:1/api/transaction/ORDER-1/status"
    assert shown("http://127.0.0.1:1/api/merchant/auth-token") == (
        "http://127.0.0.1:1/api/merchant/auth-token"
    )


@pytest.mark.parametrize(
    ("exc", "kind", "message", "sent"),
    [
        (
            aiohttp.ServerDisconnectedError(),
            ConnectError,
            "connection dropped before PortOne answered (ServerDisconnectedError)",
            True,
        ),
        (
            aiohttp.ClientPayloadError("truncated"),
            ConnectError,
            "connection dropped before PortOne answered (ClientPayloadError)",
            True,
        ),
        (aiohttp.ServerTimeoutError(), TimeoutError, "no answer from PortOne in time", True),
        (builtins.TimeoutError(), TimeoutError, "no answer from PortOne in time", True),
        (aiohttp.ClientOSError(), ConnectError, "connection problem (ClientOSError)", True),
        (ValueError("bad port"), ConnectError, "connection problem (ValueError)", True),
    ],
)
def test_translate_maps_each_failure_to_our_error(
    exc: BaseException, kind: type[PortOneError], message: str, sent: bool
) -> None:
    """Each aiohttp, OS or timeout exception becomes one of ours, URL shown without query."""
    error = translate(exc, "GET", URL_WITH_QUERY)
    assert type(error) is kind
    assert str(error) == f"{message} (GET http://127.0.0.1:1/api/transaction/ORDER-1/status)"
    assert getattr(error, "request_sent", None) is sent


def _answer_error(info: aiohttp.RequestInfo) -> None:
    """Raise a ClientResponseError the way aiohttp leaves one: a traceback, a context."""
    try:
        dict[str, int]()["inner"]
    except KeyError:
        raise aiohttp.ClientResponseError(info, (), status=502) from None


def test_translate_chains_a_bared_cause() -> None:
    """The cause is kept, without its traceback, its own chain or a response's request headers."""
    secret = CIMultiDictProxy(CIMultiDict({"Authorization": "Bearer sekret"}))
    info = aiohttp.RequestInfo(URL_WITH_QUERY, "GET", secret, URL_WITH_QUERY)
    with pytest.raises(aiohttp.ClientResponseError) as raised:
        _answer_error(info)
    exc = raised.value
    assert exc.__traceback__ is not None
    assert isinstance(exc.__context__, KeyError)
    error = translate(exc, "GET", URL_WITH_QUERY)
    assert error.__cause__ is exc
    assert exc.__traceback__ is None
    assert exc.__context__ is None
    assert exc.__suppress_context__
    assert dict(exc.request_info.headers) == {}
    assert "sekret" not in repr(exc)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ResponseTooLargeError("big"), "too_large"),
        (TimeoutError("slow"), "timeout"),
        (ConnectError("refused", request_sent=False), "unsent"),
        (ConnectError("dropped"), "lost"),
        (PortOneError("other"), "lost"),
    ],
)
def test_failure_of_names_the_kind_of_failure(error: PortOneError, failure: str) -> None:
    """The retry decision's failure kind, from the error an exchange answered."""
    assert failure_of(error) == failure


def test_final_error_notes_why_it_was_not_retried() -> None:
    """A spent budget or a near deadline is noted on the error, which is returned as is."""
    budget = ConnectError("dropped")
    assert final_error(Decision("fail", why="budget"), budget, "GET", "u", 0) is budget
    assert budget.__notes__ == [
        "Not retried: the client's retry budget is exhausted (too many retries lately; "
        "successful answers refill it)."
    ]
    deadline = ConnectError("dropped")
    assert final_error(Decision("fail", why="deadline"), deadline, "GET", "u", 0) is deadline
    assert deadline.__notes__ == ["Not retried: the call's timeout would pass first."]


@pytest.mark.parametrize(
    ("status", "what"), [(0, "no answer that could be read"), (502, "an answer it could not read")]
)
def test_final_error_puts_ambiguity_in_front(status: int, what: str) -> None:
    """An ambiguous outcome ends as AmbiguousResultError, caused by the attempt's error."""
    error = ConnectError("dropped")
    final = final_error(Decision("ambiguous"), error, "POST", "http://h/p", status)
    assert isinstance(final, AmbiguousResultError)
    assert final.__cause__ is error
    assert str(final).startswith(
        f"PortOne got POST http://h/p and sent {what}, so the outcome is unknown; "
        "it was not sent again."
    )


async def _sized(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * int(request.query["n"]))


async def _streamed(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()  # chunked: no Content-Length to refuse it by
    await resp.prepare(request)
    size = int(request.query["n"])
    for start in range(0, size, 1000):
        await resp.write(b"y" * min(1000, size - start))
    await resp.write_eof()
    return resp


async def _gzipped(request: web.Request) -> web.Response:
    resp = web.Response(body=b"z" * int(request.query["n"]))
    resp.enable_compression(web.ContentCoding.gzip)  # small on the wire, large decoded
    return resp


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_get("/sized", _sized)
    app.router.add_get("/streamed", _streamed)
    app.router.add_get("/gzipped", _gzipped)
    served = TestServer(app, host="127.0.0.1")
    async with served:
        yield served


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as opened:
        yield opened


@pytest.mark.parametrize("route", ["/sized", "/streamed", "/gzipped"])
async def test_exchange_reads_up_to_the_limit_and_refuses_past_it(
    server: TestServer, session: aiohttp.ClientSession, route: str
) -> None:
    """However the body is framed (a length, chunks, compression): within the limit, the status,
    the headers and the whole body; past it, ResponseTooLargeError showing no query string;
    the session goes on working after either."""
    for size in (3000, 3001, 3000):
        url = server.make_url(route).with_query(n=size)
        answer = await exchange(session.get(url), 3000, "GET", url)
        if size > 3000:
            assert isinstance(answer, ResponseTooLargeError)
            assert str(answer) == (
                "PortOne's answer is larger than max_response_size (3000 bytes) "
                f"(GET {server.make_url(route)})"
            )
            continue
        assert not isinstance(answer, PortOneError)
        status, headers, body = answer
        assert (status, len(body)) == (200, size)
        assert "Date" in headers


async def test_exchange_with_no_server_is_an_unsent_connect_error(
    session: aiohttp.ClientSession,
) -> None:
    """Nothing listening: ConnectError naming the OS error, the request known not to be sent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = URL(f"http://127.0.0.1:{port}/api/merchant/auth-token")
    answer = await exchange(session.post(url), 100, "POST", url)
    assert isinstance(answer, ConnectError)
    assert answer.request_sent is False
    assert str(answer) == f"could not connect to PortOne (ConnectionRefusedError) (POST {url})"
    assert isinstance(answer.__cause__, aiohttp.ClientConnectorError)
    assert answer.__cause__.__traceback__ is None


async def test_exchange_turns_only_the_errors_it_is_given(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    """A request aiohttp will not send (a plain ValueError) propagates, unless the caller names
    ValueError among the errors to turn."""
    url = server.make_url("/sized?n=1")
    injected = {"X-Note": "a\r\nAuthorization: Bearer x"}
    with pytest.raises(ValueError, match="control character"):
        await exchange(session.get(url, headers=injected), 100, "GET", url)
    turned = (*WIRE_ERRORS, ValueError)
    answer = await exchange(session.get(url, headers=injected), 100, "GET", url, turned)
    assert isinstance(answer, ConnectError)
    assert str(answer) == f"connection problem (ValueError) (GET {url.with_query(None)})"
