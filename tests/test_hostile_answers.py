"""Answers a money-moving call cannot read, refusals that prove nothing, hostile headers and
bodies, and the response size limit: each becomes data or a typed error, and money is never
moved twice or silently."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from aioportone import (
    AmbiguousResultError,
    APIError,
    InvalidRequestError,
    PortOneClient,
    RateLimitError,
    ResponseTooLargeError,
    RetryPolicy,
    TokenManager,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._fixtures import link_args, open_client

REFUND = "^/api/refund/"
LINK_CREATE = "^/api/paymentLink$"
CAPTURE = "/capture$"
STATUS = "/api/transaction/ORDER-1/status"
JWT_4054 = {
    "message": "The JWT Token or header is invalid or expired!",
    "status_code": "4054",
    "status_reason": "INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR",
}
JWT_4010 = {
    "message": "JWT authentication error",
    "status_code": "4010",
    "status_reason": "INVALID_JWT_TOKEN",
}

# 2xx answers that cannot be read, sent after PortOne acted (``after=True``).
UNREADABLE: dict[str, dict[str, Any]] = {
    "empty": {"raw": b""},
    "html": {"raw": b"<html><body>OK</body></html>"},
    "list": {"status": 200, "body": [{"refund_id": "R-1"}]},
    "204": {"raw": b"", "status": 204},
    "cut": {"raw": b'{"refund_id": "R-1", "amountToRefund": 9'},
    "deep": {"raw": b"[" * 100_000 + b"]" * 100_000},
}


@pytest.mark.parametrize("answer", sorted(UNREADABLE))
async def test_refund_with_an_unreadable_answer_is_ambiguous(
    fake: FakePortOne, client: PortOneClient, answer: str
) -> None:
    """A refund PortOne processed but answered unreadably: AmbiguousResultError, sent once."""
    txn = fake.state.add_transaction("ORDER-M", amount=1000, channel_key="OMISE")
    fake.fail(after=True, path=REFUND, method="POST", **UNREADABLE[answer])
    with pytest.raises(AmbiguousResultError) as caught:
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert f"portone.refunds.get({txn.order_ref!r})" in caught.value.how_to_check
    assert len(fake.calls(REFUND, "POST")) == 1
    assert len(txn.refunds) == 1  # it did happen, as the error warns


@pytest.mark.parametrize("answer", sorted(UNREADABLE))
async def test_capture_with_an_unreadable_answer_is_ambiguous(
    fake: FakePortOne, client: PortOneClient, answer: str
) -> None:
    """A capture answered unreadably after it happened: AmbiguousResultError, sent once."""
    txn = fake.state.add_transaction("ORDER-C", status="PREAUTH")
    fake.fail(after=True, path=CAPTURE, method="POST", **UNREADABLE[answer])
    with pytest.raises(AmbiguousResultError) as caught:
        await client.transactions.capture(txn.order_ref)
    assert "transactions.details" in caught.value.how_to_check
    assert len(fake.calls(CAPTURE, "POST")) == 1


@pytest.mark.parametrize("answer", sorted(UNREADABLE))
async def test_link_with_an_unreadable_answer_is_resolved_on_the_dedup_path(
    fake: FakePortOne, client: PortOneClient, answer: str
) -> None:
    """A link created but answered unreadably: sent once more, PortOne's 4002 finds it."""
    fake.fail(after=True, path=LINK_CREATE, method="POST", **UNREADABLE[answer])
    link = await client.payment_links.create(**link_args())
    assert link.recovered is True
    assert len(fake.state.links) == 1
    assert len(fake.calls(LINK_CREATE, "POST")) == 2


