"""The labour-force layer (BHXH, BHTN): bounds against each denominator, the compulsory pool, the
voluntary subsidy's direction, the Vinh Long 2020 target, and the fit to the shipped points."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from covsim import simulator
from covsim.calibration import fit, labour_fit, shipped
from covsim.calibration.fit import FAST
from covsim.simulator.inputs import tables, observations
from covsim.simulator.schemes import labour
from covsim.simulator.errors import InputError
from covsim.simulator.inputs.scenario import Scenario

COVSIM = [sys.executable, "-m", "covsim.cli.main"]
DRAWS = 60


def covsim(*args):
    return subprocess.run(COVSIM + list(args), capture_output=True, text=True, timeout=600)


def scheme(name: str, which: str = "bhxh", end: int = 2030, **reform) -> Scenario:
    sc = dataclasses.replace(simulator.load_scenario(name), scheme=which, end=end)
    return sc.with_reform(reform) if reform else sc


@pytest.fixture(scope="module")
def vinh_long_posterior():
    """Fitted on what was known at the end of 2017 (the directive's year of reference)."""
    return fit.calibrate("vinh_long", 2017, dataclasses.replace(FAST, draws=300), scheme="bhxh")


# The layer's arithmetic -------------------------------------------------------------------------

def test_population_is_the_health_engines():
    sc = dataclasses.replace(simulator.load_scenario("dong_nai"), end=2020)
    health = simulator.run(sc, draws=2, seed=0)
    pop = labour.project_population(["dong_nai"], sc.years).sum(axis=(2, 3))[:, 0]
    np.testing.assert_allclose(pop, health.population_total.isel(draw=0).sel(region="dong_nai").values, rtol=1e-12)


@pytest.mark.parametrize("which", ["bhxh", "bhtn"])
@pytest.mark.parametrize("region", ["vietnam", "vinh_long", "dong_nai", "lai_chau"])
def test_coverage_within_0_1_against_each_denominator(region, which):
    ds = simulator.run(scheme(region, which), draws=DRAWS, seed=2)
    for var in ("coverage_total", "coverage_required", "coverage", "required_share", "compliance"):
        values = ds[var].values
        values = values[np.isfinite(values)]
        assert values.size and values.min() >= 0.0 and values.max() <= 1.0, var
    assert ds.attrs["denominator"] == "labour_force" and ds.attrs["scheme"] == which
    assert ds.coverage_total.attrs["denominator"] == "labour_force"
    assert ds.coverage_required.attrs["denominator"] == "required"
    assert list(ds.group.values) == list(labour.GROUPS[which])
    # The labour force is the sum of the pools, and nobody is insured twice.
    np.testing.assert_allclose(ds.population.sum("group"), ds.population_total, rtol=1e-12)
    assert (ds.insured <= ds.population * (1 + 1e-12)).all()


@pytest.mark.parametrize("region", ["vietnam", "dong_nai", "can_tho"])
def test_compulsory_coverage_never_exceeds_the_compulsory_population(region):
    # Even with enforcement pushed to the lever's top, compliance stays below 1.
    bhxh = simulator.run(scheme(region, "bhxh", enforcement={2012: 5.0}), draws=DRAWS, seed=3)
    bhtn = simulator.run(scheme(region, "bhtn", enforcement={2012: 5.0}), draws=DRAWS, seed=3)
    for ds in (bhxh, bhtn):
        required = ds.sel(group="required")
        assert (required.insured <= required.population).all()
    # Those required to join BHTN are among those required to join BHXH, insured likewise.
    assert (bhtn.population.sel(group="required") <= bhxh.population.sel(group="required") * (1 + 1e-12)).all()
    assert (bhtn.insured_total <= bhxh.insured.sel(group="required") * (1 + 1e-12)).all()
    # No unemployment insurance before 1 Jan 2009 (Law 71/2006).
    assert float(bhtn.insured_total.sel(year=2008).max()) == 0.0


@pytest.mark.parametrize("group,low,high", [("other", 0.10, 0.40), ("poor", 0.30, 0.90), ("near_poor", 0.0, 0.25),
                                            ("other", 0.0, 1.0)])
def test_a_higher_voluntary_subsidy_never_lowers_voluntary_coverage(group, low, high):
    path = f"voluntary_subsidy.{group}"
    params = shipped.draws_for("vinh_long", DRAWS, 5)
    a = simulator.run(scheme("vinh_long", **{path: {2012: low}}), params=params, seed=5)
    b = simulator.run(scheme("vinh_long", **{path: {2012: high}}), params=params, seed=5)
    va = a.coverage.sel(group="informal")
    vb = b.coverage.sel(group="informal")
    assert (vb >= va - 1e-15).all(), "a higher subsidy lowered voluntary coverage somewhere"
    assert float((vb - va).sel(year=2020).mean()) > 0, "the subsidy does nothing"
    # It prices the voluntary scheme only: the compulsory pool and its compliance do not move.
    np.testing.assert_array_equal(a.insured.sel(group="required").values, b.insured.sel(group="required").values)
    # The state pays more for it.
    assert float(b.state_cost.sel(group="informal", year=2020).mean()) > float(
        a.state_cost.sel(group="informal", year=2020).mean())


def test_enforcement_moves_compulsory_coverage_only():
    params = shipped.draws_for("can_tho", DRAWS, 1)
    base = simulator.run(scheme("can_tho"), params=params, seed=1)
    pushed = simulator.run(scheme("can_tho", enforcement={2020: 1.0}), params=params, seed=1)
    gain = (pushed.coverage_required - base.coverage_required).sel(year=2024)
    assert float(gain.min()) > 0
    np.testing.assert_array_equal(base.voluntary_members.values, pushed.voluntary_members.values)
    np.testing.assert_array_equal(base.sel(year=slice(None, 2019)).insured.values,
                                  pushed.sel(year=slice(None, 2019)).insured.values)


def test_zero_reform_and_chunks_reproduce_the_baseline_bit_for_bit():
    whole = simulator.run(scheme("vinh_long"), draws=40, seed=9)
    zero = simulator.run(scheme("vinh_long", enforcement={2018: 0.0}, voluntary_outreach={2018: 0.0}), draws=40,
                         seed=9)
    np.testing.assert_array_equal(whole.insured.values, zero.insured.values)
    # Draws 20-39 on their own are draws 20-39 of the whole run (keyed per draw index).
    part = simulator.run(scheme("vinh_long"), params=labour.sample_prior(20, 9, ["vinh_long"], first_draw=20), seed=9)
    np.testing.assert_array_equal(whole.insured.isel(draw=slice(20, 40)).values, part.insured.values)


def test_by_age_adds_up_to_the_totals():
    ds = simulator.run(scheme("vietnam", end=2015), draws=8, seed=0, by_age=True)
    np.testing.assert_allclose(ds.population_by_age.sum("age"), ds.population, rtol=1e-10)
    np.testing.assert_allclose(ds.insured_by_age.sum("age"), ds.insured, rtol=1e-10)
    assert int(ds.age.min()) == 15 and int(ds.age.max()) < 65


def test_output_carries_provenance_and_the_parameters_used():
    ds = simulator.run(simulator.load_scenario("vinh_long_labour_2018"),
                       params=shipped.draws_for("vinh_long", 10, 0), seed=0)
    for key in ("scenario", "scenario_hash", "data_hash", "code_version", "seed", "draws", "parameters",
                "parameters_hash", "scheme", "denominator"):
        assert key in ds.attrs, key
    assert ds.attrs["parameters"] == "posterior labour_vinh_long.nc"
    # Health draws without the labour layer's variables: its priors at the same draw indices.
    prior = simulator.run(scheme("vinh_long"), params=simulator.sample_prior(10, 0, ["vinh_long"]), seed=0)
    assert prior.attrs["parameters"].startswith("prior (labour layer)")
    assert float(ds.state_cost.sel(group="informal").isel(year=-1).mean()) > 0


# The Vinh Long target ---------------------------------------------------------------------------

def test_vinh_long_2020_bhxh_target_is_out_of_reach_and_says_why(vinh_long_posterior):
    params = vinh_long_posterior
    ds = simulator.run(simulator.load_scenario("vinh_long_labour_2018"), params=params, seed=0, noise_from=2018)
    # The fit reproduces the 2017 point it starts from ...
    cov2017 = ds.coverage_total.sel(region="vinh_long", year=2017)
    assert abs(float(cov2017.median()) - 0.157) < 0.015
    gap = labour.required_sizes(ds, 0.5, 2020)
    # ... and 50% three years later comes out with a very low probability,
    assert gap["probability"] < 0.05
    # because the pool required to join is far below half the labour force: even if every one of
    # them contributed, most of the target would have to come from voluntary members, many times
    # more than the scheme has ever drawn.
    assert gap["required_pool"] / gap["labour_force"] < 0.35
    assert gap["max_with_full_compliance"] < 0.5
    assert gap["voluntary_needed_at_full_compliance"] > gap["required_pool"]
    assert gap["voluntary_share_needed"] > 5 * gap["voluntary_share_forecast"]
    for word in ("P = ", "required to join", "voluntary BHXH", "informal workers"):
        assert word in gap["reason"]
    # at the compliance forecast, not all contributing, still more voluntary members are needed
    assert gap["voluntary_needed_at_forecast_compliance"] > gap["voluntary_needed_at_full_compliance"]
    assert f"at the {100 * gap['compliance_median']:.1f}% compliance forecast" in gap["reason"]
    # The same from the plan's own targets, as `covsim run` prints it.
    gaps = labour.target_gaps(ds, simulator.load_scenario("vinh_long_labour_2018"))
    assert [(g["year"], g["target"], g["denominator"]) for g in gaps] == [(2020, 0.5, "labour_force")]


def test_a_bhxh_target_within_the_required_pool_counts_the_voluntary_members_forecast():
    """The nation's 35% by 2021 (Resolution 28-NQ/TW) is within those required to join: the line
    said 87.6% of them "would have to contribute (voluntary members aside)" against 83.1% forecast,
    beside P = 96%. With the voluntary members the run forecasts, less compliance is needed, and the
    line says how much (2026-12-04)."""
    ds = simulator.run(simulator.load_scenario("vietnam").with_scheme("bhxh"),
                       params=shipped.draws_for("vietnam", DRAWS, 0), seed=0)
    gap = labour.required_sizes(ds, 0.35, 2021)
    assert gap["compliance_needed"] <= 1.0
    assert gap["compliance_needed_with_voluntary"] < gap["compliance_needed"]
    assert "voluntary members aside" not in gap["reason"]
    assert f"{100 * gap['compliance_needed_with_voluntary']:.1f}% of the" in gap["reason"]
    assert "voluntary members forecast" in gap["reason"]


def test_a_gaps_medians_are_said_beside_how_often_a_draw_meets_its_own_need():
    """Đồng Nai's BHXH 40% by 2015 read "75.2% ... would have to contribute, vs 76.5% forecast", as
    if on track, beside P = 48%: the two are medians of different quantities over the draws. Draw by
    draw, the compliance forecast meets that draw's own need exactly as often as the target is met."""
    sc = simulator.load_scenario("dong_nai").with_scheme("bhxh")
    ds = simulator.run(sc, params=shipped.draws_for("dong_nai", DRAWS, 0), seed=0)
    gap = labour.required_sizes(ds, 0.40, 2015)
    assert gap["compliance_enough"] == pytest.approx(gap["probability"])
    assert f"in {100 * gap['compliance_enough']:.1f}% of the draws the compliance forecast meets" in gap["reason"]


def test_bhtn_target_against_those_required_uses_that_denominator():
    sc = simulator.load_scenario("can_tho_labour_2024")
    ds = simulator.run(dataclasses.replace(sc, scheme="bhtn"), params=shipped.draws_for("can_tho", DRAWS, 0))
    gaps = labour.target_gaps(ds, dataclasses.replace(sc, scheme="bhtn"))
    assert [(g["year"], g["denominator"]) for g in gaps] == [(2024, "required")]
    g = gaps[0]
    assert g["probability"] < 0.05  # 100% of those required: nobody evades
    # which the model's compliance, below 1 in every draw, never reaches: said, not "100% vs 84% forecast"
    assert g["compliance_enough"] == 0 and "would have to contribute, which the model's compliance" in g["reason"]
    np.testing.assert_allclose(g["needed_insured"], g["required_pool"], rtol=1e-9)
    with pytest.raises(InputError, match="outside the run's years"):
        labour.required_sizes(ds, 0.5, 2045)


# Calibration ------------------------------------------------------------------------------------

def test_fit_uses_observations_only_and_nothing_after_until():
    obs = labour_fit.observations("vinh_long", 2016)
    assert obs.year.max() <= 2016 and (obs.region == "vietnam").all()
    every = labour_fit.observations("vinh_long")
    assert {("vinh_long", 2017, "bhxh"), ("vinh_long", 2017, "bhtn"), ("vietnam", 2008, "bhxh")} <= set(
        zip(every.region, every.year, every.kind))
    # Never a target, never a mid-year figure.
    planned = tables.table("coverage")
    planned = planned[planned.kind == "planned"]
    planned = planned[["region", "year", "scheme", "value"]].rename(columns={"scheme": "kind"})
    merged = every.merge(planned, on=["region", "year", "kind", "value"])
    assert merged.empty
    assert not every.note.fillna("").str.lower().str.startswith("mid-year").any()
    with pytest.raises(InputError, match="first national labour observation"):
        fit.calibrate("vinh_long", 2005, FAST, scheme="bhxh")


def test_fit_reproduces_the_points_it_was_given(vinh_long_posterior):
    post = vinh_long_posterior
    assert post.attrs.get("pareto_k", 0.0) < 0.7 or post.attrs.get("rhat_max", 1.0) < 1.3
    for i in range(post.sizes["observation"]):
        value = float(post.observation_value[i])
        lo, mid, hi = post.fitted.values[i]
        if str(post.observation_kind.values[i]) in ("bhxh", "bhtn"):
            assert abs(mid - value) < 0.02, (str(post.observation_region.values[i]), int(post.observation_year[i]))
        else:  # head counts, fitted on the log scale with a 30% error
            assert value / 2 < mid < value * 2


# Command line -----------------------------------------------------------------------------------

def test_cli_run_prints_the_gap_and_json_names_the_denominator():
    text = covsim("run", "vinh_long_labour_2018", "--draws", "40")
    assert text.returncode == 0, text.stderr
    assert "vinh_long 2020 BHXH target 50.0% of the labour force: P = " in text.stdout
    out = json.loads(covsim("run", "can_tho", "--scheme", "bhtn", "--draws", "40", "--json").stdout)
    assert set(out) >= {"scenario", "region", "seed", "draws", "years", "coverage", "targets", "denominator",
                        "target_gaps"}
    assert out["scheme"] == "bhtn" and out["denominator"] == "labour_force"
    assert out["target_gaps"][0]["denominator"] == "required"
    assert all(0 <= v <= 1 for v in out["coverage"]["mean"])


def test_cli_forecast_scheme_shape():
    result = covsim("forecast", "vinh_long", "--until", "2017", "--to", "2020", "--scheme", "bhxh", "--fast",
                    "--draws", "150", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scheme"] == "bhxh" and out["denominator"] == "labour_force" and out["own_observations"] == 1
    assert [r["year"] for r in out["forecasts"]] == [2017, 2018, 2019, 2020]
    for r in out["forecasts"]:
        assert 0 <= r["lo95"] <= r["lo80"] <= r["hi80"] <= r["hi95"] <= 1
    assert out["forecasts"][-1]["hi95"] < 0.5  # the directive's 50% is outside the 95% band


def test_bad_labour_levers_are_refused_by_name(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('baseline = "vinh_long"\nscheme = "bhxh"\n[reform]\n"voluntary_subsidy.rich" = { 2020 = 0.5 }\n')
    with pytest.raises(InputError, match="unknown group 'rich'.*poor, near_poor, other"):
        simulator.load_scenario(path)
    path.write_text('baseline = "vinh_long"\nscheme = "bhxh"\n[reform]\nenforcement = { 2020 = 9 }\n')
    with pytest.raises(InputError, match="out of range"):
        simulator.load_scenario(path)


def test_shipped_labour_scenarios_and_their_targets():
    for name, region, years in (("dong_nai_labour_2013", "dong_nai", {2015, 2020}),
                                ("vinh_long_labour_2018", "vinh_long", {2020}),
                                ("can_tho_labour_2024", "can_tho", {2024})):
        sc = simulator.load_scenario(name)
        assert sc.scheme == "bhxh" and sc.region == region and sc.baseline == region
        targets = observations.targets(region, "bhxh")
        assert set(targets[targets.group == "all"].year) == years


def test_a_labour_run_shows_the_figures_its_fit_reads(capsys):
    """Viet Nam's end-2023 BHXH 39.25% and BHTN 31.6% of the labour force are fitted: the run's table
    shows them, as a health run shows its fitted figures."""
    from covsim.cli.main import main

    for scheme, value in (("bhxh", 0.3925), ("bhtn", 0.316)):
        fitted = observations.labour(["vietnam"])
        fitted = fitted[(fitted.kind == scheme) & (fitted.scale == "share")]
        shown = observations.observed("vietnam", scheme)
        assert list(shown.year) == list(fitted.year) and list(shown.value) == list(fitted.value)
        assert value in set(shown[shown.year == 2023].value)
        assert main(["run", "vietnam", "--scheme", scheme, "--draws", "4"]) == 0
        row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("2023"))
        assert row.split()[-1] == f"{100 * value:.1f}"


def test_a_health_plan_run_as_bhtn_lists_its_shares_as_not_read_not_as_used(capsys):
    """Đồng Nai's plan sets health shares: under BHTN they change nothing, so the run says they are
    not read and lists no assumed number of them."""
    plan = simulator.load_scenario("dong_nai_plan_2013").with_scheme("bhtn")
    base = simulator.load_scenario("dong_nai").with_scheme("bhtn")
    a, b = simulator.run(plan, draws=3, seed=0), simulator.run(base, draws=3, seed=0)
    np.testing.assert_array_equal(a.coverage_total.values, b.coverage_total.values)
    assert json.loads(a.attrs["assumptions"]) == []
    assert json.loads(a.attrs["idle"]) == ["state_share.near_poor", "state_share.pupil_student"]
    health = simulator.run(simulator.load_scenario("dong_nai_plan_2013"), draws=3, seed=0)
    assert json.loads(health.attrs["idle"]) == [] and len(json.loads(health.attrs["assumptions"])) == 2


@pytest.mark.parametrize("argv, key", [
    (["brief", "vinh_long_labour_2018", "--scheme", "bhtn", "--lever", "near_poor=0.9", "--target", "0.3",
      "--year", "2025", "--draws", "4"], "--lever"),
    (["batch", "vinh_long_labour_2018", "--scheme", "bhtn", "--grid", "near_poor=0.5:1.0:0.5", "--draws", "2"],
     "--grid"),
])
def test_a_lever_the_scheme_does_not_read_is_refused_in_one_line(tmp_path, capsys, argv, key):
    """A health share in a BHTN briefing or grid would change nothing while the output named it as tried."""
    from covsim.cli.main import main

    out = tmp_path / ("b.html" if argv[0] == "brief" else "s.nc")
    try:
        code = main(argv + ["--out", str(out)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and not list(tmp_path.iterdir())
    assert key in err[0] and "acts on bhyt only, not on this bhtn run" in err[0]
    assert err[0].endswith("allowed: enforcement")  # BHTN has no voluntary branch to subsidise or drive


def test_a_target_of_those_required_to_join_is_measured_against_them(capsys):
    """Cần Thơ's BHTN 100% (Plan 72) is of those required to join: `target --denominator required`
    measures it so, the run's table (of the labour force) does not print it beside its coverage,
    and the denominator is named wherever a figure is shown."""
    from covsim.cli.main import main

    base = ["can_tho", "--scenario", "can_tho_labour_2024", "--scheme", "bhtn", "--year", "2024", "--draws", "10"]
    assert main(["target", *base, "--target", "1.0", "--denominator", "required", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["denominator"] == "required" and 0.7 < report["median_coverage"] < 1.0
    assert main(["target", *base, "--target", "0.3"]) == 0
    assert "coverage in 2024 (share of the labour force): median" in capsys.readouterr().out
    assert main(["run", "can_tho_labour_2024", "--scheme", "bhtn", "--draws", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("can_tho_labour_2024 (can_tho, bhtn, coverage as a share of the labour force)")
    row = next(line for line in lines if line.startswith("2024"))
    assert "100.0" not in row
    assert any("BHTN target 100.0% of the people required to join" in line for line in lines)


def test_a_denominator_a_run_does_not_have_is_one_line(capsys):
    from covsim.cli.main import main

    try:
        code = main(["target", "can_tho", "--target", "0.9", "--year", "2024", "--denominator", "required"])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--denominator" in err[0] and "bhyt" in err[0]


def test_run_budget_of_bhxh_gives_the_voluntary_subsidy_it_computes(tmp_path, capsys):
    """The labour layer computes the state's support of voluntary BHXH contributions: --budget shows
    it (as the run's own state_cost), and says BHTN's is not modelled."""
    import xarray as xr

    from covsim.cli.main import main

    out = tmp_path / "v.nc"
    assert main(["run", "vinh_long_labour_2018", "--draws", "6", "--budget", "--json", "--out", str(out)]) == 0
    cost = json.loads(capsys.readouterr().out)["voluntary_subsidy_cost"]
    with xr.open_dataset(out) as ds:
        mean = ds.state_cost.sel(region="vinh_long").sum("group").mean("draw")
        assert cost["mean"] == pytest.approx([float(v) for v in mean.values])
    assert cost["mean"][cost["year"].index(2017)] == 0 and cost["mean"][cost["year"].index(2020)] > 0
    assert main(["run", "vinh_long_labour_2018", "--draws", "4", "--budget"]) == 0
    assert "state support of voluntary BHXH contributions" in capsys.readouterr().out
    assert main(["run", "vinh_long_labour_2018", "--scheme", "bhtn", "--draws", "4", "--budget"]) == 0
    assert "no budget table for bhtn" in capsys.readouterr().err


@pytest.mark.parametrize("which", ["bhxh", "bhtn"])
def test_what_a_scheme_declares_unread_cannot_move_it(which):
    """BHTN has no voluntary branch and BHXH no unemployment-insurance scope: each parameter a
    scheme declares unread (`labour.UNREAD`), moved far, leaves its coverage as it was, so its
    outputs may leave it out of what the verdict leans on."""
    params = labour.sample_prior(8, 2, ["can_tho"])
    base = simulator.run(scheme("can_tho", which, end=2026), params=params, seed=2)
    names = [n for n in labour.UNREAD[which] if n.removeprefix("log_") in params]
    assert names, "the declaration names fitted parameters"
    moved = params.copy(deep=True)
    for n in names:
        moved[n.removeprefix("log_")] = moved[n.removeprefix("log_")] + 0.7
    other = simulator.run(scheme("can_tho", which, end=2026), params=moved, seed=2)
    np.testing.assert_array_equal(base.coverage_total.values, other.coverage_total.values)
    # ... and what the scheme does read moves it (the test can see a change)
    read = params.copy(deep=True)
    read["compliance_logit"] = read["compliance_logit"] + 0.7
    assert not np.array_equal(base.coverage_total.values,
                              simulator.run(scheme("can_tho", which, end=2026), params=read, seed=2).coverage_total.values)


def test_a_bhtn_target_leans_on_no_voluntary_parameter_and_holds_none_of_its_numbers(capsys):
    """A BHTN verdict listed voluntary BHXH parameters' halves (55% / 43%: sampling noise) as what it
    depends on, and the voluntary branch's numbers as held fixed."""
    from covsim.cli.main import main
    from covsim.simulator.schemes import scheme as entry

    assert main(["target", "can_tho", "--scenario", "can_tho_labour_2024", "--scheme", "bhtn", "--target", "0.23",
                 "--year", "2026", "--draws", "100", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    leans = {r["parameter"] for r in report["leans_on"]}
    assert leans and not leans & set(labour.VOLUNTARY_PARAMETERS)
    assert "bhtn_shift" in report["provenance"]["learned"]["contraction"]
    assert not set(report["provenance"]["learned"]["contraction"]) & set(labour.VOLUNTARY_PARAMETERS)
    # BHTN reads the required share as BHXH does: its cap and its growth
    assert report["provenance"]["fixed"] == [str(labour.CAP), str(labour.REQUIRED_GROWTH)] == list(entry("bhtn").fixed)
    bhxh = {r["parameter"] for r in _bhxh_leans()}  # and BHXH's, not the BHTN scope
    assert bhxh & set(labour.VOLUNTARY_PARAMETERS) and "bhtn_shift" not in bhxh


def _bhxh_leans() -> list[dict]:
    from covsim.calibration.learned import leans_on
    from covsim.simulator.schemes import scheme as entry

    params = shipped.draws_for("can_tho", 100, 0)
    reached = np.ones(100, dtype=bool)
    reached[::2] = False
    return leans_on(params, reached, "can_tho", entry("bhxh").learned_attr, entry("bhxh").unread)


def test_solve_prices_the_voluntary_support_and_its_answer_runs_as_said():
    """`solve --scheme bhxh`: the cheapest support reaching the target on the same draws and seed;
    its levels, run as a scenario set from that year, give the probability and cost it reports,
    and it is no dearer than every lever at its maximum."""
    from covsim.simulator.analysis import planning, solve

    sc = simulator.load_scenario("vietnam").with_scheme("bhxh")
    params = shipped.draws_for("vietnam", 60, 0, scheme_id="bhxh")
    paths = [f"voluntary_subsidy.{g}" for g in ("poor", "near_poor", "other")]
    r = solve.solve(sc, params, 0, 0.6, 2030, 0.5, paths, start=2027)
    assert r["feasible"] and r["probability"] >= 0.5 > r["current_probability"]
    levels = {x["lever"]: x["value"] for x in r["levers"]}
    assert all(x["current"] <= x["value"] <= x["max"] for x in r["levers"])
    assert r["extra_state_cost"]["total"] > 0
    ds = labour.run(sc.set_from(levels, 2027), params, seed=0)
    cov = ds.coverage_total.sel(region="vietnam", year=2030)
    assert planning.probability(cov, 0.6) == pytest.approx(r["probability"])
    cost = planning.cumulative_state_cost(ds, "vietnam", 2027, 2030).mean()
    assert float(cost) == pytest.approx(r["state_cost"]["total"], rel=1e-9)
    ceiling = labour.run(sc.set_from({p: 1.0 for p in paths}, 2027), params, seed=0)
    assert r["state_cost"]["total"] <= float(planning.cumulative_state_cost(ceiling, "vietnam", 2027, 2030).mean())
