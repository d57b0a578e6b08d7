"""Runs across the 1 July 2025 boundary change (issue 40 item 2): a 2025 unit's run is the sum of its
former provinces' runs (their states added, not a rescaled copy), each former province under the
unit's regional policy from the merger on; the output says which boundaries each year is in."""
from __future__ import annotations

from datetime import date

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from covsim import simulator
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import regions, scenario
from covsim.simulator.inputs.merger import policy_of_members
from covsim.simulator.schemes.health import simulate

UNIT = "ho_chi_minh_city_2025"
DRAWS, SEED = 12, 3


@pytest.fixture(scope="module")
def merged():
    sc = scenario.load(UNIT)
    members = list(regions.former_provinces(UNIT))
    params = simulator.sample_prior(DRAWS, SEED, members)
    return sc, members, params, simulator.run(sc, params=params, seed=SEED)


def test_the_seed_provinces_new_units_are_shipped_with_their_former_provinces():
    assert set(regions.mergeable()) >= {"ho_chi_minh_city_2025", "dong_nai_2025", "can_tho_2025", "vinh_long_2025",
                                        "lai_chau_2025"}
    assert set(regions.former_provinces("ho_chi_minh_city_2025")) == {"ho_chi_minh_city", "binh_duong",
                                                                     "ba_ria_vung_tau"}
    assert set(regions.former_provinces("can_tho_2025")) == {"can_tho", "soc_trang", "hau_giang"}
    assert set(regions.former_provinces("vinh_long_2025")) == {"vinh_long", "ben_tre", "tra_vinh"}
    assert set(regions.former_provinces("dong_nai_2025")) == {"dong_nai", "binh_phuoc"}
    assert regions.seat("ho_chi_minh_city_2025") == "ho_chi_minh_city"


def test_a_merged_run_is_the_sum_of_its_former_provinces_year_by_year(merged):
    sc, members, params, ds = merged
    years = [y for y in sc.years if 2020 <= y <= 2030]
    unit_policy = policy_of_members(sc.policy(), UNIT)
    total_pop = total_ins = 0.0
    for m in members:  # each alone, under the unit's policy from the merger: the same draws and seed
        alone = simulate(unit_policy, [m], sc.years, params.sel(region=[m]), SEED)
        total_pop = total_pop + alone.population_total.sel(region=m, year=years).values
        total_ins = total_ins + alone.insured_total.sel(region=m, year=years).values
        if m != "ho_chi_minh_city":  # before the merger: its own baseline, run on its own
            own = simulator.run(scenario.load(m), params=params.sel(region=[m]), seed=SEED)
            before = [y for y in years if y < regions.MERGER_YEAR]
            np.testing.assert_allclose(alone.insured_total.sel(region=m, year=before).values,
                                       own.insured_total.sel(region=m, year=before).values, rtol=1e-12)
    np.testing.assert_allclose(ds.population_total.sel(region=UNIT, year=years).values, total_pop, rtol=1e-12)
    np.testing.assert_allclose(ds.insured_total.sel(region=UNIT, year=years).values, total_ins, rtol=1e-12)
    np.testing.assert_allclose(ds.coverage_total.sel(region=UNIT, year=years).values, total_ins / total_pop,
                               rtol=1e-12)
    assert ds.population_total.sel(region=UNIT, year=2020).mean() > 11e6  # three provinces' people, not one's
    for name in ("state_cost", "premium_revenue"):
        assert np.isfinite(ds[name].sel(year=years)).all()


def test_before_the_merger_the_sum_uses_each_former_provinces_own_baseline(merged):
    sc, members, params, ds = merged
    before = [y for y in sc.years if 2020 <= y < regions.MERGER_YEAR]
    own = sum(simulator.run(scenario.load(m), params=params.sel(region=[m]), seed=SEED)
              .insured_total.sel(region=m, year=before).values for m in members)
    np.testing.assert_allclose(ds.insured_total.sel(region=UNIT, year=before).values, own, rtol=1e-12)


