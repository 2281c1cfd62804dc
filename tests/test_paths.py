"""References and keys stay inside their own path segment, and CR/LF never reaches the wire."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient, PortOneError
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import link_args

Call = Callable[[PortOneClient, str], Awaitable[Any]]

# Each resource method that puts a caller's reference in the path, and where it must land.
PATH_CALLS: list[tuple[str, Call, str]] = [
    ("transactions.status", lambda p, v: p.transactions.status(v), "/api/transaction/{}/status"),
    ("transactions.capture", lambda p, v: p.transactions.capture(v), "/api/transaction/{}/capture"),
    (
        "payment_links.status",
        lambda p, v: p.payment_links.status(v),
        "/api/paymentLink/{}/fetch-status",
    ),
    (
        "payment_links.status_by_merchant_ref",
        lambda p, v: p.payment_links.status_by_merchant_ref(v),
        f"/api/merchant/{DEMO_CLIENT_KEY}/paymentLink/{{}}/status",
    ),
    (
        "payment_links.cancel",
        lambda p, v: p.payment_links.cancel(v),
        "/api/paymentLink/{}/status/cancelled",
    ),
    (
        "payment_links.update",
        lambda p, v: p.payment_links.update(v, description="x"),
        "/api/update-paylink/{}",
    ),
    ("refunds.get", lambda p, v: p.refunds.get(v), "/api/refund/{}"),
    (
        "refunds.create",
        lambda p, v: p.refunds.create(v, amount=1, channel="OMISE", reason="x"),
        "/api/refund/{}",
    ),
]

# Attempts to climb out of the segment, add a query or fragment, or smuggle an encoding.
ATTACKS = [
    ("../admin", "..%2Fadmin"),
    ("a/b?x", "a%2Fb%3Fx"),
    ("%2e%2e", "%252e%252e"),
    ("#frag", "%23frag"),
    ("..", "%2E%2E"),
    ("ref with space", "ref%20with%20space"),
]


@pytest.mark.parametrize(("value", "encoded"), ATTACKS)
@pytest.mark.parametrize(("name", "call", "template"), PATH_CALLS, ids=[c[0] for c in PATH_CALLS])
async def test_reference_never_leaves_its_path_segment(
    fake: FakePortOne,
    client: PortOneClient,
    name: str,
    call: Call,
    template: str,
    value: str,
    encoded: str,
) -> None:
    """A reference is percent-encoded into one segment; the request path keeps its shape."""
    with pytest.raises(PortOneError):  # PortOne knows no such reference
        await call(client, value)
    assert fake.requests[-1].path == template.format(encoded)
    assert fake.requests[-1].query == {}


async def test_details_reference_travels_in_the_body_unchanged(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """transactions.details() sends the reference as JSON: the path is fixed, the value intact."""
    with pytest.raises(PortOneError):
        await client.transactions.details("../admin?x#y")
    assert fake.requests[-1].path == f"/api/{DEMO_CLIENT_KEY}/transaction-details"
    assert fake.requests[-1].json == {"order_ref": "../admin?x#y"}


async def test_client_key_is_encoded_in_paths_too(clock: FakeClock) -> None:
    """A PortOne key with reserved characters is encoded where it appears in a path."""
    odd_key = "odd/key?#"
    async with FakePortOne({odd_key: DEMO_SECRET_KEY}, clock=clock) as fake:
        async with PortOneClient(odd_key, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as p:
            assert await p.webhook_endpoints.list() == ()
    assert fake.requests[-1].path == "/api/merchant/odd%2Fkey%3F%23/webhook"
    assert fake.requests[-1].headers["X-Portone-Client-Key"] == odd_key


CRLF = "ORDER-1\r\nX-Injected: yes"

BODY_CALLS: list[tuple[str, Call]] = [
    ("transactions.details", lambda p, v: p.transactions.details(v)),
    ("payment_links.create", lambda p, v: p.payment_links.create(**link_args(merchant_order_id=v))),
    (
        "signatures.generate",
        lambda p, v: p.signatures.generate(
            amount=1,
            currency="THB",
            merchant_order_id=v,
            success_url="https://a.example/s",
            failure_url="https://a.example/f",
        ),
    ),
]


@pytest.mark.parametrize("value", [CRLF, "ORDER\n", "ORDER\rX", "ORDER\x00"])
@pytest.mark.parametrize(
    ("name", "call"),
    [(n, c) for n, c, _ in PATH_CALLS] + BODY_CALLS,
    ids=[c[0] for c in PATH_CALLS] + [c[0] for c in BODY_CALLS],
)
async def test_control_characters_in_a_reference_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, name: str, call: Call, value: str
) -> None:
    """A reference holding CR, LF or NUL raises ConfigurationError and nothing is sent."""
    before = len(fake.requests)
    with pytest.raises(ConfigurationError):
        await call(client, value)
    assert len(fake.requests) == before


@pytest.mark.parametrize("argument", ["client_key", "sub_merchant_key"])
async def test_control_characters_in_a_key_are_refused_at_construction(
    fake: FakePortOne, argument: str
) -> None:
    """A key holding CR/LF (a header injection) is refused before the client exists."""
    keys = {"client_key": DEMO_CLIENT_KEY, "sub_merchant_key": "sub"}
    keys[argument] = "key\r\nX-Injected: yes"
    with pytest.raises(ConfigurationError) as caught:
        PortOneClient(
            keys["client_key"],
            DEMO_SECRET_KEY,
            sub_merchant_key=keys["sub_merchant_key"],
            base_url=fake.url,
        )
    assert caught.value.argument == argument
    assert fake.requests == []
