# The two commands of aenc: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test build setup clean

# A virtual environment with aenc installed (editable) and the test tools.
$(BIN)/aenc: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/aenc

setup: $(BIN)/aenc

build: setup
	$(BIN)/aenc build

# Build the graph, then serve it on 127.0.0.1 (stop with Ctrl-C).
run: build
	$(BIN)/aenc serve

test: setup
	$(BIN)/pytest -q

clean:
	rm -rf build
