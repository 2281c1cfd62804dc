"""Your own aiohttp session, with PortOne's headers added by a :class:`TokenManager`.

``tokens.middleware`` puts ``X-Portone-Client-Key`` and ``Authorization: Bearer <JWT>`` on every
request to the PortOne origin (and only there: a redirect to another host gets neither), with
the token the manager keeps fresh in the background. Use it when you already have a session, or
call an endpoint aioportone has no method for.

    python examples/own_session.py     # against a fake PortOne
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import quote

import aiohttp
import anyio

from aioportone import Clock, SystemClock, TokenManager
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne


async def main(
    *,
    merchant_order_ref: str = "ORDER-1001",
    base_url: str | None = None,
    client_key: str = DEMO_CLIENT_KEY,
    secret_key: str = DEMO_SECRET_KEY,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """GET the status of ``merchant_order_ref`` with a plain aiohttp session; return PortOne's
    JSON answer. Without ``base_url``, a fake PortOne that knows the order is started here."""
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        if base_url is None:
            fake = await stack.enter_async_context(FakePortOne(clock=clock))
            fake.state.add_transaction(merchant_order_ref, status="Success")
            base_url, client_key, secret_key = fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY
        tokens = await stack.enter_async_context(
            TokenManager(client_key, secret_key, base_url=base_url, clock=clock)
        )
        session = await stack.enter_async_context(
            aiohttp.ClientSession(base_url=base_url, middlewares=[tokens.middleware])
        )
        path = f"/api/transaction/{quote(merchant_order_ref, safe='')}/status"
        async with session.get(path) as resp:
            answer: dict[str, Any] = await resp.json()
            sent = resp.request_info.headers
        print(f"GET {path} -> HTTP {resp.status}: {answer.get('content', answer)}")
        print(f"  X-Portone-Client-Key: {sent['X-Portone-Client-Key']} (added by the middleware)")
        print(f"  Authorization: Bearer {tokens.current()!r} (added by the middleware)")
    return answer


if __name__ == "__main__":
    # The library prints nothing unless asked; this script shows its warnings (a failed refresh).
    logging.basicConfig(level=logging.WARNING)
    anyio.run(main)
