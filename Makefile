# Two commands: `make run` sets up and starts the app; `make test` sets up and runs every test.
# Everything else here is a step those two share.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha1sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
PROMTOOL := $(VENV)/bin/promtool
# Tests run with production-like settings (DEBUG off) and their own secret.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef WHITENOISE_AUTOREFRESH=1 \
	STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage MEDIA_ROOT=var/test-media \
	CELERY_TASK_DEFAULT_QUEUE=test-$$$$ PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus-test-$$$$

.PHONY: run test setup translations messages test-unit test-integration test-e2e test-postgres test-js test-alerts bench soak lint format check-deploy clean

run: setup
	$(PY) manage.py ensure_demo_user
	$(PY) -m project.run

test: setup chromium lint test-js test-alerts
	$(TEST_ENV) $(PY) -m project.localredis --db 15 -- $(PY) -m pytest $(PYTEST_ARGS) || test $$? -eq 5

test-unit: setup
	$(TEST_ENV) $(PY) -m project.localredis --db 15 -- $(PY) -m pytest documents/tests/unit ops/tests project/tests $(PYTEST_ARGS) || test $$? -eq 5

test-integration: setup
	$(TEST_ENV) $(PY) -m project.localredis --db 15 -- $(PY) -m pytest documents/tests/integration $(PYTEST_ARGS) || test $$? -eq 5

# What depends on the database engine, for a second pass on PostgreSQL (CI sets DATABASE_URL): the
# actions (row locks, transactions, races), the reads (JSON lookups), states, migrations, the merge,
# the API's writes and the stream's one-query access check (raw SQL, on a shared connection), and the
# integration tests where several workers share the database. The rest of the suite runs on SQLite
# in `make test`; running all of it twice took CI past its budget.
POSTGRES_TESTS := documents/tests/unit/services documents/tests/unit/test_selectors.py \
	documents/tests/unit/test_states.py documents/tests/unit/test_migrations.py documents/tests/unit/test_merge.py \
	documents/tests/unit/views/test_api.py documents/tests/unit/views/test_stream.py ops/tests/test_shared_db.py \
	documents/tests/integration/test_scale.py documents/tests/integration/test_worker.py
test-postgres: setup
	$(TEST_ENV) $(PY) -m project.localredis --db 15 -- $(PY) -m pytest $(POSTGRES_TESTS) -m "not no_database" $(PYTEST_ARGS) || test $$? -eq 5

test-js: node_modules/.package-lock.json
	npm test --silent

# The Prometheus alerting rules, unit-tested with promtool.
test-alerts: $(PROMTOOL)
	$(PROMTOOL) check rules ops/prometheus/alerts.yml
	$(PROMTOOL) test rules ops/prometheus/alerts_test.yml

test-e2e: setup chromium
	$(TEST_ENV) $(PY) -m project.localredis --db 15 -- $(PY) -m pytest e2e $(PYTEST_ARGS) || test $$? -eq 5

# The long load and soak run (50 users for 3 minutes; the integration tests run a short one).
# Report: var/soak/soak.json. SOAK_ARGS="--users 20 --seconds 600" changes its size.
SOAK_ARGS ?= --users 50 --seconds 180
soak: setup
	$(PY) bench/soak.py $(SOAK_ARGS)

# Benchmarks (docs/benchmarks.md): each writes var/bench/<name>.json and .png and prints MET/MISSED per
# target; all of them run (about 15 minutes) even if one misses. BENCHES="relay replay" runs some.
BENCHES ?= replay relay capacity browser first_chunk quality heuristic
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat requirements/bench.txt | sha1sum | cut -c1-12)
$(BENCH_STAMP): requirements/bench.txt | $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/bench.txt
	rm -f $(VENV)/.bench-installed-* && touch $@

bench: setup chromium $(BENCH_STAMP)
	status=0; for name in $(BENCHES); do echo "== bench/$$name.py"; \
	  $(PY) -m project.localredis --db 14 -- $(PY) bench/$$name.py || status=1; done; exit $$status

setup: $(STAMP) node_modules/.package-lock.json theme/static_src/node_modules/.package-lock.json css translations .env
	mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py collectstatic --no-input -v 0

$(STAMP): requirements/*.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/dev.txt
	rm -f $(VENV)/.installed-* && touch $@

# The browser files we use are served from static/vendor/, linked into node_modules: the same relative
# import paths then work in the browser (no import map, so no inline script for the CSP) and in Node.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/htmx static/vendor/streaming-markdown
	ln -s ../../../node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	ln -s ../../../node_modules/streaming-markdown/smd.min.js static/vendor/streaming-markdown/

theme/static_src/node_modules/.package-lock.json: theme/static_src/package.json theme/static_src/package-lock.json
	npm ci --prefix theme/static_src --no-audit --no-fund --loglevel=error

css: theme/static_src/node_modules/.package-lock.json
	cd theme/static_src && npm run --silent build >/dev/null

# The .po files are committed, the .mo files are built here with Babel (no GNU gettext needed).
# Not `pybabel compile`: it skips a fuzzy-headed catalog and reads past broken lines with exit
# status 0. project/compilemessages.py stops the set-up on a line that does not parse or a bad
# placeholder.
translations: $(STAMP)
	$(PY) -m project.compilemessages locale

# After adding or changing a string (needs GNU gettext): update the .po files, then translate
# every new or changed entry (and clear its fuzzy flag) before committing.
MESSAGES_IGNORE := --ignore=node_modules --ignore=staticfiles --ignore=.venv --ignore=theme/static_src --ignore=var \
	--ignore=documents/tests --ignore=e2e --ignore=bench
messages: $(STAMP)
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages --domain djangojs --locale zh_Hans --no-obsolete $(MESSAGES_IGNORE)

.env:
	cp .env.example .env
	sed -i 's/^# DJANGO_DEBUG=.*/DJANGO_DEBUG=1/' .env

# Debian's Chromium (Playwright cannot download its own here) and CJK fonts for readable screenshots.
chromium:
	@test -x $(CHROMIUM) && test -d /usr/share/fonts/opentype/noto || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi; }

# promtool alone, taken out of Debian's prometheus package without installing it (installing it
# would start a Prometheus server on a machine with systemd); no root needed.
$(PROMTOOL): | $(STAMP)
	rm -rf var/prometheus-deb && mkdir -p var/prometheus-deb
	cd var/prometheus-deb && { apt-get download -qq prometheus 2>/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi && apt-get download -qq prometheus; }; }
	dpkg-deb -x var/prometheus-deb/prometheus_*.deb var/prometheus-deb/root
	install -m 0755 var/prometheus-deb/root/usr/bin/promtool $@
	rm -rf var/prometheus-deb

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: setup
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_SECURE_HSTS_SECONDS=31536000 DJANGO_ALLOWED_HOSTS=outliner.example.com \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules theme/static_src/node_modules theme/static/css/dist staticfiles
