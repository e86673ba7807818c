# Helhedsplan-portalen. `make run` serves the demo, `make test` runs the suite; both set themselves up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
export PORT

# Node packages are installed where a package.json exists (dev OpenID Provider, portal assets, benchmark).
NODE_DIRS   := $(patsubst %/package.json,%,$(wildcard auth/dev-idp/package.json frontend/package.json bench/package.json))
NODE_STAMPS := $(addsuffix /node_modules/.installed,$(NODE_DIRS))

.PHONY: run test setup migrate demo serve token schema bench

run: setup migrate demo serve

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed $(NODE_STAMPS)
	$(PY) -m frontend.assets

migrate: setup
	$(PY) -m backend.cli migrate

demo: migrate
	$(PY) -m backend.cli load-demo

# The one place that starts the server, with the development OpenID Provider (auth/dev-idp) beside
# it on DEV_IDP_PORT; the provider stops when the server does.
DEV_IDP_PORT ?= 9000
serve: setup
	@node auth/dev-idp/server.js --port $(DEV_IDP_PORT) & idp=$$!; \
	trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
	DEV_IDP_URL=http://127.0.0.1:$(DEV_IDP_PORT) $(PY) -m backend.cli serve --port $(PORT)

# `make schema`: regenerate the committed GraphQL schema snapshot (schema/schema.graphql).
schema: setup
	$(PY) -m schema.export

# `make token USER=fsb-medarbejder`: sign in through the real flow; the access token is the last line.
token: setup
	@DEV_IDP_URL=http://127.0.0.1:$(DEV_IDP_PORT) $(PY) -m auth.devlogin $(USER)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

.SECONDEXPANSION:
%/node_modules/.installed: %/package.json $$(wildcard $$*/package-lock.json)
	cd $* && if [ -f package-lock.json ] && [ ! -d node_modules ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

# `make bench`: the load benchmark against PostGraphile and a floor (bench/README.md), ~4 minutes.
bench: setup
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) bench/run.py
