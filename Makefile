# SafeCorridor: `make run` sets up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test bench lint install demo clean help

help:
	@echo "make run    install, load the demo world, serve on http://127.0.0.1:8000"
	@echo "make test   install with test extras, run the whole test suite"
	@echo "make bench  run the benchmarks and print their figures"
	@echo "make lint   ruff and mypy"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -U pip setuptools wheel
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/safecorridor init
	$(BIN)/safecorridor demo
	$(BIN)/safecorridor serve

test: $(STAMP)
	@bash scripts/ensure-system-packages.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP) $(BENCH_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/safecorridor

clean:
	rm -rf $(VENV) var .pytest_cache
