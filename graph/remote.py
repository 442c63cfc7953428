"""A remote SPARQL 1.1 endpoint as aenc's store, for graphs that outgrow one machine.

aenc builds, validates and reasons as usual; then ``RemoteStore.load_build(build_dir)`` puts
every named graph of ``aenc.nq`` into any standard endpoint (Virtuoso, Fuseki, GraphDB,
Oxigraph server…) with the SPARQL 1.1 Graph Store Protocol (one ``PUT`` per graph) or, when only
an update endpoint is configured, SPARQL 1.1 Update (``INSERT DATA`` in batches, a graph with
blank nodes never split). Graphs the build no longer has are dropped. The endpoint's default
graph is then made the union of aenc's graphs, as aenc's embedded store serves it (unless it
already is the union of all graphs, as Virtuoso's is). aenc touches only its own graphs, those
under its graph namespace, and its own copy of the union: the endpoint may hold other data.

``RemoteStore`` answers like ``graph.store.Store``, so ``server.py`` serves it unchanged
(``store = remote``): ``query(...) -> Result`` (``rows``, ``boolean``, ``triples``,
``serialize``), ``graph_names()``, ``graph_sizes()``, ``len()``, ``serialize_graph``,
``serialize_dataset``, ``workers_idle()`` (None), ``source`` (the query URL), ``close()``. The
same safety rules apply before anything is sent: ``SERVICE`` and updates are refused
(``graph.sparql_guard``), the syntax is checked here (errors with line and column), parameters
are substituted into the text as SEP-0007 substitutions would bind them, relative IRIs resolve
against the caller's ``base_iri`` (sent as ``BASE``), ``max_rows`` cuts the answer
(``truncated``), and a query that outlives ``timeout`` raises ``QueryTimeout``: aenc stops
waiting, but only the endpoint's own limit stops its work (set it there). The virtual graph
``…/graph/asserted`` (as ``default-graph-uri`` or ``FROM``) is sent as the list of asserted
graphs (``default-graph-uri`` each); SPARQL makes their merge the default graph, but some
endpoints (Oxigraph among them) repeat a triple that two graphs hold: count with ``DISTINCT``.

Every failure of the endpoint is an ``AencError``: unreachable, a 5xx, a wrong URL (404, 401…)
or an answer that is not SPARQL JSON / N-Triples is a ``StoreError``; a query it refuses (400)
a ``QueryError``; no answer in time a ``QueryTimeout``. The graph list and sizes are read with
one query and kept ``refresh_seconds`` (a rebuild may load the endpoint again meanwhile);
``generation`` changes when they do, so a server can drop what it derived from the old data.

Selected by configuration only (``open_store``): ``store = "remote"`` with
``remote_query_url``, and ``remote_update_url`` and/or ``remote_gsp_url`` for loading.
Only the standard protocols are used; the endpoint is contacted at the configured URLs only.
"""
from __future__ import annotations

import http.client
import json
import logging
import re
import threading
import time
import uuid
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from graph import results
from graph.errors import DataLoadError, NotFound, ParameterError, QueryError, QueryTimeout, StoreError
from graph.namespaces import ASSERTED_UNION, GRAPHS, INFERRED_GRAPH
from graph.sparql_guard import check_arguments, inspect_query
from graph.store import DEFAULT_GRAPH, NQUADS_FILE, Result, _syntax_error

log = logging.getLogger("aenc.remote")

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: aenc's graphs in a store that may hold others: the only ones aenc lists, replaces or drops
OURS = f'FILTER (STRSTARTS(STR(?g), "{GRAPHS}"))'
#: the union of aenc's graphs copied into the default graph, and that copy taken out again
UNION_UPDATE = f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"
UNION_REMOVE = f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"
#: triples of the default graph that no graph of aenc's holds (put there by someone else); not
#: those with a blank node: a union copy PUT through the Graph Store Protocol has blank nodes of
#: its own, which match none in aenc's graphs
FOREIGN_DEFAULT = (f"ASK {{ ?s ?p ?o FILTER (!isBlank(?s) && !isBlank(?o)) "
                   f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }} }}")
