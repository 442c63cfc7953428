"""aenc's HTTP server: SPARQL 1.1 Query Protocol, Graph Store reads, linked data, safe by default.

This module is the only one that knows HTTP. Each route parses the request, calls ``graph/``
(the store, named queries, descriptions), negotiates the format and maps errors to statuses in
one table (``STATUS``). Limits are named: the query time limit and row cap, the body size
(413), a per-client rate limit (429 + Retry-After).

Run it::

    python server.py                      # serves build/aenc.nq on http://127.0.0.1:8000/
    python server.py --port 0 --workers 4 # any setting of graph/settings.py, as --name
    python server.py --data extra.nq --graph http://example.org/g=data.nt   # other files
    python server.py --store remote --remote-query-url http://127.0.0.1:7878/query  # in front of
                                          # a SPARQL 1.1 store that `aenc build` loaded

Production: the same ``main`` serves with waitress (a production WSGI server); for another
WSGI server, use the factory: ``waitress-serve --call server:create_app`` or
``gunicorn 'server:create_app()'`` (one gunicorn worker process: queries already run in
killable worker processes).
"""
from __future__ import annotations

import argparse
import logging
import math
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from flask import Flask, Response, g, jsonify, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from graph import results
from graph.errors import (
    AencError, DataLoadError, InconsistentGraphError, NotFound, OntologyCheckFailed, ParameterError, QueryError,
    QueryMemoryLimit, QueryRefused, QuerySyntaxError, QueryTimeout, StoreError, UnknownTermError,
    ValidationFailed,
)
from graph.settings import SETTINGS, resolve
from graph.remote import chosen_kind, open_store, store_status
from graph.store import ASSERTED, DEFAULT_GRAPH, NQUADS_FILE, Store

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("aenc.server")

# ---------------------------------------------------------------- the one error -> status table

#: every AencError class and the HTTP status it becomes (the nearest class in the MRO wins)
STATUS: dict[type, int] = {
    AencError: 500,
    DataLoadError: 500,
    UnknownTermError: 500,
    ValidationFailed: 500,
    InconsistentGraphError: 500,
    OntologyCheckFailed: 500,
    QueryError: 400,
    QuerySyntaxError: 400,
    ParameterError: 400,
    QueryRefused: 403,
    QueryTimeout: 503,
    QueryMemoryLimit: 503,
    NotFound: 404,
    StoreError: 503,
}