def test_from_the_merger_the_former_provinces_have_the_units_policy():
    sc = scenario.load(UNIT).with_reform({"state_share.near_poor": {2027: 1.0}})
    pol = policy_of_members(sc.policy(), UNIT)
    plain = scenario.load("binh_duong").policy()
    # HCMC's pupil top-up (from 2026) covers Bình Dương and Bà Rịa-Vũng Tàu too, not before
    for m in ("binh_duong", "ba_ria_vung_tau", "ho_chi_minh_city"):
        assert sum(pol.state_share(2026, m, "pupil_student")) == pytest.approx(1.0)
        assert sum(pol.state_share(2027, m, "near_poor")) == pytest.approx(1.0)  # the unit's reform
        assert sum(pol.state_share(2024, m, "near_poor")) == pytest.approx(sum(plain.state_share(2024, m, "near_poor")))
    assert sum(plain.state_share(2026, "binh_duong", "pupil_student")) == pytest.approx(0.5)  # its own: national



def test_a_former_province_s_own_drive_ends_at_the_merger_as_its_top_ups_do():
    """The module says a former province's own top-up or drive ends at the merger where the unit has
    none; the drive lever was not in the list, so Bình Dương's own drive ran on in the merged city."""
    from covsim.simulator.inputs.policy import DatedValue, Series

    base = scenario.load(UNIT).policy()
    own = base.with_overrides({("drive", "binh_duong", ""): Series([DatedValue(date(2020, 1, 1), 1.0, "test", "assumed")])})
    pol = policy_of_members(own, UNIT)
    assert pol.annual("drive", 2024, "binh_duong", default=0.0) == pytest.approx(1.0)
    assert pol.annual("drive", 2026, "binh_duong", default=0.0) == 0.0


def test_a_units_share_set_from_2025_holds_from_the_merger_day_by_day():
    """Vĩnh Long 2025's pupils set to 50% from 2025: 30% until the merger (1 July), 50% after. The
    national share itself moved from 30% to 50% on 15 August (Decree 188/2025); the run's yearly
    share had taken the baseline's yearly mean (37.6%) for the first half and laid the set value's
    excess over that mean on top of the national 50% from mid-August (43.9%, 62.4% from then)."""
    unit = "vinh_long_2025"
    days_before, days_after, topped = 181, 184, 45  # 1 Jan-30 Jun, 1 Jul-31 Dec, 1 Jul-14 Aug
    for value in (0.5, 0.8, 0.3):
        pol = policy_of_members(scenario.load(unit).with_reform({"state_share.pupil_student": {2025: value}})
                                .policy(), unit)
        for member in regions.former_provinces(unit):
            national, local = pol.state_share(2025, member, "pupil_student")
            assert national + local == pytest.approx((0.3 * days_before + value * days_after) / 365)
            # the local part: what the set value exceeds the national share by, day by day
            expected_local = (max(value - 0.3, 0) * topped + max(value - 0.5, 0) * (days_after - topped)) / 365
            assert local == pytest.approx(expected_local)
            assert national + local <= max(value, 0.5)
    # a full year set from its first day is unchanged: the set value, national part and all
    pol = scenario.load("vinh_long").with_reform({"state_share.pupil_student": {2026: 0.7}}).policy()
    assert pol.state_share(2026, "vinh_long", "pupil_student") == pytest.approx((0.5, 0.2))


def test_a_unit_is_the_sum_of_its_former_provinces_run_one_by_one_on_the_shipped_draws():
    """As a planner checks it: Vĩnh Long 2025 against Vĩnh Long, Bến Tre and Trà Vinh each run alone,
    on the draws the CLI gives them. Bến Tre and Trà Vinh have no fit; alone they had drawn every
    parameter from the priors (the territory 4 points under the unit in 2030, Bến Tre's interval
    76.8-96.1%); they now take their part of the unit's draws, so the sum is the unit, draw by draw."""
    from covsim.calibration.shipped import draws_for

    unit, n = "vinh_long_2025", 16
    whole = simulator.run(scenario.load(unit), params=draws_for(unit, n, SEED), seed=SEED)
    insured = population = 0
    for member in regions.former_provinces(unit):
        params = draws_for(member, n, SEED)
        alone = simulator.run(scenario.load(member), params=params, seed=SEED)
        insured = insured + alone.insured_total.sel(region=member)
        population = population + alone.population_total.sel(region=member)
        if member != regions.seat(unit):
            assert params.attrs["source"].startswith("prior: ") and f"part of {unit}" in params.attrs["source"]
            assert list(json.loads(params.attrs["learned"])["contraction"]).count(f"region_offset.{member}") == 1
            assert not any(k.startswith("region_offset.") and k != f"region_offset.{member}"
                           for k in json.loads(params.attrs["learned"])["contraction"])
    np.testing.assert_allclose((insured / population).values,
                               whole.coverage_total.sel(region=unit).values, rtol=0, atol=1e-12)
    # the dashboard and the briefing say only its own offset is the prior's, not every parameter
    from covsim.dashboard import compute

    assert compute.on_priors("ben_tre") == (["ben_tre"], False)
    assert compute.on_priors("vinh_long") == ([], True) and compute.on_priors(unit) == (["ben_tre", "tra_vinh"], False)


