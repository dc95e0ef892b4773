# Set-up and everyday commands. `make run` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
export DJANGO_SETTINGS_MODULE := cssr.settings

.PHONY: totp run dev test test-unit test-e2e setup venv gettext chromium nginx translations static demo messages vendor ci lint bench clean

run: setup demo ## start the whole platform on the embedded default (DEBUG off, as users see it)
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

dev: setup demo ## the same with DEBUG on: Django's error pages, static files from static/, reload on change
	@DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

test: venv gettext chromium nginx translations static ## install what the tests need and run the whole suite
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-e2e

test-unit:
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -m "not e2e" -n $(PYTEST_WORKERS) --create-db -q

test-e2e:
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m e2e --create-db -q -p no:xdist

setup: venv gettext translations static
	mkdir -p var
	$(PY) manage.py migrate --noinput

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
	set -o pipefail; $(PY) -m pip install --quiet -e ".[test]" 2>&1 | { grep -vE "is ignored: it is neither|BuildBackendWarning|Editable installation|^\s*!!|\*\*\*|Please be careful with folders|name as your package|with strategy, WheelFile|^\s*$$" || true; }
	$(PY) -m pip check
	touch $@

gettext:
	@command -v msgfmt >/dev/null || { echo "Installing GNU gettext (Debian package)"; apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Chromium (Debian package) for the browser tests"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

nginx:
	@test -x /usr/sbin/nginx || { echo "Installing nginx (Debian package) to test the proxy's configuration"; apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }

translations: venv gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=assets -v 0

static: venv
	$(PY) manage.py collectstatic --noinput -v 0

demo: setup
	$(PY) manage.py load_demo

messages: venv gettext ## refresh locale/*/django.po from the code
	$(PY) manage.py makemessages -l ar -l en --ignore=.venv --ignore=assets --ignore=staticfiles --ignore=var --ignore=test-artifacts --ignore=tests --no-obsolete
	$(PY) scripts/fill_english_catalog.py

vendor: ## refresh static/vendor from the npm registry
	bash scripts/vendor_static.sh

lint: venv ## style, formatting and the import contracts (pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

bench: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend $(PY) bench/jobs.py

bench-liveness: venv ## what the liveness check adds per chat event (file store; Redis too with REDIS_URL)
	$(PY) bench/liveness.py

.PHONY: bench-liveness bench-chat bench-http bench-servers
bench-chat: venv static ## chat over websockets: uvicorn + channels-redis + PostgreSQL, generator on the other core
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) bench/chat.py

bench-http: venv static ## group pages under load: the production server (uvicorn, 1 worker) + PostgreSQL + Redis, generator on the other core (BENCH_QUICK=1: shorter)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) bench/http.py

bench-servers: venv static ## uvicorn against daphne on the same app: pages and chat round trips, then the faster with 2 workers (BENCH_QUICK=1: shorter)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) bench/servers.py

.PHONY: smoke
smoke: venv translations ## the production set-up (compose commands, DEBUG off) on loopback PostgreSQL and Redis, used over HTTP and websockets
	$(PY) scripts/smoke.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles var

totp: ## the current two-factor codes of the demo accounts that must use it (staff, officers, rapporteurs)
	@$(PY) manage.py demo_totp
