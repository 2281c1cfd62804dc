"""The offset between PortOne's clock and ours, learned from the ``Date`` header of its answers.

PortOne checks ``iat`` and ``exp`` against its own clock. If ours runs ahead, a fresh token looks
"issued in the future"; if it trails, tokens look older than they are. Every answer carries a
``Date`` header (RFC 9110, one-second resolution), so we keep ``offset = server - ours`` and
correct both the claims we mint and the expiry of tokens PortOne issues.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

__all__ = ["ServerClockOffset", "parse_http_date"]


def parse_http_date(value: str) -> float | None:
    """Unix seconds of an HTTP date, or None when it cannot be read."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp()


class ServerClockOffset:
    """``offset`` seconds to add to our clock to get PortOne's.

    Changes under ``threshold`` are ignored: the header's one-second resolution plus network
    latency make small differences noise, and the ``iat`` back-dating already covers them.
    """

    def __init__(self, threshold: float = 2.0) -> None:
        self.offset = 0.0
        self.threshold = threshold
        self._last_header: str | None = None

    def observe(self, date_header: str | None, received_at: float) -> bool:
        """Learn from one answer's ``Date`` header; return True when the offset changed."""
        # The header changes once a second; re-parsing the same string per request would cost
        # more than the rest of the header work together.
        if date_header is None or date_header == self._last_header:
            return False
        self._last_header = date_header
        server_time = parse_http_date(date_header)
        if server_time is None:
            return False
        # The header is truncated to the second: its true value is on average 0.5 s later.
        measured = server_time + 0.5 - received_at
        # Hysteresis: move only when the measurement is ``threshold`` away from what we hold,
        # so a true offset near a boundary does not flip back and forth (each flip renews the
        # token).
        if abs(measured - self.offset) < self.threshold:
            return False
        self.offset = measured
        return True

    def server_now(self, now: float) -> float:
        return now + self.offset

    def to_local(self, server_time: float) -> float:
        return server_time - self.offset

    def __repr__(self) -> str:
        return f"ServerClockOffset(offset={self.offset:+.1f}s)"
