"""Stage 5, export: the dataset in Turtle, TriG, N-Triples, N-Quads or JSON-LD, byte for byte stable.

Determinism: blank nodes are relabelled from a hash of their surroundings (rdflib.compare's
canonical colouring over the whole dataset, graph membership included, so a blank node shared
by two graphs keeps one label); line formats are sorted; Turtle and TriG rely on rdflib's
sorted subjects, predicates and objects with graphs written in IRI order; JSON-LD arrays
(except @list) are sorted and keys ordered.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.compare import _TripleCanonicalizer

from .errors import ParameterError
from .load import bind_prefixes
from .namespaces import INFERRED_GRAPH


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdflib_format: str
    media_type: str
    extension: str
    quads: bool          # holds named graphs; single-graph formats get the union


FORMATS: dict[str, ExportFormat] = {f.name: f for f in [
    ExportFormat("turtle", "turtle", "text/turtle", "ttl", False),
    ExportFormat("trig", "trig", "application/trig", "trig", True),
    ExportFormat("ntriples", "nt", "application/n-triples", "nt", False),
    ExportFormat("nquads", "nquads", "application/n-quads", "nq", True),
    ExportFormat("jsonld", "json-ld", "application/ld+json", "jsonld", True),
]}
ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads",
           "n-quads": "nquads", "json-ld": "jsonld"}

_IN_GRAPH = URIRef("urn:aenc:canonical:in-graph")


def export_format(name: str) -> ExportFormat:
    """The format called ``name`` (or an alias such as ``ttl``); ParameterError lists the choices."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ParameterError(f"unknown export format {name!r}",
                             hint="choose one of " + ", ".join(FORMATS))
    return FORMATS[key]


def canonical_bnode_labels(quads) -> dict[BNode, BNode]:
    """Stable labels for the blank nodes of some quads, from rdflib's canonical colouring."""
    # only triples with a blank node colour blank nodes (rdflib.compare looks at no others)
    quads = [q for q in quads if isinstance(q[0], BNode) or isinstance(q[2], BNode)]
    if not quads:
        return {}
    colouring_graph = Graph()
    for s, p, o, g in quads:
        colouring_graph.add((s, p, o))
        for node in (s, o):
            if isinstance(node, BNode):
                colouring_graph.add((node, _IN_GRAPH, g))
    canon = _TripleCanonicalizer(colouring_graph)
    colouring = canon._initial_color()
    colouring = canon._refine(colouring, colouring[:])
    if not canon._discrete(colouring):
        colouring = canon._traces(colouring)
    return {c.nodes[0]: BNode("b" + c.hash_color()[:24]) for c in colouring
            if isinstance(c.nodes[0], BNode)}


def _named_quads(dataset: Dataset, graphs: list[URIRef] | None):
    names = sorted(g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef))
    for name in names:
        if graphs is not None and name not in graphs:
            continue
        for s, p, o in dataset.graph(name):
            yield s, p, o, name


def canonical_dataset(dataset: Dataset, graphs: list[URIRef] | None = None) -> Dataset:
    """A copy of the named graphs of ``dataset`` (all, or ``graphs``) with stable blank node labels."""
    quads = list(_named_quads(dataset, graphs))
    labels = canonical_bnode_labels(quads)
    out = Dataset()
    bind_prefixes(out)
    for name in sorted({q[3] for q in quads}):
        out.graph(name)
    for s, p, o, g in quads:
        out.graph(g).add((labels.get(s, s), p, labels.get(o, o)))
    return out


def graph_names(dataset: Dataset, *, asserted_only: bool = False) -> list[URIRef]:
    names = sorted(g.identifier for g in dataset.graphs()
                   if isinstance(g.identifier, URIRef) and len(g) > 0)
    return [n for n in names if not (asserted_only and n == INFERRED_GRAPH)]


def _sorted_json(value):
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sorted_json(v)) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize(dataset: Dataset, fmt: str = "trig", *, asserted_only: bool = False,
              graphs: list[URIRef] | None = None) -> bytes:
    """The named graphs of ``dataset`` in format ``fmt``, deterministic to the byte.

    ``asserted_only`` leaves out the inferred graph; ``graphs`` picks graphs by IRI. Single-graph
    formats (Turtle, N-Triples) get the union of the chosen graphs.
    """
    spec = export_format(fmt)
    chosen = graph_names(dataset, asserted_only=asserted_only)
    if graphs is not None:
        chosen = [g for g in chosen if g in set(graphs)]
    if spec.name == "nquads":
        return _nquads_of(list(_named_quads(dataset, chosen)))
    canon = canonical_dataset(dataset, chosen)
    if spec.quads:
        if spec.name == "jsonld":
            data = json.loads(canon.serialize(format="json-ld", encoding="utf-8"))
            return (json.dumps(_sorted_json(data), indent=2, sort_keys=True, ensure_ascii=False)
                    + "\n").encode("utf-8")
        return _trig(canon, chosen)
    union = bind_prefixes(Graph())
    for name in chosen:
        for triple in canon.graph(name):
            union.add(triple)
    if spec.name == "ntriples":
        return _sorted_lines(union.serialize(format="nt", encoding="utf-8"))
    return union.serialize(format="turtle", encoding="utf-8")


def _nquads_of(quads: list) -> bytes:
    """Quads as sorted, distinct N-Quads lines with stable blank node labels: each line is
    rdflib's N-Triples row with the graph label added, written straight from the quads (a copy
    of the dataset first would cost more than the writing)."""
    labels = canonical_bnode_labels(quads)
    get = labels.get
    lines = {(_nt_row((get(s, s), p, get(o, o)))[:-3].rstrip() + f" <{g}> .").encode("utf-8")
             for s, p, o, g in quads}
    return b"".join(line + b"\n" for line in sorted(lines))


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)


def _trig(canon: Dataset, names: list[URIRef]) -> bytes:
    """TriG with graphs in IRI order: the prefixes any graph uses, then each graph's Turtle body."""
    prefixes: set[str] = set()
    bodies = []
    for name in sorted(names):
        graph = bind_prefixes(Graph())
        for triple in canon.graph(name):
            graph.add(triple)
        lines = graph.serialize(format="turtle").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = [("    " + line if line else "") for line in lines if not line.startswith("@prefix")]
        while body and not body[0]:
            body.pop(0)
        while body and not body[-1]:
            body.pop()
        bodies.append(f"<{name}> {{\n" + "\n".join(body) + "\n}\n")
    header = "".join(line + "\n" for line in sorted(prefixes))
    return (header + "\n" + "\n".join(bodies)).encode("utf-8")


def write(dataset: Dataset, path, fmt: str | None = None, **options) -> None:
    """Write ``serialize(dataset, fmt)`` to ``path``; the format defaults from the file extension."""
    path = Path(path)
    if fmt is None:
        by_ext = {f.extension: f.name for f in FORMATS.values()}
        fmt = by_ext.get(path.suffix.lstrip("."), "trig")
    path.write_bytes(serialize(dataset, fmt, **options))
