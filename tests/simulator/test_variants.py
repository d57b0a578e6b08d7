"""Policy variants rerun only the years from their first change, and give the numbers a run from
the start gives, bit for bit."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covsim import simulator
from covsim.simulator.analysis import planning
from covsim.simulator import sample_prior
from covsim.simulator.schemes.health import Prepared
from covsim.simulator.schemes.variants import Variants

DRAWS, SEED = 16, 3


@pytest.fixture(scope="module")
def lai_chau():
    sc = simulator.load_scenario("lai_chau")
    params = sample_prior(DRAWS, SEED, [sc.region])
    return sc, params, Variants(sc, params, SEED)


def same_run(a, b) -> None:
    assert list(a.data_vars) == list(b.data_vars)
    for name in b.data_vars:
        assert a[name].dims == b[name].dims, name
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
        assert a[name].attrs == b[name].attrs, name
    assert a.attrs == b.attrs


def test_the_kept_run_is_the_scenarios_run(lai_chau):
    sc, params, v = lai_chau
    same_run(v.baseline(), simulator.run(sc, params=params, seed=SEED))
    assert v.first_year(sc) is None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(start=st.integers(2009, 2030), share=st.floats(0, 1), top_up=st.floats(0, 1),
       outreach=st.floats(-2, 2), group=st.sampled_from(["near_poor", "household", "farm_household"]))
def test_a_variant_is_a_run_from_the_start_bit_for_bit(lai_chau, start, share, top_up, outreach, group):
    sc, params, v = lai_chau
    variant = planning.with_levers(sc, {f"state_share.{group}": share, f"local_top_up.{group}": top_up,
                                        "outreach": outreach}, start)
    first = v.first_year(variant)
    assert first is None or first >= start  # nothing changes before the levers' start
    same_run(v.run(variant), simulator.run(variant, params=params, seed=SEED))
    same_run(v.run(variant, parallel=False), simulator.run(variant, params=params, seed=SEED))


def test_a_change_in_the_first_year_runs_whole(lai_chau):
    sc, params, v = lai_chau
    variant = dataclasses.replace(sc, reform={"outreach": {sc.start: 1.0}})  # files may not; the engine can
    assert v.first_year(variant) == sc.start
    same_run(v.run(variant), simulator.run(variant, params=params, seed=SEED))


def test_the_kept_run_is_not_changed_by_its_variants(lai_chau):
    sc, params, v = lai_chau
    before = {k: a.copy() for k, a in v.raw.items() if k != "states"}
    v.run(planning.with_levers(sc, {"state_share.household": 1.0}, 2020))
    for k, a in before.items():
        assert np.array_equal(a, v.raw[k], equal_nan=True), k


def test_only_variants_of_the_same_region_and_years(lai_chau):
    sc, params, v = lai_chau
    with pytest.raises(ValueError, match="not a variant"):
        v.run(simulator.load_scenario("vinh_long"))
    with pytest.raises(ValueError, match="health-insurance"):
        Variants(simulator.load_scenario("vinh_long_labour_2018"), params)


def test_resume_checks_what_it_resumes_from(lai_chau):
    sc, params, v = lai_chau
    with pytest.raises(ValueError, match="resume"):
        v.prepared.advance(params, SEED, resume=(3, {"pop": v.raw["pop"]}))  # no states kept
    with pytest.raises(ValueError, match="resume"):
        v.prepared.advance(params, SEED, resume=(len(sc.years), v.raw))


def test_coverage_alone_is_the_runs_coverage_and_stamp(lai_chau):
    """The dashboard's first answer uses `coverage` and skips labelling the whole run: it must be
    the same numbers and provenance as the whole run's."""
    sc, params, v = lai_chau
    variant = planning.with_levers(sc, {"state_share.household": 0.45, "outreach": 0.2}, 2024)
    prep, raw = v.rerun(variant)
    cov = v.coverage(variant, prep, raw)
    ds = v.dataset(variant, prep, raw)
    whole = ds.coverage_total.sel(region=sc.region)
    assert cov.dims == whole.dims and np.array_equal(cov.values, whole.values)
    assert list(cov.year.values) == list(whole.year.values) and list(cov.draw.values) == list(whole.draw.values)
    assert {k: cov.attrs[k] for k in ds.attrs} == ds.attrs
    report = planning.coverage_report(cov, variant, 0.95, 2028, seed=cov.attrs["seed"])
    assert report == dict(planning.target_report(ds, variant, 0.95, 2028), groups=[])


def test_keeping_states_from_a_year_on_gives_the_same_runs(lai_chau, monkeypatch):
    """A run that keeps only the states late variants need (the dashboard's) resumes those and runs
    earlier ones whole: the same numbers either way, for a fraction of the memory."""
    sc, params, whole = lai_chau
    late = Variants(sc, params, SEED, keep_from=2024)
    assert [s is not None for s in late.raw["states"]] == [y >= 2023 for y in sc.years]  # from 2024's start on
    assert all(s is not None for s in whole.raw["states"])
    same_run(late.baseline(), whole.baseline())
    resumed_at = []
    advance = Prepared.advance

    def spy(self, *args, **kwargs):
        resumed_at.append(sc.years[kwargs["resume"][0]] if kwargs.get("resume") else None)
        return advance(self, *args, **kwargs)

    monkeypatch.setattr(Prepared, "advance", spy)
    for start in (2012, 2023, 2024, 2027):
        variant = planning.with_levers(sc, {"state_share.household": 0.7, "outreach": 0.3}, start)
        same_run(late.run(variant), simulator.run(variant, params=params, seed=SEED))
    # the two late variants resumed where they change; the two early ones ran whole (and the runs
    # from the start they are compared with, of course)
    assert resumed_at == [None, None, None, None, 2024, None, 2027, None]
    with pytest.raises(ValueError, match="keep_from"):
        Variants(sc, params, SEED, keep_from=1990)
    with pytest.raises(ValueError, match="kept the state"):
        advance(late.prepared, params, SEED, resume=(sc.years.index(2015), late.raw))
