"""Argument checks shared by the resource methods: every value is checked before a request exists.

Each failure is a :class:`ConfigurationError` naming the argument, raised before anything is
sent, so a bad call never reaches PortOne (nor a half-built request line or header).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_args

from .._config import check_unicode, text
from .._currencies import minor_units
from .._errors import APIError, ConfigurationError

__all__ = [
    "Environment",
    "body_fields",
    "check_choice",
    "check_country",
    "check_currency",
    "check_environment",
    "check_iso_datetime",
    "check_json",
    "check_url",
    "expect_object",
    "free_text",
    "parse_object",
    "parse_record",
    "record",
    "wire_amount",
]

Environment = Literal["sandbox", "live"]
T = TypeVar("T", bound=str)
R = TypeVar("R")

# Go's float64 carries integers exactly up to 2**53; beyond that PortOne would sign and store a
# different number than the one we signed.
_MAX_EXACT = 2**53
_LETTERS = re.compile(r"[A-Za-z]+")
# A string amount: digits with an optional sign and fraction, no exponent, no blanks.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_TEXT = 40
_MAX_JSON_DEPTH = 32


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


def wire_amount(value: Any, name: str = "amount", *, currency: str | None = None) -> int | float:
    """An amount > 0 as the JSON number PortOne will receive: an int, or a float whose shortest
    form (what ``json.dumps`` writes) is exactly the decimal the caller meant.

    Accepted: ``int``, :class:`~decimal.Decimal` and decimal strings such as ``"12.50"``; a
    float when its shortest form has no more decimals than the currency allows (``12.5`` is
    fine for USD, ``0.1 + 0.2`` is ``0.30000000000000004`` and is refused, never sent). The
    decimals allowed are ``currency``'s ISO 4217 minor units (none for KRW, VND, JPY, ...);
    without a currency (a refund: the payment's currency is PortOne's to know), the most any
    currency has (4). NaN, infinities, zero, negatives, ``5e-324`` and amounts over 2**53
    (what PortOne's float64 carries exactly) are refused.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ConfigurationError(
            name,
            "must be a number: an int, a Decimal, a decimal string such as '12.50' or a float "
            f"(got {type(value).__name__})",
        )
    if isinstance(value, int):
        if not 0 < value <= _MAX_EXACT:
            raise ConfigurationError(name, f"must be more than 0 and at most {_MAX_EXACT}")
        return value
    exact = _as_decimal(value, name)
    if not exact.is_finite():
        raise ConfigurationError(name, "must be a finite number (not NaN or infinity)")
    if exact <= 0:
        raise ConfigurationError(name, f"must be more than 0 (got {_shown(exact)})")
    if exact > _MAX_EXACT:
        raise ConfigurationError(name, f"must be at most {_MAX_EXACT}")
    decimals = minor_units(currency)
    if _decimals(exact) > decimals:
        unit = f"{currency} amounts" if currency else "without a known currency, an amount"
        allowed = "no decimals" if decimals == 0 else f"at most {decimals} decimals"
        raise ConfigurationError(name, f"{unit} can have {allowed} (got {_shown(exact)})")
    if exact == exact.to_integral_value():
        return int(exact)
    number = float(exact)
    if Decimal(repr(number)) != exact:
        raise ConfigurationError(name, f"{_shown(exact)} has more digits than PortOne can carry")
    return number


def _as_decimal(value: float | Decimal | str, name: str) -> Decimal:
    """The decimal ``value`` stands for; a float by its shortest form, not its binary value."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigurationError(name, "must be a finite number (not NaN or infinity)")
        return Decimal(repr(value))
    if len(value) > _MAX_TEXT or not _DECIMAL_TEXT.fullmatch(value):
        raise ConfigurationError(name, "a string amount must be a plain decimal such as '12.50'")
    return Decimal(value)


def _decimals(value: Decimal) -> int:
    """Decimals ``value`` really has: 12.50 has one, 1200 and 12.0 none (no rounding)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def _shown(value: Decimal) -> str:
    """An amount for a message, short whatever its size."""
    text = format(value, "f") if -30 < value.adjusted() < 30 else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
    # Any spelling: PortOne's Go decoder (encoding/json) matches field names case-insensitively,
    # so "Environment" would set "environment".
    clash = sorted(k for k in extra if k.lower() in reserved)
    if clash:
        raise ConfigurationError("extra", f"must not set {', '.join(clash)}: use the arguments")
    fields = dict(extra)
    check_json("extra", fields)
    return fields


def check_json(name: str, value: Any) -> Any:
    """``value`` if it is standard JSON as ``json.dumps`` writes it, else a ConfigurationError
    naming where it is not: NaN or infinity (written as invalid JSON), a lone surrogate (which
    PortOne would read as U+FFFD), a type JSON has no form for, nesting past 32 levels."""
    _check_json(name, value, 0)
    return value


def _check_json(where: str, value: Any, depth: int) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        check_unicode(where, value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigurationError(where, f"{value!r} is not a JSON number")
    elif depth >= _MAX_JSON_DEPTH:
        raise ConfigurationError(where, f"nests deeper than {_MAX_JSON_DEPTH} levels")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ConfigurationError(where, f"keys must be strings (got {type(key).__name__})")
            check_unicode(f"{where} key", key)
            _check_json(f"{where}[{key[:40]!r}]", item, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(f"{where}[{index}]", item, depth + 1)
    else:
        raise ConfigurationError(
            where,
            f"a {type(value).__name__} has no JSON form (use str, int, float, bool, None, "
            "list or dict)",
        )


def expect_object(data: Any, what: str) -> Mapping[str, Any]:
    """A successful answer's JSON object; anything else is a PortOne answer we cannot read."""
    # ``type(...) is dict`` first: the dict ``json.loads`` made is the usual case, and it skips
    # the ABC machinery ``isinstance(..., Mapping)`` goes through.
    if type(data) is not dict and not isinstance(data, Mapping):
        # The answer may echo a credential, and this frame is in the error's traceback.
        del data
        raise _not_an_object(what)
    return data


def record(data: Any, what: str) -> Mapping[str, Any]:
    """:func:`expect_object`, read-only: the ``raw`` of the result parsed from it.

    The dict ``json.loads`` just made for this answer is wrapped, not copied: nobody else holds
    it, and ``frozen`` keeps a read-only mapping as it is (a caller's own dict is still copied).
    """
    if type(data) is not dict and not isinstance(data, Mapping):
        del data  # as in expect_object
        raise _not_an_object(what)
    return MappingProxyType(data)


def parse_object(build: Callable[..., R], what: str, *extra: Any) -> Callable[[Any], R]:
    """``request(parse=)`` for an answer that must be an object: ``build(object, *extra)``.

    Parsed inside the request, the answer never sits in the operation's frame, which an
    unreadable answer's APIError would carry in its traceback.
    """
    return lambda data: build(expect_object(data, what), *extra)


def parse_record(build: Callable[..., R], what: str) -> Callable[[Any], R]:
    """:func:`parse_object` over :func:`record`: the result keeps the answer as its ``raw``."""
    return lambda data: build(record(data, what))


def _not_an_object(what: str) -> APIError:
    return APIError(status=200, message=f"PortOne answered {what} without a JSON object")
