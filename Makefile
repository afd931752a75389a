# SafeCorridor: `make run` sets up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

# corpus evaluation (make eval): texts beside the repository, annotations in it
SHARED ?= ../shared
SPLIT  ?= dev
CORPUS := tests/extraction/corpus
# test processes (pytest-xdist): one per core, at most four; each has its own PostgreSQL schema
TEST_PROCESSES ?= auto

.PHONY: run test bench eval calibrate gate learned lint install demo clean help screenshots translations

help:
	@echo "make run    install, load the demo world, serve on http://127.0.0.1:8000"
	@echo "make test   install with test extras, run the whole test suite"
	@echo "make bench  run the benchmarks and print their figures (SC_BENCH_PG=1: load and alert benches on PostgreSQL)"
	@echo "make eval   score the extractor on the corpus dev split (SPLIT=test: the frozen test split)"
	@echo "make calibrate  refit the extractor's confidence map on the dev split and SATP, and its transfer to unseen articles"
	@echo "make gate       the real texts whose extracted events a change alters (BASE=HEAD), and both revisions' scores"
	@echo "make learned    cross-validate learned kind and candidate models against the rules"
	@echo "make lint   ruff and mypy"
	@echo "make screenshots  the browser tests, saving docs/screenshots/*.png"
	@echo "make translations  extract the strings, update the catalogues (en, zh_Hans), compile them"

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
	@bash scripts/ensure-system-packages.sh run
	$(BIN)/safecorridor init
	$(BIN)/safecorridor demo
	$(BIN)/safecorridor serve

test: $(STAMP)
	@bash scripts/ensure-system-packages.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_PROCESSES) --maxprocesses=4 --durations=15

bench: $(STAMP) $(BENCH_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

eval: $(STAMP)
	@case "$(SPLIT)" in dev|test) ;; *) echo "make eval: SPLIT must be dev or test, not '$(SPLIT)'"; exit 2;; esac; \
	if [ ! -d "$(SHARED)/data/news-dev" ]; then \
	  echo "make eval: $(SHARED)/data is absent, so there is nothing to evaluate: the corpus texts"; \
	  echo "  (news-dev, satp-dev) live beside the repository. Set SHARED=/path/to/shared to use them."; \
	  exit 0; fi; \
	if [ "$(SPLIT)" = test ]; then echo "== the FROZEN test split: report this figure; never tune on it"; fi; \
	if [ -f $(CORPUS)/news-dev.jsonl ]; then \
	  echo "== news-dev, $(SPLIT) split ($(CORPUS)/split.json)"; \
	  $(BIN)/safecorridor eval extraction $(CORPUS)/news-dev.jsonl --texts $(SHARED)/data/news-dev \
	    --split $(CORPUS)/split.json --part $(SPLIT) || exit 1; \
	else echo "make eval: no $(CORPUS)/news-dev.jsonl yet (the news-dev annotations have not landed)"; fi; \
	if [ "$(SPLIT)" = dev ]; then \
	  if [ -f $(CORPUS)/satp.jsonl ]; then \
	    echo "== SATP (a development set: no frozen part)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp.jsonl --texts $(SHARED)/data/satp-dev || exit 1; \
	  else echo "make eval: no $(CORPUS)/satp.jsonl yet (the SATP annotations have not landed)"; fi; \
	  if [ -f $(CORPUS)/satp-2.jsonl ]; then \
	    echo "== SATP, second sample (a development set since its first score)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp-2.jsonl --texts $(SHARED)/data/satp-dev || exit 1; fi; \
	  if [ -f $(CORPUS)/satp-3.jsonl ]; then \
	    echo "== SATP, third sample (a development set since its first score)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp-3.jsonl --texts $(SHARED)/data/satp-dev || exit 1; fi; \
	  echo "== UCDP GED's real headlines, each read alone (scripts/ucdp-headlines.py)"; \
	  $(BIN)/python scripts/ucdp-headlines.py $(SHARED) || exit 1; \
	else \
	  if [ -f $(CORPUS)/satp-holdout.jsonl ]; then \
	    echo "== SATP hold-out (paragraphs none of whose errors was read: never tune on it)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp-holdout.jsonl --texts $(SHARED)/data/satp-dev --worst 0 || exit 1; \
	  else echo "make eval: no $(CORPUS)/satp-holdout.jsonl (the SATP hold-out)"; fi; \
	  if [ -f $(CORPUS)/satp-holdout-2.jsonl ]; then \
	    echo "== SATP second hold-out (paragraphs none of whose errors was read: never tune on it)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp-holdout-2.jsonl --texts $(SHARED)/data/satp-dev --worst 0 || exit 1; fi; \
	  if [ -f $(CORPUS)/satp-holdout-3.jsonl ]; then \
	    echo "== SATP third hold-out (paragraphs none of whose errors was read: never tune on it)"; \
	    $(BIN)/safecorridor eval extraction $(CORPUS)/satp-holdout-3.jsonl --texts $(SHARED)/data/satp-dev --worst 0 || exit 1; fi; \
	  for u in p8a p9 p11 p12b p13b p14 p15b p16b p17b; do \
	    echo "== invented reports never read: tests/extraction/unseen/$$u (totals only; see its README)"; \
	    $(BIN)/safecorridor eval extraction tests/extraction/unseen/$$u/gold.jsonl \
	      --texts tests/extraction/unseen/$$u --worst 0 || exit 1; \
	  done; \
	fi

# the calibration map of field confidences, refitted on the development annotations only
calibrate: $(STAMP)
	@if [ ! -d "$(SHARED)/data/news-dev" ] || [ ! -d "$(SHARED)/data/satp-dev" ]; then \
	  echo "make calibrate: $(SHARED)/data is absent, so there is nothing to fit on: the corpus texts"; \
	  echo "  (news-dev, satp-dev) live beside the repository. Set SHARED=/path/to/shared to use them."; \
	  exit 0; fi; \
	$(BIN)/safecorridor eval fit-confidence --corpus $(CORPUS) --shared $(SHARED) \
	  --unseen tests/extraction/calibration --out src/safecorridor/extraction/data/calibration.json

# does a change to the extractor change real reporting, and for the better? (prints the real
# texts whose events changed since BASE, and both revisions' scores on the readable real sets)
BASE ?= HEAD
gate: $(STAMP)
	@if [ ! -d "$(SHARED)/data/news-dev" ]; then \
	  echo "make gate: $(SHARED)/data is absent, so there is no real text to run on: the corpus texts"; \
	  echo "  (news-dev, satp-dev) live beside the repository. Set SHARED=/path/to/shared to use them."; \
	  exit 0; fi; \
	$(BIN)/python scripts/real-text-gate.py --shared $(SHARED) --base $(BASE)

# does a learned component beat the rules on the dev split? (prints; ships nothing)
learned: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[learn]'
	$(BIN)/python scripts/learned-extraction.py --shared $(SHARED) $(if $(WEAK),--weak)

screenshots: $(STAMP)
	@bash scripts/ensure-system-packages.sh
	SAFECORRIDOR_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider -m browser tests/web

# the gettext catalogues: extract every marked string, merge it into each language's .po, compile
# the .mo files (committed with the .po, so an install needs no build step)
LOCALE_DIR := src/safecorridor/locale
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -k N_ \
	  --project SafeCorridor --copyright-holder "SafeCorridor contributors" \
	  -o $(LOCALE_DIR)/messages.pot src/safecorridor
	$(BIN)/pybabel -q update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) --no-fuzzy-matching
	$(BIN)/pybabel -q compile -d $(LOCALE_DIR) --statistics

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache
