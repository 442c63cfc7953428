"""Run the W3C SPARQL 1.1 Protocol tests against the real aenc server, over real HTTP.

    python conformance/w3c_protocol.py PATH_TO_W3C_FOLDER [--verbose]

PATH_TO_W3C_FOLDER holds ``protocol/manifest.ttl`` and ``protocol/data1.nt``..``data3.nt``
(the copy of w3c/rdf-tests ``sparql/sparql11/`` the project is given; it is not part of aenc).

The runner starts ``server.py`` (waitress on 127.0.0.1, a free port) with the data files
loaded as named graphs named by their ``rdfs:label`` IRIs, sends every request of every test
exactly as the manifest writes it (raw ``http.client``: no header is added but Host and
Content-Length), and checks the status class, the result format and the ASK answer.

Update tests: aenc is read-only, so the seven tests that need writes (``update_*``: they expect
2xx for an update) are checked for a clean 4xx instead and counted apart, as
"refused until writes". Every query test and every ``bad_update_*`` test must pass.
Then it checks the Graph Store Protocol reads: GET and HEAD of each graph in every RDF format,
404 for an unknown graph, 405 for writes; and the service description at the endpoint.

Prints one line per test and ends with "N passed, M failed"; exits 1 on any failure.
"""
from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
ENDPOINT = "/sparql"
STARTUP_SECONDS = 60

#: media types a response may carry for each expected format of the manifest
RDF_TYPES = {
    "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
    "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads",
}


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    statuses: set[int]                  # allowed status classes: 2, 3, 4
    fmt: str | None = None              # "boolean", "tabular", "RDF"
    boolean: bool | None = None


@dataclass
class Test:
    name: str
    title: str
    requests: list[Request]
    graphs: dict[str, Path] = field(default_factory=dict)

    @property
    def needs_writes(self) -> bool:
        """An update_* test: its first request is an update that should succeed (2xx)."""
        first = self.requests[0]
        return _is_update(first) and 2 in first.statuses


def _is_update(req: Request) -> bool:
    ctype = dict((k.lower(), v) for k, v in req.headers).get("content-type", "")
    body = (req.body or b"").decode("utf-8", "replace")
    return ctype.startswith("application/sparql-update") or "update=" in req.path or body.startswith("update=")


# ---------------------------------------------------------------- reading the manifest

def read_manifest(folder: Path) -> list[Test]:
    """Every test of protocol/manifest.ttl, in manifest order."""
    path = folder / "protocol" / "manifest.ttl"
    if not path.is_file():
        raise SystemExit(f"w3c_protocol: {path} not found; pass the folder that holds protocol/manifest.ttl")
    g = Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        graphs = {}
        for data in g.objects(entry, UT.graphData):
            file = Path(str(g.value(data, UT.graph)).removeprefix("file://"))
            graphs[str(g.value(data, RDFS.label))] = file
        action = g.value(entry, MF.action)
        requests = [_read_request(g, r) for r in Collection(g, g.value(action, HT.requests))]
        tests.append(Test(name, str(g.value(entry, MF.name)), requests, graphs))
    return tests


def _read_request(g: Graph, node) -> Request:
    headers = []
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for h in Collection(g, header_list):
            headers.append((str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue))))
    body = None
    body_node = g.value(node, HT.body)
    if body_node is not None:
        encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
    resp = g.value(node, HT.resp)
    statuses = {int(str(s).rsplit("StatusCode", 1)[1][0]) for s in g.objects(resp, MF.expectedStatus)}
    fmt = g.value(resp, MF.expectedFormat)
    boolean = g.value(resp, MF.expectedBoolean)
    path = str(g.value(node, HT.absolutePath))
    path = ENDPOINT + path[len("/sparql/"):] if path.startswith("/sparql/") else path
    return Request(str(g.value(node, HT.methodName)), path, headers, body, statuses,
                   str(fmt) if fmt is not None else None,
                   boolean.toPython() if boolean is not None else None)


