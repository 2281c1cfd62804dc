"""The request path: admit, send through :func:`~._wire.exchange`, decide, retry or end.

Each call has one deadline (``timeout``) that covers waiting for a connection slot, every
attempt and every backoff. A request is admitted through the FIFO :class:`~._gate.Gate`, and only
then gets its token and its headers, so however long it queued, the JWT that reaches PortOne has
at least the token's floor of life left. What follows an answer is decided by the pure
:func:`~._retry.decide`; this module only carries it out: it sleeps on the injected clock, draws
retries from the client-wide :class:`~._retry.RetryBudget`, and has retries and an empty budget
reported (:mod:`~._retry_report`).

The credentials come from the token manager directly rather than through its aiohttp
middleware: the rules are the same (both ask ``decide``), but this path skips aiohttp's
per-request middleware machinery, a measurable share of a loopback request's cost.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from yarl import URL

from ._clock import Clock
from ._decipher import UNREADABLE, decode_body, error_for, succeeded
from ._download import FormFields, build_form, file_answer
from ._errors import ConfigurationError, PoolTimeoutError, PortOneError, TimeoutError
from ._gate import Gate
from ._headers import CLIENT_KEY_HEADER
from ._observe import report_internal_error
from ._retry import RetryBudget, RetryPolicy, decide, moves_money
from ._retry_report import RetryReporter
from ._wire import Answer, exchange, failure_of
from ._wire import shown as _shown

if TYPE_CHECKING:
    from ._seams import TokenHolder
    from ._token import Token

__all__ = ["MAX_RESPONSE_SIZE", "RetryPolicy", "Transport", "learn_clock"]

#: The default limit on the size of an answer's body: PortOne's largest answers (a page of
#: 100 payments) are a few hundred KB.
MAX_RESPONSE_SIZE = 10 * 1024 * 1024

# aiohttp gives a POST, PUT or PATCH without a body ``Content-Type: application/octet-stream``;
# PortOne's bodiless writes (status changes, captures) declare no body and no media type.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NO_CONTENT_TYPE = ("Content-Type",)


class Transport:
    """Sends requests through an aiohttp session and turns answers into data or our errors."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        owns_session: bool,
        tokens: TokenHolder,
        timeout: float,
        retry: RetryPolicy,
        clock: Clock,
        rng: random.Random,
        max_connections: int = 100,
        pool_timeout: float = 10.0,
        max_response_size: int = MAX_RESPONSE_SIZE,
    ) -> None:
        self.session = session
        self.tokens = tokens
        # URLs are built from the parsed base: ``with_path(encoded=True)`` gives the same URL as
        # parsing ``base + path`` for a quarter of the cost.
        self._root = tokens.base_url
        self._prefix = tokens.base_url.raw_path.rstrip("/")
        self.timeout = timeout
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # On a session of its own the transport keeps the credentials and the timeout in the
        # session's defaults, the credentials updated when the token changes: per-request
        # headers cost aiohttp a merge on every request. A borrowed session is never modified.
        self._owns_session = owns_session
        self._session_token: Token | None = None
        self._last_date: str | None = None
        self.retry = retry
        self.budget = RetryBudget(retry.budget, retry.success_refill)
        self._report = RetryReporter(tokens, self.budget)
        self.gate = Gate(max_connections)
        self.pool_timeout = pool_timeout
        self.max_response_size = max_response_size
        self._clock = clock
        self._rng = rng
        # For requests sent without a JWT on an owned session, whose defaults carry one: a
        # second session on the same connector, made on first use (one operation needs it).
        self._bare: aiohttp.ClientSession | None = None

    def _unauthenticated(self) -> aiohttp.ClientSession:
        bare = self._bare
        if bare is None:
            bare = aiohttp.ClientSession(
                connector=self.session.connector,
                connector_owner=False,
                raise_for_status=False,
                timeout=self._timeout,
            )
            bare._retry_connection = False
            self._bare = bare
        return bare

    async def aclose(self) -> None:
        """Close what the transport opened itself (not the session it was given)."""
        if self._bare is not None:
            await self._bare.close()

    def url(self, path: str) -> URL:
        # ``encoded=True``: path segments were percent-encoded by the caller and must stay so
        # (yarl would otherwise decode %2F back into a path separator).
        return self._root.with_path(self._prefix + path, encoded=True)

    async def send(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - one deadline over many awaits
        max_retries: int | None = None,
        *,
        form: FormFields | None = None,
        auth: bool = True,
        extra_headers: Mapping[str, str] | None = None,
        expect_file: bool = False,
        parse: Callable[[Any], Any] | None = None,
    ) -> Any:
        # What may hold a credential or an echoed body, bound up front so that an error can
        # unbind all of them before it leaves (see the end): one coroutine a request, where a
        # wrapper raising from a clean frame would cost a second.
        token: Token | None = None
        answer: Answer | PortOneError | None = None
        headers: Mapping[str, str] | None = None
        body: bytes | None = None
        data: Any = None
        shown: Any = None
        request: Any = None
        error: PortOneError | None = None
        try:
            url = self._root.with_path(self._prefix + path, encoded=True)
            tokens = self.tokens
            clock = self._clock
            gate = self.gate
            budget = self.budget
            limit = self.max_response_size
            deadline = clock.time() + (self.timeout if timeout is None else timeout)
            retries = self.retry.max_retries if max_retries is None else max_retries
            money = method == "POST" and moves_money(method, path)
            attempt = 0
            token_retried = not tokens.retry_on_token_rejection or not auth
            # Anything but JSON-or-nothing with the JWT takes the slower path with per-request
            # options.
            plain = (
                auth
                and form is None
                and extra_headers is None
                and (json is not None or method not in _BODY_METHODS)
            )
            while True:
                attempt += 1
                # The uncontended path takes a slot without awaiting anything.
                queued = not gate.try_enter()
                if queued:
                    wait = min(self.pool_timeout, deadline - clock.time())
                    if wait <= 0 or not await gate.enter(wait, clock):
                        raise self._pool_timeout(wait, method, url)
                try:
                    # Chosen now, after admission: the request goes on the wire right after this.
                    if auth:
                        token = tokens.usable() or await tokens.get()
                    if attempt == 1 and not queued and timeout is None:
                        call_timeout = self._timeout
                    else:
                        remaining = deadline - clock.time()
                        if remaining <= 0:
                            raise TimeoutError(
                                "the call's timeout passed before PortOne could be asked",
                                method=method,
                                url=_shown(url),
                                request_sent=False,
                            )
                        call_timeout = aiohttp.ClientTimeout(total=remaining)
                    # PortOne's API does not redirect; following one would carry the client key
                    # (aiohttp strips only Authorization) to wherever it points.
                    try:
                        if not plain:
                            request = self._request(
                                method, url, json, params, form, token, extra_headers, call_timeout
                            )
                        elif self._owns_session:
                            assert token is not None
                            if token is not self._session_token:
                                self.session.headers.update(tokens.auth_headers(token))
                                self._session_token = token
                            if call_timeout is self._timeout:
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
                                    timeout=call_timeout,
                                )
                        else:
                            assert token is not None
                            request = self.session.request(
                                method,
                                url,
                                json=json,
                                params=params,
                                allow_redirects=False,
                                headers=tokens.auth_headers(token),
                                timeout=call_timeout,
                            )
                        answer = await exchange(request, limit, method, url)
                    except RuntimeError:
                        if not self.session.closed:
                            raise
                        # The client was left while this request waited for its turn: a typed
                        # error, not aiohttp's "Session is closed".
                        raise ConfigurationError(
                            "client", "closed before this request was sent"
                        ) from None
                finally:
                    gate.leave()
                # Not isinstance(): a type check costs no call on the path every request takes.
                if type(answer) is tuple:
                    status, headers, body = answer
                    # The Date header changes once a second; only a new one is worth a look.
                    date = headers.get("Date")
                    if date != self._last_date:
                        self._last_date = date
                        learn_clock(tokens, headers)
                    if expect_file:
                        # Before JSON: a one-line CSV such as "42" is valid JSON too.
                        download = file_answer(status, headers, body)
                        if download is not None:
                            budget.succeeded()
                            if parse is None:
                                return download
                            data = download
                            break
                    data = decode_body(body)
                    if data is not UNREADABLE and succeeded(status, data):
                        if budget.level < budget.capacity:
                            budget.succeeded()
                        if parse is None:
                            return data
                        break
                    now = clock.time()
                    decision = decide(
                        status=status,
                        data=data,
                        headers=headers,
                        method=method,
                        idempotent=idempotent,
                        money=money,
                        attempt=attempt,
                        max_retries=retries,
                        token_retried=token_retried,
                        budget=budget.level,
                        remaining=deadline - now,
                        now=now,
                        jitter=self._rng.random(),
                        policy=self.retry,
                    )
                    if decision.action == "done":
                        budget.succeeded()
                        data = None if data is UNREADABLE else data
                        if parse is None:
                            return data
                        break
                    if decision.new_token and token is not None:
                        tokens.rejected(token)
                        if decision.action == "retry":
                            token_retried = True
                            attempt -= 1  # not a retry of PortOne's doing: no backoff, no budget
                            continue
                    shown = None if data is UNREADABLE else data
                    error = error_for(status, headers, shown, method=method, url=url, now=now)
                else:
                    assert isinstance(answer, PortOneError)
                    error, status = answer, 0
                    now = clock.time()
                    decision = decide(
                        status=None,
                        failure=failure_of(error),
                        method=method,
                        idempotent=idempotent,
                        money=money,
                        attempt=attempt,
                        max_retries=retries,
                        budget=budget.level,
                        remaining=deadline - now,
                        jitter=self._rng.random(),
                        policy=self.retry,
                    )
                # A closed client has nothing left to retry with.
                if decision.action != "retry" or self.session.closed:
                    raise self._report.final(decision, error, method, url, status)
                budget.withdraw(decision.cost)
                self._report.retrying(decision, error, method, url, attempt)
                await clock.sleep(decision.delay)
        except PortOneError as exc:
            error = exc
        else:
            error = None  # left by ``break``: an attempt before may have failed
        # Whatever leaves now passes through this frame, which the traceback keeps: it lets go
        # of the token and the answer first (the frames below keep the answer's body, where an
        # endpoint may echo the JWT, and aiohttp's the headers). An answer left by ``break`` is
        # for ``parse`` and goes over on the stack; a PortOneError it raises (an answer it
        # cannot read) leaves without the frames below, like any other.
        pending = [data] if error is None else []
        token = answer = headers = body = data = shown = request = None
        if error is None:
            assert parse is not None
            try:
                return parse(pending.pop())
            except PortOneError as exc:
                error = exc
        if error.__suppress_context__:
            error.__context__ = None
        raise error.with_traceback(None)

    def _request(
        self,
        method: str,
        url: URL,
        json: Any,
        params: Mapping[str, str] | None,
        form: FormFields | None,
        token: Token | None,
        extra: Mapping[str, str] | None,
        timeout: aiohttp.ClientTimeout,
    ) -> Any:
        """A request with per-request options: a form, no JWT, extra headers, no body."""
        session = self.session
        headers: dict[str, str] = {}
        if token is None:
            headers[CLIENT_KEY_HEADER] = self.tokens.client_key
            if self._owns_session:
                session = self._unauthenticated()
        elif not self._owns_session:
            headers.update(self.tokens.auth_headers(token))
        elif token is not self._session_token:
            session.headers.update(self.tokens.auth_headers(token))
            self._session_token = token
        if extra:
            headers.update(extra)
        options: dict[str, Any] = {}
        if form is not None:
            options["data"] = build_form(form)  # a fresh one per attempt
        elif json is not None:
            options["json"] = json
        elif method in _BODY_METHODS:
            options["skip_auto_headers"] = _NO_CONTENT_TYPE
        return session.request(
            method,
            url,
            params=params,
            allow_redirects=False,
            headers=headers or None,
            timeout=timeout,
            **options,
        )

    def _pool_timeout(self, wait: float, method: str, url: URL) -> PoolTimeoutError:
        """No slot within ``wait`` (``pool_timeout`` or what the call's deadline left)."""
        return PoolTimeoutError(
            f"no connection slot free within {wait:.3g} s: all {self.gate.size} "
            "max_connections were busy (the request was not sent)",
            method=method,
            url=_shown(url),
        )


def learn_clock(tokens: TokenHolder, headers: Mapping[str, str]) -> None:
    """Let the manager learn PortOne's clock from an answer; a ``Date`` it cannot digest must
    not turn an answer already received (perhaps to a refund) into a crash."""
    try:
        tokens.observe_answer(headers)
    except Exception as exc:
        report_internal_error(exc, "aioportone.request.date_unreadable")
