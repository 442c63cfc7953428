"""Data for the web tests: a small store built from inline data plus the real ontology.

The data is written as TriG for people to read, turned into N-Quads with rdflib and loaded with
``Store.from_nquads`` (the same path the server takes). Expected numbers in the tests are
computed from ``fixture_dataset`` (rdflib), never typed in.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, URIRef

from graph.namespaces import ONTOLOGY_FILE, ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[2]

BASE = "https://w3id.org/aenc/"
ENC = BASE + "id/encounter/2024-07-24-bering-sea"
FOLLOW_UP = BASE + "id/encounter/2024-07-30-bering-sea"
REPORT_A = BASE + "id/report/a"
REPORT_B = BASE + "id/report/b"
GRAPH_A = BASE + "graph/report/a"
GRAPH_B = BASE + "graph/report/b"

FIXTURE_TRIG = """
@prefix aenc: <https://w3id.org/aenc/ont/> .
@prefix id: <https://w3id.org/aenc/id/> .
@prefix g: <https://w3id.org/aenc/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .

g:reference {
  id:state\\/russia a aenc:State ; rdfs:label "Russia"@en , "Россия"@ru .
  id:state\\/china a aenc:State ; rdfs:label "China"@en .
  id:state\\/usa a aenc:State ; rdfs:label "United States"@en .
  id:state\\/canada a aenc:State ; rdfs:label "Canada"@en .
  id:org\\/norad a aenc:CombinedCommand ; rdfs:label "NORAD"@en ;
      aenc:memberState id:state\\/usa , id:state\\/canada .
  id:org\\/russian-mod a aenc:GovernmentBody ; rdfs:label "Russian Ministry of Defence"@en ;
      aenc:actsFor id:state\\/russia .
  id:org\\/al-mayadeen a aenc:NewsOrganization ; rdfs:label "Al Mayadeen"@en .
  id:org\\/tass a aenc:NewsOrganization ; rdfs:label "TASS"@en .
  id:person\\/lloyd-austin a aenc:Person ; rdfs:label "Lloyd Austin"@en ;
      aenc:position "Secretary of Defense" ; aenc:actsFor id:state\\/usa .
  id:aircraft\\/tu-95 a aenc:AircraftType ; rdfs:label "Tu-95"@en ; aenc:hasRole aenc:strategicBomberRole ;
      aenc:natoReportingName "Bear" .
  id:aircraft\\/tu-95ms a aenc:AircraftType ; rdfs:label "Tu-95MS"@en ; aenc:variantOf id:aircraft\\/tu-95 .
  id:aircraft\\/h-6k a aenc:AircraftType ; rdfs:label "H-6K"@en ; aenc:hasRole aenc:strategicBomberRole .
  id:aircraft\\/f-16 a aenc:AircraftType ; rdfs:label "F-16"@en ; aenc:hasRole aenc:multiroleFighterRole .
  id:aircraft\\/su-30sm a aenc:AircraftType ; rdfs:label "Su-30SM"@en ; aenc:hasRole aenc:multiroleFighterRole .
  id:place\\/pacific-ocean a aenc:Ocean ; rdfs:label "Pacific Ocean"@en .
  id:place\\/north-pacific a aenc:Ocean ; rdfs:label "North Pacific"@en ; aenc:within id:place\\/pacific-ocean .
  id:place\\/bering-sea a aenc:Sea ; rdfs:label "Bering Sea"@en ; aenc:within id:place\\/north-pacific ;
      geo:hasGeometry [ geo:asWKT "POINT(-178 58)"^^geo:wktLiteral ] .
  id:place\\/alaska a aenc:LandRegion ; rdfs:label "Alaska"@en .
  id:report\\/a a aenc:Report ; rdfs:label "Russian and Chinese bombers patrol near Alaska"@en ;
      aenc:publisher id:org\\/al-mayadeen ; aenc:publicationDate "2024-07-25"^^xsd:date ;
      aenc:sourceFile "002_0dfffd97688853d3.txt" .
  id:report\\/b a aenc:Report ; rdfs:label "Joint patrol: the eighth since 2019"@en ;
      aenc:publisher id:org\\/tass ; aenc:publicationDate "2024-07-26"^^xsd:date ;
      aenc:url "https://example.org/b"^^xsd:anyURI .
  g:report\\/a aenc:accountOf id:report\\/a .
  g:report\\/b aenc:accountOf id:report\\/b .
}

