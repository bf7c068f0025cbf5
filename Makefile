# Two commands: `make run` and `make test`. Everything else is a helper for those two.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
DEMO   ?= luan
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/govhall

.PHONY: run test test-sqlite test-postgres install install-test system-run system-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }  # no half-made .venv left behind
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian packages: installed with apt-get when run as root, else one message naming them and the command.
system-run:
	@PYTHON=$(PYTHON) VENV=$(VENV) sh scripts/system-packages run
system-test:
	@PYTHON=$(PYTHON) VENV=$(VENV) sh scripts/system-packages test

## make run: Debian packages (python3-venv, fonts-wqy-microhei), install, migrate, load the demo data into
## an empty database, serve on http://127.0.0.1:$(PORT); the worker and the scheduler are restarted if they die
## (DEMO=guangan: Guang'an district's real published list instead of the Lu'an demo)
run: system-run install
	PORT=$(PORT) GOVHALL_DEMO_SET=$(DEMO) $(BIN)/govhall up --port $(PORT)

## make test: Debian packages (those of run, poppler-utils, chromium), ruff, the import contracts
## (lint-imports, pyproject.toml [tool.importlinter]), then the whole suite on SQLite, then on PostgreSQL
## when one answers (or DATABASE_URL names one)
test: system-test install-test
	$(BIN)/govhall i18n_compile
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache
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
	$(BIN)/lint-imports --no-cache

bench: install-test
	$(BIN)/python bench/catalog_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
