# paperfeed: `make run` serves the bundled sample on http://127.0.0.1:8000, `make test` runs the suite.
# PYTEST_ARGS="tests/api -x" passes arguments to pytest (`make test`, `make test-postgres`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PAPERFEED_HOME ?= $(CURDIR)/var
export HF_HUB_OFFLINE := 1

.PHONY: install run test test-postgres lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "==> creating the virtual environment in $(VENV) (with $(PYTHON))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> installing paperfeed and its pinned dependencies"
	@$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	@$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

run: install
	@echo "==> applying database migrations in $(PAPERFEED_HOME)"
	@$(BIN)/paperfeed migrate --no-input -v 0
	@echo "==> loading the bundled sample (skipped when the catalog already holds papers)"
	@$(BIN)/paperfeed load_sample
	@echo "==> serving on http://127.0.0.1:8000 with a worker beside it (Ctrl-C stops both)"
	@$(BIN)/paperfeed worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/paperfeed serve --host 127.0.0.1 --port 8000

test: install
	@echo "==> running the test suite on $${DATABASE_URL:-SQLite}"
	@$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The suite on a PostgreSQL cluster made for the run and removed after it (scripts/pg-throwaway).
test-postgres: install
	@echo "==> running the test suite on a throwaway PostgreSQL cluster"
	@bash scripts/pg-throwaway $(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	@echo "==> import-linter (the layers), ruff, ruff format --check, mypy"
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

format: install
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

bench: install
	@echo "==> ingest benchmark (SQLite, and PostgreSQL when BENCH_DATABASE_URL is set)"
	@$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
