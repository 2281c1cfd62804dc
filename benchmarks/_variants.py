"""The client variants the suite compares, each one ``GET`` of a transaction status, decoded.

Every variant is written the way a careful user would write it: sessions and clients are opened
once and reused, keys are imported once, pools hold 100 connections (aiohttp's default; httpx
is given the same instead of its 20 kept-alive connections).

  a  raw aiohttp, static headers on the session (the baseline: a client costs no less)
  b  ``PortOneClient.request``
  c  ``PortOneClient.transactions.status`` (path encoding and result parsing included)
  d  the user's own aiohttp session with ``tokens.middleware``
  e  aiohttp minting a JWT per request the way PortOne's sample code does (joserfc)
  f  the same with PyJWT
  g  httpx.AsyncClient with a cached token
  h  httpx.AsyncClient minting a JWT per request (joserfc)
  i  raw aiohttp as in (a), behind ``asyncio.Semaphore(100)``: how a careful user makes
     aiohttp's pool first come, first served; the price of fairness itself, with no client
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
from _server import CLIENT_KEY, SECRET_KEY
from joserfc import jwt as jose_jwt
from joserfc.jwk import OctKey

from aioportone import PortOneClient, TokenManager

# The bench extra (PyJWT also comes with the test extra); a variant whose library is missing
# is left out of the run rather than failing it.
try:
    import httpx
except ImportError:  # pragma: no cover - depends on the environment
    httpx = None  # type: ignore[assignment, unused-ignore]
try:
    import jwt as pyjwt
except ImportError:  # pragma: no cover - depends on the environment
    pyjwt = None  # type: ignore[assignment]

Call = Callable[[int], Awaitable[object]]
POOL = 100

NAMES = {
    "a": "raw aiohttp, static headers",
    "b": "PortOneClient.request",
    "c": "transactions.status (parsed)",
    "d": "own session + tokens.middleware",
    "e": "aiohttp, JWT per request (joserfc)",
    "f": "aiohttp, JWT per request (PyJWT)",
    "g": "httpx, cached token",
    "h": "httpx, JWT per request (joserfc)",
    "i": "raw aiohttp behind a FIFO semaphore",
}
_JOSE_HEADER = {"alg": "HS256", "typ": "JWT"}


def available() -> list[str]:
    """The variants this environment can run (f needs PyJWT, g and h httpx)."""
    missing = ("f" if pyjwt is None else "") + ("gh" if httpx is None else "")
    return [v for v in NAMES if v not in missing]


def _accepted(factory: Callable[..., Any], **options: Any) -> dict[str, Any]:
    """The options ``factory`` takes: the suite runs on clients with and without them."""
    params = inspect.signature(factory).parameters
    return {k: v for k, v in options.items() if k in params}


def client(base: str, **kwargs: Any) -> PortOneClient:
    """A ``PortOneClient`` for the stand-in, with a 100-connection pool where it has the option."""
    options = _accepted(PortOneClient, max_connections=POOL) | kwargs
    return PortOneClient(CLIENT_KEY, SECRET_KEY, base_url=base, **options)


def _claims(now: int) -> dict[str, Any]:
    # https://docs.portone.cloud/docs/jwt-authentication: iss, sub, iat, exp = iat + 100.
    return {"iss": "PORTONE", "sub": CLIENT_KEY, "iat": now, "exp": now + 100}


def _path(i: int) -> str:
    return f"/api/transaction/BENCH-{i}/status"


async def _read(session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None) -> object:
    async with session.get(url, headers=headers) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")
        return json.loads(body)


def _httpx_client(**kwargs: Any) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0), **kwargs)


def _httpx_answer(resp: httpx.Response) -> object:
    if resp.status_code != 200:
        raise RuntimeError(f"HTTP {resp.status_code}: {resp.content[:200]!r}")
    return json.loads(resp.content)


@asynccontextmanager
async def open_variant(variant: str, base: str, **client_kwargs: Any) -> AsyncIterator[Call]:
    """Yield ``call(i)`` for ``variant``: one request, its answer decoded."""
    async with AsyncExitStack() as stack:
        yield await _build(stack, variant, base, client_kwargs)


async def _enter(stack: AsyncExitStack, cm: AbstractAsyncContextManager[Any]) -> Any:
    return await stack.enter_async_context(cm)


async def _build(
    stack: AsyncExitStack, variant: str, base: str, client_kwargs: dict[str, Any]
) -> Call:
    static = {"X-Portone-Client-Key": CLIENT_KEY}
    key = OctKey.import_key(SECRET_KEY)  # once, as a careful user would

    def jose_headers() -> dict[str, str]:
        token = jose_jwt.encode(_JOSE_HEADER, _claims(int(time.time())), key)
        return static | {"Authorization": f"Bearer {token}"}

    if variant in "bc":
        portone: PortOneClient = await _enter(stack, client(base, **client_kwargs))
        if variant == "b":
            return lambda i: portone.request("GET", _path(i))
        return lambda i: portone.transactions.status(f"BENCH-{i}")
    if variant in "ai":
        now = int(time.time())
        token = jose_jwt.encode(_JOSE_HEADER, _claims(now) | {"exp": now + 3600}, key)
        headers = static | {"Authorization": f"Bearer {token}"}
        session = await _enter(stack, aiohttp.ClientSession(headers=headers))
        if variant == "a":
            return lambda i: _read(session, base + _path(i), None)
        # Python 3.11's semaphore queues a newcomer behind every waiter: first come, first served.
        turns = asyncio.Semaphore(POOL)

        async def fair(i: int) -> object:
            async with turns:
                return await _read(session, base + _path(i), None)

        return fair
    if variant == "d":
        tokens: TokenManager = await _enter(
            stack, TokenManager(CLIENT_KEY, SECRET_KEY, base_url=base, **client_kwargs)
        )
        own = await _enter(stack, aiohttp.ClientSession(middlewares=[tokens.middleware]))
        return lambda i: _read(own, base + _path(i), None)
    if variant == "e":
        session = await _enter(stack, aiohttp.ClientSession())
        return lambda i: _read(session, base + _path(i), jose_headers())
    if variant == "f":
        session = await _enter(stack, aiohttp.ClientSession())

        def pyjwt_headers() -> dict[str, str]:
            token = pyjwt.encode(_claims(int(time.time())), SECRET_KEY, algorithm="HS256")
            return static | {"Authorization": f"Bearer {token}"}

        return lambda i: _read(session, base + _path(i), pyjwt_headers())
    if variant == "g":
        now = int(time.time())
        token = jose_jwt.encode(_JOSE_HEADER, _claims(now) | {"exp": now + 3600}, key)
        headers = static | {"Authorization": f"Bearer {token}"}
        hx = await _enter(stack, _httpx_client(base_url=base, headers=headers))

        async def cached(i: int) -> object:
            return _httpx_answer(await hx.get(_path(i)))

        return cached
    if variant == "h":
        hx = await _enter(stack, _httpx_client(base_url=base))

        async def minted(i: int) -> object:
            return _httpx_answer(await hx.get(_path(i), headers=jose_headers()))

        return minted
    raise ValueError(f"unknown variant {variant!r}")
