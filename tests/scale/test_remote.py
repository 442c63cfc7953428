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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from graph.errors import NotFound, ParameterError, QueryRefused, QuerySyntaxError, StoreError
from graph.queries import list_queries
from graph.remote import RemoteStore, open_store
from graph.store import Store
from server import create_app

ROOT = Path(__file__).resolve().parents[2]

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
pytestmark = pytest.mark.live


def require_oxigraph() -> None:
    """The `oxigraph` CLI is a test dependency (setup.cfg, extra `test`): without it the setup is
    broken, and these tests fail saying how to mend it rather than skip."""
    if not Path(OXIGRAPH).exists():
        pytest.fail("the oxigraph CLI (Oxigraph server) is missing: pip install -e '.[test]' (or `make test`)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_oxigraph() -> tuple[subprocess.Popen, str]:
    """`oxigraph serve` (in memory) on 127.0.0.1:<free port>, once it answers; (process, base URL)."""
    require_oxigraph()
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def oxigraph_server():
    proc, url = start_oxigraph()
    try:
        yield url
    finally:
        stop(proc)


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
    assert remote.graph_sizes() == local.graph_sizes()
    assert len(remote) == len(local)
    assert remote.workers_idle() is None and remote.source.endswith("/query")


def test_whole_graphs_and_the_dataset_as_the_embedded_store_writes_them(remote, local):
    for name in local.graph_names() + ["default", "https://w3id.org/aenc/graph/asserted"]:
        there = Graph().parse(data=remote.serialize_graph(name, "application/n-triples"), format="nt")
        here = Graph().parse(data=local.serialize_graph(name, "application/n-triples"), format="nt")
        assert isomorphic(there, here), name
    assert graphs_of(remote.serialize_dataset("application/trig")) == graphs_of(
        local.serialize_dataset("application/trig"))
    with pytest.raises(NotFound, match="no graph urn:nope"):
        remote.serialize_graph("urn:nope", "text/turtle")
    with pytest.raises(ParameterError):
        remote.serialize_graph(remote.graph_names()[0], "text/csv")


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


STALE = "https://w3id.org/aenc/graph/report/stale"
FOREIGN = "<urn:someone:s> <urn:someone:p> \"kept\""
ENCOUNTERS = "PREFIX aenc: <https://w3id.org/aenc/ont/> SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a aenc:Encounter }"


@pytest.fixture
def shared_oxigraph():
    """An Oxigraph server that already holds someone else's named graph and default-graph triple."""
    proc, url = start_oxigraph()
    try:
        post(f"{url}/update", f"INSERT DATA {{ {FOREIGN} . GRAPH <urn:someone:graph> {{ {FOREIGN} }} }}")
        yield url
    finally:
        stop(proc)


def post(url: str, update: str) -> None:
    request = urllib.request.Request(url, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=10).read()


def foreign_kept(url: str) -> tuple[bool, bool]:
    plain = RemoteStore(f"{url}/query")
    return (plain.query(f"ASK {{ {FOREIGN} }}").boolean(),
            plain.query(f"ASK {{ GRAPH <urn:someone:graph> {{ {FOREIGN} }} }}").boolean())


@pytest.mark.parametrize("via", ["update", "gsp"])
def test_loading_leaves_other_graphs_and_lists_only_aencs(shared_oxigraph, built_dir, local, via):
    url = shared_oxigraph
    if via == "gsp":   # someone else's default-graph triple would be lost: refused, nothing changed
        post(f"{url}/update", f"DELETE DATA {{ {FOREIGN} }}")
    store = RemoteStore(f"{url}/query", update_url=f"{url}/update" if via == "update" else None,
                        gsp_url=f"{url}/store" if via == "gsp" else None)
    store.load_build(built_dir)
    store.load_build(built_dir)                      # again: the previous copy of the union is replaced
    assert store.graph_names() == local.graph_names() and "urn:someone:graph" not in store.graph_names()
    assert foreign_kept(url) == (via == "update", True)
    assert store.query(ENCOUNTERS).rows() == local.query(ENCOUNTERS).rows() == [{"n": "10"}]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(store.query(count).rows()[0]["n"]) == int(local.query(count).rows()[0]["n"]) + (via == "update")


def test_graph_store_alone_refuses_to_replace_someone_elses_default_graph(shared_oxigraph, built_dir):
    store = RemoteStore(f"{shared_oxigraph}/query", gsp_url=f"{shared_oxigraph}/store")
    with pytest.raises(StoreError, match="nothing was changed") as caught:
        store.load_build(built_dir)
    assert "remote_update_url" in caught.value.hint
    assert store.graph_names() == [] and foreign_kept(shared_oxigraph) == (True, True)


def test_loading_a_graph_outside_aencs_namespace_is_refused(oxigraph_server):
    store = RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update")
    quad = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c"), ox.NamedNode("urn:g"))
    with pytest.raises(ParameterError, match="not one of aenc's"):
        store.load_quads([quad])


def test_loading_again_replaces_and_drops_stale_graphs(oxigraph_server, built_dir, tmp_path):
    store = RemoteStore(f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update")
    extra = tmp_path / "build"
    extra.mkdir()
    nq = (Path(built_dir) / "aenc.nq").read_text(encoding="utf-8")
    (extra / "aenc.nq").write_text(nq + f"<urn:x> <urn:p> <urn:y> <{STALE}> .\n", encoding="utf-8")
    watcher = RemoteStore(f"{oxigraph_server}/query", refresh_seconds=0)   # reads the graph list each time
    served = create_app(SERVE, store=watcher).test_client()
    before = watcher.generation
    assert STALE.encode() not in served.get("/dump").data
    store.load_build(extra)
    assert STALE in store.graph_names()
    assert STALE in watcher.graph_names() and watcher.generation != before
    assert STALE.encode() in served.get("/dump").data        # the server's cached dump follows the store
    store.load_build(built_dir)           # SPARQL Update path this time
    assert STALE not in RemoteStore(f"{oxigraph_server}/query").graph_names()
    assert STALE.encode() not in served.get("/dump").data
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


# -- aenc's HTTP server in front of the remote store --------------------------------------------

SERVE = {"rate_limit": 0, "max_rows": 10000, "query_timeout": 10.0}
ENCOUNTER = "https://w3id.org/aenc/ont/Encounter"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def graphs_of(data: bytes, fmt: str = "trig") -> dict[str, frozenset]:
    """Each named graph of a dataset as a canonical set of triples (blank nodes relabelled)."""
    from rdflib.compare import to_canonical_graph
    dataset = Dataset()
    dataset.parse(data=data, format=fmt)
    return {str(g.identifier): frozenset(to_canonical_graph(g)) for g in dataset.graphs() if len(g)}


@pytest.fixture(scope="module")
def served(remote, oxigraph_server):
    """aenc's app opened on the remote by configuration only (store = remote)."""
    return create_app({**SERVE, "store": "remote", "remote_query_url": f"{oxigraph_server}/query"}).test_client()


@pytest.fixture(scope="module")
def served_here(local):
    """The same app over the embedded store, to compare with."""
    return create_app(SERVE, store=local).test_client()


def bindings(response) -> list[str]:
    assert response.status_code == 200, response.data
    return sorted(json.dumps(row, sort_keys=True) for row in response.get_json()["results"]["bindings"])


def same_rdf(there, here, fmt: str = "turtle") -> bool:
    assert there.status_code == here.status_code == 200, there.data[:300]
    return isomorphic(Graph().parse(data=there.data, format=fmt), Graph().parse(data=here.data, format=fmt))


def test_health_says_the_store_is_remote(served, local, oxigraph_server):
    health = served.get("/health")
    assert health.status_code == 200
    assert health.get_json() | {"uptime_seconds": 0} == {
        "status": "ok", "store": "remote", "source": f"{oxigraph_server}/query", "triples": len(local),
        "graphs": len(local.graph_names()), "workers_idle": None, "uptime_seconds": 0}
    metrics = served.get("/metrics").data.decode()
    assert f"aenc_store_triples {len(local)}" in metrics and "aenc_workers_idle" not in metrics


@pytest.mark.parametrize("query", [
    f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a <{ENCOUNTER}> }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/aenc/ont/State> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/aenc/graph/asserted> "
    "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
], ids=["encounters", "union", "states", "graph-sizes", "asserted-from"])
def test_sparql_selects_answer_as_the_embedded_store(served, served_here, query):
    there = served.get("/sparql", query_string={"query": query}, headers=JSON_RESULTS)
    assert bindings(there) == bindings(served_here.get("/sparql", query_string={"query": query},
                                                       headers=JSON_RESULTS))


def test_sparql_protocol_formats_and_dataset_over_the_remote(served, served_here):
    ask = served.post("/sparql", data=f"ASK {{ ?e a <{ENCOUNTER}> }}",
                      headers={"Content-Type": "application/sparql-query", **JSON_RESULTS})
    assert ask.get_json()["boolean"] is True
    count = f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a <{ENCOUNTER}> }}"
    csv = served.post("/sparql", data={"query": count}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.content_type.startswith("text/csv")
    assert csv.data == served_here.post("/sparql", data={"query": count}, headers={"Accept": "text/csv"}).data
    construct = {"query": f"CONSTRUCT {{ ?e a <{ENCOUNTER}> }} WHERE {{ ?e a <{ENCOUNTER}> }}"}
    assert same_rdf(served.get("/sparql", query_string=construct, headers={"Accept": "text/turtle"}),
                    served_here.get("/sparql", query_string=construct, headers={"Accept": "text/turtle"}))
    unknown = served.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "urn:nope"},
                         headers=JSON_RESULTS)
    assert unknown.get_json()["boolean"] is False and "urn:nope" in unknown.headers["X-AENC-Warning"]
    capped = create_app({**SERVE, "max_rows": 5}, store=served.application.extensions["aenc"].store).test_client()
    cut = capped.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON_RESULTS)
    assert cut.headers["X-AENC-Truncated"] == "true" and len(cut.get_json()["results"]["bindings"]) == 5
    syntax = served.get("/sparql", query_string={"query": "SELECT ?s WHERE {\n ?s ?p }"},
                        headers={"Accept": "application/json"})
    assert syntax.status_code == 400 and "line 2" in syntax.get_json()["error"]["message"]


