"""Whole-list assertions on the library's events.

A log test captures every event emitted during the action under test — structlog entries with the
``logs`` fixture (a :class:`structlog.testing.LogCapture`), stdlib records with ``caplog``, hook
events with ``on_event=events.append`` — and compares the complete, ordered list with ``==``::

    assert logs.entries == [token_log("refreshed", expires_in=95.0), retry_log(...)]

so a missing, extra or reordered event, or a wrong or missing field, fails the test. The
builders below spell out each event's fixed fields (name, level, source, waiters); the test gives
the rest. Their level tables are the contract the library's event names and levels are held to.

Only values that truly vary from run to run are loosened, with :class:`Varies`: the refresh
point and the backoffs are drawn from an unseeded ``random.Random()``, and a token's remaining
life at such a moment follows from the draw. A ``Varies`` still has bounds (the policy's), so
a value outside what the rules allow fails. Everything else is a literal.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import pytest

from aioportone import TokenEvent

__all__ = [
    "BACKOFF",
    "LOCAL_LIFE",
    "LOCAL_REFRESH",
    "REQUEST_LEVELS",
    "SERVER_LIFE",
    "SERVER_REFRESH",
    "TOKEN_LEVELS",
    "Varies",
    "failed_refreshes",
    "hooked",
    "injected",
    "records",
    "request_event",
    "request_log",
    "server_start",
    "token_event",
    "token_log",
    "token_logs",
]

# The level of each event the token manager logs as ``aioportone.token.<name>``.
TOKEN_LEVELS = {
    "refreshed": "debug",
    "refresh_scheduled": "debug",
    "refresh_failed": "warning",
    "refresh_gave_up": "error",
    "token_rejected": "warning",
    "clock_skew": "warning",
    "hook_failed": "error",
}
# The level of each event the transport logs as ``aioportone.request.<name>``.
REQUEST_LEVELS = {"retry": "info", "retry_budget_exhausted": "warning", "hook_failed": "error"}


class Varies:
    """Equal to any number from ``low`` to ``high`` (inclusive): a value drawn at random.

    Not equal to a bool, None or text, so a field that went missing or changed type still fails.

    Args:
        low: The least value the rules allow.
        high: The greatest value the rules allow.
    """

    __hash__ = None  # type: ignore[assignment]  # compared, never hashed

    def __init__(self, low: float = -math.inf, high: float = math.inf) -> None:
        self.low = low
        self.high = high

    def __eq__(self, other: object) -> bool:
        if isinstance(other, bool) or not isinstance(other, int | float):
            return False
        return self.low <= other <= self.high

    def __repr__(self) -> str:
        return f"Varies({self.low!r}, {self.high!r})"


# A local token's life when minted: 100 s from an ``iat`` back-dated 5 s and rounded down to the
# whole second, so 94 to 95 s; it is replaced at 65-75 % of that life (``RefreshPolicy``).
LOCAL_LIFE = Varies(94, 95)
LOCAL_REFRESH = Varies(0.65 * 94, 0.75 * 95)
# The fake's server tokens live 6 h (``expires_in: 21600``, less the fraction of the second the
# answer came in); they too are replaced at 65-75 % of their life.
SERVER_LIFE = Varies(21599, 21600)
SERVER_REFRESH = Varies(0.65 * 21599, 0.75 * 21600)
# A transient failure's backoff: at least the 5 s between two fetches, at most 300 s.
BACKOFF = Varies(5, 300)


def injected(status: int, url: str, method: str = "GET", kind: str = "ServerError") -> str:
    """An ``error`` field for a ``fake.fail(status=...)`` answer: the error class ``kind``, the
    fake's code (the status and a 0: 503 gives 5030), its reason ``INJECTED_FAILURE``."""
    return f"{kind}: HTTP {status} {status}0 INJECTED_FAILURE: Injected failure ({method} {url})"


def token_log(
    name: str, *, source: str = "local", waiters: int | None = 0, **fields: Any
) -> dict[str, Any]:
    """The structlog entry of token event ``name``: the fields the manager gives every event
    (``source``, ``waiters``; ``waiters=None`` for one that has none) and ``fields``."""
    entry: dict[str, Any] = {
        "event": f"aioportone.token.{name}",
        "log_level": TOKEN_LEVELS[name],
        "source": source,
    }
    if waiters is not None:
        entry["waiters"] = waiters
    return entry | fields


def request_log(name: str, **fields: Any) -> dict[str, Any]:
    """The structlog entry of request event ``name`` (``retry``, ``retry_budget_exhausted``,
    ``hook_failed``) with ``fields``."""
    return {"event": f"aioportone.request.{name}", "log_level": REQUEST_LEVELS[name]} | fields


def hooked(events: Iterable[TokenEvent]) -> list[dict[str, Any]]:
    """What a hook received, for a whole-list comparison with :func:`token_event` and
    :func:`request_event`: each event's class under ``"class"`` and its fields, None ones left
    out (an expected dict leaves them out too, so a field that should be None still fails)."""
    return [
        {"class": type(event).__name__}
        | {key: value for key, value in dataclasses.asdict(event).items() if value is not None}
        for event in events
    ]


def token_event(
    name: str, *, source: str = "local", waiters: int = 0, **fields: Any
) -> dict[str, Any]:
    """A :class:`~aioportone.TokenEvent` as :func:`hooked` shows it."""
    return {"class": "TokenEvent", "name": name, "source": source, "waiters": waiters} | fields


def server_start() -> list[dict[str, Any]]:
    """What entering a client on the fake's 6-hour server tokens reports: the first token,
    fetched while the entering task waits for it, and when it will be renewed."""
    return [
        token_event("refreshed", source="server", waiters=1, expires_in=21600.0),
        token_event(
            "refresh_scheduled",
            source="server",
            waiters=1,
            expires_in=21600.0,
            delay=SERVER_REFRESH,
        ),
    ]


def request_event(name: str, *, source: str = "local", **fields: Any) -> dict[str, Any]:
    """A :class:`~aioportone.RequestEvent` as :func:`hooked` shows it."""
    return {"class": "RequestEvent", "name": name, "source": source, "waiters": 0} | fields


def token_logs(expected: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The structlog entries that expected :func:`token_event` dicts are logged as: the same
    fields, the name turned into the dotted event and its level."""
    return [
        token_log(e["name"], **{k: v for k, v in e.items() if k not in ("class", "name")})
        for e in expected
    ]


def failed_refreshes(
    count: int, error: str, *, source: str = "server", delay: Varies = BACKOFF
) -> list[dict[str, Any]]:
    """``count`` transient refresh failures in a row, as :func:`hooked` shows them: attempts
    1 to ``count``, each with ``error`` and a backoff; the held token's remaining life varies
    with the draws before them."""
    return [
        token_event(
            "refresh_failed",
            source=source,
            expires_in=Varies(),
            delay=delay,
            attempt=attempt,
            error=error,
        )
        for attempt in range(1, count + 1)
    ]


def records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The stdlib records of the logger ``aioportone``, shaped like structlog entries (the
    event name, the level in lower case, the fields), to compare with the same expected list."""
    return [
        {"event": r.event, "log_level": r.levelname.lower()} | r.fields  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "aioportone"
    ]
