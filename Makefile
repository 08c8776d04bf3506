# Registratiesysteem Arbeidszorg — `make run`, `make test`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench venv venv-dev lint clean

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

run: venv
	$(FLASK) upgrade-db
	$(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(BIN)/waitress-serve --listen=$(HOST):$(PORT) --threads=8 wsgi:app

test: venv-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: venv-dev
	$(BIN)/ruff check app tests

clean:
	rm -rf $(VENV) .pytest_cache
