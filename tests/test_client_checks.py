"""The client's argument checks, on plain values (no client, no loop)."""

from __future__ import annotations

import pytest

from aioportone import ConfigurationError
from aioportone._client_checks import PATH, TOKEN_OPTION_DEFAULTS, refuse_token_options
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
