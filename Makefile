# Every target creates (or reuses) a local virtualenv in .venv, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# Two install stamps on one venv: the demo needs only the runtime dependencies; tests, lint and
# benchmarks add the dev tools (`make test` after `make demo` upgrades the same venv).
RUNTIME := $(VENV)/.installed-runtime
STAMP   := $(VENV)/.installed

.PHONY: demo test lint bench chaos fake-server wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $(RUNTIME)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $(STAMP) $(RUNTIME)

# Runs examples/quickstart.py against an in-process fake PortOne. With PORTONE_CLIENT_KEY and
# PORTONE_SECRET_KEY set and DEMO_LIVE=1, it runs against the real API (sandbox environment).
demo: $(RUNTIME)
	$(BIN)/python examples/quickstart.py $(if $(filter 1,$(DEMO_LIVE)),--live,)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pip-audit --skip-editable --local --progress-spinner off

bench: $(STAMP)
	$(PIP) install -e '.[dev,bench]'
	$(BIN)/python benchmarks/suite.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/failure_modes.py

# 10,000 operations through one client against the fake PortOne under seeded faults; the last
# line counts them, and the exit code says whether every invariant held. CHAOS_ARGS="--seed 7".
chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --ops 10000 $(CHAOS_ARGS)

fake-server: $(RUNTIME)
	$(BIN)/python -m aioportone fake-server

# Builds the wheel, installs it without extras into a throwaway venv, and runs it from outside
# the source tree (.ci/wheel-check).
wheel-check:
	PYTHON=$(PYTHON) .ci/wheel-check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis dist build site

# The documentation site: MkDocs with the API reference generated from the docstrings, built
# with --strict (a broken link or reference, or a docstring that does not parse, fails) into
# site/. The undocumented-parameter check is a test: tests/test_docstrings.py.
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[docs]'
	touch $(DOCS_STAMP)

.PHONY: docs
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
