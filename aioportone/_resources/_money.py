"""What a failed money-moving call proves, decided once for refunds, captures and payment links.

PortOne offers no idempotency key for refunds or captures, and deduplicates payment links only
by ``merchant_order_id`` (4002). So the question after a failure is whether PortOne may have
acted: if it may have, a refund or capture raises :class:`AmbiguousResultError` (never replayed),
and a payment link is sent once more on the dedup path (each link request reaches PortOne at
most twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._decipher import is_token_rejection
from .._errors import (
    AmbiguousResultError,
    APIError,
    AuthenticationError,
    PortOneError,
    RateLimitError,
    ServerError,
    TransportError,
)

__all__ = ["expect_money_object", "may_have_acted", "money_object"]


def may_have_acted(exc: PortOneError) -> bool:
    """Whether PortOne may have processed a money-moving request that failed with ``exc``.

    - a connection lost after the request went out, a timeout, an answer too large to read,
      an unreadable 2xx: yes;
    - 5xx: yes (a provider may fail after the money moved);
    - 429 and token rejections (4054, 4010 "JWT"): PortOne does not document that they come
      before processing, and such an answer can come from a layer in front of PortOne after the
      request went through, so they prove nothing: yes;
    - a connection that never opened, no free connection slot (``PoolTimeoutError``), a
      validation error (4xxx), not found, duplicate, wrong key or secret: PortOne refused or
      never saw it: no.
    """
    if isinstance(exc, AmbiguousResultError):
        return True
    if isinstance(exc, TransportError):
        return exc.request_sent
    if isinstance(exc, ServerError | RateLimitError):
        return True
    if isinstance(exc, AuthenticationError):
        return is_token_rejection(exc.status, exc.body)
    return False


def money_object(data: Any) -> Mapping[str, Any] | None:
    """``request(parse=)`` for a money-moving call: its answer if it is an object, else None.

    Anything else may echo what was sent (the JWT among it), and the operation's frame, which
    is in the traceback of the AmbiguousResultError it then raises, must never hold it:
    :func:`expect_money_object` reads None as the unreadable answer it stands for.
    """
    return data if isinstance(data, Mapping) else None


def expect_money_object(data: Any, what: str, how_to_check: str) -> Mapping[str, Any]:
    """The JSON object of a money-moving call's successful answer.

    Anything else (a list, a bare value, nothing) means PortOne answered 2xx — it probably acted
    — in a shape we cannot read: ambiguous, never a plain error the caller might retry.
    """
    if not isinstance(data, Mapping):
        del data  # the answer may echo a credential, and this frame is in the traceback
        cause = APIError(status=200, message=f"PortOne answered {what} without a JSON object")
        raise AmbiguousResultError(
            f"PortOne accepted {what} but its answer could not be read.",
            how_to_check=how_to_check,
        ) from cause
    return data
