"""`covsim target --held-fixed`: each number held fixed at its alternatives, the region refitted
under it (the fit must see the alternative, not only the run), with the same draws and seed."""
from __future__ import annotations

import dataclasses

import xarray as xr

from covsim import simulator
from covsim.calibration import held_fixed, unit_as_of
from covsim.calibration.fit import FAST
from covsim.calibration.shipped import shipped_path
from covsim.simulator.inputs import regions as registry
from covsim.simulator.schemes import labour, parameters
from covsim.simulator.schemes import scheme as scheme_of

from ..cli.test_cli import assert_one_line_error, covsim


def _recording(seen: list, layer=parameters.LAPSE):
    """A stand-in for the fit that notes the lapse factors it was called under, and returns the
    stored posterior of the scheme it was asked for."""
    def fit(region, until=None, settings=None, *args, scheme="bhyt", **kwargs):
        seen.append((region, until, layer["price"]))
        with xr.open_dataset(shipped_path(region, scheme_of(scheme))) as post:
            return post.load()
    return fit


def test_as_of_each_alternative_is_refitted_under_it(monkeypatch):
    seen = []
    monkeypatch.setattr(unit_as_of, "calibrate", _recording(seen))
    rows = held_fixed.probabilities(simulator.load_scenario("vinh_long"), 0.9, 2020, 20, 0, until=2018,
                                    settings=FAST, keys=("lapse_factors",))
    assert seen == [("vinh_long", 2018, 0.25), ("vinh_long", 2018, 1.0)]
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
    assert seen == [("lai_chau", None, p) for p in (0.25, 1.0, 0.5, 0.5)]
    assert [r["key"] for r in rows] == ["lapse_factors", "household_ramp"]


def test_an_unconverged_refit_is_said_beside_its_probability(monkeypatch):
    def fit(region, until=None, settings=None, *args, **kwargs):
        with xr.open_dataset(shipped_path(region)) as post:
            post = post.load()
        post.attrs.update(method="emcee", rhat_max=1.9, ess=40.0)
        return post

    monkeypatch.setattr(held_fixed, "calibrate", fit)
    steps = []  # what a face's progress bar is told: the refits to come, then one call per refit done
    (row,) = held_fixed.probabilities(simulator.load_scenario("lai_chau"), 0.968, 2020, 20, 0, keys=("income_ratio",),
                                      progress=steps.append)
    assert steps == [2, None, None]
    assert row["low"]["converged"] is False and "R-hat" in row["low"]["diagnostic"]
    from covsim.cli.planning import held_fixed_line

    assert "fit did not converge: R-hat" in held_fixed_line([row])
    assert "(assumed; refitted, same draws): income_ratio x0.75: " in held_fixed_line([row])


def test_a_region_on_its_priors_is_run_under_each_alternative_and_says_it_was_not_refitted(monkeypatch):
    seen = []
    monkeypatch.setattr(held_fixed, "calibrate", _recording(seen))
    scenario = simulator.load_scenario("binh_duong")
    # Bình Dương alone takes its part of HCMC 2025's draws, whose shared parameters are HCMC's fit
    assert held_fixed.refitted(scenario, None) == ["ho_chi_minh_city"]
    monkeypatch.setattr(registry, "unit_of", lambda region: None)  # a province on the priors alone
    assert held_fixed.refitted(scenario, None) == [] and "not refitted" in held_fixed.note(scenario, None)
    (row,) = held_fixed.probabilities(scenario, 0.9, 2020, 20, 0, keys=("lapse_factors",))
    assert seen == [] and row["low"]["refitted"] is False and row["high"]["refitted"] is False
    from covsim.cli.planning import held_fixed_line

    assert "(assumed; on the priors, not refitted, same draws)" in held_fixed_line([row])
    monkeypatch.undo()
    unit = simulator.load_scenario("ho_chi_minh_city_2025")
    fits = 2 * len(held_fixed.tried("bhyt"))
    assert held_fixed.note(unit, None) == f"--held-fixed refits ho_chi_minh_city {fits} times, once per alternative"
    assert held_fixed.note(scenario, 2016).startswith("--held-fixed refits binh_duong")


