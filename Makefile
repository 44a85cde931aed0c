# regression_course: every target sets itself up. Start with `make app` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
APP_PORT ?= 8866
DOCS_PORT ?= 8001
# make classroom: the hub's port (it also uses the next two, on 127.0.0.1), and the roster (see classroom/roster.example.txt)
CLASS_PORT ?= 8010
export CLASS_PORT
WORKERS ?= 2
# nbdev_test's workers; `make test` runs three, as the notebooks spend much of their time waiting on servers they start
NBTEST_WORKERS ?= $(WORKERS)
# Threaded workers that keep connections open and cut off slow clients (06_serving, 96b_slow_clients); tests use the same options.
GUNICORN_OPTIONS ?= --workers $(WORKERS) --worker-class regression_course.slow_clients.GuardedWorker --threads 64 --keep-alive 5 --no-control-socket
NOTEBOOKS = $(sort $(wildcard nbs/*.ipynb app/*.ipynb))
# Cache bytecode in .venv: without it every Metaflow task process recompiles scikit-learn (seconds each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install test check-clean check-export check-readme nbtest pytest readme lab train serve app browser bench export mutants exercises docs slides docs-serve docs-test rollback site site-check classroom

help:
	@echo "make app      install, train if no model is deployable, open the prediction form (Voila) on 127.0.0.1:$(APP_PORT)"
	@echo "make test     install, then run every check CI runs"
	@echo "make install  create .venv and install the package with its dev tools (a no-op when nothing changed)"
	@echo "make lab      JupyterLab on nbs/ with the project's environment"
	@echo "make train    run SampleRegressionFlow once"
	@echo "make serve    serve the JSON prediction API with gunicorn on 127.0.0.1:$(PORT)"
	@echo "make export   after editing a notebook: update regression_course/ and strip the notebooks' outputs"
	@echo "make exercises  check your answers to the exercises (SOLUTIONS=1: the instructors' solutions)"
	@echo "make mutants  apply known mistakes to a scratch copy and show the checks catch each one (slow)"
	@echo "make docs     run every notebook and build the course site in _docs/ (open _docs/index.html)"
	@echo "make slides   a reveal.js deck per course notebook in _docs/slides/"
	@echo "make docs-serve  serve _docs/ on 127.0.0.1:$(DOCS_PORT)"
	@echo "make rollback WHY=\"...\"  serve the previous deployable model again, recording who (WHO=, default you) and why"
	@echo "make bench    run the benchmarks in benchmarks/"
	@echo "make classroom CLASS_ROSTER=roster.txt  (as root) a JupyterHub for a whole class on 127.0.0.1:$(CLASS_PORT): one shared run store"

# --- set-up -----------------------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# The stamp records a hash of the packaging files (nbdev_export rewrites pyproject.toml, so mtimes would lie):
# a second `make install` with nothing changed does nothing.
DEPS_HASH = $(shell cat setup.py settings.ini pyproject.toml | md5sum | cut -c1-32)

# On a class server (make classroom) .venv is the class's environment, installed by the instructor: never changed from a copy.
install: | $(BIN)/uv
	@if [ "$$(cat $(STAMP) 2>/dev/null)" != "$(DEPS_HASH)" ]; then \
	  if [ ! -w $(VENV)/ ]; then echo "note: $(VENV) is not yours to change (your class's environment): nothing installed"; exit 0; fi; \
	  echo "installing regression_course and its dev tools into $(VENV) (uv)"; \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]" && echo "$(DEPS_HASH)" > $(STAMP); \
	fi

# Chromium for the browser tests (Playwright cannot download its own browser here): found as the tests find it
# (tools/browser.py: $$CHROMIUM, then PATH, then Debian's /usr/bin/chromium); as root on Debian, installed if missing.
browser: | $(BIN)/python
	@$(BIN)/python tools/browser.py >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser tests will fail (ALLOW_SKIP=1 make test skips them)"; \
	  else echo "no Chromium found: install it (e.g. 'sudo apt-get install chromium') or set CHROMIUM=/path/to/it"; fi; }

# --- the checks CI runs, in order ---------------------------------------------------------------------
check-clean: install
	@before=$$(md5sum $(NOTEBOOKS)) || exit 1; \
	$(BIN)/nbdev_clean >/dev/null && $(BIN)/nbdev_clean --fname app >/dev/null \
	  || { echo "FAIL: nbdev_clean itself failed (see above)"; exit 1; }; \
	if [ "$$before" != "$$(md5sum $(NOTEBOOKS))" ]; then \
	  echo "FAIL: notebooks were not clean. nbdev_clean has now cleaned them: review 'git diff' and commit."; exit 1; \
	fi; echo "ok: notebooks are clean"

check-export: install
	@before=$$(md5sum regression_course/*.py pyproject.toml) || exit 1; \
	$(BIN)/nbdev_export || { echo "FAIL: nbdev_export itself failed (see above)"; exit 1; }; \
	if [ "$$before" != "$$(md5sum regression_course/*.py pyproject.toml)" ]; then \
	  echo "FAIL: regression_course/ was out of date with nbs/. nbdev_export has now updated it: review 'git diff' and commit."; exit 1; \
	fi; echo "ok: regression_course/ matches the notebooks"

check-readme: install
	@$(BIN)/python tools/build_readme.py --check || { echo "FAIL: README.md differs from nbs/index.ipynb: run 'make readme' and commit."; exit 1; }
	@echo "ok: README.md matches nbs/index.ipynb"

# nbdev_test, keeping each executed notebook for the course site (tools/nbtest.py): `make docs` then runs nothing again.
nbtest: install
	@n=$$(ls nbs/*.ipynb | wc -l); \
	$(BIN)/python tools/nbtest.py --n_workers $(NBTEST_WORKERS) --do_print \
	  && echo "nbdev_test: $$n notebooks passed, 0 failed" \
	  || { echo "FAIL: nbdev_test: a notebook failed (see above); open it in 'make lab' and run it top to bottom."; exit 1; }

# A skipped test fails the run unless you ask for skips with ALLOW_SKIP=1 (tests/conftest.py); -rfEs lists what failed and why skipped.
pytest: install browser
	@$(BIN)/python -m pytest -rfEs -n $(WORKERS) --dist loadfile tests

# Every check runs with a private Metaflow datastore and a private temporary folder, both removed at the end:
# your own .metaflow/ and runs are never read or touched. After the quick checks, two chains run side by side (one per
# core): the notebooks (the site's JavaScript installing meanwhile), then the site built from them and its browser
# checks; and pytest. The first chain's output is shown when both are done. Then no process started by the checks may be left.
test: install browser
	@run=$$(mktemp -d "$${TMPDIR:-/tmp}/regression-course-test.XXXXXX") || exit 1; \
	trap 'rm -rf "$$run"' EXIT; mkdir -p "$$run/tmp" "$$run/datastore"; \
	export REGRESSION_COURSE_TEST_RUN="$$run" TMPDIR="$$run/tmp" METAFLOW_DATASTORE_SYSROOT_LOCAL="$$run/datastore"; \
	export NBTEST_WORKERS="$${NBTEST_WORKERS:-3}"; unset METAFLOW_DATATOOLS_LOCALROOT METAFLOW_CLIENT_CACHE_PATH; \
	timed() { local start=$$(date +%s); $(MAKE) --no-print-directory -s $$1 || return 1; echo "[$$1 took $$(( $$(date +%s) - start )) s]"; }; \
	for check in check-clean check-export check-readme; do timed $$check || exit 1; done; \
	echo "running the notebooks, the site and its browser checks (output below, when done) beside pytest:"; \
	{ $(MAKE) --no-print-directory -s node_modules/.package-lock.json > "$$run/npm.log" 2>&1 & npm=$$!; \
	  timed nbtest && { wait $$npm || { cat "$$run/npm.log"; false; }; } && timed site && timed site-check; \
	} > "$$run/notebooks.log" 2>&1 & notebooks=$$!; \
	timed pytest; pytest_status=$$?; wait $$notebooks; notebooks_status=$$?; \
	cat "$$run/notebooks.log"; \
	[ $$pytest_status = 0 ] || { echo "FAIL: pytest (above)"; exit 1; }; \
	[ $$notebooks_status = 0 ] || { echo "FAIL: the notebooks or the site (above)"; exit 1; }; \
	$(BIN)/python tools/leftovers.py "$$run"

# --- working with the course --------------------------------------------------------------------------
readme: install
	$(BIN)/python tools/build_readme.py

lab: install
	$(BIN)/jupyter lab --notebook-dir=nbs

train: install
	$(BIN)/python regression_course/flow.py run

serve: install
	$(BIN)/gunicorn $(GUNICORN_OPTIONS) --bind 127.0.0.1:$(PORT) 'regression_course.serving:create_app()'

# Voila preheats a kernel (voila.json): it runs the app notebook before anyone visits. The app writes the file named by
# PREDICTION_FORM_READY_FILE once its form is built (nbs/97_form_app.ipynb); only then is the page quick, so only then say so.
app: install
	@$(BIN)/python -c "from regression_course.registry import latest_deployable_run as f; raise SystemExit(f() is None)" \
	  || { echo "no deployable model yet: training one (make train)"; $(MAKE) --no-print-directory train; }
	@ready=$$(mktemp -u "$${TMPDIR:-/tmp}/prediction-form-ready.XXXXXX"); \
	PREDICTION_FORM_READY_FILE=$$ready $(BIN)/voila app/prediction_form.ipynb --no-browser --port=$(APP_PORT) --Voila.ip=127.0.0.1 & \
	voila=$$!; trap 'kill $$voila 2>/dev/null; wait $$voila; rm -f $$ready' EXIT; trap 'exit 130' INT TERM; \
	echo "starting the prediction form: Voila runs it in advance for the first visitor (a few seconds)..."; \
	for i in $$(seq 1800); do [ -e $$ready ] && break; kill -0 $$voila 2>/dev/null || exit 1; sleep 0.1; done; \
	if [ -e $$ready ]; then echo "prediction form ready ($$(cat $$ready)): http://127.0.0.1:$(APP_PORT)/  (Ctrl-C to stop)"; \
	else echo "the form is still not ready after 3 minutes (see Voila's messages above): http://127.0.0.1:$(APP_PORT)/"; fi; \
	wait $$voila

# --- the course as a site and as slides: assets come from npm (node_modules/), never from a CDN ---------
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

docs: install node_modules/.package-lock.json
	$(BIN)/python tools/build_docs.py

slides: docs
	$(BIN)/python tools/build_slides.py

# The site and the decks in a real browser: no request leaves 127.0.0.1, links resolve, images load, decks advance.
docs-test: slides browser site-check

# In `make test`: the site and decks from the notebooks nbtest has just run (nothing runs twice), then the browser checks.
site: docs slides

site-check: install browser
	@$(BIN)/python -m pytest -rfEs -n $(WORKERS) tests/check_docs_browser.py

docs-serve: slides
	@echo "course site: http://127.0.0.1:$(DOCS_PORT)/  slides: http://127.0.0.1:$(DOCS_PORT)/slides/  (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _docs $(DOCS_PORT)

# A JupyterHub for a class (nbs/99b_classroom.ipynb): as root, from a roster; state in CLASS_DIR (default /srv/regression-course-class).
classroom: install node_modules/.package-lock.json
	@$(BIN)/python tools/classroom.py serve

# Take the served model out of service and serve the previous deployable run again; who did it and why are appended
# to .metaflow/registry/rollbacks.jsonl (05_client_api). With no earlier deployable run it fails and changes nothing.
rollback: install
	@[ -n "$(WHY)" ] || { echo 'say why: make rollback WHY="what is wrong with the served model"'; exit 2; }
	@$(BIN)/python tools/rollback.py rollback --why "$(WHY)" $(if $(WHO),--user "$(WHO)")

# After editing an exported notebook cell: write the library (regression_course/) and strip the notebooks' outputs.
export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# Your progress on the exercises at the end of each notebook: one line each, then "N of M exercises done".
# SOLUTIONS=1 checks the instructors' solutions (solutions/) instead. It reports; it always exits 0. On a class server
# (make classroom) your results are also recorded for your instructor, in the file REGRESSION_COURSE_PROGRESS names.
exercises: install
	@$(BIN)/python -m regression_course.exercises $(if $(SOLUTIONS),--solutions,$${REGRESSION_COURSE_PROGRESS:+--record "$$REGRESSION_COURSE_PROGRESS"})

# Known mistakes (a different seed or test share, no intercept, scoring on the training rows, a Ridge), each
# applied to a scratch copy: the checks must fail on every one. Slow (a few minutes each); not part of `make test`.
mutants: install browser
	$(BIN)/python tools/mutants.py $(MUTANTS)

bench: install browser
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
