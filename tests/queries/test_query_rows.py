"""Each named query's rows on the curated graph, written by hand from the five source reports.

The expected rows say what the reports say (seeds 000-004): they were not copied from query
output, so a query that loses an inference, a join or a filter fails here. Values built with
GROUP_CONCAT are compared as sets (SPARQL does not fix their order).
"""
from __future__ import annotations

import pytest

from graph.queries import get_query, list_queries

ID = "https://w3id.org/aenc/id/"
ONT = "https://w3id.org/aenc/ont/"
GRAPH = "https://w3id.org/aenc/graph/report/"

TU95_2020 = ID + "encounter/2020-06-16-bering-sea-tu-95"
B52_OKHOTSK = ID + "encounter/2020-06-18-sea-of-okhotsk-b-52h"
BARENTS = ID + "encounter/2021-04-barents-sea-mig-31-falcon-20"
KAMCHATKA = ID + "encounter/2021-04-kamchatka-mig-31-rc-135"
BALTIC = ID + "encounter/2021-04-baltic-tu-160"
PACIFIC = ID + "encounter/2021-04-23-pacific-mig-31-rc-135"
MED_P8 = ID + "encounter/2022-02-12-mediterranean-p-8"
MED_FOLLOW_UP = ID + "encounter/2022-02-mediterranean-follow-up"
SYRIA = ID + "encounter/2022-02-15-eastern-syria-escort"
JOINT_PATROL = ID + "encounter/2024-07-24-bering-sea-joint-bomber-patrol"
B1B_SORTIE = ID + "sortie/2020-05-north-pacific-b-1b"

R2020 = ID + "report/2020-06-19-b-52h-sea-of-okhotsk"
R2021 = ID + "report/2021-04-23-mig-31-escorts-rc-135"
R2022 = ID + "report/2022-02-16-cnn-p-8-mediterranean"
R2024 = ID + "report/2024-07-25-joint-bomber-patrol-alaska"
R2024_PRESS_TV = ID + "report/2024-07-25-press-tv-joint-bomber-patrol"
G2020 = GRAPH + "2020-06-19-b-52h-sea-of-okhotsk"
G2021 = GRAPH + "2021-04-23-mig-31-escorts-rc-135"
G2022 = GRAPH + "2022-02-16-cnn-p-8-mediterranean"
G2024 = GRAPH + "2024-07-25-joint-bomber-patrol-alaska"
G2024_PRESS_TV = GRAPH + "2024-07-25-press-tv-joint-bomber-patrol"

UNNAMED_2020 = "Publisher of the 2020-06-19 B-52H report (not named in the source)"
UNNAMED_2024 = "Publisher of the 2024-07-25 joint patrol report (not named in the source)"
US_OFFICIALS = "Multiple unnamed US officials (February 2022)"
MOD = "Russian Ministry of Defence"
ALASKA_ADIZ = "Alaska Air Defense Identification Zone"


def run(store, name: str, **params: str) -> list[dict[str, str]]:
    """The rows of a named query run through the store, with its parameters bound."""
    query = get_query(name)
    return store.query(query.text, bindings=query.bind(params)).rows()


def items(value: str | None, separator: str = ", ") -> set[str]:
    """A GROUP_CONCAT value as a set."""
    return set(value.split(separator)) if value else set()


def pick(rows, *names):
    """Rows as tuples of the named columns ("" where a column is unbound)."""
    return [tuple(row.get(n, "") for n in names) for row in rows]


# --------------------------------------------------------------------------- the queries