def test_a_labour_target_refits_the_labour_layer_under_its_own_numbers(monkeypatch):
    seen = []
    monkeypatch.setattr(held_fixed, "calibrate", _recording(seen, labour.LAPSE))
    scenario = dataclasses.replace(simulator.load_scenario("vinh_long"), scheme="bhxh")
    rows = held_fixed.probabilities(scenario, 0.5, 2020, 20, 0, keys=("lapse_factors",))
    assert seen == [("vinh_long", None, 0.25), ("vinh_long", None, 1.0)]  # the health draws as stored
    assert rows[0]["key"] == "lapse_factors" and [rows[0][s]["label"] for s in ("low", "high")] == ["0.25", "1"]


def test_a_2025_unit_refits_each_former_province_with_a_fit_of_its_own(monkeypatch):
    from covsim.calibration import shipped
    from covsim.simulator.inputs.regions import former_provinces

    seen = []
    monkeypatch.setattr(held_fixed, "calibrate", _recording(seen))
    held_fixed.probabilities(simulator.load_scenario("ho_chi_minh_city_2025"), 0.95, 2030, 20, 0,
                             keys=("lapse_factors",))
    fitted = [m for m in former_provinces("ho_chi_minh_city_2025") if shipped.has_posterior(m)]
    assert fitted == ["ho_chi_minh_city"] and len(former_provinces("ho_chi_minh_city_2025")) == 3
    assert seen == [("ho_chi_minh_city", None, 0.25), ("ho_chi_minh_city", None, 1.0)]


def test_held_fixed_refuses_before_fitting_what_it_cannot_try():
    assert_one_line_error(covsim("target", "vinh_long", "--scheme", "bhxh", "--target", "0.5", "--year", "2020",
                                 "--until", "2016", "--held-fixed"), "--until", "bhyt")


def test_as_of_a_year_employers_compliance_is_tried_too_and_reaches_the_fit():
    """An as-of fit holds employers' compliance at the priors' means (the labour layer's fit saw
    every year): a number the verdict can hang on, tried as of a year and only then; under an
    alternative the fit holds that trend (a whole-record fit keeps the labour posterior's), and the
    run lists the value it used. (The refit absorbs part of it, so a higher trend need not raise
    the probability: Can Tho's as of 2023 falls.)"""
    from covsim.calibration.health_fit import compliance_point
    from covsim.simulator.schemes import compliance

    assert compliance.AS_OF not in held_fixed.tried("bhyt")
    assert held_fixed.tried("bhyt", 2016)[-1] is compliance.AS_OF and compliance.AS_OF not in held_fixed.tried("bhxh", 2016)
    scenario = simulator.load_scenario("lai_chau")
    whole, as_of = (2 * len(held_fixed.tried("bhyt", u)) for u in (None, 2016))
    assert as_of == whole + 2 and f"{as_of} times" in held_fixed.note(scenario, 2016)
    low, high = compliance.AS_OF.alternatives
    with compliance.AS_OF.held_at(high):
        point = compliance_point("lai_chau", ["vietnam", "lai_chau"], 2016)
        shipped_point = compliance_point("lai_chau", ["vietnam", "lai_chau"], None)
    assert float(point["compliance_trend"][1][0]) == 0.08 and float(point["compliance_logit"][1][0]) == 0.85
    assert float(shipped_point["compliance_trend"][1][0]) != 0.08  # the labour posterior's, not the alternative
    assert compliance.AS_OF["trend"] == 0.05  # undone
    (row,) = held_fixed.probabilities(scenario, 0.968, 2020, 40, 0, until=2016, settings=FAST,
                                      keys=("compliance_as_of",))
    assert [row[s]["label"] for s in ("low", "high")] == ["0.02 a year", "0.08 a year"]
    assert "rising 0.02 a year" in row["low"]["held"] and "rising 0.08 a year" in row["high"]["held"]
    assert row["high"]["probability"] > row["low"]["probability"]  # Lai Chau's employees, ahead of the fit
