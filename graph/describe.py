"""Plain data for the HTML pages and bounded RDF descriptions of single resources.

Everything here reads the graph through ``Store.query`` with typed bindings (pyoxigraph
substitutions), never by pasting IRIs into query text, and returns dataclasses that a template
can render. No HTTP here: the server maps request paths to IRIs and errors to status codes.

Integration for ``server.py`` (route -> call -> template and context). ``iri`` is always
``cfg["base_iri"] + <the path after the site's base path>``.

    once:  helpers = template_helpers(base_iri=cfg["base_iri"], base_path=cfg["base_path"])
           app.jinja_env.globals.update(helpers["globals"])
           app.jinja_env.filters.update(helpers["filters"])
           Flask(..., template_folder="templates", static_folder="static", static_url_path="/static")

    GET /                      summarize(store) (cache it)      -> home.html
                               context: summary, endpoint (absolute URL of /sparql), void_url
    GET /query                 no store call                    -> query.html
                               context: endpoint (URL of /sparql), queries_url (URL of /queries,
                               whose JSON is {"queries": [{name, title, description, parameters:
                               [{name, type, description, default, required, expected}], url, text}]})
    GET /id/<path>   HTML      describe_resource(store, iri)    -> resource.html, context: resource
                     RDF       describe_graph(store, iri) -> rdflib Graph, serialised per Accept
                               or ?format=turtle|ntriples|jsonld|rdfxml (the pages link these)
    GET /graph/<path> HTML     describe_resource(store, iri)    -> resource.html (graph names work)
    GET /ont/        HTML      describe_ontology(store, iri)    -> ontology.html, context: ontology
    GET /ont/<name>  HTML      describe_term(store, iri)        -> term.html, context: term
                     RDF       describe_graph(store, iri)
    GET /void                  graph.void.build_void(store, endpoint_url=..., base_url=...)
    GET /sparql (no query)     graph.void.build_service_description(store, endpoint_url=..., base_url=...)
    HTML error pages                                            -> error.html
                               context: status (int), title, message, hint (may be None)

``describe_resource`` calls ``describe_encounter`` (any air activity) or ``describe_report`` itself
and puts the result on ``resource.encounter`` / ``resource.report``. Templates use the globals
``base_path``, ``base_iri``, ``url(path)``, ``static(name)``, ``graph_kind(iri)``,
``graph_name(iri)``, ``prefixes`` and the filters ``link`` (IRI -> page on this site if under
base_iri, else the IRI), ``curie`` and ``duration``. ``NotFound`` from any function here means 404
(an unknown IRI, or text that is not an IRI at all); nothing else here is caused by the request.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.errors import NotFound
from graph.namespaces import ASSERTED_UNION, INFERRED_GRAPH, ONT, ONTOLOGY_GRAPH, REFERENCE_GRAPH

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: prefixes for compact display of IRIs that have no label (and for the query page)
PREFIXES: dict[str, str] = {
    "aenc": ONT,
    "id": ONT[: -len("ont/")] + "id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}

_SPARQL_PREFIXES = "".join(
    f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("aenc", "rdf", "rdfs", "owl", "skos", "dcterms", "geo", "qudt")
)

#: how many subjects to list per incoming property on a page (the rest are counted)
INCOMING_PER_PROPERTY = 50
#: how many incoming triples a machine description holds at most (a class has many instances)
MAX_INCOMING_TRIPLES = 1000
#: how many activities the home page and a report page list
ACTIVITY_LIST_LIMIT = 100
#: how many report graphs the home page lists by name (a large dataset has thousands)
MAX_REPORT_GRAPHS_LISTED = 25


# --------------------------------------------------------------------------- data shapes

@dataclass(frozen=True)
class Node:
    """An RDF term ready for display: ``value`` is the IRI, blank node id or lexical form."""

    kind: str  # "iri" | "bnode" | "literal"
    value: str
    label: str = field(default="", compare=False)
    datatype: str | None = None
    lang: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def text(self) -> str:
        """What a person reads: the label for IRIs, the lexical form for literals."""
        return self.label or (self.value if self.kind != "iri" else curie(self.value))

    @property
    def datatype_curie(self) -> str | None:
        if not self.datatype or self.datatype.startswith(XSD):  # people need no xsd: tags
            return None
        return curie(self.datatype)


@dataclass
class Statement:
    """One value of a property, with the named graphs that hold the triple."""

    node: Node
    graphs: list[str]

    @property
    def inferred(self) -> bool:
        """True when only the inferred graph holds the triple."""
        return bool(self.graphs) and all(g == str(INFERRED_GRAPH) for g in self.graphs)


@dataclass
class PropertyValues:
    property: Node
    values: list[Statement]
    total: int = 0  # for incoming lists cut at INCOMING_PER_PROPERTY

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.values))


@dataclass
class TimeView:
    node: Node
    earliest: str | None
    latest: str | None
    precision: Node | None
    expression: str | None
    resolved_relative_to: Node | None
    graphs: list[str]

    @property
    def display(self) -> str:
        if self.earliest and self.latest and self.earliest != self.latest:
            return f"{self.earliest} – {self.latest}"
        return self.earliest or self.latest or "unknown"


@dataclass
class PlaceView:
    place: Node
    relation: Node  # aenc:location or aenc:near
    within: list[Node]  # containing places, innermost first
    wkt: str | None
    graphs: list[str]


@dataclass
class ParticipationView:
    node: Node
    state: Node | None
    command: Node | None
    aircraft_type: Node | None
    type_roles: list[Node]  # most specific roles of the aircraft type (through variants)
    aircraft_role: Node | None
    designation: str | None
    count: int | None
    count_qualifier: Node | None
    role: Node | None
    units: list[Node]
    comment: str | None
    graphs: list[str]
    details: list[PropertyValues]

    @property
    def summary(self) -> str:
        """One line for a person: ``Russia · Tu-95MS · patrolling``."""
        side = " / ".join(n.text for n in (self.state, self.command) if n is not None) or "unknown side"
        craft = (self.aircraft_type or self.aircraft_role)
        parts = [side, craft.text if craft else "aircraft of unknown type"]
        if self.role is not None:
            parts.append(self.role.text)
        return " · ".join(parts)

    @property
    def count_display(self) -> str:
        q = self.count_qualifier.value if self.count_qualifier else ""
        if self.count is None:
            return "unknown"
        if q.endswith("ApproximateCount"):
            return f"about {self.count}"
        if q.endswith("AtLeastCount"):
            return f"at least {self.count}"
        return str(self.count)


@dataclass
class BehaviourView:
    node: Node
    types: list[Node]
    performed_by: list[Node]
    comment: str | None
    graphs: list[str]
    details: list[PropertyValues]


@dataclass
class Distance:
    value: str
    unit: Node | None
    metres: str | None


@dataclass
class ClaimView:
    node: Node
    types: list[Node]  # most specific claim classes
    speakers: list[Node]
    relayed_by: list[Node]
    reports: list[Node]
    about: list[Node]
    quoted_label: str | None
    assessments: list[Node]
    claimed_date: str | None
    distances: list[Distance]
    comment: str | None  # the curators' paraphrase, never the report's sentence
    graphs: list[str]
    details: list[PropertyValues]


@dataclass
class SourceView:
    report: Node
    publishers: list[Node]
    date: str | None
    url: str | None
    source_file: str | None
    graphs: list[str]
    key: str = ""  # "A", "B", … on an encounter page, to cite the source in tables

    @property
    def short(self) -> str:
        """A short citation: the publisher's name (cut at 28 characters) and the date."""
        name = self.publishers[0].text if self.publishers else self.report.text
        name = name if len(name) <= 28 else name[:27].rstrip() + "…"
        return f"{name}, {self.date}" if self.date else name


