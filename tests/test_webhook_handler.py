"""webhook_handler served by a real aiohttp server on 127.0.0.1, called by a real client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from structlog.testing import LogCapture

from aioportone._errors import ConfigurationError
from aioportone.webhooks import (
    Handler,
    PaymentEvent,
    PaymentLinkEvent,
    RefundEvent,
    SubscriptionLinkEvent,
    webhook_handler,
)


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


SECRET = "handler-secret-7c1d0e"

PAYMENT = {
    "currency": "USD",
    "amount": 100.5,
    "order_ref": "2mbbExY77pp8iC0AQ1ucWymnd3c",
    "channel_order_ref": "20240926HULUNYGP6MA2",
    "merchant_order_ref": "order-42",
    "country_code": "US",
    "status": "Success",
    "channel_key": "PAYLETTER",
    "method_name": "Payletter Credit Card",
    "environment": "sandbox",
}


def _sign(fields: Mapping[str, str], secret: str = SECRET) -> str:
    """The recipe, written out: sorted, form-encoded, HMAC-SHA256, standard base64."""
    message = urlencode(sorted(fields.items())).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def _signed_payment(secret: str = SECRET) -> dict[str, Any]:
    fields = {name: str(value) for name, value in PAYMENT.items() if name != "environment"}
    return {**PAYMENT, "signature_hash": _sign(fields, secret)}


@asynccontextmanager
async def _serve(handler: Handler) -> AsyncIterator[Callable[[bytes], Awaitable[tuple[int, Any]]]]:
    """Serve ``handler`` at POST /hook on loopback; yield a function that posts a body."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:

        async def post(body: bytes) -> tuple[int, Any]:
            headers = {"Content-Type": "application/json"}
            async with session.post(server.make_url("/hook"), data=body, headers=headers) as resp:
                return resp.status, await resp.json()

        yield post


async def test_good_signature_is_acknowledged_with_a_typed_event(logs: LogCapture) -> None:
    """A correctly signed payment webhook gets 200 and on_event receives a PaymentEvent; the
    verification logs nothing."""
    received: list[PaymentEvent] = []

    async def on_event(event: PaymentEvent) -> None:
        received.append(event)

    async with _serve(webhook_handler(SECRET, on_event)) as post:
        status, body = await post(json.dumps(_signed_payment()).encode())
    assert (status, body) == (200, {"received": True})
    [event] = received
    assert isinstance(event, PaymentEvent)
    assert (event.order_ref, event.merchant_order_ref) == (PAYMENT["order_ref"], "order-42")
    assert (event.amount, event.currency, event.status) == (Decimal("100.5"), "USD", "Success")
    assert event.raw["environment"] == "sandbox"
    assert logs.entries == []


@pytest.mark.parametrize(
    "payload",
    [
        {**_signed_payment(), "status": "Failed"},
        _signed_payment(secret="someone-else"),
        {k: v for k, v in _signed_payment().items() if k != "signature_hash"},
    ],
    ids=["tampered", "wrong-secret", "no-signature"],
)
async def test_bad_signature_is_refused_and_not_delivered(
    payload: dict[str, Any], logs: LogCapture
) -> None:
    """A webhook that fails verification gets 401 and on_event is never called; the refusal is
    the answer, not a log event."""
    received: list[PaymentEvent] = []

    async def on_event(event: PaymentEvent) -> None:
        received.append(event)

    async with _serve(webhook_handler(SECRET, on_event)) as post:
        status, body = await post(json.dumps(payload).encode())
    assert status == 401
    assert body["received"] is False
    assert "signature" in body["error"]
    assert SECRET not in json.dumps(body)
    assert _signed_payment()["signature_hash"] not in json.dumps(body)
    assert received == []
    assert logs.entries == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2, 3]", b"\xff\xfe", b'{"amount": NaN}'])
async def test_malformed_body_is_a_bad_request(raw: bytes) -> None:
    """A body that is not a JSON object gets 400 and on_event is never called."""
    received: list[PaymentEvent] = []

    async def on_event(event: PaymentEvent) -> None:
        received.append(event)

    async with _serve(webhook_handler(SECRET, on_event)) as post:
        status, body = await post(raw)
    assert status == 400
    assert body["received"] is False
    assert received == []


