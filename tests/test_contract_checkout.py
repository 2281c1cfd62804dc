"""Contract tests of checkout.initiate_payment (payment.yaml) and the virtual-account statement
download (payout.yaml): the requests the client sends and the fake's answers, against the spec.

payout.yaml declares a JSON answer for the download, with an example copied from another
operation (the invited sub-merchants); a download answers a file. The test checks that this is
the one disagreement, rather than bending the client or the fake to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from openapi_core import OpenAPI

from aioportone import InitiatedPayment
from aioportone.testing import FakeClock
from tests._contract import (
    Exchange,
    answer_errors,
    load_specs,
    matched,
    recording,
    request_errors,
    spec_example,
)
from tests._fixtures import FAILURE_URL, SUCCESS_URL

INITIATE = ("post", "/api/initiatePayment")
DOWNLOAD = ("get", "/api/payout/va/{va_number}/download-statement")


@pytest.fixture(scope="module")
def specs() -> dict[str, OpenAPI]:
    return load_specs("payment", "payout")


@pytest.fixture
async def exchanges(clock: FakeClock, specs: dict[str, OpenAPI]) -> dict[tuple[str, str], Exchange]:
    """The scenario's exchanges by spec operation: one payment started, one statement."""
    async with recording(clock) as (fake, portone, seen):
        await portone.checkout.initiate_payment(
            merchant_order_id="ORDER-K1",
            amount=100000,
            currency="VND",
            payment_channel="MOMOPAY",
            payment_method="MOMOPAY_WALLET",
            description="Test Example",
            success_url=SUCCESS_URL,
            failure_url=FAILURE_URL,
            pending_url=SUCCESS_URL,
            transaction_type="PURCHASE",
            extra={"user_configured_field1": "SampleData1"},
        )
        account = fake.state.payouts.add_virtual_account(balance=100)
        now = datetime.fromtimestamp(clock.time(), UTC)
        await portone.payouts.virtual_accounts.download_statement(
            account.account_no, start=now - timedelta(days=1), end=now
        )
    found = {}
    for x in seen:
        spec = specs["payment" if x.path == "/api/initiatePayment" else "payout"]
        x = matched(spec, x)
        found[x.operation] = x
    assert set(found) == {INITIATE, DOWNLOAD}
    assert all(x.status == 200 for x in found.values())
    return found


async def test_requests_match_the_spec(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange]
) -> None:
    """initiatePayment's body and the download's path and query are valid for their spec."""
    assert request_errors(specs["payment"], exchanges[INITIATE]) == []
    assert request_errors(specs["payout"], exchanges[DOWNLOAD]) == []


async def test_initiate_payment_carries_no_jwt(
    exchanges: dict[tuple[str, str], Exchange],
) -> None:
    """payment.yaml declares the client key and no Authorization for initiatePayment."""
    headers = {k.lower() for k in exchanges[INITIATE].headers}
    assert "x-portone-client-key" in headers
    assert "authorization" not in headers
    assert "authorization" in {k.lower() for k in exchanges[DOWNLOAD].headers}


async def test_the_initiate_answer_matches_the_spec_and_its_example(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange]
) -> None:
    """The fake's answer validates against payment.yaml and has every key of its example."""
    x = exchanges[INITIATE]
    assert answer_errors(specs["payment"], x) == []
    example = spec_example(specs["payment"], *INITIATE)
    assert set(example) <= set(x.data)
    # The example's additional_data is null where the schema declares an object (not
    # nullable): the fake follows the schema, and the client reads either.
    assert example["additional_data"] is None
    assert x.data["additional_data"] == {}


async def test_the_download_answer_is_a_file_where_the_spec_says_json(
    specs: dict[str, OpenAPI], exchanges: dict[tuple[str, str], Exchange]
) -> None:
    """The CSV answer draws exactly one error, its media type; the spec's example is unrelated."""
    x = exchanges[DOWNLOAD]
    errors = answer_errors(specs["payout"], x, content_type="text/csv")
    assert len(errors) == 1, errors
    assert "text/csv" in errors[0]
    assert "email_address" in spec_example(specs["payout"], *DOWNLOAD)["content"][0]


def test_the_client_reads_portones_initiate_example(specs: dict[str, OpenAPI]) -> None:
    """payment.yaml's own answer example reads as an InitiatedPayment with typed fields."""
    payment = InitiatedPayment.from_json(spec_example(specs["payment"], *INITIATE), "ORDER-X")
    assert payment.order_ref == "2937z05mrtN17ZYigwZhfKdqEGQ"
    assert payment.merchant_order_ref == "Merchant1652330173615"
    assert (payment.expiry_in_minutes, payment.deep_link) == (20, None)
    assert payment.redirect_url is not None
    assert payment.redirect_url.startswith("https://")
