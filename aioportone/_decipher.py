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
from collections.abc import Mapping
from typing import Any

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
    "decipher",
    "decode_json",
    "error_for",
    "is_token_rejection",
    "parse_retry_after",
    "succeeded",
]

SUCCESS = "2000"
# 4054 INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR: the JWT is invalid or expired (a fresh one may work).
TOKEN_REJECTED = "4054"
_AUTH_CODES = frozenset({TOKEN_REJECTED, "4010", "4016", "4099"})
_NOT_FOUND_CODES = frozenset({"4083", "4096"})
_DUPLICATE_CODES = frozenset({"4002"})


def decode_json(body: bytes) -> Any:
    """The decoded body, or None when it is empty or not JSON."""
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_http_date(value)
    return None if when is None else max(0.0, when - now)


def is_token_rejection(status: int, data: Any) -> bool:
    """True for the one 401 a fresh token can fix: ``status_code`` 4054.

    PortOne also answers 401 for validation problems (e.g. a missing ``signature_hash``, 4001);
    retrying those with a new token would only repeat the failure.
    """
    return (
        status == 401
        and isinstance(data, Mapping)
        and str(data.get("status_code")) == TOKEN_REJECTED
    )


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
