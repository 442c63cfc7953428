"""The benchmark's fast build writes the dataset graph.build writes."""
from __future__ import annotations

import json

import pyoxigraph as ox

from bench.generate import generate, write
from bench.pipeline import fast_build
from graph.build import build


def quads_without_blank_nodes(path) -> tuple[set, int]:
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    plain = {str(q) for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}
    return plain, len(quads)


def test_fast_build_writes_what_the_build_writes(tmp_path):
    data = generate(30, seed=11, with_curated=True)
    write(data, tmp_path / "data.nq")
    write(data, tmp_path / "folder/")
    fast = fast_build(tmp_path / "data.nq", tmp_path / "fast")
    slow = build(tmp_path / "slow", data_dir=tmp_path / "folder")
    assert quads_without_blank_nodes(tmp_path / "fast" / "aenc.nq") == \
        quads_without_blank_nodes(tmp_path / "slow" / "aenc.nq")
    for key in ("encounters", "reports", "triples_asserted", "triples_inferred", "graphs"):
        assert fast[key] == slow[key], key
    assert json.loads((tmp_path / "fast" / "stats.json").read_text())["encounters"] == 40


def test_several_reasoning_runs_report_their_median_and_build_the_same(tmp_path):
    data = generate(20, seed=5)
    write(data, tmp_path / "data.nq")
    once = fast_build(tmp_path / "data.nq", tmp_path / "once")
    thrice = fast_build(tmp_path / "data.nq", tmp_path / "thrice", reason_runs=3)
    assert quads_without_blank_nodes(tmp_path / "once" / "aenc.nq") == \
        quads_without_blank_nodes(tmp_path / "thrice" / "aenc.nq")
    runs = thrice["seconds"]["reason_closure_runs"]
    assert len(runs) == 3 and len(once["seconds"]["reason_closure_runs"]) == 1
    assert thrice["seconds"]["reason"] == thrice["seconds"]["reason_terms"] + sorted(runs)[1]