def test_encounters(store):
    rows = run(store, "encounters")
    expected = [
        # encounter, earliest, latest, precision, kinds, places, states, commands
        (TU95_2020, "2020-06-16", "2020-06-16", "day", {"scramble", "intercept"}, {"Bering Sea"},
         {"Russia", "United States"}, {"NORAD"}),
        (B52_OKHOTSK, "2020-06-18", "2020-06-19", "range of days", {"scramble", "intercept"},
         {"Sea of Okhotsk", "International airspace"}, {"Russia", "United States"}, set()),
        (BARENTS, "2021-04-01", "2021-04-22", "month", {"scramble", "escort or shadowing"}, {"Barents Sea"},
         {"Russia", "Norway"}, set()),
        (KAMCHATKA, "2021-04-12", "2021-04-18", "week", {"escort or shadowing"},
         {"Waters off south-eastern Kamchatka"}, {"Russia", "United States"}, set()),
        (BALTIC, "2021-04-19", "2021-04-23", "week", {"scramble", "intercept"}, {"Baltic Sea"},
         {"Russia"}, {"NATO"}),
        (PACIFIC, "2021-04-23", "2021-04-23", "day", {"scramble", "escort or shadowing"},
         {"Pacific Ocean", "International airspace"}, {"Russia", "United States"}, set()),
        (MED_P8, "2022-02-12", "2022-02-13", "range of days", {"intercept"},
         {"Mediterranean Sea", "International airspace"}, {"Russia", "United States"}, set()),
        (MED_FOLLOW_UP, "2022-02-12", "2022-02-16", "range of days", {"encounter"}, {"Mediterranean Sea"},
         {"Russia", "United States"}, set()),
        (SYRIA, "2022-02-15", "2022-02-15", "day", {"escort or shadowing"}, {"Air exclusion zone in eastern Syria"},
         {"Russia", "United States"}, set()),
        (JOINT_PATROL, "2024-07-24", "2024-07-24", "day", {"joint patrol", "intercept"},
         {"Chukchi Sea", "Bering Sea", "North Pacific Ocean", ALASKA_ADIZ, "International airspace"},
         {"Russia", "China", "United States", "Canada"}, {"NORAD"}),
    ]
    got = [(r["encounter"], r["earliest"], r["latest"], r["precision"], items(r["kinds"]), items(r["places"]),
            items(r["states"]), items(r.get("commands"))) for r in rows]
    assert got == expected


def test_encounters_per_state_pair_per_year(store):
    rows = run(store, "encounters-per-state-pair-per-year")
    assert pick(rows, "year", "stateALabel", "stateBLabel", "encounters") == [
        ("2020", "Russia", "United States", "2"),   # Tu-95s off Alaska; B-52Hs over the Sea of Okhotsk
        ("2021", "Norway", "Russia", "1"),          # Falcon 20 over the Barents Sea
        ("2021", "Russia", "United States", "2"),   # RC-135 over the Pacific and off Kamchatka (NATO-only Baltic: no pair)
        ("2022", "Russia", "United States", "3"),   # P-8, the follow-up, eastern Syria
        ("2024", "Canada", "China", "1"),
        ("2024", "Canada", "Russia", "1"),
        ("2024", "Canada", "United States", "1"),
        ("2024", "China", "Russia", "1"),
        ("2024", "China", "United States", "1"),
        ("2024", "Russia", "United States", "1"),
    ]
    assert rows[0]["stateA"] == ID + "state/russia"


def test_encounters_by_aircraft_role_finds_bombers_through_variants(store):
    rows = run(store, "encounters-by-aircraft-role")
    assert {r["role"] for r in rows} == {ONT + "bomberRole"}
    assert pick(rows, "encounter", "sideLabel", "aircraftLabel", "participationRole") == [
        (TU95_2020, "Russia", "Tu-95", "intercepted"),
        (B52_OKHOTSK, "United States", "B-52H", "intercepted"),
        (BALTIC, "Russia", "Tu-160", "intercepted"),
        (JOINT_PATROL, "China", "H-6K", "patrolling"),
        (JOINT_PATROL, "China", "Xian H-6", "patrolling"),
        (JOINT_PATROL, "Russia", "Tu-95", "patrolling"),
        (JOINT_PATROL, "Russia", "Tu-95MS", "patrolling"),   # only through variantOf + broaderRole
    ]


def test_encounters_by_aircraft_role_fighters_include_role_only_and_command_sides(store):
    rows = run(store, "encounters-by-aircraft-role", role="aenc:fighterRole")
    got = set(pick(rows, "encounter", "sideLabel", "aircraftLabel"))
    assert (TU95_2020, "Russia", "fighter") in got          # "Russian fighter jet escorts", no type
    assert (BALTIC, "NATO", "F-16 Fighting Falcon") in got  # NATO named, no state
    assert (JOINT_PATROL, "Russia", "Su-30SM") in got       # variant of the Su-30, a multirole fighter
    assert (JOINT_PATROL, "Canada", "CF-18 Hornet") in got
    assert (SYRIA, "Russia", "fighter") in got
    assert not any(aircraft in ("Tu-95", "RC-135", "P-8 Poseidon") for _, _, aircraft in got)
    assert len(got) == 16


def test_encounters_by_aircraft_role_surveillance(store):
    rows = run(store, "encounters-by-aircraft-role", role="aenc:surveillanceRole")
    assert pick(rows, "encounter", "aircraftLabel") == [
        (BARENTS, "Dassault Falcon 20"), (KAMCHATKA, "RC-135"), (PACIFIC, "RC-135"), (MED_P8, "P-8 Poseidon")]


