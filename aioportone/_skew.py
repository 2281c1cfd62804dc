"""The offset between PortOne's clock and ours, learned from the ``Date`` header of its answers.

PortOne checks ``iat`` and ``exp`` against its own clock. If ours runs ahead, a fresh token looks
"issued in the future"; if it trails, tokens look older than they are. Every answer carries a
``Date`` header (RFC 9110, one-second resolution), so we keep ``offset = server - ours`` and
correct both the claims we mint and the expiry of tokens PortOne issues.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

__all__ = ["MAX_OFFSET", "ServerClockOffset", "agreed", "parse_http_date"]

# No real clock is a day off: a Date further than this from ours is a broken or hostile server
# (a year-2100 Date would make every token look expired).
MAX_OFFSET = 86400.0


def parse_http_date(value: str) -> float | None:
    """Unix seconds of an HTTP date, or None when it cannot be read (garbage, overflow)."""
    try:
        parsed = parsedate_to_datetime(value)
        if parsed.tzinfo is None:
            return None
        seconds = parsed.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) else None


def agreed(measurements: Sequence[float], count: int, tolerance: float) -> float | None:
    """The offset the last ``count`` measurements agree on (within ``tolerance``), else None."""
    if count < 1 or len(measurements) < count:
        return None
    last = measurements[-count:]
    if max(last) - min(last) > tolerance:
        return None
    return sorted(last)[len(last) // 2]


class ServerClockOffset:
    """``offset`` seconds to add to our clock to get PortOne's.

    Changes under ``threshold`` are ignored: the header's one-second resolution plus network
    latency make small differences noise, and the ``iat`` back-dating already covers them.
    A move of up to ``near`` seconds from the offset held is taken at once; a larger one only
    when ``agree`` consecutive measurements agree within ``tolerance`` seconds, so one odd
    answer (a proxy's cached Date, a broken server) cannot shift every token's expiry. An
    offset beyond ``bound`` is never believed.
    """

    def __init__(
        self,
        threshold: float = 2.0,
        *,
        near: float = 60.0,
        agree: int = 3,
        tolerance: float = 5.0,
        bound: float = MAX_OFFSET,
    ) -> None:
        self.offset = 0.0
        self.threshold = threshold
        self.near = near
        self.agree = agree
        self.tolerance = tolerance
        self.bound = bound
        self._last_header: str | None = None
        self._far: list[float] = []

    def observe(self, date_header: str | None, received_at: float) -> bool:
        """Learn from one answer's ``Date`` header; return True when the offset changed."""
        # The header changes once a second: a Date already seen is not parsed or measured
        # again (the transport and the middleware see thousands of answers a second). A step
        # of our clock is still learned, from the next second's Date.
        if date_header is None or date_header == self._last_header:
            return False
        self._last_header = date_header
        server_time = parse_http_date(date_header)
        if server_time is None:
            return False
        # The header is truncated to the second: its true value is on average 0.5 s later.
        return self.measure(server_time + 0.5 - received_at)

    def measure(self, measured: float) -> bool:
        """Take one measurement of ``server - ours``; return True when the offset changed."""
        if not math.isfinite(measured) or abs(measured) > self.bound:
            return False
        distance = abs(measured - self.offset)
        # Hysteresis: a true offset near a boundary must not flip back and forth (each flip
        # renews the token).
        if distance < self.threshold:
            self._far.clear()
            return False
        if distance > self.near:
            self._far.append(measured)
            del self._far[: -self.agree]
            agreed_on = agreed(self._far, self.agree, self.tolerance)
            if agreed_on is None:
                return False
            measured = agreed_on
        self._far.clear()
        self.offset = measured
        return True

    def corroborate(self) -> bool:
        """PortOne refused a token as if our clocks disagree: adopt the latest far measurement
        still waiting for agreement, if any; return True when the offset changed.

        The refusal is the second witness: PortOne's own JWT check agrees that the Date
        header's clock, not ours, is the one tokens are judged by.
        """
        if not self._far:
            return False
        self.offset = self._far[-1]
        self._far.clear()
        return True

    def server_now(self, now: float) -> float:
        return now + self.offset

    def to_local(self, server_time: float) -> float:
        return server_time - self.offset

    def __repr__(self) -> str:
        return f"ServerClockOffset(offset={self.offset:+.1f}s)"
