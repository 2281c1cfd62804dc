"""The exceptions aioportone raises: one tree, rooted at :class:`PortOneError`.

::

    PortOneError
    ├── ConfigurationError          bad argument or environment at construction / call time
    ├── TransportError              the request did not get a PortOne answer
    │   ├── ConnectError            could not connect, or the connection dropped
    │   ├── TimeoutError            no answer in time
    │   └── ResponseTooLargeError   an answer over the size limit (not read)
    ├── PoolTimeoutError            no connection slot in time: the request was never sent
    ├── AmbiguousResultError        a money-moving request may or may not have been processed
    ├── TokenError                  no usable JWT could be obtained
    │   ├── InvalidServerTokenError PortOne's auth-token answer held no usable token
    │   └── TokenUnavailableError   waited for a refresh past the deadline
    ├── SignatureError              a webhook / redirect signature is missing or wrong
    │   └── WebhookPayloadError     the body is not a JSON object (aioportone.webhooks)
    └── APIError                    PortOne answered with an error (any HTTP status)
        ├── AuthenticationError     4054 bad JWT, 4016 unknown key, 4099 wrong secret, ...
        ├── InvalidRequestError     4001 and other 4xxx validation errors
        ├── NotFoundError           HTTP 404, 4096 INVALID_REFERENCE, 4083 INVALID_PAYMENT_LINK_REF
        ├── DuplicateError          4002 DUPLICATE_TRANSACTION_ERROR
        ├── RateLimitError          HTTP 429
        └── ServerError             HTTP 5xx, 5xxx codes

No message, ``repr`` or attribute of these errors ever holds the secret key or a JWT: callers
log exceptions, and a log line is the usual way a credential leaks.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, TypeVar

from ._secrets import KNOWN, redact, redact_data

__all__ = [
    "APIError",
    "AmbiguousResultError",
    "AuthenticationError",
    "ConfigurationError",
    "ConnectError",
    "DuplicateError",
    "InvalidRequestError",
    "InvalidServerTokenError",
    "NotFoundError",
    "PoolTimeoutError",
    "PortOneError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "SignatureError",
    "TimeoutError",
    "TokenError",
    "TokenUnavailableError",
    "TransportError",
]


class PortOneError(Exception):
    """Base class of every error aioportone raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Most subclasses take keyword arguments that ``args`` does not hold: rebuilt from the
        # message and the attributes instead, so pickling and ``copy`` give an equal error.
        return (_restore, (type(self), self.args, self.__dict__))


_E = TypeVar("_E", bound=PortOneError)


def _restore(cls: type[_E], args: tuple[Any, ...], state: dict[str, Any]) -> _E:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class ConfigurationError(PortOneError, ValueError):
    """An argument or environment variable is missing or invalid.

    ``argument`` names the offending parameter; its value is never included when it is secret.
    The message reads ``"<argument>: <problem>"``.

    Args:
        argument: The name of the offending parameter (or environment variable).
        problem: What is wrong with it, in a few words.
    """

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"{argument}: {problem}")


class TransportError(PortOneError):
    """The request never got an answer from PortOne (connection or timeout problem).

    Args:
        message: What went wrong.
        method: The HTTP method of the request, shown in the message.
        url: The URL of the request, without its query string.
        request_sent: False only when the connection could not even be opened, so PortOne
            saw nothing and any request may be sent again.
    """

    def __init__(
        self, message: str, *, method: str = "", url: str = "", request_sent: bool = True
    ) -> None:
        self.method = method
        self.url = url
        #: False only when the connection could not even be opened: PortOne saw nothing.
        self.request_sent = request_sent
        where = f" ({method} {url})" if method else ""
        super().__init__(f"{message}{where}")


