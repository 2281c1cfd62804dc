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
from .payment_links import PaymentLinks
from .refunds import Refunds
from .signatures import Signatures
from .transactions import Transactions
from .webhook_endpoints import WebhookEndpoints

__all__ = [
    "LinkTransaction",
    "PaymentLink",
    "PaymentLinkDetails",
    "PaymentLinkStatus",
    "PaymentLinks",
    "Refund",
    "RefundSummary",
    "Refunds",
    "Signatures",
    "Transaction",
    "TransactionStatus",
    "Transactions",
    "WebhookEndpoint",
    "WebhookEndpoints",
]
