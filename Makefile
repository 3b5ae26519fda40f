# The two commands of the README: `make demo` (the main job, end to end) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test soak lint check-seed prereqs install clean

demo: $(STAMP)
	$(BIN)/kb demo

test: $(STAMP)
	$(BIN)/ruff check kb loaders tests
	$(BIN)/kb seed check
	$(BIN)/pytest -q

# The fault, load and fuzz tests at full size (minutes to tens of minutes); prints the figures.
soak: $(STAMP)
	KB_SOAK=1 $(BIN)/pytest -q -s tests/test_reliability.py tests/test_fuzz.py tests/test_injection.py

lint: $(STAMP)
	$(BIN)/ruff check kb loaders tests
	$(BIN)/ruff format --check kb loaders tests
	$(BIN)/mypy kb loaders

check-seed: $(STAMP)
	$(BIN)/kb seed check

install: $(STAMP)

# A Python 3.11+, a JDK 17+ and Maven; installed from Debian's packages when missing and root.
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

$(STAMP): pyproject.toml | prereqs
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info
