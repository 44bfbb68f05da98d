# Housler: two commands. `make run` serves the site, `make test` runs the whole suite.
# Each does its own set-up on a fresh machine (virtualenv, packages, migrations).
# `make test-fast` is the quick check while working: lint and the tests that need nothing but the
# one Python process (no redis-server, gunicorn, browser, apt or download).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DJANGO_SUITE := $(VENV)/django-tests/sessions_tests/tests.py
PORT ?= 8000
WEB_CONCURRENCY ?= $(if $(REDIS_URL),2,1)

.PHONY: run test test-fast lint setup bench pdf-packages

# The PDF report (calculator/pdf.py): WeasyPrint draws text with the system's Pango and HarfBuzz
# and embeds a system font that has Cyrillic and "₽" (Debian packages).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
PDF_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt django-failover-sessions/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# Django's own session test-suite (tests/sessions_tests from the sdist of the installed Django):
# the session engine must pass it unchanged.
$(DJANGO_SUITE): $(STAMP)
	@set -e; version=$$($(BIN)/python -c "import django; print(django.get_version())"); \
	tmp=$$(mktemp -d); \
	$(BIN)/pip download -q --disable-pip-version-check --no-deps --no-binary :all: "django==$$version" -d "$$tmp"; \
	mkdir -p $(VENV)/django-tests; \
	tar xzf "$$tmp"/django-*.tar.gz -C $(VENV)/django-tests --strip-components=2 "django-$$version/tests/sessions_tests"; \
	rm -rf "$$tmp"; touch $@

# Installed with apt-get when missing and running as root, otherwise says how; `make run` serves
# the site without them (the PDF download then answers with its Russian failure page).
pdf-packages: $(STAMP)
	@if ! $(BIN)/python -c "import weasyprint" 2>/dev/null || ! test -e $(PDF_FONT); then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	  else echo "The PDF report needs Pango and a Cyrillic font: run 'sudo apt-get install $(PDF_PACKAGES)'" >&2; \
	  [ "$(PDF_OPTIONAL)" = 1 ] || exit 1; fi; \
	fi

run: $(STAMP)
	@$(MAKE) --no-print-directory pdf-packages PDF_OPTIONAL=1
	@set -e; \
	if [ -z "$$DJANGO_SECRET_KEY" ]; then \
	  test -s .secret-key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > .secret-key; \
	  export DJANGO_SECRET_KEY="$$(cat .secret-key)"; \
	fi; \
	export DJANGO_SECURE_COOKIES=$${DJANGO_SECURE_COOKIES:-0} PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY); \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	sessions=$$($(BIN)/python -c "import os, sessions_backend.redaction as r; print(r.mask_url(os.environ.get('REDIS_URL') or 'local memory'))"); \
	echo "Housler on http://127.0.0.1:$(PORT)/ ($(WEB_CONCURRENCY) worker(s), sessions: $$sessions)"; \
	exec $(BIN)/gunicorn -c deploy/gunicorn.conf.py housler.wsgi:application

test: $(STAMP) $(DJANGO_SUITE) lint pdf-packages
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is missing: run 'sudo apt-get install redis-server' (Debian) and retry" >&2; exit 1; fi; \
	fi
	@if ! command -v nginx >/dev/null && ! test -x /usr/sbin/nginx; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "nginx is missing (deploy/nginx.conf test): run 'sudo apt-get install nginx-light' and retry" >&2; exit 1; fi; \
	fi
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing (browser test): run 'sudo apt-get install chromium' and retry" >&2; exit 1; fi; \
	fi
	$(BIN)/pytest

# Tests marked `slow` or `external` (tests/conftest.py) are left out, and Django's own session
# suite, which `make test` downloads.
test-fast: $(STAMP) lint
	$(BIN)/pytest -m "not slow and not external" --ignore=tests/sessions/test_django_suite.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-bench.txt
# Every script directly in bench/ is a benchmark; helpers live in packages below it.
	@for script in $(filter-out bench/__init__.py,$(wildcard bench/*.py)); do \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done
