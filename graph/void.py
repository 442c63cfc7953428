"""The dataset described in VoID, and the SPARQL endpoint in the 1.1 Service Description.

Every number is counted from the store when the function runs (the server may cache the
graphs: the store is read-only). No HTTP here: the server passes the public URLs it serves at.

- ``build_void(store, endpoint_url=..., base_url=...)``: a ``void:Dataset`` with triple, entity,
  class and property counts, class and property partitions, and one ``void:subset`` per named
  graph (plus the virtual asserted-only union), each saying what kind of graph it is.
- ``build_service_description(store, endpoint_url=..., base_url=...)``: an ``sd:Service`` with
  its endpoint, language, result formats, features and default dataset (default graph = the
  union of all graphs; every named graph listed with its size).
"""
from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, RDF, RDFS, XSD

from graph.describe import PREFIXES, curie, graph_kind
from graph.namespaces import ASSERTED_UNION, DATA, INFERRED_GRAPH, ONT

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
PROV = Namespace(PREFIXES["prov"])
AENC = Namespace(ONT)

TITLE = "Air Encounters Knowledge Graph"
DESCRIPTION = (
    "Military air encounters between states (intercepts, escorts, scrambles, joint patrols, alleged "
    "airspace violations) curated from public reports, each report's account in its own named graph, "
    "with attributed claims, and OWL 2 RL inferences kept in a separate graph."
)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")

#: what each kind of graph holds; a VoID subset carries its kind as ``dc:type`` and this text
GRAPH_KINDS = {
    "ontology": "Asserted: the aenc ontology (OWL 2 classes, properties and controlled values).",
    "reference": "Asserted: curated reference entities (states, commands, units, aircraft types, places, reports).",
    "report": "Asserted: one source report's account of events and its attributed claims.",
    "inferred": "Inferred: triples entailed by OWL 2 RL reasoning over the asserted graphs; none is asserted.",
    "asserted-union": "Asserted only (virtual graph): the union of every graph except the inferred one; "
                      "ask for it with default-graph-uri set to this IRI, or FROM it.",
    "other": "A named graph of the dataset.",
}

#: result formats the endpoint writes (W3C format IRIs) — solutions, graphs, datasets
RESULT_FORMATS = [
    FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
    FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"],
    FORMATS.RDF_XML, FORMATS.TriG, FORMATS["N-Quads"],
]


def _rows(store, sparql: str, **bindings) -> list[dict]:
    result = store.query(sparql, bindings={k: ox.NamedNode(v) for k, v in bindings.items()} or None)
    return json.loads(result.serialize("application/sparql-results+json"))["results"]["bindings"]


def _int(row: dict, var: str) -> int:
    return int(row[var]["value"]) if var in row else 0


def count_triples(store) -> int:
    """Distinct triples over every named graph (a triple held by two graphs counts once):
    the size of the default graph, which is their union."""
    rows = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    return _int(rows[0], "n")


def graph_sizes(store) -> dict[str, int]:
    """Triples in each named graph."""
    rows = _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    sizes = {r["g"]["value"]: _int(r, "n") for r in rows}
    for name in store.graph_names():
        sizes.setdefault(name, 0)
    return sizes


def _slug(iri: str) -> str:
    """A stable fragment for a partition: ``aenc:Encounter`` -> ``aenc-Encounter``."""
    c = curie(iri)
    return quote(c.replace(":", "-", 1) if c != iri else iri, safe="-._~")


def _void_iri(base_url: str, fragment: str) -> URIRef:
    return URIRef(base_url.rstrip("/") + "/void#" + fragment)


