"""The fake's payment-link, transaction-listing, capture and signature routes."""

from __future__ import annotations

import hmac
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._recipes import PAYMENT_REQUEST_FIELDS, portone_signature, signed_fields
from ._records import FINAL_LINK_STATUSES, PaymentLink, iso_time
from ._routes_common import (
    CLIENT_KEY_HEADER,
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

# payment.yaml, POST /api/paymentLink: the required fields.
LINK_REQUIRED = (
    "portone_key",
    "merchant_order_id",
    "amount",
    "currency",
    "signature_hash",
    "country_code",
    "merchant_details",
    "success_url",
    "failure_url",
    "source",
    "environment",
)
# Fields an update may not change: who owns the link, which order it is, how it was signed.
LINK_FIXED = frozenset({"portone_key", "merchant_order_id", "signature_hash", "environment"})
LISTING_REQUIRED = ("page", "size", "from", "to", "environment")
SIGNATURE_REQUIRED = (
    "portone_key",
    "currency",
    "amount",
    "merchant_order_id",
    "success_url",
    "failure_url",
)


def install(app: web.Application, fake: Server) -> None:
    routes = _PaymentRoutes(fake)
    add = app.router
    add.add_post("/api/paymentLink", routes.create_link)
    add.add_put("/api/update-paylink/{ref}", routes.update_link)
    add.add_put("/api/paymentLink/{ref}/status/{link_status}", routes.set_link_status)
    add.add_get("/api/paymentLink/{ref}/fetch-status", routes.link_status)
    add.add_get("/api/merchant/{key}/paymentLink/{merchant_ref}/status", routes.link_by_merchant)
    add.add_get("/api/paymentLink/{merchant_ref}/status", routes.link_by_merchant)
    add.add_post("/api/merchant/{key}/fetch-all-payments", routes.list_payments)
    add.add_post("/api/transaction/{order_ref}/capture", routes.capture)
    add.add_post("/api/merchant/generate-signature", routes.generate_signature)


def _link_error(status: int, code: str, reason: str, message: str) -> web.Response:
    # payment.yaml: payment-link failures carry is_success: false besides the usual fields.
    return web.json_response(
        {"is_success": False, "message": message, "status_code": code, "status_reason": reason},
        status=status,
    )


def _unknown_link(ref: str) -> web.Response:
    return portone_error(400, "4083", "INVALID_PAYMENT_LINK_REF", f"Invalid payment link: {ref}")


def _is_amount(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


class _PaymentRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    def _sign(self, key: str, body: dict[str, Any]) -> str | web.Response:
        """The payment-request signature PortOne computes for ``body``, or a 4001 answer."""
        for name in PAYMENT_REQUEST_FIELDS:
            if name not in ("amount", "client_key") and not isinstance(body[name], str):
                return invalid(f"Invalid Request, err : {name} must be a string")
        try:
            fields = signed_fields({**body, "client_key": key}, PAYMENT_REQUEST_FIELDS)
        except TypeError:
            return invalid("Invalid Request, err : amount must be a number")
        return portone_signature(self.fake.merchants[key], fields)

    # -- payment links --------------------------------------------------------------------------

    async def create_link(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if body is None:
            return invalid("Invalid Request body")
        missing = missing_field(body, LINK_REQUIRED)
        if missing == "signature_hash":
            # https://docs.portone.cloud/docs/payment-link-api: PortOne answers 401 (not 400)
            # when the signature is missing; it is not a token problem.
            return _link_error(
                401, "4001", "INVALID_PAYMENT_REQUEST", "signature_hash is a required field"
            )
        if missing is not None:
            return required(missing)
        details = body["merchant_details"]
        if not isinstance(details, dict) or missing_field(details, ("name",)) is not None:
            return required("merchant_details.name")
        client_key = request.headers.get(CLIENT_KEY_HEADER, "")
        if body["portone_key"] != client_key:
            return _link_error(
                401,
                "4010",
                "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR",
                "portone_key does not match the client key",
            )
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        if not _is_amount(body["amount"]):
            return bad_amount()
        expected = self._sign(client_key, body)
        if isinstance(expected, web.Response):
            return expected
        received = body["signature_hash"]
        if not isinstance(received, str) or not hmac.compare_digest(
            expected.encode(), received.encode("utf-8", "replace")
        ):
            return _link_error(
                401,
                "4011",
                "INVALID_UNAUTHORISED_TRANSACTION_SIGNATURE_ERROR",
                "signature_hash does not match the request",
            )
        owner = owner_key(request)
        if owner != request.headers.get(CLIENT_KEY_HEADER, owner):
            self.fake.state.masters[owner] = request.headers[CLIENT_KEY_HEADER]
        if self.fake.state.link_by_merchant_ref(owner, body["merchant_order_id"]) is not None:
            # https://docs.portone.cloud/docs/error-codes: 4002 DUPLICATE_TRANSACTION_ERROR.
            return _link_error(
                400,
                "4002",
                "DUPLICATE_TRANSACTION_ERROR",
                f"Duplicate merchant_order_id: {body['merchant_order_id']}",
            )
        link = self.fake.state.add_link(owner, body)
        # A bare object, no envelope (payment.yaml).
        return web.json_response({"payment_link_ref": link.ref, "payment_link": link.url})

    def _own_link(self, request: web.Request, ref: str) -> PaymentLink | None:
        link = self.fake.state.links.get(ref)
        if link is None:
            return None
        if link.owner_key == owner_key(request) or self._master_of(request, link.owner_key):
            return link
        return None

    def _master_of(self, request: web.Request, key: str) -> bool:
        """Whether the caller is the master merchant of sub-merchant ``key``."""
        master = self.fake.state.masters.get(key)
        return master is not None and master == request.headers.get(CLIENT_KEY_HEADER)

    async def link_status(self, request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        link = self._own_link(request, ref)
        if link is None:
            return _unknown_link(ref)
        return envelope(link.status_content(), message="Payment link status fetched")

    async def link_by_merchant(self, request: web.Request) -> web.Response:
        key = request.match_info.get("key")
        if (
            key is not None
            and not self._master_of(request, key)
            and (problem := key_mismatch(request, key)) is not None
        ):
            return problem
        merchant_ref = request.match_info["merchant_ref"]
        link = self.fake.state.link_by_merchant_ref(key or owner_key(request), merchant_ref)
        if link is None:
            return _unknown_link(merchant_ref)
        return envelope(link.status_content(), message="Payment link status fetched")

    async def set_link_status(self, request: web.Request) -> web.Response:
        if request.match_info["link_status"] != "cancelled":
            # payment.yaml: only "cancelled" may be set, and PortOne answers 401 otherwise.
            return portone_error(
                401,
                "4001",
                "INVALID_PAYMENT_REQUEST",
                "Invalid status! Only cancelled status is allowed",
            )
        ref = request.match_info["ref"]
        link = self._own_link(request, ref)
        if link is None:
            return _unknown_link(ref)
        if link.status in FINAL_LINK_STATUSES - {"Cancelled"}:
            return invalid(f"Payment link is {link.status} and cannot be cancelled")
        link.status = "Cancelled"
        return envelope(message="Payment link status updated successfully to cancelled")

    async def update_link(self, request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        link = self._own_link(request, ref)
        if link is None:
            return _unknown_link(ref)
        body = await json_object(request)
        if not body:
            return invalid("Invalid Request body")
        if link.status in FINAL_LINK_STATUSES:
            return invalid(f"Payment link is {link.status} and cannot be updated")
        if "amount" in body and not _is_amount(body["amount"]):
            return bad_amount()
        fixed = sorted(LINK_FIXED.intersection(body))
        if fixed:
            return invalid(f"Invalid Request, err : {fixed[0]} cannot be updated")
        link.body.update(body)
        return envelope(link.details(), message="Payment link updated successfully")

    # -- transactions ---------------------------------------------------------------------------

    async def list_payments(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        if (problem := key_mismatch(request, key)) is not None:
            return problem
        body = await json_object(request)
        missing = missing_field(body, LISTING_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "page")
        page, size = body["page"], body["size"]
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in (page, size)):
            return invalid("Invalid Request, err : page and size must be at least 1")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        try:
            start = datetime.fromisoformat(body["from"]).timestamp()
            end = datetime.fromisoformat(body["to"]).timestamp()
        except (TypeError, ValueError):
            return invalid("Invalid Request, err : from and to must be ISO 8601 date-times")
        matching = sorted(
            (
                t
                for t in self.fake.state.transactions.values()
                if t.environment == body["environment"] and start <= t.created_at <= end
            ),
            key=lambda t: t.created_at,
            reverse=True,
        )
        chunk = matching[(page - 1) * size : page * size]
        return web.json_response(
            {
                # The listing nests its page under "body" (payment.yaml).
                "body": {
                    "content": [t.details() for t in chunk],
                    "total_elements": len(matching),
                    "total_pages": math.ceil(len(matching) / size),
                    "size": size,
                    "page": page,
                    "number_of_elements": len(chunk),
                },
                "message": "Transactions fetched successfully",
                "status_code": "2000",
                "status_reason": "SUCCESS",
            }
        )

    async def capture(self, request: web.Request) -> web.Response:
        order_ref = request.match_info["order_ref"]
        txn = self.fake.state.by_order_ref(order_ref)
        if txn is None:
            # payment.yaml: capture answers 404 for an unknown transaction.
            return unknown_reference("Transaction not found", status=404)
        if txn.captured:
            return invalid("Transaction is already captured")
        txn.captured = True
        txn.extra["captured_at"] = iso_time(self.fake.now())
        return envelope(message="Transaction captured successfully")

    async def generate_signature(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, SIGNATURE_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "portone_key")
        key = body["portone_key"]
        if key != request.headers.get(CLIENT_KEY_HEADER) or key not in self.fake.merchants:
            return portone_error(
                400, "4016", "MERCHANT_NOT_FOUND", f"Merchant not found for this key : {key}"
            )
        if not _is_amount(body["amount"]):
            return bad_amount()
        signature = self._sign(key, body)
        if isinstance(signature, web.Response):
            return signature
        return envelope({"signature": signature}, message="Signature generated successfully!")
