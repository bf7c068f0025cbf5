# Two commands: `make run` and `make test`. Everything else is a helper for those two.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
DEMO   ?= luan
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/govhall

.PHONY: run test test-sqlite test-postgres install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: install, migrate, load the demo data into an empty database, serve on http://127.0.0.1:$(PORT)
## (DEMO=guangan: Guang'an district's real published list instead of the Lu'an demo)
run: install
	PORT=$(PORT) GOVHALL_DEMO_SET=$(DEMO) $(BIN)/govhall up --port $(PORT)

## make test: the whole suite on SQLite, then on PostgreSQL when one answers (or DATABASE_URL names one)
test: install-test
	$(BIN)/govhall i18n_compile
	$(BIN)/ruff check src tests bench
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ] || $(BIN)/python -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL leg skipped"; fi

test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	@echo "== test suite on PostgreSQL"
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -q -p no:cacheprovider

lint: install-test
	$(BIN)/ruff check src tests bench

bench: install-test
	$(BIN)/python bench/catalog_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
