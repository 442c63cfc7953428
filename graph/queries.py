"""Named queries: ``queries/*.rq`` files with a strict ``#+`` header, and typed parameters.

A named query file starts with a header of ``#+ `` lines (a small, strict subset of YAML)::

    #+ title: Participations of one state
    #+ description: Every aircraft a state flew in an encounter, with its role there.
    #+ parameters:
    #+   - name: state
    #+     type: iri
    #+     description: The state, e.g. state/russia.
    #+     default: https://w3id.org/aenc/id/state/russia

Header keys: ``title`` and ``description`` (required), ``parameters`` (optional list). Parameter
keys: ``name``, ``type``, ``description`` (required), ``default`` and ``required`` (optional). A
parameter with a default is optional; ``required: false`` without a default makes a parameter
that, when not given, leaves its variable free (the query then ranges over every value). A
long value may continue on following ``#+`` lines indented deeper than its key.

Parameter types and the values they accept (an empty value counts as not given):

``iri``      an absolute IRI (``https://w3id.org/aenc/id/state/russia``), a short form
             resolved under ``https://w3id.org/aenc/id/`` (``state/russia``), or an ontology
             term written ``aenc:bomberRole`` (``https://w3id.org/aenc/ont/bomberRole``)
``date``     ``YYYY-MM-DD`` (``xsd:date``)
``year``     ``YYYY`` (``xsd:gYear``)
``integer``  ``42`` (``xsd:integer``)
``decimal``  ``3.5`` (``xsd:decimal``)
``string``   any text up to 1000 characters (``xsd:string``)

Parameters are bound as typed terms (SPARQL substitutions, SEP-0007), never pasted into the
query text. The engine substitutes only variables of the top-level ``SELECT`` projection, so
every parameter ``?name`` must be projected; loading a file checks this, and that it parses.
Inside the query a bound parameter acts as a constant: use it in patterns and comparisons,
never in ``BOUND(?name)`` (pyoxigraph answers false for a substituted variable), and keep
filters on optional parameters out of queries (an unbound variable fails every comparison).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from graph.errors import DataLoadError, NotFound, ParameterError
from graph.namespaces import DATA, ONT

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("iri", "string", "date", "integer", "decimal", "year")
HEADER_KEYS = ("title", "description", "parameters")
PARAMETER_KEYS = ("name", "type", "description", "default", "required")
MAX_STRING = 1000

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_VARIABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SHORT_IRI_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._~%-]*(/[A-Za-z0-9_][A-Za-z0-9._~%-]*)*\Z")
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?\Z")
_SYNTAX_AT_RE = re.compile(r"error at (\d+):(\d+): ?")

#: what each type accepts, as told to a person who got it wrong
EXPECTED = {
    "iri": "an absolute IRI such as https://w3id.org/aenc/id/state/russia, a short form "
           "such as state/russia (resolved under " + DATA + "), or an ontology term such as "
           "aenc:bomberRole",
    "date": "a date as YYYY-MM-DD, e.g. 2020-06-19",
    "year": "a year as YYYY, e.g. 2020",
    "integer": "a whole number, e.g. 3",
    "decimal": "a decimal number, e.g. 320.5",
    "string": f"text of at most {MAX_STRING} characters",
}

#: what a bad value is not, in the first half of the message
NOUN = {"iri": "an IRI", "date": "a valid date", "year": "a year", "integer": "an integer",
        "decimal": "a decimal number", "string": "acceptable text"}

#: a value of each type, used to check at load time that a parameter can be substituted
_PROBE = {
    "iri": "https://w3id.org/aenc/id/probe",
    "date": "2000-01-01",
    "year": "2000",
    "integer": "1",
    "decimal": "1.0",
    "string": "probe",
}


@dataclass
class Parameter:
    """One typed parameter of a named query."""

    name: str
    type: str
    description: str
    default: str | None = None
    required: bool = True

    def convert(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The typed term for a raw string value; ParameterError names this parameter."""
        return convert_value(self.name, self.type, raw)

    def describe(self) -> dict:
        """A plain dict for listings (server, CLI, docs)."""
        return {"name": self.name, "type": self.type, "description": self.description,
                "default": self.default, "required": self.required, "expected": EXPECTED[self.type]}


