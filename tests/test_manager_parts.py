"""The small pure parts the TokenManager is built from, on literals: no event loop, no server."""

from __future__ import annotations

import pytest

from aioportone import Token, TokenEvent
from aioportone._entry import stop_signal
from aioportone._headers import AuthHeaders
from aioportone._secrets import KnownSecrets, Registration
from aioportone._token_events import token_event

SECRET = "parts-secret-0123456789abcdef"


def token(value: str = "header.claims.signature1") -> Token:
    """A local token living from 1000 to 1100."""
    return Token(value=value, issued_at=1000.0, expires_at=1100.0, source="local")


def test_registration_keeps_the_first_value_and_the_latest_others() -> None:
    """The secret stays registered; of the tokens, only the latest ``keep``; a repeat is a no-op."""
    known = KnownSecrets()
    registration = Registration(SECRET, keep=2, known=known)
    assert known.values() == (SECRET,)
    for value in ("token-aaaaaaaa", "token-bbbbbbbb", "token-bbbbbbbb", "token-cccccccc"):
        registration.remember(value)
    assert known.values() == (SECRET, "token-bbbbbbbb", "token-cccccccc")
    assert repr(registration) == "Registration(3 values)"


def test_registration_release_unregisters_only_its_own_count() -> None:
    """A value another holder registered too stays until that holder releases it."""
    known = KnownSecrets()
    first = Registration(SECRET, keep=4, known=known)
    second = Registration(SECRET, keep=4, known=known)
    first.remember("token-aaaaaaaa")
    first.release()
    assert known.values() == (SECRET,)
    second.release()
    assert known.values() == ()


def test_a_discard_while_the_lock_is_held_waits_for_the_next_call() -> None:
    """The collector may run a manager's ``__del__`` inside add() on the same thread: its
    discard must not wait for the lock (forever), and is applied by the next call."""
    known = KnownSecrets()
    known.add(SECRET)
    with known._lock:  # as inside add(), when a collection runs a manager's __del__
        known.discard(SECRET)
    assert known.values() == (SECRET,)  # still redacted until then: the safe side
    known.add("token-aaaaaaaa")
    assert known.values() == ("token-aaaaaaaa",)
    known.discard("token-aaaaaaaa")  # the lock free: applied at once
    assert known.values() == ()


def test_auth_headers_are_built_once_per_token() -> None:
    """The same token gets the same mapping; another token (even with equal bytes) a new one."""
    headers = AuthHeaders("merchantKey1")
    first = token()
    built = headers(first)
    assert built == {
        "X-Portone-Client-Key": "merchantKey1",
        "Authorization": "Bearer header.claims.signature1",
    }
    assert headers(first) is built
    assert headers(token()) is not built
    assert repr(headers) == "AuthHeaders()"


def test_forgotten_auth_headers_are_built_again() -> None:
    """After forget(), even the same token gets a freshly built mapping."""
    headers = AuthHeaders("merchantKey1")
    held = token()
    built = headers(held)
    headers.forget()
    assert headers(held) is not built
    assert headers(held) == built


def test_token_event_takes_expires_in_from_the_held_token() -> None:
    """Without expires_in, the held token's remaining life at ``now`` is reported."""
    event = token_event("refresh_scheduled", source="local", token=token(), now=1060.0, waiters=2)
    assert event == TokenEvent(name="refresh_scheduled", source="local", expires_in=40.0, waiters=2)


def test_token_event_keeps_the_fields_given() -> None:
    """Given fields are kept; no token and no expires_in leave it None."""
    event = token_event(
        "refresh_failed", source="server", token=None, now=0.0, waiters=0, delay=1.5, attempt=3
    )
    assert event == TokenEvent(name="refresh_failed", source="server", delay=1.5, attempt=3)
    skew = token_event(
        "clock_skew",
        source="local",
        token=token(),
        now=1000.0,
        waiters=0,
        expires_in=7.0,
        offset=-3.0,
    )
    assert skew == TokenEvent(name="clock_skew", source="local", expires_in=7.0, offset=-3.0)


def test_token_event_shows_an_error_as_type_and_message_redacted() -> None:
    """An error becomes ``Type: message`` with every known credential replaced."""
    event = token_event(
        "refresh_failed",
        source="server",
        token=None,
        now=0.0,
        waiters=0,
        error=ValueError(f"echoed {SECRET}"),
        known=(SECRET,),
    )
    assert event.error == "ValueError: echoed <redacted>"


def test_stop_signal_finds_a_nested_system_exit() -> None:
    """SystemExit or KeyboardInterrupt is found however deep; other errors are not a stop."""
    stop = KeyboardInterrupt()
    nested = BaseExceptionGroup("outer", [ValueError("x"), BaseExceptionGroup("inner", [stop])])
    assert stop_signal(nested) is stop
    assert stop_signal(BaseExceptionGroup("only", [ValueError("x"), TypeError("y")])) is None


@pytest.mark.parametrize("signal", [SystemExit(3), KeyboardInterrupt()])
def test_stop_signal_takes_the_first_of_several(signal: BaseException) -> None:
    """Of two stops, the first in the group is the one raised."""
    group = BaseExceptionGroup("two", [signal, SystemExit(4)])
    assert stop_signal(group) is signal
