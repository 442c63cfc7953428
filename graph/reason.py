"""Stage 4, reason: the OWL 2 RL closure (owlrl), its contradictions, and the inferences worth keeping.

``reason(ontology, asserted)`` returns only the *inferred* triples, filtered by
``filter_inferred`` — one documented definition of which entailments aenc keeps, so that any
other engine (a later fast reasoner) can be held to exactly the same set.

owlrl never raises on a contradiction: it writes ``err:ErrorMessage`` nodes into the graph.
They are read out here and raised as InconsistentGraphError, naming the triples involved.
"""
from __future__ import annotations

import re
from typing import Callable

import owlrl
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .errors import InconsistentGraphError
from .load import bind_prefixes, short
from .namespaces import DATA, ONT

#: where owlrl writes its error messages
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

#: names where an input triple is written, e.g. its file; "" when unknown
Locate = Callable[[tuple], str]

_VOCABULARY_NAMESPACES = (str(RDF), str(RDFS), str(OWL))
_REFLEXIVE_NOISE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf,
                    OWL.equivalentProperty}
_TOP = {OWL.Thing, RDFS.Resource, RDFS.Literal}
_SCHEMA_PREDICATES = {RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range}


def keep_inferred(triple) -> bool:
    """Whether one triple that the closure added (and the input lacked) is worth keeping.

    Kept: triples whose subject is an IRI of aenc's data (``…/id/``) or ontology (``…/ont/``)
    namespace, except these entailments that hold of everything and tell a reader nothing:
      1. reflexive axioms: ``x owl:sameAs x``, ``x rdfs:subClassOf x``, ``x owl:equivalentClass x``,
         ``x rdfs:subPropertyOf x``, ``x owl:equivalentProperty x``;
      2. any ``rdf:type`` whose class is in the RDF, RDFS or OWL namespaces (``owl:Thing``,
         ``rdfs:Resource``, ``owl:NamedIndividual``, ``rdfs:Class``, ``rdf:Property``,
         ``rdfs:Datatype``, ``owl:AnnotationProperty``…): the ontology asserts the meta-types it means;
      3. schema triples pointing at the top: ``rdfs:subClassOf`` / ``owl:equivalentClass`` /
         ``rdfs:domain`` / ``rdfs:range`` with object ``owl:Thing``, ``rdfs:Resource`` or ``rdfs:Literal``;
      4. triples in owlrl's error namespace (contradictions are raised, not stored);
      5. triples with a literal as predicate or subject (owlrl's literal proxies) — covered by the
         subject rule.
    Everything else the closure adds about aenc IRIs is kept: inherited types, transitive
    containment and subordination, property-chain results, inverse and super-properties.
    """
    s, p, o = triple
    if not isinstance(s, URIRef) or not (str(s).startswith(DATA) or str(s).startswith(ONT)):
        return False
    if not isinstance(p, URIRef) or str(p).startswith(str(ERR)):
        return False
    if p in _REFLEXIVE_NOISE and s == o:
        return False
    if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(_VOCABULARY_NAMESPACES):
        return False
    if p in _SCHEMA_PREDICATES and o in _TOP:
        return False
    if isinstance(o, URIRef) and str(o).startswith(str(ERR)):
        return False
    return True


def filter_inferred(closure: Graph, asserted: Graph) -> Graph:
    """The inferred graph: triples of ``closure`` that are not in ``asserted`` and pass ``keep_inferred``.

    ``asserted`` is everything the reasoner was given (ontology + asserted data). A literal
    that owlrl rewrote to an equal value with another lexical form (``"5"`` for ``"05"``)
    is not a new fact and is dropped too.
    """
    inferred = bind_prefixes(Graph())
    for triple in closure:
        if triple in asserted or not keep_inferred(triple):
            continue
        s, p, o = triple
        if isinstance(o, Literal) and any(
                isinstance(a, Literal) and a.eq(o) for a in asserted.objects(s, p)):
            continue
        inferred.add(triple)
    return inferred


def _union(*graphs: Graph) -> Graph:
    union = Graph()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union


def closure(ontology: Graph, asserted: Graph) -> Graph:
    """owlrl's OWL 2 RL closure of ontology + asserted data (no axiomatic triples)."""
    graph = _union(ontology, asserted)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    return graph


def contradictions(full: Graph) -> list[str]:
    """owlrl's error messages in a closure, sorted (empty when consistent)."""
    return sorted(str(m) for m in full.objects(None, ERR.error))


def reason(ontology: Graph, asserted: Graph, *, locate: Locate | None = None) -> Graph:
    """The filtered inferred triples of ontology + asserted data; raises InconsistentGraphError.

    ``locate(triple)`` may name where an input triple is written (a file), for the explanations.
    """
    given = _union(ontology, asserted)
    full = closure(ontology, asserted)
    messages = contradictions(full)
    if messages:
        raise InconsistentGraphError([explain(m, full, given, locate) for m in messages])
    return filter_inferred(full, given)


_DISJOINT = re.compile(r"^Disjoint classes (\S+) and (\S+) have a common individual (\S+)$")
_IRI = re.compile(r"https?://[^\s,()'\"]+")


def explain(message: str, full: Graph, given: Graph, locate: Locate | None = None) -> str:
    """A person's explanation of one owlrl error message, naming the triples behind it."""
    match = _DISJOINT.match(message)
    if match:
        first, second, node = (URIRef(x) for x in match.groups())
        text = f"{short(node)} is typed both {short(first)} and {short(second)}, which are disjoint"
        reasons = []
        for cls in (first, second):
            why = _why_typed(node, cls, full, given, locate)
            if why:
                reasons.append(f"{short(cls)} from " + "; ".join(why))
        return f"{text} ({' / '.join(reasons)})" if reasons else text
    return _IRI.sub(lambda m: short(URIRef(m.group(0))), message)


def _why_typed(node, cls, full: Graph, given: Graph, locate: Locate | None = None) -> list[str]:
    """The input triples that make ``node`` an instance of ``cls``: types, domains, ranges."""
    def sub_of(c) -> bool:
        return c == cls or (c, RDFS.subClassOf, cls) in full

    def say(triple, why: str = "") -> str:
        text = f"{short(triple[0])} {'a' if triple[1] == RDF.type else short(triple[1])} {short(triple[2])}"
        where = locate(triple) if locate else ""
        return text + (f" ({why})" if why else "") + (f" [{where}]" if where else "")

    out = [say((node, RDF.type, t)) for t in sorted(given.objects(node, RDF.type)) if sub_of(t)]
    for p, o in sorted(given.predicate_objects(node)):
        if p != RDF.type and any(sub_of(d) for d in full.objects(p, RDFS.domain)):
            out.append(say((node, p, o), "domain"))
    for s, p in sorted(given.subject_predicates(node)):
        if any(sub_of(r) for r in full.objects(p, RDFS.range)):
            out.append(say((s, p, node), "range"))
    return out