class HttpError(Exception):
    """A protocol-level refusal (wrong method, media type, size, rate) with its status."""

    def __init__(self, status: int, kind: str, message: str, *, hint: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.hint = status, kind, message, hint
        self.headers = headers or {}


def status_of(error: AencError) -> int:
    """The HTTP status for an AencError, from ``STATUS``."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


# ---------------------------------------------------------------- content negotiation

HTML = "text/html"
JSON = "application/json"
#: what the client may write in Accept for a canonical type, per kind of answer
ACCEPT_ALIASES: dict[str, dict[str, str]] = {
    "select": {
        "application/json": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
        "text/xml": "application/sparql-results+xml",
    },
    "graph": {
        "application/x-turtle": "text/turtle", "application/turtle": "text/turtle",
        "text/n3": "text/turtle", "text/rdf+n3": "text/turtle", "application/n3": "text/turtle",
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
        "application/xml": "application/rdf+xml", "text/xml": "application/rdf+xml",
        "application/x-trig": "application/trig", "text/x-nquads": "application/n-quads",
    },
}
ACCEPT_ALIASES["ask"] = ACCEPT_ALIASES["select"]
ACCEPT_ALIASES["dataset"] = ACCEPT_ALIASES["graph"]
#: short names for the format / output / results parameters (as SPARQLWrapper sends them)
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "json": {"select": "application/sparql-results+json", "graph": "application/ld+json"},
    "xml": {"select": "application/sparql-results+xml", "graph": "application/rdf+xml"},
    "csv": {"select": "text/csv"},
    "tsv": {"select": "text/tab-separated-values"},
    "turtle": {"graph": "text/turtle"}, "ttl": {"graph": "text/turtle"}, "n3": {"graph": "text/turtle"},
    "nt": {"graph": "application/n-triples"}, "ntriples": {"graph": "application/n-triples"},
    "n-triples": {"graph": "application/n-triples"},
    "json-ld": {"graph": "application/ld+json"}, "jsonld": {"graph": "application/ld+json"},
    "rdf": {"graph": "application/rdf+xml"}, "rdfxml": {"graph": "application/rdf+xml"},
    "rdf+xml": {"graph": "application/rdf+xml"}, "rdf/xml": {"graph": "application/rdf+xml"},
    "trig": {"graph": "application/trig"}, "nquads": {"graph": "application/n-quads"},
    "n-quads": {"graph": "application/n-quads"}, "nq": {"graph": "application/n-quads"},
    "html": {"page": HTML},
}
FORMAT_NAMES["json"]["page"] = JSON
FORMAT_PARAMS = ("format", "output", "results")
#: query-string names the server itself reads; everything else on /queries/NAME is a parameter
RESERVED_PARAMS = set(FORMAT_PARAMS) | {"timeout"}


@dataclass
class MediaRange:
    type: str
    subtype: str
    q: float
    params: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), or 0 for no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    ranges = []
    for part in (header or "").split(","):
        bits = [b.strip() for b in part.split(";")]
        kind = bits[0].lower()
        if "/" not in kind:
            continue
        main, _, sub = kind.partition("/")
        q, extra = 1.0, 0
        for param in bits[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = -1.0  # malformed: the whole entry is skipped
            elif name:
                extra += 1
        if q >= 0:
            ranges.append(MediaRange(main, sub, q, extra))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """q of the most specific range matching ``media_type`` (0 when none does)."""
    best, best_q = (0, -1), 0.0
    for r in ranges:
        spec = r.matches(media_type)
        if spec and (spec, r.params) > best:
            best, best_q = (spec, r.params), r.q
    return best_q


def negotiate(accept: str | None, offered: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The offered media type the client prefers (ties: the server's order), or None if none
    is acceptable. No Accept header, or an empty one, means the first offer."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        for alias, target in (aliases or {}).items():
            if target == media_type:
                q = max(q, quality([r for r in ranges if r.matches(alias) == 3], alias))
        if q > best_q:
            best, best_q = media_type, q
    return best


def not_acceptable(offered: list[str]) -> HttpError:
    return HttpError(406, "not-acceptable", "none of the media types in Accept can be served here",
                     hint="ask for one of: " + ", ".join(offered)
                     + " (or use ?format= with a short name such as json, xml, csv, turtle)")


def choose_format(kind: str, offered: list[str], args: MultiDict) -> str:
    """The media type to answer with: the format/output/results parameter if given, else Accept."""
    requested = [v.strip() for name in FORMAT_PARAMS for v in args.getlist(name) if v.strip()]
    family = "select" if kind in ("select", "ask") else "page" if offered == [HTML] else "graph"
    for value in requested:
        low = value.lower()
        short = FORMAT_NAMES.get(low, {})
        for fam in (family, "page", "graph"):
            if short.get(fam) in offered:
                return short[fam]
        chosen = negotiate(low, offered, ACCEPT_ALIASES.get(kind)) if "/" in low else None
        if chosen:
            return chosen
    if requested:
        raise not_acceptable(offered)
    chosen = negotiate(request.headers.get("Accept"), offered, ACCEPT_ALIASES.get(kind))
    if chosen is None:
        raise not_acceptable(offered)
    return chosen


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (text types say UTF-8)."""
    if media_type.startswith("text/") or media_type in ("application/n-triples", "application/n-quads",
                                                         "application/trig"):
        return media_type + "; charset=utf-8"
    return media_type


# ---------------------------------------------------------------- rate limit and metrics

class RateLimiter:
    """A token bucket per client address: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > 10_000:
                self._forget_full(now)
            return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for client, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.per_minute:
                del self._buckets[client]


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class Metrics:
    """Counters for /metrics (Prometheus text format 0.0.4)."""

    requests: dict[tuple[str, str, int], int] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    truncated: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    latency_sum: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_request(self, route: str, method: str, status: int) -> None:
        with self.lock:
            key = (route, method, status)
            self.requests[key] = self.requests.get(key, 0) + 1

    def count_query(self, kind: str, seconds: float, truncated: bool) -> None:
        with self.lock:
            self.queries[kind] = self.queries.get(kind, 0) + 1
            self.truncated += int(truncated)
            self.latency_sum += seconds
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1
                    break
            else:
                self.buckets[-1] += 1

    def count_error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def render(self, extra: dict[str, float]) -> str:
        with self.lock:
            out = ["# HELP aenc_requests_total HTTP requests answered, by route, method and status.",
                   "# TYPE aenc_requests_total counter"]
            for (route, method, status), n in sorted(self.requests.items()):
                out.append(f'aenc_requests_total{{route="{route}",method="{method}",status="{status}"}} {n}')
            out += ["# HELP aenc_queries_total SPARQL queries answered, by result kind.",
                    "# TYPE aenc_queries_total counter"]
            out += [f'aenc_queries_total{{kind="{k}"}} {n}' for k, n in sorted(self.queries.items())]
            out += ["# HELP aenc_errors_total Requests refused or failed, by error kind.",
                    "# TYPE aenc_errors_total counter"]
            out += [f'aenc_errors_total{{kind="{k}"}} {n}' for k, n in sorted(self.errors.items())]
            out += ["# HELP aenc_truncated_total Query answers cut at the row cap.",
                    "# TYPE aenc_truncated_total counter", f"aenc_truncated_total {self.truncated}"]
            out += ["# HELP aenc_query_seconds Time to run a query (engine and worker), in seconds.",
                    "# TYPE aenc_query_seconds histogram"]
            running = 0
            for bound, n in zip(LATENCY_BUCKETS, self.buckets):
                running += n
                out.append(f'aenc_query_seconds_bucket{{le="{bound:g}"}} {running}')
            total = running + self.buckets[-1]
            out += [f'aenc_query_seconds_bucket{{le="+Inf"}} {total}',
                    f"aenc_query_seconds_sum {self.latency_sum:.6f}", f"aenc_query_seconds_count {total}"]
        for name, value in extra.items():
            out += [f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the SPARQL protocol request

QUERY_TYPES = ("application/sparql-query",)
FORM_TYPE = "application/x-www-form-urlencoded"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """What a /sparql request asks for, once the protocol rules are checked."""

    query: str | None
    update: bool
    default_graphs: list[str]
    named_graphs: list[str]
    params: MultiDict


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise HttpError(400, "bad-request", f"{name} was given {len(values)} times; send exactly one",
                        hint=f"a request carries one {name}, in the URL or in the body, not both")
    return values[0] if values else None


def _check_charset(mimetype_params: dict) -> None:
    charset = mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HttpError(415, "unsupported-media-type", f"the body is declared as {charset}; only UTF-8 is accepted",
                        hint="encode the query as UTF-8 and send charset=utf-8 (or no charset)")


def read_protocol_request() -> ProtocolRequest:
    """Apply the SPARQL 1.1 Protocol's rules for GET, form POST and direct POST."""
    args = request.args
    params = MultiDict(args)
    if request.method in ("GET", "HEAD"):
        queries, updates = args.getlist("query"), args.getlist("update")
    else:
        mimetype = request.mimetype
        if mimetype == FORM_TYPE:
            _check_charset(request.mimetype_params)
            form = request.form
            params.update(form)
            queries = args.getlist("query") + form.getlist("query")
            updates = args.getlist("update") + form.getlist("update")
        elif mimetype in QUERY_TYPES:
            _check_charset(request.mimetype_params)
            if "query" in args:
                raise HttpError(400, "bad-request", "the query was sent both in the URL and as the body",
                                hint="send it once: as the body of application/sparql-query, or as ?query=")
            try:
                queries, updates = [request.get_data().decode("utf-8")], args.getlist("update")
            except UnicodeDecodeError as exc:
                raise HttpError(400, "bad-request", f"the body is not valid UTF-8 (byte {exc.start})",
                                hint="encode the query as UTF-8") from None
        elif mimetype == UPDATE_TYPE:
            _check_charset(request.mimetype_params)
            queries, updates = [], ["(body)"]
        elif not mimetype:
            raise HttpError(415, "unsupported-media-type", "a POST to the SPARQL endpoint needs a Content-Type",
                            hint=f"send Content-Type: {FORM_TYPE} (query=...) or application/sparql-query (the query)")
        else:
            raise HttpError(415, "unsupported-media-type", f"a POST with Content-Type {mimetype} is not a SPARQL query",
                            hint=f"send Content-Type: {FORM_TYPE} (query=...) or application/sparql-query (the query)")
    query = _one(queries, "query")
    update = _one(updates, "update")
    if query is not None and update is not None:
        raise HttpError(400, "bad-request", "a request cannot carry both a query and an update")
    return ProtocolRequest(query, update is not None, params.getlist("default-graph-uri"),
                           params.getlist("named-graph-uri"), params)


def read_timeout(params: MultiDict, limit: float) -> float:
    """The client's ``timeout`` (seconds), never above the server's limit."""
    raw = _one(params.getlist("timeout"), "timeout")
    if raw is None or raw == "":
        return limit
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"timeout must be a positive number of seconds, not {raw!r}",
                             hint=f"for example timeout=2.5 (at most {limit:g})")
    return min(value, limit)


