"""Mistakes at the boundary get one clear line naming what is wrong, before anything is sent."""

from __future__ import annotations

import asyncio
import copy
import functools
import pickle
import traceback
from typing import Any

import pytest

import aioportone
from aioportone import (
    AmbiguousResultError,
    APIError,
    ConfigurationError,
    ConnectError,
    PortOneClient,
    PortOneError,
    TokenEvent,
    TokenManager,
    TokenUnavailableError,
    webhooks,
)
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock

ERRORS = [
    ConfigurationError("amount", "must be more than 0"),
    APIError(status=400, code="4001", reason="BAD", message="no", method="GET", url="/x"),
    ConnectError("could not connect", method="GET", url="/x", request_sent=False),
    aioportone.TimeoutError("no answer", method="GET", url="/x"),
    AmbiguousResultError("lost.", how_to_check="look it up"),
    TokenUnavailableError("closed"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_are_named_from_the_package(error: PortOneError) -> None:
    """A traceback shows aioportone.ConfigurationError, the name a user imports."""
    line = traceback.format_exception_only(error)[-1]
    assert line.startswith(f"aioportone.{type(error).__name__}: ")
    assert getattr(aioportone, type(error).__name__) is type(error)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_survive_pickle_and_copy(error: PortOneError) -> None:
    """An error sent to another process, or copied, is the same error with the same fields."""
    unpickled = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    for again in (unpickled, copy.copy(error), copy.deepcopy(error)):
        assert type(again) is type(error)
        assert str(again) == str(error)
        assert vars(again) == vars(error)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.portone.cloud/api",
        "https://api.portone.cloud/v1/",
        "https://api.portone.cloud/?x=1",
        "https://api.portone.cloud/#top",
        "https://api.portone.cloud?",
        "https://user@api.portone.cloud",
        "ftp://api.portone.cloud",
        "file:///etc/passwd",
        "https://api.portone.cloud:99999",
        "https://",
    ],
)
def test_base_url_must_be_an_origin(base_url: str) -> None:
    """A base URL with a path, query, fragment, user-info or another scheme is refused."""
    with pytest.raises(ConfigurationError) as info:
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=base_url)
    assert info.value.argument == "base_url"


@pytest.mark.parametrize("base_url", ["https://api.portone.cloud/", "http://127.0.0.1:8080"])
def test_an_origin_with_or_without_slash_is_fine(base_url: str) -> None:
    """An origin, with or without its trailing '/', is accepted."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=base_url)
    assert str(tokens.base_url) == base_url.rstrip("/")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"lifetime": 50}, ["lifetime"]),
        ({"lifetime": 50, "token_source": "server"}, ["token_source", "lifetime"]),
        ({"secret_key": "another-secret"}, ["secret_key"]),
        ({"client_key": "another-key"}, ["client_key"]),
        ({"base_url": "https://other.example"}, ["base_url"]),
        ({"wait_timeout": 5, "on_event": print}, ["wait_timeout", "on_event"]),
    ],
)
def test_token_options_with_tokens_are_refused(options: dict[str, Any], named: list[str]) -> None:
    """PortOneClient(tokens=m, lifetime=50, ...) names the options it would otherwise ignore."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY)
    with pytest.raises(ConfigurationError) as info:
        PortOneClient(tokens=tokens, **options)
    assert info.value.argument == "tokens"
    for name in named:
        assert name in info.value.problem
    assert "another-secret" not in str(info.value)


def test_tokens_with_matching_or_default_options_is_fine() -> None:
    """Options equal to their defaults or to the manager's own values are no conflict."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY)
    client = PortOneClient(
        DEMO_CLIENT_KEY, tokens=tokens, base_url="https://api.portone.cloud/", lifetime=100
    )
    assert client.tokens is tokens


class _AsyncCallable:
    async def __call__(self, event: object) -> None:
        del event


def _sync_callback(event: object) -> None:
    del event


async def _async_callback(event: object) -> None:
    del event


@pytest.mark.parametrize("callback", [_sync_callback, print, lambda event: None, "not callable"])
def test_webhook_callback_that_cannot_be_awaited_is_refused(callback: Any) -> None:
    """A sync webhook callback is refused when the route is built, not answered with 500s."""
    with pytest.raises(ConfigurationError) as info:
        webhooks.webhook_handler(DEMO_SECRET_KEY, callback)
    assert info.value.argument == "on_event"


@pytest.mark.parametrize(
    "callback", [_async_callback, functools.partial(_async_callback), _AsyncCallable()]
)
def test_async_webhook_callbacks_are_accepted(callback: Any) -> None:
    """async def functions, partials of them and objects with an async __call__ are accepted."""
    assert callable(webhooks.webhook_handler(DEMO_SECRET_KEY, callback))


@pytest.mark.parametrize("hook", [_async_callback, _AsyncCallable(), 42])
def test_event_hook_that_would_never_run_is_refused(hook: Any) -> None:
    """An async def (or non-callable) on_event hook is refused: it would never be awaited."""
    with pytest.raises(ConfigurationError) as info:
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, on_event=hook)
    assert info.value.argument == "on_event"


@pytest.mark.parametrize("stop", [SystemExit(3), KeyboardInterrupt()])
def test_hook_raising_systemexit_stops_the_program_unwrapped(
    stop: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook raising SystemExit/KeyboardInterrupt reaches the caller as itself, not a group."""
    seen: list[BaseException] = []

    def hook(event: TokenEvent) -> None:
        if event.name == "refresh_scheduled":  # from the background task
            raise stop

    async def program() -> None:
        clock = FakeClock()
        try:
            async with TokenManager(
                DEMO_CLIENT_KEY, DEMO_SECRET_KEY, on_event=hook, clock=clock
            ) as tokens:
                await clock.advance(tokens.current().lifetime)
        except BaseException as exc:
            seen.append(exc)
            raise

    with pytest.raises(type(stop)) as info:
        asyncio.run(program())
    assert info.value is stop
    assert seen == [stop]  # the program's own 'async with' saw it too, not an ExceptionGroup
    assert not [r for r in caplog.records if r.name == "asyncio"]  # nothing "never retrieved"
