"""One declarative table of settings: (name, default, help).

It feeds the CLI (``aenc serve --help``), the server, environment variables (``AENC_<NAME>``
upper-cased) and the README's settings table; a test fails when a setting is undocumented.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "AENC_" + self.name.upper()


SETTINGS: list[Setting] = [
    Setting("build_dir", "build", "Folder the build writes to and the server reads from."),
    Setting("store", "auto", "Where the built graph is kept and queried: memory (parse build/aenc.nq at start), disk (build/store/, written by the build, opened in under a second), remote (a SPARQL 1.1 store the build loads into) or auto: disk for a build larger than disk_over_mb, else memory."),
    Setting("disk_over_mb", 500, "With store = auto: a build whose aenc.nq is larger than this (MB, about 40,000 encounters) is served from the on-disk store, which the build writes (or the first start, once); a smaller one is loaded into memory."),
    Setting("remote_query_url", "", "With store = remote: the remote store's SPARQL 1.1 Query endpoint, e.g. http://127.0.0.1:7878/query."),
    Setting("remote_update_url", "", "With store = remote: its SPARQL 1.1 Update endpoint, used when no Graph Store endpoint is given."),
    Setting("remote_gsp_url", "", "With store = remote: its Graph Store Protocol endpoint, used to load each named graph."),
    Setting("host", "127.0.0.1", "Address the server listens on."),
    Setting("port", 8000, "Port the server listens on."),
    Setting("base_iri", "https://w3id.org/aenc/", "Public base of minted IRIs; set it to publish the same data at another namespace."),
    Setting("query_timeout", 10.0, "Longest a query may run, in seconds; a client may ask for less with the timeout parameter."),
    Setting("max_rows", 10000, "Most result rows returned; more are cut and the X-AENC-Truncated header says so."),
    Setting("max_body_bytes", 1_000_000, "Largest request body accepted, in bytes (413 above it)."),
    Setting("rate_limit", 120, "Requests a client may make per minute (429 with Retry-After above it); 0 turns it off."),
    Setting("base_path", "", "Path prefix the site is served under behind a proxy (e.g. /aenc); empty for the root."),
    Setting("workers", 2, "Query worker processes; each can be stopped when its query runs out of time."),
    Setting("worker_memory_mb", 2048, "Memory a query worker may allocate beyond the shared store, in MB; a query needing more is stopped (503). 0 for no limit."),
]

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    return _BY_NAME[name]


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Settings with environment variables and explicit overrides applied, typed like defaults."""
    out: dict[str, Any] = {}
    for s in SETTINGS:
        value: Any = s.default
        if s.env in os.environ:
            value = os.environ[s.env]
        if overrides and overrides.get(s.name) is not None:
            value = overrides[s.name]
        if isinstance(s.default, bool):
            value = value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        elif isinstance(s.default, int):
            value = int(value)
        elif isinstance(s.default, float):
            value = float(value)
        out[s.name] = value
    return out
