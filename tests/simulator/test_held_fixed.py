"""The numbers the model holds fixed: each can be swapped for an alternative inside a context, the
run reads it and records it, and everything is back as declared afterwards."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from covsim import simulator
from covsim.simulator.inputs import mandates
from covsim.simulator.schemes import parameters
from covsim.simulator.schemes.fixed import Alternative, Fixed, scaled
from covsim.simulator.schemes.parameters import sample_prior

YEARS = list(range(2008, 2019))


@pytest.fixture(scope="module")
def setting():
    base = simulator.load_scenario("vietnam")
    scenario = simulator.Scenario(base.name, base.region, base.description, 2008, 2018)
    return scenario, sample_prior(30, 0, ["vietnam"])


def _run(setting):
    scenario, params = setting
    return simulator.run(scenario, params=params, seed=0)


def test_an_alternative_reaches_the_run_is_recorded_and_is_undone_after(setting):
    before = _run(setting)
    with parameters.LAPSE.held_at(Alternative("price 1", {"price": 1.0})):
        assert parameters.LAPSE["price"] == 1.0 and parameters.LAPSE["outreach"] == 0.5
        swapped = _run(setting)
    after = _run(setting)
    np.testing.assert_array_equal(before.coverage_total.values, after.coverage_total.values)
    # lapse answering price twice as strongly loses members of the priced groups
    g = "household"
    assert float(swapped.coverage.sel(group=g, year=2018).mean()) < float(before.coverage.sel(group=g, year=2018).mean())
    fixed = json.loads(swapped.attrs["fixed"])
    assert "lapse responds to price and to outreach 1 and 0.5 times as strongly as joining" in fixed
    assert "lapse responds to price and to outreach 0.5 and 0.5 times as strongly as joining" in json.loads(
        before.attrs["fixed"])


def test_the_swap_is_undone_when_the_code_inside_fails():
    with pytest.raises(RuntimeError):
        with parameters.AGE_SHIFT.held_at(parameters.AGE_SHIFT.alternatives[0]):
            assert parameters.AGE_SHIFT["shifts"] == (0.0,) * 6
            raise RuntimeError("inside")
    assert parameters.AGE_SHIFT["shifts"] == parameters.VOLUNTARY_AGE_SHIFT


def test_the_roadmap_ramp_is_read_from_the_number_held_fixed(setting):
    """A one-year ramp puts the pupils' 2010 step in full at once: more pupils insured in 2010."""
    fast = parameters.ROADMAP_RAMP.alternatives[0]
    assert fast.values == {"years": 1}
    np.testing.assert_array_equal(mandates.mandate_ramp(YEARS, ramp_years=1)[2],
                                  (mandates.mandate_ramp(YEARS)[4] > 0.99).astype(float)
                                  * (mandates.mandate_ramp(YEARS)[2] > 0))
    scenario, params = setting
    params = params.assign(roadmap=params.roadmap * 0.0 + 1.0)
    slow = simulator.run(scenario, params=params, seed=0).coverage.sel(group="pupil_student", year=2010).mean()
    with parameters.ROADMAP_RAMP.held_at(fast):
        quick = simulator.run(scenario, params=params, seed=0).coverage.sel(group="pupil_student", year=2010).mean()
    assert float(quick) > float(slow) + 0.01


def test_every_number_that_moves_coverage_has_a_lower_and_a_higher_alternative():
    from covsim.simulator.schemes import health

    for f in parameters.FIXED + health.AS_OF_FIXED:
        assert len(f.alternatives) == 2, f.key
        for alt in f.alternatives:
            assert set(alt.values) <= set(f.values), (f.key, alt.label)
            assert alt.values != {k: f.values[k] for k in alt.values}, (f.key, alt.label)


def test_scaled_keeps_the_shape_and_writes_no_negative_zero():
    f = Fixed("k", "{v}", {"v": (0.0, -0.3)}, (Alternative("x0", scaled({"v": (0.0, -0.3)}, "v", 0.0)),))
    with f.held_at(f.alternatives[0]):
        assert str(f) == "0, 0"
    assert scaled({"r": {"a": 0.3}}, "r", 2.0) == {"r": {"a": 0.6}}
    with parameters.HOUSEHOLD_RAMP.held_at(parameters.HOUSEHOLD_RAMP.alternatives[0]):
        assert str(parameters.HOUSEHOLD_RAMP) == "Law 46/2014's drives ramp in over 1 year from 2015"


def test_income_growth_ahead_moves_only_the_years_after_the_last_survey_known():
    """Halving the growth assumed after the last survey leaves the surveyed years alone and makes the
    premium weigh more afterwards: fewer in the household group, which pays its own."""
    from covsim.simulator.inputs import incomes

    years = list(range(2008, 2031))
    full = incomes.income_per_person(["vietnam"], years, 2012)
    half = incomes.income_per_person(["vietnam"], years, 2012, (0.5, incomes.GROWTH_YEARS))
    np.testing.assert_array_equal(full[:, :3], half[:, :3])  # 2008-2010: the last survey known as of 2012 is 2010's
    assert (half[:, 3:] < full[:, 3:]).all()
    base = simulator.load_scenario("vietnam")
    scenario = simulator.Scenario(base.name, base.region, base.description, 2008, 2030)
    params = sample_prior(30, 0, ["vietnam"])
    before = simulator.run(scenario, params=params, seed=0).coverage.sel(group="household")
    with parameters.INCOME_AHEAD.held_at(parameters.INCOME_AHEAD.alternatives[0]):
        slower = simulator.run(scenario, params=params, seed=0).coverage.sel(group="household")
    np.testing.assert_allclose(before.sel(year=2020).values, slower.sel(year=2020).values)  # surveyed to 2025
    assert float(slower.sel(year=2030).mean()) < float(before.sel(year=2030).mean())


