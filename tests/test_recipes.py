"""The fake's signature recipes are its own, agree with the library's, and catch a wrong one."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest

import aioportone._signatures
import aioportone._signatures_subscriptions
from aioportone import PortOneClient, PortOneError, SignatureError
from aioportone._secrets import Secret
from aioportone._signatures import sign_payment_request, verify_payment_webhook
from aioportone._signatures_subscriptions import sign_deduction, sign_plan, sign_subscription
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne
from aioportone.testing._recipes import (
    PAYMENT_REQUEST_FIELDS,
    portone_number,
    portone_signature,
    signed_fields,
)
from tests._fixtures import link_args

SECRET = "0123456789abcdef0123456789abcdef"

# Payment requests that exercise the recipe's corners: whole and fractional amounts, float
# artefacts, tiny amounts, spaces, '~', '*', '&', '=' and non-ASCII text in the signed fields.
PAYMENT_REQUESTS: list[dict[str, Any]] = [
    {"amount": 500, "currency": "THB", "merchant_order_id": "ORDER-1"},
    {"amount": 100.5, "currency": "VND", "merchant_order_id": "ORDER 2"},
    {"amount": 0.1 + 0.2, "currency": "USD", "merchant_order_id": "a~b*c"},
    {"amount": 1e-7, "currency": "SGD", "merchant_order_id": "k=v&x=y"},
    {"amount": 12345678901234, "currency": "IDR", "merchant_order_id": "주문-ü-€"},
]


def _library_payment_request(body: Mapping[str, Any]) -> str:
    return sign_payment_request(
        secret_key=SECRET,
        portone_key=DEMO_CLIENT_KEY,
        amount=body["amount"],
        currency=body["currency"],
        merchant_order_id=body["merchant_order_id"],
        success_url="https://shop.example/ok?a=1 b",
        failure_url="https://shop.example/ko#x",
    )


def _fake_payment_request(body: Mapping[str, Any]) -> str:
    values = {
        **body,
        "client_key": DEMO_CLIENT_KEY,
        "success_url": "https://shop.example/ok?a=1 b",
        "failure_url": "https://shop.example/ko#x",
    }
    return portone_signature(SECRET, signed_fields(values, PAYMENT_REQUEST_FIELDS))


@pytest.mark.parametrize("body", PAYMENT_REQUESTS)
def test_payment_request_recipes_agree(body: dict[str, Any]) -> None:
    """The library and the fake sign every payment request alike, corner cases included."""
    assert _library_payment_request(body) == _fake_payment_request(body)


def test_payment_request_known_answer() -> None:
    """One payment-request signature, pinned: both recipes drifting together still fails."""
    body = PAYMENT_REQUESTS[1]
    # HMAC-SHA256 (key SECRET), base64, of the sorted form-encoded fields:
    # amount=100.5&client_key=demoPortOneKey01&currency=VND&failure_url=https%3A%2F%2F
    # shop.example%2Fko%23x&merchant_order_id=ORDER+2&success_url=https%3A%2F%2Fshop.example
    # %2Fok%3Fa%3D1+b  (one line; any HMAC tool reproduces the value from it).
    expected = "GJ14hN57okYtB9B8cXhl4nkYobknW/k3rwFfV1AZ72o="
    assert _fake_payment_request(body) == expected == _library_payment_request(body)


def test_subscription_recipes_agree() -> None:
    """Plans, subscriptions and deductions are signed alike by the library and the fake."""
    fake_plan = portone_signature(
        SECRET,
        signed_fields(
            {"amount": 99.9, "client_key": "K", "currency": "THB", "frequency": 3},
            ["amount", "client_key", "currency", "frequency"],
        )
        | {"merchant_order_ref": "PLAN 1"},
    )
    assert fake_plan == sign_plan(
        secret_key=SECRET,
        portone_key="K",
        currency="THB",
        merchant_order_ref="PLAN 1",
        amount=99.9,
        frequency=3,
    )
    fields = {"client_key": "K", "currency": "THB", "merchant_order_ref": "S~1"}
    urls = {"success_url": "https://a.example/?x=1&y=2", "failure_url": "https://a.example/f"}
    assert portone_signature(SECRET, fields | urls) == sign_subscription(
        secret_key=SECRET,
        portone_key="K",
        currency="THB",
        merchant_order_ref="S~1",
        success_url=urls["success_url"],
        failure_url=urls["failure_url"],
    )
    deduction = {"amount": portone_number(10), "subscription_order_ref": "SUB*2"}
    assert portone_signature(SECRET, fields | deduction) == sign_deduction(
        secret_key=SECRET,
        portone_key="K",
        currency="THB",
        merchant_order_ref="S~1",
        subscription_order_ref="SUB*2",
        amount=10,
    )


def _unsorted(secret: Secret, fields: Mapping[str, str]) -> str:
    """The recipe with one step wrong: the fields are encoded in reverse key order."""
    message = urlencode(sorted(fields.items(), reverse=True)).encode()
    digest = hmac.new(secret.reveal().encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def test_fake_refuses_a_link_the_library_signed_wrongly(
    fake: FakePortOne, client: PortOneClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library recipe that forgets to sort the fields fails against the fake: no link made."""
    monkeypatch.setattr(aioportone._signatures, "_compute", _unsorted)
    with pytest.raises(PortOneError) as caught:
        await client.payment_links.create(**link_args())
    assert "4011" in str(caught.value)
    assert fake.state.links == {}


async def test_fake_refuses_a_plan_the_library_signed_wrongly(
    fake: FakePortOne, client: PortOneClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong subscription recipe in the library fails against the fake: no plan made."""
    monkeypatch.setattr(aioportone._signatures_subscriptions, "_compute", _unsorted)
    with pytest.raises(PortOneError):
        await client.subscriptions.create_plan(
            merchant_order_ref="PLAN-OD", plan_type="ONDEMAND", name="Rides", currency="THB"
        )
    assert fake.state.subscriptions.plans == {}


def test_library_refuses_a_fake_webhook_when_its_recipe_is_wrong(
    fake: FakePortOne, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake's webhook verifies with the library's recipe, and not with a wrong one."""
    txn = fake.state.add_transaction("ORDER-9", amount=100.5)
    webhook = fake.state.payment_webhook(txn)
    assert verify_payment_webhook(webhook, DEMO_SECRET_KEY).merchant_order_ref == "ORDER-9"
    monkeypatch.setattr(aioportone._signatures, "_compute", _unsorted)
    with pytest.raises(SignatureError):
        verify_payment_webhook(webhook, DEMO_SECRET_KEY)


def test_fake_never_calls_the_library_recipes() -> None:
    """No module of the fake imports the library's signing modules."""
    import ast
    from pathlib import Path

    import aioportone.testing

    for path in Path(aioportone.testing.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert "_signatures" not in (node.module or ""), path.name
