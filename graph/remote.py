"""A remote SPARQL 1.1 endpoint as aenc's store, for graphs that outgrow one machine.

aenc builds, validates and reasons as usual; then ``RemoteStore.load_build(build_dir)`` puts
every named graph of ``aenc.nq`` into any standard endpoint (Virtuoso, Fuseki, GraphDB,
Oxigraph server…) with the SPARQL 1.1 Graph Store Protocol (one ``PUT`` per graph) or, when only
an update endpoint is configured, SPARQL 1.1 Update (``INSERT DATA`` in batches, a graph with
blank nodes never split). Graphs the build no longer has are dropped. The endpoint's default
graph is then made the union of all graphs, as aenc's embedded store serves it.

``RemoteStore`` answers like ``graph.store.Store``: ``query(...) -> Result`` (``rows``,
``boolean``, ``triples``, ``serialize``), ``graph_names()``, ``close()``. The same safety rules
apply before anything is sent: ``SERVICE`` and updates are refused (``graph.sparql_guard``), the
syntax is checked here (errors with line and column), parameters are substituted into the text
as SEP-0007 substitutions would bind them, ``max_rows`` cuts the answer (``truncated``), and a
query that outlives ``timeout`` raises ``QueryTimeout`` (the endpoint's own limit stops its work;
set it there). The virtual graph ``…/graph/asserted`` is sent as the list of asserted graphs
(``default-graph-uri`` each); SPARQL makes their merge the default graph, but some endpoints
(Oxigraph among them) repeat a triple that two graphs hold: count with ``DISTINCT``.

Selected by configuration only (``open_store``): ``store = "remote"`` with
``remote_query_url``, and ``remote_update_url`` and/or ``remote_gsp_url`` for loading.
Only the standard protocols are used; the endpoint is contacted at the configured URLs only.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox

from graph.errors import DataLoadError, ParameterError, QueryError, QueryTimeout, StoreError
from graph.namespaces import ASSERTED_UNION, INFERRED_GRAPH
from graph.sparql_guard import check_arguments, inspect_query
from graph.store import NQUADS_FILE, Result, _syntax_error

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
#: triples per SPARQL Update request when loading without the Graph Store Protocol
BATCH_TRIPLES = 50_000
ASSERTED = str(ASSERTED_UNION)


class RemoteStore:
    """A SPARQL 1.1 Query (+ Update / Graph Store) endpoint, queried like ``graph.store.Store``."""

    def __init__(self, query_url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 60.0):
        for name, url in (("remote_query_url", query_url), ("remote_update_url", update_url),
                          ("remote_gsp_url", gsp_url)):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise ParameterError(f"{name} {url!r} is not an http(s) URL",
                                     hint="e.g. http://127.0.0.1:7878/query")
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout = timeout
        self.source = query_url
        self._graphs: list[str] | None = None

    @classmethod
    def from_settings(cls, cfg: dict[str, Any]) -> "RemoteStore":
        """The store the settings name (``remote_query_url`` …)."""
        url = cfg.get("remote_query_url")
        if not url:
            raise ParameterError("store = remote needs remote_query_url",
                                 hint="set AENC_REMOTE_QUERY_URL, e.g. http://127.0.0.1:7878/query")
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
        """Replace the endpoint's content with these quads (named graphs only), then make its
        default graph their union."""
        graphs: dict[str, list[ox.Triple]] = defaultdict(list)
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs[quad.graph_name.value].append(quad.triple)
        stale = sorted(set(self._list_graphs()) - set(graphs))
        if self.gsp_url:
            for name in stale:
                self._gsp("DELETE", name)
            for name, triples in sorted(graphs.items()):
                self._gsp("PUT", name, _ntriples(triples))
        else:
            existing = sorted(set(self._list_graphs()))
            self._update("".join(f"DROP SILENT GRAPH <{name}> ;\n" for name in existing)
                         + "DROP SILENT DEFAULT")
            for batch in _batches(graphs):
                self._update(batch)
        if self.update_url:
            self._update("DROP SILENT DEFAULT ;\n" + UNION_UPDATE)
        else:
            union = {t for triples in graphs.values() for t in triples}
            self._gsp("PUT", None, _ntriples(sorted(union, key=str)))
        self._graphs = sorted(graphs)
        return {name: len(triples) for name, triples in sorted(graphs.items())}

    # -- what is here --------------------------------------------------------------------------

    def _list_graphs(self) -> list[str]:
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", (), (), None)
        return sorted(row[0][1] for row in result[1] if row[0] and row[0][0] == "uri")

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs held, sorted."""
        if self._graphs is None:
            self._graphs = self._list_graphs()
        return list(self._graphs)

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
        inspect_query(sparql)                       # refuses SERVICE and updates
        kind = _form(sparql, base_iri)              # syntax errors name the user's line and column
        if bindings:
            sparql = substitute(sparql, {k.lstrip("?$"): _ox_term(v) for k, v in bindings.items()})
        default_graph_uris = self._expand(list(default_graph_uris))
        named_graph_uris = self._expand(list(named_graph_uris))
        limit = timeout or self.timeout
        if kind == "graph":
            triples = self._construct(sparql, default_graph_uris, named_graph_uris, limit)
            cut = max_rows is not None and len(triples) > max_rows
            return Result("graph", graph=triples[:max_rows] if cut else triples, truncated=cut)
        variables, rows, boolean = self._select(sparql, default_graph_uris, named_graph_uris, limit)
        if kind == "ask":
            return Result("ask", boolean=boolean)
        cut = max_rows is not None and len(rows) > max_rows
        return Result("select", variables=variables, solutions=rows[:max_rows] if cut else rows, truncated=cut)

    def _expand(self, names: list[str]) -> list[str]:
        """The virtual asserted graph as the asserted graphs it stands for."""
        if ASSERTED not in names:
            return names
        asserted = [g for g in self.graph_names() if g != str(INFERRED_GRAPH)]
        return [n for n in names if n != ASSERTED] + asserted

    def _post_query(self, sparql: str, default: Iterable[str], named: Iterable[str], accept: str,
                    timeout: float | None) -> bytes:
        form = [("query", sparql)] + [("default-graph-uri", g) for g in default] + \
               [("named-graph-uri", g) for g in named]
        body = urllib.parse.urlencode(form).encode("utf-8")
        try:
            status, text, _ = self._send("POST", self.query_url, body,
                                         {"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": accept}, timeout=timeout)
        except TimeoutError:
            raise QueryTimeout(f"the remote endpoint did not answer within {timeout:g} s",
                               hint="make the query more selective; the endpoint's own time limit "
                               "stops its work") from None
        if 400 <= status < 500:
            raise QueryError(f"the remote endpoint refused the query ({status}): {_excerpt(text)}")
        if status >= 300:
            raise StoreError(f"the remote endpoint failed ({status}): {_excerpt(text)}")
        return text

    def _select(self, sparql, default, named, timeout) -> tuple[list[str], list[tuple], bool | None]:
        text = self._post_query(sparql, default, named, JSON_RESULTS, timeout)
        try:
            doc = json.loads(text)
        except ValueError:
            raise StoreError(f"the remote endpoint did not answer in SPARQL JSON: {_excerpt(text)}") from None
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


