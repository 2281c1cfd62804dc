"""The vendored PortOne specs (tests/portone_spec/) are usable data and match their generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_core import OpenAPI

from tests.portone_spec import regenerate

VENDORED = Path(regenerate.__file__).parent


@pytest.mark.parametrize("name", regenerate.NAMES)
def test_vendored_spec_is_a_valid_openapi_document(name: str) -> None:
    """openapi-core accepts each vendored spec, its own spec validation included."""
    spec = OpenAPI.from_path(VENDORED / f"{name}.yaml")
    assert (spec.spec / "paths").keys()


def test_regenerating_the_vendored_specs_changes_no_byte(tmp_path: Path) -> None:
    """The vendored files are the script's output: no prose is left, and the output is stable."""
    written = regenerate.regenerate(VENDORED, tmp_path)
    assert [p.name for p in written] == [f"{name}.yaml" for name in regenerate.NAMES]
    for path in written:
        assert path.read_bytes() == (VENDORED / path.name).read_bytes(), path.name


def test_prose_is_dropped_but_names_and_examples_stay() -> None:
    """Stripping removes descriptions and summaries, never a property or an example's text."""
    spec = {
        "openapi": "3.0.0",
        "info": {"title": "T", "description": "about", "version": "1"},
        "paths": {
            "/x": {
                "post": {
                    "summary": "do x",
                    "description": "long text",
                    "parameters": [{"name": "k", "in": "query", "description": "the key"}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "title": "Body",
                                    "properties": {
                                        "description": {"type": "string", "description": "d"}
                                    },
                                    "example": {"description": "kept"},
                                },
                                "examples": {"one": {"summary": "s", "value": {"summary": 1}}},
                            }
                        }
                    },
                    "responses": {"200": {"description": "OK", "content": {}}},
                }
            }
        },
    }
    assert regenerate.strip(spec) == {
        "openapi": "3.0.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "post": {
                    "parameters": [{"name": "k", "in": "query"}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "properties": {"description": {"type": "string"}},
                                    "example": {"description": "kept"},
                                },
                                "examples": {"one": {"value": {"summary": 1}}},
                            }
                        }
                    },
                    "responses": {"200": {"description": "", "content": {}}},
                }
            }
        },
    }
