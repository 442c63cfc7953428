"""Linked data routing: /id, /ont and /graph IRIs dereference (HTML for a browser, RDF by Accept,
404 unknown), the configurable IRI base and path prefix, the home and query pages."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from conftest import make_app
from graph.store import Store

W3ID = "https://w3id.org/aenc/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RUSSIA = W3ID + "id/state/russia"


@pytest.mark.parametrize("accept, mimetype", [
    pytest.param(BROWSER, "text/html", id="browser"),
    pytest.param(None, "text/turtle", id="no-accept"),
    pytest.param("text/turtle", "text/turtle", id="turtle"),
    pytest.param("application/ld+json", "application/ld+json", id="json-ld"),
    pytest.param("application/rdf+xml", "application/rdf+xml", id="rdf-xml"),
    pytest.param("application/n-triples", "application/n-triples", id="n-triples"),
])
def test_resource_is_negotiated(built_client, accept, mimetype):
    response = built_client.get("/id/state/russia", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Vary"] == "Accept"


def test_resource_rdf_describes_the_iri(built_client):
    body = built_client.get("/id/state/russia", headers={"Accept": "text/turtle"}).data
    g = Graph().parse(data=body, format="turtle")
    assert g.value(URIRef(RUSSIA), RDFS.label) is not None


@pytest.mark.parametrize("accept, mimetype", [(BROWSER, "text/html"), ("text/turtle", "application/json")])
def test_unknown_resource_is_404(built_client, accept, mimetype):
    response = built_client.get("/id/state/atlantis", headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == mimetype


def test_ontology_at_its_iri(built_client, store):
    body = built_client.get("/ont/", headers={"Accept": "application/n-triples"}).data
    assert len(body.decode().strip().splitlines()) == store.graph_sizes()[W3ID + "graph/ontology"]
    assert built_client.get("/ont", headers={"Accept": BROWSER}).mimetype == "text/html"


@pytest.mark.parametrize("accept, mimetype", [(BROWSER, "text/html"), ("text/turtle", "text/turtle")])
def test_ontology_term(built_client, accept, mimetype):
    response = built_client.get("/ont/Encounter", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype


def test_unknown_term_is_404(built_client):
    assert built_client.get("/ont/NoSuchTerm", headers={"Accept": "text/turtle"}).status_code == 404


def test_graph_iri_gives_the_graph_to_machines(built_client, store):
    name = next(g for g in store.graph_names() if "/report/" in g)
    body = built_client.get(name[len(W3ID) - 1:], headers={"Accept": "application/n-triples"}).data
    assert len(body.decode().strip().splitlines()) == store.graph_sizes()[name]
    assert built_client.get(name[len(W3ID) - 1:], headers={"Accept": BROWSER}).mimetype == "text/html"


def test_home_page_for_people_and_machines(built_client):
    page = built_client.get("/", headers={"Accept": BROWSER})
    assert page.mimetype == "text/html" and b'href="/query"' in page.data
    index = built_client.get("/", headers={"Accept": "application/json"})
    assert index.json["sparql"] == "/sparql" and index.json["query_page"] == "/query"


def test_query_page_loads_only_local_assets(built_client):
    page = built_client.get("/query").data.decode()
    assets = re.findall(r'<(?:script|link|img)[^>]*?(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") for a in assets)
    assert all(built_client.get(a).status_code == 200 for a in assets)


def test_browser_at_the_endpoint_gets_the_query_page(built_client):
    assert built_client.get("/sparql", headers={"Accept": BROWSER}).data == built_client.get("/query").data


ELSEWHERE = "http://data.example.org/pub/"
ELSEWHERE_NQ = (f'<{ELSEWHERE}id/thing> <{RDFS.label}> "Thing"@en <{W3ID}graph/reference> .\n'
                f'<{W3ID}id/thing> <{RDFS.label}> "Other"@en <{W3ID}graph/reference> .\n')


@pytest.fixture(scope="module")
def elsewhere_store():
    store = Store.from_nquads(ELSEWHERE_NQ)
    yield store
    store.close()


@pytest.mark.parametrize("base_iri, label", [(ELSEWHERE, "Thing"), (W3ID, "Other")])
def test_request_paths_map_under_the_configured_base_iri(elsewhere_store, base_iri, label):
    client = make_app(elsewhere_store, base_iri=base_iri).test_client()
    body = client.get("/id/thing", headers={"Accept": "application/n-triples"}).data.decode()
    assert f'"{label}"@en' in body and body.count("\n") == 1


def test_site_under_a_path_prefix(elsewhere_store):
    client = make_app(elsewhere_store, base_path="/aenc").test_client()
    assert client.get("/aenc/sparql?query=" + quote("ASK {}")).status_code == 200
    assert client.get("/sparql?query=" + quote("ASK {}")).status_code == 404
    sd = client.get("/aenc/sparql", headers={"Accept": "text/turtle"}).data.decode()
    assert "<http://localhost/aenc/sparql>" in sd