def test_bombers_escorted_by_own_fighters_near_alaska(store):
    rows = run(store, "bombers-escorted-by-own-fighters", place="place/alaska")
    got = [(r["encounter"], r["stateLabel"], r["placeLabel"], items(r["bombers"]), items(r["escorts"])) for r in rows]
    assert got == [
        (TU95_2020, "Russia", "Alaska", {"Tu-95"}, {"fighter"}),
        (JOINT_PATROL, "Russia", "Alaska", {"Tu-95", "Tu-95MS"}, {"Su-30SM"}),
    ]


def test_bombers_escorted_by_own_fighters_in_the_alaska_adiz(store):
    rows = run(store, "bombers-escorted-by-own-fighters", place="place/alaska-adiz")
    assert pick(rows, "encounter", "placeLabel") == [(JOINT_PATROL, ALASKA_ADIZ)]


def test_bombers_escorted_by_own_fighters_anywhere(store):
    rows = run(store, "bombers-escorted-by-own-fighters")
    # China's H-6s had no Chinese escort; the B-52Hs had none: neither qualifies.
    assert {r["encounter"] for r in rows} == {TU95_2020, BALTIC, JOINT_PATROL}
    assert {r["stateLabel"] for r in rows} == {"Russia"}
    baltic = {r["placeLabel"]: items(r["escorts"]) for r in rows if r["encounter"] == BALTIC}
    assert baltic == {"Baltic Sea": {"Su-27", "Su-35"}, "Atlantic Ocean": {"Su-27", "Su-35"}}


def test_characterisations(store):
    rows = run(store, "characterisations")
    got = [(r["encounter"], r["speakerLabel"], items(r["speakerStates"]), r["report"], r["publisherLabel"],
            items(r["assessments"]), r["quotedLabel"]) for r in rows]
    assert got == [
        (MED_P8, "Mike Kafka", {"United States"}, R2022, "CNN", {"unsafe"},
         "could result in miscalculations and mistakes"),
        (MED_P8, US_OFFICIALS, {"United States"}, R2022, "CNN", {"unsafe", "unprofessional"},
         "unsafe and unprofessional"),
        (JOINT_PATROL, "NORAD", {"United States", "Canada"}, R2024, UNNAMED_2024, {"not a threat"},
         "was not considered a threat"),
        (JOINT_PATROL, "NORAD", {"United States", "Canada"}, R2024_PRESS_TV, "Press TV", {"not a threat"},
         "not seen as a threat"),
    ]
    said = {r["report"]: items(r.get("otherSideSaid"), " | ") for r in rows if r["encounter"] == JOINT_PATROL}
    for report in (R2024, R2024_PRESS_TV):
        assert f"{MOD}: no violation of the airspace of foreign countries" in said[report]
        assert "Zhang Xiaogang: not aimed at third parties" in said[report]
        assert all(s.startswith((MOD + ":", "Zhang Xiaogang:")) for s in said[report])
    # Russia said nothing on record about the Mediterranean encounter
    assert all(not r.get("otherSideSaid") for r in rows if r["encounter"] == MED_P8)


def test_report_disagreements(store):
    rows = run(store, "report-disagreements")
    got = [(r["encounter"], r["aspect"], r["subject"], r["sourceA"], items(r["valueA"]), r["sourceB"],
            items(r["valueB"])) for r in rows]
    two = (G2024, G2024_PRESS_TV)
    assert got == [
        (B52_OKHOTSK, "date claim", "", ID + "claim/2020-06-18-mod-date", {f"2020-06-19 ({MOD})"},
         ID + "claim/2020-06-18-other-reports-date",
         {"2020-06-18 (Multiple unnamed reports on the June 2020 B-52H flight)"}),
        (JOINT_PATROL, "aircraft type", "Canada, intercepting", two[0], {"(no type given)"}, two[1], {"CF-18 Hornet"}),
        (JOINT_PATROL, "aircraft type", "China, patrolling", two[0], {"H-6K"}, two[1], {"Xian H-6"}),
        (JOINT_PATROL, "aircraft type", "Russia, escorting", two[0], {"(not mentioned)"}, two[1], {"Su-30SM"}),
        (JOINT_PATROL, "aircraft type", "Russia, patrolling", two[0], {"Tu-95MS"}, two[1], {"Tu-95"}),
        (JOINT_PATROL, "aircraft type", "United States, intercepting", two[0], {"(no type given)"}, two[1],
         {"F-16 Fighting Falcon", "F-35 Lightning II"}),
        (JOINT_PATROL, "count", "China, patrolling", two[0], {"unknown"}, two[1], {"2 (exact)"}),
        (JOINT_PATROL, "count", "Russia, escorting", two[0], {"(not mentioned)"}, two[1], {"unknown"}),
        (JOINT_PATROL, "count", "Russia, patrolling", two[0], {"unknown"}, two[1], {"2 (exact)"}),
        (JOINT_PATROL, "places", "", two[0], {"Chukchi Sea", "Bering Sea", "North Pacific Ocean"}, two[1],
         {"Chukchi Sea", "Bering Sea", ALASKA_ADIZ, "International airspace"}),
        (JOINT_PATROL, "precedent claim", "", ID + "claim/2024-07-24-r002-austin-first", {"the first (Lloyd Austin)"},
         ID + "claim/2024-07-24-r004-zhang-eighth", {"number 8 in a series since 2019 (Zhang Xiaogang)"}),
        (JOINT_PATROL, "precedent claim", "", ID + "claim/2024-07-24-r004-press-tv-first", {"the first (Press TV)"},
         ID + "claim/2024-07-24-r004-zhang-eighth", {"number 8 in a series since 2019 (Zhang Xiaogang)"}),
    ]


