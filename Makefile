# The README's two commands are `make run` and `make test`; everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench clean

# A venv is refreshed when pyproject.toml changes, so `git pull && make run` just works.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "quizloop needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

.stamp-dev: pyproject.toml package.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-audit --no-fund; \
	  else echo "npm not found: the GIFT parser test will skip"; fi
	@touch .stamp-run $@

run: .stamp-run
	$(BIN)/quizloop serve

test: .stamp-dev
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

lint: .stamp-dev
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check --lint-only

format: .stamp-dev
	$(BIN)/ruff format api questions graders tests bench alembic
	$(BIN)/ruff check --fix api questions graders tests bench alembic

bench: .stamp-dev
	for b in bench/*.py; do PYTHONSAFEPATH=1 $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .stamp-run .stamp-dev node_modules .pytest_cache .mypy_cache .ruff_cache .coverage
