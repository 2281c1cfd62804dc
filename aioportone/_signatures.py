"""PortOne's HMAC signatures: sign payment requests, verify webhooks. Pure: no I/O.

Redirects are verified in :mod:`aioportone._signatures_redirect`, with the helpers here.

Every signature PortOne uses is the same recipe over a different list of fields: take the listed
fields only, sort them by key, form-encode them as ``k=v&k=v`` (Go's ``url.Values.Encode``, which
escapes exactly what Python's ``urlencode``/``quote_plus`` escapes, space as ``+``), HMAC-SHA256
the result keyed with the PortOne secret, and base64 it (standard alphabet, padded). Amounts are
written as the shortest plain decimal: ``500`` -> ``"500"``, ``100.50`` -> ``"100.5"``.

Verifiers raise :class:`~aioportone.SignatureError` naming what failed; no message ever holds the
secret or the expected signature. Nor does any frame of the traceback: each public function wraps
the secret in a :class:`~aioportone._secrets.Secret` (masked ``repr``) and drops its argument
before anything can raise, and the expected signature lives only in a helper that returns.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from aioportone._config import unicode_problem
from aioportone._errors import ConfigurationError, SignatureError
from aioportone._events_webhook import (
    PaymentEvent,
    PaymentLinkEvent,
    RedirectResult,
    SubscriptionLinkEvent,
    frozen,
)
from aioportone._secrets import Secret

__all__ = [
    "WebhookPayloadError",
    "format_amount",
    "sign_payment_request",
    "verify_payment_link_webhook",
    "verify_payment_webhook",
    "verify_subscription_link_webhook",
]


class WebhookPayloadError(SignatureError):
    """The body is not a JSON object (or a refund webhook lacks ``payment_txn_ref``).

    A subclass of :class:`SignatureError` because such a payload cannot be authenticated; it is
    separate so a web handler can answer 400 (malformed) rather than 401 (not authentic).
    """


Amount = int | float | Decimal | str

# JSON's number grammar: what a webhook may carry, whether as a number or inside a string.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

# https://docs.portone.cloud/docs/payment-webhook-response
_PAYMENT_WEBHOOK_FIELDS = (
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
# https://docs.portone.cloud/docs/redirect-response (parameters:
# https://docs.portone.cloud/docs/redirect-parameters); subscription redirects sign the same
# four: https://docs.portone.cloud/docs/subscription-redirection-response
# https://docs.portone.cloud/docs/payment-link-webhook-response
_PAYMENT_LINK_WEBHOOK_FIELDS = (
    "amount",
    "country_code",
    "currency",
    "link_ref",
    "merchant_order_ref",
    "status",
)
# https://docs.portone.cloud/docs/subscription-link-webhook-response
_SUBSCRIPTION_LINK_WEBHOOK_FIELDS = ("currency", "merchant_order_ref", "order_ref", "status")

_SIGNATURE_FIELD = "signature_hash"

# A signed event: its typed fields are the signed fields, under the same names.
_Event = TypeVar("_Event", PaymentEvent, PaymentLinkEvent, SubscriptionLinkEvent, RedirectResult)

# Amounts are checked for size before they are written out: "1e999999999" is a valid JSON
# number that would take gigabytes to format, and a webhook body is attacker-controlled until
# its signature is checked (refund webhooks are never signed).
_LIMIT = 10**30
_MAX_DIGITS = 40
_MAX_TEXT = 64


def plausible_amount(value: Decimal) -> bool:
    """Whether ``value`` is a size money can have: under 10^30, at most 40 significant digits."""
    if not value.is_finite():
        return False
    if value.is_zero():
        return True
    return -_MAX_DIGITS <= value.adjusted() < 30 and len(value.as_tuple().digits) <= _MAX_DIGITS


def format_amount(amount: Amount) -> str:
    """Write ``amount`` the way PortOne signs it: the shortest plain decimal.

    No exponent and no trailing zeros: ``500`` -> ``"500"``, ``100.50`` -> ``"100.5"``,
    ``1e-7`` -> ``"0.0000001"``. A float is taken at its shortest round-trip value (its
    ``repr``), as Go's ``strconv.FormatFloat(x, 'f', -1, 64)`` does, not at its binary expansion.
    Raises :class:`ConfigurationError` for bools, NaN, infinities, negative zero and strings
    that are not plain numbers.
    """
    # https://docs.portone.cloud/docs/payment-request: the Go sample formats with
    # FormatFloat(amount, 'f', -1, 64); the other samples strip trailing zeros.
    if isinstance(amount, bool):
        raise ConfigurationError("amount", "must be a number, not a bool")
    if isinstance(amount, int):
        if not -_LIMIT < amount < _LIMIT:
            raise ConfigurationError("amount", "is out of any currency's range")
        value = Decimal(amount)
    elif isinstance(amount, float):
        if not math.isfinite(amount):
            raise ConfigurationError("amount", "must be a finite number")
        value = Decimal(repr(amount))
    elif isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, str):
        if len(amount) > _MAX_TEXT or not _NUMBER.fullmatch(amount):
            raise ConfigurationError("amount", f"{amount[:40]!r} is not a plain decimal number")
        value = Decimal(amount)
    else:
        raise ConfigurationError("amount", f"must be a number, not {type(amount).__name__}")
    if not value.is_finite():
        raise ConfigurationError("amount", "must be a finite number")
    if not plausible_amount(value):
        raise ConfigurationError("amount", "is out of any currency's range")
    if value.is_zero() and value.is_signed():
        # Go writes "-0", Python's "%.2f"-and-strip sample writes "-": no agreed form exists.
        raise ConfigurationError("amount", "must not be negative zero")
    # Format 'f' never uses an exponent and, unlike normalize(), never rounds to the context.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _compute(secret: Secret, fields: Mapping[str, str]) -> str:
    """The signature of ``fields``: sort, form-encode, HMAC-SHA256 with the secret, base64."""
    message = urlencode(sorted(fields.items()))
    digest = hmac.new(secret.reveal().encode("utf-8"), message.encode("ascii"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def check_secret(secret_key: object) -> str:
    """``secret_key`` if it is usable as the HMAC key; a :class:`ConfigurationError` if not.

    Args:
        secret_key: the PortOne secret (a :class:`Secret` is accepted too).
    """
    return as_secret(secret_key).reveal()


def as_secret(secret_key: object) -> Secret:
    """``secret_key`` checked and wrapped in a :class:`Secret`; a :class:`ConfigurationError`
    if it is not usable as the HMAC key.

    Args:
        secret_key: the PortOne secret, as text or already wrapped.
    """
    if isinstance(secret_key, str):
        secret_key = Secret(secret_key)
    if not isinstance(secret_key, Secret):
        raise ConfigurationError("secret_key", "must be a non-empty string (the PortOne secret)")
    # From here on this frame holds the wrapper only.
    key: Secret = secret_key
    del secret_key
    if not key.reveal():
        raise ConfigurationError("secret_key", "must be a non-empty string (the PortOne secret)")
    # Searched, not encoded: a UnicodeEncodeError would hold the whole secret.
    problem = unicode_problem(key.reveal())
    if problem is not None:
        raise ConfigurationError("secret_key", problem)
    return key


def sign_payment_request(
    *,
    secret_key: str | Secret,
    portone_key: str,
    amount: Amount,
    currency: str,
    merchant_order_id: str,
    success_url: str,
    failure_url: str,
) -> str:
    """The ``signature_hash`` of a payment request, payment link or checkout.

    Computed locally, without calling PortOne's ``generate-signature`` API.
    """
    secret = as_secret(secret_key)
    del secret_key  # a traceback through this frame shows the wrapper, never the secret
    if not isinstance(portone_key, str) or not portone_key:
        raise ConfigurationError("portone_key", "must be a non-empty string (the PortOne key)")
    texts = {
        "currency": currency,
        "merchant_order_id": merchant_order_id,
        "success_url": success_url,
        "failure_url": failure_url,
    }
    for name, value in texts.items():
        if not isinstance(value, str):
            raise ConfigurationError(name, f"must be a string, not {type(value).__name__}")
    formatted = format_amount(amount)
    if formatted.startswith("-"):
        raise ConfigurationError("amount", "must not be negative")
    # https://docs.portone.cloud/docs/payment-request (payment links and checkout sign the
    # same six fields): the PortOne key is signed as client_key.
    return _compute(secret, {"amount": formatted, "client_key": portone_key, **texts})


def _decode(payload: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(payload, Mapping):
        return payload
    if not isinstance(payload, bytes | bytearray | str):
        raise WebhookPayloadError(
            f"payload must be bytes, str or a mapping, not {type(payload).__name__}"
        )
    try:
        decoded = json.loads(
            payload, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN/Infinity
        raise WebhookPayloadError(f"payload is not valid JSON: {exc}") from None
    except RecursionError:  # arrays or objects nested thousands deep: no webhook looks so
        raise WebhookPayloadError("payload is nested too deeply") from None
    if not isinstance(decoded, dict):
        raise WebhookPayloadError(f"payload is a JSON {type(decoded).__name__}, not an object")
    return decoded


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A key given twice means one thing to a parser keeping the first and another to one
    # keeping the last (Python's): such a body is refused rather than read one way.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a key appears twice")
    return result


def _signed_text(payload: Mapping[str, Any], name: str, *, source: str | None = None) -> str:
    """The signed text of one field, as PortOne's Go server would have written it."""
    key = source or name
    if key not in payload:
        also = f" (nor {source!r})" if source else ""
        raise SignatureError(f"payload has no {name!r} field{also}, which the signature covers")
    value = payload[key]
    if value is None:
        # [I] A JSON null reaches a Go string as "": sign it so; HMAC still decides.
        return ""
    if name == "amount":
        try:
            return format_amount(value)
        except ConfigurationError as exc:
            raise SignatureError(f"field 'amount' {exc.problem}") from None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise SignatureError(f"field {name!r} is a {type(value).__name__}, expected a string")


