# pdplanner: two commands set everything up on a machine with Python 3.11+ and make.
#   make run   install into .venv, migrate and seed the SQLite database, serve on :5000
#              (make run PORT=5001 serves on another port; set-password links follow it)
#   make test  install the test tools, lint, and run the whole suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# The links the app prints and mails (set-password, password reset) point at the port served,
# unless PUBLIC_BASE_URL is given.
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "pdplanner needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Run with a newer one, e.g. make run PYTHON=python3.12"; exit 1; }

$(VENV)/.runtime: requirements.txt | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) seed framework
	$(FLASK) seed conditions
	$(FLASK) seed resources
	$(FLASK) seed demo
	@echo
	@echo "pdplanner is serving on http://127.0.0.1:$(PORT) (Ctrl+C stops it)"
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# Two workers on two cores; each has its own SQLite file and PostgreSQL database (tests/conftest.py).
# Work stealing: an idle worker takes tests from the busy one, so the slow tests (schemathesis, the
# browser, the hostile-id walk) do not leave one worker running alone at the end.
TEST_WORKERS ?= auto

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
