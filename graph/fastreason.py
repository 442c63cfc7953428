"""Fast OWL 2 RL reasoning: the inferences ``graph.reason`` keeps from owlrl, in a fraction of the time.

owlrl applies every OWL 2 RL rule to every triple, cycle after cycle, until nothing changes.
Here the ontology's axioms (the TBox) are compiled once into tables — the closed sub-class and
sub-property hierarchies, domains and ranges with their super-classes, inverses, symmetric and
transitive properties, property chains, disjoint classes — and the data is closed by forward
chaining: each new triple fires only the rules its predicate has, through hash indexes.

It computes the same closure as owlrl's ``OWLRL_Semantics`` (without axiomatic triples) for the
OWL 2 RL constructs it supports, then keeps what ``graph.reason.filter_inferred`` keeps, and
raises the same ``InconsistentGraphError`` (owlrl's messages, explained by ``graph.reason.explain``).
An ontology or data set using a construct outside that fragment (``owl:sameAs``, functional
properties, restrictions, keys…) raises ``UnsupportedConstruct`` naming it: use owlrl then.
tests/scale/test_fastreason.py holds it to owlrl's result on the curated and generated graphs.

Terms are handled as N-Triples text (``<iri>``, ``"lexical"^^<datatype>``, ``"text"@en``,
``_:b0``), so that a caller with millions of triples need not build rdflib objects:
``reason_terms`` takes and returns such text; ``reason_fast`` wraps it for rdflib graphs.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from itertools import islice
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import InconsistentGraphError
from .load import PREFIXES
from .namespaces import DATA, ONT
from .reason import (ERR, _REFLEXIVE_NOISE, _SCHEMA_PREDICATES, _TOP, _VOCABULARY_NAMESPACES,
                     explain)

Triple = tuple[str, str, str]


def _k(term) -> str:
    return f"<{term}>"


TYPE = _k(RDF.type)
SUBCLASS, SUBPROPERTY = _k(RDFS.subClassOf), _k(RDFS.subPropertyOf)
DOMAIN, RANGE = _k(RDFS.domain), _k(RDFS.range)
EQ_CLASS, EQ_PROPERTY = _k(OWL.equivalentClass), _k(OWL.equivalentProperty)
INVERSE, CHAIN = _k(OWL.inverseOf), _k(OWL.propertyChainAxiom)
DISJOINT, MEMBERS = _k(OWL.disjointWith), _k(OWL.members)
FIRST, REST, NIL = _k(RDF.first), _k(RDF.rest), _k(RDF.nil)
THING, NOTHING, RESOURCE = _k(OWL.Thing), _k(OWL.Nothing), _k(RDFS.Resource)
CLASS = _k(OWL.Class)
PROPERTY_TYPES = {_k(OWL.ObjectProperty), _k(OWL.DatatypeProperty), _k(RDF.Property)}
TRANSITIVE, SYMMETRIC = _k(OWL.TransitiveProperty), _k(OWL.SymmetricProperty)
ALL_DISJOINT_CLASSES = _k(OWL.AllDisjointClasses)

#: predicates whose triples are axioms: compiled into the rule tables, not only closed over
SCHEMA_PREDICATES = {SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, EQ_CLASS, EQ_PROPERTY, INVERSE, CHAIN,
                     DISJOINT, MEMBERS}
#: rdf:type objects that make a triple an axiom
META_TYPES = {CLASS, TRANSITIVE, SYMMETRIC, ALL_DISJOINT_CLASSES} | PROPERTY_TYPES

#: OWL 2 RL constructs this reasoner does not implement (owlrl does): the caller must use owlrl
UNSUPPORTED_PREDICATES = {
    _k(OWL[name]) for name in (
        "sameAs", "differentFrom", "distinctMembers", "hasKey", "someValuesFrom", "allValuesFrom",
        "hasValue", "intersectionOf", "unionOf", "oneOf", "complementOf", "maxCardinality",
        "maxQualifiedCardinality", "sourceIndividual", "propertyDisjointWith")}
UNSUPPORTED_TYPES = {
    _k(OWL[name]) for name in (
        "FunctionalProperty", "InverseFunctionalProperty", "IrreflexiveProperty",
        "AsymmetricProperty", "AllDisjointProperties", "AllDifferent")}

#: predicates and rdf:type objects whose triples the index pass must look at more closely
_SPECIAL_PREDICATES = SCHEMA_PREDICATES | UNSUPPORTED_PREDICATES | {FIRST, REST}
_SPECIAL_TYPES = META_TYPES | UNSUPPORTED_TYPES

_DATA_PREFIXES = ("<" + DATA, "<" + ONT)
_VOCABULARY_PREFIXES = tuple("<" + ns for ns in _VOCABULARY_NAMESPACES)
_ERR_PREFIX = "<" + str(ERR)
_REFLEXIVE_KEYS = {_k(p) for p in _REFLEXIVE_NOISE}
_SCHEMA_KEYS = {_k(p) for p in _SCHEMA_PREDICATES}
_TOP_KEYS = {_k(t) for t in _TOP}


class UnsupportedConstruct(Exception):
    """The ontology or data uses an OWL construct the fast reasoner does not implement."""

    def __init__(self, construct: str, where: Triple):
        super().__init__(f"the fast reasoner does not implement {construct} "
                         f"(used in: {' '.join(where)} .); reason with owlrl instead")
        self.construct = construct


# ---------------------------------------------------------------------------------------------
# Terms as N-Triples text
# ---------------------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def key_of(term) -> str:
    """The N-Triples text of an rdflib term (the reasoner's key for it)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f'"{_escape(str(term))}"@{term.language}'
        if term.datatype is not None:
            return f'"{_escape(str(term))}"^^<{term.datatype}>'
        return f'"{_escape(str(term))}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def term_of(key: str):
    """The rdflib term of a key (N-Triples text)."""
    if key[0] == "<":
        return URIRef(key[1:-1])
    if key[0] == "_":
        return BNode(key[2:])
    end = key.rfind('"')
    lexical = _unescape(key[1:end])
    rest = key[end + 1:]
    if rest.startswith("^^<"):
        return Literal(lexical, datatype=URIRef(rest[3:-1]))
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    return Literal(lexical)


def _datatype(key: str) -> str | None:
    """The datatype key of a literal key with an explicit datatype, else None."""
    if key[0] != '"':
        return None
    end = key.rfind('"')
    rest = key[end + 1:]
    return "<" + rest[3:-1] + ">" if rest.startswith("^^<") else None


# ---------------------------------------------------------------------------------------------
# The TBox: owlrl's scm-* rules, closed once, compiled into rule tables
# ---------------------------------------------------------------------------------------------

class Schema:
    """The axioms of ontology + data, closed under owlrl's schema rules, as rule tables."""

    def __init__(self, axioms: set[Triple], lists: dict[str, tuple[str, str]]):
        self.lists = lists
        self.axioms = self._close(set(axioms))
        self._compile()

    # owlrl's Closure: scm-cls, scm-sco, scm-eqc, scm-eqc2, scm-op/dp, scm-spo, scm-eqp,
    # scm-eqp2, scm-dom1/2, scm-rng1/2 (OWLRL.py, _schema_vocabulary)
    @staticmethod
    def _close(axioms: set[Triple]) -> set[Triple]:
        axioms |= {(THING, TYPE, CLASS), (NOTHING, TYPE, CLASS)}     # cls-thing, cls-nothing1
        while True:
            objects = defaultdict(set)
            subjects = defaultdict(set)
            for s, p, o in axioms:
                objects[(s, p)].add(o)
                subjects[(p, o)].add(s)
            new: set[Triple] = set()
            for s, p, o in axioms:
                if p == TYPE and o == CLASS:
                    new |= {(s, SUBCLASS, s), (s, EQ_CLASS, s), (s, SUBCLASS, THING),
                            (NOTHING, SUBCLASS, s)}
                elif p == SUBCLASS:
                    if s != o:
                        new |= {(s, SUBCLASS, c3) for c3 in objects[(o, SUBCLASS)] if c3 != s}
                    if s in objects[(o, SUBCLASS)]:
                        new.add((s, EQ_CLASS, o))
                elif p == EQ_CLASS and s != o:
                    new |= {(s, SUBCLASS, o), (o, SUBCLASS, s)}
                elif p == TYPE and o in PROPERTY_TYPES:
                    new |= {(s, SUBPROPERTY, s), (s, EQ_PROPERTY, s)}
                elif p == SUBPROPERTY and s != o:
                    new |= {(s, SUBPROPERTY, p3) for p3 in objects[(o, SUBPROPERTY)] if p3 != s}
                    if s in objects[(o, SUBPROPERTY)]:
                        new.add((s, EQ_PROPERTY, o))
                elif p == EQ_PROPERTY and s != o:
                    new |= {(s, SUBPROPERTY, o), (o, SUBPROPERTY, s)}
                elif p in (DOMAIN, RANGE):
                    new |= {(s, p, c2) for c2 in objects[(o, SUBCLASS)] if c2 != o}
                    new |= {(p1, p, o) for p1 in subjects[(SUBPROPERTY, s)] if p1 != s}
            new -= axioms
            if not new:
                return axioms
            axioms |= new

    def read_list(self, head: str) -> list[str]:
        items, seen = [], set()
        while head != NIL and head in self.lists and head not in seen:
            seen.add(head)
            first, head = self.lists[head]
            items.append(first)
        return items

    def _compile(self) -> None:
        sup_c, sup_p = defaultdict(set), defaultdict(set)
        dom, rng, inv = defaultdict(set), defaultdict(set), defaultdict(set)
        self.transitive: set[str] = set()
        self.symmetric: set[str] = set()
        self.disjoint_pairs: list[tuple[str, str]] = []
        chains: list[tuple[str, list[str]]] = []
        for s, p, o in self.axioms:
            if p == SUBCLASS and s != o:
                sup_c[s].add(o)
            elif p == SUBPROPERTY and s != o:
                sup_p[s].add(o)
            elif p == DOMAIN:
                dom[s].add(o)
            elif p == RANGE:
                rng[s].add(o)
            elif p == INVERSE:
                inv[s].add(o)
                inv[o].add(s)
            elif p == CHAIN:
                chains.append((s, self.read_list(o)))
            elif p == DISJOINT:
                self.disjoint_pairs.append((s, o))
            elif p == TYPE and o == TRANSITIVE:
                self.transitive.add(s)
            elif p == TYPE and o == SYMMETRIC:
                self.symmetric.add(s)
        for s, p, o in sorted(self.axioms):
            if p == MEMBERS and (s, TYPE, ALL_DISJOINT_CLASSES) in self.axioms:
                classes = self.read_list(o)
                for i in range(len(classes) - 1):
                    for c2 in classes[i + 1:]:
                        self.disjoint_pairs.append((classes[i], c2))

        # owl:Thing and rdfs:Resource types are dropped by the filter and feed no rule unless an
        # axiom gives them super-classes or makes them disjoint: then they are kept.
        in_disjointness = {c for pair in self.disjoint_pairs for c in pair}
        useless = {c for c in (THING, RESOURCE)
                   if not (sup_c.get(c, set()) - {THING, RESOURCE}) and c not in in_disjointness}
        #: class -> every super-class (closed by scm-sco), itself excluded, useless tops dropped
        self.superclasses = {c: frozenset(s - useless - {c}) for c, s in sup_c.items()}

        def with_supers(classes: Iterable[str]) -> frozenset[str]:
            out = set()
            for c in classes:
                if c not in useless:
                    out.add(c)
                out.update(self.superclasses.get(c, ()))
            return frozenset(out)

        shared: dict[frozenset, frozenset] = {}      # one object per distinct set of classes
        self.domain = {p: shared.setdefault(c, c) for p, c in
                       ((p, with_supers(cs)) for p, cs in dom.items())}
        self.range = {p: with_supers(cs) for p, cs in rng.items()}
        self.superproperties = {p: tuple(sorted(s - {p})) for p, s in sup_p.items()}
        self.inverses = {p: tuple(sorted(s)) for p, s in inv.items()}
        #: predicate -> [(chain result, chain, position of the predicate in it)]
        self.chain_steps: dict[str, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
        for result, chain in sorted(chains):
            if chain:
                for i, p in enumerate(chain):
                    self.chain_steps[p].append((result, tuple(chain), i))
        #: predicates that need an object -> subjects index: transitive ones, and chain steps
        #: with a step after them (a chain is walked leftwards from a later step)
        self.backward = set(self.transitive)
        chain_members = set()
        for result, chain in chains:
            self.backward.update(chain[:-1])
            chain_members.update(chain)
        #: the rules each predicate fires, as one tuple, or absent when it fires none
        self.plan: dict[str, tuple] = {}
        predicates = (set(self.domain) | set(self.range) | set(self.superproperties)
                      | set(self.inverses) | self.transitive | self.symmetric | set(self.chain_steps))
        for p in predicates:
            self.plan[p] = (self.domain.get(p, frozenset()), self.range.get(p, frozenset()),
                            self.superproperties.get(p, ()), self.inverses.get(p, ()),
                            p in self.symmetric, p in self.transitive,
                            tuple(self.chain_steps.get(p, ())))
        #: the predicates the closure must index by subject: what a rule derives (checked
        #: against what is there), what a rule looks up (transitive ones, chain steps), rdf:type
        self.indexed_predicates = {TYPE} | self.backward | chain_members
        #: the predicates whose rules can add a triple with the same predicate
        self.self_deriving = {
            p for p, (_d, _r, supers, inverses, symmetric, transitive, steps) in self.plan.items()
            if p in supers or p in inverses or symmetric or transitive
            or any(result == p for result, _chain, _i in steps)}
        for p, (_d, _r, supers, inverses, symmetric, transitive, steps) in self.plan.items():
            self.indexed_predicates.update(supers)
            self.indexed_predicates.update(inverses)
            self.indexed_predicates.update(result for result, _chain, _i in steps)
            if symmetric or transitive:
                self.indexed_predicates.add(p)
        self.disjoint_with: dict[str, set[str]] = defaultdict(set)
        for a, b in self.disjoint_pairs:
            self.disjoint_with[a].add(b)
            self.disjoint_with[b].add(a)


def _values(row) -> tuple | set:
    """The objects in one row of an index: rows hold a lone object as itself, more as a set."""
    return (row,) if type(row) is str else row


def _check_supported(triple: Triple) -> None:
    s, p, o = triple
    if p in UNSUPPORTED_PREDICATES:
        raise UnsupportedConstruct(p, triple)
    if p == TYPE and o in UNSUPPORTED_TYPES:
        raise UnsupportedConstruct(o, triple)


# ---------------------------------------------------------------------------------------------
# The closure: semi-naive forward chaining over hash indexes
# ---------------------------------------------------------------------------------------------

class Closure:
    """The OWL 2 RL closure of a set of triples (keys), with the triples the rules added.

    The given triples are kept grouped by predicate, as given. Only the predicates a rule reads
    through an index (transitive ones, chain steps) or can derive, and rdf:type, are indexed by
    subject: the rest (most of a data set: counts, dates, labels, roles…) only fire their rules
    once, in one pass over their group. Keys are compared by value; a caller that passes one
    string object per distinct term (as ``reason_fast`` and bench/pipeline.py do) spares a string
    comparison on every hash hit."""

    def __init__(self, triples: Iterable[Triple]):
        #: predicate -> subject -> object (a str) or objects (a set of two or more), for the
        #: predicates in ``indexed``: given and derived triples
        self.forward: dict[str, dict[str, str | set[str]]] = defaultdict(dict)
        #: predicate -> its given triples, for the predicates not (yet) indexed
        self.given: dict[str, list[Triple]] = {}
        self.indexed: set[str] = set()
        axioms: set[Triple] = set()
        lists: dict[str, list] = {}
        given = self.given
        #: the given triples in the order given: a sorted dump has each subject's triples
        #: together, which the domain pass uses (one update of a subject's types per run)
        self.order = triples = triples if type(triples) is list else list(triples)
        for t in triples:
            p = t[1]
            group = given.get(p)
            if group is None:
                group = given[p] = []
            group.append(t)
        for t in given.get(TYPE, ()):
            if t[2] in _SPECIAL_TYPES:
                _check_supported(t)
                axioms.add(t)
        for p, group in given.items():
            if p not in _SPECIAL_PREDICATES:
                continue
            for t in group:
                if p == FIRST:
                    lists.setdefault(t[0], [None, NIL])[0] = t[2]
                elif p == REST:
                    lists.setdefault(t[0], [None, NIL])[1] = t[2]
                else:
                    _check_supported(t)
                    axioms.add(t)
        self.lists = {k: (v[0], v[1]) for k, v in lists.items()}
        self.derived: list[Triple] = []
        self.axioms = axioms
        self._run()

    def _index(self, schema: "Schema") -> None:
        """Index by subject the given triples of every predicate the rules read or derive."""
        for p in sorted(schema.indexed_predicates):     # sorted: the same work on every run
            if p in self.indexed:
                continue
            self.indexed.add(p)
            rows = self.forward[p]
            for s, _p, o in self.given.pop(p, ()):
                row = rows.get(s)
                if row is None:
                    rows[s] = o
                elif type(row) is str:
                    if row != o:
                        rows[s] = {row, o}
                else:
                    row.add(o)

    def given_triples(self) -> Iterable[Triple]:
        """Every given triple (once per time it was given, for predicates not indexed)."""
        derived = set(self.derived)
        for p, rows in self.forward.items():
            for s, objs in rows.items():
                for o in _values(objs):
                    if (s, p, o) not in derived:
                        yield s, p, o
        for group in self.given.values():
            yield from group

    def _run(self) -> None:
        schema = Schema(self.axioms, self.lists)
        self._index(schema)
        for triple in schema.axioms - self.axioms:
            self._add_plain(triple)
        self._datatype_seeds()
        while True:
            self.schema = schema
            new_axioms = self._chain()
            if not new_axioms:
                return
            # a rule derived a new axiom (rare): close the TBox again, re-fire every triple
            self.axioms |= new_axioms
            schema = Schema(self.axioms, self.lists)
            self._index(schema)
            for triple in schema.axioms - self.axioms:
                self._add_plain(triple)

    def _add_plain(self, triple: Triple) -> bool:
        s, p, o = triple
        rows = self.forward[p]
        row = rows.get(s)
        if row is None:
            rows[s] = o
        elif type(row) is str:
            if row == o:
                return False
            rows[s] = {row, o}
        elif o in row:
            return False
        else:
            row.add(o)
        self.derived.append(triple)
        return True

    def _datatype_seeds(self) -> None:
        """owlrl's dt-type2 and datatype subsumptions: literals typed by their datatype."""
        from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
        rl = {_k(d) for d in OWL_RL_Datatypes}
        subsumed = {_k(d): [_k(x) for x in ups] for d, ups in OWL_Datatype_Subsumptions.items()}
        self.used_datatypes: set[str] = set()
        self.typed_literals: dict[str, str] = {}
        for rows in self.forward.values():
            for objs in rows.values():
                for o in _values(objs):
                    if o[0] == '"' and o not in self.typed_literals:
                        dt = _datatype(o)
                        if dt in rl:
                            self.typed_literals[o] = dt
        for group in self.given.values():
            for _s, _p, o in group:
                if o[0] == '"' and o not in self.typed_literals:
                    dt = _datatype(o)
                    if dt in rl:
                        self.typed_literals[o] = dt
        for lit, dt in self.typed_literals.items():
            self.used_datatypes.add(dt)
            for t in [dt, *subsumed.get(dt, ())]:
                self.used_datatypes.add(t)
                self._add_plain((lit, TYPE, t))

    def _chain(self) -> set[Triple]:
        """Fire the rules on every triple and on everything they add; return new axioms seen.

        First a pass over what is there, predicate by predicate. Then what the rules added, triple
        by triple (semi-naive: each new triple fires its rules once). In the pass, a chain (or a
        transitive property) is followed only from its first step, rightwards: every instance
        made of triples already there has a first step there, and the indexes hold all of them;
        an instance with an added triple is found when the last of its triples is added."""
        agenda: list[Triple] = []
        schema = self.schema
        fw = self.forward
        #: predicate -> object -> subject (a str) or subjects (a set), for chain steps and
        #: transitive properties
        bw: dict[str, dict[str, str | set[str]]] = {p: {} for p in schema.backward}
        for p in schema.backward:
            index = bw[p]
            for s, objs in fw[p].items():
                for o in _values(objs):
                    sub = index.get(o)
                    if sub is None:
                        index[o] = s
                    elif type(sub) is str:
                        index[o] = {sub, s}
                    else:
                        sub.add(s)
        types = fw[TYPE]
        superclasses = schema.superclasses
        plan = schema.plan
        derived = self.derived
        new_axioms: set[Triple] = set()
        type_plan = plan.get(TYPE)

        # a subject's types as one frozenset shared by every subject with the same types (a few
        # hundred sets for millions of subjects): less memory to walk than a set per subject
        shared: dict[frozenset, frozenset] = {}
        share = shared.setdefault

        def add_type(x: str, classes: frozenset) -> None:
            row = types.get(x)
            if row is None:
                missing = classes
                types[x] = share(classes, classes)
            else:
                if type(row) is str:
                    row = frozenset((row,))
                elif type(row) is set:            # as the data gave it
                    row = frozenset(row)
                if classes <= row:
                    return
                missing = classes - row
                union = row | classes
                types[x] = share(union, union)
            for c in missing:
                t = (x, TYPE, c)
                derived.append(t)
                if c in META_TYPES:
                    new_axioms.add(t)
                if type_plan is not None:
                    agenda.append(t)

        def add(s: str, p: str, o: str) -> None:
            rows = fw.get(p)
            if rows is None:
                rows = fw[p] = {}
            row = rows.get(s)
            if row is None:
                rows[s] = o
            elif type(row) is str:
                if row == o:
                    return
                rows[s] = {row, o}
            elif o in row:
                return
            elif type(row) is frozenset:          # a shared set of types (add_type)
                rows[s] = row | {o}
            else:
                row.add(o)
            t = (s, p, o)
            derived.append(t)
            index = bw.get(p)
            if index is not None:
                sub = index.get(o)
                if sub is None:
                    index[o] = s
                elif type(sub) is str:
                    index[o] = {sub, s}
                else:
                    sub.add(s)
            if p in SCHEMA_PREDICATES:
                new_axioms.add(t)
            agenda.append(t)

        def fire(s: str, p: str, o: str, rules: tuple, added: bool = True) -> None:
            """The rules that need the whole triple; ``added=False`` in the first pass (chains
            and transitivity followed rightwards from their first step only)."""
            _domain, _range, supers, inverses, symmetric, transitive, chain_steps = rules
            for q in supers:                      # prp-spo1, prp-eqp1/2
                add(s, q, o)
            for q in inverses:                    # prp-inv1/2
                add(o, q, s)
            if symmetric:                         # prp-symp
                add(o, p, s)
            if transitive:                        # prp-trp
                for z in tuple(_values(fw[p].get(o, ()))):
                    add(s, p, z)
                if added:
                    for w in tuple(_values(bw[p].get(s, ()))):
                        add(w, p, o)
            for result, chain, i in chain_steps:  # prp-spo2
                if i and not added:
                    continue
                lefts = [s]
                for q in reversed(chain[:i]):
                    index = bw[q]
                    lefts = [w for x in lefts for w in _values(index.get(x, ()))]
                    if not lefts:
                        break
                if not lefts:
                    continue
                rights = [o]
                for q in chain[i + 1:]:
                    rows = fw.get(q, {})
                    rights = [z for x in rights for z in _values(rows.get(x, ()))]
                    if not rights:
                        break
                for w in lefts:
                    for z in rights:
                        add(w, result, z)

        # the pass over what is there: types first (cax-sco, cax-eqc), then each predicate.
        # Only the rows there before the pass: a row a rule adds during it is on the agenda, and
        # firing it here too would double the work (how much depended on the order of the
        # predicates, so on the hash seed: 10-15 % of the pass at 100k encounters).
        there = {p: len(fw[p]) for p in sorted(fw) if p in plan and p != TYPE}
        for s, classes in types.items():        # add_type only replaces the row of s
            sup = set()
            classes = _values(classes)
            for c in classes:
                sup |= superclasses.get(c, frozenset())
            if sup:
                add_type(s, frozenset(sup))
            if type_plan is not None:
                agenda.extend((s, TYPE, c) for c in tuple(classes))
        for p, n in there.items():            # indexed: given, and derived before the pass
            rules = plan[p]
            domain, range_ = rules[0], rules[1]
            per_triple = rules[2] or rules[3] or rules[4] or rules[5] or rules[6]
            rows = islice(fw[p].items(), n)     # new rows are appended after the first n
            if p in schema.self_deriving:       # its rules add rows to it while we walk it
                rows = list(rows)
            for s, objs in rows:
                if domain:
                    add_type(s, domain)
                objs = tuple(_values(objs))
                for o in objs:
                    if range_:
                        add_type(o, range_)
                    if per_triple:
                        fire(s, p, o, rules, False)
        # the others, given only: domains in the order given, one update per run of triples with
        # the same subject (at 100k encounters, a lookup per triple in a table of 800k subjects
        # costs a cache miss each: 0.9 s); then ranges and the other rules, predicate by predicate
        domains = {p: plan[p][0] for p in self.given if p in plan and plan[p][0]}
        if domains:
            unions: dict[tuple, frozenset] = {}
            last, classes = None, None
            get = domains.get
            for s, p, _o in self.order:
                domain = get(p)
                if domain is None:
                    continue
                if s == last:
                    if domain is not classes:
                        pair = (classes, domain)
                        union = unions.get(pair)
                        if union is None:
                            union = unions[pair] = classes | domain
                        classes = union
                    continue
                if last is not None:
                    add_type(last, classes)
                last, classes = s, domain
            if last is not None:
                add_type(last, classes)
        for p, group in self.given.items():
            rules = plan.get(p)
            if rules is None:
                continue
            range_ = rules[1]
            per_triple = rules[2] or rules[3] or rules[4] or rules[5] or rules[6]
            if not (range_ or per_triple):
                continue
            for s, _p, o in group:
                if range_:
                    add_type(o, range_)
                if per_triple:
                    fire(s, p, o, rules, False)

        pop = agenda.pop
        while agenda:
            s, p, o = pop()
            if p == TYPE:
                sup = superclasses.get(o)
                if sup:
                    add_type(s, sup)
            rules = plan.get(p)
            if rules is None:
                continue
            if rules[0]:
                add_type(s, rules[0])
            if rules[1]:
                add_type(o, rules[1])
            fire(s, p, o, rules)
        return {t for t in new_axioms if t not in self.axioms}

    # -- contradictions, as owlrl words them
    def contradictions(self) -> list[str]:
        """owlrl's error messages for this closure, sorted (empty when consistent)."""
        from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
        from owlrl.DatatypeHandling import AltXSDToPYTHON
        messages: set[str] = set()
        types = self.forward[TYPE]
        pairs = list(self.schema.disjoint_pairs)
        for left, _p, right in OWLRL_Datatypes_Disjointness:
            l, r = _k(left), _k(right)
            if l in self.used_datatypes and r in self.used_datatypes:
                pairs.append((l, r))
        partners = defaultdict(set)
        for a, b in pairs:
            partners[a].add(b)
        for x, classes in types.items():
            classes = _values(classes)
            if NOTHING in classes:
                messages.add(f"{_plain(x)} is defined of type 'Nothing'")
            for a in classes:
                for b in partners.get(a, ()):
                    if b in classes:
                        messages.add(f"Disjoint classes {_plain(a)} and {_plain(b)} "
                                     f"have a common individual {_plain(x)}")
        for lit, dt in self.typed_literals.items():
            converter = AltXSDToPYTHON.get(term_of(dt))
            if converter is None:
                continue
            value = term_of(lit)
            try:
                converter(str(value))
            except ValueError:
                messages.add(f"Lexical value of the literal '{value}' does not match its "
                             f"datatype ({term_of(dt)})")
        return sorted(messages)


def _plain(key: str) -> str:
    """A key as owlrl's messages print the term (str of the rdflib term)."""
    return str(term_of(key))


# ---------------------------------------------------------------------------------------------
# What aenc keeps: graph.reason.keep_inferred, over keys
# ---------------------------------------------------------------------------------------------

def keep(triple: Triple) -> bool:
    """``graph.reason.keep_inferred`` for a triple of keys."""
    s, p, o = triple
    if not s.startswith(_DATA_PREFIXES):
        return False
    if p[0] != "<" or p.startswith(_ERR_PREFIX):
        return False
    if p in _REFLEXIVE_KEYS and s == o:
        return False
    if p == TYPE and o.startswith(_VOCABULARY_PREFIXES):
        return False
    if p in _SCHEMA_KEYS and o in _TOP_KEYS:
        return False
    if o.startswith(_ERR_PREFIX):
        return False
    return True


def reason_terms(ontology: Iterable[Triple], asserted: Iterable[Triple]) -> list[Triple]:
    """The kept inferences of ontology + asserted triples (keys), in no particular order.

    Raises InconsistentGraphError (owlrl's messages, explained) and UnsupportedConstruct.
    """
    with _no_gc():
        closure = Closure(_chain_iter(ontology, asserted))
        messages = closure.contradictions()
        if messages:
            raise _inconsistent(messages, closure)
        literal_derived = {t for t in closure.derived if t[2][0] == '"'}
        out = [t for t in closure.derived if keep(t) and (
            t[2][0] != '"' or not _equal_literal_given(t, closure, literal_derived))]
        del closure, literal_derived
    return out


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: the closure makes millions of acyclic containers,
    and collections triggered by their allocation would cost more than the reasoning."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chain_iter(*parts: Iterable[Triple]) -> Iterable[Triple]:
    for part in parts:
        yield from part


def _equal_literal_given(triple: Triple, closure: Closure, derived: set[Triple]) -> bool:
    """filter_inferred's rule: an inferred literal equal in value to a given one on (s, p)."""
    s, p, o = triple
    if o[0] != '"':
        return False
    others = [x for x in _values(closure.forward.get(p, {}).get(s, ())) if x != o and x[0] == '"'
              and (s, p, x) not in derived]
    if not others:
        return False
    value = term_of(o)
    return any(term_of(x).eq(value) for x in others)


def _inconsistent(messages: list[str], closure: Closure) -> InconsistentGraphError:
    """InconsistentGraphError with graph.reason.explain's explanations of owlrl's messages."""
    full, given = Graph(), Graph()
    for s, p, o in closure.schema.axioms:
        full.add((term_of(s), term_of(p), term_of(o)))
    nodes = set()
    for m in messages:
        for word in m.replace("'", " ").split():
            nodes.add(word)
    for s, p, o in closure.given_triples():
        if _plain(s) in nodes or _plain(o) in nodes:
            given.add((term_of(s), term_of(p), term_of(o)))
    return InconsistentGraphError([explain(m, full, given) for m in messages])


def reason_fast(ontology: Graph, asserted: Iterable) -> Graph:
    """``graph.reason.reason`` computed fast: the filtered inferred triples, as an rdflib graph;
    ``asserted`` is a graph or any iterable of its triples."""
    keys_of: dict = {}
    terms: dict[str, object] = {}

    def keys(graph: Graph) -> list[Triple]:
        out = []
        get = keys_of.get
        for triple in graph:
            row = []
            for term in triple:
                k = get(term)
                if k is None:
                    k = keys_of[term] = key_of(term)
                    terms[k] = term
                row.append(k)
            out.append(tuple(row))
        return out

    inferred = Graph(store="SimpleMemory")
    for prefix, namespace in PREFIXES.items():
        inferred.bind(prefix, namespace)
    add = inferred.store.add
    for s, p, o in reason_terms(keys(ontology), keys(asserted)):
        add((terms.get(s) or term_of(s), terms.get(p) or term_of(p), terms.get(o) or term_of(o)),
            inferred, False)
    return inferred


__all__ = ["reason_fast", "reason_terms", "key_of", "term_of", "keep", "Closure", "Schema",
           "UnsupportedConstruct"]