#: triples per SPARQL Update request when loading without the Graph Store Protocol
BATCH_TRIPLES = 50_000
ASSERTED = str(ASSERTED_UNION)
#: seconds the graph list and sizes are kept before they are read again
REFRESH_SECONDS = 60.0
#: idle seconds allowed while a whole graph or the dataset is transferred (at least the query limit)
TRANSFER_TIMEOUT = 300.0
SIZES_QUERY = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }} GROUP BY ?g"


class RemoteStore:
    """A SPARQL 1.1 Query (+ Update / Graph Store) endpoint, queried like ``graph.store.Store``."""

    def __init__(self, query_url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 60.0, refresh_seconds: float = REFRESH_SECONDS):
        for name, url in (("remote_query_url", query_url), ("remote_update_url", update_url),
                          ("remote_gsp_url", gsp_url)):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise ParameterError(f"{name} {url!r} is not an http(s) URL",
                                     hint="e.g. http://127.0.0.1:7878/query")
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout = timeout
        self.refresh_seconds = refresh_seconds
        self.source = query_url
        self._sizes: dict[str, int] | None = None
        self._read_at = 0.0
        self._generation = 0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, cfg: dict[str, Any]) -> "RemoteStore":
        """The store the settings name (``remote_query_url`` …)."""
        url = cfg.get("remote_query_url")
        if not url:
            raise ParameterError("store = remote needs remote_query_url, the remote store's SPARQL 1.1 "
                                 "Query endpoint",
                                 hint="set remote_query_url (--remote-query-url or AENC_REMOTE_QUERY_URL), "
                                 "e.g. http://127.0.0.1:7878/query; or set store to memory or disk")
        return cls(url, update_url=cfg.get("remote_update_url") or None,
                   gsp_url=cfg.get("remote_gsp_url") or None,
                   timeout=float(cfg.get("remote_timeout") or cfg.get("query_timeout") or 60.0))

    # -- HTTP ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
              timeout: float | None = None) -> tuple[int, bytes, str]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            return err.code, err.read(), err.headers.get("Content-Type", "") if err.headers else ""
        except TimeoutError:
            raise
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise err.reason from None
            raise StoreError(f"the remote SPARQL endpoint {url} cannot be reached: {err.reason}",
                             hint="check remote_query_url / remote_update_url / remote_gsp_url and "
                             "that the endpoint is running") from None
        except http.client.HTTPException as err:      # cut off mid-answer, or not HTTP at all
            raise StoreError(f"the remote SPARQL endpoint {url} broke off its answer: "
                             f"{type(err).__name__} {err}".rstrip(),
                             hint="check that the endpoint is running and healthy") from None
        except OSError as err:
            raise StoreError(f"the remote SPARQL endpoint {url} failed: {err}",
                             hint="check that the endpoint is running") from None

    def _update(self, text: str) -> None:
        if not self.update_url:
            raise StoreError("loading needs remote_update_url (SPARQL 1.1 Update) or remote_gsp_url",
                             hint="set one of them to the endpoint's update or graph store URL")
        status, body, _ = self._send("POST", self.update_url, text.encode("utf-8"),
                                     {"Content-Type": "application/sparql-update"}, timeout=max(self.timeout, 3600))
        if status >= 300:
            raise StoreError(f"the remote update endpoint answered {status}: {_excerpt(body)}")

    def _gsp(self, method: str, graph: str | None, body: bytes | None = None) -> int:
        target = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        sep = "&" if "?" in self.gsp_url else "?"
        headers = {"Content-Type": N_TRIPLES} if body is not None else {}
        status, text, _ = self._send(method, f"{self.gsp_url}{sep}{target}", body, headers,
                                     timeout=max(self.timeout, 3600))
        if status >= 300 and not (method == "DELETE" and status == 404):
            raise StoreError(f"the remote graph store answered {status} to {method} "
                             f"{graph or 'the default graph'}: {_excerpt(text)}")
        return status

    # -- loading -------------------------------------------------------------------------------

    def load_build(self, build_dir: str | Path = "build") -> dict[str, int]:
        """Load ``<build_dir>/aenc.nq`` (a built, validated, reasoned dataset); return graph sizes."""
        path = Path(build_dir) / NQUADS_FILE
        if not path.is_file():
            raise DataLoadError("no built dataset here", path=str(path),
                                hint="run `aenc build` first, or set build_dir to the folder it wrote")
        try:
            quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        except SyntaxError as err:
            raise DataLoadError(str(err), path=str(path), hint="rebuild with `aenc build`") from None
        return self.load_quads(quads)

    def load_quads(self, quads: Iterable[ox.Quad]) -> dict[str, int]:
        """Replace aenc's graphs in the endpoint with these quads' named graphs, and serve their
        union as its default graph. Graphs outside aenc's namespace are left as they are; so are
        triples someone else put in the default graph (with an update URL; with the Graph Store
        Protocol alone, such triples stop the load before anything is changed). An endpoint whose
        default graph already is the union of its graphs (Virtuoso) is left to make it."""
        graphs: dict[str, list[ox.Triple]] = defaultdict(list)
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs[quad.graph_name.value].append(quad.triple)
        outside = sorted(name for name in graphs if not name.startswith(GRAPHS))
        if outside:
            raise ParameterError(f"graph {outside[0]} is not one of aenc's (under {GRAPHS})",
                                 hint="load what `aenc build` wrote; other graphs are the store's business")
        ours = self._list_graphs()
        stale = sorted(set(ours) - set(graphs))
        union_view = self._default_is_union()
        if not union_view and not self.update_url and self._ask(FOREIGN_DEFAULT):
            raise StoreError("the remote store's default graph holds triples that none of aenc's graphs "
                             "holds; replacing it with aenc's union through the Graph Store Protocol "
                             "would lose them (nothing was changed)",
                             hint="set remote_update_url, so aenc replaces only its own copy, or clear "
                             "the default graph yourself")
        if not union_view and self.update_url:
            self._update(UNION_REMOVE)            # the previous copy of aenc's union, not the rest
        if self.gsp_url:
            for name in stale:
                self._gsp("DELETE", name)
            for name, triples in sorted(graphs.items()):
                self._gsp("PUT", name, _ntriples(triples))
        else:
            replaced = sorted(set(ours) | set(graphs))
            if replaced:
                self._update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in replaced))
            for batch in _batches(graphs):
                self._update(batch)
        if union_view:
            pass                                  # the endpoint shows the union by itself
        elif self.update_url:
            self._update(UNION_UPDATE)
        else:
            union = {t for triples in graphs.values() for t in triples}
            self._gsp("PUT", None, _ntriples(sorted(union, key=str)))
        sizes = {name: len(triples) for name, triples in sorted(graphs.items())}
        self._remember(sizes)
        return sizes

    def _ask(self, query: str) -> bool:
        return bool(self._select(query, (), (), None)[2])

    def _default_is_union(self) -> bool:
        """Whether the endpoint's default graph shows what its named graphs hold (Virtuoso does;
        Oxigraph does not): a probe triple is put in a graph of its own, looked for, removed."""
        probe = f"urn:aenc:probe:{uuid.uuid4().hex}"
        graph = f"{GRAPHS}probe/{probe.rsplit(':', 1)[1]}"
        triple = f"<{probe}> <urn:aenc:probe> \"probe\" ."
        if self.update_url:
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}")
        else:
            self._gsp("PUT", graph, (triple + "\n").encode("utf-8"))
        try:
            return self._ask(f"ASK {{ <{probe}> ?p ?o }}")
        finally:
            if self.update_url:
                self._update(f"DROP SILENT GRAPH <{graph}>")
            else:
                self._gsp("DELETE", graph)

    # -- what is here --------------------------------------------------------------------------

    def _list_graphs(self) -> list[str]:
        """aenc's graphs in the endpoint (under its graph namespace; the endpoint may hold others)."""
        result = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}", (), (), None)
        return sorted(row[0][1] for row in result[1] if row[0] and row[0][0] == "uri")

    def _remember(self, sizes: dict[str, int]) -> None:
        with self._lock:
            if sizes != self._sizes:
                self._generation += 1
            self._sizes, self._read_at = dict(sizes), time.monotonic()

    def _catalog(self) -> dict[str, int]:
        """Triples per named graph: read with one query, kept ``refresh_seconds``. When a refresh
        fails, the last answer is kept (tried again a few seconds later); with none, it raises."""
        with self._lock:
            now = time.monotonic()
            if self._sizes is not None and now - self._read_at < self.refresh_seconds:
                return self._sizes
            try:
                _, rows, _ = self._select(SIZES_QUERY, (), (), None)
            except (StoreError, QueryError) as err:
                if self._sizes is None:
                    raise
                log.warning("cannot refresh the graph list of %s: %s", self.source, err)
                self._read_at = now - self.refresh_seconds + min(5.0, self.refresh_seconds)
                return self._sizes
            sizes = {row[0][1]: int(row[1][1]) for row in rows
                     if row[0] and row[0][0] == "uri" and row[1] and row[1][0] == "literal"}
            sizes = dict(sorted(sizes.items()))
            if sizes != self._sizes:
                self._generation += 1
            self._sizes, self._read_at = sizes, now
            return sizes

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs held, sorted."""
        return list(self._catalog())

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        return dict(self._catalog())

    def __len__(self) -> int:
        """Quads in the named graphs (the endpoint's union default graph is not counted)."""
        return sum(self._catalog().values())

    @property
    def generation(self) -> int:
        """A number that changes when the graph list or sizes do (after a new build is loaded)."""
        self._catalog()
        return self._generation

    def workers_idle(self) -> None:
        """None: queries run on the endpoint, not in worker processes here."""
        return None

    def ping(self) -> None:
        """Raise StoreError (or QueryTimeout) unless the endpoint answers a trivial query now."""
        self._select("ASK {}", (), (), min(self.timeout, 5.0))

    def close(self) -> None:
        """Nothing to stop: the endpoint runs on its own."""

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- querying ------------------------------------------------------------------------------

    def query(self, sparql: str, *, default_graph_uris: Iterable[str] = (), named_graph_uris: Iterable[str] = (),
              bindings: dict[str, Any] | None = None, timeout: float | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        """Run a read-only query on the endpoint, with ``graph.store.Store.query``'s rules."""
        check_arguments(sparql, timeout)
        text = sparql
        info = inspect_query(sparql)                # refuses SERVICE and updates
        kind = _form(sparql, base_iri)              # syntax errors name the user's line and column
        if bindings:
            sparql = substitute(sparql, {k.lstrip("?$"): _ox_term(v) for k, v in bindings.items()})
        if base_iri and _IRI_SAFE.fullmatch(base_iri):
            sparql = f"BASE <{base_iri}>\n{sparql}"   # relative IRIs resolve as here, not at the endpoint
        if sparql is not text:
            inspect_query(sparql)                   # the text sent is checked as the text received
        default, named = list(default_graph_uris), list(named_graph_uris)
        if not default and not named and (ASSERTED in info.from_graphs or ASSERTED in info.from_named_graphs):
            default, named = list(info.from_graphs), list(info.from_named_graphs)  # the protocol overrides FROM
        warnings = self._unknown(default + named or info.from_graphs + info.from_named_graphs)
        if ASSERTED in named:
            raise ParameterError(f"{ASSERTED} is a virtual graph that can only be a default graph",
                                 hint="pass it as default-graph-uri (or FROM), not named-graph-uri (or FROM NAMED)")
        default, named = self._expand(list(dict.fromkeys(default))), list(dict.fromkeys(named))
        limit = timeout or self.timeout
        started = time.monotonic()
        if kind == "graph":
            triples = self._construct(sparql, default, named, limit)
            cut = max_rows is not None and len(triples) > max_rows
            return Result("graph", graph=triples[:max_rows] if cut else triples, truncated=cut,
                          warnings=warnings, seconds=time.monotonic() - started)
        variables, rows, boolean = self._select(sparql, default, named, limit)
        seconds = time.monotonic() - started
        if kind == "ask":
            return Result("ask", boolean=boolean, warnings=warnings, seconds=seconds)
        cut = max_rows is not None and len(rows) > max_rows
        return Result("select", variables=variables, solutions=rows[:max_rows] if cut else rows, truncated=cut,
                      warnings=warnings, seconds=seconds)

    def _expand(self, names: list[str]) -> list[str]:
        """The virtual asserted graph as the asserted graphs it stands for."""
        if ASSERTED not in names:
            return names
        asserted = [g for g in self.graph_names() if g != str(INFERRED_GRAPH)]
        return [n for n in names if n != ASSERTED] + [g for g in asserted if g not in names]

    def _unknown(self, names: list[str]) -> list[str]:
        if not names:
            return []
        known = set(self.graph_names()) | {ASSERTED}
        return [f"graph {name} is not in this dataset: it was used as an empty graph"
                for name in dict.fromkeys(names) if name not in known]

    # -- whole graphs --------------------------------------------------------------------------

    def serialize_graph(self, name: str, media_type: str, *, prefixes: dict[str, str] | None = None) -> bytes:
        """One graph in a graph format, as ``graph.store.Store.serialize_graph``: a named graph,
        ``DEFAULT_GRAPH`` (the union of all graphs) or the virtual asserted graph; NotFound for a
        graph the endpoint does not hold. Fetched with one CONSTRUCT (N-Triples)."""
        results.check_format("graph", media_type)
        names = self.graph_names()
        if name == DEFAULT_GRAPH:
            default = []
        elif name == ASSERTED:
            default = self._expand([ASSERTED])
        elif name in names:
            default = [name]
        else:
            raise NotFound(f"there is no graph {name} in this dataset",
                           hint="the graphs are: " + ", ".join(names + [ASSERTED]))
        triples = self._construct("CONSTRUCT WHERE { ?s ?p ?o }", default, [], self._transfer_timeout())
        if len(default) > 1:
            triples = list(dict.fromkeys(triples))  # a triple two graphs hold, once
        return results.write_triples(triples, media_type, prefixes)

    def serialize_dataset(self, media_type: str, *, prefixes: dict[str, str] | None = None) -> bytes:
        """Every named graph, names kept, in a dataset format (TriG or N-Quads): one SELECT of
        every quad (blank node labels are shared across one result)."""
        results.check_format("dataset", media_type)
        fmt = results.DATASET_FORMATS[media_type]
        _, rows, _ = self._select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", (), (),
                                  self._transfer_timeout())
        decode = results.decode_term
        quads = sorted(((row[0][1], ox.Quad(decode(row[1]), decode(row[2]), decode(row[3]),
                                            ox.NamedNode(row[0][1])))
                        for row in rows if row[0] and row[0][0] == "uri"), key=lambda pair: pair[0])
        quads = [quad for _, quad in quads]
        if prefixes and fmt == ox.RdfFormat.TRIG:
            return ox.serialize(quads, format=fmt, prefixes=prefixes)
        return ox.serialize(quads, format=fmt)

    def _transfer_timeout(self) -> float:
        return max(self.timeout, TRANSFER_TIMEOUT)

    def _post_query(self, sparql: str, default: Iterable[str], named: Iterable[str], accept: str,
                    timeout: float | None) -> bytes:
        form = [("query", sparql)] + [("default-graph-uri", g) for g in default] + \
               [("named-graph-uri", g) for g in named]
        body = urllib.parse.urlencode(form).encode("utf-8")
        timeout = timeout or self.timeout
        try:
            status, text, _ = self._send("POST", self.query_url, body,
                                         {"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": accept}, timeout=timeout)
        except TimeoutError:
            raise QueryTimeout(f"the remote endpoint did not answer within {timeout:g} s",
                               hint="make the query more selective; the endpoint's own time limit "
                               "stops its work") from None
        if status in _QUERY_REFUSED:
            raise QueryError(f"the remote endpoint refused the query ({status}): {_excerpt(text)}",
                             hint="aenc checked its syntax: the endpoint may lack a feature it uses")
        if 400 <= status < 500:
            raise StoreError(f"the remote endpoint {self.query_url} answered {status}: {_excerpt(text)}",
                             hint="check remote_query_url (the endpoint's SPARQL query URL) and that it "
                             "accepts queries without credentials")
        if status >= 300:
            raise StoreError(f"the remote endpoint failed ({status}): {_excerpt(text)}",
                             hint="see the endpoint's own log; aenc's data is loaded into it by `aenc build`")
        return text

    def _select(self, sparql, default, named, timeout) -> tuple[list[str], list[tuple], bool | None]:
        text = self._post_query(sparql, default, named, JSON_RESULTS, timeout)
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise StoreError(f"the remote endpoint did not answer in SPARQL JSON: {_excerpt(text)}",
                             hint="check that remote_query_url is the store's SPARQL query endpoint")
        if "boolean" in doc:
            return [], [], bool(doc["boolean"])
        variables = doc.get("head", {}).get("vars", [])
        rows = [tuple(_term(b.get(v)) for v in variables) for b in doc.get("results", {}).get("bindings", [])]
        return variables, rows, None

    def _construct(self, sparql, default, named, timeout) -> list:
        text = self._post_query(sparql, default, named, N_TRIPLES, timeout)
        try:
            return [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as err:
            raise StoreError(f"the remote endpoint did not answer in N-Triples: {err}") from None


#: statuses of the endpoint that refuse the query itself (others mean a wrong URL or a sick endpoint)
_QUERY_REFUSED = {400, 413, 414, 422}
#: a base IRI that can be written as ``BASE <…>`` as it is
_IRI_SAFE = re.compile(r"[^<>\"{}|^`\\\s]+")


STORE_KINDS = ("auto", "memory", "disk", "remote")


def chosen_kind(cfg: dict[str, Any]) -> str:
    """"memory", "disk" or "remote": the store the settings select. ``store = auto`` (the
    default) is "disk" for a build whose ``aenc.nq`` is larger than ``disk_over_mb``, else
    "memory": at 100,000 encounters the disk store starts in 0.5 s instead of 45 s and serves in
    a tenth of the memory, while a small build answers fastest from memory."""
    kind = str(cfg.get("store") or "auto").lower()
    if kind not in STORE_KINDS:
        raise ParameterError(f"store {kind!r} is not one of {', '.join(STORE_KINDS)}",
                             hint="set store (--store or AENC_STORE) to auto, memory, disk or remote")
    if kind != "auto":
        return kind
    over_mb = cfg.get("disk_over_mb", 500)
    if not isinstance(over_mb, (int, float)) or over_mb < 0:
        raise ParameterError(f"disk_over_mb {over_mb!r} is not a size in MB",
                             hint="set --disk-over-mb or AENC_DISK_OVER_MB to 0 or more (default 500)")
    from graph.diskstore import build_size
    return "disk" if build_size(cfg.get("build_dir", "build")) > over_mb * 1_000_000 else "memory"


def open_store(cfg: dict[str, Any], *, workers: int | None = None,
               progress: Callable[[str], None] | None = None):
    """The store the settings select (``chosen_kind``): "memory" (``graph.store.Store`` on
    ``build_dir/aenc.nq``), "disk" (``graph.diskstore.DiskStore`` on ``build_dir/store/``) or
    "remote" (``RemoteStore``; ``aenc build`` loads it with ``load_build``). ``workers`` and
    ``worker_memory_mb`` apply to the first two. When ``store = auto`` chose the disk store and
    the build has none, or an older one, it is written first (``progress`` hears how it goes)."""
    kind = chosen_kind(cfg)
    workers = cfg.get("workers", 0) if workers is None else workers
    limits = {"workers": workers, "worker_memory_mb": cfg.get("worker_memory_mb") or None}
    build_dir = cfg.get("build_dir", "build")
    if kind == "remote":
        return RemoteStore.from_settings(cfg)
    from graph.store import Store
    if kind == "memory":
        return Store.open(build_dir, **limits)
    from graph.diskstore import DiskStore, ensure_current, is_current
    if str(cfg.get("store") or "auto").lower() == "auto" and not is_current(build_dir):
        say = progress or (lambda _line: None)
        try:
            ensure_current(build_dir, progress=say)
        except OSError as error:    # a build folder we may not write to: serve it from memory
            say(f"cannot write the on-disk store into {build_dir} ({error.strerror or error}); "
                "loading the build into memory instead")
            return Store.open(build_dir, **limits)
    return DiskStore.open(build_dir, **limits)


def store_kind(store) -> str:
    """"remote", "disk" or "memory": the kind of an opened store."""
    if isinstance(store, RemoteStore):
        return "remote"
    from graph.diskstore import DiskStore
    return "disk" if isinstance(store, DiskStore) else "memory"


def store_status(store) -> dict[str, Any]:
    """What a health check reports about a store: its kind, where it reads from, what it holds,
    idle query workers. A remote store is asked a trivial query first: StoreError (or
    QueryTimeout) when the endpoint does not answer now."""
    if isinstance(store, RemoteStore):
        store.ping()
    return {"store": store_kind(store), "source": store.source, "triples": len(store),
            "graphs": len(store.graph_names()), "workers_idle": store.workers_idle()}


# -- helpers -------------------------------------------------------------------------------------

def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip().replace("\n", " ")
    return text[:300] + ("…" if len(text) > 300 else "")


def _term(cell: dict | None) -> tuple | None:
    """A SPARQL JSON results term as graph.results' tuple encoding."""
    if cell is None:
        return None
    kind = cell.get("type")
    if kind == "uri":
        return ("uri", cell["value"])
    if kind == "bnode":
        return ("bnode", cell["value"])
    if kind in ("literal", "typed-literal"):
        lang = cell.get("xml:lang")
        if lang:
            return ("literal", cell["value"], lang, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
        return ("literal", cell["value"], None, cell.get("datatype") or "http://www.w3.org/2001/XMLSchema#string")
    if kind == "triple":
        v = cell["value"]
        return ("triple", _term(v["subject"]), _term(v["predicate"]), _term(v["object"]))
    raise StoreError(f"the remote endpoint sent a term of unknown type {kind!r}")


def _ox_term(value):
    """A binding value (pyoxigraph or rdflib term) as a pyoxigraph term."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    from graph.store import _from_rdflib
    return _from_rdflib(value)


def _form(sparql: str, base_iri: str | None) -> str:
    """'select', 'ask' or 'graph', from parsing the query here (syntax errors name line and column)."""
    try:
        answer = _EMPTY.query(sparql, base_iri=base_iri)
    except SyntaxError as err:
        raise _syntax_error(str(err)) from None
    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    return "select" if isinstance(answer, ox.QuerySolutions) else "graph"


_EMPTY = ox.Store()


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return "".join(f"{t} .\n" for t in triples).encode("utf-8")


def _batches(graphs: dict[str, list[ox.Triple]]) -> Iterable[str]:
    """INSERT DATA requests of about BATCH_TRIPLES triples; a graph with blank nodes stays whole
    (blank nodes of one request are fresh nodes in the store)."""
    parts, size = [], 0
    for name, triples in sorted(graphs.items()):
        has_bnodes = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                         for t in triples)
        step = len(triples) if has_bnodes else BATCH_TRIPLES
        for i in range(0, len(triples), max(step, 1)):
            chunk = triples[i:i + step]
            parts.append(f"GRAPH <{name}> {{\n" + "".join(f"{t} .\n" for t in chunk) + "}\n")
            size += len(chunk)
            if size >= BATCH_TRIPLES:
                yield "INSERT DATA {\n" + "".join(parts) + "}"
                parts, size = [], 0
    if parts:
        yield "INSERT DATA {\n" + "".join(parts) + "}"


# -- SEP-0007 substitution as query text -------------------------------------------------------

def _mask(text: str) -> str:
    """The query text with comments, strings and IRIs blanked out (same length and offsets)."""
    out = list(text)
    i, n = 0, len(text)
    iri = re.compile(r"<[^<>\"{}|^`\\\s]*>")
    while i < n:
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
        elif ch == "<" and iri.match(text, i):
            j = iri.match(text, i).end()
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _where_span(text: str) -> tuple[int, int]:
    """Start and end of the top-level query's group graph pattern ``{ … }``."""
    bare = _mask(text)
    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", bare, re.I)
    if not form:
        raise ParameterError("parameters can only be bound in a query (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    start = None
    depth_paren = 0
    seen_where = False
    for i in range(form.end(), len(bare)):
        ch = bare[i]
        if ch == "(":
            depth_paren += 1
        elif ch == ")":
            depth_paren -= 1
        elif ch == "{" and depth_paren == 0:
            if form.group(1).upper() == "CONSTRUCT" and not seen_where:
                # the template: skip to WHERE
                where = re.compile(r"\bWHERE\b", re.I).search(bare, i)
                if where is None:
                    start = i
                    break
                seen_where = True
                continue
            start = i
            break
    if start is None:
        raise ParameterError("cannot find the query's WHERE clause to bind parameters in")
    depth = 0
    for i in range(start, len(bare)):
        if bare[i] == "{":
            depth += 1
        elif bare[i] == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
    raise ParameterError("unbalanced braces in the query")


def _sub(pattern: re.Pattern, text: str, replace) -> str:
    """``pattern.sub`` outside comments, strings and IRIs."""
    bare, out, last = _mask(text), [], 0
    for match in pattern.finditer(bare):
        out += [text[last:match.start()], replace(match)]
        last = match.end()
    return "".join(out) + text[last:]


_PROJECTION = re.compile(r"\bSELECT\b(.*?)(?=\bWHERE\b|\{)", re.I | re.S)


def _projections(bare: str) -> list[tuple[int, int]]:
    """Spans of the projections (after ``SELECT``, up to ``WHERE`` or ``{``) in masked text."""
    return [(m.start(1), m.end(1)) for m in _PROJECTION.finditer(bare)]


def _bind(pattern: re.Pattern, text: str, value: str, name: str, project: bool = True) -> str:
    """Replace the variable by the term; in a ``SELECT`` projection, outside parentheses,
    project the term under the variable's name instead (``(term AS ?name)``), or with
    ``project=False`` (a grouped query whose ``GROUP BY`` binds it) leave it there."""
    bare = _mask(text)
    spans = _projections(bare)
    out, last = [], 0
    for match in pattern.finditer(bare):
        start = match.start()
        span = next(((a, b) for a, b in spans if a <= start < b), None)
        depth = bare.count("(", span[0], start) - bare.count(")", span[0], start) if span else None
        top = f"({value} AS ?{name})" if project else match.group(0)
        out += [text[last:start], top if depth == 0 else value]
        last = match.end()
    return "".join(out) + text[last:]


def substitute(text: str, bindings: dict[str, Any]) -> str:
    """The query with each variable bound as a SEP-0007 substitution binds it, as plain text:
    the term replaces the variable in the pattern, a CONSTRUCT template, the DESCRIBE list,
    ``HAVING`` and ``ORDER BY``; the ``SELECT`` projection (or, in a grouped query, the
    ``GROUP BY``) binds the variable to the term. Comments, strings and IRIs are left alone."""
    if not bindings:
        return text
    start, end = _where_span(text)
    head, body, tail = text[:start], text[start:end], text[end:]
    grouped = re.search(r"\bGROUP\s+BY\b", _mask(tail), re.I) is not None
    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _mask(head), re.I)
    verb = form.group(1).upper() if form else "SELECT"   # CONSTRUCT WHERE { … }: the template is the body
    for name, term in bindings.items():
        value = str(term)
        var = re.compile(r"[?$]" + re.escape(name) + r"(?![\w\u00b7\u0300-\u036f\u203f-\u2040])")
        body = _bind(var, body, value, name)   # subqueries project the term under the name
        group = re.search(r"\bGROUP\s+BY\b(.*?)(?=\bHAVING\b|\bORDER\s+BY\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                          _mask(tail), re.I | re.S)
        if group:
            inner = _sub(var, tail[group.start(1):group.end(1)], lambda _m: f"({value} AS ?{name})")
            rest = group.start(1) + len(inner)
            tail = tail[:group.start(1)] + inner + tail[group.end(1):]
            tail = tail[:rest] + _sub(var, tail[rest:], lambda _m: f"({value})")
        else:
            tail = _sub(var, tail, lambda _m: f"({value})")
        if form and verb in ("CONSTRUCT", "DESCRIBE"):
            head = head[:form.end()] + _sub(var, head[form.end():], lambda _m: value)
        elif form and verb == "SELECT":
            head = head[:form.start()] + _bind(var, head[form.start():], value, name, project=not grouped)
    return head + body + tail


__all__ = ["RemoteStore", "open_store", "store_kind", "store_status", "substitute"]
