"""The token state machine on literals: no event loop, no clock, no server."""

from __future__ import annotations

import random

import pytest

from aioportone import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    RateLimitError,
    RefreshPolicy,
    Token,
    TokenError,
)
from aioportone._token_state import FATAL_CODES, Outcome, TokenState, fatal


class Edges(random.Random):
    """Jitter pinned to its edges: ``random()`` is 0 and ``uniform`` returns the cap."""

    def random(self) -> float:
        return 0.0

    def uniform(self, a: float, b: float) -> float:
        return b


def token(issued: float = 1000.0, life: float = 100.0, value: str = "jwt") -> Token:
    """A token issued at ``issued`` living ``life`` seconds."""
    return Token(value=value, issued_at=issued, expires_at=issued + life, source="server")


def state(policy: RefreshPolicy | None = None) -> TokenState:
    """A state whose last fetch started long ago, so min_interval does not bind."""
    fresh = TokenState(policy or RefreshPolicy(), Edges())
    fresh.fetch_started(0.0)
    return fresh


def held(tok: Token | None = None) -> TokenState:
    """A state holding ``tok`` (a 100 s token issued at 1000 by default)."""
    fresh = state()
    fresh.store(tok or token())
    return fresh


@pytest.mark.parametrize(
    ("life", "last_attempt", "due", "usable_until"),
    [
        (100.0, 0.0, 1075.0, 1090.0),  # 75 % of its life; floor 10 % of 100 s
        (21600.0, 0.0, 1000.0 + 16200.0, 1000.0 + 21600.0 - 30.0),  # floor capped at 30 s
        (10.0, 1004.0, 1009.0, 1009.0),  # a tiny lifetime still waits min_interval
    ],
)
def test_store_schedules_the_refresh_and_the_floor(
    life: float, last_attempt: float, due: float, usable_until: float
) -> None:
    """A stored token is sent until its floor and replaced at its refresh point, never
    sooner than min_interval after the last fetch."""
    tokens = state()
    tokens.fetch_started(last_attempt)
    tokens.store(token(life=life))
    assert (tokens.due, tokens.usable_until) == (due, usable_until)


def test_a_token_is_usable_strictly_before_its_floor() -> None:
    """The held token is handed out until its floor and not at it."""
    tok = token()
    tokens = held(tok)
    assert (tokens.usable(1089.9), tokens.usable(1090.0)) == (tok, None)


@pytest.mark.parametrize(
    ("attempt", "delay"), [(1, 1.0), (2, 2.0), (3, 4.0), (9, 256.0), (10, 300.0)]
)
def test_transient_failures_back_off_exponentially_up_to_the_max(
    attempt: int, delay: float
) -> None:
    """Each transient failure in a row doubles the wait, up to backoff_max."""
    tokens = state()
    outcomes = [tokens.failed(TokenError("down"), 5000.0) for _ in range(attempt)]
    assert outcomes[-1] == Outcome("refresh_failed", delay, attempt)
    assert tokens.due == 5000.0 + delay


def test_a_failure_right_after_a_fetch_waits_min_interval() -> None:
    """Two fetches never start closer than min_interval, however short the backoff."""
    tokens = state()
    tokens.fetch_started(5000.0)
    assert tokens.failed(TokenError("down"), 5000.5) == Outcome("refresh_failed", 4.5, 1)


def test_backoff_is_capped_by_half_the_time_left_before_the_floor() -> None:
    """While a token is usable, a retry comes before requests would have to wait for one."""
    tokens = held()
    for _ in range(6):
        outcome = tokens.failed(TokenError("down"), 1070.0)
    assert outcome.delay == 10.0  # (1090 - 1070) / 2


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [(0.0, 1.0), (-5.0, 1.0), (42.0, 42.0), (1e9, 300.0), (float("inf"), 300.0)],
)
def test_retry_after_is_honoured_up_to_its_cap(retry_after: float, delay: float) -> None:
    """A 429's Retry-After sets the wait, but no answer can stop renewal for good."""
    tokens = state()
    limited = RateLimitError(status=429, retry_after=retry_after)
    assert tokens.failed(limited, 5000.0).delay == delay