def test_an_unchanged_unit_is_its_former_province():
    params = simulator.sample_prior(DRAWS, SEED, ["lai_chau"])
    unit = simulator.run(scenario.load("lai_chau_2025"), params=params, seed=SEED)
    own = simulator.run(scenario.load("lai_chau"), params=params, seed=SEED)
    np.testing.assert_array_equal(unit.coverage_total.sel(region="lai_chau_2025").values,
                                  own.coverage_total.sel(region="lai_chau").values)


def test_a_unit_keeps_each_former_provinces_own_fitted_parameters():
    """On the shipped posteriors, as the CLI runs: a unit's draws dropped every per-province
    parameter but the offset, and each former province's employers' compliance was read as 0
    (employees' coverage up to 16 points off in a draw). Each keeps its own now."""
    from covsim.calibration import shipped

    unit_draws = shipped.draws_for("lai_chau_2025", DRAWS, SEED)
    own_draws = shipped.draws_for("lai_chau", DRAWS, SEED)
    regional = [v for v in own_draws.data_vars if "region" in own_draws[v].dims]
    assert "region_compliance" in regional
    for v in regional:
        np.testing.assert_array_equal(unit_draws[v].sel(region="lai_chau").values, own_draws[v].sel(region="lai_chau").values)
    unit = simulator.run(scenario.load("lai_chau_2025"), params=unit_draws, seed=SEED)
    own = simulator.run(scenario.load("lai_chau"), params=own_draws, seed=SEED)
    np.testing.assert_array_equal(unit.coverage.sel(region="lai_chau_2025").values,
                                  own.coverage.sel(region="lai_chau").values)
    merged = shipped.draws_for(UNIT, DRAWS, SEED)  # several provinces: each its own, the seat's shared
    for m in regions.former_provinces(UNIT):
        mine = shipped.draws_for(m, DRAWS, SEED)
        for v in (v for v in mine.data_vars if "region" in mine[v].dims):
            np.testing.assert_array_equal(merged[v].sel(region=m).values, mine[v].sel(region=m).values)


def test_output_says_which_boundaries_each_year_is_in(merged):
    _, _, _, ds = merged
    spans = json.loads(ds.attrs["boundaries"])
    assert [(s["from"], s["to"]) for s in spans] == [(2008, 2024), (2025, 2030)]
    assert "summed" in spans[0]["boundaries"] and "binh_duong" in spans[0]["boundaries"]
    assert spans[1]["boundaries"].startswith(UNIT)
    former = regions.boundaries("ho_chi_minh_city", [2024, 2025])
    assert former[1]["boundaries"] == "ho_chi_minh_city's former territory, part of ho_chi_minh_city_2025 since 1 Jul 2025"


