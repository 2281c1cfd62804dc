"""aioportone: an asyncio client for PortOne's payment API (``api.portone.cloud``).

The public API is what this module exports; everything in ``_modules`` is private.
"""

from ._client import PortOneClient
from ._clock import Clock, SystemClock
from ._errors import (
    AmbiguousResultError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConnectError,
    DuplicateError,
    InvalidRequestError,
    NotFoundError,
    PortOneError,
    RateLimitError,
    ServerError,
    SignatureError,
    TimeoutError,
    TokenError,
    TokenUnavailableError,
    TransportError,
)
from ._manager import TokenManager
from ._observe import EventHook, TokenEvent
from ._sources import LocalTokenSource, TokenSource
from ._token import RefreshPolicy, Token
from ._transport import RetryPolicy
from ._version import __version__

__all__ = [
    "APIError",
    "AmbiguousResultError",
    "AuthenticationError",
    "Clock",
    "ConfigurationError",
    "ConnectError",
    "DuplicateError",
    "EventHook",
    "InvalidRequestError",
    "LocalTokenSource",
    "NotFoundError",
    "PortOneClient",
    "PortOneError",
    "RateLimitError",
    "RefreshPolicy",
    "RetryPolicy",
    "ServerError",
    "SignatureError",
    "SystemClock",
    "TimeoutError",
    "Token",
    "TokenError",
    "TokenEvent",
    "TokenManager",
    "TokenSource",
    "TokenUnavailableError",
    "TransportError",
    "__version__",
]
