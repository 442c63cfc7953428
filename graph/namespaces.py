"""IRIs of aenc: the namespaces, the named graphs, and a checked vocabulary namespace.

``AENC`` is a ``DefinedNamespace`` with ``_fail = True`` built from the ontology file itself,
so a typo such as ``AENC.Encouter`` raises instead of minting a bad IRI.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace, OWL, RDF

BASE = "https://w3id.org/aenc/"
ONT = BASE + "ont/"
DATA = BASE + "id/"
GRAPHS = BASE + "graph/"
SHAPES = BASE + "shapes/"

ID = Namespace(DATA)
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
TIME = Namespace("http://www.w3.org/2006/time#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")

#: the named graphs of a built dataset
ONTOLOGY_GRAPH = URIRef(GRAPHS + "ontology")
REFERENCE_GRAPH = URIRef(GRAPHS + "reference")
INFERRED_GRAPH = URIRef(GRAPHS + "inferred")
REPORT_GRAPH_PREFIX = GRAPHS + "report/"
#: a virtual graph name: the union of every asserted graph (reference + reports), no inferences
ASSERTED_UNION = URIRef(GRAPHS + "asserted")

ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "aenc.ttl"


def report_graph(key: str) -> URIRef:
    """The named graph IRI that holds one report's account, from the report's stable key."""
    return URIRef(REPORT_GRAPH_PREFIX + key)


def _declared_terms(path: Path) -> list[str]:
    g = Graph()
    g.parse(path, format="turtle")
    names = set()
    for s in g.subjects():
        if isinstance(s, URIRef) and str(s).startswith(ONT) and len(str(s)) > len(ONT):
            names.add(str(s)[len(ONT):])
    return sorted(names)


def _make_aenc() -> type:
    terms = _declared_terms(ONTOLOGY_FILE)
    attrs = {"_NS": Namespace(ONT), "_fail": True, "__annotations__": {t: URIRef for t in terms}}
    return type("AENC", (DefinedNamespace,), attrs)


AENC = _make_aenc()

__all__ = [
    "AENC", "ID", "GEO", "QUDT", "UNIT", "SEM", "TIME", "PROV", "SCHEMA", "OWL", "RDF",
    "BASE", "ONT", "DATA", "GRAPHS", "SHAPES", "ONTOLOGY_GRAPH", "REFERENCE_GRAPH",
    "INFERRED_GRAPH", "ASSERTED_UNION", "report_graph",
]