@pytest.mark.parametrize("answer", sorted(UNREADABLE))
async def test_link_unreadable_twice_is_ambiguous_after_two_sends(
    fake: FakePortOne, client: PortOneClient, answer: str
) -> None:
    """Both sends answered unreadably: AmbiguousResultError, and PortOne got it only twice."""
    fake.fail(after=True, path=LINK_CREATE, method="POST", times=None, **UNREADABLE[answer])
    with pytest.raises(AmbiguousResultError) as caught:
        await client.payment_links.create(**link_args())
    assert "status_by_merchant_ref('ORDER-1001')" in caught.value.how_to_check
    assert len(fake.calls(LINK_CREATE, "POST")) == 2
    assert len(fake.state.links) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"drop_after": True},
        {"status": 503, "after": True},
        {"status": 429, "after": True},
        {"status": 401, "body": JWT_4054, "after": True},
    ],
    ids=["lost", "503", "429", "4054"],
)
async def test_link_create_reaches_portone_at_most_twice(
    fake: FakePortOne, clock: FakeClock, fault: dict[str, Any]
) -> None:
    """Whatever every answer is, a payment link request reaches PortOne at most twice."""
    fake.fail(path=LINK_CREATE, method="POST", times=None, **fault)
    async with open_client(fake, clock, retry=RetryPolicy(max_retries=5)) as portone:
        with pytest.raises(AmbiguousResultError):
            await portone.payment_links.create(**link_args())
    assert len(fake.calls(LINK_CREATE, "POST")) == 2
    assert len(fake.state.links) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": "1"},
        {"status": 401, "body": JWT_4054},
        {"status": 401, "body": JWT_4010},
    ],
    ids=["429", "4054", "4010-jwt"],
)
async def test_refund_refusal_after_processing_is_ambiguous_not_replayed(
    fake: FakePortOne, client: PortOneClient, fault: dict[str, Any]
) -> None:
    """A 429 or token rejection proves nothing about a refund: ambiguous, sent once."""
    txn = fake.state.add_transaction("ORDER-R", amount=1000, channel_key="OMISE")
    fake.fail(after=True, path=REFUND, method="POST", **fault)
    with pytest.raises(AmbiguousResultError):
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert len(fake.calls(REFUND, "POST")) == 1
    assert len(txn.refunds) == 1


@pytest.mark.parametrize("fault", [{"status": 429}, {"status": 401, "body": JWT_4054}])
async def test_capture_refusal_after_processing_is_ambiguous_not_replayed(
    fake: FakePortOne, client: PortOneClient, fault: dict[str, Any]
) -> None:
    """A capture refused with 429 or 4054 after it happened: ambiguous, sent once."""
    txn = fake.state.add_transaction("ORDER-P", status="PREAUTH")
    fake.fail(after=True, path=CAPTURE, method="POST", **fault)
    with pytest.raises(AmbiguousResultError):
        await client.transactions.capture(txn.order_ref)
    assert len(fake.calls(CAPTURE, "POST")) == 1


