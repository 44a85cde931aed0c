# regression_course: every target sets itself up. Start with `make app` or `make test`.
# This file is a menu: each recipe calls one program, and the programs live in tools/ (Python, so they run the
# same on Linux and macOS). It needs GNU make 3.81 or newer (macOS ships 3.81) and Python 3.10 or newer.
PYTHON ?= python3
BIN := .venv/bin
PORT ?= 8000
APP_PORT ?= 8866
CAPSTONE_PORT ?= 8020
DOCS_PORT ?= 8001
# make classroom: the hub's port (it also uses the next two, on 127.0.0.1); the roster is CLASS_ROSTER (classroom/roster.example.txt)
CLASS_PORT ?= 8010
export CLASS_PORT
WORKERS ?= 2
# nbdev_test's workers (`make test` runs three: the notebooks spend much of their time waiting on servers they start)
NBTEST_WORKERS ?= $(WORKERS)
# Cache bytecode in .venv: without it every Metaflow task process recompiles scikit-learn (seconds each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install s3 lock upgrade check-oldest test check-clean check-export check-readme nbtest pytest readme lab \
        train serve app browser bench export mutants exercises docs slides docs-serve docs-test rollback site site-check \
        classroom check-plan plan measure student-copy capstone-check capstone-serve

help:
	@echo "make app      install, train if no model is deployable, open the prediction form (Voila) on 127.0.0.1:$(APP_PORT)"
	@echo "make test     install, then run every check CI runs"
	@echo "make install  create .venv with exactly the packages of uv.lock (a no-op when nothing changed)"
	@echo "make lock     re-resolve uv.lock after changing the requirements in settings.ini"
	@echo "make upgrade  move uv.lock to the newest releases, run every check on them, keep the new lock only if all pass"
	@echo "make check-oldest  run the checks on the OLDEST versions settings.ini admits (are its ranges honest?)"
	@echo "make lab      JupyterLab on nbs/ with the project's environment"
	@echo "make train    run SampleRegressionFlow once"
	@echo "make serve    serve the JSON prediction API with gunicorn on 127.0.0.1:$(PORT) (settings: gunicorn.conf.py)"
	@echo "make export   after editing a notebook: update regression_course/ and strip the notebooks' outputs"
	@echo "make exercises  check your answers to the exercises (SOLUTIONS=1: the instructors' solutions)"
	@echo "make mutants  apply known mistakes to a scratch copy and show the checks catch each one (slow)"
	@echo "make docs     run every notebook and build the course site in _docs/ (open _docs/index.html), decks included"
	@echo "make slides   the same build: a reveal.js deck per course notebook is in _docs/slides/ (S: speaker notes)"
	@echo "make docs-serve  serve _docs/ on 127.0.0.1:$(DOCS_PORT)"
	@echo "make rollback WHY=\"...\"  serve the previous deployable model again, recording who (WHO=, default you) and why"
	@echo "make bench    run the benchmarks in benchmarks/"
	@echo "make s3       an S3 object store on 127.0.0.1:9797 (S3=swift: OpenStack Swift's); then METAFLOW_HOME=$$PWD/metaflow_profiles METAFLOW_PROFILE=course-s3 make train"
	@echo "make classroom CLASS_ROSTER=roster.txt  (as root) a JupyterHub for a whole class on 127.0.0.1:$(CLASS_PORT): one shared run store"
	@echo "make capstone-check  check your capstone (capstone/README.md); SOLUTION=1: the reference solution"
	@echo "make capstone-serve  serve your capstone's endpoint (capstone/app.py) on 127.0.0.1:$(CAPSTONE_PORT)"
	@echo "make plan     write the teaching plan (nbs/teaching_plan.md) from the notebooks and their measured minutes"
	@echo "make measure  measure the notebooks' minutes the plan shows (stale ones; ONLY=<notebook>, ALL=1)"
	@echo "make student-copy DEST=<folder>  the course for a class to clone: no solutions, one commit (instructors)"

# --- set-up: exactly uv.lock, for Linux and macOS (tools/install.py) -----------------------------------------
install:
	@$(PYTHON) tools/install.py

lock:
	@$(PYTHON) tools/install.py --lock

upgrade: install
	$(BIN)/python tools/deps.py upgrade

check-oldest: install
	$(BIN)/python tools/deps.py oldest

# Chromium for the browser tests: found as the tests find it (tools/browser.py), else installed if this machine allows.
browser: install
	@$(BIN)/python tools/browser.py --install

# --- the checks CI runs ---------------------------------------------------------------------------------------
# Every check, in a private temporary folder and Metaflow datastore removed at the end (tools/run_checks.py).
test: install browser
	@$(BIN)/python tools/run_checks.py --workers $(WORKERS)

check-clean: install
	@$(BIN)/python tools/checks.py clean

check-export: install
	@$(BIN)/python tools/checks.py export

check-readme: install
	@$(BIN)/python tools/checks.py readme

check-plan: install
	@$(BIN)/python tools/checks.py plan

# nbdev_test, keeping each executed notebook for the course site (tools/nbtest.py): `make docs` then runs nothing again.
nbtest: install
	@$(BIN)/python tools/nbtest.py --n_workers $(NBTEST_WORKERS) --do_print

