"""No secret or JWT in a traceback's locals, nor in text a server echoed back to us.

Each error is rendered the ways error trackers and log pipelines render one: every local of
every frame of its traceback and of its whole cause/context chain, ``traceback`` with
``capture_locals`` and structlog's ``dict_tracebacks``.
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import aiohttp
import anyio
import pytest
import structlog
from aiohttp import web
from aiohttp.test_utils import TestServer

from aioportone import (
    ConfigurationError,
    PortOneClient,
    PortOneError,
    SignatureError,
    TokenEvent,
    TokenManager,
)
from aioportone._signatures import sign_payment_request
from aioportone.testing import FakeClock, FakePortOne
from aioportone.webhooks import verify_payment_webhook, webhook_handler

from ._logs import hooked, token_event

KEY = "canaryClientKey1"
CANARY = "canary-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
AUTH = r"^/api/merchant/auth-token$"
STATUS = "/api/transaction/ORDER-1/status"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            stack += list(current.exceptions)


def _repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a half-built object's repr may fail: nothing shown then
        return type(exc).__name__


def rendered(exc: BaseException, *, frames: bool = True) -> str:
    """Everything a log line or, with ``frames``, a traceback with locals can show of ``exc``."""
    parts: list[str] = []
    for error in _chain(exc):
        parts += [str(error), repr(error), repr(getattr(error, "body", None))]
        tb = error.__traceback__
        while frames and tb is not None:
            parts += [_repr(value) for value in tb.tb_frame.f_locals.values()]
            tb = tb.tb_next
    if frames:
        parts += traceback.TracebackException.from_exception(exc, capture_locals=True).format()
        as_dict = structlog.processors.dict_tracebacks(None, "error", {"exc_info": exc})
        parts.append(repr(as_dict))
    return "\n".join(parts)


def assert_clean(exc: BaseException, *secrets: str, frames: bool = True) -> None:
    text = rendered(exc, frames=frames)
    for secret in secrets:
        assert secret not in text
        if secret.count(".") == 2:
            assert secret.rsplit(".", 1)[1] not in text


async def _entering(tokens: TokenManager, clock: FakeClock) -> PortOneError:
    """Enter ``tokens`` and return the error entering it ends with, moving the clock."""
    box: list[PortOneError] = []

    async def enter() -> None:
        try:
            async with tokens:
                pass  # pragma: no cover - entering fails in these tests
        except PortOneError as exc:
            box.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(enter)
        while not box:
            await anyio.wait_all_tasks_blocked()
            if not box:
                await clock.advance(1)
    return box[0]


async def test_unreachable_auth_token_leaves_no_secret_in_frames(clock: FakeClock) -> None:
    """auth-token unreachable: the error's chain holds neither the secret nor the request body."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tokens = TokenManager(
        KEY,
        CANARY,
        token_source="server",
        base_url=f"http://127.0.0.1:{port}",
        clock=clock,
        wait_timeout=5,
    )
    error = await _entering(tokens, clock)
    assert error.__cause__ is not None  # the connection failure is kept, in our words
    assert_clean(error, CANARY)


async def test_echoed_secret_is_redacted_everywhere(clock: FakeClock) -> None:
    """auth-token echoing the request: the error, its body and the events never show it."""
    events: list[TokenEvent] = []
    async with FakePortOne({KEY: CANARY}, clock=clock) as fake:
        echo = {"portone_key": KEY, "portone_secret": CANARY}
        fake.fail(
            status=400,
            body={"message": f"bad request {echo}", "status_code": "4001", "request": echo},
            path=AUTH,
        )
        tokens = TokenManager(
            KEY,
            CANARY,
            token_source="server",
            base_url=fake.url,
            clock=clock,
            on_event=events.append,
        )
        error = await _entering(tokens, clock)
        auth = fake.url + "/api/merchant/auth-token"
    assert "4001" in str(error)
    assert "<redacted>" in str(error)
    assert_clean(error, CANARY)
    # One event, the echo redacted in its error; 4001 is a refusal retrying cannot fix.
    assert hooked(events) == [
        token_event(
            "refresh_gave_up",
            source="server",
            waiters=1,
            delay=300.0,
            attempt=1,
            error="InvalidRequestError: HTTP 400 4001: bad request {'portone_key': "
            f"'{KEY}', 'portone_secret': '<redacted>'}} (POST {auth})",
        )
    ]
    assert all(CANARY not in repr(e) for e in events)


