"""Argument checks shared by the resource methods: every value is checked before a request exists.

Each failure is a :class:`ConfigurationError` naming the argument, raised before anything is
sent, so a bad call never reaches PortOne (nor a half-built request line or header).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_args

from .._config import text
from .._errors import APIError, ConfigurationError, PortOneError, ServerError, TransportError
from .._signatures import plausible_amount

__all__ = [
    "Environment",
    "body_fields",
    "check_choice",
    "check_country",
    "check_currency",
    "check_environment",
    "check_iso_datetime",
    "check_url",
    "expect_object",
    "free_text",
    "may_have_reached",
    "wire_amount",
]

Environment = Literal["sandbox", "live"]
T = TypeVar("T", bound=str)

# Go's float64 carries integers exactly up to 2**53; beyond that PortOne would sign and store a
# different number than the one we signed.
_MAX_EXACT = 2**53
_LETTERS = re.compile(r"[A-Za-z]+")


def check_environment(value: Any, default: Environment | None = None) -> Environment:
    """``value`` (``"sandbox"`` or ``"live"``); None means ``default``, when there is one."""
    if value is None and default is not None:
        return default
    if value not in get_args(Environment):
        raise ConfigurationError("environment", f"must be 'sandbox' or 'live' (got {value!r})")
    return value  # type: ignore[no-any-return]


def check_choice(name: str, value: Any, choices: tuple[T, ...]) -> T:
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ConfigurationError(name, f"must be one of {allowed} (got {value!r})")
    return value  # type: ignore[no-any-return]


def wire_amount(value: Any, name: str = "amount") -> int | float:
    """An amount > 0 as the JSON number PortOne will receive.

    Decimals are accepted only when a JSON number (a float64 on PortOne's side) holds them
    exactly: the signature is computed over the number sent, and a rounded amount would charge
    (or refund) something other than what the caller wrote.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ConfigurationError(name, f"must be a number (got {type(value).__name__})")
    if isinstance(value, int) and not -(10**30) < value < 10**30:
        raise ConfigurationError(name, "is out of any currency's range")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConfigurationError(name, "must be a finite number")
        if not plausible_amount(value):
            raise ConfigurationError(name, "is out of any currency's range")
        number: int | float = int(value) if value == value.to_integral_value() else float(value)
        if Decimal(repr(number)) != value:
            raise ConfigurationError(name, f"{value} has more digits than PortOne can carry")
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise ConfigurationError(name, "must be a finite number")
    if number <= 0:
        raise ConfigurationError(name, f"must be more than 0 (got {value!r})")
    if number > _MAX_EXACT:
        raise ConfigurationError(name, f"must be at most {_MAX_EXACT} (got {value!r})")
    return number


def check_currency(value: Any) -> str:
    """An ISO 4217 code such as ``"THB"``: three ASCII letters, sent upper-case."""
    return _letters("currency", value, 3, "THB")


def check_country(value: Any) -> str:
    """An ISO 3166 alpha-2 code such as ``"TH"``, sent upper-case."""
    return _letters("country_code", value, 2, "TH")


def _letters(name: str, value: Any, n: int, example: str) -> str:
    """``n`` ASCII letters, upper-cased."""
    code = text(name, value)
    if len(code) != n or not _LETTERS.fullmatch(code):
        raise ConfigurationError(name, f"must be {n} letters such as {example!r} (got {code!r})")
    return code.upper()


def check_url(name: str, value: Any) -> str:
    """An absolute http(s) URL (PortOne redirects the buyer, or posts webhooks, to it)."""
    url = text(name, value)
    if not re.match(r"https?://[^/?#\s]+", url, re.IGNORECASE):
        raise ConfigurationError(name, f"must be an absolute http:// or https:// URL (got {url!r})")
    return url


def free_text(name: str, value: Any) -> str:
    """A non-empty string that travels in a JSON body (line breaks are fine there)."""
    if not isinstance(value, str):
        raise ConfigurationError(name, f"must be a string (got {type(value).__name__})")
    if not value.strip():
        raise ConfigurationError(name, "must not be empty")
    return value


def check_iso_datetime(name: str, value: Any) -> str:
    """A timezone-aware datetime as PortOne writes them: UTC, milliseconds, ``Z``."""
    if not isinstance(value, datetime):
        raise ConfigurationError(name, f"must be a datetime (got {type(value).__name__})")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigurationError(name, "must be timezone-aware (e.g. datetime.now(UTC))")
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def body_fields(extra: Any, reserved: frozenset[str]) -> dict[str, Any]:
    """Further documented body fields, which may not override the ones a method sets itself."""
    if extra is None:
        return {}
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        raise ConfigurationError("extra", "must be a mapping of body field names to values")
    clash = sorted(reserved.intersection(extra))
    if clash:
        raise ConfigurationError("extra", f"must not set {', '.join(clash)}: use the arguments")
    return dict(extra)


def may_have_reached(exc: PortOneError) -> bool:
    """Whether a request that failed with ``exc`` may still have been processed by PortOne.

    True for a server error or a connection lost after the request went out; False for any
    other error, among them a connection that never sent it (PortOne saw nothing).
    """
    if isinstance(exc, TransportError):
        return exc.request_sent
    return isinstance(exc, ServerError)


def expect_object(data: Any, what: str) -> Mapping[str, Any]:
    """A successful answer's JSON object; anything else is a PortOne answer we cannot read."""
    if not isinstance(data, Mapping):
        raise APIError(status=200, message=f"PortOne answered {what} without a JSON object")
    return data


def record(data: Any, what: str) -> Mapping[str, Any]:
    """:func:`expect_object`, read-only: the ``raw`` of the result parsed from it.

    The dict ``json.loads`` just made for this answer is wrapped, not copied: nobody else holds
    it, and ``frozen`` keeps a read-only mapping as it is (a caller's own dict is still copied).
    """
    return MappingProxyType(expect_object(data, what))
