"""The aiohttp client middleware that puts a manager's credentials on PortOne requests.

For sessions you own: ``ClientSession(middlewares=[tokens.middleware])``. ``PortOneClient``
applies the same rules in its transport without a middleware (it saves aiohttp's per-request
middleware machinery on the hot path); both ask the same pure decision (``_retry.decide``), so
the token-rejection rule exists once.

What is and is not guaranteed here. aiohttp runs client middlewares *before* the connector
hands out a connection (``ClientSession._request`` wraps "connect, then send" in the middleware
chain), so the token is chosen when the request enters aiohttp, not when it reaches the wire:

- guaranteed: the token has at least its floor of life left (10 % of its lifetime, at most
  30 s) when the request enters aiohttp; it goes only to the PortOne origin (never to a
  redirect target elsewhere); a rejection (401 with 4054, or 4010 saying the JWT was refused)
  discards the token if it is still the current one and the request is sent once more with a
  fresh one — except a request that moves money (a refund, capture, payment link, payout),
  which is not sent twice: its 401 reaches you;
- not guaranteed: that the token still has that life when the request is written, if it then
  waits in aiohttp's pool for longer than the floor. A session whose connector limit is at
  least the number of requests you have in flight never makes a request wait there; with fewer
  connections, put ``PortOneClient(session=your_session)`` in front, whose first-come-first-
  served gate admits a request before it picks its token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from ._decipher import UNREADABLE, decode_body
from ._retry import decide, moves_money
from ._transport import learn_clock

if TYPE_CHECKING:
    from ._seams import TokenHolder

__all__ = ["auth_middleware"]

# A token rejection is a few hundred bytes of JSON with a Content-Length; a bigger 401, or one of
# unknown length, is something else and is left unread for the caller.
_MAX_REJECTION_SIZE = 64 * 1024


async def auth_middleware(
    tokens: TokenHolder, req: ClientRequest, handler: ClientHandlerType
) -> ClientResponse:
    # Only the PortOne origin gets credentials. aiohttp drops Authorization when a redirect
    # leaves the origin, then runs the middlewares again for the next hop; a middleware that
    # added headers unconditionally would hand the JWT to whatever host the redirect named.
    url = req.url
    if (url.scheme, url.host, url.port) != tokens.origin:
        return await handler(req)
    token = tokens.usable() or await tokens.get()
    req.headers.update(tokens.auth_headers(token))
    resp = await handler(req)
    learn_clock(tokens, resp.headers)
    if resp.status != 401 or not tokens.retry_on_token_rejection:
        return resp
    length = resp.content_length
    if length is None or length > _MAX_REJECTION_SIZE:
        return resp
    data = decode_body(await resp.read())
    decision = decide(
        status=401,
        data=None if data is UNREADABLE else data,
        method=req.method,
        money=moves_money(req.method, url.raw_path),
    )
    if decision.new_token:
        tokens.rejected(token)
    if decision.action != "retry":
        return resp
    fresh = await tokens.get()
    resp.release()
    req.headers.update(tokens.auth_headers(fresh))
    retried = await handler(req)  # once: a second rejection goes to the caller
    learn_clock(tokens, retried.headers)
    return retried
