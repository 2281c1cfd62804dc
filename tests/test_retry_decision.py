"""The retry decision as literal tables: plain values in, done / retry / error out."""

from __future__ import annotations

import math
from typing import Any

import pytest

from aioportone import ConfigurationError, RetryPolicy
from aioportone._decipher import RETRY_AFTER_CAP, UNREADABLE, is_token_rejection, parse_retry_after
from aioportone._retry import Decision, RetryBudget, decide, moves_money

NOW = 1_750_000_000.0
OK = {"status_code": "2000", "status_reason": "SUCCESS", "content": {}}
JWT_4054 = {"status_code": "4054", "status_reason": "INVALID_UNAUTHORIZED_JWT_TOKEN_ERROR"}
JWT_4010 = {
    "message": "JWT authentication error",
    "status_code": "4010",
    "status_reason": "INVALID_JWT_TOKEN",
}
FIELD_4010 = {
    "is_success": False,
    "message": "signature_hash is a required field",
    "status_code": "4010",
    "status_reason": "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR",
}
INVALID_4001 = {"status_code": "4001", "status_reason": "INVALID_REQUEST"}
NO_JITTER = RetryPolicy(backoff_base=1.0, backoff_max=8.0)


def verdict(**given: Any) -> tuple[str, bool, str]:
    """(action, new_token, why) for one attempt; jitter 1.0 so delays are the backoff cap."""
    given.setdefault("method", "GET")
    decision: Decision = decide(now=NOW, policy=NO_JITTER, **given)
    return decision.action, decision.new_token, decision.why


# Every status class, for a read (GET), a plain write (POST), an idempotent write, money.
STATUS_TABLE = [
    # status, data, method, idempotent, money, expected (action, new_token, why)
    (200, OK, "GET", None, False, ("done", False, "")),
    (201, {"ref": "x"}, "POST", None, False, ("done", False, "")),
    (204, UNREADABLE, "GET", None, False, ("done", False, "")),
    (204, UNREADABLE, "POST", None, False, ("ambiguous", False, "unreadable")),
    (200, UNREADABLE, "POST", None, True, ("ambiguous", False, "unreadable")),
    (200, UNREADABLE, "PUT", True, False, ("done", False, "")),
    (200, [1, 2], "POST", None, True, ("done", False, "")),  # readable: the caller checks shape
    (200, {"status_code": "5000"}, "GET", None, False, ("retry", False, "server")),
    (200, {"status_code": "4001"}, "GET", None, False, ("fail", False, "refused")),
    (200, {"is_success": False}, "GET", None, False, ("fail", False, "refused")),
    (301, UNREADABLE, "GET", None, False, ("fail", False, "refused")),
    (400, INVALID_4001, "GET", None, False, ("fail", False, "refused")),
    (401, JWT_4054, "GET", None, False, ("retry", True, "token")),
    (401, JWT_4054, "POST", None, False, ("retry", True, "token")),
    (401, JWT_4054, "POST", None, True, ("fail", True, "token")),
    (401, JWT_4010, "GET", None, False, ("retry", True, "token")),
    (401, JWT_4010, "POST", None, True, ("fail", True, "token")),
    (401, FIELD_4010, "POST", None, False, ("fail", False, "refused")),
    (401, INVALID_4001, "POST", None, False, ("fail", False, "refused")),
    (401, UNREADABLE, "GET", None, False, ("fail", False, "refused")),
    (400, JWT_4054, "GET", None, False, ("fail", False, "refused")),
    (403, UNREADABLE, "GET", None, False, ("fail", False, "refused")),
    (404, {"status_code": "4096"}, "GET", None, False, ("fail", False, "refused")),
    (409, {"status_code": "4002"}, "POST", None, True, ("fail", False, "refused")),
    (429, UNREADABLE, "GET", None, False, ("retry", False, "rate_limit")),
    (429, UNREADABLE, "POST", None, False, ("retry", False, "rate_limit")),
    (429, UNREADABLE, "POST", None, True, ("fail", False, "rate_limit")),
    (500, UNREADABLE, "GET", None, False, ("retry", False, "server")),
    (502, UNREADABLE, "HEAD", None, False, ("retry", False, "server")),
    (503, UNREADABLE, "POST", None, False, ("fail", False, "server")),
    (503, UNREADABLE, "POST", True, False, ("retry", False, "server")),
    (503, UNREADABLE, "GET", False, False, ("fail", False, "server")),
    (503, UNREADABLE, "POST", True, True, ("fail", False, "server")),
    (504, {"status_code": "5000"}, "PUT", True, False, ("retry", False, "server")),
]


