"""Stage 3, validate: SHACL on the asserted data only, with a report a person can read.

The shapes are checked against the union of the reference and report graphs, never the
reasoned closure (there every rdfs:domain and rdfs:range adds types and hides missing data).
The ontology's triples are added to the data graph so that ``sh:class`` follows
``rdfs:subClassOf`` (an aenc:Sea is an aenc:Place) and sees the ontology's own individuals
(``aenc:fighterRole a aenc:AircraftRole``). pySHACL's ``ont_graph`` is not used for this: it
copies only RDFS/OWL axioms, not individuals typed with ontology classes. No inference is run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from .errors import ValidationFailed
from .load import bind_prefixes, short


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in terms a person can act on."""

    focus: str          # the node that failed, shortened: <id/encounter/…>
    path: str           # the property path, shortened ('' for node-level constraints)
    message: str
    severity: str       # Violation | Warning | Info
    shape: str          # the node shape it belongs to, shortened: aencsh:EncounterShape
    component: str      # the constraint component, shortened: sh:MinCountConstraintComponent
    value: str = ""     # the offending value, when SHACL names one
    sources: tuple[str, ...] = ()   # graph/file labels the focus node is described in

    def line(self) -> str:
        where = f" [{', '.join(self.sources)}]" if self.sources else ""
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus}{path}: {self.message}{value}{where}"


@dataclass
class ValidationReport:
    conforms: bool
    results: list[Violation] = field(default_factory=list)

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]

    def text(self) -> str:
        if not self.results:
            return "conforms: every shape is satisfied"
        return "\n".join(r.line() for r in self.results)


def render_path(graph: Graph, path) -> str:
    """A SHACL property path as SPARQL-like text: ``aenc:time``, ``geo:hasGeometry/geo:asWKT``."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(path)
    if isinstance(path, BNode):
        if (path, RDF.first, None) in graph:
            return "/".join(render_path(graph, p) for p in Collection(graph, path))
        for predicate, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                               (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = graph.value(path, predicate)
            if inner is not None:
                return fmt.format(render_path(graph, inner))
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return short(path)


def _node_shape(shapes: Graph, shape) -> object:
    """The named node shape a (possibly anonymous property) shape belongs to."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
        if parent is None:
            break
        shape = parent
    return shape


def validate(data: Graph, ontology: Graph, shapes: Graph, *,
             sources_of: Callable[[object], list[str]] | None = None) -> ValidationReport:
    """Validate asserted ``data`` against ``shapes``; never raises on non-conformance.

    ``sources_of(node)`` may return labels (graph or file) where a focus node is described.
    """
    combined = Graph()
    for graph in (data, ontology):
        for triple in graph:
            combined.add(triple)
    conforms, results, _text = pyshacl.validate(
        combined, shacl_graph=shapes, inference="none",
        abort_on_first=False, allow_warnings=False, advanced=False, meta_shacl=False)
    out: list[Violation] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        source_shape = results.value(result, SH.sourceShape)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        severity = results.value(result, SH.resultSeverity)
        value = results.value(result, SH.value)
        # pySHACL copies the shapes it used into the results graph, so paths resolve there
        path = results.value(result, SH.resultPath)
        lookup = results if path is not None and (path, None, None) in results else shapes
        out.append(Violation(
            focus=short(focus),
            path=render_path(lookup, path),
            message=" / ".join(messages) or "constraint not satisfied",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            shape=short(_node_shape(shapes, source_shape)),
            component=short(results.value(result, SH.sourceConstraintComponent)),
            value=short(value) if value is not None and value != focus else "",
            sources=tuple(sources_of(focus)) if sources_of else (),
        ))
    out.sort(key=lambda v: (v.focus, v.path, v.message, v.value))
    return ValidationReport(conforms=bool(conforms), results=out)


def validate_loaded(loaded, shapes: Graph) -> ValidationReport:
    """Validate a LoadedData's asserted graphs, naming the file each focus node comes from."""
    def sources_of(node) -> list[str]:
        return [loaded.sources[g].name for g in loaded.graphs_with_subject(node)]
    data = bind_prefixes(loaded.asserted())
    return validate(data, loaded.ontology, shapes, sources_of=sources_of)


def require_conformance(report: ValidationReport) -> ValidationReport:
    """Raise ValidationFailed unless the report conforms."""
    if not report.conforms:
        raise ValidationFailed(report.text(), len(report.violations) or len(report.results))
    return report
