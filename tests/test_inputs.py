"""Hostile or mistaken inputs are refused before sending, with a ConfigurationError naming them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient, TokenManager, webhooks
from aioportone.testing import DEMO_CLIENT_KEY, FakePortOne

from ._fixtures import link_args

CANARY = "canary-secret-0123456789abcdef0123456789"


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"notes": float("nan")}, "extra['notes']"),
        ({"order_details": [{"price": float("inf")}]}, "extra['order_details'][0]['price']"),
        ({"notes": "caf\udce9"}, "extra['notes']"),
        ({"notes": {1, 2}}, "extra['notes']"),
        ({"notes": Decimal("1.5")}, "extra['notes']"),
        ({"notes": object()}, "extra['notes']"),
    ],
)
async def test_extra_that_is_not_json_is_refused(
    fake: FakePortOne, client: PortOneClient, extra: dict[str, Any], where: str
) -> None:
    """NaN, a lone surrogate or a non-JSON value in extra is named, never sent as broken JSON."""
    with pytest.raises(ConfigurationError) as info:
        await client.payment_links.create(**link_args(extra=extra))
    assert info.value.argument == where
    assert fake.calls("paymentLink") == []


async def test_deeply_nested_extra_is_refused(fake: FakePortOne, client: PortOneClient) -> None:
    """A body nested thousands deep is a ConfigurationError, not a RecursionError."""
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ConfigurationError, match="deeper"):
        await client.payment_links.create(**link_args(extra={"notes": deep}))
    assert fake.calls("paymentLink") == []


@pytest.mark.parametrize("field", ["Environment", "AMOUNT", "Signature_Hash", "portone_KEY"])
async def test_reserved_fields_in_any_case_are_refused(
    fake: FakePortOne, client: PortOneClient, field: str
) -> None:
    """extra={"Environment": "live"} cannot override the method's own field in another case."""
    with pytest.raises(ConfigurationError) as info:
        await client.payment_links.create(**link_args(extra={field: "live"}))
    assert info.value.argument == "extra"
    assert field in info.value.problem
    assert fake.calls("paymentLink") == []


@pytest.mark.parametrize(
    "body", [{"amount": float("nan")}, [float("-inf")], {"a": "\ud800"}, {"s": {1}}]
)
async def test_request_json_that_is_not_json_is_refused(
    fake: FakePortOne, client: PortOneClient, body: Any
) -> None:
    """request(json=...) with NaN, a lone surrogate or a set raises before anything is sent."""
    before = len(fake.requests)
    with pytest.raises(ConfigurationError) as info:
        await client.request("POST", "/api/paymentLink", json=body)
    assert info.value.argument.startswith("json")
    assert len(fake.requests) == before


async def test_lone_surrogate_reference_is_a_configuration_error(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A reference holding a stray byte raises ConfigurationError, not UnicodeEncodeError."""
    with pytest.raises(ConfigurationError) as info:
        await client.transactions.status("ORDER-\udcff")
    assert info.value.argument == "merchant_order_ref"
    assert fake.calls("status") == []


def test_stray_byte_in_the_secret_env_var_never_shows_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A non-UTF-8 byte in $PORTONE_SECRET_KEY: ConfigurationError with its position, no secret."""
    monkeypatch.setenv("PORTONE_SECRET_KEY", CANARY + "\udcff")  # what os.environ makes of 0xff
    with pytest.raises(ConfigurationError) as info:
        TokenManager(DEMO_CLIENT_KEY)
    error = info.value
    assert error.argument.startswith("secret_key")
    assert f"character {len(CANARY) + 1}" in error.problem
    for shown in (str(error), repr(error), repr(error.__context__), repr(error.__cause__)):
        assert CANARY not in shown


def test_stray_byte_in_a_webhook_secret_never_shows_the_secret() -> None:
    """webhooks.verify_* with a secret holding a lone surrogate: ConfigurationError, no secret."""
    with pytest.raises(ConfigurationError) as info:
        webhooks.verify_payment_webhook(b"{}", CANARY + "\udcff")
    assert info.value.__context__ is None
    assert CANARY not in repr(info.value)
