# oncotrial -- `make demo` and `make test` share one virtual environment, .venv, installed from the
# committed lock file requirements/lock.txt (pip-tools; `make lock` refreshes it to the newest releases),
# so the demo and the suite do not change when PyPI moves. `pip install oncotrial` keeps the ranges of
# pyproject.toml; `make test-oldest` runs the suite on the declared lower bounds, `make test-newest` on
# whatever PyPI resolves today.
SHELL  := /bin/bash
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
OLDEST := requirements/oldest.txt

.PHONY: demo test test-oldest test-newest bench lint venv lock clean

define make_venv
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	rm -rf $(1)
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
endef

$(STAMP): pyproject.toml $(LOCK)
	$(call make_venv,$(VENV))
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/oncotrial demo

test: $(STAMP)
	$(PY) -m pytest

# Lower bounds: every dependency pinned to the `>=` bound pyproject.toml declares.
$(OLDEST): pyproject.toml tools/oldest_constraints.py
	$(PYTHON) tools/oldest_constraints.py dev

.venv-oldest/.installed: pyproject.toml $(OLDEST)
	$(call make_venv,.venv-oldest)
	.venv-oldest/bin/python -m pip install --quiet -c $(OLDEST) -e ".[dev]"
	@touch $@

# ONCOTRIAL_SUITE=oldest skips the one test that does not use this venv (tests/test_wheel.py builds
# its own from the lock file), so CI does not run it twice.
test-oldest: .venv-oldest/.installed
	ONCOTRIAL_SUITE=oldest .venv-oldest/bin/python -m pytest

# Newest: no lock, no constraints -- what a user's `pip install oncotrial` resolves today.
test-newest:
	$(call make_venv,.venv-newest)
	.venv-newest/bin/python -m pip install --quiet --upgrade -e ".[dev]"
	.venv-newest/bin/python -m pytest

# Benchmarks run in their own venv: the comparators ([bench] extra: lifelines) must not decide which
# pandas the test venv gets. Where they cannot be installed beside the locked pandas, their columns
# are skipped with the reason printed.
.venv-bench/.installed: pyproject.toml $(LOCK)
	$(call make_venv,.venv-bench)
	.venv-bench/bin/python -m pip install --quiet -c $(LOCK) -e ".[dev]"
	.venv-bench/bin/python -m pip install --quiet -c $(LOCK) -e ".[dev,bench]" \
	  || echo "make bench: the [bench] extra (lifelines) does not install beside the locked pandas; its columns are skipped"
	@touch $@

bench: .venv-bench/.installed
	@set -o pipefail; for f in benchmarks/bench_*.py; do echo "== $$f"; .venv-bench/bin/python $$f || exit 1; done \
	  | tee benchmarks/.last-run.log
	@cd benchmarks && ../.venv-bench/bin/python _summary.py .last-run.log

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests tools benchmarks

# Refresh the lock to the newest releases that satisfy pyproject.toml (pip-tools, in a throwaway venv).
lock:
	$(call make_venv,.venv-lock)
	.venv-lock/bin/python -m pip install --quiet pip-tools
	.venv-lock/bin/pip-compile --quiet --upgrade --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file $(LOCK) pyproject.toml
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .venv-oldest .venv-newest .venv-bench .venv-lock demo-output build dist *.egg-info src/*.egg-info
