"""Six-hour tokens from PortOne's auth-token API.

``POST /api/merchant/auth-token`` with ``{"portone_key", "portone_secret"}`` and no auth headers
answers ``content.token`` (an HS256 JWT signed with the merchant's secret) and
``content.expires_in`` (21600 s). There is no refresh endpoint: renewing means asking again.
https://docs.portone.cloud/docs/jwt-authentication ("Generate JWT token via API").

The call goes through a session of its own with no auth middleware, so fetching a token can
never recurse into waiting for a token.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import aiohttp

from . import _jwt
from ._decipher import decipher
from ._errors import InvalidServerTokenError, PortOneError, ResponseTooLargeError
from ._token import Token
from ._wire import WIRE_ERRORS, exchange

if TYPE_CHECKING:
    from ._seams import ServerCredentials

__all__ = ["AUTH_TOKEN_PATH", "MAX_ANSWER_BYTES", "ServerTokenSource"]

AUTH_TOKEN_PATH = "/api/merchant/auth-token"
# PortOne's answer is ~300 bytes; anything far larger is not a token answer, and reading it
# whole would let a broken or hostile server fill our memory.
MAX_ANSWER_BYTES = 64 * 1024


# Besides what any exchange can meet: aiohttp refuses with a plain ValueError a request it will
# not send (a control character in a header, say), and here that too is a failure to get a token.
_ERRORS = (*WIRE_ERRORS, ValueError)


class ServerTokenSource:
    """Fetches tokens from PortOne; owned by one :class:`TokenManager`.

    Args:
        manager: the manager whose credentials, clock and clock offset are used.
        timeout: seconds one auth-token call may take.
    """

    name = "server"

    def __init__(self, *, manager: ServerCredentials, timeout: float = 30.0) -> None:
        self._manager = manager
        self._url = str(manager.base_url) + AUTH_TOKEN_PATH
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"ServerTokenSource(url={self._url!r})"

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _body(self) -> bytes:
        # Built here, inline, so the secret never sits in a local of ``fetch`` (whose frame is
        # in the traceback of every error it raises); aiohttp's own frames hold it, and their
        # exceptions are never chained to ours.
        return json.dumps(
            {
                "portone_key": self._manager.client_key,
                "portone_secret": self._manager._secret.reveal(),
            }
        ).encode()

    async def fetch(self, now: float) -> Token:
        """Ask PortOne for a token.

        Args:
            now: our clock's time (unused: the answer's arrival time is what counts).
        """
        result = await self._ask()
        if isinstance(result, Token):
            return result
        # Raised from here with a fresh traceback and no chain: the frames that read the
        # answer (its body may echo the secret) and aiohttp's (the request body holds it) are
        # not part of what a log or an error tracker will show.
        result.__cause__ = result.__context__ = None
        raise result.with_traceback(None)

    async def _ask(self) -> Token | PortOneError:
        manager = self._manager
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        # No redirects: aiohttp would re-send this body, the secret in it, to another host.
        # The request is an argument, not a local: no frame of ours names what holds the body.
        answer = await exchange(
            self._session.post(
                self._url,
                data=self._body(),
                headers={"Content-Type": "application/json"},
                allow_redirects=False,
            ),
            MAX_ANSWER_BYTES,
            "POST",
            self._url,
            _ERRORS,
        )
        if isinstance(answer, ResponseTooLargeError):
            return InvalidServerTokenError(
                f"PortOne's auth-token answer is larger than {MAX_ANSWER_BYTES} bytes"
            )
        if isinstance(answer, PortOneError):
            # The message keeps the exception's type, which is what tells failures apart.
            return answer
        status, headers, raw = answer
        received = manager.clock.time()
        # Learn PortOne's clock before reading the token's times: its exp is on that clock.
        manager.observe_answer(headers)
        try:
            data = decipher(status, headers, raw, method="POST", url=self._url, now=received)
            return self._token_from(data, received)
        except PortOneError as exc:
            return exc
        except RecursionError:
            return InvalidServerTokenError("PortOne's auth-token answer is nested too deeply")

    def _token_from(self, data: Any, received: float) -> Token:
        manager = self._manager
        content = data.get("content") if isinstance(data, dict) else None
        value = content.get("token") if isinstance(content, dict) else None
        expires_in = content.get("expires_in") if isinstance(content, dict) else None
        if not isinstance(value, str) or not value:
            raise InvalidServerTokenError("PortOne's auth-token answer has no content.token")
        server_now = manager.offset.server_now(received)
        try:
            claims = _jwt.verify(
                value,
                key=manager._key,
                portone_key=manager.client_key,
                now=server_now,
                check_expiry=False,
            )
        except _jwt.InvalidTokenError as exc:
            raise InvalidServerTokenError(f"PortOne's token failed verification: {exc}") from None
        # The JWT's exp is authoritative; expires_in (seconds from now) cross-checks it, so a
        # token whose two expiries disagree is trusted only as far as the earlier one.
        expires_at = manager.offset.to_local(claims.exp)
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            if not expires_in > 0:  # NaN too
                raise InvalidServerTokenError("PortOne's auth-token answer has expires_in <= 0")
            expires_at = min(expires_at, received + float(expires_in))
        if expires_at <= received:
            raise InvalidServerTokenError("PortOne's token is already expired")
        return Token(value=value, issued_at=received, expires_at=expires_at, source=self.name)
