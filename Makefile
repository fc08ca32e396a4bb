# trafficking-stats: the front door. `make help` lists the targets.
#
# `make run` and `make test` set everything up themselves: they create .venv with Python 3.11 when it is
# missing and (re)install the package with its pinned dependencies whenever pyproject.toml or
# constraints.txt changes. A second run reuses the venv and takes seconds.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup browser run build test lint lab clean contact-sheets screenshots

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

# The browser tests (tests/test_site_browser.py) drive Debian's chromium and run the axe-core engine (npm)
# inside the pages; both are installed when missing (chromium with apt-get as root; otherwise the tests
# skip and say why). axe-core goes into .cache/node_modules (ignored by git).
AXE := .cache/node_modules/axe-core/axe.min.js

$(AXE):
	@if command -v npm >/dev/null 2>&1; then npm install --prefix .cache --no-audit --no-fund --no-save --silent axe-core@4; \
	else echo "note: npm not found: the accessibility checks of tests/test_site_browser.py will be skipped"; fi

browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "note: could not install chromium: the browser tests will be skipped"; \
	  else echo "note: /usr/bin/chromium missing (install it with: sudo apt-get install -y chromium); the browser tests will be skipped"; fi; fi

setup: $(STAMP) browser $(AXE) ## create .venv and install the package with its dev tools, chromium and axe-core (idempotent)

NBVAL := -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

run: setup ## set up, build data/processed/ from the committed raw files, export the standard charts, render the notebooks to reports/, write the web site into site/
	$(BIN)/trafficking-stats build --strict-raw
	$(BIN)/trafficking-stats charts --out exports
	$(BIN)/jupyter nbconvert --log-level=WARN --to html --template-file notebooks/report.html.j2 --output-dir reports notebooks/[0-9][0-9]-*.ipynb
	$(BIN)/trafficking-stats site --out site --charts-from exports

build: run ## alias of run

test: setup ## set up, run the unit tests, rebuild data/processed/ (a no-op on committed data), validate the notebooks
	$(BIN)/python -m pytest
	$(BIN)/trafficking-stats build --strict-raw
	$(BIN)/python -m pytest $(NBVAL) notebooks

lint: setup ## ruff over the package, tests and benchmarks
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

contact-sheets: setup ## export the standard charts as PNG and tile them at viewing size into docs/contact-sheets/
	rm -rf .cache/contact-exports
	$(BIN)/trafficking-stats charts --format png --out .cache/contact-exports
	$(BIN)/python tools/contact_sheets.py .cache/contact-exports docs/contact-sheets

screenshots: setup ## screenshots of the site (index, a chart page, a place page; phone and desktop) into docs/screenshots/
	TRAFFICKING_STATS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_site_browser.py -k screenshots

lab: setup ## start JupyterLab on notebooks/
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## remove the venv, caches and rendered outputs (never data/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis exports reports site
