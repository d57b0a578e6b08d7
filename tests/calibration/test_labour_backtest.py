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
    # BHTN head count, 2020's voluntary members, 2023's shares
    years = labour_fit.national_years()
    assert years[:3] == [2008, 2009, 2020] and 2023 in years
    assert years != health_fit.national_years()
    # Vinh Long's own shares (2017) follow the origin 2009 only: two national years by then
    assert bt.origins(observations.observed("vinh_long", "bhxh"), 10, years) == [2009]
    # the nation's 2023 share: 3 years after 2020, 14 after 2009
    assert bt.origins(observations.observed("vietnam", "bhxh"), 10, years) == [2020]
    assert bt.origins(observations.observed("vietnam", "bhxh"), 15, years) == [2009, 2020]


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
                          "ho_chi_minh_city", "no BHXH observation")


def test_an_as_of_labour_run_lists_the_required_share_it_holds():
    from datetime import date

    from covsim.simulator.schemes import labour

    text = labour.required_held_text(["vietnam"], date(2009, 12, 31))
    assert "held at its 2008 row" in text and "2015, 2020, 2025, 2030 are not known" in text
    assert labour.required_held_text(["vietnam"], None) == ""  # the whole record holds nothing back
    assert "the row of 2030 is not known" in labour.required_held_text(["vietnam"], date(2025, 12, 31))
    # and the forecast says so where the user reads its assumptions
    result = covsim("forecast", "vietnam", "--scheme", "bhxh", "--until", "2009", "--to", "2012",
                    "--fast", "--draws", "40", "--json")
    assert result.returncode == 0, result.stderr
    fixed = json.loads(result.stdout)["provenance"]["fixed"]
    assert any("required to join held at its 2008 row" in f for f in fixed)
