"""The build's fast engines (the default) and the reference engines (owlrl, pySHACL) agree."""
from __future__ import annotations

import pytest

from graph.build import NQUADS_NAME, build, check, reason_with, validate_with
from graph.errors import InconsistentGraphError, ParameterError, ValidationFailed
from graph.load import load, load_shapes

from .conftest import MINI_REFERENCE, MINI_REPORT, write_data


def test_real_build_is_byte_identical_with_either_engine_pair(tmp_path):
    fast = build(tmp_path / "fast", reasoner="fast", validator="fast")
    reference = build(tmp_path / "ref", reasoner="owlrl", validator="pyshacl")
    assert (tmp_path / "fast" / NQUADS_NAME).read_bytes() == (tmp_path / "ref" / NQUADS_NAME).read_bytes()
    assert fast["triples_inferred"] == reference["triples_inferred"] > 1000


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_each_validator_names_the_violation_and_its_file(tmp_path, validator):
    report = MINI_REPORT.replace('aenc:countQualifier aenc:ExactCount', 'aenc:countQualifier aenc:UnknownCount', 1)
    data = write_data(tmp_path / "d", reports={"mini-one": report})
    with pytest.raises(ValidationFailed) as caught:
        check(data, validator=validator)
    assert "UnknownCount must have no aenc:aircraftCount" in caught.value.report_text
    assert "mini-one.ttl" in caught.value.report_text


def test_both_validators_report_the_same_violations(tmp_path):
    report = MINI_REPORT.replace('aenc:countQualifier aenc:ExactCount', 'aenc:countQualifier aenc:UnknownCount', 1)
    loaded = load(write_data(tmp_path / "d", reports={"mini-one": report}))
    shapes = load_shapes()
    fast, reference = (validate_with(loaded, shapes, v) for v in ("fast", "pyshacl"))
    assert not fast.conforms and not reference.conforms
    assert {(v.focus, v.message) for v in fast.violations} == {(v.focus, v.message) for v in reference.violations}


@pytest.mark.parametrize("reasoner", ["fast", "owlrl"])
def test_each_reasoner_explains_a_contradiction_naming_the_file(tmp_path, reasoner):
    loaded = load(write_data(tmp_path / "d", reference=MINI_REFERENCE + "\n<org/norad> a aenc:State .\n"))
    with pytest.raises(InconsistentGraphError) as caught:
        reason_with(loaded, reasoner)
    assert "<id/org/norad> is typed both" in str(caught.value)
    assert "[reference.ttl]" in str(caught.value)


@pytest.mark.parametrize("option", [{"reasoner": "hermit"}, {"validator": "topbraid"}], ids=["reasoner", "validator"])
def test_an_unknown_engine_is_refused_by_name(tmp_path, mini_dir, option):
    with pytest.raises(ParameterError) as caught:
        build(tmp_path / "b", mini_dir, **option)
    assert next(iter(option.values())) in str(caught.value)


def test_constructs_the_fast_engines_lack_fall_back_to_the_reference_engines(monkeypatch, mini_dir):
    import graph.build as build_module
    from graph.fastreason import UnsupportedConstruct
    from graph.fastvalidate import UnsupportedShape

    def no_reasoning(*_args, **_kwargs):
        raise UnsupportedConstruct("owl:someValuesFrom", ("_:x", "owl:someValuesFrom", "aenc:Place"))

    def no_validation(*_args, **_kwargs):
        raise UnsupportedShape("aencsh:X", "sh:qualifiedValueShape")

    loaded = load(mini_dir)
    expected = reason_with(loaded, "owlrl")
    monkeypatch.setattr(build_module, "reason_fast", no_reasoning)
    monkeypatch.setattr(build_module, "validate_fast", no_validation)
    assert set(reason_with(loaded, "fast")) == set(expected) and len(expected) > 0
    assert validate_with(loaded, load_shapes(), "fast").conforms
