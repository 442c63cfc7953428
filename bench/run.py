"""aenc side by side with Oxigraph server and owlrl, at several sizes, in one run.

    python bench/run.py                                   # N = 1,000, 10,000 and 100,000
    python bench/run.py --sizes 1000 --out /tmp/b.json    # one size

At each N (synthetic encounters from bench/generate.py, plus the curated reports):

  build     load, validate, reason, write with the fast engines (bench/pipeline.py); where
            N <= --rdflib-max also aenc's rdflib stages (rdflib load, pySHACL, owlrl — plain
            owlrl against graph.fastreason, results compared)
  queries   every named query (default parameters) and analytic joins, in-process (aenc's
            graph.store.Store vs embedded pyoxigraph) and over HTTP (server.py under waitress vs
            `oxigraph serve`, both in memory, same N-Quads, same query text); answers compared
  load      8 concurrent HTTP clients, bounded by --load-requests and --load-seconds
  memory    peak RSS (VmHWM) of each server's processes; server start on the built graph
  growth    from the previous size, per query, the exponent e of t ~ N^e of the in-process
            medians (aenc, and embedded pyoxigraph where both sizes ran it); over --max-growth
            (1.3) is "superlinear", and so is a query not run at this size (within_budget)

Everything listens on 127.0.0.1 only. Progress goes to stderr; the table to stdout; the
figures to --out as JSON. Needs the `oxigraph` CLI (pip install oxigraph, the `bench` extra).
Exit status: 0; 1 when a query is superlinear or was not run at a size (after the JSON and
the table are written); 2 when the `oxigraph` CLI is missing.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate, write  # noqa: E402
from bench.pipeline import fast_build  # noqa: E402
from bench.sparql import bench_queries, compare, normal_rows  # noqa: E402

JSON_RESULTS = "application/sparql-results+json"
UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
CLIENTS = 8
#: a query slower than this (seconds) runs once, and is left out of the load test
SLOW_SECONDS = 2.0
#: a query whose time, scaled from the previous size, would pass this is not run (seconds)
BUDGET_SECONDS = 60.0
#: a query that took longer than this in-process on aenc runs nowhere else at that size (seconds)
CUTOFF_SECONDS = 30.0
#: growth exponents above this flag a query as superlinear (--max-growth)
MAX_GROWTH = 1.3
#: a pair of sizes whose smaller time is under this is not checked: timer noise (seconds)
GROWTH_MIN_SECONDS = 0.005
ENGINES = ("aenc", "oxigraph")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": percentile(values, 0.95), "n": len(values)}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


# ---------------------------------------------------------------------------------------------
# processes and memory
# ---------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def memory_mb(pid: int) -> dict:
    """Peak RSS (VmHWM) of the process and of each of its descendants, and PSS now, in MB."""
    peak, pss, procs = 0.0, 0.0, 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak += int(line.split()[1]) / 1024
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) / 1024
            procs += 1
        except OSError:
            continue
    return {"peak_rss_mb": round(peak, 1), "pss_mb": round(pss, 1), "processes": procs}


class Server:
    """A server process started by the benchmark (stopped by its pid, never by name)."""

    def __init__(self, name: str, args: list[str], port: int, ready_path: str, log_path: Path):
        self.name, self.port = name, port
        self.log = open(log_path, "wb")
        start = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=str(ROOT), start_new_session=True)
        deadline = time.time() + 3600
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode}; see {log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", ready_path)
                if conn.getresponse().status < 500:
                    break
            except OSError:
                time.sleep(0.05)
        self.start_seconds = time.perf_counter() - start

    def memory(self) -> dict:
        return memory_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

class Endpoint:
    """A SPARQL endpoint: POST application/sparql-query, JSON results."""

    def __init__(self, name: str, port: int, path: str):
        self.name, self.port, self.path = name, port, path
        self.local = threading.local()

    def connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        return conn

    def query(self, text: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        for attempt in (1, 2):
            conn = self.connection()
            try:
                conn.request("POST", self.path, body=text.encode("utf-8"),
                             headers={"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS})
                response = conn.getresponse()
                body = response.read()
                return response.status, body, time.perf_counter() - start
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def rows_of(body: bytes) -> tuple[list[str], list[dict]]:
    """SPARQL JSON results as (variables, rows of {var: (kind, value, datatype or @lang)})."""
    doc = json.loads(body)
    variables = doc["head"].get("vars", [])
    rows = []
    for binding in doc.get("results", {}).get("bindings", []):
        row = {}
        for var, cell in binding.items():
            kind = "literal" if cell["type"] in ("literal", "typed-literal") else cell["type"]
            extra = cell.get("datatype") or ("@" + cell["xml:lang"] if "xml:lang" in cell else "")
            if extra == "http://www.w3.org/2001/XMLSchema#string":
                extra = ""
            row[var] = (kind, cell["value"], extra)
        rows.append(row)
    return variables, rows


def post(port: int, path: str, body: bytes, content_type: str, timeout: float = 3600) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.perf_counter()
    conn.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = conn.getresponse()
    text = response.read()
    if response.status >= 300:
        raise RuntimeError(f"POST {path} -> {response.status}: {text[:300]!r}")
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------------
# stages
# ---------------------------------------------------------------------------------------------

def rdflib_stages(folder: Path, build_dir: Path, result: dict) -> None:
    """aenc's rdflib pipeline: load, pySHACL, owlrl vs the fast reasoner on the same graphs."""
    from graph.fastreason import reason_fast
    from graph.fastvalidate import validate_fast
    from graph.load import load, load_shapes
    from graph.reason import reason
    from graph.validate import validate_loaded

    loaded, t_load = timed(load, folder)
    asserted = loaded.asserted()
    log(f"  rdflib load: {len(asserted)} triples ({t_load:.1f} s)")
    shapes = load_shapes()
    report, t_shacl = timed(validate_loaded, loaded, shapes)
    fast_report, t_fast_shacl = timed(validate_fast, asserted, loaded.ontology, shapes)
    log(f"  pySHACL {t_shacl:.1f} s, fast validation {t_fast_shacl:.2f} s, same report: "
        f"{report.text() == fast_report.text()}")
    fast, t_fast = timed(reason_fast, loaded.ontology, asserted)
    log(f"  fast reasoner on rdflib graphs: {len(fast)} triples ({t_fast:.2f} s); owlrl running...")
    slow, t_owlrl = timed(reason, loaded.ontology, asserted)
    same = set(fast) == set(slow)
    log(f"  owlrl: {len(slow)} triples ({t_owlrl:.1f} s); same inferences: {same}; "
        f"owlrl/fast = {t_owlrl / t_fast:.0f}x")
    result["rdflib"] = {
        "load_s": t_load, "pyshacl_s": t_shacl, "fastvalidate_rdflib_s": t_fast_shacl,
        "same_validation_report": report.text() == fast_report.text(),
        "owlrl_s": t_owlrl, "fastreason_rdflib_s": t_fast, "same_inferences": same,
        "inferred": len(slow), "ratio_owlrl_over_fast": t_owlrl / t_fast,
    }


