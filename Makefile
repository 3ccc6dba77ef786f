# coprod workbook: the project's doors. `make run` and `make test` are all a new user needs.
# A virtual environment is made in .venv with plain pip (no conda needed) from the pinned
# requirements.lock; every target below runs inside it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SANITIZE := notebooks/nbval_sanitize.cfg
JOBS   ?=

.PHONY: help setup run test lint unit nbval lab bench notebooks demo lock clean

help:
	@echo "make run        install if needed, then run every notebook on the demo -> reports/demo/index.html"
	@echo "make test       install if needed, lint, unit tests and nbval regression checks"
	@echo "make lab        JupyterLab on notebooks/"
	@echo "make notebooks  re-execute the notebooks in place (after an intended change of outputs)"
	@echo "make bench      run the benchmarks and print their table"
	@echo "make demo       regenerate data/demo/ and data/demo2/ from their seeds"
	@echo "make lock       re-resolve requirements.lock from pyproject.toml"
	@echo "make clean      remove generated reports and caches"

setup: $(STAMP)

# Re-installs only when pyproject.toml or the lock changed; otherwise make does nothing.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements.lock -e '.[test,cluster]'
	@touch $(STAMP)

run: setup
	$(BIN)/coprod run $(if $(JOBS),--jobs $(JOBS))

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

unit: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q --doctest-modules src/coprodlib tests

nbval: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with $(SANITIZE) notebooks/

test: lint unit nbval

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

notebooks: setup
	$(BIN)/coprod notebooks

bench: setup
	$(BIN)/python benchmarks/run.py

demo: setup
	$(BIN)/coprod demo --to data/demo
	$(BIN)/coprod demo --study second --to data/demo2

# Re-resolve the pins in a throw-away environment, then write them to requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[test,cluster]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lock-venv
	@echo "requirements.lock updated; update the pins in environment.yml to match (tests check it)"

clean:
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
