"""The aiohttp client middleware that puts a manager's credentials on PortOne requests.

For sessions you own: ``ClientSession(middlewares=[tokens.middleware])``. ``PortOneClient``
applies the same rules in its transport without a middleware (it saves aiohttp's per-request
middleware machinery on the hot path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from ._decipher import decode_json, is_token_rejection

if TYPE_CHECKING:
    from ._manager import TokenManager

__all__ = ["auth_middleware"]


async def auth_middleware(
    tokens: TokenManager, req: ClientRequest, handler: ClientHandlerType
) -> ClientResponse:
    # Only the PortOne origin gets credentials. aiohttp drops Authorization when a redirect
    # leaves the origin, then runs the middlewares again for the next hop; a middleware that
    # added headers unconditionally would hand the JWT to whatever host the redirect named.
    url = req.url
    if (url.scheme, url.host, url.port) != tokens.origin:
        return await handler(req)
    token = await tokens.get()
    req.headers.update(tokens.auth_headers(token))
    resp = await handler(req)
    tokens.observe_answer(resp.headers)
    if resp.status != 401 or not tokens.retry_on_token_rejection:
        return resp
    # https://docs.portone.cloud/docs/error-codes: 4054 means the JWT is invalid or expired;
    # any other 401 (e.g. 4001, a missing signature) is not a token problem.
    if not is_token_rejection(401, decode_json(await resp.read())):
        return resp
    tokens.rejected(token)
    fresh = await tokens.get()
    resp.release()
    req.headers.update(tokens.auth_headers(fresh))
    retried = await handler(req)  # once: a second 4054 goes to the caller
    tokens.observe_answer(retried.headers)
    return retried