@pytest.mark.parametrize(
    ("status", "data", "method", "idempotent", "money", "expected"), STATUS_TABLE
)
def test_status_table(
    status: int,
    data: Any,
    method: str,
    idempotent: bool | None,
    money: bool,
    expected: tuple[str, bool, str],
) -> None:
    """Each status class gets the documented outcome for reads, writes and money."""
    got = verdict(status=status, data=data, method=method, idempotent=idempotent, money=money)
    assert got == expected


FAILURE_TABLE = [
    # failure, method, idempotent, money, expected action, why
    ("unsent", "POST", None, True, "retry", "unsent"),
    ("unsent", "GET", None, False, "retry", "unsent"),
    ("lost", "GET", None, False, "retry", "lost"),
    ("lost", "POST", None, False, "fail", ""),
    ("lost", "POST", True, False, "retry", "lost"),
    ("lost", "POST", True, True, "fail", ""),
    ("timeout", "GET", None, False, "retry", "timeout"),
    ("timeout", "POST", None, True, "fail", ""),
    ("too_large", "GET", None, False, "fail", ""),
    ("too_large", "POST", None, False, "ambiguous", ""),
    ("too_large", "POST", None, True, "ambiguous", ""),
]


@pytest.mark.parametrize(
    ("failure", "method", "idempotent", "money", "action", "why"), FAILURE_TABLE
)
def test_no_answer_table(
    failure: Any, method: str, idempotent: bool | None, money: bool, action: str, why: str
) -> None:
    """Without an answer: only what never left, or may be replayed, is retried."""
    decision = decide(
        status=None, failure=failure, method=method, idempotent=idempotent, money=money
    )
    assert (decision.action, decision.why) == (action, why)


def test_token_rejection_is_retried_once() -> None:
    """A second rejection within the same call goes to the caller (the token still dropped)."""
    assert verdict(status=401, data=JWT_4054, token_retried=True) == ("fail", True, "token")


def test_token_retry_is_free() -> None:
    """The token retry needs no attempts, no budget and no backoff."""
    decision = decide(
        status=401, data=JWT_4054, method="GET", attempt=9, max_retries=0, budget=0, remaining=1
    )
    assert (decision.action, decision.delay, decision.cost) == ("retry", 0.0, 0)


RETRY_AFTER_TABLE = [
    # header value, expected action, expected delay
    ("7", "retry", 7.0),
    ("0", "retry", 0.0),
    ("1.5", "retry", 1.5),
    (" 12 ", "retry", 12.0),
    ("60", "retry", 60.0),
    ("61", "fail", None),
    ("3600", "fail", None),
    ("9" * 40, "fail", None),
    ("Sun, 15 Jun 2025 15:06:50 GMT", "retry", 10.0),  # NOW + 10 s
    ("Sun, 15 Jun 2025 15:06:30 GMT", "retry", 0.0),  # in the past
    ("Fri, 31 Dec 9999 23:59:59 GMT", "fail", None),  # far future
    ("²", "retry", 1.0),  # garbage: ignored, the backoff applies
    ("-5", "retry", 1.0),
    ("soon", "retry", 1.0),
    ("1e3", "retry", 1.0),
    ("", "retry", 1.0),
    ("Fri, 31 Dec 99999 23:59:59 GMT", "retry", 1.0),
]


@pytest.mark.parametrize(("value", "action", "delay"), RETRY_AFTER_TABLE)
def test_retry_after_forms(value: str, action: str, delay: float | None) -> None:
    """Retry-After as seconds or a date is honoured up to its cap; garbage is ignored."""
    decision = decide(
        status=429, headers={"Retry-After": value}, method="GET", now=NOW, policy=NO_JITTER
    )
    assert decision.action == action
    if delay is not None:
        assert decision.delay == pytest.approx(delay)


def test_parse_retry_after_is_always_finite_or_none() -> None:
    """Huge numbers and far dates are capped; nothing raises."""
    assert parse_retry_after("9" * 5000, NOW) == RETRY_AFTER_CAP
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", NOW) == RETRY_AFTER_CAP
    for garbage in ("²", "١٢", "-1", "NaN", "inf", "\x00", "Mon, 99 Foo 2025"):
        assert parse_retry_after(garbage, NOW) is None


