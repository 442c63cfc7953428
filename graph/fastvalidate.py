"""Fast SHACL validation: the project's shapes compiled into SPARQL checks run on pyoxigraph.

pySHACL walks every focus node in Python; at 10,000 encounters it takes minutes, at 100,000
hours. Here each constraint of ``ontology/shapes.ttl`` becomes one SPARQL query that returns
the focus nodes (and values) violating it, answered by Oxigraph in one pass over its indexes.
The report is ``graph.validate``'s: the same ``Violation`` rows pySHACL's results become, so
``require_conformance`` and the CLI read it unchanged (tests/scale/test_fastvalidate.py holds
the two to the same rows on violating examples and on generated data).

Supported: node shapes with ``sh:targetClass`` (instances of the class or of its sub-classes,
as SHACL defines them, over the data graph with the ontology merged in); property shapes with
an IRI or sequence path and ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``,
``sh:nodeKind``, ``sh:maxLength``, ``sh:minExclusive``, ``sh:lessThanOrEquals``; ``sh:or`` of
property shapes with ``sh:minCount``; SPARQL-based constraints (``sh:sparql`` with ``sh:select``
and ``sh:prefixes``). Anything else raises ``UnsupportedShape`` naming it: validate with pySHACL.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .load import short
from .validate import ValidationReport, Violation, render_path

#: constraint parameters understood on a property shape (others raise UnsupportedShape)
_PROPERTY_PARAMETERS = {SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind,
                        SH.maxLength, SH.minExclusive, SH.lessThanOrEquals, SH.message, SH.name,
                        SH.description, SH.severity, RDF.type}
_NODE_PARAMETERS = {SH.targetClass, SH.property, SH["or"], SH.sparql, SH.message, RDF.type,
                    SH.name, SH.description, SH.severity}
#: datatypes an Oxigraph store keeps as xsd:integer (it stores every integer type as integer)
COLLAPSED = {XSD[name] for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_NODE_KINDS = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
               SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
               SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
               SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))"}


class UnsupportedShape(Exception):
    """A shape uses a SHACL feature this validator does not compile."""

    def __init__(self, shape, feature):
        super().__init__(f"the fast validator does not implement {short(feature)} "
                         f"(in shape {short(shape)}); validate with pySHACL instead")


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query returning ?this (and ?v) for each violation."""

    shape: str            # the node shape, shortened
    path: str             # rendered path, '' for node-level constraints
    component: str        # e.g. sh:MinCountConstraintComponent
    message: str
    severity: str
    query: str
    reports_value: bool
    #: (predicate IRI, datatype IRI) when the datatype is checked on the original terms
    datatype_of: tuple[str, str] | None = None
    #: the path's IRI when it is one predicate (its given literals name reported values)
    predicate: str | None = None


