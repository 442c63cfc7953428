"""Stage 4: the entailments queries rely on, contradictions, and no owlrl noise."""
from __future__ import annotations

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from graph.build import NQUADS_NAME
from graph.errors import InconsistentGraphError
from graph.namespaces import AENC, BASE, DATA, INFERRED_GRAPH, ONT, ONTOLOGY_GRAPH
from graph.reason import filter_inferred, keep_inferred, reason

ID = lambda path: URIRef(DATA + path)  # noqa: E731


@pytest.fixture(scope="module")
def mini_inferred(ontology) -> Graph:
    from .conftest import MINI_REFERENCE, MINI_REPORT
    data = Graph()
    data.parse(data=MINI_REFERENCE, format="turtle")
    data.parse(data=MINI_REPORT, format="turtle")
    return reason(ontology, data)


@pytest.fixture(scope="module")
def built(built_dir) -> Dataset:
    dataset = Dataset()
    dataset.parse(built_dir / NQUADS_NAME, format="nquads")
    return dataset


@pytest.fixture(scope="module")
def real_inferred(built) -> Graph:
    return built.graph(INFERRED_GRAPH)


ENTAILMENTS = [
    pytest.param("aircraft/tu-95ms", AENC.hasRole, AENC.strategicBomberRole, id="variant-inherits-role"),
    pytest.param("aircraft/tu-95ms", AENC.hasRole, AENC.bomberRole, id="variant-broader-role"),
    pytest.param("aircraft/tu-95", AENC.hasRole, AENC.combatRole, id="role-chain-to-top"),
    pytest.param("aircraft/tu-95", AENC.hasVariant, "aircraft/tu-95ms", id="inverse-variant"),
    pytest.param("place/sea-of-okhotsk", AENC.within, "place/pacific-ocean", id="within-transitive"),
    pytest.param("place/pacific-ocean", AENC.contains, "place/sea-of-okhotsk", id="inverse-contains"),
    pytest.param("encounter/2020-06-19-okhotsk", AENC.occurredWithin, "place/pacific-ocean",
                 id="occurred-within-containment"),
    pytest.param("encounter/2020-06-19-okhotsk", AENC.involvesState, "state/russia", id="involves-state-chain"),
    pytest.param("encounter/2020-06-19-okhotsk", AENC.involvesCommand, "org/norad", id="involves-command-chain"),
    pytest.param("encounter/2020-06-19-okhotsk", AENC.involvesAircraftType, "aircraft/tu-95ms",
                 id="involves-aircraft-chain"),
    pytest.param("encounter/2020-06-19-okhotsk", RDF.type, AENC.Encounter, id="subclass-type"),
    pytest.param("participation/2020-06-19-russia", AENC.participationIn, "encounter/2020-06-19-okhotsk",
                 id="inverse-participation"),
    pytest.param("org/eastern-air-defence", AENC.subordinateTo, "org/russia-mod", id="subordinate-transitive"),
    pytest.param("org/eastern-air-defence", AENC.actsFor, "state/russia", id="acts-for-through-subordination"),
    pytest.param("org/russia-mod", AENC.hasSubordinate, "org/eastern-air-defence", id="inverse-subordinate"),
    pytest.param("org/norad", AENC.actsFor, "state/usa", id="command-acts-for-member"),
    pytest.param("state/canada", AENC.memberOf, "org/norad", id="inverse-member"),
]


@pytest.mark.parametrize("subject, predicate, obj", ENTAILMENTS)
def test_mini_entailments(mini_inferred, subject, predicate, obj):
    obj = obj if isinstance(obj, URIRef) else ID(obj)
    assert (ID(subject), predicate, obj) in mini_inferred


def test_inferred_graph_holds_only_new_triples(ontology, mini_inferred):
    from .conftest import MINI_REFERENCE
    reference = Graph().parse(data=MINI_REFERENCE, format="turtle")
    assert not set(mini_inferred) & set(reference)
    assert not set(mini_inferred) & set(ontology)
    assert (ID("place/sea-of-okhotsk"), AENC.within, ID("place/north-pacific")) not in mini_inferred


@pytest.mark.parametrize("subject, predicate, obj", [
    pytest.param("aircraft/tu-95ms", AENC.hasRole, AENC.strategicBomberRole, id="tu-95ms-strategic-bomber"),
    pytest.param("aircraft/tu-95ms", AENC.hasRole, AENC.bomberRole, id="tu-95ms-bomber"),
    pytest.param("place/sea-of-okhotsk", AENC.within, "place/pacific-ocean", id="okhotsk-in-pacific"),
    pytest.param("place/pacific-ocean", AENC.contains, "place/sea-of-okhotsk", id="pacific-contains-okhotsk"),
    pytest.param("org/eastern-military-district-air-defence", AENC.actsFor, "state/russia",
                 id="air-defence-acts-for-russia"),
    pytest.param("org/norad", AENC.actsFor, "state/united-states", id="norad-acts-for-us"),
])
def test_real_entailments(real_inferred, subject, predicate, obj):
    obj = obj if isinstance(obj, URIRef) else ID(obj)
    assert (ID(subject), predicate, obj) in real_inferred


def test_real_encounters_get_states_and_bombers(built):
    """The query for bomber encounters finds the Tu-95MS joint patrol through inferred triples."""
    rows = built.query("""
        PREFIX aenc: <https://w3id.org/aenc/ont/>
        SELECT DISTINCT ?e WHERE {
          GRAPH <https://w3id.org/aenc/graph/inferred> {
            ?e aenc:involvesAircraftType ?t ; aenc:involvesState <https://w3id.org/aenc/id/state/russia> .
            ?t aenc:hasRole aenc:bomberRole .
          }
        }""")
    encounters = {str(r[0]) for r in rows}
    assert len(encounters) >= 2
    assert any("2024-07-24" in e for e in encounters)


