"""The benchmark's query set: every named query with its default parameters, written as plain
SPARQL text that any SPARQL 1.1 endpoint answers alike, and a few analytic joins; and how two
engines' answers are compared.

Named queries bind their parameters as typed terms (SEP-0007 substitutions, ``graph.queries``).
An HTTP endpoint takes text only, so ``inline`` writes the substitution into the text: the term
replaces the variable in the pattern, ``ORDER BY`` and ``HAVING``; the projection (or, in a
grouped query, the ``GROUP BY``) binds the variable to it, as a substitution does. The benchmark
checks that the inlined text gives the named query's rows in-process before timing it anywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph.queries import list_queries
from graph.remote import _mask, substitute as inline

#: analytic joins over the reasoned graph (results compared like the named queries)
ANALYTIC = {
    "join-bombers-per-ocean-year": """
PREFIX aenc: <https://w3id.org/aenc/ont/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?ocean ?year (COUNT(DISTINCT ?e) AS ?encounters) WHERE {
  ?e aenc:occurredWithin ?o ; aenc:involvesAircraftType/aenc:hasRole aenc:bomberRole ;
     aenc:time/aenc:earliestDate ?d .
  ?o a aenc:Ocean ; rdfs:label ?l . BIND (STR(?l) AS ?ocean)
} GROUP BY ?ocean (YEAR(?d) AS ?year) ORDER BY ?ocean ?year""",
    "join-state-pairs-with-units": """
PREFIX aenc: <https://w3id.org/aenc/ont/>
SELECT ?a ?b ?unit (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e aenc:hasParticipation ?pa , ?pb .
  ?pa aenc:state ?a ; aenc:participationRole aenc:Intercepting ; aenc:unit ?unit .
  ?pb aenc:state ?b ; aenc:participationRole aenc:Intercepted .
  FILTER (?a != ?b)
} GROUP BY ?a ?b ?unit ORDER BY DESC(?n) ?a ?b ?unit""",
    "join-denials-by-acting-state": """
PREFIX aenc: <https://w3id.org/aenc/ont/>
SELECT ?state (COUNT(DISTINCT ?claim) AS ?denials) (COUNT(DISTINCT ?e) AS ?encounters) WHERE {
  ?claim a aenc:AirspaceClaim ; aenc:violationAsserted false ; aenc:speaker ?who ; aenc:about ?e .
  ?who aenc:actsFor ?state .
  ?e aenc:involvesState ?state .
} GROUP BY ?state ORDER BY ?state""",
    "join-reports-disagreeing-on-counts": """
PREFIX aenc: <https://w3id.org/aenc/ont/>
SELECT ?e ?state ?type ?n1 ?n2 WHERE {
  GRAPH ?g1 { ?e aenc:hasParticipation ?p1 . ?p1 aenc:state ?state ; aenc:aircraftType ?type ;
              aenc:aircraftCount ?n1 }
  GRAPH ?g2 { ?e aenc:hasParticipation ?p2 . ?p2 aenc:state ?state ; aenc:aircraftType ?type ;
              aenc:aircraftCount ?n2 }
  FILTER (STR(?g1) < STR(?g2) && ?n1 != ?n2)
} ORDER BY ?e ?state ?type ?n1 ?n2""",
    "join-unsafe-by-interceptor-type": """
PREFIX aenc: <https://w3id.org/aenc/ont/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?typeLabel (COUNT(DISTINCT ?e) AS ?unsafe) WHERE {
  ?c aenc:assessment aenc:Unsafe ; aenc:about ?e .
  ?e aenc:hasParticipation ?p .
  ?p aenc:participationRole aenc:Intercepting ; aenc:aircraftType/rdfs:label ?l .
  BIND (STR(?l) AS ?typeLabel)
} GROUP BY ?typeLabel ORDER BY DESC(?unsafe) ?typeLabel""",
}


@dataclass
class BenchQuery:
    name: str
    text: str                # plain SPARQL, parameters inlined
    named: object = None     # the graph.queries.NamedQuery, when it is one
    bindings: dict | None = None

    @property
    def ordered(self) -> bool:
        return bool(re.search(r"\bORDER\s+BY\b", _mask(self.text), re.I))


def bench_queries() -> list[BenchQuery]:
    """Every named query (default parameters, inlined) and the analytic joins."""
    out = []
    for named in list_queries():
        bindings = named.bind({})
        out.append(BenchQuery(named.name, inline(named.text, bindings), named, bindings))
    for name, text in ANALYTIC.items():
        out.append(BenchQuery(name, text.strip() + "\n"))
    return out


# ---------------------------------------------------------------------------------------------
# Comparing answers
# ---------------------------------------------------------------------------------------------

def normal_rows(variables: list[str], rows: list[dict]) -> list[tuple]:
    """Rows as tuples of comparable cells: ('uri'|'literal'|'bnode', value, datatype or lang)."""
    out = []
    for row in rows:
        cells = []
        for var in variables:
            cell = row.get(var)
            if cell is None:
                cells.append(None)
            elif cell[0] == "bnode":
                cells.append(("bnode", "", ""))
            else:
                cells.append(cell)
        out.append(tuple(cells))
    return out


def _unordered_cells(rows: list[tuple]) -> list[tuple]:
    """Rows with each literal's comma-separated parts sorted (GROUP_CONCAT has no order)."""
    def cell(c):
        if c and c[0] == "literal" and re.search(r", | \| ", c[1]):
            return (c[0], "|".join(sorted(re.split(r", | \| ", c[1]))), c[2])
        return c
    return [tuple(cell(c) for c in row) for row in rows]


def compare(a: list[tuple], b: list[tuple], ordered: bool) -> str:
    """'same', 'same-rows' (ORDER BY ties ordered differently), 'same-concat' (only the order
    inside GROUP_CONCAT differs) or 'DIFFERENT (…)'."""
    if a == b:
        return "same"
    if sorted(a, key=repr) == sorted(b, key=repr):
        return "same" if not ordered else "same-rows"
    ua, ub = _unordered_cells(a), _unordered_cells(b)
    if sorted(ua, key=repr) == sorted(ub, key=repr):
        return "same-concat"
    return f"DIFFERENT ({len(a)} vs {len(b)} rows)"
