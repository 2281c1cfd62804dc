"""The canary secret and the JWTs it signs never show, on any error path a user can meet.

Each test provokes one failure with the canary merchant and renders what a user's tools would
show of it: ``str`` and ``repr`` of every exception in the chain, the traceback with every
frame's locals (``traceback.TracebackException(capture_locals=True)``, what Sentry or
structlog's ``dict_tracebacks`` record; the test's own frames excepted), the reprs of the
public objects involved, the events the hook received, and the CLI's output.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest

from aioportone import PortOneClient, PortOneError, RetryPolicy, TokenEvent, TokenManager, webhooks
from aioportone._cli import main
from aioportone.testing import FakeClock, FakePortOne
from tests.chaos.check import CANARY_KEY, CANARY_SECRET, exposed, rendered
from tests.test_resources_payouts import payout_args

STATUS = "/api/transaction/ORDER-1/status"
_ECHO_CODE = "4001"


def _assert_hidden(*texts: str) -> None:
    for text in texts:
        found = exposed(text)
        lines = [line.strip()[:160] for line in text.splitlines() if exposed(line)]
        assert not found, f"{', '.join(found)} shown in: {lines[:4]!r}"


async def _error_of(call: Callable[[], Awaitable[Any]]) -> BaseException:
    try:
        await call()
    except Exception as exc:
        return exc
    raise AssertionError("the call was expected to fail")


@asynccontextmanager
async def _canary(
    clock: FakeClock, source: str = "local", secret: str = CANARY_SECRET, **options: Any
) -> AsyncIterator[tuple[FakePortOne, PortOneClient, list[TokenEvent]]]:
    events: list[TokenEvent] = []
    async with FakePortOne({CANARY_KEY: secret}, clock=clock) as fake:
        fake.state.add_transaction("ORDER-1")
        client = PortOneClient(
            CANARY_KEY,
            CANARY_SECRET,
            token_source=source,  # type: ignore[arg-type]
            base_url=fake.url,
            clock=clock,
            on_event=events.append,
            retry=RetryPolicy(max_retries=0),
            **options,
        )
        yield fake, client, events


async def test_a_wrong_secret_refused_by_portone_is_never_shown(clock: FakeClock) -> None:
    """PortOne refusing the secret (4099): the error and its traceback do not show it."""
    async with _canary(clock, "server", secret="another-secret-of-another-merchant") as (
        _,
        client,
        events,
    ):

        async def enter() -> None:
            async with client:
                pass

        error = await _error_of(enter)
    assert isinstance(error, PortOneError)
    _assert_hidden(rendered(error), repr(client), *map(repr, events))


async def test_an_auth_token_answer_echoing_the_secret_is_redacted(clock: FakeClock) -> None:
    """An auth-token error that echoes the request body: its text is not repeated anywhere."""
    async with _canary(clock, "server") as (fake, client, events):
        echo = {"portone_key": CANARY_KEY, "portone_secret": CANARY_SECRET}
        fake.fail(
            path="auth-token",
            status=400,
            body={"message": f"bad request {json.dumps(echo)}", "status_code": _ECHO_CODE},
        )

        async def enter() -> None:
            async with client:
                pass

        error = await _error_of(enter)
    _assert_hidden(rendered(error), *map(repr, events))


async def test_an_api_answer_echoing_the_token_is_redacted(clock: FakeClock) -> None:
    """An API error that echoes the Authorization header does not hand the JWT on."""
    async with _canary(clock) as (fake, client, events):
        async with client:
            token = client.tokens.current().value
            fake.fail(
                path="status$",
                status=400,
                body={"message": f"bad header Bearer {token}", "status_code": _ECHO_CODE},
            )
            error = await _error_of(lambda: client.request("GET", STATUS))
    _assert_hidden(rendered(error), *map(repr, events))


async def test_a_broken_status_line_shows_no_token(clock: FakeClock) -> None:
    """An answer aiohttp cannot parse: the chained aiohttp error keeps no request headers."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with PortOneClient(
            CANARY_KEY,
            CANARY_SECRET,
            base_url=f"http://127.0.0.1:{port}",
            clock=clock,
            retry=RetryPolicy(max_retries=0),
        ) as client:
            error = await _error_of(lambda: client.request("GET", STATUS))
    finally:
        server.close()
        await server.wait_closed()
    assert isinstance(error, PortOneError)
    _assert_hidden(rendered(error))


