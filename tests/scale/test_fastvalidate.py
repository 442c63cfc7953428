"""The compiled SHACL checks report exactly what pySHACL reports."""
from __future__ import annotations

import pytest
from rdflib import Graph

from graph.fastvalidate import UnsupportedShape, compile_shapes, validate_fast
from graph.validate import validate
from tests.pipeline.conftest import MINI_REFERENCE, MINI_REPORT
from tests.pipeline.test_shapes import CASES, UPDATE_PREFIXES


def mini() -> Graph:
    graph = Graph()
    graph.parse(data=MINI_REFERENCE, format="turtle")
    graph.parse(data=MINI_REPORT, format="turtle")
    return graph


def assert_same_report(data: Graph, ontology: Graph, shapes: Graph) -> None:
    slow = validate(data, ontology, shapes)
    fast = validate_fast(data, ontology, shapes)
    assert fast.conforms == slow.conforms
    assert fast.text() == slow.text()


@pytest.mark.parametrize("shape, update, fragment", CASES)
def test_same_violations_as_pyshacl(ontology, shapes, shape, update, fragment):
    data = mini()
    data.update(UPDATE_PREFIXES + update)
    report = validate_fast(data, ontology, shapes)
    assert not report.conforms
    assert any(fragment in v.message for v in report.violations), report.text()
    assert_same_report(data, ontology, shapes)


def test_conforming_data_conforms(ontology, shapes, curated, synthetic_small_graph):
    assert validate_fast(curated, ontology, shapes).conforms
    assert validate_fast(synthetic_small_graph, ontology, shapes).conforms


def test_same_violations_on_generated_data_with_mistakes(ontology, shapes, synthetic_small_graph):
    data = Graph()
    for triple in synthetic_small_graph:
        data.add(triple)
    data.update(UPDATE_PREFIXES + """
        DELETE { ?e rdfs:label ?l } WHERE { ?e a aenc:Intercept ; rdfs:label ?l FILTER (STRENDS(STR(?e), "0")) } ;
        DELETE { ?p aenc:countQualifier ?q } WHERE { ?p aenc:countQualifier ?q ; aenc:state <state/china> } ;
        INSERT { ?t aenc:latestDate "2000-01-01"^^xsd:date } WHERE { ?t aenc:timePrecision aenc:WeekPrecision }
    """)
    report = validate_fast(data, ontology, shapes)
    assert len(report.violations) > 20
    assert_same_report(data, ontology, shapes)


def test_refuses_a_feature_it_does_not_compile():
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:pattern "^a" ] .""")
    with pytest.raises(UnsupportedShape, match="sh:pattern"):
        compile_shapes(shapes)
