"""What the transport says once :func:`~._retry.decide` has spoken on a failed attempt.

A retry and an empty retry budget are reported to structlog and to the ``on_event`` hook
(:class:`RetryReporter`); a decision not to retry turns the attempt's error into the one the call
ends with (:func:`final_error`): a note saying why it was not retried, and, when PortOne may
have acted on a request it cannot safely get again, an :class:`~._errors.AmbiguousResultError`
in front of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import AmbiguousResultError, PortOneError
from ._observe import describe, log_event, report_internal_error
from ._retry import Decision, RequestEvent, RetryBudget
from ._wire import shown

if TYPE_CHECKING:
    from yarl import URL

    from ._seams import TokenHolder

__all__ = ["RetryReporter", "final_error"]


def final_error(
    decision: Decision, error: PortOneError, method: str, url: str, status: int
) -> PortOneError:
    """The exception a call ends with after ``decision`` not to retry ``error``.

    Args:
        decision: the decision, whose ``why`` may call for a note.
        error: the last attempt's error; notes are added to it.
        method: the request's method.
        url: the request's URL as an error shows it.
        status: the answer's HTTP status, 0 when none could be read.
    """
    if decision.why == "budget":
        error.add_note(
            "Not retried: the client's retry budget is exhausted (too many retries lately; "
            "successful answers refill it)."
        )
    elif decision.why == "deadline":
        error.add_note("Not retried: the call's timeout would pass first.")
    if decision.action != "ambiguous":
        return error
    what = "an answer it could not read" if status else "no answer that could be read"
    ambiguous = AmbiguousResultError(
        f"PortOne got {method} {url} and sent {what}, so the outcome is unknown; "
        "it was not sent again.",
        how_to_check="look the operation up (its status or listing) before sending it again.",
    )
    ambiguous.__cause__ = error
    return ambiguous


class RetryReporter:
    """A transport's retries and empty budget, reported; the error a call ends with, built."""

    __slots__ = ("_budget", "_reported", "_tokens")

    def __init__(self, tokens: TokenHolder, budget: RetryBudget) -> None:
        self._tokens = tokens
        self._budget = budget
        # Reported once per episode (until a retry is allowed again), not once per refused call:
        # an outage must not turn into a flood of log lines.
        self._reported = False

    def retrying(
        self, decision: Decision, error: PortOneError, method: str, url: URL, attempt: int
    ) -> None:
        """Report a retry about to be made (its cost already drawn from the budget)."""
        self._reported = False
        self._announce("request_retry", "info", decision, error, method, url, attempt)

    def final(
        self, decision: Decision, error: PortOneError, method: str, url: URL, status: int
    ) -> PortOneError:
        """The exception a call ends with, after a decision not to retry."""
        if decision.why == "budget" and not self._reported:
            self._reported = True
            self._announce("retry_budget_exhausted", "warning", decision, error, method, url, 0)
        return final_error(decision, error, method, shown(url), status)

    def _announce(
        self,
        name: str,
        level: str,
        decision: Decision,
        error: BaseException,
        method: str,
        url: URL,
        attempt: int,
    ) -> None:
        """A retry or an empty budget, to the logs and to the ``on_event`` hook."""
        path = url.path
        budget = self._budget.level
        described = describe(error)
        delay = round(decision.delay, 3) if name == "request_retry" else None
        log_event(
            level,
            f"aioportone.request.{name.removeprefix('request_')}",
            method=method,
            path=path,
            attempt=attempt,
            delay=delay,
            error=described,
            budget=budget,
        )
        hook = self._tokens._observer.hook
        if hook is None:
            return
        event = RequestEvent(
            name=name,
            source=self._tokens.source.name,
            delay=delay,
            attempt=attempt or None,
            error=described,
            method=method,
            path=path,
            budget=budget,
        )
        try:
            hook(event)
        except Exception as exc:  # a user's hook must never change a request's outcome
            report_internal_error(exc, "aioportone.request.hook_failed")
