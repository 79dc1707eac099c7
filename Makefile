# Two commands for a newcomer: `make run` (set up, then open Flywheel) and `make test`.
# Set-up runs once: it is redone only when pyproject.toml, the lock or the system-deps script
# changes. It installs exactly the releases in packaging/constraints.txt (the lock), which
# the tests, CI and `make package` all use; `make upgrade` then `make lock` move it on purpose.
# GPU users: see README ("NVIDIA GPU") for TORCH_SPEC / TORCH_INDEX / CMAKE_ARGS.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.flywheel-setup
LOCK := packaging/constraints.txt
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)
# llama.cpp is compiled for this machine's CPU (-march=native) but without Intel AMX: its AMX
# kernels stopped with an illegal instruction (`tilezero`, in the sentence embedder) on a Xeon
# VM that reports AMX. An explicit -mno-* wins over -march=native whatever the order (gcc and
# clang), and only x86-64 compilers know these flags.
ifeq ($(shell uname -m),x86_64)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CFLAGS ?= $(NO_AMX)
export CXXFLAGS ?= $(NO_AMX)
endif

.PHONY: setup run test lint package upgrade lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK) packaging/system-deps.sh
	bash packaging/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev,package]"
	touch $(STAMP)

run: setup
	$(BIN)/flywheel

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check app trainer tests bench packaging

package: setup
	bash packaging/build.sh

# The newest releases pyproject.toml allows (torch stays at TORCH_SPEC), into the venv only:
# the lock is unchanged until `make lock`.
upgrade: setup
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager "$(TORCH_SPEC)" -e ".[dev,package]"
	touch $(STAMP)

# Write what the venv holds to the lock, then run the whole suite and the packaging smoke
# test on it: commit packaging/constraints.txt only when both passed.
lock: setup
	$(BIN)/python packaging/lock.py
	touch $(STAMP)
	$(MAKE) test package

clean:
	rm -rf $(VENV)
