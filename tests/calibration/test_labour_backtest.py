"""The labour layer's backtest: BHXH and BHTN forecasts as of a year, scored against the shares of
the labour force observed after it (`covsim backtest REGION --scheme bhxh|bhtn`)."""
from __future__ import annotations

import json

import numpy as np

from covsim.calibration import backtest as bt
from covsim.calibration import health_fit, labour_fit
from covsim.calibration.baselines import BASELINES
from covsim.simulator.inputs import observations

from ..cli.test_cli import assert_one_line_error, covsim


def test_labour_origins_are_the_years_of_the_nations_labour_figures():
    # shares and head counts alike are what the labour fit reads: 2008's share and members, 2009's
    # BHTN head count, 2018's voluntary members, the shares of 2019-2023 and 2025
    years = labour_fit.national_years()
    assert years[:3] == [2008, 2009, 2018] and {2023, 2025} <= set(years)
    assert years != health_fit.national_years()
    # Vinh Long's own shares (2017) follow the origin 2009 only: two national years by then
    assert bt.origins(observations.observed("vinh_long", "bhxh"), 10, years) == [2009]
    # the nation's BHXH shares: 2019 is 10 years after 2009; 2025 has no later figure to score
    assert bt.origins(observations.observed("vietnam", "bhxh"), 10, years) == [2009, 2018, 2019, 2020, 2021, 2022, 2023]
    # its first BHTN share is 2021's, 12 years after 2009: within reach at --horizon 15 only
    assert bt.origins(observations.observed("vietnam", "bhtn"), 10, years) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert bt.origins(observations.observed("vietnam", "bhtn"), 15, years) == [2009, 2018, 2019, 2020, 2021, 2022, 2023]


def test_the_bands_past_ten_years_only_where_the_horizon_reaches():
    model = [(2009, 2023, 0.39, 0.22, 0.17, 0.28, 0.15, 0.32)]  # 14 years ahead, missed
    points = {"model": model, **{n: [r[:6] + (np.nan, np.nan) for r in model] for n in BASELINES}}
    assert [b["to"] for b in bt.by_horizon(points, 10)] == [3, 6, 10]
    bands = bt.by_horizon(points, 15)
    assert [(b["from"], b["to"], b["n"]) for b in bands] == [(1, 3, 0), (4, 6, 0), (7, 10, 0), (11, 15, 1)]
    assert bands[-1]["model"]["coverage80"] == 0.0 and bands[-1]["model"]["mae"] == 17.0


