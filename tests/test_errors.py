"""The error tree: every error class is drawn where it sits, and a copied error keeps its kind."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import aioportone
from aioportone import (
    AmbiguousResultError,
    APIError,
    ConfigurationError,
    ConnectError,
    InvalidServerTokenError,
    PoolTimeoutError,
    PortOneError,
    RateLimitError,
    ResponseTooLargeError,
    TimeoutError,
    TokenUnavailableError,
)
from aioportone._errors import __doc__ as TREE_DOC
from aioportone._errors import copy_error
from aioportone.webhooks import WebhookPayloadError

# One instance of every public error class, built with the arguments a real raise passes.
EXAMPLES: list[PortOneError] = [
    ConfigurationError("timeout", "must be > 0"),
    ConnectError("connection refused", method="GET", url="https://x.example/a", request_sent=False),
    TimeoutError("no answer in 30 s", method="POST", url="https://x.example/b"),
    ResponseTooLargeError("answer over 10 MB", method="GET", url="https://x.example/c"),
    PoolTimeoutError("no slot in 10 s", method="GET", url="https://x.example/d"),
    AmbiguousResultError("refund sent, answer lost.", how_to_check="GET /api/refund/R1"),
    InvalidServerTokenError("PortOne's auth-token answer has no content.token"),
    TokenUnavailableError("no usable PortOne token within 30 s"),
    WebhookPayloadError("the body is not a JSON object"),
    RateLimitError(status=429, code="4290", reason="TOO_MANY", message="slow down", retry_after=2),
    APIError(status=400, code="4001", reason="INVALID", body={"message": "m"}, method="POST"),
]


def _package_errors() -> set[type[PortOneError]]:
    """Every PortOneError subclass defined by a module of the package."""
    for info in pkgutil.walk_packages(aioportone.__path__, "aioportone."):
        if info.name != "aioportone.__main__":
            importlib.import_module(info.name)
    found: set[type[PortOneError]] = set()
    todo: list[type[PortOneError]] = [PortOneError]
    while todo:
        cls = todo.pop()
        if cls.__module__.split(".")[0] == "aioportone" and not cls.__name__.startswith("_"):
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def _drawn_tree() -> dict[str, str | None]:
    """The tree in ``_errors``'s docstring: each class name and the name it hangs under."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in (TREE_DOC or "").splitlines():
        match = re.match(r"^\s{4}((?:[│ ]   )*)(?:[├└]── )?([A-Za-z]+Error)\b", line)
        if match is None:
            continue
        depth = len(match.group(1)) // 4 + (1 if "── " in line else 0)
        del stack[depth:]
        parents[match.group(2)] = stack[-1] if stack else None
        stack.append(match.group(2))
    return parents


def test_every_error_class_is_drawn_under_its_parent() -> None:
    """The drawn tree names every error class of the package, each under its real base."""
    drawn = _drawn_tree()
    classes = {cls.__name__: cls for cls in _package_errors()}
    assert set(drawn) == set(classes)
    for name, parent in drawn.items():
        bases = [b.__name__ for b in classes[name].__bases__ if issubclass(b, PortOneError)]
        assert bases == ([parent] if parent else []), name


def test_examples_cover_every_leaf_kind() -> None:
    """The copy test below meets each family of constructor the package has."""
    kinds = {type(e).__init__ for e in EXAMPLES}
    assert {cls.__init__ for cls in _package_errors()} <= kinds | {Exception.__init__}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_copy_error_keeps_class_message_and_attributes(error: PortOneError) -> None:
    """A copied error (one per waiting task) is of the same class, says the same, carries the
    same attributes and is caused by the original."""
    copy = copy_error(error)
    assert copy is not error
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
    assert copy.__cause__ is error


def test_copied_invalid_server_token_error_is_still_that_error() -> None:
    """A manager's fatal InvalidServerTokenError reaches each caller as itself, not a TokenError."""
    copy = copy_error(InvalidServerTokenError("PortOne's token failed verification"))
    with pytest.raises(InvalidServerTokenError, match="failed verification"):
        raise copy
