"""A TokenManager's events, built from plain values: what happened, never a secret.

The manager passes what it holds (the token, the number of waiters, the time); this builds the
:class:`~aioportone.TokenEvent` its observer sends to the log and the user's hook.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._observe import TokenEvent, describe
from ._secrets import KNOWN, redact
from ._token import Token

__all__ = ["token_event"]


def token_event(
    name: str,
    *,
    source: str,
    token: Token | None,
    now: float,
    waiters: int,
    expires_in: float | None = None,
    delay: float | None = None,
    attempt: int | None = None,
    error: BaseException | None = None,
    offset: float | None = None,
    known: Iterable[str] | None = None,
) -> TokenEvent:
    """The event ``name``, its ``expires_in`` taken from the held token unless given.

    Args:
        name: The event's name (see :class:`~aioportone.TokenEvent`).
        source: The token source's name.
        token: The token held now, or None.
        now: Unix seconds on our clock.
        waiters: How many requests wait for a token.
        expires_in: Seconds of life left, when the event is about another token than the held
            one (or the held one, measured at another time).
        delay: Seconds until the next attempt.
        attempt: How many failures in a row.
        error: The failure, shown as ``Type: message`` with every known credential redacted.
        offset: Seconds PortOne's clock is ahead of ours.
        known: The credentials to redact from ``error``; those registered now when None.
    """
    if expires_in is None and token is not None:
        expires_in = token.remaining(now)
    shown = None
    if error is not None:
        shown = redact(describe(error), KNOWN.values() if known is None else known)
    return TokenEvent(
        name=name,
        source=source,
        expires_in=expires_in,
        delay=delay,
        attempt=attempt,
        waiters=waiters,
        error=shown,
        offset=offset,
    )
