"""The library is quiet unless the application configures logging, and then it says the same
thing through structlog or the standard ``logging`` logger ``aioportone``."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import structlog
from structlog.testing import LogCapture

from aioportone import PortOneClient
from aioportone._cli import main
from aioportone._observe import log_event
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

from ._logs import (
    LOCAL_LIFE,
    LOCAL_REFRESH,
    SERVER_REFRESH,
    failed_refreshes,
    injected,
    records,
    request_log,
    token_log,
    token_logs,
)

STATUS = "/api/transaction/ORDER-1/status"

# Refreshes (debug), a retry (info), a rejected token and a failed refresh (warnings).
SCENARIO = """
import anyio

from aioportone import PortOneClient, RetryPolicy
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne


async def scenario(clock, fake):
    fake.state.add_transaction("ORDER-1")
    no_wait = RetryPolicy(backoff_base=0.0, backoff_max=0.0)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, retry=no_wait
    ) as portone:
        await portone.request("GET", "/api/transaction/ORDER-1/status")
        fake.fail(status=503, path="status$")
        await portone.request("GET", "/api/transaction/ORDER-1/status")
        fake.revoke(portone.tokens.current().value)
        await portone.request("GET", "/api/transaction/ORDER-1/status")
        await clock.advance(600)
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", base_url=fake.url, clock=clock
    ) as portone:
        fake.auth_token_down(6 * 3600)
        await clock.advance(4.6 * 3600)  # past the refresh point (65-75 % of 6 h)


async def run():
    clock = FakeClock()
    async with FakePortOne(clock=clock) as fake:
        await scenario(clock, fake)
        return fake.url
"""


def _expected(url: str, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Everything SCENARIO logs, in order. How many renewals the ten local minutes hold and how
    many refresh attempts fail before the end depend on the jitter: counted from ``entries``."""
    renewals = sum(e["event"] == "aioportone.token.refresh_scheduled" for e in entries) - 1
    failures = sum(e["event"] == "aioportone.token.refresh_failed" for e in entries)
    local = [
        token_log("refreshed", expires_in=95.0),
        request_log(
            "retry",
            method="GET",
            path=STATUS,
            attempt=1,
            delay=0.0,
            error=injected(503, url + STATUS),
            budget=495,
        ),
        token_log("token_rejected", expires_in=95.0),
        # Re-minted at once, a second earlier than the rejected token's claims.
        token_log("refreshed", expires_in=94.0),
        *[
            token_log("refreshed", expires_in=LOCAL_LIFE),
            token_log("refresh_scheduled", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH),
        ]
        * renewals,
    ]
    server = [
        token_log("refreshed", source="server", waiters=1, expires_in=21600.0),
        token_log(
            "refresh_scheduled",
            source="server",
            waiters=1,
            expires_in=21600.0,
            delay=SERVER_REFRESH,
        ),
        *token_logs(
            failed_refreshes(failures, injected(503, url + "/api/merchant/auth-token", "POST"))
        ),
    ]
    return local + server


def _scenario() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(SCENARIO, "scenario", "exec"), namespace)  # noqa: S102 - our own text above
    return namespace["run"]


def test_a_program_that_configures_no_logging_prints_nothing() -> None:
    """Refreshes, retries, a rejected token and an outage: nothing on stdout or stderr."""
    script = SCENARIO + "\nanyio.run(run)\n"
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


async def test_with_structlog_configured_the_events_go_to_structlog(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An application that configured structlog gets every event there, and none via stdlib."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    caplog.set_level(logging.DEBUG, logger="aioportone")
    url = await _scenario()()
    assert capture.entries == _expected(url, capture.entries)
    assert records(caplog) == []


async def test_with_stdlib_logging_configured_the_same_events_arrive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without structlog, the stdlib logger 'aioportone' gets the same names, fields and levels."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    url = await _scenario()()
    assert capture.entries == _expected(url, capture.entries)
    structlog.reset_defaults()
    caplog.set_level(logging.DEBUG, logger="aioportone")
    url = await _scenario()()
    via_stdlib = records(caplog)
    assert via_stdlib == _expected(url, via_stdlib)
    aioportone = [r for r in caplog.records if r.name == "aioportone"]
    first = aioportone[0]
    assert first.getMessage() == "aioportone.token.refreshed source=local expires_in=95.0 waiters=0"
    failed = next(r for r in aioportone if r.event == "aioportone.token.refresh_failed")  # type: ignore[attr-defined]
    assert "error='ServerError: HTTP 503" in failed.getMessage()
    assert failed.levelno == logging.WARNING


async def test_a_logging_filter_that_raises_changes_nothing(
    clock: FakeClock, fake: FakePortOne
) -> None:
    """A stdlib filter that raises on every record: requests and refreshes go on unharmed."""

    class Broken(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            raise RuntimeError("log pipeline down")

    logger = logging.getLogger("aioportone")
    broken = Broken()
    logger.addFilter(broken)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        fake.state.add_transaction("ORDER-1")
        async with PortOneClient(
            DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
        ) as portone:
            first = portone.tokens.current()
            await clock.advance(first.lifetime)
            await portone.request("GET", STATUS)
            assert portone.tokens.current() is not first
    finally:
        logger.removeFilter(broken)
        logger.setLevel(level)


def test_nothing_is_built_when_nobody_listens() -> None:
    """With no logging configured, an event's fields are not even turned into text."""

    class Watched:
        shown = 0

        def __repr__(self) -> str:
            Watched.shown += 1
            return "watched"

        __str__ = __repr__

    log_event("debug", "aioportone.test.quiet", value=Watched())
    log_event("info", "aioportone.test.quiet", value=Watched())
    assert Watched.shown == 0


def test_cli_verbose_shows_the_events_on_stderr_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aioportone -v token`: the token alone on stdout, the refresh event on stderr."""
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)
    assert main(["-v", "token"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1
    assert "DEBUG aioportone.token.refreshed source=local" in err
    assert main(["token"]) == 0
    out, err = capsys.readouterr()
    assert err == ""


def test_importing_the_library_imports_no_test_tools() -> None:
    """`import aioportone` (and aioportone.testing) never imports pytest."""
    script = textwrap.dedent(
        """
        import sys
        import aioportone, aioportone.testing, aioportone.webhooks
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("pytest", "_pytest")))
        """
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
