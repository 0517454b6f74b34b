# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run demo test lint bench bench-shopify clean

# (Re)install when pyproject.toml changes; the console script doubles as the stamp.
$(BIN)/hub: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/hub

## Run the hub on its embedded default: SQLite file ./hub.db, http://127.0.0.1:8000
run: install
	$(BIN)/hub serve

## Load the sample business into the configured database, then run it with a simulated Shopify store
demo: install
	$(BIN)/hub demo

## Install everything and run the whole test suite (SQLite and PostgreSQL)
test: install
	$(BIN)/python -m pytest

## Style and types (not part of `make test`): ruff and mypy --strict over hub/
lint: install
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	$(BIN)/ruff check hub
	$(BIN)/ruff format --check hub
	$(BIN)/mypy hub

bench: install
	$(BIN)/python bench/order_confirmations.py

## Stock out to a simulated Shopify store at Standard-plan limits (~2–3 minutes)
bench-shopify: install
	$(BIN)/python bench/shopify_stock.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
