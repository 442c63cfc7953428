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
        return bool(re.search(r"\bORDER\s+BY\b", _strip(self.text), re.I))


def _strip(text: str) -> str:
    """The query text with comments, strings and IRIs blanked out (same length, same offsets),
    for finding keywords and braces."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
        elif ch == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = i + re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]).end()
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _where_span(text: str) -> tuple[int, int]:
    """Start and end (exclusive) of the top-level SELECT's group graph pattern ``{ … }``."""
    bare = _strip(text)
    select = re.search(r"\bSELECT\b", bare, re.I)
    if not select:
        raise ValueError("not a SELECT query")
    depth_paren = 0
    start = None
    for i in range(select.end(), len(bare)):
        ch = bare[i]
        if ch == "(":
            depth_paren += 1
        elif ch == ")":
            depth_paren -= 1
        elif ch == "{" and depth_paren == 0:
            start = i
            break
    if start is None:
        raise ValueError("no WHERE clause")
    depth = 0
    for i in range(start, len(bare)):
        if bare[i] == "{":
            depth += 1
        elif bare[i] == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
    raise ValueError("unbalanced braces")


def inline(text: str, bindings: dict) -> str:
    """The query with each bound variable replaced as a SEP-0007 substitution would."""
    if not bindings:
        return text
    start, end = _where_span(text)
    head, body, tail = text[:start], text[start:end], text[end:]
    grouped = re.search(r"\bGROUP\s+BY\b", _strip(tail), re.I) is not None
    for name, term in bindings.items():
        value = str(term)
        var = re.compile(r"[?$]" + re.escape(name) + r"\b")
        body = var.sub(lambda _m: value, body)
        group = re.search(r"\bGROUP\s+BY\b(.*?)(?=\bHAVING\b|\bORDER\s+BY\b|\bLIMIT\b|\bOFFSET\b|$)",
                          tail, re.I | re.S)
        if group:
            inner = var.sub(lambda _m: f"({value} AS ?{name})", group.group(1))
            tail = tail[:group.start(1)] + inner + tail[group.end(1):]
            rest_start = group.start(1) + len(inner)
            tail = tail[:rest_start] + var.sub(lambda _m: f"({value})", tail[rest_start:])
        else:
            tail = var.sub(lambda _m: f"({value})", tail)
        if not grouped:
            select = re.search(r"\bSELECT\b", head, re.I)
            head = head[:select.end()] + var.sub(lambda _m: f"({value} AS ?{name})", head[select.end():])
    return head + body + tail


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
        if c and c[0] == "literal" and ", " in c[1]:
            return (c[0], ", ".join(sorted(c[1].split(", "))), c[2])
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
