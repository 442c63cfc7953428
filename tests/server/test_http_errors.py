"""One error shape: JSON {"error": {kind, message, hint}} off /sparql; plain text on /sparql
(JSON if asked); an HTML page for a browser; one status table; never a traceback."""
from __future__ import annotations

import inspect
import logging
from urllib.parse import quote

import pytest

import graph.errors
from graph.errors import AencError
from server import STATUS, status_of

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("method, path, status, kind", [
    pytest.param("GET", "/nothing", 404, "not-found", id="unknown-route"),
    pytest.param("GET", "/graph-store?graph=http%3A%2F%2Fx%2F", 404, "not-found", id="unknown-graph"),
    pytest.param("GET", "/graph-store", 400, "bad-request", id="no-graph"),
    pytest.param("PUT", "/graph-store?default", 405, "method-not-allowed", id="write"),
    pytest.param("GET", "/queries/nope", 404, "not-found", id="unknown-query"),
    pytest.param("GET", "/graph-store?default&format=yaml", 406, "not-acceptable", id="format"),
    pytest.param("POST", "/health", 405, "method-not-allowed", id="method"),
])
def test_json_error_shape(client, method, path, status, kind):
    response = client.open(path, method=method)
    assert response.status_code == status and response.mimetype == "application/json"
    error = response.json["error"]
    assert set(error) == {"kind", "message", "hint"} and error["kind"] == kind
    assert isinstance(error["message"], str) and error["message"]


def test_unknown_graph_error_names_the_graphs(client):
    hint = client.get("/graph-store?graph=http%3A%2F%2Fx%2F").json["error"]["hint"]
    assert "https://w3id.org/aenc/graph/report/a" in hint


def test_sparql_errors_are_plain_text_with_the_hint(client):
    response = client.get("/sparql?query=" + quote("SELECT * { SERVICE <http://x/> {} }"))
    assert response.mimetype == "text/plain"
    assert response.data.decode().startswith("SERVICE (line 1, column 12) is refused")
    assert "\n\nHint: " in response.data.decode()


def test_sparql_errors_are_json_when_asked(client):
    response = client.get("/sparql?query=" + quote("ASK {"), headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["kind"] == "query-syntax"
    assert "line 1, column 6" in response.json["error"]["message"]


def test_browser_gets_an_html_error_page(client):
    response = client.get("/id/nothing/here", headers={"Accept": BROWSER})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert b"Not found" in response.data


def test_internal_error_is_500_without_traceback_and_logged(client, mem_store, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals at /home/x/store.py line 12")

    monkeypatch.setattr(mem_store, "query", broken)
    with caplog.at_level(logging.ERROR, logger="aenc.server"):
        response = client.get("/sparql?query=" + quote("ASK {}"), headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["error"]["kind"] == "internal"
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_every_error_class_has_a_status():
    classes = [c for _, c in inspect.getmembers(graph.errors, inspect.isclass) if issubclass(c, AencError)]
    assert sorted(c.__name__ for c in classes) == sorted(c.__name__ for c in STATUS)


@pytest.mark.parametrize("name, status", [
    ("QuerySyntaxError", 400), ("ParameterError", 400), ("QueryRefused", 403), ("QueryTimeout", 503),
    ("NotFound", 404), ("StoreError", 503), ("DataLoadError", 500),
])
def test_status_table(name, status):
    cls = getattr(graph.errors, name)
    error = cls.__new__(cls)
    assert status_of(error) == status