# ---------------------------------------------------------------- the application

def open_configured_store(cfg: dict) -> Store:
    """The store the ``store`` setting names (``graph.remote.open_store``): memory
    (``build/aenc.nq``), disk (``build/store/``) or remote (the SPARQL 1.1 store at
    ``remote_query_url``, which ``aenc build`` loaded; served here as the other two)."""
    return open_store(cfg, progress=lambda line: print(f"aenc: {line}", flush=True))


def create_app(settings: dict | None = None, store: Store | None = None) -> Flask:
    """The WSGI application. ``settings`` override graph/settings.py (and AENC_* variables);
    ``store`` is used as given (else the one the ``store`` setting names, ``open_configured_store``)."""
    cfg = resolve(settings)
    if store is None:
        store = open_configured_store(cfg)
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = cfg["max_body_bytes"]
    app.config["AENC"] = cfg
    app.json.sort_keys = False
    state = _State(cfg, store)
    app.extensions["aenc"] = state
    _install_templates(app, cfg)
    _install_hooks(app, state)
    _install_routes(app, state)
    if cfg.get("base_path"):
        app.wsgi_app = _PrefixMiddleware(app.wsgi_app, cfg["base_path"])
    return app


#: cached answers (service description, VoID, dumps, home summary) kept at once
CACHE_SIZE = 32