@dataclass
class ClaimGroup:
    """The claims one report holds about an activity."""

    source: SourceView
    claims: list[ClaimView]


@dataclass
class EncounterView:
    types: list[Node]
    times: list[TimeView]
    duration: str | None
    places: list[PlaceView]
    participations: list[ParticipationView]
    behaviours: list[BehaviourView]
    claims_by_report: list[ClaimGroup]
    sources: list[SourceView]
    related: list[PropertyValues]  # follows / responds to, both ways

    @property
    def participation_names(self) -> dict[str, str]:
        """Participation IRI -> its one-line summary, for behaviours' "performed by"."""
        return {p.node.value: p.summary for p in self.participations}

    @property
    def graph_reports(self) -> dict[str, SourceView]:
        """Named graph -> the source whose account it holds, for "according to" columns."""
        return {g: s for s in self.sources for g in s.graphs}


@dataclass
class ActivitySummary:
    node: Node
    types: list[Node]
    earliest: str | None
    latest: str | None
    states: list[Node]
    commands: list[Node] = field(default_factory=list)  # NATO, NORAD… when they took part

    @property
    def sides(self) -> list[Node]:
        return self.states + self.commands

    @property
    def date_display(self) -> str:
        if self.earliest and self.latest and self.earliest != self.latest:
            return f"{self.earliest} – {self.latest}"
        return self.earliest or "unknown"


@dataclass
class ReportView:
    source: SourceView
    authors: list[Node]
    claims: list[ClaimView]
    activities: list[ActivitySummary]


@dataclass
class GraphInfo:
    """Set when the resource is the name of a graph in the store."""

    triples: int
    kind: str  # ontology | reference | report | inferred | asserted-union | other


@dataclass
class Resource:
    iri: str
    label: str
    labels: list[Node]
    types: list[Statement]
    definition: str | None
    outgoing: list[PropertyValues]
    incoming: list[PropertyValues]
    graphs: list[str]
    kind: str  # "encounter" (any air activity) | "report" | "resource"
    encounter: EncounterView | None = None
    report: ReportView | None = None
    graph: GraphInfo | None = None


@dataclass
class TermView:
    iri: str
    label: str
    definition: str | None
    kinds: list[Node]  # owl:Class, owl:ObjectProperty, ... or the class of an individual
    deprecated: bool
    superclasses: list[Node]
    subclasses: list[Node]
    disjoint_with: list[Node]
    superproperties: list[Node]
    subproperties: list[Node]
    inverse: list[Node]
    domain: list[Node]
    range: list[Node]
    chains: list[list[Node]]
    characteristics: list[Node]  # owl:TransitiveProperty ...
    instances: list[Node]
    instance_count: int
    usage_count: int  # triples using the property
    other: list[PropertyValues]


@dataclass
class OntologyView:
    iri: str
    title: str
    description: str | None
    version_iri: str | None
    version: str | None
    license: str | None
    classes: list[Node]
    object_properties: list[Node]
    datatype_properties: list[Node]
    individuals: list[tuple[Node, list[Node]]]  # (class, its named individuals)


@dataclass
class GraphCount:
    graph: Node
    triples: int
    kind: str


@dataclass
class Summary:
    counts: dict[str, int]
    graphs: list[GraphCount]  # every graph, but at most MAX_REPORT_GRAPHS_LISTED report graphs
    activities: list[ActivitySummary]
    activities_total: int
    report_graphs: int = 0
    report_triples: int = 0

    @property
    def report_graphs_hidden(self) -> int:
        return self.report_graphs - sum(1 for g in self.graphs if g.kind == "report")


# --------------------------------------------------------------------------- helpers