def test_the_required_shares_growth_is_scaled_from_its_first_row_and_read_by_the_labour_layer():
    from covsim.simulator.schemes import labour

    years = [2008, 2015, 2023, 2030]
    path = labour.required_share("vietnam", years)
    np.testing.assert_allclose(path, [0.26, 0.32, 0.404, 0.46])  # the rows, linear between (2023: 0.38 + 3/5 of 0.04)
    low, high = labour.REQUIRED_GROWTH.alternatives
    with labour.REQUIRED_GROWTH.held_at(low):
        np.testing.assert_allclose(labour.required_share("vietnam", years), 0.26 + 0.5 * (path - 0.26))
        built = labour.Prepared.build(labour.labour_policy(), ["vietnam"], list(range(2008, 2031)))
    with labour.REQUIRED_GROWTH.held_at(high):
        np.testing.assert_allclose(labour.required_share("vietnam", years), 0.26 + 1.5 * (path - 0.26))
    # declared values back afterwards, exactly the rows (no rounding through the scaling)
    np.testing.assert_array_equal(labour.required_share("vietnam", years), path)
    base = labour.Prepared.build(labour.labour_policy(), ["vietnam"], list(range(2008, 2031)))
    assert np.allclose(built.share_logit[0], base.share_logit[0])  # 2008 the same
    assert (built.share_logit[-1] < base.share_logit[-1]).all()  # 2030 lower with half the growth


def test_a_number_of_a_law_is_not_held_before_the_law_is_decided():
    """Law 46/2014's drive ramp is idle in a run that knows policy only by 2013 (its fit has no 2015
    drive), and Law 51/2024's reference level is not yet a thing: neither is listed nor tried there;
    from the day each law was decided, both are, as on the whole record."""
    from datetime import date

    from covsim.calibration import held_fixed
    from covsim.simulator.schemes import fixed, health

    before, after = date(2014, 6, 12), date(2014, 6, 13)  # Law 46/2014 passed 13 Jun 2014 (decisions.csv)
    assert parameters.HOUSEHOLD_RAMP.key_on(before) is None and parameters.HOUSEHOLD_RAMP.key_on(after) == "household_ramp"
    assert parameters.HOUSEHOLD_RAMP not in fixed.on(health.FIXED, before)
    assert fixed.on(health.FIXED, None) == health.FIXED
    salary = health.BASE_SALARY_HELD
    assert salary.key_on(date(2024, 11, 26)) == "base_salary_held.before"
    assert "51/2024" not in salary.text_on(date(2024, 11, 26)) and "base salary" in salary.text_on(date(2024, 11, 26))
    assert "51/2024" in salary.text_on(date(2024, 11, 27)) and salary.text_on(None) == str(salary)
    assert parameters.HOUSEHOLD_RAMP not in held_fixed.tried("bhyt", 2013)
    assert parameters.HOUSEHOLD_RAMP in held_fixed.tried("bhyt", 2014)
    assert parameters.HOUSEHOLD_RAMP in held_fixed.tried("bhyt", 2013, known=date(2014, 6, 13))
    assert len(held_fixed.tried("bhyt", 2013)) == len(held_fixed.tried("bhyt", 2014)) - 1


def test_a_run_as_of_2013_lists_no_number_of_a_later_law(setting):
    """The run's own provenance, which `target --until` and the backtest print: as of the end of
    2013 neither Law 46/2014 nor Law 51/2024 is named; on the whole record both are."""
    from datetime import date

    scenario, params = setting
    known = simulator.Policy.from_table().known_on(date(2013, 12, 31))
    as_of = json.loads(simulator.run(scenario, params=params, seed=0, policy=known).attrs["fixed"])
    whole = json.loads(_run(setting).attrs["fixed"])
    assert not [f for f in as_of if "46/2014" in f or "51/2024" in f], as_of
    assert any("46/2014" in f for f in whole) and any("51/2024" in f for f in whole)
    assert any(f.startswith("the base salary after its last change") for f in as_of)
    assert len(as_of) == len(whole) - 1 + ("group shares" in " ".join(as_of))


@pytest.mark.parametrize("scheme", ["bhyt", "bhxh", "bhtn"])
def test_every_number_with_alternatives_is_read_through_its_declaration(scheme, monkeypatch):
    """`--held-fixed` swaps a number inside `held_at`; a number the run read from a copy of the
    constant would not move, and the verdict's two refits would be for nothing. Each number with
    alternatives must be read through its declaration (`Fixed.now`) in a run of its scheme."""
    import dataclasses

    from covsim.simulator.schemes import SCHEMES

    read = set()
    now = Fixed.now

    def spy(self):
        if sys._getframe(1).f_code.co_name != "text_on":  # the provenance's sentence is not a use
            read.add(id(self))
        return now(self)

    monkeypatch.setattr(Fixed, "now", spy)
    scenario = dataclasses.replace(simulator.load_scenario("vinh_long"), scheme=scheme)
    simulator.run(scenario, draws=3, seed=0)
    unread = [f.key for f in SCHEMES[scheme].fixed_items if f.alternatives and id(f) not in read]
    assert not unread, f"{scheme}: read from a copy, not through the declaration: {unread}"
