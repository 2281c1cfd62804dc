"""PortOneClient: the token manager, an aiohttp session and the transport, composed."""

from __future__ import annotations

import copy
import random
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager, nullcontext
from typing import Any, Literal, TypeVar

import aiohttp

from ._client_checks import METHODS, refuse_token_options, request_method, request_path
from ._clock import Clock, SystemClock
from ._config import DEFAULT_BASE_URL, path_segment, positive_seconds, text, whole_number
from ._download import FormFields, check_form
from ._entry import SingleEntry
from ._errors import ConfigurationError
from ._headers import SUB_MERCHANT_HEADER
from ._manager import TokenManager
from ._observe import EventHook
from ._resources import PaymentLinks, Refunds, Signatures, Transactions, WebhookEndpoints
from ._resources._validate import Environment, check_environment, check_json
from ._resources.checkout import Checkout
from ._resources.payouts import Payouts
from ._resources.reconciliation import Reconciliation
from ._resources.sub_merchants import SubMerchants
from ._resources.subscriptions import Subscriptions
from ._retry import RetryPolicy
from ._secrets import Secret
from ._signer import Signer
from ._sources import TokenSource
from ._token import RefreshPolicy
from ._transport import MAX_RESPONSE_SIZE, Transport

__all__ = ["PortOneClient"]

#: What ``parse=`` makes of an answer (without it, the decoded JSON: Any).
_T = TypeVar("_T")


