"""A small curated dataset, inline, that satisfies every shape: the base of the pipeline tests.

Tests write it into ``tmp_path`` (``mini_dir``) and change it to make one thing wrong at a time.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph


PREFIXES = """\
@base <https://w3id.org/aenc/id/> .
@prefix aenc: <https://w3id.org/aenc/ont/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

MINI_REFERENCE = PREFIXES + """
<state/russia> a aenc:State ;
    rdfs:label "Russia"@en .

<state/usa> a aenc:State ;
    rdfs:label "United States"@en .

<state/canada> a aenc:State ;
    rdfs:label "Canada"@en .

<org/norad> a aenc:CombinedCommand ;
    rdfs:label "NORAD"@en ;
    aenc:memberState <state/usa> , <state/canada> .

<org/nato> a aenc:Alliance ;
    rdfs:label "NATO"@en ;
    aenc:memberState <state/usa> , <state/canada> .

<org/russia-mod> a aenc:GovernmentBody ;
    rdfs:label "Ministry of Defence of Russia"@en ;
    aenc:actsFor <state/russia> .

<org/eastern-military-district> a aenc:MilitaryDistrict ;
    rdfs:label "Eastern Military District"@en ;
    aenc:subordinateTo <org/russia-mod> .

<org/eastern-air-defence> a aenc:MilitaryUnit ;
    rdfs:label "Eastern Military District air defence"@en ;
    aenc:subordinateTo <org/eastern-military-district> .

<org/usaf> a aenc:ArmedService ;
    rdfs:label "US Air Force"@en .

<org/tass> a aenc:NewsOrganization ;
    rdfs:label "TASS"@en .

<aircraft/tu-95> a aenc:AircraftType ;
    rdfs:label "Tu-95"@en ;
    aenc:hasRole aenc:strategicBomberRole ;
    aenc:originState <state/russia> .

<aircraft/tu-95ms> a aenc:AircraftType ;
    rdfs:label "Tu-95MS"@en ;
    aenc:variantOf <aircraft/tu-95> .

<aircraft/f-22> a aenc:AircraftType ;
    rdfs:label "F-22"@en ;
    aenc:hasRole aenc:fighterRole .

<place/pacific-ocean> a aenc:Ocean ;
    rdfs:label "Pacific Ocean"@en .

<place/north-pacific> a aenc:Ocean ;
    rdfs:label "North Pacific"@en ;
    aenc:within <place/pacific-ocean> .

<place/sea-of-okhotsk> a aenc:Sea ;
    rdfs:label "Sea of Okhotsk"@en ;
    aenc:within <place/north-pacific> ;
    geo:hasGeometry [ geo:asWKT "POINT(150 55)"^^geo:wktLiteral ] .

<place/russia-airspace> a aenc:TerritorialAirspace ;
    rdfs:label "Russian territorial airspace"@en ;
    aenc:airspaceOf <state/russia> .

<report/mini-one> a aenc:Report ;
    rdfs:label "Mini report one"@en ;
    aenc:publisher <org/tass> ;
    aenc:publicationDate "2020-06-20"^^xsd:date .
"""

ENC = "<encounter/2020-06-19-okhotsk>"

