# The two commands a newcomer needs (see README.md): `make run` and `make test`.
PYTHON ?= python3
# extra pip arguments for torch, e.g. --index-url https://download.pytorch.org/whl/cpu where pip offers no CPU build
TORCH_PIP_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint bench sample

$(BIN)/sharekg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first, so nothing later pulls a multi-GB CUDA build: pip's own configuration decides where the CPU
	# build comes from (a local wheel folder on our machines); elsewhere set TORCH_PIP_ARGS (README).
	$(BIN)/pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/sharekg

setup: $(BIN)/sharekg

run: setup
	$(BIN)/sharekg ingest --sample
	$(BIN)/sharekg stats
	$(BIN)/sharekg serve

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "slow or not slow"

bench: setup
	$(BIN)/python benchmarks/ingest.py
