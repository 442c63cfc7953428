"""Safe by default: no SERVICE calls, no fetching or file reading for FROM, a time limit that
really stops a query while others are answered, body size cap, rate limit, read-only."""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import quote

import pytest

from conftest import RUNAWAY, make_app

FORM = "application/x-www-form-urlencoded"


def test_listener_sees_connections(listener):
    """The listener the next tests rely on does count a connection (so zero means zero)."""
    socket.create_connection(("127.0.0.1", listener.port)).close()
    time.sleep(0.3)
    assert listener.connections == 1


@pytest.mark.parametrize("template", [
    "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ?o .SERVICE<{url}>{{?s ?p ?o}} }}",
    "SELECT * {{ SERVICESILENT<{url}>{{?s ?p ?o}} }}",
    "SELECT * {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "PREFIX r: <{url}> SELECT * {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
], ids=["plain", "silent", "glued", "glued-silent", "optional", "prefixed"])
@pytest.mark.parametrize("store_kind", ["in-process", "worker"])
def test_service_is_never_called(listener, client, pool_client, template, store_kind):
    http = client if store_kind == "in-process" else pool_client
    response = http.get("/sparql?query=" + quote(template.format(url=listener.url)))
    assert response.status_code == 403 and b"SERVICE" in response.data
    listener.close()
    assert listener.connections == 0


def test_from_a_url_fetches_nothing(listener, client):
    for param in (f"default-graph-uri={quote(listener.url)}", f"named-graph-uri={quote(listener.url)}"):
        assert client.get(f"/sparql?query={quote('ASK { ?s ?p ?o }')}&{param}").status_code == 200
    query = f"SELECT * FROM <{listener.url}> FROM NAMED <{listener.url}g> {{ ?s ?p ?o }}"
    assert client.get("/sparql?query=" + quote(query)).status_code == 200
    listener.close()
    assert listener.connections == 0


@pytest.mark.parametrize("query", [
    "SELECT * FROM <{file}> {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{file}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT * {{ GRAPH <{file}> {{ ?s ?p ?o }} }}",
], ids=["from", "from-named", "graph"])
def test_from_a_file_does_not_read_it(client, tmp_path, query):
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://example.org/secret> <http://example.org/is> "TOP SECRET" .\n')
    response = client.get("/sparql?query=" + quote(query.format(file=secret.as_uri())))
    assert response.status_code == 200
    assert response.json["results"]["bindings"] == [] and b"SECRET" not in response.data


def test_load_is_refused(client, tmp_path):
    response = client.post("/sparql", data="update=" + quote(f"LOAD <{tmp_path.as_uri()}/x.nt>"), content_type=FORM)
    assert response.status_code == 403 and b"read-only" in response.data


def test_runaway_query_is_stopped_while_others_are_answered(pool_client):
    outcome = {}

    def run_away():
        started = time.monotonic()
        response = pool_client.get("/sparql?query=" + quote(RUNAWAY))
        outcome.update(status=response.status_code, body=response.data, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_away)
    thread.start()
    time.sleep(0.1)
    quick = []
    for _ in range(10):
        started = time.monotonic()
        response = pool_client.get("/sparql?query=" + quote("ASK { ?s ?p ?o }"))
        quick.append((response.status_code, time.monotonic() - started))
    thread.join(10)
    assert [status for status, _ in quick] == [200] * 10
    assert max(seconds for _, seconds in quick) < 0.5
    assert outcome["status"] == 503 and b"time limit of 1 s" in outcome["body"]
    assert outcome["seconds"] < 2.5


def test_client_can_lower_the_time_limit(pool_client):
    started = time.monotonic()
    response = pool_client.get("/sparql?query=" + quote(RUNAWAY) + "&timeout=0.3")
    assert response.status_code == 503 and b"time limit of 0.3 s" in response.data
    assert time.monotonic() - started < 1.0


def test_client_cannot_raise_the_time_limit(pool_client):
    started = time.monotonic()
    response = pool_client.get("/sparql?query=" + quote(RUNAWAY) + "&timeout=60")
    assert response.status_code == 503 and b"time limit of 1 s" in response.data
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("kwargs", [
    pytest.param({"data": "query=" + quote("ASK {}") + "#" * 3000, "content_type": FORM}, id="form"),
    pytest.param({"data": "ASK {}" + " " * 3000, "content_type": "application/sparql-query"}, id="direct"),
    pytest.param({"data": "x" * 3000, "content_type": "text/turtle"}, id="any-route-any-type"),
])
def test_oversized_body_is_413(mem_store, kwargs):
    client = make_app(mem_store, max_body_bytes=1000).test_client()
    response = client.post("/sparql", **kwargs)
    assert response.status_code == 413 and b"1000" in response.data


def test_rate_limit_answers_429_with_retry_after(mem_store):
    client = make_app(mem_store, rate_limit=3).test_client()
    statuses = [client.get("/sparql?query=" + quote("ASK {}")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/queries")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json["error"]["kind"] == "rate-limited"
    other = client.get("/queries", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200
    assert client.get("/health").status_code == 200  # operations routes are never limited
