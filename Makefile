# Two commands do all set-up on a fresh machine: `make book` and `make test`.
# Both create .venv (if missing) and install requirements.txt into it first.

VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
COURSE := grading
# Kernels, nbgrader and jupyter-book find their commands on PATH: this environment's first.
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0
# No MPLBACKEND, even from the caller: kernels must use matplotlib's inline backend, or no figure
# reaches the site (tests/conftest.py picks Agg for the unit tests itself).
unexport MPLBACKEND
# The chapters' networks are tiny: one torch thread per process is as fast as two, and
# then two kernels (nbval -n 2) or a busy machine never fight over the two cores, which
# otherwise slows a chapter several-fold. Override on the command line if you like.
OMP_NUM_THREADS ?= 1
MKL_NUM_THREADS ?= 1
export OMP_NUM_THREADS MKL_NUM_THREADS

# $(call timed,label,command): run a command and print how long it took.
timed = start=$$(date +%s); $(2); status=$$?; echo "[time] $(1): $$(( $$(date +%s) - start )) s"; exit $$status

.PHONY: install browser book test test-unit test-notebooks test-portable test-grading test-site test-newer lab serve assignments grade bench bench-grading solutions strip clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@start=$$(date +%s); \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet -r requirements.txt && \
	echo "[time] install: $$(( $$(date +%s) - start )) s"
	@touch $@

install: $(STAMP)

## Execute every chapter (one per core, into the build's cache) and build the site into
## _build/html (warnings are errors).
book: $(STAMP)
	@$(call timed,chapters executed (one kernel per core),$(PY) tools/execute.py)
	@$(call timed,book build,$(BIN)/jupyter-book build . --warningiserror --keep-going)

## The whole test suite: package, notebooks, autograding pipeline, the built site.
test: $(STAMP)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-unit test-notebooks test-grading book test-site && \
	echo "[time] make test (after install): $$(( $$(date +%s) - start )) s"

test-unit: $(STAMP)
	@$(call timed,unit tests,$(PY) -m pytest tests -q -n 2 -p no:cacheprovider --ignore=tests/test_grading.py --ignore=tests/test_site.py --ignore=tests/test_browser.py --ignore=tests/test_lab.py)

