"""portone.transactions.update_details and update_cod_status against the fake PortOne."""

from __future__ import annotations

import pytest

from aioportone import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PortOneClient,
    TransactionDetailsUpdate,
)
from aioportone.testing import DEMO_CLIENT_KEY, FakeClock, FakePortOne
from tests._fixtures import open_client

DETAILS = f"^/api/{DEMO_CLIENT_KEY}/update-transaction-details/"
COD = "^/api/transaction/status$"


async def test_update_details_sends_only_the_given_fields(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """update_details() PUTs the fields given (a blank one included) and reads PortOne's echo."""
    fake.state.add_transaction("ORDER-U1")
    result = await client.transactions.update_details(
        "ORDER-U1",
        description="Gift wrap",
        user_configured_field2="crm-77",
        user_configured_field5=" ",
    )
    request = fake.requests[-1]
    assert (request.method, request.path) == ("PUT", f"{DETAILS[1:]}ORDER-U1")
    assert request.json == {
        "description": "Gift wrap",
        "user_configured_field2": "crm-77",
        "user_configured_field5": " ",
    }
    assert isinstance(result, TransactionDetailsUpdate)
    assert (result.merchant_order_ref, result.description) == ("ORDER-U1", "Gift wrap")
    assert (result.user_configured_field2, result.user_configured_field5) == ("crm-77", " ")
    assert result.user_configured_field1 == ""
    assert result.raw["status_code"] == "2000"


async def test_updated_details_show_in_the_details_lookup(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """After an update, transactions.details() carries the new description in its raw answer."""
    txn = fake.state.add_transaction("ORDER-U2")
    await client.transactions.update_details("ORDER-U2", description="Second try")
    details = await client.transactions.details(txn.order_ref)
    assert details.raw["content"]["description"] == "Second try"


async def test_update_details_is_retried_after_a_lost_answer(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """The update sets values (idempotent): a lost answer is retried and the caller gets it."""
    fake.state.add_transaction("ORDER-U3")
    fake.fail(drop_after=True, path=DETAILS, method="PUT")
    async with open_client(fake, clock) as portone:
        result = await portone.transactions.update_details("ORDER-U3", user_configured_field1="a")
    assert result.user_configured_field1 == "a"
    assert len(fake.calls(DETAILS, "PUT")) == 2
    assert fake.state.transactions["ORDER-U3"].extra["user_configured_field1"] == "a"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({}, "update_details"),
        ({"description": 5}, "description"),
        ({"user_configured_field3": b"x"}, "user_configured_field3"),
        ({"description": "\ud800"}, "description"),
    ],
)
async def test_update_details_checks_fields_before_sending(
    fake: FakePortOne, client: PortOneClient, kwargs: dict[str, object], name: str
) -> None:
    """No field, a non-string or a lone surrogate is refused, naming it, before any request."""
    sent = len(fake.requests)
    with pytest.raises(ConfigurationError) as caught:
        await client.transactions.update_details("ORDER-U4", **kwargs)  # type: ignore[arg-type]
    assert caught.value.argument == name
    assert len(fake.requests) == sent


async def test_update_details_of_an_unknown_payment_is_not_found(client: PortOneClient) -> None:
    """An update for a merchant ref PortOne does not know raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await client.transactions.update_details("NO-SUCH-ORDER", description="x")


async def test_cod_status_sends_the_given_signature_and_sets_the_status(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """update_cod_status() PUTs ref, status and the caller's signature; status() then reads it."""
    fake.state.add_transaction("COD-1", status="Pending")
    await client.transactions.update_cod_status("COD-1", status="Success", signature="c2lnbmF0dXJl")
    request = fake.requests[-1]
    assert (request.method, request.path) == ("PUT", "/api/transaction/status")
    assert request.json == {
        "merchant_order_ref": "COD-1",
        "status": "Success",
        "signature": "c2lnbmF0dXJl",
    }
    assert (await client.transactions.status("COD-1")).status == "Success"


async def test_cod_status_is_retried_after_a_lost_answer(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Setting a status is idempotent: a lost answer is retried, and the order ends Failed once."""
    fake.state.add_transaction("COD-2", status="Pending")
    fake.fail(drop_after=True, path=COD, method="PUT")
    async with open_client(fake, clock) as portone:
        await portone.transactions.update_cod_status("COD-2", status="Failed", signature="sig")
    assert len(fake.calls(COD, "PUT")) == 2
    assert fake.state.transactions["COD-2"].status == "Failed"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"status": "Pending", "signature": "sig"}, "status"),
        ({"status": "success", "signature": "sig"}, "status"),
        ({"status": "Success", "signature": ""}, "signature"),
        ({"status": "Success", "signature": "a\nb"}, "signature"),
    ],
)
async def test_cod_status_checks_arguments_before_sending(
    fake: FakePortOne, client: PortOneClient, kwargs: dict[str, str], name: str
) -> None:
    """A status other than Success/Failed or an unusable signature is refused before sending."""
    sent = len(fake.requests)
    with pytest.raises(ConfigurationError) as caught:
        await client.transactions.update_cod_status("COD-3", **kwargs)  # type: ignore[arg-type]
    assert caught.value.argument == name
    assert len(fake.requests) == sent


async def test_cod_status_of_an_unknown_order_is_not_found(client: PortOneClient) -> None:
    """A COD update for a merchant ref PortOne does not know raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await client.transactions.update_cod_status("NO-SUCH", status="Success", signature="s")


async def test_fake_refuses_a_cod_update_without_signature(client: PortOneClient) -> None:
    """PortOne requires the signature field: a raw request without it gets 4001."""
    with pytest.raises(InvalidRequestError, match="signature is a required field"):
        await client.request(
            "PUT", "/api/transaction/status", json={"merchant_order_ref": "X", "status": "Success"}
        )
