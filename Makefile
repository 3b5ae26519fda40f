# The two commands of the README: `make demo` (the main job, end to end) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast soak lint check-seed prereqs install clean

demo: $(STAMP)
	$(BIN)/kb demo

# The whole suite (what CI runs): lint, format and types, the seed check, every test lane.
test: lint
	$(BIN)/kb seed check
	$(BIN)/pytest -q

# What needs no server, JDK or Chromium, in well under a minute (the test lanes: pyproject.toml).
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not neo4j and not browser and not slow"

# The fault, load and fuzz tests at full size (minutes to tens of minutes); prints the figures.
soak: $(STAMP)
	KB_SOAK=1 $(BIN)/pytest -q -s tests/test_reliability.py tests/test_fuzz.py tests/test_injection.py

lint: $(STAMP)
	$(BIN)/ruff check kb loaders tests
	$(BIN)/ruff format --check kb loaders tests
	$(BIN)/mypy --strict kb loaders

# Loader and query speed at 10^4, 10^5 and 10^6 relationships, on a server instance of its own
# ('bench', free ports, 8 GiB heap); rewrites the tables of BENCHMARKS.md. SCALES=10000 for a
# quick run.
# Then the bulk import against LOAD CSV and the guard, on an instance of their own
# ('bench-bulk', 2 GiB heap; the importer runs while it is stopped): BULK_SCALES.
SCALES ?= 10000,100000,1000000
BULK_SCALES ?= 100000,1000000
bench: $(STAMP)
	KB_INSTANCE=bench $(BIN)/kb server install --heap 8g --pagecache 2g
	KB_INSTANCE=bench $(BIN)/kb server start --port auto --heap 8g --pagecache 2g
	KB_INSTANCE=bench $(BIN)/kb bench run --wipe --scales $(SCALES)
	KB_INSTANCE=bench $(BIN)/kb bench staged --scale 1000000 --heap 1g
	KB_INSTANCE=bench $(BIN)/kb server stop
	KB_INSTANCE=bench-bulk $(BIN)/kb server install --heap 2g --pagecache 1g
	KB_INSTANCE=bench-bulk $(BIN)/kb server start --port auto
	KB_INSTANCE=bench-bulk $(BIN)/kb bench bulk --wipe --scales $(BULK_SCALES)
	KB_INSTANCE=bench-bulk $(BIN)/kb server stop

check-seed: $(STAMP)
	$(BIN)/kb seed check

install: $(STAMP)

# A Python 3.11+, a JDK 17+, Maven and Chromium; installed from Debian's packages when missing
# and root.
prereqs:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	@if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing a JDK and Maven from Debian's packages..."; \
	    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null; \
	  else \
	    echo "Please install a JDK 17+ and Maven (e.g. sudo apt-get install openjdk-17-jre-headless maven)."; exit 1; \
	  fi; \
	fi
	@# PyICU (under the name matching of entity resolution) builds against ICU: headers, pkg-config, g++.
	@if ! pkg-config --exists icu-uc 2>/dev/null || ! command -v g++ >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing ICU headers, pkg-config and g++ from Debian's packages..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
	  else \
	    echo "Please install ICU's headers, pkg-config and g++ (sudo apt-get install libicu-dev pkg-config g++)."; exit 1; \
	  fi; \
	fi
	@# Chromium: the browser tests drive it and `kb viz --format png` shoots with it.
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium from Debian's packages..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Warning: /usr/bin/chromium is missing (sudo apt-get install chromium); the browser tests and kb viz --format png need it."; \
	  fi; \
	fi

$(STAMP): pyproject.toml | prereqs
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info
