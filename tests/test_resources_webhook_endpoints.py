"""portone.webhook_endpoints against the fake PortOne, and the signed webhooks the fake
delivers to a registered endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp import web

from aioportone import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    PortOneClient,
    WebhookEndpoint,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne
from aioportone.webhooks import PaymentEvent, PaymentLinkEvent, webhook_handler
from tests._fixtures import link_args


async def test_register_posts_the_endpoint_and_parses_it(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """register() posts {name, url, type, environment} and returns the stored endpoint."""
    endpoint = await client.webhook_endpoints.register(
        name="payments", url="https://shop.example/hooks/portone", type="payment_status"
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("POST", f"/api/merchant/{DEMO_CLIENT_KEY}/webhook")
    assert request.json == {
        "name": "payments",
        "url": "https://shop.example/hooks/portone",
        "type": "payment_status",
        "environment": "sandbox",
    }
    assert isinstance(endpoint, WebhookEndpoint)
    assert (endpoint.name, endpoint.type, endpoint.enabled) == ("payments", "payment_status", True)
    assert endpoint.uuid
    assert endpoint.url == "https://shop.example/hooks/portone"


async def test_list_returns_the_endpoints_of_one_environment(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """list() sends ?environment= and returns only that environment's endpoints."""
    await client.webhook_endpoints.register(
        name="a", url="https://a.example/", type="payment_status"
    )
    await client.webhook_endpoints.register(
        name="b", url="https://b.example/", type="refund_status", environment="live"
    )
    sandbox = await client.webhook_endpoints.list()
    assert fake.requests[-1].query == {"environment": "sandbox"}
    assert [e.name for e in sandbox] == ["a"]
    live = await client.webhook_endpoints.list(environment="live")
    assert [(e.name, e.type) for e in live] == [("b", "refund_status")]


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"type": "payments"}, "type"),
        ({"url": "hooks.example/portone"}, "url"),
        ({"name": ""}, "name"),
        ({"environment": "staging"}, "environment"),
    ],
)
async def test_register_checks_arguments_before_any_request(
    fake: FakePortOne, client: PortOneClient, overrides: dict[str, str], argument: str
) -> None:
    """A bad registration argument raises ConfigurationError naming it; nothing is sent."""
    call = {"name": "n", "url": "https://shop.example/h", "type": "payment_status"}
    call.update(overrides)
    with pytest.raises(ConfigurationError) as caught:
        await client.webhook_endpoints.register(**call)  # type: ignore[arg-type]
    assert caught.value.argument == argument
    assert fake.calls("/webhook") == []


async def test_listing_another_merchants_endpoints_is_refused(client: PortOneClient) -> None:
    """A path key that is not the caller's is refused with 4010 (AuthenticationError)."""
    with pytest.raises(AuthenticationError) as caught:
        await client.request(
            "GET", "/api/merchant/someoneElse/webhook", params={"environment": "live"}
        )
    assert caught.value.code == "4010"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[object]]]:
    """A merchant's webhook endpoint on loopback that verifies signatures like a real one."""
    events: list[object] = []

    async def keep(event: object) -> None:
        events.append(event)

    app = web.Application()
    app.router.add_post("/payment", webhook_handler(DEMO_SECRET_KEY, keep))
    app.router.add_post("/link", webhook_handler(DEMO_SECRET_KEY, keep, kind="payment_link"))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}", events
    finally:
        await runner.cleanup()


async def test_fake_delivers_signed_webhooks_that_verify(
    fake: FakePortOne, client: PortOneClient, receiver: tuple[str, list[object]]
) -> None:
    """A paid link triggers payment and payment-link webhooks whose signatures verify."""
    base, events = receiver
    await client.webhook_endpoints.register(name="p", url=f"{base}/payment", type="payment_status")
    await client.webhook_endpoints.register(
        name="l", url=f"{base}/link", type="payment_link_status"
    )
    link = await client.payment_links.create(**link_args(amount=Decimal("99.5")))
    txn = fake.state.pay_link(link.payment_link_ref)
    deliveries = await fake.state.send_webhooks(txn)
    assert [(d.type, d.status) for d in deliveries] == [
        ("payment_status", 200),
        ("payment_link_status", 200),
    ]
    payment, link_event = events
    assert isinstance(payment, PaymentEvent)
    assert (payment.order_ref, payment.status, payment.amount) == (
        txn.order_ref,
        "Success",
        Decimal("99.5"),
    )
    assert payment.raw["link_order_ref"] == "ORDER-1001"
    assert isinstance(link_event, PaymentLinkEvent)
    assert (link_event.link_ref, link_event.status) == (link.payment_link_ref, "Success")


async def test_missing_required_field_is_invalid_request(client: PortOneClient) -> None:
    """PortOne's validator answer (4001, "... is a required field") raises InvalidRequestError."""
    with pytest.raises(InvalidRequestError) as caught:
        await client.request("POST", f"/api/merchant/{DEMO_CLIENT_KEY}/webhook", json={"name": "x"})
    assert caught.value.code == "4001"
    assert caught.value.message == "Invalid Request, err : url is a required field"
