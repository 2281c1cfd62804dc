"""The fake's pay-channel (PSP credential) routes (payment.yaml): add, update, read.

The client has no method for these (docs/operations.md, "Pay-channel credentials"): they are
reached with ``portone.request(...)``, and the fake serves them so such code can be tested.
Credentials are kept per merchant, channel and environment; answers show them masked, as
payment.yaml's examples do: never the secret itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._routes_common import (
    bad_environment,
    envelope,
    invalid,
    json_object,
    key_mismatch,
    missing_field,
    portone_error,
    required,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["install"]

# payment.yaml: the required fields of the add and update bodies.
CREDS_REQUIRED = ("creds", "country", "environment")


def install(app: web.Application, fake: Server) -> None:
    routes = _PayChannelRoutes(fake)
    app.router.add_post("/api/merchant/{key}/add-pay-channel/{pckey}", routes.add)
    app.router.add_put("/api/merchant/{key}/add-pay-channel/{pckey}", routes.update)
    app.router.add_get("/api/merchant/{key}/pay-channel/{pckey}", routes.get)


def mask(value: Any) -> str:
    """A credential as PortOne shows it back: stars and its last three characters."""
    shown = str(value)
    return "*" * max(len(shown) - 3, 10) + shown[-3:]


class _PayChannelRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake
        # (merchant key, channel key) -> the stored body (creds, country, environment).
        self.channels: dict[tuple[str, str], dict[str, Any]] = {}

    async def add(self, request: web.Request) -> web.Response:
        return await self._store(request, message="Payment Channel Creds added successfully!")

    async def update(self, request: web.Request) -> web.Response:
        key, channel = request.match_info["key"], request.match_info["pckey"]
        if (key, channel) not in self.channels and key_mismatch(request, key) is None:
            return _unknown_channel()
        return await self._store(request, message="Payment Channel Creds updated successfully!")

    async def _store(self, request: web.Request, *, message: str) -> web.Response:
        key, channel = request.match_info["key"], request.match_info["pckey"]
        if (problem := key_mismatch(request, key)) is not None:
            return problem
        body = await json_object(request)
        missing = missing_field(body, CREDS_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "creds")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        creds = body["creds"]
        if not isinstance(creds, dict) or not creds:
            return invalid("Invalid Request, err : creds must be an object")
        self.channels[key, channel] = body
        content = {
            "MerchantUUID": key,
            "PaymentChannelKey": channel,
            "maskedData": {name: mask(value) for name, value in creds.items()},
        }
        return envelope(content, message=message)

    async def get(self, request: web.Request) -> web.Response:
        key, channel = request.match_info["key"], request.match_info["pckey"]
        if (problem := key_mismatch(request, key)) is not None:
            return problem
        # payment.yaml: environment and payType are required query parameters.
        if (problem := bad_environment(request.query.get("environment"))) is not None:
            return problem
        if not request.query.get("payType"):
            return required("payType")
        stored = self.channels.get((key, channel))
        if stored is None or stored["environment"] != request.query["environment"]:
            return _unknown_channel()
        item = {
            "key": channel,
            "type": "Gateway",
            "logo": "",
            "creds": {name: mask(value) for name, value in stored["creds"].items()},
            "is_enabled": True,
            "country": stored["country"],
            "pay_type": request.query["payType"],
            # payment.yaml's schema declares a string (its example shows a boolean).
            "is_va_flow": "false",
        }
        return envelope([item], message="Payment Channel Creds fetched successfully!")


def _unknown_channel() -> web.Response:
    # https://docs.portone.cloud/docs/error-codes: 4046 INVALID_PAYMENT_CHANNEL_KEY.
    return portone_error(400, "4046", "INVALID_PAYMENT_CHANNEL_KEY", "Payment channel not found")
