"""Every script in examples/ runs against a fake PortOne and shows what its docstring promises."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from structlog.testing import LogCapture

from aioportone import PortOneClient
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str) -> ModuleType:
    """Import examples/<name>.py (examples/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


quickstart = load("quickstart")
frontend_token = load("frontend_token")
webhook_receiver = load("webhook_receiver")
status_worker = load("status_worker")
own_session = load("own_session")
subscriptions_example = load("subscriptions")


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """``app`` on an ephemeral loopback port; yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def accepted(fake: FakePortOne, token: str) -> bool:
    headers = {"X-Portone-Client-Key": DEMO_CLIENT_KEY, "Authorization": f"Bearer {token}"}
    return fake.check_jwt(headers) is None


def output(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


# -- quickstart ---------------------------------------------------------------------------------


async def test_quickstart_tells_the_payment_and_token_story_in_a_few_lines(
    capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """Bare quickstart tells every step, masked token and refreshes included, in <= 25 lines."""
    assert await quickstart.main() == 0
    lines = output(capsys)
    assert len(lines) <= 25
    labels = [line.split()[0] for line in lines[1:-1] if line.startswith("  ") and line.strip()]
    for label in ("token", "link", "buyer", "payment", "refund", "refunds", "time", "request"):
        assert label in labels
    text = "\n".join(lines)
    assert "(simulated time)" in text
    assert "value=<" in text
    assert "eyJ" not in text  # no JWT on screen
    assert sum("token refreshed" in line for line in lines) >= 2
    assert "500 THB refunded: SUCCESS" in text
    assert "2000 THB still refundable" in text
    assert "sent with a new token" in text


async def test_quickstart_drives_the_given_fake_and_clock(
    fake: FakePortOne, clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """Given a fake, the quickstart pays, refunds and fast-forwards it, all requests authorized."""
    start = clock.time()
    assert await quickstart.main(fake=fake, clock=clock) == 0
    (link,) = fake.state.links.values()
    assert link.status == "Success"
    (payment,) = link.attempts
    assert [str(r.amount) for r in payment.refunds] == ["500"]
    assert clock.time() - start >= 180
    assert all(r.authorized for r in fake.requests)


async def test_quickstart_live_refuses_without_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--live without PORTONE_CLIENT_KEY/PORTONE_SECRET_KEY exits 2 and says what to set."""
    monkeypatch.delenv("PORTONE_CLIENT_KEY", raising=False)
    monkeypatch.delenv("PORTONE_SECRET_KEY", raising=False)
    assert await quickstart.main(live=True) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "PORTONE_CLIENT_KEY" in captured.err
    assert "PORTONE_SECRET_KEY" in captured.err


async def test_quickstart_live_only_reads_and_creates_one_link(
    capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """--live (here against a fake on the real clock) creates one link and otherwise only reads."""
    async with FakePortOne() as fake:
        code = await quickstart.main(
            live=True, base_url=fake.url, client_key=DEMO_CLIENT_KEY, secret_key=DEMO_SECRET_KEY
        )
    assert code == 0
    writes = [(r.method, r.path) for r in fake.requests if r.method != "GET"]
    assert writes == [("POST", "/api/paymentLink")]
    (link,) = fake.state.links.values()
    assert link.body["environment"] == "sandbox"
    assert any(link.ref in line for line in output(capsys))


def test_quickstart_script_is_what_make_demo_runs() -> None:
    """`python examples/quickstart.py` works on its own, with no log noise, in <= 25 lines."""
    done = subprocess.run(  # noqa: S603 - this interpreter, a file of this repository
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert 10 <= len(lines) <= 25
    assert "[debug" not in done.stdout
    assert lines[-1].startswith("done:")


# -- frontend_token -----------------------------------------------------------------------------


async def test_frontend_token_hands_out_the_held_local_token_uncached(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """?source=local serves the held token (same per view, new after refresh), no-store."""
    async with (
        frontend_token.token_managers(fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock) as mgrs,
        serving(frontend_token.make_app(mgrs)) as base,
        aiohttp.ClientSession(cookies={"session": "user-1"}) as browser,
    ):
        answers: list[dict[str, Any]] = []
        for _ in range(2):
            async with browser.get(f"{base}/portone-token?source=local") as resp:
                assert resp.status == 200
                assert resp.headers["Cache-Control"] == "no-store"
                answers.append(await resp.json())
        first, second = answers
        assert first == second
        held = mgrs["local"].current()
        assert first == {"token": held.value, "expires_at": int(held.expires_at)}
        assert accepted(fake, first["token"])

        await clock.advance(held.lifetime)
        async with browser.get(f"{base}/portone-token") as resp:  # local is the default
            later = await resp.json()
        assert later["token"] != first["token"]
        assert accepted(fake, later["token"])


async def test_frontend_token_server_flow_uses_one_auth_token_call(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """?source=server answers the 6-hour token fetched once from PortOne's auth-token API."""
    async with (
        frontend_token.token_managers(fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock) as mgrs,
        serving(frontend_token.make_app(mgrs)) as base,
        aiohttp.ClientSession(cookies={"session": "user-1"}) as browser,
    ):
        tokens = []
        for _ in range(3):
            async with browser.get(f"{base}/portone-token?source=server") as resp:
                assert resp.headers["Cache-Control"] == "no-store"
                answer = await resp.json()
            tokens.append(answer["token"])
        assert len(set(tokens)) == 1
        assert fake.auth_token_calls == 1
        assert answer["expires_at"] - clock.time() > 6 * 3600 - 60
        assert accepted(fake, tokens[0])


async def test_frontend_token_refuses_strangers_and_unknown_sources(
    fake: FakePortOne, clock: FakeClock
) -> None:
    """No session cookie gets 401 and no token; an unknown source gets 400."""
    async with (
        frontend_token.token_managers(fake.url, DEMO_CLIENT_KEY, DEMO_SECRET_KEY, clock) as mgrs,
        serving(frontend_token.make_app(mgrs)) as base,
        aiohttp.ClientSession() as stranger,
    ):
        async with stranger.get(f"{base}/portone-token") as resp:
            assert resp.status == 401
            assert "token" not in await resp.json()
        stranger.cookie_jar.update_cookies({"session": "user-1"})
        async with stranger.get(f"{base}/portone-token?source=mine") as resp:
            assert resp.status == 400


async def test_frontend_token_main_shows_both_flows(
    fake: FakePortOne, clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """main() prints the tokens a frontend got, by fingerprint only, and the shared local one."""
    await frontend_token.main(base_url=fake.url, clock=clock)
    lines = output(capsys)
    got = [line for line in lines if "frontend got" in line]
    assert [line.split()[3] for line in got] == ["local", "local", "server"]
    assert got[0].split("#")[1] == got[1].split("#")[1]
    assert "no-store" in got[2]
    assert "two page views, one local token: it is not minted per request" in lines[-1]
    assert "eyJ" not in "\n".join(lines)


# -- webhook_receiver ---------------------------------------------------------------------------


async def test_webhook_receiver_records_genuine_webhooks_only(
    fake: FakePortOne, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """Signed webhooks are recorded, forged ones get 401, refund hints are confirmed."""
    receiver = await webhook_receiver.main(fake=fake)
    (payment,) = receiver.payments
    assert (payment.merchant_order_ref, payment.status, str(payment.amount)) == (
        "ORDER-42",
        "Success",
        "1500",
    )
    (summary,) = receiver.refunds
    assert len(summary.refunds) == 1
    assert [d.status for d in fake.state.deliveries] == [200]
    text = "\n".join(output(capsys))
    assert "forged webhook (amount changed): receiver answered 401" in text
    assert "refunds.get confirms 1 refund(s)" in text


async def test_webhook_receiver_ignores_a_refund_hint_for_an_unknown_payment(
    client: PortOneClient,
) -> None:
    """An unsigned refund webhook naming no real payment is acknowledged and ignored."""
    receiver = webhook_receiver.Receiver(client)
    app = webhook_receiver.make_app(DEMO_SECRET_KEY, receiver)
    async with serving(app) as base, aiohttp.ClientSession() as stranger:
        hint = {"payment_txn_ref": "NoSuchPayment0000000000000", "amount": 999}
        async with stranger.post(base + webhook_receiver.REFUND_PATH, json=hint) as resp:
            assert resp.status == 200
        async with stranger.post(base + webhook_receiver.PAYMENT_PATH, json=hint) as resp:
            assert resp.status == 401
    assert [event.order_ref for event in receiver.ignored] == ["NoSuchPayment0000000000000"]
    assert receiver.refunds == []
    assert receiver.payments == []


# -- status_worker ------------------------------------------------------------------------------


async def test_status_worker_counts_ok_and_failed_lookups(
    fake: FakePortOne, clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """Every ref is looked up once through one client; unknown refs count as failed."""
    refs = [f"W-{n}" for n in range(300)]
    for ref in refs[5:]:
        fake.state.add_transaction(ref)
    summary = await status_worker.main(refs=refs, concurrency=20, base_url=fake.url, clock=clock)
    assert (summary.ok, summary.failed) == (295, 5)
    assert summary.errors == {"NotFoundError": 5}
    assert len(fake.calls(r"^/api/transaction/W-\d+/status$")) == 300
    (line,) = output(capsys)
    assert line.startswith(
        "concurrency 20, one client: 300 lookups: 295 ok (295 Success), 5 failed"
    )


async def test_status_worker_default_run(
    capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """With no arguments it looks up 1,000 refs against its own fake, 10 of them unknown."""
    summary = await status_worker.main()
    assert (summary.ok, summary.failed) == (990, 10)
    assert "1000 lookups: 990 ok" in output(capsys)[0]


# -- own_session --------------------------------------------------------------------------------


async def test_own_session_gets_the_headers_from_the_middleware(
    fake: FakePortOne, clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """A plain aiohttp session with tokens.middleware reaches PortOne with both auth headers."""
    txn = fake.state.add_transaction("ORDER-1001", status="Pending")
    answer = await own_session.main(base_url=fake.url, clock=clock)
    assert answer["content"] == {
        "order_ref": txn.order_ref,
        "channel_order_ref": txn.channel_order_ref,
        "status": "Pending",
    }
    (request,) = fake.requests
    assert request.authorized
    assert request.headers["X-Portone-Client-Key"] == DEMO_CLIENT_KEY
    lines = output(capsys)
    assert lines[0].startswith("GET /api/transaction/ORDER-1001/status -> HTTP 200")
    assert "eyJ" not in "\n".join(lines)


async def test_own_session_default_run(
    capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """With no arguments it runs against its own fake and gets a Success status."""
    answer = await own_session.main()
    assert answer["content"]["status"] == "Success"
    assert "HTTP 200" in output(capsys)[0]


# -- subscriptions ------------------------------------------------------------------------------


async def test_subscriptions_bills_monthly_and_per_ride_without_double_charges(
    fake: FakePortOne, clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """Two months collected, a lost ride answer raises AmbiguousResultError and the ride is
    charged exactly once; every request was authorized."""
    summary = await subscriptions_example.main(fake=fake, clock=clock)
    monthly = summary.monthly
    assert monthly is not None
    assert (monthly.status, monthly.collected_count, monthly.recurrence_count) == ("Active", 2, 12)
    (ambiguous,) = summary.ambiguous
    assert "subscriptions.transactions(" in ambiguous.how_to_check
    refs = [t.merchant_order_ref for t in summary.rides]
    assert refs.count("RIDE-1001") == refs.count("RIDE-1002") == 1
    assert len(fake.calls("createDeduction$")) == 2
    assert all(r.authorized for r in fake.requests)
    text = "\n".join(output(capsys))
    assert "RIDE-1002 charged 1 time(s)" in text
    assert "https://subscription.portone.cloud/?ref=" in text


def test_subscriptions_script_runs_on_its_own() -> None:
    """`python examples/subscriptions.py` runs against its own fake and ends with "done:"."""
    done = subprocess.run(  # noqa: S603 - this interpreter, a file of this repository
        [sys.executable, str(EXAMPLES / "subscriptions.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("done: 3 payments")
    assert "[debug" not in done.stdout
