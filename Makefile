# Two commands set everything up: `make book` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export FSDD_DIR ?= $(abspath ../shared/data/fsdd-v1.0.10)

.PHONY: book test unit notebooks lint clean-notebooks clean env

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . -W -n --keep-going

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/pytest tests

notebooks: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider $$($(BIN)/python tools/toc.py)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests --doctest-modules mmteach
	$(MAKE) notebooks
	$(MAKE) book

clean-notebooks:
	$(BIN)/python tools/nbclean.py notebooks/*.ipynb

clean:
	rm -rf _build
