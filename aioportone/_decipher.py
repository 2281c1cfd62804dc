"""PortOne answers → data or a typed error. Pure: status, headers and body in, value out.

https://docs.portone.cloud/docs/error-codes: ``status_code`` "2000" is success; 4xxx are
validation errors, 5xxx PortOne or payment-provider failures. The body is
``{message, status_code, status_reason}`` (some answers spell the reason ``status_message``,
some add ``is_success: false``). Success bodies are not uniform: most wrap data in ``content``,
payment-link creation and refunds answer a bare object, the payments listing nests under
``body``. An HTTP 200 whose body says ``status_code`` != "2000" is still an error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from yarl import URL

from ._errors import (
    APIError,
    AuthenticationError,
    DuplicateError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from ._skew import parse_http_date

__all__ = [
    "SUCCESS",
    "UNREADABLE",
    "decipher",
    "decode_body",
    "decode_json",
    "error_for",
    "is_token_rejection",
    "parse_retry_after",
    "retry_class",
    "succeeded",
]

SUCCESS = "2000"
# 4054 INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR: the JWT is invalid or expired (a fresh one may work).
TOKEN_REJECTED = "4054"
_AUTH_CODES = frozenset({TOKEN_REJECTED, "4010", "4016", "4099"})
_NOT_FOUND_CODES = frozenset({"4083", "4096"})
_DUPLICATE_CODES = frozenset({"4002"})


class _Unreadable:
    """The body of an answer that is not JSON: empty, HTML, cut short, nested too deep."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREADABLE"

    def __bool__(self) -> bool:
        return False


_UTF8_BOM = b"\xef\xbb\xbf"

#: What :func:`decode_body` returns for a body that is not a JSON document.
UNREADABLE: Final = _Unreadable()


def decode_body(body: bytes) -> Any:
    """The decoded body, or :data:`UNREADABLE` when it is empty or not JSON.

    JSON nested deeper than the interpreter's recursion limit is unreadable too: a hostile
    answer must become data or a typed error, never a ``RecursionError``.
    """
    if not body:
        return UNREADABLE
    try:
        # As UTF-8 first, which JSON between systems is (RFC 8259, section 8.1): given bytes,
        # ``json.loads`` guesses their encoding in Python first: 2 % of a request's CPU.
        return json.loads(body.decode())
    except RecursionError:
        return UNREADABLE
    except UnicodeDecodeError:
        pass  # UTF-16 or UTF-32 (their BOMs too), or an encoded lone surrogate
    except ValueError:
        # Not JSON as UTF-8. Only a UTF-8 BOM or a NUL in the first two bytes makes the
        # standard library read the bytes otherwise; any other body is not parsed twice.
        if not (body.startswith(_UTF8_BOM) or 0 in body[:2]):
            return UNREADABLE
    # The standard library's detection decides, so every body decodes exactly as
    # ``json.loads(body)`` would.
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return UNREADABLE


def decode_json(body: bytes) -> Any:
    """The decoded body, or None when it is empty or not JSON."""
    data = decode_body(body)
    return None if data is UNREADABLE else data


