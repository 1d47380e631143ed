# One task runner: CI calls exactly these targets (see .ci/run).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
DEMO_HOME ?= .silkroad-demo

.PHONY: install demo test lint format bench clean lock

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (Python 3.11+)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/silkroad demo --size small --home $(DEMO_HOME)

test: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analytics.py

# Refresh the constraints file from a clean resolve (run deliberately, then test).
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[test]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^silkroad' > $(CONSTRAINTS)
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
