"""One module per PortOne resource; each is reached as an attribute of :class:`PortOneClient`."""

from ._models import (
    LinkTransaction,
    PaymentLink,
    PaymentLinkDetails,
    PaymentLinkStatus,
    Refund,
    RefundSummary,
    Transaction,
    TransactionStatus,
    WebhookEndpoint,
)
from ._models_subscriptions import (
    Deduction,
    NewPlan,
    NewSubscription,
    Plan,
    Subscription,
    SubscriptionTransaction,
)
from .payment_links import PaymentLinks
from .refunds import Refunds
from .signatures import Signatures
from .subscriptions import Subscriptions
from .transactions import Transactions
from .webhook_endpoints import WebhookEndpoints

__all__ = [
    "Deduction",
    "LinkTransaction",
    "NewPlan",
    "NewSubscription",
    "PaymentLink",
    "PaymentLinkDetails",
    "PaymentLinkStatus",
    "PaymentLinks",
    "Plan",
    "Refund",
    "RefundSummary",
    "Refunds",
    "Signatures",
    "Subscription",
    "SubscriptionTransaction",
    "Subscriptions",
    "Transaction",
    "TransactionStatus",
    "Transactions",
    "WebhookEndpoint",
    "WebhookEndpoints",
]