@dataclass
class NamedQuery:
    """A SPARQL query file with its header: title, description, typed parameters."""

    name: str
    title: str
    description: str
    parameters: list[Parameter]
    text: str
    path: Path
    _by_name: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name = {p.name: p for p in self.parameters}

    def bind(self, raw: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the given raw values, with defaults applied.

        Unknown names, missing required values and malformed values raise ParameterError naming
        the parameter, the value and the expected form. Optional parameters without a default
        that were not given are left out (their variable stays free).
        """
        unknown = sorted(set(raw) - set(self._by_name))
        if unknown:
            takes = ", ".join(self._by_name) if self._by_name else "no parameters"
            err = ParameterError(
                f"unknown parameter {', '.join(repr(u) for u in unknown)} for query '{self.name}'",
                hint=f"it takes: {takes}")
            err.parameter = unknown[0]
            raise err
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            value = raw.get(p.name)
            if value is None or value == "":
                value = p.default
            if value is None:
                if p.required:
                    err = ParameterError(
                        f"missing parameter '{p.name}' for query '{self.name}': {p.description}",
                        hint=f"expected {EXPECTED[p.type]}")
                    err.parameter = p.name
                    raise err
                continue
            bound[p.name] = p.convert(value)
        return bound

    def describe(self) -> dict:
        """A plain dict for listings (server, CLI, docs)."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [p.describe() for p in self.parameters]}


def convert_value(name: str, type_: str, raw: str) -> ox.NamedNode | ox.Literal:
    """Convert one raw string to a typed pyoxigraph term, or raise ParameterError."""
    value = raw.strip()
    term = _convert(type_, value)
    if term is None:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        err = ParameterError(f"parameter '{name}': {shown!r} is not {NOUN[type_]}",
                             hint=f"expected {EXPECTED[type_]}")
        err.parameter = name
        err.value = raw
        raise err
    return term


def _convert(type_: str, value: str) -> ox.NamedNode | ox.Literal | None:
    if type_ == "iri":
        return _to_iri(value)
    if type_ == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return None
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
    if type_ == "year":
        if not re.fullmatch(r"\d{4}", value):
            return None
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value):
            return None
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if type_ == "decimal":
        if not re.fullmatch(r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})", value):
            return None
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))
    if type_ == "string":
        if len(value) > MAX_STRING or any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            return None
        return ox.Literal(value)
    raise ValueError(f"unknown parameter type {type_!r}")  # guarded by the header parser


def _to_iri(value: str) -> ox.NamedNode | None:
    if not value or any(c.isspace() or c in '<>"{}|\\^`' for c in value):
        return None
    if value.startswith("aenc:"):
        local = value[len("aenc:"):]
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", local):
            return None
        iri = ONT + local
    elif _SCHEME_RE.match(value):
        iri = value
    elif _SHORT_IRI_RE.match(value) and ".." not in value.split("/"):
        iri = DATA + value
    else:
        return None
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


# --------------------------------------------------------------------------- header parsing

def _fail(path: Path, line: int | None, message: str, hint: str) -> DataLoadError:
    return DataLoadError(message, path=str(path), line=line, hint=hint)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _parse_header(path: Path, lines: list[str]) -> tuple[dict, list[dict], int]:
    """Read the leading ``#+`` lines. Returns (top-level values, parameter items, header end)."""
    top: dict[str, tuple[str, int]] = {}
    items: list[dict[str, tuple[str, int]]] = []
    last: tuple[dict, str, int] | None = None  # (container, key, indent of key) for continuations
    in_parameters = False
    end = 0
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#+"):
            break
        end = number
        body = line[2:].rstrip()
        if not body.strip():
            continue
        if not body.startswith(" "):
            raise _fail(path, number, f"header line {line!r} has no space after '#+'",
                        "write '#+ key: value'")
        content = body[1:]
        indent = len(content) - len(content.lstrip(" "))
        content = content.strip()
        if "\t" in body:
            raise _fail(path, number, "tab in header line", "indent the header with spaces")
        if indent == 0:
            match = _KEY_RE.match(content)
            if not match:
                raise _fail(path, number, f"expected 'key: value', found {content!r}",
                            f"header keys are: {', '.join(HEADER_KEYS)}")
            key, value = match.group(1), (match.group(2) or "").strip()
            if key not in HEADER_KEYS:
                raise _fail(path, number, f"unknown header key {key!r}",
                            f"header keys are: {', '.join(HEADER_KEYS)}")
            if key in top:
                raise _fail(path, number, f"header key {key!r} given twice (first on line {top[key][1]})",
                            "keep one")
            if key == "parameters":
                if value and value != "[]":
                    raise _fail(path, number, "'parameters:' takes a list on the following lines",
                                "write '#+ parameters:' then '#+   - name: ...' lines")
                in_parameters = True
                top[key] = ("", number)
                last = None
            else:
                in_parameters = False
                top[key] = (_unquote(value), number)
                last = (top, key, 0)
            continue
        if in_parameters and indent == 2 and content.startswith("- "):
            items.append({"_line": ("", number)})
            content, indent = content[2:].strip(), 4
        elif in_parameters and indent == 4 and items:
            pass
        elif last is not None and indent > last[2]:
            container, key, _ = last
            text, where = container[key]
            container[key] = ((text + " " + _unquote(content)).strip(), where)
            continue
        else:
            raise _fail(path, number, f"unexpected indentation in header line {content!r}",
                        "top-level keys start right after '#+ ', parameter items with '  - ', "
                        "their keys under them with 4 spaces, continued text deeper than its key")
        match = _KEY_RE.match(content)
        if not match:
            raise _fail(path, number, f"expected 'key: value' in a parameter, found {content!r}",
                        f"parameter keys are: {', '.join(PARAMETER_KEYS)}")
        key, value = match.group(1), (match.group(2) or "").strip()
        item = items[-1]
        if key not in PARAMETER_KEYS:
            raise _fail(path, number, f"unknown parameter key {key!r}",
                        f"parameter keys are: {', '.join(PARAMETER_KEYS)}")
        if key in item:
            raise _fail(path, number, f"parameter key {key!r} given twice in one parameter", "keep one")
        item[key] = (_unquote(value), number)
        last = (item, key, 4)
    for number, line in enumerate(lines[end:], start=end + 1):
        if line.startswith("#+"):
            raise _fail(path, number, "header line after the query began",
                        "move every '#+' line to the top of the file")
    return top, items, end


