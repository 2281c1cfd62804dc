"""Where tokens come from: the seam between the manager and minting or PortOne's auth-token API.

A source's ``fetch`` is awaited only by the manager's background task, one call at a time.
A source that can produce a token synchronously (local minting: ~10 µs) also offers
``mint_now``, which the manager uses when its background task has stalled past the floor or a
token was rejected: then nobody waits for a refresh at all.
"""

from __future__ import annotations

import math
from typing import Protocol, runtime_checkable

from joserfc.jwk import OctKey

from . import _jwt
from ._skew import ServerClockOffset
from ._token import Token

__all__ = ["LocalTokenSource", "SyncTokenSource", "TokenSource"]


@runtime_checkable
class TokenSource(Protocol):
    """Produces tokens. ``name`` appears in events and logs (``"local"``, ``"server"``)."""

    name: str

    async def fetch(self, now: float) -> Token:
        """A fresh token, or raise; ``now`` is our clock's time.

        Args:
            now: Unix seconds on the manager's clock.
        """
        ...


@runtime_checkable
class SyncTokenSource(TokenSource, Protocol):
    def mint_now(self, now: float) -> Token: ...


class LocalTokenSource:
    """Mints HS256 JWTs with the merchant's secret; no network.

    https://docs.portone.cloud/docs/jwt-authentication uses ``exp = iat + 100``. ``iat`` is set
    ``skew_allowance`` seconds in the past so that a PortOne server whose clock trails ours does
    not reject the token as issued in the future; ``exp - iat`` stays ``lifetime``. Both claims
    are on PortOne's clock as far as we know it (``offset``).

    :class:`TokenManager` builds one for ``token_source="local"``.

    Args:
        portone_key: The PortOne (client) key, the ``sub`` claim.
        key: The secret as a joserfc key.
        lifetime: Seconds from ``iat`` to ``exp`` (whole seconds are used).
        skew_allowance: Seconds ``iat`` is set in the past.
        offset: The learned offset between PortOne's clock and ours.
    """

    name = "local"

    def __init__(
        self,
        *,
        portone_key: str,
        key: OctKey,
        lifetime: float,
        skew_allowance: float,
        offset: ServerClockOffset,
    ) -> None:
        self._portone_key = portone_key
        self._key = key
        self._lifetime = int(lifetime)
        self._skew = skew_allowance
        self._offset = offset

    async def fetch(self, now: float) -> Token:
        """Mint a token (see :meth:`mint_now`).

        Args:
            now: Unix seconds on our clock.
        """
        return self.mint_now(now)

    def mint_now(self, now: float) -> Token:
        """Mint a token at once, with no I/O.

        Args:
            now: Unix seconds on our clock.
        """
        issued = math.floor(self._offset.server_now(now) - self._skew)
        expires = issued + self._lifetime
        value = _jwt.mint(
            key=self._key, portone_key=self._portone_key, issued_at=issued, expires_at=expires
        )
        return Token(
            value=value, issued_at=now, expires_at=self._offset.to_local(expires), source=self.name
        )

    def __repr__(self) -> str:
        return f"LocalTokenSource(lifetime={self._lifetime}, skew_allowance={self._skew})"
