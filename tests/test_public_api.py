"""The public surface: what users import is complete, sorted and free of private names."""

from __future__ import annotations

import importlib

import pytest

import aioportone


@pytest.mark.parametrize("module", ["aioportone", "aioportone.testing", "aioportone.webhooks"])
def test_all_names_exist_once(module: str) -> None:
    """Every name in __all__ exists, appears once and is public."""
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(mod, name), name
        assert not name.startswith("_") or name == "__version__"


def test_every_public_class_is_exported() -> None:
    """Classes users meet in signatures or results (errors, models, tokens) are all exported."""
    public = {
        name
        for name, value in vars(aioportone).items()
        if isinstance(value, type) and not name.startswith("_")
    }
    assert public <= set(aioportone.__all__)
    for error in ("PortOneError", "APIError", "AmbiguousResultError", "TokenUnavailableError"):
        assert error in aioportone.__all__


def test_importing_aioportone_installs_no_warning_filters() -> None:
    """Importing the package leaves the user's warning filters alone (no authlib.jose)."""
    import sys
    import warnings

    assert "authlib" not in sys.modules
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.reload(aioportone)
    assert caught == []
