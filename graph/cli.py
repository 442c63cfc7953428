"""The ``aenc`` command: build, check, query, export and serve the knowledge graph.

Exit codes (as pySHACL): 0 ok; 1 the data does not conform to the shapes or the ontology's
rules, or is inconsistent; 2 bad input (syntax error, unknown term, bad argument, unknown
query, missing build). Errors are one clean message on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import (
    AencError, InconsistentGraphError, ParameterError, StoreError, ValidationFailed,
)
from .load import DATA_DIR, SHAPES_FILE
from .namespaces import ONTOLOGY_FILE
from .settings import resolve

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_BAD_INPUT = 2

#: --format names of ``aenc query`` and the media types they stand for
QUERY_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "table": None,
}


def exit_code(error: AencError) -> int:
    """1 for data that does not conform or is inconsistent, 2 for every other bad input."""
    if isinstance(error, (ValidationFailed, InconsistentGraphError)):
        return EXIT_NONCONFORMING
    return EXIT_BAD_INPUT


def _say(line: str = "") -> None:
    print(line, flush=True)


def _progress(args) -> object:
    from .build import quiet, to_stderr
    return quiet if args.quiet else to_stderr


def _build_dir(args) -> Path:
    return Path(args.build_dir or resolve()["build_dir"])


# ---------------------------------------------------------------- commands

def cmd_build(args) -> int:
    from .build import build
    stats = build(_build_dir(args), args.data_dir, args.ontology, args.shapes, progress=_progress(args),
                  reasoner=args.reasoner, validator=args.validator)
    _publish(_build_dir(args), _store_settings(args), _progress(args))
    _say(f"built {_build_dir(args)}: {stats['encounters']} encounters, {stats['reports']} reports, "
         f"{stats['triples_asserted']} asserted + {stats['triples_inferred']} inferred triples "
         f"in {stats['seconds']['total']:.1f} s")
    return EXIT_OK


def _store_settings(args) -> dict:
    return resolve({"store": getattr(args, "store", None), "build_dir": str(_build_dir(args))})


def _publish(build_dir: Path, cfg: dict, progress) -> None:
    """After a build: write the on-disk store, or load the remote store, as ``store`` says
    (``store = auto`` writes the on-disk store for a build over ``disk_over_mb``)."""
    from .remote import chosen_kind
    kind = chosen_kind(cfg)
    if kind == "disk":
        from .diskstore import build_disk_store
        progress(f"store: wrote {build_disk_store(build_dir, progress=progress)}")
    elif kind == "remote":
        from .remote import RemoteStore
        remote = RemoteStore.from_settings(cfg)
        sizes = remote.load_build(build_dir)
        progress(f"store: loaded {len(sizes)} graphs, {sum(sizes.values())} triples into {remote.source}")


def cmd_qc(args) -> int:
    from .load import load
    from .qc import run_qc
    seen = run_qc(load(args.data_dir, args.ontology))
    _say(f"qc passed: {seen['ontology_terms']} ontology terms checked, "
         f"{seen['data_term_uses']} uses of aenc terms in the data, all declared")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .build import check
    try:
        _loaded, report = check(args.data_dir, args.ontology, args.shapes, progress=_progress(args),
                                validator=args.validator)
    except ValidationFailed as failed:
        if failed.kind == "validation":
            _say(failed.report_text)
            print(f"aenc: the data does not conform to the shapes: {failed.violations} violation(s)",
                  file=sys.stderr)
            return EXIT_NONCONFORMING
        raise
    _say(report.text())
    return EXIT_OK


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--param {pair!r} is not name=value",
                                 hint="write e.g. --param state=state/russia")
        params[name.strip()] = value
    return params


def _load_named_query(name_or_file: str):
    from . import queries
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or path.is_file():
        return queries.load_query_file(path)
    return queries.get_query(name_or_file)


def _table(result) -> str:
    variables = list(result.variables)
    rows = result.rows()
    cells = [[row.get(v, "") for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
                 f"{', truncated' if result.truncated else ''})")
    return "\n".join(lines)


def cmd_query(args) -> int:
    from .queries import list_queries
    if args.list or not args.query:
        for q in list_queries():
            params = ", ".join(p.name for p in q.parameters)
            _say(f"{q.name:32} {q.title}" + (f"  [{params}]" if params else ""))
        return EXIT_OK
    named = _load_named_query(args.query)
    bindings = named.bind(_parse_params(args.param))
    from .remote import open_store
    store = open_store(_store_settings(args), workers=0, progress=_progress(args))
    try:
        result = store.query(named.text, bindings=bindings, timeout=args.timeout, max_rows=args.max_rows)
        media_type = QUERY_FORMATS[args.format]
        if media_type is None:  # table: readable text for a person
            if result.kind == "select":
                _say(_table(result))
            elif result.kind == "ask":
                _say("true" if result.boolean() else "false")
            else:
                sys.stdout.write(result.serialize("text/turtle").decode("utf-8"))
        else:
            data = result.serialize(media_type)
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    finally:
        store.close()
    return EXIT_OK


def cmd_export(args) -> int:
    from rdflib import Dataset

    from .build import NQUADS_NAME
    from .export import export_format, serialize
    spec = export_format(args.format)
    source = _build_dir(args) / NQUADS_NAME
    if not source.is_file():
        raise StoreError(f"no build found at {source}", hint="run `aenc build` first")
    dataset = Dataset()
    dataset.parse(source, format="nquads")
    data = serialize(dataset, spec.name, asserted_only=args.asserted_only)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({spec.name}, {len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def cmd_serve(args) -> int:
    try:
        import server
    except ImportError as err:
        if err.name != "server":
            raise
        raise StoreError("the server (server.py) cannot be imported",
                         hint="run aenc from the repository root, installed with pip install -e .") from None
    try:
        return int(server.main(args.server_args) or 0)
    except SystemExit as stop:  # the server's own option parser: --help (0) or a bad option (2)
        return stop.code if isinstance(stop.code, int) else (EXIT_OK if stop.code is None else EXIT_BAD_INPUT)


# ---------------------------------------------------------------- parser

def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aenc", description="Air Encounters Knowledge Graph: build, check, query, export, serve.",
        epilog="exit codes: 0 ok, 1 does not conform or inconsistent, 2 bad input")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress lines on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def data_options(p, shapes=True):
        p.add_argument("--data-dir", type=Path, default=DATA_DIR,
                       help="folder with reference.ttl and reports/*.ttl (default: the curated data)")
        p.add_argument("--ontology", type=Path, default=ONTOLOGY_FILE, help="ontology file (Turtle)")
        if shapes:
            p.add_argument("--shapes", type=Path, default=SHAPES_FILE, help="SHACL shapes file (Turtle)")

    def engine_options(p, reasoner=True):
        p.add_argument("--validator", choices=["fast", "pyshacl"], default="fast",
                       help="SHACL engine: fast (shapes compiled to SPARQL, default) or pyshacl (reference)")
        if reasoner:
            p.add_argument("--reasoner", choices=["fast", "owlrl"], default="fast",
                           help="OWL 2 RL engine: fast (default, same inferences) or owlrl (reference)")

    def store_option(p):
        p.add_argument("--store", choices=["auto", "memory", "disk", "remote"], default=None,
                       help="auto (the default: disk for a build over AENC_DISK_OVER_MB, 500 MB, else "
                            "memory), memory, disk (build/store/) or remote (AENC_REMOTE_QUERY_URL ...); "
                            "default: AENC_STORE")

    def build_dir_option(p):
        p.add_argument("--build-dir", default=None,
                       help="build folder (default: AENC_BUILD_DIR or 'build')")

    p = sub.add_parser("build", parents=[common], help="load, check, validate, reason and write build/aenc.nq")
    data_options(p)
    engine_options(p)
    build_dir_option(p)
    store_option(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", parents=[common], help="ontology QC and SHACL validation; prints the report")
    data_options(p)
    engine_options(p, reasoner=False)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("qc", parents=[common], help="ontology quality checks and undeclared terms in the data")
    data_options(p, shapes=False)
    p.set_defaults(func=cmd_qc)

    p = sub.add_parser("query", parents=[common], help="run a named query (or a .rq file) on the build")
    p.add_argument("query", nargs="?", metavar="NAME_OR_FILE", help="named query or .rq file; omit to list")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a query parameter, repeatable")
    p.add_argument("--format", "-f", choices=list(QUERY_FORMATS), default="table")
    p.add_argument("--timeout", type=float, default=None, help="seconds before the query is stopped")
    p.add_argument("--max-rows", type=int, default=None, help="most rows returned")
    p.add_argument("--list", action="store_true", help="list the named queries")
    build_dir_option(p)
    store_option(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", parents=[common],
                       help="write the built graph as Turtle, TriG, N-Triples, N-Quads or JSON-LD")
    p.add_argument("--format", "-f", default="trig",
                   help="turtle | trig | ntriples | nquads | jsonld (default: trig)")
    p.add_argument("--asserted-only", action="store_true", help="leave out the inferred graph")
    p.add_argument("--output", "-o", default=None, metavar="FILE", help="file to write (default: stdout)")
    build_dir_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="serve the build over SPARQL 1.1 on 127.0.0.1", add_help=False)
    p.add_argument("server_args", nargs=argparse.REMAINDER, help="options passed to the server")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one aenc command; return its exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser()
    try:
        command_at = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
        if command_at is not None and argv[command_at] == "serve":
            # everything after `serve` belongs to the server's own option parser
            args = parser.parse_args(argv[:command_at + 1])
            args.server_args = argv[command_at + 1:]
        else:
            args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse already printed usage and the problem
        return int(stop.code or 0) and EXIT_BAD_INPUT
    try:
        return args.func(args)
    except AencError as error:
        print(f"aenc: {error}", file=sys.stderr)
        return exit_code(error)
    except KeyboardInterrupt:
        print("aenc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