def test_merged_units_run_health_insurance_only(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(f'name = "x"\nregion = "{UNIT}"\nscheme = "bhxh"\n')
    with pytest.raises(InputError, match="allowed: bhyt"):
        scenario.load(str(path))


def test_cli_run_of_a_merged_unit_names_its_boundaries_and_its_priors():
    env = {k: v for k, v in os.environ.items() if k != "COVSIM_DATA_DIR"}
    done = subprocess.run([str(Path(sys.executable).parent / "covsim"), "run", "can_tho_2025", "--draws", "8",
                           "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["region"] == "can_tho_2025" and out["boundaries"][0]["to"] == 2024
    assert "'soc_trang' has no calibrated posterior" in done.stderr  # never silently on priors
    assert all(0 <= v <= 1 for v in out["coverage"]["mean"])
    # ... nor said to be wholly on them: Cần Thơ's fit gives the shared parameters (until 2026-12-05
    # the note said Sóc Trăng's runs were "not fitted to any observation", the record "samples the priors")
    note = next(line for line in done.stderr.splitlines() if "'soc_trang'" in line)
    assert "its own parameters (its offset) sample the priors, the shared ones are can_tho's fit" in note
    assert "not fitted to any observation" not in done.stderr
    record = out["provenance"]
    from covsim.simulator.schemes.provenance import calibration_attrs

    assert record["calibrated"] == 0
    assert calibration_attrs(record["parameters"])["calibration_note"].startswith("this run is partly on the priors")
    assert calibration_attrs("prior: no calibrated posterior for region 'x'")["calibration_note"].startswith(
        "this run samples the priors")
    # a unit whose seat has no fit either: wholly on the priors, though another former province has one
    seatless = ("prior: u summed from former provinces, on the priors: a, b (a: prior: no calibrated posterior "
                "for region 'a'; b: prior: …; c: posterior c.nc)")
    assert calibration_attrs(seatless)["calibration_note"].startswith("this run samples the priors")


# Every command and the dashboard offer the merged units (issue 40, what was missing) ------------

def _covsim(*args):
    env = {k: v for k, v in os.environ.items() if k != "COVSIM_DATA_DIR"}
    done = subprocess.run([str(Path(sys.executable).parent / "covsim"), *args], capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def _spans_of_the_unit(spans, unit=UNIT):
    assert [(s["from"], s["to"]) for s in spans] == [(2008, 2024), (2025, 2030)]
    assert "summed" in spans[0]["boundaries"] and spans[1]["boundaries"].startswith(unit)


def test_the_merged_units_are_offered_by_every_command_and_the_dashboard():
    from covsim.cli.main import region_help
    from covsim.dashboard import compute

    offered = regions.offered()
    assert {"ho_chi_minh_city_2025", "dong_nai_2025", "can_tho_2025", "vinh_long_2025"} <= set(offered)
    assert offered[:len(regions.runnable())] == regions.runnable()  # the runnable ones first, as before
    assert scenario.offered_regions() == offered and compute.REGIONS == tuple(offered)
    assert UNIT in region_help()
    # The list tells the new unit from the former province whose name it keeps.
    assert compute.region_name(UNIT, "vi") == "TP. Hồ Chí Minh (từ 1/7/2025)"
    assert compute.region_name("ho_chi_minh_city", "vi") == "TP. Hồ Chí Minh"


def test_a_2025_name_made_of_a_former_province_names_the_unit_it_is_part_of():
    """`tra_vinh_2025` is no unit: the error says Trà Vinh is part of vinh_long_2025 (it suggested
    ha_tinh_2025), and a scenario's names list the units run as their baseline beside the files."""
    assert regions.merged_into("tra_vinh_2025").startswith("no 2025 unit 'tra_vinh_2025': tra_vinh (Trà Vinh) "
                                                           "has been part of vinh_long_2025")
    assert regions.merged_into("vinh_long_2025") == regions.merged_into("tra_vinh") == ""
    assert "part of vinh_long_2025" in regions.unknown("tra_vinh_2025", regions.offered())
    with pytest.raises(InputError, match="part of vinh_long_2025"):
        scenario.load("ben_tre_2025")
    with pytest.raises(InputError, match=r"did you mean 'vinh_long_2025'.*regions run as their baseline: .*can_tho_2025"):
        scenario.load("vinhlong_2025")
    out = subprocess.run([sys.executable, "-m", "covsim.cli.main", "scenarios"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("also run as their baseline") and "the 2025 units lai_chau_2025" in last
    assert "vinh_long_2025" in last and "ben_tre" in last


def test_cli_target_of_a_merged_unit_says_its_boundaries():
    out = json.loads(_covsim("target", UNIT, "--draws", "8", "--target", "0.95", "--year", "2030", "--json").stdout)
    assert out["region"] == UNIT and 0 <= out["median_coverage"] <= 1
    _spans_of_the_unit(out["boundaries"])
    text = _covsim("target", UNIT, "--draws", "8", "--target", "0.95", "--year", "2030").stdout
    assert "boundaries 2008-2024: former provinces binh_duong + ba_ria_vung_tau + ho_chi_minh_city" in text


def test_cli_allocate_of_a_merged_unit_allocates_the_units_sum(tmp_path):
    out = json.loads(_covsim("allocate", UNIT, "--draws", "8", "--target", "0.95", "--year", "2030",
                             "--out", str(tmp_path / "a.csv"), "--json").stdout)
    # the boundaries of the allocation's own years (from its first, 2027 or so), the unit's since the merger
    assert [(b["from"], b["to"]) for b in out["boundaries"]] == [(out["first"], 2030)] and out["first"] >= 2025
    assert out["boundaries"][0]["boundaries"].startswith(UNIT)
    last = [t for t in out["totals"] if t["year"] == 2030 and t["unit_kind"] == "group"][0]
    assert last["rate"] == pytest.approx(0.95, abs=5e-4)  # the path reaches the unit's target
    assert (tmp_path / "a.csv").exists()


def test_solve_of_a_merged_unit_evaluates_the_sum_of_its_former_provinces(merged):
    from covsim.simulator.analysis.solve import Problem

    sc, _, params, ds = merged
    problem = Problem(sc, params, SEED, 0.95, 2030, ["state_share.near_poor"], 2026)
    current = problem.run(problem.lo)
    np.testing.assert_array_equal(current.coverage_total.values, ds.coverage_total.values)
    np.testing.assert_array_equal(current.state_cost.values, ds.state_cost.values)
    higher = problem.run(np.array([1.0]))
    reform = simulator.run(problem.scenario_at(np.array([1.0])), params=params, seed=SEED)
    np.testing.assert_allclose(higher.coverage_total.values, reform.coverage_total.values, rtol=0, atol=1e-12)
    assert float(higher.coverage_total.sel(year=2030).mean()) > float(ds.coverage_total.sel(year=2030).mean())


def test_cli_solve_of_a_merged_unit_says_its_boundaries():
    out = json.loads(_covsim("solve", UNIT, "--draws", "8", "--target", "0.9", "--year", "2030", "--probability",
                             "0.5", "--levers", "near_poor", "--json").stdout)
    assert out["region"] == UNIT and out["levers"][0]["lever"] == "state_share.near_poor"
    _spans_of_the_unit(out["boundaries"])


def test_variants_of_a_merged_unit_are_its_runs(merged):
    from covsim.simulator.analysis import planning
    from covsim.simulator.schemes.variants import Variants

    sc, _, params, ds = merged
    v = Variants(sc, params, SEED, keep_from=2025)
    np.testing.assert_array_equal(v.baseline().coverage_total.values, ds.coverage_total.values)
    variant = planning.with_levers(sc, {"state_share.near_poor": 0.9}, 2026)
    whole = simulator.run(variant, params=params, seed=SEED)
    prep, raw = v.rerun(variant)
    np.testing.assert_array_equal(v.dataset(variant, prep, raw).coverage_total.values, whole.coverage_total.values)
    np.testing.assert_array_equal(v.coverage(variant, prep, raw).values,
                                  whole.coverage_total.sel(region=UNIT).values)


def test_batch_of_a_merged_unit_keeps_its_summed_runs(tmp_path, merged):
    import xarray as xr

    sc, _, params, ds = merged
    _covsim("batch", UNIT, "--draws", "8", "--grid", "near_poor=0.7:0.9:0.2", "--out", str(tmp_path / "b.nc"),
            "--quiet")
    with xr.open_dataset(tmp_path / "b.nc") as store:
        store = store.load()
    assert list(store.region.values) == [UNIT, UNIT]
    spans = json.loads(store.attrs["boundaries"])
    for name in store.scenario.values:
        _spans_of_the_unit(spans[str(name)])
    # The grid's first point is the baseline's near-poor share: the unit's own run, from the same draws.
    from covsim.calibration import shipped

    base = simulator.run(sc, params=shipped.draws_for(UNIT, 8, 0), seed=0)
    np.testing.assert_allclose(store.coverage_total.isel(scenario=0).values,
                               base.coverage_total.sel(region=UNIT).values, rtol=0, atol=1e-12)


def test_dashboard_runs_a_merged_unit_and_says_its_boundaries():
    from covsim.dashboard import compute, views

    res = compute.full_result("can_tho_2025", "bhyt", {}, 2026, 0.95, 2030, draws=8, seed=0, details=False)
    s = compute.summary(res)
    assert s["region"] == "can_tho_2025" and 0 <= s["report"]["median_coverage"] <= 1
    assert views.legend_note(s, "vi").endswith("2008–2024 là tổng các tỉnh/thành phố cũ (TP. Cần Thơ, Hậu Giang, "
                                               "Sóc Trăng); 2025–2030 là đơn vị mới (từ 1/7/2025)")
    assert "ranh giới" not in views.legend_note(dict(s, region="can_tho"), "vi")


def test_a_labour_run_says_which_boundaries_each_year_is_in_too():
    """Vĩnh Long's BHXH figures after 1 July 2025 are of its former territory, as its BHYT ones are."""
    ds = simulator.run(scenario.load("vinh_long_labour_2018"), draws=2, seed=SEED)
    spans = json.loads(ds.attrs["boundaries"])
    assert [(s["from"], s["to"]) for s in spans] == [(2008, 2024), (2025, 2030)]
    assert spans[1]["boundaries"] == "vinh_long's former territory, part of vinh_long_2025 since 1 Jul 2025"


def test_a_units_own_lever_dated_before_the_merger_is_refused_in_a_scenario_file(tmp_path):
    """A TOML reform of a 2025 unit setting its own near-poor share from 2015 would act from 1 July
    2025 while the run recorded 2015: refused with the key and what is allowed. A national lever
    dated earlier acts as set; a former province takes its own levers from any year."""
    path = tmp_path / "u.toml"
    path.write_text(f'name = "u"\nbaseline = "{UNIT}"\n[reform]\n"state_share.near_poor" = {{ 2015 = 1.0 }}\n')
    with pytest.raises(InputError, match=r"reform\.state_share\.near_poor\.2015: 2015 is before .* allowed: 2025 or later"):
        scenario.load(str(path))
    path.write_text(f'name = "u"\nbaseline = "{UNIT}"\n[reform]\nbase_salary = {{ 2015 = 3000000 }}\n'
                    '"state_share.near_poor" = { 2025 = 1.0 }\n')
    assert scenario.load(str(path)).reform["state_share.near_poor"] == {2025: 1.0}
    former = regions.former_provinces(UNIT)[0]
    path.write_text(f'name = "u"\nbaseline = "{former}"\n[reform]\n"state_share.near_poor" = {{ 2015 = 1.0 }}\n')
    assert scenario.load(str(path)).reform["state_share.near_poor"] == {2015: 1.0}


def test_a_former_province_run_alone_takes_its_units_policy_from_the_merger():
    """Bình Dương run on its own kept only the national 50% for pupils in 2026–27; inside the merged
    city, as its territory is governed now, it has HCMC's top-up: 100%. Its own run agrees now, and
    a reform of it is kept as set."""
    params = simulator.sample_prior(DRAWS, SEED, ["binh_duong"])
    alone = simulator.run(scenario.load("binh_duong"), params=params, seed=SEED)
    share = alone.state_share.sel(region="binh_duong", group="pupil_student")
    assert float(share.sel(year=2027)) == pytest.approx(1.0)
    assert float(share.sel(year=2024)) == pytest.approx(0.3)  # its own until the merger: the national 30%
    members = list(regions.former_provinces(UNIT))
    inside = simulate(policy_of_members(scenario.load(UNIT).policy(), UNIT), members, list(range(2008, 2031)),
                      simulator.sample_prior(DRAWS, SEED, members), SEED)
    assert float(inside.state_share.sel(region="binh_duong", group="pupil_student", year=2027)) == pytest.approx(1.0)
    reformed = scenario.load("binh_duong").with_reform({"state_share.pupil_student": {2027: 0.8}})
    kept = simulator.run(reformed, params=params, seed=SEED).state_share.sel(region="binh_duong", group="pupil_student")
    assert float(kept.sel(year=2028)) == pytest.approx(0.8)
    from covsim.simulator.analysis import planning

    assert planning.lever_value(scenario.load("binh_duong"), "state_share.pupil_student", 2027) == pytest.approx(1.0)


def test_the_merger_rule_keeps_what_an_as_of_policy_knows():
    """policy_of_members made a new Policy of the series alone and dropped `decided_by`: an as-of run
    of a unit (and, once the rule covered former provinces run alone, of every seed province) was
    pulled by targets decided after its origin (Vĩnh Long as of 2018's held-fixed line moved 13 points)."""
    from datetime import date

    from covsim.simulator.inputs.merger import policy_as_run
    from covsim.simulator.inputs.policy import Policy

    known = Policy.from_table().known_on(date(2018, 12, 31))
    for region in ("vinh_long", "binh_duong", UNIT, "vietnam"):
        assert policy_as_run(known, region).decided_by == date(2018, 12, 31), region
    assert policy_of_members(known, UNIT).decided_by == date(2018, 12, 31)
