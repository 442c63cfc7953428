"""Route x method x status, with the Flask test client: the SPARQL 1.1 Protocol's rules, the
read-only Graph Store, dumps, operations routes and named queries."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from conftest import ASSERTED, EX, INFERRED, REPORT_A, SIZES, UNION_SIZE

ASK = quote("ASK {}")
SELECT = quote("SELECT * { ?s ?p ?o }")
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"

ROUTES = [
    # SPARQL 1.1 Query Protocol: the three ways to send a query
    pytest.param("GET", f"/sparql?query={ASK}", {}, 200, id="get-query"),
    pytest.param("HEAD", f"/sparql?query={ASK}", {}, 200, id="head-query"),
    pytest.param("POST", "/sparql", {"data": f"query={ASK}", "content_type": FORM}, 200, id="post-form"),
    pytest.param("POST", "/sparql", {"data": "ASK {}", "content_type": DIRECT}, 200, id="post-direct"),
    pytest.param("POST", "/sparql", {"data": "ASK {}", "content_type": DIRECT + "; charset=UTF-8"}, 200,
                 id="post-direct-utf8-charset"),
    pytest.param("GET", "/sparql/?query=" + ASK, {}, 200, id="trailing-slash"),
    pytest.param("GET", "/sparql", {}, 200, id="no-query-is-service-description"),
    # protocol misuse
    pytest.param("GET", f"/sparql?query={ASK}&query={SELECT}", {}, 400, id="repeated-query"),
    pytest.param("POST", f"/sparql?query={ASK}", {"data": f"query={ASK}", "content_type": FORM}, 400,
                 id="query-in-url-and-form"),
    pytest.param("POST", f"/sparql?query={ASK}", {"data": "ASK {}", "content_type": DIRECT}, 400,
                 id="query-in-url-and-body"),
    pytest.param("POST", "/sparql", {"data": "", "content_type": FORM}, 400, id="post-without-query"),
    pytest.param("POST", "/sparql", {"data": "", "content_type": DIRECT}, 400, id="post-empty-body"),
    pytest.param("POST", "/sparql", {"data": "ASK {}", "content_type": "text/plain"}, 415, id="wrong-media-type"),
    pytest.param("POST", "/sparql", {"data": f"query={ASK}"}, 415, id="missing-media-type"),
    pytest.param("POST", "/sparql", {"data": "ASK {}".encode("utf-16"), "content_type": DIRECT + "; charset=UTF-16"},
                 415, id="utf16-charset"),
    pytest.param("POST", "/sparql", {"data": b"ASK { ?s ?p '\xff' }", "content_type": DIRECT}, 400, id="not-utf8"),
    pytest.param("PUT", f"/sparql?query={ASK}", {}, 405, id="put"),
    pytest.param("DELETE", "/sparql", {}, 405, id="delete"),
    pytest.param("GET", "/sparql?query=" + quote("ASK {"), {}, 400, id="syntax-error"),
    pytest.param("GET", "/sparql?query=" + quote("SELECT * { SERVICE <http://127.0.0.1:9/> {} }"), {}, 403,
                 id="service"),
    pytest.param("GET", f"/sparql?query={ASK}&timeout=0", {}, 400, id="timeout-zero"),
    pytest.param("GET", f"/sparql?query={ASK}&timeout=soon", {}, 400, id="timeout-not-a-number"),
    pytest.param("GET", f"/sparql?query={ASK}&timeout=0.5", {}, 200, id="timeout-lowered"),
    pytest.param("GET", f"/sparql?query={ASK}&timeout=9999", {}, 200, id="timeout-raised-is-capped"),
    # updates: read-only
    pytest.param("GET", "/sparql?update=" + quote("CLEAR ALL"), {}, 403, id="update-get"),
    pytest.param("POST", "/sparql", {"data": "update=" + quote("CLEAR ALL"), "content_type": FORM}, 403,
                 id="update-form"),
    pytest.param("POST", "/sparql", {"data": "CLEAR ALL", "content_type": "application/sparql-update"}, 403,
                 id="update-direct"),
    pytest.param("POST", "/sparql", {"data": "INSERT DATA { <a:b> <a:c> <a:d> }", "content_type": DIRECT}, 403,
                 id="update-sent-as-query"),
    pytest.param("POST", "/sparql", {"data": f"query={ASK}&update=" + quote("CLEAR ALL"), "content_type": FORM},
                 400, id="query-and-update"),
    # Graph Store Protocol, read-only
    pytest.param("GET", f"/graph-store?graph={quote(REPORT_A)}", {}, 200, id="gsp-get-named"),
    pytest.param("HEAD", f"/graph-store?graph={quote(REPORT_A)}", {}, 200, id="gsp-head"),
    pytest.param("GET", "/graph-store?default", {}, 200, id="gsp-get-default"),
    pytest.param("GET", f"/graph-store?graph={quote(ASSERTED)}", {}, 200, id="gsp-get-asserted"),
    pytest.param("GET", f"/graph-store?graph={quote(EX + 'nope')}", {}, 404, id="gsp-unknown-graph"),
    pytest.param("GET", "/graph-store", {}, 400, id="gsp-no-graph"),
    pytest.param("GET", f"/graph-store?default&graph={quote(REPORT_A)}", {}, 400, id="gsp-two-graphs"),
    pytest.param("PUT", "/graph-store?default", {"data": "", "content_type": "text/turtle"}, 405, id="gsp-put"),
    pytest.param("POST", "/graph-store?default", {"data": "", "content_type": "text/turtle"}, 405, id="gsp-post"),
    pytest.param("DELETE", f"/graph-store?graph={quote(REPORT_A)}", {}, 405, id="gsp-delete"),
    pytest.param("PATCH", "/graph-store?default", {}, 405, id="gsp-patch"),
    # dumps, descriptions, operations
    pytest.param("GET", "/dump", {}, 200, id="dump"),
    pytest.param("POST", "/dump", {}, 405, id="dump-post"),
    pytest.param("GET", "/void", {}, 200, id="void"),
    pytest.param("GET", "/health", {}, 200, id="health"),
    pytest.param("GET", "/metrics", {}, 200, id="metrics"),
    pytest.param("POST", "/health", {}, 405, id="health-post"),
    pytest.param("GET", "/queries", {}, 200, id="queries-list"),
    pytest.param("GET", "/queries/no-such-query", {}, 404, id="queries-unknown"),
    pytest.param("GET", "/nothing-here", {}, 404, id="unknown-route"),
    pytest.param("GET", "/id/state/nowhere", {}, 404, id="unknown-resource"),
]


@pytest.mark.parametrize("method, path, kwargs, status", ROUTES)
def test_route_method_status(client, method, path, kwargs, status):
    assert client.open(path, method=method, **kwargs).status_code == status


def test_head_has_no_body_but_the_headers_of_get(client):
    get, head = client.get(f"/sparql?query={ASK}"), client.head(f"/sparql?query={ASK}")
    assert head.data == b"" and head.headers["Content-Type"] == get.headers["Content-Type"]


@pytest.mark.parametrize("path", ["/sparql", "/graph-store?default"])
def test_405_says_what_is_allowed(client, path):
    response = client.put(path, data="", content_type="text/turtle")
    assert "GET" in response.headers["Allow"] and "PUT" not in response.headers["Allow"]


def test_form_post_takes_dataset_from_url_and_body(client):
    body = "query=" + quote("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") + "&default-graph-uri=" + quote(INFERRED)
    response = client.post(f"/sparql?default-graph-uri={quote(REPORT_A)}", data=body, content_type=FORM)
    n = json.loads(response.data)["results"]["bindings"][0]["n"]["value"]
    assert int(n) == SIZES[REPORT_A] + SIZES[INFERRED]


def test_unknown_default_graph_is_empty_and_said_in_a_header(client):
    response = client.get(f"/sparql?query={SELECT}&default-graph-uri={quote(EX + 'data0.rdf')}")
    assert json.loads(response.data)["results"]["bindings"] == []
    assert EX + "data0.rdf" in response.headers["X-AENC-Warning"]


def test_row_cap_sets_the_truncated_header(client):
    response = client.get(f"/sparql?query={SELECT}")
    assert response.headers["X-AENC-Truncated"] == "true"
    assert len(json.loads(response.data)["results"]["bindings"]) == 50


def test_answer_under_the_cap_is_not_marked(client):
    response = client.get("/sparql?query=" + quote(f"SELECT * {{ <{EX}s1> ?p ?o }}"))
    assert "X-AENC-Truncated" not in response.headers


def test_service_description_lists_named_graphs(client):
    from rdflib import Graph, Namespace
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    g = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert {str(o) for o in g.objects(None, sd.name)} == set(SIZES)
    assert str(g.value(next(g.subjects(None, sd.Service)), sd.endpoint)) == "http://localhost/sparql"


def test_gsp_default_graph_is_the_union(client):
    body = client.get("/graph-store?default", headers={"Accept": "application/n-triples"}).data
    assert len(body.decode().strip().splitlines()) == UNION_SIZE


def test_dump_keeps_every_graph(client):
    body = client.get("/dump", headers={"Accept": "application/n-quads"}).data.decode()
    assert len(body.strip().splitlines()) == sum(SIZES.values())
    assert client.get("/dump").headers["Content-Disposition"] == 'attachment; filename="aenc.trig"'


def test_health_reports_the_store(client):
    assert client.get("/health").json | {"uptime_seconds": 0} == {
        "status": "ok", "store": "memory", "source": "memory", "triples": sum(SIZES.values()),
        "graphs": len(SIZES), "workers_idle": None, "uptime_seconds": 0}


def test_metrics_count_queries_errors_and_latency(client):
    client.get(f"/sparql?query={ASK}")
    client.get(f"/sparql?query={SELECT}")
    client.get("/sparql?query=" + quote("ASK {"))
    text = client.get("/metrics").data.decode()
    assert 'aenc_queries_total{kind="ask"} 1' in text
    assert 'aenc_queries_total{kind="select"} 1' in text
    assert 'aenc_errors_total{kind="query-syntax"} 1' in text
    assert 'aenc_truncated_total 1' in text
    assert 'aenc_query_seconds_count 2' in text
    assert 'aenc_requests_total{route="/sparql",method="GET",status="400"} 1' in text
