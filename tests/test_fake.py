"""The fake PortOne is as strict as the real one: a client that passes here is not lucky."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from aioportone import _jwt
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

STATUS = "/api/transaction/ORDER-1/status"


def _token(
    clock: FakeClock,
    *,
    secret: str = DEMO_SECRET_KEY,
    sub: str = DEMO_CLIENT_KEY,
    iat: float = -5,
    exp: float = 95,
) -> str:
    now = int(clock.time())
    return _jwt.mint(
        key=_jwt.import_secret(secret),
        portone_key=sub,
        issued_at=now + int(iat),
        expires_at=now + int(exp),
    )


@pytest.mark.parametrize(
    ("token_kwargs", "header_key", "problem"),
    [
        ({}, DEMO_CLIENT_KEY, None),
        ({"secret": "another-secret-another-secret-00"}, DEMO_CLIENT_KEY, "signature"),
        ({"sub": "someoneElse"}, DEMO_CLIENT_KEY, "subject"),
        ({}, "unknownKey", "unknown client key"),
        ({"iat": -200, "exp": -1}, DEMO_CLIENT_KEY, "expired"),
        ({"iat": 3, "exp": 103}, DEMO_CLIENT_KEY, "before it was issued"),
    ],
)
async def test_fake_checks_jwts_strictly(
    fake: FakePortOne,
    clock: FakeClock,
    token_kwargs: dict[str, Any],
    header_key: str,
    problem: str | None,
) -> None:
    """Wrong secret, subject, key, expiry or a future iat: 401 with PortOne's 4054 body."""
    fake.state.add_transaction("ORDER-1")
    headers = {
        "X-Portone-Client-Key": header_key,
        "Authorization": f"Bearer {_token(clock, **token_kwargs)}",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.get(fake.url + STATUS, headers=headers) as resp,
    ):
        body = await resp.json()
    if problem is None:
        assert resp.status == 200
        assert body["status_code"] == "2000"
    else:
        assert resp.status == 401
        assert body["status_code"] == "4054"
        assert body["status_reason"] == "INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR"
        assert problem in body["message"]
    assert fake.requests[-1].authorized is (problem is None)


async def test_fake_date_header_follows_its_skewed_clock(clock: FakeClock) -> None:
    """A fake told its clock is 30 s behind says so in its Date header."""
    async with FakePortOne(clock=clock, skew=-30) as fake:
        async with aiohttp.ClientSession() as session:
            async with session.post(fake.url + "/api/merchant/auth-token", json={}) as resp:
                date = resp.headers["Date"]
    from aioportone._skew import parse_http_date

    assert parse_http_date(date) == int(clock.time()) - 30


async def test_fake_faults_drop_delay_and_expire(fake: FakePortOne, clock: FakeClock) -> None:
    """Scripted faults apply to matching requests only, as many times as asked, until expiry."""
    fake.fail(drop=True, path="auth-token", times=1)
    fake.fail(status=503, path="auth-token", times=None, until=fake.now() + 60)
    async with aiohttp.ClientSession() as session:
        # A POST: aiohttp itself would silently replay a GET whose connection dropped.
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(fake.url + "/api/merchant/auth-token", json={})
        async with session.post(fake.url + "/api/merchant/auth-token", json={}) as resp:
            assert resp.status == 503
        await clock.advance(61)
        async with session.post(fake.url + "/api/merchant/auth-token", json={}) as resp:
            assert resp.status == 400  # the outage is over: now it checks the (empty) body
    assert [r.path for r in fake.requests][-1] == "/api/merchant/auth-token"


async def test_fake_faults_answer_hostile_bytes_and_headers(fake: FakePortOne) -> None:
    """A fault can answer raw bytes, or put a hostile Date on the real answer."""
    fake.fail(raw=b"<html>oops</html>", status=502, path="auth-token")
    fake.fail(headers={"Date": "Tue, 31 Dec 2100 23:59:59 GMT"}, path="auth-token")
    async with aiohttp.ClientSession() as session:
        async with session.post(fake.url + "/api/merchant/auth-token", json={}) as resp:
            assert (resp.status, await resp.read()) == (502, b"<html>oops</html>")
        async with session.post(fake.url + "/api/merchant/auth-token", json={}) as resp:
            assert resp.status == 400  # the real answer to an empty body...
            assert resp.headers["Date"] == "Tue, 31 Dec 2100 23:59:59 GMT"  # ...dated 2100


async def test_fake_fault_after_processing_hides_the_real_answer(fake: FakePortOne) -> None:
    """``after`` carries the request out, then answers as scripted; ``contains`` picks it."""
    txn = fake.state.add_transaction("ORDER-1")
    other = fake.state.add_transaction("ORDER-2")
    fake.fail(status=429, after=True, path="/capture$", contains=txn.order_ref)
    headers = {"X-Portone-Client-Key": DEMO_CLIENT_KEY, "Authorization": f"Bearer {fake.mint()}"}
    statuses = []
    async with aiohttp.ClientSession(headers=headers) as session:
        for target in (other, txn):
            url = f"{fake.url}/api/transaction/{target.order_ref}/capture"
            async with session.post(url) as resp:
                statuses.append(resp.status)
    assert statuses == [200, 429]
    assert other.captured
    assert txn.captured  # the 429 came after the capture was done
    assert fake.in_flight == 0
