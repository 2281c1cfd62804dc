"""PortOneClient: the token manager, an aiohttp session and the transport, composed."""

from __future__ import annotations

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
from ._resources.payouts import Payouts
from ._sources import TokenSource
from ._token import RefreshPolicy
from ._transport import RetryPolicy, Transport

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
    Every argument is checked here, before anything is sent; a bad one raises
    :class:`ConfigurationError` naming it.

    Args:
        client_key: Your PortOne key (``X-Portone-Client-Key``); ``$PORTONE_CLIENT_KEY`` when
            None.
        secret_key: Your PortOne secret, used to sign JWTs and payment links;
            ``$PORTONE_SECRET_KEY`` when None. Never shown in a log, repr or message.
        token_source: ``"local"`` mints 100 s JWTs in-process, ``"server"`` fetches 6-hour
            JWTs from PortOne's auth-token API; or any :class:`TokenSource`.
        environment: ``"sandbox"`` or ``"live"``: the default of every resource method that
            takes one (each may override it per call).
        sub_merchant_key: A sub-merchant's key, sent as ``X-Portone-SubMerchant-Key`` when a
            master merchant acts for it.
        base_url: PortOne's origin, ``https://api.portone.cloud`` by default (a fake's
            ``url`` in tests).
        timeout: Seconds a request to PortOne may take (at most 600).
        retry: How replayable requests are retried; :class:`RetryPolicy` defaults when None.
        lifetime: Seconds a locally minted JWT lives (10 s to 24 h).
        skew_allowance: Seconds a minted ``iat`` is back-dated, for a PortOne clock that
            trails ours.
        wait_timeout: Seconds a request waits for a token when none is usable, before
            :class:`TokenUnavailableError`.
        policy: When tokens are refreshed and how failures back off; :class:`RefreshPolicy`
            defaults when None.
        on_event: Called with each :class:`TokenEvent` (for metrics); must not block.
        session: An :class:`aiohttp.ClientSession` to borrow; the client neither changes its
            defaults nor closes it.
        tokens: A :class:`TokenManager` to share between clients. The client does not
            enter it: keep it entered (``async with tokens:``) around the clients. The token
            options above (``token_source``, ``lifetime``, ...) then belong to the manager.
        clock: The time source (:class:`aioportone.testing.FakeClock` in tests); the
            ``tokens`` manager's clock, or the system clock, when None.
        rng: The random source for jitter (seed one for reproducible tests).
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
        self.transactions = Transactions(self)
        self.payment_links = PaymentLinks(self)
        self.refunds = Refunds(self)
        self.webhook_endpoints = WebhookEndpoints(self)
        self.signatures = Signatures(self)
        self.payouts = Payouts(self)

    def _signing_secret(self) -> str:
        # Payment links are signed locally with the PortOne secret. The token manager holds it
        # (validated, never shown in a repr); this is the one place outside it that reads it.
        return self.tokens._secret

    def __repr__(self) -> str:
        return (
            f"PortOneClient(client_key={self.client_key!r}, environment={self.environment!r}, "
            f"base_url={str(self.tokens.base_url)!r})"
        )

    @asynccontextmanager
    async def __asynccontextmanager__(self) -> AsyncGenerator[PortOneClient]:
        async with self.tokens if self._owns_tokens else nullcontext():
            session = self._session
            owned = session is None
            if session is None:
                session = aiohttp.ClientSession(
                    raise_for_status=False, timeout=aiohttp.ClientTimeout(total=self.timeout)
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
    ) -> Coroutine[Any, Any, Any]:
        """Call PortOne and return its decoded JSON answer, or raise a :class:`PortOneError`.

        ``path`` starts with ``/`` and must already be percent-encoded (the resource methods
        encode every reference for you). Reads are retried on connection errors, timeouts,
        429 and 5xx; other methods only when ``idempotent=True``.

        A plain function returning the transport's coroutine (one coroutine less per request):
        bad arguments raise as soon as it is called, before anything is sent.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or ``HEAD`` (any case).
            path: The percent-encoded path, starting with ``/``, without query or fragment.
            json: The request body, sent as JSON (None: no body).
            params: Query parameters, encoded for you.
            idempotent: True when replaying the request cannot do anything twice; None
                (the default) decides by method: GET and HEAD are replayed, the rest not.

        Returns:
            An awaitable of PortOne's decoded JSON answer.

        Raises:
            ConfigurationError: A bad ``method`` or ``path``, or the client is not open.
        """
        if not isinstance(method, str) or (method := method.upper()) not in _METHODS:
            raise ConfigurationError("method", f"must be one of {', '.join(sorted(_METHODS))}")
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            raise ConfigurationError(
                "path", "must start with '/', be percent-encoded, and hold no query or fragment"
            )
        transport = self._transport
        if transport is None:
            raise ConfigurationError("client", "not open: use 'async with PortOneClient(...)'")
        return transport.send(method, path, json, params, idempotent)
