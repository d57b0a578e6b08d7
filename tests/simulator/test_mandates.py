"""Law 25/2008's enrolment roadmap (issue 38): each voluntary group's step ramps in from the year
the law made it compulsory, known to any forecast made after the law was passed, and a stronger
roadmap raises exactly the groups whose step has come."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from covsim import simulator
from covsim.simulator.inputs import datacheck, mandates
from covsim.simulator.inputs.groups import GROUP_IDS
from covsim.simulator.schemes.parameters import sample_prior

YEARS = list(range(2008, 2019))


def col(group):
    return GROUP_IDS.index(group)


def test_each_step_ramps_in_from_its_year_for_its_group_only():
    ramp = mandates.mandate_ramp(YEARS)
    y = YEARS.index
    assert ramp[y(2009), col("pupil_student")] == 0 and ramp[y(2010), col("pupil_student")] > 0
    assert ramp[y(2011), col("near_poor")] == 0 and ramp[y(2012), col("near_poor")] > 0
    assert ramp[y(2011), col("farm_household")] == 0 and ramp[y(2012), col("farm_household")] > 0
    assert ramp[y(2014), col("farm_household")] == 1
    assert ramp[y(2013), col("household")] == 0 and ramp[y(2014), col("household")] > 0
    for g in ("employee", "pensioner", "poor", "child_under6", "other_state_paid"):
        assert not ramp[:, col(g)].any()  # state- and employer-paid groups were never a choice
    assert np.all(np.diff(ramp, axis=0) >= 0) and ramp.max() == 1


def test_a_forecast_made_before_the_law_knows_no_roadmap():
    assert not mandates.mandate_ramp(YEARS, known_by=date(2008, 6, 30)).any()
    np.testing.assert_array_equal(mandates.mandate_ramp(YEARS, known_by=date(2009, 1, 1)),
                                  mandates.mandate_ramp(YEARS))


@pytest.fixture(scope="module")
def pair():
    base = simulator.load_scenario("vietnam")
    scenario = simulator.Scenario(base.name, base.region, base.description, 2008, 2018)
    params = sample_prior(40, 0, ["vietnam"])
    weak = params.assign(roadmap=params.roadmap * 0.0)
    strong = params.assign(roadmap=params.roadmap * 0.0 + 1.5)
    return (simulator.run(scenario, params=weak, seed=0).coverage.median("draw").sel(region="vietnam"),
            simulator.run(scenario, params=strong, seed=0).coverage.median("draw").sel(region="vietnam"))


def test_a_stronger_roadmap_raises_a_group_once_its_step_has_come_and_no_earlier(pair):
    weak, strong = pair
    assert float(strong.sel(year=2011, group="pupil_student")) > float(weak.sel(year=2011, group="pupil_student")) + 0.02
    assert float(strong.sel(year=2011, group="near_poor")) == pytest.approx(float(weak.sel(year=2011, group="near_poor")), abs=1e-9)
    # before its own step the household group moves only by the insured pupils who leave school into it
    rise = {y: float(strong.sel(year=y, group="household") - weak.sel(year=y, group="household")) for y in (2013, 2016)}
    assert 0 <= rise[2013] < 0.01 and rise[2016] > 0.02 + 2 * rise[2013]
    assert float(strong.sel(year=2016, group="poor")) == pytest.approx(float(weak.sel(year=2016, group="poor")), abs=1e-3)


def test_check_data_refuses_a_step_for_an_unknown_or_state_paid_group(tmp_path):
    from shutil import copytree
    folder = copytree(simulator.inputs.tables.data_dir(), tmp_path / "data")
    path = folder / "mandates.csv"
    lines = path.read_text().splitlines()
    lines.append(lines[1].replace("pupil_student", "pupils", 1))
    lines.append(lines[1].replace("pupil_student", "poor", 1))
    path.write_text("\n".join(lines) + "\n")
    found = [str(f) for f in datacheck.check_plan_tables(folder) if "mandates.csv" in str(f)]
    assert any("pupils" in f and "unknown model group" in f for f in found)
    assert any("poor" in f and "not a voluntary group" in f for f in found)
