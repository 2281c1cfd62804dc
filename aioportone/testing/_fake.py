"""A fake PortOne: a real aiohttp.web server on 127.0.0.1 that checks JWTs the way a strict
PortOne would, keeps state in memory, records every request and fails on command.

Use it in-process from tests (``async with FakePortOne() as fake: fake.url``) or standalone
(``python -m aioportone fake-server``) for integration tests in any language.

This module is the server: its lifecycle, its middlewares (record, faults, JWT check) and what
tests call on it. The scripted failures are described in ``_faults``, the record of a request
in ``_recorded``, PortOne's routes in ``_routes*`` and the in-memory state in ``_state``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from email.utils import formatdate
from typing import Any

from aiohttp import web
from anyio import AsyncContextManagerMixin
from multidict import CIMultiDict, CIMultiDictProxy

from .. import _jwt
from .._clock import Clock, SystemClock
from .._headers import AUTHORIZATION_HEADER, CLIENT_KEY_HEADER
from ._faults import Fault, _dropped
from ._recorded import RecordedRequest
from ._routes import install
from ._routes_common import portone_error
from ._state import FakeState

__all__ = ["DEMO_CLIENT_KEY", "DEMO_SECRET_KEY", "FakePortOne", "Fault", "RecordedRequest"]

# Credentials the fake accepts unless told otherwise. Not real: they open nothing but the fake.
DEMO_CLIENT_KEY = "demoPortOneKey01"
DEMO_SECRET_KEY = "demo-secret-for-the-fake-portone-only"

# Paths PortOne serves without a JWT (the two exceptions in its OpenAPI specs).
UNAUTHENTICATED = frozenset({"/api/merchant/auth-token", "/api/initiatePayment"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakePortOne(AsyncContextManagerMixin):
    """The fake server. ``merchants`` maps PortOne keys to secrets (one demo merchant by default).

    ``clock`` is the time the fake believes it is (share a :class:`FakeClock` with the client
    under test); ``skew`` shifts it, in its JWT checks and its ``Date`` header alike, to play a
    PortOne whose clock is ahead (> 0) or behind (< 0). ``leeway`` forgives that many seconds on
    ``iat`` in the future, as a lenient server would; PortOne's own check allows none.
    Entering it starts the server; ``url`` is then its address.

    Args:
        merchants: PortOne keys mapped to their secrets; the demo merchant
            (``DEMO_CLIENT_KEY``/``DEMO_SECRET_KEY``) when None.
        clock: The fake's time source; the system clock when None.
        skew: Seconds the fake's clock is ahead of ``clock`` (negative: behind).
        leeway: Seconds of ``iat`` in the future the JWT check forgives.
        token_lifetime: Seconds the tokens of its auth-token API live (6 hours by default).
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
    """

    def __init__(
        self,
        merchants: Mapping[str, str] | None = None,
        *,
        clock: Clock | None = None,
        skew: float = 0.0,
        leeway: float = 0.0,
        token_lifetime: int = 21600,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.merchants: dict[str, str] = dict(merchants or {DEMO_CLIENT_KEY: DEMO_SECRET_KEY})
        self._keys = {key: _jwt.import_secret(secret) for key, secret in self.merchants.items()}
        self.clock: Clock = clock or SystemClock()
        self.skew = skew
        self.leeway = leeway
        self.token_lifetime = token_lifetime
        self.host, self.port = host, port
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.revoked: set[str] = set()
        self.state = FakeState(self)
        self._runner: web.AppRunner | None = None
        # The record of each request in flight, by id(request) (aiohttp requests are unhashable).
        self._in_flight: dict[int, RecordedRequest] = {}
        self._delayed = 0
        # Headers a fault puts on an answer, by id(response), applied as it is sent.
        self._fault_headers: dict[int, Mapping[str, str]] = {}
        self.app = self._make_app()

    # -- what tests read and script -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL, ``http://127.0.0.1:<port>``: a client's ``base_url``."""
        return f"http://{self.host}:{self.port}"

    def now(self) -> float:
        """The fake's own idea of the time: the clock plus ``skew``."""
        return self.clock.time() + self.skew

    def fail(self, **fault: Any) -> Fault:
        """Script a failure (see :class:`Fault` for the fields); returns it so it can be removed.

        The first fault that matches a request applies; remove one from ``faults`` to end it.

        Args:
            **fault: The :class:`Fault` fields, such as ``status=503, path="status$"``.
        """
        rule = Fault(**fault)
        self.faults.append(rule)
        return rule

    def auth_token_down(self, seconds: float, *, status: int = 503) -> Fault:
        """Make the auth-token endpoint answer ``status`` for the next ``seconds`` of fake time.

        Args:
            seconds: How long the outage lasts, in the fake's time.
            status: The HTTP status it answers with.
        """
        return self.fail(
            status=status,
            path=r"^/api/merchant/auth-token$",
            times=None,
            until=self.now() + seconds,
        )

    def revoke(self, token: str) -> None:
        """Reject ``token`` from now on with 4054, as PortOne does for a revoked JWT.

        Args:
            token: The JWT (``Token.value``).
        """
        self.revoked.add(token)

    def calls(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose raw path matches the regex ``path``.

        Args:
            path: A regex searched in each raw path.
            method: Only requests with this HTTP method, when given.
        """
        return [
            r
            for r in self.requests
            if re.search(path, r.path) and (method is None or r.method == method.upper())
        ]

    def add_merchant(self, client_key: str, secret_key: str) -> None:
        """Accept one more merchant: JWTs signed with ``secret_key`` for ``client_key`` pass.

        Args:
            client_key: The merchant's PortOne key.
            secret_key: Its secret.
        """
        self.merchants[client_key] = secret_key
        self._keys[client_key] = _jwt.import_secret(secret_key)

    @property
    def in_flight(self) -> int:
        """How many requests the fake is handling right now (received, not yet answered),
        leaving out those a ``delay`` fault keeps waiting on the fake's clock: only moving
        that clock answers them."""
        return len(self._in_flight) - self._delayed

    @property
    def open_connections(self) -> int:
        """How many client connections the fake holds open (0 once every client closed)."""
        server = self._runner.server if self._runner is not None else None
        return 0 if server is None else len(server.connections)

    @property
    def auth_token_calls(self) -> int:
        """How many times the auth-token API was called."""
        return len(self.calls(r"^/api/merchant/auth-token$", "POST"))

    def mint(self, client_key: str = DEMO_CLIENT_KEY, lifetime: int | None = None) -> str:
        """A token as PortOne's auth-token API would issue it now.

        Args:
            client_key: The merchant it is for.
            lifetime: Seconds it lives; ``token_lifetime`` when None.
        """
        issued = int(self.now())
        return _jwt.mint(
            key=self._keys[client_key],
            portone_key=client_key,
            issued_at=issued,
            expires_at=issued + (lifetime or self.token_lifetime),
        )

    # -- the server -----------------------------------------------------------------------------

    @asynccontextmanager
    async def __asynccontextmanager__(self) -> AsyncGenerator[FakePortOne]:
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.port = runner.addresses[0][1]
            self._runner = runner
            yield self
        finally:
            self._runner = None
            await runner.cleanup()

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._faults, self._authenticate])
        app.on_response_prepare.append(self._date_header)
        install(app, self)
        return app

    async def _date_header(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Date"] = formatdate(self.now(), usegmt=True)
        # A fault's headers go last: aiohttp writes its own Date just before this hook.
        response.headers.update(self._fault_headers.pop(id(response), {}))

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        try:
            decoded = await request.json() if body else None
        except ValueError:
            decoded = None
        record = RecordedRequest(
            method=request.method,
            path=request.raw_path.split("?", 1)[0],
            query=dict(request.query),
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            body=body,
            json=decoded,
            at=self.now(),
        )
        self.requests.append(record)
        self._in_flight[id(request)] = record
        try:
            return await handler(request)
        finally:
            del self._in_flight[id(request)]

    @web.middleware
    async def _faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        now = self.now()
        body = self._in_flight[id(request)].body
        rule = next((f for f in self.faults if f.matches(request, now, body)), None)
        if rule is None:
            return await handler(request)
        rule.hits += 1
        if rule.hold is not None:
            await rule.hold.wait()
        if rule.delay:
            self._delayed += 1
            try:
                await self.clock.sleep(rule.delay)
            finally:
                self._delayed -= 1
        if rule.drop:
            return _dropped(request)
        if rule.drop_after:
            await handler(request)
            return _dropped(request)
        scripted = rule.answer()
        if scripted is not None and rule.after:
            await handler(request)
        answer = scripted if scripted is not None else await handler(request)
        if rule.headers:
            self._fault_headers[id(answer)] = rule.headers
        return answer

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in UNAUTHENTICATED:
            return await handler(request)
        problem = self.check_jwt(request.headers)
        self._in_flight[id(request)].authorized = not problem
        if problem:
            return portone_error(
                401,
                "4054",
                "INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR",
                f"The JWT Token or header is invalid or expired! ({problem})",
            )
        return await handler(request)

    def check_jwt(self, headers: Mapping[str, str]) -> str | None:
        """Why these headers would be refused, or None when PortOne would accept them.

        Args:
            headers: A request's headers.
        """
        client_key = headers.get(CLIENT_KEY_HEADER)
        if not client_key:
            return f"missing {CLIENT_KEY_HEADER}"
        key = self._keys.get(client_key)
        if key is None:
            return "unknown client key"
        auth = headers.get(AUTHORIZATION_HEADER, "")
        if not auth.startswith("Bearer "):
            return "missing bearer token"
        token = auth[len("Bearer ") :]
        if token in self.revoked:
            return "token revoked"
        try:
            _jwt.verify(token, key=key, portone_key=client_key, now=self.now(), leeway=self.leeway)
        except _jwt.InvalidTokenError as exc:
            return str(exc)
        return None
