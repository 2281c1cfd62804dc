"""The seeded fault mix: what the fake does to one operation's requests, and to the whole run.

Each operation's faults name its own reference (``contains``), so they hit that operation and
no other, however the concurrent requests interleave; the same seed scripts the same faults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from aioportone.testing import FakePortOne, Fault

__all__ = ["AUTH_TOKEN", "SLOW", "TIMEOUT", "OpFault", "pick_fault", "script", "wave_events"]

AUTH_TOKEN = r"^/api/merchant/auth-token$"
# The client's timeout, and how long a slow answer takes, in real seconds (aiohttp's timeout is
# real time). Short, so the run stays fast; the slow answer is processed after the timeout.
TIMEOUT = 0.25
SLOW = 0.5

_HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
# Bodies no reader can use: HTML, empty, JSON cut short, a list, a bare number, deep nesting.
_MANGLED: tuple[bytes, ...] = (
    _HTML,
    b"",
    b'{"amountToRefund": 1',
    b'{"payment_link_ref": "x", "pay',
    b"[]",
    b'[{"status_code": "2000"}]',
    b"7",
    b"null",
    b"[" * 50_000 + b"]" * 50_000,
)
_RETRY_AFTER = ("0", "1", "3", "\u00b2", "-1", "1e9", "99999999999999999999", "soon", "")
_DATES = (
    "Fri, 31 Dec 2100 23:59:59 GMT",
    "Mon, 01 Jan 1900 00:00:00 GMT",
    "Tue, 31 Dec 99999 23:59:59 GMT",
    "garbage",
    "",
    "Thu, 01 Jan 1970 00:00:00 GMT",
)
_TOKEN_REJECTED = {
    "message": "The JWT Token or header is invalid or expired!",
    "status_code": "4054",
    "status_reason": "INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR",
}


@dataclass(frozen=True)
class OpFault:
    """One scripted fault: a name for the report and the :class:`Fault` fields."""

    name: str
    fields: dict[str, Any]


def pick_fault(rng: random.Random) -> OpFault | None:
    """The fault for one HTTP operation (None for most): the mix the chaos run promises."""
    roll = rng.random()
    times = rng.choice((1, 1, 1, 2, 3))
    bands: list[tuple[float, str, dict[str, Any]]] = [
        (0.05, "http_500", {"status": 500, "times": times}),
        (0.01, "drop", {"drop": True, "times": times}),
        (0.01, "drop_after", {"drop_after": True}),
        (0.01, "slow", {"delay": SLOW}),
        (0.02, "429", {"status": 429, "retry_after": rng.choice(_RETRY_AFTER), "times": times}),
        (0.005, "429_after", {"status": 429, "after": True, "retry_after": "1"}),
        (0.005, "4054_after", {"status": 401, "body": _TOKEN_REJECTED, "after": True}),
        (
            0.02,
            "mangled_after",
            {
                "raw": rng.choice(_MANGLED),
                "status": rng.choice((200, 200, 201, 204)),
                "after": True,
            },
        ),
        (0.01, "mangled", {"raw": rng.choice(_MANGLED), "status": rng.choice((200, 502, 503))}),
        (0.01, "hostile_date", {"headers": {"Date": rng.choice(_DATES)}}),
        (
            0.005,
            "hostile_retry_after",
            {"status": 503, "headers": {"Retry-After": rng.choice(_RETRY_AFTER)}, "times": times},
        ),
    ]
    edge = 0.0
    for share, name, fields in bands:
        edge += share
        if roll < edge:
            return OpFault(name, fields)
    return None


def script(fake: FakePortOne, fault: OpFault, method: str, path: str, tag: str) -> Fault:
    """Put ``fault`` on the fake for the requests of one operation (``tag`` in path or body)."""
    fields = {"times": 1, **fault.fields}
    return fake.fail(method=method, path=path, contains=tag, **fields)


def wave_events(rng: random.Random, fake: FakePortOne) -> list[str]:
    """Script the run-wide faults before a wave; returns their names (clock steps and
    revocations are done by the caller: they are listed, prefixed ``step:`` / ``revoke``)."""
    events: list[str] = []
    if rng.random() < 0.15:
        events.append(f"step:{rng.choice((1, 7, 60, 600, 3600, 3 * 3600))}")
    if rng.random() < 0.05:
        events.append("revoke")
    if rng.random() < 0.04:
        seconds = rng.choice((30, 300, 1800))
        kind = rng.choice(("503", "500", "429", "html", "timeout"))
        fields: dict[str, Any] = {"path": AUTH_TOKEN, "times": None, "until": fake.now() + seconds}
        if kind == "429":
            fields.update(status=429, retry_after=rng.choice(_RETRY_AFTER))
        elif kind == "html":
            fields.update(status=200, raw=_HTML)
        elif kind == "timeout":
            fields.update(delay=SLOW)
        else:
            fields.update(status=int(kind))
        fake.fail(**fields)
        events.append(f"auth_token_down:{kind}:{seconds}")
    if rng.random() < 0.02:
        fake.fail(path=AUTH_TOKEN, headers={"Date": rng.choice(_DATES)})
        events.append("auth_token_hostile_date")
    return events
