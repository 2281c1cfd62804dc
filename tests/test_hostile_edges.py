"""Hostile input at the edges: deep webhook bodies, hostile answers to the CLI, huge or echoing
auth-token answers. Each ends as data or one clear error, never a traceback or a 500."""

from __future__ import annotations

import io
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from anyio.from_thread import start_blocking_portal

from aioportone import TokenEvent, TokenManager
from aioportone._cli import main
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from aioportone.webhooks import webhook_handler

from ._logs import SERVER_REFRESH, hooked, server_start, token_event

DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECT = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
AUTH = r"^/api/merchant/auth-token$"


@pytest.fixture
def served() -> Iterator[FakePortOne]:
    """A fake PortOne (demo merchant, real clock) on its own event loop in a thread."""
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(FakePortOne()) as fake,
    ):
        yield fake


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
async def test_webhook_handler_answers_400_to_a_deep_body(body: bytes) -> None:
    """A 10,000-deep JSON body to the webhook handler: 400 with a reason, never a 500."""
    called: list[object] = []

    async def on_event(event: object) -> None:
        called.append(event)  # pragma: no cover - never reached

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(DEMO_SECRET_KEY, on_event))
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        async with session.post(server.make_url("/hook"), data=body) as resp:
            assert resp.status == 400
            answer = await resp.json()
    assert answer["received"] is False
    assert "deep" in answer["error"]
    assert called == []


@pytest.mark.usefixtures("demo_env")
def test_verify_webhook_on_a_deep_body_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """verify-webhook on a 10,000-deep body: exit 1 and one error line, no traceback."""
    stdin = io.TextIOWrapper(io.BytesIO(DEEP))
    monkeypatch.setattr("sys.stdin", stdin)
    code = main(["verify-webhook"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("aioportone: error: ")
    assert "deep" in err


@pytest.mark.usefixtures("demo_env")
def test_status_on_a_hostile_answer_has_no_exception_group(
    served: FakePortOne, capsys: pytest.CaptureFixture[str]
) -> None:
    """A status answer nested 10,000 deep: that reference fails with a line, the rest work."""
    served.state.add_transaction("GOOD-1", status="Success")
    served.fail(raw=DEEP, path="BAD-1", times=None)
    code = main(["status", "--base-url", served.url, "--no-progress", "BAD-1", "GOOD-1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "ExceptionGroup" not in err
    assert "Traceback" not in err
    lines = out.splitlines()
    assert len(lines) == 2
    assert any('"ref": "GOOD-1"' in line and '"status"' in line for line in lines)
    assert any('"ref": "BAD-1"' in line and '"error"' in line for line in lines)


def test_cli_stderr_never_echoes_the_secret(
    served: FakePortOne, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """auth-token echoing the request into its refusal: the CLI's error line shows no secret."""
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)
    served.fail(
        status=400,
        body={"message": f"bad body: portone_secret={DEMO_SECRET_KEY}", "status_code": "4001"},
        path=AUTH,
        times=None,
    )
    code = main(["token", "--source", "server", "--base-url", served.url])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "4001" in err
    assert DEMO_SECRET_KEY not in err


async def test_huge_auth_token_answer_is_a_transient_failure(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """A 2 MB auth-token answer is refused unread past 64 KiB; renewal retries and recovers."""
    events: list[TokenEvent] = []
    async with TokenManager(
        DEMO_CLIENT_KEY,
        DEMO_SECRET_KEY,
        token_source="server",
        base_url=fake.url,
        clock=clock,
        on_event=events.append,
    ) as tokens:
        first = tokens.current()
        fake.fail(raw=b" " * 2_000_000, path=AUTH, times=1)
        tokens.invalidate(first)
        for _ in range(30):
            await clock.advance(1)
            if tokens.usable() is not None:
                break
        assert tokens.current().value != first.value
    # The invalidated token is still held (it is not sent): its remaining life is reported.
    assert hooked(events) == [
        *server_start(),
        token_event(
            "refresh_failed",
            source="server",
            expires_in=21600.0,
            delay=5.0,  # the 5 s between two fetches
            attempt=1,
            error="InvalidServerTokenError: PortOne's auth-token answer is larger than 65536 bytes",
        ),
        token_event("refreshed", source="server", expires_in=21600.0),
        token_event("refresh_scheduled", source="server", expires_in=21600.0, delay=SERVER_REFRESH),
    ]
