# Developer entry points. `make run` installs everything into .venv/ and starts the app;
# `make test` runs the whole test suite with the linters.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install test lint bench clean

run: install
	$(BIN)/amc-photo-search

FACE_MODEL := resources/faces/face_embedder.onnx

install: $(STAMP) $(FACE_MODEL)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The face models are fetched, not committed (over the repository's size rule): only when missing.
$(FACE_MODEL): | $(STAMP)
	$(BIN)/python -m amc_core.build.face_models --fetch

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