def test_encounters_within_place_pacific_through_containment(store):
    rows = run(store, "encounters-within-place")
    got = [(r["encounter"], items(r["reportedLocations"])) for r in rows]
    assert got == [
        (TU95_2020, {"Bering Sea"}),
        (B52_OKHOTSK, {"Sea of Okhotsk"}),             # Okhotsk within North Pacific within Pacific
        (KAMCHATKA, {"Waters off south-eastern Kamchatka"}),
        (PACIFIC, {"Pacific Ocean"}),
        (JOINT_PATROL, {"Bering Sea", "North Pacific Ocean"}),
    ]
    assert {r["place"] for r in rows} == {ID + "place/pacific-ocean"}


@pytest.mark.parametrize("place, encounters", [
    pytest.param("place/arctic-ocean", [BARENTS, JOINT_PATROL], id="arctic"),
    pytest.param("place/atlantic-ocean", [BALTIC, MED_P8, MED_FOLLOW_UP], id="atlantic"),
    pytest.param("place/sea-of-okhotsk", [B52_OKHOTSK], id="okhotsk"),
    pytest.param("place/syria", [SYRIA], id="syria-through-exclusion-zone"),
    pytest.param("place/alaska", [], id="land-region-is-not-a-location"),
])
def test_encounters_within_place_others(store, place, encounters):
    assert [r["encounter"] for r in run(store, "encounters-within-place", place=place)] == encounters


def test_claims_by_source_keeps_each_reports_claims_apart(store):
    rows = run(store, "claims-by-source")
    got = [(r["graph"], r["kind"], r["speakerLabel"], items(r.get("asserts"), "; ")) for r in rows]
    denied = {"airspace violation denied"}
    assert got == [
        (G2024, "airspace claim", "Lloyd Austin", denied),
        (G2024, "airspace claim", "NORAD", denied),
        (G2024, "airspace claim", MOD, denied),
        (G2024, "closest approach claim", "Lloyd Austin", {"closest approach 200 mi", "closest approach 320 km"}),
        (G2024, "duration claim", MOD, {"duration PT5H"}),
        (G2024, "legality or intent claim", MOD, set()),
        (G2024, "legality or intent claim", "Zhang Xiaogang", set()),
        (G2024, "precedent claim", "Lloyd Austin", {"the first of its kind"}),
        (G2024, "safety characterisation", "NORAD", {"not a threat"}),
        (G2024_PRESS_TV, "airspace claim", "NORAD", denied),
        (G2024_PRESS_TV, "airspace claim", MOD, denied),
        (G2024_PRESS_TV, "duration claim", "Press TV", {"duration PT5H"}),
        (G2024_PRESS_TV, "legality or intent claim", MOD, set()),
        (G2024_PRESS_TV, "legality or intent claim", "Zhang Xiaogang", set()),
        (G2024_PRESS_TV, "precedent claim", "Press TV", {"the first of its kind"}),
        (G2024_PRESS_TV, "precedent claim", "Zhang Xiaogang", {"number 8 in a series since 2019"}),
        (G2024_PRESS_TV, "safety characterisation", "NORAD", {"not a threat"}),
    ]
    words = {r["claim"]: r["words"] for r in rows}
    assert words[ID + "claim/2024-07-24-r002-austin-airspace"] == "did not enter our airspace"


def test_claims_by_source_for_the_b52_encounter_keeps_both_dates(store):
    rows = run(store, "claims-by-source", encounter="encounter/2020-06-18-sea-of-okhotsk-b-52h")
    assert {r["graph"] for r in rows} == {G2020}
    dates = {(r["speakerLabel"], r["asserts"]) for r in rows if r["kind"] == "date claim"}
    assert dates == {(MOD, "date 2020-06-19"),
                     ("Multiple unnamed reports on the June 2020 B-52H flight", "date 2020-06-18")}
    assert ("precedent claim", "The Drive") in {(r["kind"], r["speakerLabel"]) for r in rows}
    assert len(rows) == 5