_LOOKUPS: dict[str, Callable[[PortOneClient, FakePortOne], Awaitable[Any]]] = {
    "transaction status": lambda c, _: c.transactions.status("ORDER-1"),
    "payment-link status": lambda c, _: c.payment_links.status("LINK-1"),
    "payment-link status by merchant ref": lambda c, _: c.payment_links.status_by_merchant_ref(
        "M1"
    ),
    "payout status": lambda c, _: c.payouts.status("PAYOUT-1"),
    "the transaction details": lambda c, _: c.transactions.details("ORDER-1"),
    "the refunds": lambda c, _: c.refunds.get("ORDER-1"),
    "the subscription": lambda c, _: c.subscriptions.get("SUB-1"),
    "a balance": lambda c, _: c.payouts.virtual_accounts.balance("VA-1"),
    # Money moves: the unreadable 2xx is an AmbiguousResultError, from a frame just as clean.
    "the refund": lambda c, _: c.refunds.create("ORDER-1", amount=1, channel="FAKEPSP", reason="x"),
    "the capture": lambda c, _: c.transactions.capture("ORDER-1"),
    "the payout": lambda c, f: c.payouts.create(
        **payout_args(f.state.payouts.add_virtual_account())
    ),
    "the virtual accounts": lambda c, _: c.payouts.virtual_accounts.list(),
    "the recon data sources": lambda c, _: c.reconciliation.data_sources(),
}


@pytest.mark.parametrize("lookup", sorted(_LOOKUPS))
async def test_an_unreadable_answer_echoing_the_token_shows_it_nowhere(
    clock: FakeClock, lookup: str
) -> None:
    """A 200 answer that is no object but echoes the JWT: the APIError the parser raises
    passes through no frame that still holds the answer."""
    async with _canary(clock) as (fake, client, events):
        async with client:
            token = client.tokens.current().value
            fake.fail(path="^/api/", status=200, body=[f"Bearer {token}"])
            error = await _error_of(lambda: _LOOKUPS[lookup](client, fake))
    assert isinstance(error, PortOneError)
    assert lookup.split(" by ")[0] in str(error)
    _assert_hidden(rendered(error), *map(repr, events))


async def test_an_export_answering_an_error_envelope_shows_no_token(clock: FakeClock) -> None:
    """A file answer that is PortOne's error envelope echoing the JWT: the APIError the
    export's parser raises is redacted and passes through no frame holding the answer."""
    async with _canary(clock) as (fake, client, events):
        async with client:
            token = client.tokens.current().value
            envelope = json.dumps({"status_code": _ECHO_CODE, "message": f"Bearer {token}"})
            fake.fail(path="^/api/", raw=envelope.encode(), headers={"Content-Type": "text/csv"})
            now = datetime.fromtimestamp(clock.time(), UTC)
            window: dict[str, Any] = {"start": now - timedelta(days=1), "end": now}
            error = await _error_of(lambda: client.sub_merchants.export_transactions(**window))
    assert isinstance(error, PortOneError)
    _assert_hidden(rendered(error), *map(repr, events))


async def test_a_dropped_refund_shows_no_token_in_its_traceback(clock: FakeClock) -> None:
    """An ambiguous refund's traceback (aiohttp's frames included) holds no JWT."""
    async with _canary(clock) as (fake, client, _):
        async with client:
            txn = fake.state.transactions["ORDER-1"]
            fake.fail(path="^/api/refund/", drop_after=True)
            error = await _error_of(
                lambda: client.refunds.create(
                    txn.order_ref, amount=1, channel="FAKEPSP", reason="canary"
                )
            )
    _assert_hidden(rendered(error))


