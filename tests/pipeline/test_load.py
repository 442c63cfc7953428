"""Stage 1: loading names the file and line of every bad input, with a fix."""
from __future__ import annotations

import pytest
from rdflib import URIRef

from graph.errors import DataLoadError
from graph.load import load, parse_turtle, short
from graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH, report_graph

from .conftest import MINI_REPORT, write_data

HEAD = "@prefix a: <https://example.org/> .\n"


@pytest.mark.parametrize("body, line, why, hint", [
    pytest.param("a:s a:p a:o .\na:s a:p a:o\n\n# a comment\n\na:t a:p a:o .\n", 3,
                 "at end of statement", "end the statement", id="missing-dot-points-at-unended-line"),
    pytest.param("a:s\n  a:p a:o ;\n  a:q @@@ .\n", 4, "objectList expected", "give an object",
                 id="bad-token"),
    pytest.param("a:s\n  a:p b:o .\n", 3, 'Prefix "b:" not bound', "declare the prefix",
                 id="undeclared-prefix"),
    pytest.param('a:s a:p "open string .\n\na:t a:p a:o .\n', 2, "newline found in string",
                 "close the string", id="unterminated-short-string"),
    pytest.param('a:s\n  a:p """long\n\nstill open .\n', 3, "unterminated string", "close the string",
                 id="unterminated-long-string-points-at-opening"),
    pytest.param("a:s a:p [ a:q a:o ;\n\na:t a:p a:o .\n", 4, "']' expected", "close the blank node",
                 id="unclosed-blank-node"),
    pytest.param('a:s a:p "x"@ .\n', 2, "language code", "language tag", id="bad-language-tag"),
    pytest.param("a:s a:p a:o\n", 2, "EOF found", "file ends inside a statement", id="eof-in-statement"),
])
def test_syntax_error_names_file_line_and_fix(tmp_path, body, line, why, hint):
    path = tmp_path / "bad.ttl"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        parse_turtle(path)
    error = caught.value
    assert (error.path, error.line) == (str(path), line)
    assert str(error).startswith(f"{path}:{line}: Turtle syntax error")
    assert why in str(error) and hint in str(error)


def test_syntax_error_line_is_right_deep_in_a_long_file(tmp_path):
    path = tmp_path / "long.ttl"
    path.write_text(HEAD + "a:s a:p a:o .\n" * 5000 + "a:s a:p ;\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        parse_turtle(path)
    assert caught.value.line == 5002


def test_ill_typed_literal_is_refused_with_its_line(tmp_path):
    path = tmp_path / "dates.ttl"
    path.write_text(HEAD + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
                    'a:s a:p "2020-06-19"^^xsd:date .\na:t a:p "2020-13-45"^^xsd:date .\n', encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        parse_turtle(path)
    assert caught.value.line == 5
    assert '"2020-13-45"^^xsd:date is not a valid xsd:date' in str(caught.value)


def test_malformed_iri_is_refused_with_its_line(tmp_path):
    path = tmp_path / "iri.ttl"
    path.write_text(HEAD + "a:s a:p <https://example.org/with space> .\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        parse_turtle(path)
    assert caught.value.line == 2 and "malformed IRI" in str(caught.value)


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(DataLoadError, match="file not found"):
        parse_turtle(tmp_path / "nope.ttl")
    (tmp_path / "latin1.ttl").write_bytes(HEAD.encode() + 'a:s a:p "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(DataLoadError, match="not UTF-8"):
        parse_turtle(tmp_path / "latin1.ttl")


def test_load_puts_each_file_in_its_named_graph(mini_dir):
    loaded = load(mini_dir)
    names = {g.identifier for g in loaded.dataset.graphs() if len(g)}
    assert names == {ONTOLOGY_GRAPH, REFERENCE_GRAPH, report_graph("mini-one")}
    assert INFERRED_GRAPH not in names
    assert loaded.sources[report_graph("mini-one")] == mini_dir / "reports" / "mini-one.ttl"
    assert len(loaded.asserted()) == sum(len(loaded.dataset.graph(g)) for g in loaded.data_graphs)


def test_error_in_a_report_names_that_report(tmp_path):
    data = write_data(tmp_path, reports={"good": MINI_REPORT, "broken": MINI_REPORT + "\n<x> <y> .\n"})
    with pytest.raises(DataLoadError) as caught:
        load(data)
    assert caught.value.path == str(data / "reports" / "broken.ttl")
    assert caught.value.line == MINI_REPORT.count("\n") + 2


def test_no_reports_is_an_error_not_an_empty_build(tmp_path):
    data = write_data(tmp_path, reports={})
    with pytest.raises(DataLoadError, match="no report files"):
        load(data)


def test_report_file_name_must_be_a_key(tmp_path):
    data = write_data(tmp_path, reports={"Bad Name": MINI_REPORT})
    with pytest.raises(DataLoadError, match="not a usable key"):
        load(data)


def test_missing_reference_file(tmp_path):
    data = write_data(tmp_path)
    (data / "reference.ttl").unlink()
    with pytest.raises(DataLoadError, match="reference.ttl: file not found"):
        load(data)


@pytest.mark.parametrize("iri, text", [
    ("https://w3id.org/aenc/ont/Encounter", "aenc:Encounter"),
    ("https://w3id.org/aenc/id/state/russia", "<id/state/russia>"),
    ("http://www.w3.org/2001/XMLSchema#date", "xsd:date"),
    ("https://example.org/x", "<https://example.org/x>"),
])
def test_short_forms(iri, text):
    assert short(URIRef(iri)) == text


def test_a_long_load_says_how_far_it_has_read(monkeypatch):
    import graph.load
    monkeypatch.setattr(graph.load, "PROGRESS_SECONDS", 0.0)   # every report counts as long
    lines: list[str] = []
    loaded = load(progress=lines.append)
    reports = len(loaded.report_graphs)
    assert reports >= 2
    assert lines == [f"load: {done} of {reports} report files read" for done in range(1, reports)]


def test_a_short_load_says_nothing_on_the_way():
    lines: list[str] = []
    load(progress=lines.append)
    assert lines == []
