"""Stage 1, load: the ontology, the reference entities and one named graph per report.

Every Turtle file is parsed on its own so that an error names the file and line, with a
hint on how to fix it. The result is an rdflib ``Dataset`` whose named graphs follow the
build contract (``…/graph/ontology``, ``…/graph/reference``, ``…/graph/report/<stem>``).
"""
from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import _is_valid_uri

from .errors import DataLoadError
from .namespaces import (
    BASE, GEO, GRAPHS, ONT, ONTOLOGY_FILE, ONTOLOGY_GRAPH, PROV, QUDT, REFERENCE_GRAPH,
    SCHEMA, SEM, SHAPES, TIME, UNIT, report_graph,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SHAPES_FILE = ONTOLOGY_FILE.parent / "shapes.ttl"
REFERENCE_FILE_NAME = "reference.ttl"
REPORTS_DIR_NAME = "reports"

#: a report key becomes part of a graph IRI, so it must be a plain slug
REPORT_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: seconds between two progress lines of a long load
PROGRESS_SECONDS = 5.0

#: prefixes used whenever aenc shows a term to a person (reports, errors, exports)
PREFIXES: dict[str, str] = {
    "aenc": ONT,
    "aencsh": SHAPES,
    "dcterms": str(DCTERMS),
    "geo": str(GEO),
    "owl": str(OWL),
    "prov": str(PROV),
    "qudt": str(QUDT),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "sh": str(SH),
    "skos": str(SKOS),
    "time": str(TIME),
    "unit": str(UNIT),
    "xsd": str(XSD),
}

#: hints for the parser's messages, matched by substring, first match wins
_SYNTAX_HINTS = [
    ("at end of statement", "end the statement on this line with ' .' (or ' ;' to add another predicate)"),
    ("EOF found", "the file ends inside a statement: end the last statement with ' .'"),
    ("not bound", "declare the prefix at the top of the file, e.g. @prefix aenc: <https://w3id.org/aenc/ont/> ."),
    ("unterminated string", "close the string literal with the same quotes that open it"),
    ("newline found in string",
     "close the string on the same line, or use \"\"\"triple quotes\"\"\" for text over several lines"),
    ("']' expected", "close the blank node [ … ] with ']'"),
    ("')' expected", "close the list ( … ) with ')'"),
    ("objectList expected", "give an object after the predicate: an IRI, a prefixed name, a literal or [ … ]"),
    ("language code", "write the language tag after @ without spaces, e.g. \"Baltic Sea\"@en"),
]
_DEFAULT_HINT = "check the Turtle syntax near this line (https://www.w3.org/TR/turtle/)"


@dataclass
class LoadedData:
    """What stage 1 read: the dataset and the file each named graph came from."""

    dataset: Dataset
    sources: dict[URIRef, Path] = field(default_factory=dict)
    _asserted: Graph | None = field(default=None, repr=False, compare=False)
    _asserted_triples: list | None = field(default=None, repr=False, compare=False)

    @property
    def ontology(self) -> Graph:
        return self.dataset.graph(ONTOLOGY_GRAPH)

    @property
    def report_graphs(self) -> list[URIRef]:
        prefix = GRAPHS + "report/"
        return sorted(g for g in self.sources if str(g).startswith(prefix))

    @property
    def data_graphs(self) -> list[URIRef]:
        """The asserted data graphs: reference first, then each report."""
        return [REFERENCE_GRAPH, *self.report_graphs]

    def asserted(self) -> Graph:
        """The union of the asserted data graphs (reference + reports) as one plain graph, made
        once (validation and reasoning both read it; neither changes it)."""
        if self._asserted is None:
            union = Graph()
            for name in self.data_graphs:
                for triple in self.dataset.graph(name):
                    union.add(triple)
            self._asserted = bind_prefixes(union)
        return self._asserted

    def asserted_triples(self) -> list:
        """The distinct triples of the asserted data graphs, as a list made once: what the fast
        engines read (``asserted()`` builds an rdflib graph, three times the work, for those
        that need one)."""
        if self._asserted_triples is None:
            seen: dict = {}
            for name in self.data_graphs:
                seen.update(dict.fromkeys(self.dataset.graph(name)))
            self._asserted_triples = list(seen)
        return self._asserted_triples

    def locate(self, triple) -> str:
        """The file names (comma-separated) of the graphs that hold ``triple``."""
        return ", ".join(path.name for name, path in self.sources.items()
                         if triple in self.dataset.graph(name))

    def graphs_with_subject(self, node) -> list[URIRef]:
        """The data graphs in which ``node`` is the subject of a triple."""
        return [g for g in self.data_graphs if (node, None, None) in self.dataset.graph(g)]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind aenc's display prefixes on ``graph`` and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def short(term) -> str:
    """A term as a person reads it: ``aenc:Encounter``, ``<id/state/russia>``, ``"5"^^xsd:integer``."""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", text[len(ns):] or "-"):
                return f"{prefix}:{text[len(ns):]}"
        if text.startswith(BASE):
            return f"<{text[len(BASE):]}>"
        return f"<{text}>"
    if isinstance(term, Literal):
        lexical = str(term).replace('"', '\\"')
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype and term.datatype != XSD.string:
            return f'"{lexical}"^^{short(term.datatype)}'
        return f'"{lexical}"'
    if isinstance(term, BNode):
        return "[]"
    return str(term)


@contextmanager
def _quiet_rdflib() -> Iterator[list[logging.LogRecord]]:
    """Collect rdflib's logged warnings (ill-typed literals, odd IRIs) instead of printing them."""
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("rdflib")
    handler = _Collect(level=logging.WARNING)
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


def _syntax_line(error: BadSyntax) -> int:
    """The 1-based line a person should look at for a Turtle syntax error.

    rdflib reports the line where it *noticed* the problem (``error.lines`` counts newlines
    before that point). When a statement is not ended, that is the next statement's line,
    possibly after blank and comment lines; so point at the last significant text before the
    error position instead. An unterminated long string points at its opening quotes.
    """
    text: bytes = error._str
    position = min(error._i, len(text))
    before = text[:position]
    if "unterminated string" in error._why:
        opening = max(before.rfind(b'"""'), before.rfind(b"'''"))
        if opening >= 0:
            return before[:opening].count(b"\n") + 1
    lines = before.split(b"\n")
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith(b"#"):
            return index + 1
    return error.lines + 1


def _hint(why: str) -> str:
    for needle, hint in _SYNTAX_HINTS:
        if needle in why:
            return hint
    return _DEFAULT_HINT


def find_line(text: str, *needles: str) -> int | None:
    """The first 1-based line of ``text`` holding one of ``needles`` as a whole token."""
    for needle in needles:
        if not needle:
            continue
        pattern = re.compile(re.escape(needle) + r"(?![\w-]|\.[\w-])")
        match = pattern.search(text)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return None


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new one by default); errors name file:line."""
    path = Path(path)
    graph = Graph() if graph is None else graph
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataLoadError("file not found", path=str(path),
                            hint="check the path, or run from the repository root") from None
    except UnicodeDecodeError as err:
        raise DataLoadError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=str(path),
                            hint="save the file as UTF-8") from None
    with _quiet_rdflib():
        try:
            graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
        except BadSyntax as err:
            raise DataLoadError(f"Turtle syntax error: {err._why}", path=str(path),
                                line=_syntax_line(err), hint=_hint(err._why)) from None
    _check_terms(graph, path, text)
    return graph


def _check_terms(graph: Graph, path: Path, text: str) -> None:
    """Refuse what the parser only warns about: malformed IRIs and ill-typed literals."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and not _is_valid_uri(str(term)):
                line = find_line(text, str(term))
                raise DataLoadError(
                    f"malformed IRI <{term}>", path=str(path), line=line,
                    hint="IRIs may not contain spaces, quotes, braces or backslashes; percent-encode them")
            if isinstance(term, Literal) and term.ill_typed:
                line = find_line(text, f'"{term}"^^', f'"{term}"', str(term))
                raise DataLoadError(
                    f"{short(term)} is not a valid {short(term.datatype)}", path=str(path), line=line,
                    hint="fix the value, e.g. dates as YYYY-MM-DD, or use the right datatype")