async def test_refund_validation_refusal_is_a_plain_error(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """A 4001 validation error proves PortOne refused the refund: a plain, typed error."""
    body = {"message": "amount is invalid", "status_code": "4001", "status_reason": "INVALID"}
    fake.fail(status=400, body=body, path=REFUND, method="POST")
    with pytest.raises(InvalidRequestError):
        await client.refunds.create("ORDER-X", amount=100, channel="OMISE", reason="x")


async def test_a_rejected_token_is_discarded_even_when_the_refund_is_not_replayed(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """After a refund's 4054 the next request carries a different token."""
    txn = fake.state.add_transaction("ORDER-T", amount=1000, channel_key="OMISE")
    fake.fail(status=401, body=JWT_4054, path=REFUND, method="POST")
    with pytest.raises(AmbiguousResultError):
        await client.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    await client.refunds.get(txn.order_ref)
    (refund,) = fake.calls(REFUND, "POST")
    (lookup,) = fake.calls(REFUND, "GET")
    assert refund.headers["Authorization"] != lookup.headers["Authorization"]


@pytest.mark.parametrize("value", ["²", "-5", "1e400", "Fri, 31 Dec 99999 23:59:59 GMT", "٣"])
async def test_garbage_retry_after_is_ignored(
    fake: FakePortOne, clock: FakeClock, value: str
) -> None:
    """A Retry-After that is not a number or a date: the read is retried with the backoff."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=429, retry_after=value, path="status$", times=1)
    async with open_client(fake, clock) as portone:
        data: Any = await portone.request("GET", STATUS)
    assert data["content"]["status"] == "Success"


@pytest.mark.parametrize("value", ["9" * 400, "86400", "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_huge_retry_after_goes_to_the_caller_as_a_number(
    fake: FakePortOne, clock: FakeClock, value: str
) -> None:
    """A Retry-After of a day or of centuries: RateLimitError with a finite retry_after."""
    fake.fail(status=429, retry_after=value, path="status$", times=1)
    async with open_client(fake, clock) as portone:
        with pytest.raises(RateLimitError) as caught:
            await portone.request("GET", STATUS)
    assert caught.value.retry_after is not None
    assert 86400 <= caught.value.retry_after <= 1e9
    assert len(fake.calls("status$")) == 1


async def test_deeply_nested_answer_to_a_read_is_a_typed_error(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """100,000-deep JSON: the status lookup raises APIError, not RecursionError."""
    fake.fail(raw=b"[" * 100_000 + b"]" * 100_000, path="status$")
    with pytest.raises(APIError):
        await client.transactions.status("ORDER-1")


async def test_oversized_answer_is_a_typed_error_and_not_retried(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """An answer over max_response_size raises ResponseTooLargeError; nothing is retried."""
    big = {"content": {"status": "Success", "pad": "x" * 5000}, "status_code": "2000"}
    fake.fail(status=200, body=big, path="status$", times=None)
    async with open_client(fake, clock, max_response_size=1000) as portone:
        with pytest.raises(ResponseTooLargeError):
            await portone.request("GET", STATUS)
    assert len(fake.calls("status$")) == 1


async def test_oversized_answer_to_a_refund_is_ambiguous(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A refund processed and answered with more than max_response_size: ambiguous."""
    txn = fake.state.add_transaction("ORDER-B", amount=1000, channel_key="OMISE")
    fake.fail(after=True, raw=b"x" * 5000, path=REFUND, method="POST")
    async with open_client(fake, clock, max_response_size=1000) as portone:
        with pytest.raises(AmbiguousResultError) as caught:
            await portone.refunds.create(txn.order_ref, amount=100, channel="OMISE", reason="x")
    assert isinstance(caught.value.__cause__, AmbiguousResultError | ResponseTooLargeError)
    assert len(fake.calls(REFUND, "POST")) == 1


async def test_raw_write_with_an_unreadable_answer_is_ambiguous(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """request('POST', ...) answered 200 with HTML: AmbiguousResultError, not None."""
    fake.fail(raw=b"<html>done</html>", path="webhook$", method="POST")
    with pytest.raises(AmbiguousResultError):
        await client.request("POST", f"/api/merchant/{DEMO_CLIENT_KEY}/webhook", json={})


async def test_middleware_retries_a_4010_jwt_rejection_with_a_fresh_token(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """Your own session: a 4010 'JWT authentication error' is retried once, with a new token."""
    fake.state.add_transaction("ORDER-1")
    fake.fail(status=401, body=JWT_4010, path="status$", times=1)
    async with (
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as tokens,
        aiohttp.ClientSession(middlewares=[tokens.middleware]) as session,
        session.get(fake.url + STATUS) as resp,
    ):
        assert resp.status == 200
    first, second = fake.calls("status$")
    assert first.headers["Authorization"] != second.headers["Authorization"]


async def test_middleware_never_replays_a_refund(fake: FakePortOne, clock: FakeClock) -> None:
    """Your own session: a refund answered 4054 reaches you as the 401; it is sent once."""
    txn = fake.state.add_transaction("ORDER-S", amount=1000, channel_key="OMISE")
    fake.fail(status=401, body=JWT_4054, after=True, path=REFUND, method="POST")
    body = {"amount": 1, "channel": "OMISE", "refund_type": "partial", "refund_reason": "x"}
    async with (
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as tokens,
        aiohttp.ClientSession(middlewares=[tokens.middleware]) as session,
        session.post(f"{fake.url}/api/refund/{txn.order_ref}", json=body) as resp,
    ):
        assert resp.status == 401
    assert len(fake.calls(REFUND, "POST")) == 1


async def test_an_overflowing_date_never_breaks_an_answer(clock: FakeClock) -> None:
    """A Date header no clock can hold is ignored: the answer it came with still counts."""
    from aioportone._transport import learn_clock

    async with TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock=clock) as tokens:
        before = tokens.current()
        learn_clock(tokens, {"Date": "Fri, 31 Dec 9999999999999999999999 23:59:59 GMT"})
        assert tokens.current() is before