class ConnectError(TransportError):
    """Could not connect to PortOne, or the connection dropped before an answer arrived."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """PortOne did not answer within the configured timeout."""


class ResponseTooLargeError(TransportError):
    """PortOne's answer was larger than ``max_response_size``; it was not read.

    The request was sent and may have been acted on; it is not retried (the answer would be as
    large again).
    """


class PoolTimeoutError(PortOneError):
    """Every connection slot stayed busy for ``pool_timeout`` (or the call's deadline passed
    while waiting): the request was never sent, and is not retried.

    Not a :class:`TimeoutError`: PortOne was not slow, this process had more requests in flight
    than ``max_connections``. ``request_sent`` is always False.

    Args:
        message: What happened.
        method: The HTTP method of the request that waited.
        url: The request's URL, without its query string.
    """

    request_sent = False

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        where = f" ({method} {url})" if method else ""
        super().__init__(f"{message}{where}")


class AmbiguousResultError(PortOneError):
    """A request that moves money failed in a way that leaves its outcome unknown.

    It was *not* retried, because a blind retry could move the money twice. ``how_to_check`` says
    which call tells whether the operation happened. The error that left the outcome unknown is
    chained as ``__cause__``.

    Args:
        message: What was attempted and what went wrong.
        how_to_check: Which call tells whether the operation happened; appended to the message.
    """

    def __init__(self, message: str, *, how_to_check: str) -> None:
        self.how_to_check = how_to_check
        super().__init__(f"{message} It may have been processed: {how_to_check}")


class TokenError(PortOneError):
    """No usable JWT could be obtained."""


class InvalidServerTokenError(TokenError):
    """PortOne's answer held no usable token (malformed, wrong signature, issuer or subject)."""


class TokenUnavailableError(TokenError):
    """No usable JWT now: a request waited past ``wait_timeout``, ``current()`` found none
    while a refresh was under way, or the manager is not running.

    The last refresh failure, if any, is chained as ``__cause__`` and summed up at the end of
    the message (``... (last refresh failed: ConnectError: ...)``).
    """


class SignatureError(PortOneError):
    """A webhook, redirect or request signature is missing, malformed or does not match."""


class APIError(PortOneError):
    """PortOne answered with an error.

    ``status`` is the HTTP status; ``code`` PortOne's ``status_code`` string (e.g. ``"4054"``),
    ``reason`` its ``status_reason`` (some answers spell it ``status_message``), ``message`` its
    human-readable message and ``body`` the decoded JSON (``None`` when the body was not JSON).
    The subclasses below take the same arguments.

    Text that came from the server (``reason``, ``message``, ``body``) is stored with every
    credential this process holds redacted: an endpoint that echoes the request must not put
    the secret or a JWT into an error message or a log line.

    Args:
        status: The HTTP status of PortOne's answer.
        code: PortOne's ``status_code`` (e.g. ``"4054"``), if the answer had one.
        reason: PortOne's ``status_reason`` (or ``status_message``), if any.
        message: PortOne's human-readable ``message``, if any.
        body: The decoded JSON answer, or ``None`` when it was not a JSON object.
        method: The HTTP method of the request, shown in the message.
        url: The URL of the request, without its query string.
        retry_after: PortOne's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self,
        *,
        status: int,
        code: str | None = None,
        reason: str | None = None,
        message: str | None = None,
        body: Mapping[str, Any] | None = None,
        method: str = "",
        url: str = "",
        retry_after: float | None = None,
    ) -> None:
        known = KNOWN.values()
        if known:
            reason = None if reason is None else redact(reason, known)
            message = None if message is None else redact(message, known)
            try:
                body = None if body is None else redact_data(body, known)
            except RecursionError:  # too deep to check is too deep to keep
                body = None
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after
        parts = [f"HTTP {status}"]
        if code:
            parts.append(code)
        if reason:
            parts.append(reason)
        text = " ".join(parts)
        if message:
            text += f": {message}"
        if method:
            text += f" ({method} {url})"
        super().__init__(text)


class AuthenticationError(APIError):
    """PortOne rejected the credentials: the JWT, the PortOne key or the secret."""


class InvalidRequestError(APIError):
    """PortOne rejected the request as invalid (``4xxx`` validation codes)."""


class NotFoundError(APIError):
    """The referenced transaction, link or refund does not exist."""


class DuplicateError(APIError):
    """PortOne already has an operation with this merchant order id (``4002``)."""


class RateLimitError(APIError):
    """PortOne answered HTTP 429; ``retry_after`` holds its ``Retry-After`` in seconds."""


class ServerError(APIError):
    """PortOne or a payment provider behind it failed (HTTP 5xx or a ``5xxx`` code)."""


def copy_error(err: _E) -> _E:
    """A new exception of ``err``'s class, with its message and attributes, caused by it.

    One exception object raised in several tasks would have its traceback grow with each;
    each waiter gets its own copy instead. Rebuilt the way pickling rebuilds it, so every
    class (and every attribute it carries) survives, whatever its constructor takes.

    Args:
        err: The error to copy.
    """
    copy = _restore(type(err), err.args, dict(err.__dict__))
    copy.__cause__ = err
    return copy


# Tracebacks and reprs name a class by its ``__module__``: ``aioportone.ConfigurationError``, the
# name a user imports and catches, not the private module that defines it.
for _name in __all__:
    globals()[_name].__module__ = "aioportone"
del _name
