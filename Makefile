# All set-up happens here: `make test` and `make demo` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench fuzz clean chromium redis-server

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

# The system Chromium, for the browser download handler and its tests (crawler/browser.py).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The distributed-crawling tests start a real redis-server; install it where it is missing.
redis-server:
	@command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)

test: lint chromium redis-server
	$(BIN)/python -m pytest -q

bench: $(STAMP) chromium redis-server
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run

# Long fuzzing run (hypothesis profile "fuzz", random seeds); `make test` runs a short seeded one.
fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -W ignore::hypothesis.errors.HypothesisWarning \
		--hypothesis-profile=fuzz tests/test_fuzz_*.py

demo: $(STAMP)
	$(BIN)/python -m fixtures.demo --output output/notices.jsonl

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
