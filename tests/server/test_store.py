"""graph.store: dataset rules, the row cap, results, errors, time limits, loading."""
from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from conftest import (
    ASSERTED, EX, INFERRED, REFERENCE, REPORT_A, REPORT_B, RUNAWAY, SIZES, SMALL_NQ, UNION_SIZE,
)
from graph.errors import (
    DataLoadError, NotFound, ParameterError, QueryMemoryLimit, QueryRefused, QuerySyntaxError, QueryTimeout,
)
from graph.store import DEFAULT_GRAPH, Store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(store, query=COUNT, **kw) -> int:
    return int(store.query(query, **kw).rows()[0]["n"])


def test_graph_names_and_sizes(mem_store):
    assert mem_store.graph_names() == sorted(SIZES)
    assert mem_store.graph_sizes() == SIZES


def test_default_graph_is_the_union_of_all_graphs(mem_store):
    assert count(mem_store) == UNION_SIZE


@pytest.mark.parametrize("kw, expected", [
    pytest.param({"default_graph_uris": [REPORT_A]}, SIZES[REPORT_A], id="one-graph"),
    pytest.param({"default_graph_uris": [REPORT_A, REPORT_B]}, SIZES[REPORT_A] + SIZES[REPORT_B], id="two-graphs"),
    pytest.param({"default_graph_uris": [ASSERTED]}, UNION_SIZE - SIZES[INFERRED], id="asserted-only"),
    pytest.param({"default_graph_uris": [INFERRED]}, SIZES[INFERRED], id="inferred-only"),
    pytest.param({"named_graph_uris": [REPORT_A]}, 0, id="named-only-leaves-default-empty"),
    pytest.param({"default_graph_uris": ["http://example.org/unknown"]}, 0, id="unknown-is-empty"),
])
def test_protocol_dataset(mem_store, kw, expected):
    assert count(mem_store, **kw) == expected


@pytest.mark.parametrize("query, expected", [
    pytest.param(f"SELECT (COUNT(*) AS ?n) FROM <{REPORT_A}> {{ ?s ?p ?o }}", SIZES[REPORT_A], id="from"),
    pytest.param(f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED}> {{ ?s ?p ?o }}", UNION_SIZE - SIZES[INFERRED],
                 id="from-asserted"),
    pytest.param(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{REPORT_A}> {{ ?s ?p ?o }}", 0,
                 id="from-named-only-empties-default"),
    pytest.param(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{REPORT_A}> {{ GRAPH ?g {{ ?s ?p ?o }} }}", SIZES[REPORT_A],
                 id="from-named-limits-graph"),
    pytest.param("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", sum(SIZES.values()), id="all-named-graphs"),
])
def test_query_dataset_clauses(mem_store, query, expected):
    assert count(mem_store, query) == expected


def test_protocol_dataset_overrides_from(mem_store):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{REFERENCE}> {{ ?s ?p ?o }}"
    assert count(mem_store, query, default_graph_uris=[REPORT_B]) == SIZES[REPORT_B]


def test_asserted_cannot_be_a_named_graph(mem_store):
    with pytest.raises(ParameterError, match="only be a default graph"):
        mem_store.query(COUNT, named_graph_uris=[ASSERTED])


def test_unknown_graph_is_reported_as_a_warning(mem_store):
    result = mem_store.query(COUNT, default_graph_uris=["http://example.org/unknown"])
    assert result.warnings == ["graph http://example.org/unknown is not in this dataset: it was used as an empty graph"]


@pytest.mark.parametrize("max_rows, rows, truncated", [
    pytest.param(3, 3, True, id="cut"), pytest.param(500, UNION_SIZE, False, id="not-cut"),
])
def test_row_cap(mem_store, max_rows, rows, truncated):
    result = mem_store.query("SELECT * { ?s ?p ?o }", max_rows=max_rows)
    assert (len(result.rows()), result.truncated) == (rows, truncated)


def test_row_cap_applies_to_triples(mem_store):
    result = mem_store.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=4)
    assert (len(result.triples()), result.truncated) == (4, True)


def test_select_rows_and_bindings(mem_store):
    result = mem_store.query(f"SELECT ?p ?o ?missing {{ <{EX}s1> ?p ?o FILTER(isLiteral(?o)) }} ORDER BY ?p",
                             default_graph_uris=[REPORT_A])
    assert result.variables == ["p", "o", "missing"]
    assert result.rows() == [{"p": EX + "count", "o": "2"}, {"p": EX + "label", "o": "Russia"}]
    assert result.bindings()[1]["o"] == Literal("Russia", lang="en")


