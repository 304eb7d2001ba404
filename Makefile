# crmdesk: `make run` opens the app, `make test` runs the whole suite, `make bench` measures,
# `make package` builds the one-folder app and the Linux package into dist/ (docs/PACKAGING.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PKG_STAMP := $(VENV)/.installed-package

.PHONY: run test test-quick bench lint package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

# The whole suite includes tests/packaging, which builds the app with PyInstaller.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[dev,package]"
	touch $@ $(STAMP) $(PKG_STAMP)

$(PKG_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[package]"
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/crmdesk

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

test-quick: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not e2e and not slow and not packaging"

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench packaging resources

# dist/crmdesk/ (the one-folder app) and, on Linux, dist/crmdesk_<version>_<arch>.deb
package: $(PKG_STAMP)
	$(BIN)/python packaging/build.py all

clean:
	rm -rf $(VENV) build dist src/*.egg-info
