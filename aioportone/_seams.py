"""What the request path and the server token source see of a :class:`TokenManager`.

The manager builds the middleware and the server source and hands itself to the transport;
they are typed against these views rather than the manager, so none of them imports it back.
Each view lists exactly the members its users read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from joserfc.jwk import OctKey
    from yarl import URL

    from ._clock import Clock
    from ._observe import Observer
    from ._secrets import Secret
    from ._skew import ServerClockOffset
    from ._sources import TokenSource
    from ._token import Token

__all__ = ["ServerCredentials", "TokenHolder"]


class _Answers(Protocol):
    def observe_answer(self, headers: Mapping[str, str]) -> None: ...


class TokenHolder(_Answers, Protocol):
    """The manager as the transport and the middleware use it: a token, its headers, a verdict."""

    @property
    def base_url(self) -> URL: ...
    @property
    def client_key(self) -> str: ...
    @property
    def origin(self) -> tuple[str, str | None, int | None]: ...
    @property
    def retry_on_token_rejection(self) -> bool: ...
    @property
    def source(self) -> TokenSource: ...
    @property
    def _observer(self) -> Observer: ...

    def usable(self) -> Token | None: ...
    async def get(self) -> Token: ...
    def auth_headers(self, token: Token) -> Mapping[str, str]: ...
    def rejected(self, token: Token) -> None: ...


class ServerCredentials(_Answers, Protocol):
    """The manager as :class:`ServerTokenSource` uses it: where to ask, as whom, on which clock."""

    @property
    def base_url(self) -> URL: ...
    @property
    def client_key(self) -> str: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def offset(self) -> ServerClockOffset: ...
    @property
    def _key(self) -> OctKey: ...
    @property
    def _secret(self) -> Secret: ...
