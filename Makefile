# regression_course: every target sets itself up. Start with `make app` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
APP_PORT ?= 8866
WORKERS ?= 2
NOTEBOOKS = $(sort $(wildcard nbs/*.ipynb app/*.ipynb))
# Cache bytecode in .venv: without it every Metaflow task process recompiles scikit-learn (seconds each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install test check-clean check-export check-readme nbtest pytest readme lab train serve app browser bench clean-runs

help:
	@echo "make app      install, train if no model is deployable, open the prediction form (Voila) on 127.0.0.1:$(APP_PORT)"
	@echo "make test     install, then run every check CI runs"
	@echo "make install  create .venv and install the package with its dev tools (a no-op when nothing changed)"
	@echo "make lab      JupyterLab on nbs/ with the project's environment"
	@echo "make train    run SampleRegressionFlow once"
	@echo "make serve    serve the JSON prediction API with gunicorn on 127.0.0.1:$(PORT)"
	@echo "make bench    run the benchmarks in benchmarks/"

# --- set-up -----------------------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# The stamp records a hash of the packaging files (nbdev_export rewrites pyproject.toml, so mtimes would lie):
# a second `make install` with nothing changed does nothing.
DEPS_HASH = $(shell cat setup.py settings.ini pyproject.toml | md5sum | cut -c1-32)

install: | $(BIN)/uv
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(DEPS_HASH)" ]; then \
	  echo "installing regression_course and its dev tools into $(VENV) (uv)"; \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]" && echo "$(DEPS_HASH)" > $(STAMP); \
	fi

# Debian's chromium, for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser tests will fail under CI=true and be skipped otherwise"; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; fi; }

# --- the checks CI runs, in order ---------------------------------------------------------------------
check-clean: install
	@before=$$(md5sum $(NOTEBOOKS)); $(BIN)/nbdev_clean >/dev/null; $(BIN)/nbdev_clean --fname app >/dev/null; \
	if [ "$$before" != "$$(md5sum $(NOTEBOOKS))" ]; then \
	  echo "FAIL: notebooks were not clean. nbdev_clean has now cleaned them: review 'git diff' and commit."; exit 1; \
	fi; echo "ok: notebooks are clean"

check-export: install
	@before=$$(md5sum regression_course/*.py pyproject.toml); $(BIN)/nbdev_export; \
	if [ "$$before" != "$$(md5sum regression_course/*.py pyproject.toml)" ]; then \
	  echo "FAIL: regression_course/ was out of date with nbs/. nbdev_export has now updated it: review 'git diff' and commit."; exit 1; \
	fi; echo "ok: regression_course/ matches the notebooks"

check-readme: install
	@$(BIN)/python tools/build_readme.py --check || { echo "FAIL: README.md differs from nbs/index.ipynb: run 'make readme' and commit."; exit 1; }
	@echo "ok: README.md matches nbs/index.ipynb"

nbtest: install
	@n=$$(ls nbs/*.ipynb | wc -l); \
	$(BIN)/nbdev_test --n_workers $(WORKERS) --do_print \
	  && echo "nbdev_test: $$n notebooks passed, 0 failed" \
	  || { echo "FAIL: nbdev_test: a notebook failed (see above); open it in 'make lab' and run it top to bottom."; exit 1; }

pytest: install browser
	@$(BIN)/python -m pytest tests

test: install browser
	@for check in check-clean check-export check-readme nbtest pytest; do \
	  start=$$(date +%s); $(MAKE) --no-print-directory -s $$check || exit 1; \
	  echo "[$$check took $$(( $$(date +%s) - start )) s]"; done

# --- working with the course --------------------------------------------------------------------------
readme: install
	$(BIN)/python tools/build_readme.py

lab: install
	$(BIN)/jupyter lab --notebook-dir=nbs

train: install
	$(BIN)/python regression_course/flow.py run

serve: install
	$(BIN)/gunicorn --workers $(WORKERS) --no-control-socket --bind 127.0.0.1:$(PORT) 'regression_course.serving:create_app()'

app: install
	@$(BIN)/python -c "from regression_course.registry import latest_deployable_run as f; raise SystemExit(f() is None)" \
	  || { echo "no deployable model yet: training one (make train)"; $(MAKE) --no-print-directory train; }
	@echo "prediction form: http://127.0.0.1:$(APP_PORT)/  (Ctrl-C to stop)"
	$(BIN)/voila app/prediction_form.ipynb --no-browser --port=$(APP_PORT) --Voila.ip=127.0.0.1

bench: install browser
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
