"""The read-only SPARQL store a server or the CLI queries: pyoxigraph, with safe defaults.

``Store.open(build_dir)`` loads ``<build_dir>/aenc.nq`` into memory. Every query:

- is inspected first (``graph.sparql_guard``): SERVICE and updates are refused before they run;
- sees as its default graph the **union of all graphs** (asserted + inferred), unless the
  protocol (``default_graph_uris`` / ``named_graph_uris``) or the query (``FROM`` /
  ``FROM NAMED``) names a dataset. Named graphs resolve only against the graphs held here:
  nothing is ever fetched, and an unknown name is an empty graph (as the SPARQL spec says),
  reported in ``Result.warnings``;
- may name the virtual graph ``https://w3id.org/aenc/graph/asserted`` as a default graph:
  every graph except ``…/graph/inferred``. This is the way to ask for asserted facts only
  (``default-graph-uri=…/graph/asserted`` or ``FROM <…/graph/asserted>``);
- with ``workers >= 1`` runs in a worker process that is killed when ``timeout`` runs out
  (``QueryTimeout``); with ``workers=0`` it runs in this process and the limit is checked only
  between result rows;
- returns at most ``max_rows`` rows (or triples), with ``Result.truncated`` set when cut.
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph import results
from graph.errors import (
    DataLoadError, NotFound, ParameterError, QueryMemoryLimit, QuerySyntaxError, QueryTimeout,
)
from graph.namespaces import ASSERTED_UNION, INFERRED_GRAPH
from graph.sparql_guard import check_arguments, inspect_query
from graph.workers import WorkerDied, WorkerPool

log = logging.getLogger("aenc.store")

ASSERTED = str(ASSERTED_UNION)
INFERRED = str(INFERRED_GRAPH)
#: the name ``serialize_graph`` takes for the service's default graph (the union of all graphs)
DEFAULT_GRAPH = "default"
NQUADS_FILE = "aenc.nq"
#: where inferences that repeat an asserted triple are left out (only made when there are such)
HIDDEN_INFERRED = "urn:aenc:store:inferred-not-asserted"

_SYNTAX_AT = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)
_CHAR_CLASSES = re.compile(r"(?:,\s*)?\[[^\[\]]*\]")
_DEADLINE_EVERY = 256


class Result:
    """The answer to one query, already materialised (at most ``max_rows`` rows or triples)."""

    def __init__(self, kind: str, *, variables: list[str] | None = None, solutions: list[tuple] | None = None,
                 boolean: bool | None = None, graph: list | None = None, truncated: bool = False,
                 warnings: list[str] | None = None, seconds: float = 0.0):
        self.kind = kind
        self.variables = variables or []
        self.truncated = truncated
        self.warnings = warnings or []
        self.seconds = seconds
        self._solutions = solutions or []
        self._boolean = boolean
        self._graph = graph or []

    def __len__(self) -> int:
        return len(self._solutions) if self.kind == "select" else len(self._graph) if self.kind == "graph" else 1

    def media_types(self) -> list[str]:
        """Media types this result can be written in, in order of preference."""
        return results.formats_for(self.kind)

    def serialize(self, media_type: str) -> bytes:
        """The result written in ``media_type`` (one of ``media_types()``)."""
        if self.kind == "select":
            return results.write_solutions(self.variables, self._solutions, media_type)
        if self.kind == "ask":
            return results.write_boolean(bool(self._boolean), media_type)
        return results.write_triples(self._graph, media_type)

    def rows(self) -> list[dict[str, str]]:
        """SELECT rows as {variable: IRI, lexical form or _:id}; unbound variables are absent."""
        self._expect("select")
        return [
            {var: results.plain_value(term) for var, term in zip(self.variables, row) if term is not None}
            for row in self._solutions
        ]

    def bindings(self) -> list[dict[str, Node]]:
        """SELECT rows as {variable: rdflib term}; unbound variables are absent."""
        self._expect("select")
        return [
            {var: _to_rdflib(term) for var, term in zip(self.variables, row) if term is not None}
            for row in self._solutions
        ]

    def boolean(self) -> bool:
        """The answer of an ASK query."""
        self._expect("ask")
        return bool(self._boolean)

    def triples(self) -> list[tuple[Node, Node, Node]]:
        """CONSTRUCT/DESCRIBE triples as rdflib terms."""
        self._expect("graph")
        return [
            tuple(_to_rdflib(results.encode_term(t)) for t in (tr.subject, tr.predicate, tr.object))
            for tr in self._graph
        ]

    def _expect(self, kind: str) -> None:
        if self.kind != kind:
            raise TypeError(f"this is a {self.kind} result, not a {kind} result")


def _to_rdflib(term: tuple) -> Node:
    kind = term[0]
    if kind == "uri":
        return URIRef(term[1])
    if kind == "bnode":
        return BNode(term[1])
    if kind == "literal":
        if term[2]:
            return Literal(term[1], lang=term[2])
        return Literal(term[1], datatype=URIRef(term[3]))
    raise TypeError("RDF 1.2 triple terms have no rdflib equivalent")


# -- executing one query (in a worker or in this process) -------------------------------------

def _execute(job: dict, store: ox.Store, deadline: float | None = None) -> tuple:
    """Run one query job; return ("ok", kind, payload, truncated) or ("error", kind, message, extra)."""
    try:
        answer = store.query(
            job["query"],
            base_iri=job["base_iri"],
            default_graph=job["default_graph"],
            named_graphs=job["named_graphs"],
            substitutions=job["substitutions"],
        )
        max_rows = job["max_rows"]
        if isinstance(answer, ox.QueryBoolean):
            return ("ok", "ask", bool(answer), False)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            width = range(len(variables))
            rows, truncated = [], False
            encode = results.encode_term
            for solution in answer:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(encode(solution[i]) for i in width))
                if deadline is not None and len(rows) % _DEADLINE_EVERY == 0 and time.monotonic() > deadline:
                    return ("error", "timeout", "", None)
            return ("ok", "select", (variables, rows), truncated)
        triples, truncated = [], False
        for triple in answer:
            if max_rows is not None and len(triples) >= max_rows:
                truncated = True
                break
            triples.append(triple)
            if deadline is not None and len(triples) % _DEADLINE_EVERY == 0 and time.monotonic() > deadline:
                return ("error", "timeout", "", None)
        return ("ok", "graph", triples, truncated)
    except SyntaxError as exc:
        return ("error", "syntax", str(exc), None)
    except MemoryError:
        return ("error", "memory", "", None)
    except RuntimeError as exc:
        if job["substitutions"] and "projection" in str(exc):  # a binding the query cannot take
            return ("error", "parameter", str(exc), None)
        return ("error", "engine", f"{type(exc).__name__}: {exc}", None)
    except Exception as exc:  # evaluation failed inside the engine: ours, reported as a 500
        return ("error", "engine", f"{type(exc).__name__}: {exc}", None)


def _syntax_error(message: str) -> QuerySyntaxError:
    match = _SYNTAX_AT.match(message)
    if not match:
        return QuerySyntaxError(message)
    detail, classes = _CHAR_CLASSES.subn("", match.group(3))
    detail = detail.replace("\n", " ") + (", a name or a number" if classes else "")
    if len(detail) > 300:
        detail = detail[:300] + "…"
    return QuerySyntaxError(detail, line=int(match.group(1)), column=int(match.group(2)))


# -- the store --------------------------------------------------------------------------------

class Store:
    """An in-memory, read-only quad store with safe SPARQL querying.

    The default graph of a query must be an RDF *graph* (a set): a triple that two reports both
    assert is one triple, not two rows. pyoxigraph's union of graphs repeats such triples, so at
    load the store copies the distinct asserted triples into the engine's own default graph
    (about half the index cost of the named quads) and queries the union as that graph plus the
    inferred graph (inferences are new triples; should some repeat an asserted one, the rest are
    kept in a hidden graph ``HIDDEN_INFERRED`` so nothing counts twice). A default graph built
    from several named graphs by FROM or default-graph-uri is pyoxigraph's, which may repeat a
    triple that two of them hold.
    """

    def __init__(self, oxstore: ox.Store, *, workers: int = 0, source: str = "memory",
                 worker_memory_mb: int | None = None):
        self._ox = oxstore
        self.source = source
        self._sizes = _count_graphs(oxstore)
        self._graphs = sorted(self._sizes)
        self._quads = sum(self._sizes.values()) + _count_default(oxstore)
        self._union = self._materialize_union()
        # a forked worker runs jobs on its inherited copy of this very store
        self.worker_memory_mb = worker_memory_mb
        self._pool = (WorkerPool(workers, lambda job: _execute(job, oxstore), memory_mb=worker_memory_mb)
                      if workers > 0 else None)

    def _materialize_union(self) -> list:
        """Copy the asserted graphs' distinct triples into the engine's default graph; return the
        graphs whose union is the service's default graph."""
        inferred = f"<{INFERRED}>"
        self._ox.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != {inferred}) }}")
        union: list = [ox.DefaultGraph()]
        if INFERRED in self._sizes:
            if bool(self._ox.query(f"ASK {{ GRAPH {inferred} {{ ?s ?p ?o }} ?s ?p ?o }}")):
                self._ox.update(f"INSERT {{ GRAPH <{HIDDEN_INFERRED}> {{ ?s ?p ?o }} }} WHERE "
                                f"{{ GRAPH {inferred} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}")
                union.append(ox.NamedNode(HIDDEN_INFERRED))
            else:
                union.append(ox.NamedNode(INFERRED))
        self._named = [ox.NamedNode(g) for g in self._graphs]
        self._hidden = HIDDEN_INFERRED in {g.value for g in union if isinstance(g, ox.NamedNode)}
        return union

    # construction ------------------------------------------------------------------------------

    @classmethod
    def open(cls, build_dir: str | Path = "build", *, workers: int = 0,
             worker_memory_mb: int | None = None) -> "Store":
        """Load ``<build_dir>/aenc.nq`` (written by ``aenc build``). ``workers`` killable query
        processes (0: queries run in this process), each allowed ``worker_memory_mb`` beyond
        the shared store."""
        path = Path(build_dir) / NQUADS_FILE
        if not path.is_file():
            raise DataLoadError("no built dataset here", path=str(path),
                                hint="run `aenc build` first, or set build_dir to the folder it wrote")
        return cls(_load(path.read_bytes(), ox.RdfFormat.N_QUADS, str(path)), workers=workers, source=str(path),
                   worker_memory_mb=worker_memory_mb)

    @classmethod
    def from_nquads(cls, data: bytes | str, *, workers: int = 0, worker_memory_mb: int | None = None) -> "Store":
        """A store holding the given N-Quads text."""
        raw = data.encode() if isinstance(data, str) else data
        return cls(_load(raw, ox.RdfFormat.N_QUADS, "<N-Quads data>"), workers=workers,
                   worker_memory_mb=worker_memory_mb)

    @classmethod
    def from_files(cls, files: Iterable[tuple[str | None, str | Path]], *, workers: int = 0,
                   worker_memory_mb: int | None = None) -> "Store":
        """A store from (graph IRI, file) pairs: N-Triples/Turtle into that named graph, or
        N-Quads/TriG as they are when the graph IRI is None."""
        oxstore = ox.Store()
        files = list(files)
        for graph, path in files:
            path = Path(path)
            fmt = _format_of(path)
            if graph is None and fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                raise DataLoadError("a triples file needs a graph name", path=str(path),
                                    hint="give it as NAME=FILE, e.g. http://example.org/g=data.nt")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise DataLoadError(f"cannot read the file: {exc.strerror}", path=str(path)) from exc
            _load(data, fmt, str(path), oxstore, ox.NamedNode(graph) if graph else None)
        return cls(oxstore, workers=workers, source=", ".join(str(p) for _, p in files),
                   worker_memory_mb=worker_memory_mb)

    # what is here ------------------------------------------------------------------------------

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs held, sorted."""
        return list(self._graphs)

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        return dict(self._sizes)

    def __len__(self) -> int:
        """Quads loaded (the copy that makes the union a set is not counted)."""
        return self._quads

    def workers_idle(self) -> int | None:
        """Idle query workers, or None when queries run in this process."""
        return self._pool.alive() if self._pool else None

    def close(self) -> None:
        """Stop the query workers."""
        if self._pool:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # querying ----------------------------------------------------------------------------------

    def query(self, sparql: str, *, default_graph_uris: Iterable[str] = (), named_graph_uris: Iterable[str] = (),
              bindings: dict[str, Any] | None = None, timeout: float | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        """Run a read-only SPARQL query; see the module docstring for the rules. ``base_iri``
        resolves relative IRIs in the query (a server passes the endpoint's URL)."""
        check_arguments(sparql, timeout)
        info = inspect_query(sparql)
        default_graph_uris, named_graph_uris = list(default_graph_uris), list(named_graph_uris)
        job = {"query": sparql, "base_iri": base_iri, "default_graph": None, "named_graphs": None,
               "substitutions": _substitutions(bindings), "max_rows": max_rows}
        warnings = []
        if default_graph_uris or named_graph_uris:
            dataset = (default_graph_uris, named_graph_uris)
        elif ASSERTED in info.from_graphs or ASSERTED in info.from_named_graphs:
            dataset = (info.from_graphs, info.from_named_graphs)
        else:
            dataset = None
            if not info.has_dataset:
                job["default_graph"] = self._union
                job["named_graphs"] = self._named if self._hidden else None
                if not info.uses_graph:
                    self._from_union_copy(job)
            warnings += self._unknown(info.from_graphs + info.from_named_graphs)
        if dataset is not None:
            job["default_graph"], job["named_graphs"] = self._resolve_dataset(*dataset)
            warnings += self._unknown(dataset[0] + dataset[1])
        started = time.monotonic()
        if self._pool is not None:
            try:
                outcome = self._pool.run(job, timeout)
            except WorkerDied as exc:
                outcome = ("error", "memory" if self.worker_memory_mb else "died", str(exc), None)
        else:
            deadline = None if timeout is None else started + timeout
            outcome = _execute(job, self._engine(job), deadline)
        seconds = time.monotonic() - started
        status, kind, payload, extra = outcome
        if status == "error":
            if kind == "syntax":
                raise _syntax_error(payload)
            if kind == "parameter":
                raise ParameterError(f"a binding cannot be applied: {payload}",
                                     hint="only variables of the top-level SELECT projection can be bound")
            if kind == "memory":
                limit = f"{self.worker_memory_mb} MB" if self.worker_memory_mb else "the memory available"
                raise QueryMemoryLimit(f"the query needed more than {limit} and was stopped",
                                       hint="make it more selective: fewer unbound patterns, no ORDER BY "
                                       "over a large join, a LIMIT")
            if kind == "timeout":
                raise QueryTimeout(f"the query ran longer than its time limit of {timeout:g} s and was stopped",
                                   hint="make it more selective, or ask for fewer results")
            raise RuntimeError(f"query evaluation failed: {payload}")
        if kind == "ask":
            return Result("ask", boolean=payload, warnings=warnings, seconds=seconds)
        if kind == "select":
            variables, rows = payload
            return Result("select", variables=variables, solutions=rows, truncated=extra,
                          warnings=warnings, seconds=seconds)
        return Result("graph", graph=payload, truncated=extra, warnings=warnings, seconds=seconds)

    def _from_union_copy(self, job: dict) -> None:
        """Where a store keeps a copy of the whole union as one graph, send ``job`` (on the
        service's default graph, with no GRAPH pattern) there; this one keeps none."""

    def _engine(self, job: dict) -> ox.Store:
        """The pyoxigraph store that runs ``job`` in this process."""
        return self._ox

    def _resolve_dataset(self, default: list[str], named: list[str]) -> tuple[list, list]:
        if ASSERTED in named:
            raise ParameterError(
                f"{ASSERTED} is a virtual graph that can only be a default graph",
                hint="pass it as default-graph-uri (or FROM), not named-graph-uri (or FROM NAMED)",
            )
        graphs: list = []
        for name in dict.fromkeys(default):
            graphs.append(ox.DefaultGraph() if name == ASSERTED else ox.NamedNode(name))
        return graphs, [ox.NamedNode(g) for g in dict.fromkeys(named)]

    def _unknown(self, names: list[str]) -> list[str]:
        known = set(self._graphs) | {ASSERTED}
        return [f"graph {name} is not in this dataset: it was used as an empty graph"
                for name in dict.fromkeys(names) if name not in known]

    # whole graphs ------------------------------------------------------------------------------

    def serialize_graph(self, name: str, media_type: str, *, prefixes: dict[str, str] | None = None) -> bytes:
        """One graph in a graph format: a named graph, ``DEFAULT_GRAPH`` (the union of all
        graphs) or the virtual asserted graph. NotFound for a graph not held here. ``prefixes``
        abbreviate IRIs in Turtle and TriG."""
        results.check_format("graph", media_type)
        if name == DEFAULT_GRAPH:
            graphs = self._union
        elif name == ASSERTED:
            graphs = [ox.DefaultGraph()]
        elif name in self._sizes:
            graphs = [ox.NamedNode(name)]
        else:
            raise NotFound(f"there is no graph {name} in this dataset",
                           hint="the graphs are: " + ", ".join(self._graphs + [ASSERTED]))
        fmt = results.GRAPH_FORMATS[media_type]
        if len(graphs) == 1 and fmt not in results.DATASET_FORMATS.values():
            return self._ox.dump(format=fmt, from_graph=graphs[0], prefixes=prefixes or None)
        triples = [q.triple for g in graphs for q in self._ox.quads_for_pattern(None, None, None, g)]
        return results.write_triples(triples, media_type, prefixes)

    def serialize_dataset(self, media_type: str, *, prefixes: dict[str, str] | None = None) -> bytes:
        """Every named graph, names kept, in a dataset format (TriG or N-Quads)."""
        results.check_format("dataset", media_type)
        fmt = results.DATASET_FORMATS[media_type]
        quads = (q for g in self._named for q in self._ox.quads_for_pattern(None, None, None, g))
        if prefixes and fmt == ox.RdfFormat.TRIG:
            return ox.serialize(quads, format=fmt, prefixes=prefixes)
        return ox.serialize(quads, format=fmt)


def _count_graphs(oxstore: ox.Store) -> dict[str, int]:
    rows = oxstore.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row[0].value: int(row[1].value) for row in rows if isinstance(row[0], ox.NamedNode)}


