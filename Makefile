# Two commands do everything on a fresh machine: `make run` and `make test`.
# Both set up the virtual environment (.venv) from the lock file first.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system-setup run test test-setup lint format dev bench accuracy clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

# The project's own bytecode too (pyproject's compile-bytecode covers installed packages): the
# parse workers and dbt's subprocesses start fresh interpreters. Up-to-date files are skipped.
setup: $(VENV)/.synced system-setup
	@$(BIN)/python -m compileall -q -j 0 cnfiscal pipelines

# Debian packages (OCR engine, Celery broker): scripts/system_packages.txt.
system-setup:
	@bash scripts/system_setup.sh

## run: the whole pipeline on the bundled sample corpus → warehouse/cnfiscal.duckdb + exports
run: setup
	$(BIN)/cnfiscal run

## test: the test suite (unit, integration and end-to-end)
test: setup test-setup
	$(BIN)/pytest

# System packages the tests need beyond the venv (e.g. a browser), installed by script.
test-setup:
	@if [ -f scripts/test_setup.sh ]; then bash scripts/test_setup.sh; fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## dev: the Dagster UI (asset graph, checks, schedule) on http://127.0.0.1:3000
dev: setup
	mkdir -p .dagster_home
	cp -n dagster.yaml .dagster_home/dagster.yaml || true
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p 3000

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

## accuracy: seed F1, real partial F1 and the wild corpus's coverage and identities, in one run
accuracy: setup
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf warehouse/build warehouse/cache warehouse/exports warehouse/cnfiscal.duckdb dbt_project/target
