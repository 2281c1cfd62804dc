"""The fake's checkout route: ``POST /api/initiatePayment`` (payment.yaml).

PortOne declares it without a JWT (the fake's middleware lets it through): the client key
header must name a merchant, the body's ``key`` must be that key, and the ``signature_hash`` is
recomputed with the fake's own copy of the payment-request recipe, never the library's.
"""

from __future__ import annotations

import hmac
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._recipes import portone_number, portone_signature
from ._routes_common import (
    CLIENT_KEY_HEADER,
    bad_amount,
    bad_environment,
    invalid,
    json_object,
    missing_field,
    portone_error,
    required,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["install"]

# payment.yaml: the required fields of initiatePayment.
INITIATE_REQUIRED = (
    "key",
    "merchant_order_id",
    "pmt_channel",
    "pmt_method",
    "description",
    "environment",
    "amount",
    "currency",
    "signature_hash",
    "success_url",
    "failure_url",
)
TRANSACTION_TYPES = ("PURCHASE", "PREAUTH")


def install(app: web.Application, fake: Server) -> None:
    app.router.add_post("/api/initiatePayment", _CheckoutRoutes(fake).initiate_payment)


class _CheckoutRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    async def initiate_payment(self, request: web.Request) -> web.Response:
        client_key = request.headers.get(CLIENT_KEY_HEADER, "")
        secret = self.fake.merchants.get(client_key)
        if secret is None:
            return portone_error(
                401,
                "4010",
                "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR",
                "invalid or missing client key",
            )
        body = await json_object(request)
        if body is None:
            return invalid("Invalid Request body")
        missing = missing_field(body, INITIATE_REQUIRED)
        if missing is not None:
            return required(missing)
        if body["key"] != client_key:
            return portone_error(
                401,
                "4010",
                "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR",
                "key does not match the client key",
            )
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        amount = body["amount"]
        if not _positive_number(amount):
            return bad_amount()
        if body.get("transaction_type", "PURCHASE") not in TRANSACTION_TYPES:
            return invalid("Invalid Request, err : transaction_type must be PURCHASE or PREAUTH")
        texts = ("currency", "merchant_order_id", "success_url", "failure_url")
        if not all(isinstance(body[name], str) for name in texts):
            return invalid("Invalid Request, err : string fields expected")
        # https://docs.portone.cloud/docs/payment-request: the six signed fields.
        expected = portone_signature(
            secret,
            {
                "amount": portone_number(amount),
                "client_key": client_key,
                **{name: body[name] for name in texts},
            },
        )
        received = body["signature_hash"]
        if not isinstance(received, str) or not hmac.compare_digest(
            expected.encode(), received.encode("utf-8", "replace")
        ):
            return portone_error(
                401,
                "4011",
                "INVALID_UNAUTHORISED_TRANSACTION_SIGNATURE_ERROR",
                "signature_hash does not match the request",
            )
        txn = self.fake.state.add_transaction(
            body["merchant_order_id"],
            amount=float(amount),
            currency=body["currency"],
            status="Initiated",
            channel_key=str(body["pmt_channel"]),
            method_name=str(body["pmt_method"]),
            environment=str(body["environment"]),
        )
        # A bare object, no envelope (payment.yaml's 200 example).
        return web.json_response(
            {
                "is_success": True,
                "redirect_url": f"{self.fake.url}/checkout/{txn.order_ref}",
                "channel_order_ref": txn.channel_order_ref,
                "merchant_order_ref": txn.merchant_order_ref,
                "order_ref": txn.order_ref,
                "message": "",
                "deep_link": "",
                # The schema declares an object; the example's null would not validate.
                "additional_data": {},
                "qrcode_url": "",
                "expiry_in_minutes": "20",
            }
        )


def _positive_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value > 0