class _State:
    """What the routes share: settings, the store, limits, counters, cached descriptions."""

    def __init__(self, cfg: dict, store: Store):
        self.cfg = cfg
        self.store = store
        self.limiter = RateLimiter(cfg["rate_limit"])
        self.metrics = Metrics()
        self.started = time.time()
        self._cache: dict[tuple, Any] = {}
        self._cache_lock = threading.Lock()

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """A value computed once per state of the store (read-only here; a remote store's
        ``generation`` changes when a new build is loaded into it); at most CACHE_SIZE are kept."""
        key = (getattr(self.store, "generation", None), *key)
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._cache_lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = value
        return value


class _PrefixMiddleware:
    """Serve the app under a path prefix (the base_path setting)."""

    def __init__(self, app: Callable, prefix: str):
        self.app, self.prefix = app, "/" + prefix.strip("/")

    def __call__(self, environ: dict, start_response: Callable):
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix):] or "/"
            return self.app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": {"kind": "not-found", "message": "this site is served under ' +
                self.prefix.encode() + b'/", "hint": null}}']


def _prefixes() -> dict[str, str] | None:
    """Prefixes that make Turtle and TriG readable (the web pages' table), if installed."""
    try:
        from graph.describe import PREFIXES
    except ImportError:
        return None
    return PREFIXES


def _install_templates(app: Flask, cfg: dict) -> None:
    try:
        from graph.describe import template_helpers
    except ImportError:  # the web pages are optional: the SPARQL service works without them
        return
    helpers = template_helpers(base_iri=cfg["base_iri"], base_path=cfg.get("base_path", ""))
    app.jinja_env.globals.update(helpers["globals"])
    app.jinja_env.filters.update(helpers["filters"])


def _client_wants_html() -> bool:
    accept = request.headers.get("Accept")
    return bool(accept) and negotiate(accept, [JSON, HTML]) == HTML and quality(parse_accept(accept), HTML) > 0


def _sparql_route() -> bool:
    return request.path.rstrip("/") == "/sparql"


