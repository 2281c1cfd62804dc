"""Local JWT minting: byte-compatible with PortOne's server, checked by a second implementation."""

from __future__ import annotations

import base64
import json

import jwt as pyjwt
import pytest

from aioportone import _jwt
from aioportone._skew import ServerClockOffset
from aioportone._sources import LocalTokenSource

# The example of POST /api/merchant/auth-token in PortOne's OpenAPI spec (payment.yaml):
# a token PortOne's server minted for this key and secret.
SPEC_KEY = "sjcrvcbVYkFobHlx"
SPEC_SECRET = "6cd264c70ec38d41a5dc2662e98c72bac58d3afc5bb4e80debbe3a976a0dc4eb"
SPEC_IAT = 1724302051
SECRET = "0123456789abcdef0123456789abcdef"  # 256 bits: no weak-key warnings from either library
SPEC_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MjQzMjM2NTEsImlhdCI6MTcyNDMwMjA1MSwia"
    "XNzIjoiUE9SVE9ORSIsInN1YiI6InNqY3J2Y2JWWWtGb2JIbHgifQ.-A7y_JSRNbST9wIE26xd-oq0vLsQ-Pa"
    "vhHyxSts0glY"
)


def _part(token: str, index: int) -> bytes:
    segment = token.split(".")[index]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_reproduces_portone_server_token_byte_for_byte() -> None:
    """A token minted with the spec's key, secret and iat equals the one PortOne issued."""
    key = _jwt.import_secret(SPEC_SECRET)
    token = _jwt.mint(
        key=key, portone_key=SPEC_KEY, issued_at=SPEC_IAT, expires_at=SPEC_IAT + 21600
    )
    assert token == SPEC_TOKEN


def test_header_and_claim_order_match_portone() -> None:
    """Header is alg then typ; claims are exp, iat, iss, sub, compact JSON."""
    token = _jwt.mint(
        key=_jwt.import_secret("s3cret"), portone_key="KEY", issued_at=100, expires_at=200
    )
    assert _part(token, 0) == b'{"alg":"HS256","typ":"JWT"}'
    assert _part(token, 1) == b'{"exp":200,"iat":100,"iss":"PORTONE","sub":"KEY"}'


@pytest.mark.parametrize(
    ("key", "secret"), [("K1", "k" * 32), ("ключ", "секрет" * 6), ("A" * 64, "x" * 200)]
)
def test_pyjwt_verifies_minted_tokens(key: str, secret: str) -> None:
    """An independent JWT library accepts every token we mint, with the claims we meant."""
    token = _jwt.mint(
        key=_jwt.import_secret(secret),
        portone_key=key,
        issued_at=1_700_000_000,
        expires_at=1_700_000_100,
    )
    claims = pyjwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        issuer="PORTONE",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims == {"exp": 1_700_000_100, "iat": 1_700_000_000, "iss": "PORTONE", "sub": key}


def test_local_source_backdates_iat_and_keeps_lifetime() -> None:
    """iat is back-dated by the skew allowance and exp - iat stays the configured lifetime."""
    source = LocalTokenSource(
        portone_key="KEY",
        key=_jwt.import_secret(SECRET),
        lifetime=100,
        skew_allowance=5,
        offset=ServerClockOffset(),
    )
    token = source.mint_now(1_000_000.7)
    claims = json.loads(_part(token.value, 1))
    assert claims["iat"] == 999_995
    assert claims["exp"] - claims["iat"] == 100
    assert token.expires_at == 1_000_095
    checked = pyjwt.decode(
        token.value,
        SECRET,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert checked["sub"] == "KEY"


def test_local_source_applies_server_clock_offset() -> None:
    """With PortOne's clock 30 s behind, claims are on PortOne's clock and expiry on ours."""
    offset = ServerClockOffset()
    offset.offset = -30.0
    source = LocalTokenSource(
        portone_key="KEY",
        key=_jwt.import_secret(SECRET),
        lifetime=100,
        skew_allowance=5,
        offset=offset,
    )
    token = source.mint_now(1_000_000.0)
    claims = json.loads(_part(token.value, 1))
    assert claims["iat"] == 1_000_000 - 30 - 5
    assert token.expires_at == claims["exp"] + 30


@pytest.mark.parametrize(
    ("token_kwargs", "verify_kwargs", "problem"),
    [
        ({}, {"portone_key": "OTHER"}, "subject"),
        ({}, {"now": 1_000_200.0}, "expired"),
        ({}, {"now": 999_000.0}, "before it was issued"),
        ({"secret": "w" * 32}, {}, "signature"),
    ],
)
def test_verify_names_the_failed_check(
    token_kwargs: dict[str, str], verify_kwargs: dict[str, object], problem: str
) -> None:
    """verify() refuses a bad token and says which check failed."""
    token = _jwt.mint(
        key=_jwt.import_secret(token_kwargs.get("secret", SECRET)),
        portone_key="KEY",
        issued_at=1_000_000,
        expires_at=1_000_100,
    )
    args: dict[str, object] = {"portone_key": "KEY", "now": 1_000_050.0, **verify_kwargs}
    with pytest.raises(_jwt.InvalidTokenError, match=problem) as info:
        _jwt.verify(token, key=_jwt.import_secret(SECRET), **args)  # type: ignore[arg-type]
    assert token not in str(info.value)


def test_verify_rejects_wrong_issuer_and_alg_none() -> None:
    """Tokens from another issuer, or unsigned ones, are refused."""
    key = _jwt.import_secret(SECRET)
    other = pyjwt.encode(
        {"iss": "CHAIPAY", "sub": "KEY", "iat": 1, "exp": 10**10}, SECRET, algorithm="HS256"
    )
    with pytest.raises(_jwt.InvalidTokenError, match="issuer"):
        _jwt.verify(other, key=key, portone_key="KEY", now=100.0)
    unsigned = pyjwt.encode(
        {"iss": "PORTONE", "sub": "KEY", "iat": 1, "exp": 10**10}, "", algorithm="none"
    )
    with pytest.raises(_jwt.InvalidTokenError):
        _jwt.verify(unsigned, key=key, portone_key="KEY", now=100.0)
