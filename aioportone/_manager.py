"""TokenManager: holds the PortOne JWT, refreshes it in the background, injects it into requests.

Structured concurrency: the manager owns an anyio task group for exactly its ``async with``
lifetime. Its one background task is the only code that awaits a token source, so N requests
that need a token cause one fetch; requests only ever *wait on an event*, so cancelling one can
never cancel or corrupt the refresh. The background task catches every failure, reports it and
carries on; only cancellation (leaving ``async with``) ends it.

This is the shell: the task group, the events and the waiting. What happens between two awaits
is the synchronous :class:`~aioportone._token_desk.TokenDesk` it extends (the constructor, the
token to send now, what a fetch's end or an answer means), which calls the two hooks defined
here (``_notify``, ``_wake_refresher``) when waiters or the background task must look again.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio
from aiohttp import ClientMiddlewareType
from anyio.lowlevel import checkpoint

from ._clock import wait_event
from ._entry import SingleEntry, stop_signal
from ._errors import TokenUnavailableError
from ._middleware import auth_middleware
from ._observe import report_internal_error
from ._token import Token
from ._token_desk import NOT_RUNNING, TokenDesk

__all__ = ["TokenManager"]

# anyio imports its asyncio backend the first time it is used, which put 25-35 ms of imports
# inside a process's first `async with` and so into its first request's latency. Loaded here
# instead, with the rest of the start-up a service pays before it serves (a later anyio that
# moves the module only brings the old cost back).
with contextlib.suppress(ImportError):
    importlib.import_module("anyio._backends._asyncio")


class TokenManager(TokenDesk, SingleEntry):
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

    # Set for each `async with`: waiters wait on `_changed`, the background task on `_wake`.
    _wake: anyio.Event | None = None
    _changed: anyio.Event | None = None

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

    # -- waiting for a token ---------------------------------------------------------------------

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
            raise TokenUnavailableError(NOT_RUNNING)
        deadline = self.clock.time() + self.wait_timeout
        while True:
            left = self._poll(deadline)
            if isinstance(left, Token):
                return left
            changed = self._changed
            assert changed is not None
            self._waiters += 1
            try:
                await wait_event(self.clock, changed, left)
            finally:
                self._waiters -= 1

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
        started = self._fetch_started()
        try:
            token = await self.source.fetch(started)
        except Exception as exc:  # reported and retried; only cancellation ends the task
            self._failed(exc)
            return
        self._fetched(token)

    @property
    def middleware(self) -> ClientMiddlewareType:
        """aiohttp client middleware: ``ClientSession(middlewares=[tokens.middleware])``."""
        return functools.partial(auth_middleware, self)
