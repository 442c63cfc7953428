"""The on-disk store: written once after the build, opened read-only, answers like Store."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from rdflib import BNode

from graph import diskstore
from graph.diskstore import DiskStore, build_disk_store
from graph.errors import DataLoadError, QueryTimeout
from graph.queries import list_queries
from graph.store import Store


@pytest.fixture(scope="module")
def disk_build(built_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("disk") / "build"
    folder.mkdir()
    shutil.copy(built_dir / "aenc.nq", folder / "aenc.nq")
    build_disk_store(folder)
    return folder


@pytest.fixture(scope="module")
def memory(built_dir):
    store = Store.open(built_dir)
    yield store
    store.close()


def rows(result):
    """Rows as sorted tuples; GROUP_CONCAT joins values in no defined order: sort its parts."""
    return sorted(tuple(sorted((k, sorted(re.split(r", | \| ", v))) for k, v in r.items()))
                  for r in result.rows())


@pytest.mark.parametrize("named", list_queries(), ids=lambda q: q.name)
def test_answers_like_the_in_memory_store(disk_build, memory, named):
    disk = DiskStore.open(disk_build)
    bindings = named.bind({})
    assert rows(disk.query(named.text, bindings=bindings)) == rows(memory.query(named.text, bindings=bindings))


def test_same_graphs_sizes_and_union(disk_build, memory):
    disk = DiskStore.open(disk_build)
    assert disk.graph_names() == memory.graph_names()
    assert disk.graph_sizes() == memory.graph_sizes()
    assert len(disk) == len(memory)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert disk.query(count).rows() == memory.query(count).rows()
    asserted = ["https://w3id.org/aenc/graph/asserted"]
    assert disk.query(count, default_graph_uris=asserted).rows() == \
        memory.query(count, default_graph_uris=asserted).rows()


def test_reopens_without_rebuilding_and_in_several_processes(disk_build):
    first = DiskStore.open(disk_build, workers=1)
    second = DiskStore.open(disk_build, workers=1)
    try:
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        assert first.query(q, timeout=30).rows() == second.query(q, timeout=30).rows()
    finally:
        first.close()
        second.close()


def test_a_worker_on_disk_is_stopped_at_its_time_limit(disk_build):
    store = DiskStore.open(disk_build, workers=1)
    try:
        with pytest.raises(QueryTimeout):
            store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.5)
        assert store.query("ASK { ?s ?p ?o }", timeout=10).boolean()
    finally:
        store.close()


def test_refuses_a_store_older_than_the_build(disk_build, tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(disk_build, folder)
    stat = (folder / "aenc.nq").stat()
    os.utime(folder / "aenc.nq", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(DataLoadError, match="older than the build"):
        DiskStore.open(folder)


def test_missing_store_names_the_command(tmp_path):
    with pytest.raises(DataLoadError, match="python -m graph.diskstore"):
        DiskStore.open(tmp_path)


def test_selected_by_configuration(disk_build):
    from graph.remote import open_store
    store = open_store({"store": "disk", "build_dir": str(disk_build), "workers": 0})
    assert isinstance(store, DiskStore)
    assert store.query("ASK { ?s a <https://w3id.org/aenc/ont/Encounter> }").boolean()


def test_writing_the_store_says_each_step(built_dir, tmp_path):
    shutil.copy(built_dir / "aenc.nq", tmp_path / "aenc.nq")
    lines: list[str] = []
    build_disk_store(tmp_path, progress=lines.append)
    assert [line.split(" ")[1] for line in lines] == [
        "loading", f"{len(Store.open(built_dir)):,}", "union", "writing", "written"]
    assert "inferences included" in lines[3]


def test_a_query_without_a_graph_pattern_reads_the_union_copy(disk_build, monkeypatch):
    disk = DiskStore.open(disk_build)
    opened = []
    real = diskstore._read_only
    monkeypatch.setattr(diskstore, "_read_only", lambda path: opened.append(Path(path).name) or real(path))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert disk.query(count).rows()[0]["n"] == str(len(set(union_triples(disk_build))))
    assert disk.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").rows()
    disk.query(count, default_graph_uris=["https://w3id.org/aenc/graph/asserted"])
    disk.query("SELECT * FROM <https://w3id.org/aenc/graph/inferred> WHERE { ?s ?p ?o } LIMIT 1")
    assert opened == ["store-union", "store", "store", "store"]


def union_triples(build_dir):
    """Every triple of the build's aenc.nq, each once."""
    return {line.rsplit(" ", 2)[0] for line in (build_dir / "aenc.nq").read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def test_a_store_written_before_the_union_copy_still_answers(disk_build, memory, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(disk_build, folder)
    shutil.rmtree(folder / "store-union")
    meta = json.loads((folder / "store.json").read_text())
    del meta["union_store"]
    (folder / "store.json").write_text(json.dumps(meta))
    shutil.copystat(disk_build / "aenc.nq", folder / "aenc.nq")
    old = DiskStore.open(folder)
    for named in list_queries():
        bindings = named.bind({})
        assert rows(old.query(named.text, bindings=bindings)) == rows(memory.query(named.text, bindings=bindings))


def test_a_blank_node_from_one_answer_can_be_bound_in_the_next_query(disk_build):
    """The store and its union copy name blank nodes alike, whichever of them answers."""
    disk = DiskStore.open(disk_build)
    chain = disk.query("SELECT ?list WHERE { ?p <http://www.w3.org/2002/07/owl#propertyChainAxiom> ?list } "
                       "ORDER BY ?p LIMIT 1").bindings()
    assert chain and isinstance(chain[0]["list"], BNode)
    step = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
    on_union_copy = disk.query(f"SELECT ?list ?first WHERE {{ ?list {step} ?first }}", bindings=chain[0]).rows()
    in_its_graph = disk.query(f"SELECT ?list ?first WHERE {{ GRAPH ?g {{ ?list {step} ?first }} }}",
                              bindings=chain[0]).rows()
    assert on_union_copy == in_its_graph and len(on_union_copy) == 1