def _build_parameters(path: Path, items: list[dict]) -> list[Parameter]:
    parameters: list[Parameter] = []
    seen: dict[str, int] = {}
    for item in items:
        start = item["_line"][1]
        for key in ("name", "type", "description"):
            if not item.get(key, ("", 0))[0]:
                raise _fail(path, item.get(key, ("", start))[1], f"parameter without {key!r}",
                            f"every parameter needs name, type and description; types: {', '.join(TYPES)}")
        name, name_line = item["name"]
        if not _VARIABLE_RE.match(name):
            raise _fail(path, name_line, f"parameter name {name!r} is not a SPARQL variable name",
                        "use letters, digits and '_', starting with a letter")
        if name in seen:
            raise _fail(path, name_line, f"parameter {name!r} declared twice (first on line {seen[name]})",
                        "give each parameter a distinct name")
        seen[name] = name_line
        type_, type_line = item["type"]
        if type_ not in TYPES:
            raise _fail(path, type_line, f"parameter {name!r} has unknown type {type_!r}",
                        f"types are: {', '.join(TYPES)}")
        default = item["default"][0] if "default" in item else None
        if default == "":
            raise _fail(path, item["default"][1], f"parameter {name!r} has an empty default",
                        "give a value or drop the default line")
        if default is not None:
            try:
                convert_value(name, type_, default)
            except ParameterError as exc:
                raise _fail(path, item["default"][1], f"bad default: {exc.message}", exc.hint or "") from None
        required = default is None
        if "required" in item:
            flag, flag_line = item["required"]
            if flag not in ("true", "false"):
                raise _fail(path, flag_line, f"'required' of {name!r} must be true or false, not {flag!r}",
                            "write 'required: false' for an optional parameter")
            if flag == "true" and default is not None:
                raise _fail(path, flag_line, f"parameter {name!r} has a default, so it is not required",
                            "drop 'required: true' or the default")
            required = flag == "true"
        parameters.append(Parameter(name, type_, item["description"][0], default, required))
    return parameters


