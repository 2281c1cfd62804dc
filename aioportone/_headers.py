"""The header names PortOne reads, in one place: the manager sets them, the fake checks them.

https://docs.portone.cloud/docs/jwt-authentication: each call carries the merchant's PortOne key in
``X-Portone-Client-Key`` and the JWT as ``Authorization: Bearer <JWT>``; a master merchant acting
for a sub-merchant adds that merchant's key in ``X-Portone-SubMerchant-Key``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._token import Token

__all__ = ["AUTHORIZATION_HEADER", "CLIENT_KEY_HEADER", "SUB_MERCHANT_HEADER", "AuthHeaders"]

AUTHORIZATION_HEADER = "Authorization"
CLIENT_KEY_HEADER = "X-Portone-Client-Key"
SUB_MERCHANT_HEADER = "X-Portone-SubMerchant-Key"


class AuthHeaders:
    """The headers that authenticate a PortOne request, built once per token.

    ``auth_headers(token)`` gives ``X-Portone-Client-Key`` and ``Authorization: Bearer <JWT>``.
    The mapping is shared by every request that uses the token: callers must not mutate it
    (aiohttp copies it into each request). The sub-merchant key is not among them: PortOne
    declares it on payment-link create and update only, and those calls add it
    (payment.yaml).

    Args:
        client_key: The merchant's PortOne key.
    """

    __slots__ = ("_cached", "_static")

    def __init__(self, client_key: str) -> None:
        self._static = {CLIENT_KEY_HEADER: client_key}
        self._cached: tuple[Token, Mapping[str, str]] | None = None

    def __call__(self, token: Token) -> Mapping[str, str]:
        """The headers for ``token``; the same mapping as last time when it is the same token.

        Args:
            token: The token to send.
        """
        cached = self._cached
        if cached is not None and cached[0] is token:
            return cached[1]
        headers = {**self._static, AUTHORIZATION_HEADER: "Bearer " + token.value}
        self._cached = (token, headers)
        return headers

    def forget(self) -> None:
        """Drop the headers kept for the last token (the manager forgot it)."""
        self._cached = None

    def __repr__(self) -> str:
        return "AuthHeaders()"
