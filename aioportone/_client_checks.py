"""The client's argument checks, on plain values: a request's method and path, counts, and
the token options that ``tokens=`` makes meaningless (counts: ``_config.whole_number``).

Pure functions, no I/O: each returns the checked value or raises a
:class:`ConfigurationError` that names the argument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._config import DEFAULT_BASE_URL
from ._errors import ConfigurationError

__all__ = ["METHODS", "PATH", "refuse_token_options", "request_method", "request_path"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
# A path is ours to build: printable ASCII only, no query or fragment (use ``params``), so a
# value with CR/LF or an unescaped '?' can never reach the request line.
PATH = re.compile(r"/[\x21\x22\x24-\x3e\x40-\x7e]*")  # printable ASCII but '#' and '?'


def request_method(method: object) -> str:
    """``method`` in capitals, or a :class:`ConfigurationError` naming it."""
    if isinstance(method, str) and (upper := method.upper()) in METHODS:
        return upper
    raise ConfigurationError("method", f"must be one of {', '.join(sorted(METHODS))}")


def request_path(path: object) -> str:
    """``path`` when :data:`PATH` matches all of it, or a :class:`ConfigurationError`."""
    if isinstance(path, str) and PATH.fullmatch(path):
        return path
    raise ConfigurationError(
        "path", "must start with '/', be percent-encoded, and hold no query or fragment"
    )


# The client's token options and the value each has when not given: with ``tokens=`` they
# belong to that manager, and one given anyway would be silently ignored.
TOKEN_OPTION_DEFAULTS: Mapping[str, object] = {
    "client_key": None,
    "secret_key": None,
    "token_source": "local",
    "sub_merchant_key": None,
    "base_url": DEFAULT_BASE_URL,
    "lifetime": 100.0,
    "skew_allowance": 5.0,
    "wait_timeout": 30.0,
    "policy": None,
    "on_event": None,
}


def refuse_token_options(
    own_key: str, own_base_url: str, own_clock: object, /, **given: object
) -> None:
    """A ConfigurationError naming every token option given together with ``tokens=``.

    ``own_key``, ``own_base_url`` and ``own_clock`` are the manager's. An option equal to its
    default, or to what the manager already has, is not a conflict.
    """
    same = {"client_key": own_key, "base_url": own_base_url}
    given_clock = given.pop("clock")
    conflicts = [
        name
        for name, value in given.items()
        if value is not TOKEN_OPTION_DEFAULTS[name]
        and value != TOKEN_OPTION_DEFAULTS[name]
        and (name not in same or str(value).rstrip("/") != same[name])
    ]
    if given_clock is not None and given_clock is not own_clock:
        conflicts.append("clock")
    if conflicts:
        raise ConfigurationError(
            "tokens",
            f"the TokenManager given has its own {', '.join(conflicts)}: set "
            f"{'them' if len(conflicts) > 1 else 'it'} on the TokenManager, not on the client",
        )
