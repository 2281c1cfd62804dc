"""PortOneClient: the token manager, an aiohttp session and the transport, composed."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import AsyncGenerator, Coroutine, Mapping
from contextlib import asynccontextmanager, nullcontext
from typing import Any, Literal

import aiohttp
from anyio import AsyncContextManagerMixin

from ._clock import Clock, SystemClock
from ._config import DEFAULT_BASE_URL, path_segment, positive_seconds
from ._errors import ConfigurationError
from ._manager import TokenManager
from ._observe import EventHook
from ._resources import PaymentLinks, Refunds, Signatures, Transactions, WebhookEndpoints
from ._resources._validate import Environment, check_environment
from ._retry import RetryPolicy
from ._sources import TokenSource
from ._token import RefreshPolicy
from ._transport import MAX_RESPONSE_SIZE, Transport

__all__ = ["PortOneClient"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
# A path is ours to build: printable ASCII only, no query or fragment (use ``params``), so a
# value with CR/LF or an unescaped '?' can never reach the request line.
_PATH = re.compile(r"/[\x21\x22\x24-\x3e\x40-\x7e]*")  # printable ASCII but '#' and '?'


class PortOneClient(AsyncContextManagerMixin):
    """An asyncio client for PortOne's API at ``https://api.portone.cloud``.

    ::

        async with PortOneClient(client_key, secret_key) as portone:
            data = await portone.request("GET", "/api/transaction/ORDER-1/status")

    Credentials default to ``$PORTONE_CLIENT_KEY`` / ``$PORTONE_SECRET_KEY``. Pass ``session``
    to borrow your own :class:`aiohttp.ClientSession` (it is not closed for you) and ``tokens``
    to share one :class:`TokenManager` between clients; otherwise both are created and owned.

    Under load: requests are admitted first come, first served through ``max_connections``
    slots (the owned session's connector has the same limit; give a borrowed session's
    connector at least as many), each gets its token only once admitted, and a call that finds
    no slot within ``pool_timeout`` raises :class:`PoolTimeoutError` without being sent.
    ``timeout`` bounds a whole call: the wait for a slot, every attempt and every backoff.

    Args:
        client_key: Your PortOne key (default ``$PORTONE_CLIENT_KEY``).
        secret_key: Your PortOne secret (default ``$PORTONE_SECRET_KEY``).
        token_source: ``"local"`` (mint 100 s JWTs), ``"server"`` (PortOne's auth-token API)
            or a :class:`TokenSource`.
        environment: ``"sandbox"`` or ``"live"``, sent where PortOne asks for it.
        sub_merchant_key: Act for this sub-merchant (master merchants).
        base_url: PortOne's API origin.
        timeout: Seconds one call may take in all, retries and backoff included.
        retry: How calls are retried, and the client-wide retry budget.
        max_connections: Requests in flight at once; more wait for a slot, in order.
        pool_timeout: Seconds a call may wait for a slot before :class:`PoolTimeoutError`.
        max_response_size: Bytes an answer may have; a larger one raises
            :class:`ResponseTooLargeError` (or :class:`AmbiguousResultError` for a write).
        lifetime: Seconds a locally minted JWT lives.
        skew_allowance: Seconds ``iat`` is back-dated.
        wait_timeout: Seconds a request waits for a token refresh.
        policy: When tokens are refreshed.
        on_event: Called with each :class:`TokenEvent` (request retries and an exhausted retry
            budget arrive as its subclass :class:`RequestEvent`).
        session: Your own aiohttp session to send through.
        tokens: A :class:`TokenManager` to share.
        clock: The clock (a fake one in tests).
        rng: The random source for jitter.
    """

    def __init__(
        self,
        client_key: str | None = None,
        secret_key: str | None = None,
        *,
        token_source: Literal["local", "server"] | TokenSource = "local",
        environment: Environment = "sandbox",
        sub_merchant_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        pool_timeout: float = 10.0,
        max_response_size: int = MAX_RESPONSE_SIZE,
        lifetime: float = 100.0,
        skew_allowance: float = 5.0,
        wait_timeout: float = 30.0,
        policy: RefreshPolicy | None = None,
        on_event: EventHook | None = None,
        session: aiohttp.ClientSession | None = None,
        tokens: TokenManager | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.environment = check_environment(environment)
        self.timeout = positive_seconds("timeout", timeout, maximum=600)
        self.max_connections = _count("max_connections", max_connections, 100_000)
        self.pool_timeout = positive_seconds("pool_timeout", pool_timeout, maximum=3600)
        self.max_response_size = _count("max_response_size", max_response_size, 2**40)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry", "must be a RetryPolicy")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session", "must be an aiohttp.ClientSession")
        self._clock = clock or (tokens.clock if tokens is not None else SystemClock())
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._owns_tokens = tokens is None
        self.tokens = tokens or TokenManager(
            client_key,
            secret_key,
            token_source=token_source,
            lifetime=lifetime,
            skew_allowance=skew_allowance,
            sub_merchant_key=sub_merchant_key,
            base_url=base_url,
            wait_timeout=wait_timeout,
            policy=policy,
            on_event=on_event,
            clock=self._clock,
            rng=self._rng,
        )
        self.client_key = self.tokens.client_key
        # The client key as a path segment, encoded once (it is already a validated text).
        self._key_segment = path_segment("client_key", self.client_key)
        self._session = session
        self._retry = retry or RetryPolicy()
        self._transport: Transport | None = None
        # A with_options() view points at the client it came from, whose transport it uses.
        self._root = self
        self._timeout_override: float | None = None
        self._retries_override: int | None = None
        self._bind_resources()

    def _bind_resources(self) -> None:
        self.transactions = Transactions(self)
        self.payment_links = PaymentLinks(self)
        self.refunds = Refunds(self)
        self.webhook_endpoints = WebhookEndpoints(self)
        self.signatures = Signatures(self)

    def _signing_secret(self) -> str:
        # Payment links are signed locally with the PortOne secret. The token manager holds it
        # (validated, never shown in a repr); this is the one place outside it that reads it.
        return self.tokens._secret

    def __repr__(self) -> str:
        return (
            f"PortOneClient(client_key={self.client_key!r}, environment={self.environment!r}, "
            f"base_url={str(self.tokens.base_url)!r})"
        )

    def with_options(
        self, *, timeout: float | None = None, max_retries: int | None = None
    ) -> PortOneClient:
        """A view of this client with other defaults for the calls made through it.

        ::

            fast = portone.with_options(timeout=5, max_retries=0)
            status = await fast.transactions.status("ORDER-1")

        The view shares everything else: the connection slots, the retry budget, the token
        and the lifetime (use it inside the client's ``async with``; do not enter it). It is
        cheap to make, so making one per call is fine. A view rather than ``timeout=`` and
        ``max_retries=`` on every resource method: those stay about PortOne's fields, and one
        place documents how a call is bounded.

        Args:
            timeout: Seconds a whole call may take, retries and backoff included.
            max_retries: Further tries after the first, when a retry is allowed at all.

        Returns:
            The view: a :class:`PortOneClient` for the same PortOne account.
        """
        view = copy.copy(self)
        # The copy must not look entered: anyio's mixin keeps its state on the instance.
        vars(view).pop("_AsyncContextManagerMixin__cm", None)
        if timeout is not None:
            view._timeout_override = positive_seconds("timeout", timeout, maximum=600)
        if max_retries is not None:
            view._retries_override = _count("max_retries", max_retries, 100, minimum=0)
        view._bind_resources()
        return view

    @asynccontextmanager
    async def __asynccontextmanager__(self) -> AsyncGenerator[PortOneClient]:
        if self._root is not self:
            raise ConfigurationError(
                "client", "a with_options() view is not entered: enter the client it came from"
            )
        async with self.tokens if self._owns_tokens else nullcontext():
            session = self._session
            owned = session is None
            if session is None:
                session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=self.max_connections),
                    raise_for_status=False,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                )
            try:
                self._transport = Transport(
                    session=session,
                    owns_session=owned,
                    tokens=self.tokens,
                    timeout=self.timeout,
                    retry=self._retry,
                    clock=self._clock,
                    rng=self._rng,
                    max_connections=self.max_connections,
                    pool_timeout=self.pool_timeout,
                    max_response_size=self.max_response_size,
                )
                yield self
            finally:
                self._transport = None
                if owned:
                    await session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Call PortOne and return its decoded JSON answer, or raise a :class:`PortOneError`.

        Reads are retried on connection errors, timeouts, 429 and 5xx; other methods only when
        ``idempotent=True`` (or on 429, or when the connection never opened). A write that moves
        money (refund, capture, payment link, payout...) is never sent twice once it may have
        reached PortOne, and a write whose 2xx answer cannot be read raises
        :class:`AmbiguousResultError`.

        A plain function returning the transport's coroutine (one coroutine less per request):
        bad arguments raise as soon as it is called, before anything is sent.

        Args:
            method: The HTTP method.
            path: Starts with ``/`` and is already percent-encoded (the resource methods encode
                every reference for you); no query string (use ``params``).
            json: The JSON body.
            params: The query string.
            idempotent: Whether sending this twice is harmless (None: only for reads).
            timeout: Seconds this call may take in all (default: the client's).
            max_retries: Further tries after the first (default: the client's policy).

        Returns:
            A coroutine giving the decoded JSON (None for an empty answer to a read).
        """
        if not isinstance(method, str) or (method := method.upper()) not in _METHODS:
            raise ConfigurationError("method", f"must be one of {', '.join(sorted(_METHODS))}")
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            raise ConfigurationError(
                "path", "must start with '/', be percent-encoded, and hold no query or fragment"
            )
        transport = self._root._transport
        if transport is None:
            raise ConfigurationError("client", "not open: use 'async with PortOneClient(...)'")
        if timeout is None:
            timeout = self._timeout_override
        else:
            timeout = positive_seconds("timeout", timeout, maximum=600)
        if max_retries is None:
            max_retries = self._retries_override
        else:
            max_retries = _count("max_retries", max_retries, 100, minimum=0)
        return transport.send(method, path, json, params, idempotent, timeout, max_retries)


def _count(name: str, value: Any, maximum: int, *, minimum: int = 1) -> int:
    """An integer between ``minimum`` and ``maximum``, or a ConfigurationError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(name, f"must be an integer (got {type(value).__name__})")
    if not minimum <= value <= maximum:
        raise ConfigurationError(name, f"must be between {minimum} and {maximum} (got {value})")
    return value
