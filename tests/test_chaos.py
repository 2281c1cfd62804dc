"""A bounded chaos run in every test run: a few seeds, both token sources, every invariant.

The full run is ``make chaos`` (10,000 operations); this one keeps the same checks on 1,200
operations so a change that breaks one shows up in ``make test``.
"""

from __future__ import annotations

import asyncio
import functools
import re
from decimal import Decimal
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aioportone import AmbiguousResultError, InvalidRequestError, PaymentLink
from aioportone.testing import FakeClock, FakePortOne, RecordedRequest, Refund
from tests.chaos import ChaosReport, run_chaos
from tests.chaos.check import check_ops, check_tokens
from tests.chaos.ops import Op

# (seed, token source): three runs of 400 operations.
RUNS = ((11, "server"), (12, "local"), (13, "server"))
OPS = 400


@functools.cache
def _report(seed: int, source: str, faults: bool = True) -> ChaosReport:
    # One event loop of its own per run: its leak check counts every task left in it.
    return asyncio.run(run_chaos(seed, OPS, source=source, faults=faults))


def _reports() -> list[ChaosReport]:
    return [_report(seed, source) for seed, source in RUNS]


def _broken(invariant: str) -> str:
    """What each run broke of ``invariant``, with examples, for the assertion message."""
    lines = []
    for report in _reports():
        count = report.violations[invariant]
        if count:
            lines.append(f"seed {report.seed} ({report.source}): {count}x {invariant}")
            lines += [f"    {e}" for e in report.examples.get(invariant, [])]
    return "\n".join(lines)


def _assert_kept(*invariants: str) -> None:
    broken = [text for text in map(_broken, invariants) if text]
    assert not broken, "\n".join(broken)


def test_no_money_is_moved_twice() -> None:
    """No refund, capture or payment link is processed twice, whatever PortOne answered."""
    _assert_kept("money processed twice (duplicated)")


def test_no_reported_success_is_missing() -> None:
    """Whatever the caller was told succeeded is on PortOne's side."""
    _assert_kept("told it succeeded, not on the fake (lost)")


def test_every_processed_but_unconfirmed_operation_is_ambiguous() -> None:
    """Money PortOne moved without the caller hearing so is reported as AmbiguousResultError."""
    _assert_kept("processed, caller told something else than ambiguous (unreported)")


def test_money_requests_reach_portone_at_most_twice() -> None:
    """A money-moving request PortOne could have processed is sent at most twice."""
    _assert_kept("money requests PortOne could process more than twice")


def test_every_operation_ends_in_a_value_or_a_typed_error() -> None:
    """Reads and writes alike end in a value or a PortOneError, never another exception."""
    _assert_kept("errors that are not PortOneError (untyped)", "reads ending in an untyped error")


def test_no_request_carries_an_expired_or_foreign_token() -> None:
    """The fake refused no JWT but the ones the run revoked."""
    _assert_kept("requests with an expired or foreign token")


def test_no_401_reaches_the_caller() -> None:
    """With PortOne up, a token problem never surfaces as an HTTP 401 error."""
    _assert_kept("HTTP 401 reaching the caller")


def test_nothing_hangs_and_webhooks_are_judged_right() -> None:
    """Every operation ends, genuine webhooks verify and forged or broken ones are refused."""
    _assert_kept("operations that hung", "wrong webhook verdicts")


def test_nothing_is_left_running_after_exit() -> None:
    """After the client closes: no task, no open connection, no unretrieved task error."""
    _assert_kept("leaked tasks", "open connections after exit", "unretrieved loop errors")


def test_no_secret_or_token_is_shown() -> None:
    """The canary secret and JWTs appear in no log line, error chain, traceback local or repr."""
    _assert_kept("secret or JWT shown in logs, errors or reprs")