def _n3(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ValueError(f"cannot write {term!r} in a query")


def _path(shapes: Graph, path, shape) -> str:
    """A SHACL path as a SPARQL property path (IRIs, sequences and inverse paths)."""
    if isinstance(path, URIRef):
        return _n3(path)
    if isinstance(path, BNode):
        if (path, RDF.first, None) in shapes:
            return "/".join(_path(shapes, p, shape) for p in Collection(shapes, path))
        inverse = shapes.value(path, SH.inversePath)
        if inverse is not None:
            return f"^({_path(shapes, inverse, shape)})"
    raise UnsupportedShape(shape, SH.path)


def _messages(shapes: Graph, node) -> str:
    return " / ".join(sorted(str(m) for m in shapes.objects(node, SH.message)))


def _severity(shapes: Graph, node) -> str:
    value = shapes.value(node, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _focus(targets: list) -> str:
    values = " ".join(_n3(t) for t in targets)
    return (f"VALUES ?target {{ {values} }} "
            f"?this <{RDF.type}>/<{RDFS.subClassOf}>* ?target .")


def compile_shapes(shapes: Graph) -> list[Check]:
    """Every check of every node shape with a target class; raises UnsupportedShape."""
    checks: list[Check] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        for p in set(shapes.predicates(shape, None)) - _NODE_PARAMETERS:
            raise UnsupportedShape(shape, p)
        focus = _focus(sorted(shapes.objects(shape, SH.targetClass), key=str))
        name = short(shape)
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            checks.extend(_property_checks(shapes, shape, name, prop, focus))
        for alternatives in shapes.objects(shape, SH["or"]):
            checks.append(_or_check(shapes, shape, name, alternatives, focus))
        for constraint in shapes.objects(shape, SH.sparql):
            checks.append(_sparql_check(shapes, shape, name, constraint, focus))
    return checks


def _property_checks(shapes: Graph, shape, name: str, prop, focus: str) -> Iterable[Check]:
    for p in set(shapes.predicates(prop, None)) - _PROPERTY_PARAMETERS:
        raise UnsupportedShape(shape, p)
    raw_path = shapes.value(prop, SH.path)
    path = _path(shapes, raw_path, shape)
    shown = render_path(shapes, raw_path)
    message = _messages(shapes, prop)
    severity = _severity(shapes, prop)

    predicate = str(raw_path) if isinstance(raw_path, URIRef) else None

    def check(component: str, where: str, value: bool = True, select: str = "?this ?v") -> Check:
        query = f"SELECT DISTINCT {select} WHERE {{ {focus} {where} }}"
        return Check(name, shown, f"sh:{component}ConstraintComponent", message, severity, query,
                     value, predicate=predicate if value else None)

    values = f"?this {path} ?v ."
    minimum = shapes.value(prop, SH.minCount)
    if minimum is not None and int(minimum) > 0:
        if int(minimum) == 1:
            yield check("MinCount", f"FILTER NOT EXISTS {{ ?this {path} ?v }}", False, "?this")
        else:
            yield Check(name, shown, "sh:MinCountConstraintComponent", message, severity,
                        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(minimum)})", False)
    maximum = shapes.value(prop, SH.maxCount)
    if maximum is not None:
        yield Check(name, shown, "sh:MaxCountConstraintComponent", message, severity,
                    f"SELECT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} "
                    f"?this {path} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(maximum)})",
                    False)
    cls = shapes.value(prop, SH["class"])
    if cls is not None:
        yield check("Class", f"{values} FILTER NOT EXISTS {{ ?v <{RDF.type}>/<{RDFS.subClassOf}>* {_n3(cls)} }}")
    datatype = shapes.value(prop, SH.datatype)
    if datatype is not None and datatype in COLLAPSED:
        # the store keeps these as xsd:integer: check the terms as they were given
        if not isinstance(raw_path, URIRef):
            raise UnsupportedShape(shape, SH.datatype)
        yield Check(name, shown, "sh:DatatypeConstraintComponent", message, severity,
                    f"SELECT DISTINCT ?this ?v WHERE {{ {focus} "
                    f"OPTIONAL {{ ?this {path} ?v FILTER (!isLiteral(?v)) }} }}",
                    True, (str(raw_path), str(datatype)))
    elif datatype is not None:
        yield check("Datatype", f"{values} FILTER (!isLiteral(?v) || datatype(?v) != {_n3(datatype)})")
    kind = shapes.value(prop, SH.nodeKind)
    if kind is not None:
        if kind not in _NODE_KINDS:
            raise UnsupportedShape(shape, kind)
        yield check("NodeKind", f"{values} FILTER (!{_NODE_KINDS[kind]})")
    length = shapes.value(prop, SH.maxLength)
    if length is not None:
        yield check("MaxLength", f"{values} FILTER (isBlank(?v) || STRLEN(STR(?v)) > {int(length)})")
    low = shapes.value(prop, SH.minExclusive)
    if low is not None:
        yield check("MinExclusive", f"{values} FILTER (!COALESCE(?v > {_n3(low)}, false))")
    other = shapes.value(prop, SH.lessThanOrEquals)
    if other is not None:
        yield check("LessThanOrEquals",
                    f"{values} ?this {_n3(other)} ?w . FILTER (!COALESCE(?v <= ?w, false))")


def _or_check(shapes: Graph, shape, name: str, alternatives, focus: str) -> Check:
    conditions = []
    for member in Collection(shapes, alternatives):
        params = set(shapes.predicates(member, None))
        if params - {SH.path, SH.minCount} or int(shapes.value(member, SH.minCount) or 0) != 1:
            raise UnsupportedShape(shape, SH["or"])
        conditions.append(f"NOT EXISTS {{ ?this {_path(shapes, shapes.value(member, SH.path), shape)} ?x }}")
    query = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER ({' && '.join(conditions)}) }}"
    return Check(name, "", "sh:OrConstraintComponent", _messages(shapes, shape),
                 _severity(shapes, shape), query, False)


