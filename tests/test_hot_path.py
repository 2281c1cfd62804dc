"""The request path's fast paths give exactly what the general code gives."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioportone import ConfigurationError, PortOneClient, TransactionStatus
from aioportone._config import path_segment, text
from aioportone._events_webhook import frozen
from aioportone.testing import FakePortOne


def general_segment(value: Any) -> str:
    """``path_segment`` without its fast path: check, quote everything, escape dot segments."""
    encoded = quote(text("ref", value), safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


@given(
    st.one_of(
        st.text(alphabet="AZaz09_.~-/%?# é", min_size=0, max_size=12),
        st.text(max_size=12),
    )
)
def test_path_segment_equals_the_general_encoding_for_any_text(value: str) -> None:
    """Every reference, plain or not, is encoded exactly as quoting it in full would."""
    try:
        expected = general_segment(value)
    except ConfigurationError:
        with pytest.raises(ConfigurationError, match="ref"):
            path_segment("ref", value)
    else:
        assert path_segment("ref", value) == expected


@pytest.mark.parametrize(
    ("ref", "encoded"),
    [
        ("ORDER-1001_1", "ORDER-1001_1"),
        ("a.b~c", "a.b~c"),
        ("...", "..."),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("ORDER 1", "ORDER%201"),
        ("ORDER-1\n", None),
        ("", None),
    ],
)
def test_plain_refs_pass_unchanged_and_others_are_encoded_or_refused(
    ref: str, encoded: str | None
) -> None:
    """A plain reference is used as is; dot segments are escaped; bad ones still refused."""
    if encoded is None:
        with pytest.raises(ConfigurationError, match="ref"):
            path_segment("ref", ref)
    else:
        assert path_segment("ref", ref) == encoded


def test_a_non_string_ref_is_still_refused_by_name() -> None:
    """A number where a reference belongs is refused, naming the argument."""
    with pytest.raises(ConfigurationError, match="ref"):
        path_segment("ref", 1001)


def test_from_json_copies_the_callers_dict() -> None:
    """A result parsed from your own dict does not change when you change the dict later."""
    data = {"content": {"order_ref": "R1", "status": "Success"}, "status_code": "2000"}
    result = TransactionStatus.from_json(data)
    data["status_code"] = "5000"
    assert result.raw["status_code"] == "2000"
    with pytest.raises(TypeError):
        result.raw["status_code"] = "x"  # type: ignore[index]


def test_a_read_only_mapping_is_kept_rather_than_copied() -> None:
    """frozen() hands back a mapping that is already read-only instead of copying it."""
    view = MappingProxyType({"a": 1})
    assert frozen(view) is view
    assert frozen({"a": 1}) == view


async def test_resource_results_keep_the_whole_answer_read_only(
    fake: FakePortOne, client: PortOneClient
) -> None:
    """transactions.status keeps PortOne's answer in .raw, read-only, without a copy step."""
    fake.state.add_transaction("ORDER-9", status="Success")
    result = await client.transactions.status("ORDER-9")
    assert result.raw["status_code"] == "2000"
    assert result.raw["content"]["status"] == "Success"
    with pytest.raises(TypeError):
        result.raw["status_code"] = "x"  # type: ignore[index]
