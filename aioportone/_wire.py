"""One exchange with PortOne over aiohttp, and the one place its failures become our errors.

Both callers, the request path's :class:`~._transport.Transport` and the auth-token call of
:class:`~._server_source.ServerTokenSource`, build the request (only they know the session, the
headers and the timeout it carries) and hand it to :func:`exchange` unsent. It sends it, reads
the body within a size limit and answers ``(status, headers, body)``; any aiohttp, OS or timeout
failure comes back as the matching :class:`~._errors.PortOneError`, returned rather than raised
so no traceback (aiohttp's frames hold the request's headers and body) is attached to it.

The rest is pure: which error an exception is, the URL as an error may show it, and what kind of
failure an error is for :func:`~._retry.decide`.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ._errors import ConnectError, PortOneError, ResponseTooLargeError, TimeoutError
from ._retry import Failure

__all__ = ["WIRE_ERRORS", "Answer", "exchange", "failure_of", "shown", "translate"]

#: The exceptions an exchange turns into ours; anything else is a bug and propagates.
WIRE_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, builtins.TimeoutError)

#: What an exchange answers: the status, the headers and the whole body.
Answer = tuple[int, CIMultiDictProxy[str], bytes]


class _TooLarge(Exception):
    """The body passed the limit; raised by :func:`_read_limited`."""


async def exchange(
    request: Awaitable[aiohttp.ClientResponse],
    limit: int,
    method: str,
    url: URL | str,
    errors: tuple[type[BaseException], ...] = WIRE_ERRORS,
) -> Answer | PortOneError:
    """Send ``request`` (as ``session.request(...)`` made it, not yet awaited) and read it.

    Args:
        request: the request, carrying its session, headers and timeout.
        limit: the most bytes of (decoded) body to read; past it the answer is an error.
        method: the request's method, for the error's text.
        url: the request's URL, for the error's text (its query string is never shown).
        errors: the exceptions turned into ours; more than :data:`WIRE_ERRORS` for a caller
            whose request can fail in aiohttp's hands in other ways.
    """
    # Awaited and released by hand rather than with ``async with``: aiohttp's two context
    # managers (the request's and the response's) cost four coroutines a request, this
    # function one, and it runs on every request. Releasing is what their exits do.
    try:
        resp = await request
        try:
            length = resp.content_length
            headers = resp.headers
            # A known length within the limit is read in one go (no encoding can inflate it).
            if length is not None and length <= limit and "Content-Encoding" not in headers:
                body = await resp.read()
            else:
                body = await _read_limited(resp, limit)
            return resp.status, headers, body
        finally:
            resp.release()
            await resp.wait_for_close()
    except _TooLarge:
        return ResponseTooLargeError(
            f"PortOne's answer is larger than max_response_size ({limit} bytes)",
            method=method,
            url=shown(url),
        )
    except errors as exc:
        return translate(exc, method, url)


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body of ``resp``, or :class:`_TooLarge` past ``limit`` bytes (decoded)."""
    length = resp.content_length
    if length is not None and length > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def failure_of(error: PortOneError) -> Failure:
    """What kind of failure ``error`` (from :func:`exchange`) is, for the retry decision."""
    if isinstance(error, ResponseTooLargeError):
        return "too_large"
    if isinstance(error, TimeoutError):
        return "timeout"
    return "lost" if getattr(error, "request_sent", True) else "unsent"


def shown(url: URL | str) -> str:
    """The URL for an error message: no query string (it may carry references or amounts)."""
    return str(url.with_query(None)) if isinstance(url, URL) else url


def translate(exc: BaseException, method: str, url: URL | str) -> PortOneError:
    """aiohttp's exception as ours, chained to it (bared); built only on the error path."""
    error = _error_for(exc, method, shown(url))
    error.__cause__ = _bared(exc)
    return error


_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


def _bared(exc: BaseException) -> BaseException:
    """``exc`` as a cause that shows nothing of the request: without its traceback (aiohttp's
    frames hold the request's headers, the JWT among them) and its own chain, and without the
    request headers a ClientResponseError keeps (its repr shows them)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        info = exc.request_info
        exc.request_info = aiohttp.RequestInfo(info.url, info.method, _NO_HEADERS, info.real_url)
        exc.history = ()
        exc.args = (exc.request_info, exc.history)
    exc.__cause__ = exc.__context__ = None
    exc.__suppress_context__ = True
    return exc.with_traceback(None)


def _error_for(exc: BaseException, method: str, shown: str) -> PortOneError:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(
            f"could not connect to PortOne ({type(exc.os_error).__name__})",
            method=method,
            url=shown,
            request_sent=False,
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return ConnectError(
            f"connection dropped before PortOne answered ({type(exc).__name__})",
            method=method,
            url=shown,
        )
    if isinstance(exc, aiohttp.ServerTimeoutError | builtins.TimeoutError):
        return TimeoutError("no answer from PortOne in time", method=method, url=shown)
    return ConnectError(f"connection problem ({type(exc).__name__})", method=method, url=shown)
