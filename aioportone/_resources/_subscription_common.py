"""What the subscription resources share: their choices, the send-once write, the field checks.

Every write that creates or charges is sent once and never replayed after an unknown outcome:
PortOne documents no duplicate check on ``merchant_order_ref`` for plans, subscriptions or
deductions (subscription.yaml lists no 4002), so a second try could make a second plan, link
or charge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import text
from .._errors import AmbiguousResultError, APIError, ConfigurationError, PortOneError
from ._money import may_have_acted
from ._validate import free_text, wire_amount

if TYPE_CHECKING:
    from ._base import Caller

__all__ = [
    "DEDUCTION_SOURCES",
    "MAX_COUNT",
    "NO_LOOKUP",
    "PERIODS",
    "SOURCES",
    "TYPES",
    "DeductionSource",
    "Period",
    "Source",
    "SubscriptionType",
    "as_bool",
    "check_costs",
    "check_none_for",
    "check_notes",
    "customer_fields",
    "outcome_unknown",
    "write_once",
]

# The most a quantity, frequency or count may be: far above any real plan, and an int PortOne's
# schemas take.
MAX_COUNT = 10**6

SubscriptionType = Literal["REGULAR", "ONDEMAND"]
Period = Literal["H", "D", "W", "M", "Q", "Y"]
Source = Literal["default", "api", "checkout"]
DeductionSource = Literal["api", "checkout"]
TYPES: tuple[SubscriptionType, ...] = get_args(SubscriptionType)
PERIODS: tuple[Period, ...] = get_args(Period)
SOURCES: tuple[Source, ...] = get_args(Source)
DEDUCTION_SOURCES: tuple[DeductionSource, ...] = get_args(DeductionSource)
# No lookup by merchant_order_ref exists for plans or subscriptions (subscription.yaml).
NO_LOOKUP = "PortOne has no lookup by merchant_order_ref for these: look for {ref!r} in the "
NO_LOOKUP += "PortOne dashboard before creating it again under a new reference."


async def write_once(
    client: Caller,
    method: str,
    path: str,
    body: dict[str, Any],
    *,
    what: str,
    how_to_check: str,
    answer_ref: bool = True,
) -> Mapping[str, Any]:
    """Send a write PortOne cannot deduplicate, once; its answer, or AmbiguousResultError
    when its outcome is unknown (``answer_ref``: a success names an ``order_ref``)."""
    try:
        data = await client.request(method, path, json=body)
    except PortOneError as exc:
        data = _documented_success(exc)
        if data is None:
            if not outcome_unknown(exc):
                raise  # PortOne saw nothing, or said no
            raise AmbiguousResultError(
                f"{what} was sent but got no clear answer from PortOne, and was not retried.",
                how_to_check=how_to_check,
            ) from exc
    if not isinstance(data, Mapping) or (answer_ref and not isinstance(data.get("order_ref"), str)):
        # A 2xx that says neither yes nor no: it may have happened.
        raise AmbiguousResultError(
            f"{what} was answered with a success PortOne's spec does not describe.",
            how_to_check=how_to_check,
        )
    return data


def outcome_unknown(exc: PortOneError) -> bool:
    """Whether a write that failed with ``exc`` may still have happened at PortOne.

    Whatever may have let a refund happen (see ``_money.may_have_acted``: a lost answer, 5xx,
    429, a token rejection), and a 2xx answer that is neither PortOne's success nor a refusal
    in its error shape.
    """
    if may_have_acted(exc):
        return True
    if isinstance(exc, APIError) and 200 <= exc.status < 300:
        body = exc.body or {}
        refused = body.get("is_success") in (False, "false") or str(exc.code or "").startswith("4")
        return not refused
    return False


def _documented_success(exc: PortOneError) -> Mapping[str, Any] | None:
    """The answer of a 2xx that PortOne's guide pages show as a success (``status_code``
    ``"200"``, where subscription.yaml writes ``"2000"``), else None."""
    if not isinstance(exc, APIError) or exc.status != 200 or exc.body is None:
        return None
    if exc.code == "200" and exc.body.get("is_success") not in (False, "false"):
        return exc.body
    return None


def as_bool(name: str, value: Any) -> bool:
    """``value`` checked as a bool; False when None (unlike ``_payout_common.check_flag``)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigurationError(name, "must be True or False")
    return value


def check_none_for(what: str, **values: Any) -> None:
    for name, value in values.items():
        if value is not None:
            raise ConfigurationError(name, f"does not apply to {what}")


def check_notes(notes: Any) -> list[dict[str, str]]:
    if not isinstance(notes, Mapping) or not all(isinstance(k, str) for k in notes):
        raise ConfigurationError("notes", "must be a mapping of note names to texts")
    return [
        {"key": text("notes", k), "value": free_text(f"notes[{k!r}]", v)} for k, v in notes.items()
    ]


def check_costs(costs: Any) -> list[dict[str, Any]]:
    if not isinstance(costs, Mapping) or not all(isinstance(k, str) for k in costs):
        raise ConfigurationError("additional_costs", "must be a mapping of names to amounts")
    return [
        {"key": text("additional_costs", k), "value": wire_amount(v, f"additional_costs[{k!r}]")}
        for k, v in costs.items()
    ]


def customer_fields(**fields: str | None) -> dict[str, str]:
    return {name: free_text(name, value) for name, value in fields.items() if value is not None}