# ---------------------------------------------------------------- the server

class Server:
    """server.py in a subprocess on 127.0.0.1 and a free port."""

    def __init__(self, graphs: dict[str, Path]):
        cmd = [sys.executable, str(ROOT / "server.py"), "--host", "127.0.0.1", "--port", "0",
               "--rate-limit", "0", "--workers", "2"]
        for name, path in sorted(graphs.items()):
            cmd += ["--graph", f"{name}={path}"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line or "serving" in line:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.stop()
            raise SystemExit(f"w3c_protocol: the server did not start: {line}{self.proc.stderr.read()}")
        self.port = int(match.group(1))

    def send(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None):
        """One raw request; returns (status, content type without parameters, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return resp.status, ctype, data
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------- checking answers

def parse_boolean(ctype: str, data: bytes) -> bool:
    if ctype in ("application/sparql-results+json", "application/json"):
        return _strict_bool(json.loads(data)["boolean"])
    if ctype in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return ET.fromstring(data).find(f"{SRX}boolean").text.strip() == "true"
    raise ValueError(f"{ctype} is not a boolean result format")


def _strict_bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"boolean is {value!r}")
    return value


def check_tabular(ctype: str, data: bytes) -> None:
    if ctype in ("application/sparql-results+json", "application/json"):
        doc = json.loads(data)
        assert isinstance(doc["head"]["vars"], list) and isinstance(doc["results"]["bindings"], list)
    elif ctype in ("application/sparql-results+xml", "application/xml", "text/xml"):
        root = ET.fromstring(data)
        assert root.find(f"{SRX}head") is not None and root.find(f"{SRX}results") is not None
    elif ctype == "text/csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert rows and rows[0]
    elif ctype == "text/tab-separated-values":
        header = data.decode("utf-8").split("\n")[0]
        assert header and all(v.startswith("?") for v in header.split("\t"))
    else:
        raise ValueError(f"{ctype} is not a tabular result format")


def parse_rdf(ctype: str, data: bytes) -> Graph:
    if ctype not in RDF_TYPES:
        raise ValueError(f"{ctype} is not an RDF format")
    g = Graph()
    g.parse(data=data, format=RDF_TYPES[ctype])
    return g


def check_request(server: Server, req: Request) -> str | None:
    """None when the answer is as the manifest expects, else what is wrong."""
    status, ctype, data = server.send(req.method, req.path, req.headers, req.body)
    if status // 100 not in req.statuses:
        wanted = "/".join(f"{s}xx" for s in sorted(req.statuses))
        return f"status {status}, expected {wanted}: {data[:200]!r}"
    try:
        if req.fmt == "boolean":
            value = parse_boolean(ctype, data)
            if req.boolean is not None and value != req.boolean:
                return f"ASK answered {value}, expected {req.boolean}"
        elif req.fmt == "tabular":
            check_tabular(ctype, data)
        elif req.fmt == "RDF":
            parse_rdf(ctype, data)
    except (ValueError, KeyError, AssertionError, AttributeError, ET.ParseError, SyntaxError) as exc:
        return f"bad {req.fmt} answer ({ctype}): {exc!r}"
    return None


def run_test(server: Server, test: Test) -> tuple[str, str]:
    """("pass" | "fail" | "refused", detail)."""
    if test.needs_writes:
        # only the update itself is sent: the follow-up ASK would check its effect
        first = test.requests[0]
        status, _, data = server.send(first.method, first.path, first.headers, first.body)
        if status // 100 == 4:
            return "refused", f"update answered {status} (read-only endpoint; needs writes)"
        return "fail", f"update answered {status}, expected a clean 4xx from a read-only endpoint"
    for i, req in enumerate(test.requests, 1):
        problem = check_request(server, req)
        if problem:
            return "fail", f"request {i}: {problem}"
    return "pass", ""


# ---------------------------------------------------------------- graph store and service description

def gsp_checks(server: Server, graphs: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(name, problem or None) for GSP reads of every graph in every RDF format."""
    from urllib.parse import quote

    out = []
    for name, path in sorted(graphs.items()):
        expected = Graph().parse(path, format="nt")
        target = f"/graph-store?graph={quote(name, safe='')}"
        for media_type in RDF_TYPES:
            status, ctype, data = server.send("GET", target, [("Accept", media_type)], None)
            problem = None
            if status != 200 or ctype != media_type:
                problem = f"status {status}, Content-Type {ctype}"
            else:
                try:
                    got = parse_rdf(ctype, data)
                    if set(got) != set(expected):
                        problem = f"{len(got)} triples, expected the {len(expected)} of {path.name}"
                except Exception as exc:  # any parser failure is a test failure to report
                    problem = f"unparsable: {exc!r}"
            out.append((f"gsp GET {path.name} as {media_type}", problem))
        status, _, data = server.send("HEAD", target, [("Accept", "text/turtle")], None)
        out.append((f"gsp HEAD {path.name}", None if status == 200 and not data else f"status {status}"))
    status, ctype, data = server.send("GET", "/graph-store?default", [("Accept", "application/n-triples")], None)
    total = sum(len(Graph().parse(p, format="nt")) for p in graphs.values())
    got = len(parse_rdf(ctype, data)) if status == 200 else -1
    out.append(("gsp GET ?default (union of all graphs)", None if got == total else f"status {status}, {got} triples"))
    status, _, _ = server.send("GET", "/graph-store?graph=http%3A%2F%2Fexample.org%2Fno-such-graph", [], None)
    out.append(("gsp GET unknown graph -> 404", None if status == 404 else f"status {status}"))
    for method in ("PUT", "POST", "DELETE"):
        status, _, _ = server.send(method, "/graph-store?default", [("Content-Type", "text/turtle")], b"")
        out.append((f"gsp {method} -> 405 (read-only)", None if status == 405 else f"status {status}"))
    status, ctype, data = server.send("GET", ENDPOINT, [("Accept", "text/turtle")], None)
    problem = None
    try:
        sd = parse_rdf(ctype, data)
        services = list(sd.subjects(RDF.type, SD.Service))
        if not services or sd.value(services[0], SD.endpoint) is None:
            problem = "no sd:Service with an sd:endpoint"
    except ValueError as exc:
        problem = f"status {status}: {exc}"
    out.append(("service description at the endpoint (sd:Service, sd:endpoint)", problem))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="the W3C folder holding protocol/manifest.ttl")
    args = parser.parse_args(argv)
    tests = read_manifest(args.folder)
    graphs: dict[str, Path] = {}
    for test in tests:
        graphs.update(test.graphs)
    server = Server(graphs)
    verdicts: dict[str, int] = {"pass": 0, "fail": 0, "refused": 0}
    try:
        for test in tests:
            verdict, detail = run_test(server, test)
            word = {"pass": "PASS", "fail": "FAIL", "refused": "REFUSED-UNTIL-WRITES"}[verdict]
            print(f"{word:21} {test.name}" + (f"  -- {detail}" if detail else ""))
            verdicts[verdict] += 1
        own = gsp_checks(server, graphs)
        for name, problem in own:
            print(f"{'PASS' if problem is None else 'FAIL':21} {name}" + (f"  -- {problem}" if problem else ""))
    finally:
        server.stop()
    own_failed = sum(problem is not None for _, problem in own)
    print(f"W3C protocol tests ({len(tests)}): {verdicts['pass']} passed, {verdicts['fail']} failed, "
          f"{verdicts['refused']} update tests refused with 4xx until writes land (a read-only endpoint "
          "must refuse them; not counted as passed)")
    print(f"Graph Store reads and service description ({len(own)}): {len(own) - own_failed} passed, "
          f"{own_failed} failed")
    passed, failed = verdicts["pass"] + len(own) - own_failed, verdicts["fail"] + own_failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
