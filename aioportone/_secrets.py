"""Keeping credentials out of reprs, tracebacks and echoed server text. Pure, no I/O.

Two tools:

* :class:`Secret` holds a credential behind a masked ``repr``. A frame that keeps a ``Secret``
  in a local shows ``Secret(<37 chars>)`` to ``traceback``'s ``capture_locals``, structlog's
  ``dict_tracebacks`` or an error tracker, where a plain ``str`` would be written out in clear.
  Code reveals the value inline (``key.reveal().encode()``), never into a local of its own.
* :func:`redact` removes known credentials from text a server sent us. An endpoint (or a proxy
  in front of it) that echoes the request would otherwise put the secret or the JWT into an
  error message. The credentials a process holds are registered in :data:`KNOWN`; the error
  constructors redact with it, so every error built from an answer is clean wherever it is
  built.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["KNOWN", "REDACTED", "KnownSecrets", "Registration", "Secret", "redact", "redact_data"]

REDACTED = "<redacted>"
# Shorter values would match ordinary words: a credential is never this short.
_MIN_LENGTH = 8


class Secret:
    """A credential whose ``repr`` and ``str`` show its length only.

    Args:
        value: the credential.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The credential itself: use it inline, do not keep it in a local variable."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret(<{len(self._value)} chars>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _parts(secret: str) -> Iterable[str]:
    yield secret
    # A JWT's signature alone is as good as the token to whoever holds the claims (they are
    # plain base64): an echo cut at a dot must not reveal it either.
    if secret.count(".") == 2:
        yield secret.rsplit(".", 1)[1]


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (and a JWT's signature) replaced.

    Args:
        text: text that came from a server.
        secrets: the credentials to remove; values under 8 characters are ignored.
    """
    for secret in secrets:
        if len(secret) < _MIN_LENGTH:
            continue
        for part in _parts(secret):
            if len(part) >= _MIN_LENGTH and part in text:
                text = text.replace(part, REDACTED)
    return text


def redact_data(value: Any, secrets: Iterable[str]) -> Any:
    """Decoded JSON with every string (keys too) redacted; containers are copied when needed.

    Raises ``RecursionError`` for JSON nested deeper than the interpreter can walk: callers
    decide what to keep then.

    Args:
        value: decoded JSON (dicts, lists, strings, numbers, booleans, None).
        secrets: the credentials to remove.
    """
    secrets = tuple(secrets)
    if not secrets:
        return value
    return _walk(value, secrets)


def _walk(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {
            (redact(k, secrets) if isinstance(k, str) else k): _walk(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_walk(v, secrets) for v in value]
    return value


class KnownSecrets:
    """The credentials this process holds, counted: each manager adds its secret and tokens.

    Counted so that two managers holding the same secret can each forget it independently.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._snapshot: tuple[str, ...] = ()
        # Discards not applied yet: see discard().
        self._released: deque[str] = deque()

    def add(self, value: str) -> None:
        """Start redacting ``value``.

        Args:
            value: a credential (short values are kept but never matched).
        """
        with self._lock:
            self._counts[value] += 1
            self._apply_released()

    def discard(self, value: str) -> None:
        """Stop redacting ``value`` once every holder has discarded it.

        A manager's ``__del__`` calls this, and the garbage collector may run that inside
        :meth:`add` or :meth:`discard` on this very thread, the lock held: waiting for the lock
        would wait forever. So the discard is queued, and applied now if the lock is free, else
        by whoever holds it or takes it next (until then the value is still redacted, which is
        the safe side).

        Args:
            value: a credential given to :meth:`add` before.
        """
        self._released.append(value)  # atomic: no lock needed
        if self._lock.acquire(blocking=False):
            try:
                self._apply_released()
            finally:
                self._lock.release()

    def _apply_released(self) -> None:
        released, counts = self._released, self._counts
        while released:
            value = released.popleft()
            if counts[value] <= 1:
                counts.pop(value, None)
            else:
                counts[value] -= 1
        self._snapshot = tuple(counts)

    def values(self) -> tuple[str, ...]:
        """The credentials to redact now."""
        return self._snapshot

    def __repr__(self) -> str:
        return f"KnownSecrets({len(self._snapshot)} values)"


KNOWN = KnownSecrets()


class Registration:
    """The credentials one holder keeps registered: one for its whole life, the latest others.

    A manager registers its secret for as long as it lives, and each token it obtains. A server
    may echo a token it issued before the current one, so the latest few stay redacted; older
    ones are dropped, or the registry would grow with every refresh.

    Args:
        first: The value registered until :meth:`release` (the secret).
        keep: How many of the latest other values stay registered.
        known: The registry; :data:`KNOWN` when None.
    """

    __slots__ = ("_keep", "_known", "_values")

    def __init__(self, first: str, *, keep: int, known: KnownSecrets | None = None) -> None:
        self._known = KNOWN if known is None else known
        self._keep = keep
        self._values = [first]
        self._known.add(first)

    def remember(self, value: str) -> None:
        """Register ``value``; unregister the oldest other value beyond the latest ``keep``.

        Args:
            value: A credential (a token's value); registering one twice does nothing.
        """
        values = self._values
        if value in values:
            return
        self._known.add(value)
        values.append(value)
        if len(values) > self._keep + 1:  # the first value always stays
            self._known.discard(values.pop(1))

    def release(self) -> None:
        """Unregister every value (the holder is gone)."""
        for value in self._values:
            self._known.discard(value)
        self._values.clear()

    def __repr__(self) -> str:
        return f"Registration({len(self._values)} values)"
