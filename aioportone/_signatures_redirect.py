"""Verify the signed query parameters PortOne puts on the redirects back to your site.

Payment redirects (https://docs.portone.cloud/docs/redirect-response) and subscription
redirects (https://docs.portone.cloud/docs/subscription-redirection-response) sign the same
four parameters with the recipe of :mod:`aioportone._signatures`; everything else on the URL
(the amount and currency among them) is unsigned and stays in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from aioportone._errors import SignatureError
from aioportone._events_webhook import RedirectResult
from aioportone._secrets import Secret
from aioportone._signatures import _SIGNATURE_FIELD, _event, _verify_fields, as_secret

__all__ = ["verify_redirect", "verify_subscription_redirect"]

_REDIRECT_FIELDS = ("channel_order_ref", "merchant_order_ref", "order_ref", "status")


def verify_redirect(params: Mapping[str, str] | str, secret_key: str | Secret) -> RedirectResult:
    """Check the query parameters PortOne put on a success/failure (or subscription) redirect.

    ``params`` is a mapping of decoded query parameters (aiohttp's ``request.query``, a dict) or
    the raw query string (``"order_ref=...&status=..."``, with or without a leading ``?``).
    A signed parameter that appears twice is rejected: the app might read the other copy.

    Args:
        params: The query parameters, as a mapping or a query string.
        secret_key: Your PortOne secret, the HMAC key.

    Raises:
        SignatureError: The signature or a signed parameter is missing or repeated, or the
            signature is wrong.
        ConfigurationError: ``secret_key`` is not a usable secret.
    """
    secret = as_secret(secret_key)
    del secret_key
    return _verify(params, secret, what="redirect")


def verify_subscription_redirect(
    params: Mapping[str, str] | str, secret_key: str | Secret
) -> RedirectResult:
    """Check the query parameters PortOne put on a subscription's success/failure redirect.

    PortOne documents this recipe on its own page; it signs the same four parameters as a
    payment redirect (``channel_order_ref``, ``merchant_order_ref``, ``order_ref``,
    ``status``), so the check is :func:`verify_redirect`'s, with errors that say
    "subscription redirect". The subscription's ``amount``, ``initial_amount``, ``currency``
    and ``frequency`` are not signed: they are only in ``raw``, to compare with your record.

    Args:
        params: The query parameters, as a mapping or a query string.
        secret_key: Your PortOne secret, the HMAC key.

    Raises:
        SignatureError: The signature or a signed parameter is missing or repeated, or the
            signature is wrong.
        ConfigurationError: ``secret_key`` is not a usable secret.
    """
    secret = as_secret(secret_key)
    del secret_key
    return _verify(params, secret, what="subscription redirect")


def _verify(params: Mapping[str, str] | str, secret: Secret, *, what: str) -> RedirectResult:
    query = _query(params, what)
    received = query.get(_SIGNATURE_FIELD)
    if isinstance(received, str):
        # Base64 has no spaces: one here is a "+" that reached us unescaped and was decoded.
        query[_SIGNATURE_FIELD] = received.replace(" ", "+")
    fields = _verify_fields(query, secret, _REDIRECT_FIELDS, what=what)
    return _event(RedirectResult, fields, query)


def _query(params: Mapping[str, str] | str, what: str) -> dict[str, str]:
    if isinstance(params, str):
        pairs = parse_qsl(params.removeprefix("?"), keep_blank_values=True)
    elif isinstance(params, Mapping):
        getall = getattr(params, "getall", None)  # multidict's MultiDict / MultiDictProxy
        if getall is None:
            pairs = list(params.items())
        else:
            pairs = [(key, value) for key in dict.fromkeys(params) for value in getall(key)]
    else:
        raise SignatureError(
            f"params must be a mapping or a query string, not {type(params).__name__}"
        )
    query: dict[str, str] = {}
    for key, value in pairs:
        if key in query and key in (*_REDIRECT_FIELDS, _SIGNATURE_FIELD):
            raise SignatureError(f"{what} has more than one {key!r} parameter")
        query.setdefault(key, value)
    return query