def _error_response(status: int, kind: str, message: str, hint: str | None,
                    headers: dict[str, str] | None = None) -> Response:
    """One error shape: JSON {"error": {kind, message, hint}}; plain text on /sparql (as SPARQL
    servers answer) unless the client prefers JSON; an HTML page for a browser on a page route."""
    accept = request.headers.get("Accept")
    if _sparql_route() and negotiate(accept, ["text/plain", JSON]) != JSON:
        body = message + (f"\n\nHint: {hint}" if hint else "") + "\n"
        response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    elif _client_wants_html() and not _sparql_route():
        try:
            page = render_template("error.html", status=status, title=_TITLES.get(status, "Error"),
                                   message=message, hint=hint)
            response = Response(page, status=status, content_type="text/html; charset=utf-8")
        except TemplateNotFound:
            response = jsonify(error={"kind": kind, "message": message, "hint": hint})
            response.status_code = status
    else:
        response = jsonify(error={"kind": kind, "message": message, "hint": hint})
        response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Vary"] = "Accept"
    return response


_TITLES = {400: "Bad request", 403: "Refused", 404: "Not found", 405: "Method not allowed",
           406: "Not acceptable", 413: "Request too large", 415: "Unsupported media type",
           429: "Too many requests", 500: "Internal error", 503: "Service unavailable"}


def _install_hooks(app: Flask, state: _State) -> None:
    exempt = {"/health", "/metrics"}

    @app.before_request
    def limit_requests():
        g.started = time.monotonic()
        if request.path not in exempt:
            wait = state.limiter.check(request.remote_addr or "unknown")
            if wait > 0:
                raise HttpError(429, "rate-limited",
                                f"too many requests: at most {state.limiter.per_minute} a minute per client",
                                hint=f"retry after {math.ceil(wait)} s",
                                headers={"Retry-After": str(math.ceil(wait))})
        length = request.content_length
        if length is not None and length > state.cfg["max_body_bytes"]:
            raise HttpError(413, "too-large", f"the request body has {length} bytes; the limit is "
                            f"{state.cfg['max_body_bytes']}",
                            hint="send a shorter query, or use a named query with parameters")

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        state.metrics.count_request(rule, request.method, response.status_code)
        return response

    @app.errorhandler(AencError)
    def aenc_error(error: AencError):
        status = status_of(error)
        state.metrics.count_error(error.kind)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.path, error)
        return _error_response(status, error.kind, error.message, error.hint)

    @app.errorhandler(HttpError)
    def http_error(error: HttpError):
        state.metrics.count_error(error.kind)
        return _error_response(error.status, error.kind, error.message, error.hint, error.headers)

    @app.errorhandler(HTTPException)
    def werkzeug_error(error: HTTPException):
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(error.code, "bad-request")
        state.metrics.count_error(kind)
        headers = {}
        message = error.description or error.name
        if error.code == 404:
            message = f"there is nothing at {request.path}"
        if error.code == 405:
            allowed = getattr(error, "valid_methods", None) or []
            allowed = sorted(allowed)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed on {request.path}; use " + " or ".join(allowed)
        if error.code == 413:
            message = f"the request body is larger than the limit of {state.cfg['max_body_bytes']} bytes"
        return _error_response(error.code or 500, kind, message, None, headers)

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        state.metrics.count_error("internal")
        log.exception("internal error on %s %s", request.method, request.path)
        return _error_response(500, "internal", "internal server error; it has been logged",
                               "try again; if it persists, report it with the time of the request")


