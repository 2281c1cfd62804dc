"""The client's argument checks, on plain values (no client, no loop)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioportone import ConfigurationError
from aioportone._client_checks import (
    PATH,
    TOKEN_OPTION_DEFAULTS,
    refuse_token_options,
    request_method,
    request_path,
)
from aioportone._config import whole_number

OWN_CLOCK = object()


def _given(**changed: object) -> dict[str, object]:
    return {**TOKEN_OPTION_DEFAULTS, "clock": None, **changed}


def test_defaults_and_the_managers_own_values_are_no_conflict() -> None:
    """Options left at their defaults, or equal to the manager's, pass."""
    refuse_token_options("key", "https://x.test", OWN_CLOCK, **_given())
    refuse_token_options(
        "key",
        "https://x.test",
        OWN_CLOCK,
        **_given(client_key="key", base_url="https://x.test/", clock=OWN_CLOCK),
    )


def test_every_conflicting_option_is_named() -> None:
    """Each option the manager would silently override is named, in one error."""
    with pytest.raises(ConfigurationError, match=r"own base_url, lifetime, clock: set them"):
        refuse_token_options(
            "key",
            "https://x.test",
            OWN_CLOCK,
            **_given(lifetime=50.0, base_url="https://other.test", clock=object()),
        )


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(0, False), (1, True), (100, True), (101, False), (True, False), (1.0, False)],
)
def test_whole_number_takes_integers_in_range_only(value: object, accepted: bool) -> None:
    """``whole_number`` returns the integer, or names the argument when it is not one in range."""
    if accepted:
        assert whole_number("n", value, 100) == value
    else:
        with pytest.raises(ConfigurationError, match="n"):
            whole_number("n", value, 100)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("/api/x", True),
        ("/api/a%2Fb", True),
        ("api/x", False),
        ("/x?y=1", False),
        ("/x#f", False),
        ("/x\r\nHost: evil", False),
        ("/caf\u00e9", False),
    ],
)
def test_path_is_printable_ascii_without_query_or_fragment(path: str, ok: bool) -> None:
    """Only a percent-encoded path can reach the request line."""
    assert bool(PATH.fullmatch(path)) is ok


@given(
    st.one_of(
        st.text(alphabet="/aZ09%-._~ ?#\x7f\x1f\x00\r\n\u00e9\u3000", max_size=10),
        st.text(max_size=10),
        st.text(alphabet=st.characters(max_codepoint=0x80), max_size=10).map("/".__add__),
    )
)
def test_request_path_takes_exactly_what_the_pattern_takes(path: str) -> None:
    """request_path returns what PATH matches whole and names the argument for the rest."""
    if PATH.fullmatch(path):
        assert request_path(path) == path
    else:
        with pytest.raises(ConfigurationError) as caught:
            request_path(path)
        assert caught.value.argument == "path"


@pytest.mark.parametrize(
    ("method", "expected"),
    [("GET", "GET"), ("post", "POST"), ("Patch", "PATCH"), ("FETCH", None), (b"GET", None)],
)
def test_request_method_is_one_of_six_in_any_case(method: object, expected: str | None) -> None:
    """A method in any case comes back in capitals; anything else names the argument."""
    if expected is not None:
        assert request_method(method) == expected
    else:
        with pytest.raises(ConfigurationError) as caught:
            request_method(method)
        assert caught.value.argument == "method"
