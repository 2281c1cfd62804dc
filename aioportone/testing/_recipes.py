"""PortOne's signature recipes, as the fake computes them: its own copy, written from the docs.

The fake never calls the library's signing code: a mistake there (a field left out, another
order, another encoding) then fails the tests that talk to the fake, instead of being repeated
on both sides and passing.

The recipe (https://docs.portone.cloud/docs/payment-request, and every page that lists signed
fields): keep the listed fields only, sort them by key, form-encode them as ``k=v&k=v`` the way
Go's ``url.Values.Encode`` does, HMAC-SHA256 that text keyed with the merchant's secret, and
encode the digest in standard, padded base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "PAYMENT_LINK_WEBHOOK_FIELDS",
    "PAYMENT_REQUEST_FIELDS",
    "PAYMENT_WEBHOOK_FIELDS",
    "portone_number",
    "portone_signature",
    "signed_fields",
]

# https://docs.portone.cloud/docs/payment-request (payment links and checkout sign the same):
# the merchant's PortOne key is signed under the name client_key.
PAYMENT_REQUEST_FIELDS = (
    "amount",
    "client_key",
    "currency",
    "failure_url",
    "merchant_order_id",
    "success_url",
)
# https://docs.portone.cloud/docs/payment-webhook-response
PAYMENT_WEBHOOK_FIELDS = (
    "amount",
    "channel_key",
    "channel_order_ref",
    "country_code",
    "currency",
    "merchant_order_ref",
    "method_name",
    "order_ref",
    "status",
)
# https://docs.portone.cloud/docs/payment-link-webhook-response
PAYMENT_LINK_WEBHOOK_FIELDS = (
    "amount",
    "country_code",
    "currency",
    "link_ref",
    "merchant_order_ref",
    "status",
)
# Fields PortOne's server reads as numbers and writes back as text to sign them.
_NUMBERS = frozenset({"amount", "frequency", "quantity"})


def portone_number(value: Any) -> str:
    """A JSON number as PortOne's Go server signs it: ``strconv.FormatFloat(v, 'f', -1, 64)``
    for amounts, ``strconv.Itoa`` for whole numbers (the same text for an int).

    Args:
        value: An int or a float, as JSON decoding gives it.

    Raises:
        TypeError: ``value`` is not a JSON number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a JSON number")
    if isinstance(value, int):
        return str(value)
    # Python's repr is the shortest text that reads back as the same float64, as Go's -1
    # precision; 'f' then writes it without an exponent.
    plain = format(Decimal(repr(value)), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def signed_fields(values: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The text of each field in ``names``: numbers as :func:`portone_number`, the rest as text.

    Args:
        values: The request body or webhook payload.
        names: The fields the recipe signs.

    Raises:
        KeyError: A field is missing.
        TypeError: A number field is not a JSON number.
    """
    return {
        name: portone_number(values[name]) if name in _NUMBERS else str(values[name])
        for name in names
    }


def portone_signature(secret: str, fields: Mapping[str, str]) -> str:
    """PortOne's signature: the fields sorted by key, form-encoded as Go's ``url.Values.Encode``
    does, HMAC-SHA256 keyed with the secret, standard base64.

    Args:
        secret: The merchant's PortOne secret.
        fields: The signed fields, already written as text.
    """
    message = urlencode(sorted(fields.items())).encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
