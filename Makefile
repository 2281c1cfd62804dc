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
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/suite.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/failure_modes.py

fake-server: $(STAMP)
	$(BIN)/python -m aioportone fake-server

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
