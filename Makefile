# Two entry points (see README "Quick start"): `make dist` builds every book, `make test` runs the tests.
# Each first installs what it needs, and no more: `dist` the system libraries of a build and publish's
# runtime packages; `test` adds the test stack (Java for EPUBCheck and the Nu checker, Chromium for axe).
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

# citeproc-js under Node: the reference tests/test_csl_reference.py compares our citations with.
tests/node/node_modules/citeproc: tests/node/package.json tests/node/package-lock.json | $(TEST_STAMP)
	cd tests/node && npm ci --no-audit --no-fund --silent
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
