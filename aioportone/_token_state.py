"""The token state machine: every renewal decision of the TokenManager, on plain values.

It reads no clock (each method takes ``now``), awaits nothing and logs nothing: a method
changes the state and returns what the shell must do or report (wake the background task,
emit an event). :class:`~aioportone.TokenManager` keeps the task group, the events, the
waiting and the source calls around it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ._errors import APIError, ConfigurationError, PortOneError, RateLimitError
from ._observe import describe
from ._token import RefreshPolicy, Token

__all__ = ["FATAL_CODES", "Outcome", "TokenState", "fatal"]

_NEVER = float("inf")
# PortOne's documented answers to a bad credential on auth-token
# (https://docs.portone.cloud/docs/error-codes, the auth-token 400 examples): 4016 unknown key,
# 4099 wrong secret, 4001 a required field missing. Nothing else proves that retrying is
# useless: an HTML page, a WAF's 401/403, a 408, an expired or malformed token are transient.
FATAL_CODES = frozenset({"4016", "4099", "4001"})
# The cause quoted in a TokenUnavailableError message: enough for a log line, whole in __cause__.
_MAX_CAUSE = 200
# Requests older than this many shifts of PortOne's clock are long answered.
_MAX_SHIFTS = 8


def fatal(exc: BaseException) -> bool:
    """Whether retrying cannot fix ``exc``: a documented credential refusal, or our own
    configuration.

    Args:
        exc: The error a fetch raised.
    """
    if isinstance(exc, APIError):
        return exc.code in FATAL_CODES
    return isinstance(exc, ConfigurationError)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a fetch's end means, for the shell to report.

    Attributes:
        name: The event to emit: ``refresh_scheduled``, ``refresh_failed`` or
            ``refresh_gave_up``.
        delay: Seconds until the next fetch.
        attempt: How many failures of this kind in a row (0 after a success).
    """

    name: str
    delay: float
    attempt: int = 0


