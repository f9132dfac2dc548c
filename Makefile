# All set-up happens here: `make test` and `make demo` work on Debian or Ubuntu with
# Python >= 3.11. What the system lacks (venv support, Chromium, redis-server) is installed
# with apt-get when run as root, else named in one line saying what to install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Empty when not root: system parts are then named, not installed.
AS_ROOT ?= $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: install test lint demo bench fuzz clean python chromium redis-server cjk-font

# $(call system_part,CHECK,PACKAGE,WHAT): run the shell CHECK; when it fails, install the
# Debian package PACKAGE as root, else stop with one line naming it.
system_part = $(1) || { \
	if [ -n "$(AS_ROOT)" ]; then \
		echo "installing $(2) ($(3))"; \
		apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 $(2) >/dev/null; \
	else \
		echo "missing: $(3); install it with: sudo apt-get install $(2)" >&2; exit 1; \
	fi; }

# Python >= 3.11 with venv support (Debian and Ubuntu ship it as python3.X-venv).
python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "missing: Python >= 3.11 as $(PYTHON); install it (apt-get install python3) or run make PYTHON=python3.X" >&2; \
		exit 1; }
	@$(call system_part,$(PYTHON) -c 'import ensurepip',$(shell $(PYTHON) -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])' 2>/dev/null),venv support for $(PYTHON))

$(STAMP): pyproject.toml | python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

# The system Chromium, for the browser download handler and its tests (crawler/browser.py
# finds it on PATH under its usual names).
chromium: $(STAMP)
	@$(call system_part,$(BIN)/python -c 'import sys; from crawler.browser import chromium_executable; sys.exit(not chromium_executable())',$(shell . /etc/os-release 2>/dev/null; [ "$$ID" = ubuntu ] && echo chromium-browser || echo chromium),Chromium for the browser tests)

# The distributed-crawling tests start a real redis-server.
redis-server:
	@$(call system_part,command -v redis-server >/dev/null,redis-server,redis-server for the distributed tests)

test: lint chromium redis-server
	$(BIN)/python -m pytest -q

bench: $(STAMP) chromium redis-server
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run

# Long fuzzing run (hypothesis profile "fuzz", random seeds); `make test` runs a short seeded one.
fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -W ignore::hypothesis.errors.HypothesisWarning \
		--hypothesis-profile=fuzz tests/test_fuzz_*.py

# Chinese labels of the overview charts need a CJK font: installed as root, else a warning (the
# report is still written; its tables hold the same names).
cjk-font:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
		if [ -n "$(AS_ROOT)" ]; then \
			echo "installing fonts-noto-cjk (Chinese labels of the overview charts)"; \
			apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 fonts-noto-cjk >/dev/null; \
		else \
			echo "warning: no CJK font: chart labels in Chinese show as boxes; install one with: sudo apt-get install fonts-noto-cjk" >&2; \
		fi; }

demo: $(STAMP) cjk-font
	$(BIN)/python -m fixtures.demo --output output/notices.jsonl

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