def _rdf_response(body: bytes, media_type: str, *, headers: dict[str, str] | None = None) -> Response:
    response = Response(body, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _header_safe(text: str) -> str:
    return quote(text, safe=" :/?#[]@!$&'()*+,;=-._~")


def _answer(state: _State, result, args: MultiDict) -> Response:
    """A query result in the negotiated format, with the truncation and warning headers."""
    media_type = choose_format(result.kind, result.media_types(), args)
    state.metrics.count_query(result.kind, result.seconds, result.truncated)
    headers = {"Server-Timing": f"query;dur={result.seconds * 1000:.1f}"}
    if result.truncated:
        headers["X-AENC-Truncated"] = "true"
        headers["X-AENC-Max-Rows"] = str(state.cfg["max_rows"])
    if result.warnings:
        headers["X-AENC-Warning"] = _header_safe(" | ".join(result.warnings))
    return _rdf_response(result.serialize(media_type), media_type, headers=headers)


def _graph_format(args: MultiDict, *, with_html: bool = False, dataset: bool = False) -> str:
    offered = results.formats_for("graph")
    if dataset:
        offered = ["application/trig", "application/n-quads"] + [m for m in offered if m not in results.DATASET_FORMATS]
    if with_html:
        offered = offered[:1] + [HTML] + offered[1:]
    return choose_format("dataset" if dataset else "graph", offered, args)


def _install_routes(app: Flask, state: _State) -> None:
    cfg, store = state.cfg, state.store
    base_iri = cfg["base_iri"]

    def endpoint_url() -> str:
        return request.host_url.rstrip("/") + request.script_root + "/sparql"

    def site_url() -> str:
        return request.host_url.rstrip("/") + request.script_root + "/"

    # -- SPARQL 1.1 Query Protocol -------------------------------------------------------------

    @app.route("/sparql", methods=["GET", "POST"])
    @app.route("/sparql/", methods=["GET", "POST"])
    def sparql():
        req = read_protocol_request()
        if req.update:
            raise QueryRefused("SPARQL Update is refused: this endpoint is read-only",
                               hint="send a query (SELECT, ASK, CONSTRUCT, DESCRIBE); the data changes "
                               "only by rebuilding it with `aenc build`")
        if req.query is None:
            if request.method == "POST":
                raise HttpError(400, "bad-request", "the request has no query",
                                hint="send query=... in a form body, or the query itself as "
                                "application/sparql-query")
            return service_description(req.params)
        timeout = read_timeout(req.params, cfg["query_timeout"])
        result = store.query(req.query, default_graph_uris=req.default_graphs,
                             named_graph_uris=req.named_graphs, timeout=timeout, max_rows=cfg["max_rows"],
                             base_iri=request.base_url)
        return _answer(state, result, req.params)

    def service_description(params: MultiDict) -> Response:
        offered = results.formats_for("graph")
        if _page_available("query.html"):
            offered = offered[:1] + [HTML] + offered[1:]
        media_type = choose_format("graph", offered, params)
        if media_type == HTML:
            return query_page()
        from graph.void import build_service_description
        body = state.cached(("sd", endpoint_url(), media_type), lambda: _serialize_rdflib(
            build_service_description(store, endpoint_url=endpoint_url(), base_url=site_url()), media_type))
        return _rdf_response(body, media_type)

    @app.route("/void")
    def void():
        media_type = _graph_format(request.args)
        from graph.void import build_void
        body = state.cached(("void", site_url(), media_type), lambda: _serialize_rdflib(
            build_void(store, endpoint_url=endpoint_url(), base_url=site_url()), media_type))
        return _rdf_response(body, media_type)

    # -- Graph Store Protocol (read-only) and dumps --------------------------------------------

    @app.route("/graph-store", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
    def graph_store():
        if request.method not in ("GET", "HEAD"):
            raise HttpError(405, "method-not-allowed",
                            f"{request.method} is not allowed: the graph store is read-only",
                            hint="read graphs with GET; the data changes only by rebuilding it",
                            headers={"Allow": "GET, HEAD"})
        names = request.args.getlist("graph")
        wants_default = "default" in request.args
        if wants_default and names or len(names) > 1:
            raise HttpError(400, "bad-request", "name exactly one graph: ?graph=IRI or ?default")
        if not wants_default and not names:
            raise HttpError(400, "bad-request", "name a graph: ?graph=IRI or ?default",
                            hint="the graphs are: " + ", ".join(store.graph_names() + [ASSERTED]))
        name = DEFAULT_GRAPH if wants_default else names[0]
        media_type = _graph_format(request.args)
        body = store.serialize_graph(name, media_type, prefixes=_prefixes())
        return _rdf_response(body, media_type)

    @app.route("/dump")
    def dump():
        media_type = _graph_format(request.args, dataset=True)
        if media_type in results.DATASET_FORMATS:
            body = state.cached(("dump", media_type),
                                lambda: store.serialize_dataset(media_type, prefixes=_prefixes()))
        else:
            body = state.cached(("dump", media_type),
                                lambda: store.serialize_graph(DEFAULT_GRAPH, media_type, prefixes=_prefixes()))
        ext = {"application/trig": "trig", "application/n-quads": "nq", "text/turtle": "ttl",
               "application/n-triples": "nt", "application/ld+json": "jsonld", "application/rdf+xml": "rdf"}
        return _rdf_response(body, media_type, headers={
            "Content-Disposition": f'attachment; filename="aenc.{ext.get(media_type, "txt")}"'})

    # -- operations ----------------------------------------------------------------------------

    @app.route("/health")
    def health():
        return jsonify(status="ok", **store_status(store), uptime_seconds=round(time.time() - state.started, 1))

    @app.route("/metrics")
    def metrics():
        idle = store.workers_idle()
        extra = {"aenc_store_triples": len(store), "aenc_uptime_seconds": time.time() - state.started}
        if idle is not None:
            extra["aenc_workers_idle"] = idle
        return Response(state.metrics.render(extra), content_type="text/plain; version=0.0.4; charset=utf-8")

    # -- named queries -------------------------------------------------------------------------

    @app.route("/queries")
    def queries_list():
        from graph.queries import list_queries
        root = request.script_root
        return jsonify(queries=[q.describe() | {"url": f"{root}/queries/{q.name}", "text": q.text}
                                for q in list_queries()])

    @app.route("/queries/<name>")
    def queries_run(name: str):
        from graph.queries import get_query
        named = get_query(name)
        raw: dict[str, str] = {}
        accepted = [p.name for p in named.parameters]
        for key in request.args:
            if key in RESERVED_PARAMS:
                continue
            if key not in accepted:
                raise ParameterError(f"query {name} has no parameter {key!r}",
                                     hint="its parameters are: " + (", ".join(accepted) or "none"))
            raw[key] = _one(request.args.getlist(key), key)
        bindings = named.bind(raw)
        timeout = read_timeout(request.args, cfg["query_timeout"])
        result = store.query(named.text, bindings=bindings, timeout=timeout, max_rows=cfg["max_rows"])
        return _answer(state, result, request.args)

    # -- pages and linked data -----------------------------------------------------------------

    @app.route("/")
    def home():
        media_type = choose_format("page", [HTML, JSON], request.args)
        if media_type == JSON or not _page_available("home.html"):
            root = request.script_root
            return jsonify(name="aenc", sparql=f"{root}/sparql", query_page=f"{root}/query",
                           queries=f"{root}/queries", dump=f"{root}/dump", void=f"{root}/void",
                           graph_store=f"{root}/graph-store", health=f"{root}/health")
        from graph.describe import summarize
        summary = state.cached(("summary",), lambda: summarize(store))
        return _page("home.html", summary=summary, endpoint=endpoint_url(), void_url=site_url() + "void")

    @app.route("/query")
    def query_page():
        return _page("query.html", endpoint=request.script_root + "/sparql",
                     queries_url=request.script_root + "/queries")

    @app.route("/id/<path:path>")
    def resource(path: str):
        return _linked_data(base_iri + "id/" + path)

    @app.route("/graph/<path:path>")
    def graph_page(path: str):
        iri = base_iri + "graph/" + path
        media_type = _graph_format(request.args, with_html=_page_available("resource.html"))
        if media_type != HTML and (iri in store.graph_names() or iri == ASSERTED):
            return _rdf_response(store.serialize_graph(iri, media_type, prefixes=_prefixes()), media_type)
        return _linked_data(iri, media_type)

    @app.route("/ont")
    @app.route("/ont/")
    def ontology():
        from graph.namespaces import ONTOLOGY_GRAPH
        media_type = _graph_format(request.args, with_html=_page_available("ontology.html"))
        if media_type == HTML:
            from graph.describe import describe_ontology
            return _page("ontology.html", ontology=describe_ontology(store, base_iri + "ont/"))
        return _rdf_response(store.serialize_graph(str(ONTOLOGY_GRAPH), media_type, prefixes=_prefixes()),
                             media_type)

    @app.route("/ont/<name>")
    def term(name: str):
        iri = base_iri + "ont/" + name
        media_type = _graph_format(request.args, with_html=_page_available("term.html"))
        if media_type == HTML:
            from graph.describe import describe_term
            return _page("term.html", term=describe_term(store, iri))
        return _describe_rdf(iri, media_type)

    def _linked_data(iri: str, media_type: str | None = None) -> Response:
        media_type = media_type or _graph_format(request.args, with_html=_page_available("resource.html"))
        if media_type == HTML:
            from graph.describe import describe_resource
            return _page("resource.html", resource=describe_resource(store, iri))
        return _describe_rdf(iri, media_type)

    def _describe_rdf(iri: str, media_type: str) -> Response:
        from graph.describe import describe_graph
        return _rdf_response(_serialize_rdflib(describe_graph(store, iri), media_type), media_type)

    def _page(template: str, **context: Any) -> Response:
        response = Response(render_template(template, **context), content_type="text/html; charset=utf-8")
        response.headers["Vary"] = "Accept"
        return response


def _page_available(template: str) -> bool:
    return (ROOT / "templates" / template).is_file()


#: rdflib serializer names for the graph media types
RDFLIB_FORMATS = {
    "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
    "application/rdf+xml": "xml", "application/trig": "trig",
    "application/n-quads": "nt",  # one graph: its N-Triples are N-Quads in the default graph
}


def _serialize_rdflib(graph, media_type: str) -> bytes:
    """An rdflib Graph (descriptions, VoID, service description) in a graph media type."""
    out = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    return out if isinstance(out, bytes) else out.encode()


# ---------------------------------------------------------------- command line

def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="aenc serve", description="Serve the built graph over SPARQL 1.1 (waitress, 127.0.0.1 by default).")
    for s in SETTINGS:
        kind = type(s.default) if s.default is not None and not isinstance(s.default, bool) else str
        parser.add_argument("--" + s.name.replace("_", "-"), dest=s.name, type=kind, default=None,
                            help=f"{s.help} (default: {s.default!r}; environment: {s.env})")
    parser.add_argument("--data", action="append", default=[], metavar="FILE",
                        help="serve this N-Quads or TriG file instead of the build (repeatable)")
    parser.add_argument("--graph", action="append", default=[], metavar="NAME=FILE",
                        help="load an N-Triples/Turtle file into the named graph NAME (repeatable)")
    parser.add_argument("--threads", type=int, default=8, help="HTTP threads of waitress (default: 8)")
    return parser.parse_args(argv)


def _files(args: argparse.Namespace) -> list[tuple[str | None, str]]:
    files: list[tuple[str | None, str]] = [(None, f) for f in args.data]
    for spec in args.graph:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ParameterError(f"--graph {spec!r} is not NAME=FILE", hint="e.g. --graph http://example.org/g=data.nt")
        files.append((name, path))
    return files


def _say_loading(nquads: Path, disk_over_mb: float) -> None:
    """Say that the in-memory store is loading, and at a size where it takes long, what is faster."""
    try:
        size = nquads.stat().st_size
    except OSError:
        return      # the store reports the missing file, with its fix
    print(f"aenc: loading {nquads} ({size / 1e6:,.0f} MB) into memory", flush=True)
    if size > disk_over_mb * 1_000_000:
        print("aenc: for a graph this size, --store disk (or auto, the default) starts in under a "
              "second and needs about a tenth of the memory", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve with waitress. Prints the URL it listens on (with --port 0, the port it got)."""
    import waitress

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    overrides = {s.name: getattr(args, s.name) for s in SETTINGS}
    cfg = resolve(overrides)
    try:
        files = _files(args)
        limits = {"workers": cfg["workers"], "worker_memory_mb": cfg["worker_memory_mb"]}
        if not files and chosen_kind(cfg) == "memory":
            _say_loading(Path(cfg["build_dir"]) / NQUADS_FILE, cfg["disk_over_mb"])
        store = Store.from_files(files, **limits) if files else open_configured_store(cfg)
    except AencError as error:
        print(f"aenc serve: {error}", file=sys.stderr)
        return 2
    try:
        app = create_app(overrides, store=store)
        server = waitress.create_server(app, host=cfg["host"], port=cfg["port"], threads=args.threads,
                                        max_request_body_size=cfg["max_body_bytes"], ident="aenc")
        try:
            held = f"{len(store)} quads, {len(store.graph_names())} graphs"
        except AencError as error:    # a remote store that is down: serve anyway, /health says 503
            held = "not reachable yet"
            print(f"aenc serve: warning: {error}", file=sys.stderr, flush=True)
        print(f"aenc: serving {store.source} ({held}) on http://{cfg['host']}:{server.effective_port}/",
              flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"aenc serve: cannot listen on {cfg['host']}:{cfg['port']}: {error.strerror}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
