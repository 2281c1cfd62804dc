"""PortOne JWTs: mint and verify HS256 tokens. Pure: no I/O, the time is always an argument.

https://docs.portone.cloud/docs/jwt-authentication: HS256 signed with the merchant's secret,
claims ``iss`` = "PORTONE", ``sub`` = the PortOne key, ``iat`` and ``exp`` in whole seconds.

PortOne's own server (``POST /api/merchant/auth-token``) serialises the claims compactly in the
order ``exp, iat, iss, sub`` under the header ``{"alg":"HS256","typ":"JWT"}``. We produce the
same bytes, so a locally minted token is indistinguishable from a server-issued one. joserfc's
``jwt.encode`` would put ``typ`` first in the header, so the payload is serialised here and
signed with ``jws.serialize_compact``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OctKey

__all__ = ["ISSUER", "Claims", "InvalidTokenError", "import_secret", "mint", "verify"]

ISSUER = "PORTONE"
_HEADER = {"alg": "HS256", "typ": "JWT"}
_ALGORITHMS = ["HS256"]


class InvalidTokenError(ValueError):
    """A JWT failed verification. The message names the check; it never contains the token."""


@dataclass(frozen=True, slots=True)
class Claims:
    """The claims of a PortOne JWT."""

    iss: str
    sub: str
    iat: int
    exp: int


def import_secret(secret_key: str) -> OctKey:
    """Import the merchant's secret once; signing then reuses the imported key."""
    # joserfc warns about keys under 112 bits. The merchant does not choose this secret (PortOne
    # issues it), so the warning could only be silenced, never acted on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return OctKey.import_key(secret_key.encode("utf-8"))


def mint(*, key: OctKey, portone_key: str, issued_at: int, expires_at: int) -> str:
    """Return a compact HS256 JWT for ``portone_key`` valid from ``issued_at`` to ``expires_at``."""
    payload = json.dumps(
        {"exp": expires_at, "iat": issued_at, "iss": ISSUER, "sub": portone_key},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return jws.serialize_compact(_HEADER, payload, key, algorithms=_ALGORITHMS)


def verify(
    token: str,
    *,
    key: OctKey,
    portone_key: str | None,
    now: float,
    leeway: float = 0.0,
    check_expiry: bool = True,
) -> Claims:
    """Check signature, issuer, subject and times; return the claims.

    ``portone_key=None`` skips the subject check. ``leeway`` forgives that many seconds of clock
    difference on both ``exp`` and ``iat``.
    """
    try:
        obj = jws.deserialize_compact(token, key, algorithms=_ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidTokenError(
            f"bad signature or malformed token ({type(exc).__name__})"
        ) from None
    if obj.protected.get("alg") != "HS256":
        raise InvalidTokenError("algorithm is not HS256")
    try:
        raw: Any = json.loads(obj.payload)
    except ValueError:
        raise InvalidTokenError("payload is not JSON") from None
    if not isinstance(raw, dict):
        raise InvalidTokenError("payload is not a JSON object")
    claims = _claims(raw)
    if claims.iss != ISSUER:
        raise InvalidTokenError(f"issuer is {claims.iss!r}, expected {ISSUER!r}")
    if portone_key is not None and claims.sub != portone_key:
        raise InvalidTokenError("subject does not match the PortOne key")
    if check_expiry:
        if claims.exp <= now - leeway:
            raise InvalidTokenError("token has expired")
        if claims.iat > now + leeway:
            raise InvalidTokenError("token is used before it was issued")
    return claims


def _claims(raw: dict[str, Any]) -> Claims:
    iss, sub, iat, exp = raw.get("iss"), raw.get("sub"), raw.get("iat"), raw.get("exp")
    if not isinstance(iss, str) or not isinstance(sub, str):
        raise InvalidTokenError("iss and sub must be strings")
    for name, value in (("iat", iat), ("exp", exp)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidTokenError(f"{name} must be an integer number of seconds")
    assert isinstance(iat, int)
    assert isinstance(exp, int)
    if exp <= iat:
        raise InvalidTokenError("exp is not after iat")
    return Claims(iss=iss, sub=sub, iat=iat, exp=exp)
