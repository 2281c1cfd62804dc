"""portone.sub_merchants against the fake PortOne over loopback HTTP: a master merchant (the
demo merchant) and sub-merchants with keys of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient, PortOneError, ServerError
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from aioportone.testing._sub_merchant_state import SubMerchantRecord
from tests._fixtures import link_args, open_client


def window(clock: FakeClock) -> dict[str, Any]:
    now = datetime.fromtimestamp(clock.time(), UTC)
    return {"start": now - timedelta(hours=1), "end": now + timedelta(hours=1)}


def add_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"email_address": "shop@market.example", "name": "Shop", "country": "VN"}
    args.update(overrides)
    return args


async def _added(client: PortOneClient, fake: FakePortOne, **overrides: Any) -> SubMerchantRecord:
    await client.sub_merchants.add(**add_args(**overrides))
    return fake.state.sub_merchants.of(DEMO_CLIENT_KEY)[-1]


async def test_add_sends_the_documented_body_and_returns_the_kyc_link(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """add() posts every flag, under the master merchant's key; the answer's KYC link is read."""
    added = await client.sub_merchants.add(**add_args(country="vn", is_invite_merchant=True))
    request = fake.requests[-1]
    assert request.path == f"/api/master-merchant/{DEMO_CLIENT_KEY}/add-merchant"
    assert request.json == {
        "email_address": "shop@market.example",
        "name": "Shop",
        "country": "VN",
        "is_login_allowed": False,
        "is_invite_merchant": True,
        "use_master_merchant_creds": False,
        "send_kyc_link_email": False,
    }
    (record,) = fake.state.sub_merchants.of(DEMO_CLIENT_KEY)
    assert added.kyc_link == record.kyc_link
    (invited,) = await client.sub_merchants.invited()
    assert (invited.email_address, invited.status, invited.country) == (
        "shop@market.example",
        "INVITED",
        "VN",
    )


async def test_a_sub_merchant_has_a_key_of_its_own(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A sub-merchant's own credentials work; the master sees its links and their payments."""
    sub = await _added(client, fake)
    async with PortOneClient(sub.key, sub.secret, base_url=fake.url, clock=clock) as own:
        link = await own.payment_links.create(**link_args(merchant_order_id="SUB-1"))
    fake.state.pay_link(link.payment_link_ref)
    other = await _added(client, fake, email_address="other@market.example")
    (shown,) = [x async for x in client.sub_merchants.payment_links(**window(clock))]
    assert (shown.link_ref, shown.merchant_key) == (link.payment_link_ref, sub.key)
    (txn,) = [
        t async for t in client.sub_merchants.transactions(**window(clock), merchant_keys=[sub.key])
    ]
    assert (txn.merchant_key, txn.payment_link_ref, txn.status) == (
        sub.key,
        link.payment_link_ref,
        "Success",
    )
    only_other = client.sub_merchants.transactions(**window(clock), merchant_keys=[other.key])
    assert [t async for t in only_other] == []