def open_store(cfg: dict[str, Any], *, workers: int | None = None):
    """The store the settings select (``store``): "memory" (default: ``graph.store.Store`` on
    ``build_dir/aenc.nq``), "disk" (``graph.diskstore.DiskStore`` on ``build_dir/store/``) or
    "remote" (``RemoteStore``; load it with ``load_build`` after each build)."""
    kind = (cfg.get("store") or "memory").lower()
    workers = cfg.get("workers", 0) if workers is None else workers
    if kind == "remote":
        return RemoteStore.from_settings(cfg)
    if kind == "memory":
        from graph.store import Store
        return Store.open(cfg.get("build_dir", "build"), workers=workers)
    if kind == "disk":
        from graph.diskstore import DiskStore
        return DiskStore.open(cfg.get("build_dir", "build"), workers=workers)
    raise ParameterError(f"store {kind!r} is not one of memory, disk, remote",
                         hint="set AENC_STORE to memory, disk or remote")


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


def substitute(text: str, bindings: dict[str, Any]) -> str:
    """The query with each variable bound as a SEP-0007 substitution binds it, as plain text:
    the term replaces the variable in the pattern, ``HAVING`` and ``ORDER BY``; the ``SELECT``
    projection (or, in a grouped query, the ``GROUP BY``) binds the variable to the term."""
    if not bindings:
        return text
    start, end = _where_span(text)
    head, body, tail = text[:start], text[start:end], text[end:]
    grouped = re.search(r"\bGROUP\s+BY\b", _mask(tail), re.I) is not None
    for name, term in bindings.items():
        value = str(term)
        var = re.compile(r"[?$]" + re.escape(name) + r"(?![\w\u00b7\u0300-\u036f\u203f-\u2040])")
        body = var.sub(lambda _m: value, body)
        group = re.search(r"\bGROUP\s+BY\b(.*?)(?=\bHAVING\b|\bORDER\s+BY\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                          tail, re.I | re.S)
        if group:
            inner = var.sub(lambda _m: f"({value} AS ?{name})", group.group(1))
            rest = group.start(1) + len(inner)
            tail = tail[:group.start(1)] + inner + tail[group.end(1):]
            tail = tail[:rest] + var.sub(lambda _m: f"({value})", tail[rest:])
        else:
            tail = var.sub(lambda _m: f"({value})", tail)
        if not grouped:
            select = re.search(r"\bSELECT\b", _mask(head), re.I)
            if select:
                head = head[:select.end()] + var.sub(lambda _m: f"({value} AS ?{name})", head[select.end():])
    return head + body + tail


__all__ = ["RemoteStore", "open_store", "substitute"]
