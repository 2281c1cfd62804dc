"""A backend that hands PortOne JWTs to its browser or app frontend, both ways PortOne documents.

    GET /portone-token?source=local    a JWT this backend mints with the secret (100 s)
    GET /portone-token?source=server   a JWT from PortOne's auth-token API (6 hours)

Either way the answer is ``{"token": ..., "expires_at": <unix seconds>}`` with
``Cache-Control: no-store``, and the token is the one a :class:`TokenManager` already holds:
a thousand page views cost no thousand mints and no thousand auth-token calls.

Whoever holds this JWT can call PortOne's API as you until it expires, so the route answers only
signed-in users: ``signed_in()`` stands for your application's own session check.

    python examples/frontend_token.py            # against a fake PortOne, then exit
    python examples/frontend_token.py --serve    # keep serving on http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import hashlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, suppress

import aiohttp
import anyio
from aiohttp import web

from aioportone import Clock, SystemClock, Token, TokenManager, TokenUnavailableError
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

SESSION_COOKIE = "session"


def signed_in(request: web.Request) -> bool:
    """Stand-in for your session check: here, any ``session`` cookie will do."""
    return bool(request.cookies.get(SESSION_COOKIE))


def make_app(managers: Mapping[str, TokenManager]) -> web.Application:
    """The ``/portone-token`` route, serving the managers' tokens by source name."""

    async def portone_token(request: web.Request) -> web.Response:
        if not signed_in(request):
            return web.json_response({"error": "sign in first"}, status=401)
        source = request.query.get("source", "local")
        manager = managers.get(source)
        if manager is None:
            choices = " or ".join(sorted(managers))
            return web.json_response({"error": f"source must be {choices}"}, status=400)
        token = await current_token(manager)
        return web.json_response(
            {"token": token.value, "expires_at": int(token.expires_at)},
            # A JWT is a credential: no browser or proxy cache may keep a copy.
            headers={"Cache-Control": "no-store"},
        )

    app = web.Application()
    app.router.add_get("/portone-token", portone_token)
    return app


async def current_token(manager: TokenManager) -> Token:
    """The token the manager holds right now; wait for its refresh only if it has none."""
    try:
        return manager.current()
    except TokenUnavailableError:  # a server token between two fetches: its refresh is due
        return await manager.get()


@asynccontextmanager
async def token_managers(
    base_url: str, client_key: str, secret_key: str, clock: Clock
) -> AsyncIterator[dict[str, TokenManager]]:
    """One manager per flow, each refreshing its token in the background while entered."""
    async with (
        TokenManager(client_key, secret_key, base_url=base_url, clock=clock) as local,
        TokenManager(
            client_key, secret_key, token_source="server", base_url=base_url, clock=clock
        ) as server,
    ):
        yield {"local": local, "server": server}


def fingerprint(token: str) -> str:
    """Enough of a token to tell two apart on screen, nothing that could be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


async def main(
    *,
    base_url: str | None = None,
    client_key: str = DEMO_CLIENT_KEY,
    secret_key: str = DEMO_SECRET_KEY,
    clock: Clock | None = None,
    serve: bool = False,
    port: int = 8000,
) -> None:
    """Run the backend against ``base_url`` (default: a fake PortOne started here), fetch a
    token of each kind the way a frontend would, and keep serving if ``serve``."""
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        if base_url is None:
            fake = await stack.enter_async_context(FakePortOne(clock=clock))
            base_url, client_key, secret_key = fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY
        managers = await stack.enter_async_context(
            token_managers(base_url, client_key, secret_key, clock)
        )
        runner = web.AppRunner(make_app(managers))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", port if serve else 0)
        await site.start()
        host, bound = runner.addresses[0][:2]
        url = f"http://{host}:{bound}/portone-token"
        print(f"backend serving {url}")

        cookies = {SESSION_COOKIE: "signed-in-user"}
        local_tokens: list[str] = []
        async with aiohttp.ClientSession(cookies=cookies) as frontend:
            for source in ("local", "local", "server"):
                async with frontend.get(url, params={"source": source}) as resp:
                    answer = await resp.json()
                    cache = resp.headers.get("Cache-Control")
                life = answer["expires_at"] - clock.time()
                if source == "local":
                    local_tokens.append(answer["token"])
                print(
                    f"  frontend got a {source} token #{fingerprint(answer['token'])}, "
                    f"valid {life:.0f} s more (Cache-Control: {cache})"
                )
        if local_tokens[0] == local_tokens[1]:
            print("  two page views, one local token: it is not minted per request")
        if serve:
            print("serving until Ctrl-C")
            await anyio.sleep_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="keep serving after the demo")
    parser.add_argument("--port", type=int, default=8000, help="with --serve (default: 8000)")
    args = parser.parse_args()
    # The library prints nothing unless asked; this script shows its warnings (a failed refresh).
    logging.basicConfig(level=logging.WARNING)
    with suppress(KeyboardInterrupt):  # Ctrl-C ends --serve
        anyio.run(lambda: main(serve=args.serve, port=args.port))
