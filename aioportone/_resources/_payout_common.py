"""What the payout resources share: date windows, page sizes and page counts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .._config import whole_number
from .._errors import ConfigurationError

__all__ = [
    "MAX_PAGE_SIZE",
    "check_flag",
    "check_page_size",
    "check_window",
    "count",
    "items",
    "more_pages",
]


def check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(name, "must be True or False")
    return value


# PortOne does not document a maximum page size; 100 keeps one answer to a few hundred KB.
MAX_PAGE_SIZE = 100


def _wall_time(name: str, value: Any) -> str:
    """A timezone-aware datetime in the listings' layout, ``2006-01-02 15:04:05``, in UTC.

    payout.yaml's examples write the window that way, without a zone; PortOne does not say which
    zone it reads, so the value sent is UTC (pad the window when the edges matter).
    """
    if not isinstance(value, datetime):
        raise ConfigurationError(name, f"must be a datetime (got {type(value).__name__})")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigurationError(name, "must be timezone-aware (e.g. datetime.now(UTC))")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def check_window(start: Any, end: Any) -> dict[str, str]:
    """The ``from``/``to`` body fields of a listing between ``start`` and ``end``."""
    window = {"from": _wall_time("start", start), "to": _wall_time("end", end)}
    if start > end:
        raise ConfigurationError("end", "must not be before start")
    return window


def check_page_size(value: Any) -> int:
    return whole_number("page_size", value, MAX_PAGE_SIZE)


def count(value: Any) -> int | None:
    """A page count PortOne wrote as a number (its examples) or as text (its schemas)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The objects of an answer's ``content`` list (anything else in it is skipped)."""
    content = data.get("content")
    if not isinstance(content, list):
        return []
    return [item for item in content if isinstance(item, Mapping)]


def more_pages(page: int, size: int, got: int, data: Mapping[str, Any]) -> bool:
    """Whether a page after ``page`` is worth asking for.

    ``total_pages`` decides when PortOne sent it; otherwise a full page means there may be
    more. An empty page always ends the walk, whatever the counts say: no endless loop.
    """
    if got == 0:
        return False
    total = count(data.get("total_pages"))
    return page < total if total is not None else got >= size
