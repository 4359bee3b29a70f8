# Companion: `make run` sets everything up and serves the demo; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := companion

.PHONY: run test bench install vendor db demo clean test-postgres lint translations

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip uv

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,bench]'
	$(BIN)/python -m companion.devtools.nltk_data
	touch $@

static/vendor/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --silent
	$(BIN)/python -m companion.devtools.vendor
	touch $@

# Catalogues: the .po files are committed, the .mo files are built here (and again when a .po changes).
PO := $(wildcard companion/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

install: $(VENV)/.installed static/vendor/.installed $(MO)

# After merging a branch that adds strings: extract them and update each language; then
# tests/i18n/test_catalogue.py lists each patient-facing entry still to translate (file:line).
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --sort-by-file --ignore-dirs='.* __pycache__' \
		-o companion/translations/messages.pot .
	$(BIN)/pybabel -q update -i companion/translations/messages.pot -d companion/translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel -q compile -d companion/translations

db: install
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo

run: demo
	COMPANION_SCHEDULER=inprocess $(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-reload

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python -m pytest -m "postgres or not browser" $(PYTEST_ARGS)

bench: install
	npm ci --no-audit --no-fund --silent  # adds the pinned Lighthouse (a devDependency)
	$(BIN)/python -m tests.perf.bench

clean:
	rm -rf $(VENV) node_modules static/vendor instance/*.sqlite3