def curie(iri: str) -> str:
    """Compact an IRI with the known prefixes (``aenc:Encounter``); unknown IRIs stay whole."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]):]
        if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*", local or "x") and not local.endswith("."):
            return f"{best}:{local}"
    return iri


def _local_name(iri: str) -> str:
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def graph_kind(name: str) -> str:
    """Which kind of graph a graph name is: ontology, reference, report, inferred, asserted-union, other."""
    if name == str(ONTOLOGY_GRAPH):
        return "ontology"
    if name == str(REFERENCE_GRAPH):
        return "reference"
    if name == str(INFERRED_GRAPH):
        return "inferred"
    if name == str(ASSERTED_UNION):
        return "asserted-union"
    if name.startswith(str(REFERENCE_GRAPH)[: -len("reference")] + "report/"):
        return "report"
    return "other"


def graph_name(iri: str) -> str:
    """A short name for a graph IRI: ``report/2024-07-25-…`` for ``…/graph/report/2024-07-25-…``."""
    prefix = str(ONTOLOGY_GRAPH)[: -len("ontology")]
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def _to_term(value: Any) -> Any:
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return value
    if isinstance(value, (URIRef, str)):
        try:
            return ox.NamedNode(str(value))
        except ValueError as exc:
            raise NotFound(f"{str(value)!r} is not a valid IRI: {exc}",
                           hint="an IRI has no spaces, quotes or angle brackets") from None
    raise TypeError(f"cannot bind {value!r}: give an IRI string or a pyoxigraph term")


def _node(binding: dict[str, str]) -> Node:
    kind = binding["type"]
    if kind == "uri":
        return Node("iri", binding["value"])
    if kind == "bnode":
        return Node("bnode", binding["value"])
    return Node(
        "literal", binding["value"], datatype=binding.get("datatype"), lang=binding.get("xml:lang")
    )


def _select(store, sparql: str, **bindings: Any) -> list[dict[str, Node]]:
    """Run a SELECT with typed bindings; each row maps variable -> Node (unbound are absent)."""
    # <INFERRED> stands for the inferred graph's IRI, a constant of the project, not input
    text = _SPARQL_PREFIXES + sparql.replace("<INFERRED>", f"<{INFERRED_GRAPH}>")
    result = store.query(text, bindings={k: _to_term(v) for k, v in bindings.items()})
    data = json.loads(result.serialize("application/sparql-results+json"))
    return [{k: _node(v) for k, v in row.items()} for row in data["results"]["bindings"]]


def _pick_label(candidates: Iterable[Node]) -> str:
    """The English label if there is one, else one without a language, else any; stable."""
    def rank(n: Node) -> tuple[int, str]:
        lang = (n.lang or "").lower()
        return (0 if lang == "en" else 1 if lang.startswith("en-") else 2 if not lang else 3, n.value)

    ordered = sorted((c for c in candidates if c.is_literal), key=rank)
    return ordered[0].value if ordered else ""


class _Labels:
    """Collects label candidates per IRI from query rows and resolves them once."""

    def __init__(self) -> None:
        self._cands: dict[str, list[Node]] = {}

    def add(self, node: Node | None, label: Node | None) -> None:
        if node is not None and label is not None and node.kind == "iri":
            self._cands.setdefault(node.value, []).append(label)

    def node(self, node: Node) -> Node:
        if node.kind != "iri":
            return node
        label = _pick_label(self._cands.get(node.value, ()))
        return Node("iri", node.value, label=label or _fallback_label(node.value))


def _text(literals: list[Node]) -> str | None:
    return _pick_label(literals) or None


def _fallback_label(iri: str) -> str:
    graphs = str(ONTOLOGY_GRAPH)[: -len("ontology")]
    if iri.startswith(graphs):
        return "graph " + iri[len(graphs):]
    c = curie(iri)
    return c if c != iri else _local_name(iri)


#: symbols of the QUDT length units reports use
UNIT_SYMBOLS = {"MI": "mi", "MI_N": "nmi", "KiloM": "km", "M": "m", "FT": "ft", "YD": "yd"}


def unit_symbol(iri: str) -> str:
    """``unit:KiloM`` -> ``km``; an unknown unit shows its local name."""
    local = _local_name(iri)
    return UNIT_SYMBOLS.get(local, local) if iri.startswith(PREFIXES["unit"]) else local


def _float(value: str | None) -> float:
    try:
        return float(value) if value is not None else float("inf")
    except ValueError:
        return float("inf")


def _int(node: Node | None) -> int:
    try:
        return int(node.value) if node is not None else 0
    except ValueError:
        return 0


def _sorted_nodes(nodes: Iterable[Node]) -> list[Node]:
    seen: dict[tuple, Node] = {}
    for n in nodes:
        seen.setdefault((n.kind, n.value, n.datatype, n.lang), n)
    return sorted(seen.values(), key=lambda n: (n.text.lower(), n.value))


# --------------------------------------------------------------------------- triples of nodes

class _NodeTriples:
    """Asserted triples of a set of nodes, grouped by node and property, with labels resolved."""

    def __init__(self) -> None:
        self.by_node: dict[Node, dict[Node, dict[Node, set[str]]]] = {}
        self.labels = _Labels()

    def add(self, n: Node, p: Node, o: Node, g: Node | None, olabel: Node | None) -> None:
        self.labels.add(o, olabel)
        graphs = self.by_node.setdefault(n, {}).setdefault(p, {}).setdefault(o, set())
        if g is not None:
            graphs.add(g.value)

    def values(self, n: Node, prop: str) -> list[Node]:
        props = self.by_node.get(n, {})
        return _sorted_nodes(self.labels.node(o) for o in props.get(Node("iri", prop), {}))

    def first(self, n: Node, prop: str) -> Node | None:
        vals = self.values(n, prop)
        return vals[0] if vals else None

    def graphs(self, n: Node) -> list[str]:
        out: set[str] = set()
        for objs in self.by_node.get(n, {}).values():
            for gs in objs.values():
                out |= gs
        return sorted(out)

    def details(self, n: Node, handled: set[str], plabels: _Labels) -> list[PropertyValues]:
        out = []
        for p, objs in self.by_node.get(n, {}).items():
            if p.value in handled:
                continue
            vals = [Statement(self.labels.node(o), sorted(gs)) for o, gs in objs.items()]
            vals.sort(key=lambda s: (s.node.text.lower(), s.node.value))
            out.append(PropertyValues(plabels.node(p), vals, len(vals)))
        out.sort(key=lambda pv: (pv.property.text.lower(), pv.property.value))
        return out


def _ontology_labels(store) -> _Labels:
    """Labels of every term in the ontology graph (a few hundred), for property and class names."""
    labels = _Labels()
    rows = _select(
        store,
        "SELECT ?g ?t ?l WHERE { GRAPH ?g { ?t rdfs:label ?l } }",
        g=str(ONTOLOGY_GRAPH),
    )
    for r in rows:
        labels.add(r["t"], r["l"])
    return labels


# --------------------------------------------------------------------------- generic resource

def _outgoing(store, iri: str) -> tuple[list[PropertyValues], _Labels]:
    rows = _select(
        store,
        """SELECT ?s ?p ?o ?g ?ol WHERE {
             GRAPH ?g { ?s ?p ?o }
             OPTIONAL { ?o rdfs:label ?ol }
           }""",
        s=iri,
    )
    plabels = _ontology_labels(store) if rows else _Labels()
    nt = _NodeTriples()
    subject = Node("iri", iri)
    for r in rows:
        nt.add(subject, r["p"], r["o"], r.get("g"), r.get("ol"))
    return nt.details(subject, set(), plabels), nt.labels


def _incoming(store, iri: str) -> list[PropertyValues]:
    counts = _select(
        store,
        "SELECT ?o ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p",
        o=iri,
    )
    if not counts:
        return []
    plabels = _ontology_labels(store)
    out = []
    for c in counts:
        prop = c["p"]
        rows = _select(
            store,
            """SELECT ?o ?p ?s ?g ?sl WHERE {
                 GRAPH ?g { ?s ?p ?o }
                 OPTIONAL { ?s rdfs:label ?sl }
               } ORDER BY ?s LIMIT """ + str(INCOMING_PER_PROPERTY * 4),
            o=iri,
            p=prop.value,
        )
        nt = _NodeTriples()
        key = Node("iri", iri)
        for r in rows:
            nt.add(key, prop, r["s"], r.get("g"), r.get("sl"))
        values = nt.details(key, set(), plabels)
        stmts = values[0].values[:INCOMING_PER_PROPERTY] if values else []
        out.append(PropertyValues(plabels.node(prop), stmts, _int(c["n"])))
    out.sort(key=lambda pv: (pv.property.text.lower(), pv.property.value))
    return out


def _graph_info(store, iri: str) -> GraphInfo | None:
    if iri not in set(store.graph_names()):
        return None
    rows = _select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", g=iri)
    return GraphInfo(_int(rows[0]["n"]) if rows else 0, graph_kind(iri))


def _kind(store, iri: str) -> str:
    rows = _select(
        store,
        """SELECT ?s ?k WHERE {
             { ?s rdf:type/rdfs:subClassOf* aenc:AirActivity BIND("encounter" AS ?k) }
             UNION { ?s rdf:type/rdfs:subClassOf* aenc:Report BIND("report" AS ?k) }
           } LIMIT 1""",
        s=iri,
    )
    return rows[0]["k"].value if rows else "resource"


def describe_resource(store, iri: str) -> Resource:
    """Everything a resource page shows; NotFound when the graph holds nothing about ``iri``."""
    outgoing, _ = _outgoing(store, iri)
    incoming = _incoming(store, iri)
    graph = _graph_info(store, iri)
    if not outgoing and not incoming and graph is None:
        raise NotFound(
            f"nothing in the graph is about <{iri}>",
            hint="check the address; the home page links to every encounter and report",
        )
    labels: list[Node] = []
    types: list[Statement] = []
    definition = None
    graphs: set[str] = set()
    for pv in outgoing:
        for st in pv.values:
            graphs |= set(st.graphs)
        if pv.property.value in (RDFS_LABEL, SKOS_PREFLABEL):
            labels += [st.node for st in pv.values]
        elif pv.property.value == RDF_TYPE:
            types = sorted(pv.values, key=lambda s: (s.inferred, s.node.text.lower()))
        elif pv.property.value in (PREFIXES["skos"] + "definition", PREFIXES["rdfs"] + "comment",
                                   PREFIXES["dcterms"] + "description") and definition is None:
            definition = _pick_label(st.node for st in pv.values) or None
    label = _pick_label(labels) or (_fallback_label(iri))
    kind = _kind(store, iri)
    res = Resource(iri, label, labels, types, definition, outgoing, incoming, sorted(graphs), kind, graph=graph)
    if kind == "encounter":
        res.encounter = describe_encounter(store, iri)
    elif kind == "report":
        res.report = describe_report(store, iri)
    return res


# --------------------------------------------------------------------------- encounters

_NODE_KINDS_QUERY = """
SELECT ?e ?kind ?c ?n ?p ?o ?g ?ol WHERE {
  { ?e aenc:hasParticipation ?n BIND("participation" AS ?kind) }
  UNION { ?n aenc:about ?e BIND("claim" AS ?kind) }
  UNION { ?e aenc:hasBehaviour ?n BIND("behaviour" AS ?kind) }
  UNION { ?e aenc:time ?n BIND("time" AS ?kind) }
  UNION { ?c aenc:about ?e . ?c aenc:closestApproach ?n BIND("quantity" AS ?kind) }
  GRAPH ?g { ?n ?p ?o }
  FILTER (?g != <INFERRED>)
  OPTIONAL { ?o rdfs:label ?ol }
}"""


def _collect_nodes(store, sparql: str, **bindings: Any):
    """Rows of (kind, node, p, o) into one _NodeTriples, plus nodes per kind and claim->quantities."""
    rows = _select(store, sparql, **bindings)
    nt = _NodeTriples()
    kinds: dict[str, list[Node]] = {}
    quantities: dict[Node, list[Node]] = {}
    for r in rows:
        n = r["n"]
        nt.add(n, r["p"], r["o"], r.get("g"), r.get("ol"))
        bucket = kinds.setdefault(r["kind"].value, [])
        if n not in bucket:
            bucket.append(n)
        if r["kind"].value == "quantity" and "c" in r:
            qs = quantities.setdefault(r["c"], [])
            if n not in qs:
                qs.append(n)
    return nt, kinds, quantities


def _most_specific(types: list[Node], store, base: str) -> list[Node]:
    """Drop a class when a subclass of it is also in the list (so aenc:Claim hides behind aenc:DateClaim)."""
    if len(types) < 2:
        return types
    keep = []
    for t in types:
        others = [o for o in types if o.value != t.value]
        if not any(_is_subclass(store, o.value, t.value) for o in others):
            keep.append(t)
    return keep or types


def _is_subclass(store, sub: str, sup: str) -> bool:
    rows = _select(store, "SELECT ?a ?b WHERE { ?a rdfs:subClassOf+ ?b }", a=sub, b=sup)
    return bool(rows)


A = ONT  # short alias for property IRIs below

_PARTICIPATION_HANDLED = {A + p for p in (
    "state", "underCommandOf", "aircraftType", "aircraftRole", "reportedDesignation",
    "aircraftCount", "countQualifier", "participationRole", "unit", "participationIn")} | {RDF_TYPE, RDFS_COMMENT}
_CLAIM_HANDLED = {A + p for p in (
    "speaker", "relayedBy", "statedIn", "about", "quotedLabel", "assessment", "claimedDate",
    "closestApproach")} | {RDF_TYPE, RDFS_COMMENT}
_BEHAVIOUR_HANDLED = {A + "performedBy", RDF_TYPE, RDFS_COMMENT}


def _type_roles(store, iri: str) -> dict[str, list[Node]]:
    rows = _select(
        store,
        """SELECT ?e ?type ?role ?rl WHERE {
             ?e aenc:hasParticipation/aenc:aircraftType ?type .
             ?type aenc:variantOf*/aenc:hasRole ?role .
             FILTER NOT EXISTS { ?type aenc:variantOf*/aenc:hasRole ?r2 . ?r2 aenc:broaderRole+ ?role }
             OPTIONAL { ?role rdfs:label ?rl }
           }""",
        e=iri,
    )
    labels = _Labels()
    pairs: dict[str, set[Node]] = {}
    for r in rows:
        labels.add(r["role"], r.get("rl"))
        pairs.setdefault(r["type"].value, set()).add(r["role"])
    return {t: _sorted_nodes(labels.node(n) for n in roles) for t, roles in pairs.items()}


def _participations(store, iri, nt, nodes, plabels) -> list[ParticipationView]:
    roles = _type_roles(store, iri)
    out = []
    for n in nodes:
        count = nt.first(n, A + "aircraftCount")
        atype = nt.first(n, A + "aircraftType")
        out.append(ParticipationView(
            node=nt.labels.node(n),
            state=nt.first(n, A + "state"),
            command=nt.first(n, A + "underCommandOf"),
            aircraft_type=atype,
            type_roles=roles.get(atype.value, []) if atype else [],
            aircraft_role=nt.first(n, A + "aircraftRole"),
            designation=(nt.first(n, A + "reportedDesignation") or Node("literal", "")).value or None,
            count=_int(count) if count is not None else None,
            count_qualifier=nt.first(n, A + "countQualifier"),
            role=nt.first(n, A + "participationRole"),
            units=nt.values(n, A + "unit"),
            comment=_text(nt.values(n, RDFS_COMMENT)),
            graphs=nt.graphs(n),
            details=nt.details(n, _PARTICIPATION_HANDLED, plabels),
        ))
    role_order = ["Patrolling", "Intercepted", "Escorting", "Intercepting", "Supporting"]

    def key(p: ParticipationView):
        r = p.role.value[len(ONT):] if p.role else ""
        side = p.state or p.command
        return (role_order.index(r) if r in role_order else 9, side.text if side else "",
                p.aircraft_type.text if p.aircraft_type else "")

    return sorted(out, key=key)


def _claims(store, nt, nodes, quantities, plabels) -> list[ClaimView]:
    out = []
    for c in nodes:
        types = [t for t in nt.values(c, RDF_TYPE)]
        distances = []
        for q in quantities.get(c, []):
            value = nt.first(q, PREFIXES["qudt"] + "numericValue")
            unit = nt.first(q, PREFIXES["qudt"] + "unit")
            metres = nt.first(q, A + "normalisedMetres")
            distances.append(Distance(value.value if value else "?",
                                      Node("iri", unit.value, label=unit_symbol(unit.value)) if unit else None,
                                      metres.value if metres else None))
        distances.sort(key=lambda d: (_float(d.metres), _float(d.value)))
        quoted = nt.first(c, A + "quotedLabel")
        cdate = nt.first(c, A + "claimedDate")
        out.append(ClaimView(
            node=nt.labels.node(c),
            types=_most_specific(types, store, A + "Claim"),
            speakers=nt.values(c, A + "speaker"),
            relayed_by=nt.values(c, A + "relayedBy"),
            reports=nt.values(c, A + "statedIn"),
            about=nt.values(c, A + "about"),
            quoted_label=quoted.value if quoted else None,
            assessments=nt.values(c, A + "assessment"),
            claimed_date=cdate.value if cdate else None,
            distances=distances,
            comment=_text(nt.values(c, RDFS_COMMENT)),
            graphs=nt.graphs(c),
            details=nt.details(c, _CLAIM_HANDLED, plabels),
        ))
    out.sort(key=lambda cv: ([t.text for t in cv.types], cv.quoted_label or "", cv.node.value))
    return out


def _sources(store, sparql_select: str, **bindings: Any) -> list[SourceView]:
    """Reports found by a pattern binding ?report, with publisher, date and their named graphs."""
    rows = _select(
        store,
        "SELECT " + "".join(f"?{k} " for k in bindings if k != "report")
        + "?report ?rl ?publisher ?publ ?date ?url ?file " + sparql_select.replace(
            "#DETAILS#",
            """OPTIONAL { ?report rdfs:label ?rl }
               OPTIONAL { ?report aenc:publisher ?publisher OPTIONAL { ?publisher rdfs:label ?publ } }
               OPTIONAL { ?report aenc:publicationDate ?date }
               OPTIONAL { ?report aenc:url ?url }
               OPTIONAL { ?report aenc:sourceFile ?file }"""),
        **bindings,
    )
    labels = _Labels()
    info: dict[str, dict[str, Any]] = {}
    for r in rows:
        rep = r["report"]
        labels.add(rep, r.get("rl"))
        labels.add(r.get("publisher"), r.get("publ"))
        d = info.setdefault(rep.value, {"publishers": set(), "date": None, "url": None, "file": None})
        if "publisher" in r:
            d["publishers"].add(r["publisher"])
        for k, var in (("date", "date"), ("url", "url"), ("file", "file")):
            if var in r and (d[k] is None or r[var].value < d[k]):
                d[k] = r[var].value
    out = []
    for rep_iri, d in info.items():
        out.append(SourceView(
            report=labels.node(Node("iri", rep_iri)),
            publishers=_sorted_nodes(labels.node(p) for p in d["publishers"]),
            date=d["date"], url=d["url"], source_file=d["file"],
            graphs=_report_graphs(store, rep_iri),
        ))
    out.sort(key=lambda s: (s.date or "", s.report.text))
    return out


def _report_graphs(store, report: str) -> list[str]:
    """Named graphs holding a report's account: by aenc:accountOf, else where its claims live."""
    rows = _select(
        store,
        """SELECT DISTINCT ?report ?g ?how WHERE {
             { ?g aenc:accountOf ?report BIND("account" AS ?how) }
             UNION { GRAPH ?g { ?x aenc:statedIn ?report } BIND("claims" AS ?how) }
             UNION { GRAPH ?g { ?y aenc:reportedIn ?report } BIND("activities" AS ?how) }
             FILTER (?g != <INFERRED>)
           }""",
        report=report,
    )
    by_how: dict[str, set[str]] = {}
    for r in rows:
        by_how.setdefault(r["how"].value, set()).add(r["g"].value)
    for how in ("account", "claims", "activities"):
        if by_how.get(how):
            return sorted(by_how[how])
    return []


