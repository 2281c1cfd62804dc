"""What the library tells its user: log events and a per-manager hook.

Every log line of the library goes through :func:`log_event`. Event names are dotted and stable
(``aioportone.token.refreshed``); fields are flat and never hold a secret or a token — an
exception is reduced to its type and message, and our exceptions never carry credentials.

The library configures no logging and prints nothing of its own accord. An application that
configured structlog (``structlog.configure(...)``) gets the events from structlog; otherwise they
go to the standard :mod:`logging` logger ``"aioportone"``, which has a ``NullHandler`` so that
nothing is printed until the application configures logging (``logging.basicConfig(...)``).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from ._errors import ConfigurationError

__all__ = ["EventHook", "Observer", "TokenEvent", "log_event"]

LOGGER_NAME = "aioportone"
# A lazy proxy: it follows whatever configuration structlog has at the time of each call.
_structlog_logger = structlog.get_logger(LOGGER_NAME)
_stdlib_logger = logging.getLogger(LOGGER_NAME)
# Without a handler of its own, stdlib's last-resort handler would print warnings and errors
# on stderr in a program that configured no logging.
_stdlib_logger.addHandler(logging.NullHandler())

_STDLIB_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def _shown(value: Any) -> str:
    if isinstance(value, str) and value and not any(c.isspace() or c in "'\"=" for c in value):
        return value
    return repr(value)


def listening(level: str) -> bool:
    """Whether an event at ``level`` goes anywhere: structlog is configured, or a stdlib
    handler listens at that level. Callers check it before building an event's fields."""
    if structlog.is_configured():
        return True
    return _stdlib_logger.isEnabledFor(_STDLIB_LEVELS.get(level, logging.WARNING))


def log_event(level: str, event: str, **fields: Any) -> None:
    """Log one event of the library, to structlog or to the stdlib logger ``"aioportone"``.

    Never raises: a broken log pipeline must not change what the library does. When structlog
    is not configured and no stdlib handler listens at ``level``, nothing is built at all.

    With stdlib logging, the record's message is ``event key=value ...`` (strings with spaces
    quoted), and the record carries ``record.event`` (the event name) and ``record.fields``
    (a dict of the fields) for filters and structured formatters.

    Args:
        level: ``"debug"``, ``"info"``, ``"warning"``, ``"error"`` or ``"critical"``
            (anything else is logged as a warning).
        event: The event's stable dotted name, e.g. ``"aioportone.token.refreshed"``.
        **fields: Flat fields of the event; never a secret or a token.
    """
    try:
        number = _STDLIB_LEVELS.get(level, logging.WARNING)
        if not listening(level):
            return
        if structlog.is_configured():
            name = level if level in _STDLIB_LEVELS else "warning"
            getattr(_structlog_logger, name)(event, **fields)
        else:
            text = " ".join([event, *(f"{key}={_shown(value)}" for key, value in fields.items())])
            _stdlib_logger.log(number, "%s", text, extra={"event": event, "fields": fields})
    except Exception:  # noqa: S110 - nothing is left to report a failing log pipeline with
        pass


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """One thing that happened to a manager's token.

    ``name`` is one of ``refreshed``, ``refresh_scheduled``, ``refresh_failed``,
    ``refresh_gave_up`` (an error retrying cannot fix), ``token_rejected`` (PortOne answered
    4054), ``clock_skew`` (PortOne's clock differs from ours) and ``hook_failed``.

    Attributes:
        name: What happened, one of the names above.
        source: The token source's name (``"local"``, ``"server"``).
        expires_in: Seconds of life the current token has left (``None`` when there is none).
        delay: For ``refresh_scheduled`` and failures: seconds until the next attempt.
        attempt: For failures: how many in a row, counting this one.
        waiters: How many requests were waiting for a token.
        error: For failures: the error as ``"Type: message"`` (never a secret).
        offset: For ``clock_skew``: seconds PortOne's clock is ahead of ours (negative:
            behind).
    """

    name: str
    source: str
    expires_in: float | None = None
    delay: float | None = None
    attempt: int | None = None
    waiters: int = 0
    error: str | None = None
    offset: float | None = None


_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(TokenEvent) if f.name != "name")


def _event_fields(event: TokenEvent) -> dict[str, Any]:
    """The log fields of ``event``: every attribute but ``name``, those that are None left out."""
    values = ((key, getattr(event, key)) for key in _EVENT_FIELDS)
    return {key: value for key, value in values if value is not None}


EventHook = Callable[[TokenEvent], None]
"""A plain callable taking each :class:`TokenEvent` (``on_event=``); it must not block."""

_LEVELS = {
    "refreshed": "debug",
    "refresh_scheduled": "debug",
    "refresh_failed": "warning",
    "refresh_gave_up": "error",
    "token_rejected": "warning",
    "clock_skew": "warning",
    "hook_failed": "error",
}


def is_async_callable(func: object) -> bool:
    """Whether calling ``func`` gives a coroutine: ``async def``, a partial of one, or an
    object whose ``__call__`` is one."""
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004 - the method, not callable()
    )


def describe(exc: BaseException) -> str:
    """An exception as ``Type: message``: what a log field may hold."""
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ fails must not break the report
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Observer:
    """Sends each event to the log and the user's hook; a failing hook is logged, not raised."""

    def __init__(self, hook: EventHook | None = None) -> None:
        # The hook is called synchronously from the refresher: an ``async def`` would return a
        # coroutine nobody awaits. (A hook raising SystemExit or KeyboardInterrupt is not
        # contained: the program stops, and the caller of ``async with`` gets that exception.)
        if hook is not None and not callable(hook):
            raise ConfigurationError("on_event", "must be a function taking a TokenEvent")
        if is_async_callable(hook):
            raise ConfigurationError(
                "on_event",
                "must be a plain function, not 'async def': it is called without awaiting "
                "(hand the event to your own task, e.g. through a queue)",
            )
        self.hook = hook

    def emit(self, event: TokenEvent) -> None:
        level = _LEVELS.get(event.name, "info")
        # Each refresh emits events: with nobody listening, building their fields would be
        # most of the time a refresh keeps the event loop busy.
        if listening(level):
            log_event(level, f"aioportone.token.{event.name}", **_event_fields(event))
        if self.hook is None:
            return
        try:
            self.hook(event)
        except Exception as exc:  # a user's hook must never break token refresh
            report_internal_error(exc, "aioportone.token.hook_failed", source=event.source)


def report_internal_error(
    exc: BaseException, event: str = "aioportone.token.refresher_error", **fields: Any
) -> None:
    """Log an unexpected error; if even logging fails, say nothing rather than raise."""
    log_event("error", event, error=describe(exc), **fields)
