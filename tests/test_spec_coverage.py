"""Every operation of PortOne's six specs is covered: a method (or a documented reason to stay on
``request()``), and a route of the fake that serves it.

The table below is the list: a new operation in a regenerated spec fails here until it is given
a method or a reason. Contract tests (tests/test_contract*.py) check what each method sends.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import make_mocked_request

from aioportone import PortOneClient
from aioportone._server_source import AUTH_TOKEN_PATH
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne
from tests.portone_spec import regenerate

SPECS = Path(regenerate.__file__).parent
OPERATIONS_DOC = Path(__file__).parent.parent / "docs" / "operations.md"
_METHODS = ("get", "post", "put", "patch", "delete")
# Not a method: the client sends it itself when it renews its JWT (token_source="server").
TOKEN_RENEWAL = "token renewal: PortOneClient(token_source='server')"

#: Each operation (method and path template as the specs write them) -> the public method that
#: sends it, or ``request(): <why it has no method>``.
COVERAGE: dict[str, str] = {
    # mastermerchant.yaml
    "POST /api/master-merchant/{mkey}/add-merchant": "sub_merchants.add",
    "GET /api/master-merchant/{mkey}/merchants-invite": "sub_merchants.invited",
    "GET /api/master-merchant/{mkey}/merchants": "sub_merchants.all",
    "POST /api/master-merchant/{mkey}/merchants/paginated": "sub_merchants.list",
    "PUT /api/master-merchant/{mkey}/merchants/{key}/status/{status}": "sub_merchants.set_status",
    "POST /api/master-merchant/{mkey}/merchants/payment-methods": (
        "sub_merchants.set_payment_method"
    ),
    "POST /api/master-merchant/{mkey}/merchants/transactions": "sub_merchants.transactions",
    "POST /api/master-merchant/{mkey}/merchants/export-transactions": (
        "sub_merchants.export_transactions"
    ),
    "POST /api/master-merchant/{mkey}/merchants/payment-links": "sub_merchants.payment_links",
    # payment.yaml
    "POST /api/merchant/auth-token": TOKEN_RENEWAL,
    "POST /api/merchant/generate-signature": "signatures.generate",
    "POST /api/initiatePayment": "checkout.initiate_payment",
    "POST /api/paymentLink": "payment_links.create",
    "PUT /api/update-paylink/{payment_link_ref}": "payment_links.update",
    "PUT /api/paymentLink/{payment_link_ref}/status/{link_status}": "payment_links.cancel",
    "POST /api/merchant/{key}/webhook": "webhook_endpoints.register",
    "GET /api/merchant/{key}/webhook": "webhook_endpoints.list",
    "GET /api/transaction/{merchantOrderRef}/status": "transactions.status",
    "POST /api/{key}/transaction-details": "transactions.details",
    "GET /api/paymentLink/{merchantLinkRef}/status": (
        "request(): the same lookup as payment_links.status_by_merchant_ref, which uses the "
        "merchant-scoped path so that a sub-merchant's links are found too"
    ),
    "GET /api/paymentLink/{portOneLinkRef}/fetch-status": "payment_links.status",
    "GET /api/merchant/{smchKey}/paymentLink/{merchantLinkRef}/status": (
        "payment_links.status_by_merchant_ref"
    ),
    "POST /api/merchant/{key}/add-pay-channel/{pckey}": (
        "request(): payment-provider credentials are dashboard configuration, their body holds "
        "the provider's secrets"
    ),
    "PUT /api/merchant/{key}/add-pay-channel/{pckey}": (
        "request(): payment-provider credentials are dashboard configuration, their body holds "
        "the provider's secrets"
    ),
    "GET /api/merchant/{key}/pay-channel/{pckey}": (
        "request(): reads the payment-provider credentials set on the dashboard (masked)"
    ),
    "PUT /api/transaction/status": "transactions.update_cod_status",
    "POST /api/transaction/{order_ref}/capture": "transactions.capture",
    "PUT /api/{portOneKey}/update-transaction-details/{merchant_order_ref}": (
        "transactions.update_details"
    ),
    "POST /api/merchant/{key}/fetch-all-payments": "transactions.list",
    # payout.yaml
    "POST /api/merchant/{key}/payouts": "payouts.list",
    "GET /api/payout/va/{va_number}/balance": "payouts.virtual_accounts.balance",
    "POST /api/payout/transaction": "payouts.create",
    "GET /api/merchant/{key}/payout/va": "payouts.virtual_accounts.list",
    "POST /api/payout/vendor/account/verification": "payouts.beneficiaries.verify_account",
    "POST /api/payout/va/{va_number}/statement": "payouts.virtual_accounts.statement",
    "GET /api/payout/{portone_txn_reference}/status": "payouts.status",
    "PUT /api/payout/{portone_txn_reference}/status/Cancelled": "payouts.cancel",
    "POST /api/merchant/payout/generateOTP/verify": "payouts.approvals.send_otp",
    "POST /api/merchant/payout/generateOTP/approve": "payouts.approvals.send_otp",
    "POST /api/merchant/payout/approve": "payouts.approvals.approve",
    "POST /api/merchants/{key}/payout/createBeneficiary": "payouts.beneficiaries.create",
    "GET /api/merchants/{key}/payout/createBeneficiary": "payouts.beneficiaries.list",
    "POST /api/merchant/payout/verify": "payouts.approvals.verify",
    "GET /api/payout/va/{va_number}/download-statement": (
        "payouts.virtual_accounts.download_statement"
    ),
    "POST /api/merchant/payout/resendOTP/verify": "payouts.approvals.resend_otp",
    "POST /api/merchant/payout/resendOTP/approve": "payouts.approvals.resend_otp",
    # recon.yaml
    "POST /api/recon/v3/summary": "reconciliation.summary",
    "POST /api/recon/v3/dashboard-records": "reconciliation.records",
    "POST /api/recon/v3/export-dashboard-records": "reconciliation.export_records",
    "POST /api/recon/v3/upload-file": "reconciliation.upload_file",
    "POST /api/recon/v3/create-recon": "reconciliation.create",
    "GET /api/recon/v3/data-sources": "reconciliation.data_sources",
    # refund.yaml
    "POST /api/refund/{portone_order_ref}": "refunds.create",
    "GET /api/refund/{portone_order_ref}": "refunds.get",
    # subscription.yaml
    "POST /api/subscription/createPlan": "subscriptions.create_plan",
    "PUT /api/subscription/plan/{orderRef}/status/{status}": "subscriptions.cancel_plan",
    "GET /api/subscription/plan/{orderRef}": "subscriptions.get_plan",
    "POST /api/subscription/createSubscription": "subscriptions.create",
    "POST /api/subscription/createDeduction": "subscriptions.deduct",
    "PUT /api/subscription/triggerNextDeduction": "subscriptions.trigger_next_deduction",
    "GET /api/subscription/{orderRef}": "subscriptions.get",
    "GET /api/subscription/{orderRef}/txns-records": "subscriptions.transactions",
    "PUT /api/subscription/{orderRef}/status/{status}": "subscriptions.cancel",
}


def _operations() -> list[str]:
    found: list[str] = []
    for name in regenerate.NAMES:
        spec: dict[str, Any] = yaml.safe_load((SPECS / f"{name}.yaml").read_text("utf-8"))
        for path, item in spec["paths"].items():
            found.extend(f"{m.upper()} {path}" for m in item if m in _METHODS)
    return found


OPERATIONS = _operations()
ON_REQUEST = sorted(op for op, use in COVERAGE.items() if use.startswith("request():"))
METHODS = sorted(
    op for op, use in COVERAGE.items() if not use.startswith("request():") and use != TOKEN_RENEWAL
)


def test_the_table_lists_every_operation_of_the_six_specs_and_no_other() -> None:
    """A spec operation without a method or a reason, or a stale table line, fails here."""
    assert len(OPERATIONS) == len(set(OPERATIONS))
    assert sorted(OPERATIONS) == sorted(COVERAGE)


@pytest.mark.parametrize("operation", METHODS)
def test_each_method_of_the_table_exists_on_a_client(operation: str) -> None:
    """The table names methods a user can call: each resolves on a PortOneClient."""
    client = PortOneClient(client_key=DEMO_CLIENT_KEY, secret_key=DEMO_SECRET_KEY)
    target: Any = client
    for part in COVERAGE[operation].split("."):
        target = getattr(target, part)
    assert callable(target), COVERAGE[operation]
    assert target.__doc__, f"{COVERAGE[operation]} has no docstring"


@pytest.mark.parametrize("operation", ON_REQUEST)
def test_each_operation_left_on_request_is_documented(operation: str) -> None:
    """An operation without a method is named, with its reason, in docs/operations.md."""
    assert len(COVERAGE[operation]) > len("request(): ") + 20
    assert f"`{operation}`" in OPERATIONS_DOC.read_text("utf-8"), operation


def test_the_auth_token_operation_is_the_server_token_source_s() -> None:
    """The one operation no method sends is the one the client's token renewal sends."""
    assert [op for op, use in COVERAGE.items() if use == TOKEN_RENEWAL] == [
        f"POST {AUTH_TOKEN_PATH}"
    ]


@pytest.mark.parametrize("operation", sorted(COVERAGE))
async def test_the_fake_serves_each_operation(operation: str) -> None:
    """Each operation has a route in the fake (a sample path matches, with the same method)."""
    method, template = operation.split(" ", 1)
    path = re.sub(r"\{[^}]+\}", "sample-1", template)
    app = FakePortOne().app
    match = await app.router.resolve(make_mocked_request(method, path, app=app))
    assert match.http_exception is None, f"{operation}: {match.http_exception!r}"