def build_void(store, *, endpoint_url: str, base_url: str, dump_urls: list[str] | None = None) -> Graph:
    """The VoID description of the dataset the store holds."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("sd", SD), ("dcterms", DCTERMS), ("dc", DC), ("foaf", FOAF),
                       ("prov", PROV), ("aenc", AENC), ("xsd", XSD), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    ds = _void_iri(base_url, "dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, FOAF.homepage, URIRef(base_url)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(endpoint_url)))
    for url in dump_urls or [base_url.rstrip("/") + "/dump"]:
        g.add((ds, VOID.dataDump, URIRef(url)))
    g.add((ds, VOID.uriSpace, Literal(DATA)))
    example = _rows(store, f"""SELECT ?e WHERE {{ GRAPH ?g {{ ?e a <{ONT}Encounter> }} }} ORDER BY ?e LIMIT 1""")
    if example:
        g.add((ds, VOID.exampleResource, URIRef(example[0]["e"]["value"])))

    # property partitions: distinct triples using each property (one pass over the data);
    # their sum is the dataset's number of distinct triples
    props = _rows(store, """SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects)
                             (COUNT(DISTINCT ?o) AS ?objects)
                             WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }
                             GROUP BY ?p ORDER BY ?p""")
    for r in props:
        part = _void_iri(base_url, "property-" + _slug(r["p"]["value"]))
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(r["p"]["value"])))
        g.add((part, VOID.triples, Literal(_int(r, "n"))))
        g.add((part, VOID.distinctSubjects, Literal(_int(r, "subjects"))))
        g.add((part, VOID.distinctObjects, Literal(_int(r, "objects"))))
    total = sum(_int(r, "n") for r in props)
    # class partitions: instances of each class (distinct subjects over all graphs)
    classes = _rows(store, """SELECT ?c (COUNT(DISTINCT ?s) AS ?n)
                               WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c""")
    for r in classes:
        part = _void_iri(base_url, "class-" + _slug(r["c"]["value"]))
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(r["c"]["value"])))
        g.add((part, VOID.entities, Literal(_int(r, "n"))))
    (row,) = _rows(store, f"""SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
                                (COUNT(DISTINCT IF(isIRI(?s) && STRSTARTS(STR(?s), "{DATA}"), ?s, ?none))
                                 AS ?entities)
                              WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}""")
    g.add((ds, VOID.triples, Literal(total)))
    g.add((ds, VOID.entities, Literal(_int(row, "entities"))))
    g.add((ds, VOID.distinctSubjects, Literal(_int(row, "subjects"))))
    g.add((ds, VOID.distinctObjects, Literal(_int(row, "objects"))))
    g.add((ds, VOID.classes, Literal(len(classes))))
    g.add((ds, VOID.properties, Literal(len(props))))

    # vocabularies: namespaces we know by prefix of the classes and properties in use
    used = [r["p"]["value"] for r in props] + [r["c"]["value"] for r in classes]
    for ns in sorted({ns for ns in PREFIXES.values() if ns != DATA for t in used if t.startswith(ns)}):
        g.add((ds, VOID.vocabulary, URIRef(ns)))

    # one subset per named graph, and the virtual asserted-only union: every distinct triple
    # but those only the inferred graph holds
    sizes = graph_sizes(store)
    for name in sorted(sizes):
        _add_subset(g, ds, URIRef(name), graph_kind(name), sizes[name], store)
    (only_inferred,) = _rows(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER (?h != <{INFERRED_GRAPH}>) }} }}""")
    _add_subset(g, ds, URIRef(str(ASSERTED_UNION)), "asserted-union", total - _int(only_inferred, "n"), store)
    return g


def _add_subset(g: Graph, ds, name: URIRef, kind: str, triples: int, store) -> URIRef:
    g.add((ds, VOID.subset, name))
    g.add((name, RDF.type, VOID.Dataset))
    g.add((name, VOID.triples, Literal(triples)))
    g.add((name, DC.type, Literal(kind)))
    g.add((name, DCTERMS.description, Literal(GRAPH_KINDS.get(kind, GRAPH_KINDS["other"]), lang="en")))
    if kind == "inferred":
        activity = BNode()
        g.add((name, PROV.wasGeneratedBy, activity))
        g.add((activity, RDF.type, PROV.Activity))
        g.add((activity, RDFS.label, Literal("OWL 2 RL reasoning over the asserted graphs", lang="en")))
    if kind == "report":
        for r in _rows(store, f"SELECT ?g ?report WHERE {{ ?g <{ONT}accountOf> ?report }}", g=str(name)):
            g.add((name, AENC.accountOf, URIRef(r["report"]["value"])))
            g.add((name, DCTERMS.source, URIRef(r["report"]["value"])))
    return name


def build_service_description(store, *, endpoint_url: str, base_url: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint_url``."""
    g = Graph()
    for prefix, ns in (("sd", SD), ("void", VOID), ("formats", FORMATS), ("dcterms", DCTERMS),
                       ("ent", ENTAILMENT), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    svc = URIRef(endpoint_url.split("#")[0] + "#service")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, URIRef(endpoint_url)))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in RESULT_FORMATS:
        g.add((svc, SD.resultFormat, fmt))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    g.add((svc, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    g.add((svc, DCTERMS.title, Literal(TITLE + " SPARQL endpoint", lang="en")))
    g.add((svc, RDFS.comment, Literal(
        "Read-only SPARQL 1.1 Query service. The default graph is the union of every named graph "
        "(asserted and inferred); OWL 2 RL inferences are materialised in their own named graph. "
        f"For asserted facts only, use default-graph-uri={ASSERTED_UNION}. SERVICE is refused; "
        "FROM and FROM NAMED name only graphs held here and never fetch anything.", lang="en")))
    g.add((svc, RDFS.seeAlso, URIRef(base_url.rstrip("/") + "/void")))

    dataset = URIRef(endpoint_url.split("#")[0] + "#dataset")
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    default = URIRef(endpoint_url.split("#")[0] + "#default-graph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(count_triples(store))))
    g.add((default, RDFS.comment, Literal("The union of every named graph below.", lang="en")))
    for name, size in sorted(graph_sizes(store).items()):
        ng = BNode()
        graph_node = BNode()
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        g.add((ng, SD.graph, graph_node))
        g.add((graph_node, RDF.type, SD.Graph))
        g.add((graph_node, VOID.triples, Literal(size)))
        g.add((graph_node, RDFS.comment, Literal(GRAPH_KINDS[graph_kind(name)], lang="en")))
    return g


__all__ = ["build_void", "build_service_description", "count_triples", "graph_sizes",
           "RESULT_FORMATS", "GRAPH_KINDS", "VOID", "SD", "FORMATS"]
