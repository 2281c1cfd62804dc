"""Validation at the boundary: every public constructor and method checks its arguments here.

A :class:`ConfigurationError` names the argument and the problem and never echoes a secret
value: the secret key and tokens are the last things that should reach a log.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any
from urllib.parse import quote

from yarl import URL

from ._errors import ConfigurationError
from ._secrets import Secret

__all__ = [
    "DEFAULT_BASE_URL",
    "check_unicode",
    "credential",
    "path_segment",
    "positive_seconds",
    "text",
    "validate_base_url",
]

DEFAULT_BASE_URL = "https://api.portone.cloud"
ENV_CLIENT_KEY = "PORTONE_CLIENT_KEY"
ENV_SECRET_KEY = "PORTONE_SECRET_KEY"
ENV_BASE_URL = "PORTONE_BASE_URL"

# A lone surrogate: what Python makes of a byte that is not UTF-8 in an environment variable or
# argument (``os.environ`` decodes with surrogateescape). Found by a search, not by encoding:
# a UnicodeEncodeError would hold the whole value, secret included, in its ``object``.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# CR, LF, NUL and other control characters: any of them in a header value could split the
# header (request smuggling); aiohttp refuses most, but we refuse them before a request exists.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What ``quote(..., safe="")`` never changes (RFC 3986 unreserved characters): a reference made
# only of these is already its own path segment. Most references are (``ORDER-1001_1``).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")


def text(name: str, value: Any, *, secret: bool = False) -> str:
    """A non-empty single-line string, or a ConfigurationError naming ``name``."""
    if not isinstance(value, str):
        shown = "" if secret else f" (got {type(value).__name__})"
        raise ConfigurationError(name, f"must be a string{shown}")
    if not value.strip():
        raise ConfigurationError(name, "must not be empty or whitespace")
    if _CONTROL.search(value):
        raise ConfigurationError(name, "must not contain control characters such as CR or LF")
    check_unicode(name, value)
    if value != value.strip():
        raise ConfigurationError(name, "must not start or end with whitespace")
    return value


def unicode_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as UTF-8 (where its first lone surrogate is), or None;
    the position, never the value."""
    found = _SURROGATE.search(value)
    if found is None:
        return None
    return (
        f"character {found.start() + 1} of {len(value)} is not text (a byte that is not "
        "UTF-8, e.g. from a mis-encoded environment variable or file)"
    )


def check_unicode(name: str, value: str) -> str:
    """``value`` unless it holds a lone surrogate (it could not be sent as UTF-8)."""
    problem = unicode_problem(value)
    if problem is not None:
        raise ConfigurationError(name, problem)
    return value


def credential(name: str, value: Any, env: str, *, secret: bool = False) -> str:
    """An explicit value, else the environment variable ``env``; validated either way."""
    if value is None:
        value = os.environ.get(env)
        if value is None:
            raise ConfigurationError(name, f"not given and ${env} is not set")
        name = f"{name} (from ${env})"
    return text(name, value, secret=secret)


def secret_credential(name: str, value: Any, env: str) -> Secret | ConfigurationError:
    """:func:`credential` for a secret: wrapped, or the error to raise once the caller has
    dropped its plain copy. Raised in here, the error's traceback would pass through frames
    (this one, the caller's) that hold the secret in plain locals."""
    try:
        return Secret(credential(name, value, env, secret=True))
    except ConfigurationError as exc:
        return exc.with_traceback(None)


def positive_seconds(name: str, value: Any, *, maximum: float) -> float:
    """A finite number of seconds, > 0 and <= ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(name, f"must be a number of seconds (got {type(value).__name__})")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigurationError(name, f"must be more than 0 seconds (got {value!r})")
    if seconds > maximum:
        raise ConfigurationError(name, f"must be at most {maximum:g} seconds (got {value!r})")
    return seconds


def whole_number(name: str, value: Any, maximum: int, *, minimum: int = 1) -> int:
    """``value`` if it is an integer from ``minimum`` to ``maximum``; a
    :class:`ConfigurationError` naming ``name`` if not (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(name, f"must be an integer (got {type(value).__name__})")
    if not minimum <= value <= maximum:
        raise ConfigurationError(name, f"must be between {minimum} and {maximum} (got {value})")
    return value


def validate_base_url(value: Any) -> URL:
    """An origin: ``http(s)://host[:port]``, with at most a ``/`` after it.

    The API paths are absolute (``/api/...``): a base URL with a path of its own would send
    every request to ``<path>/api/...``, which PortOne answers with 404.
    """
    if not isinstance(value, str | URL):
        raise ConfigurationError("base_url", f"must be a string (got {type(value).__name__})")
    raw = str(value)
    if _CONTROL.search(raw):
        raise ConfigurationError("base_url", "must not contain control characters")
    try:
        url = URL(raw)
        host = url.host
    except (ValueError, UnicodeError):
        raise ConfigurationError("base_url", "is not a valid URL") from None
    # The URL itself is not echoed: user-info or a query may hold a credential.
    if url.user is not None or url.password is not None:
        raise ConfigurationError("base_url", "must not carry credentials (user:password@)")
    if url.scheme not in ("http", "https") or not host:
        shown = f" (got scheme {url.scheme!r})" if url.scheme else ""
        raise ConfigurationError("base_url", f"must be an http:// or https:// URL{shown}")
    if url.query_string or url.fragment or "?" in raw or "#" in raw:
        raise ConfigurationError("base_url", "must not have a query or fragment")
    if url.raw_path not in ("", "/"):
        raise ConfigurationError(
            "base_url",
            f"must be an origin such as https://api.portone.cloud, without a path "
            f"(got {url.raw_path!r})",
        )
    return url.with_path("")


def path_segment(name: str, value: Any) -> str:
    """``value`` percent-encoded as exactly one path segment.

    ``/``, ``?``, ``#``, ``%`` and every other reserved character are escaped, and ``.`` / ``..``
    become ``%2E`` / ``%2E%2E``, so a reference such as ``../admin`` or ``a/b?x`` can never
    leave its segment or change the request's path.
    """
    # The usual reference needs no quoting and passes every check of ``text``: skip both
    # (``.`` and ``..`` take the long way, to be escaped).
    if type(value) is str and _UNRESERVED.fullmatch(value) and value not in (".", ".."):
        return value
    ref = text(name, value)
    encoded = quote(ref, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded
