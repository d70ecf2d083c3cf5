# Two commands set everything up: `make book` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLAB_VENV := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
LATEST_VENV := .venv-latest
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
# The Free Spoken Digit Dataset: tests and CI read the shared copy beside the repository when it
# is there (never committed); elsewhere mmteach.datasets.load_fsdd downloads and caches it.
FSDD_SHARED := $(abspath ../shared/data/fsdd-v1.0.10)
ifneq ($(wildcard $(FSDD_SHARED)/SHA256SUMS),)
export MMTEACH_FSDD ?= $(FSDD_SHARED)
endif

.PHONY: book book-zh pot i18n student-zh test env lint unit notebooks test-html browser bench test-colab test-latest student clean-notebooks clean

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## make book: execute every chapter once and build both editions: English into _build/html,
## Chinese into _build/html/zh_CN from the same execution cache (warnings fail either)
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/jupyter_execute _build/zh_CN
	$(BIN)/python tools/i18n.py extract
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/i18n.py build zh_CN

## make book-zh: the Chinese edition alone, from the execution cache of the last `make book`
book-zh: $(STAMP)
	$(BIN)/python tools/i18n.py build zh_CN

## make pot: extract the English messages and merge them into locale/*/LC_MESSAGES/*.po
## (new and changed sentences then wait for their translation)
pot: $(STAMP)
	$(BIN)/python tools/i18n.py update

## make i18n: every page of every translated edition is 100% translated (or listed as pending)
i18n: $(STAMP)
	$(BIN)/python tools/i18n.py check

## make test: lint, unit tests, translation coverage, the book in both editions (which executes
## every chapter once, failing on any error or warning), and the built HTML in a browser. nbval executes the chapters in
## `make test-colab` (Colab's versions) and `make test-latest`: each environment runs each
## chapter once.
test: $(STAMP)
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) i18n
	$(MAKE) book
	$(MAKE) test-html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python tools/nbclean.py --check notebooks/*.ipynb

unit: $(STAMP)
	$(BIN)/pytest tests --doctest-modules mmteach

notebooks: $(STAMP)
	$(BIN)/pytest --nbval-lax -p no:cacheprovider $$($(BIN)/python tools/toc.py)

# Debian's Chromium drives the browser tests; no browser is downloaded. A CJK font
# (fonts-wqy-zenhei) renders the Chinese edition.
browser:
	@{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } && \
	  { ! command -v fc-list >/dev/null 2>&1 || fc-list :lang=zh | grep -q . ; } || \
	  { command -v apt-get >/dev/null 2>&1 && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei; } ; } || \
	  { echo "Install Chromium and a CJK font (Debian/Ubuntu: apt-get install chromium fonts-wqy-zenhei) to run the browser tests"; exit 1; }

## make test-html: the built book in headless Chromium, its links and its run times (after make book)
test-html: $(STAMP) browser
	MMTEACH_HTML_TESTS=1 $(BIN)/pytest tests/html -p no:cacheprovider

## make bench: every chapter in a fresh kernel: wall time, peak memory, glued figures -> _build/bench.*
bench: $(STAMP)
	$(BIN)/python tools/bench.py

## make test-colab: mmteach's tests and every chapter with Colab's library versions
$(COLAB_STAMP): requirements-colab.txt pyproject.toml
	test -x $(COLAB_VENV)/bin/python || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet -r requirements-colab.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(COLAB_STAMP)

## (the chapters run here as their student editions: solutions removed, stubs answered with hints)
test-colab: $(COLAB_STAMP)
	$(COLAB_VENV)/bin/pytest tests -p no:cacheprovider
	rm -rf _build/student-colab
	$(COLAB_VENV)/bin/python tools/student.py --out _build/student-colab
	$(COLAB_VENV)/bin/pytest --nbval-lax -p no:cacheprovider _build/student-colab/*.ipynb

## make student: every chapter without its solutions, for students, in _build/student/
student: $(STAMP)
	rm -rf _build/student
	$(BIN)/python tools/student.py --out _build/student

## make student-zh: the same for a class of the Chinese edition: prose in Chinese, hints in Chinese
student-zh: $(STAMP)
	rm -rf _build/student-zh_CN _build/notebooks-zh_CN
	$(BIN)/python tools/i18n.py notebooks zh_CN --out _build/notebooks-zh_CN
	$(BIN)/python tools/student.py --out _build/student-zh_CN _build/notebooks-zh_CN/*.ipynb

## make test-latest: the newest release of every dependency, unpinned (the weekly workflow)
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -r requirements-latest.txt
	$(LATEST_VENV)/bin/python -m pip install --quiet -e .
	$(LATEST_VENV)/bin/python -m pip list 2>/dev/null | grep -iE "^(tensorflow|keras|numpy|pandas|scikit-learn|matplotlib) "
	$(LATEST_VENV)/bin/pytest tests -p no:cacheprovider
	$(LATEST_VENV)/bin/pytest --nbval-lax -p no:cacheprovider $$($(LATEST_VENV)/bin/python tools/toc.py)

clean-notebooks:
	$(BIN)/python tools/nbclean.py notebooks/*.ipynb

clean:
	rm -rf _build
