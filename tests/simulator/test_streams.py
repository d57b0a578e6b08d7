"""Random streams: a draw's numbers depend on its seed, component and index, and a year's on nothing
that comes after it (how long the run is)."""
from __future__ import annotations

import dataclasses

import numpy as np

from covsim import simulator
from covsim.calibration import shipped
from covsim.calibration.forecast import predictive, run_as_of
from covsim.simulator.streams import normal_path


def test_a_paths_steps_do_not_depend_on_how_many_follow_or_which_draws_are_asked():
    long = normal_path(7, "outreach.vietnam", np.arange(130), 22)
    short = normal_path(7, "outreach.vietnam", np.arange(130), 5)
    np.testing.assert_array_equal(long[:, :5], short)
    picked = normal_path(7, "outreach.vietnam", np.array([129, 3, 64]), 5)  # across blocks, any order
    np.testing.assert_array_equal(picked, short[[129, 3, 64]])
    assert not np.array_equal(long[0], long[1])  # draws differ from one another
    assert abs(long.mean()) < 0.05 and abs(long.std() - 1) < 0.05


def test_a_forecasts_years_are_the_same_whatever_year_it_runs_to():
    """Before, a forecast to 2018 and one to 2025 disagreed on every year, the fitted history too
    (draw-major noise shifted with the run's length), and a backtest's 1-3-year band moved with
    --horizon."""
    sc = simulator.load_scenario("vietnam")
    params = shipped.draws_for("vietnam", 24, 0)
    short = run_as_of(sc, 2015, 2018, params, 0)
    long = run_as_of(sc, 2015, 2025, params, 0)
    years = [y for y in short.year.values if y <= 2018]
    np.testing.assert_array_equal(short.coverage_total.sel(year=years).values,
                                  long.coverage_total.sel(year=years).values)
    np.testing.assert_array_equal(predictive(short, params, 0, "vietnam").sel(year=years).values,
                                  predictive(long, params, 0, "vietnam").sel(year=years).values)
    # and the walk ahead does spread the years after the origin
    ahead = long.coverage_total.sel(region="vietnam", year=2025).values
    assert ahead.std() > 0