def test_closest_approaches_in_km(store):
    rows = run(store, "closest-approaches")
    got = [(r["encounter"], r["speakerLabel"], r.get("reported") and float(r["reported"]), r.get("unitLabel", ""),
            r.get("km") and float(r["km"]), r.get("measuredFromLabel", ""), r.get("words", "")) for r in rows]
    assert got == [
        (TU95_2020, UNNAMED_2020, 30.0, "mi", 48.3, "Alaska", ""),                   # "within about 30 miles"
        (B52_OKHOTSK, MOD, None, "", None, "Russian territorial airspace",
         "At a considerable distance from the state border"),
        (MED_P8, US_OFFICIALS, None, "", None, "", "extremely close"),
        (JOINT_PATROL, "Lloyd Austin", 320.0, "km", 320.0, "Alaska", ""),             # "(320 km)"
        (JOINT_PATROL, "Lloyd Austin", 200.0, "mi", 321.9, "Alaska", ""),             # "200 miles"
    ]


def test_state_participations_of_russia(store):
    rows = run(store, "state-participations")
    got = [(r["activity"], r["graph"], r["aircraftLabel"], r.get("count", ""), r["countQualifier"],
            r["participationRole"]) for r in rows]
    assert got == [
        (TU95_2020, G2020, "Tu-95", "2", "exact", "intercepted"),
        (TU95_2020, G2020, "fighter (no type given)", "", "unknown", "escorting"),
        (B52_OKHOTSK, G2020, "MiG-31", "", "unknown", "intercepting"),
        (B52_OKHOTSK, G2020, "Su-30", "", "unknown", "intercepting"),
        (B52_OKHOTSK, G2020, "Su-35", "", "unknown", "intercepting"),
        (BARENTS, G2021, "MiG-31", "1", "exact", "intercepting"),
        (KAMCHATKA, G2021, "MiG-31", "1", "exact", "intercepting"),
        (BALTIC, G2021, "Su-27", "", "unknown", "escorting"),
        (BALTIC, G2021, "Su-35", "", "unknown", "escorting"),
        (BALTIC, G2021, "Tu-160", "2", "exact", "intercepted"),
        (PACIFIC, G2021, "MiG-31", "1", "exact", "intercepting"),
        (MED_P8, G2022, "(no type given)", "2", "at least", "intercepting"),     # "multiple Russian jets"
        (MED_FOLLOW_UP, G2022, "(no type given)", "", "unknown", "unspecified"),
        (SYRIA, G2022, "fighter (no type given)", "2", "at least", "intercepted"),
        (SYRIA, G2022, "transport (no type given)", "1", "exact", "intercepted"),  # "a Russian cargo plane"
        (JOINT_PATROL, G2024, "Tu-95MS", "", "unknown", "patrolling"),
        (JOINT_PATROL, G2024_PRESS_TV, "Su-30SM", "", "unknown", "escorting"),
        (JOINT_PATROL, G2024_PRESS_TV, "Tu-95", "2", "exact", "patrolling"),
    ]
    units = {r.get("unitLabel") for r in rows if r["activity"] == B52_OKHOTSK}
    assert units == {"Air defence quick reaction alert forces of the Eastern Military District"}


def test_state_participations_of_the_united_states_include_the_sortie(store):
    rows = run(store, "state-participations", state="https://w3id.org/aenc/id/state/united-states")
    assert rows[0]["activity"] == B1B_SORTIE and rows[0]["aircraftLabel"] == "B-1B"
    assert rows[0]["baseTypeLabel"] == "B-1 Lancer" and rows[0]["participationRole"] == "patrolling"
    assert {r["commandLabel"] for r in rows if r.get("commandLabel")} == {"NORAD"}
    assert len(rows) == 11


def test_state_participations_of_canada(store):
    rows = run(store, "state-participations", state="state/canada")
    assert pick(rows, "graph", "aircraftLabel", "baseTypeLabel", "commandLabel", "unitLabel") == [
        (G2024, "(no type given)", "", "NORAD", ""),
        (G2024_PRESS_TV, "CF-18 Hornet", "F/A-18 Hornet", "NORAD", "Royal Canadian Air Force"),
    ]


