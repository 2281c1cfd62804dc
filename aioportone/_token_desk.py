"""The token desk: what a TokenManager does between awaits, synchronous and loop-free.

It holds the parts a manager is built from (the checked arguments, the clock, the
:class:`~aioportone._token_state.TokenState`, the source, the headers, the redaction of the
latest tokens) and answers at once: a token to send now, a rejection, an answer's ``Date``, the
end of a fetch. It reads the clock it was given, awaits nothing and imports neither anyio nor
aiohttp, so every answer can be tested with a literal clock and a stub source.

Two changes must reach whoever waits, and only the anyio shell (:class:`~aioportone.TokenManager`)
knows how: the desk calls :meth:`TokenDesk._notify` when the held token or the last failure
changed, and :meth:`TokenDesk._wake_refresher` when the next fetch is due sooner. Here both do
nothing; the shell overrides them to set its events.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Literal

from ._clock import Clock, SystemClock
from ._config import DEFAULT_BASE_URL
from ._errors import ConfigurationError, TokenError, TokenUnavailableError, copy_error
from ._headers import AuthHeaders
from ._observe import EventHook, Observer, report_internal_error
from ._secrets import Registration, Secret
from ._signer import Signer
from ._skew import ServerClockOffset
from ._sources import SyncTokenSource, TokenSource
from ._token import RefreshPolicy, Token
from ._token_config import make_source, token_config
from ._token_events import token_event
from ._token_state import TokenState

__all__ = ["NOT_RUNNING", "TokenDesk"]

NOT_RUNNING = "the TokenManager is not running (not entered yet, or closed): use 'async with'"
# How many of the latest tokens stay registered for redaction: a server may echo one it issued
# before the current one.
_RECENT_TOKENS = 4


class TokenDesk:
    """The synchronous half of :class:`~aioportone.TokenManager`, whose docstring documents
    every argument."""

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
        secret = config.credentials.secret  # kept by the signer and the credentials only
        self.signer = Signer(self.client_key, secret)  # what resources sign with
        self._redacted = Registration(secret.reveal(), keep=_RECENT_TOKENS)
        del secret
        # The server source reports each answer here, so that PortOne's clock is learned.
        self.source = make_source(
            token_source, config, self.clock, self.offset, self.observe_answer
        )
        self.auth_headers = AuthHeaders(self.client_key)
        self._waiters = 0  # requests waiting in the shell, for the events
        self._running = False  # set by the shell for its `async with`

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

    # -- the shell's hooks, and stopping --------------------------------------------------------

    def _notify(self) -> None:
        """The held token or the last failure changed: whoever waits must look again."""

    def _wake_refresher(self) -> None:
        """The next fetch is due sooner than the background task was told."""

    def _close(self) -> None:
        """Stop handing out tokens: requests waiting for one, or yet to ask, fail as closed."""
        self._running = False
        self._forget_token()
        self._notify()

    def _forget_token(self) -> None:
        self._state.forget()
        self.auth_headers.forget()

    # -- a token now: usable() for the request path, current() for frontends, _poll() for get() -

    def usable(self) -> Token | None:
        """The current token if it may be sent now, else None; never waits, never mints.

        The request path's first question: the transport and the middleware ask it before
        :meth:`~aioportone.TokenManager.get`, so that no coroutine is made while a token is
        held. None outside ``async with`` too: the token is forgotten when the manager stops.
        """
        return self._state.usable(self.clock.time())

    def current(self) -> Token:
        """The token to send now, without waiting.

        For a frontend that asks the backend for a JWT. A local source mints on the spot if the
        held token is below its floor; a server source raises :class:`TokenUnavailableError`
        (use :meth:`~aioportone.TokenManager.get` to wait for the refresh instead). Outside
        ``async with`` (before entering or after leaving) it raises
        :class:`TokenUnavailableError`: the manager is not running.

        Raises:
            TokenUnavailableError: No token may be sent now.
        """
        if not self._running:
            raise TokenUnavailableError(NOT_RUNNING)
        token = self._ready()
        if token is None:
            raise TokenUnavailableError(
                "no usable PortOne token yet; a refresh is under way" + self._state.cause()
            ) from self._state.last_error
        return token

    def _poll(self, deadline: float) -> Token | float:
        """One look of a request waiting until ``deadline``: the token to send, else the seconds
        left to wait for a change (the fetch brought forward when it may be). Raises when the
        manager closed, the deadline passed or the last failure is one retrying cannot fix."""
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
        return deadline - now

    def _ready(self) -> Token | None:
        """What :meth:`current` and the waiting share: the held token, else one minted on the
        spot when the source can, else None while a refresh is awaited; an error retrying
        cannot fix is raised instead."""
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

    # -- the end of a fetch (the shell awaits the source in between) -----------------------------

    def _fetch_started(self) -> float:
        """A fetch starts now; returns now."""
        started = self.clock.time()
        self._state.fetch_started(started)
        return started

    def _fetched(self, token: Token) -> None:
        """The source returned ``token``: hold it, or count it as a failure if it is too old."""
        if not self.policy.usable(token, self.clock.time()):
            self._failed(TokenError(f"the {self.source.name} source gave a token too old to use"))
            return
        network = not isinstance(self.source, SyncTokenSource)
        self._redacted.remember(token.value)
        now = self.clock.time()
        outcome = self._state.fetched(token, now, network=network)
        self._notify()
        self._emit("refreshed", expires_in=token.remaining(now))
        self._emit(outcome.name, delay=outcome.delay)

    def _failed(self, exc: Exception) -> None:
        """The fetch failed with ``exc``: report it; the state schedules the next one."""
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
