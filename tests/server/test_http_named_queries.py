"""Named queries over HTTP on the real curated build: the listing, every query with its
defaults, typed parameters from the query string, every result format, and bad parameters."""
from __future__ import annotations

import io

import pytest
from rdflib.query import Result

from graph.queries import get_query, list_queries

NAMES = [q.name for q in list_queries()]
FORMATS = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
           "text/csv": "csv", "text/tab-separated-values": "tsv"}


def test_listing_has_every_query_with_its_parameters(built_client):
    listed = built_client.get("/queries").json["queries"]
    assert [q["name"] for q in listed] == NAMES
    for item in listed:
        query = get_query(item["name"])
        assert item["url"] == f"/queries/{query.name}" and item["title"] == query.title
        assert [p["name"] for p in item["parameters"]] == [p.name for p in query.parameters]


@pytest.mark.parametrize("name", NAMES)
def test_every_query_runs_with_its_defaults_as_the_store_answers(built_client, store, name):
    query = get_query(name)
    expected = store.query(query.text, bindings=query.bind({})).serialize("text/tab-separated-values")
    response = built_client.get(f"/queries/{name}", headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200
    assert sorted(response.data.decode().splitlines()) == sorted(expected.decode().splitlines())


@pytest.mark.parametrize("media_type", FORMATS)
def test_every_result_format(built_client, media_type):
    response = built_client.get("/queries/state-participations", headers={"Accept": media_type})
    assert response.mimetype == media_type
    rows = Result.parse(io.BytesIO(response.data), format=FORMATS[media_type]).bindings
    assert len(rows) > 0


def test_format_parameter_is_not_a_query_parameter(built_client):
    response = built_client.get("/queries/state-participations?format=csv&timeout=5")
    assert response.status_code == 200 and response.mimetype == "text/csv"


@pytest.mark.parametrize("value", ["state/china", "https://w3id.org/aenc/id/state/china"],
                         ids=["short-form", "absolute"])
def test_typed_iri_parameter_is_bound(built_client, value):
    rows = built_client.get(f"/queries/state-participations?state={value}").json["results"]["bindings"]
    assert rows and {r["state"]["value"] for r in rows} == {"https://w3id.org/aenc/id/state/china"}


@pytest.mark.parametrize("query_string, fragment", [
    pytest.param("state=not%20an%20iri", "state", id="bad-iri"),
    pytest.param("country=state/russia", "no parameter 'country'", id="unknown-parameter"),
    pytest.param("state=state/russia&state=state/china", "state was given 2 times", id="repeated"),
])
def test_bad_parameters_are_400_naming_them(built_client, query_string, fragment):
    response = built_client.get(f"/queries/state-participations?{query_string}")
    assert response.status_code == 400
    assert fragment in response.json["error"]["message"]


def test_unknown_query_is_404_listing_the_names(built_client):
    response = built_client.get("/queries/no-such-query")
    assert response.status_code == 404
    assert "state-participations" in str(response.json["error"])
