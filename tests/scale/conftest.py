"""Fixtures of the scale tests: the ontology, the curated data and small generated graphs."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:      # bench/ is a folder of scripts, importable from the root
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402


def union_of(nquads: bytes) -> Graph:
    """Every triple of an N-Quads document whose quads all name a graph, as one rdflib graph."""
    lines = [line.rsplit(" ", 2)[0] + " ." for line in nquads.decode("utf-8").splitlines() if line]
    return Graph().parse(data="\n".join(lines), format="nt")


@pytest.fixture(scope="session")
def curated() -> Graph:
    """The curated asserted data (reference + every report), as one graph."""
    from graph.load import load
    return load().asserted()


@pytest.fixture(scope="session")
def reference() -> Graph:
    """The curated reference entities alone (states, units, aircraft, places)."""
    from graph.load import DATA_DIR, parse_turtle
    return parse_turtle(DATA_DIR / "reference.ttl")


@pytest.fixture(scope="session")
def synthetic_small():
    """A small generated dataset (the generator's output object)."""
    return generate(120, seed=7)


@pytest.fixture(scope="session")
def synthetic_small_graph(synthetic_small) -> Graph:
    return union_of(synthetic_small.nquads())


@pytest.fixture(scope="session")
def synthetic_1k_graph() -> Graph:
    """1,000 generated encounters (seed 1) as one graph: the size the owlrl comparison uses."""
    return union_of(generate(1000, seed=1).nquads())
