# One task runner: CI calls exactly these targets (see .ci/run).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
DEMO_HOME ?= .silkroad-demo

.PHONY: install demo test lint format bench clean lock browser

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (Python 3.11+)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/silkroad demo --size small --home $(DEMO_HOME)

test: $(STAMP) browser
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Browser tests drive Debian's chromium (Playwright's own browser download is not used); the
# brief's layout tests read PDFs with poppler (pdftotext -bbox, pdftoppm).
browser:
	@{ test -x /usr/bin/chromium && command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium and poppler-utils for the browser and layout tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else \
	    echo "the tests need /usr/bin/chromium and poppler: sudo apt-get install chromium poppler-utils"; exit 2; \
	  fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/brief.py

# Refresh the constraints file from a clean resolve (run deliberately, then test).
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[test]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^silkroad' > $(CONSTRAINTS)
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
