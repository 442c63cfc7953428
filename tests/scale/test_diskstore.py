"""The on-disk store: written once after the build, opened read-only, answers like Store."""
from __future__ import annotations

import os
import re
import shutil

import pytest

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
    assert [line.split(" ")[1] for line in lines] == ["loading", f"{len(Store.open(built_dir)):,}", "union"]
    assert lines[-1].endswith("compacting")