def _sparql_check(shapes: Graph, shape, name: str, constraint, focus: str) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(shape, SH.sparql)
    prefixes = []
    for declarer in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(declarer, SH.declare):
            prefixes.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
    body = str(select).replace("$this", "?this")
    head, _, rest = body.partition("WHERE")
    if not rest or "?this" not in head:
        raise UnsupportedShape(shape, SH.select)
    query = "\n".join(prefixes) + f"\nSELECT DISTINCT ?this WHERE {{ {focus} {{ {head.strip()} WHERE {rest} }} }}"
    message = _messages(shapes, constraint) or _messages(shapes, shape)
    return Check(name, "", "sh:SPARQLConstraintComponent", message,
                 _severity(shapes, constraint), query, False)


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def run_checks(store: ox.Store, checks: list[Check], given: dict[str, dict[str, list]], *,
               union: bool = True,
               sources_of: Callable[[object], list[str]] | None = None) -> ValidationReport:
    """Run compiled checks on a pyoxigraph store holding data and ontology (in any graphs).

    ``given[predicate][subject]`` holds the objects as they were given (rdflib terms) for the
    predicates of ``checks_needing_terms(checks)``: the datatype checks the store cannot answer.
    """
    out: list[Violation] = []
    for check in checks:
        for focus, value in _violations(store, check, given, union):
            out.append(Violation(
                focus=short(focus), path=check.path, message=check.message or "constraint not satisfied",
                severity=check.severity, shape=check.shape, component=check.component,
                value=short(value) if value is not None and value != focus else "",
                sources=tuple(sources_of(focus)) if sources_of else ()))
    out = sorted(set(out), key=lambda v: (v.focus, v.path, v.message, v.value))
    return ValidationReport(conforms=not out, results=out)


def _violations(store: ox.Store, check: Check, given: dict, union: bool):
    rows = store.query(check.query, use_default_graph_as_union=union)
    if check.datatype_of is None:
        originals = given.get(check.predicate, {}) if check.predicate else {}
        for row in rows:
            focus = _rdflib(row["this"])
            value = row["v"] if check.reports_value else None
            if value is None:
                yield focus, None
            elif isinstance(value, ox.Literal):
                # the store writes literals in canonical form ("-30" for "-30.0"): show the given one
                literal = _rdflib(value)
                same = [o for o in originals.get(focus, ()) if isinstance(o, Literal) and o.eq(literal)]
                yield focus, same[0] if len(same) == 1 else literal
            else:
                yield focus, _rdflib(value)
        return
    predicate, datatype = check.datatype_of
    by_subject = given.get(predicate, {})
    seen = set()
    for row in rows:
        focus = _rdflib(row["this"])
        if row["v"] is not None:
            yield focus, _rdflib(row["v"])
        if focus in seen:
            continue
        seen.add(focus)
        for value in by_subject.get(focus, ()):
            if value.datatype is None or str(value.datatype) != datatype:
                yield focus, value


def checks_needing_terms(checks: list[Check]) -> set[str]:
    """Predicates whose objects ``run_checks`` needs as given (see ``run_checks``)."""
    return {c.datatype_of[0] for c in checks if c.datatype_of} | {c.predicate for c in checks if c.predicate}


def store_of(*graphs: Graph, keep: set[str] = frozenset()) -> tuple[ox.Store, dict]:
    """A pyoxigraph store of rdflib graphs' triples (default graph), and the given literal
    objects of the predicates in ``keep``, by subject (see ``run_checks``)."""
    store = ox.Store()
    quads = []
    given: dict[str, dict] = {p: {} for p in keep}
    for graph in graphs:
        for s, p, o in graph:
            quads.append(ox.Quad(_ox(s), _ox(p), _ox(o)))
            if isinstance(o, Literal) and str(p) in given:
                given[str(p)].setdefault(s, []).append(o)
    store.extend(quads)
    return store, given


def store_from_quads(quads: Iterable[ox.Quad], keep: set[str] = frozenset(),
                     store: ox.Store | None = None) -> tuple[ox.Store, dict]:
    """Like ``store_of`` for pyoxigraph quads (as parsed, before the store rewrites literals);
    the quads keep their graphs, so query with ``union=True``."""
    store = store if store is not None else ox.Store()
    given: dict[str, dict] = {p: {} for p in keep}

    def watch(stream):
        for quad in stream:
            o = quad.object
            if isinstance(o, ox.Literal) and quad.predicate.value in given:
                given[quad.predicate.value].setdefault(_rdflib(quad.subject), []).append(_rdflib(o))
            yield quad

    store.extend(watch(quads))
    return store, given


def _ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def validate_fast(data: Iterable, ontology: Graph, shapes: Graph, *,
                  sources_of: Callable[[object], list[str]] | None = None) -> ValidationReport:
    """``graph.validate.validate`` computed with compiled SPARQL checks on pyoxigraph; ``data``
    is a graph or any iterable of its triples."""
    checks = compile_shapes(shapes)
    store, given = store_of(data, ontology, keep=checks_needing_terms(checks))
    return run_checks(store, checks, given, union=False, sources_of=sources_of)


__all__ = ["validate_fast", "compile_shapes", "run_checks", "checks_needing_terms", "store_of",
           "store_from_quads",
           "UnsupportedShape", "Check", "COLLAPSED"]
