"""Binding raw request values to typed terms: each type, defaults, and each refusal."""
import pyoxigraph as ox
import pytest

from graph.errors import NotFound, ParameterError
from graph.queries import NamedQuery, Parameter, convert_value, get_query, list_queries, load_query_file

XSD = "http://www.w3.org/2001/XMLSchema#"

GOOD = [
    pytest.param("iri", "https://w3id.org/aenc/id/state/russia",
                 ox.NamedNode("https://w3id.org/aenc/id/state/russia"), id="iri-absolute"),
    pytest.param("iri", "state/russia", ox.NamedNode("https://w3id.org/aenc/id/state/russia"), id="iri-short"),
    pytest.param("iri", "  place/sea-of-okhotsk ", ox.NamedNode("https://w3id.org/aenc/id/place/sea-of-okhotsk"),
                 id="iri-short-trimmed"),
    pytest.param("iri", "aenc:bomberRole", ox.NamedNode("https://w3id.org/aenc/ont/bomberRole"), id="iri-ontology"),
    pytest.param("iri", "urn:x-aenc:test", ox.NamedNode("urn:x-aenc:test"), id="iri-urn"),
    pytest.param("date", "2020-06-19", ox.Literal("2020-06-19", datatype=ox.NamedNode(XSD + "date")), id="date"),
    pytest.param("date", "2024-02-29", ox.Literal("2024-02-29", datatype=ox.NamedNode(XSD + "date")), id="leap-day"),
    pytest.param("year", "2021", ox.Literal("2021", datatype=ox.NamedNode(XSD + "gYear")), id="year"),
    pytest.param("integer", "+007", ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")), id="integer"),
    pytest.param("integer", "-3", ox.Literal("-3", datatype=ox.NamedNode(XSD + "integer")), id="negative"),
    pytest.param("decimal", "320.5", ox.Literal("320.5", datatype=ox.NamedNode(XSD + "decimal")), id="decimal"),
    pytest.param("decimal", "200", ox.Literal("200", datatype=ox.NamedNode(XSD + "decimal")), id="decimal-int"),
    pytest.param("string", "unsafe", ox.Literal("unsafe"), id="string"),
]


@pytest.mark.parametrize("type_, raw, term", GOOD)
def test_values_become_typed_terms(type_, raw, term):
    assert convert_value("p", type_, raw) == term


BAD = [
    pytest.param("iri", "state russia", id="iri-space"),
    pytest.param("iri", "<https://x.org/a>", id="iri-brackets"),
    pytest.param("iri", "/state/russia", id="iri-rooted"),
    pytest.param("iri", "state/../secret", id="iri-dotdot"),
    pytest.param("iri", 'a"b', id="iri-quote"),
    pytest.param("iri", "aenc:bomber-role", id="iri-ontology-bad-local"),
    pytest.param("iri", "aenc:", id="iri-ontology-empty"),
    pytest.param("date", "2020-02-30", id="date-impossible"),
    pytest.param("date", "2020-6-19", id="date-short"),
    pytest.param("date", "20200619", id="date-basic-format"),
    pytest.param("date", "19 June 2020", id="date-words"),
    pytest.param("year", "20", id="year-short"),
    pytest.param("year", "2020-01", id="year-month"),
    pytest.param("integer", "1.5", id="integer-fraction"),
    pytest.param("integer", "one", id="integer-word"),
    pytest.param("integer", "1e3", id="integer-exp"),
    pytest.param("decimal", "1,5", id="decimal-comma"),
    pytest.param("decimal", "NaN", id="decimal-nan"),
    pytest.param("string", "x" * 1001, id="string-too-long"),
    pytest.param("string", "a\x00b", id="string-control"),
]


@pytest.mark.parametrize("type_, raw", BAD)
def test_bad_values_name_parameter_value_and_form(type_, raw):
    with pytest.raises(ParameterError) as info:
        convert_value("when", type_, raw)
    message = str(info.value)
    assert message.startswith("parameter 'when': ")
    assert repr(raw[:77])[:-1] in message  # the bad value is quoted (long ones cut)
    assert "expected " in message
    assert info.value.parameter == "when"


def make_query(*parameters):
    return NamedQuery("q", "T", "D", list(parameters), "SELECT * {}", None)


def test_defaults_applied_and_given_values_win():
    q = make_query(Parameter("state", "iri", "s", default="state/russia", required=False),
                   Parameter("year", "year", "y", default="2020", required=False))
    assert q.bind({}) == {"state": ox.NamedNode("https://w3id.org/aenc/id/state/russia"),
                          "year": ox.Literal("2020", datatype=ox.NamedNode(XSD + "gYear"))}
    assert q.bind({"year": "2024"})["year"].value == "2024"


def test_empty_value_counts_as_not_given():
    q = make_query(Parameter("year", "year", "y", default="2020", required=False))
    assert q.bind({"year": ""})["year"].value == "2020"


def test_missing_required_parameter():
    q = make_query(Parameter("encounter", "iri", "The encounter."))
    with pytest.raises(ParameterError, match="missing parameter 'encounter' for query 'q'") as info:
        q.bind({})
    assert "short form" in info.value.hint and info.value.parameter == "encounter"


def test_optional_parameter_without_default_is_left_free():
    q = make_query(Parameter("place", "iri", "p", required=False))
    assert q.bind({}) == {}
    assert q.bind({"place": "place/alaska"}) == {"place": ox.NamedNode("https://w3id.org/aenc/id/place/alaska")}


def test_unknown_parameter_is_refused_with_the_accepted_names():
    q = make_query(Parameter("state", "iri", "s", default="state/russia", required=False))
    with pytest.raises(ParameterError, match="unknown parameter 'stat' for query 'q'") as info:
        q.bind({"stat": "state/china"})
    assert info.value.hint == "it takes: state"


def test_query_without_parameters_says_so():
    with pytest.raises(ParameterError) as info:
        make_query().bind({"x": "1"})
    assert info.value.hint == "it takes: no parameters"


def test_unknown_query_lists_available_names():
    with pytest.raises(NotFound, match="no named query 'bomber'") as info:
        get_query("bomber")
    names = [q.name for q in list_queries()]
    assert names and info.value.hint == "available: " + ", ".join(names)


@pytest.mark.parametrize("name", ["../graph/queries", "", "Encounters", "a/b"])
def test_query_names_cannot_reach_outside_the_folder(name):
    with pytest.raises(NotFound):
        get_query(name)


def test_get_query_from_another_folder(tmp_path):
    (tmp_path / "mine.rq").write_text("#+ title: Mine\n#+ description: D\nSELECT ?s { ?s ?p ?o } ORDER BY ?s\n")
    assert get_query("mine", tmp_path).title == "Mine"
    assert [q.name for q in list_queries(tmp_path)] == ["mine"]
    with pytest.raises(NotFound, match="available: mine"):
        get_query("yours", tmp_path)


def test_bound_parameters_reach_the_engine(tmp_path):
    path = tmp_path / "by-year.rq"
    path.write_text("#+ title: T\n#+ description: D\n#+ parameters:\n#+   - name: year\n#+     type: year\n"
                    "#+     description: y\nSELECT ?year ?s { ?s <http://e/year> ?year } ORDER BY ?s\n")
    q = load_query_file(path)
    store = ox.Store()
    g = ox.Literal
    for s, y in [("a", "2020"), ("b", "2021")]:
        store.add(ox.Quad(ox.NamedNode("http://e/" + s), ox.NamedNode("http://e/year"),
                          g(y, datatype=ox.NamedNode(XSD + "gYear"))))
    subs = {ox.Variable(k): v for k, v in q.bind({"year": "2021"}).items()}
    assert [r["s"].value for r in store.query(q.text, substitutions=subs)] == ["http://e/b"]
