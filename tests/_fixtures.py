"""Helpers shared by the resource tests: a link-creation call, and clients with other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aioportone import PortOneClient, RetryPolicy
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

SUCCESS_URL = "https://shop.example/success"
FAILURE_URL = "https://shop.example/failure"


def link_args(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``payment_links.create`` with sensible values."""
    args: dict[str, Any] = {
        "merchant_order_id": "ORDER-1001",
        "amount": 2500,
        "currency": "THB",
        "country_code": "TH",
        "merchant_name": "Demo Shop",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
    }
    args.update(overrides)
    return args


def raw_link_body(**changes: Any) -> dict[str, Any]:
    """A payment-link request body for ``client.request``, bypassing the resource's checks;
    a change to None drops that field. Its signature_hash is wrong unless replaced."""
    body: dict[str, Any] = {
        "portone_key": DEMO_CLIENT_KEY,
        "merchant_order_id": "RAW-1",
        "amount": 10,
        "currency": "THB",
        "country_code": "TH",
        "merchant_details": {"name": "Shop", "promo_discount": 0, "shipping_charges": 0},
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
        "source": "api",
        "environment": "sandbox",
        "signature_hash": "not-the-signature",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@asynccontextmanager
async def open_client(
    fake: FakePortOne, clock: FakeClock, **options: Any
) -> AsyncIterator[PortOneClient]:
    """A client of the demo merchant on ``fake``; ``options`` go to :class:`PortOneClient`.

    Retries wait zero seconds unless ``retry`` is given: a backoff would sleep on the fake
    clock, which only moves when a test advances it.
    """
    options.setdefault("retry", RetryPolicy(backoff_base=0.0, backoff_max=0.0))
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, **options
    ) as portone:
        yield portone
