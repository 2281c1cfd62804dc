"""The retry decision: is this answer done, retried (after how long, with a new token?), or an
error? Pure: plain values in, a :class:`Decision` out; no I/O, no clock reads, no randomness
(the jitter draw is an argument). The transport and the aiohttp middleware both ask it, so each
rule below exists once.

Rules, in order (https://docs.portone.cloud/docs/error-codes for the codes):

1. A success (HTTP 2xx whose envelope, if any, says ``status_code`` "2000") is done — unless the
   body cannot be read and the request was a write that may not be replayed: PortOne may have
   acted, and the answer that says how is unreadable, so the outcome is *ambiguous*.
2. A token rejection (HTTP 401 with 4054, or 4010 whose text says the JWT was refused) is retried
   once with a new token — PortOne checks the JWT before it does anything. A request that moves
   money is not replayed even then (the answer may come from a layer that runs after the money
   moved): the token is still discarded, and the error goes to the caller.
3. A request that never left this machine (the connection could not be opened) may be retried
   whatever its method: PortOne saw nothing.
4. 429, 5xx (and ``5xxx`` codes), a dropped connection and a timeout are retried for requests
   that may be replayed: reads, and calls declared idempotent. A write refused with 429 is
   replayed too (PortOne refused it unprocessed), except one that moves money.
5. Every other answer is an error for the caller.

A retry also needs attempts left, time left before the call's deadline for the wait *and* an
attempt after it, and room in the client-wide retry budget (:class:`RetryBudget`); without any
of them the error goes to the caller at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

from ._decipher import UNREADABLE, is_token_rejection, parse_retry_after, retry_class, succeeded
from ._errors import ConfigurationError
from ._observe import TokenEvent

__all__ = [
    "Decision",
    "Failure",
    "RequestEvent",
    "RetryBudget",
    "RetryPolicy",
    "decide",
    "moves_money",
    "replayable",
]

_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

#: Why an attempt got no answer: ``unsent`` (the connection never opened), ``lost`` (it dropped
#: after the request went out), ``timeout`` (no answer in time), ``too_large`` (an answer over
#: the size limit, not read).
Failure = Literal["unsent", "lost", "timeout", "too_large"]

# PortOne operations that move money (payment.yaml, payout.yaml, subscription.yaml): refunds,
# captures, payment links, direct charges, payouts and subscription deductions. PortOne offers no
# idempotency key for any of them, so each is sent at most once per call whatever comes back.
_MONEY_PATHS = re.compile(
    r"/api/(?:refund/[^/]+|transaction/[^/]+/capture|paymentLink|initiatePayment"
    r"|merchant/payout/(?:approve|verify)|payout/transaction"
    r"|subscription/(?:createDeduction|triggerNextDeduction|createSubscription))\Z"
)


def moves_money(method: str, path: str) -> bool:
    """Whether a request to ``path`` (the URL's path, encoded) is one that moves money."""
    return method == "POST" and _MONEY_PATHS.search(path) is not None


def replayable(method: str, idempotent: bool | None) -> bool:
    """Whether sending the request twice is harmless: a read, or declared idempotent."""
    return method in _SAFE_METHODS if idempotent is None else idempotent


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How requests are retried, and how much retrying the whole client may do.

    Args:
        max_retries: Further tries after the first (0: none).
        backoff_base: Seconds of the first backoff cap; it doubles each attempt (full jitter:
            the wait is uniform between 0 and the cap).
        backoff_max: The largest backoff cap, in seconds.
        retry_after_max: The longest ``Retry-After`` honoured, in seconds; a longer one is not
            waited for: the error goes to the caller with its ``retry_after``.
        budget: Capacity of the client-wide retry budget (botocore's retry quota). Every retry
            draws from it and every success puts ``success_refill`` back, so during an outage
            the retries stop once it is empty and the load on PortOne stays near the callers'.
        retry_cost: What a retry after a 5xx, 429 or a dropped connection draws.
        timeout_retry_cost: What a retry after a timeout draws: a timeout holds a connection and
            a slot for the whole timeout, so it costs more.
        success_refill: What each successful answer puts back (up to ``budget``).

    With the defaults (botocore's standard mode figures: 500, 5, 10, 1) a healthy client can
    absorb 100 retries at once, and in a long outage it retries at most one request in five of
    the ones that succeed: 1,000 callers hitting a dead PortOne cause at most ~1,100 attempts,
    not 3,000.
    """

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    budget: int = 500
    retry_cost: int = 5
    timeout_retry_cost: int = 10
    success_refill: int = 1

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.type == "int":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ConfigurationError(spec.name, "must be an integer")
                if value < 0:
                    raise ConfigurationError(spec.name, f"must be 0 or more (got {value})")
                if value > 1_000_000:
                    raise ConfigurationError(spec.name, f"must be at most 1000000 (got {value})")
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigurationError(spec.name, "must be a number of seconds")
                if not math.isfinite(value) or value < 0:
                    raise ConfigurationError(spec.name, f"must be finite and >= 0 (got {value})")
        if self.backoff_base > self.backoff_max:
            raise ConfigurationError("backoff_base", "must not exceed backoff_max")

    def backoff(self, attempt: int, jitter: float) -> float:
        """The wait before retry number ``attempt`` (from 1), given a uniform draw in [0, 1).

        Args:
            attempt: Which retry this is, from 1.
            jitter: A uniform random draw in [0, 1): full jitter scales the attempt's cap by it.
        """
        return jitter * min(self.backoff_max, self.backoff_base * 2.0 ** min(attempt - 1, 30))


class RetryBudget:
    """The client-wide retry budget: a level between 0 and ``capacity``.

    State without I/O, shared by every request of a client (and its ``with_options`` views).
    """

    __slots__ = ("capacity", "level", "refill")

    def __init__(self, capacity: int, refill: int = 1) -> None:
        self.capacity = capacity
        self.level = capacity
        self.refill = refill

    def withdraw(self, cost: int) -> bool:
        """Take ``cost`` if it is there; False (and nothing taken) when it is not."""
        if cost > self.level:
            return False
        self.level -= cost
        return True

    def succeeded(self) -> None:
        """One successful answer: put ``refill`` back, up to the capacity."""
        if self.level < self.capacity:
            self.level = min(self.capacity, self.level + self.refill)

    def __repr__(self) -> str:
        return f"RetryBudget(level={self.level}, capacity={self.capacity})"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do after one attempt.

    ``action`` is ``done`` (return the data), ``retry`` (wait ``delay`` seconds and send again,
    drawing ``cost`` from the budget), ``fail`` (raise the error) or ``ambiguous`` (raise
    :class:`~aioportone.AmbiguousResultError`: the request may have been processed).
    ``new_token`` says PortOne refused the token: discard it before anything else. ``why``
    names the rule that decided, for logs and notes (``budget`` and ``deadline`` among them).
    """

    action: Literal["done", "retry", "fail", "ambiguous"]
    delay: float = 0.0
    new_token: bool = False
    cost: int = 0
    why: str = ""


DONE: Final = Decision("done")


def decide(
    *,
    status: int | None,
    data: Any = None,
    headers: Mapping[str, str] | None = None,
    failure: Failure | None = None,
    method: str,
    idempotent: bool | None = None,
    money: bool = False,
    attempt: int = 1,
    max_retries: int = 2,
    token_retried: bool = False,
    budget: float = math.inf,
    remaining: float = math.inf,
    now: float = 0.0,
    jitter: float = 1.0,
    policy: RetryPolicy | None = None,
) -> Decision:
    """Decide what follows one attempt of a request.

    Args:
        status: The HTTP status, or None when no answer came (then ``failure`` says why).
        data: The decoded body (``UNREADABLE`` when it was not JSON, empty or cut short).
        headers: The answer's headers (only ``Retry-After`` is read).
        failure: Why no answer came, when ``status`` is None.
        method: The HTTP method, upper-case.
        idempotent: The caller's word on whether sending twice is harmless (None: by method).
        money: The request moves money (see :func:`moves_money`): never replayed once sent.
        attempt: Attempts made so far, this one included (1 after the first).
        max_retries: Further attempts allowed after the first.
        token_retried: Whether this call already retried once with a new token.
        budget: What is left in the retry budget.
        remaining: Seconds left before the call's deadline.
        now: Wall time, for a ``Retry-After`` given as an HTTP date.
        jitter: A uniform draw in [0, 1) for the backoff (1.0: the full cap).
        policy: Backoff, ``Retry-After`` and budget figures (the defaults when None).

    Returns:
        The :class:`Decision`.
    """
    policy = policy or _DEFAULT_POLICY
    replay = replayable(method, idempotent) and not money
    if status is None:
        if failure == "unsent":
            return _retry(policy, "unsent", attempt, max_retries, budget, remaining, jitter)
        if failure == "too_large" or not replay:
            return Decision("ambiguous" if failure == "too_large" and not replay else "fail")
        why = "timeout" if failure == "timeout" else "lost"
        return _retry(policy, why, attempt, max_retries, budget, remaining, jitter)
    if succeeded(status, data):
        if data is UNREADABLE and not replayable(method, idempotent):
            return Decision("ambiguous", why="unreadable")
        return DONE
    if status == 401 and is_token_rejection(status, data):
        if token_retried or money:
            return Decision("fail", new_token=True, why="token")
        # A fresh token fixes it: no backoff, no attempt counted, nothing drawn from the budget.
        return Decision("retry", new_token=True, why="token")
    kind = retry_class(status, data)
    if kind is None or not (replay or (kind == "rate_limit" and not money)):
        return Decision("fail", why=kind or "refused")
    wait = parse_retry_after((headers or {}).get("Retry-After"), now)
    if wait is not None:
        if wait > policy.retry_after_max:
            return Decision("fail", why="retry_after")
        return _retry(policy, kind, attempt, max_retries, budget, remaining, 0.0, wait)
    return _retry(policy, kind, attempt, max_retries, budget, remaining, jitter)


_DEFAULT_POLICY: Final = RetryPolicy()


def _retry(
    policy: RetryPolicy,
    why: str,
    attempt: int,
    max_retries: int,
    budget: float,
    remaining: float,
    jitter: float,
    wait: float | None = None,
) -> Decision:
    if attempt > max_retries:
        return Decision("fail", why="attempts")
    delay = policy.backoff(attempt, jitter) if wait is None else wait
    # The wait and an attempt after it must fit before the deadline: never sleep past it.
    if delay >= remaining:
        return Decision("fail", why="deadline")
    cost = policy.timeout_retry_cost if why == "timeout" else policy.retry_cost
    if cost > budget:
        return Decision("fail", why="budget")
    return Decision("retry", delay=delay, cost=cost, why=why)


@dataclass(frozen=True, slots=True)
class RequestEvent(TokenEvent):
    """A request retried (``request_retry``) or refused a retry because the client-wide retry
    budget is empty (``retry_budget_exhausted``).

    A :class:`~aioportone.TokenEvent` subclass, so an ``on_event`` hook written for token events
    keeps working: ``name``, ``source``, ``delay``, ``attempt`` and ``error`` mean what they
    mean there.

    Attributes:
        name: ``request_retry`` or ``retry_budget_exhausted``.
        source: The token source's name (``"local"``, ``"server"``).
        expires_in: Seconds of life the current token has left (``None`` when there is none).
        delay: For ``request_retry``: seconds until the next attempt.
        attempt: The attempt that failed (from 1).
        waiters: How many requests were waiting for a token.
        error: The error as ``"Type: message"`` (never a secret).
        offset: Unused by request events (always ``None``).
        method: The request's HTTP method.
        path: The request's path, without its query string.
        budget: What was left in the retry budget after this event.
    """

    method: str = ""
    path: str = ""
    budget: int | None = None
