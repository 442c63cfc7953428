"""graph/describe.py against the inline fixture store: what each page shows."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from webdata import ENC, FOLLOW_UP, GRAPH_A, GRAPH_B, REPORT_A, REPORT_B
from graph import describe
from graph.errors import NotFound
from graph.namespaces import INFERRED_GRAPH, ONT, ONTOLOGY_GRAPH

ID = "https://w3id.org/aenc/id/"


@pytest.fixture(scope="module")
def enc(web_store):
    return describe.describe_encounter(web_store, ENC)


def _asserted(dataset, s=None, p=None, o=None):
    """Triples of every named graph but the inferred one, as a set."""
    return {(s_, p_, o_) for s_, p_, o_, g in dataset.quads((s, p, o, None))
            if str(g.identifier if hasattr(g, "identifier") else g) != str(INFERRED_GRAPH)}


def test_resource_has_label_types_and_flags_inferred_types(web_store):
    res = describe.describe_resource(web_store, ENC)
    assert res.label == "Russian-Chinese bomber patrol intercepted near Alaska"
    assert res.kind == "encounter"
    by_type = {st.node.value: st for st in res.types}
    assert not by_type[ONT + "JointPatrol"].inferred
    assert sorted(by_type[ONT + "JointPatrol"].graphs) == [GRAPH_A, GRAPH_B]
    assert by_type[ONT + "Encounter"].inferred


def test_outgoing_statements_match_the_data(web_store, dataset):
    res = describe.describe_resource(web_store, ENC)
    shown = {(pv.property.value, st.node.value) for pv in res.outgoing for st in pv.values}
    expected = {(str(p), str(o)) for _, p, o, _ in dataset.quads((URIRef(ENC), None, None, None))}
    assert shown == expected


def test_incoming_statements_are_counted_and_cut(web_store, dataset, monkeypatch):
    monkeypatch.setattr(describe, "INCOMING_PER_PROPERTY", 2)
    res = describe.describe_resource(web_store, ENC)
    about = next(pv for pv in res.incoming if pv.property.value == ONT + "about")
    claims = {s for s, _, _, _ in dataset.quads((None, URIRef(ONT + "about"), URIRef(ENC), None))}
    assert about.total == len(claims)
    assert len(about.values) == 2
    assert about.more == len(claims) - 2


def test_unknown_iri_is_not_found(web_store):
    with pytest.raises(NotFound, match="nothing in the graph"):
        describe.describe_resource(web_store, ID + "encounter/never-happened")


def test_malformed_iri_is_not_found_not_a_crash(web_store):
    with pytest.raises(NotFound, match="not a valid IRI"):
        describe.describe_resource(web_store, ID + "x> } UNION { ?s ?p ?o")


def test_participations_one_row_each_with_state_type_role(enc, dataset):
    rows = {(p.state.text if p.state else None, p.aircraft_type.text, p.role.text) for p in enc.participations}
    assert rows == {
        ("Russia", "Tu-95MS", "patrolling"),
        ("China", "H-6K", "patrolling"),
        ("Russia", "Su-30SM", "escorting"),
        ("United States", "F-16", "intercepting"),
    }
    n = len({o for _, _, o, _ in dataset.quads((URIRef(ENC), URIRef(ONT + "hasParticipation"), None, None))})
    assert len(enc.participations) == n


def test_one_state_can_be_patrolling_and_escorting(enc):
    roles = {p.role.text for p in enc.participations if p.state and p.state.text == "Russia"}
    assert roles == {"patrolling", "escorting"}


def test_variant_gets_most_specific_role_of_its_base_type(enc):
    tu95ms = next(p for p in enc.participations if p.aircraft_type.text == "Tu-95MS")
    assert [r.text for r in tu95ms.type_roles] == ["strategic bomber"]


def test_unknown_count_is_not_a_number(enc):
    counts = {p.aircraft_type.text: (p.count, p.count_display) for p in enc.participations}
    assert counts["Tu-95MS"] == (None, "unknown")
    assert counts["F-16"] == (2, "at least 2")


def test_command_and_designation_are_kept(enc):
    f16 = next(p for p in enc.participations if p.aircraft_type.text == "F-16")
    h6k = next(p for p in enc.participations if p.aircraft_type.text == "H-6K")
    assert f16.command.text == "NORAD"
    assert h6k.designation == "Xian-H-6K"


def test_participations_name_the_graph_they_come_from(enc):
    su30 = next(p for p in enc.participations if p.aircraft_type.text == "Su-30SM")
    assert su30.graphs == [GRAPH_B]
    assert enc.graph_reports[GRAPH_B].report.value == REPORT_B


def test_claims_grouped_by_report_with_speaker_distinct_from_publisher(enc, dataset):
    groups = {g.source.report.value: g for g in enc.claims_by_report}
    assert set(groups) == {REPORT_A, REPORT_B}
    for report, group in groups.items():
        stated = {s for s, _, _, _ in dataset.quads((None, URIRef(ONT + "statedIn"), URIRef(report), None))}
        assert {c.node.value for c in group.claims} == {str(s) for s in stated}
    airspace = next(c for c in groups[REPORT_A].claims if c.types[0].value == ONT + "AirspaceClaim")
    assert [s.text for s in airspace.speakers] == ["Russian Ministry of Defence"]
    assert [r.text for r in airspace.relayed_by] == ["Al Mayadeen"]
    assert [p.text for p in groups[REPORT_A].source.publishers] == ["Al Mayadeen"]


def test_claim_type_is_the_most_specific_class(enc):
    threat = next(c for g in enc.claims_by_report for c in g.claims if c.quoted_label)
    # the inferred graph also types it aenc:Claim; the page shows the subclass only
    assert [t.value for t in threat.types] == [ONT + "SafetyCharacterisation"]
    assert [a.text for a in threat.assessments] == ["not a threat"]


def test_closest_approach_keeps_each_unit_and_the_metres(enc):
    claim = next(c for g in enc.claims_by_report for c in g.claims if c.distances)
    assert [(d.value, d.unit.text, float(d.metres)) for d in claim.distances] == [
        ("320", "km", 320000.0), ("200", "mi", 321868.8)]
    assert [pv.property.text for pv in claim.details] == ["measured from"]


def test_date_claim_and_precedent_details(enc):
    b = {c.types[0].value: c for g in enc.claims_by_report for c in g.claims}
    assert b[ONT + "DateClaim"].claimed_date == "2024-07-24"
    details = {pv.property.text: [st.node.value for st in pv.values] for pv in b[ONT + "PrecedentClaim"].details}
    assert details == {"ordinal in series": ["8"], "series since": ["2019"]}


def test_sources_have_publisher_date_and_named_graph(enc):
    src = {s.report.value: s for s in enc.sources}
    assert src[REPORT_A].graphs == [GRAPH_A]
    assert src[REPORT_A].date == "2024-07-25"
    assert src[REPORT_A].source_file == "002_0dfffd97688853d3.txt"
    assert src[REPORT_B].url == "https://example.org/b"
    assert [s.key for s in enc.sources] == ["A", "B"]


def test_time_keeps_precision_and_expression(enc):
    (t,) = enc.times
    assert (t.display, t.precision.text, t.expression) == ("2024-07-24", "day", "Wednesday")
    assert t.resolved_relative_to.value == REPORT_A


def test_places_with_containment_innermost_first(enc):
    places = {p.place.text: p for p in enc.places}
    bering = places["Bering Sea"]
    assert bering.relation.label == "location"
    assert [w.text for w in bering.within] == ["North Pacific", "Pacific Ocean"]
    assert bering.wkt == "POINT(-178 58)"
    assert places["Alaska"].relation.label == "near"


def test_behaviour_names_who_performed_it(enc):
    (b,) = enc.behaviours
    assert [t.text for t in b.types] == ["turning away"]
    assert enc.participation_names[b.performed_by[0].value] == "Russia · Tu-95MS · patrolling"


def test_related_activity_both_ways(web_store, enc):
    (pv,) = enc.related
    assert [st.node.value for st in pv.values] == [FOLLOW_UP]
    later = describe.describe_encounter(web_store, FOLLOW_UP)
    assert [st.node.value for pv in later.related for st in pv.values] == [ENC]


def test_week_precision_is_a_span(web_store):
    later = describe.describe_encounter(web_store, FOLLOW_UP)
    (t,) = later.times
    assert t.display == "2024-07-29 – 2024-07-31"
    assert t.precision.text == "week"


def test_report_page_lists_its_claims_and_activities(web_store, dataset):
    rep = describe.describe_report(web_store, REPORT_B)
    stated = {str(s) for s, _, _, _ in dataset.quads((None, URIRef(ONT + "statedIn"), URIRef(REPORT_B), None))}
    assert {c.node.value for c in rep.claims} == stated
    assert {a.node.value for a in rep.activities} == {ENC, FOLLOW_UP}
    assert rep.source.graphs == [GRAPH_B]
    assert describe.describe_resource(web_store, REPORT_B).kind == "report"


def test_report_page_for_a_non_report_is_not_found(web_store):
    with pytest.raises(NotFound):
        describe.describe_report(web_store, ID + "state/russia")


def test_graph_name_is_a_resource_with_its_size(web_store, dataset):
    res = describe.describe_resource(web_store, GRAPH_A)
    assert res.graph.kind == "report"
    assert res.graph.triples == len(dataset.graph(URIRef(GRAPH_A)))


def test_term_page_for_a_property(web_store):
    onto = Graph().parse(data=_ontology_turtle(), format="turtle")
    term = describe.describe_term(web_store, ONT + "hasRole")
    assert term.label == "has role"
    assert [d.value for d in term.domain] == [ONT + "AircraftType"]
    expected_chains = sorted(
        [[str(x) for x in Collection(onto, lst)] for lst in onto.objects(URIRef(ONT + "hasRole"), OWL.propertyChainAxiom)])
    assert sorted([[n.value for n in chain] for chain in term.chains]) == expected_chains


def test_term_page_for_a_class_counts_instances(web_store, dataset):
    onto = Graph().parse(data=_ontology_turtle(), format="turtle")
    term = describe.describe_term(web_store, ONT + "Encounter")
    assert {n.value for n in term.subclasses} == {str(s) for s in onto.subjects(RDFS.subClassOf, URIRef(ONT + "Encounter"))}
    instances = {s for s, _, _, _ in dataset.quads((None, RDF.type, URIRef(ONT + "Encounter"), None))}
    assert term.instance_count == len(instances)


def test_term_page_for_a_transitive_property(web_store):
    term = describe.describe_term(web_store, ONT + "within")
    assert [c.value for c in term.characteristics] == [str(OWL.TransitiveProperty)]
    assert [i.value for i in term.inverse] == [ONT + "contains"]


def test_unknown_term_is_not_found(web_store):
    with pytest.raises(NotFound, match="not a term"):
        describe.describe_term(web_store, ONT + "Encouter")


def test_ontology_page_lists_every_declared_class(web_store):
    onto = Graph().parse(data=_ontology_turtle(), format="turtle")
    view = describe.describe_ontology(web_store)
    declared = {str(s) for s in onto.subjects(RDF.type, OWL.Class) if str(s).startswith(ONT)}
    assert {n.value for n in view.classes} == declared
    assert view.title == str(onto.value(URIRef(ONT), URIRef("http://purl.org/dc/terms/title")))


def test_summary_counts_come_from_the_data(web_store, dataset):
    summary = describe.summarize(web_store)
    reports = {s for s, _, _, _ in dataset.quads((None, RDF.type, URIRef(ONT + "Report"), None))}
    assert summary.counts["reports"] == len(reports)
    assert summary.counts["encounters"] == 2  # a joint patrol and an intercept, both subclasses
    assert {g.graph.value: g.triples for g in summary.graphs} == {
        str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert [a.node.value for a in summary.activities] == [FOLLOW_UP, ENC]  # newest first


def test_machine_description_holds_the_resource_and_its_parts(web_store, dataset):
    g = describe.describe_graph(web_store, ENC)
    for s, p, o, _ in dataset.quads((URIRef(ENC), None, None, None)):
        assert (s, p, o) in g
    for part in dataset.objects(URIRef(ENC), URIRef(ONT + "hasParticipation")):
        for triple in _asserted(dataset, part):
            assert triple in g
    assert (URIRef(FOLLOW_UP), URIRef(ONT + "follows"), URIRef(ENC)) in g
    distances = set(g.objects(None, URIRef(ONT + "normalisedMetres")))
    assert {float(d) for d in distances} == {320000.0, 321868.8}


def test_machine_description_follows_blank_nodes(web_store):
    g = describe.describe_graph(web_store, ID + "place/bering-sea")
    wkt = list(g.objects(None, URIRef("http://www.opengis.net/ont/geosparql#asWKT")))
    assert [str(w) for w in wkt] == ["POINT(-178 58)"]


def test_machine_description_of_a_term_keeps_its_chain_lists(web_store):
    g = describe.describe_graph(web_store, ONT + "hasRole")
    chains = [[str(x) for x in Collection(g, lst)] for lst in g.objects(URIRef(ONT + "hasRole"), OWL.propertyChainAxiom)]
    assert sorted(chains) == sorted([[ONT + "hasRole", ONT + "broaderRole"], [ONT + "variantOf", ONT + "hasRole"]])


def test_machine_description_caps_incoming(web_store):
    g = describe.describe_graph(web_store, ONT + "AircraftRole", max_incoming=3)
    incoming = [t for t in g.triples((None, None, URIRef(ONT + "AircraftRole")))]
    assert len(incoming) == 3


def test_machine_description_of_nothing_is_not_found(web_store):
    with pytest.raises(NotFound):
        describe.describe_graph(web_store, ID + "nothing/here")


@pytest.mark.parametrize("iri, base_iri, base_path, expected", [
    pytest.param(ENC, "https://w3id.org/aenc/", "", "/id/encounter/2024-07-24-bering-sea", id="root"),
    pytest.param(ENC, "https://w3id.org/aenc/", "/aenc/", "/aenc/id/encounter/2024-07-24-bering-sea", id="base-path"),
    pytest.param("https://schema.org/Country", "https://w3id.org/aenc/", "/aenc", "https://schema.org/Country",
                 id="external"),
    pytest.param("http://example.org/data/id/x", "http://example.org/data/", "", "/id/x", id="other-base"),
])
def test_local_link(iri, base_iri, base_path, expected):
    assert describe.local_link(iri, base_iri=base_iri, base_path=base_path) == expected


@pytest.mark.parametrize("iri, expected", [
    pytest.param(ONT + "Encounter", "aenc:Encounter", id="aenc"),
    pytest.param(str(RDFS.label), "rdfs:label", id="rdfs"),
    pytest.param("http://example.org/x y", "http://example.org/x y", id="unknown"),
    pytest.param(ONT + "a b", ONT + "a b", id="not-a-local-name"),
])
def test_curie(iri, expected):
    assert describe.curie(iri) == expected


@pytest.mark.parametrize("value, expected", [
    ("PT5H", "5 h"), ("PT5H30M", "5 h 30 min"), ("P1DT2H", "1 d 2 h"), ("P1Y", "P1Y"), ("", ""),
])
def test_format_duration(value, expected):
    assert describe.format_duration(value) == expected


def test_graph_kinds():
    assert describe.graph_kind(str(ONTOLOGY_GRAPH)) == "ontology"
    assert describe.graph_kind(GRAPH_A) == "report"
    assert describe.graph_kind(str(INFERRED_GRAPH)) == "inferred"
    assert describe.graph_kind("http://example.org/g") == "other"


def _ontology_turtle() -> str:
    from graph.namespaces import ONTOLOGY_FILE
    return ONTOLOGY_FILE.read_text(encoding="utf-8")


def test_literal_display_hides_only_xsd_datatypes():
    n = describe.Node("literal", "POINT(1 2)", datatype="http://www.opengis.net/ont/geosparql#wktLiteral")
    assert n.datatype_curie == "geo:wktLiteral"
    assert describe.Node("literal", "2", datatype=str(Literal(2).datatype)).datatype_curie is None


def test_activity_lists_name_commands_as_well_as_states(web_store):
    activities, total = describe.list_activities(web_store)
    assert total == 2
    enc = next(a for a in activities if a.node.value == ENC)
    assert [s.text for s in enc.states] == ["China", "Russia", "United States"]
    assert [c.text for c in enc.commands] == ["NORAD"]


def test_home_lists_report_graphs_up_to_a_limit(web_store, monkeypatch):
    monkeypatch.setattr(describe, "MAX_REPORT_GRAPHS_LISTED", 1)
    summary = describe.summarize(web_store)
    assert summary.report_graphs == 2
    assert [g.kind for g in summary.graphs] == ["ontology", "reference", "report", "inferred"]
    assert summary.report_graphs_hidden == 1
    report = next(g for g in summary.graphs if g.kind == "report")
    assert report.graph.label == "Russian and Chinese bombers patrol near Alaska"  # the report it is an account of
