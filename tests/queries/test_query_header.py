"""The strict ``#+`` header of named query files: what loads, and each way it is refused."""
import pytest

from graph.errors import DataLoadError
from graph.queries import load_query_file

BODY = "PREFIX aenc: <https://w3id.org/aenc/ont/>\nSELECT ?e WHERE { ?e a aenc:Encounter } ORDER BY ?e\n"
GOOD = """#+ title: Encounters
#+ description: Every encounter,
#+   one per row.
#+ parameters:
#+   - name: state
#+     type: iri
#+     description: A state.
#+     default: state/russia
#+   - name: since
#+     type: date
#+     description: First day.
#+     required: false
PREFIX aenc: <https://w3id.org/aenc/ont/>
SELECT ?e ?state ?since WHERE {
  ?e aenc:involvesState ?state ; aenc:time/aenc:earliestDate ?since .
} ORDER BY ?e
"""


def write(tmp_path, text, name="q.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_header_is_read(tmp_path):
    q = load_query_file(write(tmp_path, GOOD, "my-query.rq"))
    assert (q.name, q.title, q.description) == ("my-query", "Encounters", "Every encounter, one per row.")
    assert [(p.name, p.type, p.default, p.required) for p in q.parameters] == [
        ("state", "iri", "state/russia", False), ("since", "date", None, False)]


def test_query_without_parameters(tmp_path):
    q = load_query_file(write(tmp_path, "#+ title: T\n#+ description: D\n" + BODY))
    assert q.parameters == [] and q.text.endswith(BODY)


def test_required_parameter_without_default(tmp_path):
    text = GOOD.replace("#+     default: state/russia\n", "")
    assert load_query_file(write(tmp_path, text)).parameters[0].required is True


BAD = [
    pytest.param(BODY, 1, "no '#+' header", id="no-header"),
    pytest.param("#+ description: D\n" + BODY, 1, "no title", id="missing-title"),
    pytest.param("#+ title: T\n" + BODY, 1, "no description", id="missing-description"),
    pytest.param("#+ title: T\n#+ description:\n" + BODY, 2, "no description", id="empty-description"),
    pytest.param("#+ title: T\n#+ description: D\n#+ author: me\n" + BODY, 3, "unknown header key 'author'",
                 id="unknown-key"),
    pytest.param("#+ title: T\n#+ title: U\n#+ description: D\n" + BODY, 2, "given twice", id="duplicate-key"),
    pytest.param("#+title: T\n#+ description: D\n" + BODY, 1, "no space after '#+'", id="no-space"),
    pytest.param("#+ title T\n#+ description: D\n" + BODY, 1, "expected 'key: value'", id="no-colon"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters: x\n" + BODY, 3, "takes a list", id="inline-params"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: iri\n"
                 "#+     description: x\n#+     colour: red\n" + BODY, 7, "unknown parameter key 'colour'",
                 id="unknown-param-key"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: uri\n"
                 "#+     description: x\n" + BODY, 5, "unknown type 'uri'", id="bad-type"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: iri\n" + BODY,
                 4, "parameter without 'description'", id="param-no-description"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - type: iri\n#+     description: x\n" + BODY,
                 4, "parameter without 'name'", id="param-no-name"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: iri\n"
                 "#+     description: x\n#+   - name: e\n#+     type: iri\n#+     description: y\n" + BODY,
                 7, "declared twice (first on line 4)", id="duplicate-param"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e-1\n#+     type: iri\n"
                 "#+     description: x\n" + BODY, 4, "not a SPARQL variable name", id="bad-param-name"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: date\n"
                 "#+     description: x\n#+     default: 2020-02-30\n" + BODY, 7, "bad default", id="bad-default"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: e\n#+     type: iri\n"
                 "#+     description: x\n#+     required: maybe\n" + BODY, 7, "must be true or false",
                 id="bad-required"),
    pytest.param("#+ title: T\n#+ description: D\n#+ parameters:\n#+  - name: e\n" + BODY, 4,
                 "unexpected indentation", id="bad-indent"),
    pytest.param("#+ title: T\n#+ description: D\n" + BODY + "#+ parameters:\n", 5,
                 "header line after the query began", id="late-header"),
    pytest.param("#+ title: T\n#+ description: D\n# just a comment\n", 3, "no query", id="no-query"),
    pytest.param("#+ title: T\n#+ description: D\nPREFIX aenc: <https://w3id.org/aenc/ont/>\n"
                 "SELECT ?e WHERE {\n  ?e a aenc:Encounter \n} ORDR BY ?e\n", 6, "SPARQL syntax error",
                 id="sparql-syntax"),
    pytest.param("#+ title: T\n#+ description: D\nSELECT ?e WHERE { ?e a aenc:Encounter }\n", 3,
                 "undeclared prefix 'aenc:'", id="undeclared-prefix"),
    pytest.param("#+ title: T\n#+ description: D\nPREFIX aenc: <https://w3id.org/aenc/ont/>\n"
                 "SELECT ?e WHERE {\n ?e aenc:time ?t FILTER (?t = xsd:date(\"2020-01-01\"))\n}\n", 5,
                 "undeclared prefix 'xsd:'", id="undeclared-prefix-in-function"),
]


@pytest.mark.parametrize("text, line, fragment", BAD)
def test_bad_header_names_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(DataLoadError) as info:
        load_query_file(path)
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert info.value.hint  # every refusal says how to fix it


def test_parameter_must_be_used_in_query(tmp_path):
    text = "#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: place\n#+     type: iri\n" \
           "#+     description: x\n" + BODY
    with pytest.raises(DataLoadError, match=r"'place' does not appear in the query as \?place"):
        load_query_file(write(tmp_path, text))


def test_parameter_only_in_a_comment_does_not_count(tmp_path):
    text = "#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: place\n#+     type: iri\n" \
           "#+     description: x\n# filter on ?place some day\n" + BODY
    with pytest.raises(DataLoadError, match="does not appear in the query"):
        load_query_file(write(tmp_path, text))


def test_parameter_must_be_projected(tmp_path):
    text = "#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: place\n#+     type: iri\n" \
           "#+     description: x\nPREFIX aenc: <https://w3id.org/aenc/ont/>\n" \
           "SELECT ?e WHERE { ?e aenc:location ?place } ORDER BY ?e\n"
    with pytest.raises(DataLoadError, match=r"'place' is not in the SELECT projection") as info:
        load_query_file(write(tmp_path, text))
    assert "add ?place to the SELECT list" in info.value.hint


def test_parameter_must_not_be_tested_with_bound(tmp_path):
    text = "#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: place\n#+     type: iri\n" \
           "#+     description: x\n#+     required: false\nPREFIX aenc: <https://w3id.org/aenc/ont/>\n" \
           "SELECT ?e ?place WHERE { ?e a aenc:Encounter OPTIONAL { ?e aenc:location ?l } " \
           "FILTER (!bound( ?place ) || ?l = ?place) } ORDER BY ?e\n"
    with pytest.raises(DataLoadError, match=r"'place' is tested with BOUND\(\?place\)"):
        load_query_file(write(tmp_path, text))


@pytest.mark.parametrize("name", ["Bad Name.rq", "UPPER.rq", "q.sparql"])
def test_file_names_must_be_url_safe_rq(tmp_path, name):
    with pytest.raises(DataLoadError):
        load_query_file(write(tmp_path, "#+ title: T\n#+ description: D\n" + BODY, name))


def test_missing_file(tmp_path):
    with pytest.raises(DataLoadError, match="cannot read query file"):
        load_query_file(tmp_path / "absent.rq")


def test_not_utf8(tmp_path):
    path = tmp_path / "q.rq"
    path.write_bytes(b"#+ title: \xff\n#+ description: D\n" + BODY.encode())
    with pytest.raises(DataLoadError, match="not UTF-8"):
        load_query_file(path)


def test_edited_file_is_reread(tmp_path):
    path = write(tmp_path, "#+ title: First\n#+ description: D\n" + BODY)
    assert load_query_file(path).title == "First"
    path.write_text("#+ title: Second title\n#+ description: D\n" + BODY, encoding="utf-8")
    assert load_query_file(path).title == "Second title"
