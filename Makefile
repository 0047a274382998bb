# The two commands a newcomer needs: `make run` (demo on 127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
export DEMO_PASSWORD ?= motcua-demo

.PHONY: run test install translations extract check-translations migrate demo bench lint \
	contracts screenshots paper-screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Compiled catalogues (.mo) are build output, not committed.
translations: install
	$(BIN)/pybabel compile -d translations 2>/dev/null

extract: install
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o translations/messages.pot --no-location --omit-header --sort-output .
	$(BIN)/pybabel update -w 100 -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_source_catalogue.py

check-translations: install
	$(BIN)/python scripts/check_translations.py

migrate: translations
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load

run: migrate
	$(BIN)/flask demo load
	@echo ""
	@echo "  MotCua Lite demo: http://127.0.0.1:$(PORT)/"
	@echo "  Officer sign-in: http://127.0.0.1:$(PORT)/officer/login"
	@echo "  Users: admin (admin), canbo (officer), lanhdao (leader); password: $(DEMO_PASSWORD)"
	@echo ""
	APP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The README's pictures (docs/screenshots/*.png), only on request: the demo data is dated
# relative to today, so every run would change the committed files. Needs /usr/bin/chromium.
screenshots: translations
	@test -x /usr/bin/chromium || { echo 'make screenshots needs /usr/bin/chromium'; exit 1; }
	MOTCUA_SCREENSHOTS=write BROWSER_TESTS=always $(BIN)/python -m pytest -rs \
		tests/browser/test_screenshots.py

# The desk's papers (issue 15) as printed: docs/screenshots/paper-*.pdf and .png. Needs chromium.
paper-screenshots: translations
	@test -x /usr/bin/chromium || { echo 'make paper-screenshots needs /usr/bin/chromium'; exit 1; }
	MOTCUA_PAPER_SCREENSHOTS=write BROWSER_TESTS=always $(BIN)/python -m pytest -rs -p no:randomly \
		tests/browser/test_paper_screenshots.py

bench: translations
	$(BIN)/python -m bench

lint: install
	$(BIN)/python -m ruff check app tests scripts bench

# The layers and "no cycles" of docs/ARCHITECTURE.md (import-linter, [tool.importlinter] in
# pyproject.toml), and no import hidden inside a function to dodge a cycle.
contracts: install
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_imports.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
