"""What the request path sees of a :class:`TokenManager`.

The manager builds the middleware and hands itself to the transport; both are typed against
this view rather than the manager, so neither imports it back. It lists exactly the members
they read: a token to send now or a wait for one, the headers for it, and the calls reporting
what an answer said. (The token sources see no manager at all: they are built from explicit
values.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from yarl import URL

    from ._observe import Observer
    from ._sources import TokenSource
    from ._token import Token

__all__ = ["TokenHolder"]


class TokenHolder(Protocol):
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
    def observe_answer(self, headers: Mapping[str, str]) -> None: ...
