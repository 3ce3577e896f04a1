# Everything a fresh machine needs, from the two README commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench eval typecheck clean java-maven chromium redis

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make demo: install, serve the bundled demo web locally, run the whole pipeline, print what was found
demo: $(STAMP)
	$(VENV)/bin/traceur demo

## make test: install, check style and types, run every test (starts the local servers the tests need)
test: $(STAMP) java-maven chromium redis lint typecheck
	$(PY) -m pytest

## make lint: ruff's checks and formatting, over the whole repository
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The Elasticsearch tests fetch the server with Maven and run it on Java 17: install both
# from Debian's packages when missing (needs root, as on CI).
java-maven:
	@command -v mvn >/dev/null && command -v java >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq maven openjdk-17-jre-headless >/dev/null; }

# The web app's browser tests drive Debian's chromium through Playwright (never a browser
# Playwright downloads): install the package when missing (needs root, as on CI).
chromium:
	@test -x /usr/bin/chromium || \
		{ apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The queue tests (tests/test_queue*.py) and the workers' benchmark start Debian's
# redis-server on a free loopback port: install the package when missing (needs root, as on CI).
redis:
	@command -v redis-server >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }

## make bench: speed and memory figures (never part of the tests)
bench: $(STAMP)
	$(PY) bench/run.py

## make eval: tagging and clustering precision/recall on the labelled corpus of tests/eval; fails below the pinned floors
eval: $(STAMP)
	$(PY) -m traceur.enrich.evaluate tests/eval
	$(PY) -m traceur.parse.pubdate_eval tests/eval/dates
	$(PY) -m traceur.enrich.pagetype_eval tests/eval/pagetypes

## make typecheck: mypy, strict on every package (traceur, crawler, spiders, pipelines)
typecheck: $(STAMP)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .traceur .pytest_cache .mypy_cache
