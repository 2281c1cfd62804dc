"""The fake's scripted failures: which requests a fault matches and what it answers instead.

The fake's middleware applies the first matching :class:`Fault` (see ``FakePortOne._faults``);
this module only describes them, so it knows nothing of the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
from aiohttp import web

__all__ = ["Fault", "Hold"]


class Hold(Protocol):
    """What a fault's ``hold`` needs: an ``anyio.Event``, or anything with an async ``wait()``."""

    async def wait(self) -> Any: ...


@dataclass
class Fault:
    """A scripted failure for requests matching ``method`` and the ``path`` regex.

    ``status`` answers with that HTTP status (and ``body``, or a PortOne-shaped error);
    ``delay`` waits that many seconds of the fake's clock first (real seconds unless the fake
    was given a :class:`~aioportone.testing.FakeClock`); ``drop`` closes the connection without
    an answer; ``drop_after`` processes the request, then drops the answer (the ambiguous case).
    ``hold`` keeps matching requests waiting until the test sets that event (to release
    answers in an order of its choosing). ``raw`` answers exactly these bytes (with ``status``,
    200 by default), to play an answer that is not JSON; ``after`` first lets the request be
    processed, then answers as scripted (the answer PortOne sent after acting, mangled on its
    way). ``times`` is how many matching requests it applies
    to (None: any number); ``until`` ends it at that moment of the fake's time (see the
    fake's :meth:`~aioportone.testing.FakePortOne.now`).

    Hostile answers: ``raw`` answers those exact bytes (HTML, an empty or cut-off body) instead
    of JSON; ``headers`` adds answer headers (a far-future ``Date``, a garbage ``Retry-After``),
    on the scripted answer or, when neither ``status``, ``body`` nor ``raw`` is given, on the
    real one. ``after`` processes the request first, then sends the scripted answer in place
    of the real one (a refusal or a mangled answer that arrives after the work was done).
    ``contains`` limits the fault to requests whose raw path or body holds that text (one
    operation's reference, when many run at once). Usually made by the fake's
    :meth:`~aioportone.testing.FakePortOne.fail`.

    Attributes:
        status: Answer with this HTTP status.
        body: The JSON body of that answer; a PortOne-shaped error when None.
        delay: Real seconds to wait before answering.
        drop: Close the connection without processing or answering.
        drop_after: Process the request, then close the connection without answering.
        retry_after: A ``Retry-After`` header value for the answer.
        method: Match only this HTTP method.
        path: Match only paths this regex finds (searched in the raw path).
        times: How many matching requests it applies to; None for any number.
        until: The fake's time at which it stops applying.
        hold: Keep matching requests waiting until this event is set.
        raw: Answer exactly these bytes instead of JSON.
        headers: Headers added to the scripted answer (or to the real one).
        after: Process the request first, then send the scripted answer in its place.
        contains: Match only requests whose raw path or body holds this text.
    """

    status: int | None = None
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    drop_after: bool = False
    retry_after: str | None = None
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    until: float | None = None
    hold: anyio.Event | Hold | None = None
    raw: bytes | None = None
    headers: Mapping[str, str] | None = None
    after: bool = False
    contains: str | None = None
    hits: int = field(default=0, init=False)

    def matches(self, request: web.Request, now: float, body: bytes = b"") -> bool:
        """Whether this fault applies to ``request`` at ``now``.

        Args:
            request: The request the fake received.
            now: The fake's time.
            body: The request's body (for ``contains``).
        """
        if self.times is not None and self.hits >= self.times:
            return False
        if self.until is not None and now >= self.until:
            return False
        if self.method is not None and request.method != self.method.upper():
            return False
        if self.contains is not None and not (
            self.contains in request.raw_path or self.contains.encode() in body
        ):
            return False
        return self.path is None or re.search(self.path, request.raw_path) is not None

    def answer(self) -> web.Response | None:
        """The scripted answer, or None when the fault does not replace the real one."""
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        status = self.status
        if self.raw is not None:
            return web.Response(body=self.raw, status=status or 200, headers=headers)
        if self.body is not None:
            return web.json_response(self.body, status=status or 200, headers=headers)
        if status is None:
            return None
        return web.json_response(
            {
                "message": "Injected failure",
                "status_code": str(status) + "0",
                "status_reason": "INJECTED_FAILURE",
            },
            status=status,
            headers=headers,
        )


def _dropped(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=500)
