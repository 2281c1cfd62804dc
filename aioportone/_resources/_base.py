"""What a resource needs of the client: the request function and who is calling.

Resources are typed against :class:`Caller`, not :class:`PortOneClient`, so the client imports
its resources and no resource imports the client back. A plain object with these members is
enough to drive a resource in a unit test: record the request it builds, answer a literal.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from .._download import FormFields
    from .._signer import Signer
    from ._validate import Environment

__all__ = ["Caller"]

#: What ``parse=`` makes of an answer (without it, the decoded JSON: Any).
_T = TypeVar("_T")


class Caller(Protocol):
    """The client as its resources use it.

    ``key_segment`` is ``client_key`` encoded once for a path; ``signer`` signs with the
    secret the token layer holds (no resource ever sees the secret itself).
    """

    @property
    def client_key(self) -> str: ...
    @property
    def environment(self) -> Environment: ...
    @property
    def key_segment(self) -> str: ...
    @property
    def sub_merchant_key(self) -> str | None: ...
    @property
    def signer(self) -> Signer: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: FormFields | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        auth: bool = True,
        sub_merchant_key: str | None = None,
        expect: Literal["json", "file"] = "json",
        parse: Callable[[Any], _T] | None = None,
    ) -> Coroutine[Any, Any, _T | Any]: ...

    def _fetch(self, path: str, parse: Callable[[Any], _T]) -> Coroutine[Any, Any, _T]:
        """``request("GET", path, parse=parse)``, for a path built from ``path_segment``
        segments only (it is not checked again)."""
        ...