def _check_signature(
    secret: Secret, fields: Mapping[str, str], received: object, *, what: str
) -> None:
    if not isinstance(received, str) or not received:
        raise SignatureError(f"{what} has no {_SIGNATURE_FIELD!r}")
    if not _matches(secret, fields, received):
        raise SignatureError(f"{what} signature does not match (wrong secret or altered fields)")


def _matches(secret: Secret, fields: Mapping[str, str], received: str) -> bool:
    # Its own frame, which returns: the expected signature is never in a raising frame.
    expected = _compute(secret, fields).encode("ascii")
    # Encoded first: compare_digest refuses non-ASCII str, and a forged value may hold any.
    return hmac.compare_digest(expected, received.encode("utf-8", "replace"))


def _verify_fields(
    payload: Mapping[str, Any],
    secret: Secret,
    names: tuple[str, ...],
    *,
    what: str,
    sources: Mapping[str, str] | None = None,
) -> dict[str, str]:
    sources = sources or {}
    fields = {name: _signed_text(payload, name, source=sources.get(name)) for name in names}
    try:
        _check_signature(secret, fields, payload.get(_SIGNATURE_FIELD), what=what)
    except UnicodeEncodeError:
        # A lone surrogate (JSON "\ud800") cannot be UTF-8: PortOne never signed such a value.
        raise SignatureError(f"{what} holds text that is not valid Unicode") from None
    return fields


