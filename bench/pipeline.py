"""aenc's build with the fast engines, for data too big for rdflib: N-Quads in, a build out.

    load      pyoxigraph parses the ontology and the dataset (no rdflib objects)
    validate  the shapes compiled to SPARQL (graph.fastvalidate), on a pyoxigraph store
    reason    graph.fastreason on N-Triples terms
    write     <build_dir>/aenc.nq (sorted N-Quads: ontology, reference, reports, inferred)
              and stats.json, the files graph.build writes and graph.store reads

tests/scale/test_pipeline.py checks that it builds the same dataset as ``graph.build.build``.
"""
from __future__ import annotations

import gc
import json
import statistics
import time
from itertools import chain
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from graph.errors import ValidationFailed
from graph.fastreason import TYPE, reason_terms
from graph.fastvalidate import checks_needing_terms, compile_shapes, run_checks, store_from_quads
from graph.load import SHAPES_FILE, load_shapes
from graph.namespaces import AENC, INFERRED_GRAPH, ONTOLOGY_FILE, ONTOLOGY_GRAPH, REPORT_GRAPH_PREFIX

ENCOUNTER_KEY = f"<{AENC.Encounter}>"


def quiet(_line: str) -> None:
    """A progress callback that says nothing."""


def _keys() -> Callable[[object], str]:
    """A term's N-Triples key, one string per distinct term (800k for the 11M term uses at 100k
    encounters): less to allocate, and equal keys are then the same object for the reasoner."""
    cache: dict = {}
    get = cache.get

    def key(term) -> str:
        k = get(term)
        if k is None:
            k = cache[term] = str(term)
        return k
    return key


def fast_build(nquads: Path, build_dir: Path, *, ontology_file: Path = ONTOLOGY_FILE,
               shapes_file: Path = SHAPES_FILE, progress: Callable[[str], None] = quiet,
               reason_runs: int = 1) -> dict:
    """Build ``build_dir/aenc.nq`` from a dataset of asserted graphs; return stats with seconds.

    ``reason_runs`` > 1 runs the closure that many times on the same terms (the first result is
    kept) and reports the median: one run on a busy machine varies by ±20 %."""
    seconds: dict[str, float | list[float]] = {}
    started = time.perf_counter()

    t = time.perf_counter()
    ontology = list(ox.parse(path=str(ontology_file), format=ox.RdfFormat.TURTLE))
    data = list(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    seconds["load"] = time.perf_counter() - t
    progress(f"load {len(data)} quads ({seconds['load']:.1f} s)")

    t = time.perf_counter()
    checks = compile_shapes(load_shapes(Path(shapes_file)))
    store, given = store_from_quads(chain(ontology, data), checks_needing_terms(checks))
    report = run_checks(store, checks, given, union=True)
    del store, given
    seconds["validate"] = time.perf_counter() - t
    progress(f"validate: {'conforms' if report.conforms else 'DOES NOT CONFORM'} "
             f"({seconds['validate']:.1f} s)")
    if not report.conforms:
        raise ValidationFailed(report.text(), len(report.violations) or len(report.results))

    t = time.perf_counter()
    gc.disable()        # millions of small tuples: collections would cost more than the work
    try:
        key = _keys()
        ont_terms = [(key(q.subject), key(q.predicate), key(q.object)) for q in ontology]
        data_terms = [(key(q.subject), key(q.predicate), key(q.object)) for q in data]
        del key
    finally:
        gc.enable()
    seconds["reason_terms"] = time.perf_counter() - t
    runs = []
    for run in range(max(1, reason_runs)):
        t = time.perf_counter()
        result = reason_terms(ont_terms, data_terms)
        runs.append(time.perf_counter() - t)
        if run == 0:
            inferred = result
        del result
        gc.collect()
    seconds["reason_closure_runs"] = runs
    seconds["reason"] = seconds["reason_terms"] + statistics.median(runs)
    progress(f"reason: {len(inferred)} inferred triples ({seconds['reason']:.1f} s: terms "
             f"{seconds['reason_terms']:.1f} s, closure {' / '.join(f'{x:.2f}' for x in runs)} s)")

    t = time.perf_counter()
    ontology_graph = f"<{ONTOLOGY_GRAPH}>"
    inferred_graph = f"<{INFERRED_GRAPH}>"
    sizes: dict[str, int] = {}
    lines = set()
    for s, p, o in ont_terms:
        lines.add(f"{s} {p} {o} {ontology_graph} .\n")
    for quad in data:
        lines.add(f"{quad} .\n")
    for s, p, o in inferred:
        lines.add(f"{s} {p} {o} {inferred_graph} .\n")
    for line in lines:
        g = line.rsplit(" ", 2)[-2]
        sizes[g] = sizes.get(g, 0) + 1
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    body = "".join(sorted(lines)).encode("utf-8")
    (build_dir / "aenc.nq").write_bytes(body)
    encounters = {s for s, p, o in chain(data_terms, inferred) if p == TYPE and o == ENCOUNTER_KEY}
    graphs = {g[1:-1]: n for g, n in sorted(sizes.items())}
    stats = {
        "encounters": len(encounters),
        "reports": sum(1 for g in graphs if g.startswith(REPORT_GRAPH_PREFIX)),
        "triples_asserted": sum(n for g, n in graphs.items() if g != str(INFERRED_GRAPH)),
        "triples_inferred": graphs.get(str(INFERRED_GRAPH), 0),
        "graphs": graphs,
        "seconds": seconds,
    }
    seconds["write"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - started
    (build_dir / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    progress(f"write {len(body)} bytes ({seconds['write']:.1f} s; total {seconds['total']:.1f} s)")
    return stats
