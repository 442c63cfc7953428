"""Stage 2, quality control: the ontology's own rules, and no undeclared terms in the data.

(a) Ontology checks are SPARQL queries that must return no rows (as schema.org tests its
    vocabulary); each row becomes one line naming the offending term and the fix.
(b) Every IRI of the aenc ontology namespace that the data uses must be declared in the
    ontology; an unknown one is reported with the file and line it is written on.
Both checks count what they saw and refuse to pass on empty input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .errors import DataLoadError, OntologyCheckFailed, UnknownTermError
from .load import PREFIXES, LoadedData, find_line, short
from .namespaces import ONT, ONTOLOGY_GRAPH

__all__ = ["OntologyCheckFailed", "check_ontology", "check_data_terms", "run_qc"]


@dataclass(frozen=True)
class OntologyCheck:
    """A SPARQL query over the ontology that must return no rows, and what each row means."""

    name: str
    problem: str      # what is wrong with the ?term of a row
    fix: str
    query: str


_PREAMBLE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + f"\nPREFIX ont: <{ONT}>\n"

#: the terms under check: every IRI of the ontology namespace that the ontology describes.
#: ``check_ontology`` replaces this placeholder with a VALUES block listing them (found once,
#: by ``ontology_terms``), which keeps each check a quick lookup per term.
_TERMS = "#TERMS#"

ONTOLOGY_CHECKS: list[OntologyCheck] = [
    OntologyCheck(
        "header", "the ontology header lacks this property", "add it to <https://w3id.org/aenc/ont/>",
        """SELECT DISTINCT ?term WHERE {
             VALUES ?term { dcterms:title dcterms:license owl:versionIRI }
             FILTER NOT EXISTS { ont: a owl:Ontology ; ?term ?value }
           }"""),
    OntologyCheck(
        "typed", "is used as a subject but has no rdf:type", "declare it, e.g. a owl:Class",
        f"""SELECT DISTINCT ?term WHERE {{ {_TERMS} FILTER NOT EXISTS {{ ?term a ?type }} }}"""),
    OntologyCheck(
        "label", "has no rdfs:label@en", 'add rdfs:label "…"@en',
        f"""SELECT DISTINCT ?term WHERE {{
              {_TERMS}
              FILTER NOT EXISTS {{ ?term rdfs:label ?label FILTER (langMatches(lang(?label), "en")) }}
            }}"""),
    OntologyCheck(
        "definition", "does not have exactly one skos:definition@en", 'give it one skos:definition "…"@en',
        f"""SELECT ?term WHERE {{
              {{ SELECT DISTINCT ?term WHERE {{ {_TERMS} }} }}
              OPTIONAL {{ ?term skos:definition ?d FILTER (langMatches(lang(?d), "en")) }}
            }} GROUP BY ?term HAVING (COUNT(DISTINCT ?d) != 1)"""),
    OntologyCheck(
        "one-sentence", "has a skos:definition@en that is not one sentence ending with '.'",
        "shorten the definition to one sentence; move the rest to rdfs:comment",
        f"""SELECT DISTINCT ?term WHERE {{
              {_TERMS}
              ?term skos:definition ?d FILTER (langMatches(lang(?d), "en"))
              FILTER (!STRENDS(STR(?d), ".") || REGEX(STR(?d), "[.!?] +[A-Z]"))
            }}"""),
    OntologyCheck(
        "defined-by", "has no rdfs:isDefinedBy <https://w3id.org/aenc/ont/>",
        "add rdfs:isDefinedBy <https://w3id.org/aenc/ont/>",
        f"""SELECT DISTINCT ?term WHERE {{ {_TERMS} FILTER NOT EXISTS {{ ?term rdfs:isDefinedBy ont: }} }}"""),
    OntologyCheck(
        "referenced", "is referenced in the ontology but never declared", "declare it or fix the spelling",
        f"""SELECT DISTINCT ?term WHERE {{
              ?s ?p ?term .
              FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{ONT}") && STR(?term) != "{ONT}")
              FILTER NOT EXISTS {{ ?term a ?type }}
              FILTER NOT EXISTS {{ ?s owl:versionIRI ?term }}
            }}"""),
]



def ontology_terms(ontology: Graph) -> list[URIRef]:
    """Every IRI of the ontology namespace that is the subject of a triple in ``ontology``."""
    return sorted({s for s in ontology.subjects(unique=True)
                   if isinstance(s, URIRef) and str(s).startswith(ONT) and str(s) != ONT})


def check_ontology(ontology: Graph, *, source: str = "ontology") -> int:
    """Run every ontology check; return how many terms were checked.

    Raises OntologyCheckFailed with one line per offending term, or DataLoadError when the
    graph holds no aenc terms at all (a check that sees nothing must not pass).
    """
    terms = ontology_terms(ontology)
    checked = len(terms)
    if checked == 0:
        raise DataLoadError(f"no terms of <{ONT}> found, so nothing could be checked", path=source,
                            hint="point aenc at ontology/aenc.ttl")
    problems: list[str] = []
    values = "VALUES ?term { " + " ".join(f"<{t}>" for t in terms) + " }"
    for check in ONTOLOGY_CHECKS:
        query = _PREAMBLE + check.query.replace(_TERMS, values)
        offending = sorted({row[0] for row in ontology.query(query)})
        problems += [f"{short(t)} {check.problem} [{check.name}]: {check.fix}" for t in offending]
    if problems:
        raise OntologyCheckFailed(problems)
    return checked


def declared_terms(ontology: Graph) -> set[URIRef]:
    """The IRIs of the ontology namespace that the ontology declares (gives an rdf:type)."""
    return {s for s in ontology.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(ONT)}


def _aenc_prefixes(text: str) -> list[str]:
    """The prefix labels a Turtle text binds to the ontology namespace (usually just 'aenc')."""
    pattern = re.compile(r"(?:@prefix|PREFIX)\s+([\w.-]*):\s*<" + re.escape(ONT) + r">", re.IGNORECASE)
    return pattern.findall(text)


def locate(term: URIRef, path: Path, text: str | None = None) -> str:
    """``file:line`` where ``term`` is written (prefixed or as a full IRI) in a Turtle file."""
    text = path.read_text(encoding="utf-8") if text is None else text
    local = str(term)[len(ONT):]
    needles = [f"{p}:{local}" for p in _aenc_prefixes(text)] + [f"<{term}>"]
    line = find_line(text, *needles)
    return f"{path}:{line}" if line else str(path)


def check_data_terms(loaded: LoadedData) -> int:
    """Refuse data that uses ontology-namespace IRIs the ontology does not declare.

    Looks at every position of every triple in the reference and report graphs. Returns the
    number of aenc term uses checked; raises UnknownTermError naming each term and file:line.
    """
    declared = declared_terms(loaded.ontology) | {URIRef(ONT)}
    if len(declared) <= 1:
        raise DataLoadError("the ontology declares no terms", path=str(loaded.sources[ONTOLOGY_GRAPH]),
                            hint="point aenc at ontology/aenc.ttl")
    uses = 0
    unknown: dict[tuple[URIRef, Path], None] = {}
    for name in loaded.data_graphs:
        path = loaded.sources[name]
        for triple in loaded.dataset.graph(name):
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(ONT):
                    uses += 1
                    if term not in declared:
                        unknown[(term, path)] = None
    if unknown:
        texts: dict[Path, str] = {}
        found = []
        for term, path in sorted(unknown, key=lambda k: (str(k[1]), str(k[0]))):
            text = texts.setdefault(path, path.read_text(encoding="utf-8"))
            found.append((short(term), locate(term, path, text)))
        raise UnknownTermError(found)
    if uses == 0:
        raise DataLoadError("the data uses no aenc terms, so nothing could be checked",
                            path=str(loaded.sources[loaded.data_graphs[0]]),
                            hint="type the data with aenc classes, e.g. a aenc:Encounter")
    return uses


def run_qc(loaded: LoadedData) -> dict[str, int]:
    """Both checks; returns what they saw: ontology terms and data term uses."""
    terms = check_ontology(loaded.ontology, source=str(loaded.sources[ONTOLOGY_GRAPH]))
    uses = check_data_terms(loaded)
    return {"ontology_terms": terms, "data_term_uses": uses}
