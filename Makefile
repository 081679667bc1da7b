# Nalish: `make run` serves the embedded default; `make test` runs every test.
# Both install what they need into .venv first (only Python 3.11+ and make required).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint format bench faults messages constraints clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Nalish needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install Nalish with its dev tools

run: install  ## migrate, seed and serve on http://127.0.0.1:8000 (SQLite, no Redis)
	$(BIN)/nalish db upgrade
	$(BIN)/nalish seed
	$(BIN)/nalish serve --host $(HOST) --port $(PORT)

test: install  ## run every test (Postgres/Redis tests skip, saying so, when unreachable)
	$(BIN)/pytest

lint: install  ## ruff, the import-layer contract and no import cycles (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install  ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install  ## carry new English phrases to every language's catalogue, write pseudo-locales, compile
	$(BIN)/python tools/messages.py

bench: install  ## benchmarks: ratios against a baseline measured in the same run
	$(BIN)/python bench/ussd_hop.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/free_text_match.py
	$(BIN)/python bench/sla_sweep.py

faults: install  ## fault suite: its own PostgreSQL + Redis, kills and floods them, prints a table
	$(BIN)/python -m faults

constraints: install  ## after changing pyproject.toml's dependencies: pin what is installed now
	@echo '# The versions CI tested: `pip install -c constraints.txt .` (make install, the image).' > constraints.txt
	@echo '# Regenerate after changing pyproject.toml: make constraints' >> constraints.txt
	$(BIN)/python -m pip freeze --exclude-editable | grep -iv '^nalish[= ]' >> constraints.txt

clean:  ## remove the virtualenv and local databases
	rm -rf $(VENV) nalish.db nalish.db-wal nalish.db-shm .pytest_cache .ruff_cache
