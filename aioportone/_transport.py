"""The one place that calls aiohttp in the request path: send, retry, translate errors.

aiohttp's exceptions become ours here and nowhere else. Retries follow one rule: a request is
replayed only when replaying cannot move money twice — it is a read (GET/HEAD), or the caller
declared it idempotent, or it never left this machine (the connection could not be opened).
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
from yarl import URL

from ._clock import Clock
from ._decipher import decipher
from ._errors import ConnectError, RateLimitError, ServerError, TimeoutError
from ._observe import describe

__all__ = ["RetryPolicy", "Transport"]

logger = structlog.get_logger("aioportone")

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How reads are retried: ``max_retries`` more tries, full-jitter exponential backoff from
    ``backoff_base`` up to ``backoff_max`` seconds; a ``Retry-After`` up to ``retry_after_max``
    seconds is honoured as is (a longer one is not waited for: the error goes to the caller)."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        cap = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return rng.uniform(0.0, cap)


class Transport:
    """Sends requests through an aiohttp session and turns answers into data or our errors."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        base_url: URL,
        middlewares: tuple[aiohttp.ClientMiddlewareType, ...],
        timeout: float,
        retry: RetryPolicy,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.session = session
        self.base_url = base_url
        self._middlewares = middlewares
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.retry = retry
        self._clock = clock
        self._rng = rng

    def url(self, path: str) -> URL:
        # ``encoded=True``: path segments were percent-encoded by the caller and must stay so
        # (yarl would otherwise decode %2F back into a path separator).
        return URL(str(self.base_url) + path, encoded=True)

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        url = self.url(path)
        replayable = method in _SAFE_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_once(method, url, json=json, params=params)
            except (ConnectError, TimeoutError) as exc:
                error: Exception = exc
                # Nothing was sent when the connection could not be opened: safe for any method.
                retry = (replayable or not exc.request_sent) and attempt <= self.retry.max_retries
                delay = self.retry.delay(attempt, self._rng)
            except (RateLimitError, ServerError) as exc:
                error = exc
                delay = self.retry.delay(attempt, self._rng)
                if exc.retry_after is not None:
                    delay = exc.retry_after
                # A 429 was refused before processing, so even a write may be replayed.
                retry = (replayable or isinstance(exc, RateLimitError)) and (
                    attempt <= self.retry.max_retries and delay <= self.retry.retry_after_max
                )
            if not retry or self.session.closed:  # a closed client has nothing left to retry with
                raise error
            logger.info(
                "aioportone.request.retry",
                method=method,
                path=url.path,
                attempt=attempt,
                delay=round(delay, 3),
                error=describe(error),
            )
            await self._clock.sleep(delay)

    async def _send_once(
        self, method: str, url: URL, *, json: Any, params: Mapping[str, str] | None
    ) -> Any:
        shown = str(url.with_query(None))
        try:
            async with self.session.request(
                method,
                url,
                json=json,
                params=params,
                timeout=self._timeout,
                middlewares=self._middlewares,
            ) as resp:
                body = await resp.read()
                status, headers = resp.status, resp.headers
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(
                f"could not connect to PortOne ({type(exc.os_error).__name__})",
                method=method,
                url=shown,
                request_sent=False,
            ) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise ConnectError(
                f"connection dropped before PortOne answered ({type(exc).__name__})",
                method=method,
                url=shown,
            ) from exc
        except (aiohttp.ServerTimeoutError, builtins.TimeoutError) as exc:
            raise TimeoutError(
                f"no answer from PortOne within {self._timeout.total:g} s",
                method=method,
                url=shown,
            ) from exc
        except aiohttp.ClientConnectionError as exc:
            raise ConnectError(
                f"connection problem ({type(exc).__name__})", method=method, url=shown
            ) from exc
        return decipher(status, headers, body, method=method, url=shown, now=self._clock.time())
