"""The one place that calls aiohttp in the request path: send, retry, translate errors.

aiohttp's exceptions become ours here and nowhere else. Retries follow one rule: a request is
replayed only when replaying cannot move money twice — it is a read (GET/HEAD), or the caller
declared it idempotent, or it never left this machine (the connection could not be opened), or
PortOne refused it unprocessed (429, or 4054: the token was rejected before anything happened).

The credentials come from the token manager directly rather than through its aiohttp
middleware: the rules are the same (see ``_middleware.py``), but this path skips aiohttp's
per-request middleware machinery, a measurable share of a loopback request's cost.
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from yarl import URL

from ._clock import Clock
from ._decipher import SUCCESS, decode_json, error_for, is_token_rejection, succeeded
from ._errors import ConnectError, RateLimitError, ServerError, TimeoutError
from ._observe import describe, log_event

if TYPE_CHECKING:
    from ._manager import TokenManager
    from ._token import Token

__all__ = ["RetryPolicy", "Transport"]


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How requests that may be replayed are retried (reads, calls declared idempotent, writes
    refused with 429, connections that never opened): ``max_retries`` more tries, full-jitter
    exponential backoff from ``backoff_base`` up to ``backoff_max`` seconds; a ``Retry-After``
    up to ``retry_after_max`` seconds is honoured as is (a longer one is not waited for: the
    error goes to the caller)."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        cap = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return rng.uniform(0.0, cap)


class Transport:
    """Sends requests through an aiohttp session and turns answers into data or our errors."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        owns_session: bool,
        tokens: TokenManager,
        timeout: float,
        retry: RetryPolicy,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.session = session
        self.tokens = tokens
        self._base = str(tokens.base_url)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # On a session of its own the transport keeps the credentials and the timeout in the
        # session's defaults, the credentials updated when the token changes: per-request
        # headers cost aiohttp a merge on every request. A borrowed session is never modified.
        self._owns_session = owns_session
        self._session_token: Token | None = None
        self._last_date: str | None = None
        self.retry = retry
        self._clock = clock
        self._rng = rng

    def url(self, path: str) -> URL:
        # ``encoded=True``: path segments were percent-encoded by the caller and must stay so
        # (yarl would otherwise decode %2F back into a path separator).
        return URL(self._base + path, encoded=True)

    async def send(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        url = self.url(path)
        tokens = self.tokens
        attempt = 0
        token_retried = not tokens.retry_on_token_rejection
        while True:
            attempt += 1
            token = tokens.usable() or await tokens.get()
            # PortOne's API does not redirect; following one would carry the client key
            # (aiohttp strips only Authorization) to wherever it points: allow_redirects=False.
            try:
                if self._owns_session:
                    if token is not self._session_token:
                        self.session.headers.update(tokens.auth_headers(token))
                        self._session_token = token
                    request = self.session.request(
                        method, url, json=json, params=params, allow_redirects=False
                    )
                else:
                    request = self.session.request(
                        method,
                        url,
                        json=json,
                        params=params,
                        allow_redirects=False,
                        headers=tokens.auth_headers(token),
                        timeout=self._timeout,
                    )
                async with request as resp:
                    body = await resp.read()
                    status, headers = resp.status, resp.headers
            except (aiohttp.ClientError, builtins.TimeoutError) as exc:
                error: Exception = translate(exc, method, url)
                delay = self.retry.delay(attempt, self._rng)
                replayable = method in _SAFE_METHODS if idempotent is None else idempotent
                # Nothing was sent when the connection could not be opened: safe for any method.
                retry = replayable or not getattr(error, "request_sent", True)
            else:
                # The Date header changes once a second; only a new one is worth a look (the
                # offset keeps its own copy, but this guard keeps the call off the hot path).
                date = headers.get("Date")
                if date != self._last_date:
                    self._last_date = date
                    tokens.observe_answer(headers)
                data = decode_json(body)
                # https://docs.portone.cloud/docs/error-codes: 4054, the JWT is invalid or
                # expired. PortOne did nothing with the request: one retry with a new token.
                if status == 401 and not token_retried and is_token_rejection(401, data):
                    token_retried = True
                    attempt -= 1
                    tokens.rejected(token)
                    continue
                # The usual answer is checked inline first: every request takes this path.
                if (
                    type(data) is dict
                    and status == 200
                    and data.get("status_code", SUCCESS) == SUCCESS
                    and data.get("is_success") is not False
                ) or succeeded(status, data):
                    return data
                refused = error_for(
                    status, headers, data, method=method, url=url, now=self._clock.time()
                )
                if not isinstance(refused, RateLimitError | ServerError):
                    raise refused
                error = refused
                delay = self.retry.delay(attempt, self._rng)
                if refused.retry_after is not None:
                    delay = refused.retry_after
                replayable = method in _SAFE_METHODS if idempotent is None else idempotent
                # A 429 was refused before processing, so even a write may be replayed.
                retry = (replayable or isinstance(refused, RateLimitError)) and (
                    delay <= self.retry.retry_after_max
                )
            # A closed client has nothing left to retry with.
            if not retry or attempt > self.retry.max_retries or self.session.closed:
                raise error
            log_event(
                "info",
                "aioportone.request.retry",
                method=method,
                path=url.path,
                attempt=attempt,
                delay=round(delay, 3),
                error=describe(error),
            )
            await self._clock.sleep(delay)


def _shown(url: URL) -> str:
    """The URL for an error message: no query string (it may carry references or amounts)."""
    return str(url.with_query(None))


def translate(exc: BaseException, method: str, url: URL | str) -> Exception:
    """aiohttp's exception as ours, chained to it; built only on the error path."""
    error = _error_for(exc, method, _shown(url) if isinstance(url, URL) else url)
    error.__cause__ = exc
    return error


def _error_for(exc: BaseException, method: str, shown: str) -> Exception:
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
