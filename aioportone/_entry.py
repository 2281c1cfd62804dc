"""``async with`` for the client and the token manager: one entry at a time, refused clearly.

Each holds a task group, a session and a token for exactly one ``async with``. A second entry
while the first is open, from another task or the same one, would share (and then close) what
the first still uses, so it is refused with a :class:`ConfigurationError` before anything starts.
Entering again after the first ``async with`` has ended is fine.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Self

from ._errors import ConfigurationError

__all__ = ["SingleEntry", "stop_signal"]


class SingleEntry:
    """Implements ``__aenter__``/``__aexit__`` around ``__asynccontextmanager__``."""

    _entry: AbstractAsyncContextManager[Any] | None = None

    def __asynccontextmanager__(self) -> AbstractAsyncContextManager[Self]:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        name = type(self).__name__
        if self._entry is not None:
            raise ConfigurationError(
                name,
                "is already entered by another 'async with': enter it once and share it, "
                f"or create a second {name}",
            )
        entry = self.__asynccontextmanager__()
        self._entry = entry  # before the first await: a concurrent entry is refused too
        try:
            value: Self = await entry.__aenter__()
        except BaseException:
            self._entry = None
            raise
        return value

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        entry, self._entry = self._entry, None
        if entry is None:
            raise ConfigurationError(type(self).__name__, "was not entered with 'async with'")
        return await entry.__aexit__(exc_type, exc, tb)


def stop_signal(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The first ``SystemExit`` or ``KeyboardInterrupt`` in ``group``, nested groups searched.

    A task group wraps what its tasks raise in a group; one of these two asks the program to
    stop, and must reach whoever entered the ``async with`` as itself, not in a group.

    Args:
        group: What a task group raised.
    """
    stop, _ = group.split((SystemExit, KeyboardInterrupt))
    leaf: BaseException | None = stop
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf
