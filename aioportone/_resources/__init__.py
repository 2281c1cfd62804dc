"""One module per PortOne resource; each is reached as an attribute of :class:`PortOneClient`."""

from ._models import (
    Refund,
    RefundSummary,
    Transaction,
    TransactionStatus,
    WebhookEndpoint,
)
from ._models_links import (
    LinkTransaction,
    PaymentLink,
    PaymentLinkDetails,
    PaymentLinkStatus,
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
from ._models_recon import (
    ReconDataSource,
    ReconDataSources,
    ReconFlow,
    ReconRecord,
    ReconSummary,
    ReconSummaryField,
    ReconUpload,
)
from ._models_sub_merchants import (
    InvitedSubMerchant,
    SubMerchant,
    SubMerchantAdded,
    SubMerchantPaymentLink,
    SubMerchantTransaction,
)
from ._models_subscriptions import (
    Deduction,
    NewPlan,
    NewSubscription,
    Plan,
    Subscription,
    SubscriptionTransaction,
)
from ._models_transactions import TransactionDetailsUpdate
from .checkout import Checkout, InitiatedPayment
from .payment_links import PaymentLinks
from .payout_accounts import Beneficiaries, VirtualAccounts
from .payout_approvals import PayoutApprovals
from .payouts import Payouts
from .reconciliation import Reconciliation
from .refunds import Refunds
from .signatures import Signatures
from .sub_merchants import SubMerchants
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
    "InvitedSubMerchant",
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
    "ReconDataSource",
    "ReconDataSources",
    "ReconFlow",
    "ReconRecord",
    "ReconSummary",
    "ReconSummaryField",
    "ReconUpload",
    "Reconciliation",
    "Refund",
    "RefundSummary",
    "Refunds",
    "Signatures",
    "StatementEntry",
    "SubMerchant",
    "SubMerchantAdded",
    "SubMerchantPaymentLink",
    "SubMerchantTransaction",
    "SubMerchants",
    "Subscription",
    "SubscriptionTransaction",
    "Subscriptions",
    "Transaction",
    "TransactionDetailsUpdate",
    "TransactionStatus",
    "Transactions",
    "VirtualAccount",
    "VirtualAccountBalance",
    "VirtualAccounts",
    "WebhookEndpoint",
    "WebhookEndpoints",
]
