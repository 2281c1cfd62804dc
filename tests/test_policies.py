"""Policy objects refuse bad fields by name, and the server token source obeys the client's
timeout."""

from __future__ import annotations

import dataclasses
import math

import pytest

from aioportone import ConfigurationError, PortOneClient, RefreshPolicy, RetryPolicy, TokenManager
from aioportone._server_source import ServerTokenSource
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY

POLICIES = [RetryPolicy, RefreshPolicy]


def _fields(policy: type[RetryPolicy | RefreshPolicy]) -> list[str]:
    return [f.name for f in dataclasses.fields(policy)]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.__name__)
@pytest.mark.parametrize("bad", [-3, -1.0, math.nan, math.inf, "1", True])
def test_policy_refuses_each_bad_field_by_name(
    policy: type[RetryPolicy | RefreshPolicy], bad: object
) -> None:
    """Each numeric field set to a negative, non-finite or non-number value raises a
    ConfigurationError naming that field, at construction."""
    for name in _fields(policy):
        with pytest.raises(ConfigurationError) as caught:
            policy(**{name: bad})  # type: ignore[arg-type]
        assert caught.value.argument == name


def test_retry_policy_from_the_issue_is_refused() -> None:
    """RetryPolicy(max_retries=-3, backoff_base=-1) is refused, naming the first bad field."""
    with pytest.raises(ConfigurationError, match="max_retries"):
        RetryPolicy(max_retries=-3, backoff_base=-1)


def test_policy_defaults_are_valid() -> None:
    """Both policies build with their defaults, so the checks refuse only bad values."""
    assert RetryPolicy().max_retries >= 0
    assert RefreshPolicy().refresh_at > 0


def _server_timeout(tokens: TokenManager) -> float | None:
    source = tokens.source
    assert isinstance(source, ServerTokenSource)
    return source._timeout.total


def test_server_token_source_follows_the_clients_timeout() -> None:
    """With token_source="server", an auth-token call may take the client's timeout, not 30 s."""
    client = PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", timeout=4.5)
    assert _server_timeout(client.tokens) == 4.5


def test_token_manager_takes_a_timeout_and_checks_it() -> None:
    """A TokenManager of one's own takes the auth-token timeout too, refused by name when bad."""
    tokens = TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", timeout=90)
    assert _server_timeout(tokens) == 90
    with pytest.raises(ConfigurationError) as caught:
        TokenManager(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, token_source="server", timeout=0)
    assert caught.value.argument == "timeout"
