"""What a TokenManager is built from: its arguments, checked, and the merchant's credentials.

:func:`token_config` checks every argument of :class:`~aioportone.TokenManager` that has a rule,
in the order they are documented, and reads no clock and does no I/O; :func:`make_source` turns
``token_source`` into a source built from explicit values. The manager's constructor is left
with putting its parts together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import OctKey
from yarl import URL

from . import _jwt
from ._clock import Clock
from ._config import (
    ENV_CLIENT_KEY,
    ENV_SECRET_KEY,
    credential,
    positive_seconds,
    text,
    validate_base_url,
)
from ._errors import ConfigurationError
from ._secrets import Secret
from ._server_source import ServerTokenSource
from ._skew import ServerClockOffset
from ._sources import LocalTokenSource, TokenSource

__all__ = [
    "MAX_LIFETIME",
    "MIN_LIFETIME",
    "Credentials",
    "TokenConfig",
    "make_source",
    "token_config",
]

# PortOne's own tokens live 6 hours; a locally minted token far beyond that is a typo that would
# make a leaked token useful for a long time.
MAX_LIFETIME = 24 * 3600.0
# JWT times are whole seconds and a request needs a few of them to reach PortOne: a shorter
# token would be renewed continuously and still arrive expired.
MIN_LIFETIME = 10.0
MAX_WAIT_TIMEOUT = 3600.0
MAX_TIMEOUT = 600.0


class Credentials:
    """A merchant's PortOne key and secret. The secret leaves only as what it signs or sends.

    Args:
        client_key: The PortOne key, already checked.
        secret: The secret key, already checked.
    """

    __slots__ = ("_secret", "client_key", "key")

    def __init__(self, client_key: str, secret: Secret) -> None:
        self.client_key = client_key
        self.key: OctKey = _jwt.import_secret(secret.reveal())
        self._secret = secret

    @property
    def secret(self) -> Secret:
        """The secret, wrapped: its ``repr`` shows its length only."""
        return self._secret

    def auth_token_body(self) -> bytes:
        """The JSON body of an auth-token request: ``{"portone_key", "portone_secret"}``.

        Built when the request is sent and never kept, so the secret in clear is in no
        attribute, and in no local of a frame that an error's traceback passes through.
        """
        return json.dumps(
            {"portone_key": self.client_key, "portone_secret": self._secret.reveal()}
        ).encode()

    def __repr__(self) -> str:
        return f"Credentials(client_key={self.client_key!r})"


@dataclass(frozen=True, slots=True)
class TokenConfig:
    """A TokenManager's checked arguments (see its docstring for what each one means).

    Attributes:
        credentials: The PortOne key and secret.
        lifetime: Seconds a locally minted JWT lives.
        skew_allowance: Seconds a minted ``iat`` is back-dated.
        sub_merchant_key: A sub-merchant's key, or None.
        base_url: PortOne's origin, without a trailing slash.
        wait_timeout: Seconds a request waits for a token.
        timeout: Seconds one auth-token call may take.
    """

    credentials: Credentials
    lifetime: float
    skew_allowance: float
    sub_merchant_key: str | None
    base_url: URL
    wait_timeout: float
    timeout: float

    @property
    def origin(self) -> tuple[str, str | None, int | None]:
        """``(scheme, host, port)`` of :attr:`base_url`: the only origin given credentials."""
        return (self.base_url.scheme, self.base_url.host, self.base_url.port)


def token_config(
    client_key: Any,
    secret_key: Any,
    *,
    lifetime: Any,
    skew_allowance: Any,
    sub_merchant_key: Any,
    base_url: Any,
    wait_timeout: Any,
    timeout: Any,
) -> TokenConfig | ConfigurationError:
    """Check a TokenManager's arguments; the environment fills in missing credentials.

    The :class:`ConfigurationError` naming the first bad argument is *returned*, its
    traceback dropped: raised from in here, it would pass through frames that hold the secret
    in clear (this one and its helpers, and the caller's until it drops its copy). The caller
    deletes its own copy of the secret, then raises it.

    Args:
        client_key: ``client_key`` as given; ``$PORTONE_CLIENT_KEY`` when None.
        secret_key: ``secret_key`` as given (a string or a :class:`Secret`);
            ``$PORTONE_SECRET_KEY`` when None.
        lifetime: ``lifetime`` as given.
        skew_allowance: ``skew_allowance`` as given.
        sub_merchant_key: ``sub_merchant_key`` as given.
        base_url: ``base_url`` as given.
        wait_timeout: ``wait_timeout`` as given.
        timeout: ``timeout`` as given.
    """
    try:
        key = credential("client_key", client_key, ENV_CLIENT_KEY)
        secret = _secret(secret_key)
        del secret_key
        life = _lifetime(lifetime)
        return TokenConfig(
            credentials=Credentials(key, secret),
            lifetime=life,
            skew_allowance=_skew_allowance(skew_allowance, life),
            sub_merchant_key=(
                None if sub_merchant_key is None else text("sub_merchant_key", sub_merchant_key)
            ),
            base_url=validate_base_url(base_url),
            wait_timeout=positive_seconds("wait_timeout", wait_timeout, maximum=MAX_WAIT_TIMEOUT),
            timeout=positive_seconds("timeout", timeout, maximum=MAX_TIMEOUT),
        )
    except ConfigurationError as exc:
        return exc.with_traceback(None)


def _secret(value: Any) -> Secret:
    plain = value.reveal() if isinstance(value, Secret) else value
    return Secret(credential("secret_key", plain, ENV_SECRET_KEY, secret=True))


def _lifetime(value: Any) -> float:
    seconds = positive_seconds("lifetime", value, maximum=MAX_LIFETIME)
    if seconds < MIN_LIFETIME:
        raise ConfigurationError("lifetime", f"must be at least {MIN_LIFETIME:g} seconds")
    return seconds


def _skew_allowance(value: Any, lifetime: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError("skew_allowance", "must be a number of seconds")
    if not 0 <= value < lifetime / 2:
        raise ConfigurationError("skew_allowance", "must be >= 0 and under half the lifetime")
    return float(value)


def make_source(
    spec: object,
    config: TokenConfig,
    clock: Clock,
    offset: ServerClockOffset,
    on_answer: Callable[[Mapping[str, str]], None],
) -> TokenSource:
    """The source ``token_source`` names, built from explicit values.

    Args:
        spec: ``"local"``, ``"server"`` or a :class:`TokenSource` (returned as it is).
        config: The manager's checked arguments.
        clock: The manager's clock.
        offset: The offset between PortOne's clock and ours, shared with the manager.
        on_answer: What the server source calls with each auth-token answer's headers.

    Raises:
        ConfigurationError: ``spec`` is none of these.
    """
    credentials = config.credentials
    if spec == "local":
        return LocalTokenSource(
            portone_key=credentials.client_key,
            key=credentials.key,
            lifetime=config.lifetime,
            skew_allowance=config.skew_allowance,
            offset=offset,
        )
    if spec == "server":
        return ServerTokenSource(
            base_url=config.base_url,
            client_key=credentials.client_key,
            key=credentials.key,
            body=credentials.auth_token_body,
            clock=clock,
            offset=offset,
            on_answer=on_answer,
            timeout=config.timeout,
        )
    if isinstance(spec, TokenSource):
        return spec
    raise ConfigurationError("token_source", "must be 'local', 'server' or a TokenSource")
