# Two commands for a newcomer: `make run` (set up, then open Flywheel) and `make test`.
# Set-up runs once: it is redone only when pyproject.toml or the system-deps script changes.
# GPU users: see README ("NVIDIA GPU") for TORCH_SPEC / TORCH_INDEX / CMAKE_ARGS.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.flywheel-setup
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup run test lint package clean

setup: $(STAMP)

$(STAMP): pyproject.toml packaging/system-deps.sh
	bash packaging/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: setup
	$(BIN)/flywheel

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check app trainer tests bench packaging

package: setup
	bash packaging/build.sh

clean:
	rm -rf $(VENV)
