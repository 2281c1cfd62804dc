"""Bad input is refused at construction, naming the argument and never echoing a secret."""

from __future__ import annotations

from typing import Any

import pytest

from aioportone import ConfigurationError, PortOneClient, TokenManager
from aioportone._config import path_segment
from aioportone.testing import FakePortOne

CANARY = "canary-secret-0123456789abcdef0123456789"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"client_key": ""}, "client_key"),
        ({"client_key": "   "}, "client_key"),
        ({"client_key": 12345}, "client_key"),
        ({"client_key": "key\r\nX-Injected: 1"}, "client_key"),
        ({"secret_key": ""}, "secret_key"),
        ({"secret_key": " \t"}, "secret_key"),
        ({"secret_key": b"bytes-secret"}, "secret_key"),
        ({"secret_key": CANARY + "\n"}, "secret_key"),
        ({"lifetime": 0}, "lifetime"),
        ({"lifetime": -5}, "lifetime"),
        ({"lifetime": 10**9}, "lifetime"),
        ({"lifetime": 1.9}, "lifetime"),
        ({"lifetime": float("nan")}, "lifetime"),
        ({"lifetime": True}, "lifetime"),
        ({"skew_allowance": 80}, "skew_allowance"),
        ({"base_url": "ftp://api.portone.cloud"}, "base_url"),
        ({"base_url": "api.portone.cloud"}, "base_url"),
        ({"base_url": "https://user:pw@api.portone.cloud"}, "base_url"),
        ({"wait_timeout": 0}, "wait_timeout"),
        ({"sub_merchant_key": "sub\nkey"}, "sub_merchant_key"),
        ({"token_source": "magic"}, "token_source"),
    ],
)
def test_bad_manager_arguments_are_named(kwargs: dict[str, Any], argument: str) -> None:
    """Each bad argument raises ConfigurationError naming it, without the secret's value."""
    args: dict[str, Any] = {"client_key": "KEY", "secret_key": CANARY, **kwargs}
    with pytest.raises(ConfigurationError) as info:
        TokenManager(**args)
    assert info.value.argument.startswith(argument)
    assert CANARY not in str(info.value)
    assert CANARY not in repr(info.value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"environment": "production"}, "environment"),
        ({"timeout": 0}, "timeout"),
        ({"session": object()}, "session"),
    ],
)
def test_bad_client_arguments_are_named(kwargs: dict[str, Any], argument: str) -> None:
    """The client validates its own arguments the same way."""
    with pytest.raises(ConfigurationError) as info:
        PortOneClient("KEY", CANARY, **kwargs)
    assert info.value.argument == argument


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without arguments the keys are read from PORTONE_CLIENT_KEY / PORTONE_SECRET_KEY."""
    monkeypatch.setenv("PORTONE_CLIENT_KEY", "ENVKEY")
    monkeypatch.setenv("PORTONE_SECRET_KEY", CANARY)
    tokens = TokenManager()
    assert tokens.client_key == "ENVKEY"
    assert CANARY not in repr(tokens)


def test_missing_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """No argument and no environment variable: the error names both."""
    monkeypatch.delenv("PORTONE_CLIENT_KEY", raising=False)
    monkeypatch.setenv("PORTONE_SECRET_KEY", CANARY)
    with pytest.raises(ConfigurationError, match=r"client_key: not given and \$PORTONE_CLIENT_KEY"):
        TokenManager()


def test_empty_environment_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty $PORTONE_SECRET_KEY is reported as such."""
    monkeypatch.setenv("PORTONE_SECRET_KEY", "")
    with pytest.raises(ConfigurationError, match=r"secret_key \(from \$PORTONE_SECRET_KEY\)"):
        TokenManager("KEY")


@pytest.mark.parametrize(
    ("ref", "encoded"),
    [
        ("ORDER-1", "ORDER-1"),
        ("../admin", "..%2Fadmin"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a/b?x", "a%2Fb%3Fx"),
        ("%2e%2e", "%252e%252e"),
        ("#frag", "%23frag"),
        ("주문 1", "%EC%A3%BC%EB%AC%B8%201"),
    ],
)
def test_refs_stay_inside_their_path_segment(ref: str, encoded: str) -> None:
    """A reference is percent-encoded so it can never add or leave a path segment."""
    assert path_segment("ref", ref) == encoded


@pytest.mark.parametrize("ref", ["a\r\nb", "a\nb", "a\x00", "", " "])
def test_refs_with_control_characters_are_refused(ref: str) -> None:
    """CR/LF or NUL in a reference is refused before any request exists."""
    with pytest.raises(ConfigurationError, match="ref"):
        path_segment("ref", ref)


async def test_request_refuses_unencoded_paths(client: PortOneClient) -> None:
    """request() refuses a path with CR/LF, spaces or a query instead of sending it."""
    for path in ["/api/x\r\nHost: evil", "/api/a b", "/api/x?y=1", "relative", "/api/x#f"]:
        with pytest.raises(ConfigurationError, match="path"):
            await client.request("GET", path)
    with pytest.raises(ConfigurationError, match="method"):
        await client.request("FETCH", "/api/x")
    with pytest.raises(ConfigurationError, match="method"):
        await client.request(["GET"], "/api/x")  # type: ignore[arg-type]


async def test_request_takes_a_method_in_any_case(fake: FakePortOne, client: PortOneClient) -> None:
    """'get' is sent as GET: the fast path for capitals leaves other spellings to the check."""
    fake.state.add_transaction("ORDER-1")
    answer = await client.request("get", "/api/transaction/ORDER-1/status")
    assert answer["content"]["status"]
    assert [call.method for call in fake.calls("status$")] == ["GET"]


async def test_request_outside_async_with_is_a_clear_error() -> None:
    """Calling request() or a status lookup on a client that is not open says how to open it."""
    portone = PortOneClient("KEY", CANARY)
    with pytest.raises(ConfigurationError, match="async with"):
        await portone.request("GET", "/api/x")
    with pytest.raises(ConfigurationError, match="async with"):
        await portone.transactions.status("ORDER-1")