def test_the_last_line_gives_the_counts() -> None:
    """The run ends with the one-line summary, its counts those of the report."""
    report = _reports()[0]
    last = report.lines()[-1]
    pattern = (
        r"chaos: (\d+) operations, (\d+) faults, (\d+) retries, (\d+) typed errors, "
        r"(\d+) duplicated, (\d+) lost, (\d+) unreported, (\d+) leaks"
    )
    match = re.fullmatch(pattern, last)
    assert match is not None, last
    assert [int(n) for n in match.groups()] == [
        OPS,
        report.faults,
        report.retries,
        report.typed_errors,
        report.duplicated,
        report.lost,
        report.unreported,
        report.leaks,
    ]
    assert report.faults > 0
    assert report.retries > 0
    assert report.typed_errors > 0


@pytest.mark.parametrize("source", ["server", "local"])
def test_a_calm_run_finds_nothing(source: str) -> None:
    """Without faults the checks report no violation: the harness raises no false alarms."""
    report = _report(21, source, faults=False)
    assert report.ok, "\n".join(report.lines())
    assert report.faults == 0


# -- the checks themselves, on records written by hand ---------------------------------------


async def _noop() -> Any:
    return None


def _refund_op(fake: FakePortOne, index: int, **outcome: Any) -> Op:
    txn = fake.state.add_transaction(f"T{index}")
    return Op(index, "refund", f"T{index}", _noop, txn=txn, done=True, **outcome)


def _refunded(op: Op, times: int) -> None:
    assert op.txn is not None
    for n in range(times):
        op.txn.refunds.append(
            Refund(f"R{n}", f"P{n}", Decimal(1), "THB", "partial", "r", op.tag, 0.0)
        )


def test_checks_count_each_broken_money_invariant() -> None:
    """Processed twice, lost, unreported and properly ambiguous refunds are told apart."""
    fake = FakePortOne()
    twice = _refund_op(fake, 1)
    _refunded(twice, 2)
    lost = _refund_op(fake, 2)
    unreported = _refund_op(fake, 3, error=InvalidRequestError(status=400))
    _refunded(unreported, 1)
    ambiguous = _refund_op(fake, 4, error=AmbiguousResultError("?", how_to_check="get"))
    _refunded(ambiguous, 1)
    refused = _refund_op(fake, 5, error=InvalidRequestError(status=400))
    report = ChaosReport(seed=0, operations=5, source="local")
    check_ops([twice, lost, unreported, ambiguous, refused], fake, report)
    assert (report.duplicated, report.lost, report.unreported) == (1, 1, 1)
    assert report.typed_errors == 3
    assert report.ok is False


def test_checks_find_a_link_the_fake_does_not_have() -> None:
    """A payment link the caller got back but PortOne never created counts as lost."""
    fake = FakePortOne()
    link = PaymentLink(
        payment_link_ref="nowhere", url=None, merchant_order_id="L1", recovered=False, raw={}
    )
    op = Op(1, "link", "L1", _noop, value=link, done=True)
    report = ChaosReport(seed=0, operations=1, source="local")
    check_ops([op], fake, report)
    assert report.lost == 1


def test_checks_allow_revoked_tokens_only() -> None:
    """A refused JWT the run revoked is fine; an expired one the client sent is counted."""
    # On a fake clock: the fake mints whole seconds, so the wall clock's fraction would decide
    # between "4 s" and "5 s".
    fake = FakePortOne(clock=FakeClock())
    revoked, expired = fake.mint(lifetime=60), fake.mint(lifetime=1)
    fake.revoke(revoked)
    for token in (revoked, expired):
        headers = CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {token}"}))
        fake.requests.append(
            RecordedRequest(
                "GET", "/x", {}, headers, b"", None, at=fake.now() + 5, authorized=False
            )
        )
    report = ChaosReport(seed=0, operations=0, source="local")
    check_tokens(fake, report)
    assert report.bad_tokens == 1
    assert report.examples["requests with an expired or foreign token"] == [
        "/x: expired 4 s before"
    ]