@pytest.mark.parametrize("code", sorted(FATAL_CODES))
def test_credential_refusals_back_off_for_minutes_doubling_to_an_hour(code: str) -> None:
    """A wrong key or secret waits fatal_backoff, doubling to fatal_backoff_max, and is kept
    to be raised to requests that find no token."""
    tokens = state()
    refusal = AuthenticationError(status=400, code=code)
    delays = [tokens.failed(refusal, 5000.0).delay for _ in range(6)]
    assert delays == [300.0, 600.0, 1200.0, 2400.0, 3600.0, 3600.0]
    assert tokens.fatal_error is refusal
    assert tokens.failed(refusal, 5000.0).name == "refresh_gave_up"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (APIError(status=400, code="4016"), True),
        (APIError(status=400, code="4099"), True),
        (APIError(status=400, code="4001"), True),
        (APIError(status=401, code="4054"), False),
        (APIError(status=403), False),
        (ConfigurationError("secret_key", "is empty"), True),
        (TokenError("stale"), False),
        (OSError("reset"), False),
    ],
)
def test_only_documented_refusals_and_configuration_are_fatal(
    exc: BaseException, expected: bool
) -> None:
    """Only an error retrying cannot fix stops quick retries."""
    assert fatal(exc) is expected


def test_a_stored_token_clears_the_backoff_and_the_fatal_error() -> None:
    """A success after failures starts the next failure's backoff from the beginning."""
    tokens = state()
    tokens.failed(AuthenticationError(status=400, code="4099"), 5000.0)
    tokens.failed(TokenError("down"), 5000.0)
    tokens.store(token(issued=5000.0))
    assert (tokens.fatal_error, tokens.backing_off, tokens.cause()) == (None, False, "")
    assert tokens.failed(TokenError("down"), 5100.0).attempt == 1


def test_a_short_lived_server_token_is_used_then_backed_off_from() -> None:
    """A network token living under min_life is sent, but the next fetch backs off."""
    tokens = state()
    tok = token(issued=5000.0, life=30.0)
    first = tokens.fetched(tok, 5000.0, network=True)
    assert tokens.usable(5000.0) is tok
    assert (first, tokens.backing_off) == (Outcome("refresh_scheduled", 22.5), True)
    tokens.fetched(token(issued=5100.0, life=30.0), 5100.0, network=True)
    assert tokens.short_lived == 2


def test_a_short_minted_token_follows_its_own_lifetime() -> None:
    """A local source's short tokens are renewed on schedule, without backing off."""
    tokens = state()
    outcome = tokens.fetched(token(issued=5000.0, life=30.0), 5000.0, network=False)
    assert (outcome, tokens.backing_off) == (Outcome("refresh_scheduled", 22.5), False)


def test_rejecting_the_current_token_fetches_at_once() -> None:
    """PortOne refusing the held token stops it being sent and makes the fetch due now."""
    tokens = held()
    assert tokens.invalidate(tokens.token or token(), 1010.0) is True
    assert (tokens.usable(1010.0), tokens.due, tokens.rejected_value) == (None, 1010.0, "jwt")


def test_only_the_first_rejection_of_a_token_counts() -> None:
    """Later answers to requests sent with the same token do not cut a backoff short."""
    tokens = held()
    tok = tokens.token
    assert tok is not None
    tokens.invalidate(tok, 1010.0)
    tokens.failed(TokenError("down"), 1010.0)
    due = tokens.due
    assert tokens.invalidate(tok, 1011.0) is False
    assert tokens.due == due


def test_rejecting_an_old_token_keeps_the_new_one() -> None:
    """A request rejected with a replaced token does not throw the new token away."""
    old, new = token(value="same"), token(issued=1050.0, value="same")
    tokens = held(old)
    tokens.store(new)
    assert tokens.invalidate(old, 1060.0) is False
    assert tokens.usable(1060.0) is new


def test_a_second_rejection_within_min_interval_waits_for_it() -> None:
    """A server rejecting every token is not asked for one per request."""
    tokens = held()
    tokens.fetch_started(1010.0)
    tokens.invalidate(tokens.token or token(), 1010.0)
    tokens.store(token(issued=1011.0, value="next"))
    assert tokens.invalidate(tokens.token or token(), 1012.0) is True
    assert tokens.due == 1015.0  # the last fetch at 1010, plus min_interval


