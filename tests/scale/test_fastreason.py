"""The fast reasoner gives exactly owlrl's filtered inferences and contradictions."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.compare import graph_diff, to_isomorphic

from graph.errors import InconsistentGraphError
from graph.fastreason import UnsupportedConstruct, key_of, reason_fast, reason_terms
from graph.namespaces import ID, ONT
from graph.reason import reason

PREFIXES = """
@prefix aenc: <https://w3id.org/aenc/ont/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix place: <https://w3id.org/aenc/id/place/> .
@prefix t: <https://w3id.org/aenc/id/test/> .
"""


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def assert_same(fast: Graph, slow: Graph) -> None:
    if set(fast) == set(slow):
        return
    _both, only_fast, only_owlrl = graph_diff(to_isomorphic(fast), to_isomorphic(slow))
    lines = ["fast reasoner and owlrl differ"]
    lines += [f"  only fast:  {t}" for t in sorted(only_fast)[:20]]
    lines += [f"  only owlrl: {t}" for t in sorted(only_owlrl)[:20]]
    pytest.fail("\n".join(lines))


def test_same_inferences_as_owlrl_on_the_curated_graph(ontology, curated):
    fast = reason_fast(ontology, curated)
    assert len(fast) > 500
    assert_same(fast, reason(ontology, curated))


def test_same_inferences_as_owlrl_on_1000_generated_encounters(ontology, synthetic_1k_graph):
    fast = reason_fast(ontology, synthetic_1k_graph)
    assert len(fast) > 10_000
    assert_same(fast, reason(ontology, synthetic_1k_graph))


AXIOMS = """
aenc:testSym a owl:ObjectProperty , owl:SymmetricProperty .
aenc:testEqA owl:equivalentProperty aenc:testEqB .
aenc:testEqB rdfs:domain aenc:TestThing .
aenc:TestThing owl:equivalentClass aenc:TestSame ; rdfs:subClassOf aenc:TestTop .
aenc:testChain owl:propertyChainAxiom ( aenc:testA aenc:testB aenc:testC ) .
aenc:testA owl:inverseOf aenc:testInvA ; rdfs:range aenc:TestTop .
aenc:testSub rdfs:subPropertyOf aenc:testEqA .
aenc:testT a owl:TransitiveProperty ; rdfs:subPropertyOf aenc:testSym .
"""
DATA = """
t:a aenc:testSym t:b ; aenc:testSub t:c ; aenc:testA t:x .
t:x aenc:testB t:y . t:y aenc:testC t:z , "lit" .
t:p aenc:testT t:q . t:q aenc:testT t:r . t:r aenc:testT t:s .
"""


def test_same_as_owlrl_on_constructs_the_ontology_does_not_use_yet(ontology):
    axioms = turtle(AXIOMS)
    data = turtle(DATA)
    fast = reason_fast(axioms, data)
    assert (ID["test/a"], URIRef(ONT + "testChain"), ID["test/z"]) in fast
    assert_same(fast, reason(axioms, data))


# Predicates whose own rules add triples with the same predicate, so rows are added to the
# index the first pass walks: an inverse of itself, and a chain whose result is its first step
SELF_DERIVING = """
aenc:testSelfInv a owl:ObjectProperty ; owl:inverseOf aenc:testSelfInv .
aenc:testR owl:propertyChainAxiom ( aenc:testR aenc:testS ) .
"""
SELF_DERIVING_DATA = """
t:m1 aenc:testSelfInv t:n1 . t:m2 aenc:testSelfInv t:n2 . t:m3 aenc:testSelfInv t:n3 .
t:r1 aenc:testR t:r2 . t:r2 aenc:testS t:r3 . t:r3 aenc:testS t:r4 . t:r4 aenc:testS t:r5 .
"""


def test_same_as_owlrl_when_a_predicate_derives_itself():
    axioms = turtle(AXIOMS + SELF_DERIVING)
    data = turtle(SELF_DERIVING_DATA)
    fast = reason_fast(axioms, data)
    for i in (1, 2, 3):
        assert (ID[f"test/n{i}"], URIRef(ONT + "testSelfInv"), ID[f"test/m{i}"]) in fast
    for o in ("r3", "r4", "r5"):
        assert (ID["test/r1"], URIRef(ONT + "testR"), ID[f"test/{o}"]) in fast
    assert_same(fast, reason(axioms, data))


# Axioms that come with the data, and chains whose first or last step is derived, not given
DATA_WITH_AXIOMS = """
aenc:testD rdfs:subPropertyOf aenc:testE .
aenc:testG rdfs:subPropertyOf aenc:testF .
aenc:testChain2 owl:propertyChainAxiom ( aenc:testE aenc:testF ) .
t:a aenc:testD t:b ; aenc:testE t:b .
t:b aenc:testF t:c .
t:x aenc:testD t:y . t:y aenc:testF t:z .
t:u aenc:testE t:v . t:v aenc:testG t:w .
"""
# and an axiom a rule derives (t:K rdfs:subClassOf t:L): the rules run again with it
DERIVED_AXIOM = """
aenc:testSubClass rdfs:subPropertyOf rdfs:subClassOf .
t:K aenc:testSubClass t:L . t:k a t:K .
"""


@pytest.mark.parametrize("extra", ["", DERIVED_AXIOM], ids=["given-axioms", "and-a-derived-axiom"])
def test_same_as_owlrl_with_axioms_in_the_data_and_derived_chain_steps(extra):
    axioms = turtle(AXIOMS)
    data = turtle(DATA_WITH_AXIOMS + extra)
    fast = reason_fast(axioms, data)
    for s, o in (("a", "c"), ("x", "z"), ("u", "w")):
        assert (ID[f"test/{s}"], URIRef(ONT + "testChain2"), ID[f"test/{o}"]) in fast
    assert (ID["test/a"], URIRef(ONT + "testE"), ID["test/b"]) not in fast     # given already
    if extra:
        assert (ID["test/k"], RDF.type, ID["test/L"]) in fast
    assert_same(fast, reason(axioms, data))


@pytest.mark.parametrize("data", [
    pytest.param("place:baltic-sea a aenc:AirActivity .", id="all-disjoint-classes"),
    pytest.param("t:zone a aenc:TerritorialAirspace , aenc:InternationalAirspace ; rdfs:label 'x'@en .",
                 id="disjoint-with"),
    pytest.param("t:cmd a aenc:State ; aenc:memberState t:somewhere .", id="state-as-command-by-domain"),
    pytest.param("t:claim aenc:quotedLabel 'abc'^^xsd:integer .", id="ill-typed-literal"),
    pytest.param("t:c aenc:quotedLabel 'true'^^xsd:boolean . t:d aenc:position 'x'^^xsd:string .",
                 id="literal-outside-its-datatype-range"),
    pytest.param("t:n a owl:Nothing .", id="owl-nothing"),
])
def test_same_contradictions_as_owlrl(ontology, reference, data):
    graph = reference + turtle(data)
    with pytest.raises(InconsistentGraphError) as slow:
        reason(ontology, graph)
    with pytest.raises(InconsistentGraphError) as fast:
        reason_fast(ontology, graph)
    assert fast.value.explanations == slow.value.explanations
    assert str(fast.value) == str(slow.value)


@pytest.mark.parametrize("data, construct", [
    ("t:a owl:sameAs t:b .", "sameAs"),
    ("aenc:testF a owl:FunctionalProperty .", "FunctionalProperty"),
    ("t:r owl:onProperty aenc:state ; owl:someValuesFrom aenc:State .", "someValuesFrom"),
])
def test_refuses_constructs_it_does_not_implement(ontology, data, construct):
    with pytest.raises(UnsupportedConstruct, match=construct):
        reason_fast(ontology, turtle(data))


def test_works_on_n_triples_text_without_rdflib_terms():
    ont = [("<https://w3id.org/aenc/ont/p>", "<http://www.w3.org/2000/01/rdf-schema#domain>",
            "<https://w3id.org/aenc/ont/C>")]
    data = [("<https://w3id.org/aenc/id/x>", "<https://w3id.org/aenc/ont/p>", '"v"@en')]
    assert reason_terms(ont, data) == [
        ("<https://w3id.org/aenc/id/x>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
         "<https://w3id.org/aenc/ont/C>")]


def test_the_order_of_the_triples_does_not_change_the_inferences(ontology, synthetic_1k_graph):
    """Subjects' types are updated once per run of triples with the same subject: sorted input
    has long runs, shuffled input none, and both must give the same inferences."""
    import random

    ont = [tuple(key_of(t) for t in triple) for triple in ontology]
    data = sorted(tuple(key_of(t) for t in triple) for triple in synthetic_1k_graph)
    expected = set(reason_terms(ont, data))
    assert len(expected) > 10_000
    shuffled = list(data)
    random.Random(7).shuffle(shuffled)
    for order in (shuffled, data[::-1]):
        assert set(reason_terms(ont, order)) == expected


def test_a_run_of_triples_with_one_subject_gets_every_domain():
    axioms = turtle("""
aenc:testP1 rdfs:domain aenc:TestA . aenc:testP2 rdfs:domain aenc:TestB .
aenc:testP3 rdfs:domain aenc:TestA . aenc:TestB rdfs:subClassOf aenc:TestTop .
""")
    data = turtle("""
t:x aenc:testP1 "1" ; aenc:testP2 "2" ; aenc:testP3 "3" ; aenc:testLabel "x" .
t:y aenc:testP3 "3" . t:z aenc:testP2 "2" ; aenc:testP1 "1" .
""")
    fast = reason_fast(axioms, data)
    for node, classes in (("x", "ABTop"), ("y", "A"), ("z", "ABTop")):
        for c in ("A", "B", "Top"):
            assert ((ID[f"test/{node}"], RDF.type, URIRef(ONT + f"Test{c}")) in fast) == (c in classes)
    ont = [tuple(key_of(t) for t in triple) for triple in axioms]
    given = sorted(tuple(key_of(t) for t in triple) for triple in data)
    assert set(reason_terms(ont, given)) == {tuple(key_of(t) for t in triple) for triple in fast}
    assert_same(fast, reason(axioms, data))
