# Townsquare: `make run` serves the demo, `make test` runs lint, types and the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export PYTHONPATH := $(CURDIR):$(CURDIR)/platform
export DATA_DIR ?= $(CURDIR)/.data
# mypy's Django plugin imports the settings, which insist on these; nothing connects.
LINT_ENV := DATABASE_URL=postgresql://lint@localhost/lint REDIS_URL=redis://localhost:6379/0 SECRET_KEY=lint EMAIL_BACKEND=console

.PHONY: install run test lint bench browser deploy-tools format clean screenshots

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install python3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --all-extras --python $(BIN)/python
	@# The venv knows the project's two import roots, so its tools (lint-imports, python)
	@# work without PYTHONPATH; appended after the standard library, which still wins.
	@$(BIN)/python -c "import site, sys; open(site.getsitepackages()[0] + '/townsquare-roots.pth', 'w').write('$(CURDIR)\n$(CURDIR)/platform\n')"
	@touch $@

run: install
	$(BIN)/python -m townsquare.devstack run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(LINT_ENV) $(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Browser tests drive Debian's Chromium and the PDF report needs Pango; install them when
# missing rather than skipping those tests.
browser:
	@{ test -x /usr/bin/chromium && ldconfig -p | grep -q libpangoft2-1.0; } || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium and Pango for the browser and PDF tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  fi; }
	@test -x /usr/bin/chromium || { echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium' and retry."; exit 1; }

# The production-stack tests run Debian's Caddy and PgBouncer, and check the compose file with
# Debian's docker-compose (there is no container engine here, only the validator).
deploy-tools:
	@{ command -v caddy && command -v docker-compose && test -x /usr/sbin/pgbouncer; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's caddy, pgbouncer and docker-compose for the deployment tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy pgbouncer docker-compose >/dev/null; \
	  fi; }
	@{ command -v caddy && command -v docker-compose && test -x /usr/sbin/pgbouncer; } >/dev/null 2>&1 || { echo "The deployment tests need caddy, pgbouncer and docker-compose: run 'sudo apt-get install caddy pgbouncer docker-compose' and retry."; exit 1; }

# Tests get their own Celery queue, so a `make run` worker on a shared Redis never takes their tasks.
test: install browser deploy-tools lint
	CELERY_QUEUE=townsquare-test-$$$$ $(BIN)/python -m townsquare.devstack exec -- $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures measured here; they never fail a build on timing.
bench: install
	$(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.dialogue_page
	CELERY_QUEUE=townsquare-bench-$$$$ $(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.provisioning
	CELERY_QUEUE=townsquare-bench-$$$$ $(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.billing_webhooks
	$(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.insights_export
	$(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.insights_grouping
	$(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.insights_dashboard
	$(BIN)/python -m townsquare.devstack exec --database townsquare_bench -- $(BIN)/python -m bench.api_ideas

# Pictures of the product from the seeded demo, for the README and the central site's pages.
screenshots: install browser
	CELERY_QUEUE=townsquare-shots-$$$$ $(BIN)/python -m townsquare.devstack exec --database townsquare_shots -- $(BIN)/python -m tests.harness.screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