g:report\\/a {
  id:encounter\\/2024-07-24-bering-sea a aenc:JointPatrol ;
      rdfs:label "Russian-Chinese bomber patrol intercepted near Alaska"@en ;
      aenc:time id:time\\/2024-07-24-a ;
      aenc:location id:place\\/bering-sea ;
      aenc:near id:place\\/alaska ;
      aenc:reportedIn id:report\\/a ;
      aenc:duration "PT5H"^^xsd:duration ;
      aenc:hasParticipation id:participation\\/p1 , id:participation\\/p2 , id:participation\\/p3 ;
      aenc:hasBehaviour id:behaviour\\/b1 .
  id:time\\/2024-07-24-a a aenc:ReportedTime ;
      aenc:earliestDate "2024-07-24"^^xsd:date ; aenc:latestDate "2024-07-24"^^xsd:date ;
      aenc:timePrecision aenc:DayPrecision ; aenc:reportedExpression "Wednesday" ;
      aenc:resolvedRelativeTo id:report\\/a .
  id:participation\\/p1 a aenc:Participation ; aenc:state id:state\\/russia ;
      aenc:aircraftType id:aircraft\\/tu-95ms ; aenc:countQualifier aenc:UnknownCount ;
      aenc:participationRole aenc:Patrolling .
  id:participation\\/p2 a aenc:Participation ; aenc:state id:state\\/china ;
      aenc:aircraftType id:aircraft\\/h-6k ; aenc:reportedDesignation "Xian-H-6K" ;
      aenc:countQualifier aenc:UnknownCount ; aenc:participationRole aenc:Patrolling .
  id:participation\\/p3 a aenc:Participation ; aenc:state id:state\\/usa ;
      aenc:underCommandOf id:org\\/norad ; aenc:aircraftType id:aircraft\\/f-16 ;
      aenc:aircraftCount "2"^^xsd:positiveInteger ; aenc:countQualifier aenc:AtLeastCount ;
      aenc:participationRole aenc:Intercepting .
  id:behaviour\\/b1 a aenc:TurningAway ; aenc:performedBy id:participation\\/p1 .
  id:claim\\/a1 a aenc:SafetyCharacterisation ; aenc:speaker id:org\\/norad ;
      aenc:statedIn id:report\\/a ; aenc:about id:encounter\\/2024-07-24-bering-sea ;
      aenc:quotedLabel "was not considered a threat" ; aenc:assessment aenc:NotAThreat .
  id:claim\\/a2 a aenc:ClosestApproachClaim ; aenc:speaker id:person\\/lloyd-austin ;
      aenc:statedIn id:report\\/a ; aenc:about id:encounter\\/2024-07-24-bering-sea ;
      aenc:measuredFrom id:place\\/alaska ;
      aenc:closestApproach [ a aenc:Quantity ; qudt:numericValue 200.0 ; qudt:unit unit:MI ;
                             aenc:normalisedMetres 321868.8 ] ,
                           [ a aenc:Quantity ; qudt:numericValue 320.0 ; qudt:unit unit:KiloM ;
                             aenc:normalisedMetres 320000.0 ] .
  id:claim\\/a3 a aenc:AirspaceClaim ; aenc:speaker id:org\\/russian-mod ; aenc:relayedBy id:org\\/al-mayadeen ;
      aenc:statedIn id:report\\/a ; aenc:about id:encounter\\/2024-07-24-bering-sea ;
      aenc:violationAsserted false .
  id:state\\/russia rdfs:label "Russia"@en .
}

