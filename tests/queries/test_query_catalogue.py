"""The named queries folder as a whole: each file loads, parses in both engines, and follows the
conventions (explicit PREFIX lines, ORDER BY, described parameters with usable defaults)."""
import re

import pytest
from rdflib.plugins.sparql import prepareQuery

from graph.queries import QUERIES_DIR, get_query, list_queries, query_names

NAMES = query_names()


def code(text: str) -> str:
    """The query text without comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_the_folder_holds_at_least_18_queries():
    assert len(NAMES) >= 18
    assert [q.name for q in list_queries()] == NAMES
    assert all(path.suffix == ".rq" for path in QUERIES_DIR.iterdir() if path.is_file())


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name):
    query = get_query(name)
    assert query.title and query.title[0].isupper() and len(query.title) <= 80
    assert query.description.endswith(".") and len(query.description) >= 40
    for parameter in query.parameters:
        assert parameter.description.endswith(".")
        assert parameter.default is not None or not parameter.required  # every query runs as it is
        assert f"?{parameter.name}" in code(query.text)


@pytest.mark.parametrize("name", NAMES)
def test_parses_with_rdflib_as_a_select_with_explicit_prefixes(name):
    text = get_query(name).text
    prepared = prepareQuery(text)  # no initNs: every prefix must be declared in the file
    assert prepared.algebra.name == "SelectQuery"
    used = set(re.findall(r"(?<![\w?$<\"'#])([a-z][\w-]*):[A-Za-z_]", re.sub(r"<[^>]*>|\"[^\"]*\"", "", code(text))))
    declared = set(re.findall(r"(?im)^PREFIX\s+([\w-]+):", text))
    assert used <= declared, f"prefixes used but not declared: {used - declared}"
    assert declared <= used, f"prefixes declared but not used: {declared - used}"


@pytest.mark.parametrize("name", NAMES)
def test_results_are_ordered(name):
    assert re.search(r"(?i)\bORDER\s+BY\b[^}]*\Z", code(get_query(name).text)), "end the query with ORDER BY"


@pytest.mark.parametrize("name", NAMES)
def test_defaults_bind(name):
    query = get_query(name)
    assert set(query.bind({})) == {p.name for p in query.parameters if p.default is not None}


#: what may follow an OPTIONAL in the same group without slowing the engine down
AFTER_OPTIONAL = {"OptionalGraphPattern", "Bind", "Filter"}


def required_after_optional(text: str) -> list[str]:
    """Parts of a group that are joined after one of its OPTIONALs (triples, VALUES, UNION,
    GRAPH, sub-queries). pyoxigraph joins those as a cross product, so a query written that way
    grows with the square of the data: 15 s at 1,000 encounters, hours at 100,000."""
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    found = []

    def walk(node):
        if isinstance(node, CompValue):
            if node.name == "GroupGraphPatternSub":
                names = [part.name for part in node.part]
                if "OptionalGraphPattern" in names:
                    first = names.index("OptionalGraphPattern")
                    found.extend(n for n in names[first:] if n not in AFTER_OPTIONAL)
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            for value in node:
                walk(value)

    walk(parseQuery(text))
    return found


def test_the_check_for_required_patterns_after_optional_finds_them():
    slow = "SELECT * WHERE { ?a ?b ?c OPTIONAL { ?a ?d ?e } ?c ?f ?g }"
    fine = "SELECT * WHERE { ?a ?b ?c . ?c ?f ?g OPTIONAL { ?a ?d ?e } BIND (1 AS ?one) }"
    nested = "SELECT * WHERE { { ?a ?b ?c OPTIONAL { ?a ?d ?e } VALUES ?x { 1 } } }"
    assert required_after_optional(slow) == ["TriplesBlock"]
    assert required_after_optional(fine) == []
    assert required_after_optional(nested) == ["InlineData"]


@pytest.mark.parametrize("name", NAMES)
def test_no_required_pattern_follows_an_optional(name):
    assert required_after_optional(get_query(name).text) == [], (
        f"{name}: move these before the group's first OPTIONAL")
