"""Every log line the library writes during a run, structlog and stdlib alike, kept for the
secret check."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import structlog

__all__ = ["Captured", "captured_logs"]


@dataclass
class Captured:
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def count(self, event: str) -> int:
        return sum(1 for e in self.events if e.get("event") == event)


class _Handler(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self._into = into
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self._into.append(self.format(record))


@contextmanager
def captured_logs() -> Iterator[Captured]:
    """Send structlog's events and the stdlib ``aioportone`` logger's records, every level,
    to a :class:`Captured` for the duration; the previous configuration comes back after."""
    captured = Captured()

    def keep(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        captured.events.append(dict(event))
        raise structlog.DropEvent

    saved = structlog.get_config()
    structlog.configure(processors=[keep], cache_logger_on_first_use=False)
    logger = logging.getLogger("aioportone")
    level = logger.level
    handler = _Handler(captured.lines)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        structlog.configure(**saved)
