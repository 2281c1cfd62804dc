"""verify_subscription_redirect: the signed query PortOne puts on a subscription's redirect."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus, urlencode

import pytest

from aioportone import SignatureError
from aioportone.webhooks import RedirectResult, verify_subscription_redirect

SECRET = "PORTONE_SECRET"
# https://docs.portone.cloud/docs/subscription-redirection-response: the four signed params.
PARAMS = {
    "order_ref": "2nSubRef9x",
    "channel_order_ref": "PSP-SUB-77",
    "merchant_order_ref": "SUB-2001",
    "status": "Success",
}


def _by_hand(secret: str, params: dict[str, str]) -> str:
    """PortOne's sample recipe, written out: sorted k=v pairs, HMAC-SHA256, base64."""
    message = "&".join(f"{quote_plus(k)}={quote_plus(params[k])}" for k in sorted(params))
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_subscription_redirect_literal_vector() -> None:
    """A subscription redirect signed as computed by hand with openssl verifies."""
    query = urlencode(
        {
            **PARAMS,
            "amount": "990",
            "frequency": "1",
            "signature_hash": "A2kNVIhmHrzw+Im2CBoPBlKBdrgGDQ5oqWTAyWTIkQ0=",
        }
    )
    result = verify_subscription_redirect(query, SECRET)
    assert result == RedirectResult(**PARAMS, raw=result.raw)
    assert (result.raw["amount"], result.raw["frequency"]) == ("990", "1")


@pytest.mark.parametrize("status", ["Success", "Failed", "Pending"])
def test_subscription_redirect_matches_an_independent_computation(status: str) -> None:
    """Any status, with characters that need escaping, verifies against the written-out recipe."""
    params = {**PARAMS, "status": status, "merchant_order_ref": "SUB 20/01+é"}
    signed = {**params, "signature_hash": _by_hand(SECRET, params)}
    assert verify_subscription_redirect(signed, SECRET).merchant_order_ref == "SUB 20/01+é"


def test_tampered_subscription_redirect_is_rejected() -> None:
    """A status changed after signing is refused, and the error names the subscription redirect."""
    signed = {**PARAMS, "signature_hash": _by_hand(SECRET, PARAMS), "status": "Failed"}
    with pytest.raises(SignatureError, match="subscription redirect signature does not match"):
        verify_subscription_redirect(signed, SECRET)


def test_subscription_redirect_without_signature_is_rejected() -> None:
    """A redirect that carries no signature_hash is refused, naming it."""
    with pytest.raises(SignatureError, match="subscription redirect has no 'signature_hash'"):
        verify_subscription_redirect(PARAMS, SECRET)


def test_subscription_redirect_with_a_repeated_parameter_is_rejected() -> None:
    """A signed parameter given twice is refused: the app might read the other copy."""
    query = urlencode({**PARAMS, "signature_hash": _by_hand(SECRET, PARAMS)}) + "&status=Failed"
    with pytest.raises(SignatureError, match="more than one 'status'"):
        verify_subscription_redirect(query, SECRET)
