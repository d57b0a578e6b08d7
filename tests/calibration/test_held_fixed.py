"""`covsim target --held-fixed`: each number held fixed at its alternatives, the region refitted
under it (the fit must see the alternative, not only the run), with the same draws and seed."""
from __future__ import annotations

import xarray as xr

from covsim import simulator
from covsim.calibration import held_fixed, scoring
from covsim.calibration.fit import FAST
from covsim.calibration.shipped import shipped_path
from covsim.simulator.schemes import parameters

from ..cli.test_cli import assert_one_line_error, covsim


def _recording(seen: list):
    """A stand-in for the fit that notes the lapse factors it was called under."""
    def fit(region, until=None, settings=None, *args, **kwargs):
        seen.append((until, parameters.LAPSE["price"]))
        with xr.open_dataset(shipped_path(region)) as post:
            return post.load()
    return fit


def test_as_of_each_alternative_is_refitted_under_it(monkeypatch):
    seen = []
    monkeypatch.setattr(scoring, "calibrate", _recording(seen))
    rows = held_fixed.probabilities(simulator.load_scenario("vinh_long"), 0.9, 2020, 20, 0, until=2018,
                                    settings=FAST, keys=("lapse_factors",))
    assert seen == [(2018, 0.25), (2018, 1.0)]
    (row,) = rows
    assert row["key"] == "lapse_factors" and "0.5 and 0.5" in row["held"]
    assert [row["low"]["label"], row["high"]["label"]] == ["0.25", "1"]
    assert "0.25 and 0.25" in row["low"]["held"] and "1 and 1" in row["high"]["held"]
    for side in ("low", "high"):
        assert 0.0 <= row[side]["probability"] <= 1.0 and row[side]["converged"] is True
    assert parameters.LAPSE["price"] == 0.5  # undone


def test_on_the_whole_record_the_region_is_refitted_as_its_posterior_was(monkeypatch):
    seen = []
    monkeypatch.setattr(held_fixed, "calibrate", _recording(seen))
    rows = held_fixed.probabilities(simulator.load_scenario("lai_chau"), 0.968, 2020, 20, 0,
                                    keys=("household_ramp", "lapse_factors"))
    assert seen == [(None, 0.25), (None, 1.0), (None, 0.5), (None, 0.5)]
    assert [r["key"] for r in rows] == ["lapse_factors", "household_ramp"]


def test_an_unconverged_refit_is_said_beside_its_probability(monkeypatch):
    def fit(region, until=None, settings=None, *args, **kwargs):
        with xr.open_dataset(shipped_path(region)) as post:
            post = post.load()
        post.attrs.update(method="emcee", rhat_max=1.9, ess=40.0)
        return post

    monkeypatch.setattr(held_fixed, "calibrate", fit)
    (row,) = held_fixed.probabilities(simulator.load_scenario("lai_chau"), 0.968, 2020, 20, 0, keys=("income_ratio",))
    assert row["low"]["converged"] is False and "R-hat" in row["low"]["diagnostic"]
    from covsim.cli.planning import held_fixed_line

    assert "fit did not converge: R-hat" in held_fixed_line([row])


def test_held_fixed_refuses_before_fitting_what_it_cannot_try():
    assert_one_line_error(covsim("target", "vinh_long", "--scheme", "bhxh", "--target", "0.5", "--year", "2020",
                                 "--held-fixed"), "--held-fixed", "bhyt")
    assert_one_line_error(covsim("target", "ho_chi_minh_city_2025", "--target", "0.95", "--year", "2030",
                                 "--held-fixed"), "ho_chi_minh_city_2025", "ho_chi_minh_city")
