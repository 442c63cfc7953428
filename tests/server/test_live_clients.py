"""Real clients against a live server (waitress in a subprocess, on 127.0.0.1): SPARQLWrapper,
rdflib's SPARQLStore and raw http.client."""
from __future__ import annotations

import csv
import http.client
import io
import socket
import threading
import time
from urllib.error import HTTPError
from urllib.parse import quote, urlparse

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import EX, REPORT_A, RUNAWAY, SIZES, UNION_SIZE

pytestmark = pytest.mark.live

LABELS = f"SELECT ?o WHERE {{ <{EX}s1> <{EX}label> ?o }}"


def wrapper(url: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", [None, POST], ids=["get", "post"])
def test_sparqlwrapper_json(live_url, method):
    doc = wrapper(live_url, LABELS, JSON, method).query().convert()
    assert doc["results"]["bindings"] == [{"o": {"type": "literal", "value": "Russia", "xml:lang": "en"}}]


def test_sparqlwrapper_xml(live_url):
    dom = wrapper(live_url, LABELS, XML).query().convert()
    literals = dom.getElementsByTagName("literal")
    assert [(n.firstChild.data, n.getAttribute("xml:lang")) for n in literals] == [("Russia", "en")]


def test_sparqlwrapper_csv(live_url):
    body = wrapper(live_url, f"SELECT ?p ?o {{ <{EX}s1> ?p ?o }} ORDER BY ?p", CSV).query().convert()
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["p", "o"] and [EX + "count", "2"] in rows


def test_sparqlwrapper_ask(live_url):
    assert wrapper(live_url, f"ASK {{ <{EX}s1> a <{EX}State> }}", JSON).query().convert()["boolean"] is True


def test_sparqlwrapper_construct_turtle(live_url):
    body = wrapper(live_url, f"CONSTRUCT {{ <{EX}s1> ?p ?o }} WHERE {{ <{EX}s1> ?p ?o }}", TURTLE).query().convert()
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(EX + "s1"), URIRef(EX + "label"), Literal("Russia", lang="en")) in g
    assert len(g) == 4


def test_sparqlwrapper_construct_default_rdfxml(live_url):
    g = wrapper(live_url, f"CONSTRUCT WHERE {{ <{EX}s1> <{EX}count> ?o }}", XML).query().convert()
    assert isinstance(g, Graph) and len(g) == 1


def test_sparqlwrapper_bad_query_raises_with_our_message(live_url):
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        wrapper(live_url, "SELECT * WHERE {", JSON).query()


def test_sparqlwrapper_refused_service_is_a_403_saying_why(live_url):
    with pytest.raises(HTTPError) as info:
        wrapper(live_url, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", JSON).query()
    assert info.value.code == 403 and b"SERVICE" in info.value.read()


def test_sparqlwrapper_timeout_is_a_503_saying_why(live_url):
    with pytest.raises(HTTPError) as info:
        wrapper(live_url, RUNAWAY, JSON).query()
    assert info.value.code == 503 and b"time limit of 2 s" in info.value.read()


@pytest.fixture(scope="module")
def sparqlstore_graph(live_url):
    store = SPARQLStore(live_url + "/sparql", returnFormat="xml")
    yield Graph(store=store)
    store.close()


def test_rdflib_sparqlstore_select(sparqlstore_graph):
    rows = list(sparqlstore_graph.query(LABELS))
    assert rows == [(Literal("Russia", lang="en"),)]


def test_rdflib_sparqlstore_triples_and_count(sparqlstore_graph):
    s1 = URIRef(EX + "s1")
    assert set(sparqlstore_graph.objects(s1, URIRef(EX + "label"))) == {Literal("Russia", lang="en")}
    assert len(list(sparqlstore_graph.triples((None, None, None)))) == 50  # the row cap of the live server


def test_rdflib_sparqlstore_ask_and_construct(sparqlstore_graph):
    assert sparqlstore_graph.query(f"ASK {{ <{EX}s1> ?p ?o }}").askAnswer is True
    g = sparqlstore_graph.query(f"CONSTRUCT WHERE {{ <{EX}s1> <{EX}count> ?o }}").graph
    assert list(g.objects()) == [Literal(2)]


def test_rdflib_sparqlstore_json_results(live_url):
    store = SPARQLStore(live_url + "/sparql", returnFormat="json")
    try:
        result = Graph(store=store).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(list(result)[0][0]) == UNION_SIZE
    finally:
        store.close()


# ---------------------------------------------------------------- raw HTTP

def raw(live_url: str, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    url = urlparse(live_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_gsp_get_of_a_named_graph(live_url):
    status, headers, body = raw(live_url, "GET", f"/graph-store?graph={quote(REPORT_A)}",
                                {"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == SIZES[REPORT_A]


def test_oversized_declared_body_is_413_before_reading(live_url):
    """The server answers from the Content-Length alone: the client may stop sending."""
    url = urlparse(live_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1100000\r\n\r\nASK {}")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_runaway_over_http_is_stopped_and_others_answered(live_url):
    outcome = {}

    def run_away():
        started = time.monotonic()
        outcome["status"] = raw(live_url, "GET", "/sparql?query=" + quote(RUNAWAY))[0]
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_away)
    thread.start()
    time.sleep(0.2)
    answers = [raw(live_url, "GET", "/sparql?query=" + quote("ASK {}"))[0] for _ in range(5)]
    thread.join(15)
    assert answers == [200] * 5
    assert outcome["status"] == 503 and 1.9 < outcome["seconds"] < 4.0
    assert raw(live_url, "GET", "/health")[0] == 200