async def test_echoed_jwt_is_redacted(clock: FakeClock) -> None:
    """An endpoint echoing the Authorization header: the JWT is not in the error's text."""
    async with FakePortOne({KEY: CANARY}, clock=clock) as fake:
        fake.state.add_transaction("ORDER-1")
        async with PortOneClient(KEY, CANARY, base_url=fake.url, clock=clock) as portone:
            jwt = portone.tokens.current().value
            fake.fail(
                status=400,
                body={"message": f"Authorization: Bearer {jwt}", "status_code": "4001"},
                path="status$",
            )
            with pytest.raises(PortOneError) as info:
                await portone.request("GET", STATUS)
    assert "<redacted>" in str(info.value)
    # The request path's frames are the transport's to keep clean; its errors' text is ours.
    assert_clean(info.value, CANARY, jwt, frames=False)


def _forged() -> dict[str, Any]:
    return {
        "currency": "USD",
        "amount": 100.5,
        "order_ref": "ref-1",
        "channel_order_ref": "c-1",
        "merchant_order_ref": "m-1",
        "country_code": "US",
        "status": "Success",
        "channel_key": "K",
        "method_name": "M",
        "signature_hash": "Zm9yZ2Vk",
    }


def test_webhook_verifier_frames_hold_no_secret() -> None:
    """A forged webhook's SignatureError: no frame shows the secret or the expected signature."""
    with pytest.raises(SignatureError) as info:
        verify_payment_webhook(_forged(), CANARY)
    assert_clean(info.value, CANARY)


def test_signing_error_holds_no_secret() -> None:
    """A bad amount to sign: the ConfigurationError's frames never show the secret."""
    with pytest.raises(ConfigurationError) as signing:
        sign_payment_request(
            secret_key=CANARY,
            portone_key=KEY,
            amount=Decimal(-1),
            currency="THB",
            merchant_order_id="o",
            success_url="https://a.example",
            failure_url="https://b.example",
        )
    assert_clean(signing.value, CANARY)


def test_signer_error_holds_no_secret() -> None:
    """The token manager's signer, as resources use it: a bad amount's frames never show the
    secret, though one of them holds the signer."""
    signer = TokenManager(KEY, CANARY).signer
    with pytest.raises(ConfigurationError) as signing:
        signer.payment_request(
            amount=Decimal(-1),
            currency="THB",
            merchant_order_id="o",
            success_url="https://a.example",
            failure_url="https://b.example",
        )
    assert_clean(signing.value, CANARY)


async def test_webhook_handler_frames_hold_no_secret() -> None:
    """A callback raising inside webhook_handler: the traceback's frames never show the secret."""
    caught: list[BaseException] = []

    async def on_event(event: Any) -> None:
        raise RuntimeError("fulfilment down")

    handler = webhook_handler(CANARY, on_event)

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except RuntimeError as exc:
            caught.append(exc)
            return web.json_response({}, status=500)

    body = _forged()
    from aioportone._secrets import Secret
    from aioportone._signatures import _PAYMENT_WEBHOOK_FIELDS, _compute

    signed = {n: str(body[n]) for n in _PAYMENT_WEBHOOK_FIELDS}
    body["signature_hash"] = _compute(Secret(CANARY), signed)
    app = web.Application()
    app.router.add_post("/hook", wrapped)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        async with session.post(server.make_url("/hook"), json=body) as resp:
            assert resp.status == 500
    assert len(caught) == 1
    assert_clean(caught[0], CANARY)


def test_redact_removes_secrets_and_jwt_signatures() -> None:
    """Echoed text loses the secret, a whole JWT and a JWT's bare signature; short values stay."""
    from aioportone._secrets import redact, redact_data

    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXkifQ.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA"
    text = f"secret={CANARY} token={jwt} sig={jwt.rsplit('.', 1)[1]} pin=1234"
    assert redact(text, [CANARY, jwt, "1234"]) == (
        "secret=<redacted> token=<redacted> sig=<redacted> pin=1234"
    )
    data = {"echo": [{"portone_secret": CANARY}], CANARY: 1, "n": 5}
    assert redact_data(data, [CANARY]) == {
        "echo": [{"portone_secret": "<redacted>"}],
        "<redacted>": 1,
        "n": 5,
    }