# RFC 9110 delta-seconds are ASCII digits; a fraction is tolerated. ``str.isdigit`` would accept
# "²" and other Unicode digits that ``float()`` then refuses.
_DELTA_SECONDS = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?")
#: The longest wait a ``Retry-After`` can express here (~31 years): finite whatever it says.
RETRY_AFTER_CAP: Final = 1e9


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    None when it says nothing readable (garbage, a negative number); a date in the past is 0;
    anything beyond :data:`RETRY_AFTER_CAP` (an absurdly long number or a far-future date) is
    that cap, so callers always get a finite number to compare with their own limit.
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CAP)
    if value.isascii() and value.isdigit():
        return RETRY_AFTER_CAP  # more digits than any real wait: "a very long time"
    try:
        when = parse_http_date(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if when is None or not math.isfinite(when):
        return None
    return min(max(0.0, when - now), RETRY_AFTER_CAP)


# https://docs.portone.cloud/docs/error-codes: 4010 is INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY
# (a key or field missing, e.g. "signature_hash is a required field" on link creation), but the
# specs also answer 401 with 4010 INVALID_JWT_TOKEN "JWT authentication error" (update-paylink):
# only the text tells them apart.
_JWT_REFUSED = "4010"
_JWT_WORDS = re.compile(r"jwt|token", re.IGNORECASE)
_FIELD_WORDS = re.compile(r"required|field|missing|must", re.IGNORECASE)


def is_token_rejection(status: int, data: Any) -> bool:
    """True for a 401 a fresh token can fix: ``status_code`` 4054, or 4010 saying the JWT
    was refused.

    PortOne also answers 401 for validation problems (a missing ``signature_hash``: 4001 or
    4010 naming the field); retrying those with a new token would only repeat the failure.
    """
    if status != 401 or not isinstance(data, Mapping):
        return False
    code = str(data.get("status_code"))
    if code == TOKEN_REJECTED:
        return True
    if code != _JWT_REFUSED:
        return False
    text = " ".join(
        str(data.get(name) or "") for name in ("status_reason", "status_message", "message")
    )
    return _JWT_WORDS.search(text) is not None and _FIELD_WORDS.search(text) is None


def retry_class(status: int, data: Any) -> Literal["rate_limit", "server"] | None:
    """Whether a failed answer is a refusal to come back later (429), a PortOne failure (5xx or
    a ``5xxx`` code), or neither (an error no retry can fix)."""
    code = data.get("status_code") if isinstance(data, Mapping) else None
    cls = _error_class(status, None if code is None else str(code))
    if cls is RateLimitError:
        return "rate_limit"
    if cls is ServerError:
        return "server"
    return None


def decipher(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str = "",
    url: str | URL = "",
    now: float = 0.0,
) -> Any:
    """Return the decoded JSON of a successful answer, or raise the matching :class:`APIError`."""
    data = decode_json(body)
    if succeeded(status, data):
        return data
    raise error_for(status, headers, data, method=method, url=url, now=now)


def succeeded(status: int, data: Any) -> bool:
    """Whether an answer with this status and decoded body is a success."""
    # The usual answer first: every request takes this path.
    if type(data) is dict and status == 200:
        code = data.get("status_code", SUCCESS)
        if code == SUCCESS and data.get("is_success") is not False:
            return True
    if not 200 <= status < 300:
        return False
    # ``type() is dict`` first: the Mapping ABC check is slow, and this runs on every answer.
    if type(data) is not dict and not isinstance(data, Mapping):
        return True
    if data.get("is_success") is False:
        return False
    code = data.get("status_code")
    return code is None or code == SUCCESS or str(code) == SUCCESS


def error_for(
    status: int,
    headers: Mapping[str, str],
    data: Any,
    *,
    method: str = "",
    url: str | URL = "",
    now: float = 0.0,
) -> APIError:
    """Build the typed error for an answer that is not a success.

    A URL object is shown without its query string (it may carry references or amounts), and
    only here: formatting it on every successful answer would cost more than deciphering it.
    """
    if isinstance(url, URL):
        url = str(url.with_query(None))
    body = data if isinstance(data, Mapping) else None
    code = reason = message = None
    if body is not None:
        raw_code = body.get("status_code")
        code = None if raw_code is None else str(raw_code)
        reason = _str_or_none(body.get("status_reason", body.get("status_message")))
        message = _str_or_none(body.get("message"))
    cls = _error_class(status, code)
    return cls(
        status=status,
        code=code,
        reason=reason,
        message=message,
        body=body,
        method=method,
        url=url,
        retry_after=parse_retry_after(headers.get("Retry-After"), now),
    )


def _error_class(status: int, code: str | None) -> type[APIError]:
    if code in _AUTH_CODES:
        return AuthenticationError
    if code in _DUPLICATE_CODES:
        return DuplicateError
    if code in _NOT_FOUND_CODES or status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500 or (code is not None and code.startswith("5")):
        return ServerError
    if status == 401 and code is None:
        return AuthenticationError
    return InvalidRequestError if status >= 400 or code is not None else APIError


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