async def test_payment_link_kind_reads_country_code_from_camel_case() -> None:
    """kind="payment_link" verifies a payment-link webhook whose country is in countryCode."""
    received: list[PaymentLinkEvent] = []

    async def on_event(event: PaymentLinkEvent) -> None:
        received.append(event)

    payload = {
        "link_ref": "2mbaHZ6VVokmHJNtKafVCyIZIxv",
        "currency": "JPY",
        "amount": 500,
        "countryCode": "JP",
        "status": "Success",
        "merchant_order_ref": "1779AA6E40071177",
    }
    fields = {k: str(v) for k, v in payload.items() if k != "countryCode"} | {"country_code": "JP"}
    payload["signature_hash"] = _sign(fields)
    async with _serve(webhook_handler(SECRET, on_event, kind="payment_link")) as post:
        status, _ = await post(json.dumps(payload).encode())
    assert status == 200
    [event] = received
    assert (event.link_ref, event.country_code, event.amount) == (
        "2mbaHZ6VVokmHJNtKafVCyIZIxv",
        "JP",
        Decimal(500),
    )


async def test_subscription_link_kind_is_verified() -> None:
    """kind="subscription_link" verifies and delivers a SubscriptionLinkEvent."""
    received: list[SubscriptionLinkEvent] = []

    async def on_event(event: SubscriptionLinkEvent) -> None:
        received.append(event)

    fields = {
        "currency": "VND",
        "merchant_order_ref": "sub-1",
        "order_ref": "o1",
        "status": "Active",
    }
    payload = {**fields, "collected_amount": 103, "signature_hash": _sign(fields)}
    async with _serve(webhook_handler(SECRET, on_event, kind="subscription_link")) as post:
        status, _ = await post(json.dumps(payload).encode())
        tampered_status, _ = await post(json.dumps({**payload, "status": "Paused"}).encode())
    assert (status, tampered_status) == (200, 401)
    assert [event.status for event in received] == ["Active"]


async def test_refund_kind_delivers_unsigned_events() -> None:
    """kind="refund" delivers refund webhooks, which PortOne does not sign, for reconciling."""
    received: list[RefundEvent] = []

    async def on_event(event: RefundEvent) -> None:
        received.append(event)

    payload = {"refund_id": "r1", "amount": 500, "payment_txn_ref": "2mbZeehV4ZhkLTwVcL2fHukBg4J"}
    async with _serve(webhook_handler(SECRET, on_event, kind="refund")) as post:
        status, _ = await post(json.dumps(payload).encode())
        missing_status, body = await post(json.dumps({"refund_id": "r2"}).encode())
    assert status == 200
    assert [event.order_ref for event in received] == ["2mbZeehV4ZhkLTwVcL2fHukBg4J"]
    assert missing_status == 400
    assert "payment_txn_ref" in body["error"]


async def test_failing_callback_is_not_acknowledged() -> None:
    """If on_event raises, PortOne gets a 500 rather than a 200 acknowledgement."""

    async def on_event(event: PaymentEvent) -> None:
        raise RuntimeError("database down")

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(SECRET, on_event))
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        body = json.dumps(_signed_payment()).encode()
        async with session.post(server.make_url("/hook"), data=body) as resp:
            assert resp.status == 500


@pytest.mark.parametrize(
    ("secret", "kind", "argument"),
    [("", "payment", "secret_key"), (None, "payment", "secret_key"), (SECRET, "refunds", "kind")],
)
def test_handler_arguments_are_checked_up_front(secret: Any, kind: Any, argument: str) -> None:
    """webhook_handler refuses a missing secret or an unknown kind when the route is built."""

    async def on_event(event: PaymentEvent) -> None:
        del event

    with pytest.raises(ConfigurationError) as info:
        webhook_handler(secret, on_event, kind=kind)
    assert info.value.argument == argument
