"""Invariants of the cohort engine: bounds, conservation, monotone response, reproducibility."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covsim import simulator
from covsim.simulator.schemes import health
from covsim.simulator.inputs import groups
from covsim.simulator import sample_prior

SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGIONS = ["vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long"]


def short(name: str, end: int = 2022, **reform):
    sc = simulator.load_scenario(name)
    sc = simulator.Scenario(sc.name, sc.region, sc.description, sc.start, end, sc.baseline, sc.source,
                            sc.scheme, {p: {y: v for y, v in ys.items() if y <= end} for p, ys in sc.reform.items()},
                            sc.path)
    return sc.with_reform(reform) if reform else sc


def perturbed_params(seed: int, region: str, draws: int, scale: float) -> xr.Dataset:
    """Prior draws pushed further out, to test bounds well beyond plausible values."""
    params = sample_prior(draws, seed, [region])
    rng = np.random.default_rng(seed)
    params["join_logit"] = params.join_logit + scale * rng.standard_normal(params.join_logit.shape)
    params["lapse_logit"] = params.lapse_logit + scale * rng.standard_normal(params.lapse_logit.shape)
    params["price_sensitivity"] = params.price_sensitivity * np.exp(scale * rng.standard_normal(draws))
    return params


@SLOW
@given(seed=st.integers(0, 2**31 - 1), region=st.sampled_from(REGIONS), scale=st.floats(0, 6),
       share=st.floats(0, 1), outreach=st.floats(-5, 5))
def test_coverage_stays_within_bounds(seed, region, scale, share, outreach):
    sc = short(region, **{"state_share.near_poor": {2012: share}, "outreach": {2013: outreach}})
    ds = simulator.run(sc, params=perturbed_params(seed, region, 8, scale), seed=seed)
    for var in ("coverage", "coverage_total"):
        values = ds[var].values
        assert np.isfinite(values).all()
        assert (values >= 0).all() and (values <= 1).all()
    assert (ds.insured <= ds.population * (1 + 1e-12)).all()
    assert (ds.insured >= 0).all()


@SLOW
@given(seed=st.integers(0, 2**31 - 1), region=st.sampled_from(REGIONS), scale=st.floats(0, 4))
def test_population_is_conserved(seed, region, scale):
    ds = simulator.run(short(region, end=2030), params=perturbed_params(seed, region, 4, scale), seed=seed)
    total = ds.population_total
    change = total.diff("year")
    flows = (ds.births - ds.deaths + ds.net_migration).isel(year=slice(1, None))
    np.testing.assert_allclose(change.values, flows.values, rtol=0, atol=1e-7 * float(total.max()))
    # Enrolment moves people between insured and uninsured, never in or out of the population:
    # runs that differ only in joining and lapsing have the same people in every group
    calm = simulator.run(short(region, end=2030), params=perturbed_params(seed, region, 4, 0.0), seed=seed)
    np.testing.assert_allclose(ds.population.values, calm.population.values, rtol=1e-12)


def test_insured_by_age_within_zero_and_population_exactly():
    """A cell a group leaves holds 0 insured, not a rounding residue of ±1e-11 among 0 people."""
    ds = simulator.run(short("vietnam"), draws=4, seed=0, by_age=True)
    ins, pop = ds.insured_by_age.values, ds.population_by_age.values
    assert (ins >= 0).all() and (ins <= pop).all()
    assert (ins[pop == 0] == 0).all()


def test_population_conserved_by_age_too():
    ds = simulator.run(short("lai_chau"), draws=3, seed=1, by_age=True)
    np.testing.assert_allclose(ds.population_by_age.sum("age").values, ds.population.values, rtol=1e-12)
    np.testing.assert_allclose(ds.insured_by_age.sum("age").values, ds.insured.values, rtol=1e-12)


@SLOW
@given(seed=st.integers(0, 2**31 - 1), group=st.sampled_from(groups.STATE_SHARED), region=st.sampled_from(REGIONS),
       low=st.floats(0, 1), high=st.floats(0, 1), year=st.integers(2010, 2020), scale=st.floats(0, 3))
def test_raising_a_state_share_never_lowers_that_groups_coverage(seed, group, region, low, high, year, scale):
    low, high = min(low, high), max(low, high)
    params = perturbed_params(seed, region, 6, scale)
    cov = {}
    for share in (low, high):
        ds = simulator.run(short(region, **{f"state_share.{group}": {year: share}}), params=params, seed=seed)
        cov[share] = ds.coverage.sel(group=group).values
    assert (cov[high] >= cov[low] - 1e-12).all()


def test_a_subsidy_raises_coverage_of_its_group():
    params = sample_prior(20, 3, ["vietnam"])
    base = simulator.run(short("vietnam"), params=params, seed=3)
    full = simulator.run(short("vietnam", **{"state_share.near_poor": {2012: 1.0}}), params=params, seed=3)
    gain = (full.coverage - base.coverage).sel(group="near_poor", year=2020)
    # At the response the voucher trial supports (calibration/price_evidence.py) and with incomes
    # that grew faster than the base salary, 70% -> 100% moves the near-poor ~4 points by 2020
    # (it was > 5 when the response was 0.8 log-odds a point and incomes followed the base salary).
    assert float(gain.mean()) > 0.02
    assert (gain > 0).all()
    # The lever prices only the near-poor; other groups move only through people who leave the
    # near-poor group with their card, a small fraction of the near-poor's own gain.
    others = [g for g in groups.GROUP_IDS if g != "near_poor"]
    spill = np.abs(full.coverage.sel(group=others) - base.coverage.sel(group=others)).sel(year=2020).max()
    assert float(spill) < 0.1 * float(gain.mean())
    np.testing.assert_array_equal(full.coverage.sel(year=slice(None, 2011)).values,
                                  base.coverage.sel(year=slice(None, 2011)).values)


def test_empty_reform_reproduces_its_baseline_bit_for_bit(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text('name = "empty"\nbaseline = "lai_chau"\ndescription = "no change"\n')
    reform = simulator.load_scenario(path)
    baseline = simulator.load_scenario("lai_chau")
    assert reform.hash == baseline.hash
    a = simulator.run(baseline, draws=16, seed=7)
    b = simulator.run(reform, draws=16, seed=7)
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())


def test_same_seed_same_dataset_and_other_seed_differs():
    sc = simulator.load_scenario("ho_chi_minh_city")
    a = simulator.run(sc, draws=10, seed=11)
    b = simulator.run(sc, draws=10, seed=11)
    c = simulator.run(sc, draws=10, seed=12)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a.coverage.values, c.coverage.values)


def test_draws_do_not_depend_on_the_batch_they_sit_in():
    whole = sample_prior(100, 5, ["dong_nai"])
    part = sample_prior(30, 5, ["dong_nai"], first_draw=60)
    xr.testing.assert_identical(whole.isel(draw=slice(60, 90)), part.drop_attrs().assign_attrs(whole.attrs))
    sc = short("dong_nai", end=2030)
    run_whole = simulator.run(sc, params=whole, seed=5)
    run_part = simulator.run(sc, params=part, seed=5)
    np.testing.assert_array_equal(run_whole.coverage.isel(draw=slice(60, 90)).values, run_part.coverage.values)


def test_serial_and_threaded_kernels_agree():
    sc = short("vinh_long")
    a = simulator.run(sc, draws=12, seed=2, parallel=False)
    b = simulator.run(sc, draws=12, seed=2, parallel=True)
    xr.testing.assert_identical(a, b)


@pytest.mark.parametrize("threads", [1, 2, 3, 64])
def test_block_width_covers_every_draw_and_never_splits_small_runs(threads):
    from covsim.simulator.schemes import kernel

    for draws in (1, 77, kernel.BLOCK, 600, 1000, 4097):
        width = kernel.block_width(draws, threads)
        blocks = -(-draws // width)
        assert blocks <= threads and blocks * width >= draws > (blocks - 1) * width
        assert width >= min(draws, kernel.BLOCK)  # no thread gets a sliver
    assert kernel.block_width(200, 2) == 200  # the dashboard's run: one block (split in two, it ran slower)
    assert kernel.block_width(1000, 2) == 500  # one block per thread: wider blocks vectorise better


def test_numbers_do_not_depend_on_the_block_width(monkeypatch):
    from covsim.simulator.schemes import kernel

    sc = short("lai_chau", end=2030)
    params = sample_prior(70, 4, ["lai_chau"])
    prep = health.Prepared.build(sc.policy(), [sc.region], sc.years)
    ref = prep.advance(params, 4, parallel=False)
    for width in (70, 32, 9):
        monkeypatch.setattr(kernel, "block_width", lambda draws, threads, w=width: w)
        for parallel in (False, True):
            out = prep.advance(params, 4, parallel=parallel)
            for name in ("pop", "ins", "flows"):
                np.testing.assert_array_equal(out[name], ref[name])


def test_common_random_numbers_make_scenarios_differ_only_after_the_reform():
    params = sample_prior(20, 9, ["lai_chau"])
    base = simulator.run(short("lai_chau", end=2032), params=params, seed=9)
    # the reform in 2029: the years before it include forecast years (from 2026), where the random
    # walk draws, so they are equal only because both scenarios draw the same numbers
    reform = simulator.run(short("lai_chau", end=2032, **{"state_share.household": {2029: 0.5}}), params=params, seed=9)
    before = dict(year=slice(None, 2028))
    np.testing.assert_array_equal(base.coverage.sel(**before).values, reform.coverage.sel(**before).values)
    assert (reform.coverage_total.sel(year=2032) > base.coverage_total.sel(year=2032)).all()


def test_output_carries_units_and_provenance():
    ds = simulator.run(simulator.load_scenario("lai_chau_plan_2016"), draws=4, seed=3)
    for key in ("scenario", "scenario_hash", "data_hash", "code_version", "seed"):
        assert key in ds.attrs
    assert ds.attrs["scenario"] == "lai_chau_plan_2016" and ds.attrs["seed"] == 3
    assert set(ds.coverage.dims) == {"draw", "year", "region", "group"}
    assert ds.premium_revenue.attrs["units"] == "VND/year"
    assert ds.population.attrs["units"] == "persons"


def test_state_cost_follows_the_share_in_force():
    ds = simulator.run(short("vietnam"), draws=4, seed=1)
    # Children under 6 are fully state-paid since Law 25/2008 took effect (1 Jul 2009).
    kids = ds.sel(group="child_under6", year=slice(2010, None))
    np.testing.assert_allclose(kids.state_cost.values, kids.premium_revenue.values, rtol=1e-12)
    # Employees are paid for by employer and employee: no state cost.
    assert float(ds.state_cost.sel(group="employee").max()) == 0.0
    # The near-poor share went from 50% to 70% on 1 Jan 2012 (Decision 797/QD-TTg).
    share = ds.state_share.sel(region="vietnam", group="near_poor")
    assert float(share.sel(year=2011)) == pytest.approx(0.5)
    assert float(share.sel(year=2013)) == pytest.approx(0.7)


def test_write_is_atomic(tmp_path, monkeypatch):
    ds = simulator.run(short("lai_chau"), draws=2, seed=0)
    out = tmp_path / "run.nc"

    def broken(self, path, *a, **k):
        open(path, "wb").write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError):
        simulator.write_netcdf(ds, out)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    simulator.write_netcdf(ds, out)
    back = xr.open_dataset(out)
    np.testing.assert_array_equal(back.coverage.values, ds.coverage.values)
    assert back.attrs["scenario_hash"] == ds.attrs["scenario_hash"]


def test_the_code_version_covers_the_fits_code_too(monkeypatch):
    """Which posterior draws a run takes is calibration's code: a change there must move the hash."""
    from covsim.simulator.schemes import provenance

    whole = provenance.code_version.__wrapped__()
    monkeypatch.setattr(provenance, "CODE_PACKAGES", ("simulator",))
    assert provenance.code_version.__wrapped__() != whole
    monkeypatch.setattr(provenance, "CODE_PACKAGES", ("simulator", "calibration", "cli", "dashboard"))
    assert provenance.code_version.__wrapped__() == whole