def _check_sparql(path: Path, name: str, text: str, parameters: list[Parameter]) -> None:
    """Parse the query with the engine and check each parameter can be substituted."""
    for p in parameters:
        if not re.search(r"[?$]" + re.escape(p.name) + r"(?![A-Za-z0-9_])", _strip_comments(text)):
            raise _fail(path, None, f"parameter {p.name!r} does not appear in the query as ?{p.name}",
                        f"use ?{p.name} in the query, or remove the parameter from the header")
        if re.search(r"(?i)\bBOUND\s*\(\s*[?$]" + re.escape(p.name) + r"\s*\)", _strip_comments(text)):
            raise _fail(path, None, f"parameter {p.name!r} is tested with BOUND(?{p.name})",
                        "a bound parameter is a constant to the engine and BOUND() answers false; "
                        "use a default, or let an optional parameter stay free in the patterns")
    probe = {ox.Variable(p.name): convert_value(p.name, p.type, _PROBE[p.type]) for p in parameters}
    try:
        _probe_store().query(text, substitutions=probe)
    except SyntaxError as exc:
        message = str(exc).split("\n")[0]
        match = _SYNTAX_AT_RE.match(message)
        line = int(match.group(1)) if match else None
        if match:
            message = f"column {match.group(2)}: " + message[match.end():]
        if len(message) > 160:
            message = message[:157] + "..."
        undeclared = _undeclared_prefix(text, line)
        if undeclared is not None:
            raise _fail(path, line, f"SPARQL syntax error, undeclared prefix '{undeclared}:' ({message})",
                        f"add a 'PREFIX {undeclared}: <...>' line at the top of the query") from None
        raise _fail(path, line, f"SPARQL syntax error, {message}",
                    "fix the query; check PREFIX lines and braces") from None
    except RuntimeError as exc:
        missing = re.search(r"variable \?(\w+) in its SELECT projection", str(exc))
        if not missing:
            raise
        raise _fail(path, None, f"parameter {missing.group(1)!r} is not in the SELECT projection",
                    f"add ?{missing.group(1)} to the SELECT list (and to GROUP BY if the query groups); "
                    "parameters are substituted only in projected variables") from None


def _undeclared_prefix(text: str, line: int | None) -> str | None:
    """The first prefix used on ``line`` that no PREFIX line declares, if any."""
    lines = text.splitlines()
    if not line or line > len(lines):
        return None
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", text)}
    code = re.sub(r"<[^<>\s]*>|\"[^\"]*\"|'[^']*'|#.*$", " ", lines[line - 1])
    for prefix in re.findall(r"(?<![\w?$:])([A-Za-z][\w-]*):(?=[A-Za-z_])", code):
        if prefix.lower() not in declared:
            return prefix
    return None


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@lru_cache(maxsize=1)
def _probe_store() -> ox.Store:
    return ox.Store()


# --------------------------------------------------------------------------- loading

def load_query_file(path: str | Path) -> NamedQuery:
    """Read one ``.rq`` file; DataLoadError names the file, the line and the fix."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise _fail(path, None, f"cannot read query file: {exc.strerror}", "check the path") from None
    return _load_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _load_cached(path: Path, _mtime: int, _size: int) -> NamedQuery:
    name = path.stem
    if path.suffix != ".rq":
        raise _fail(path, None, "a named query file must end in .rq", "rename the file")
    if not _NAME_RE.match(name):
        raise _fail(path, None, f"query name {name!r} is not usable in a URL",
                    "name the file with lower-case letters, digits, '-' and '_'")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from None
    except OSError as exc:
        raise _fail(path, None, f"cannot read query file: {exc.strerror}", "check the path") from None
    lines = text.splitlines()
    top, items, end = _parse_header(path, lines)
    if end == 0:
        raise _fail(path, 1, "no '#+' header", "start the file with '#+ title: ...' and '#+ description: ...'")
    for key in ("title", "description"):
        if not top.get(key, ("", 0))[0]:
            raise _fail(path, top.get(key, ("", end))[1], f"the header has no {key}",
                        f"add '#+ {key}: ...' at the top")
    if not _strip_comments("\n".join(lines[end:])).strip():
        raise _fail(path, end + 1, "the file has a header but no query", "write the SPARQL query after the header")
    parameters = _build_parameters(path, items)
    _check_sparql(path, name, text, parameters)
    return NamedQuery(name=name, title=top["title"][0], description=top["description"][0],
                      parameters=parameters, text=text, path=path)


def list_queries(directory: str | Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every named query in the folder, sorted by name; a bad file raises DataLoadError."""
    directory = Path(directory)
    if not directory.is_dir():
        raise _fail(directory, None, "the named queries folder does not exist", "create it or pass another folder")
    return [load_query_file(p) for p in sorted(directory.glob("*.rq"), key=lambda p: p.stem)]


def query_names(directory: str | Path = QUERIES_DIR) -> list[str]:
    """The names of the named queries in the folder, sorted, without loading them."""
    return sorted(p.stem for p in Path(directory).glob("*.rq"))


def get_query(name: str, directory: str | Path = QUERIES_DIR) -> NamedQuery:
    """The named query called ``name``; NotFound lists the names there are."""
    directory = Path(directory)
    path = directory / f"{name}.rq"
    if not _NAME_RE.match(name or "") or not path.is_file():
        names = query_names(directory)
        raise NotFound(f"no named query {name!r}",
                       hint="available: " + (", ".join(names) if names else "none"))
    return load_query_file(path)