def _times(nt: _NodeTriples, nodes: list[Node]) -> list[TimeView]:
    out = []
    for t in nodes:
        e = nt.first(t, A + "earliestDate")
        l_ = nt.first(t, A + "latestDate")
        expr = nt.first(t, A + "reportedExpression")
        out.append(TimeView(nt.labels.node(t), e.value if e else None, l_.value if l_ else None,
                            nt.first(t, A + "timePrecision"), expr.value if expr else None,
                            nt.first(t, A + "resolvedRelativeTo"), nt.graphs(t)))
    out.sort(key=lambda tv: (tv.earliest or "", tv.latest or ""))
    return out


def _places(store, iri: str) -> list[PlaceView]:
    rows = _select(
        store,
        """SELECT ?e ?rel ?place ?pl ?wkt ?g WHERE {
             VALUES ?rel { aenc:location aenc:near }
             GRAPH ?g { ?e ?rel ?place }
             FILTER (?g != <INFERRED>)
             OPTIONAL { ?place rdfs:label ?pl }
             OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
           }""",
        e=iri,
    )
    outer_rows = _select(
        store,
        """SELECT ?e ?place ?outer ?ol (COUNT(DISTINCT ?up) AS ?depth) WHERE {
             ?e aenc:location|aenc:near ?place .
             ?place aenc:within+ ?outer .
             OPTIONAL { ?outer aenc:within+ ?up }
             OPTIONAL { ?outer rdfs:label ?ol }
           } GROUP BY ?e ?place ?outer ?ol""",
        e=iri,
    )
    labels = _Labels()
    within: dict[str, dict[Node, int]] = {}
    for r in outer_rows:
        labels.add(r["outer"], r.get("ol"))
        within.setdefault(r["place"].value, {})[r["outer"]] = _int(r["depth"])
    rel_labels = {A + "location": "location", A + "near": "near"}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        labels.add(r["place"], r.get("pl"))
        d = found.setdefault((r["rel"].value, r["place"].value), {"graphs": set(), "wkt": None})
        d["graphs"].add(r["g"].value)
        if "wkt" in r:
            d["wkt"] = min(filter(None, [d["wkt"], r["wkt"].value]))
    out = []
    for (rel, place), d in found.items():
        outers = within.get(place, {})
        chain = sorted(outers, key=lambda n: (-outers[n], n.value))
        out.append(PlaceView(labels.node(Node("iri", place)), Node("iri", rel, label=rel_labels[rel]),
                             [labels.node(n) for n in chain], d["wkt"], sorted(d["graphs"])))
    out.sort(key=lambda p: (p.relation.label != "location", p.place.text))
    return out