def test_aircraft_types_by_role(store):
    rows = run(store, "aircraft-types-by-role")
    by_type = {r["typeLabel"]: r for r in rows}
    assert len(rows) == len(by_type) == 22
    assert [r["roleLabel"] for r in rows] == sorted(r["roleLabel"] for r in rows)
    tu95ms = by_type["Tu-95MS"]
    assert (tu95ms["roleLabel"], tu95ms["natoName"], tu95ms["baseTypeLabel"]) == ("strategic bomber", "Bear-H", "Tu-95")
    assert items(tu95ms["broaderRoles"]) == {"bomber", "combat aircraft"}
    assert tu95ms["manufacturers"] == "Tupolev"          # inherited from the base type
    assert by_type["MiG-31"]["roleLabel"] == "interceptor"
    assert items(by_type["MiG-31"]["broaderRoles"]) == {"fighter", "combat aircraft"}
    assert by_type["P-8 Poseidon"]["roleLabel"] == "maritime patrol"
    assert items(by_type["F-16 Fighting Falcon"]["manufacturers"]) == {"General Dynamics", "Lockheed Martin"}
    assert by_type["H-6K"]["originLabel"] == "China"
    assert {t for t, r in by_type.items() if r["roleLabel"] == "strategic bomber"} == {
        "B-1 Lancer", "B-1B", "B-52 Stratofortress", "B-52H", "H-6K", "Tu-160", "Tu-95", "Tu-95MS", "Xian H-6"}


def test_uncertain_dates(store):
    rows = run(store, "uncertain-dates")
    assert pick(rows, "activity", "precision", "earliest", "latest", "expression", "resolvedAgainst") == [
        (B1B_SORTIE, "month", "2020-05-01", "2020-05-31", "nearly a month", "2020-06-19"),
        (BARENTS, "month", "2021-04-01", "2021-04-22", "earlier this month", "2021-04-23"),
        (KAMCHATKA, "week", "2021-04-12", "2021-04-18", "last week", "2021-04-23"),
        (BALTIC, "week", "2021-04-19", "2021-04-23", "this week", "2021-04-23"),
        (B52_OKHOTSK, "range of days", "2020-06-18", "2020-06-19",
         "June 19, 2020 (Ministry); Thursday night (other reports)", "2020-06-19"),
        (MED_P8, "range of days", "2022-02-12", "2022-02-13", "this weekend", "2022-02-16"),
        (MED_FOLLOW_UP, "range of days", "2022-02-12", "2022-02-16", "a subsequent additional encounter",
         "2022-02-16"),
    ]


def test_speakers_and_publishers(store):
    rows = run(store, "speakers-and-publishers")
    got = [(r["report"], r["speakerLabel"], r["speakerKind"], items(r.get("speakerStates")), r.get("relayedBy", ""),
            r["speakerIsPublisher"], r["claims"]) for r in rows]
    assert got == [
        (R2020, "Multiple unnamed reports on the June 2020 B-52H flight", "unnamed source", set(), "", "false", "1"),
        (R2020, UNNAMED_2020, "unnamed source", set(), "", "true", "4"),
        (R2020, MOD, "government body", {"Russia"}, "", "false", "2"),
        (R2020, "The Drive", "news organization", set(), "", "false", "1"),
        (R2021, "Eastern Military District", "military district or regional command", {"Russia"}, "TASS",
         "false", "2"),
        (R2022, "Mike Kafka", "person", {"United States"}, "", "false", "1"),
        (R2022, US_OFFICIALS, "unnamed source", {"United States"}, "", "false", "2"),
        (R2022, "Other unnamed US officials (February 2022, eastern Syria)", "unnamed source", {"United States"},
         "", "false", "1"),
        (R2024, "Lloyd Austin", "person", {"United States"}, "", "false", "3"),
        (R2024, "NORAD", "combined command", {"United States", "Canada"}, "", "false", "2"),
        (R2024, MOD, "government body", {"Russia"}, "", "false", "3"),
        (R2024, "Zhang Xiaogang", "person", {"China"}, "", "false", "1"),
        (R2024_PRESS_TV, "NORAD", "combined command", {"United States", "Canada"}, "", "false", "2"),
        (R2024_PRESS_TV, "Press TV", "news organization", set(), "", "true", "2"),
        (R2024_PRESS_TV, MOD, "government body", {"Russia"}, "", "false", "2"),
        (R2024_PRESS_TV, "Zhang Xiaogang", "person", {"China"}, "", "false", "2"),
    ]


