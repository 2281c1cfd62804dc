"""A canary secret and the tokens it signs never reach logs, reprs or exception messages."""

from __future__ import annotations

import logging

import anyio
import pytest
import structlog
from structlog.testing import LogCapture

from aioportone import PortOneClient, PortOneError, RetryPolicy, TokenEvent
from aioportone.testing import FakeClock, FakePortOne

from ._logs import (
    LOCAL_LIFE,
    LOCAL_REFRESH,
    failed_refreshes,
    hooked,
    injected,
    server_start,
    token_event,
    token_logs,
)

KEY = "canaryClientKey1"
CANARY = "canary-secret-5f1c0ad7e3b24b8c9d6e0f1a2b3c4d5e"


@pytest.mark.parametrize("source", ["local", "server"])
async def test_canary_never_leaks(
    clock: FakeClock, source: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Through refreshes, failures, 401s and errors, no log, repr or error shows a credential."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    caplog.set_level(logging.DEBUG)
    events: list[TokenEvent] = []
    seen: list[str] = []
    errors: list[BaseException] = []
    async with FakePortOne({KEY: CANARY}, clock=clock) as fake:
        fake.state.add_transaction("ORDER-1")
        async with PortOneClient(
            KEY,
            CANARY,
            token_source=source,  # type: ignore[arg-type]
            base_url=fake.url,
            clock=clock,
            on_event=events.append,
            retry=RetryPolicy(max_retries=0),
        ) as portone:
            tokens = {portone.tokens.current().value}
            await clock.advance(2)  # a token issued in another second differs from this one
            fake.revoke(portone.tokens.current().value)
            await portone.request("GET", "/api/transaction/ORDER-1/status")  # 401, then retried
            fake.auth_token_down(7 * 3600)
            fake.fail(status=500, path="status$", times=1)
            for ref in ["ORDER-1", "MISSING"]:
                try:
                    await portone.request("GET", f"/api/transaction/{ref}/status")
                except PortOneError as exc:
                    errors.append(exc)
            await clock.advance(portone.tokens.current().lifetime * 0.9)
            tokens.add(portone.tokens.current().value)
            seen += [
                repr(portone),
                repr(portone.tokens),
                repr(portone.tokens.current()),
                str(portone.tokens.current()),
                repr(portone.tokens.source),
            ]
            async with anyio.create_task_group() as tg:
                tg.start_soon(portone.request, "GET", "/api/transaction/ORDER-1/status")
        auth_down = injected(503, fake.url + "/api/merchant/auth-token", "POST")
    assert errors
    for error in errors:
        seen += [str(error), repr(error), repr(error.__cause__), str(getattr(error, "body", ""))]
    seen += [repr(e) for e in events]
    seen += [repr(entry) for entry in capture.entries]
    seen += [r.getMessage() for r in caplog.records]
    blob = "\n".join(seen)
    assert CANARY not in blob
    for token in tokens:
        assert token not in blob
        assert token.split(".")[2] not in blob  # not even the signature part
    # What was logged, whole: the checks above looked at every event of the scenario.
    if source == "local":
        expected = [
            token_event("refreshed", expires_in=95.0),
            token_event("token_rejected", expires_in=93.0),
            token_event("refreshed", expires_in=95.0),  # re-minted two seconds later
            token_event("refreshed", expires_in=LOCAL_LIFE),
            token_event("refresh_scheduled", expires_in=LOCAL_LIFE, delay=LOCAL_REFRESH),
        ]
    else:
        first = [
            *server_start(),
        ]
        # The rejected token's replacement has the retried request waiting for it.
        expected = [
            *first,
            token_event("token_rejected", source="server", expires_in=21598.0),
            *first,
            *failed_refreshes(len(events) - 5, auth_down),
        ]
    assert hooked(events) == expected
    assert capture.entries == token_logs(expected)


def test_token_repr_is_masked() -> None:
    """A Token shows its length, never its value, in repr and str."""
    from aioportone import Token

    token = Token(value="eyJ.secret.sig", issued_at=0, expires_at=100)
    assert "eyJ" not in repr(token)
    assert "eyJ" not in str(token)
    assert "14 chars" in repr(token)
