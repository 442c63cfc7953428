"""graph.remote against a real Oxigraph server started here on 127.0.0.1 (`oxigraph serve`)."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.errors import ParameterError, QueryRefused, QuerySyntaxError, StoreError
from graph.queries import list_queries
from graph.remote import RemoteStore, open_store
from graph.store import Store

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not Path(OXIGRAPH).exists(),
                       reason="the oxigraph CLI is not installed (pip install oxigraph)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server():
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def local(built_dir):
    store = Store.open(built_dir)
    yield store
    store.close()


@pytest.fixture(scope="module")
def remote(oxigraph_server, built_dir):
    store = RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update",
                        gsp_url=f"{oxigraph_server}/store")
    store.load_build(built_dir)
    return store


def test_holds_the_graphs_of_the_build(remote, local):
    assert remote.graph_names() == local.graph_names()


@pytest.mark.parametrize("named", list_queries(), ids=lambda q: q.name)
def test_named_queries_answer_as_the_embedded_store(remote, local, named):
    bindings = named.bind({})
    here = local.query(named.text, bindings=bindings)
    there = remote.query(named.text, bindings=bindings)
    assert there.variables == here.variables
    # GROUP_CONCAT joins values in no defined order: compare its parts as sets
    def cells(result):
        return sorted(tuple(sorted((k, sorted(re.split(r", | \| ", v))) for k, v in row.items()))
                      for row in result.rows())
    assert cells(there) == cells(here)
    assert len(there.rows()) == len(here.rows())


def test_default_graph_is_the_union_and_asserted_leaves_out_inferences(remote, local):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.query(q).rows() == local.query(q).rows()
    # the asserted graphs as the default graph: Oxigraph repeats a triple two graphs hold
    # (SPARQL says their merge), so count distinct triples
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    asserted = "https://w3id.org/aenc/graph/asserted"
    in_remote = remote.query(distinct, default_graph_uris=[asserted]).rows()
    assert in_remote == local.query(distinct, default_graph_uris=[asserted]).rows()
    assert int(in_remote[0]["n"]) < int(remote.query(q).rows()[0]["n"])


def test_ask_construct_and_formats(remote):
    assert remote.query("ASK { ?s a <https://w3id.org/aenc/ont/Encounter> }").boolean() is True
    graph = remote.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5")
    assert graph.kind == "graph" and len(graph.triples()) == 5
    body = json.loads(remote.query("SELECT ?g WHERE { GRAPH ?g {} } LIMIT 2").serialize(
        "application/sparql-results+json"))
    assert len(body["results"]["bindings"]) == 2


def test_max_rows_cuts_and_says_so(remote):
    result = remote.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=3)
    assert result.truncated and len(result.rows()) == 3


def test_service_is_refused_before_anything_is_sent(remote):
    with pytest.raises(QueryRefused):
        remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_syntax_errors_name_line_and_column(remote):
    with pytest.raises(QuerySyntaxError) as err:
        remote.query("SELECT ?s WHERE {\n  ?s ?p }")
    assert err.value.line == 2


def test_loading_again_replaces_and_drops_stale_graphs(oxigraph_server, built_dir, tmp_path):
    store = RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update")
    extra = tmp_path / "build"
    extra.mkdir()
    nq = (Path(built_dir) / "aenc.nq").read_text(encoding="utf-8")
    (extra / "aenc.nq").write_text(nq + "<urn:x> <urn:p> <urn:y> <urn:stale> .\n", encoding="utf-8")
    store.load_build(extra)
    assert "urn:stale" in store.graph_names()
    store.load_build(built_dir)           # SPARQL Update path this time
    assert "urn:stale" not in RemoteStore(f"{oxigraph_server}/query").graph_names()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert store.query(count).rows()[0]["n"] == str(nq.count("\n"))


def test_unreachable_endpoint_is_a_store_error():
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2)
    with pytest.raises(StoreError, match="cannot be reached"):
        store.query("ASK {}")


def test_selected_by_configuration_only(oxigraph_server, built_dir):
    store = open_store({"store": "remote", "remote_query_url": f"{oxigraph_server}/query"})
    assert isinstance(store, RemoteStore)
    assert isinstance(open_store({"store": "memory", "build_dir": str(built_dir), "workers": 0}), Store)
    with pytest.raises(ParameterError, match="memory, disk, remote"):
        open_store({"store": "cloud"})