MINI_REPORT = PREFIXES + """
<encounter/2020-06-19-okhotsk> a aenc:Intercept ;
    rdfs:label "Tu-95MS intercepted over the Sea of Okhotsk"@en ;
    aenc:time <time/2020-06-19-okhotsk> ;
    aenc:location <place/sea-of-okhotsk> ;
    aenc:duration "PT5H"^^xsd:duration ;
    aenc:hasParticipation <participation/2020-06-19-russia> , <participation/2020-06-19-usa> ,
        <participation/2020-06-19-nato> ;
    aenc:reportedIn <report/mini-one> .

<time/2020-06-19-okhotsk> a aenc:ReportedTime ;
    aenc:earliestDate "2020-06-19"^^xsd:date ;
    aenc:latestDate "2020-06-19"^^xsd:date ;
    aenc:timePrecision aenc:DayPrecision .

<participation/2020-06-19-russia> a aenc:Participation ;
    aenc:state <state/russia> ;
    aenc:aircraftType <aircraft/tu-95ms> ;
    aenc:aircraftCount "2"^^xsd:positiveInteger ;
    aenc:countQualifier aenc:ExactCount ;
    aenc:participationRole aenc:Intercepted .

<participation/2020-06-19-usa> a aenc:Participation ;
    aenc:state <state/usa> ;
    aenc:underCommandOf <org/norad> ;
    aenc:unit <org/usaf> ;
    aenc:aircraftType <aircraft/f-22> ;
    aenc:countQualifier aenc:UnknownCount ;
    aenc:participationRole aenc:Intercepting .

<participation/2020-06-19-nato> a aenc:Participation ;
    aenc:underCommandOf <org/nato> ;
    aenc:countQualifier aenc:AtLeastCount ;
    aenc:aircraftCount "2"^^xsd:positiveInteger ;
    aenc:participationRole aenc:Supporting .

<claim/mini-one-safety> a aenc:SafetyCharacterisation ;
    aenc:speaker <org/eastern-air-defence> ;
    aenc:statedIn <report/mini-one> ;
    aenc:about <encounter/2020-06-19-okhotsk> ;
    aenc:quotedLabel "in strict accordance with international rules" ;
    aenc:assessment aenc:SafeAndProfessional .

<claim/mini-one-distance> a aenc:ClosestApproachClaim ;
    aenc:speaker <org/tass> ;
    aenc:statedIn <report/mini-one> ;
    aenc:about <encounter/2020-06-19-okhotsk> ;
    aenc:closestApproach [
        a aenc:Quantity ;
        qudt:numericValue 30.0 ;
        qudt:unit unit:MI ;
        aenc:normalisedMetres 48280.32
    ] .

<claim/mini-one-airspace> a aenc:AirspaceClaim ;
    aenc:speaker <org/russia-mod> ;
    aenc:statedIn <report/mini-one> ;
    aenc:about <encounter/2020-06-19-okhotsk> ;
    aenc:concernsAirspace <place/russia-airspace> ;
    aenc:violationAsserted false .

<claim/mini-one-date> a aenc:DateClaim ;
    aenc:speaker <org/russia-mod> ;
    aenc:statedIn <report/mini-one> ;
    aenc:about <encounter/2020-06-19-okhotsk> ;
    aenc:claimedDate "2020-06-19"^^xsd:date .

<claim/mini-one-tally> a aenc:TallyClaim ;
    aenc:speaker <org/tass> ;
    aenc:statedIn <report/mini-one> ;
    aenc:tally "12"^^xsd:positiveInteger ;
    aenc:countQualifier aenc:ApproximateCount ;
    aenc:tallyYear "2020"^^xsd:gYear .

<claim/mini-one-precedent> a aenc:PrecedentClaim ;
    aenc:speaker <org/tass> ;
    aenc:statedIn <report/mini-one> ;
    aenc:about <encounter/2020-06-19-okhotsk> ;
    aenc:firstOfItsKind true .
"""


def write_data(root: Path, reference: str = MINI_REFERENCE, reports: dict[str, str] | None = None) -> Path:
    """Write a data folder (reference.ttl + reports/<key>.ttl) and return it."""
    reports = {"mini-one": MINI_REPORT} if reports is None else reports
    (root / "reports").mkdir(parents=True, exist_ok=True)
    (root / "reference.ttl").write_text(reference, encoding="utf-8")
    for key, text in reports.items():
        (root / "reports" / f"{key}.ttl").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def mini_dir(tmp_path) -> Path:
    """The mini dataset as a data folder."""
    return write_data(tmp_path / "data")


@pytest.fixture
def mini_graph() -> Graph:
    """The mini dataset's asserted triples (reference + report) as one graph."""
    graph = Graph()
    graph.parse(data=MINI_REFERENCE, format="turtle")
    graph.parse(data=MINI_REPORT, format="turtle")
    return graph
