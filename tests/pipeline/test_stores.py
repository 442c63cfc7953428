"""The `store` setting end to end: the build writes or loads the store, query and serve read it."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graph.cli import main
from server import create_app, main as serve, open_configured_store
from graph.errors import ParameterError
from graph.remote import RemoteStore

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_writes_the_disk_store_and_the_server_answers_from_it(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--build-dir", str(tmp_path), "--store", "disk")
    assert code == 0 and "store: wrote" in err and "store: loading" in err
    assert (tmp_path / "store").is_dir()
    store = open_configured_store({"store": "disk", "build_dir": str(tmp_path), "workers": 0,
                                   "worker_memory_mb": 0, "remote_query_url": ""})
    client = create_app({"build_dir": str(tmp_path), "store": "disk"}, store=store).test_client()
    answer = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/aenc/ont/Encounter> }"},
        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert answer.get_json()["results"]["bindings"][0]["n"]["value"] == "10"
    store.close()


def test_by_default_the_build_writes_the_disk_store_for_a_large_build_only(capsys, tmp_path, monkeypatch):
    from graph.remote import store_kind
    from graph.settings import resolve
    monkeypatch.delenv("AENC_STORE", raising=False)
    monkeypatch.delenv("AENC_DISK_OVER_MB", raising=False)
    small, large = tmp_path / "small", tmp_path / "large"
    code, _, err = run(capsys, "build", "--build-dir", str(small))
    assert code == 0 and "store: wrote" not in err and not (small / "store").exists()
    monkeypatch.setenv("AENC_DISK_OVER_MB", "0")              # every build is "large"
    code, _, err = run(capsys, "build", "--build-dir", str(large))
    assert code == 0 and "store: wrote" in err and (large / "store").is_dir()
    code, out, err = run(capsys, "query", "encounters", "--build-dir", str(large), "--format", "json")
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) == 10
    assert "store:" not in err                                # read as written, not rewritten
    for build, over_mb, kind in ((small, 500, "memory"), (large, 0, "disk")):
        store = open_configured_store(resolve({"build_dir": str(build), "workers": 0,
                                               "disk_over_mb": over_mb}))
        assert store_kind(store) == kind
        store.close()
    assert not (small / "store").exists()


def test_the_default_store_falls_back_to_memory_when_it_cannot_write_the_disk_store(
        capsys, tmp_path, monkeypatch):
    import errno
    import graph.diskstore
    assert run(capsys, "build", "--build-dir", str(tmp_path), "--store", "memory")[0] == 0

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(graph.diskstore, "ensure_current", refuse)
    said = []
    from graph.remote import open_store, store_kind
    store = open_store({"build_dir": str(tmp_path), "disk_over_mb": 0, "workers": 0}, progress=said.append)
    assert store_kind(store) == "memory" and len(store) > 0
    assert said == [f"cannot write the on-disk store into {tmp_path} (Permission denied); "
                    "loading the build into memory instead"]
    store.close()


def test_servers_starting_at_once_write_the_disk_store_once(capsys, tmp_path, monkeypatch):
    import threading
    import graph.diskstore
    from graph.remote import open_store, store_kind
    assert run(capsys, "build", "--build-dir", str(tmp_path), "--store", "memory")[0] == 0
    real, writes = graph.diskstore.build_disk_store, []

    def counted(*args, **kwargs):
        writes.append(threading.get_ident())
        return real(*args, **kwargs)
    monkeypatch.setattr(graph.diskstore, "build_disk_store", counted)
    kinds, errors = [], []

    def start():
        try:
            store = open_store({"build_dir": str(tmp_path), "disk_over_mb": 0, "workers": 0})
            kinds.append(store_kind(store))
            store.close()
        except Exception as error:       # noqa: BLE001 - reported by the assertion below
            errors.append(error)
    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and kinds == ["disk"] * 3 and len(writes) == 1


def test_query_reads_the_disk_store(capsys, tmp_path):
    assert run(capsys, "build", "--build-dir", str(tmp_path), "--store", "disk")[0] == 0
    code, out, _ = run(capsys, "query", "encounters", "--build-dir", str(tmp_path), "--store", "disk",
                       "--format", "json")
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) == 10


def test_serving_a_remote_store_opens_it_by_configuration_without_contacting_it():
    store = open_configured_store({"store": "remote", "remote_query_url": "http://127.0.0.1:9/query",
                                   "build_dir": "build", "workers": 0, "worker_memory_mb": 0})
    assert isinstance(store, RemoteStore) and store.source == "http://127.0.0.1:9/query"


def test_serving_a_remote_store_needs_its_query_url(capsys, monkeypatch):
    monkeypatch.delenv("AENC_REMOTE_QUERY_URL", raising=False)
    with pytest.raises(ParameterError) as caught:
        open_configured_store({"store": "remote", "remote_query_url": "", "build_dir": "build",
                               "workers": 0, "worker_memory_mb": 0})
    assert "remote_query_url" in caught.value.message and "AENC_REMOTE_QUERY_URL" in caught.value.hint
    assert serve(["--store", "remote", "--port", "0"]) == 2
    assert "needs remote_query_url" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.live
def test_build_loads_a_remote_store_and_query_reads_it_by_configuration_only(capsys, tmp_path, monkeypatch):
    from tests.scale.test_remote import require_oxigraph
    require_oxigraph()
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "ox"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.05)
        monkeypatch.setenv("AENC_STORE", "remote")
        monkeypatch.setenv("AENC_REMOTE_QUERY_URL", f"http://127.0.0.1:{port}/query")
        monkeypatch.setenv("AENC_REMOTE_UPDATE_URL", f"http://127.0.0.1:{port}/update")
        monkeypatch.setenv("AENC_REMOTE_GSP_URL", f"http://127.0.0.1:{port}/store")
        code, _, err = run(capsys, "build", "--build-dir", str(tmp_path / "b"))
        assert code == 0 and "store: loaded 8 graphs" in err
        code, out, _ = run(capsys, "query", "encounters-by-aircraft-role", "--build-dir", str(tmp_path / "b"),
                           "--format", "json")
        assert code == 0
        encounters = {b["encounter"]["value"].rsplit("/", 1)[-1] for b in json.loads(out)["results"]["bindings"]}
        assert "2024-07-24-bering-sea-joint-bomber-patrol" in encounters  # the Tu-95MS, through reasoning
    finally:
        proc.terminate()
        proc.wait(timeout=10)
