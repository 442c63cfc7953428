"""Stage 3: every SHACL shape, with a conforming and a violating example each.

The mini dataset (conftest) is the conforming example of every shape: it has focus nodes for
each and conforms. Each case below breaks one thing with a SPARQL Update and names the shape
and the sh:message that must fire. A coverage test fails when a shape or message of
ontology/shapes.ttl has no case, so a new shape cannot land untested.
"""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from graph.errors import ValidationFailed
from graph.load import load, short
from graph.validate import require_conformance, validate, validate_loaded

from .conftest import MINI_REPORT, write_data

UPDATE_PREFIXES = """
BASE <https://w3id.org/aenc/id/>
PREFIX aenc: <https://w3id.org/aenc/ont/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ENC = "<encounter/2020-06-19-okhotsk>"
TIME = "<time/2020-06-19-okhotsk>"
RU = "<participation/2020-06-19-russia>"
US = "<participation/2020-06-19-usa>"
QTY = "?q"  # the closest approach quantity is a blank node: match it in WHERE


def case(shape, update, fragment, id):
    return pytest.param(shape, update, fragment, id=id)


CASES = [
    # LabelledShape
    case("LabelledShape", "DELETE WHERE { <state/canada> rdfs:label ?l }", "needs an rdfs:label", "label-missing"),
    case("LabelledShape", 'DELETE WHERE { <aircraft/f-22> rdfs:label ?l } ; '
         'INSERT DATA { <aircraft/f-22> rdfs:label "F-22" }', "needs an rdfs:label", "label-without-language"),
    # EncounterShape
    case("EncounterShape", f"DELETE WHERE {{ {ENC} aenc:time ?t }}", "An encounter needs a date", "encounter-no-time"),
    case("EncounterShape", f"DELETE WHERE {{ {ENC} aenc:location ?p }}", "An encounter needs a place",
         "encounter-no-place"),
    case("EncounterShape", f"DELETE WHERE {{ {ENC} aenc:location ?p }} ; "
         f"INSERT DATA {{ {ENC} aenc:location <state/russia> }}", "An encounter needs a place",
         "encounter-place-not-a-place"),
    case("EncounterShape", f"DELETE DATA {{ {ENC} aenc:hasParticipation {US} , <participation/2020-06-19-nato> }}",
         "at least two participations", "encounter-one-participation"),
    case("EncounterShape", f"DELETE WHERE {{ {ENC} aenc:reportedIn ?r }}", "An encounter needs a source",
         "encounter-no-source"),
    # AirActivityShape (a sortie is an air activity but not an encounter)
    case("AirActivityShape", 'INSERT DATA { <sortie/x> a aenc:Sortie ; rdfs:label "x"@en ; '
         f"aenc:time {TIME} }}", "Every air activity needs a source", "sortie-no-source"),
    case("AirActivityShape", 'INSERT DATA { <sortie/x> a aenc:Sortie ; rdfs:label "x"@en ; '
         "aenc:reportedIn <report/mini-one> }", "Every air activity needs aenc:time", "sortie-no-time"),
    case("AirActivityShape",
         f'DELETE WHERE {{ {ENC} aenc:duration ?d }} ; INSERT DATA {{ {ENC} aenc:duration "5 hours" }}',
         "aenc:duration is one xsd:duration", "duration-not-a-duration"),
    # ReportedTimeShape
    case("ReportedTimeShape", f'DELETE WHERE {{ {TIME} aenc:earliestDate ?d }} ; '
         f'INSERT DATA {{ {TIME} aenc:earliestDate "19 June 2020" }}', "exactly one aenc:earliestDate",
         "earliest-not-a-date"),
    case("ReportedTimeShape", f"DELETE WHERE {{ {TIME} aenc:latestDate ?d }}", "exactly one aenc:latestDate",
         "latest-missing"),
    case("ReportedTimeShape", f"DELETE WHERE {{ {TIME} aenc:timePrecision ?p }} ; "
         f"INSERT DATA {{ {TIME} aenc:timePrecision aenc:ExactCount }}", "one aenc:timePrecision",
         "precision-wrong-class"),
    case("ReportedTimeShape", f'DELETE WHERE {{ {TIME} aenc:earliestDate ?d }} ; '
         f'INSERT DATA {{ {TIME} aenc:earliestDate "2020-06-21"^^xsd:date }}', "must not be after",
         "earliest-after-latest"),
    # ParticipationShape
    case("ParticipationShape", f"DELETE WHERE {{ {RU} aenc:state ?s }}", "A participation needs aenc:state",
         "participation-no-state-or-command"),
    case("ParticipationShape", f"INSERT DATA {{ {RU} aenc:state <state/canada> }}", "aenc:state must be one aenc:State",
         "participation-two-states"),
    case("ParticipationShape", f"DELETE WHERE {{ {RU} aenc:participationRole ?r }}", "one aenc:participationRole",
         "participation-no-role"),
    case("ParticipationShape", f"INSERT DATA {{ {RU} aenc:aircraftType <aircraft/tu-95> }}",
         "at most one aenc:aircraftType", "participation-two-types"),
    case("ParticipationShape", f'DELETE WHERE {{ {RU} aenc:aircraftCount ?n }} ; '
         f'INSERT DATA {{ {RU} aenc:aircraftCount "2"^^xsd:integer }}', "must be one positive integer",
         "count-wrong-datatype"),
    case("ParticipationShape", f"DELETE WHERE {{ {US} aenc:countQualifier ?q }}", "one aenc:countQualifier",
         "no-count-qualifier"),
    case("ParticipationShape", f"INSERT DATA {{ {RU} aenc:unit <org/tass> }}",
         "aenc:unit must be an aenc:MilitaryOrganization", "unit-not-military"),
    # ParticipationCountMessageShape
    case("ParticipationCountMessageShape", f'INSERT DATA {{ {US} aenc:aircraftCount "3"^^xsd:positiveInteger }}',
         "with aenc:UnknownCount must have no", "unknown-count-with-number"),
    case("ParticipationCountMessageShape", f"DELETE WHERE {{ {RU} aenc:aircraftCount ?n }}",
         "with aenc:UnknownCount must have no", "exact-count-without-number"),
    # ClaimShape
    case("ClaimShape", "DELETE WHERE { <claim/mini-one-date> aenc:speaker ?s }", "A claim needs a speaker",
         "claim-no-speaker"),
    case("ClaimShape", "DELETE WHERE { <claim/mini-one-date> aenc:speaker ?s } ; "
         "INSERT DATA { <claim/mini-one-date> aenc:speaker <place/pacific-ocean> }", "A claim needs a speaker",
         "claim-speaker-not-an-agent"),
    case("ClaimShape", "DELETE WHERE { <claim/mini-one-date> aenc:statedIn ?r }", "A claim needs a report",
         "claim-no-report"),
    case("ClaimShape", "DELETE WHERE { <claim/mini-one-date> aenc:about ?a } ; "
         "INSERT DATA { <claim/mini-one-date> aenc:about <state/russia> }",
         "aenc:about must point to an aenc:AirActivity",
         "claim-about-not-an-activity"),
    case("ClaimShape", 'INSERT DATA { <claim/mini-one-date> aenc:quotedLabel "' + "a whole sentence " * 10 + '" }',
         "is a short quoted phrase", "quoted-label-too-long"),
    # SafetyCharacterisationShape
    case("SafetyCharacterisationShape", "DELETE WHERE { <claim/mini-one-safety> aenc:assessment ?a }",
         "at least one aenc:assessment", "safety-no-assessment"),
    case("SafetyCharacterisationShape", "DELETE WHERE { <claim/mini-one-safety> aenc:about ?a }",
         "A safety characterisation needs aenc:about", "safety-no-about"),
    # AirspaceClaimShape
    case("AirspaceClaimShape", "DELETE WHERE { <claim/mini-one-airspace> aenc:violationAsserted ?v } ; "
         'INSERT DATA { <claim/mini-one-airspace> aenc:violationAsserted "no" }', "aenc:violationAsserted true",
         "airspace-violation-not-boolean"),
    # DateClaimShape
    case("DateClaimShape", "DELETE WHERE { <claim/mini-one-date> aenc:claimedDate ?d }", "one aenc:claimedDate",
         "date-claim-no-date"),
    # ClosestApproachClaimShape
    case("ClosestApproachClaimShape", "DELETE WHERE { <claim/mini-one-distance> aenc:closestApproach ?q }",
         "needs a distance (aenc:closestApproach) or", "closest-approach-neither-distance-nor-words"),
    case("ClosestApproachClaimShape", "INSERT DATA { <claim/mini-one-distance> aenc:closestApproach <state/usa> }",
         "aenc:closestApproach must point to an aenc:Quantity", "closest-approach-not-a-quantity"),
    # QuantityShape
    case("QuantityShape", 'DELETE { ?q qudt:numericValue ?v } INSERT { ?q qudt:numericValue "-30.0"^^xsd:decimal } '
         "WHERE { ?q qudt:numericValue ?v }", "one positive qudt:numericValue", "quantity-negative"),
    case("QuantityShape", 'DELETE { ?q qudt:unit ?u } INSERT { ?q qudt:unit "miles" } WHERE { ?q qudt:unit ?u }',
         "one qudt:unit, a QUDT unit IRI", "quantity-unit-literal"),
    case("QuantityShape", "DELETE WHERE { ?q aenc:normalisedMetres ?m }", "one aenc:normalisedMetres",
         "quantity-no-metres"),
    # TallyClaimShape
    case("TallyClaimShape", "DELETE WHERE { <claim/mini-one-tally> aenc:tally ?n }", "one aenc:tally",
         "tally-missing"),
    # PrecedentClaimShape
    case("PrecedentClaimShape", "DELETE WHERE { <claim/mini-one-precedent> aenc:firstOfItsKind ?f }",
         "aenc:firstOfItsKind or aenc:ordinalInSeries", "precedent-neither"),
    # ReportShape
    case("ReportShape", "DELETE WHERE { <report/mini-one> aenc:publicationDate ?d }", "one aenc:publicationDate",
         "report-no-date"),
    case("ReportShape", "DELETE WHERE { <report/mini-one> aenc:publisher ?p }", "A report needs aenc:publisher",
         "report-no-publisher"),
    # AircraftTypeShape
    case("AircraftTypeShape", "DELETE WHERE { <aircraft/f-22> aenc:hasRole ?r }",
         "needs aenc:hasRole, or aenc:variantOf", "aircraft-no-role"),
    case("AircraftTypeShape", "INSERT DATA { <aircraft/f-22> aenc:hasRole <state/usa> }",
         "aenc:hasRole must point to an aenc:AircraftRole", "aircraft-role-not-a-role"),
    case("AircraftTypeShape", "INSERT DATA { <aircraft/f-22> aenc:originState <place/pacific-ocean> }",
         "aenc:originState must be an aenc:State", "origin-not-a-state"),
    # PlaceShape
    case("PlaceShape", "INSERT DATA { <place/north-pacific> aenc:within <state/usa> }",
         "aenc:within must point to an aenc:Place", "within-not-a-place"),
    case("PlaceShape", 'DELETE { ?g geo:asWKT ?w } INSERT { ?g geo:asWKT "POINT(150 55)" } '
         "WHERE { ?g geo:asWKT ?w }", "one geo:asWKT literal typed geo:wktLiteral", "wkt-untyped"),
]


def _messages(shapes: Graph) -> dict[str, str]:
    """Every sh:message in the shapes, mapped to the short name of its node shape."""
    out = {}
    for holder, message in shapes.subject_objects(SH.message):
        node = holder
        while (None, SH.property, node) in shapes or (None, SH.sparql, node) in shapes:
            node = shapes.value(None, SH.property, node) or shapes.value(None, SH.sparql, node)
        out[str(message)] = short(node)
    return out


@pytest.mark.parametrize("shape, update, fragment", CASES)
def test_violating_example(ontology, shapes, mini_graph, shape, update, fragment):
    messages = [m for m in _messages(shapes) if fragment in m]
    assert len(messages) == 1, f"{fragment!r} should pick one sh:message, got {messages}"
    mini_graph.update(UPDATE_PREFIXES + update)
    report = validate(mini_graph, ontology, shapes)
    assert not report.conforms
    fired = {(v.shape, v.message) for v in report.violations}
    assert (f"aencsh:{shape}", messages[0]) in fired, report.text()


def test_mini_dataset_is_the_conforming_example_of_every_shape(ontology, shapes, mini_graph):
    report = validate(mini_graph, ontology, shapes)
    assert report.conforms, report.text()
    combined = mini_graph + ontology
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        targets = set()
        for cls in shapes.objects(shape, SH.targetClass):
            subclasses = set(combined.transitive_subjects(RDFS.subClassOf, cls))
            for sub in subclasses:
                targets.update(mini_graph.subjects(RDF.type, sub))
        assert targets, f"no focus node in the mini dataset for {short(shape)}"


def test_every_shape_and_message_has_a_violating_case(shapes):
    messages = _messages(shapes)
    covered = {m for m in messages for p in CASES if p.values[2] in m}
    assert set(messages) - covered == set(), "sh:message without a violating test case"
    node_shapes = {short(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert node_shapes == {f"aencsh:{p.values[0]}" for p in CASES}


def test_report_names_focus_path_message_and_file(tmp_path):
    broken = MINI_REPORT.replace('    aenc:latestDate "2020-06-19"^^xsd:date ;\n', "")
    data = write_data(tmp_path, reports={"mini-one": broken})
    from graph.load import load_shapes
    report = validate_loaded(load(data), load_shapes())
    assert [v.line() for v in report.violations] == [
        "Violation: <id/time/2020-06-19-okhotsk> aenc:latestDate: A reported time needs exactly one "
        "aenc:latestDate as xsd:date (equal to the earliest date for a known day). [mini-one.ttl]"]
    with pytest.raises(ValidationFailed) as caught:
        require_conformance(report)
    assert caught.value.violations == 1 and "mini-one.ttl" in str(caught.value)


def test_validation_sees_asserted_data_only(ontology, shapes, mini_graph):
    """A domain would type the node, but SHACL must not see inferred types: an untyped time
    node used with aenc:time stays unchecked rather than silently passing as a ReportedTime."""
    mini_graph.update(UPDATE_PREFIXES + f"DELETE DATA {{ {TIME} a aenc:ReportedTime }}")
    report = validate(mini_graph, ontology, shapes)
    fired = {(v.shape, v.focus) for v in report.violations}
    assert ("aencsh:EncounterShape", short(URIRef("https://w3id.org/aenc/id/encounter/2020-06-19-okhotsk"))) in fired


def test_real_data_conforms():
    from graph.load import load_shapes
    report = validate_loaded(load(), load_shapes())
    assert report.conforms, report.text()
