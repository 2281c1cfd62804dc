"""The fake's routes, answering in the shapes of PortOne's OpenAPI specs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import (
    _routes_checkout,
    _routes_files,
    _routes_pay_channels,
    _routes_payments,
    _routes_payouts,
    _routes_recon,
    _routes_refunds,
    _routes_sub_merchants,
    _routes_subscriptions,
    _routes_transactions,
)
from ._routes_common import (
    CLIENT_KEY_HEADER,
    envelope,
    invalid,
    json_object,
    portone_error,
    required,
    unknown_reference,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["install"]


def install(app: web.Application, fake: Server) -> None:
    routes = _Routes(fake)
    app.router.add_post("/api/merchant/auth-token", routes.auth_token)
    app.router.add_get("/api/transaction/{merchant_order_ref}/status", routes.transaction_status)
    app.router.add_post("/api/{key}/transaction-details", routes.transaction_details)
    _routes_payments.install(app, fake)
    _routes_refunds.install(app, fake)
    _routes_subscriptions.install(app, fake)
    _routes_payouts.install(app, fake)
    _routes_recon.install(app, fake)
    _routes_sub_merchants.install(app, fake)
    _routes_transactions.install(app, fake)
    _routes_checkout.install(app, fake)
    _routes_files.install(app, fake)
    _routes_pay_channels.install(app, fake)


class _Routes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    async def auth_token(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None:
            return invalid("Invalid Request body")
        for name in ("portone_key", "portone_secret"):
            if not isinstance(body.get(name), str) or not body[name]:
                return required(name)
        key = body["portone_key"]
        if key not in self.fake.merchants:
            return portone_error(400, "4016", "MERCHANT_NOT_FOUND", "Merchant not found")
        if body["portone_secret"] != self.fake.merchants[key]:
            return portone_error(
                400, "4099", "INVALID_UNAUTHORISED_PORTONE_SECRET_ERROR", "Invalid secret key"
            )
        return envelope(
            {"expires_in": self.fake.token_lifetime, "token": self.fake.mint(key)},
            message="Auth Token generated successfully!",
        )

    async def transaction_status(self, request: web.Request) -> web.Response:
        ref = request.match_info["merchant_order_ref"]
        txn = self.fake.state.transactions.get(ref)
        if txn is None:
            return unknown_reference("Invalid merchant order ref")
        return envelope(txn.status_content(), message="Transaction status fetched")

    async def transaction_details(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        order_ref = body.get("order_ref") if body else None
        if not isinstance(order_ref, str) or not order_ref:
            return invalid("Invalid Request, err : order_ref is required")
        if request.match_info["key"] != request.headers.get(CLIENT_KEY_HEADER):
            return invalid("Key does not match the header")
        txn = self.fake.state.by_order_ref(order_ref)
        if txn is None:
            return unknown_reference()
        return envelope(txn.details(), message="Transaction details fetched")