def cli_build(folder: Path, build_dir: Path, work: Path) -> dict:
    """The build a user runs, ``aenc build`` on a folder of Turtle files (rdflib load and QC,
    then the fast engines), timed; its aenc.nq compared with the fast build's line by line (lines
    with blank nodes counted only: the two label blank nodes differently)."""
    target = work / "cli-build"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--data-dir", str(folder),
                           "--build-dir", str(target), "-q"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:], "seconds": seconds}
    stats = json.loads((target / "stats.json").read_text())
    # the fast build labels blank nodes as the parser does, the CLI canonically: compare the rest
    mine, fast = ((target / "aenc.nq").read_bytes().splitlines(), (build_dir / "aenc.nq").read_bytes().splitlines())
    same = len(mine) == len(fast) and [x for x in mine if b"_:" not in x] == [x for x in fast if b"_:" not in x]
    shutil.rmtree(target, ignore_errors=True)
    return {"seconds": seconds, "stages": stats["seconds"], "same_as_fast_build_but_blank_node_labels": same}


def embedded_oxigraph(nquads: Path):
    import pyoxigraph as ox
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.update(UNION_UPDATE)
    return store


def in_process(queries, build_dir: Path, repeat: int, result: dict, embedded: bool = True) -> dict:
    """Each query on aenc's Store (no workers), then (``embedded``) on embedded pyoxigraph;
    answers compared. One engine at a time, so that only one copy of the data is in memory."""
    import gc

    import pyoxigraph as ox
    from graph.store import Store

    def run(execute) -> dict:
        out = {}
        for q in queries:
            times, body = [], b""
            for attempt in range(repeat):
                if attempt and times[0] > SLOW_SECONDS:
                    break                 # a slow query runs once
                body, t = timed(execute, q)
                times.append(t)
            out[q.name] = (times, body)
        return out

    store, t_open = timed(Store.open, build_dir)
    aenc_runs = run(lambda q: (store.query(q.named.text, bindings=q.bindings, max_rows=10**9, timeout=3600)
                               if q.named is not None else store.query(q.text, max_rows=10**9, timeout=3600)
                               ).serialize(JSON_RESULTS))
    store.close()
    del store
    gc.collect()
    fast = [q for q in queries if aenc_runs[q.name][0][0] <= CUTOFF_SECONDS]
    t_raw, ox_runs = None, {}
    if embedded:
        raw, t_raw = timed(embedded_oxigraph, build_dir / "aenc.nq")
        queries, all_queries = fast, queries
        ox_runs = run(lambda q: raw.query(q.text).serialize(format=ox.QueryResultsFormat.JSON))
        queries = all_queries
        del raw
        gc.collect()
    log(f"  in-process: aenc Store.open {t_open:.1f} s"
        + (f", embedded pyoxigraph load {t_raw:.1f} s" if embedded else ""))
    answers, out = {}, {}
    for q in queries:
        a_times, a_body = aenc_runs[q.name]
        va, ra = rows_of(a_body)
        answers[q.name] = normal_rows(va, ra)
        out[q.name] = {"rows": len(ra), "aenc": summary(a_times)}
        line = f"    {q.name:40s} {len(ra):7d} rows  aenc {statistics.median(a_times) * 1000:9.1f} ms"
        if q.name in ox_runs:
            o_times, o_body = ox_runs[q.name]
            vb, rb = rows_of(o_body)
            out[q.name]["oxigraph"] = summary(o_times)
            out[q.name]["answers"] = compare(answers[q.name], normal_rows(vb, rb), q.ordered)
            line += f"  pyoxigraph {statistics.median(o_times) * 1000:9.1f} ms  {out[q.name]['answers']}"
        if a_times[0] > CUTOFF_SECONDS:
            out[q.name]["cut_off"] = True
            line += f"  (over {CUTOFF_SECONDS:.0f} s: not run elsewhere at this size)"
        log(line)
    result["in_process"] = {"store_open_s": t_open, "embedded_oxigraph_load_s": t_raw, "queries": out}
    return answers


