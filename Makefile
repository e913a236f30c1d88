# The two commands of the README, and the pieces they are made of.
# Only Python 3.11+ is needed: everything else is installed into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast test-slow lint bench install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## make demo: the main job on the embedded default (sandbox Jira + generated workbook)
demo: install
	$(BIN)/pmo-sync demo

## make test: everything CI runs (lint, the fast suite, then the slow suite)
test: lint test-fast test-slow

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test-fast: the quick suite for iteration (a couple of minutes)
test-fast: install
	$(BIN)/pytest

test-slow: install
	$(BIN)/pytest -m slow || [ $$? -eq 5 ]

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache
