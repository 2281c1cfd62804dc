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
from ._models_payouts import (
    AccountVerification,
    Beneficiary,
    OtpSent,
    Payout,
    PayoutAccepted,
    PayoutStatus,
    StatementEntry,
    VirtualAccount,
    VirtualAccountBalance,
)
from ._models_subscriptions import (
    Deduction,
    NewPlan,
    NewSubscription,
    Plan,
    Subscription,
    SubscriptionTransaction,
)
from .checkout import Checkout, InitiatedPayment
from .payment_links import PaymentLinks
from .payout_accounts import Beneficiaries, VirtualAccounts
from .payout_approvals import PayoutApprovals
from .payouts import Payouts
from .refunds import Refunds
from .signatures import Signatures
from .subscriptions import Subscriptions
from .transactions import Transactions
from .webhook_endpoints import WebhookEndpoints

__all__ = [
    "AccountVerification",
    "Beneficiaries",
    "Beneficiary",
    "Checkout",
    "Deduction",
    "InitiatedPayment",
    "LinkTransaction",
    "NewPlan",
    "NewSubscription",
    "OtpSent",
    "PaymentLink",
    "PaymentLinkDetails",
    "PaymentLinkStatus",
    "PaymentLinks",
    "Payout",
    "PayoutAccepted",
    "PayoutApprovals",
    "PayoutStatus",
    "Payouts",
    "Plan",
    "Refund",
    "RefundSummary",
    "Refunds",
    "Signatures",
    "StatementEntry",
    "Subscription",
    "SubscriptionTransaction",
    "Subscriptions",
    "Transaction",
    "TransactionStatus",
    "Transactions",
    "VirtualAccount",
    "VirtualAccountBalance",
    "VirtualAccounts",
    "WebhookEndpoint",
    "WebhookEndpoints",
]
