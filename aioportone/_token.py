"""The token model and the refresh schedule. Pure: every time is an argument.

Times here are Unix seconds on *our* clock. A token's ``expires_at`` has already been corrected
for the offset between PortOne's clock and ours (see ``_skew.py``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, fields
from typing import Literal

from ._errors import ConfigurationError

__all__ = ["RefreshPolicy", "Token", "TokenSourceName", "mask"]

TokenSourceName = Literal["local", "server"] | str


def mask(value: str) -> str:
    """Show a secret's shape, never its content: enough to tell two apart in a bug report."""
    return f"<{len(value)} chars>" if value else "<empty>"


@dataclass(frozen=True, slots=True)
class Token:
    """A PortOne JWT and when it stops being valid.

    ``value`` is the JWT itself; :func:`repr` and :func:`str` never show it. ``issued_at`` is when
    we obtained it and ``expires_at`` when PortOne will stop accepting it, both on our clock.

    Attributes:
        value: The JWT, for an ``Authorization: Bearer`` header or a frontend.
        issued_at: When it was obtained, in Unix seconds on our clock.
        expires_at: When PortOne stops accepting it, in Unix seconds on our clock.
        source: The name of the source that produced it (``"local"``, ``"server"``).
    """

    value: str = field(repr=False)
    issued_at: float
    expires_at: float
    source: TokenSourceName = "local"

    @property
    def lifetime(self) -> float:
        """Seconds from ``issued_at`` to ``expires_at``."""
        return self.expires_at - self.issued_at

    def remaining(self, now: float) -> float:
        """Seconds of life left at ``now``.

        Args:
            now: Unix seconds on our clock.
        """
        return self.expires_at - now

    def __repr__(self) -> str:
        return (
            f"Token(source={self.source!r}, issued_at={self.issued_at:.0f}, "
            f"expires_at={self.expires_at:.0f}, value={mask(self.value)})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """When to refresh, when a token is too old to send, and how to back off.

    The refresh point scales with the token's lifetime: at ``refresh_at`` of its life (75 %) minus
    a random ``jitter`` share (up to 10 % of its life), so a 100 s token is renewed with ~25 s to
    spare and a 6 h token after ~4 h, and a fleet of processes started together spreads its
    auth-token calls over ~36 minutes instead of one instant. A fixed five-minute lead would mean
    "always refreshing" for a 100 s token.

    The *floor* is the least life a token may have when sent: ``floor_share`` of its lifetime,
    at most ``floor_max`` seconds (10 s for a 100 s token, 30 s for a 6 h one). A request that
    takes a few seconds to reach PortOne must still arrive with a valid token.

    Nothing a server answers can stop renewal or make it hammer: a ``Retry-After`` is honoured
    up to ``retry_after_max`` seconds; two fetches start at least ``min_interval`` seconds
    apart; during a backoff a request with no usable token may bring the next attempt forward
    to ``wake_interval`` seconds after the last; a token from a network source living less
    than ``min_life`` seconds is used but then backed off from like a failure. Transient
    failures back off from ``backoff_base`` to ``backoff_max`` seconds (full jitter); errors
    retrying cannot fix from ``fatal_backoff`` to ``fatal_backoff_max``.

    Every field is checked when the policy is built: a bad one raises
    :class:`~aioportone.ConfigurationError` naming it.

    Attributes:
        refresh_at: The share of a token's life after which it is replaced (0 to 1).
        jitter: Up to this share of its life is taken off the refresh point, at random.
        floor_share: A token with less than this share of its life left is never sent.
        floor_max: The floor in seconds is at most this.
        backoff_base: Seconds of the first backoff after a transient refresh failure.
        backoff_max: The longest backoff after transient failures, in seconds.
        fatal_backoff: Seconds to wait after the first failure retrying cannot fix (wrong
            key or secret), doubled after each further one.
        fatal_backoff_max: The longest such wait, in seconds.
        retry_after_max: The most seconds a server's ``Retry-After`` can make renewal wait.
        min_interval: No two fetches start closer than this many seconds.
        wake_interval: During a backoff, a request with no usable token may start an attempt
            this many seconds after the previous one.
        min_life: A network token living less than this many seconds is used, then backed off
            from like a failure.
    """

    refresh_at: float = 0.75
    jitter: float = 0.10
    floor_share: float = 0.10
    floor_max: float = 30.0
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    # After an error retrying cannot fix (wrong key or secret), wait this long, doubling up to
    # ``fatal_backoff_max``: a misconfigured fleet must not hammer the auth-token endpoint.
    fatal_backoff: float = 300.0
    fatal_backoff_max: float = 3600.0
    # The most a server's Retry-After can make renewal wait: one 429 with an absurd value must
    # not stop renewal for good.
    retry_after_max: float = 300.0
    # No two fetches start closer than this, whatever a server says (``expires_in: 1``).
    min_interval: float = 5.0
    # During a backoff, a request finding no usable token may start one attempt this long after
    # the previous one: a schedule pushed far out by a server cannot lock requests out.
    wake_interval: float = 10.0
    # A token from a network source living less than this is kept but counted as a failure:
    # the next fetch backs off instead of following the server's tiny lifetime.
    min_life: float = 60.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(f.name, "must be a number")
            if not math.isfinite(value) or value < 0:
                raise ConfigurationError(f.name, "must be a finite number >= 0")
        if not 0.0 < self.refresh_at < 1.0:
            raise ConfigurationError(
                "refresh_at", "must be a share of the lifetime between 0 and 1"
            )
        if not self.jitter < self.refresh_at:
            raise ConfigurationError("jitter", "must be between 0 and refresh_at")
        if not 0.0 < self.floor_share < 1.0 - self.refresh_at:
            raise ConfigurationError(
                "floor_share", "must be less than the life left at the refresh point"
            )
        for name in ("floor_max", "backoff_base", "fatal_backoff"):
            if getattr(self, name) <= 0:
                raise ConfigurationError(name, "must be more than 0 seconds")
        if self.backoff_max < self.backoff_base:
            raise ConfigurationError("backoff_max", "must be at least backoff_base")
        if self.fatal_backoff_max < self.fatal_backoff:
            raise ConfigurationError("fatal_backoff_max", "must be at least fatal_backoff")

    def floor(self, token: Token) -> float:
        """Seconds of life below which ``token`` is never sent.

        Args:
            token: The token in question.
        """
        return min(self.floor_max, token.lifetime * self.floor_share)

    def usable(self, token: Token, now: float) -> bool:
        """Whether ``token`` may still be sent at ``now`` (it is above its floor).

        Args:
            token: The token in question.
            now: Unix seconds on our clock.
        """
        return token.remaining(now) > self.floor(token)

    def refresh_time(self, token: Token, rng: random.Random) -> float:
        """When the background task should replace ``token``.

        Args:
            token: The token just obtained.
            rng: The random source of the jitter.

        Returns:
            Unix seconds on our clock.
        """
        share = self.refresh_at - self.jitter * rng.random()
        return token.issued_at + token.lifetime * share

    def retry_delay(
        self, attempt: int, token: Token | None, now: float, rng: random.Random
    ) -> float:
        """Full-jitter exponential backoff after the ``attempt``-th transient failure (from 1).

        While a token is still usable the delay is capped at half the time left before its floor,
        so several retries happen before any request has to wait.

        Args:
            attempt: How many transient failures in a row, counting this one.
            token: The token still held, or None.
            now: Unix seconds on our clock.
            rng: The random source of the jitter.

        Returns:
            Seconds to wait.
        """
        cap = min(self.backoff_max, self.backoff_base * 2.0 ** min(attempt - 1, 30))
        if token is not None:
            until_floor = token.remaining(now) - self.floor(token)
            if until_floor > 0:
                cap = min(cap, max(self.backoff_base, until_floor / 2))
        # Full jitter, but never under half the base: a near-zero delay is a retry storm.
        low = min(cap, self.backoff_base / 2)
        return float(rng.uniform(low, cap))

    def honoured_wait(self, retry_after: float, token: Token | None, now: float) -> float:
        """How much of a server's ``Retry-After`` renewal honours: at most ``retry_after_max``,
        and while ``token`` is usable at most half its time left before the floor (so a retry
        still happens before requests have to wait).

        Args:
            retry_after: The seconds the server asked for.
            token: The token still held (None when there is none).
            now: The current time on the manager's clock.

        Returns:
            Seconds to wait before the next attempt.
        """
        wait = min(max(0.0, retry_after), self.retry_after_max)
        if token is not None:
            until_floor = token.remaining(now) - self.floor(token)
            if until_floor > 0:
                wait = min(wait, max(self.backoff_base, until_floor / 2))
        return wait

    def fatal_delay(self, attempt: int) -> float:
        """Delay before trying again after the ``attempt``-th error that retrying cannot fix.

        Args:
            attempt: How many such errors in a row, counting this one (from 1).

        Returns:
            Seconds to wait.
        """
        return min(self.fatal_backoff_max, self.fatal_backoff * 2.0 ** min(attempt - 1, 30))
