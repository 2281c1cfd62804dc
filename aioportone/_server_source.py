"""Six-hour tokens from PortOne's auth-token API.

``POST /api/merchant/auth-token`` with ``{"portone_key", "portone_secret"}`` and no auth headers
answers ``content.token`` (an HS256 JWT signed with the merchant's secret) and
``content.expires_in`` (21600 s). There is no refresh endpoint: renewing means asking again.
https://docs.portone.cloud/docs/jwt-authentication ("Generate JWT token via API").

The call goes through a session of its own with no auth middleware, so fetching a token can
never recurse into waiting for a token. The source is built from explicit values, like the local
one: it never sees the secret itself, only a callable that builds the request body holding it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from joserfc.jwk import OctKey
from yarl import URL

from . import _jwt
from ._clock import Clock
from ._decipher import decipher
from ._errors import InvalidServerTokenError, PortOneError, ResponseTooLargeError
from ._skew import ServerClockOffset
from ._token import Token
from ._wire import WIRE_ERRORS, exchange

__all__ = ["AUTH_TOKEN_PATH", "MAX_ANSWER_BYTES", "ServerTokenSource"]

AUTH_TOKEN_PATH = "/api/merchant/auth-token"
# PortOne's answer is ~300 bytes; anything far larger is not a token answer, and reading it
# whole would let a broken or hostile server fill our memory.
MAX_ANSWER_BYTES = 64 * 1024


# Besides what any exchange can meet: aiohttp refuses with a plain ValueError a request it will
# not send (a control character in a header, say), and here that too is a failure to get a token.
_ERRORS = (*WIRE_ERRORS, ValueError)


class ServerTokenSource:
    """Fetches tokens from PortOne's auth-token API.

    :class:`TokenManager` builds one for ``token_source="server"``.

    Args:
        base_url: PortOne's origin.
        client_key: The PortOne key the tokens are for (their ``sub``).
        key: The secret as a joserfc key, to verify the tokens PortOne signs with it.
        body: Builds the auth-token request body, which holds the secret; called for each
            request, its result never kept.
        clock: Our clock, read when an answer arrives.
        offset: The offset between PortOne's clock and ours (the tokens' ``exp`` is on
            PortOne's).
        on_answer: Called with each answer's headers before its token is read, so that the
            offset is up to date (the manager learns PortOne's clock from them).
        timeout: Seconds one auth-token call may take.
    """

    name = "server"

    def __init__(
        self,
        *,
        base_url: URL | str,
        client_key: str,
        key: OctKey,
        body: Callable[[], bytes],
        clock: Clock,
        offset: ServerClockOffset,
        on_answer: Callable[[Mapping[str, str]], None],
        timeout: float = 30.0,
    ) -> None:
        self._url = str(base_url) + AUTH_TOKEN_PATH
        self._client_key = client_key
        self._key = key
        # Called inline where the request is made, so the secret never sits in a local of
        # ``fetch`` (whose frame is in the traceback of every error it raises); aiohttp's own
        # frames hold it, and their exceptions are never chained to ours.
        self._body = body
        self._clock = clock
        self._offset = offset
        self._on_answer = on_answer
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"ServerTokenSource(url={self._url!r})"

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        received = self._clock.time()
        # Learn PortOne's clock before reading the token's times: its exp is on that clock.
        self._on_answer(headers)
        try:
            data = decipher(status, headers, raw, method="POST", url=self._url, now=received)
            return self._token_from(data, received)
        except PortOneError as exc:
            return exc
        except RecursionError:
            return InvalidServerTokenError("PortOne's auth-token answer is nested too deeply")

    def _token_from(self, data: Any, received: float) -> Token:
        content = data.get("content") if isinstance(data, dict) else None
        value = content.get("token") if isinstance(content, dict) else None
        expires_in = content.get("expires_in") if isinstance(content, dict) else None
        if not isinstance(value, str) or not value:
            raise InvalidServerTokenError("PortOne's auth-token answer has no content.token")
        server_now = self._offset.server_now(received)
        try:
            claims = _jwt.verify(
                value,
                key=self._key,
                portone_key=self._client_key,
                now=server_now,
                check_expiry=False,
            )
        except _jwt.InvalidTokenError as exc:
            raise InvalidServerTokenError(f"PortOne's token failed verification: {exc}") from None
        # The JWT's exp is authoritative; expires_in (seconds from now) cross-checks it, so a
        # token whose two expiries disagree is trusted only as far as the earlier one.
        expires_at = self._offset.to_local(claims.exp)
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            if not expires_in > 0:  # NaN too
                raise InvalidServerTokenError("PortOne's auth-token answer has expires_in <= 0")
            expires_at = min(expires_at, received + float(expires_in))
        if expires_at <= received:
            raise InvalidServerTokenError("PortOne's token is already expired")
        return Token(value=value, issued_at=received, expires_at=expires_at, source=self.name)
