"""The lexical guard: SERVICE and updates refused, however they are written; the same words in
strings, IRIs, comments and variable names left alone; FROM clauses read."""
from __future__ import annotations

import pytest

from graph.errors import QueryRefused
from graph.sparql_guard import inspect_query

U = "http://127.0.0.1:9/"

# each of these made pyoxigraph 0.5 call the URL (checked with a listener when written)
SERVICE_QUERIES = [
    pytest.param(f"SELECT * {{ SERVICE <{U}> {{ ?s ?p ?o }} }}", id="plain"),
    pytest.param(f"select * {{ service <{U}> {{ ?s ?p ?o }} }}", id="lower-case"),
    pytest.param(f"SELECT * {{ SeRvIcE SILENT <{U}> {{ ?s ?p ?o }} }}", id="mixed-case-silent"),
    pytest.param(f"SELECT * {{ ?s ?p ?o .SERVICE<{U}>{{?s ?p ?o}} }}", id="glued-to-dot"),
    pytest.param(f"SELECT * {{ SERVICESILENT<{U}>{{?s ?p ?o}} }}", id="glued-silent"),
    pytest.param(f"SELECT * {{ SERVICE#comment\n<{U}>{{?s ?p ?o}} }}", id="comment-between"),
    pytest.param(f"PREFIX e: <{U}> SELECT * {{ SERVICE e:x {{?s ?p ?o}} }}", id="prefixed-name"),
    pytest.param(f"SELECT * {{ OPTIONAL{{ SERVICE<{U}>{{?s ?p ?o}} }} }}", id="in-optional"),
    pytest.param(f"SELECT * {{ ?s ?p ?o MINUS{{SERVICE<{U}>{{?s ?p ?o}}}} }}", id="in-minus"),
    pytest.param(f"SELECT * {{ ?s ?p ?o FILTER EXISTS{{SERVICE<{U}>{{?s ?p ?o}}}} }}", id="in-exists"),
    pytest.param(f"SELECT * {{ _:a ?p ?o .SERVICE <{U}> {{?s ?p ?o}} }}", id="after-blank-node"),
    pytest.param(f"SELECT * {{ ?s ?p 1.SERVICE <{U}> {{?s ?p ?o}} }}", id="after-number"),
    pytest.param(f"SELECT * {{ {{ SELECT * {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }} }}", id="in-subquery"),
    pytest.param(f"SELECT * {{ VALUES ?u {{ <{U}> }} SERVICE ?u {{ ?s ?p ?o }} }}", id="variable-endpoint"),
    pytest.param(f"SELECT * {{ \\u0053ERVICE <{U}> {{ ?s ?p ?o }} }}", id="unicode-escape"),
    pytest.param(f'SELECT * {{ ?s ?p "\\u0022" SERVICE <{U}> {{ ?s ?p ?o }} }}', id="escape-hides-quote"),
    pytest.param(f"PREFIX service: <{U}> SELECT * {{ service:x ?p ?o }}", id="prefix-named-service"),
]


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_service_is_refused(query):
    with pytest.raises(QueryRefused, match="SERVICE"):
        inspect_query(query)


HARMLESS = [
    pytest.param('SELECT * { ?s ?p "SERVICE <http://x/> {}" }', id="in-string"),
    pytest.param("SELECT * { ?s ?p '''multi\nSERVICE <http://x/> {}''' }", id="in-long-string"),
    pytest.param("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", id="in-comment"),
    pytest.param("SELECT * { ?s <http://x/SERVICE> ?o }", id="in-iri"),
    pytest.param("SELECT ?service { ?service ?p ?o }", id="variable-name"),
    pytest.param("PREFIX ex: <http://x/> SELECT * { ?s ex:service ?o }", id="local-name"),
    pytest.param("SELECT * { ?s ?p ?o FILTER(?o<?s) }", id="less-than-not-iri"),
]


@pytest.mark.parametrize("query", HARMLESS)
def test_service_word_elsewhere_is_not_refused(query):
    assert not inspect_query(query).has_dataset


@pytest.mark.parametrize("query, keyword", [
    pytest.param("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT", id="insert"),
    pytest.param("PREFIX ex: <http://x/> DELETE WHERE { ?s ex:p ?o }", "DELETE", id="delete-after-prefix"),
    pytest.param("LOAD <file:///etc/passwd>", "LOAD", id="load"),
    pytest.param("clear all", "CLEAR", id="clear-lower-case"),
    pytest.param("DROP GRAPH <http://x/>", "DROP", id="drop"),
    pytest.param("WITH <http://x/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", id="with"),
])
def test_update_is_refused_as_read_only(query, keyword):
    with pytest.raises(QueryRefused, match=f"{keyword} at line 1.*read-only"):
        inspect_query(query)


def test_refusal_names_line_and_column():
    with pytest.raises(QueryRefused, match="line 3, column 3"):
        inspect_query("SELECT *\nWHERE {\n  SERVICE <http://x/> { ?s ?p ?o }\n}")


@pytest.mark.parametrize("query, default, named", [
    pytest.param("SELECT * FROM <http://a/> { ?s ?p ?o }", ["http://a/"], [], id="from"),
    pytest.param("SELECT * FROM NAMED <http://a/> FROM <http://b/> { ?s ?p ?o }", ["http://b/"], ["http://a/"],
                 id="from-named"),
    pytest.param("PREFIX g: <https://w3id.org/aenc/graph/> SELECT * FROM g:asserted { ?s ?p ?o }",
                 ["https://w3id.org/aenc/graph/asserted"], [], id="prefixed"),
    pytest.param("BASE <https://w3id.org/aenc/graph/> SELECT * FROM <inferred> { ?s ?p ?o }",
                 ["https://w3id.org/aenc/graph/inferred"], [], id="relative-to-base"),
    pytest.param("SELECT * { ?s ?p 'FROM <http://a/>' }", [], [], id="in-string-is-not-a-clause"),
])
def test_dataset_clauses_are_read(query, default, named):
    info = inspect_query(query)
    assert (info.from_graphs, info.from_named_graphs) == (default, named)


@pytest.mark.parametrize("query, uses_graph", [
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("select * where { graph <http://example.org/g> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { G\\u0052APH ?g { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("PREFIX graph: <http://example.org/> SELECT * WHERE { ?s graph:p 'GRAPH' } # GRAPH", False),
    ("SELECT * WHERE { ?s <http://example.org/GRAPH> ?o }", False),
])
def test_graph_patterns_are_noticed(query, uses_graph):
    assert inspect_query(query).uses_graph is uses_graph