@pytest.mark.parametrize("named", list_queries(), ids=lambda q: q.name)
def test_named_queries_over_http_answer_as_the_embedded_store(served, served_here, named):
    def cells(response):
        assert response.status_code == 200, response.data
        rows = [{k: v["value"] for k, v in row.items()} for row in response.get_json()["results"]["bindings"]]
        # GROUP_CONCAT joins values in no defined order: compare its parts as sets
        return sorted(tuple(sorted((k, sorted(re.split(r", | \| ", v))) for k, v in row.items())) for row in rows)
    path = f"/queries/{named.name}"
    assert cells(served.get(path, headers=JSON_RESULTS)) == cells(served_here.get(path, headers=JSON_RESULTS))


def test_graphs_and_dumps_are_the_embedded_stores(served, served_here, local):
    report = next(g for g in local.graph_names() if "/graph/report/" in g)
    path = "/graph/" + report.split("/graph/", 1)[1]
    assert same_rdf(served.get(path, headers={"Accept": "text/turtle"}),
                    served_here.get(path, headers={"Accept": "text/turtle"}))
    for query in ("graph=https://w3id.org/aenc/graph/inferred", "default",
                  "graph=https://w3id.org/aenc/graph/asserted"):
        there = served.get(f"/graph-store?{query}", headers={"Accept": "application/n-triples"})
        here = served_here.get(f"/graph-store?{query}", headers={"Accept": "application/n-triples"})
        assert same_rdf(there, here, "nt"), query
    missing = served.get("/graph-store?graph=urn:nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["kind"] == "not-found"
    for media_type, fmt in (("application/trig", "trig"), ("application/n-quads", "nquads")):
        there = served.get("/dump", headers={"Accept": media_type})
        assert there.status_code == 200 and there.content_type.startswith(media_type)
        assert graphs_of(there.data, fmt) == graphs_of(served_here.get("/dump", headers={"Accept": media_type}).data,
                                                       fmt)
    assert same_rdf(served.get("/dump", headers={"Accept": "text/turtle"}),
                    served_here.get("/dump", headers={"Accept": "text/turtle"}))


def test_linked_data_pages_void_and_service_description(served, served_here, local):
    encounter = local.query(f"SELECT ?e WHERE {{ ?e a <{ENCOUNTER}> }} ORDER BY ?e LIMIT 1").rows()[0]["e"]
    path = "/id/" + encounter.split("/id/", 1)[1]
    for route in (path, "/id/state/russia", "/ont/Encounter", "/void", "/sparql"):
        assert same_rdf(served.get(route, headers={"Accept": "text/turtle"}),
                        served_here.get(route, headers={"Accept": "text/turtle"})), route
    for route in ("/", path, "/ont/", "/graph/inferred"):
        page = served.get(route, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.content_type.startswith("text/html"), route
    assert served.get("/id/nothing/here", headers={"Accept": "text/turtle"}).status_code == 404


def test_updates_and_service_are_refused_before_reaching_the_remote(served, remote, monkeypatch):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = remote.query(count).rows()
    sent = []
    store = served.application.extensions["aenc"].store
    monkeypatch.setattr(store, "_send", lambda *args, **kwargs: sent.append(args) or pytest.fail("sent"))
    insert = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    refusals = [
        served.post("/sparql", data=insert, headers={"Content-Type": "application/sparql-update"}),
        served.post("/sparql", data={"update": "DROP ALL"}),
        served.get("/sparql", query_string={"query": insert}),
        served.post("/sparql", data={"query": "LOAD <http://127.0.0.1:9/data.nt>"}),
        served.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals)
    assert served.put("/graph-store?graph=urn:x", data="<urn:a> <urn:b> <urn:c> .").status_code == 405
    assert sent == []
    monkeypatch.undo()
    assert remote.query(count).rows() == before


def test_a_remote_that_goes_down_gives_clear_503s(built_dir, local):
    proc, url = start_oxigraph()
    try:
        RemoteStore(f"{url}/query", gsp_url=f"{url}/store").load_build(built_dir)
        client = create_app({**SERVE, "store": "remote", "remote_query_url": f"{url}/query"}).test_client()
        assert client.get("/health").status_code == 200
    finally:
        stop(proc)
    report = next(g for g in local.graph_names() if "/graph/report/" in g)
    for route in ("/health", "/sparql?query=ASK%20%7B%7D", "/queries/encounters", f"/graph-store?graph={report}",
                  "/dump", "/id/state/russia", "/void"):
        answer = client.get(route, headers={"Accept": "application/json"})
        assert answer.status_code == 503, route
        error = answer.get_json()["error"]
        assert error["kind"] == "store" and "cannot be reached" in error["message"], route
    plain = client.get("/sparql?query=ASK%20%7B%7D")           # a SPARQL client gets text, still no traceback
    assert plain.status_code == 503 and plain.data.startswith(b"the remote SPARQL endpoint")
    assert client.get("/metrics").status_code == 200           # the last known sizes


def test_a_remote_at_a_wrong_url_says_which_setting(oxigraph_server):
    client = create_app({**SERVE, "store": "remote",
                         "remote_query_url": f"{oxigraph_server}/not-the-endpoint"}).test_client()
    answer = client.get("/sparql?query=ASK%20%7B%7D", headers={"Accept": "application/json"})
    assert answer.status_code == 503
    assert "404" in answer.get_json()["error"]["message"] and "remote_query_url" in answer.get_json()["error"]["hint"]
    assert client.get("/health").status_code == 503


def test_a_remote_that_does_not_answer_in_time_is_a_query_timeout():
    silent = socket.socket()                   # accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        client = create_app({**SERVE, "store": "remote", "remote_query_url": url, "query_timeout": 1.0}).test_client()
        started = time.monotonic()
        answer = client.get("/sparql?query=ASK%20%7B%7D", headers={"Accept": "application/json"})
        assert answer.status_code == 503 and answer.get_json()["error"]["kind"] == "query-timeout"
        assert time.monotonic() - started < 5
    finally:
        silent.close()


def test_server_py_serves_a_remote_store(remote, oxigraph_server, local):
    def start(*args):
        proc = subprocess.Popen([sys.executable, str(ROOT / "server.py"), "--port", "0", "--rate-limit", "0",
                                 "--store", "remote", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        match = re.search(r" on (http://127\.0\.0\.1:\d+/)", line)
        if not match:
            stop(proc)
            pytest.fail(f"server did not start: {line}{proc.stderr.read()}")
        return proc, line, match.group(1)

    def get(url):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=JSON_RESULTS), timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    proc, line, base = start("--remote-query-url", f"{oxigraph_server}/query")
    try:
        assert f"serving {oxigraph_server}/query ({len(local)} quads" in line
        assert get(base + "health")[1]["store"] == "remote"
        query = urllib.parse.quote(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a <{ENCOUNTER}> }}")
        status, body = get(base + "sparql?query=" + query)
        assert status == 200 and body["results"]["bindings"][0]["n"]["value"] == "10"
    finally:
        stop(proc)
    # a remote that is not up yet: the server starts, says so, and /health answers 503 until it is
    proc, line, base = start("--remote-query-url", f"http://127.0.0.1:{free_port()}/query")
    try:
        assert "not reachable yet" in line
        status, body = get(base + "health")
        assert status == 503 and body["error"]["kind"] == "store"
    finally:
        stop(proc)
