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
from ._resources import (
    AccountVerification,
    Beneficiary,
    LinkTransaction,
    OtpSent,
    PaymentLink,
    PaymentLinkDetails,
    PaymentLinkStatus,
    Payout,
    PayoutAccepted,
    PayoutStatus,
    Refund,
    RefundSummary,
    StatementEntry,
    Transaction,
    TransactionStatus,
    VirtualAccount,
    VirtualAccountBalance,
    WebhookEndpoint,
)
from ._sources import LocalTokenSource, TokenSource
from ._token import RefreshPolicy, Token
from ._transport import RetryPolicy
from ._version import __version__

__all__ = [
    "APIError",
    "AccountVerification",
    "AmbiguousResultError",
    "AuthenticationError",
    "Beneficiary",
    "Clock",
    "ConfigurationError",
    "ConnectError",
    "DuplicateError",
    "EventHook",
    "InvalidRequestError",
    "LinkTransaction",
    "LocalTokenSource",
    "NotFoundError",
    "OtpSent",
    "PaymentLink",
    "PaymentLinkDetails",
    "PaymentLinkStatus",
    "Payout",
    "PayoutAccepted",
    "PayoutStatus",
    "PortOneClient",
    "PortOneError",
    "RateLimitError",
    "RefreshPolicy",
    "Refund",
    "RefundSummary",
    "RetryPolicy",
    "ServerError",
    "SignatureError",
    "StatementEntry",
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
    "VirtualAccount",
    "VirtualAccountBalance",
    "WebhookEndpoint",
    "__version__",
]