def http_latency(queries, ep: Endpoint, repeat: int, reference: dict, out: dict) -> None:
    """Each query ``repeat`` times on one endpoint; answers compared with the in-process ones."""
    for q in queries:
        times, body, status = [], b"", 0
        for attempt in range(repeat):
            if attempt and times[0] > SLOW_SECONDS:
                break                     # a slow query runs once
            status, body, t = ep.query(q.text)
            times.append(t)
        entry = out.setdefault(q.name, {})
        if status != 200:
            entry[ep.name] = {"status": status, "error": body[:300].decode("utf-8", "replace")}
            log(f"    {q.name:40s} {ep.name}: HTTP {status}")
            continue
        v, r = rows_of(body)
        check = compare(reference[q.name], normal_rows(v, r), q.ordered)
        entry[ep.name] = {**summary(times), "rows": len(r), "answers_vs_in_process": check}
        log(f"    {q.name:40s} {ep.name} {statistics.median(times) * 1000:9.1f} ms [{check}]")


def http_load(queries, ep: Endpoint, max_requests: int, max_seconds: float) -> dict:
    """CLIENTS threads cycling through the queries until max_requests or max_seconds."""
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.perf_counter() + max_seconds

    def client(index: int) -> None:
        i = index
        while True:
            with lock:
                if issued[0] >= max_requests or time.perf_counter() >= deadline:
                    return
                issued[0] += 1
            q = queries[i % len(queries)]
            i += 1
            try:
                status, _body, t = ep.query(q.text)
            except OSError:
                status, t = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(t)
                else:
                    errors[status] = errors.get(status, 0) + 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {"clients": CLIENTS, "requests_ok": len(latencies), "errors": errors,
            "seconds": elapsed, "throughput_rps": len(latencies) / elapsed,
            **({"latency": summary(latencies)} if latencies else {})}


def http_on_disk(ep: Endpoint, queries, reference: dict, repeat: int) -> dict:
    """Each query over HTTP on a server started on its persistent store; answers compared."""
    out = {}
    for q in queries:
        times, status, body = [], 0, b""
        for run in range(repeat):
            if run and times[0] > SLOW_SECONDS:
                break
            status, body, t = ep.query(q.text)
            times.append(t)
        if status != 200:
            out[q.name] = {"status": status}
            continue
        v, r = rows_of(body)
        out[q.name] = {**summary(times),
                       "answers_vs_in_process": compare(reference[q.name], normal_rows(v, r), q.ordered)}
    return out


def aenc_on_disk(queries, build_dir: Path, work: Path, reference: dict, repeat: int) -> dict:
    """aenc's persistent store: written once after the build; a server started on it."""
    from graph.diskstore import build_disk_store
    log("aenc on disk: write the store once, then start a server on it")
    _, t_write = timed(build_disk_store, build_dir)
    port = free_port()
    server = Server("aenc-disk", [sys.executable, "bench/serve_disk.py", str(build_dir), str(port)],
                    port, "/health", work / "aenc-disk.log")
    log(f"  store written in {t_write:.1f} s; server ready in {server.start_seconds:.2f} s")
    out = {"write_store_s": t_write, "start_s": server.start_seconds}
    try:
        out["queries"] = http_on_disk(Endpoint("aenc-disk", port, "/sparql"), queries, reference, repeat)
        out.update(server.memory())
    finally:
        server.stop()
    bad = {k: v for k, v in out["queries"].items() if not str(v.get("answers_vs_in_process", "")).startswith("same")}
    log(f"  {len(out['queries'])} queries over HTTP on disk, answers differ for: {sorted(bad) or 'none'}; "
        f"peak RSS {out.get('peak_rss_mb')} MB")
    return out