# Two notebooks at a time (one torch thread each, see above). nbval runs the chapters on
# the portable path (torch's and MKL's generic kernels, which round as a machine without
# AVX would) and writes each chapter that passed into the book's cache, so the `book` step
# of `make test` renders the run nbval checked instead of running every chapter again.
# `make book` on its own executes the chapters with this machine's own kernels: the two
# README commands check each claim under two rounding regimes (test-portable under four).
# The exercises get two in test-grading: nbgrader grades them natively, tools/answercheck.py
# runs each solution (which must run clean) and its wrong answers on the portable path.
PORTABLE := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE
# nbval's kernels are forked from a process with torch and regopt imported (tools/nbval_forking.py).
NBVAL    := -m pytest --nbval-lax -q -p no:cacheprovider -p nbval_forking
test-notebooks: $(STAMP)
	@$(call timed,chapters (nbval; portable kernels; into the book's cache),env $(PORTABLE) PYTHONPATH=tools $(PY) $(NBVAL) --nbval-book-cache -n 2 --dist loadscope chapters)

## The notebooks under each setting that rounds differently: this machine's kernels, the
## portable path, AVX2 kernels, and torch's default threads in one kernel (as JupyterLab
## runs them). NB=chapters/04_sgd_and_schedules.ipynb limits it to some notebooks.
NB ?= chapters exercises
test-portable: $(STAMP)
	@status=0; \
	for setting in "native" "$(PORTABLE)" "ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2"; do \
	    echo "== $$setting, one thread per kernel, two kernels"; \
	    env $$(test "$$setting" = native || echo $$setting) PYTHONPATH=tools $(PY) $(NBVAL) -n 2 --dist loadscope $(NB) || status=1; \
	done; \
	echo "== torch's default threads, one kernel"; \
	env -u OMP_NUM_THREADS -u MKL_NUM_THREADS PYTHONPATH=tools $(PY) $(NBVAL) $(NB) || status=1; \
	exit $$status

test-grading: $(STAMP)
	@$(call timed,autograding pipeline (one parallel grading run of the class),$(PY) -m pytest tests/test_grading.py -q -p no:cacheprovider)

# The built pages, as files and in headless Chromium (screenshots in _build/screenshots/).
test-site: $(STAMP) browser
	@$(call timed,site tests,$(PY) -m pytest tests/test_site.py tests/test_browser.py -q)
	@$(call timed,JupyterLab test (a chapter and a student exercise run in the browser),$(PY) -m pytest tests/test_lab.py -q -p no:cacheprovider)

## Opt-in, needs the network: as on Colab, the package from git with the newest torch,
## numpy and matplotlib (newer than requirements.txt pins), its tests and chapter 1.
NEWER := $(abspath _build/newer-venv)
test-newer:
	rm -rf $(NEWER) && python3 -m venv $(NEWER)
	$(NEWER)/bin/pip install --quiet --upgrade torch numpy matplotlib scikit-learn tqdm ipython \
	    pytest nbval ipykernel "regopt @ git+file://$(CURDIR)"
	$(NEWER)/bin/pip list 2>/dev/null | grep -iE "^(torch|numpy|matplotlib|scikit-learn) "
	cd $(NEWER) && $(NEWER)/bin/python -m pytest -q -p no:cacheprovider --rootdir=$(NEWER) \
	    $(CURDIR)/tests/test_optim.py $(CURDIR)/tests/test_schedules.py $(CURDIR)/tests/test_contracts.py
	cd $(NEWER) && $(NEWER)/bin/python -m pytest -q -p no:cacheprovider --nbval-lax --rootdir=$(NEWER) \
	    $(CURDIR)/chapters/01_*.ipynb

## A Chromium for the browser tests: Debian's package where we may install it, else Playwright's.
browser: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    sudo apt-get install -y -qq chromium >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; }; \
	else \
	    $(PY) -m playwright install chromium; \
	fi

## Time optimizer.step() of regopt.optim against torch.optim (foreach off and on), and 8 seeds
## trained at once (regopt.seeds.fit_seeds) against one.
bench: $(STAMP)
	$(PY) bench/optim_step.py
	$(PY) bench/grading.py
	$(PY) bench/seeds.py

## Grade a synthetic class (two exercises, solutions, student versions, wrong answers): s per submission.
bench-grading: $(STAMP)
	$(PY) bench/grading.py $(if $(JOBS),--jobs $(JOBS))

## JupyterLab on the repository.
lab: $(STAMP)
	$(BIN)/jupyter lab $$(test "$$(id -u)" = 0 && echo --allow-root)

## Serve the built site on http://localhost:8000.
serve:
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 8000

## Instructors: generate the student version of every exercise into grading/release/.
assignments: $(STAMP)
	$(PY) tools/grading.py assignments $(COURSE)

## Instructors: autograde grading/submitted/<student>/<assignment>/ and write grading/grades.csv,
## one submission per core at a time (JOBS=N to choose).
JOBS ?=
grade: $(STAMP)
	@$(call timed,grading,$(PY) tools/grading.py grade $(COURSE) $(if $(JOBS),--jobs $(JOBS)))

## Instructors and self-learners: the solved exercises, run, and a page of answers per
## exercise in _build/solutions/ (not part of the site: publish it or not, as you decide).
solutions: $(STAMP)
	@$(call timed,solutions,$(PY) tools/solutions.py)

## Remove outputs from committed notebooks.
strip: $(STAMP)
	$(PY) tools/nbtext.py strip chapters/*.ipynb exercises/*.ipynb

clean:
	rm -rf _build .pytest_cache $(COURSE)/source $(COURSE)/release $(COURSE)/submitted \
	       $(COURSE)/autograded $(COURSE)/feedback $(COURSE)/gradebook.db $(COURSE)/grades.csv
