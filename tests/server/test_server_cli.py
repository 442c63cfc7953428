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


def test_the_default_store_is_memory_for_a_small_build_and_disk_for_a_large_one(tmp_path, capsys):
    build = tmp_path / "build"
    build.mkdir()
    (build / "aenc.nq").write_text(SMALL_NQ)
    args = ["--build-dir", str(build), "--workers", "0"]
    with socket.socket() as taken:        # the store opens, then the port is taken: exit 2
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        args += ["--port", str(taken.getsockname()[1])]
        assert server.main(args) == 2                              # small: in memory
        out = capsys.readouterr().out
        assert f"aenc: loading {build / 'aenc.nq'}" in out and "into memory" in out
        assert "--store disk" not in out and not (build / "store").exists()

        assert server.main(args + ["--disk-over-mb", "0"]) == 2   # "large": the disk store,
        out = capsys.readouterr().out                              # written once
        assert "into memory" not in out and "aenc: store: written" in out
        assert (build / "store").is_dir() and (build / "store.json").is_file()
        written = (build / "store.json").stat().st_mtime_ns

        assert server.main(args + ["--disk-over-mb", "0"]) == 2   # then opened as it is
        out = capsys.readouterr().out
        assert "aenc: store:" not in out and "into memory" not in out
        assert (build / "store.json").stat().st_mtime_ns == written

        assert server.main(args + ["--disk-over-mb", "0", "--store", "memory"]) == 2
    out = capsys.readouterr().out                                  # asked for: memory, and why not
    assert "into memory" in out and "--store disk (or auto, the default) starts in under a second" in out


def test_a_bad_store_setting_is_refused_with_the_fix(tmp_path, capsys):
    build = tmp_path / "build"
    build.mkdir()
    (build / "aenc.nq").write_text(SMALL_NQ)
    assert server.main(["--build-dir", str(build), "--store", "tape", "--workers", "0"]) == 2
    assert "store 'tape' is not one of auto, memory, disk, remote" in capsys.readouterr().err
    assert server.main(["--build-dir", str(build), "--disk-over-mb", "-1", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "disk_over_mb -1 is not a size in MB" in err and "AENC_DISK_OVER_MB" in err
