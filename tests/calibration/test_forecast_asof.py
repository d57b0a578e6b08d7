"""Issue 38: forecasts as of a year know only what was decided by then; long-horizon backtests by
band; target probabilities as of the year set, scored; fits that did not converge say so."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from covsim.calibration import backtest as bt
from covsim.calibration import diagnostics, forecast, scoring
from covsim.calibration.baselines import BASELINES
from covsim.simulator.inputs import tables as data
from covsim.simulator.inputs import decisions
from covsim.simulator.inputs import observations
from covsim.simulator.inputs.policy import Policy

from ..cli.test_cli import assert_one_line_error, covsim


# item 1: as of a year, for policy too ---------------------------------------------------------

def test_every_policy_row_is_decided_no_later_than_it_takes_effect_but_those_applied_from_an_earlier_day():
    """A value is known from the signing of the documents that set it: after it took effect only
    where one was signed later, within a year (applied from an earlier day), never by a document
    that restated it years on."""
    later = set()
    for row in data.table("policy_parameters").itertuples(index=False):
        decided = decisions.policy_decided(row.reference, row.effective_from)
        assert (decided - row.effective_from).days <= decisions.RESTATED_AFTER_DAYS, row
        if decided > row.effective_from:
            later.add((row.parameter, row.group, str(row.effective_from), str(decided)))
    assert later == {("base_salary", "", "2016-05-01", "2016-05-26"),
                     ("state_share", "near_poor", "2012-01-01", "2012-06-26"),
                     *{("state_share", g, "2009-07-01", "2009-07-27")
                       for g in ("poor", "child_under6", "other_state_paid", "near_poor")},
                     *{("local_top_up", g, "2016-01-01", "2016-12-09")
                       for g in ("near_poor", "pupil_student", "farm_household")}}


def test_dated_laws_and_targets_carry_their_decision_day():
    assert decisions.policy_decided("Law 46/2014/QH13 (in force 2015-01-01)", date(2015, 1, 1)) == date(2014, 6, 13)
    targets = scoring.national_targets()
    years = {(r.year, r.value): r.decided.year for r in targets.itertuples() if "538" in r.source}
    assert years == {(2015, 0.7): 2013, (2020, 0.8): 2013}
    assert set(targets[targets.source.str.contains("1167")].decided.map(lambda d: d.year)) == {2016}
    assert set(targets[targets.source.str.contains("546")].decided.map(lambda d: d.year)) == {2022}
    # An undated document is never known early: only where decisions.csv dates it.
    assert not decisions.known_by("46/2014", date(2013, 12, 31))
    assert decisions.known_by("46/2014", date(2014, 12, 31))
    # An "as of" fit or run knows by the end of its origin year, or by the day it is given.
    assert decisions.knowledge_day(2013) == date(2013, 12, 31)
    assert decisions.knowledge_day(2022, date(2022, 4, 29)) == date(2022, 4, 29)
    assert decisions.knowledge_day(None) is None  # the whole record: everything known


def test_policy_known_on_keeps_what_was_decided_and_drops_what_was_not():
    policy = Policy.from_table()
    # Law 46/2014's household ladder (in force 2015) was passed in June 2014: known at the end of
    # 2014, not at the end of 2013.
    late = policy.known_on(date(2014, 12, 31)).annual("household_member_factor", 2016, group="2")
    early = policy.known_on(date(2013, 12, 31)).annual("household_member_factor", 2016, group="2")
    assert late == pytest.approx(0.7) and early == pytest.approx(1.0)
    # Decree 66/2013 (27 Jun 2013) raised the base salary from 1 Jul 2013: unknown at the end of 2012.
    assert policy.known_on(date(2012, 12, 31)).annual("base_salary", 2014) == 1050000
    assert policy.known_on(date(2013, 12, 31)).annual("base_salary", 2014) == 1150000
    # Decree 62/2009 (27 Jul 2009) set the pupils' 30% share from 1 Jan 2010: known at the end of
    # 2009 (while undated, its day was taken as the day it takes effect, and 2009 forgot it).
    assert policy.known_on(date(2009, 12, 31)).state_share(2010, "vietnam", "pupil_student")[0] == pytest.approx(0.3)
    assert policy.known_on(date(2009, 7, 26)).state_share(2010, "vietnam", "pupil_student")[0] == 0.0


# item 5: long-horizon backtests -----------------------------------------------------------------

def test_origins_start_with_two_national_observations_and_reach_provinces():
    national = sorted(set(observations.observed("vietnam").year))
    assert bt.origins(observations.observed("vietnam"), 10, national)[0] == 2010
    # Vinh Long's one observation (2017) is backtested from every national origin within 10 years.
    assert bt.origins(observations.observed("vinh_long"), 10, national) == [2010, 2011, 2012, 2013, 2014, 2015, 2016]
    # Can Tho's one (2023) from every national origin within 10 years; Lai Chau has none of its own.
    assert bt.origins(observations.observed("can_tho"), 10, national) == [y for y in national if 2013 <= y <= 2022]
    assert bt.origins(observations.observed("lai_chau"), 10, national) == []


def test_by_horizon_bands_score_each_band_on_its_own_points():
    # (origin, year, observed, mean, lo80, hi80, lo95, hi95)
    model = [(2010, 2011, 0.60, 0.61, 0.55, 0.65, 0.5, 0.7),   # h1: error 1 point, covered
             (2010, 2015, 0.75, 0.65, 0.60, 0.70, 0.5, 0.8),   # h5: 10 points, missed at 80%
             (2010, 2018, 0.88, 0.68, 0.60, 0.76, 0.5, 0.9)]   # h8: 20 points
    points = {"model": model}
    points.update({n: [r[:6] + (np.nan, np.nan) for r in model] for n in BASELINES})
    bands = bt.by_horizon(points, 10)
    assert [(b["from"], b["to"], b["n"]) for b in bands] == [(1, 3, 1), (4, 6, 1), (7, 10, 1)]
    assert bands[0]["model"]["mae"] == pytest.approx(1.0) and bands[0]["model"]["coverage80"] == 1.0
    assert bands[1]["model"]["coverage80"] == 0.0 and bands[1]["model"]["coverage95"] == 1.0
    assert bands[2]["model"]["mae"] == pytest.approx(20.0) and bands[2]["model"]["width80"] == pytest.approx(16.0)
    assert [b["to"] for b in bt.by_horizon(points, 4)] == [3, 6]


def test_backtest_json_keeps_todays_keys_and_adds_bands():
    result = covsim("backtest", "vietnam", "--horizon", "4", "--fast", "--draws", "60", "--json",
                    "--origins", "2013")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"region", "horizon", "origins", "held_out", "model", "baselines", "best_baseline_mae",
            "mae_ratio_to_best", "mae_unit", "forecasts", "by_horizon", "targets"} <= set(out)
    assert out["origins"] == [2013] and out["held_out"] == 5  # 2014, 2015 (two sources), 2016, 2017
    prov = out["provenance"]  # what reproduces it: the fits' settings with the seed and draws asked for
    assert prov["scenario"] == "vietnam" and prov["seed"] == 0 and prov["draws"] == 60
    assert prov["fit"]["draws"] == 60 and prov["fit"]["walkers"] == 24 and len(prov["data_hash"]) == 16
    assert prov["fit"]["fast"] is True  # the flag a stranger re-running it needs, as forecast's record has
    text = covsim("backtest", "vietnam", "--horizon", "4", "--fast", "--draws", "60", "--origins", "2013").stdout
    assert "60 draws per origin, --fast sampling" in text.splitlines()[0]  # the text says them too
    bands = out["by_horizon"]
    assert [(b["from"], b["n"]) for b in bands] == [(1, 4), (4, 1)]
    assert set(bands[0]["model"]) == {"mae", "coverage80", "coverage95", "width80"}
    assert set(bands[0]["baselines"]) == set(BASELINES)
    # the baselines know what the model knew, the figures up to the origin: the last value's error
    # is each held-out figure against 2013's (one that saw 2014 would score against that instead)
    from covsim.calibration.baselines import yearly
    from covsim.simulator.inputs import observations

    record = observations.observed("vietnam")
    last = float(yearly(record[record.year <= 2013]).iloc[-1])
    held = [f["observed"] for f in out["forecasts"]]
    assert out["baselines"]["last_value"]["mae"] == pytest.approx(100 * np.mean(np.abs(np.array(held) - last)),
                                                                  abs=0.006)
    for f in out["forecasts"]:
        assert 0 <= f["lo95"] <= f["lo80"] <= f["mean"] <= f["hi80"] <= f["hi95"] <= 1
        # the PIT agrees with the interval: a figure inside the 80% band sits between its 10% and 90%
        assert (0.09 <= f["pit"] <= 0.91) == (f["lo80"] <= f["observed"] <= f["hi80"]) or \
            abs(f["pit"] - 0.1) < 0.01 or abs(f["pit"] - 0.9) < 0.01
    check = bands[0]["if_calibrated"]
    assert check["coverage80_p10"] <= check["coverage80_median"] <= check["coverage80_p90"]
    assert 0 <= check["p_as_high"] <= 1 and 0 <= check["p_in_goal"] <= 1 and check["goal"] == [0.7, 0.9]
    # one origin: no earlier error to recalibrate on, so its intervals stand as they are
    assert out["recalibration"] == [{"origin": 2013, "errors_known": 0, "scale": 1.0}]
    assert bands[0]["recalibrated"] == {k: bands[0]["model"][k] for k in ("coverage80", "width80")}
    cases = out["targets"]["cases"]
    assert cases and all(c["as_of"] == 2013 for c in cases)  # the origin kept: Decision 538's targets
    # set on 2013-03-..., it is scored on the year-end figures up to 2012 (2013's came after it)
    assert all(c["observed_until"] == 2012 and c["decided"].startswith("2013-") for c in cases)
    assert {(c["year"], c["target"]) for c in cases} == {(2015, 0.7), (2020, 0.8)}
    assert all(c["outcome"] == 1 and 0 <= c["model_p"] <= 1 for c in cases)
    assert set(out["targets"]["brier"]) == {"model", "targets_met"} | set(BASELINES)
    assert all(c["baselines"]["targets_met"] == 0.5 for c in cases)  # no earlier target's outcome known
    # one decision day: its cases share a fit, so they are scored as one cluster, with nothing left
    (day,) = out["targets"]["by_decision"]
    assert day["n"] == 2 and day["brier"] == out["targets"]["brier"] and day["brier_without"] == {}
    # each forecast once: 2015's two sources are one forecast in the 1-3 band (2014, 2015, 2016)
    assert bands[0]["sources_averaged"]["n"] == 3 and out["sources_averaged"]["n"] == 4


def test_a_target_set_in_its_own_year_is_scored_without_its_outcome():
    """Decision 546 (29 Apr 2022) set 92.6% for 2022: 2022's year-end figure is the outcome, not
    something the day of the decision knew. Its fit stops at 2021 and knows the decision itself."""
    from covsim.calibration.fit import FAST

    fits: dict = {}
    cases = scoring.score_targets(FAST, draws=40, seed=0, fits=fits, only=[2022])["cases"]
    # 2024's 94.1% has no observed outcome (no year-end 2024 figure); 2025's 95.15% has one
    assert {(c["year"], c["target"]) for c in cases} == {(2022, 0.926), (2023, 0.932), (2025, 0.9515)}
    assert all(c["observed_until"] == 2021 and c["decided"] == "2022-04-29" for c in cases)
    (post,) = fits.values()
    assert int(post.observation_year.max()) == 2021 and post.attrs["known_on"] == "2022-04-29"


def test_a_target_set_before_anything_was_observed_is_skipped_with_the_reason(monkeypatch):
    from covsim.calibration.fit import FAST

    early = pd.DataFrame({"value": [0.9], "year": [2020], "source": ["a 2008 plan"],
                          "decided": [date(2008, 6, 1)], "observed": [0.9085]})
    monkeypatch.setattr(scoring, "national_targets", lambda: early)
    out = scoring.score_targets(FAST, draws=10, only=[2008])
    assert out["cases"] == [] and "before the first year-end figure (2009)" in out["skipped"][0]["why"]


def test_a_run_as_of_a_day_knows_that_days_targets():
    """Fitted up to 2021 but known on the day Decision 546 was set, the run is pulled toward its
    2023 target; known on 31 Dec 2021 it is not."""
    from covsim import simulator
    from covsim.calibration import shipped
    from covsim.calibration.forecast import run_as_of

    params = shipped.draws_for("vietnam", 40, 0)
    sc = simulator.load_scenario("vietnam")
    late = run_as_of(sc, 2021, 2023, params, 0, known=date(2022, 4, 29)).coverage_total.sel(region="vietnam", year=2023)
    early = run_as_of(sc, 2021, 2023, params, 0).coverage_total.sel(region="vietnam", year=2023)
    assert float(late.mean()) > float(early.mean()) + 0.001


def test_baseline_probability_comes_from_its_own_interval():
    series = pd.Series([0.60, 0.62, 0.64, 0.66], index=[2010, 2011, 2012, 2013])
    p_low = scoring.baseline_probability(BASELINES["linear_trend"], series, 2015, 0.60)
    p_high = scoring.baseline_probability(BASELINES["linear_trend"], series, 2015, 0.80)
    assert p_low > 0.95 and p_high < 0.05
    # from two points ARIMA's drift is their difference and it has no spread: its point alone
    two = BASELINES["arima"](series.iloc[:2], [2012, 2015])
    assert two["mean"].tolist() == pytest.approx([0.64, 0.70]) and two[["lo80", "hi80"]].isna().all().all()
    assert two["mean"].tolist() == pytest.approx(BASELINES["linear_trend"](series.iloc[:2], [2012, 2015])["mean"].tolist())
    assert scoring.baseline_probability(BASELINES["arima"], series.iloc[:2], 2015, 0.69) == 1.0
    # two figures years apart: the drift is a year's share of the change, still no interval
    apart = BASELINES["arima"](series.iloc[[0, 2]], [2014])
    assert apart["mean"].iloc[0] == pytest.approx(0.68) and apart[["lo80", "hi80"]].isna().all().all()
    # with one point no baseline forecasts: the probability says so (0.5), not a made-up number
    assert scoring.baseline_probability(BASELINES["arima"], series.iloc[:1], 2015, 0.7) == 0.5


def test_a_baselines_coverage_forecast_is_bounded_to_a_share():
    """A trend through 2010-2016's rise passes 100% by 2026; the backtest scores it at 100% (the
    point and the interval's ends), while the target probabilities, from the interval before the
    bound, are unchanged, and a head count (logged, not a share) is never bounded."""
    from covsim.calibration.backtest import _baseline_frame

    series = pd.Series([0.60, 0.66, 0.68, 0.71, 0.73, 0.77, 0.82], index=range(2010, 2017))
    for name in ("linear_trend", "damped_trend", "arima"):
        raw = _baseline_frame(BASELINES[name], series, [2026])
        bounded = _baseline_frame(BASELINES[name], series, [2026], share=True)
        assert raw["mean"].iloc[0] > 1.0, name  # the straw man the bound removes
        assert bounded["mean"].iloc[0] == 1.0 and bounded["hi80"].iloc[0] == 1.0, name
        assert bounded["lo80"].iloc[0] == min(raw["lo80"].iloc[0], 1.0), name
    assert scoring.baseline_probability(BASELINES["linear_trend"], series, 2026, 0.95) > 0.9
    logged = np.log(pd.Series([1e5, 2e5, 4e5], index=[2014, 2015, 2016]))
    assert _baseline_frame(BASELINES["linear_trend"], logged, [2020])["mean"].iloc[0] > 1.0


# bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("horizon", ["0", "16"])
def test_backtest_horizon_out_of_range(horizon):
    assert_one_line_error(covsim("backtest", "vietnam", "--horizon", horizon), "--horizon", "between 1 and 15")


def test_backtest_region_with_nothing_to_backtest():
    assert_one_line_error(covsim("backtest", "lai_chau"), "lai_chau", "nothing to backtest")


def test_backtest_origins_that_are_not_origins_name_the_ones_that_are():
    # 2018 has only a mid-year figure and 1990 precedes the record: neither is an origin
    line = assert_one_line_error(covsim("backtest", "vietnam", "--origins", "1990,2018", "--fast"),
                                 "--origins", "1990,2018", "allowed: 2010, 2011")
    assert "2018" not in line.partition("allowed:")[2]
    # one good origin beside a wrong one: the wrong one is named, not silently dropped
    assert_one_line_error(covsim("backtest", "vietnam", "--origins", "2013,2018", "--fast"),
                          "--origins: 2018: not an origin of vietnam")


def test_several_wrong_origins_each_get_their_own_reason():
    line = assert_one_line_error(covsim("backtest", "vietnam", "--origins", "2025,2018,1990", "--fast"),
                                 "--origins", "2025: no figure of the region's own after 2025",
                                 "2018: no national figure in 2018;", "1990: no national figure in 1990 (the years")
    assert line.count("the years with one") == 1  # listed once, after the last origin that needs it


def test_a_2025_unit_has_no_fit_of_its_own_and_calibrate_says_so(tmp_path):
    line = assert_one_line_error(covsim("calibrate", "ho_chi_minh_city_2025", "--out", "x.nc", cwd=tmp_path),
                                 "ho_chi_minh_city_2025", "no fit of its own", "allowed: vietnam")
    assert not (tmp_path / "x.nc").exists()
    assert "covsim region observe" in line  # how to weigh the unit on a figure of its own instead


def test_a_2025_unit_is_backtested_on_its_own_figures_and_told_how_to_give_them(tmp_path):
    """Since 2026-12-07 a unit is backtested as its former provinces (tests/calibration/test_outcomes.py);
    with no figure of its own to score, the line says where its figures go."""
    assert_one_line_error(covsim("backtest", "ho_chi_minh_city_2025", cwd=tmp_path), "ho_chi_minh_city_2025",
                          "no year-end figure of its own here", "--outcomes FILE.csv",
                          "covsim region observe ho_chi_minh_city_2025 YEAR VALUE --source TEXT")


def test_bands_the_horizon_reaches_but_no_origin_fills_are_empty_not_an_error():
    # one origin, one figure a year ahead: the bands 4-6 and 7-10 hold nothing (this crashed with --origins 2021)
    model = [(2021, 2022, 0.92, 0.92, 0.91, 0.93, 0.90, 0.94)]
    points = {"model": model}
    points.update({n: [r[:6] + (np.nan, np.nan) for r in model] for n in BASELINES})
    bands = bt.by_horizon(points, 10, inside=[np.ones(50, dtype=bool)], seed=0,
                          factors=bt.recalibration(model))
    assert [b["n"] for b in bands] == [1, 0, 0]
    assert bands[0]["if_calibrated"]["coverage80_median"] == 1.0
    assert bands[2]["model"]["mae"] is None and bands[2]["if_calibrated"]["coverage80_median"] is None
    assert bands[2]["recalibrated"] == {"coverage80": None, "width80": None}


def test_a_forecast_as_of_a_year_reports_no_year_from_the_regions_later_record():
    from covsim.calibration import health_fit

    # Vinh Long's first figure of its own is 2017: as of 2010 the forecast runs from the national
    # record's first year, not from a year it could not have known of
    assert health_fit.own_observations("vinh_long", 2010, "bhyt", None) == (2009, 0)
    assert health_fit.own_observations("vinh_long", 2017, "bhyt", None) == (2017, 1)


def test_a_labour_scenarios_forecast_is_checked_against_the_labour_record():
    # the labour series start in 2008, a year before the health series: --until 2008 is allowed
    result = covsim("forecast", "dong_nai", "--until", "2008", "--to", "2010", "--scenario",
                    "dong_nai_labour_2013", "--fast", "--draws", "40", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scheme"] == "bhxh" and [r["year"] for r in out["forecasts"]][-1] == 2010
    assert_one_line_error(covsim("forecast", "dong_nai", "--until", "2008", "--to", "2010"), "--until",
                          "before the first")


@pytest.mark.parametrize("until,word", [("2008", "before the first"), ("2026", "after the last")])
def test_until_outside_the_observations(tmp_path, until, word):
    assert_one_line_error(covsim("forecast", "vietnam", "--until", until, "--to", "2030"), "--until", word)
    assert_one_line_error(covsim("target", "vietnam", "--target", "0.9", "--year", "2030", "--until", until),
                          "--until", word)
    out = tmp_path / "post.nc"
    assert_one_line_error(covsim("calibrate", "vietnam", "--until", until, "--out", str(out)), "--until", word)
    assert not out.exists()


def test_target_as_of_the_day_it_was_set_gives_the_backtests_probability():
    """`target --until Y --known DAY --draws 300` is the backtest's case: Decision 546 (29 Apr 2022)."""
    from covsim.calibration.backtest import SETTINGS

    (case,) = [c for c in scoring.score_targets(SETTINGS, draws=300, seed=0, only=[2022])["cases"]
               if c["year"] == 2022]
    result = covsim("target", "vietnam", "--target", "0.926", "--year", "2022", "--until", "2021",
                    "--known", "2022-04-29", "--draws", "300", "--score", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["probability"] == case["model_p"]
    assert out["probability_published"] == case["model_p_published"]
    # scored on 2022's 92.04%, below the 92.6% set: each probability's own Brier score
    assert out["outcome"] == case["outcome"] == 0
    assert out["brier"] == pytest.approx(case["model_p"] ** 2, abs=1e-6)
    assert out["brier_published"] == pytest.approx(case["model_p_published"] ** 2, abs=1e-6)
    assert out["provenance"]["fit"]["known_on"] == "2022-04-29" and out["provenance"]["fit"]["until"] == 2021


@pytest.mark.parametrize("args,key,fragment", [
    (("--until", "2015", "--known", "2015-03-01"), "--known", "must be a day of 2016"),
    (("--known", "2016-03-01"), "--known", "give --until YEAR too"),
    (("--until", "2021"), "--year", "is not after --until 2021"),
])
def test_target_as_of_refuses_days_and_years_that_cannot_be_as_of(args, key, fragment):
    year = "2020" if "2021" not in args else "2021"
    assert_one_line_error(covsim("target", "vietnam", "--target", "0.9", "--year", year, *args), key, fragment)


def test_scoring_a_target_without_an_observed_outcome():
    result = covsim("target", "vietnam", "--target", "0.941", "--year", "2024", "--until", "2021", "--score")
    assert_one_line_error(result, "--year", "2024", "no observed year-end coverage")
    # 2018 has a mid-year figure only: said, so that nobody takes it for a missing record
    result = covsim("target", "vietnam", "--target", "0.855", "--year", "2018", "--until", "2016", "--score")
    assert_one_line_error(result, "--year", "2018", "only a mid-year figure")


# item 7: fits that converge or say so -------------------------------------------------------

def test_failures_name_the_diagnostic():
    assert diagnostics.failures({"method": "laplace-importance", "pareto_k": 0.59, "ess": 402}) == []
    assert diagnostics.verdict({"method": "emcee", "rhat_max": 1.93, "ess": 46, "laplace_pareto_k": 0.705}) == \
        "R-hat 1.930 > 1.05; ESS 46 < 300; after the Laplace fit's Pareto k 0.705 > 0.7"
    assert diagnostics.failures({"method": "laplace-importance", "pareto_k": 0.75, "ess": 900}) == ["Pareto k 0.750 > 0.7"]


def _unconverged_fit(region, until, settings):
    from covsim.calibration.shipped import shipped_path

    with xr.open_dataset(shipped_path("lai_chau")) as ds:
        post = ds.load()
    post.attrs = {k: v.item() if hasattr(v, "item") else v for k, v in post.attrs.items()}  # as calibrate gives
    post.attrs.update(method="emcee", rhat_max=1.93, ess=46.0, laplace_pareto_k=0.705)
    for k in ("pareto_k", "proposals"):
        post.attrs.pop(k, None)
    return post


def test_unconverged_fit_exits_3_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from covsim.calibration import fit
    from covsim.cli.main import main

    monkeypatch.setattr(fit, "calibrate", _unconverged_fit)
    out = tmp_path / "post.nc"
    assert main(["calibrate", "lai_chau", "--out", str(out)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "R-hat 1.930 > 1.05" in err[0] and "did not converge" in err[0]
    assert not out.exists() and not list(tmp_path.iterdir())


def test_allowed_unconverged_fit_is_marked_and_every_run_says_so(tmp_path, monkeypatch, capsys):
    from covsim import simulator
    from covsim.calibration import fit, shipped
    from covsim.cli.main import main

    monkeypatch.setattr(fit, "calibrate", _unconverged_fit)
    out = tmp_path / "lai_chau.nc"
    assert main(["calibrate", "lai_chau", "--out", str(out), "--allow-unconverged", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["converged"] is False
    with xr.open_dataset(out) as ds:
        assert "R-hat" in ds.attrs["unconverged"]
    monkeypatch.setattr(shipped, "shipped_dir", lambda: tmp_path)
    params = shipped.draws_for("lai_chau", 10, 0)
    assert "did not converge" in capsys.readouterr().err
    ds = simulator.run(simulator.load_scenario("lai_chau"), params=params, seed=0)
    assert "R-hat" in ds.attrs["unconverged"] and "unconverged" in ds.attrs["parameters"]


def test_as_of_text_says_an_unconverged_fit(monkeypatch, capsys, tmp_path):
    """`forecast` and `target --until` on a fit that failed its diagnostics: the text itself says
    so (a saved table must not read as a converged fit's), as stderr does."""
    from covsim.calibration import unit_as_of
    from covsim.cli.main import main

    # the as-of fits of forecast and target --until (a region's, or a 2025 unit's former provinces')
    monkeypatch.setattr(unit_as_of, "calibrate", lambda region, until, settings, **kw: _unconverged_fit(region, until, settings))
    line = "the fit as of 2016 did not converge (R-hat 1.930 > 1.05; ESS 46 < 300; after the Laplace fit's " \
           "Pareto k 0.705 > 0.7); its intervals are unreliable"
    for argv in (["forecast", "lai_chau", "--until", "2016", "--to", "2018", "--draws", "20"],
                 ["target", "lai_chau", "--target", "0.9", "--year", "2018", "--until", "2016",
                  "--draws", "20"]):
        assert main(argv) == 0
        got = capsys.readouterr()
        assert line in got.out.splitlines() and f"covsim: warning: {line}" in got.err.splitlines()
    # the briefing warns in the same words (it had its own), and says so in itself (the same as-of fit)
    out = tmp_path / "brief.html"
    assert main(["brief", "lai_chau", "--until", "2016", "--target", "0.9", "--year", "2018", "--draws", "20",
                 "--out", str(out)]) == 0
    assert f"covsim: warning: {line}; the briefing says so" in capsys.readouterr().err.splitlines()
    assert "không đạt các kiểm tra hội tụ" in out.read_text(encoding="utf-8")  # the Vietnamese paper says it
    monkeypatch.undo()
    from covsim.cli.summary import unconverged_as_of

    assert unconverged_as_of(2016, {"converged": True, "method": "laplace-importance"}) is None


def test_calibrate_reproduces_the_shipped_posterior(tmp_path):
    """The cheapest region (Lai Chau: no observation of its own), same seed and settings."""
    from covsim.calibration.shipped import shipped_path
    from covsim.simulator import load_scenario

    out = tmp_path / "lai_chau.nc"
    result = covsim("calibrate", "lai_chau", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["converged"] is True
    with xr.open_dataset(out) as new:  # --json says what reproduces it, as the file does
        assert (summary["seed"], summary["data_hash"], summary["code_version"], summary["scenario"],
                summary["scenario_hash"]) == (new.attrs["seed"], new.attrs["data_hash"], new.attrs["code_version"],
                                              new.attrs["scenario"], new.attrs["scenario_hash"]) and summary["seed"] == 0
        # and the sampler's settings, so that a fit made with --fast is re-made with it
        assert summary["settings"] == json.loads(new.attrs["settings"]) and summary["settings"]["fast"] is False
        assert summary["settings"]["draws"] == 1000 and summary["settings"]["method"] == "laplace"
    with xr.open_dataset(out) as new, xr.open_dataset(shipped_path("lai_chau")) as shipped:
        # every variable, not only the sampled thetas: `outreach_sd`, derived from the run, moved with a
        # data change (Lai Châu's plan group shares) while every theta stayed (an audit of 2026-12-06)
        assert set(new.data_vars) == set(shipped.data_vars) and any(v.startswith("theta_") for v in shipped.data_vars)
        for v in shipped.data_vars:
            if np.issubdtype(shipped[v].dtype, np.number):
                np.testing.assert_allclose(new[v].values, shipped[v].values, rtol=1e-9, atol=1e-12, err_msg=v)
            else:
                assert (new[v].values == shipped[v].values).all(), v
        assert new.attrs["data_hash"] == shipped.attrs["data_hash"]  # fitted on the data shipped beside it
        # on the labour fit shipped beside it (the compliance it held: no code or data hash covers that file)
        assert new.attrs["compliance_from"] == shipped.attrs["compliance_from"]
        assert json.loads(shipped.attrs["settings"]) == summary["settings"]  # the settings it names re-make it
        # and on the scenario whose policy it names: all four of scenario, data, code and seed recorded
        assert (new.attrs["scenario"], new.attrs["scenario_hash"]) == (
            shipped.attrs["scenario"], shipped.attrs["scenario_hash"]) == ("lai_chau", load_scenario("lai_chau").hash)


def test_every_shipped_posterior_names_its_sampler_settings():
    """Each shipped posterior (both layers) says the settings that re-make it: `covsim calibrate`'s
    defaults, not --fast's (each refitted to the same draws on 2026-12-07, docs/json.md)."""
    from covsim.calibration.fit import Settings, settings_record
    from covsim.calibration.shipped import shipped_dir

    files = sorted(shipped_dir().glob("*.nc"))
    assert len(files) == 12
    for path in files:
        with xr.open_dataset(path) as post:
            assert json.loads(post.attrs["settings"]) == settings_record(Settings()), path.name
            assert post.sizes["draw"] == Settings().draws and int(post.attrs["seed"]) == Settings().seed


def test_policy_decided_after_the_origin_cannot_move_a_forecast_and_policy_decided_before_does(tmp_path):
    """As of 2014: rows decided later (base salary from 2016, Decree 146/2018, ...) changed at
    will leave the forecast alone; Law 46/2014's household ladder (passed June 2014, in force
    2015) changed does move it."""
    import shutil

    def forecast_with(edit):
        folder = tmp_path / edit.__name__
        shutil.copytree(data.data_dir(), folder)
        table = pd.read_csv(folder / "policy_parameters.csv", keep_default_na=False, dtype=str)
        edit(table)
        table.to_csv(folder / "policy_parameters.csv", index=False, lineterminator="\n")
        result = covsim("forecast", "vietnam", "--until", "2014", "--to", "2018", "--fast", "--draws", "80",
                        "--json", env={"COVSIM_DATA_DIR": str(folder)})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["forecasts"]

    def unchanged(table):
        pass

    def later_decisions(table):
        late = table.effective_from >= "2016-01-01"
        table.loc[late & (table.parameter == "base_salary"), "value"] = "9000000"
        table.loc[late & (table.parameter == "state_share"), "value"] = "1.0"

    def household_ladder(table):
        rows = (table.parameter == "household_member_factor") & (table.effective_from == "2015-01-01")
        table.loc[rows & (table.group != "1"), "value"] = "0.05"

    base = forecast_with(unchanged)
    assert forecast_with(later_decisions) == base
    moved = forecast_with(household_ladder)
    assert [r["mean"] for r in moved if r["year"] <= 2014] == [r["mean"] for r in base if r["year"] <= 2014]
    assert any(m["mean"] != b["mean"] for m, b in zip(moved, base) if m["year"] >= 2015)


def test_figures_after_the_origin_cannot_move_a_forecast_and_figures_before_do(tmp_path):
    """As of 2014 a forecast knows the censuses, surveys, age bands, fertility, life expectancy and
    incomes up to 2014 only (inputs/known.py): every later figure changed at will leaves it alone
    (the 2019 census, the 2024 survey, incomes from 2015); the 2014 survey's total changed moves it."""
    import shutil

    def forecast_with(edit):
        folder = tmp_path / edit.__name__
        shutil.copytree(data.data_dir(), folder)
        for name in ("census", "census_structure", "demography", "income"):
            table = pd.read_csv(folder / f"{name}.csv", keep_default_na=False, dtype=str)
            edit(name, table)
            table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        result = covsim("forecast", "vietnam", "--until", "2014", "--to", "2018", "--fast", "--draws", "80",
                        "--json", env={"COVSIM_DATA_DIR": str(folder)})
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["provenance"]["fit"]["figures_until"] == 2014
        return out["forecasts"]

    def scaled(table, rows, column, factor):
        table.loc[rows, column] = (table.loc[rows, column].astype(float) * factor).map(repr)

    def unchanged(name, table):
        pass

    def later_figures(name, table):
        later = (table.year != "") & (table.year.str[:4] > "2014")
        if name == "census_structure":  # shares that still sum to one
            for category, step in (("0-14", 0.04), ("15-64", -0.04), ("male", 0.01), ("female", -0.01)):
                scaled_by = later & (table.category == category)
                table.loc[scaled_by, "share"] = (table.loc[scaled_by, "share"].astype(float) + step).map(repr)
        else:
            scaled(table, later, "value", {"census": 1.3, "income": 3.0, "demography": 1.05}[name])

    def survey_2014(name, table):
        if name == "census":
            scaled(table, (table.region == "vietnam") & (table.year == "2014"), "value", 1.08)

    base = forecast_with(unchanged)
    assert forecast_with(later_figures) == base
    moved = forecast_with(survey_2014)
    assert any(m["mean"] != b["mean"] for m, b in zip(moved, base))


def test_a_plans_group_sizes_are_unknown_before_the_plan_was_decided():
    """Lai Châu's 2016-2020 group shares come from its plan of 9 Dec 2016 (`planned` rows): a run as
    of 2012 holds the 2010 shares, one as of the end of 2016 has the plan's, as the whole record does."""
    from covsim.simulator.inputs import membership
    from covsim.simulator.inputs.policy import Policy
    from covsim.simulator.schemes.health import Prepared

    years = [2012, 2016, 2020]
    full = membership.shares(["lai_chau"], years)
    early = membership.shares(["lai_chau"], years, date(2012, 12, 31))
    assert float(abs(early - full).max()) > 0.05  # the plan moved them
    assert float(abs(early.sel(year=2020) - early.sel(year=2012)).max()) == 0.0  # 2010's shares held
    assert float(abs(membership.shares(["lai_chau"], years, date(2016, 12, 31)) - full).max()) == 0.0
    assert float(abs(membership.shares(["lai_chau"], years, date(2016, 12, 8)) - early).max()) == 0.0
    # and a run as of the origin is built on them
    policy = Policy.from_table().known_on(date(2012, 12, 31))
    built = Prepared.build(policy, ["lai_chau"], years).target
    assert np.array_equal(built, early.transpose("year", "region", "sex", "age", "group").values)


def test_the_assumed_2020_group_shares_are_unknown_before_2020():
    """The assumed 2020 reference shares (poverty fallen to ~5%, more employees: shaped on what 2020
    saw) are a later event to a forecast made before; it holds 2010's. From the end of 2020, as on
    the whole record, the shares move towards them."""
    from covsim.simulator.inputs import membership

    years = [2010, 2015, 2020]
    full = membership.shares(["vietnam", "vinh_long"], years)
    early = membership.shares(["vietnam", "vinh_long"], years, date(2019, 12, 31))
    poor = {"group": "poor", "sex": "male", "age": 40}
    assert float(full.sel(region="vietnam", year=2020, **poor)) == pytest.approx(0.05)
    assert float(early.sel(region="vietnam", year=2020, **poor)) == pytest.approx(0.11)  # 2010's held
    assert float(abs(early.sel(year=2020) - early.sel(year=2010)).max()) == 0.0
    assert float(abs(early.sel(year=2010) - full.sel(year=2010)).max()) == 0.0
    assert float(abs(membership.shares(["vietnam"], years, date(2020, 12, 31))
                     - full.sel(region=["vietnam"])).max()) == 0.0
    # what the runs list with the numbers held fixed: the years they do not know, none from the end of 2020
    assert membership.held_text(["vietnam"], date(2019, 12, 31)).startswith("group shares held at their 2010 ")
    assert membership.held_text(["vietnam"], date(2020, 12, 31)) == membership.held_text(["vietnam"], None) == ""
    assert "(those of 2016, 2017, 2018, 2019, 2020," in membership.held_text(["lai_chau"], date(2012, 12, 31))
    assert membership.held_text(["lai_chau"], date(2016, 12, 31)) == ""  # its plan known, 2020 its own
    # before the first reference year the earliest stands in: a run needs shares
    assert float(abs(membership.shares(["vietnam"], years, date(2009, 6, 1))
                     - early.sel(region=["vietnam"])).max()) == 0.0


def test_a_growth_rate_measured_by_a_later_census_cannot_move_a_forecast(tmp_path):
    """As of 2012 HCMC has one census point (2009), so its population follows a growth rate: the
    1999-2009 rate the 2009 census published, never the 2009-2019 rate of the 2019 census (once an
    undated row, which brought the dropped census back), nor a later rate standing in."""
    import shutil

    from covsim.simulator.inputs import demography

    assert demography.growth_rate("ho_chi_minh_city", 2012) == 0.035
    assert demography.growth_rate("lai_chau", 2012) == demography.growth_rate("vietnam", 2012) == 0.012
    assert demography.growth_rate("lai_chau", 2016) == 0.020  # its plan's totals, decided in 2016
    assert demography.growth_rate("dong_nai", 2008) == 0.017  # before the 2009 census: 1989-1999's

    def forecast_with(factor_2009, factor_later):
        folder = tmp_path / f"{factor_2009}-{factor_later}"
        shutil.copytree(data.data_dir(), folder)
        table = pd.read_csv(folder / "demography.csv", keep_default_na=False, dtype=str)
        growth = table.parameter == "growth_rate"
        for rows, factor in ((growth & (table.year == "2009"), factor_2009),
                             (growth & (table.year > "2009"), factor_later)):
            table.loc[rows, "value"] = (table.loc[rows, "value"].astype(float) * factor).map(repr)
        table.to_csv(folder / "demography.csv", index=False, lineterminator="\n")
        result = covsim("forecast", "ho_chi_minh_city", "--until", "2012", "--to", "2016", "--fast", "--draws", "60",
                        "--json", env={"COVSIM_DATA_DIR": str(folder)})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["forecasts"]

    base = forecast_with(1.0, 1.0)
    assert forecast_with(1.0, 0.2) == base
    assert forecast_with(0.2, 1.0) != base


def test_labour_force_rows_after_the_origin_cannot_move_a_labour_forecast(tmp_path):
    """The labour layer read labour_force.csv whole: as of 2013 the national share required to join
    followed its 2025 row, which rests on VSS's end-2023 figure (an audit: Đồng Nai's BHXH 2020 moved
    15 points with the later rows). Now the rows known by the origin only; an earlier row moves it."""
    import shutil

    def forecast_with(rows_of):
        folder = tmp_path / rows_of.__name__
        shutil.copytree(data.data_dir(), folder)
        table = pd.read_csv(folder / "labour_force.csv", keep_default_na=False, dtype=str)
        rows = rows_of(table) & table.parameter.str.startswith("required_share")
        table.loc[rows, "value"] = (table.loc[rows, "value"].astype(float) * 0.7).map(repr)
        table.to_csv(folder / "labour_force.csv", index=False, lineterminator="\n")
        result = covsim("forecast", "dong_nai", "--until", "2013", "--to", "2016", "--scenario", "dong_nai_labour_2013",
                        "--fast", "--draws", "30", "--json", env={"COVSIM_DATA_DIR": str(folder)})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["forecasts"]

    def none(table):
        return table.year == "never"

    def later(table):
        return table.year.astype(int) > 2013

    def earlier(table):
        return table.year.astype(int) <= 2013

    base = forecast_with(none)
    assert forecast_with(later) == base
    assert forecast_with(earlier) != base


def test_known_figures_are_those_of_ended_years_with_the_earliest_standing_in():
    from covsim.simulator.inputs import known
    assert known.last_year(date(2014, 12, 31)) == 2014
    assert known.last_year(date(2022, 4, 29)) == 2021  # a target's day: the year before's figures
    assert known.last_year(None) is None
    frame = pd.DataFrame({"region": ["a", "a", "b", "b", "c"], "parameter": ["x"] * 5,
                          "year": [2009.0, 2019.0, 2016.0, 2020.0, np.nan], "value": [1, 2, 3, 4, 5]})
    cut = known.figures(frame, 2012, ("region", "parameter"))
    assert cut.value.tolist() == [1, 3, 5]  # b's earliest stands in; c's undated row is kept
    assert known.figures(frame, 2012).value.tolist() == [1, 5]
    assert known.figures(frame, None) is frame


def test_an_as_of_fits_held_compliance_is_listed_with_the_held_numbers():
    """An as-of health fit holds employers' compliance at its priors' means (the labour posterior saw
    every year): an assumed number the forecast must list; a run on the shipped posterior does not."""
    result = covsim("forecast", "vietnam", "--until", "2012", "--to", "2014", "--fast", "--draws", "40", "--json")
    assert result.returncode == 0, result.stderr
    held = [f for f in json.loads(result.stdout)["provenance"]["fixed"] if "employers' compliance" in f]
    assert held == ["employers' compliance held at 0.85 log-odds in 2008, rising 0.05 a year (assumed: the "
                    "labour layer's fit saw every year, so an as-of fit does not use it)"]
    run = covsim("run", "vietnam", "--draws", "10", "--json")
    assert not [f for f in json.loads(run.stdout)["provenance"]["fixed"] if "employers' compliance" in f]
    # the group shares the cut holds (the 2020 reference unknown as of 2012) are listed too; not on the record
    shares = [f for f in json.loads(result.stdout)["provenance"]["fixed"] if f.startswith("group shares held")]
    assert shares == ["group shares held at their 2010 reference from then on (those of 2020, shaped on what "
                      "those years saw or set by a later plan, are not known by the origin)"]
    assert not [f for f in json.loads(run.stdout)["provenance"]["fixed"] if f.startswith("group shares held")]


def test_forecast_convergence_report_says_whether_the_fit_converged():
    from covsim.calibration.forecast import convergence

    assert convergence({"method": "laplace-importance", "pareto_k": 0.59, "ess": 402})["converged"] is True
    bad = convergence({"method": "emcee", "rhat_max": 1.93, "ess": 46})
    assert bad["converged"] is False and bad["failed"] == "R-hat 1.930 > 1.05; ESS 46 < 300"


def test_paired_scores_the_model_only_on_the_figures_a_baseline_could_forecast():
    # the baseline could not forecast from the first origin (NaN): the pair leaves that figure out
    model = [(2010, 2018, 0.88, 0.68, 0.60, 0.76, 0.5, 0.9),   # 20 points off, baseline silent
             (2013, 2020, 0.90, 0.89, 0.85, 0.93, 0.8, 0.95)]  # 1 point off
    base = [(2010, 2018, 0.88, np.nan, np.nan, np.nan, np.nan, np.nan),
            (2013, 2020, 0.90, 0.86, 0.84, 0.88, np.nan, np.nan)]  # 4 points off
    points = {"model": model, **{n: list(base) for n in BASELINES}}
    pair = bt.paired(points)["arima"]
    assert pair["n"] == 1 and pair["model_mae"] == pytest.approx(1.0) and pair["baseline_mae"] == pytest.approx(4.0)
    assert pair["ratio"] == pytest.approx(0.25)
    assert bt.by_horizon(points, 10)[-1]["paired"]["arima"]["n"] == 1
    assert bt.score(points["model"])["mae"] == pytest.approx(10.5)  # the model's own score keeps both


def test_sources_averaged_counts_each_forecast_once_against_the_mean_of_its_sources():
    # 2019 has two figures, 0.90 and 0.89: the interval 0.895-0.93 holds one, and their mean
    model = [(2017, 2019, 0.90, 0.91, 0.895, 0.93, 0.8, 0.99),
             (2017, 2019, 0.89, 0.91, 0.895, 0.93, 0.8, 0.99),
             (2017, 2020, 0.95, 0.92, 0.90, 0.94, 0.8, 0.99)]
    points = {"model": model, **{n: list(model) for n in BASELINES}}
    assert bt.score(model)["coverage80"] == pytest.approx(1 / 3, abs=1e-3)  # each figure: 2019's 0.90 in, 0.89 out
    once = bt.sources_averaged(points)
    assert once["n"] == 2 and once["model"]["coverage80"] == pytest.approx(0.5)  # 0.895 in, 0.95 out
    assert once["model"]["mae"] == pytest.approx((1.5 + 3.0) / 2)


def test_targets_met_knows_only_the_outcomes_known_on_the_day():
    targets = pd.DataFrame({"value": [0.70, 0.80, 0.85, 0.90, 0.95],
                            "year": [2015, 2017, 2018, 2020, 2016],
                            "decided": [date(2013, 3, 29), date(2013, 3, 29), date(2013, 3, 29), date(2013, 3, 29),
                                        date(2016, 6, 28)],
                            "observed": [0.7555, 0.79, np.nan, 0.9085, 0.80]})
    # on 28 Jun 2016, figures to 2015: only 2015's target is known (met): (1 + 1) / (1 + 2)
    assert scoring.targets_met(date(2016, 6, 28), 2015, targets) == pytest.approx(2 / 3)
    # by 2021 the 2017 miss and the 2020 hit are known; 2018 has no figure; the 2016 target of the
    # day itself is not "earlier": (2 + 1) / (3 + 2)
    assert scoring.targets_met(date(2016, 6, 28), 2021, targets) == pytest.approx(3 / 5)
    assert scoring.targets_met(date(2013, 3, 29), 2021, targets) == 0.5  # set that very day: none earlier
    # one target set twice (by two bodies, the same figure and year) counts once
    twice = pd.concat([targets, targets.iloc[[0]].assign(decided=date(2012, 10, 2))], ignore_index=True)
    assert scoring.targets_met(date(2016, 6, 28), 2015, twice) == pytest.approx(2 / 3)


def test_brier_by_decision_day_leaves_each_days_cases_out_together():
    def case(day, p, outcome):
        return {"decided": day, "outcome": outcome, "model_p": p, "baselines": {n: 0.5 for n in BASELINES}}

    cases = [case("2013-03-29", 0.9, 1), case("2013-03-29", 0.8, 1), case("2016-06-28", 0.4, 0)]
    days = scoring.by_decision(cases)
    assert [(d["decided"], d["n"]) for d in days] == [("2013-03-29", 2), ("2016-06-28", 1)]
    assert days[0]["brier"]["model"] == pytest.approx((0.01 + 0.04) / 2)
    assert days[0]["brier_without"] == days[1]["brier"] and days[1]["brier_without"] == days[0]["brier"]
    assert days[1]["brier"]["model"] == pytest.approx(0.16) and days[1]["brier"]["arima"] == 0.25


def test_the_published_figures_chance_adds_each_draws_reporting_error():
    """A target is judged on the published figure: coverage plus the draw's reporting error."""
    draws, years = np.arange(400), np.arange(2020, 2026)
    cov = xr.DataArray(np.full((400, 6), 0.94), dims=("draw", "year"), coords={"draw": draws, "year": years})
    exact = xr.Dataset({"measurement_sd": ("draw", np.zeros(400))}, coords={"draw": draws})
    noisy = exact.assign(measurement_sd=("draw", np.full(400, 0.01)))
    # every draw's coverage is 94%: reached for certain at 94%, never at 94.5%
    assert forecast.published_chance(cov, exact, 0, 2025, 0.94)["probability_published"] == 1.0
    assert forecast.published_chance(cov, exact, 0, 2025, 0.945)["probability_published"] == 0.0
    # a reporting error of one point puts the figure at 94.5% or above about 31% of the time
    at = forecast.published_chance(cov, noisy, 0, 2025, 0.945)
    assert 0.25 < at["probability_published"] < 0.37 and at["reporting_error_sd"] == 0.01
    # its Monte Carlo error is a share's over the 400 draws, as the coverage's chance has it
    p = at["probability_published"]
    assert at["probability_published_se"] == pytest.approx(np.sqrt(p * (1 - p) / 400), abs=1e-6)
    assert forecast.published_chance(cov, exact, 0, 2025, 0.94)["probability_published_se"] == 0.0
    # the figure's noise is the backtest's predictive's, the same stream for every scenario of a seed
    same = forecast.reported(cov, noisy, 0).sel(year=2025)
    assert at["probability_published"] == pytest.approx(float((same >= 0.945).mean()))
    assert forecast.published_chance(cov, xr.Dataset(coords={"draw": draws}), 0, 2025, 0.94) == {}
    assert forecast.published_chance(cov, noisy, 0, 2025, 0.945, "bhxh") == {}  # a labour fit's error: another share


def test_brier_of_the_published_figure_scores_its_own_probabilities():
    cases = [{"decided": "2022-04-29", "outcome": 1, "model_p": 0.04, "model_p_published": 0.13,
              "baselines": {n: 0.5 for n in BASELINES}},
             {"decided": "2022-04-29", "outcome": 0, "model_p": 0.3, "model_p_published": 0.4,
              "baselines": {n: 0.5 for n in BASELINES}}]
    assert scoring.brier_published(cases) == {"model": round((0.87 ** 2 + 0.4 ** 2) / 2, 4)}
    assert scoring.brier(cases)["model"] == round((0.96 ** 2 + 0.3 ** 2) / 2, 4)
    assert scoring.brier_published([]) == {}


def test_paired_coverage_is_on_the_figures_the_baseline_gave_an_interval_for():
    model = [(2010, 2012, 0.68, 0.62, 0.60, 0.64, 0.5, 0.9),   # out of the model's interval
             (2013, 2015, 0.76, 0.75, 0.72, 0.78, 0.7, 0.8)]   # inside
    base = [(2010, 2012, 0.68, 0.66, np.nan, np.nan, np.nan, np.nan),  # a point from two figures
            (2013, 2015, 0.76, 0.72, 0.70, 0.74, np.nan, np.nan)]      # out of its interval
    pair = bt.paired({"model": model, **{n: list(base) for n in BASELINES}})["arima"]
    assert pair["n"] == 2 and pair["n80"] == 1
    assert pair["model_coverage80"] == 1.0 and pair["baseline_coverage80"] == 0.0
    # a baseline that forecast nothing keeps the same keys
    silent = [(o, y, v, np.nan, np.nan, np.nan, np.nan, np.nan) for o, y, v, *_ in base]
    none = bt.paired({"model": model, **{n: list(silent) for n in BASELINES}})["arima"]
    assert none == {"n": 0, "model_mae": None, "baseline_mae": None, "ratio": None,
                    "n80": 0, "model_coverage80": None, "baseline_coverage80": None}


def test_arimas_interval_carries_the_drifts_error_and_covers_80_percent_of_random_walks():
    # a random walk with drift, eight figures: the estimated drift's error is a large part of the
    # spread seven years ahead; an interval without it (statsmodels' forecast) covers some 0.55
    rng = np.random.default_rng(5)
    years, ahead = list(range(2010, 2018)), 2024
    hits = []
    for _ in range(2000):
        path = 0.5 + np.cumsum(rng.normal(0.02, 0.01, len(years) + 7))
        f = BASELINES["arima"](pd.Series(path[:len(years)], index=years), [ahead]).loc[ahead]
        hits.append(f["lo80"] <= path[-1] <= f["hi80"])
    assert 0.77 <= np.mean(hits) <= 0.83
    # a missing year is one change over two years, not two interpolated halves
    gap = pd.Series([0.60, 0.62, 0.66, 0.67], index=[2010, 2011, 2013, 2014])
    f = BASELINES["arima"](gap, [2016]).loc[2016]
    drift = (0.67 - 0.60) / 4
    sigma2 = ((0.02 - drift) ** 2 + (0.04 - 2 * drift) ** 2 / 2 + (0.01 - drift) ** 2) / 2
    from scipy import stats
    half = stats.t.ppf(0.9, 2) * np.sqrt(sigma2 * (2 + 4 / 4))
    assert f["mean"] == pytest.approx(0.67 + 2 * drift) and f["hi80"] - f["mean"] == pytest.approx(half)
    # changes all equal to the drift: no spread seen, so a point and no interval of no width
    flat = BASELINES["arima"](pd.Series([0.60, 0.62, 0.64, 0.66], index=[2010, 2011, 2012, 2013]), [2015])
    assert flat["mean"].iloc[0] == pytest.approx(0.70) and flat[["lo80", "hi80"]].isna().all().all()


def test_pit_is_the_share_of_draws_below_the_figure():
    values = np.arange(100) / 100
    assert bt.pit(values, 0.505) == pytest.approx(0.51)
    assert bt.pit(values, 0.50) == pytest.approx(0.505)  # a tie counts half
    assert bt.pit(values, -1) == 0 and bt.pit(values, 2) == 1
    assert bt.inside80(values).sum() == 80  # 0.10 ... 0.89: inside the quantiles 0.099 and 0.891


def _inside(origins: int, figures: int, draws: int, tied: bool, rng) -> tuple[np.ndarray, np.ndarray]:
    """Which draws each figure's interval holds: 80% of them, at random; `tied`: an origin's
    figures share one pattern (a path that is out stays out), else each figure its own."""
    rows, origin = [], []
    for o in range(origins):
        pattern = rng.permutation(draws) < int(0.8 * draws)
        for _ in range(figures):
            rows.append(pattern if tied else rng.permutation(draws) < int(0.8 * draws))
            origin.append(2010 + o)
    return np.array(rows), np.array(origin)


def test_a_calibrated_models_coverage_is_80_percent_give_or_take_what_few_origins_allow():
    rng = np.random.default_rng(1)
    tied = bt.if_calibrated(*_inside(7, 3, 300, True, rng), observed=1.0, seed=0)
    loose = bt.if_calibrated(*_inside(7, 3, 300, False, rng), observed=1.0, seed=0)
    for c in (tied, loose):
        assert c["coverage80_median"] == pytest.approx(0.8, abs=0.06)
    # an origin's years miss together: fewer independent chances, a wider range, all-inside likelier
    assert tied["coverage80_p90"] - tied["coverage80_p10"] > loose["coverage80_p90"] - loose["coverage80_p10"]
    assert tied["p_as_high"] > loose["p_as_high"] > 0
    assert tied["p_in_goal"] < loose["p_in_goal"]
    many = bt.if_calibrated(*_inside(400, 1, 300, True, rng), observed=0.8, seed=0)
    assert many["p_in_goal"] == 1.0 and 0.3 < many["p_as_high"] < 0.7
    assert bt.if_calibrated(*_inside(7, 3, 300, True, np.random.default_rng(1)), observed=1.0, seed=0) == tied
    every = bt.if_calibrated(np.ones((5, 50), bool), np.arange(5), observed=1.0, seed=0)
    assert every["coverage80_p10"] == 1.0 and every["p_as_high"] == 1.0 and every["p_in_goal"] == 0.0


def _row(origin: int, year: int, reach: float, half: float = 0.01) -> tuple:
    """A forecast whose observed figure is `reach` half-widths above its 80% interval's centre."""
    centre = 0.7
    return (origin, year, centre + reach * half, centre, centre - half, centre + half, np.nan, np.nan)


def test_recalibration_learns_only_from_the_errors_known_at_each_origin():
    early = [_row(2010, y, 2.0) for y in range(2011, 2016)]  # twice as far out as the interval
    later = [_row(2010, 2020, 9.0), _row(2016, 2017, 1.5), _row(2016, 2018, 3.0)]
    factors = bt.recalibration(early + later)
    assert factors[2010] == {"errors_known": 0, "scale": 1.0}  # nothing known: the model's own intervals
    # at 2016 the five errors of 2011-2015 are known (2020's is not): the 5th smallest of 5
    assert factors[2016]["errors_known"] == 5 and factors[2016]["scale"] == pytest.approx(2.0)
    moved = bt.recalibration(early + [_row(2010, 2020, 0.1)] + later[1:])
    assert moved[2016] == factors[2016]  # an outcome after the origin changes nothing
    # three errors are too few for the 80% quantile: the factor stays 1
    assert bt.recalibration(early[:3] + [_row(2014, 2015, 5.0)])[2014] == {"errors_known": 3, "scale": 1.0}
    # an interval missing or of no width has nothing to scale: not an error known, not scored
    blank = [(2010, 2016, 0.7, 0.7, np.nan, np.nan, np.nan, np.nan), _row(2010, 2015, 9.0, half=0.0)]
    assert bt.recalibration(early + blank + later[1:])[2016] == factors[2016]
    assert bt.recalibrated(blank, {2010: {"scale": 1.0}}) == {"coverage80": None, "width80": None}
    scored = bt.recalibrated(later[1:], factors)
    assert bt.score(later[1:])["coverage80"] == 0.0 and scored["coverage80"] == 0.5  # 1.5 now inside, 3.0 not
    assert scored["width80"] == pytest.approx(2.0 * 2.0)  # each interval 2 points, doubled
    bands = bt.by_horizon({"model": later[1:], **{n: later[1:] for n in BASELINES}}, 3, factors=factors)
    assert bands[0]["recalibrated"] == scored


def test_a_fit_records_whether_its_settings_are_fast_ones():
    """`covsim calibrate --fast --draws 60 --seed 13` re-run without --fast gave other draws, and
    the file said nothing of it (a reproducibility audit of 2026-12-07)."""
    import dataclasses

    from covsim.calibration.fit import FAST, Settings, settings_record

    assert settings_record(dataclasses.replace(FAST, draws=60, seed=13, method="emcee"))["fast"] is True
    assert settings_record(Settings(draws=60, seed=13))["fast"] is False
    assert settings_record(dataclasses.replace(FAST, proposals=5000))["fast"] is False
    record = forecast.fit_record(xr.Dataset(attrs={"until": 2015, "seed": 0}), dataclasses.replace(FAST, draws=80))
    assert record["fast"] is True and record["walkers"] == FAST.walkers
