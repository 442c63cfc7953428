"""Generate N realistic synthetic encounters from aenc's curated reference data.

    python bench/generate.py 1000 --seed 1 -o /tmp/synth-1k.nq      # one N-Quads dataset
    python bench/generate.py 1000 --seed 1 -o /tmp/synth-1k/        # a data folder for `aenc build`

Everything is drawn from the curated data in ``graph/data/``: the states, commands, units,
aircraft types (with their roles, variants and origin), places (with their containment),
outlets and people of ``reference.ttl``, and from the curated reports which state flies which
aircraft type with which unit. The encounters follow the curated reports' modelling patterns
(see docs/modelling.md): participations with count qualifiers, roles and units; reported
times with a precision and, for relative expressions, the report they were resolved against;
locations and nearby regions; behaviours; reports with publishers and authors; attributed
claims (safety characterisations, airspace claims, closest approach quantities normalised to
metres, disputed dates, durations, precedents, legality, tallies); and, as in the curated
data, some encounters told by a second report in its own named graph.

The output is deterministic: the same N and seed give the same bytes. It conforms to
``ontology/shapes.ttl`` and is consistent with the ontology (tests/scale/test_generate.py).

Output forms, chosen by the ``-o`` path:
  ``*.nq``    N-Quads, sorted: the reference graph and one named graph per synthetic report
              (``https://w3id.org/aenc/graph/report/synth-000001`` …), like a build's asserted part;
  ``*.trig``  the same as TriG;
  a folder    (a path ending in ``/`` or without a suffix) ``reference.ttl`` + ``reports/*.ttl``,
              which ``graph.load.load(folder)`` and ``aenc build --data`` read like the curated data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "graph" / "data"
ONTOLOGY_FILE = ROOT / "ontology" / "aenc.ttl"

BASE = "https://w3id.org/aenc/"
ONT = BASE + "ont/"
ID = BASE + "id/"
GRAPHS = BASE + "graph/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"

#: prefixes used when writing Turtle (only those a file uses are declared)
PREFIXES = {
    "aenc": ONT, "rdfs": RDFS, "xsd": XSD, "qudt": QUDT, "unit": UNIT,
    "state": ID + "state/", "org": ID + "org/", "person": ID + "person/", "agent": ID + "agent/",
    "aircraft": ID + "aircraft/", "place": ID + "place/", "report": ID + "report/",
    "enc": ID + "encounter/", "part": ID + "participation/", "tm": ID + "time/",
    "claim": ID + "claim/", "beh": ID + "behaviour/", "qty": ID + "quantity/",
    "sortie": ID + "sortie/", "graph": GRAPHS + "report/",
}

#: first and last day an encounter may fall on
START = dt.date(2014, 1, 1)
END = dt.date(2025, 12, 31)

#: theatres: who is intercepted by whom, where and near what (keys of reference.ttl entities).
#: ``intercepted``: states whose aircraft are met; ``interceptors``: (state or None, command or None);
#: ``joint``: the partners of a joint patrol. Weights are relative frequencies.
THEATRES = [
    dict(name="alaska", weight=14, intercepted=["russia"],
         interceptors=[("united-states", "norad"), ("canada", "norad"), ("united-states", None)],
         places=["bering-sea", "chukchi-sea", "north-pacific-ocean", "alaska-adiz"], near=["alaska"]),
    dict(name="okhotsk", weight=12, intercepted=["united-states"], interceptors=[("russia", None)],
         places=["sea-of-okhotsk", "kamchatka-southeast-coast", "pacific-ocean", "north-pacific-ocean"],
         near=["kamchatka", "russian-far-east"]),
    dict(name="japan", weight=16, intercepted=["russia", "china"], interceptors=[("japan", None)],
         places=["north-pacific-ocean", "pacific-ocean"], near=[]),
    dict(name="barents", weight=9, intercepted=["norway", "united-states"], interceptors=[("russia", None)],
         places=["barents-sea", "arctic-ocean"], near=[]),
    dict(name="north-flank", weight=8, intercepted=["russia"],
         interceptors=[("norway", "nato"), ("norway", None), (None, "nato")],
         places=["barents-sea", "arctic-ocean"], near=[]),
    dict(name="baltic", weight=12, intercepted=["russia"],
         interceptors=[(None, "nato"), ("united-states", "nato"), ("france", "nato"), ("norway", "nato")],
         places=["baltic-sea"], near=[]),
    dict(name="mediterranean", weight=7, intercepted=["united-states", "france"], interceptors=[("russia", None)],
         places=["mediterranean-sea"], near=["syria"]),
    dict(name="syria", weight=4, intercepted=["russia"], interceptors=[("united-states", None)],
         places=["eastern-syria-exclusion-zone"], near=["syria"], kinds="escort"),
    dict(name="pacific-china", weight=6, intercepted=["united-states"], interceptors=[("china", None)],
         places=["pacific-ocean", "north-pacific-ocean"], near=[]),
    dict(name="joint-patrol", weight=3, joint=["russia", "china"],
         interceptors=[("united-states", "norad"), ("canada", "norad"), ("japan", None)],
         places=["bering-sea", "chukchi-sea", "north-pacific-ocean", "alaska-adiz"], near=["alaska"]),
]

#: roles of the aircraft that get intercepted, and of those that intercept or escort
MET_ROLES = ("bomberRole", "surveillanceRole", "transportRole")
FIGHTER_ROLES = ("fighterRole",)

SAFETY = [  # (quoted label, assessments, side that says it: "met" complains, "interceptor" defends)
    ("unsafe and unprofessional", ("Unsafe", "Unprofessional"), "met"),
    ("unsafe", ("Unsafe",), "met"),
    ("could have resulted in a collision", ("Unsafe",), "met"),
    ("unprofessional", ("Unprofessional",), "met"),
    ("safe and professional", ("SafeAndProfessional",), "interceptor"),
    ("in strict accordance with international rules", ("SafeAndProfessional",), "interceptor"),
    ("not considered a threat", ("NotAThreat",), "interceptor"),
]
BEHAVIOURS = [("CloseApproach", "interceptor"), ("CrossingTheNose", "interceptor"),
              ("FlareRelease", "interceptor"), ("ChaffRelease", "interceptor"),
              ("WarningShots", "interceptor"), ("TurningAway", "met"), ("Collision", "interceptor")]
BEHAVIOUR_WEIGHTS = [40, 12, 10, 6, 2, 28, 1]
LENGTH_UNITS = [("MI", Decimal("1609.344"), "miles"), ("KiloM", Decimal("1000"), "km"),
                ("MI_N", Decimal("1852"), "nautical miles")]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class GeneratorError(Exception):
    """The reference data lacks something the generator needs (names the entity and the fix)."""


# ---------------------------------------------------------------------------------------------
# Terms: N-Triples text, so that writing millions of triples needs no RDF library
# ---------------------------------------------------------------------------------------------

def iri(value: str) -> str:
    return f"<{value}>"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def typed(lexical: str, datatype: str) -> str:
    return f'"{_escape(lexical)}"^^<{XSD}{datatype}>'


def lang(text: str, tag: str = "en") -> str:
    return f'"{_escape(text)}"@{tag}'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


A = iri(RDF + "type")
LABEL = iri(RDFS + "label")


def aenc(name: str) -> str:
    return iri(ONT + name)


# ---------------------------------------------------------------------------------------------
# What the curated data offers
# ---------------------------------------------------------------------------------------------

@dataclass
class AircraftType:
    iri: str
    label: str
    roles: frozenset[str]          # local names of every role, broader roles included
    operators: tuple[str, ...]     # state keys


@dataclass
class Reference:
    """The pools the generator draws from, read from the curated data."""

    text: bytes                                   # reference.ttl, as is
    curated: list[tuple[Path, list[tuple[str, str, str]]]]  # the curated report files
    triples: list[tuple[str, str, str]]           # reference.ttl as N-Triples terms
    labels: dict[str, str]                        # IRI -> English label
    states: dict[str, str]                        # key -> IRI
    orgs: dict[str, str]                          # key -> IRI
    places: dict[str, str]                        # key -> IRI
    aircraft: list[AircraftType]
    units: dict[tuple[str, str], list[str]]       # (state key, aircraft IRI) -> unit IRIs seen
    units_by_family: dict[tuple[str, str], list[str]]  # (state key, role family) -> unit IRIs
    speakers: dict[str, list[str]]                # state key -> agents that act for it
    news: list[str]
    ministries: dict[str, str]                    # state key -> government body IRI
    authors: dict[str, list[str]]                 # outlet IRI -> journalists
    airspace: dict[str, str]                      # state key -> territorial airspace IRI
    international_airspace: str | None

    def label(self, node: str) -> str:
        return self.labels.get(node, node.rsplit("/", 1)[-1])


def _parse(path: Path) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def _local(node: str, namespace: str) -> str:
    return node[len(namespace):]


def _family(roles: Iterable[str]) -> str:
    roles = set(roles)
    for family in ("fighterRole", "bomberRole", "surveillanceRole", "transportRole", "tankerRole"):
        if family in roles:
            return family
    return "other"


def read_reference(data_dir: Path = DATA_DIR, ontology_file: Path = ONTOLOGY_FILE) -> Reference:
    """Read the pools from ``data_dir/reference.ttl``, ``data_dir/reports/*.ttl`` and the ontology."""
    data_dir = Path(data_dir)
    ref_path = data_dir / "reference.ttl"
    ontology = _parse(Path(ontology_file))
    reference = _parse(ref_path)
    curated = [(path, _parse(path)) for path in sorted((data_dir / "reports").glob("*.ttl"))]
    reports = [t for _path, triples in curated for t in triples]
    everything = ontology + reference + reports

    by_sp: dict[tuple[str, str], list[str]] = {}
    for t in everything:
        by_sp.setdefault((t.subject.value, t.predicate.value), []).append(t.object.value)

    def values(s: str, p: str) -> list[str]:
        return by_sp.get((s, p), [])

    labels = {t.subject.value: t.object.value for t in everything
              if t.predicate.value == RDFS + "label" and getattr(t.object, "language", None) == "en"}
    types: dict[str, set[str]] = {}
    for t in everything:
        if t.predicate.value == RDF + "type":
            types.setdefault(t.subject.value, set()).add(t.object.value)
    subclass: dict[str, set[str]] = {}
    for t in ontology:
        if t.predicate.value == RDFS + "subClassOf":
            subclass.setdefault(t.subject.value, set()).add(t.object.value)

    def superclasses(cls: str) -> set[str]:
        out, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c not in out:
                out.add(c)
                todo.extend(subclass.get(c, ()))
        return out

    def is_a(node: str, cls: str) -> bool:
        return any(ONT + cls in superclasses(t) for t in types.get(node, ()))

    def keyed(prefix: str, cls: str) -> dict[str, str]:
        return {_local(n, ID + prefix): n for n in sorted(types)
                if n.startswith(ID + prefix) and is_a(n, cls)}

    states = keyed("state/", "State")
    orgs = keyed("org/", "Agent")
    places = keyed("place/", "Place")
    if not states or not places:
        raise GeneratorError(f"{ref_path}: no states or no places found",)

    # roles: broader closure from the ontology
    broader: dict[str, set[str]] = {}
    for t in ontology:
        if t.predicate.value == ONT + "broaderRole":
            broader.setdefault(t.subject.value, set()).add(t.object.value)

    def role_closure(roles: Iterable[str]) -> frozenset[str]:
        out, todo = set(), list(roles)
        while todo:
            r = todo.pop()
            if r not in out:
                out.add(r)
                todo.extend(broader.get(r, ()))
        return frozenset(_local(r, ONT) for r in out)

    def base_chain(node: str) -> list[str]:
        chain, seen = [node], {node}
        while True:
            up = values(chain[-1], ONT + "variantOf")
            if not up or up[0] in seen:
                return chain
            chain.append(up[0])
            seen.add(up[0])

    # which state flies which type, and with which unit, as the curated reports say
    flown: dict[str, set[str]] = {}
    units: dict[tuple[str, str], list[str]] = {}
    state_key = {v: k for k, v in states.items()}
    for part in sorted(n for n in types if ONT + "Participation" in types[n]):
        for st in values(part, ONT + "state"):
            for ac in values(part, ONT + "aircraftType"):
                flown.setdefault(ac, set()).add(state_key[st])
                for u in values(part, ONT + "unit"):
                    lst = units.setdefault((state_key[st], ac), [])
                    if u not in lst:
                        lst.append(u)

    aircraft = []
    for node in sorted(n for n in types if is_a(n, "AircraftType")):
        chain = base_chain(node)
        roles = role_closure(r for n in chain for r in values(n, ONT + "hasRole"))
        operators = set()
        for n in chain:
            operators |= flown.get(n, set())
        if not operators:
            for n in chain:
                for origin in values(n, ONT + "originState"):
                    key = state_key.get(origin)
                    # a type designed in a state that no longer exists is flown by its successor
                    if key == "soviet-union":
                        key = "russia"
                    if key:
                        operators.add(key)
                    break
        if roles and operators:
            aircraft.append(AircraftType(node, labels.get(node, node), roles, tuple(sorted(operators))))

    families: dict[tuple[str, str], list[str]] = {}
    by_iri = {a.iri: a for a in aircraft}
    for (st, ac), us in sorted(units.items()):
        if ac in by_iri:
            lst = families.setdefault((st, _family(by_iri[ac].roles)), [])
            lst.extend(u for u in us if u not in lst)

    # who speaks for each state: actsFor, down the chain of command, and commands' members
    acts: dict[str, set[str]] = {}
    for agent in sorted(n for n in types if is_a(n, "Agent")):
        found, todo, seen = set(), [agent], set()
        while todo:
            a = todo.pop()
            if a in seen:
                continue
            seen.add(a)
            found.update(values(a, ONT + "actsFor"))
            found.update(values(a, ONT + "memberState"))
            todo.extend(values(a, ONT + "subordinateTo"))
        for st in found:
            if st in state_key:
                acts.setdefault(state_key[st], set()).add(agent)
    speaking = ("GovernmentBody", "Person", "MultinationalOrganization", "MilitaryDistrict", "ArmedService")
    speakers = {st: sorted(a for a in agents if any(is_a(a, c) for c in speaking)
                           and not is_a(a, "Alliance"))
                for st, agents in sorted(acts.items())}
    ministries = {}
    for st, agents in sorted(acts.items()):
        bodies = sorted(a for a in agents if is_a(a, "GovernmentBody"))
        if bodies:
            ministries[st] = bodies[0]
    news = sorted(n for n in types if is_a(n, "NewsOrganization"))
    authors: dict[str, list[str]] = {}
    for outlet in news:
        name = labels.get(outlet, "")
        authors[outlet] = sorted(p for p in types if is_a(p, "Person") and name
                                 and any(name in pos for pos in values(p, ONT + "position")))
    airspace = {}
    international = None
    for node in sorted(places.values()):
        if is_a(node, "TerritorialAirspace"):
            for st in values(node, ONT + "airspaceOf"):
                if st in state_key:
                    airspace[state_key[st]] = node
        if is_a(node, "InternationalAirspace") and international is None:
            international = node

    ref = Reference(
        text=ref_path.read_bytes(),
        curated=[(path, [(str(t.subject), str(t.predicate), str(t.object)) for t in triples])
                 for path, triples in curated],
        triples=[(str(t.subject), str(t.predicate), str(t.object)) for t in reference],
        labels=labels, states=states, orgs=orgs, places=places, aircraft=aircraft, units=units,
        units_by_family=families, speakers=speakers, news=news, ministries=ministries,
        authors=authors, airspace=airspace, international_airspace=international)
    _check_theatres(ref, ref_path)
    return ref


def _check_theatres(ref: Reference, path: Path) -> None:
    """Every key named in THEATRES must exist in the reference data."""
    missing = []
    for th in THEATRES:
        for st in th.get("intercepted", []) + th.get("joint", []):
            if st not in ref.states:
                missing.append(f"state/{st}")
        for st, cmd in th["interceptors"]:
            if st and st not in ref.states:
                missing.append(f"state/{st}")
            if cmd and cmd not in ref.orgs:
                missing.append(f"org/{cmd}")
        for p in th["places"] + th["near"]:
            if p not in ref.places:
                missing.append(f"place/{p}")
    if missing:
        raise GeneratorError(
            f"{path}: the generator's theatres name entities that are missing: "
            f"{', '.join(sorted(set(missing)))}; add them to the reference data or edit THEATRES "
            f"in bench/generate.py")


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

@dataclass
class ReportGraph:
    key: str
    triples: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def graph(self) -> str:
        return iri(GRAPHS + "report/" + self.key)

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.append((s, p, o))


@dataclass
class Synthetic:
    """A generated dataset: the reference graph plus one graph per synthetic report."""

    reference: Reference
    reports: list[ReportGraph]
    encounters: int
    with_curated: bool = False      # the curated reports come along (their graphs, as they are)

    def quads(self) -> Iterable[str]:
        """Every quad as one N-Quads line (unsorted)."""
        ref_graph = iri(GRAPHS + "reference")
        for s, p, o in self.reference.triples:
            yield f"{s} {p} {o} {ref_graph} .\n"
        for report in self.reports:
            g = report.graph
            for s, p, o in report.triples:
                yield f"{s} {p} {o} {g} .\n"
        if self.with_curated:
            for path, triples in self.reference.curated:
                g = iri(GRAPHS + "report/" + path.stem)
                for s, p, o in triples:
                    yield f"{s} {p} {o} {g} .\n"

    def nquads(self) -> bytes:
        """The dataset as sorted N-Quads (byte-identical for the same N and seed)."""
        return "".join(sorted(self.quads())).encode("utf-8")

    def triple_count(self) -> int:
        curated = sum(len(t) for _p, t in self.reference.curated) if self.with_curated else 0
        return len(self.reference.triples) + sum(len(r.triples) for r in self.reports) + curated


@dataclass
class _Encounter:
    iri: str
    key: str
    theatre: dict
    kinds: list[str]
    places: list[str]
    near: list[str]
    met: list[str]                       # state keys met (or joint partners)
    interceptor: tuple[str | None, str | None]
    earliest: dt.date
    latest: dt.date
    hours: int = 0                       # its duration, once a report gave one


class Generator:
    def __init__(self, reference: Reference, seed: int):
        self.ref = reference
        self.rng = random.Random(seed)
        self.theatre_weights = [t["weight"] for t in THEATRES]
        self.recent: list[_Encounter] = []
        self.counter = 0

    # -- small helpers
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def types_for(self, state: str, roles: Iterable[str]) -> list[AircraftType]:
        roles = set(roles)
        return [a for a in self.ref.aircraft if state in a.operators and a.roles & roles]

    def state_iri(self, key: str) -> str:
        return iri(self.ref.states[key])

    def date_text(self, d: dt.date) -> str:
        return d.isoformat()

    # -- a report
    def report(self, index: int, want: int) -> tuple[ReportGraph, int]:
        rng = self.rng
        key = f"synth-{index:06d}"
        rg = ReportGraph(key)
        report = iri(ID + "report/" + key)
        published = START + dt.timedelta(days=rng.randrange((END - START).days + 1))
        if self.chance(0.8) or not self.ref.ministries:
            publisher = rng.choice(self.ref.news)
        else:
            publisher = self.ref.ministries[rng.choice(sorted(self.ref.ministries))]
        rg.add(rg.graph, aenc("accountOf"), report)
        rg.add(report, A, aenc("Report"))
        rg.add(report, aenc("publisher"), iri(publisher))
        rg.add(report, aenc("publicationDate"), typed(published.isoformat(), "date"))
        for author in self.ref.authors.get(publisher, []):
            if self.chance(0.5):
                rg.add(report, aenc("author"), iri(author))
        if self.chance(0.5):
            rg.add(report, aenc("url"), typed(f"https://news.example.org/{published.year}/{key}", "anyURI"))
        else:
            rg.add(report, aenc("sourceFile"), plain(f"{key}.txt"))
        count = min(want, rng.choice([1, 1, 1, 2, 2, 3, 3, 4, 5, 6]))
        made: list[_Encounter] = []
        for _ in range(count):
            made.append(self.encounter(rg, report, publisher, published))
        # a second account of an encounter an earlier report told
        if self.recent and self.chance(0.1):
            self.second_account(rg, report, publisher, published, rng.choice(self.recent))
        if made and self.chance(0.05):
            self.sortie(rg, report, published, made[0])
        if made and self.chance(0.05):
            self.tally(rg, report, publisher, published, made[0])
        first = made[0] if made else None
        title = self.ref.label(self.ref.places[first.places[0]]) if first else "air activity"
        rg.add(report, LABEL, lang(f"Synthetic report {key} of {published.isoformat()}: "
                                   f"{len(made)} encounter(s), {title}"))
        self.recent = (self.recent + made)[-50:]
        return rg, len(made)

    # -- time
    def reported_time(self, report: str, published: dt.date
                      ) -> tuple[list[tuple[str, str]], dt.date, dt.date]:
        """A reported time relative to the report's date: (predicate, object) pairs and its span."""
        rng = self.rng
        pick = rng.random()
        expression = None
        if pick < 0.35:
            back = rng.choice([0, 1, 1, 2, 3, 4, 5, 6])
            earliest = latest = published - dt.timedelta(days=back)
            precision = "DayPrecision"
            if back:
                day = WEEKDAYS[earliest.weekday()]
                expression = rng.choice([day, f"{day} night", f"on {day}"])
            if back == 1 and self.chance(0.5):
                expression = "yesterday"
        elif pick < 0.55:
            earliest = latest = published - dt.timedelta(days=rng.randrange(7, 60))
            precision = "DayPrecision"
        elif pick < 0.65:
            latest = published - dt.timedelta(days=rng.randrange(0, 5))
            earliest = latest - dt.timedelta(days=rng.choice([1, 1, 2]))
            precision = "DayRangePrecision"
            expression = rng.choice(["this weekend", "late last week", "over two days"])
        elif pick < 0.85:
            monday = published - dt.timedelta(days=published.weekday())
            if self.chance(0.5):
                earliest, latest, expression = monday, published, "this week"
            else:
                earliest, latest = monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
                expression = "last week"
            precision = "WeekPrecision"
        else:
            first = published.replace(day=1)
            if published.day > 1 and self.chance(0.6):
                earliest, latest, expression = first, published - dt.timedelta(days=1), "earlier this month"
            else:
                latest = first - dt.timedelta(days=1)
                earliest, expression = latest.replace(day=1), "last month"
            precision = "MonthPrecision"
        pairs = [(A, aenc("ReportedTime")),
                 (aenc("earliestDate"), typed(earliest.isoformat(), "date")),
                 (aenc("latestDate"), typed(latest.isoformat(), "date")),
                 (aenc("timePrecision"), aenc(precision))]
        if expression:
            pairs += [(aenc("reportedExpression"), plain(expression)),
                      (aenc("resolvedRelativeTo"), report)]
        return pairs, earliest, latest

    # -- participations
    def participation(self, rg: ReportGraph, enc_key: str, tag: str, state: str | None,
                      command: str | None, roles: tuple[str, ...], part_role: str) -> tuple[str, str]:
        rng = self.rng
        node = iri(ID + f"participation/{enc_key}-{tag}")
        rg.add(node, A, aenc("Participation"))
        if state:
            rg.add(node, aenc("state"), self.state_iri(state))
        if command:
            rg.add(node, aenc("underCommandOf"), iri(self.ref.orgs[command]))
        flown = self.types_for(state, roles) if state else []
        if command and not state:
            flown = [a for a in self.ref.aircraft if a.roles & set(roles) and any(
                op in ("united-states", "norway", "canada", "france") for op in a.operators)]
        described = ""
        if flown and self.chance(0.85):
            ac = rng.choice(flown)
            rg.add(node, aenc("aircraftType"), iri(ac.iri))
            described = ac.label
            if self.chance(0.05):
                rg.add(node, aenc("reportedDesignation"), plain(ac.label.split(" ")[0]))
            unit_pool = (self.ref.units.get((state, ac.iri))
                         or self.ref.units_by_family.get((state, _family(ac.roles)), []))
            if unit_pool and self.chance(0.3):
                rg.add(node, aenc("unit"), iri(rng.choice(unit_pool)))
        else:
            role = rng.choice(roles)
            rg.add(node, aenc("aircraftRole"), aenc(role))
            described = role[:-4] + " aircraft"
        q = rng.random()
        if q < 0.45:
            rg.add(node, aenc("aircraftCount"), typed(str(rng.choice([1, 1, 1, 2, 2, 2, 3, 4])), "positiveInteger"))
            rg.add(node, aenc("countQualifier"), aenc("ExactCount"))
        elif q < 0.55:
            rg.add(node, aenc("aircraftCount"), typed("2", "positiveInteger"))
            rg.add(node, aenc("countQualifier"), aenc("AtLeastCount"))
        elif q < 0.62:
            rg.add(node, aenc("aircraftCount"), typed(str(rng.choice([2, 3, 4, 6])), "positiveInteger"))
            rg.add(node, aenc("countQualifier"), aenc("ApproximateCount"))
        else:
            rg.add(node, aenc("countQualifier"), aenc("UnknownCount"))
        rg.add(node, aenc("participationRole"), aenc(part_role))
        return node, described

    # -- an encounter
    def encounter(self, rg: ReportGraph, report: str, publisher: str, published: dt.date) -> _Encounter:
        rng = self.rng
        self.counter += 1
        th = rng.choices(THEATRES, weights=self.theatre_weights)[0]
        interceptor = rng.choice(th["interceptors"])
        if "joint" in th:
            met = list(th["joint"])
            kinds = ["JointPatrol", "Intercept"] if self.chance(0.8) else ["JointPatrol"]
        else:
            met = [rng.choice(th["intercepted"])]
            if th.get("kinds") == "escort":
                kinds = ["EscortOrShadowing"]
            else:
                kinds = rng.choices(
                    [["Intercept"], ["Scramble", "Intercept"], ["EscortOrShadowing"],
                     ["Scramble", "EscortOrShadowing"], ["Encounter"],
                     ["AllegedAirspaceViolation", "Intercept"]],
                    weights=[30, 25, 20, 12, 5, 3])[0]
        n_places = 1 if self.chance(0.75) else 2
        places = rng.sample(th["places"], min(n_places, len(th["places"])))
        if self.ref.international_airspace and self.chance(0.2):
            places.append(_local(self.ref.international_airspace, ID + "place/"))
        near = [rng.choice(th["near"])] if th["near"] and self.chance(0.6) else []
        time, earliest, latest = self.reported_time(report, published)
        key = f"{earliest.isoformat()}-{places[0]}-{self.counter:06d}"
        enc = _Encounter(iri(ID + "encounter/" + key), key, th, kinds, places, near, met,
                         interceptor, earliest, latest)
        self.tell(rg, enc, report, publisher, published, tag="", time=time)
        return enc

    def tell(self, rg: ReportGraph, enc: _Encounter, report: str, publisher: str,
             published: dt.date, *, tag: str, time: list[tuple[str, str]] | None = None) -> None:
        """One report's account of an encounter: its own time node, participations and claims."""
        rng = self.rng
        node = enc.iri
        suffix = f"-{tag}" if tag else ""
        time_node = iri(ID + f"time/{enc.key}{suffix}")
        if time is None:
            time, _earliest, _latest = self.reported_time(report, published)
        for kind in enc.kinds:
            rg.add(node, A, aenc(kind))
        rg.add(node, aenc("time"), time_node)
        for p, o in time:
            rg.add(time_node, p, o)
        for p in enc.places:
            rg.add(node, aenc("location"), iri(self.ref.places[p]))
        for p in enc.near:
            rg.add(node, aenc("near"), iri(self.ref.places[p]))
        rg.add(node, aenc("reportedIn"), report)
        key = enc.key + suffix
        parts_met: list[str] = []
        parts_int: list[str] = []
        met_text = ""
        met_role = "Patrolling" if "JointPatrol" in enc.kinds else "Intercepted"
        for i, st in enumerate(enc.met):
            p, text = self.participation(rg, key, f"{st}-{i}", st, None,
                                         ("bomberRole",) if "JointPatrol" in enc.kinds else MET_ROLES,
                                         met_role)
            parts_met.append(p)
            met_text = met_text or f"{self.ref.label(self.ref.states[st])} {text}"
            if self.chance(0.15):
                p2, _ = self.participation(rg, key, f"{st}-escort-{i}", st, None, FIGHTER_ROLES, "Escorting")
                parts_met.append(p2)
        if self.chance(0.05):
            p3, _ = self.participation(rg, key, "support", enc.met[0], None, ("tankerRole", "aewcRole"),
                                       "Supporting")
            parts_met.append(p3)
        st, cmd = enc.interceptor
        p, int_text = self.participation(rg, key, f"{st or cmd}-int", st, cmd, FIGHTER_ROLES, "Intercepting")
        parts_int.append(p)
        if self.chance(0.12):
            p, _ = self.participation(rg, key, f"{st or cmd}-int-2", st, cmd, FIGHTER_ROLES, "Intercepting")
            parts_int.append(p)
        for part in parts_met + parts_int:
            rg.add(node, aenc("hasParticipation"), part)
        who = self.ref.label(self.ref.states[st]) if st else self.ref.label(self.ref.orgs[cmd])
        verb = "on joint patrol, met" if "JointPatrol" in enc.kinds else "intercepted"
        rg.add(node, LABEL, lang(f"{met_text} {verb} by {who} {int_text} over the "
                                 f"{self.ref.label(self.ref.places[enc.places[0]])}, {enc.earliest.isoformat()}"))
        if self.chance(0.15):
            kind, side = rng.choices(BEHAVIOURS, weights=BEHAVIOUR_WEIGHTS)[0]
            b = iri(ID + f"behaviour/{key}-{kind.lower()}")
            rg.add(node, aenc("hasBehaviour"), b)
            rg.add(b, A, aenc(kind))
            rg.add(b, aenc("performedBy"), rng.choice(parts_int if side == "interceptor" else parts_met))
        if self.chance(0.05) and self.recent:
            earlier = rng.choice(self.recent)
            if earlier.iri != node:
                rg.add(node, aenc("respondsTo" if self.chance(0.5) else "follows"), earlier.iri)
        self.claims(rg, enc, key, report, publisher)

    def speaker(self, state: str | None, command: str | None, publisher: str) -> str:
        pool = list(self.ref.speakers.get(state, [])) if state else []
        if command:
            pool.append(self.ref.orgs[command])
        return iri(self.rng.choice(pool)) if pool else iri(publisher)

    def claim(self, rg: ReportGraph, node: str, cls: str, speaker: str, report: str,
              about: str | None) -> None:
        rg.add(node, A, aenc(cls))
        rg.add(node, aenc("speaker"), speaker)
        rg.add(node, aenc("statedIn"), report)
        if about:
            rg.add(node, aenc("about"), about)
        if "russia" in speaker and "tass" in self.ref.orgs and self.chance(0.3):
            rg.add(node, aenc("relayedBy"), iri(self.ref.orgs["tass"]))

    def claims(self, rg: ReportGraph, enc: _Encounter, key: str, report: str, publisher: str) -> None:
        rng = self.rng
        st, cmd = enc.interceptor
        met = enc.met[0]
        if self.chance(0.12):
            text, assessments, side = rng.choice(SAFETY)
            who = self.speaker(met, None, publisher) if side == "met" else self.speaker(st, cmd, publisher)
            c = iri(ID + f"claim/{key}-safety")
            self.claim(rg, c, "SafetyCharacterisation", who, report, enc.iri)
            for a in assessments:
                rg.add(c, aenc("assessment"), aenc(a))
            rg.add(c, aenc("quotedLabel"), plain(text))
        if self.chance(0.15) or "AllegedAirspaceViolation" in enc.kinds:
            violated = "AllegedAirspaceViolation" in enc.kinds
            c = iri(ID + f"claim/{key}-airspace")
            self.claim(rg, c, "AirspaceClaim", self.speaker(st, cmd, publisher), report, enc.iri)
            space = self.ref.airspace.get(st) if st else None
            if space:
                rg.add(c, aenc("concernsAirspace"), iri(space))
            rg.add(c, aenc("violationAsserted"), typed("true" if violated else "false", "boolean"))
            rg.add(c, aenc("quotedLabel"), plain("violated our airspace" if violated else "did not enter our airspace"))
            if violated:
                d = iri(ID + f"claim/{key}-airspace-denial")
                self.claim(rg, d, "AirspaceClaim", self.speaker(met, None, publisher), report, enc.iri)
                rg.add(d, aenc("violationAsserted"), typed("false", "boolean"))
                rg.add(d, aenc("quotedLabel"), plain("no violations of the border were allowed"))
        if self.chance(0.12):
            c = iri(ID + f"claim/{key}-closest-approach")
            self.claim(rg, c, "ClosestApproachClaim", self.speaker(st, cmd, publisher), report, enc.iri)
            if self.chance(0.8):
                unit, factor, _name = rng.choice(LENGTH_UNITS)
                value = Decimal(rng.choice([5, 10, 20, 30, 50, 100, 150, 200, 320]))
                q = iri(ID + f"quantity/{key}-closest-approach")
                rg.add(c, aenc("closestApproach"), q)
                rg.add(q, A, aenc("Quantity"))
                rg.add(q, iri(QUDT + "numericValue"), typed(f"{value:.1f}", "decimal"))
                rg.add(q, iri(QUDT + "unit"), iri(UNIT + unit))
                rg.add(q, aenc("normalisedMetres"), typed(_decimal(value * factor), "decimal"))
            else:
                rg.add(c, aenc("quotedLabel"), plain(rng.choice(["extremely close", "dangerously close",
                                                                 "at a considerable distance"])))
            if enc.near:
                rg.add(c, aenc("measuredFrom"), iri(self.ref.places[enc.near[0]]))
        if self.chance(0.03):
            for i, (who, day) in enumerate(((self.speaker(st, cmd, publisher), enc.latest),
                                            (iri(publisher), enc.earliest))):
                c = iri(ID + f"claim/{key}-date-{i}")
                self.claim(rg, c, "DateClaim", who, report, enc.iri)
                rg.add(c, aenc("claimedDate"), typed(day.isoformat(), "date"))
        if self.chance(0.06):
            # one duration per encounter (a later account repeats it, its claim may differ)
            hours = rng.choice([1, 2, 3, 5, 8])
            enc.hours = enc.hours or hours
            rg.add(enc.iri, aenc("duration"), typed(f"PT{enc.hours}H", "duration"))
            c = iri(ID + f"claim/{key}-duration")
            self.claim(rg, c, "DurationClaim", self.speaker(met, None, publisher), report, enc.iri)
            rg.add(c, aenc("claimedDuration"), typed(f"PT{hours}H", "duration"))
        if self.chance(0.04):
            c = iri(ID + f"claim/{key}-precedent")
            self.claim(rg, c, "PrecedentClaim", self.speaker(met, None, publisher), report, enc.iri)
            if self.chance(0.5):
                rg.add(c, aenc("firstOfItsKind"), typed("true", "boolean"))
            else:
                rg.add(c, aenc("ordinalInSeries"), typed(str(rng.randrange(2, 12)), "positiveInteger"))
                rg.add(c, aenc("seriesSince"), typed(str(rng.randrange(2010, enc.earliest.year + 1)), "gYear"))
        if self.chance(0.08):
            c = iri(ID + f"claim/{key}-legality")
            self.claim(rg, c, "LegalityClaim", self.speaker(met, None, publisher), report, enc.iri)
            rg.add(c, aenc("quotedLabel"), plain(rng.choice([
                "in full compliance with international rules for the use of airspace",
                "not directed against third countries", "in line with international law"])))

    def second_account(self, rg: ReportGraph, report: str, publisher: str, published: dt.date,
                       enc: _Encounter) -> None:
        """Another report's account of an earlier encounter, as the two 2024-07-24 reports do."""
        self.tell(rg, enc, report, publisher, published, tag=rg.key)

    def sortie(self, rg: ReportGraph, report: str, published: dt.date, enc: _Encounter) -> None:
        node = iri(ID + f"sortie/{enc.key}-sortie")
        rg.add(node, A, aenc("Sortie"))
        t = iri(ID + f"time/{enc.key}-sortie")
        rg.add(node, aenc("time"), t)
        for p, o in self.reported_time(report, published)[0]:
            rg.add(t, p, o)
        rg.add(node, aenc("location"), iri(self.ref.places[enc.places[0]]))
        rg.add(node, aenc("reportedIn"), report)
        st = enc.met[0]
        p, text = self.participation(rg, enc.key, "sortie", st, None, MET_ROLES, "Patrolling")
        rg.add(node, aenc("hasParticipation"), p)
        rg.add(node, LABEL, lang(f"{self.ref.label(self.ref.states[st])} {text} sortie, no encounter reported"))
        rg.add(node, aenc("follows" if self.chance(0.5) else "respondsTo"), enc.iri)

    def tally(self, rg: ReportGraph, report: str, publisher: str, published: dt.date, enc: _Encounter) -> None:
        c = iri(ID + f"claim/{rg.key}-tally")
        self.claim(rg, c, "TallyClaim", iri(publisher), report, None)
        n = self.rng.choice([6, 8, 12, 20, 40])
        rg.add(c, aenc("tally"), typed(str(n), "positiveInteger"))
        rg.add(c, aenc("countQualifier"), aenc(self.rng.choice(["ExactCount", "ApproximateCount"])))
        rg.add(c, aenc("tallyYear"), typed(str(published.year), "gYear"))
        rg.add(c, aenc("tallyPlace"), iri(self.ref.places[enc.places[0]]))
        rg.add(c, aenc("quotedLabel"), plain(f"about {n} intercepts this year"))


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def generate(n: int, seed: int = 1, *, data_dir: Path = DATA_DIR,
             ontology_file: Path = ONTOLOGY_FILE, with_curated: bool = False) -> Synthetic:
    """N synthetic encounters (distinct encounter IRIs) in several reports, from the curated data;
    ``with_curated`` adds the curated reports themselves (so named queries' defaults find them)."""
    if n < 1:
        raise ValueError(f"N must be a positive number of encounters, got {n}")
    reference = read_reference(data_dir, ontology_file)
    gen = Generator(reference, seed)
    reports: list[ReportGraph] = []
    made = 0
    while made < n:
        rg, k = gen.report(len(reports) + 1, n - made)
        reports.append(rg)
        made += k
    return Synthetic(reference, reports, made, with_curated)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_PN_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")
_TERM = re.compile(r'^<([^>]*)>$')
_TYPED = re.compile(r'^(".*")\^\^<([^>]*)>$', re.S)


def _compact(term: str, used: set[str]) -> str:
    m = _TERM.match(term)
    if m:
        value = m.group(1)
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and _PN_LOCAL.match(value[len(ns):]):
                used.add(prefix)
                return f"{prefix}:{value[len(ns):]}"
        return term
    m = _TYPED.match(term)
    if m:
        return f"{m.group(1)}^^{_compact('<' + m.group(2) + '>', used)}"
    return term


def turtle(triples: list[tuple[str, str, str]], header: str = "") -> str:
    """Readable Turtle for one report graph: subjects in order of first use, one predicate per line."""
    used: set[str] = set()
    order: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in triples:
        order.setdefault(s, []).append((p, o))
    blocks = []
    for s, pos in order.items():
        lines = []
        by_p: dict[str, list[str]] = {}
        for p, o in pos:
            by_p.setdefault(p, [])
            if o not in by_p[p]:
                by_p[p].append(o)
        items = sorted(by_p.items(), key=lambda kv: kv[0] != A)
        for i, (p, os) in enumerate(items):
            pred = "a" if p == A else _compact(p, used)
            objs = (" ,\n        ").join(_compact(o, used) for o in os)
            end = " ." if i == len(items) - 1 else " ;"
            lines.append(f"    {pred} {objs}{end}")
        blocks.append(_compact(s, used) + "\n" + "\n".join(lines))
    prefixes = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(used))
    return header + prefixes + "\n" + "\n\n".join(blocks) + "\n"


def write(data: Synthetic, out: Path) -> list[Path]:
    """Write ``data`` to ``out`` (N-Quads, TriG or a data folder by its name); return the paths written."""
    out = Path(out)
    text_out = str(out)
    if out.suffix == ".nq":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data.nquads())
        return [out]
    if out.suffix == ".trig":
        out.parent.mkdir(parents=True, exist_ok=True)
        parts = [turtle(data.reference.triples).replace(
            "\n\n", f"\n\n<{GRAPHS}reference> {{\n", 1) + "}\n"]
        graphs = [(r.graph, r.triples) for r in data.reports]
        if data.with_curated:
            graphs += [(iri(GRAPHS + "report/" + path.stem), triples)
                       for path, triples in data.reference.curated]
        for name, triples in graphs:
            body = turtle(triples)
            head, _, rest = body.partition("\n\n")
            parts.append(f"{head}\n\n{name} {{\n{rest}}}\n")
        out.write_text("\n".join(parts), encoding="utf-8")
        return [out]
    if out.suffix and not text_out.endswith("/"):
        raise ValueError(f"-o {out}: write to a .nq or .trig file, or to a folder (a path ending in /)")
    reports_dir = out / "reports"
    reports_dir.mkdir(parents=True, exist_ok=True)
    for old in reports_dir.glob("synth-*.ttl"):
        old.unlink()
    written = [out / "reference.ttl"]
    written[0].write_bytes(data.reference.text)
    if data.with_curated:
        for path, _triples in data.reference.curated:
            (reports_dir / path.name).write_bytes(path.read_bytes())
            written.append(reports_dir / path.name)
    for r in data.reports:
        path = reports_dir / f"{r.key}.ttl"
        header = (f"# Synthetic report {r.key}, generated by bench/generate.py (not a real source).\n"
                  f"# Named graph: {GRAPHS}report/{r.key}\n\n")
        path.write_text(turtle(r.triples, header), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of encounters")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--out", required=True,
                        help="output: FILE.nq, FILE.trig, or a folder (ending in /) for `aenc build`")
    parser.add_argument("--data", default=str(DATA_DIR), help="curated data folder to draw from")
    parser.add_argument("--with-curated", action="store_true",
                        help="include the curated reports themselves (default: synthetic reports only)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"N must be a positive number of encounters, got {args.n}")
    try:
        data = generate(args.n, args.seed, data_dir=Path(args.data), with_curated=args.with_curated)
        paths = write(data, Path(args.out))
    except (GeneratorError, ValueError, OSError, SyntaxError) as err:
        print(f"generate: {err}", file=sys.stderr)
        return 2
    print(f"{data.encounters} encounters in {len(data.reports)} reports, "
          f"{data.triple_count()} triples -> {args.out} ({len(paths)} file(s))", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
