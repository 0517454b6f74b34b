# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run demo test lint bench bench-shopify clean

ifdef LINK_VENV
# LINK_VENV=DIR: make $(VENV) a link to a virtualenv already installed elsewhere instead
# of building one — the README test walks through a fresh copy of the repository this
# way without reinstalling (and never rebuilds or touches DIR).
$(BIN)/hub:
	@test ! -e $(VENV) || { echo "$(VENV) exists but has no bin/hub; remove it first" >&2; exit 1; }
	ln -s $(LINK_VENV) $(VENV)
else
# (Re)install when pyproject.toml changes; the console script doubles as the stamp.
$(BIN)/hub: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@
endif

install: $(BIN)/hub

## Run the hub on its embedded default: SQLite file ./hub.db, http://127.0.0.1:$${HUB_PORT:-8000}
run: install
	$(BIN)/hub serve

## Load the sample business into its own database (./demo.db, not the ./hub.db of `make run`),
## then run it with a simulated Shopify store. Again: nothing is loaded twice, a fresh store connects.
DEMO_DATABASE_URL ?= sqlite+aiosqlite:///./demo.db
demo: install
	HUB_DATABASE_URL='$(DEMO_DATABASE_URL)' $(BIN)/hub demo

## Install everything and run the whole test suite (SQLite, PostgreSQL, Kafka; ~14 min on 2 cores).
## A part of it: make test ARGS="tests/api -k stock"
ARGS ?=
test: install
	$(BIN)/python -m pytest $(ARGS)

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
