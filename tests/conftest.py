"""Fixtures shared by every test folder: the real curated graph, built once per session."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory) -> Path:
    """A build of the real curated data (ontology, reference, reports) in a temporary folder."""
    from graph.build import build
    path = tmp_path_factory.mktemp("build")
    build(path)
    return path


@pytest.fixture(scope="session")
def store(built_dir):
    """``graph.store.Store`` opened on the session build (imported lazily: the store is optional
    for tests that only need the build)."""
    store_module = importlib.import_module("graph.store")
    opened = store_module.Store.open(built_dir)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def ontology():
    """The project's ontology, parsed once (rdflib Graph)."""
    from graph.load import parse_turtle
    from graph.namespaces import ONTOLOGY_FILE
    return parse_turtle(ONTOLOGY_FILE)


@pytest.fixture(scope="session")
def shapes():
    """The project's SHACL shapes, parsed once (rdflib Graph)."""
    from graph.load import load_shapes
    return load_shapes()
