"""The fake's merchant-side transaction updates: free fields of the details, COD status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ._routes_common import (
    envelope,
    invalid,
    json_object,
    key_mismatch,
    required,
    unknown_reference,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["DETAIL_FIELDS", "install"]

# payment.yaml, PUT /api/{portOneKey}/update-transaction-details/{merchant_order_ref}.
DETAIL_FIELDS = ("description", *(f"user_configured_field{n}" for n in range(1, 6)))
# payment.yaml, PUT /api/transaction/status: a cash-on-delivery order is settled either way.
COD_STATUSES = ("Success", "Failed")


def install(app: web.Application, fake: Server) -> None:
    routes = _TransactionUpdates(fake)
    app.router.add_put(
        "/api/{key}/update-transaction-details/{merchant_order_ref}", routes.update_details
    )
    app.router.add_put("/api/transaction/status", routes.cod_status)


class _TransactionUpdates:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    async def update_details(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        txn = self.fake.state.transactions.get(request.match_info["merchant_order_ref"])
        if txn is None:
            return unknown_reference("Invalid merchant order ref")
        body = await json_object(request)
        if not body:
            return invalid("Invalid Request body")
        unknown = sorted(set(body) - set(DETAIL_FIELDS))
        if unknown:
            return invalid(f"Invalid Request, err : {unknown[0]} cannot be updated")
        if not all(isinstance(value, str) for value in body.values()):
            return invalid("Invalid Request, err : the fields must be strings")
        # Stored with the transaction: the details lookup shows them from now on.
        txn.extra.update(body)
        return envelope(dict(body), message="Transaction details updated successfully")

    async def cod_status(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None:
            return invalid("Invalid Request body")
        for name in ("status", "merchant_order_ref", "signature"):
            if not isinstance(body.get(name), str) or not body[name]:
                return required(name)
        # PortOne documents no recipe for this signature, so the fake cannot recompute it: it
        # requires one and records it (fake.requests) for the test to compare.
        if body["status"] not in COD_STATUSES:
            return invalid("Invalid Request, err : status must be Success or Failed")
        txn = self.fake.state.transactions.get(body["merchant_order_ref"])
        if txn is None:
            return unknown_reference("Invalid merchant order ref")
        txn.status = body["status"]
        return envelope(message="Transaction status updated successfully")
