"""The benchmarks' PortOne stand-in: a loopback aiohttp server in a process of its own.

Every status lookup gets the same JSON answer. The server checks each JWT when the request
*arrives* (before any configured delay), with the standard library only, independently of the
client's JWT code: HS256 signature, ``iss``, ``sub`` equal to the client-key header, ``exp`` and
``iat`` against its own clock. An expired token is counted and refused with 401/4054, as PortOne
does. ``POST /api/merchant/auth-token`` hands out tokens of a configurable lifetime (server
tokens, short ones so that a bounded run sees several renewals).

Control routes (the benchmark driver's, never a client variant's): ``POST /_config`` sets the
answer delay and the auth-token lifetime, ``GET /_stats`` returns the counters and resets them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from aiohttp import web

CLIENT_KEY = "bench-portone-key"
SECRET_KEY = "bench-secret-0123456789abcdef0123456789"  # 39 bytes: no joserfc short-key warning
STATUS_PATH = "/api/transaction/{ref}/status"
BODY = json.dumps(
    {
        "content": {
            "order_ref": "2bZ1Vj0b3nHbqKxJ0V3b6Xxbw5D",
            "channel_order_ref": "CH-0001",
            "status": "Success",
            "amount": 2500,
            "currency": "THB",
        },
        "message": "Transaction status fetched",
        "status_code": "2000",
        "status_reason": "SUCCESS",
    }
).encode()
_REJECTED = json.dumps({"message": "Invalid or expired token", "status_code": "4054"}).encode()
_SECRET = SECRET_KEY.encode()


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _enc(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def check_jwt(header: str, client_key: str | None, now: float) -> str | None:
    """``None`` for a valid ``Bearer`` JWT, else why it is refused (``"expired"``, ...)."""
    if not header.startswith("Bearer ") or not client_key:
        return "missing"
    try:
        head, payload, signature = header[7:].split(".")
        expected = hmac.new(_SECRET, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64(signature)):
            return "signature"
        claims = json.loads(_b64(payload))
    except (ValueError, binascii.Error):
        return "malformed"
    if claims.get("iss") != "PORTONE" or claims.get("sub") != client_key:
        return "claims"
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        return "expired"
    if isinstance(claims.get("iat"), int) and claims["iat"] > now + 1:
        return "future"
    return None


class Stand:
    """The server's state: its settings and what it has seen since the last ``/_stats``."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.token_lifetime = 15
        self.counts: dict[str, int] = {}

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    async def status(self, request: web.Request) -> web.Response:
        refused = check_jwt(
            request.headers.get("Authorization", ""),
            request.headers.get("X-Portone-Client-Key"),
            time.time(),
        )
        if refused is not None:
            self.count(refused)
            return web.Response(status=401, body=_REJECTED, content_type="application/json")
        self.count("ok")
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(body=BODY, content_type="application/json")

    async def auth_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("portone_key") != CLIENT_KEY or body.get("portone_secret") != SECRET_KEY:
            return web.json_response({"status_code": "4099"}, status=401)
        self.count("auth_token")
        now = int(time.time())
        head = _enc(b'{"alg":"HS256","typ":"JWT"}')
        claims = {"iss": "PORTONE", "sub": CLIENT_KEY, "iat": now, "exp": now + self.token_lifetime}
        payload = _enc(json.dumps(claims).encode())
        sig = _enc(hmac.new(_SECRET, f"{head}.{payload}".encode(), hashlib.sha256).digest())
        content = {"token": f"{head}.{payload}.{sig}", "expires_in": self.token_lifetime}
        return web.json_response({"content": content, "status_code": "2000"})

    async def config(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        self.delay = float(body.get("delay", self.delay))
        self.token_lifetime = int(body.get("token_lifetime", self.token_lifetime))
        return web.json_response({"delay": self.delay, "token_lifetime": self.token_lifetime})

    async def stats(self, request: web.Request) -> web.Response:
        counts, self.counts = self.counts, {}
        return web.json_response(counts)


async def _serve_forever(conn: Connection) -> None:
    stand = Stand()
    app = web.Application()
    app.router.add_get(STATUS_PATH, stand.status)
    app.router.add_post("/api/merchant/auth-token", stand.auth_token)
    app.router.add_post("/_config", stand.config)
    app.router.add_get("/_stats", stand.stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=2048).start()
    conn.send(runner.addresses[0][1])
    with suppress(EOFError):  # until told to stop, or the parent is gone
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await runner.cleanup()


def _serve(conn: Connection) -> None:
    asyncio.run(_serve_forever(conn))


@contextmanager
def server_process() -> Iterator[str]:
    """Start the server in a fresh (spawned) process; yield its base URL; stop it."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,))
    process.start()
    try:
        if not ours.poll(60):
            raise SystemExit("the benchmark server did not start within 60 s")
        yield f"http://127.0.0.1:{ours.recv()}"
    finally:
        with suppress(OSError):  # the server may already be gone
            ours.send("stop")
        process.join(5)
        if process.is_alive():
            process.terminate()
