# The two README commands (make demo, make test) and their set-up.
# Set-up is idempotent: stamps make a second run quick.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
# checkov's own venv (tests/unit/infra runs it): its pins conflict with the app's, see
# requirements-checkov.txt. Inside .venv, so `make clean`, git and ruff treat it like the venv.
CHECKOV_VENV := $(VENV)/checkov

.PHONY: setup demo test up lint bench mutation pinned-bugs clean

setup: $(STAMP)/py $(STAMP)/npm $(STAMP)/checkov

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

demo: setup
	$(PY) -m local demo

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

up: setup
	$(PY) -m local up

lint: setup
	$(PY) -m ruff check .

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
