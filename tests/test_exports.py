"""Each public module exports exactly its public names, in sorted order."""

from __future__ import annotations

import importlib
import types

import pytest

import aioportone

PUBLIC_MODULES = ["aioportone", "aioportone.testing", "aioportone.webhooks"]
# Dunder names that are part of the public API.
PUBLIC_DUNDERS = {"__version__"}


def _from_the_package(value: object) -> bool:
    module = getattr(value, "__module__", None)
    return isinstance(module, str) and module.split(".")[0] == "aioportone"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    """``__all__`` is sorted, has no duplicate, and every name in it exists in the module."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(set(exported))
    missing = [member for member in exported if not hasattr(module, member)]
    assert missing == []


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_name_is_exported(name: str) -> None:
    """A public name a user sees in the module (tab completion, ``dir``) is in ``__all__``,
    unless it is a submodule, something from outside the package, or the top-level name of
    an object ``aioportone`` itself exports; private helpers go under a leading underscore."""
    module = importlib.import_module(name)
    exported = set(module.__all__)
    top_level = {id(getattr(aioportone, member)) for member in aioportone.__all__}
    stray = sorted(
        member
        for member, value in vars(module).items()
        if (not member.startswith("_") or member in PUBLIC_DUNDERS)
        and member not in exported
        and not isinstance(value, types.ModuleType)
        and (_from_the_package(value) or not hasattr(value, "__module__"))
        and not (name != "aioportone" and id(value) in top_level)
    )
    assert stray == []
