"""SPARQL result formats: the media types aenc writes, and the writers for solutions.

Solutions travel between query workers and the server as plain tuples (see ``encode_term``),
so they pickle fast and the writers here need no engine. Graphs are written by pyoxigraph.
Writers follow the W3C specs: SPARQL 1.1 Query Results JSON, XML, CSV and TSV.
"""
from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.errors import ParameterError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: SELECT and ASK results, in the server's order of preference
SOLUTION_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: CONSTRUCT and DESCRIBE results, and single graphs, in order of preference
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
#: whole datasets (every named graph kept)
DATASET_FORMATS: dict[str, ox.RdfFormat] = {
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def formats_for(kind: str) -> list[str]:
    """Media types a result of this kind ("select", "ask", "graph", "dataset") can be written in."""
    if kind in ("select", "ask"):
        return list(SOLUTION_FORMATS)
    if kind == "graph":
        return list(GRAPH_FORMATS)
    if kind == "dataset":
        return list(DATASET_FORMATS)
    raise ValueError(f"unknown result kind {kind!r}")


def check_format(kind: str, media_type: str) -> None:
    """Raise ParameterError naming the choices when a kind cannot be written in a media type."""
    offered = formats_for(kind)
    if media_type not in offered:
        raise ParameterError(
            f"a {kind} result cannot be written as {media_type!r}",
            hint="choose one of " + ", ".join(offered),
        )


# -- terms -----------------------------------------------------------------------------------

def encode_term(term) -> tuple | None:
    """A pyoxigraph term as a plain tuple: ("uri", iri), ("bnode", id),
    ("literal", lexical, language or None, datatype IRI), ("triple", s, p, o)."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return ("uri", term.value)
    if kind is ox.Literal:
        return ("literal", term.value, term.language, term.datatype.value)
    if kind is ox.BlankNode:
        return ("bnode", term.value)
    if kind is ox.Triple:
        return ("triple", encode_term(term.subject), encode_term(term.predicate), encode_term(term.object))
    raise TypeError(f"cannot encode RDF term {term!r}")


def decode_term(term: tuple):
    """The pyoxigraph term for an encoded tuple."""
    kind = term[0]
    if kind == "uri":
        return ox.NamedNode(term[1])
    if kind == "bnode":
        return ox.BlankNode(term[1])
    if kind == "literal":
        if term[2]:
            return ox.Literal(term[1], language=term[2])
        return ox.Literal(term[1], datatype=ox.NamedNode(term[3]))
    return ox.Triple(decode_term(term[1]), decode_term(term[2]), decode_term(term[3]))


def plain_value(term: tuple) -> str:
    """IRI, lexical form, or ``_:id``: what CSV shows and ``Result.rows`` returns."""
    kind = term[0]
    if kind in ("uri", "literal"):
        return term[1]
    if kind == "bnode":
        return "_:" + term[1]
    return "<< " + " ".join(_nt(t) for t in term[1:]) + " >>"


def _nt_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _nt(term: tuple) -> str:
    """N-Triples syntax of an encoded term (used by TSV)."""
    kind = term[0]
    if kind == "uri":
        return f"<{term[1]}>"
    if kind == "bnode":
        return "_:" + term[1]
    if kind == "literal":
        text = f'"{_nt_escape(term[1])}"'
        if term[2]:
            return f"{text}@{term[2]}"
        if term[3] != XSD_STRING:
            return f"{text}^^<{term[3]}>"
        return text
    return "<<( " + " ".join(_nt(t) for t in term[1:]) + " )>>"


# -- writers ---------------------------------------------------------------------------------

def write_solutions(variables: list[str], rows: list[tuple], media_type: str) -> bytes:
    """SELECT results in one of SOLUTION_FORMATS."""
    check_format("select", media_type)
    name = SOLUTION_FORMATS[media_type]
    if name == "json":
        return _json_solutions(variables, rows)
    if name == "xml":
        return _xml_solutions(variables, rows)
    if name == "csv":
        return _csv_solutions(variables, rows)
    return _tsv_solutions(variables, rows)


def write_boolean(value: bool, media_type: str) -> bytes:
    """ASK results in one of SOLUTION_FORMATS (CSV and TSV hold the bare word, as Oxigraph does)."""
    check_format("ask", media_type)
    name = SOLUTION_FORMATS[media_type]
    word = "true" if value else "false"
    if name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if name == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    return (word + "\n").encode()


def write_triples(triples: list, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """A list of pyoxigraph Triples in one of GRAPH_FORMATS."""
    check_format("graph", media_type)
    fmt = GRAPH_FORMATS[media_type]
    if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) and prefixes:
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)


def _json_term(term: tuple) -> dict:
    kind = term[0]
    if kind == "literal":
        out = {"type": "literal", "value": term[1]}
        if term[2]:
            out["xml:lang"] = term[2]
        elif term[3] != XSD_STRING:
            out["datatype"] = term[3]
        return out
    if kind == "triple":
        return {"type": "triple", "value": {
            "subject": _json_term(term[1]), "predicate": _json_term(term[2]), "object": _json_term(term[3]),
        }}
    return {"type": kind, "value": term[1]}


def _json_solutions(variables: list[str], rows: list[tuple]) -> bytes:
    bindings = [
        {var: _json_term(term) for var, term in zip(variables, row) if term is not None}
        for row in rows
    ]
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: tuple) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<uri>{escape(term[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term[1])}</bnode>"
    if kind == "literal":
        if term[2]:
            return f"<literal xml:lang={quoteattr(term[2])}>{escape(term[1])}</literal>"
        if term[3] != XSD_STRING:
            return f"<literal datatype={quoteattr(term[3])}>{escape(term[1])}</literal>"
        return f"<literal>{escape(term[1])}</literal>"
    return (f"<triple><subject>{_xml_term(term[1])}</subject><predicate>{_xml_term(term[2])}"
            f"</predicate><object>{_xml_term(term[3])}</object></triple>")


def _xml_solutions(variables: list[str], rows: list[tuple]) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for var, term in zip(variables, row):
            if term is not None:
                parts.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _csv_field(text: str) -> str:
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_solutions(variables: list[str], rows: list[tuple]) -> bytes:
    lines = [",".join(_csv_field(v) for v in variables)]
    for row in rows:
        lines.append(",".join("" if t is None else _csv_field(plain_value(t)) for t in row))
    return ("\r\n".join(lines) + "\r\n").encode()


def _tsv_solutions(variables: list[str], rows: list[tuple]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    for row in rows:
        lines.append("\t".join("" if t is None else _nt(t) for t in row))
    return ("\n".join(lines) + "\n").encode()
