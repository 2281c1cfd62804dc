"""PortOne's answers turned into data or the right typed error: pure, with literal samples."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from aioportone import (
    APIError,
    AuthenticationError,
    DuplicateError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    RefreshPolicy,
    ServerError,
    Token,
)
from aioportone._decipher import decipher, is_token_rejection, parse_retry_after
from aioportone._skew import ServerClockOffset


def _body(code: str, reason: str = "R", **extra: Any) -> bytes:
    return json.dumps(
        {"message": "m", "status_code": code, "status_reason": reason, **extra}
    ).encode()


def test_success_envelope_returns_the_whole_body() -> None:
    """A 2000 answer comes back decoded, content and all."""
    body = {"content": {"status": "Success"}, "status_code": "2000", "status_reason": "SUCCESS"}
    assert decipher(200, {}, json.dumps(body).encode()) == body


def test_bare_success_objects_pass_through() -> None:
    """Link creation and refunds answer bare objects without status_code: still a success."""
    body = {"payment_link_ref": "abc", "payment_link": "https://checkout.portone.cloud?ref=abc"}
    assert decipher(200, {}, json.dumps(body).encode()) == body


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (200, _body("4096", "INVALID_REFERENCE"), NotFoundError, "4096"),
        (200, json.dumps({"is_success": False, "message": "no"}).encode(), APIError, None),
        (400, _body("4016", status_message="MERCHANT_NOT_FOUND"), AuthenticationError, "4016"),
        (400, _body("4099"), AuthenticationError, "4099"),
        (401, _body("4054"), AuthenticationError, "4054"),
        (401, _body("4001", is_success=False), InvalidRequestError, "4001"),
        (400, _body("4002"), DuplicateError, "4002"),
        (400, _body("4083"), NotFoundError, "4083"),
        (404, b"", NotFoundError, None),
        (429, b"too many", RateLimitError, None),
        (502, b"<html>bad gateway</html>", ServerError, None),
        (200, _body("5024", "PSP_COMMUNICATION_ERROR"), ServerError, "5024"),
        (400, _body("4072", "TRANSACTION_EXPIRED"), InvalidRequestError, "4072"),
    ],
)
def test_errors_map_to_their_class(
    status: int, body: bytes, cls: type[APIError], code: str | None
) -> None:
    """Each documented failure raises its own error class with status and code attached."""
    with pytest.raises(APIError) as info:
        decipher(status, {}, body, method="GET", url="https://api.portone.cloud/x")
    assert type(info.value) is cls
    assert info.value.status == status
    assert info.value.code == code
    assert "GET https://api.portone.cloud/x" in str(info.value)


def test_status_message_spelling_is_accepted() -> None:
    """Some answers spell the reason status_message; it lands in .reason all the same."""
    body = {
        "message": "Merchant not found",
        "status_code": "4016",
        "status_message": "MERCHANT_NOT_FOUND",
    }
    with pytest.raises(AuthenticationError) as info:
        decipher(400, {}, json.dumps(body).encode())
    assert info.value.reason == "MERCHANT_NOT_FOUND"


def test_only_4054_is_a_token_rejection() -> None:
    """A 401 is retried with a fresh token only when PortOne says the JWT is bad (4054)."""
    assert is_token_rejection(401, {"status_code": "4054"})
    assert not is_token_rejection(401, {"status_code": "4001"})
    assert not is_token_rejection(400, {"status_code": "4054"})
    assert not is_token_rejection(401, None)


def test_retry_after_seconds_and_dates() -> None:
    """Retry-After is read as delta-seconds or as an HTTP date."""
    assert parse_retry_after("120", now=0) == 120
    assert parse_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", now=60) == 60
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None


def test_refresh_point_scales_with_lifetime() -> None:
    """A 100 s token is renewed with ~25 s to spare, a 6 h token after ~4 h, never at the end."""
    policy = RefreshPolicy()
    rng = random.Random(1)
    short = Token(value="x", issued_at=0, expires_at=100)
    long = Token(value="x", issued_at=0, expires_at=21600)
    for _ in range(100):
        assert 65 <= policy.refresh_time(short, rng) <= 75
        assert 0.65 * 21600 <= policy.refresh_time(long, rng) <= 0.75 * 21600
    assert policy.floor(short) == 10
    assert policy.floor(long) == 30
    assert policy.usable(short, 89.9)
    assert not policy.usable(short, 90.0)


def test_backoff_grows_and_stays_under_the_floor() -> None:
    """Retry delays grow exponentially but stay under half the time left before the floor."""
    policy = RefreshPolicy()
    rng = random.Random(2)
    token = Token(value="x", issued_at=0, expires_at=21600)
    delays = [policy.retry_delay(n, None, 0, rng) for n in range(1, 12)]
    assert max(delays) <= policy.backoff_max
    assert max(delays[8:]) > max(delays[:2])
    near_end = 21600 - 30 - 40  # 40 s before the floor
    assert all(policy.retry_delay(n, token, near_end, rng) <= 20 for n in range(1, 20))
    assert [policy.fatal_delay(n) for n in (1, 2, 3, 6)] == [300, 600, 1200, 3600]


def test_clock_offset_needs_a_real_difference() -> None:
    """PortOne's Date header moves the offset only when it differs by 2 s or more."""
    offset = ServerClockOffset()
    assert not offset.observe("Thu, 01 Jan 1970 00:01:40 GMT", received_at=100.0)
    assert offset.observe("Thu, 01 Jan 1970 00:01:10 GMT", received_at=100.0)
    assert offset.offset == pytest.approx(-29.5)
    assert not offset.observe("Thu, 01 Jan 1970 00:01:11 GMT", received_at=100.4)
    assert not offset.observe("garbage", received_at=100.0)
