# Two entry points (see README "Quick start"): `make dist` builds every book, `make test` runs the tests.
# Each first installs what it needs, and no more: `dist` the system libraries of a build and publish's
# runtime packages; `test` adds the test stack (Java for EPUBCheck and the Nu checker, Chromium for axe,
# DAISY Ace and epub.js; Node and npm for citeproc-js, Ace and epub.js).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD_STAMP := $(VENV)/.installed-build
TEST_STAMP := $(VENV)/.installed-test

.PHONY: dist test check install

dist: $(BUILD_STAMP)
	$(BIN)/publish build

test: $(TEST_STAMP) tests/node/node_modules/citeproc
	$(BIN)/python -m pytest

# tests/node: citeproc-js under Node, the reference tests/test_csl_reference.py compares our citations with;
# DAISY Ace and epub.js, the reading systems of tests/test_reading_systems.py. Puppeteer (under Ace) never
# downloads a browser: the tests run the machine's Chromium (tests/node/.puppeteerrc.cjs says so too; the
# second variable is the name Puppeteer before 20 read).
tests/node/node_modules/citeproc: tests/node/package.json tests/node/package-lock.json | $(TEST_STAMP)
	cd tests/node && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
	touch $@

check: $(BUILD_STAMP)
	$(BIN)/publish check

install: $(BUILD_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BUILD_STAMP): pyproject.toml scripts/install-system-deps | $(VENV)/bin/python
	bash scripts/install-system-deps build
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml scripts/install-system-deps | $(VENV)/bin/python
	bash scripts/install-system-deps test
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@
