# The two commands: `make run` (set up, migrate, load the demo, serve) and
# `make test` (set up, then the whole suite, browser tests included).
# Every target is safe to re-run; set-up steps run again only when their inputs change.

PYTHON_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup migrate demo lint format typecheck lock bench screenshots messages clean chromium

# The web server, the task worker and the scheduler (Procfile), under honcho: Ctrl-C stops all three.
run: setup migrate demo
	@echo "Serving on http://$(HOST):$(PORT)/  (demo sign-ins: see README)"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile -p $(PORT)

# The suite runs on every core (pytest-xdist, one test database per worker; the slowest tests,
# marked `slow`, start first). TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
test: setup chromium
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

setup: $(VENV)/.installed node_modules/.installed build/static/VERSIONS.json

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/VERSIONS.json: node_modules/.installed scripts/build_static.py
	$(PY) scripts/build_static.py

chromium:
	@bash scripts/ensure_chromium.sh

migrate: setup
	$(PY) -m wellbeing migrate --noinput

demo: migrate
	$(PY) -m wellbeing demo

lint: setup
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) scripts/check_private_imports.py src

format: setup
	$(VENV)/bin/ruff format src tests bench scripts
	$(VENV)/bin/ruff check --fix src tests bench scripts

typecheck: setup
	$(VENV)/bin/mypy --strict src/instruments src/analysis
	$(VENV)/bin/mypy src/wellbeing

messages: setup
	cd src/wellbeing && ../../$(PY) -m wellbeing makemessages -l es --ignore "*/accounts/*"
	$(PY) scripts/fill_po.py src/wellbeing/locale/es/LC_MESSAGES/django.po src/wellbeing/locale/es/translations
	cd src/wellbeing && ../../$(PY) -m wellbeing compilemessages -l es

lock: $(VENV)/.installed
	$(UV) pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

screenshots: setup chromium
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest tests/browser -q

bench: setup
	$(PY) bench/score.py

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache
