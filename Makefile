# Registratiesysteem Arbeidszorg — `make run`, `make test`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench screens venv venv-dev lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# the demo lets beheerders in with the password only (say REQUIRE_2FA_BEHEER=1 to try 2FA)
run: export REQUIRE_2FA_BEHEER ?= 0
# HOST and PORT reach the app too: unless BASE_URL is set, mailed links use http://HOST:PORT
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: venv
	$(FLASK) upgrade-db
	$(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(FLASK) serve --listen=$(HOST):$(PORT) --threads=8

test: venv-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv-dev
	@command -v wrk >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || \
		echo "wrk not available: the Python load generator is used"
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	@if pg_isready -q -h 127.0.0.1 2>/dev/null; then \
		$(BIN)/python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/az_bench $(BENCH_ARGS); \
	else echo "PostgreSQL not reachable on 127.0.0.1: PostgreSQL benchmark skipped"; fi

# screenshots of the main pages at phone and desktop width (docs/screens/, linked from the README)
screens: venv-dev
	$(BIN)/python docs/screens/make_screens.py

lint: venv-dev
	$(BIN)/ruff check app tests

clean:
	rm -rf $(VENV) .pytest_cache