def test_a_labour_backtest_scores_the_schemes_own_shares():
    result = covsim("backtest", "vinh_long", "--scheme", "bhtn", "--fast", "--draws", "60", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scheme"] == "bhtn" and out["provenance"]["scheme"] == "bhtn"
    assert out["origins"] == [2009] and out["held_out"] == 1
    (f,) = out["forecasts"]
    # Vinh Long's BHTN share of 2017 (13.7%), not its health coverage of that year
    assert (f["origin"], f["year"], f["observed"]) == (2009, 2017, 0.137)
    assert 0 <= f["lo95"] <= f["lo80"] <= f["mean"] <= f["hi80"] <= f["hi95"] < 0.5
    assert "targets" not in out  # no labour target's outcome is observed
    # the province had no share of its own up to 2009: no baseline can forecast it
    assert all(b["mae"] is None for b in out["baselines"].values())


def test_a_labour_backtest_with_nothing_to_score_names_the_scheme():
    assert_one_line_error(covsim("backtest", "ho_chi_minh_city", "--scheme", "bhxh"),
                          "ho_chi_minh_city", "no observed BHXH figure",
                          "allowed for bhxh: vietnam, vinh_long")


def test_an_as_of_labour_run_lists_the_required_share_it_holds():
    from datetime import date

    from covsim.simulator.schemes import labour

    text = labour.required_held_text(["vietnam"], date(2009, 12, 31))
    assert "held at its 2008 row" in text and "2015, 2020, 2025, 2030 are not known" in text
    assert labour.required_held_text(["vietnam"], None) == ""  # the whole record holds nothing back
    as_of_2025 = labour.required_held_text(["vietnam"], date(2025, 12, 31))
    assert "the row of 2030 is not known" in as_of_2025
    assert "carried past its 2025 row at the slope of its last two known rows" in as_of_2025
    # and the forecast says so where the user reads its assumptions
    result = covsim("forecast", "vietnam", "--scheme", "bhxh", "--until", "2009", "--to", "2012",
                    "--fast", "--draws", "40", "--json")
    assert result.returncode == 0, result.stderr
    fixed = json.loads(result.stdout)["provenance"]["fixed"]
    assert any("required to join held at its 2008 row" in f for f in fixed)


def test_past_its_last_known_row_the_required_share_goes_on_at_the_last_two_rows_slope():
    import numpy as np

    from covsim.simulator.schemes import labour

    years = [2008, 2015, 2018, 2020, 2023, 2030]
    # as of 2009 one row is known (0.26 in 2008): no trend to carry, held
    np.testing.assert_allclose(labour.required_share("vietnam", years, 2009), 0.26)
    # as of 2021 the rows of 2008, 2015 (0.32) and 2020 (0.38) are known: on at 0.012 a year after 2020
    as_of_2021 = labour.required_share("vietnam", years, 2021)
    np.testing.assert_allclose(as_of_2021[:4], labour.required_share("vietnam", years)[:4])
    np.testing.assert_allclose(as_of_2021[4:], [0.38 + 3 * 0.012, 0.38 + 10 * 0.012])
    # the whole record past its 2030 row goes on at 2025-2030's slope (0.42 to 0.46), never above 1
    np.testing.assert_allclose(labour.required_share("vietnam", [2030, 2040]), [0.46, 0.54])
    assert labour.required_share("vietnam", [2200]).max() <= 1.0


def test_a_head_count_is_scored_against_the_models_draws_and_the_baselines_on_its_log():
    import math

    import pandas as pd

    known = pd.DataFrame({"year": [2008, 2020, 2023], "kind": "voluntary_members",
                          "value": [50_000.0, 1_130_000.0, 1_830_000.0], "source": "s"})
    values = np.linspace(1.0e6, 3.0e6, 1001)  # the model's predictive draws of 2023's count
    case = bt.count_case(2020, 2023, "voluntary_members", 1_830_000.0, "s", values, known)
    assert case["horizon"] == 3 and case["median"] == 2_000_000
    assert case["lo80"] == 1_200_000 and case["hi80"] == 2_800_000 and case["inside80"] and case["inside95"]
    assert case["log_error"] == round(math.log(2.0 / 1.83), 3)
    b = case["baselines"]
    assert "logistic_trend" not in b  # a share's ceiling: no head count has one
    assert b["last_value"]["point"] == 1_130_000  # 2023's own figure is not known as of 2020
    # a line through the logs of 2008's and 2020's counts: their growth rate, three years on
    assert b["linear_trend"]["point"] == round(1_130_000 * (1_130_000 / 50_000) ** (3 / 12))
    scores = bt.score_counts([case, {**case, "inside80": False, "log_error": -0.5}])
    assert scores["model"] == {"n": 2, "mean_abs_log_error": round((case["log_error"] + 0.5) / 2, 3),
                               "coverage80": 0.5, "coverage95": 1.0}
    # from one known count only the last value forecasts; nothing is scored for the others
    early = bt.count_case(2009, 2023, "voluntary_members", 1_830_000.0, "s", values, known)
    assert early["baselines"]["last_value"]["point"] == 50_000
    assert early["baselines"]["last_value"]["lo80"] is None  # one count: no spread to give an interval from
    assert all(early["baselines"][n]["point"] is None for n in ("linear_trend", "damped_trend", "arima"))


def test_the_reported_head_count_carries_the_fits_reporting_error():
    import xarray as xr

    members = xr.DataArray(np.full((4000, 2, 1), 1.0e6), dims=("draw", "year", "region"),
                           coords={"draw": np.arange(4000), "year": [2022, 2023], "region": ["vietnam"]})
    ds = xr.Dataset({"voluntary_members": members})
    counts = labour_fit.reported_counts(ds, 0, "vietnam")["voluntary_members"]
    spread = np.log(counts.values / 1.0e6)
    assert abs(spread.std() - labour_fit.COUNT_LOG_SD) < 0.02 and abs(spread.mean()) < 0.02
    # the same seed, the same numbers; no province's count is shipped, so none is reported
    assert np.array_equal(counts.values, labour_fit.reported_counts(ds, 0, "vietnam")["voluntary_members"].values)
    assert labour_fit.reported_counts(ds.assign_coords(region=["vinh_long"]), 0, "vinh_long") == {}


def test_the_nations_bhxh_backtest_scores_its_voluntary_members():
    result = covsim("backtest", "vietnam", "--scheme", "bhxh", "--origins", "2020", "--fast", "--draws", "60", "--json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)["counts"]
    # as of 2020: the year-end head counts of 2021 and 2023 (2022's is mid-year, which no fit reads)
    cases = {(c["origin"], c["year"], c["kind"]): c for c in counts["cases"]}
    assert set(cases) == {(2020, 2021, "voluntary_members"), (2020, 2023, "voluntary_members")}
    case = cases[(2020, 2023, "voluntary_members")]
    assert case["observed"] == 1_830_000
    assert 0 < case["lo95"] <= case["lo80"] <= case["median"] <= case["hi80"] <= case["hi95"]
    assert counts["model"]["n"] == 2 and counts["baselines"]["last_value"]["n"] == 2
    text = covsim("backtest", "vietnam", "--scheme", "bhxh", "--origins", "2020", "--fast", "--draws", "60", "--quiet")
    assert text.returncode == 0 and "voluntary_members 2023 as of 2020: observed 1.83 M" in text.stdout


def test_why_a_region_or_a_year_cannot_be_backtested_is_said():
    # 2009 is a year of national labour figures; the nation's next BHTN share is 12 years after it
    assert_one_line_error(covsim("backtest", "vietnam", "--scheme", "bhtn", "--origins", "2009"),
                          "--origins", "2009", "2021, is 12 years ahead (--horizon 12 reaches it)", "allowed: 2018")
    # the origins are the years of any national labour figure (2010 has none), not of the scheme's own
    assert_one_line_error(covsim("backtest", "vietnam", "--scheme", "bhtn", "--origins", "2010"),
                          "no national labour figure in 2010 (the years with one: 2008, 2009, 2018, 2019, 2020, "
                          "2021, 2022, 2023, 2025)")
    # a province with a labour plan but no labour figure of its own: the ones that have one are named
    assert_one_line_error(covsim("backtest", "dong_nai", "--scheme", "bhtn"),
                          "dong_nai", "no observed BHTN figure", "allowed for bhtn: vietnam, vinh_long")
    # a figure out of reach of this horizon: the horizon that reaches it (2017 is 8 years after 2009)
    assert_one_line_error(covsim("backtest", "vinh_long", "--scheme", "bhtn", "--horizon", "5"),
                          "vinh_long", "(2017)", "--horizon 8 reaches one")


def test_the_text_backtest_lists_its_figures_and_what_each_origin_held_fixed():
    result = covsim("backtest", "vinh_long", "--scheme", "bhxh", "--fast", "--draws", "60", "--quiet")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1 held-out observation;" in out
    assert "  2017 as of 2009: observed 15.70%, forecast " in out  # the figure scored, not only its MAE
    held_line = next(line for line in out.splitlines() if line.startswith("held fixed in the model as of 2009 "))
    assert "the share of the labour force required to join held at its 2008 row" in held_line
    assert "at most 0.98 of an age band required to join" in held_line  # the model's own, with the origin's
    assert "recalibrated" not in out  # no error known by 2009: nothing was recalibrated
    # the later figures the origin's run read, none of their series known by 2009 (the 2019 profiles)
    later = next(line for line in out.splitlines() if line.startswith("figures of later years standing in as of 2009 "))
    assert "labour_force.csv" in later and "demography.csv" in later
    report = json.loads(covsim("backtest", "vinh_long", "--scheme", "bhxh", "--fast", "--draws", "60", "--json").stdout)
    held = report["fixed"]
    assert [h["origin"] for h in held] == [2009]
    assert any("held at its 2008 row" in f for f in held[0]["fixed"])
    (stand_ins,) = report["stand_ins"]
    assert stand_ins["origin"] == 2009 and all(int(r["from"][:4]) > 2009 for r in stand_ins["rows"])
    assert {r["table"] for r in stand_ins["rows"]} >= {"labour_force.csv", "demography.csv"}


def test_a_run_past_the_last_required_share_row_says_it_carries_it_on():
    from covsim.simulator.schemes import labour

    text = labour.required_held_text(["vietnam"], None, 2040)
    assert "carried past its 2030 row at the slope of its last two rows" in text and "the run to 2040" in text
    assert labour.required_held_text(["vietnam"], None, 2030) == ""  # the rows reach the run's end
    assert labour.required_held_text(["vietnam"], None) == ""
    # and a labour run to 2035 lists it with its held numbers
    import dataclasses

    from covsim import simulator

    sc = dataclasses.replace(simulator.load_scenario("vietnam").with_scheme("bhxh"), end=2035)
    fixed = json.loads(simulator.run(sc, draws=10, seed=0).attrs["fixed"])
    assert any("carried past its 2030 row" in f and "the run to 2035" in f for f in fixed)
