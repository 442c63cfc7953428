"""graph.results: SPARQL JSON, XML, CSV and TSV as the W3C specs write them, read back by rdflib."""
from __future__ import annotations

import io
import json

import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from graph import results

XSD = "http://www.w3.org/2001/XMLSchema#"
VARIABLES = ["s", "label", "n", "missing"]
NASTY = 'a "quoted", comma,\nnew line\ttab <b>&amp; é 漢'
ROWS = [
    (("uri", "http://example.org/s?a=1&b=2"), ("literal", NASTY, "en", results.RDF_LANG_STRING),
     ("literal", "42", None, XSD + "integer"), None),
    (("bnode", "b0"), ("literal", "plain", None, results.XSD_STRING), None, None),
]
EXPECTED = [
    {Variable("s"): URIRef("http://example.org/s?a=1&b=2"), Variable("label"): Literal(NASTY, lang="en"),
     Variable("n"): Literal("42", datatype=URIRef(XSD + "integer"))},
    {Variable("s"): BNode("b0"), Variable("label"): Literal("plain")},
]


@pytest.mark.parametrize("media_type, fmt", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/tab-separated-values", "tsv"),
])
def test_round_trip_keeps_every_term(media_type, fmt):
    body = results.write_solutions(VARIABLES, ROWS, media_type)
    parsed = Result.parse(io.BytesIO(body), format=fmt)
    assert [str(v) for v in parsed.vars] == VARIABLES
    got = [{k: v for k, v in row.items() if v is not None} for row in parsed.bindings]
    if fmt == "tsv":  # rdflib's TSV reader renames blank nodes
        got[1][Variable("s")] = BNode("b0")
    assert got == EXPECTED


def test_json_shape():
    doc = json.loads(results.write_solutions(VARIABLES, ROWS, "application/sparql-results+json"))
    assert doc["head"] == {"vars": VARIABLES}
    assert doc["results"]["bindings"][0]["label"] == {"type": "literal", "value": NASTY, "xml:lang": "en"}
    assert doc["results"]["bindings"][1] == {"s": {"type": "bnode", "value": "b0"},
                                             "label": {"type": "literal", "value": "plain"}}


def test_csv_is_plain_values_with_quoting_and_crlf():
    body = results.write_solutions(VARIABLES, ROWS, "text/csv").decode()
    quoted = '"' + NASTY.replace('"', '""') + '"'
    assert body == (f"s,label,n,missing\r\nhttp://example.org/s?a=1&b=2,{quoted},42,\r\n"
                    "_:b0,plain,,\r\n")
    parsed = Result.parse(io.BytesIO(body.encode()), format="csv")
    assert str(parsed.bindings[0][Variable("label")]) == NASTY


def test_tsv_escapes_tabs_and_newlines():
    line = results.write_solutions(VARIABLES, ROWS, "text/tab-separated-values").decode().split("\n")[1]
    assert line.split("\t") == [
        "<http://example.org/s?a=1&b=2>", '"a \\"quoted\\", comma,\\nnew line\\ttab <b>&amp; é 漢"@en',
        f'"42"^^<{XSD}integer>', ""]


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("media_type, fmt", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
])
def test_boolean_round_trip(value, media_type, fmt):
    assert Result.parse(io.BytesIO(results.write_boolean(value, media_type)), format=fmt).askAnswer is value


def test_boolean_as_csv_is_the_word():
    assert results.write_boolean(False, "text/csv") == b"false\n"


def test_empty_result():
    doc = json.loads(results.write_solutions(["x"], [], "application/sparql-results+json"))
    assert doc == {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def test_encode_decode_terms_round_trip():
    import pyoxigraph as ox
    terms = [ox.NamedNode("http://a/"), ox.BlankNode("x1"), ox.Literal("v", language="fr"),
             ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("plain")]
    assert [results.decode_term(results.encode_term(t)) for t in terms] == terms
