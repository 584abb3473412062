# Two entry points (see README "Quick start"): `make dist` builds every book, `make test` runs the tests.
# Both first install what the project needs: system libraries, then a virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dist test check install

dist: $(STAMP)
	$(BIN)/publish build

test: $(STAMP) tests/node/node_modules/citeproc
	$(BIN)/python -m pytest

# citeproc-js under Node: the reference tests/test_csl_reference.py compares our citations with.
tests/node/node_modules/citeproc: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --silent
	touch $@

check: $(STAMP)
	$(BIN)/publish check

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps
	bash scripts/install-system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@