async def test_a_master_acting_for_a_sub_merchant_creates_its_links(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """A master-merchant client with sub_merchant_key= creates links the sub-merchant owns."""
    sub = await _added(client, fake)
    async with open_client(fake, clock, sub_merchant_key=sub.key) as acting:
        link = await acting.payment_links.create(**link_args(merchant_order_id="SUB-2"))
    (shown,) = [x async for x in client.sub_merchants.payment_links(**window(clock))]
    assert (shown.link_ref, shown.merchant_key) == (link.payment_link_ref, sub.key)


async def test_list_walks_the_pages_and_filters_by_status(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """list() asks page after page with pagesize; statuses= travels as filters.merchant_status."""
    subs = [await _added(client, fake, email_address=f"s{n}@m.example") for n in range(3)]
    await client.sub_merchants.set_status(subs[1].key, status="INACTIVE")
    found = [m.key async for m in client.sub_merchants.list(**window(clock), page_size=1)]
    assert found == [s.key for s in subs]
    assert [c.json["page"] for c in fake.calls(r"/paginated$")] == [1, 2, 3]
    active = client.sub_merchants.list(**window(clock), statuses=["ACTIVE"])
    assert [m.key async for m in active] == [subs[0].key, subs[2].key]
    assert fake.requests[-1].json["filters"] == {"merchant_status": ["ACTIVE"]}
    assert [m.key for m in await client.sub_merchants.all()] == [s.key for s in subs]


async def test_set_status_and_payment_methods_change_the_sub_merchant(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """set_status() answers the changed sub-merchant; set_payment_method() records the method."""
    sub = await _added(client, fake)
    changed = await client.sub_merchants.set_status(sub.key, status="INACTIVE")
    assert (changed.key, changed.merchant_status, sub.merchant_status) == (
        sub.key,
        "INACTIVE",
        "INACTIVE",
    )
    await client.sub_merchants.set_payment_method(
        merchant_keys=[sub.key],
        payment_channel_key="MOMOPAY",
        payment_method_key="MOMOPAY_WALLET",
        method_sub_type="WALLET",
        enable=True,
    )
    assert fake.requests[-1].json["enable"] is True
    assert sub.payment_methods[("MOMOPAY", "MOMOPAY_WALLET")]["enable"] is True


async def test_a_key_is_one_path_segment(fake: FakePortOne, client: PortOneClient) -> None:
    """A sub-merchant key with / and .. stays one encoded segment: PortOne finds no merchant."""
    with pytest.raises(PortOneError, match="Merchant not found"):
        await client.sub_merchants.set_status("../x/y", status="ACTIVE")
    assert fake.requests[-1].path.endswith("/merchants/..%2Fx%2Fy/status/ACTIVE")


async def test_status_changes_are_retried_and_add_is_not(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A 503 on set_status, set_payment_method or a listing is retried; on add it is not."""
    async with open_client(fake, clock) as client:
        sub = await _added(client, fake)
        fake.fail(status=503, path=r"/status/ACTIVE$")
        await client.sub_merchants.set_status(sub.key, status="ACTIVE")
        fake.fail(status=503, path=r"/payment-methods$")
        await client.sub_merchants.set_payment_method(
            merchant_keys=[sub.key],
            payment_channel_key="C",
            payment_method_key="M",
            method_sub_type="WALLET",
            enable=False,
        )
        fake.fail(status=503, path=r"/transactions$")
        assert [t async for t in client.sub_merchants.transactions(**window(clock))] == []
        fake.fail(status=503, path=r"/add-merchant$")
        with pytest.raises(ServerError):
            await client.sub_merchants.add(**add_args(email_address="again@m.example"))
    counts = [
        len(fake.calls(p))
        for p in ("/status/ACTIVE$", "/payment-methods$", "/transactions$", "/add-merchant$")
    ]
    assert counts == [2, 2, 2, 2]  # add: the first one, then the one that failed
    assert len(fake.state.sub_merchants.of(DEMO_CLIENT_KEY)) == 1


async def test_the_master_key_in_the_path_is_the_callers(clock: FakeClock) -> None:
    """The fake refuses a master-merchant path naming another merchant's key (401)."""
    other = "OtherMerchant01"
    merchants = {DEMO_CLIENT_KEY: DEMO_SECRET_KEY, other: "other-secret-000000000000000000"}
    async with (
        FakePortOne(merchants, clock=clock) as fake,
        open_client(fake, clock) as portone,
    ):
        with pytest.raises(PortOneError, match="invalid auth key"):
            await portone.request("GET", f"/api/master-merchant/{other}/merchants-invite")


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"country": "VNM"}, "country"),
        ({"name": ""}, "name"),
        ({"email_address": None}, "email_address"),
        ({"is_login_allowed": "yes"}, "is_login_allowed"),
        ({"send_kyc_link_email": 1}, "send_kyc_link_email"),
    ],
)
async def test_bad_add_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, overrides: dict[str, Any], name: str
) -> None:
    """Each bad add() argument raises ConfigurationError naming it; nothing is sent."""
    with pytest.raises(ConfigurationError) as caught:
        await client.sub_merchants.add(**add_args(**overrides))
    assert caught.value.argument == name
    assert fake.calls("/api/master-merchant/") == []


async def test_bad_listing_and_change_arguments_are_refused_before_sending(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """Listings, set_status and set_payment_method name their bad argument; nothing is sent."""
    subs = client.sub_merchants
    w = window(clock)
    for call, name in (
        (lambda: subs.list(**w, statuses="ACTIVE"), "statuses"),
        (lambda: subs.list(start=w["end"], end=w["start"]), "end"),
        (lambda: subs.transactions(**w, merchant_keys="K"), "merchant_keys"),
        (lambda: subs.payment_links(**w, filters=["x"]), "filters"),  # type: ignore[arg-type]
        (lambda: subs.payment_links(**w, page_size=101), "page_size"),
    ):
        with pytest.raises(ConfigurationError) as caught:
            call()
        assert caught.value.argument == name
    with pytest.raises(ConfigurationError, match="status"):
        await subs.set_status("K", status="DELETED")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="merchant_keys"):
        await subs.set_payment_method(
            merchant_keys=[],
            payment_channel_key="C",
            payment_method_key="M",
            method_sub_type="W",
            enable=True,
        )
    assert fake.calls("/api/master-merchant/") == []


async def test_odd_listing_answers_are_read_safely(
    fake: FakePortOne, client: PortOneClient, clock: FakeClock
) -> None:
    """Counts written as text are read; non-object items are skipped; a list answer is an error."""
    item = {"key": "K1", "merchant_status": "ACTIVE", "is_login_allowed": "true"}
    answer = {"content": [item, "junk", 3], "total_pages": "1", "page": "1"}
    fake.fail(status=200, body=answer, path=r"/paginated$")
    (merchant,) = [m async for m in client.sub_merchants.list(**window(clock))]
    assert (merchant.key, merchant.is_login_allowed, merchant.name) == ("K1", True, "")
    fake.fail(status=200, body=[item], path=r"/merchants-invite$")
    with pytest.raises(PortOneError, match="invitations"):
        await client.sub_merchants.invited()