def test_airspace_claims_are_all_denials(store):
    rows = run(store, "airspace-claims")
    got = [(r["encounter"], r["speakerLabel"], items(r.get("speakerStates")), r["stance"], items(r.get("airspaces")),
            r["report"]) for r in rows]
    us_ca = {"US territorial airspace", "Canadian territorial airspace"}
    assert got == [
        (B52_OKHOTSK, UNNAMED_2020, set(), "violation denied", {"Russian territorial airspace"}, R2020),
        (PACIFIC, "Eastern Military District", {"Russia"}, "violation denied", {"Russian territorial airspace"}, R2021),
        (JOINT_PATROL, "Lloyd Austin", {"United States"}, "violation denied", {"US territorial airspace"}, R2024),
        (JOINT_PATROL, "NORAD", {"United States", "Canada"}, "violation denied", us_ca, R2024),
        (JOINT_PATROL, "NORAD", {"United States", "Canada"}, "violation denied", us_ca, R2024_PRESS_TV),
        (JOINT_PATROL, MOD, {"Russia"}, "violation denied", set(), R2024),
        (JOINT_PATROL, MOD, {"Russia"}, "violation denied", set(), R2024_PRESS_TV),
    ]
    assert {r["violationAsserted"] for r in rows} == {"false"}
    emd = rows[1]
    assert emd["words"] == "no violations of Russia's state border were allowed"


def test_unsafe_encounters(store):
    rows = run(store, "unsafe-encounters")
    got = [(r["encounter"], r["earliest"], r["latest"], r["speakerLabel"], r["speakerStates"], items(r["assessments"]),
            r["words"], r["behaviours"]) for r in rows]
    assert got == [
        (MED_P8, "2022-02-12", "2022-02-13", "Mike Kafka", "United States", {"unsafe"},
         "could result in miscalculations and mistakes", "close pass by Russia"),
        (MED_P8, "2022-02-12", "2022-02-13", US_OFFICIALS, "United States", {"unsafe", "unprofessional"},
         "unsafe and unprofessional", "close pass by Russia"),
    ]


def test_timeline(store):
    rows = run(store, "timeline")
    assert [(r["activity"], r["kind"]) for r in rows] == [
        (B1B_SORTIE, "sortie"), (TU95_2020, "encounter"), (B52_OKHOTSK, "encounter"), (BARENTS, "encounter"),
        (KAMCHATKA, "encounter"), (BALTIC, "encounter"), (PACIFIC, "encounter"), (MED_P8, "encounter"),
        (MED_FOLLOW_UP, "encounter"), (SYRIA, "encounter"), (JOINT_PATROL, "encounter"),
    ]
    joint = rows[-1]
    assert (joint["earliest"], joint["latest"], joint["precision"]) == ("2024-07-24", "2024-07-24", "day")
    assert (rows[0]["from"], rows[0]["to"]) == ("1900-01-01", "2099-12-31")


def test_timeline_of_a_period_keeps_spans_that_overlap_it(store):
    rows = run(store, "timeline", **{"from": "2021-04-15", "to": "2021-04-20"})
    # "earlier this month" (1-22 April), "last week" (12-18 April), "this week" (19-23 April)
    assert [r["activity"] for r in rows] == [BARENTS, KAMCHATKA, BALTIC]


def test_commands_and_member_states(store):
    rows = run(store, "commands-and-member-states")
    got = [(r["commandLabel"], items(r["actsFor"]), r["encounter"], r["graph"], r["stateLabel"], r["aircraftLabel"])
           for r in rows]
    norad = {"United States", "Canada"}
    nato = {"United States", "Canada", "Norway", "France"}
    assert got == [
        ("NATO", nato, BALTIC, G2021, "(not named)", "F-16 Fighting Falcon"),
        ("NORAD", norad, TU95_2020, G2020, "United States", "F-22 Raptor"),
        ("NORAD", norad, JOINT_PATROL, G2024, "Canada", "(no type given)"),
        ("NORAD", norad, JOINT_PATROL, G2024, "United States", "(no type given)"),
        ("NORAD", norad, JOINT_PATROL, G2024_PRESS_TV, "Canada", "CF-18 Hornet"),
        ("NORAD", norad, JOINT_PATROL, G2024_PRESS_TV, "United States", "F-16 Fighting Falcon"),
        ("NORAD", norad, JOINT_PATROL, G2024_PRESS_TV, "United States", "F-35 Lightning II"),
    ]


def test_reports_catalogue(store):
    rows = run(store, "reports")
    assert pick(rows, "report", "publisherLabel", "published", "graph", "sourceFile", "claims", "encounters",
                "activities") == [
        (R2024, UNNAMED_2024, "2024-07-25", G2024, "002_0dfffd97688853d3.txt", "9", "1", "1"),
        (R2024_PRESS_TV, "Press TV", "2024-07-25", G2024_PRESS_TV, "004_00bb621b2382854a.txt", "8", "1", "1"),
        (R2022, "CNN", "2022-02-16", G2022, "003_26cd8393c529b9aa.txt", "4", "3", "3"),
        (R2021, "Publisher of the 2021-04-23 MiG-31 report (not named in the source)", "2021-04-23", G2021,
         "000_d400622b3e1cb39e.txt", "2", "4", "4"),
        (R2020, UNNAMED_2020, "2020-06-19", G2020, "001_0f49189aab228394.txt", "8", "2", "3"),
    ]