LIMIT_TABLE = [
    # attempt, max_retries, budget, remaining, expected action, why
    (1, 2, 500, math.inf, "retry", "server"),
    (2, 2, 500, math.inf, "retry", "server"),
    (3, 2, 500, math.inf, "fail", "attempts"),
    (1, 0, 500, math.inf, "fail", "attempts"),
    (1, 2, 4, math.inf, "fail", "budget"),
    (1, 2, 5, math.inf, "retry", "server"),
    (1, 2, 500, 1.0, "fail", "deadline"),  # the 1 s backoff would use up the rest
    (1, 2, 500, 1.5, "retry", "server"),
]


@pytest.mark.parametrize(
    ("attempt", "max_retries", "budget", "remaining", "action", "why"), LIMIT_TABLE
)
def test_attempts_budget_and_deadline(
    attempt: int, max_retries: int, budget: float, remaining: float, action: str, why: str
) -> None:
    """A retry needs attempts left, budget left and time for the wait and one more try."""
    decision = decide(
        status=503,
        method="GET",
        attempt=attempt,
        max_retries=max_retries,
        budget=budget,
        remaining=remaining,
        policy=NO_JITTER,
    )
    assert (decision.action, decision.why) == (action, why)


def test_costs_and_backoff() -> None:
    """A timeout costs 10, other retries 5; the backoff doubles from its base up to its cap."""
    timeout = decide(status=None, failure="timeout", method="GET")
    server = decide(status=503, method="GET")
    assert (timeout.cost, server.cost) == (10, 5)
    delays = [
        decide(status=503, method="GET", attempt=n, max_retries=9, policy=NO_JITTER).delay
        for n in range(1, 6)
    ]
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert decide(status=503, method="GET", jitter=0.25, policy=NO_JITTER).delay == 0.25


def test_budget_refills_to_capacity() -> None:
    """Withdrawals stop at empty; successes refill one each, never past the capacity."""
    budget = RetryBudget(10, refill=1)
    assert budget.withdraw(5)
    assert budget.withdraw(5)
    assert not budget.withdraw(1)
    for _ in range(20):
        budget.succeeded()
    assert budget.level == 10


@pytest.mark.parametrize(
    ("method", "path", "money"),
    [
        ("POST", "/api/refund/ORDER-1", True),
        ("GET", "/api/refund/ORDER-1", False),
        ("POST", "/api/transaction/X/capture", True),
        ("POST", "/api/paymentLink", True),
        ("POST", "/prefix/api/paymentLink", True),
        ("PUT", "/api/paymentLink/X/status/cancelled", False),
        ("POST", "/api/merchant/payout/approve", True),
        ("POST", "/api/subscription/createDeduction", True),
        ("POST", "/api/demo/transaction-details", False),
        ("POST", "/api/merchant/demo/webhook", False),
    ],
)
def test_money_table(method: str, path: str, money: bool) -> None:
    """Refunds, captures, links, payouts and deductions are the requests that move money."""
    assert moves_money(method, path) is money


def test_4010_that_names_the_jwt_is_a_rejection_and_one_that_names_a_field_is_not() -> None:
    """4010 'JWT authentication error' is a token rejection; 4010 naming a field is not."""
    assert is_token_rejection(401, JWT_4010)
    assert not is_token_rejection(401, FIELD_4010)
    assert not is_token_rejection(401, {**FIELD_4010, "message": "key is a required field"})
    assert is_token_rejection(401, JWT_4054)
    assert not is_token_rejection(401, INVALID_4001)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_retries", -3),
        ("max_retries", 1.5),
        ("max_retries", True),
        ("backoff_base", -1.0),
        ("backoff_max", math.inf),
        ("retry_after_max", math.nan),
        ("budget", -1),
        ("retry_cost", "5"),
        ("timeout_retry_cost", -10),
        ("success_refill", None),
    ],
)
def test_retry_policy_rejects_bad_fields(field: str, value: Any) -> None:
    """A bad RetryPolicy field raises ConfigurationError naming that field."""
    with pytest.raises(ConfigurationError) as caught:
        RetryPolicy(**{field: value})
    assert caught.value.argument == field