class PortOneClient(SingleEntry):
    """An asyncio client for PortOne's API at ``https://api.portone.cloud``.

    ::

        async with PortOneClient(client_key, secret_key) as portone:
            data = await portone.request("GET", "/api/transaction/ORDER-1/status")

    Credentials default to ``$PORTONE_CLIENT_KEY`` / ``$PORTONE_SECRET_KEY``. Pass ``session``
    to borrow your own :class:`aiohttp.ClientSession` (it is not closed for you) and ``tokens``
    to share one :class:`TokenManager` between clients; otherwise both are created and owned.
    With ``tokens``, the token options (keys, ``token_source``, ``lifetime``, ``base_url``, ...)
    are that manager's: giving them here too raises :class:`ConfigurationError` naming them.

    Every argument is checked here, before anything is sent; a bad one raises
    :class:`ConfigurationError` naming it.

    Under load: requests are admitted first come, first served through ``max_connections``
    slots (the owned session's connector has the same limit; give a borrowed session's
    connector at least as many), each gets its token only once admitted, and a call that finds
    no slot within ``pool_timeout`` raises :class:`PoolTimeoutError` without being sent.
    ``timeout`` bounds a whole call: the wait for a slot, every attempt and every backoff.

    Args:
        client_key: Your PortOne key (``X-Portone-Client-Key``); ``$PORTONE_CLIENT_KEY`` when
            None.
        secret_key: Your PortOne secret, used to sign JWTs and payment links;
            ``$PORTONE_SECRET_KEY`` when None. Never shown in a log, repr or message.
        token_source: ``"local"`` mints 100 s JWTs in-process, ``"server"`` fetches 6-hour
            JWTs from PortOne's auth-token API; or any :class:`TokenSource`.
        environment: ``"sandbox"`` or ``"live"``: the default of every resource method that
            takes one (each may override it per call).
        sub_merchant_key: A sub-merchant's key, for a master merchant acting for it: sent as
            ``X-Portone-SubMerchant-Key`` by the calls PortOne declares it on (payment-link
            create and update, each of which may name another), and used in the path of
            ``payment_links.status_by_merchant_ref``.
        base_url: PortOne's origin, ``https://api.portone.cloud`` by default (a fake's
            ``url`` in tests).
        timeout: Seconds one call may take in all (at most 600): the wait for a connection
            slot, every attempt and every backoff.
        retry: How replayable requests are retried, and the client-wide retry budget;
            :class:`RetryPolicy` defaults when None.
        max_connections: Requests in flight at once; more wait for a slot, in order.
        pool_timeout: Seconds a call may wait for a slot before :class:`PoolTimeoutError`.
        max_response_size: Bytes an answer may have; a larger one raises
            :class:`ResponseTooLargeError` (or :class:`AmbiguousResultError` for a write).
        lifetime: Seconds a locally minted JWT lives (10 s to 24 h).
        skew_allowance: Seconds a minted ``iat`` is back-dated, for a PortOne clock that
            trails ours.
        wait_timeout: Seconds a request waits for a token when none is usable, before
            :class:`TokenUnavailableError`.
        policy: When tokens are refreshed and how failures back off; :class:`RefreshPolicy`
            defaults when None.
        on_event: Called with each :class:`TokenEvent` (for metrics); must not block. Request
            retries and an exhausted retry budget arrive as its subclass :class:`RequestEvent`.
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
        self._transport: Transport | None = None  # first: repr() works on a half-built client
        self.environment = check_environment(environment)
        self.timeout = positive_seconds("timeout", timeout, maximum=600)
        self.max_connections = whole_number("max_connections", max_connections, 100_000)
        self.pool_timeout = positive_seconds("pool_timeout", pool_timeout, maximum=3600)
        self.max_response_size = whole_number("max_response_size", max_response_size, 2**40)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry", "must be a RetryPolicy")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session", "must be an aiohttp.ClientSession")
        if tokens is not None:
            if not isinstance(tokens, TokenManager):
                raise ConfigurationError("tokens", "must be a TokenManager")
            refuse_token_options(
                tokens.client_key,
                str(tokens.base_url),
                tokens.clock,
                client_key=client_key,
                secret_key=secret_key,
                token_source=token_source,
                sub_merchant_key=sub_merchant_key,
                base_url=base_url,
                lifetime=lifetime,
                skew_allowance=skew_allowance,
                wait_timeout=wait_timeout,
                policy=policy,
                on_event=on_event,
                clock=clock,
            )
        self._clock = clock or (tokens.clock if tokens is not None else SystemClock())
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._owns_tokens = tokens is None
        # Wrapped and dropped: a traceback through this frame must not show the secret.
        secret = Secret(secret_key) if isinstance(secret_key, str) else secret_key
        del secret_key
        self.tokens = tokens or TokenManager(
            client_key,
            secret,
            token_source=token_source,
            lifetime=lifetime,
            skew_allowance=skew_allowance,
            sub_merchant_key=sub_merchant_key,
            base_url=base_url,
            wait_timeout=wait_timeout,
            timeout=self.timeout,
            policy=policy,
            on_event=on_event,
            clock=self._clock,
            rng=self._rng,
        )
        self.client_key = self.tokens.client_key
        # The client key as a path segment, encoded once (it is already a validated text).
        self.key_segment = path_segment("client_key", self.client_key)
        self._session = session
        self._retry = retry or RetryPolicy()
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
        self.subscriptions = Subscriptions(self)
        self.payouts = Payouts(self)
        self.reconciliation = Reconciliation(self)
        self.sub_merchants = SubMerchants(self)
        self.checkout = Checkout(self)

    @property
    def sub_merchant_key(self) -> str | None:
        """The sub-merchant the client acts for (its token manager's), or None."""
        return self.tokens.sub_merchant_key

    @property
    def signer(self) -> Signer:
        """Signs payment requests, plans, subscriptions and deductions locally.

        The token manager's: it holds the PortOne secret, which nothing outside it reads.
        """
        return self.tokens.signer

    def __repr__(self) -> str:
        # getattr: a constructor that raised part-way leaves a client a traceback may still show.
        tokens = getattr(self, "tokens", None)
        base_url = str(tokens.base_url) if tokens is not None else None
        return (
            f"PortOneClient(client_key={getattr(self, 'client_key', None)!r}, "
            f"environment={getattr(self, 'environment', None)!r}, base_url={base_url!r})"
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
        # The copy must not look entered: SingleEntry keeps its state on the instance.
        vars(view).pop("_entry", None)
        if timeout is not None:
            view._timeout_override = positive_seconds("timeout", timeout, maximum=600)
        if max_retries is not None:
            view._retries_override = whole_number("max_retries", max_retries, 100, minimum=0)
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
                # aiohttp resends a PUT or DELETE once when a reused connection drops; a PUT
                # such as triggerNextDeduction moves money, and replays are the transport's call.
                session._retry_connection = False
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
                transport, self._transport = self._transport, None
                if transport is not None:
                    await transport.aclose()
                if self._owns_tokens:
                    # Before the session closes: a request that has not started yet fails as
                    # "closed" (TokenUnavailableError), not with aiohttp's "Session is closed".
                    self.tokens._close()
                if owned:
                    await session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: FormFields | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        auth: bool = True,
        sub_merchant_key: str | None = None,
        expect: Literal["json", "file"] = "json",
        parse: Callable[[Any], _T] | None = None,
    ) -> Coroutine[Any, Any, _T | Any]:
        """Call PortOne and return its decoded JSON answer, or raise a :class:`PortOneError`.

        Reads are retried on connection errors, timeouts, 429 and 5xx; other methods only when
        ``idempotent=True`` (or on 429, or when the connection never opened). A write that moves
        money (refund, capture, payment link, payout...) is never sent twice once it may have
        reached PortOne, and a write whose 2xx answer cannot be read raises
        :class:`AmbiguousResultError`. ``json`` must be standard
        JSON: NaN, infinities, lone surrogates and values JSON has no form for are refused.
        A POST, PUT or PATCH with neither ``json`` nor ``form`` goes without a body and
        without a ``Content-Type``.

        With ``expect="file"`` (an export, a statement download), a 2xx answer that is neither
        JSON nor HTML comes back as a :class:`Download`; elsewhere such an answer is
        unreadable, so a proxy's HTML page with status 200 is never taken for a file.

        A plain function returning the transport's coroutine (one coroutine less per request):
        bad arguments raise as soon as it is called, before anything is sent.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or ``HEAD`` (any case).
            path: The percent-encoded path, starting with ``/``, without query or fragment.
            json: The request body, sent as JSON (None: no body).
            form: A ``multipart/form-data`` body instead: field name → its text, or a file as
                ``(filename, content, content_type)``. Not with ``json``.
            params: Query parameters, encoded for you.
            idempotent: True when replaying the request cannot do anything twice; None
                (the default) decides by method: GET and HEAD are replayed, the rest not.
            timeout: Seconds this call may take in all (default: the client's).
            max_retries: Further tries after the first (default: the client's policy).
            auth: False for the operations PortOne declares without a JWT (``initiatePayment``):
                only ``X-Portone-Client-Key`` is sent, and no token is waited for.
            sub_merchant_key: Sent as ``X-Portone-SubMerchant-Key`` (None: not sent). PortOne
                declares it on payment-link create and update only.
            expect: ``"file"`` where PortOne answers a file; ``"json"`` (the default) elsewhere.
            parse: Called with the successful answer (after any retries), the decoded JSON
                or, with ``expect="file"``, the :class:`Download`; the call returns what it
                returns and raises what it raises. The operations pass their model's parser
                here: no frame of theirs ever holds the answer.

        Returns:
            A coroutine giving the decoded JSON (None for an empty answer to a read), or a
            :class:`Download` for a file answer with ``expect="file"``.

        Raises:
            ConfigurationError: A bad argument (named), or the client is not open.
        """
        # A method already in capitals, as nearly every call spells it, costs no call.
        if type(method) is not str or method not in METHODS:
            method = request_method(method)
        path = request_path(path)
        if json is not None:
            check_json("json", json)  # NaN, a lone surrogate or a set would not arrive intact
        if form is not None:
            if json is not None:
                raise ConfigurationError("form", "give json or form, not both")
            form = check_form(form)
        if not isinstance(auth, bool):
            raise ConfigurationError("auth", "must be True or False")
        if expect not in ("json", "file"):
            raise ConfigurationError("expect", "must be 'json' or 'file'")
        if parse is not None and not callable(parse):
            raise ConfigurationError("parse", "must be a function of the answer, or None")
        headers = None
        if sub_merchant_key is not None:
            headers = {SUB_MERCHANT_HEADER: text("sub_merchant_key", sub_merchant_key)}
        transport = self._root._transport
        if transport is None:
            raise _not_open()
        if timeout is None:
            timeout = self._timeout_override
        else:
            timeout = positive_seconds("timeout", timeout, maximum=600)
        if max_retries is None:
            max_retries = self._retries_override
        else:
            max_retries = whole_number("max_retries", max_retries, 100, minimum=0)
        if form is None and auth and headers is None and expect == "json":
            return transport.send(
                method, path, json, params, idempotent, timeout, max_retries, parse=parse
            )
        return transport.send(
            method,
            path,
            json,
            params,
            idempotent,
            timeout,
            max_retries,
            form=form,
            auth=auth,
            extra_headers=headers,
            expect_file=expect == "file",
            parse=parse,
        )

    def _fetch(self, path: str, parse: Callable[[Any], _T]) -> Coroutine[Any, Any, _T]:
        """``request("GET", path, parse=parse)`` for a path an operation built itself.

        For the status lookups, the calls busy workers make most: their paths are constants
        around segments that ``path_segment`` encoded, which always pass :func:`request`'s path
        check, and they set no other option. Skipping :meth:`request`'s checks measured 1.5 %
        of a status lookup's CPU at 64 workers.

        Args:
            path: The path, every variable segment encoded by ``path_segment``.
            parse: Called with the successful answer, as for :meth:`request`.

        Raises:
            ConfigurationError: The client is not open.
        """
        transport = self._root._transport
        if transport is None:
            raise _not_open()
        return transport.send(
            "GET",
            path,
            None,
            None,
            None,
            self._timeout_override,
            self._retries_override,
            parse=parse,
        )


def _not_open() -> ConfigurationError:
    """A request on a client outside ``async with`` (built only then, off the request path)."""
    return ConfigurationError("client", "not open: use 'async with PortOneClient(...)'")