def report_key(path: Path) -> str:
    """The stable key of a report file (its stem); it becomes part of the graph IRI."""
    key = path.stem
    if not REPORT_KEY.match(key):
        raise DataLoadError(
            f"report file name {path.name!r} is not a usable key", path=str(path),
            hint="name report files with lower-case letters, digits and dashes, e.g. 2021-04-23-tass-mig-31.ttl")
    return key


def report_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The report files under ``data_dir/reports``, sorted by name."""
    return sorted((Path(data_dir) / REPORTS_DIR_NAME).glob("*.ttl"))


def load(data_dir: Path = DATA_DIR, ontology_file: Path = ONTOLOGY_FILE, *,
         progress: Callable[[str], None] | None = None) -> LoadedData:
    """Read the ontology, ``data_dir/reference.ttl`` and every ``data_dir/reports/*.ttl``;
    ``progress`` hears how far the reports are read, every few seconds of a long load."""
    data_dir = Path(data_dir)
    dataset = Dataset()
    bind_prefixes(dataset)
    loaded = LoadedData(dataset=dataset)

    def add(name: URIRef, path: Path) -> None:
        parse_turtle(path, dataset.graph(name))
        loaded.sources[name] = path

    add(ONTOLOGY_GRAPH, Path(ontology_file))
    add(REFERENCE_GRAPH, data_dir / REFERENCE_FILE_NAME)
    reports = report_files(data_dir)
    if not reports:
        raise DataLoadError(
            "no report files found", path=str(data_dir / REPORTS_DIR_NAME),
            hint="each source report is one Turtle file in this folder, e.g. reports/2021-04-23-tass-mig-31.ttl")
    said = time.monotonic()
    for done, path in enumerate(reports, 1):
        add(report_graph(report_key(path)), path)
        if progress is not None and time.monotonic() - said >= PROGRESS_SECONDS and done < len(reports):
            progress(f"load: {done} of {len(reports)} report files read")
            said = time.monotonic()
    return loaded


def load_shapes(path: Path = SHAPES_FILE) -> Graph:
    """Read the SHACL shapes."""
    return bind_prefixes(parse_turtle(Path(path)))


__all__ = [
    "DATA_DIR", "SHAPES_FILE", "PREFIXES", "LoadedData", "load", "load_shapes", "parse_turtle",
    "report_files", "report_key", "short", "find_line", "bind_prefixes",
]
