"""Stage 5: every export format, deterministic to the byte, and parseable back whole."""
from __future__ import annotations

import json

import pytest
from rdflib import BNode, Dataset, Graph

from graph.build import NQUADS_NAME, STATS_NAME, build
from graph.errors import ParameterError
from graph.export import FORMATS, export_format, serialize
from graph.load import load
from graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, report_graph
from graph.reason import reason

from .conftest import write_data


def _mini_dataset(root) -> Dataset:
    """A fresh load + reasoning of the mini data: new blank node ids every time."""
    loaded = load(root)
    inferred = reason(loaded.ontology, loaded.asserted())
    target = loaded.dataset.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
    return loaded.dataset


@pytest.fixture(scope="module")
def mini_root(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("export-data"))


@pytest.fixture(scope="module")
def mini_dataset(mini_root) -> Dataset:
    return _mini_dataset(mini_root)


def _count(dataset: Dataset, *, asserted_only=False) -> int:
    return len({t for g in dataset.graphs() if len(g) and not (asserted_only and g.identifier == INFERRED_GRAPH)
                for t in g})


def _parse_back(data: bytes, name: str):
    spec = FORMATS[name]
    if spec.quads:
        parsed = Dataset()
        parsed.parse(data=data, format=spec.rdflib_format)
        return parsed, sum(len(g) for g in parsed.graphs())
    parsed = Graph().parse(data=data, format=spec.rdflib_format)
    return parsed, len(parsed)


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("asserted_only", [False, True], ids=["with-inferences", "asserted-only"])
def test_every_format_parses_back_whole(mini_dataset, name, asserted_only):
    data = serialize(mini_dataset, name, asserted_only=asserted_only)
    _, count = _parse_back(data, name)
    if FORMATS[name].quads:
        expected = sum(len(g) for g in mini_dataset.graphs()
                       if not (asserted_only and g.identifier == INFERRED_GRAPH))
    else:
        expected = _count(mini_dataset, asserted_only=asserted_only)
    assert count == expected > 1000


@pytest.fixture(scope="module")
def mini_dataset_again(mini_root) -> Dataset:
    return _mini_dataset(mini_root)


@pytest.mark.parametrize("name", list(FORMATS))
def test_same_bytes_from_two_independent_loads(mini_dataset, mini_dataset_again, name):
    again = mini_dataset_again
    assert any(isinstance(s, BNode) for s, _, _ in again.graph(REFERENCE_GRAPH))
    assert serialize(mini_dataset, name) == serialize(again, name)


def test_named_graphs_survive_in_quad_formats(mini_dataset):
    parsed, _ = _parse_back(serialize(mini_dataset, "trig"), "trig")
    names = {g.identifier for g in parsed.graphs() if len(g)}
    assert names == {ONTOLOGY_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH, report_graph("mini-one")}
    parsed, _ = _parse_back(serialize(mini_dataset, "nquads", asserted_only=True), "nquads")
    assert INFERRED_GRAPH not in {g.identifier for g in parsed.graphs() if len(g)}


def test_nquads_and_ntriples_are_sorted_lines(mini_dataset):
    for name in ("nquads", "ntriples"):
        lines = serialize(mini_dataset, name).decode("utf-8").splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_jsonld_is_stable_json(mini_dataset):
    data = json.loads(serialize(mini_dataset, "jsonld"))
    assert data == json.loads(serialize(mini_dataset, "jsonld"))


def test_blank_node_shared_across_graphs_keeps_one_label(mini_root):
    """A blank node described in two graphs stays one node (one label) in N-Quads."""
    dataset = _mini_dataset(mini_root)
    geometry, p, o = next((s, p, o) for s, p, o in dataset.graph(REFERENCE_GRAPH) if isinstance(s, BNode))
    dataset.graph(report_graph("mini-one")).add((geometry, p, o))
    parsed, _ = _parse_back(serialize(dataset, "nquads"), "nquads")
    in_reference = {s for s in parsed.graph(REFERENCE_GRAPH).subjects() if isinstance(s, BNode)}
    in_report = {s for s in parsed.graph(report_graph("mini-one")).subjects() if isinstance(s, BNode)}
    assert len(in_reference & in_report) == 1


def test_unknown_format_names_the_choices():
    with pytest.raises(ParameterError, match="choose one of turtle, trig, ntriples, nquads, jsonld"):
        export_format("rdfxml")
    assert export_format("ttl").name == "turtle" and export_format("nq").name == "nquads"


def test_build_writes_nquads_and_stats(tmp_path, mini_root):
    stats = build(tmp_path / "b", mini_root)
    nquads = (tmp_path / "b" / NQUADS_NAME).read_bytes()
    assert json.loads((tmp_path / "b" / STATS_NAME).read_text()) == stats
    assert stats["encounters"] == 1 and stats["reports"] == 1
    assert stats["triples_inferred"] == stats["graphs"][str(INFERRED_GRAPH)] > 100
    assert stats["triples_asserted"] + stats["triples_inferred"] == len(nquads.splitlines())
    assert set(stats["seconds"]) == {"load", "qc", "validate", "reason", "write", "total"}
    build(tmp_path / "again", mini_root)
    assert (tmp_path / "again" / NQUADS_NAME).read_bytes() == nquads


def test_real_build_is_deterministic(built_dir, tmp_path):
    build(tmp_path)
    assert (tmp_path / NQUADS_NAME).read_bytes() == (built_dir / NQUADS_NAME).read_bytes()


def test_real_build_stats(built_dir):
    stats = json.loads((built_dir / STATS_NAME).read_text())
    assert stats["reports"] == 5
    assert stats["encounters"] >= 10
    assert stats["triples_asserted"] > 1500 and stats["triples_inferred"] > 500
    assert set(stats["graphs"]) == {str(ONTOLOGY_GRAPH), str(REFERENCE_GRAPH), str(INFERRED_GRAPH)} | {
        g for g in stats["graphs"] if g.startswith("https://w3id.org/aenc/graph/report/")}
    assert len(stats["graphs"]) == 3 + stats["reports"]
