"""Inspect SPARQL text before it runs: refuse what a read-only public endpoint must not do.

pyoxigraph executes ``SERVICE`` by making HTTP requests to any host, and parses updates only
through a separate call. This module scans the query *lexically* — skipping strings, IRIs and
comments, so a ``SERVICE`` inside a literal or a comment is not a false alarm — and reports:

- a refusal (``SERVICE``, or an update operation such as ``INSERT``/``LOAD``/``DROP``);
- the query's own dataset clauses (``FROM`` / ``FROM NAMED``), resolved to absolute IRIs, so the
  store can apply its dataset rules (the union default graph, the virtual asserted graph);
- whether it has a ``GRAPH`` pattern (a store may answer a query without one from a copy of
  the union alone).

The scan runs twice, on the raw text and on the text with ``\\uXXXX`` escapes decoded, and
refuses if either pass finds a forbidden keyword: a parser that decodes escapes first and one
that does not then both stay covered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from graph.errors import ParameterError, QueryRefused

#: keywords that start a SPARQL 1.1 Update operation
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<long_string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$))
  | (?P<string>'(?:[^'\\\n\r]|\\.)*'?|"(?:[^"\\\n\r]|\\.)*"?)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>[\w:%\\](?:[\w\-.:%\\\u00b7\u0300-\u036f\u203f-\u2040]*[\w\-:%\\\u00b7\u0300-\u036f\u203f-\u2040])?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass
class QueryInfo:
    """What the scan learnt about one query."""

    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    #: the query has a GRAPH pattern (read as a keyword: a GRAPH spelt with escapes counts)
    uses_graph: bool = False

    @property
    def has_dataset(self) -> bool:
        """True when the query text has its own FROM or FROM NAMED clause."""
        return bool(self.from_graphs or self.from_named_graphs)


def check_arguments(sparql: object, timeout: float | None) -> None:
    """The checks every store makes before a query: text present, time limit positive."""
    if not isinstance(sparql, str) or not sparql.strip():
        raise ParameterError("the query is empty", hint="send a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if timeout is not None and timeout <= 0:
        raise ParameterError(f"timeout must be a positive number of seconds, not {timeout!r}")


def inspect_query(text: str) -> QueryInfo:
    """Scan a query; raise QueryRefused for SERVICE or an update; return its dataset clauses."""
    info = _scan(text)
    decoded = _decode_escapes(text)
    if decoded != text:
        info.uses_graph = _scan(decoded).uses_graph or info.uses_graph
    return info


def _decode_escapes(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """Significant tokens (kind, text, offset): whitespace and comments dropped."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append((kind, match.group(), match.start()))
    return out


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _scan(text: str) -> QueryInfo:
    tokens = _tokens(text)
    prefixes: dict[str, str] = {}
    base = ""
    info = QueryInfo()
    i = 0
    # prologue: BASE <iri> and PREFIX p: <iri>
    while i < len(tokens):
        kind, value, _ = tokens[i]
        word = value.upper() if kind == "name" else ""
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = urljoin(base, tokens[i + 1][1][1:-1])
            i += 2
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = urljoin(base, tokens[i + 2][1][1:-1])
            i += 3
        else:
            break
    if i < len(tokens) and tokens[i][0] == "name" and tokens[i][1].upper() in UPDATE_KEYWORDS:
        line, column = _line_col(text, tokens[i][2])
        raise QueryRefused(
            f"SPARQL Update ({tokens[i][1].upper()} at line {line}, column {column}) is refused: "
            "this endpoint is read-only",
            hint="send a SELECT, ASK, CONSTRUCT or DESCRIBE query; the data changes only by a rebuild",
        )
    for j in range(i, len(tokens)):
        kind, value, offset = tokens[j]
        if kind != "name":
            continue
        word = value.upper()
        if "SERVICE" in word.split(":", 1)[0] or ".SERVICE" in word:
            line, column = _line_col(text, offset)
            raise QueryRefused(
                f"SERVICE (line {line}, column {column}) is refused: this endpoint never calls "
                "other endpoints",
                hint="query the remote endpoint yourself and pass its answers in VALUES; a prefix "
                "whose name contains 'service' is refused too: rename it",
            )
        if word == "GRAPH":
            info.uses_graph = True
        if word == "FROM":
            named = j + 1 < len(tokens) and tokens[j + 1][0] == "name" and tokens[j + 1][1].upper() == "NAMED"
            target = tokens[j + 2] if named else (tokens[j + 1] if j + 1 < len(tokens) else None)
            iri = _resolve(target, prefixes, base) if target else None
            if iri is not None:
                (info.from_named_graphs if named else info.from_graphs).append(iri)
    return info


def _resolve(token: tuple[str, str, int], prefixes: dict[str, str], base: str) -> str | None:
    kind, value, _ = token
    if kind == "iri":
        return urljoin(base, value[1:-1]) if base else value[1:-1]
    if kind == "name" and ":" in value:
        prefix, local = value.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local.replace("\\", "")
    return None
