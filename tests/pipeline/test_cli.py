"""The ``aenc`` command: exit codes 0 / 1 / 2 and clean messages, never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from graph.build import NQUADS_NAME, STATS_NAME
from graph.cli import main

from .conftest import MINI_REFERENCE, MINI_REPORT, write_data


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_build_ok(capsys, tmp_path, mini_dir):
    code, out, err = run(capsys, "build", "--data-dir", str(mini_dir), "--build-dir", str(tmp_path / "b"))
    assert code == 0
    assert (tmp_path / "b" / NQUADS_NAME).is_file()
    stats = json.loads((tmp_path / "b" / STATS_NAME).read_text())
    assert f"{stats['encounters']} encounters" in out
    assert "[1/5] load: 1 report, " in err and "[5/5] write:" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_build_prints_no_progress(capsys, tmp_path, mini_dir, where):
    argv = ["build", "--data-dir", str(mini_dir), "--build-dir", str(tmp_path)]
    argv = ["-q", *argv] if where == "before" else [*argv, "-q"]
    code, _out, err = run(capsys, *argv)
    assert code == 0 and err == ""


def test_validate_and_qc_ok(capsys, mini_dir):
    code, out, _ = run(capsys, "validate", "--data-dir", str(mini_dir))
    assert code == 0 and "conforms" in out
    code, out, _ = run(capsys, "qc", "--data-dir", str(mini_dir))
    assert code == 0 and "qc passed" in out


def test_validate_nonconforming_exits_1_with_report(capsys, tmp_path):
    broken = MINI_REPORT.replace('    aenc:latestDate "2020-06-19"^^xsd:date ;\n', "")
    data = write_data(tmp_path, reports={"mini-one": broken})
    code, out, err = run(capsys, "validate", "--data-dir", str(data))
    assert code == 1
    assert "<id/time/2020-06-19-okhotsk> aenc:latestDate" in out and "[mini-one.ttl]" in out
    assert "does not conform" in err


def test_build_nonconforming_exits_1(capsys, tmp_path):
    broken = MINI_REPORT.replace('    aenc:latestDate "2020-06-19"^^xsd:date ;\n', "")
    data = write_data(tmp_path / "d", reports={"mini-one": broken})
    code, _, err = run(capsys, "build", "--data-dir", str(data), "--build-dir", str(tmp_path / "b"))
    assert code == 1 and "aenc:latestDate" in err
    assert not (tmp_path / "b" / NQUADS_NAME).exists()


def test_inconsistent_data_exits_1_naming_the_triples(capsys, tmp_path):
    reference = MINI_REFERENCE + "\n<place/sea-of-okhotsk> a aenc:Intercept .\n"
    data = write_data(tmp_path / "d", reference=reference)
    code, _, err = run(capsys, "build", "--data-dir", str(data), "--build-dir", str(tmp_path / "b"))
    # the SHACL shapes already refuse the bare intercept, so this stops at stage 3 or 4: both are 1
    assert code == 1
    assert "sea-of-okhotsk" in err


def test_inconsistent_but_conforming_data_exits_1_at_reasoning(capsys, tmp_path):
    reference = MINI_REFERENCE + "\n<org/norad> a aenc:State .\n"
    data = write_data(tmp_path / "d", reference=reference)
    code, _, err = run(capsys, "build", "--data-dir", str(data), "--build-dir", str(tmp_path / "b"))
    assert code == 1
    assert "inconsistent" in err and "<id/org/norad> is typed both" in err
    assert "aenc:State from <id/org/norad> a aenc:State [reference.ttl]" in err


def test_ontology_qc_failure_exits_1(capsys, tmp_path, mini_dir):
    from graph.namespaces import ONTOLOGY_FILE
    text = ONTOLOGY_FILE.read_text(encoding="utf-8").replace('rdfs:label "sea"@en ;', "")
    ontology = tmp_path / "aenc.ttl"
    ontology.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "qc", "--data-dir", str(mini_dir), "--ontology", str(ontology))
    assert code == 1 and "aenc:Sea has no rdfs:label@en" in err


def test_syntax_error_exits_2_with_file_line(capsys, tmp_path):
    data = write_data(tmp_path, reports={"mini-one": MINI_REPORT + "\n<x> <y> .\n"})
    code, _, err = run(capsys, "validate", "--data-dir", str(data))
    assert code == 2
    report = data / "reports" / "mini-one.ttl"
    assert err.startswith(f"aenc: {report}:{MINI_REPORT.count(chr(10)) + 2}: Turtle syntax error")


def test_unknown_term_exits_2_with_file_line(capsys, tmp_path):
    report = MINI_REPORT + "\n<encounter/2020-06-19-okhotsk> aenc:locaton <place/sea-of-okhotsk> .\n"
    data = write_data(tmp_path, reports={"mini-one": report})
    code, _, err = run(capsys, "build", "--data-dir", str(data), "--build-dir", str(tmp_path / "b"))
    assert code == 2
    assert f"reports/mini-one.ttl:{report.count(chr(10))}: aenc:locaton" in err


@pytest.mark.parametrize("argv", [
    pytest.param([], id="no-command"),
    pytest.param(["bogus"], id="unknown-command"),
    pytest.param(["build", "--frobnicate"], id="unknown-option"),
    pytest.param(["query", "encounters", "--format", "pdf"], id="bad-query-format"),
])
def test_bad_arguments_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage: aenc" in err


def test_missing_data_dir_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "qc", "--data-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "file not found" in err


def test_export_every_format_from_the_build(capsys, built_dir, tmp_path):
    for fmt, parse_as in [("turtle", "turtle"), ("ntriples", "nt")]:
        out = tmp_path / f"x.{fmt}"
        code, _, err = run(capsys, "export", "--build-dir", str(built_dir), "-f", fmt, "-o", str(out))
        assert code == 0 and "wrote" in err
        assert len(Graph().parse(out, format=parse_as)) > 1000
    code, out, _ = run(capsys, "export", "--build-dir", str(built_dir), "-f", "nquads", "--asserted-only")
    assert code == 0 and "/graph/inferred>" not in out and "/graph/reference>" in out


def test_export_errors_exit_2(capsys, built_dir, tmp_path):
    code, _, err = run(capsys, "export", "--build-dir", str(tmp_path))
    assert code == 2 and "run `aenc build` first" in err
    code, _, err = run(capsys, "export", "--build-dir", str(built_dir), "-f", "pdf")
    assert code == 2 and "choose one of" in err


def test_query_named_query_on_the_build(capsys, built_dir):
    code, out, _ = run(capsys, "query", "encounters-by-aircraft-role", "--build-dir", str(built_dir),
                       "--param", "role=https://w3id.org/aenc/ont/bomberRole")
    assert code == 0
    assert "2024-07-24-bering-sea-joint-bomber-patrol" in out and "Tu-95MS" in out


def test_query_json_and_csv(capsys, built_dir):
    code, out, _ = run(capsys, "query", "encounters", "--build-dir", str(built_dir), "-f", "json")
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) >= 10
    code, out, _ = run(capsys, "query", "encounters", "--build-dir", str(built_dir), "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("encounter")


def test_query_file(capsys, built_dir, tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("#+ title: Count encounters\n#+ description: How many encounters there are.\n"
                    "PREFIX aenc: <https://w3id.org/aenc/ont/>\n"
                    "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a aenc:Encounter }\n", encoding="utf-8")
    code, out, _ = run(capsys, "query", str(path), "--build-dir", str(built_dir))
    stats = json.loads((built_dir / STATS_NAME).read_text())
    assert code == 0 and out.splitlines()[2].strip() == str(stats["encounters"])


@pytest.mark.parametrize("argv, message", [
    pytest.param(["query", "no-such-query"], "no named query", id="unknown-query"),
    pytest.param(["query", "encounters", "--param", "oops"], "is not name=value", id="param-without-value"),
    pytest.param(["query", "encounters-by-aircraft-role", "--param", "role=not an iri"], "role",
                 id="bad-parameter-value"),
])
def test_query_bad_input_exits_2(capsys, built_dir, argv, message):
    code, _, err = run(capsys, *argv, "--build-dir", str(built_dir))
    assert code == 2 and message in err


def test_query_without_build_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "query", "encounters", "--build-dir", str(tmp_path))
    assert code == 2 and "aenc build" in err


def test_query_list(capsys):
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0 and "encounters-by-aircraft-role" in out


def test_console_script_in_a_subprocess(tmp_path, mini_dir):
    script = Path(sys.executable).with_name("aenc")
    assert script.is_file(), "install aenc into this environment: pip install -e '.[test]'"
    done = subprocess.run([str(script), "build", "--data-dir", str(mini_dir), "--build-dir", str(tmp_path / "b")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b" / NQUADS_NAME).is_file()
    bad = subprocess.run([str(script), "qc", "--data-dir", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.startswith("aenc: ")


def test_serve_hands_its_options_to_the_server(capsys):
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0 and "usage: aenc serve" in out and "--port" in out


def test_serve_without_build_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "serve", "--build-dir", str(tmp_path), "--port", "0")
    assert code == 2 and "aenc build" in err