@pytest.mark.parametrize(
    ("backing_off_at", "usable", "wake", "due"),
    [
        (None, False, True, 1005.0),  # no backoff: min_interval after the last fetch
        (1003.0, False, True, 1010.0),  # in a backoff: wake_interval after the last fetch
        (1003.0, True, False, None),  # in a backoff with a usable token: the wait stands
    ],
)
def test_a_request_without_a_token_brings_the_fetch_forward_within_limits(
    backing_off_at: float | None, usable: bool, wake: bool, due: float | None
) -> None:
    """A waiting request may move the next fetch up to min_interval (wake_interval in a
    backoff) after the last one, and never while a token is usable in a backoff."""
    tokens = state()
    tokens.fetch_started(1000.0)
    if usable:
        tokens.store(token(issued=1000.0))
    if backing_off_at is None:
        tokens.due = 2000.0  # the next refresh scheduled far out
    else:
        tokens.failed(RateLimitError(status=429, retry_after=300.0), backing_off_at)
    before = tokens.due
    assert tokens.request_refresh(1003.0) is wake
    assert tokens.due == (before if due is None else due)


def test_a_clock_already_past_the_due_time_wakes_the_refresher() -> None:
    """A forward step of our clock wakes the background task to look again."""
    tokens = state()
    tokens.failed(TokenError("down"), 1000.0)  # due at 1001
    assert tokens.request_refresh(1002.0) is True
    assert tokens.due == 1001.0


def test_a_clock_shift_moves_a_server_tokens_expiry_and_schedule() -> None:
    """A server token is kept across a shift of PortOne's clock, its times moved by it."""
    tok = token()
    tokens = held(tok)
    assert tokens.clock_shifted(20.0, 1010.0, minted=False) is True
    moved = tokens.token
    assert moved is not None
    assert moved is not tok
    assert (moved.expires_at, tokens.usable_until, tokens.due) == (1080.0, 1070.0, 1055.0)
    assert tokens.holds(tok)
    assert tokens.holds(moved)


def test_a_token_superseded_by_a_clock_shift_is_still_the_held_one() -> None:
    """A request in flight with the pre-shift token gets the held token replaced on 4054."""
    tok = token()
    tokens = held(tok)
    tokens.clock_shifted(1.0, 1010.0, minted=False)
    tokens.clock_shifted(-3.0, 1010.0, minted=False)
    assert tokens.invalidate(tok, 1010.0) is True
    assert tokens.usable(1010.0) is None


def test_only_the_latest_shifts_are_remembered() -> None:
    """Requests older than eight shifts of PortOne's clock no longer count as the held one."""
    tok = token()
    tokens = held(tok)
    for _ in range(9):
        tokens.clock_shifted(0.5, 1010.0, minted=False)
    assert (tokens.holds(tok), len(tokens.shifted)) == (False, 8)


@pytest.mark.parametrize(("minted", "has_token"), [(True, True), (False, False), (True, False)])
def test_a_clock_shift_drops_a_minted_token_and_ignores_no_token(
    minted: bool, has_token: bool
) -> None:
    """A minted token was signed on the old offset and is replaced; with none held a shift
    changes nothing."""
    tokens = held() if has_token else state()
    assert tokens.clock_shifted(20.0, 1010.0, minted=minted) is has_token
    assert tokens.usable(1010.0) is None


def test_the_cause_quotes_the_last_failure_shortened() -> None:
    """An unavailable-token message names the last failure in one readable line."""
    tokens = state()
    tokens.failed(TokenError("x" * 500), 1000.0)
    cause = tokens.cause()
    assert cause.startswith(" (last refresh failed: TokenError: xxx")
    assert cause.endswith("...)")
    assert len(cause) == len(" (last refresh failed: )") + 200


def test_forgetting_drops_the_token_and_its_shifts() -> None:
    """A stopped manager's state hands out nothing, not even a pre-shift token."""
    tok = token()
    tokens = held(tok)
    tokens.clock_shifted(5.0, 1010.0, minted=False)
    tokens.forget()
    assert (tokens.usable(1010.0), tokens.holds(tok)) == (None, False)
