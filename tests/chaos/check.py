"""The invariants, read off the fake's own records after a run, and the report they fill."""

from __future__ import annotations

import base64
import binascii
import json
import re
import traceback
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aioportone import AmbiguousResultError, APIError, PaymentLink, PortOneError
from aioportone.testing import FakePortOne

from .ops import MONEY, READS, Op, by_needle

__all__ = [
    "CANARY_KEY",
    "CANARY_SECRET",
    "JWT",
    "ChaosReport",
    "check_ops",
    "check_secrets",
    "check_tokens",
    "exposed",
    "rendered",
]

# The chaos merchant: a secret distinctive enough that finding it anywhere is a leak.
CANARY_KEY = "chaosCanaryKey01"
CANARY_SECRET = "canary-SECRET-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e"
# A JWT as the fake (and PortOne) issues them: three base64url parts, two JSON objects.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
_EXAMPLES = 3


@dataclass
class ChaosReport:
    """What a run did (operations, faults, retries, typed errors) and every invariant it broke."""

    seed: int
    operations: int
    source: str
    faults: int = 0
    retries: int = 0
    typed_errors: int = 0
    duplicated: int = 0
    lost: int = 0
    unreported: int = 0
    untyped: int = 0
    untyped_reads: int = 0
    bad_tokens: int = 0
    user_401s: int = 0
    hung: int = 0
    wrong_webhook_verdicts: int = 0
    over_twice: int = 0
    secret_exposures: int = 0
    leaked_tasks: list[str] = field(default_factory=list)
    open_connections: int = 0
    loop_errors: list[str] = field(default_factory=list)
    reprs: list[str] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def leaks(self) -> int:
        """Tasks still alive, connections still open, loop errors nobody saw, secrets shown."""
        return (
            len(self.leaked_tasks)
            + self.open_connections
            + len(self.loop_errors)
            + self.secret_exposures
        )

    @property
    def violations(self) -> dict[str, int]:
        """Each invariant with the number of times it was broken (0 everywhere is a pass)."""
        return {
            "money processed twice (duplicated)": self.duplicated,
            "told it succeeded, not on the fake (lost)": self.lost,
            "processed, caller told something else than ambiguous (unreported)": self.unreported,
            "errors that are not PortOneError (untyped)": self.untyped,
            "reads ending in an untyped error": self.untyped_reads,
            "requests with an expired or foreign token": self.bad_tokens,
            "HTTP 401 reaching the caller": self.user_401s,
            "operations that hung": self.hung,
            "wrong webhook verdicts": self.wrong_webhook_verdicts,
            "money requests PortOne could process more than twice": self.over_twice,
            "leaked tasks": len(self.leaked_tasks),
            "open connections after exit": self.open_connections,
            "unretrieved loop errors": len(self.loop_errors),
            "secret or JWT shown in logs, errors or reprs": self.secret_exposures,
        }

    @property
    def ok(self) -> bool:
        return not any(self.violations.values())

    def note(self, what: str, example: str, most: int = _EXAMPLES) -> None:
        shown = self.examples.setdefault(what, [])
        if len(shown) < most:
            shown.append(example)

    def summary(self) -> str:
        return (
            f"chaos: {self.operations} operations, {self.faults} faults, {self.retries} retries, "
            f"{self.typed_errors} typed errors, {self.duplicated} duplicated, {self.lost} lost, "
            f"{self.unreported} unreported, {self.leaks} leaks"
        )

    def lines(self) -> list[str]:
        """The full report; its last line is :meth:`summary`."""
        out = [f"seed {self.seed}, token source {self.source!r}"]
        for what, count in self.violations.items():
            out.append(f"  {'FAIL' if count else 'ok  '} {count:6d}  {what}")
            out.extend(f"           e.g. {e}" for e in self.examples.get(what, []))
        out.extend(f"           e.g. {t}" for t in self.leaked_tasks[:_EXAMPLES])
        out.extend(f"           e.g. {e}" for e in self.loop_errors[:_EXAMPLES])
        out.append(self.summary())
        return out


def _what(op: Op) -> str:
    fault = op.fault.name if op.fault is not None else "no fault"
    ended = "success" if op.error is None else f"{type(op.error).__name__}: {str(op.error)[:120]}"
    notes = f" [{', '.join(op.notes)}]" if op.notes else ""
    return f"#{op.index} {op.kind} ({fault}){notes} -> {ended}"