async def test_a_token_outage_error_shows_no_secret_in_its_chain(clock: FakeClock) -> None:
    """TokenUnavailableError after auth-token failed: the chained fetch error and the
    frames it passed through hold no secret."""
    async with _canary(clock, "server", wait_timeout=5) as (fake, client, events):
        async with client:
            await clock.advance(2)
            fake.auth_token_down(3600)
            fake.revoke(client.tokens.current().value)
            errors: list[BaseException] = []

            async def call() -> None:
                errors.append(await _error_of(lambda: client.request("GET", STATUS)))

            async with anyio.create_task_group() as tg:
                tg.start_soon(call)
                for _ in range(60):  # step until the request gives up (wait_timeout=5)
                    if errors:
                        break
                    await clock.advance(1)
    assert errors
    _assert_hidden(*map(rendered, errors), *map(repr, events))


def test_a_stray_byte_in_the_secret_is_not_shown() -> None:
    """A secret with a byte that is not text: the error names the argument, not the value."""
    with pytest.raises(Exception) as caught:  # noqa: PT011 - any type; its text is the point
        TokenManager(CANARY_KEY, CANARY_SECRET + "\udcff")
    _assert_hidden(rendered(caught.value))


@pytest.mark.parametrize(
    "payload",
    [b"{}", b"not json", b"[1]", b'{"a":' * 3000 + b"1" + b"}" * 3000, b'{"amount": "x"}'],
)
def test_webhook_failures_show_no_secret(payload: bytes) -> None:
    """A forged or broken webhook: the error and the verifier's frames hold no secret."""
    try:
        webhooks.verify_payment_webhook(payload, CANARY_SECRET)
    except Exception as exc:
        _assert_hidden(rendered(exc))
    else:
        raise AssertionError("a webhook without a valid signature was accepted")


async def test_reprs_of_public_objects_show_no_secret(clock: FakeClock) -> None:
    """Client, manager, token, token source and events: no repr shows the secret or a JWT."""
    for source in ("local", "server"):
        async with _canary(clock, source) as (_, client, events):
            async with client:
                token = client.tokens.current()
                shown = [repr(client), repr(client.tokens), repr(token), str(token)]
                shown += [repr(client.tokens.source), repr(client.tokens.policy)]
        _assert_hidden(*shown, *map(repr, events))


@pytest.mark.parametrize(
    "argv",
    [
        ["--secret-key", CANARY_SECRET, "token"],
        ["token", "--secret-key", CANARY_SECRET + "\udcff", "--client-key", CANARY_KEY],
        ["token", "--secret-key", CANARY_SECRET, "--client-key", "bad key\r\n"],
        ["verify-webhook", "--secret-key", CANARY_SECRET, "--file", "/nonexistent/body"],
        ["token", "--secret-key", CANARY_SECRET, "--client-key", CANARY_KEY, "--bogus"],
    ],
)
def test_cli_errors_show_no_secret(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """The CLI's usage and argument errors never echo the secret given on the command line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 0
    _assert_hidden(out, err)


def test_cli_verify_webhook_of_a_hostile_body_shows_no_secret(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """verify-webhook on a deep or forged body: a one-line error, without the secret."""
    monkeypatch.setenv("PORTONE_SECRET_KEY", CANARY_SECRET)
    for name, body in {"deep": b"[" * 50_000 + b"]" * 50_000, "forged": b'{"amount": 1}'}.items():
        path = tmp_path / name
        path.write_bytes(body)
        code = main(["verify-webhook", "--file", str(path)])
        out, err = capsys.readouterr()
        assert code != 0
        _assert_hidden(out, err)