def _related(store, iri: str) -> list[PropertyValues]:
    rows = _select(
        store,
        """SELECT ?e ?dir ?p ?other ?g ?ol ?pl WHERE {
             VALUES ?p { aenc:follows aenc:respondsTo }
             { GRAPH ?g { ?e ?p ?other } BIND("out" AS ?dir) }
             UNION { GRAPH ?g { ?other ?p ?e } BIND("in" AS ?dir) }
             FILTER (?g != <INFERRED>)
             OPTIONAL { ?other rdfs:label ?ol }
             OPTIONAL { ?p rdfs:label ?pl }
           }""",
        e=iri,
    )
    labels = _Labels()
    groups: dict[tuple[str, str], dict[Node, set[str]]] = {}
    for r in rows:
        labels.add(r["other"], r.get("ol"))
        labels.add(r["p"], r.get("pl"))
        groups.setdefault((r["dir"].value, r["p"].value), {}).setdefault(r["other"], set()).add(r["g"].value)
    out = []
    for (direction, p), others in sorted(groups.items()):
        pnode = labels.node(Node("iri", p))
        if direction == "in":  # read the relation from this activity's side
            pnode = Node("iri", p, label="followed by" if p.endswith("follows") else "answered by")
        vals = [Statement(labels.node(o), sorted(gs)) for o, gs in others.items()]
        vals.sort(key=lambda s: s.node.text)
        out.append(PropertyValues(pnode, vals, len(vals)))
    return out


