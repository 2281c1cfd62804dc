"""portone.signatures: PortOne's generate-signature API, against the fake PortOne."""

from __future__ import annotations

import pytest

from aioportone import AuthenticationError, ConfigurationError, PortOneClient
from aioportone._signatures import sign_payment_request
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne
from tests._fixtures import FAILURE_URL, SUCCESS_URL


async def test_generate_signature_matches_the_local_recipe(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """signatures.generate() asks PortOne, whose answer equals the locally computed signature."""
    signature = await client.signatures.generate(
        amount=111.12,
        currency="THB",
        merchant_order_id="ORDER-S",
        success_url=SUCCESS_URL,
        failure_url=FAILURE_URL,
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", "/api/merchant/generate-signature")
    assert request.json["portone_key"] == DEMO_CLIENT_KEY
    assert request.json["amount"] == 111.12
    assert signature == sign_payment_request(
        secret_key=DEMO_SECRET_KEY,
        portone_key=DEMO_CLIENT_KEY,
        amount=111.12,
        currency="THB",
        merchant_order_id="ORDER-S",
        success_url=SUCCESS_URL,
        failure_url=FAILURE_URL,
    )


async def test_generate_signature_for_unknown_key_is_4016(client: PortOneClient) -> None:
    """PortOne's 4016 MERCHANT_NOT_FOUND raises AuthenticationError."""
    body = {
        "portone_key": "unknownKey",
        "currency": "THB",
        "amount": 1,
        "merchant_order_id": "X",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
    }
    with pytest.raises(AuthenticationError) as caught:
        await client.request("POST", "/api/merchant/generate-signature", json=body)
    assert caught.value.code == "4016"


async def test_generate_signature_checks_arguments(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A bad amount raises ConfigurationError before anything is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await client.signatures.generate(
            amount=0,
            currency="THB",
            merchant_order_id="X",
            success_url=SUCCESS_URL,
            failure_url=FAILURE_URL,
        )
    assert caught.value.argument == "amount"
    assert fake.calls("generate-signature") == []
