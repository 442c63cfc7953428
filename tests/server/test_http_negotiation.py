"""Content negotiation: the Accept matrix (q-values, wildcards, aliases, 406), and the
format/output/results parameters clients such as SPARQLWrapper send."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from rdflib import Graph
from rdflib.query import Result

from server import negotiate

SELECT = "/sparql?query=" + quote("SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 5")
ASK = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
CONSTRUCT = "/sparql?query=" + quote("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5")
JSON_R, XML_R, CSV, TSV = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                           "text/tab-separated-values")
TTL, NT, JSONLD, RDFXML, TRIG, NQ = ("text/turtle", "application/n-triples", "application/ld+json",
                                     "application/rdf+xml", "application/trig", "application/n-quads")
SOLUTIONS = [JSON_R, XML_R, CSV, TSV]
GRAPHS = [TTL, NT, JSONLD, RDFXML, TRIG, NQ]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept, offered, expected", [
    pytest.param(None, SOLUTIONS, JSON_R, id="no-accept-first-offer"),
    pytest.param("", SOLUTIONS, JSON_R, id="empty-accept-first-offer"),
    pytest.param("*/*", SOLUTIONS, JSON_R, id="any"),
    pytest.param("text/*", SOLUTIONS, CSV, id="type-wildcard-keeps-server-order"),
    pytest.param(f"{JSON_R};q=0.5, {XML_R}", SOLUTIONS, XML_R, id="q-values"),
    pytest.param(f"{XML_R};q=0.5, */*;q=0.9", SOLUTIONS, JSON_R, id="wildcard-outranks-low-q"),
    pytest.param(f"*/*;q=0.9, {JSON_R};q=0", SOLUTIONS, XML_R, id="q0-excludes"),
    pytest.param(f"text/*;q=0.1, {TSV}", SOLUTIONS, TSV, id="specific-beats-range"),
    pytest.param(f"{TSV};q=0, text/*", SOLUTIONS, CSV, id="specific-q0-beats-range"),
    pytest.param("image/png", SOLUTIONS, None, id="nothing-acceptable"),
    pytest.param("garbage, ,;;", SOLUTIONS, JSON_R, id="malformed-ignored"),
    pytest.param(f"{TSV};q=abc", SOLUTIONS, JSON_R, id="bad-q-is-zero"),
    pytest.param("TEXT/CSV", SOLUTIONS, CSV, id="case-insensitive"),
])
def test_negotiate(accept, offered, expected):
    assert negotiate(accept, offered) == expected


def test_negotiate_aliases():
    aliases = {"application/json": JSON_R}
    assert negotiate("application/json", SOLUTIONS, aliases) == JSON_R
    assert negotiate("application/json", SOLUTIONS) is None


def _parse(kind: str, ctype: str, body: bytes) -> int:
    """Rows (or triples) in a body, parsed by rdflib: proves the body is well formed."""
    if kind == "graph":
        fmt = {TTL: "turtle", NT: "nt", JSONLD: "json-ld", RDFXML: "xml", TRIG: "trig", NQ: "nquads"}[ctype]
        return len(Graph().parse(data=body, format=fmt)) if fmt not in ("trig", "nquads") else \
            sum(1 for _ in __import__("rdflib").Dataset().parse(data=body, format=fmt).quads())
    fmt = {JSON_R: "json", XML_R: "xml", CSV: "csv", TSV: "tsv"}[ctype]
    result = Result.parse(io.BytesIO(body), format=fmt)
    return int(result.askAnswer) if result.type == "ASK" else len(result.bindings)


SOLUTION_MATRIX = [
    pytest.param(None, JSON_R, id="default-json"),
    pytest.param(JSON_R, JSON_R, id="json"),
    pytest.param(XML_R, XML_R, id="xml"),
    pytest.param(CSV, CSV, id="csv"),
    pytest.param(TSV, TSV, id="tsv"),
    pytest.param("application/json", JSON_R, id="alias-json"),
    pytest.param("application/xml", XML_R, id="alias-xml"),
    pytest.param(f"{CSV};q=0.2, {TSV};q=0.8", TSV, id="q-values"),
    pytest.param(BROWSER, XML_R, id="browser"),
]


@pytest.mark.parametrize("accept, expected", SOLUTION_MATRIX)
def test_select_accept_matrix(client, accept, expected):
    response = client.get(SELECT, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert response.headers["Vary"] == "Accept"
    assert _parse("select", expected, response.data) == 5


@pytest.mark.parametrize("accept, expected", [p for p in SOLUTION_MATRIX if p.id in ("default-json", "json", "xml")])
def test_ask_accept_matrix(client, accept, expected):
    response = client.get(ASK, headers={"Accept": accept} if accept else {})
    assert response.mimetype == expected and _parse("ask", expected, response.data) == 1


@pytest.mark.parametrize("accept, expected", [
    pytest.param(None, TTL, id="default-turtle"),
    pytest.param(TTL, TTL, id="turtle"),
    pytest.param(NT, NT, id="n-triples"),
    pytest.param(JSONLD, JSONLD, id="json-ld"),
    pytest.param(RDFXML, RDFXML, id="rdf-xml"),
    pytest.param(TRIG, TRIG, id="trig"),
    pytest.param(NQ, NQ, id="n-quads"),
    pytest.param("text/plain", NT, id="alias-text-plain"),
    pytest.param("application/x-turtle", TTL, id="alias-x-turtle"),
    pytest.param("text/n3", TTL, id="alias-n3"),
    pytest.param(f"{TTL};q=0.1, {JSONLD}", JSONLD, id="q-values"),
])
def test_construct_accept_matrix(client, accept, expected):
    response = client.get(CONSTRUCT, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == expected
    assert _parse("graph", expected, response.data) == 5


@pytest.mark.parametrize("path, accept, offered", [
    pytest.param(SELECT, "image/png", SOLUTIONS, id="select"),
    pytest.param(CONSTRUCT, CSV, GRAPHS, id="construct-as-csv"),
    pytest.param(ASK, TTL, SOLUTIONS, id="ask-as-turtle"),
    pytest.param("/graph-store?default", JSON_R, GRAPHS, id="graph-store"),
])
def test_406_lists_what_is_offered(client, path, accept, offered):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 406
    assert all(media_type in response.data.decode() for media_type in offered)


@pytest.mark.parametrize("path, params, expected", [
    pytest.param(SELECT, "format=json", JSON_R, id="format-json"),
    pytest.param(SELECT, "output=xml", XML_R, id="output-xml"),
    pytest.param(SELECT, "results=csv", CSV, id="results-csv"),
    pytest.param(SELECT, "format=tsv&format=text/tab-separated-values", TSV, id="sparqlwrapper-tsv"),
    pytest.param(SELECT, f"format={quote(XML_R)}", XML_R, id="full-media-type"),
    pytest.param(SELECT, "format=json&output=json&results=json", JSON_R, id="sparqlwrapper-all-three"),
    pytest.param(CONSTRUCT, "format=xml", RDFXML, id="construct-xml-is-rdf-xml"),
    pytest.param(CONSTRUCT, "format=json", JSONLD, id="construct-json-is-json-ld"),
    pytest.param(CONSTRUCT, "format=turtle", TTL, id="construct-turtle"),
    pytest.param(CONSTRUCT, "output=nt", NT, id="construct-nt"),
    pytest.param(CONSTRUCT, "format=json-ld&format=", JSONLD, id="empty-value-ignored"),
])
def test_format_parameter(client, path, params, expected):
    response = client.get(f"{path}&{params}", headers={"Accept": CSV})  # the parameter wins over Accept
    assert response.status_code == 200 and response.mimetype == expected


def test_format_parameter_in_a_form_body(client):
    body = "query=" + quote("ASK {}") + "&format=xml"
    response = client.post("/sparql", data=body, content_type="application/x-www-form-urlencoded")
    assert response.mimetype == XML_R


@pytest.mark.parametrize("params", ["format=yaml", "format=csv"])
def test_unusable_format_parameter_is_406(client, params):
    response = client.get(f"{CONSTRUCT}&{params}")
    assert response.status_code == 406 and "text/turtle" in response.data.decode()


@pytest.mark.parametrize("path", ["/graph-store?default", "/dump", "/void"])
@pytest.mark.parametrize("media_type", GRAPHS)
def test_graph_routes_serve_every_rdf_format(client, path, media_type):
    response = client.get(path, headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    assert _parse("graph", media_type, response.data) > 0


def test_text_types_declare_utf8(client):
    assert client.get(SELECT, headers={"Accept": CSV}).headers["Content-Type"] == "text/csv; charset=utf-8"
