# The two_layer_net course: `make` lists the targets.
# Everything runs in .venv, which `make setup` builds from requirements.lock (any target that
# needs it depends on it); PYTHON=... picks the interpreter the venv is made from (Python 3.10 to
# 3.13, the versions requirements.lock is resolved for), VENV=... another venv folder.

PYTHON ?= python3
VENV   ?= .venv
# One lock for every supported Python (pins that differ by version carry a python_version marker);
# `python3 tools/lock.py --path PYTHON` prints it, and fails for a Python it does not cover.
LOCK   := requirements.lock
# The Dask cluster extra's pins on top of it (grading across machines, docs/cluster.md): a lock of
# its own, since the students' requirements and the Gradescope bundle are made from the first one.
CLUSTER_LOCK := requirements-cluster.lock
# MkDocs, which builds the documentation site (`make docs`), pinned the same way: a developer's tool.
DOCS_LOCK := requirements-docs.lock
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# `make test PYTEST_ARGS="-k softmax -x"` passes arguments through to pytest.
PYTEST_ARGS ?=
# The slowest tests, listed at the end of each run (what CI's time is spent on).
DURATIONS ?= --durations=15
# `make bench BENCH_ARGS="--quick"` passes arguments through to python -m benchmarks.
BENCH_ARGS ?=
# The PyTorch baseline of `make bench` (optional; the "bench" extra of pyproject.toml). Plain pip
# takes the CPU build of 2.13.0 from this machine's wheel folder; elsewhere PyPI's build of that
# version is the CUDA one (GBs): TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu".
TORCH_SPEC     ?= torch==2.13.0
TORCH_PIP_ARGS ?=
# The similarity report's alternative in `make bench` (optional; the "bench" extra).
COPYDETECT_SPEC ?= copydetect==0.5.0
# Two workers on the two cores of the course machines (pytest-xdist, in the lock). Measured on
# the whole suite: 183 s serially, 150 s with -n 2 (one 2-minute `nbgrader validate` of the
# source notebook dominates either way). XDIST= runs serially. The tests marked `alone` (they
# measure time budgets and what is left running) run after the others, with nothing beside them.
XDIST ?= -n 2

# CIFAR-10 as `make cifar10` builds it from ../shared, when that exists.
SHARED_CIFAR10 := ../shared/datasets/build-cifar10
CIFAR10_DATA   := $(CURDIR)/data
# Point the tests at it unless CIFAR10_DIR says otherwise (CI builds it elsewhere and sets it).
ifeq ($(origin CIFAR10_DIR),undefined)
ifneq ($(wildcard $(CIFAR10_DATA)/cifar-10-batches-py/batches.meta),)
export CIFAR10_DIR := $(CIFAR10_DATA)
endif
endif

.DEFAULT_GOAL := help
.PHONY: help setup lint sandbox test release lock cifar10 clean distclean demo bench test-browser solutions gradescope
.PHONY: register autograde roster test-browser-cifar10 docs

help:  ## List the targets
	@echo "Targets (run from the repository root):"
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z0-9_-]+):.*## /  \1\t/' | expand -t 22
	@echo "Variables: PYTHON=$(PYTHON) (makes the venv)  PYTEST_ARGS=...  XDIST='$(XDIST)'"

# --------------------------------------------------------------------------------------------
setup: $(STAMP) sandbox  ## Create .venv and install requirements.lock, the cluster and docs locks and the project (idempotent)

# Rebuilt only when the lock or pyproject.toml changed (or the venv is gone). A Python the lock
# does not cover stops here, with a message, rather than half-way through pip.
$(STAMP): pyproject.toml $(LOCK) $(CLUSTER_LOCK) $(DOCS_LOCK)
	@test -x $(PY) || { $(PYTHON) tools/lock.py --path >/dev/null \
	  && echo "Creating $(VENV) with $(PYTHON) ..." && $(PYTHON) -m venv $(VENV); }
	@$(PY) tools/lock.py --path >/dev/null
	$(PY) -m pip install --disable-pip-version-check --quiet -r $(LOCK) -r $(CLUSTER_LOCK) -r $(DOCS_LOCK)
	$(PY) -m pip install --disable-pip-version-check --quiet --no-deps -e .
	@touch $@
	@echo "$(VENV) is ready."

# The rules (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and the line length are in
# pyproject.toml's [tool.ruff]; `ruff format .` makes the formatting check pass. Both checks run
# (and report) even when the first one fails.
lint: setup  ## ruff: lint and check the formatting of the Python code (pyproject.toml [tool.ruff])
	$(PY) -m ruff check .; status=$$?; $(PY) -m ruff format --check . && exit $$status

