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
    PoolTimeoutError,
    PortOneError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    SignatureError,
    TimeoutError,
    TokenError,
    TokenUnavailableError,
    TransportError,
)
from ._manager import TokenManager
from ._observe import EventHook, TokenEvent
from ._resources import (
    Deduction,
    LinkTransaction,
    NewPlan,
    NewSubscription,
    PaymentLink,
    PaymentLinkDetails,
    PaymentLinkStatus,
    Plan,
    Refund,
    RefundSummary,
    Subscription,
    SubscriptionTransaction,
    Transaction,
    TransactionStatus,
    WebhookEndpoint,
)
from ._retry import RequestEvent, RetryPolicy
from ._sources import LocalTokenSource, TokenSource
from ._token import RefreshPolicy, Token
from ._version import __version__

__all__ = [
    "APIError",
    "AmbiguousResultError",
    "AuthenticationError",
    "Clock",
    "ConfigurationError",
    "ConnectError",
    "Deduction",
    "DuplicateError",
    "EventHook",
    "InvalidRequestError",
    "LinkTransaction",
    "LocalTokenSource",
    "NewPlan",
    "NewSubscription",
    "NotFoundError",
    "PaymentLink",
    "PaymentLinkDetails",
    "PaymentLinkStatus",
    "Plan",
    "PoolTimeoutError",
    "PortOneClient",
    "PortOneError",
    "RateLimitError",
    "RefreshPolicy",
    "Refund",
    "RefundSummary",
    "RequestEvent",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "SignatureError",
    "Subscription",
    "SubscriptionTransaction",
    "SystemClock",
    "TimeoutError",
    "Token",
    "TokenError",
    "TokenEvent",
    "TokenManager",
    "TokenSource",
    "TokenUnavailableError",
    "Transaction",
    "TransactionStatus",
    "TransportError",
    "WebhookEndpoint",
    "__version__",
]
