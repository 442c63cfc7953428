"""Stage 2: the ontology's own rules, and no undeclared aenc terms in the data."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from graph.errors import DataLoadError, UnknownTermError
from graph.load import load
from graph.namespaces import ONT
from graph.qc import OntologyCheckFailed, check_data_terms, check_ontology, run_qc

from .conftest import MINI_REPORT, write_data

AENC = lambda name: URIRef(ONT + name)  # noqa: E731


def test_real_ontology_passes_and_checks_every_term(ontology):
    checked = check_ontology(ontology)
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ONT)
                and str(s) != ONT}
    assert checked == len(declared) > 100


def _broken(ontology: Graph, change) -> Graph:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    change(graph)
    return graph


@pytest.mark.parametrize("change, expected", [
    pytest.param(lambda g: g.remove((AENC("Encounter"), RDFS.label, None)),
                 "aenc:Encounter has no rdfs:label@en [label]", id="missing-label"),
    pytest.param(lambda g: g.set((AENC("Sea"), RDFS.label, Literal("Meer", lang="de"))),
                 "aenc:Sea has no rdfs:label@en [label]", id="label-not-english"),
    pytest.param(lambda g: g.remove((AENC("hasRole"), SKOS.definition, None)),
                 "aenc:hasRole does not have exactly one skos:definition@en [definition]", id="missing-definition"),
    pytest.param(lambda g: g.add((AENC("Place"), SKOS.definition, Literal("Another place.", lang="en"))),
                 "aenc:Place does not have exactly one skos:definition@en [definition]", id="two-definitions"),
    pytest.param(lambda g: g.set((AENC("Report"), SKOS.definition,
                                  Literal("A source. It is published.", lang="en"))),
                 "aenc:Report has a skos:definition@en that is not one sentence", id="two-sentences"),
    pytest.param(lambda g: g.remove((AENC("bomberRole"), RDFS.isDefinedBy, None)),
                 "aenc:bomberRole has no rdfs:isDefinedBy", id="missing-defined-by"),
    pytest.param(lambda g: g.add((AENC("Sea"), RDFS.subClassOf, AENC("Watter"))),
                 "aenc:Watter is referenced in the ontology but never declared", id="typo-in-reference"),
    pytest.param(lambda g: [g.add((AENC("Loose"), RDFS.label, Literal("loose", lang="en"))),
                            g.add((AENC("Loose"), SKOS.definition, Literal("Loose.", lang="en"))),
                            g.add((AENC("Loose"), RDFS.isDefinedBy, URIRef(ONT)))],
                 "aenc:Loose is used as a subject but has no rdf:type", id="untyped-term"),
    pytest.param(lambda g: g.remove((URIRef(ONT), DCTERMS.license, None)),
                 "dcterms:license the ontology header lacks this property", id="header-license"),
])
def test_broken_ontology_names_the_term(ontology, change, expected):
    with pytest.raises(OntologyCheckFailed) as caught:
        check_ontology(_broken(ontology, change))
    assert expected in str(caught.value)
    assert caught.value.violations == 1, str(caught.value)


def test_two_problems_give_two_lines(ontology):
    def change(g):
        g.remove((AENC("Encounter"), RDFS.label, None))
        g.remove((AENC("Sea"), SKOS.definition, None))
    with pytest.raises(OntologyCheckFailed) as caught:
        check_ontology(_broken(ontology, change))
    lines = str(caught.value).splitlines()
    assert any(line.strip().startswith("aenc:Encounter") for line in lines)
    assert any(line.strip().startswith("aenc:Sea") for line in lines)


def test_an_ontology_without_aenc_terms_does_not_pass():
    with pytest.raises(DataLoadError, match="nothing could be checked"):
        check_ontology(Graph())


def test_real_data_uses_only_declared_terms():
    seen = run_qc(load())
    assert seen["ontology_terms"] > 100 and seen["data_term_uses"] > 500


@pytest.mark.parametrize("line_text, term", [
    pytest.param("    aenc:hasParticipant <participation/2020-06-19-russia> .", "aenc:hasParticipant",
                 id="unknown-predicate"),
    pytest.param("    a aenc:Interception .", "aenc:Interception", id="unknown-class"),
    pytest.param("    aenc:participationRole aenc:Intercepter .", "aenc:Intercepter", id="unknown-individual"),
    pytest.param("    <https://w3id.org/aenc/ont/locaton> <place/sea-of-okhotsk> .", "aenc:locaton",
                 id="full-iri-form"),
])
def test_unknown_term_in_data_is_reported_with_file_line(tmp_path, line_text, term):
    report = MINI_REPORT + "\n<encounter/2020-06-19-okhotsk>\n" + line_text + "\n"
    data = write_data(tmp_path, reports={"mini-one": report})
    expected_line = report.count("\n")
    with pytest.raises(UnknownTermError) as caught:
        check_data_terms(load(data))
    assert caught.value.terms == [(term, f"{data / 'reports' / 'mini-one.ttl'}:{expected_line}")]
    assert "declare the term in ontology/aenc.ttl" in str(caught.value)


def test_unknown_terms_in_several_files_are_all_reported(tmp_path):
    from .conftest import MINI_REFERENCE
    reference = MINI_REFERENCE + "\n<state/france> a aenc:Country .\n"
    report = MINI_REPORT + "\n<encounter/2020-06-19-okhotsk> aenc:hasColour <state/russia> .\n"
    data = write_data(tmp_path, reference=reference, reports={"mini-one": report})
    with pytest.raises(UnknownTermError) as caught:
        check_data_terms(load(data))
    assert sorted(term for term, _ in caught.value.terms) == ["aenc:Country", "aenc:hasColour"]
