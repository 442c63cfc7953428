"""The benchmark's growth check: the exponent of a query's time between two sizes, and a run
that fails on a query growing faster than linearly (or one the time budget kept from running)."""
from __future__ import annotations

import pytest

from bench.run import (GROWTH_MIN_SECONDS, growth, growth_exponent, growth_failures, growth_summary,
                       reason_growth, reason_growth_line)


def timing(aenc: float, oxigraph: float | None = None) -> dict:
    out = {"aenc": {"median": aenc}}
    if oxigraph is not None:
        out["oxigraph"] = {"median": oxigraph}
    return out


def sized(n: int, queries: dict, skipped: dict | None = None) -> dict:
    return {"n": n, "in_process": {"queries": queries}, "skipped_queries": skipped or {}}


def test_exponent_is_one_for_linear_and_two_for_quadratic_growth():
    assert growth_exponent(0.1, 1.0, 1000, 10000) == pytest.approx(1.0)
    assert growth_exponent(0.1, 10.0, 1000, 10000) == pytest.approx(2.0)
    assert growth_exponent(0.2, 0.1, 1000, 10000) == pytest.approx(-0.30103, abs=1e-4)


def test_no_exponent_from_timer_noise_or_sizes_that_do_not_grow():
    assert growth_exponent(GROWTH_MIN_SECONDS / 2, 1.0, 1000, 10000) is None
    assert growth_exponent(0.1, 1.0, 10000, 1000) is None
    assert growth_exponent(0.1, 0.0, 1000, 10000) is None


def check(previous: dict, now: dict, max_growth: float = 1.3) -> dict:
    now["growth"] = growth(previous, now, max_growth)
    now["growth_check"] = growth_summary(previous, now, max_growth)
    return growth_failures([previous, now])


def test_a_linear_run_passes_and_a_quadratic_query_fails_it():
    small = sized(1000, {"linear": timing(0.1, 0.05), "quadratic": timing(0.1, 0.05), "tiny": timing(0.001)})
    large = sized(10000, {"linear": timing(1.1, 0.5), "quadratic": timing(10.0, 0.5), "tiny": timing(0.5)})
    failures = check(small, large)
    assert list(failures) == ["quadratic"]
    assert "2.00 on aenc" in failures["quadratic"] and "N=10,000" in failures["quadratic"]
    assert large["growth_check"]["superlinear"] == ["quadratic"]
    assert large["growth_check"]["unchecked"] == ["tiny"]
    assert large["growth"]["linear"]["flag"] is False


def test_aenc_decides_and_oxigraph_is_shown_beside_it():
    assert check(sized(1000, {"q": timing(0.1, 0.1)}), sized(10000, {"q": timing(1.0, 10.0)})) == {}
    failures = check(sized(1000, {"q": timing(0.1, 0.1)}), sized(10000, {"q": timing(10.0, 10.0)}))
    assert "2.00 on aenc, 2.00 on oxigraph" in failures["q"]


def test_a_query_the_budget_kept_from_running_fails_the_check():
    failures = check(sized(1000, {"q": timing(15.0)}), sized(10000, {}, skipped={"q": 474.0}))
    assert "not run at N=10,000" in failures["q"]


def built(n: int, reason_seconds: float) -> dict:
    return {"n": n, "build": {"seconds": {"reason": reason_seconds}}}


def test_reasoning_growth_is_the_ratio_of_times_and_says_the_target():
    g = reason_growth(built(10_000, 1.25), built(100_000, 14.0))
    assert g["time_ratio"] == pytest.approx(11.2)
    assert g["size_ratio"] == 10
    assert g["exponent"] == pytest.approx(1.0492, abs=1e-4)
    line = reason_growth_line(g)
    assert "11.2 for 10x the encounters" in line and "exponent 1.05" in line
    assert "target at most 12 for 10x" in line


def test_reasoning_growth_from_a_stage_too_fast_to_time():
    g = reason_growth(built(1000, 0.0), built(10_000, 1.0))
    assert g["time_ratio"] is None and g["exponent"] is None
    assert "not measured" in reason_growth_line(g)
    g = reason_growth(built(1000, 0.001), built(10_000, 0.02))
    assert g["time_ratio"] == pytest.approx(20) and g["exponent"] is None
    assert "20.0 for 10x" in reason_growth_line(g) and "exponent" not in reason_growth_line(g)