# A skipped test fails the run unless you ask for skips with ALLOW_SKIP=1 (tests/conftest.py); -rfEs lists what failed and why skipped.
pytest: install browser
	@$(BIN)/python -m pytest -rfEs --durations=12 -n $(WORKERS) --dist loadfile --no-loadscope-reorder tests

# --- working with the course ----------------------------------------------------------------------------------
readme: install
	$(BIN)/python tools/build_readme.py

# The teaching plan, from the notebooks, benchmarks/notebook_times.json (benchmarks/bench_notebooks.py measures
# the minutes) and tools/teaching_notes.py (the instructors' notes): it lists what needs attention, e.g. a stale figure.
plan: install
	@$(BIN)/python tools/teaching_plan.py

# Measure how long course notebooks take to run (benchmarks/bench_notebooks.py): the stale or missing figures, or
# ONLY=03_dags,06_serving, or ALL=1; it waits for a quiet machine unless BUSY_OK=1. Then `make plan`.
measure: install
	@$(BIN)/python benchmarks/bench_notebooks.py $(if $(ONLY),--only $(ONLY)) $(if $(ALL),--all) $(if $(BUSY_OK),--busy_ok)

# The course without the instructors' files (tools/instructors_only.txt), as a git repository of one commit.
student-copy: install
	@$(BIN)/python tools/student_copy.py --dest "$(DEST)"

lab: install
	$(BIN)/jupyter lab --notebook-dir=nbs

train: install
	$(BIN)/python regression_course/flow.py run

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) 'regression_course.serving:create_app()'

app: install
	@$(BIN)/python tools/app.py --port $(APP_PORT)

# After editing an exported notebook cell: write the library (regression_course/) and strip the notebooks' outputs.
export: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean

# Your progress on the exercises at the end of each notebook: one line each, then "N of M exercises done".
# On a class server (make classroom) your results are also recorded for your instructor (REGRESSION_COURSE_PROGRESS).
# SOLUTIONS=1 checks the instructors' solutions (solutions/) instead. It reports; it always exits 0.
exercises: install
	@$(BIN)/python -m regression_course.exercises $(if $(SOLUTIONS),--solutions,$${REGRESSION_COURSE_PROGRESS:+--record "$$REGRESSION_COURSE_PROGRESS"})

# A JupyterHub for a class (nbs/99b_classroom.ipynb): as root, from a roster; state in CLASS_DIR (default /srv/regression-course-class).
classroom: install node_modules/.package-lock.json
	@$(BIN)/python tools/classroom.py serve

# Take the served model out of service and serve the previous deployable run again; who did it and why are appended
# to .metaflow/registry/rollbacks.jsonl (05_client_api). With no earlier deployable run it fails and changes nothing.
rollback: install
	@$(BIN)/python tools/rollback.py rollback --why "$(WHY)" $(if $(WHO),--user "$(WHO)")

# Known mistakes (a different seed or test share, no intercept, scoring on the training rows, a Ridge), each
# applied to a scratch copy: the checks must fail on every one. Slow (a few minutes each); not part of `make test`.
mutants: install browser
	$(BIN)/python tools/mutants.py $(MUTANTS)

bench: install browser
	@$(BIN)/python tools/bench.py

# The S3 store of nbs/09_off_the_laptop.ipynb, where the course-s3 profile (metaflow_profiles/) points: moto's server, or
# S3=swift for OpenStack Swift's S3 layer (Debian's packages, installed as root with apt if missing). Runs until Ctrl-C.
S3 ?= moto
s3: install
	@$(BIN)/python tools/s3_store.py --kind $(S3) $(if $(filter swift,$(S3)),--install-missing)

# --- the capstone (capstone/README.md) -------------------------------------------------------------------------
# Runs your flow on data with one desk broken, in a scratch datastore, reads the run and its card, asks your app.
capstone-check: install
	@$(BIN)/python tools/capstone_check.py $(if $(SOLUTION),--folder solutions/capstone) $(if $(PLANT),--plant $(PLANT))

capstone-serve: install
	$(BIN)/gunicorn --no-control-socket --chdir $(if $(SOLUTION),solutions/capstone,capstone) \
	    --bind 127.0.0.1:$(CAPSTONE_PORT) 'app:create_app()'

# --- the course as a site and as slides: assets come from npm (node_modules/), never from a CDN -------------
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The site, and a reveal.js deck per course notebook (tools/build_slides.py, which build_docs.py runs last): every
# page links to its deck, so one build writes both.
docs: install node_modules/.package-lock.json
	$(BIN)/python tools/build_docs.py

slides: docs

# The site and the decks in a real browser: no request leaves 127.0.0.1 or fails, links resolve, images load, decks
# advance and their speaker notes reach the speaker view.
docs-test: docs browser site-check

# In `make test`: the site and decks from the notebooks nbtest has just run (nothing runs twice), then the browser checks.
site: docs

site-check: install browser
	@$(BIN)/python -m pytest -rfEs -n $(WORKERS) tests/check_docs_browser.py

docs-serve: docs
	@echo "course site: http://127.0.0.1:$(DOCS_PORT)/  slides: http://127.0.0.1:$(DOCS_PORT)/slides/  (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _docs $(DOCS_PORT)