def serve_and_measure(server: Server, ep: Endpoint, queries, interactive, reference: dict, args,
                      result: dict) -> None:
    """Latency of each query, then the load test, then the server's memory."""
    log(f"  queries over HTTP ({args.repeat} each)")
    http_latency(queries, ep, args.repeat, reference, result["http"])
    log(f"  load: {CLIENTS} clients, {len(interactive)} queries under {SLOW_SECONDS:.0f} s "
        f"(<= {args.load_requests} requests, <= {args.load_seconds:.0f} s)")
    load = http_load(interactive, ep, args.load_requests, args.load_seconds)
    load["queries"] = [q.name for q in interactive]
    result["load"][ep.name] = load
    log(f"  {load['requests_ok']} ok, {sum(load['errors'].values())} errors, {load['throughput_rps']:.2f} req/s")
    result["memory"][ep.name] = server.memory()
    log(f"  memory: {result['memory'][ep.name]}")


def oxigraph_on_disk(oxigraph: str, nquads: Path, work: Path, queries, reference: dict, repeat: int) -> dict:
    """Oxigraph's persistent mode: bulk load a folder, the time to serve it, then the same
    queries as aenc on disk and the server's memory after them (like for like with aenc_on_disk)."""
    location = work / "oxigraph-db"
    shutil.rmtree(location, ignore_errors=True)
    _, t_load = timed(subprocess.run, [oxigraph, "load", "--location", str(location), "--file", str(nquads)],
                      check=True, capture_output=True)
    _, t_union = timed(subprocess.run, [oxigraph, "update", "--location", str(location), "--update",
                                        UNION_UPDATE], check=True, capture_output=True)
    port = free_port()
    server = Server("oxigraph-disk", [oxigraph, "serve-read-only", "--location", str(location), "--bind",
                                      f"127.0.0.1:{port}"], port, "/", work / "oxigraph-disk.log")
    ep = Endpoint("oxigraph-disk", port, "/query")
    try:
        _, t_first = timed(ep.query, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        out = {"bulk_load_s": t_load, "union_update_s": t_union, "start_s": server.start_seconds,
               "first_count_query_s": t_first}
        out["queries"] = http_on_disk(ep, queries, reference, repeat)
        out.update(server.memory())
    finally:
        server.stop()
        shutil.rmtree(location, ignore_errors=True)
    return out


# ---------------------------------------------------------------------------------------------
# one size
# ---------------------------------------------------------------------------------------------

def within_budget(queries, previous: dict | None, n: int) -> tuple[list, dict]:
    """The queries whose time at the previous size, scaled by (n / previous n) ** 1.5 (joins
    grow faster than the data), stays within BUDGET_SECONDS; and the estimates of the others."""
    if not previous:
        return queries, {}
    factor = (n / previous["n"]) ** 1.5
    times = previous.get("in_process", {}).get("queries", {})
    keep, skipped = [], {}
    for q in queries:
        before = times.get(q.name)
        if before is None and q.name in previous.get("skipped_queries", {}):
            skipped[q.name] = previous["skipped_queries"][q.name] * factor
            continue
        estimate = before["aenc"]["median"] * factor if before else 0
        if estimate > BUDGET_SECONDS:
            skipped[q.name] = estimate
        else:
            keep.append(q)
    return keep, skipped


def growth_exponent(t_small: float, t_large: float, n_small: int, n_large: int,
                    min_seconds: float = GROWTH_MIN_SECONDS) -> float | None:
    """log(t_large / t_small) / log(n_large / n_small): the e of t ~ N^e between two sizes (1 when
    the time grows with the data, 2 with its square). None when t_small is under min_seconds
    (timer noise, not a growth), a time is not positive, or the sizes do not increase."""
    if n_large <= n_small or t_small < min_seconds or t_small <= 0 or t_large <= 0:
        return None
    return math.log(t_large / t_small) / math.log(n_large / n_small)


def growth_entry(before: dict, now: dict, n_small: int, n_large: int, max_growth: float) -> dict:
    """One query's exponents per engine (None where not measured at both sizes or too fast to
    tell), ``flag`` when aenc's passes max_growth, ``unchecked``: the engines too fast to tell."""
    entry: dict = {}
    unchecked = []
    for engine in ENGINES:
        entry[engine] = None
        if engine in before and engine in now:
            entry[engine] = growth_exponent(before[engine]["median"], now[engine]["median"], n_small, n_large)
            if entry[engine] is None:
                unchecked.append(engine)
    # aenc's exponent decides (Oxigraph's is shown beside it): a slow formulation shows on both,
    # while one engine alone moving at a few milliseconds is the cache, not the query
    entry["flag"] = entry["aenc"] is not None and entry["aenc"] > max_growth
    if unchecked:
        entry["unchecked"] = unchecked
    return entry


def growth(previous: dict | None, result: dict, max_growth: float) -> dict:
    """Per query measured in-process at the previous size and at this one, its growth_entry; a
    query that within_budget did not run at this size is flagged too (``not_run``: it was
    predicted to be superlinear or too slow)."""
    if not previous:
        return {}
    n_small, n_large = previous["n"], result["n"]
    before = previous.get("in_process", {}).get("queries", {})
    out = {}
    for name, now in result.get("in_process", {}).get("queries", {}).items():
        if name in before:
            out[name] = growth_entry(before[name], now, n_small, n_large, max_growth)
    for name, estimate in result.get("skipped_queries", {}).items():
        out[name] = {**{engine: None for engine in ENGINES}, "flag": True, "not_run": True,
                     "estimate_s": estimate}
    return out


def growth_summary(previous: dict | None, result: dict, max_growth: float) -> dict:
    """What the growth check did at this size: sizes, thresholds, the flagged queries, and the
    queries not checked because their time at the smaller size was under GROWTH_MIN_SECONDS."""
    per_query = result.get("growth", {})
    return {"from_n": previous["n"] if previous else None, "max_growth": max_growth,
            "min_seconds": GROWTH_MIN_SECONDS,
            "superlinear": sorted(name for name, g in per_query.items() if g["flag"]),
            "unchecked": sorted(name for name, g in per_query.items() if g.get("unchecked"))}


def growth_failures(results: list[dict]) -> dict[str, str]:
    """Each flagged query, with why, at the first size where it was flagged."""
    failures: dict[str, str] = {}
    for r in results:
        for name, g in r.get("growth", {}).items():
            if not g["flag"] or name in failures:
                continue
            if g.get("not_run"):
                failures[name] = (f"not run at N={r['n']:,} (about {g['estimate_s']:.0f} s or more, scaled "
                                  f"by N^1.5; budget {BUDGET_SECONDS:.0f} s)")
            else:
                exps = ", ".join(f"{g[e]:.2f} on {e}" for e in ENGINES if g[e] is not None)
                failures[name] = f"exponent {exps} from N={r['growth_check']['from_n']:,} to N={r['n']:,}"
    return failures


def growth_line(r: dict) -> str:
    """The growth check of one size, in one line of the table."""
    check = r["growth_check"]
    unchecked = len(check["unchecked"])
    return (f"  growth from N={check['from_n']:,} (in-process medians; {unchecked} quer"
            f"{'y' if unchecked == 1 else 'ies'} under {check['min_seconds'] * 1000:.0f} ms at the smaller "
            f"size on an engine, not checked there: timer noise): superlinear (> {check['max_growth']:g}): "
            + (", ".join(name + (" (not run)" if r["growth"][name].get("not_run") else "")
                         for name in check["superlinear"]) or "none"))


def reason_growth(previous: dict, result: dict) -> dict:
    """Reasoning time (the fast build's reason stage) at this size over the previous size's,
    with the ratio of the sizes; the issue's target is at most 12 for 10 times the encounters."""
    before, now = previous["build"]["seconds"]["reason"], result["build"]["seconds"]["reason"]
    return {"from_n": previous["n"], "n": result["n"], "size_ratio": result["n"] / previous["n"],
            "time_ratio": now / before if before > 0 else None,
            "exponent": growth_exponent(before, now, previous["n"], result["n"])}


def reason_growth_line(g: dict) -> str:
    """The reasoning growth of one size, in one line."""
    if g["time_ratio"] is None:
        return f"  reasoning growth from N={g['from_n']:,}: not measured (0 s at the smaller size)"
    exponent = f"exponent {g['exponent']:.2f}; " if g["exponent"] is not None else ""
    return (f"  reasoning time N={g['n']:,} / N={g['from_n']:,}: {g['time_ratio']:.1f} for "
            f"{g['size_ratio']:g}x the encounters ({exponent}target at most 12 for 10x)")


def run_size(n: int, args, oxigraph: str, previous: dict | None = None) -> dict:
    work = Path(args.work) / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result: dict = {"n": n}
    log(f"=== N = {n:,} encounters ===")
    data, t_gen = timed(generate, n, args.seed, with_curated=True)
    write(data, work / "data.nq")
    if n <= max(args.rdflib_max, args.cli_build_max):
        write(data, work / "data/")
    result["generate"] = {"seconds": t_gen, "triples": data.triple_count(), "reports": len(data.reports)}
    log(f"generated {data.triple_count():,} triples in {len(data.reports):,} reports ({t_gen:.1f} s)")
    del data

    build_dir = work / "build"
    stats = fast_build(work / "data.nq", build_dir, progress=lambda m: log("  fast build: " + m),
                       reason_runs=args.reason_runs)
    result["build"] = {k: stats[k] for k in ("encounters", "reports", "triples_asserted", "triples_inferred")}
    result["build"]["seconds"] = stats["seconds"]
    if n <= args.cli_build_max:
        log("  aenc build (the command users run) on the same data as Turtle files")
        result["cli_build"] = cli_build(work / "data", build_dir, work)
        log(f"  aenc build: {result['cli_build']}")
    if n <= args.rdflib_max:
        rdflib_stages(work / "data", build_dir, result)

    queries, skipped = within_budget(bench_queries(), previous, n)
    result["skipped_queries"] = skipped
    for name, estimate in skipped.items():
        log(f"  skipping {name}: about {estimate:.0f} s or more at this size (budget {BUDGET_SECONDS:.0f} s)")
    log(f"queries in-process ({len(queries)} queries x {args.repeat})")
    reference = in_process(queries, build_dir, args.repeat, result, embedded=n <= args.embedded_max)
    done = result["in_process"]["queries"]
    queries = [q for q in queries if not done[q.name].get("cut_off")]
    interactive = [q for q in queries if done[q.name]["aenc"]["median"] < SLOW_SECONDS]

    result["http"], result["load"], result["memory"], result["servers"] = {}, {}, {}, {}
    # one server at a time: each holds the whole dataset in memory
    port = free_port()
    log("aenc server (server.py under waitress, in memory)")
    aenc = Server("aenc", [sys.executable, "server.py", "--build-dir", str(build_dir), "--port", str(port),
                           "--store", "memory", "--rate-limit", "0", "--max-rows", str(10**9), "--query-timeout", "3600",
                           "--max-body-bytes", str(10**7), "--worker-memory-mb", "0"],
                  port, "/health", work / "aenc-server.log")
    log(f"  ready in {aenc.start_seconds:.1f} s")
    result["servers"]["aenc_start_s"] = aenc.start_seconds
    try:
        serve_and_measure(aenc, Endpoint("aenc", port, "/sparql"), queries, interactive, reference, args, result)
    finally:
        aenc.stop()
    oport = free_port()
    log("oxigraph server (oxigraph serve, in memory; the build's N-Quads POSTed, union made)")
    oxi = Server("oxigraph", [oxigraph, "serve", "--bind", f"127.0.0.1:{oport}", "--timeout-s", "3600"],
                 oport, "/", work / "oxigraph.log")
    try:
        t_post = post(oport, "/store", (build_dir / "aenc.nq").read_bytes(), "application/n-quads")
        t_union = post(oport, "/update", UNION_UPDATE.encode(), "application/sparql-update")
        log(f"  ready in {oxi.start_seconds:.1f} s, loaded in {t_post:.1f} s (+ union {t_union:.1f} s)")
        result["servers"].update({"oxigraph_start_s": oxi.start_seconds, "oxigraph_load_s": t_post,
                                  "oxigraph_union_s": t_union})
        serve_and_measure(oxi, Endpoint("oxigraph", oport, "/query"), queries, interactive, reference, args, result)
    finally:
        oxi.stop()
    if not args.skip_disk:
        result["aenc_disk"] = aenc_on_disk(interactive, build_dir, work, reference, 1)
        log("oxigraph on disk: bulk load, start")
        result["oxigraph_disk"] = oxigraph_on_disk(oxigraph, build_dir / "aenc.nq", work, interactive,
                                                   reference, 1)
        log(f"  {({k: v for k, v in result['oxigraph_disk'].items() if k != 'queries'})}")
    result["ratios"] = ratios(result)
    if previous:
        result["growth"] = growth(previous, result, args.max_growth)
        result["growth_check"] = growth_summary(previous, result, args.max_growth)
        log(growth_line(result).strip())
        result["reason_growth"] = reason_growth(previous, result)
        log(reason_growth_line(result["reason_growth"]))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def ratios(r: dict) -> dict:
    out = {}
    http = r.get("http", {})
    named = [name for name in http if not name.startswith("join-")]
    a = [http[q]["aenc"]["median"] for q in named if "median" in http[q].get("aenc", {})]
    o = [http[q]["oxigraph"]["median"] for q in named if "median" in http[q].get("oxigraph", {})]
    if a and o:
        out["http_median_latency_named_aenc_over_oxigraph"] = statistics.median(a) / statistics.median(o)
        per = [http[q]["aenc"]["median"] / http[q]["oxigraph"]["median"] for q in named
               if "median" in http[q].get("aenc", {}) and "median" in http[q].get("oxigraph", {})]
        out["http_latency_median_of_per_query_ratios"] = statistics.median(per)
    load = r.get("load", {})
    if "aenc" in load and "oxigraph" in load and load["oxigraph"]["throughput_rps"]:
        out["throughput_aenc_over_oxigraph"] = load["aenc"]["throughput_rps"] / load["oxigraph"]["throughput_rps"]
    mem = r.get("memory", {})
    if mem:
        out["peak_rss_aenc_over_oxigraph"] = mem["aenc"]["peak_rss_mb"] / mem["oxigraph"]["peak_rss_mb"]
        out["pss_aenc_over_oxigraph"] = mem["aenc"]["pss_mb"] / mem["oxigraph"]["pss_mb"]
    disk_a, disk_o = r.get("aenc_disk", {}), r.get("oxigraph_disk", {})
    if disk_a.get("queries") and disk_o.get("queries"):
        both = [q for q in disk_a["queries"] if q in disk_o["queries"] and not q.startswith("join-")
                and "median" in disk_a["queries"][q] and "median" in disk_o["queries"][q]]
        if both:
            out["disk_http_median_latency_named_aenc_over_oxigraph"] = (
                statistics.median(disk_a["queries"][q]["median"] for q in both)
                / statistics.median(disk_o["queries"][q]["median"] for q in both))
        out["disk_peak_rss_aenc_over_oxigraph"] = disk_a["peak_rss_mb"] / disk_o["peak_rss_mb"]
        out["disk_pss_aenc_over_oxigraph"] = disk_a["pss_mb"] / disk_o["pss_mb"]
    if "rdflib" in r:
        out["reason_owlrl_over_aenc_fast"] = r["rdflib"]["owlrl_s"] / r["build"]["seconds"]["reason"]
    return out


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------

def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        n = r["n"]
        b = r["build"]
        s = b["seconds"]
        lines.append(f"\nN = {n:,} encounters: {b['triples_asserted']:,} asserted + {b['triples_inferred']:,} "
                     f"inferred triples")
        lines.append(f"  build (fast): load {s['load']:.2f} s, validate {s['validate']:.2f} s, "
                     f"reason {s['reason']:.2f} s, write {s['write']:.2f} s")
        if "cli_build" in r:
            c = r["cli_build"]
            lines.append(f"  aenc build (the CLI, on Turtle files): "
                         + (f"{c['seconds']:.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in c["stages"].items()
                                                                   if k != "total")
                            + f"); same aenc.nq as the fast build (but blank node labels): "
                            f"{c['same_as_fast_build_but_blank_node_labels']}"
                            if "error" not in c else f"failed: {c['error']}"))
        if "rdflib" in r:
            x = r["rdflib"]
            lines.append(f"  rdflib path: load {x['load_s']:.1f} s, pySHACL {x['pyshacl_s']:.1f} s, "
                         f"owlrl {x['owlrl_s']:.1f} s (same inferences as fast: {x['same_inferences']}; "
                         f"same SHACL report: {x['same_validation_report']})")
        lines.append(f"  {'query':40s} {'rows':>8s} {'aenc med':>10s} {'p95':>9s} {'oxi med':>10s} "
                     f"{'p95':>9s} {'ratio':>7s} {'growth':>6s}  answers")
        grown = r.get("growth", {})
        for name, q in r.get("http", {}).items():
            a, o = q.get("aenc", {}), q.get("oxigraph", {})
            if "median" not in a or "median" not in o:
                lines.append(f"  {name:40s} error: {a.get('error') or o.get('error')}")
                continue
            lines.append(f"  {name:40s} {a['rows']:8d} {a['median'] * 1000:8.1f}ms {a['p95'] * 1000:7.1f}ms "
                         f"{o['median'] * 1000:8.1f}ms {o['p95'] * 1000:7.1f}ms {a['median'] / o['median']:7.2f} "
                         f"{growth_cell(grown.get(name))}  "
                         f"{a['answers_vs_in_process']}/{o['answers_vs_in_process']}")
        for name, estimate in r.get("skipped_queries", {}).items():
            lines.append(f"  {name:40s} not run: about {estimate:.0f} s or more at this size "
                         f"(fails the growth check)")
        for name, q in r.get("in_process", {}).get("queries", {}).items():
            if q.get("cut_off"):
                lines.append(f"  {name:40s} {q['rows']:8d} rows, {q['aenc']['median']:.0f} s in-process "
                             f"on aenc: not run elsewhere")
        for name, ld in r.get("load", {}).items():
            lat = ld.get("latency", {})
            lines.append(f"  load {name:10s}: {ld['throughput_rps']:.2f} req/s, {ld['requests_ok']} ok, "
                         f"errors {ld['errors']}, latency median {lat.get('median', 0) * 1000:.0f} ms, "
                         f"p95 {lat.get('p95', 0) * 1000:.0f} ms")
        for name, m in r.get("memory", {}).items():
            lines.append(f"  memory {name:10s}: peak RSS {m['peak_rss_mb']:.0f} MB over {m['processes']} "
                         f"process(es), PSS {m['pss_mb']:.0f} MB")
        sv = r.get("servers", {})
        lines.append(f"  start: aenc server {sv.get('aenc_start_s', 0):.1f} s; oxigraph in memory "
                     f"{sv.get('oxigraph_start_s', 0):.1f} s + HTTP load {sv.get('oxigraph_load_s', 0):.1f} s"
                     + (f"; oxigraph on disk {r['oxigraph_disk']['start_s']:.1f} s "
                        f"(bulk load {r['oxigraph_disk']['bulk_load_s']:.1f} s)" if "oxigraph_disk" in r else ""))
        if "aenc_disk" in r:
            d = r["aenc_disk"]
            med = [q["median"] for q in d["queries"].values() if "median" in q]
            lines.append(f"  aenc on disk: store written in {d['write_store_s']:.1f} s, server start "
                         f"{d['start_s']:.2f} s, median query {statistics.median(med) * 1000:.1f} ms, "
                         f"peak RSS {d.get('peak_rss_mb', 0):.0f} MB, PSS {d.get('pss_mb', 0):.0f} MB")
        if r.get("oxigraph_disk", {}).get("queries"):
            d = r["oxigraph_disk"]
            med = [q["median"] for q in d["queries"].values() if "median" in q]
            lines.append(f"  oxigraph on disk: median query {statistics.median(med) * 1000:.1f} ms, "
                         f"peak RSS {d.get('peak_rss_mb', 0):.0f} MB, PSS {d.get('pss_mb', 0):.0f} MB")
        lines.append("  ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in r.get("ratios", {}).items()))
        if "growth_check" in r:
            lines.append(growth_line(r))
        if "reason_growth" in r:
            lines.append(reason_growth_line(r["reason_growth"]))
    return "\n".join(lines)


def growth_cell(g: dict | None) -> str:
    """The aenc growth exponent of one query for the table ('-': first size or under 5 ms; '!' flagged)."""
    if not g or g["aenc"] is None:
        return f"{'-':>6s}"
    return f"{g['aenc']:5.2f}" + ("!" if g["flag"] else " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated N (default 1000,10000,100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument("--work", default="/tmp/aenc-bench", help="scratch folder (default /tmp/aenc-bench)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query per engine (default 5)")
    parser.add_argument("--rdflib-max", type=int, default=1000,
                        help="largest N for the rdflib stages (rdflib load, pySHACL, owlrl; default 1000)")
    parser.add_argument("--load-requests", type=int, default=400, help="most requests per load test")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="longest load test, in seconds")
    parser.add_argument("--cli-build-max", type=int, default=10000,
                        help="largest N for timing `aenc build` on the data as Turtle files (default 10000)")
    parser.add_argument("--embedded-max", type=int, default=10000,
                        help="largest N for the in-process run on embedded pyoxigraph (default 10000)")
    parser.add_argument("--reason-runs", type=int, default=3,
                        help="runs of the reasoner's closure at each size; the median is reported (default 3)")
    parser.add_argument("--skip-disk", action="store_true", help="skip the on-disk stores (aenc's and Oxigraph's)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder of each size")
    parser.add_argument("--max-growth", type=float, default=MAX_GROWTH,
                        help="a query whose in-process time grows as N^e with e above this, from one size to "
                             f"the next, fails the run (exit status 1; default {MAX_GROWTH})")
    args = parser.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: give whole numbers separated by commas, e.g. 1000,10000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes: every N must be a positive number of encounters")
    if args.reason_runs < 1:
        parser.error(f"--reason-runs {args.reason_runs}: give at least 1 (the default is 3)")
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).exists():
        print("bench: the `oxigraph` command is missing: pip install oxigraph (the `bench` extra)", file=sys.stderr)
        return 2
    version = subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    results = []
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "python": platform.python_version(),
            "oxigraph": version, "cpus": os.cpu_count(), "seed": args.seed, "repeat": args.repeat,
            "clients": CLIENTS, "load_requests": args.load_requests, "load_seconds": args.load_seconds,
            "max_growth": args.max_growth, "growth_min_seconds": GROWTH_MIN_SECONDS}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for n in sorted(sizes):
        results.append(run_size(n, args, oxigraph, results[-1] if results else None))
        out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
        log(f"wrote {out}")
    print(table(results))
    return growth_verdict(results, args.max_growth)


def growth_verdict(results: list[dict], max_growth: float) -> int:
    """Print the growth check's verdict over the whole run: 0 when no query was flagged, else 1
    with the flagged queries named on stderr."""
    failures = growth_failures(results)
    if not failures:
        print(f"\ngrowth check: no query grows faster than N^{max_growth:g}")
        return 0
    print(f"\ngrowth check FAILED: superlinear (> N^{max_growth:g}) or not run: {', '.join(failures)}", flush=True)
    print(f"bench: {len(failures)} quer{'y' if len(failures) == 1 else 'ies'} failed the growth check "
          f"(exponent over {max_growth:g}, or not run as too slow):", file=sys.stderr)
    for name, why in failures.items():
        print(f"  {name}: {why}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
