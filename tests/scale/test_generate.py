"""The synthetic encounter generator: deterministic, N encounters, the curated patterns, valid."""
from __future__ import annotations

import subprocess
import sys
from collections import defaultdict

import pytest
from rdflib import RDF, URIRef

from bench.generate import ROOT, generate, write
from graph.namespaces import AENC, REPORT_GRAPH_PREFIX

ENCOUNTER_CLASSES = {AENC.Encounter, AENC.Intercept, AENC.EscortOrShadowing, AENC.Scramble,
                     AENC.JointPatrol, AENC.AllegedAirspaceViolation}


def test_same_n_and_seed_give_the_same_bytes():
    assert generate(40, seed=3).nquads() == generate(40, seed=3).nquads()


def test_another_seed_gives_other_data():
    assert generate(40, seed=3).nquads() != generate(40, seed=4).nquads()


@pytest.mark.parametrize("n", [1, 7, 120])
def test_makes_exactly_n_encounters(n):
    graph_data = generate(n, seed=2)
    encounters = {line.split(" ", 1)[0] for line in graph_data.nquads().decode().splitlines()
                  if f"<{RDF.type}> <{AENC}" in line
                  and any(f"<{RDF.type}> <{c}>" in line for c in ENCOUNTER_CLASSES)}
    assert len(encounters) == n == graph_data.encounters


def test_one_named_graph_per_report_each_with_its_account(synthetic_small):
    graphs = defaultdict(set)
    for line in synthetic_small.nquads().decode().splitlines():
        graphs[line.rsplit(" ", 2)[-2]].add(line)
    reports = {g for g in graphs if g.startswith("<" + REPORT_GRAPH_PREFIX)}
    assert len(reports) == len(synthetic_small.reports) > 10
    for g in reports:
        assert any(line.startswith(g) and f"<{AENC.accountOf}>" in line for line in graphs[g]), g


def test_uses_the_curated_modelling_patterns(synthetic_small_graph):
    g = synthetic_small_graph
    used = set(g.objects(None, RDF.type))
    for cls in ("Intercept", "Scramble", "EscortOrShadowing", "JointPatrol", "Participation",
                "ReportedTime", "Report", "SafetyCharacterisation", "AirspaceClaim",
                "ClosestApproachClaim", "Quantity"):
        assert AENC[cls] in used, cls
    qualifiers = set(g.objects(None, AENC.countQualifier))
    assert {AENC.ExactCount, AENC.UnknownCount, AENC.AtLeastCount} <= qualifiers
    precisions = set(g.objects(None, AENC.timePrecision))
    assert {AENC.DayPrecision, AENC.WeekPrecision, AENC.MonthPrecision} <= precisions
    roles = set(g.objects(None, AENC.participationRole))
    assert {AENC.Intercepting, AENC.Intercepted, AENC.Escorting} <= roles
    assert set(g.subjects(AENC.resolvedRelativeTo, None)), "relative times resolved against reports"
    assert set(g.subjects(AENC.underCommandOf, None)), "NORAD / NATO participations"


def test_some_encounters_are_told_by_two_reports(synthetic_small):
    told = defaultdict(set)
    for report in synthetic_small.reports:
        for s, p, o in report.triples:
            if p == f"<{AENC.reportedIn}>" and "/encounter/" in s:
                told[s].add(report.key)
    assert any(len(keys) > 1 for keys in told.values())


def test_conforms_to_the_shapes(synthetic_small_graph, ontology, shapes):
    from graph.validate import validate
    report = validate(synthetic_small_graph, ontology, shapes)
    assert report.conforms, report.text()[:2000]


def test_is_consistent_with_the_ontology(synthetic_small_graph, ontology):
    # the fast reasoner raises owlrl's InconsistentGraphError (test_fastreason.py), and owlrl
    # itself closes 1,000 generated encounters there without a contradiction
    from graph.fastreason import reason_fast
    inferred = reason_fast(ontology, synthetic_small_graph)
    assert (None, AENC.involvesState, None) in inferred


def test_a_folder_loads_like_the_curated_data(tmp_path):
    from graph.load import load
    data = generate(25, seed=5)
    write(data, tmp_path / "data")
    loaded = load(tmp_path / "data")
    assert len(loaded.report_graphs) == len(data.reports)
    assert {str(g) for g in loaded.report_graphs} == {r.graph[1:-1] for r in data.reports}
    assert len(loaded.asserted()) == len(set(data.quads()))


def test_cli_writes_nquads(tmp_path):
    out = tmp_path / "x.nq"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "12", "--seed", "9",
                          "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == generate(12, seed=9).nquads()
    assert "12 encounters" in run.stderr


def test_cli_refuses_a_bad_n(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "0",
                          "-o", str(tmp_path / "x.nq")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "positive number of encounters" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_refuses_an_unknown_output_kind(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "3",
                          "-o", str(tmp_path / "x.csv")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert ".nq or .trig" in run.stderr
