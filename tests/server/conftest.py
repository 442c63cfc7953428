"""Fixtures for the server tests: small inline data, stores (in-process and with workers), the
Flask app and client, and a live waitress server on 127.0.0.1 (session-scoped, a subprocess).

The data is small N-Quads written here, so these tests do not depend on the curated graph;
``built_*`` fixtures use the real build (``built_dir`` from tests/conftest.py) for the few
tests about named queries and linked data.
"""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# this folder is named like the module it tests: without the project root on sys.path,
# ``import server`` would find tests/server (a namespace package) instead of server.py
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.store import Store  # noqa: E402
from server import create_app  # noqa: E402
G = "https://w3id.org/aenc/graph/"
REFERENCE, INFERRED = G + "reference", G + "inferred"
REPORT_A, REPORT_B = G + "report/a", G + "report/b"
ASSERTED = G + "asserted"
EX = "http://example.org/"

#: every graph kind of a build, a language-tagged and a typed literal, a blank node, and
#: 200 filler triples so that a four-way cross join runs for minutes
SMALL_NQ = "\n".join([
    f'<{EX}s1> <{EX}label> "Russia"@en <{REFERENCE}> .',
    f'<{EX}s1> <{EX}count> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <{REPORT_A}> .',
    f'<{EX}s1> <{EX}says> "a \\"quoted\\", comma\\nnew line" <{REPORT_B}> .',
    f'<{EX}s1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}State> <{INFERRED}> .',
    f'_:b1 <{EX}about> <{EX}s1> <{REPORT_A}> .',
    f'<{EX}s1> <{EX}label> "Russia"@en <{REPORT_A}> .',
] + [f'<{EX}n{i}> <{EX}filler> "{i}" <{REFERENCE}> .' for i in range(200)]) + "\n"
#: triples per graph in SMALL_NQ, and in the union default graph (one triple is in two graphs)
SIZES = {REFERENCE: 201, REPORT_A: 3, REPORT_B: 1, INFERRED: 1}
UNION_SIZE = sum(SIZES.values()) - 1
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: settings for tests: no rate limit (its own tests set one), a short time limit
TEST_SETTINGS = {"rate_limit": 0, "query_timeout": 2.0, "max_rows": 50}


@pytest.fixture(scope="session")
def mem_store():
    """Queries run in this process (no time limit enforced beyond rows)."""
    store = Store.from_nquads(SMALL_NQ, workers=0)
    yield store
    store.close()


@pytest.fixture(scope="session")
def pool_store():
    """Queries run in two killable worker processes."""
    store = Store.from_nquads(SMALL_NQ, workers=2)
    yield store
    store.close()


def make_app(store, **settings):
    return create_app({**TEST_SETTINGS, **settings}, store=store)


@pytest.fixture
def app(mem_store):
    return make_app(mem_store)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def pool_client(pool_store):
    return make_app(pool_store, query_timeout=1.0).test_client()


@pytest.fixture(scope="session")
def built_client(store):
    """A client of the app serving the real curated build (the session ``store`` of
    tests/conftest.py, so answers can be compared with the store's own)."""
    return make_app(store, max_rows=10000).test_client()


# ---------------------------------------------------------------- a live server

def start_server(args: list[str], cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """server.py in a subprocess on 127.0.0.1:<free port>; returns (process, base URL)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "server.py"), "--port", "0", *args],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not match:
        proc.kill()
        raise RuntimeError(f"server did not start: {line}{proc.stderr.read()}")
    return proc, match.group(0).rstrip("/")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    """Base URL of a live server (waitress, 2 workers, 2 s limit) serving SMALL_NQ."""
    data = tmp_path_factory.mktemp("live") / "small.nq"
    data.write_text(SMALL_NQ)
    proc, url = start_server(["--data", str(data), "--workers", "2", "--rate-limit", "0",
                              "--query-timeout", "2", "--max-rows", "50"])
    yield url
    stop_server(proc)


# ---------------------------------------------------------------- a listener that must not be called

class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        """Stop listening (after a moment for a late connection to arrive); idempotent."""
        if self._stop.is_set():
            return
        time.sleep(0.1)
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()
