# Every target that runs code depends on `install`, so each works as the first command on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CONFIG ?= configs/mlp.yaml
BENCH_ARGS ?=

.PHONY: install test lint train bench clean conformance size

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(PY) -m pytest -n 2

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

train: install
	$(VENV)/bin/vinsgrad train $(CONFIG)

bench: install
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# The differential harness against real PyTorch (issue 13), in its own venv so torch never touches `make test`.
CONF_VENV := .venv-conformance
conformance:
	test -x $(CONF_VENV)/bin/python || $(PYTHON) -m venv $(CONF_VENV)
	$(CONF_VENV)/bin/pip install --quiet torch==2.13.0 pytest pytest-xdist
	$(CONF_VENV)/bin/pip install --quiet -e .
	-$(CONF_VENV)/bin/python -m pytest tests/conformance -n 2 -q -rN --tb=no -p no:cacheprovider

# Lines per package; fails if the autograd core outgrows its budget (benchmarks/size.py). Needs no install.
size:
	$(PYTHON) benchmarks/size.py
