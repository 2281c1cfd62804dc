# Every target creates (or reuses) a local virtualenv in .venv, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fake-server clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Runs examples/quickstart.py against an in-process fake PortOne. With PORTONE_CLIENT_KEY and
# PORTONE_SECRET_KEY set and DEMO_LIVE=1, it runs against the real API (sandbox environment).
demo: $(STAMP)
	$(BIN)/python examples/quickstart.py $(if $(filter 1,$(DEMO_LIVE)),--live,)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/failure_modes.py

fake-server: $(STAMP)
	$(BIN)/python -m aioportone fake-server

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis

# The documentation site: MkDocs with the API reference generated from the docstrings, built
# with --strict (a broken link or reference, or a docstring that does not parse, fails) into
# site/. The undocumented-parameter check is a test: tests/test_docstrings.py.
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

.PHONY: docs
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