def test_real_inferred_graph_has_no_owlrl_noise(built, real_inferred):
    assert len(real_inferred) > 500
    asserted = {t for g in built.graphs() if g.identifier != INFERRED_GRAPH for t in g}
    for s, p, o in real_inferred:
        assert isinstance(s, URIRef) and (str(s).startswith(DATA) or str(s).startswith(ONT)), s
        assert not (p == OWL.sameAs and s == o)
        assert not (p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf) and s == o)
        if p == RDF.type:
            assert not str(o).startswith((str(OWL), str(RDF), str(RDFS))), (s, o)
        assert o not in (OWL.Thing, RDFS.Resource)
        assert "daml.org" not in str(p) and not isinstance(p, Literal)
        assert (s, p, o) not in asserted
    assert ONTOLOGY_GRAPH in {g.identifier for g in built.graphs()}


@pytest.mark.parametrize("triple, kept", [
    pytest.param((ID("x"), AENC.hasRole, AENC.bomberRole), True, id="data-fact"),
    pytest.param((AENC.Intercept, RDFS.subClassOf, AENC.AirActivity), True, id="ontology-fact"),
    pytest.param((ID("x"), OWL.sameAs, ID("x")), False, id="reflexive-sameas"),
    pytest.param((ID("x"), OWL.sameAs, ID("y")), True, id="real-sameas"),
    pytest.param((AENC.Place, RDFS.subClassOf, AENC.Place), False, id="reflexive-subclass"),
    pytest.param((AENC.Place, OWL.equivalentClass, AENC.Place), False, id="reflexive-equivalent"),
    pytest.param((AENC.within, RDFS.subPropertyOf, AENC.within), False, id="reflexive-subproperty"),
    pytest.param((AENC.within, OWL.equivalentProperty, AENC.within), False, id="reflexive-equivalent-property"),
    pytest.param((AENC.Place, RDFS.subClassOf, OWL.Thing), False, id="subclass-of-thing"),
    pytest.param((AENC.within, RDFS.domain, OWL.Thing), False, id="domain-thing"),
    pytest.param((AENC.within, RDFS.range, RDFS.Resource), False, id="range-resource"),
    pytest.param((ID("x"), RDF.type, OWL.Thing), False, id="type-thing"),
    pytest.param((ID("x"), RDF.type, OWL.NamedIndividual), False, id="type-named-individual"),
    pytest.param((AENC.Place, RDF.type, RDFS.Class), False, id="type-rdfs-class"),
    pytest.param((AENC.within, RDF.type, RDF.Property), False, id="type-rdf-property"),
    pytest.param((XSD.date, RDF.type, RDFS.Datatype), False, id="datatype-axiom"),
    pytest.param((URIRef("https://example.org/x"), RDF.type, AENC.Place), False, id="foreign-subject"),
    pytest.param((URIRef(BASE + "graph/report/x"), RDF.type, AENC.Place), False, id="graph-iri-subject"),
    pytest.param((BNode(), RDF.type, AENC.Quantity), False, id="blank-subject"),
    pytest.param((Literal("x"), OWL.sameAs, Literal("x")), False, id="literal-proxy"),
])
def test_keep_inferred_table(triple, kept):
    assert keep_inferred(triple) is kept


def test_filter_drops_asserted_and_equal_literals():
    asserted = Graph()
    asserted.add((ID("r"), AENC.tally, Literal("05", datatype=XSD.positiveInteger)))
    closure = Graph()
    for t in asserted:
        closure.add(t)
    closure.add((ID("r"), AENC.tally, Literal("5", datatype=XSD.positiveInteger)))
    closure.add((ID("r"), RDF.type, AENC.Claim))
    assert set(filter_inferred(closure, asserted)) == {(ID("r"), RDF.type, AENC.Claim)}


def test_individual_in_two_disjoint_classes_is_inconsistent(ontology, mini_graph):
    mini_graph.add((ID("place/sea-of-okhotsk"), RDF.type, AENC.Intercept))
    with pytest.raises(InconsistentGraphError) as caught:
        reason(ontology, mini_graph)
    text = str(caught.value)
    assert "<id/place/sea-of-okhotsk> is typed both" in text
    assert "aenc:AirActivity" in text and "aenc:Place" in text and "which are disjoint" in text
    assert "<id/place/sea-of-okhotsk> a aenc:Intercept" in text
    assert "<id/place/sea-of-okhotsk> a aenc:Sea" in text


def test_disjointness_through_a_domain_names_the_triple(ontology, mini_graph):
    """A state used as a participation (by aenc:state's domain) is a Participation and an Agent."""
    mini_graph.add((ID("state/usa"), AENC.state, ID("state/canada")))
    with pytest.raises(InconsistentGraphError) as caught:
        reason(ontology, mini_graph)
    text = str(caught.value)
    assert "<id/state/usa> is typed both" in text
    assert "<id/state/usa> aenc:state <id/state/canada> (domain)" in text


def test_state_and_organization_are_disjoint(ontology, mini_graph):
    mini_graph.add((ID("org/norad"), RDF.type, AENC.State))
    with pytest.raises(InconsistentGraphError) as caught:
        reason(ontology, mini_graph)
    assert "<id/org/norad> is typed both aenc:Organization and aenc:State" in str(caught.value) \
        or "<id/org/norad> is typed both aenc:State and aenc:Organization" in str(caught.value)
