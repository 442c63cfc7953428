"""graph/void.py: every number in the VoID matches the fixture (counted here with rdflib), and
the service description has what SPARQL 1.1 Service Description and its W3C tests ask for."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF

from webdata import GRAPH_A, GRAPH_B, REPORT_A, REPORT_B
from graph.namespaces import ASSERTED_UNION, DATA, INFERRED_GRAPH, ONT, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from graph.void import FORMATS, SD, VOID, build_service_description, build_void

ENDPOINT = "http://127.0.0.1:8000/sparql"
BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def void(web_store):
    return build_void(web_store, endpoint_url=ENDPOINT, base_url=BASE)


@pytest.fixture(scope="module")
def sd(web_store):
    return build_service_description(web_store, endpoint_url=ENDPOINT, base_url=BASE)


def _dataset_node(void):
    (ds,) = [s for s in void.subjects(RDF.type, VOID.Dataset) if (None, VOID.subset, None) in void and
             (s, VOID.subset, None) in void]
    return ds


def _int(graph, s, p) -> int:
    value = graph.value(s, p)
    assert value is not None, f"no {p} on {s}"
    return int(value)


def _distinct_triples(dataset, skip=()):
    return {(s, p, o) for g in dataset.graphs() if str(g.identifier) not in skip for s, p, o in g}


def test_dataset_triples_are_distinct_triples_of_all_graphs(void, dataset):
    ds = _dataset_node(void)
    assert _int(void, ds, VOID.triples) == len(_distinct_triples(dataset))


def test_dataset_subjects_objects_properties_classes(void, dataset):
    ds = _dataset_node(void)
    triples = _distinct_triples(dataset)
    assert _int(void, ds, VOID.distinctSubjects) == len({s for s, _, _ in triples})
    assert _int(void, ds, VOID.distinctObjects) == len({o for _, _, o in triples})
    assert _int(void, ds, VOID.properties) == len({p for _, p, _ in triples})
    assert _int(void, ds, VOID.classes) == len({o for _, p, o in triples if p == RDF.type})
    assert _int(void, ds, VOID.entities) == len({s for s, _, _ in triples
                                                 if isinstance(s, URIRef) and str(s).startswith(DATA)})


def test_one_subset_per_named_graph_with_its_size(void, dataset):
    ds = _dataset_node(void)
    subsets = set(void.objects(ds, VOID.subset))
    sizes = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    for name, size in sizes.items():
        assert URIRef(name) in subsets
        assert _int(void, URIRef(name), VOID.triples) == size


@pytest.mark.parametrize("graph, kind", [
    pytest.param(str(ONTOLOGY_GRAPH), "ontology", id="ontology"),
    pytest.param(str(REFERENCE_GRAPH), "reference", id="reference"),
    pytest.param(GRAPH_A, "report", id="report"),
    pytest.param(str(INFERRED_GRAPH), "inferred", id="inferred"),
    pytest.param(str(ASSERTED_UNION), "asserted-union", id="asserted-union"),
])
def test_subset_says_what_kind_of_graph_it_is(void, graph, kind):
    assert void.value(URIRef(graph), DC.type) == Literal(kind)
    description = str(void.value(URIRef(graph), DCTERMS.description))
    assert description.startswith("Inferred" if kind == "inferred" else "Asserted"), description


def test_asserted_union_subset_counts_everything_but_inferences(void, dataset):
    expected = _distinct_triples(dataset, skip={str(INFERRED_GRAPH)})
    assert _int(void, URIRef(str(ASSERTED_UNION)), VOID.triples) == len(expected)


def test_report_subsets_link_their_report(void):
    assert void.value(URIRef(GRAPH_A), URIRef(ONT + "accountOf")) == URIRef(REPORT_A)
    assert void.value(URIRef(GRAPH_B), DCTERMS.source) == URIRef(REPORT_B)


def test_class_partition_counts_instances(void, dataset):
    ds = _dataset_node(void)
    parts = {void.value(p, VOID["class"]): p for p in void.objects(ds, VOID.classPartition)}
    claim_types = {o for _, p, o in _distinct_triples(dataset) if p == RDF.type}
    assert set(parts) == claim_types
    cls = URIRef(ONT + "Participation")
    expected = {s for s, p, o in _distinct_triples(dataset) if p == RDF.type and o == cls}
    assert _int(void, parts[cls], VOID.entities) == len(expected)


def test_property_partition_counts_triples(void, dataset):
    ds = _dataset_node(void)
    parts = {void.value(p, VOID.property): p for p in void.objects(ds, VOID.propertyPartition)}
    for prop in (URIRef(ONT + "about"), URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
        expected = [t for t in _distinct_triples(dataset) if t[1] == prop]
        assert _int(void, parts[prop], VOID.triples) == len(expected)
        assert _int(void, parts[prop], VOID.distinctSubjects) == len({s for s, _, _ in expected})


def test_access_points_and_metadata(void):
    ds = _dataset_node(void)
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef(ENDPOINT)
    assert void.value(ds, VOID.dataDump) == URIRef(BASE + "dump")
    assert URIRef(ONT) in set(void.objects(ds, VOID.vocabulary))
    assert void.value(ds, DCTERMS.title) is not None
    assert void.value(ds, DCTERMS.license) is not None
    assert str(void.value(ds, VOID.uriSpace)) == DATA


def test_void_round_trips_through_turtle(void):
    again = Graph().parse(data=void.serialize(format="turtle"), format="turtle")
    assert len(again) == len(void)


# ------------------------------------------------------------------ service description

def _service(sd):
    (svc,) = list(sd.subjects(RDF.type, SD.Service))
    return svc


def test_sd_has_matching_endpoint_triple(sd):
    # W3C service-description test "has-endpoint-triple"
    assert sd.value(_service(sd), SD.endpoint) == URIRef(ENDPOINT)


def test_sd_language_feature_and_formats(sd):
    svc = _service(sd)
    assert sd.value(svc, SD.supportedLanguage) == SD.SPARQL11Query
    assert (svc, SD.feature, SD.UnionDefaultGraph) in sd
    formats = set(sd.objects(svc, SD.resultFormat))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        assert FORMATS[name] in formats, name


def test_sd_default_dataset_lists_every_named_graph(sd, dataset):
    svc = _service(sd)
    ds = sd.value(svc, SD.defaultDataset)
    assert (ds, RDF.type, SD.Dataset) in sd
    default = sd.value(ds, SD.defaultGraph)
    assert (default, RDF.type, SD.Graph) in sd
    assert int(sd.value(default, VOID.triples)) == len(_distinct_triples(dataset))
    named = {}
    for ng in sd.objects(ds, SD.namedGraph):
        assert (ng, RDF.type, SD.NamedGraph) in sd
        names = list(sd.objects(ng, SD.name))
        assert len(names) == 1 and isinstance(names[0], URIRef)
        named[str(names[0])] = int(sd.value(sd.value(ng, SD.graph), VOID.triples))
    assert named == {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}


def test_sd_conforms_to_the_vocabulary(sd):
    # W3C test "conforms-to-schema": every sd: term used exists, ranges are respected
    terms = {"Service", "endpoint", "supportedLanguage", "SPARQL11Query", "resultFormat", "feature",
             "UnionDefaultGraph", "defaultEntailmentRegime", "defaultDataset", "Dataset", "defaultGraph",
             "Graph", "namedGraph", "NamedGraph", "name", "graph"}
    used = {str(t)[len(str(SD)):] for triple in sd for t in triple if str(t).startswith(str(SD))}
    assert used <= terms, used - terms
    for _, _, o in sd.triples((None, SD.endpoint, None)):
        assert isinstance(o, URIRef)
    for _, _, o in sd.triples((None, SD.resultFormat, None)):
        assert str(o).startswith(str(FORMATS))


@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld", "nt"])
def test_sd_is_rdf_in_every_format(sd, fmt):
    # W3C test "returns-rdf": what the server sends parses back as the same graph
    again = Graph().parse(data=sd.serialize(format=fmt), format=fmt)
    assert len(again) == len(sd)