def _source_key(i: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def describe_encounter(store, iri: str) -> EncounterView:
    """The structured view of an air activity: when, where, who with what, what they did, who said what."""
    nt, kinds, quantities = _collect_nodes(store, _NODE_KINDS_QUERY, e=iri)
    plabels = _ontology_labels(store)
    head = _select(
        store,
        """SELECT ?e ?t ?tl ?d WHERE {
             { GRAPH ?g { ?e rdf:type ?t } FILTER (?g != <INFERRED>) OPTIONAL { ?t rdfs:label ?tl } }
             UNION { ?e aenc:duration ?d }
           }""",
        e=iri,
    )
    tl = _Labels()
    types, duration = set(), None
    for r in head:
        if "t" in r:
            tl.add(r["t"], r.get("tl"))
            types.add(r["t"])
        if "d" in r:
            duration = r["d"].value
    type_nodes = _most_specific(_sorted_nodes(tl.node(t) for t in types), store, A + "AirActivity")
    claims = _claims(store, nt, kinds.get("claim", []), quantities, plabels)
    sources = _sources(
        store,
        """WHERE { { ?e aenc:reportedIn ?report } UNION { ?c aenc:about ?e . ?c aenc:statedIn ?report }
                   #DETAILS# }""",
        e=iri,
    )
    for i, src in enumerate(sources):
        src.key = _source_key(i)
    by_report: dict[str, list[ClaimView]] = {}
    for cv in claims:
        for rep in cv.reports or [Node("iri", "")]:
            by_report.setdefault(rep.value, []).append(cv)
    groups = [ClaimGroup(s, by_report.pop(s.report.value, [])) for s in sources]
    groups = [g for g in groups if g.claims]
    for rep, cvs in by_report.items():  # claims whose report has no details
        groups.append(ClaimGroup(SourceView(Node("iri", rep, label=_fallback_label(rep)) if rep
                                            else Node("literal", "no report given"), [], None, None, None, []), cvs))
    behaviours = []
    for b in kinds.get("behaviour", []):
        behaviours.append(BehaviourView(nt.labels.node(b), _most_specific(nt.values(b, RDF_TYPE), store, ""),
                                        nt.values(b, A + "performedBy"), _text(nt.values(b, RDFS_COMMENT)),
                                        nt.graphs(b),
                                        nt.details(b, _BEHAVIOUR_HANDLED, plabels)))
    return EncounterView(
        types=type_nodes,
        times=_times(nt, kinds.get("time", [])),
        duration=duration,
        places=_places(store, iri),
        participations=_participations(store, iri, nt, kinds.get("participation", []), plabels),
        behaviours=behaviours,
        claims_by_report=groups,
        sources=sources,
        related=_related(store, iri),
    )


# --------------------------------------------------------------------------- reports

_REPORT_NODES_QUERY = """
SELECT ?r ?kind ?c ?n ?p ?o ?g ?ol WHERE {
  { ?n aenc:statedIn ?r BIND("claim" AS ?kind) }
  UNION { ?c aenc:statedIn ?r . ?c aenc:closestApproach ?n BIND("quantity" AS ?kind) }
  GRAPH ?g { ?n ?p ?o }
  FILTER (?g != <INFERRED>)
  OPTIONAL { ?o rdfs:label ?ol }
}"""


def list_activities(store, *, report: str | None = None, limit: int = ACTIVITY_LIST_LIMIT) -> tuple[list[ActivitySummary], int]:
    """Air activities (all, or those a report describes), newest first, with their total count."""
    where = ("{ ?a aenc:reportedIn ?r } UNION { ?c aenc:statedIn ?r ; aenc:about ?a }" if report
             else "?a rdf:type/rdfs:subClassOf* aenc:AirActivity")
    r_var = "?r " if report else ""
    bind: dict[str, Any] = {"r": report} if report else {}
    total = _select(store, f"SELECT {r_var}(COUNT(DISTINCT ?a) AS ?n) WHERE {{ {where} }}"
                    + (" GROUP BY ?r" if report else ""), **bind)
    rows = _select(
        store,
        f"""SELECT {r_var}?a ?earliest ?al ?t ?tl ?latest ?s ?sl ?cmd ?cl WHERE {{
              {{ SELECT {r_var}?a (MIN(?d) AS ?earliest) WHERE {{
                   {where}
                   OPTIONAL {{ ?a aenc:time/aenc:earliestDate ?d }}
                 }} GROUP BY {r_var}?a ORDER BY DESC(?earliest) ?a LIMIT {int(limit)} }}
              {{ ?a rdfs:label ?al }}
              UNION {{ GRAPH ?g {{ ?a rdf:type ?t }} FILTER (?g != <INFERRED>) OPTIONAL {{ ?t rdfs:label ?tl }} }}
              UNION {{ ?a aenc:time/aenc:latestDate ?latest }}
              UNION {{ ?a aenc:hasParticipation/aenc:state ?s OPTIONAL {{ ?s rdfs:label ?sl }} }}
              UNION {{ ?a aenc:hasParticipation/aenc:underCommandOf ?cmd OPTIONAL {{ ?cmd rdfs:label ?cl }} }}
            }}""",
        **bind,
    )
    labels = _Labels()
    acts: dict[Node, dict[str, Any]] = {}
    for r in rows:
        a = r["a"]
        d = acts.setdefault(a, {"earliest": None, "latest": [], "types": set(), "states": set(), "commands": set()})
        if "earliest" in r:
            d["earliest"] = r["earliest"].value
        labels.add(a, r.get("al"))
        if "t" in r:
            labels.add(r["t"], r.get("tl"))
            d["types"].add(r["t"])
        if "s" in r:
            labels.add(r["s"], r.get("sl"))
            d["states"].add(r["s"])
        if "cmd" in r:
            labels.add(r["cmd"], r.get("cl"))
            d["commands"].add(r["cmd"])
        if "latest" in r:
            d["latest"].append(r["latest"].value)
    out = [
        ActivitySummary(
            labels.node(a),
            _most_specific(_sorted_nodes(labels.node(t) for t in d["types"]), store, ""),
            d["earliest"],
            max(d["latest"]) if d["latest"] else None,
            _sorted_nodes(labels.node(s) for s in d["states"]),
            _sorted_nodes(labels.node(c) for c in d["commands"]),
        )
        for a, d in acts.items()
    ]
    out.sort(key=lambda x: (x.earliest or "", x.node.value), reverse=True)
    return out, (_int(total[0]["n"]) if total else 0)


def describe_report(store, iri: str) -> ReportView:
    """A report: publisher, date, named graphs, the claims it holds and the activities it describes."""
    sources = _sources(store, "WHERE { ?report rdf:type/rdfs:subClassOf* aenc:Report #DETAILS# }", report=iri)
    if not sources:
        raise NotFound(f"<{iri}> is not a report in the graph", hint="reports live under /id/report/")
    nt, kinds, quantities = _collect_nodes(store, _REPORT_NODES_QUERY, r=iri)
    plabels = _ontology_labels(store)
    authors = _select(store, "SELECT ?r ?a ?al WHERE { ?r aenc:author ?a OPTIONAL { ?a rdfs:label ?al } }", r=iri)
    al = _Labels()
    for r in authors:
        al.add(r["a"], r.get("al"))
    activities, _ = list_activities(store, report=iri)
    return ReportView(
        source=sources[0],
        authors=_sorted_nodes(al.node(r["a"]) for r in authors),
        claims=_claims(store, nt, kinds.get("claim", []), quantities, plabels),
        activities=activities,
    )


# --------------------------------------------------------------------------- ontology terms

def describe_term(store, iri: str) -> TermView:
    """An ontology term: what it is, its place in the hierarchies, and how much data uses it."""
    rows = _select(
        store,
        """SELECT ?t ?g ?p ?o ?ol WHERE { GRAPH ?g { ?t ?p ?o } OPTIONAL { ?o rdfs:label ?ol } }""",
        t=iri,
        g=str(ONTOLOGY_GRAPH),
    )
    if not rows:
        raise NotFound(f"<{iri}> is not a term of the ontology",
                       hint=f"terms are listed at the ontology page, {ONT}")
    nt = _NodeTriples()
    me = Node("iri", iri)
    for r in rows:
        nt.add(me, r["p"], r["o"], None, r.get("ol"))
    plabels = _ontology_labels(store)

    def inv(prop: str) -> list[Node]:
        found = _select(store, "SELECT ?o ?p ?g ?s ?sl WHERE { GRAPH ?g { ?s ?p ?o } OPTIONAL { ?s rdfs:label ?sl } }",
                        o=iri, p=prop, g=str(ONTOLOGY_GRAPH))
        lab = _Labels()
        for r in found:
            lab.add(r["s"], r.get("sl"))
        return _sorted_nodes(lab.node(r["s"]) for r in found if r["s"].is_iri)

    owl, rdfs = PREFIXES["owl"], PREFIXES["rdfs"]
    chains = []
    chain_rows = _select(
        store,
        """SELECT ?t ?g ?list ?cell ?item ?il WHERE {
             GRAPH ?g { ?t owl:propertyChainAxiom ?list . ?list rdf:rest* ?cell . ?cell rdf:first ?item }
             OPTIONAL { ?item rdfs:label ?il }
           }""",
        t=iri,
        g=str(ONTOLOGY_GRAPH),
    )
    if chain_rows:
        # order the cells of each list by following rdf:rest, which the store gives back per list
        rest = _select(
            store,
            """SELECT ?t ?g ?cell ?next WHERE {
                 GRAPH ?g { ?t owl:propertyChainAxiom ?list . ?list rdf:rest* ?cell . ?cell rdf:rest ?next }
               }""",
            t=iri,
            g=str(ONTOLOGY_GRAPH),
        )
        nxt = {r["cell"].value: r["next"].value for r in rest}
        first: dict[str, Node] = {}
        lists: dict[str, set[str]] = {}
        lab = _Labels()
        for r in chain_rows:
            lab.add(r["item"], r.get("il"))
            first[r["cell"].value] = r["item"]
            lists.setdefault(r["list"].value, set())
        for head in sorted(lists):
            seq, cell = [], head
            while cell in first:
                seq.append(lab.node(first[cell]))
                cell = nxt.get(cell, "")
            chains.append(seq)
    kinds = [t for t in nt.values(me, RDF_TYPE)]
    characteristics = [k for k in kinds if k.value in (owl + "TransitiveProperty", owl + "SymmetricProperty",
                                                       owl + "FunctionalProperty", owl + "InverseFunctionalProperty")]
    is_class = any(k.value in (owl + "Class", rdfs + "Class") for k in kinds)
    is_property = any(k.value.endswith("Property") for k in kinds)
    instances: list[Node] = []
    instance_count = usage = 0
    if is_class:
        cnt = _select(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:type ?c } GROUP BY ?c", c=iri)
        instance_count = _int(cnt[0]["n"]) if cnt else 0
        inst = _select(store, """SELECT ?c ?s ?sl WHERE { ?s rdf:type ?c OPTIONAL { ?s rdfs:label ?sl } }
                                 ORDER BY ?s LIMIT """ + str(INCOMING_PER_PROPERTY * 3), c=iri)
        lab = _Labels()
        for r in inst:
            lab.add(r["s"], r.get("sl"))
        instances = _sorted_nodes(lab.node(r["s"]) for r in inst if r["s"].is_iri)[:INCOMING_PER_PROPERTY]
    if is_property:
        cnt = _select(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p",
                      p=iri)
        usage = _int(cnt[0]["n"]) if cnt else 0
    handled = {RDF_TYPE, RDFS_LABEL, PREFIXES["skos"] + "definition", rdfs + "subClassOf", owl + "disjointWith",
               rdfs + "subPropertyOf", owl + "inverseOf", rdfs + "domain", rdfs + "range",
               owl + "propertyChainAxiom", owl + "deprecated", rdfs + "isDefinedBy"}
    inverse = nt.values(me, owl + "inverseOf") + inv(owl + "inverseOf")
    definition = nt.first(me, PREFIXES["skos"] + "definition")
    deprecated = nt.first(me, owl + "deprecated")
    return TermView(
        iri=iri,
        label=_pick_label(nt.values(me, RDFS_LABEL)) or _fallback_label(iri),
        definition=definition.value if definition else None,
        kinds=[k for k in kinds if k not in characteristics],
        deprecated=bool(deprecated and deprecated.value in ("true", "1")),
        superclasses=[n for n in nt.values(me, rdfs + "subClassOf") if n.is_iri],
        subclasses=inv(rdfs + "subClassOf"),
        disjoint_with=_sorted_nodes(nt.values(me, owl + "disjointWith") + inv(owl + "disjointWith")),
        superproperties=nt.values(me, rdfs + "subPropertyOf"),
        subproperties=inv(rdfs + "subPropertyOf"),
        inverse=_sorted_nodes(inverse),
        domain=nt.values(me, rdfs + "domain"),
        range=nt.values(me, rdfs + "range"),
        chains=chains,
        characteristics=characteristics,
        instances=instances,
        instance_count=instance_count,
        usage_count=usage,
        other=nt.details(me, handled, plabels),
    )


def describe_ontology(store, iri: str = ONT) -> OntologyView:
    """The ontology's header and its terms grouped by kind."""
    head = _select(
        store,
        """SELECT ?o ?g ?p ?v WHERE { GRAPH ?g { ?o ?p ?v } }""",
        o=iri,
        g=str(ONTOLOGY_GRAPH),
    )
    if not head:
        raise NotFound(f"<{iri}> is not the ontology", hint=f"the ontology is at {ONT}")
    props: dict[str, list[Node]] = {}
    for r in head:
        props.setdefault(r["p"].value, []).append(r["v"])

    def one(p: str) -> str | None:
        vals = props.get(p, [])
        return (_pick_label(vals) or vals[0].value) if vals else None

    terms = _select(
        store,
        """SELECT ?g ?ont ?t ?k ?l WHERE {
             GRAPH ?g { ?t rdfs:isDefinedBy ?ont ; rdf:type ?k . OPTIONAL { ?t rdfs:label ?l } }
           }""",
        g=str(ONTOLOGY_GRAPH),
        ont=iri,
    )
    labels = _Labels()
    kinds: dict[str, set[Node]] = {}
    for r in terms:
        labels.add(r["t"], r.get("l"))
        labels.add(r["k"], None)
        kinds.setdefault(r["k"].value, set()).add(r["t"])
    owl = PREFIXES["owl"]
    by_class: dict[str, set[Node]] = {k: v for k, v in kinds.items() if not k.startswith(owl)}
    klabels = _ontology_labels(store)
    individuals = [(klabels.node(Node("iri", k)), _sorted_nodes(labels.node(n) for n in v))
                   for k, v in by_class.items()]
    individuals.sort(key=lambda kv: kv[0].text.lower())
    return OntologyView(
        iri=iri,
        title=one(PREFIXES["dcterms"] + "title") or one(RDFS_LABEL) or iri,
        description=one(PREFIXES["dcterms"] + "description"),
        version_iri=one(owl + "versionIRI"),
        version=one(owl + "versionInfo"),
        license=one(PREFIXES["dcterms"] + "license"),
        classes=_sorted_nodes(labels.node(n) for n in kinds.get(owl + "Class", ())),
        object_properties=_sorted_nodes(labels.node(n) for n in kinds.get(owl + "ObjectProperty", ())),
        datatype_properties=_sorted_nodes(labels.node(n) for n in kinds.get(owl + "DatatypeProperty", ())),
        individuals=individuals,
    )


# --------------------------------------------------------------------------- home page

def graph_counts(store) -> list[GraphCount]:
    """Triples in every named graph of the store, with the graph's kind."""
    rows = _select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    labels = _Labels()
    for r in _select(store, "SELECT ?g ?l WHERE { ?g aenc:accountOf/rdfs:label ?l }"):
        labels.add(r["g"], r["l"])
    out = [GraphCount(labels.node(r["g"]), _int(r["n"]), graph_kind(r["g"].value)) for r in rows]
    order = ["ontology", "reference", "report", "inferred", "other"]
    out.sort(key=lambda gc: (order.index(gc.kind) if gc.kind in order else 9, gc.graph.value))
    return out


_COUNT_CLASSES = {
    "encounters": "Encounter",
    "air activities": "AirActivity",
    "reports": "Report",
    "claims": "Claim",
    "states": "State",
    "aircraft types": "AircraftType",
    "places": "Place",
}


def summarize(store, *, limit: int = ACTIVITY_LIST_LIMIT) -> Summary:
    """Counts for the home page, the named graphs with their sizes, and the latest activities."""
    counts = {}
    for name, cls in _COUNT_CLASSES.items():
        # subclasses first (a handful), then their instances: fast on 100k encounters
        rows = _select(store, """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
                                   { SELECT ?c ?sub WHERE { ?sub rdfs:subClassOf* ?c } }
                                   ?s rdf:type ?sub
                                 } GROUP BY ?c""", c=ONT + cls)
        counts[name] = _int(rows[0]["n"]) if rows else 0
    activities, total = list_activities(store, limit=limit)
    graphs = graph_counts(store)
    reports = [g for g in graphs if g.kind == "report"]
    shown = [g for g in graphs if g.kind != "report"]
    shown[-1:-1] = reports[:MAX_REPORT_GRAPHS_LISTED]  # before the inferred graph
    return Summary(counts, shown, activities, total, len(reports), sum(g.triples for g in reports))


# --------------------------------------------------------------------------- machine formats

def describe_graph(store, iri: str, *, max_incoming: int = MAX_INCOMING_TRIPLES) -> Graph:
    """A bounded description for RDF formats: the resource's triples out and in (at most
    ``max_incoming`` in), blank nodes and lists it points to, and the participations, claims,
    behaviours, times and quantities of an activity, one hop out. NotFound when there is nothing."""
    g = Graph()
    for prefix in ("aenc", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "geo", "qudt", "unit", "sem",
                   "time", "schema"):
        g.bind(prefix, PREFIXES[prefix])
    out = store.query(
        """PREFIX aenc: <%s>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        CONSTRUCT { ?s ?p ?o . ?n ?np ?no . ?b ?bp ?bo . ?q ?qp ?qo }
        WHERE {
          { ?s ?p ?o }
          UNION { ?s ?p0 ?b . FILTER (isBlank(?b)) ?b ?bp ?bo }
          UNION { ?s ?p0 ?l . FILTER (isBlank(?l)) ?l rdf:rest*/rdf:first ?x . ?l rdf:rest* ?b . ?b ?bp ?bo }
          UNION { ?s aenc:hasParticipation|aenc:hasBehaviour|aenc:time ?n . ?n ?np ?no }
          UNION { ?n aenc:about ?s . ?n ?np ?no }
          UNION { ?c aenc:about ?s . ?c aenc:closestApproach ?q . ?q ?qp ?qo }
          UNION { ?n aenc:statedIn ?s . ?n ?np ?no }
        }""" % ONT,
        bindings={"s": _to_term(iri)},
    )
    for t in out.triples():
        g.add(t)
    incoming = store.query(
        "CONSTRUCT { ?x ?q ?s } WHERE { ?x ?q ?s } LIMIT %d" % int(max_incoming),
        bindings={"s": _to_term(iri)},
    )
    for t in incoming.triples():
        g.add(t)
    if len(g) == 0:
        raise NotFound(f"nothing in the graph is about <{iri}>", hint="check the address")
    return g


# --------------------------------------------------------------------------- templates

def local_link(iri: str, *, base_iri: str, base_path: str = "") -> str:
    """The page for an IRI on this site if it is under ``base_iri``, else the IRI itself."""
    if iri.startswith(base_iri):
        return base_path.rstrip("/") + "/" + iri[len(base_iri):]
    return iri


def site_url(path: str, *, base_path: str = "") -> str:
    """A site path (``/query``) under the configured base path (``/aenc/query``)."""
    return base_path.rstrip("/") + "/" + path.lstrip("/")


def template_helpers(*, base_iri: str, base_path: str = "") -> dict[str, dict[str, Any]]:
    """Globals and filters every template uses; see the module docstring."""
    base_path = base_path.rstrip("/")

    def link(value: Any) -> str:
        iri = value.value if isinstance(value, Node) else str(value)
        return local_link(iri, base_iri=base_iri, base_path=base_path)

    return {
        "globals": {
            "base_path": base_path,
            "base_iri": base_iri,
            "url": lambda path: site_url(path, base_path=base_path),
            "static": lambda name: site_url("static/" + name, base_path=base_path),
            "graph_kind": graph_kind,
            "graph_name": graph_name,
            "prefixes": PREFIXES,
        },
        "filters": {
            "link": link,
            "curie": lambda v: curie(v.value if isinstance(v, Node) else str(v)),
            "duration": format_duration,
        },
    }


def format_duration(value: str | None) -> str:
    """``PT5H30M`` -> ``5 h 30 min``; anything else is returned as given."""
    if not value:
        return ""
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", value)
    if not m or not any(m.groups()):
        return value
    parts = [f"{v} {u}" for v, u in zip(m.groups(), ("d", "h", "min", "s")) if v]
    return " ".join(parts)


__all__ = [
    "Node", "Statement", "PropertyValues", "Resource", "EncounterView", "ReportView", "TermView",
    "OntologyView", "Summary", "describe_resource", "describe_encounter", "describe_report",
    "describe_term", "describe_ontology", "describe_graph", "summarize", "list_activities",
    "graph_counts", "graph_kind", "graph_name", "curie", "local_link", "site_url", "template_helpers",
    "format_duration", "PREFIXES",
]