class TokenState:
    """The held token, when the next fetch is due, and the backoff that led there.

    Args:
        policy: When to refresh and how to back off.
        rng: The random source for refresh and backoff jitter.
    """

    def __init__(self, policy: RefreshPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng
        self.token: Token | None = None
        self.usable_until = -_NEVER
        self.due = 0.0  # when the background task should next fetch
        self.backing_off = False
        self.failures = 0
        self.fatal_failures = 0
        self.fatal_error: PortOneError | None = None
        self.last_error: BaseException | None = None
        self.rejected_value: str | None = None  # the value of the latest rejected token
        self.held_rejected = False  # the held token was rejected already
        # What the held token was before shifts of PortOne's clock moved its expiry: requests
        # in flight still carry these objects, and their rejection is the held token's.
        self.shifted: list[Token] = []
        self.last_attempt = -_NEVER  # when the latest fetch started
        self.last_rejection = -_NEVER  # when PortOne last rejected a current token
        self.short_lived = 0  # consecutive network tokens living less than policy.min_life

    def usable(self, now: float) -> Token | None:
        """The held token if it may be sent at ``now`` (above its floor), else None.

        Args:
            now: Unix seconds on our clock.
        """
        if now < self.usable_until:
            return self.token
        return None

    def forget(self) -> None:
        """Drop the held token (the manager stopped)."""
        self.token = None
        self.held_rejected = False
        self.shifted.clear()
        self.usable_until = -_NEVER

    def store(self, token: Token) -> None:
        """Hold ``token``: it is sent until its floor, and replaced at its refresh time.

        Args:
            token: The token just obtained.
        """
        self.token = token
        self.held_rejected = False
        self.shifted.clear()
        policy = self.policy
        self.usable_until = token.expires_at - policy.floor(token)
        # Never two fetches closer than min_interval, whatever lifetime the server gave.
        self.due = max(
            policy.refresh_time(token, self.rng), self.last_attempt + policy.min_interval
        )
        self.backing_off = False
        self.failures = self.fatal_failures = 0
        self.fatal_error = None

    def fetch_started(self, now: float) -> None:
        """A fetch starts at ``now``.

        Args:
            now: Unix seconds on our clock.
        """
        self.last_attempt = now

    def fetched(self, token: Token, now: float, *, network: bool) -> Outcome:
        """Hold the token a fetch returned.

        Args:
            token: The token, already checked usable.
            now: Unix seconds on our clock after the fetch.
            network: Whether the source asks a server (its lifetimes are not ours to trust).
        """
        self.store(token)
        if network and token.lifetime < self.policy.min_life:
            # A server handing out seconds-long tokens is no reason to ask it every few
            # seconds: use the token while it lasts, then back off as after a failure.
            self.short_lived += 1
            delay = self.policy.retry_delay(self.short_lived, None, now, self.rng)
            self.due = max(self.due, now + delay)
            self.backing_off = True
        else:
            self.short_lived = 0
        return Outcome("refresh_scheduled", max(0.0, self.due - now))

    def failed(self, exc: Exception, now: float) -> Outcome:
        """A fetch failed with ``exc``: schedule the next one.

        Args:
            exc: What the source raised (or the stale-token error).
            now: Unix seconds on our clock.
        """
        policy = self.policy
        self.last_error = exc
        self.backing_off = True
        if fatal(exc):
            self.fatal_failures += 1
            delay = policy.fatal_delay(self.fatal_failures)
            # Served only to requests that find no usable token: while the current one lasts,
            # requests go on with it.
            assert isinstance(exc, PortOneError)
            self.fatal_error = exc
            self.due = now + delay
            return Outcome("refresh_gave_up", delay, self.fatal_failures)
        self.failures += 1
        usable = self.usable(now)
        delay = policy.retry_delay(self.failures, usable, now, self.rng)
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            # PortOne said when (sooner is refused), but only up to a cap: one answer must
            # never be able to stop renewal.
            delay = max(delay, policy.honoured_wait(exc.retry_after, usable, now))
        self.due = max(now + delay, self.last_attempt + policy.min_interval)
        return Outcome("refresh_failed", self.due - now, self.failures)

    def holds(self, token: Token) -> bool:
        """Whether ``token`` is the held token, or what it was before a clock shift.

        Args:
            token: The token a request carried.
        """
        return token is self.token or any(old is token for old in self.shifted)

    def invalidate(self, token: Token, now: float) -> bool:
        """PortOne rejected ``token``: stop sending it, if it is still the held one.

        Args:
            token: The token the rejected request carried.
            now: Unix seconds on our clock.

        Returns:
            Whether the background task must be woken.
        """
        # Only the first rejection of a token counts: later answers to requests sent with the
        # same token must not cut a refresh backoff short again and again. Compared by
        # identity, not value: a fresh token may have the same bytes as the rejected one (same
        # claims in the same second), and must still be replaceable when PortOne refuses it.
        if self.held_rejected or not self.holds(token):
            return False
        self.held_rejected = True
        self.rejected_value = token.value
        self.usable_until = -_NEVER
        self.backing_off = False
        # A rejection is PortOne asking for a new token: fetch at once, unless the last
        # rejection was moments ago (a server rejecting every token must not be asked for one
        # per request).
        recent = now - self.last_rejection < self.policy.min_interval
        self.last_rejection = now
        if recent:
            return self.request_refresh(now)
        self.due = now
        return True

    def request_refresh(self, now: float) -> bool:
        """A request found no usable token: bring the next fetch forward as far as allowed.

        Args:
            now: Unix seconds on our clock.

        Returns:
            Whether the background task must be woken.
        """
        policy = self.policy
        if self.backing_off:
            # During a backoff the wait mostly stands: waking the background task for every
            # request would turn an outage into a flood of auth-token calls. But a request
            # with no usable token may bring the next attempt forward to ``wake_interval``
            # after the last one, so no server-made schedule can lock requests out.
            if self.usable(now) is not None:
                return False
            soonest = self.last_attempt + max(policy.wake_interval, policy.min_interval)
        else:
            soonest = self.last_attempt + policy.min_interval
        due = max(now, soonest)
        if due < self.due:
            self.due = due
            return True
        # Already due by the wall clock, while the background task still sleeps its
        # (monotonic) delay: our clock stepped forward. Wake it to look again.
        return self.due <= now

    def clock_shifted(self, shift: float, now: float, *, minted: bool) -> bool:
        """PortOne's clock, as we estimate it, moved by ``shift`` seconds.

        Args:
            shift: The new offset minus the old, in seconds.
            now: Unix seconds on our clock.
            minted: Whether the held token was minted here (on the old offset).

        Returns:
            Whether the background task must be woken.
        """
        token = self.token
        if token is None:
            return False
        if minted:
            return self.invalidate(token, now)  # minted on the old offset: mint again
        # A server token is still the token PortOne issued: keep it (its auth-token API may be
        # down right now), but move its expiry, as seen on our clock, by the change.
        self.shifted.append(token)
        del self.shifted[:-_MAX_SHIFTS]
        self.token = replace(token, expires_at=token.expires_at - shift)
        self.usable_until -= shift
        self.due -= shift
        return True  # the background task sleeps toward the old due time

    def cause(self) -> str:
        """`` (last refresh failed: Type: message)``, or nothing when the last refresh did not
        fail (a failure before the current token was stored is no cause of anything)."""
        if self.last_error is None or not (self.failures or self.fatal_failures):
            return ""
        text = describe(self.last_error)
        if len(text) > _MAX_CAUSE:
            text = text[: _MAX_CAUSE - 3] + "..."
        return f" (last refresh failed: {text})"