def _count_default(oxstore: ox.Store) -> int:
    return int(next(iter(oxstore.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)


def _substitutions(bindings: dict[str, Any] | None) -> dict | None:
    if not bindings:
        return None
    out = {}
    for name, value in bindings.items():
        if isinstance(value, Node):
            value = _from_rdflib(value)
        out[ox.Variable(name.lstrip("?$"))] = value
    return out


def _from_rdflib(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ParameterError(f"cannot bind {term!r}: only IRIs, blank nodes and literals can be bound")


_FORMATS_BY_SUFFIX = {
    ".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD,
}


def _format_of(path: Path) -> ox.RdfFormat:
    try:
        return _FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise DataLoadError(f"unknown RDF file type {path.suffix!r}", path=str(path),
                            hint="use one of " + ", ".join(_FORMATS_BY_SUFFIX)) from None


def _load(data: bytes, fmt: ox.RdfFormat, where: str, oxstore: ox.Store | None = None,
          graph: ox.NamedNode | None = None) -> ox.Store:
    oxstore = oxstore if oxstore is not None else ox.Store()
    try:
        oxstore.load(data, format=fmt, to_graph=graph) if graph else oxstore.load(data, format=fmt)
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise DataLoadError(str(exc.msg if hasattr(exc, "msg") else exc), path=where, line=line,
                            hint="rebuild the dataset with `aenc build`") from exc
    return oxstore
