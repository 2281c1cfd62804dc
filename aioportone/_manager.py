"""TokenManager: holds the PortOne JWT, refreshes it in the background, injects it into requests.

Structured concurrency: the manager owns an anyio task group for exactly its ``async with``
lifetime. Its one background task is the only code that awaits a token source, so N requests
that need a token cause one fetch; requests only ever *wait on an event*, so cancelling one can
never cancel or corrupt the refresh. The background task catches every failure, reports it and
carries on; only cancellation (leaving ``async with``) ends it.

This is the shell: it reads the clock, awaits the source, waits, wakes and reports. Every
decision lives on plain values elsewhere: the renewal state machine in ``_token_state``, the
argument checks and the sources' construction in ``_token_config``, the request headers in
``_headers``, the events in ``_token_events``, redaction in ``_secrets``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import random
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import anyio
from aiohttp import ClientMiddlewareType
from anyio.lowlevel import checkpoint

from ._clock import Clock, SystemClock, wait_event
from ._config import DEFAULT_BASE_URL
from ._entry import SingleEntry, stop_signal
from ._errors import ConfigurationError, TokenError, TokenUnavailableError, copy_error
from ._headers import AuthHeaders
from ._middleware import auth_middleware
from ._observe import EventHook, Observer, report_internal_error
from ._secrets import Registration, Secret
from ._signer import Signer
from ._skew import ServerClockOffset
from ._sources import SyncTokenSource, TokenSource
from ._token import RefreshPolicy, Token
from ._token_config import make_source, token_config
from ._token_events import token_event
from ._token_state import TokenState

__all__ = ["TokenManager"]

# anyio imports its asyncio backend the first time it is used, which put 25-35 ms of imports
# inside a process's first `async with` and so into its first request's latency. Loaded here
# instead, with the rest of the start-up a service pays before it serves (a later anyio that
# moves the module only brings the old cost back).
with contextlib.suppress(ImportError):
    importlib.import_module("anyio._backends._asyncio")

_NOT_RUNNING = "the TokenManager is not running (not entered yet, or closed): use 'async with'"
# How many of the latest tokens stay registered for redaction: a server may echo one it issued
# before the current one.
_RECENT_TOKENS = 4


class TokenManager(SingleEntry):
    """Keeps a valid PortOne JWT at hand for as long as it is entered.

    ::

        async with TokenManager(client_key, secret_key) as tokens:
            async with aiohttp.ClientSession(middlewares=[tokens.middleware]) as session:
                ...

    ``token_source`` is ``"local"`` (mint 100 s JWTs with the secret, the default),
    ``"server"`` (6-hour JWTs from PortOne's auth-token API) or any :class:`TokenSource`.
    Entering it starts the background refresh and returns once a token is held; leaving it
    stops the refresh.

    Args:
        client_key: Your PortOne key, the JWT's ``sub``; ``$PORTONE_CLIENT_KEY`` when None.
        secret_key: Your PortOne secret, the HMAC key of minted JWTs;
            ``$PORTONE_SECRET_KEY`` when None. Never shown in a log, repr or message.
        token_source: ``"local"``, ``"server"`` or a :class:`TokenSource` of your own.
        lifetime: Seconds a locally minted JWT lives, ``exp - iat`` (10 s to 24 h).
        skew_allowance: Seconds a minted ``iat`` is back-dated, so that a PortOne clock
            trailing ours does not see a token issued in the future (under half of
            ``lifetime``).
        sub_merchant_key: A sub-merchant's key: sent as ``X-Portone-SubMerchant-Key`` by the
            calls PortOne declares it on (payment-link create and update).
        base_url: PortOne's origin. Credentials are added only to requests for this origin,
            so a session of your own must send its requests to the same one.
        wait_timeout: Seconds :meth:`get` waits for a token when none is usable (at most
            3600).
        timeout: Seconds one call to PortOne's auth-token API may take, with
            ``token_source="server"`` (at most 600); ``PortOneClient`` passes its own ``timeout``.
        retry_on_token_rejection: Whether a request PortOne answers with 4054 (the JWT is
            invalid or expired) is sent once more with a new token.
        policy: When to refresh and how to back off; :class:`RefreshPolicy` defaults when None.
        on_event: Called with each :class:`TokenEvent`; an exception it raises is logged,
            never raised into the refresh.
        clock: The time source; the system clock when None.
        rng: The random source for refresh and backoff jitter.

    Attributes:
        auth_headers: ``auth_headers(token)``: the ``X-Portone-Client-Key`` and
            ``Authorization: Bearer <JWT>`` headers for ``token``, built once per token and
            shared (do not mutate them).
    """

    def __init__(
        self,
        client_key: str | None = None,
        secret_key: str | Secret | None = None,
        *,
        token_source: Literal["local", "server"] | TokenSource = "local",
        lifetime: float = 100.0,
        skew_allowance: float = 5.0,
        sub_merchant_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        wait_timeout: float = 30.0,
        timeout: float = 30.0,
        retry_on_token_rejection: bool = True,
        policy: RefreshPolicy | None = None,
        on_event: EventHook | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        config = token_config(
            client_key,
            secret_key,
            lifetime=lifetime,
            skew_allowance=skew_allowance,
            sub_merchant_key=sub_merchant_key,
            base_url=base_url,
            wait_timeout=wait_timeout,
            timeout=timeout,
        )
        # Dropped before anything is raised: a traceback through this frame (a bad argument)
        # must not show the secret among its locals.
        del secret_key
        if isinstance(config, ConfigurationError):
            raise config
        self.client_key = config.credentials.client_key
        self.base_url, self.origin = config.base_url, config.origin
        self.lifetime, self.timeout = config.lifetime, config.timeout
        self.wait_timeout = config.wait_timeout
        self.sub_merchant_key = config.sub_merchant_key
        self.retry_on_token_rejection = retry_on_token_rejection
        self.clock: Clock = clock or SystemClock()
        self.policy = policy or RefreshPolicy()
        self.offset = ServerClockOffset()
        rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._state = TokenState(self.policy, rng)
        self._observer = Observer(on_event)
        self._secret = config.credentials.secret
        self.signer = Signer(self.client_key, self._secret)  # what resources sign with
        self._redacted = Registration(self._secret.reveal(), keep=_RECENT_TOKENS)
        # The server source reports each answer here, so that PortOne's clock is learned.
        self.source = make_source(
            token_source, config, self.clock, self.offset, self.observe_answer
        )
        self.auth_headers = AuthHeaders(self.client_key)
        self._waiters = 0
        self._wake: anyio.Event | None = None
        self._changed: anyio.Event | None = None
        self._running = False

    def __repr__(self) -> str:
        # getattr: a constructor that raised part-way leaves a manager a traceback may show.
        source = getattr(self, "source", None)
        base_url = getattr(self, "base_url", None)
        return (
            f"TokenManager(client_key={getattr(self, 'client_key', None)!r}, "
            f"source={getattr(source, 'name', None)!r}, "
            f"base_url={None if base_url is None else str(base_url)!r}, "
            f"token={getattr(getattr(self, '_state', None), 'token', None)!r})"
        )

    def __del__(self) -> None:
        redacted = getattr(self, "_redacted", None)
        if redacted is not None:
            redacted.release()

    # -- lifetime -------------------------------------------------------------------------------

    @asynccontextmanager
    async def __asynccontextmanager__(self) -> AsyncGenerator[TokenManager]:
        self._wake, self._changed = anyio.Event(), anyio.Event()
        self._state.due = 0.0
        failure: BaseException | None = None
        try:
            async with anyio.create_task_group() as tg:
                await tg.start(self._refresher)
                self._running = True
                try:
                    await self.get()  # ready only once a token is held
                except BaseException as exc:
                    failure = exc
                else:
                    try:
                        yield self
                    except BaseException as exc:
                        # Re-raised below, outside the task group, so the caller gets their
                        # own exception and never an ExceptionGroup.
                        failure = exc
                finally:
                    self._close()
                    tg.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            # Only the background task's exceptions get here (the body's are kept in
            # ``failure``): a hook that raised SystemExit or KeyboardInterrupt asked to stop.
            stop = stop_signal(group)
            if stop is None:
                raise
            raise stop from None
        finally:
            self._forget_token()  # a manager that is not running hands out no token
            # Even when cancelled mid-start: a source's own HTTP session must not leak.
            aclose = getattr(self.source, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()
        if failure is not None:
            raise failure

    def _close(self) -> None:
        """Stop handing out tokens: requests waiting for one, or yet to ask, fail as closed."""
        self._running = False
        self._forget_token()
        self._notify()

    def _forget_token(self) -> None:
        self._state.forget()
        self.auth_headers.forget()

    # -- getting a token: usable() for the request path, current() for frontends, get() to wait

    def usable(self) -> Token | None:
        """The current token if it may be sent now, else None; never waits, never mints.

        The request path's first question: the transport and the middleware ask it before
        :meth:`get`, so that no coroutine is made while a token is held. None outside
        ``async with`` too: the token is forgotten when the manager stops.
        """
        return self._state.usable(self.clock.time())

    def current(self) -> Token:
        """The token to send now, without waiting.

        For a frontend that asks the backend for a JWT. A local source mints on the spot if the
        held token is below its floor; a server source raises :class:`TokenUnavailableError`
        (use :meth:`get` to wait for the refresh instead). Outside ``async with`` (before
        entering or after leaving) it raises :class:`TokenUnavailableError`: the manager is
        not running.

        Raises:
            TokenUnavailableError: No token may be sent now.
        """
        if not self._running:
            raise TokenUnavailableError(_NOT_RUNNING)
        token = self._ready()
        if token is None:
            raise TokenUnavailableError(
                "no usable PortOne token yet; a refresh is under way" + self._state.cause()
            ) from self._state.last_error
        return token

    async def get(self) -> Token:
        """The token to send now, waiting (up to ``wait_timeout``) if a refresh is needed.

        For whoever can wait: the transport and the middleware when :meth:`usable` has none,
        entering ``async with``, the CLI.

        Raises:
            TokenUnavailableError: None became usable within ``wait_timeout``, or the manager
                is not running; the last refresh failure is chained as ``__cause__``.
            PortOneError: The last refresh failed in a way retrying cannot fix (such as
                :class:`AuthenticationError` for a wrong key or secret) and no usable token
                is left.
        """
        token = self.usable()  # the hot path
        if token is not None:
            return token
        if not self._running:
            raise TokenUnavailableError(_NOT_RUNNING)
        deadline = self.clock.time() + self.wait_timeout
        while True:
            if not self._running:
                raise TokenUnavailableError("the TokenManager was closed while waiting")
            token = self._ready()
            if token is not None:
                return token
            now = self.clock.time()
            if now >= deadline:
                raise TokenUnavailableError(
                    f"no usable PortOne token within {self.wait_timeout:g} s{self._state.cause()}"
                ) from self._state.last_error
            if self._state.request_refresh(now):
                self._wake_refresher()
            changed = self._changed
            assert changed is not None
            self._waiters += 1
            try:
                await wait_event(self.clock, changed, deadline - now)
            finally:
                self._waiters -= 1

    def _ready(self) -> Token | None:
        """What :meth:`current` and the waiting in :meth:`get` share: the held token, else one
        minted on the spot when the source can, else None while a refresh is awaited; an error
        retrying cannot fix is raised instead."""
        token = self.usable()
        if token is None and self._running and isinstance(self.source, SyncTokenSource):
            token = self._mint(self.source)
        fatal_error = self._state.fatal_error
        if token is None and fatal_error is not None:
            # A fresh exception per waiter: raising one instance from many tasks would splice
            # their tracebacks together.
            raise copy_error(fatal_error)
        return token

    def _mint(self, source: SyncTokenSource) -> Token | None:
        now = self.clock.time()
        token = source.mint_now(now)
        if not self.policy.usable(token, now):
            return None
        if token.value == self._state.rejected_value:
            # Same claims in the same second sign to the same bytes: PortOne would reject the
            # "new" token too. A second's earlier iat/exp makes it a different token.
            token = source.mint_now(now - 1)
        self._state.store(token)
        self._redacted.remember(token.value)
        self._notify()
        self._emit("refreshed", expires_in=token.remaining(now))
        return token

    def invalidate(self, token: Token) -> None:
        """Stop using ``token`` (PortOne rejected it) — only if it is still the current one.

        A request that was rejected with an old token must not throw away the new token
        another request already obtained.

        Args:
            token: The token PortOne rejected.
        """
        if self._state.invalidate(token, self.clock.time()):
            self._wake_refresher()

    # -- the events and the background task -----------------------------------------------------

    def _wake_refresher(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _notify(self) -> None:
        changed, self._changed = self._changed, anyio.Event()
        if changed is not None:
            changed.set()
        self._wake_refresher()  # let the background task reschedule around the new token

    async def _refresher(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        task_status.started()
        while True:
            try:
                await checkpoint()  # whatever a source returns, this loop never starves others
                wake = self._wake = anyio.Event()
                now = self.clock.time()
                due = self._state.due
                if now < due:
                    await wait_event(self.clock, wake, due - now)
                    continue
                await self._refresh_once()
            except Exception as exc:
                # A bug here (a hook, a log processor, a custom source's token) must neither
                # end the refresher nor reach the user's task: report it plainly and go on.
                report_internal_error(exc)
                await self.clock.sleep(self.policy.backoff_base)

    async def _refresh_once(self) -> None:
        started = self.clock.time()
        self._state.fetch_started(started)
        try:
            token = await self.source.fetch(started)
        except Exception as exc:  # reported and retried; only cancellation ends the task
            self._on_failure(exc)
            return
        if not self.policy.usable(token, self.clock.time()):
            stale = TokenError(f"the {self.source.name} source gave a token too old to use")
            self._on_failure(stale)
            return
        network = not isinstance(self.source, SyncTokenSource)
        self._redacted.remember(token.value)
        now = self.clock.time()
        outcome = self._state.fetched(token, now, network=network)
        self._notify()
        self._emit("refreshed", expires_in=token.remaining(now))
        self._emit(outcome.name, delay=outcome.delay)

    def _on_failure(self, exc: Exception) -> None:
        outcome = self._state.failed(exc, self.clock.time())
        self._emit(outcome.name, error=exc, delay=outcome.delay, attempt=outcome.attempt)
        self._notify()

    def _emit(self, name: str, **fields: Any) -> None:
        # Reporting never changes an outcome: whatever fails in here (a hook, a log pipeline,
        # an exception whose str() raises) is reported as well as it can be and dropped.
        try:
            self._observer.emit(
                token_event(
                    name,
                    source=self.source.name,
                    token=self._state.token,
                    now=self.clock.time(),
                    waiters=self._waiters,
                    **fields,
                )
            )
        except Exception as exc:
            report_internal_error(exc)

    # -- what answers say -----------------------------------------------------------------------

    def rejected(self, token: Token) -> None:
        """PortOne answered 4054 to a request sent with ``token``: replace it.

        Args:
            token: The token the rejected request carried.
        """
        before = self.offset.offset
        if self.offset.corroborate():
            self._offset_moved(before)
        self.invalidate(token)
        self._emit("token_rejected")

    def observe_answer(self, headers: Mapping[str, str]) -> None:
        """Learn PortOne's clock from the ``Date`` header of one of its answers.

        Args:
            headers: The headers of an answer from PortOne.
        """
        before = self.offset.offset
        if self.offset.observe(headers.get("Date"), self.clock.time()):
            self._offset_moved(before)

    def _offset_moved(self, before: float) -> None:
        self._emit("clock_skew", offset=self.offset.offset)
        shift = self.offset.offset - before
        minted = isinstance(self.source, SyncTokenSource)
        if self._state.clock_shifted(shift, self.clock.time(), minted=minted):
            self._wake_refresher()

    @property
    def middleware(self) -> ClientMiddlewareType:
        """aiohttp client middleware: ``ClientSession(middlewares=[tokens.middleware])``."""
        return functools.partial(auth_middleware, self)