# bubblewrap (bwrap) is the autograder's sandbox. Installed when we are root with apt-get; then the
# containment this host gives student code is tried and recorded (python -m autograder sandbox
# --record), and where there is none, what to do is said: graders refuse to run student code then.
sandbox: $(STAMP)
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing bubblewrap (the autograder's sandbox) with apt-get ..."; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -q --no-install-recommends bubblewrap \
	    || { apt-get update -q && apt-get install -y -q --no-install-recommends bubblewrap; }; \
	  } >/dev/null 2>&1 </dev/null || true; \
	fi; \
	if ! command -v bwrap >/dev/null 2>&1; then \
	  echo "************************************************************************"; \
	  echo "* WARNING: bwrap (Debian/Ubuntu package 'bubblewrap') is not installed  *"; \
	  echo "* and could not be installed here. The autograder needs it to sandbox  *"; \
	  echo "* student code: install it (sudo apt-get install bubblewrap).          *"; \
	  echo "************************************************************************"; \
	fi
	@$(PY) -m autograder sandbox --record || echo "(make setup goes on: grading refuses to run student code until this is fixed)"

# One BLAS thread per process in the tests: two pytest workers and their kernels already fill the
# two cores, and oversubscribed OpenBLAS threads spin (measured: the CIFAR-10 search 112 s with one
# thread, 695 s with two, on a loaded machine; docs/thresholds.md).
test: setup  ## Run the test suite (PYTEST_ARGS=... passed to pytest)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest $(XDIST) -m "not alone" $(DURATIONS) $(PYTEST_ARGS)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -p no:xdist -m alone $(DURATIONS) $(PYTEST_ARGS) || [ $$? -eq 5 ]

# mkdocs.yml: the pages of docs/ by role; strict, so that a link to a missing page or anchor, a page
# left out of the navigation or any other warning fails the build (CI runs it).
docs: setup  ## Build the documentation site into build/site/ (MkDocs, mkdocs.yml; a warning such as a broken link fails it)
	$(PY) -m mkdocs build --strict
	@echo "Built build/site/index.html"

release: setup  ## Regenerate release/two_layer_net from source/ (nbgrader generate_assignment)
	$(PY) tools/generate_release.py

lock:  ## Regenerate requirements.lock and the cluster and docs locks from pyproject.toml in a throwaway venv of each supported Python
	$(PYTHON) tools/lock.py

cifar10: setup  ## Install CIFAR-10 (from ../shared if there, else the official download)
	@if [ -f $(SHARED_CIFAR10) ]; then \
	  if [ -f data/cifar-10-batches-py/batches.meta ]; then \
	    echo "CIFAR-10 is already built in data/ (delete data/ to rebuild it)."; \
	  else \
	    $(PY) $(SHARED_CIFAR10) data; \
	  fi; \
	  echo "make test finds it there by itself; elsewhere: export CIFAR10_DIR=$(CIFAR10_DATA)"; \
	else \
	  $(PY) -m twolayer.download_cifar10; \
	fi

clean:  ## Remove caches and build leftovers (keeps .venv, data/ and the gradebook)
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache build dist *.egg-info .nbgrader.log

distclean: clean  ## clean, and also remove .venv and data/
	rm -rf $(VENV) data

# --------------------------------------------------------------------------------------------
demo: setup  ## The main job: a throwaway course graded by nbgrader and the autograder (digits)
	$(PY) -m autograder demo --dir demo-course

bench: setup  ## Benchmarks: training vs PyTorch CPU and the sgemm bound, grading vs nbgrader, grading on a busy machine (docs/benchmarks.md)
	@$(PY) -c "import torch" 2>/dev/null || { echo "Installing $(TORCH_SPEC) (the PyTorch baseline) ..."; \
	  $(PY) -m pip install --disable-pip-version-check --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)" \
	  || echo "PyTorch could not be installed: the benchmark runs without its rows"; }
	@$(PY) -c "import copydetect" 2>/dev/null || { echo "Installing $(COPYDETECT_SPEC) (the similarity report's alternative) ..."; \
	  $(PY) -m pip install --disable-pip-version-check --quiet "$(COPYDETECT_SPEC)" \
	  || echo "copydetect could not be installed: the similarity benchmark runs without its row"; }
	$(PY) -m benchmarks $(BENCH_ARGS)

test-browser: setup  ## Browser tests in JupyterLab: the student notebook, the student's environment, the TA's Formgrader (screenshots in test-artifacts/browser/)
	bash tools/browser_setup.sh
	$(PY) -m pytest tests/browser -p no:xdist $(PYTEST_ARGS)

# The student's loop on CIFAR-10 in the browser, timed (docs/browser.md; the seconds go to
# test-artifacts/browser/cifar10-timings.json): it trains for minutes, so `make test-browser` (CI)
# skips it. Needs CIFAR-10: `make cifar10`, or CIFAR10_DIR=... . The notebook's kernel gets one
# BLAS thread, as each grading job does (see `test`: oversubscribed OpenBLAS threads spin).
test-browser-cifar10: setup  ## The student's loop on CIFAR-10 in JupyterLab, timed: opening to the first passing check, Solver and search cells (minutes; needs make cifar10)
	bash tools/browser_setup.sh
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest tests/browser/test_student_cifar10.py -p no:xdist -m browser_cifar10 $(PYTEST_ARGS)

# A TA's round in this folder (docs/ta-round.md). AUTOGRADE_ARGS="--jobs 1" etc.
AUTOGRADE_ARGS ?=
register: setup  ## Record the assignment in gradebook.db (what nbgrader autograde needs; release/ is left as is)
	$(PY) -m autograder register

autograde: setup  ## Autograde submitted/ with nbgrader and the course grader (registers the assignment if needed)
	$(PY) -m autograder autograde $(AUTOGRADE_ARGS)

roster: setup  ## Import students into the gradebook: make roster ROSTER=students.csv (columns id,first_name,last_name,email)
	@test -n "$(ROSTER)" || { echo "usage: make roster ROSTER=students.csv (columns: id,first_name,last_name,email)"; exit 2; }
	$(PY) -m autograder roster "$(ROSTER)"

gradescope: setup  ## Build dist/gradescope/autograder.zip, the autograder to upload to Gradescope (docs/gradescope.md)
	$(PY) -m autograder.gradescope build --out dist/gradescope

solutions: setup  ## Execute the solution notebook into solutions/ (notebook + HTML)
	$(PY) -m autograder solutions

# --------------------------------------------------------------------------------------------
# The course on a JupyterHub (docs/jupyterhub.md): JupyterHub and configurable-http-proxy on
# 127.0.0.1, students as Unix users of their own (tln-<name>), the grading service. As root.
# Everything of the hub lives outside the repository, in HUB_ROOT: students may not read the course
# folder (the reference solution is in source/), and `make hub` refuses to start while they could.
# Its Python must be one every user can run: a venv of its own (HUB_VENV), made with the course's
# locks and requirements-hub.lock from HUB_PYTHON, or from a copy of it when other users cannot
# reach it (pyenv's, under /root: tools/hub_python.py). Its state (HUB_DIR) survives hub-stop.
.PHONY: hub hub-stop hub-setup hub-remove-users test-hub
HUB_LOCK   := requirements-hub.lock
HUB_ROOT   ?= /srv/two_layer_net-hub
HUB_DIR    ?= $(HUB_ROOT)/state
HUB_VENV   ?= $(HUB_ROOT)/venv
HUB_PORT   ?= 8000
HUB_JOBS   ?= 1
HUB_PYTHON ?= $(PYTHON)
HUB_PY     := $(HUB_VENV)/bin/python
HUB_PROXY  := hub/proxy/node_modules/.bin/configurable-http-proxy
HUB_ENV    := TWO_LAYER_NET_HUB_DIR=$(HUB_DIR)

hub-setup: $(HUB_VENV)/.installed $(HUB_PROXY) sandbox  ## Install the hub: its venv (requirements-hub.lock) and configurable-http-proxy (npm ci)

$(HUB_VENV)/.installed: pyproject.toml $(LOCK) $(CLUSTER_LOCK) $(HUB_LOCK)
	@test -x $(HUB_PY) || { $(HUB_PYTHON) tools/lock.py --path >/dev/null && mkdir -p $(HUB_ROOT) && chmod 755 $(HUB_ROOT) \
	  && $$($(HUB_PYTHON) tools/hub_python.py $(HUB_PYTHON) $(HUB_ROOT)/python) -m venv $(HUB_VENV); }
	$(HUB_PY) -m pip install --disable-pip-version-check --quiet -r $(LOCK) -r $(CLUSTER_LOCK) -r $(HUB_LOCK)
	$(HUB_PY) -m pip install --disable-pip-version-check --quiet --no-deps -e .
	@touch $@

$(HUB_PROXY): hub/proxy/package.json hub/proxy/package-lock.json
	npm ci --prefix hub/proxy --no-audit --no-fund --loglevel=error
	@touch $@

hub: hub-setup  ## Start the course's JupyterHub on 127.0.0.1:$(HUB_PORT) (HUB_DIR=..., HUB_JOBS=...; people in hub/people.toml)
	$(HUB_ENV) $(HUB_PY) -m autograder.hub start --port $(HUB_PORT) --jobs $(HUB_JOBS)

hub-stop:  ## Stop the hub; its state (gradebook, exchange, users' work) stays in HUB_DIR
	@if [ -x $(HUB_PY) ]; then $(HUB_ENV) $(HUB_PY) -m autograder.hub stop; else echo "The hub is not installed."; fi

hub-remove-users:  ## Remove the tln- Unix users and groups the hub made (HUB_DIR stays; delete it by hand)
	$(HUB_ENV) $(HUB_PY) -m autograder.hub remove-users

# The hub's tests: the service, the attacks, and three students and an instructor in a real browser.
test-hub: hub-setup  ## The hub's tests: real JupyterHub, users, exchange, grading service, browser (screenshots in test-artifacts/browser/)
	PYTHON=$(abspath $(HUB_PY)) bash tools/browser_setup.sh
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(HUB_PY) -m pytest -p no:xdist -m hub tests/test_autograder/test_hub tests/browser/test_hub.py $(PYTEST_ARGS)
