"""What the fake keeps of each request it received, for tests to read back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from multidict import CIMultiDictProxy

__all__ = ["RecordedRequest"]


@dataclass
class RecordedRequest:
    """One request as the fake received it; ``path`` is the raw, still percent-encoded path.

    ``authorized`` is whether its JWT passed the fake's check. It stays None where no check ran:
    on the paths PortOne serves without a JWT, and when a scripted fault answered first.

    Attributes:
        method: The HTTP method.
        path: The raw path, still percent-encoded, without the query.
        query: The decoded query parameters.
        headers: The request headers.
        body: The raw body.
        json: The body decoded as JSON, or None.
        at: When it arrived, in the fake's time (its :meth:`~aioportone.testing.FakePortOne.now`).
        authorized: Whether its JWT passed the fake's check (None: not checked).
    """

    method: str
    path: str
    query: Mapping[str, str]
    headers: CIMultiDictProxy[str]
    body: bytes
    json: Any
    at: float
    authorized: bool | None = None