def test_ask_and_construct(mem_store):
    assert mem_store.query(f"ASK {{ <{EX}s1> a <{EX}State> }}").boolean() is True
    triples = mem_store.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }").triples()
    assert triples == [(URIRef(EX + "s1"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        URIRef(EX + "State"))]


def test_bindings_are_typed_terms_not_text(mem_store):
    query = "SELECT ?s ?o { ?s ?p ?o }"
    rows = mem_store.query(query, bindings={"o": ox.Literal("Russia", language="en")}).rows()
    assert {r["s"] for r in rows} == {EX + "s1"}
    injected = mem_store.query(query, bindings={"o": Literal('x" } UNION { ?s ?p ?o')}).rows()
    assert injected == []


def test_binding_a_variable_outside_the_projection_is_a_parameter_error(mem_store):
    with pytest.raises(ParameterError, match="projection"):
        mem_store.query("SELECT ?s { ?s ?p ?o }", bindings={"o": ox.Literal("x")})


@pytest.mark.parametrize("query, line, column", [
    pytest.param("ASK {", 1, 6, id="unclosed"),
    pytest.param("SELECT * WHERE {\n  ?s ?p ?o .\n  ?s <bad iri> ?o\n}", 3, 15, id="third-line"),
])
def test_syntax_error_has_line_and_column(mem_store, query, line, column):
    """Positions are the engine's (pyoxigraph reports where its parser gave up)."""
    with pytest.raises(QuerySyntaxError) as info:
        mem_store.query(query)
    assert (info.value.line, info.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(info.value)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query(mem_store, query):
    with pytest.raises(ParameterError, match="empty"):
        mem_store.query(query)


def test_service_and_update_are_refused(mem_store):
    with pytest.raises(QueryRefused):
        mem_store.query("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="read-only"):
        mem_store.query("INSERT DATA { <http://a/> <http://b/> <http://c/> }")


def test_relative_iris_resolve_against_base(mem_store):
    result = mem_store.query("CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri="http://127.0.0.1/sparql")
    assert result.triples()[0][0] == URIRef("http://127.0.0.1/s")


def test_time_limit_kills_the_worker_and_the_pool_recovers(pool_store):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 0.5 s"):
        pool_store.query(RUNAWAY, timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert count(pool_store, timeout=5) == UNION_SIZE
    deadline = time.monotonic() + 5
    while pool_store.workers_idle() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool_store.workers_idle() == 2


def test_memory_hungry_query_is_stopped_and_the_pool_recovers():
    with Store.from_nquads(SMALL_NQ, workers=1, worker_memory_mb=100) as store:
        with pytest.raises(QueryMemoryLimit, match="more than 100 MB"):
            store.query("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?c ?f ?i LIMIT 1", timeout=30)
        assert store.query("ASK { ?s ?p ?o }", timeout=5).boolean() is True


def test_bindings_reach_the_workers(pool_store):
    rows = pool_store.query("SELECT ?s ?o { ?s ?p ?o }", bindings={"o": Literal("Russia", lang="en")}).rows()
    assert {r["s"] for r in rows} == {EX + "s1"}


def test_workers_give_the_same_answers_as_in_process(mem_store, pool_store):
    query = "SELECT ?s ?p ?o { ?s ?p ?o FILTER(!isBlank(?s)) } ORDER BY ?s ?p ?o"  # blank node ids differ
    for media_type in ("application/sparql-results+json", "text/tab-separated-values"):
        assert pool_store.query(query).serialize(media_type) == mem_store.query(query).serialize(media_type)


@pytest.mark.parametrize("name, size", [
    pytest.param(REPORT_A, SIZES[REPORT_A], id="named"),
    pytest.param(DEFAULT_GRAPH, UNION_SIZE, id="default-union"),
    pytest.param(ASSERTED, UNION_SIZE - SIZES[INFERRED], id="asserted"),
])
def test_serialize_graph(mem_store, name, size):
    text = mem_store.serialize_graph(name, "application/n-triples").decode()
    assert len(text.strip().splitlines()) == size


def test_serialize_unknown_graph_is_not_found(mem_store):
    with pytest.raises(NotFound, match="no graph http://example.org/x"):
        mem_store.serialize_graph("http://example.org/x", "text/turtle")


@pytest.mark.parametrize("media_type, fmt", [
    pytest.param("application/n-quads", ox.RdfFormat.N_QUADS, id="nquads"),
    pytest.param("application/trig", ox.RdfFormat.TRIG, id="trig"),
])
def test_serialize_dataset_keeps_graph_names(mem_store, media_type, fmt):
    quads = list(ox.parse(mem_store.serialize_dataset(media_type), format=fmt))
    sizes = {}
    for quad in quads:
        sizes[quad.graph_name.value] = sizes.get(quad.graph_name.value, 0) + 1
    assert sizes == SIZES  # every named graph as loaded; nothing in the default graph


def test_inferences_repeating_asserted_triples_count_once():
    same = f"<{EX}a> <{EX}b> <{EX}c>"
    store = Store.from_nquads(f"{same} <{REFERENCE}> .\n{same} <{INFERRED}> .\n<{EX}a> <{EX}b> <{EX}d> <{INFERRED}> .\n")
    assert count(store) == 2
    assert count(store, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 3
    assert store.graph_names() == sorted([REFERENCE, INFERRED])
    assert len(store.serialize_graph(DEFAULT_GRAPH, "application/n-triples").splitlines()) == 2


@pytest.mark.parametrize("kind, media_type", [
    pytest.param("select", "text/turtle", id="select-as-turtle"),
    pytest.param("graph", "text/csv", id="graph-as-csv"),
])
def test_unsupported_format_names_the_choices(mem_store, kind, media_type):
    query = "SELECT * { ?s ?p ?o }" if kind == "select" else "CONSTRUCT WHERE { ?s ?p ?o }"
    with pytest.raises(ParameterError, match="choose one of"):
        mem_store.query(query).serialize(media_type)


def test_open_without_a_build_says_how_to_make_one(tmp_path):
    with pytest.raises(DataLoadError, match="aenc build"):
        Store.open(tmp_path)


def test_bad_nquads_names_the_line():
    with pytest.raises(DataLoadError, match=r"<N-Quads data>:2"):
        Store.from_nquads(SMALL_NQ.splitlines()[0] + "\n<http://a/> <http://b/> oops .\n")


def test_from_files_loads_triples_into_named_graphs(tmp_path):
    data = tmp_path / "d.nt"
    data.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n")
    with Store.from_files([("http://example.org/g", data)]) as store:
        assert store.graph_sizes() == {"http://example.org/g": 1}


def test_from_files_needs_a_graph_name_for_triples(tmp_path):
    data = tmp_path / "d.nt"
    data.write_text("")
    with pytest.raises(DataLoadError, match="NAME=FILE"):
        Store.from_files([(None, data)])