def _event(cls: type[_Event], fields: Mapping[str, str], data: Mapping[str, Any]) -> _Event:
    """The event of the verified ``fields`` (``amount`` as a Decimal), ``data`` as its raw."""
    values: dict[str, Any] = dict(fields)
    if "amount" in values:
        values["amount"] = Decimal(values["amount"])
    return cls(**values, raw=frozen(data))


def verify_payment_webhook(
    payload: bytes | str | Mapping[str, Any], secret_key: str | Secret
) -> PaymentEvent:
    """Check a payment webhook's ``signature_hash`` and return it as a :class:`PaymentEvent`.

    Args:
        payload: The request body (bytes or str) or the already-decoded JSON object.
        secret_key: Your PortOne secret, the HMAC key.

    Raises:
        SignatureError: The signature or a signed field is missing, or the signature is wrong.
        WebhookPayloadError: The payload is not a JSON object (a :class:`SignatureError`).
        ConfigurationError: ``secret_key`` is not a usable secret.
    """
    secret = as_secret(secret_key)
    del secret_key  # a traceback through this frame shows the wrapper, never the secret
    data = _decode(payload)
    fields = _verify_fields(data, secret, _PAYMENT_WEBHOOK_FIELDS, what="payment webhook")
    return _event(PaymentEvent, fields, data)


def verify_payment_link_webhook(
    payload: bytes | str | Mapping[str, Any], secret_key: str | Secret
) -> PaymentLinkEvent:
    """Check a payment-link webhook's ``signature_hash``; return a :class:`PaymentLinkEvent`.

    Args:
        payload: The request body (bytes or str) or the already-decoded JSON object.
        secret_key: Your PortOne secret, the HMAC key.

    Raises:
        SignatureError: The signature or a signed field is missing, or the signature is wrong.
        WebhookPayloadError: The payload is not a JSON object (a :class:`SignatureError`).
        ConfigurationError: ``secret_key`` is not a usable secret.
    """
    secret = as_secret(secret_key)
    del secret_key
    data = _decode(payload)
    # https://docs.portone.cloud/docs/payment-link-webhook: the payload spells the signed
    # country_code as "countryCode". [I] Its value is the one that was signed.
    sources = {} if "country_code" in data else {"country_code": "countryCode"}
    fields = _verify_fields(
        data, secret, _PAYMENT_LINK_WEBHOOK_FIELDS, what="payment-link webhook", sources=sources
    )
    return _event(PaymentLinkEvent, fields, data)


def verify_subscription_link_webhook(
    payload: bytes | str | Mapping[str, Any], secret_key: str | Secret
) -> SubscriptionLinkEvent:
    """Check a subscription-link webhook's ``signature_hash``; return a
    :class:`SubscriptionLinkEvent`.

    Args:
        payload: The request body (bytes or str) or the already-decoded JSON object.
        secret_key: Your PortOne secret, the HMAC key.

    Raises:
        SignatureError: The signature or a signed field is missing, or the signature is wrong.
        WebhookPayloadError: The payload is not a JSON object (a :class:`SignatureError`).
        ConfigurationError: ``secret_key`` is not a usable secret.
    """
    secret = as_secret(secret_key)
    del secret_key
    data = _decode(payload)
    fields = _verify_fields(
        data, secret, _SUBSCRIPTION_LINK_WEBHOOK_FIELDS, what="subscription-link webhook"
    )
    return _event(SubscriptionLinkEvent, fields, data)