def test_encounter_tallies_against_the_graph(store):
    rows = run(store, "encounter-tallies")
    assert pick(rows, "tally", "qualifier", "year", "placeLabel", "words", "inGraph") == [
        # "8 off Alaska alone": the graph holds one 2020 encounter near Alaska (the Tu-95s)
        ("8", "exact", "2020", "Alaska", "8 off Alaska alone", "1"),
        # "approaching a dozen": two 2020 encounters in the North Pacific (Tu-95s, B-52Hs)
        ("12", "approximate", "2020", "North Pacific Ocean", "approaching a dozen intercept incidents", "2"),
    ]
    assert {r["report"] for r in rows} == {R2020}


def test_sorties(store):
    rows = run(store, "sorties")
    assert pick(rows, "sortie", "earliest", "latest", "precision", "report", "places", "aircraft") == [
        (B1B_SORTIE, "2020-05-01", "2020-05-31", "month", R2020, "North Pacific Ocean", "United States B-1B x1")]


def test_encounters_by_aircraft_type_counts_variants(store):
    rows = run(store, "encounters-by-aircraft-type")
    assert pick(rows, "encounter", "reportedTypeLabel", "sideLabel", "participationRole") == [
        (TU95_2020, "Tu-95", "Russia", "intercepted"),
        (JOINT_PATROL, "Tu-95", "Russia", "patrolling"),
        (JOINT_PATROL, "Tu-95MS", "Russia", "patrolling"),
    ]


@pytest.mark.parametrize("type_, expected", [
    pytest.param("aircraft/mig-31", [BARENTS, KAMCHATKA, PACIFIC, B52_OKHOTSK], id="mig-31"),
    pytest.param("aircraft/f-18", [JOINT_PATROL], id="cf-18-is-an-f-18"),
    pytest.param("aircraft/su-30", [B52_OKHOTSK, JOINT_PATROL], id="su-30sm-is-an-su-30"),
    pytest.param("aircraft/tu-95ms", [JOINT_PATROL], id="variant-only"),
])
def test_encounters_by_other_aircraft_types(store, type_, expected):
    rows = run(store, "encounters-by-aircraft-type", type=type_)
    assert sorted({r["encounter"] for r in rows}) == sorted(expected)


def test_follow_up_encounters(store):
    rows = run(store, "follow-up-encounters")
    assert pick(rows, "later", "relation", "earlier") == [
        (B52_OKHOTSK, "responds to", TU95_2020),   # Russia "answered the prior US intercept"
        (MED_FOLLOW_UP, "follows", MED_P8),        # "a subsequent additional encounter"
    ]


def test_behaviours(store):
    rows = run(store, "behaviours")
    assert pick(rows, "encounter", "kind", "performerLabel", "aircraftLabel", "report") == [
        (PACIFIC, "turning away", "United States", "RC-135", R2021),   # "turned away from the state border"
        (MED_P8, "close pass", "Russia", "(no type given)", R2022),   # "extremely close"
    ]


# --------------------------------------------------------------------------- coverage

def test_every_named_query_has_a_row_test():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    missing = [q.name for q in list_queries()
               if not any(t == q.name.replace("-", "_") or t.startswith(q.name.replace("-", "_") + "_")
                          for t in tested)]
    assert missing == [], f"named queries without a row test: {missing}"


# --------------------------------------------------------------------------- inference is what finds them

ASSERTED_ONLY = ("https://w3id.org/aenc/graph/asserted",)


def test_tu95ms_is_a_bomber_only_through_inference(store):
    query = get_query("encounters-by-aircraft-role")
    asserted = store.query(query.text, bindings=query.bind({}), default_graph_uris=ASSERTED_ONLY).rows()
    assert "Tu-95MS" not in {r["aircraftLabel"] for r in asserted}
    assert "Tu-95MS" in {r["aircraftLabel"] for r in run(store, "encounters-by-aircraft-role")}


def test_containment_in_the_pacific_comes_from_inference(store):
    query = get_query("encounters-within-place")
    asserted = store.query(query.text, bindings=query.bind({}), default_graph_uris=ASSERTED_ONLY).rows()
    assert asserted == []
    assert len(run(store, "encounters-within-place")) == 5