def check_ops(ops: Iterable[Op], fake: FakePortOne, report: ChaosReport) -> None:
    """Each operation's outcome against what the fake did with it."""
    requests = by_needle(fake)
    links = Counter(link.merchant_order_id for link in fake.state.links.values())
    for op in ops:
        if not op.done:
            report.hung += 1
            report.note("operations that hung", _what(op))
            continue
        error = op.error
        if error is not None and not isinstance(error, PortOneError):
            report.untyped += 1
            report.note("errors that are not PortOneError (untyped)", _what(op))
            if op.kind in READS:
                report.untyped_reads += 1
                report.note("reads ending in an untyped error", _what(op))
        elif error is not None:
            report.typed_errors += 1
        if isinstance(error, APIError) and error.status == 401:
            report.user_401s += 1
            report.note("HTTP 401 reaching the caller", _what(op))
        if op.kind == "webhook":
            if (error is None) != op.genuine:
                report.wrong_webhook_verdicts += 1
                report.note("wrong webhook verdicts", _what(op))
            continue
        arrivals, reached = op.arrivals(requests)
        report.retries += max(0, arrivals - 1)
        if op.kind in MONEY:
            _check_money(op, (arrivals, reached, op.processed(fake, links)), fake, report)


def _check_money(
    op: Op, counts: tuple[int, int, int], fake: FakePortOne, report: ChaosReport
) -> None:
    arrivals, reached, processed = counts
    what = f"{_what(op)}; processed {processed}x, arrived {arrivals}x ({reached} processable)"
    if reached > 2:
        report.over_twice += 1
        report.note("money requests PortOne could process more than twice", what)
    if processed > 1:
        report.duplicated += 1
        report.note("money processed twice (duplicated)", what)
    if op.error is None:
        missing = processed == 0
        if isinstance(op.value, PaymentLink):
            missing = missing or op.value.payment_link_ref not in fake.state.links
        if missing:
            report.lost += 1
            report.note("told it succeeded, not on the fake (lost)", what)
    elif processed and not isinstance(op.error, AmbiguousResultError):
        report.unreported += 1
        report.note("processed, caller told something else than ambiguous (unreported)", what)


def _claims(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return decoded if isinstance(decoded, dict) else {}


def check_tokens(fake: FakePortOne, report: ChaosReport) -> None:
    """Every request the fake refused for its JWT carried a token revoked by the run; any
    other refusal means the client sent a token it should have known was bad."""
    for record in fake.requests:
        if record.authorized is not False:
            continue
        token = record.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in fake.revoked:
            continue
        report.bad_tokens += 1
        claims = _claims(token)
        iat, exp = claims.get("iat"), claims.get("exp")
        why = "foreign"
        if isinstance(exp, int) and exp <= record.at:
            why = f"expired {record.at - exp:.0f} s before"
        elif isinstance(iat, int) and iat > record.at:
            why = f"issued {iat - record.at:.0f} s in the future"
        report.note("requests with an expired or foreign token", f"{record.path}: {why}")


def rendered(exc: BaseException) -> str:
    """An exception as a user's tools could show it: str and repr of each link of its chain,
    and the traceback with every frame's locals (what Sentry or structlog's
    ``dict_tracebacks`` record) — but the locals of the test's own frames, which hold the
    secret because the test passed it (the caller's frames are the caller's business)."""
    parts: list[str] = []
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        parts += [str(link), repr(link)]
        link = link.__cause__ or link.__context__
    tb = traceback.TracebackException(
        type(exc), exc, exc.__traceback__, capture_locals=True, max_group_width=50
    )
    _forget_caller_locals(tb, set())
    parts.extend(tb.format())
    return "".join(parts)


_TESTS = str(Path(__file__).resolve().parent.parent)


def _forget_caller_locals(tb: traceback.TracebackException, seen: set[int]) -> None:
    if id(tb) in seen:
        return
    seen.add(id(tb))
    for frame in tb.stack:
        if str(Path(frame.filename).resolve()).startswith(_TESTS):
            frame.locals = None
    for linked in (tb.__cause__, tb.__context__, *(tb.exceptions or ())):
        if linked is not None:
            _forget_caller_locals(linked, seen)


def exposed(text: str, secrets: Iterable[str] = (CANARY_SECRET,)) -> list[str]:
    """What of a secret or a JWT ``text`` shows ("secret", "JWT"), empty when nothing does."""
    found = [f"secret {s[:10]}..." for s in secrets if s in text]
    if JWT.search(text):
        found.append("JWT")
    return found


def check_secrets(ops: Iterable[Op], texts: Iterable[tuple[str, str]], report: ChaosReport) -> None:
    """No log line, error (with its chain and traceback locals), value or repr shows the
    canary secret or a JWT."""
    places: list[tuple[str, str]] = list(texts)
    places += [("repr", text) for text in report.reprs]
    for op in ops:
        if op.error is not None:
            places.append((f"{type(op.error).__name__} of {op.kind}", rendered(op.error)))
        elif op.value is not None:
            places.append((f"value of {op.kind}", repr(op.value)))
    shown: set[str] = set()
    for where, text in places:
        found = exposed(text)
        if found:
            report.secret_exposures += 1
            example = f"{', '.join(found)} in {where}"
            if example not in shown:  # one example per kind of place
                shown.add(example)
                report.note("secret or JWT shown in logs, errors or reprs", example, most=8)
