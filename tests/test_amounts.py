"""Amounts: what the caller meant goes on the wire, exactly, or the call is refused up front."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient
from aioportone._currencies import MAX_MINOR_UNITS, minor_units
from aioportone.testing import FakePortOne

from ._fixtures import link_args


def _wire_amount(body: bytes) -> str:
    """The amount exactly as written in the JSON bytes sent."""
    found = re.search(rb'"amount":\s*([^,}]+)', body)
    assert found is not None
    return found.group(1).decode()


@pytest.mark.parametrize(
    ("amount", "currency", "sent"),
    [
        (2500, "THB", "2500"),
        (12.5, "USD", "12.5"),
        (12.34, "USD", "12.34"),
        ("12.50", "USD", "12.5"),
        (Decimal("100.50"), "USD", "100.5"),
        (Decimal("1000.00"), "KRW", "1000"),
        ("50000", "VND", "50000"),
        (1500.0, "JPY", "1500"),
        (Decimal("1.234"), "KWD", "1.234"),
    ],
)
async def test_link_amount_goes_out_as_the_decimal_meant(
    fake: FakePortOne, client: PortOneClient, amount: Any, currency: str, sent: str
) -> None:
    """Ints, Decimals, decimal strings and exact floats reach PortOne as the plain decimal."""
    await client.payment_links.create(**link_args(amount=amount, currency=currency))
    assert _wire_amount(fake.requests[-1].body) == sent


@pytest.mark.parametrize(
    ("amount", "currency", "says"),
    [
        (0.1 + 0.2, "USD", "0.30000000000000004"),
        (100.5, "KRW", "KRW amounts can have no decimals"),
        (Decimal("1000.5"), "VND", "no decimals"),
        ("1.5", "JPY", "no decimals"),
        (Decimal("12.345"), "USD", "at most 2 decimals"),
        (Decimal("1.2345"), "KWD", "at most 3 decimals"),
        (float("nan"), "USD", "finite"),
        (float("inf"), "USD", "finite"),
        (Decimal("-Infinity"), "USD", "finite"),
        (Decimal("NaN"), "USD", "finite"),
        (0, "USD", "more than 0"),
        (-5, "USD", "more than 0"),
        ("-5", "USD", "more than 0"),
        (-0.0, "USD", "more than 0"),
        (5e-324, "USD", "decimals"),
        (1e300, "USD", "at most"),
        (Decimal("1E+400"), "USD", "at most"),
        (10**30, "USD", "at most"),
        ("1e3", "USD", "plain decimal"),
        (" 12", "USD", "plain decimal"),
        ("12,50", "USD", "plain decimal"),
        (True, "USD", "number"),
        (None, "USD", "number"),
    ],
)
async def test_bad_link_amounts_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, amount: Any, currency: str, says: str
) -> None:
    """Float artefacts, fractions of a zero-decimal currency, NaN, huge or tiny: refused."""
    with pytest.raises(ConfigurationError) as info:
        await client.payment_links.create(**link_args(amount=amount, currency=currency))
    assert info.value.argument == "amount"
    assert says in info.value.problem
    assert fake.calls("paymentLink") == []


@pytest.mark.parametrize(
    "amount", [5e-324, 0.1 + 0.2, Decimal("0.00001"), float("nan"), 0, "-1", 2**60]
)
async def test_bad_refund_amounts_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, amount: Any
) -> None:
    """A refund of 5e-324 or 0.30000000000000004 is never sent (no currency: at most 4 decimals)."""
    with pytest.raises(ConfigurationError) as info:
        await client.refunds.create("ORDER-R", amount=amount, channel="OMISE", reason="r")
    assert info.value.argument == "amount"
    assert fake.calls("/api/refund/") == []


async def test_refund_amount_as_a_decimal_string(fake: FakePortOne, client: PortOneClient) -> None:
    """A refund of "250.50" goes out as the number 250.5."""
    txn = fake.state.add_transaction("ORDER-R", channel_key="OMISE", amount=1000)
    await client.refunds.create(txn.order_ref, amount="250.50", channel="OMISE", reason="r")
    assert _wire_amount(fake.requests[-1].body) == "250.5"


async def test_update_checks_the_amount_against_the_new_currency(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """update(amount=1.5, currency="KRW") is refused; the link is not touched."""
    with pytest.raises(ConfigurationError, match="KRW"):
        await client.payment_links.update("LINK-1", amount=1.5, currency="KRW")
    assert fake.calls("update-paylink") == []


async def test_generate_signature_checks_the_amount(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """The remote signature request refuses a float artefact like a link does."""
    with pytest.raises(ConfigurationError):
        await client.signatures.generate(
            amount=0.1 + 0.2,
            currency="USD",
            merchant_order_id="O-1",
            success_url="https://shop.example/ok",
            failure_url="https://shop.example/ko",
        )
    assert fake.calls("generate-signature") == []


def test_minor_units_follow_iso_4217() -> None:
    """KRW/VND/JPY have no decimals, USD/THB/IDR two, KWD three; unknown currency: the most."""
    assert [minor_units(c) for c in ("KRW", "VND", "JPY", "USD", "THB", "IDR", "KWD")] == [
        0,
        0,
        0,
        2,
        2,
        2,
        3,
    ]
    assert minor_units(None) == MAX_MINOR_UNITS == 4
