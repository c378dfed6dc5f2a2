# The two README commands (make demo, make test) and their set-up.
# Set-up is idempotent: stamps make a second run quick.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
# checkov's own venv (tests/unit/infra runs it): its pins conflict with the app's, see
# requirements-checkov.txt. Inside .venv, so `make clean`, git and ruff treat it like the venv.
CHECKOV_VENV := $(VENV)/checkov

.PHONY: setup demo test up lint bench mutation pinned-bugs clean browser screenshot

setup: $(STAMP)/py $(STAMP)/npm $(STAMP)/checkov browser

$(STAMP)/py: requirements.txt requirements-dev.txt constraints.txt
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(STAMP)/checkov: requirements-checkov.txt
	@mkdir -p $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The browser tier (tests/e2e/browser) drives Debian's chromium, never a downloaded browser. Installed
# here when missing and possible (root with apt-get, as CI runs); otherwise one line says how, and
# the tier fails under CI=true (it is skipped, saying why, elsewhere).
browser:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tier (apt-get, a few minutes) ..."; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null \
	      || echo "warning: apt-get could not install chromium; the browser tier needs it."; \
	  else \
	    echo "note: the browser tier needs Debian's chromium: sudo apt-get install chromium"; \
	  fi; }

demo: setup
	$(PY) -m local demo

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

up: setup
	$(PY) -m local up

lint: setup
	$(PY) -m ruff check .

# README's picture of the runs page, made by the browser tier on a run it follows to the end.
screenshot: setup
	RUNS_PAGE_SCREENSHOT=docs/images/runs-page.png $(PY) -m pytest tests/e2e/browser -q -k follows_it_live

bench: setup
	$(PY) bench/run_all.py

# Mutation testing of issue 17's modules (docs/testing.md); MODULE=shared/validation runs one.
mutation: setup
	nice -n 15 $(PY) -m tools.mutation run $(MODULE)

# The ten bugs of issue 17, re-applied in a scratch copy: their pinning tests must fail.
pinned-bugs: setup
	nice -n 10 $(PY) -m tools.pinned_bugs

clean:
	rm -rf $(VENV) node_modules $(STAMP) .state
