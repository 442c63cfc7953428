"""The whole build: load → qc → validate → reason → write ``aenc.nq`` and ``stats.json``.

``aenc.nq`` holds every graph (ontology, reference, one per report, inferred) as sorted
N-Quads with stable blank node labels, so two builds of the same input are byte-identical.
"""
from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from rdflib import Graph
from rdflib.namespace import RDF

from .errors import InconsistentGraphError, ParameterError
from .export import serialize
from .fastreason import UnsupportedConstruct, reason_fast
from .fastvalidate import UnsupportedShape, validate_fast
from .load import DATA_DIR, SHAPES_FILE, LoadedData, load, load_shapes
from .namespaces import AENC, INFERRED_GRAPH, ONTOLOGY_FILE
from .qc import run_qc
from .reason import reason
from .validate import ValidationReport, require_conformance, validate_loaded

#: reasoning engines: "fast" (graph.fastreason, the default) gives exactly owlrl's filtered
#: inferences (tests/scale compare them); "owlrl" is the reference implementation
REASONERS = ("fast", "owlrl")
#: validation engines: "fast" (shapes compiled to SPARQL on pyoxigraph, graph.fastvalidate) gives
#: pySHACL's report (tests/scale compare them); "pyshacl" is the reference implementation
VALIDATORS = ("fast", "pyshacl")

NQUADS_NAME = "aenc.nq"
STATS_NAME = "stats.json"
STAGES = 5

Progress = Callable[[str], None]


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def quiet(_line: str) -> None:
    """A progress callback that says nothing."""


@contextmanager
def _stage(seconds: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds[name] = round(time.perf_counter() - start, 3)


def _choose(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ParameterError(f"{what} {value!r} is not one of {', '.join(allowed)}",
                             hint=f"use --{what} {allowed[0]} (the default) or --{what} {allowed[1]}")
    return value


def validate_with(loaded: LoadedData, shapes: Graph, validator: str = "fast") -> ValidationReport:
    """SHACL on the asserted graphs with the chosen engine; both name each focus node's file."""
    if _choose(validator, VALIDATORS, "validator") == "pyshacl":
        return validate_loaded(loaded, shapes)

    def sources_of(node) -> list[str]:
        return [loaded.sources[g].name for g in loaded.graphs_with_subject(node)]
    try:
        return validate_fast(loaded.asserted_triples(), loaded.ontology, shapes, sources_of=sources_of)
    except UnsupportedShape:  # a shape the compiler does not know: the reference engine does
        return validate_loaded(loaded, shapes)


def reason_with(loaded: LoadedData, reasoner: str = "fast") -> Graph:
    """OWL 2 RL inferences with the chosen engine. A contradiction found by the fast engine is
    explained by owlrl, whose explanations name the file of each triple involved."""
    if _choose(reasoner, REASONERS, "reasoner") == "owlrl":
        return reason(loaded.ontology, loaded.asserted(), locate=loaded.locate)
    try:
        return reason_fast(loaded.ontology, loaded.asserted_triples())
    except (InconsistentGraphError, UnsupportedConstruct):  # owlrl explains, or handles the construct
        return reason(loaded.ontology, loaded.asserted(), locate=loaded.locate)


def check(data_dir: Path = DATA_DIR, ontology_file: Path = ONTOLOGY_FILE,
          shapes_file: Path = SHAPES_FILE, *, progress: Progress = quiet,
          seconds: dict[str, float] | None = None, validator: str = "fast",
          ) -> tuple[LoadedData, ValidationReport]:
    """Stages 1–3: load, QC and SHACL. Raises on bad input; returns the (conforming) report."""
    seconds = {} if seconds is None else seconds
    with _stage(seconds, "load"):
        loaded = load(data_dir, ontology_file, progress=lambda line: progress(f"[1/{STAGES}] {line}"))
        shapes = load_shapes(shapes_file)
    triples = sum(len(loaded.dataset.graph(g)) for g in loaded.sources)
    reports = len(loaded.report_graphs)
    progress(f"[1/{STAGES}] load: {reports} report{'s' if reports != 1 else ''}, {triples} triples "
             f"({seconds['load']:.1f} s)")
    with _stage(seconds, "qc"):
        seen = run_qc(loaded)
    progress(f"[2/{STAGES}] qc: {seen['ontology_terms']} ontology terms, "
             f"{seen['data_term_uses']} aenc terms in the data ({seconds['qc']:.1f} s)")
    with _stage(seconds, "validate"):
        report = validate_with(loaded, shapes, validator)
    progress(f"[3/{STAGES}] validate: {'conforms' if report.conforms else 'DOES NOT CONFORM'}, "
             f"{len(report.violations)} violation(s) ({seconds['validate']:.1f} s)")
    require_conformance(report)
    return loaded, report


def count_encounters(loaded: LoadedData, inferred: Graph) -> int:
    """Distinct instances of aenc:Encounter, by asserted or inferred type."""
    found = set(inferred.subjects(RDF.type, AENC.Encounter))
    data = set(loaded.data_graphs)
    # one pass over the dataset: a pass per graph costs the whole index each time
    for s, _, _, graph in loaded.dataset.quads((None, RDF.type, AENC.Encounter, None)):
        if getattr(graph, "identifier", graph) in data:
            found.add(s)
    return len(found)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(build_dir: Path | str = "build", data_dir: Path = DATA_DIR,
          ontology_file: Path = ONTOLOGY_FILE, shapes_file: Path = SHAPES_FILE, *,
          progress: Progress = quiet, reasoner: str = "fast", validator: str = "fast") -> dict:
    """Run every stage and write ``build_dir/aenc.nq`` and ``build_dir/stats.json``; return the stats."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    _choose(reasoner, REASONERS, "reasoner")
    loaded, _report = check(data_dir, ontology_file, shapes_file, progress=progress, seconds=seconds,
                            validator=validator)

    with _stage(seconds, "reason"):
        inferred = reason_with(loaded, reasoner)
    progress(f"[4/{STAGES}] reason ({reasoner}): {len(inferred)} inferred triples "
             f"({seconds['reason']:.1f} s)")

    with _stage(seconds, "write"):
        dataset = loaded.dataset
        target = dataset.graph(INFERRED_GRAPH)
        for triple in inferred:
            target.add(triple)
        build_dir = Path(build_dir)
        build_dir.mkdir(parents=True, exist_ok=True)
        nquads = serialize(dataset, "nquads")
        _write_atomically(build_dir / NQUADS_NAME, nquads)
        graphs = {str(g): len(dataset.graph(g)) for g in sorted([*loaded.sources, INFERRED_GRAPH])}
        stats = {
            "encounters": count_encounters(loaded, inferred),
            "reports": len(loaded.report_graphs),
            "triples_asserted": sum(n for g, n in graphs.items() if g != str(INFERRED_GRAPH)),
            "triples_inferred": graphs[str(INFERRED_GRAPH)],
            "graphs": graphs,
            "seconds": seconds,
        }
    seconds["total"] = round(time.perf_counter() - started, 3)
    _write_atomically(build_dir / STATS_NAME,
                      (json.dumps(stats, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    progress(f"[5/{STAGES}] write: {build_dir / NQUADS_NAME} ({len(nquads)} bytes), "
             f"{stats['encounters']} encounters ({seconds['write']:.1f} s; total {seconds['total']:.1f} s)")
    return stats
