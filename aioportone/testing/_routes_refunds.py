"""The fake's refund and webhook-endpoint routes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from aiohttp import web

from ._records import Refund, Transaction, json_number
from ._routes_common import (
    bad_amount,
    bad_environment,
    envelope,
    invalid,
    json_object,
    key_mismatch,
    missing_field,
    owner_key,
    portone_error,
    required,
    unknown_reference,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["install"]

# refund.yaml: every field is required, amount included (ignored for a full refund).
REFUND_REQUIRED = (
    "amount",
    "channel",
    "description",
    "environment",
    "refund_type",
    "refund_reason",
)
WEBHOOK_REQUIRED = ("name", "url", "type", "environment")
# payment.yaml, the enum of POST /api/merchant/{key}/webhook.
WEBHOOK_TYPES = frozenset(
    {
        "payment_status",
        "payment_link_status",
        "refund_status",
        "subscription_status",
        "payout_status",
        "onboarding_status",
    }
)


def install(app: web.Application, fake: Server) -> None:
    routes = _RefundRoutes(fake)
    app.router.add_post("/api/refund/{order_ref}", routes.create_refund)
    app.router.add_get("/api/refund/{order_ref}", routes.get_refunds)
    app.router.add_post("/api/merchant/{key}/webhook", routes.add_webhook)
    app.router.add_get("/api/merchant/{key}/webhook", routes.list_webhooks)


def _refunds_json(txn: Transaction) -> dict[str, object]:
    # https://docs.portone.cloud/docs/refund: a bare object, oldest refund first.
    return {
        "amountToRefund": json_number(txn.refundable),
        "refundDetails": [r.as_json() for r in txn.refunds],
    }


def _not_allowed(message: str) -> web.Response:
    # https://docs.portone.cloud/docs/error-codes: 4070 INVALID_PAYMENT_REQUEST_REFUND_NOT_ALLOWED
    return portone_error(400, "4070", "INVALID_PAYMENT_REQUEST_REFUND_NOT_ALLOWED", message)


# What the refund and webhook routes answer for a wrong environment.
_BAD_ENVIRONMENT = "Invalid environment"


class _RefundRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    def _transaction(self, request: web.Request) -> Transaction | None:
        return self.fake.state.by_order_ref(request.match_info["order_ref"])

    async def get_refunds(self, request: web.Request) -> web.Response:
        txn = self._transaction(request)
        if txn is None:
            return unknown_reference()
        return web.json_response(_refunds_json(txn))

    async def create_refund(self, request: web.Request) -> web.Response:
        txn = self._transaction(request)
        if txn is None:
            return unknown_reference()
        body = await json_object(request)
        missing = missing_field(body, REFUND_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "amount")
        amount = body["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            return bad_amount()
        if body["refund_type"] not in ("full", "partial"):
            return invalid("Invalid Request, err : refund_type must be full or partial")
        # A refund must name the payment's own environment.
        problem = bad_environment(body["environment"], (txn.environment,), _BAD_ENVIRONMENT)
        if problem is not None:
            return problem
        if body["channel"] != txn.channel_key:
            return portone_error(
                400, "4046", "INVALID_PAYMENT_CHANNEL_KEY", "channel does not match the payment"
            )
        if txn.status != "Success" or not txn.is_refund_allowed:
            return _not_allowed("Refund is not allowed for this transaction")
        if txn.refundable <= 0:
            return _not_allowed("Transaction is already fully refunded")
        if txn.refunds and not txn.is_multi_refund_allowed:
            return _not_allowed("Only one refund is allowed for this transaction")
        if body["refund_type"] == "partial":
            if not txn.is_partial_refund_allowed:
                # https://docs.portone.cloud/docs/error-codes: 4081 PARTIAL_REFUND_NOT_ALLOWED
                return portone_error(
                    400, "4081", "PARTIAL_REFUND_NOT_ALLOWED", "Partial refund is not allowed"
                )
            refund_amount = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
            if refund_amount > txn.refundable:
                return bad_amount("amount is more than the refundable amount")
        else:
            refund_amount = txn.refundable  # "full" refunds what is left; amount is ignored
        state = self.fake.state
        txn.refunds.append(
            Refund(
                refund_id=state.new_ref()[:15],
                psp_refund_id=f"PSPR{len(txn.refunds) + 1:06d}",
                amount=refund_amount,
                currency=txn.currency,
                refund_type=body["refund_type"],
                reason=str(body["refund_reason"]),
                description=str(body["description"]),
                refunded_at=self.fake.now(),
            )
        )
        return web.json_response(_refunds_json(txn))

    async def add_webhook(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        body = await json_object(request)
        missing = missing_field(body, WEBHOOK_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "name")
        if body["type"] not in WEBHOOK_TYPES:
            return invalid(f"Invalid webhook type: {body['type']}")
        if (problem := bad_environment(body["environment"], message=_BAD_ENVIRONMENT)) is not None:
            return problem
        endpoint = self.fake.state.add_webhook(
            owner_key(request),
            name=str(body["name"]),
            url=str(body["url"]),
            type=str(body["type"]),
            environment=body["environment"],
        )
        return envelope(endpoint.as_json(), message="Webhook added successfully!")

    async def list_webhooks(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        environment = request.query.get("environment")
        if not environment:
            return required("environment")
        if (problem := bad_environment(environment, message=_BAD_ENVIRONMENT)) is not None:
            return problem
        owner = owner_key(request)
        found = [
            e.as_json()
            for e in self.fake.state.webhooks
            if e.owner_key == owner and e.environment == environment
        ]
        return envelope(found, message="Webhook fetched successfully!")
