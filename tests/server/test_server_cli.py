"""``python server.py`` / ``aenc serve``: options from the settings table, clean errors (exit 2)."""
from __future__ import annotations

import socket

import pytest

import server
from conftest import SMALL_NQ
from graph.settings import SETTINGS


def test_help_lists_every_setting(capsys):
    with pytest.raises(SystemExit) as info:
        server.main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    for setting in SETTINGS:
        assert "--" + setting.name.replace("_", "-") in out and setting.env in out


@pytest.mark.parametrize("args, message", [
    pytest.param(["--graph", "no-equals-sign"], "is not NAME=FILE", id="bad-graph-option"),
    pytest.param(["--data", "data.xyz"], "unknown RDF file type '.xyz'", id="unknown-file-type"),
    pytest.param(["--data", "missing.nq"], "cannot read the file", id="missing-file"),
    pytest.param(["--build-dir", "no-build-here"], "run `aenc build` first", id="no-build"),
])
def test_bad_input_exits_2_with_a_message(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert server.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_port_in_use_exits_2(tmp_path, capsys):
    data = tmp_path / "d.nq"
    data.write_text(SMALL_NQ)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert server.main(["--data", str(data), "--port", str(port), "--workers", "0"]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_aenc_serve_calls_the_server(tmp_path, monkeypatch, capsys):
    from graph.cli import main as aenc

    monkeypatch.chdir(tmp_path)
    assert aenc(["serve", "--build-dir", "no-build-here"]) == 2
    assert "run `aenc build` first" in capsys.readouterr().err


def test_loading_in_memory_says_so_and_names_the_faster_store_for_a_large_graph(tmp_path, monkeypatch, capsys):
    build = tmp_path / "build"
    build.mkdir()
    (build / "aenc.nq").write_text(SMALL_NQ)
    with socket.socket() as taken:        # the store loads, then the port is taken: exit 2
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        assert server.main(["--build-dir", str(build), "--port", port, "--workers", "0"]) == 2
        out = capsys.readouterr().out
        assert f"aenc: loading {build / 'aenc.nq'}" in out and "into memory" in out
        assert "--store disk" not in out
        monkeypatch.setattr(server, "LARGE_BUILD_BYTES", 10)
        assert server.main(["--build-dir", str(build), "--port", port, "--workers", "0"]) == 2
    assert "--store disk starts in under a second" in capsys.readouterr().out
