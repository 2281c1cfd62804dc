"""A TokenManager's arguments checked on literals, and the sources built from explicit values."""

from __future__ import annotations

import json
import traceback
from typing import Any

import pytest

from aioportone import ConfigurationError, LocalTokenSource, SystemClock, TokenManager
from aioportone._secrets import Secret
from aioportone._server_source import ServerTokenSource
from aioportone._skew import ServerClockOffset
from aioportone._token_config import (
    Credentials,
    TokenConfig,
    make_source,
    token_config,
)

KEY = "merchantKey1"
SECRET = "config-secret-0123456789abcdef"
DEFAULTS: dict[str, Any] = {
    "lifetime": 100.0,
    "skew_allowance": 5,
    "sub_merchant_key": None,
    "base_url": "https://api.portone.cloud/",
    "wait_timeout": 30.0,
    "timeout": 30.0,
}


def checked(**changes: Any) -> TokenConfig | ConfigurationError:
    """``token_config`` with the defaults above, ``changes`` applied."""
    args = {"client_key": KEY, "secret_key": SECRET, **DEFAULTS, **changes}
    return token_config(args.pop("client_key"), args.pop("secret_key"), **args)


def test_good_arguments_become_a_config() -> None:
    """Each argument is kept as checked: the base URL loses its slash, the skew becomes a float."""
    config = checked(sub_merchant_key="sub-1", secret_key=Secret(SECRET))
    assert isinstance(config, TokenConfig)
    assert config.credentials.client_key == KEY
    assert config.credentials.secret == Secret(SECRET)
    assert str(config.base_url) == "https://api.portone.cloud"
    assert config.origin == ("https", "api.portone.cloud", 443)
    assert config.skew_allowance == 5.0
    assert isinstance(config.skew_allowance, float)
    assert (config.lifetime, config.wait_timeout, config.timeout) == (100.0, 30.0, 30.0)
    assert config.sub_merchant_key == "sub-1"


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"client_key": ""}, "client_key"),
        ({"secret_key": " "}, "secret_key"),
        ({"lifetime": 9.5}, "lifetime"),
        ({"lifetime": 86401}, "lifetime"),
        ({"skew_allowance": "5"}, "skew_allowance"),
        ({"skew_allowance": 50}, "skew_allowance"),
        ({"sub_merchant_key": "a\nb"}, "sub_merchant_key"),
        ({"base_url": "https://api.portone.cloud/v2"}, "base_url"),
        ({"wait_timeout": 3601}, "wait_timeout"),
        ({"timeout": 601}, "timeout"),
    ],
)
def test_the_first_bad_argument_is_returned_without_a_traceback(
    changes: dict[str, Any], argument: str
) -> None:
    """The error is returned, not raised, and carries no traceback: no frame holding the secret
    in clear reaches whoever raises it."""
    error = checked(**changes)
    assert isinstance(error, ConfigurationError)
    assert error.argument == argument
    assert error.__traceback__ is None
    assert SECRET not in str(error)


def test_arguments_are_checked_in_the_documented_order() -> None:
    """With several bad arguments, the one named is the first of the constructor's."""
    error = checked(client_key="", lifetime=0, timeout=0)
    assert isinstance(error, ConfigurationError)
    assert error.argument == "client_key"


@pytest.mark.parametrize("wrapped", [False, True], ids=["str", "Secret"])
def test_a_bad_argument_after_the_secret_leaves_it_in_no_frame(wrapped: bool) -> None:
    """TokenManager raises the returned error only once its own copy of the secret is gone:
    no frame of the traceback shows it among its locals (the secret is passed inline, so the
    test's own frame holds no copy either)."""
    with pytest.raises(ConfigurationError) as caught:
        TokenManager(KEY, Secret(SECRET) if wrapped else SECRET, lifetime=0)
    rendered = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    text = "".join(rendered.format())
    assert "TokenManager" in text
    assert SECRET not in text


def test_credentials_build_the_auth_token_body_and_show_no_secret() -> None:
    """The body is PortOne's documented JSON; the repr names the key only."""
    credentials = Credentials(KEY, Secret(SECRET))
    assert json.loads(credentials.auth_token_body()) == {
        "portone_key": KEY,
        "portone_secret": SECRET,
    }
    assert repr(credentials) == "Credentials(client_key='merchantKey1')"
    assert SECRET not in repr(credentials.auth_token_body)


def _config() -> TokenConfig:
    """The config of the defaults above."""
    config = checked()
    assert isinstance(config, TokenConfig)
    return config


def _make(spec: object) -> object:
    """``make_source`` for ``spec`` with the default config."""
    return make_source(
        spec, _config(), clock=SystemClock(), offset=ServerClockOffset(), on_answer=lambda h: None
    )


def test_make_source_builds_each_named_source() -> None:
    """'local' mints with the config's lifetime; 'server' asks the auth-token path of the base
    URL with the config's timeout; a source of one's own is used as it is."""
    local = _make("local")
    assert isinstance(local, LocalTokenSource)
    assert repr(local) == "LocalTokenSource(lifetime=100, skew_allowance=5.0)"
    server = _make("server")
    assert isinstance(server, ServerTokenSource)
    assert (
        repr(server) == "ServerTokenSource(url='https://api.portone.cloud/api/merchant/auth-token')"
    )
    assert server._timeout.total == 30.0
    assert _make(local) is local


def test_make_source_refuses_anything_else() -> None:
    """Any other spec names token_source."""
    with pytest.raises(ConfigurationError) as caught:
        _make("magic")
    assert caught.value.argument == "token_source"