g:report\\/b {
  id:encounter\\/2024-07-24-bering-sea a aenc:JointPatrol ;
      aenc:reportedIn id:report\\/b ;
      aenc:hasParticipation id:participation\\/p4 .
  id:participation\\/p4 a aenc:Participation ; aenc:state id:state\\/russia ;
      aenc:aircraftType id:aircraft\\/su-30sm ; aenc:countQualifier aenc:UnknownCount ;
      aenc:participationRole aenc:Escorting .
  id:claim\\/b1 a aenc:PrecedentClaim ; aenc:speaker id:org\\/russian-mod ; aenc:relayedBy id:org\\/tass ;
      aenc:statedIn id:report\\/b ; aenc:about id:encounter\\/2024-07-24-bering-sea ;
      aenc:ordinalInSeries "8"^^xsd:positiveInteger ; aenc:seriesSince "2019"^^xsd:gYear .
  id:claim\\/b2 a aenc:DateClaim ; aenc:speaker id:org\\/tass ;
      aenc:statedIn id:report\\/b ; aenc:about id:encounter\\/2024-07-24-bering-sea ;
      aenc:claimedDate "2024-07-24"^^xsd:date .
  id:encounter\\/2024-07-30-bering-sea a aenc:Intercept ;
      rdfs:label "Follow-up intercept over the Bering Sea"@en ;
      aenc:follows id:encounter\\/2024-07-24-bering-sea ;
      aenc:reportedIn id:report\\/b ;
      aenc:time [ a aenc:ReportedTime ; aenc:earliestDate "2024-07-29"^^xsd:date ;
                  aenc:latestDate "2024-07-31"^^xsd:date ; aenc:timePrecision aenc:WeekPrecision ] ;
      aenc:location id:place\\/bering-sea ;
      aenc:hasParticipation id:participation\\/p5 , id:participation\\/p6 .
  id:participation\\/p5 a aenc:Participation ; aenc:state id:state\\/russia ;
      aenc:aircraftType id:aircraft\\/tu-95ms ; aenc:aircraftCount "2"^^xsd:positiveInteger ;
      aenc:countQualifier aenc:ExactCount ; aenc:participationRole aenc:Intercepted .
  id:participation\\/p6 a aenc:Participation ; aenc:state id:state\\/usa ;
      aenc:aircraftType id:aircraft\\/f-16 ; aenc:countQualifier aenc:UnknownCount ;
      aenc:participationRole aenc:Intercepting .
}

g:inferred {
  id:encounter\\/2024-07-24-bering-sea a aenc:Encounter , aenc:AirActivity ;
      aenc:involvesState id:state\\/russia , id:state\\/china , id:state\\/usa ;
      aenc:occurredWithin id:place\\/bering-sea , id:place\\/north-pacific , id:place\\/pacific-ocean .
  id:encounter\\/2024-07-30-bering-sea a aenc:Encounter , aenc:AirActivity .
  id:place\\/bering-sea aenc:within id:place\\/pacific-ocean , id:place\\/north-pacific .  # the second is asserted too
  id:aircraft\\/tu-95ms aenc:hasRole aenc:strategicBomberRole , aenc:bomberRole , aenc:combatRole .
  id:aircraft\\/tu-95 aenc:hasRole aenc:bomberRole , aenc:combatRole .
  id:claim\\/a1 a aenc:Claim .
}
"""


def fixture_nquads() -> str:
    """The fixture data plus the real ontology (in its own graph), as N-Quads."""
    ds = fixture_dataset()
    return ds.serialize(format="nquads")


def fixture_dataset() -> Dataset:
    ds = Dataset()
    ds.parse(data=FIXTURE_TRIG, format="trig")
    ds.graph(URIRef(str(ONTOLOGY_GRAPH))).parse(ONTOLOGY_FILE, format="turtle")
    return ds
