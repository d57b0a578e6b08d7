"""The drive mechanism (issue 38): the pull of the level above's targets, known only once decided,
never from a province's own plan; the drive lever's effect comes from the fitted pull and its cost
enters the state budget; assumed numbers are listed."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from covsim import simulator
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import drives, observations
from covsim.simulator.inputs.groups import BY_ID
from covsim.simulator.schemes.parameters import drive_effect, sample_prior

YEARS = list(range(2009, 2026))


def test_a_provinces_own_plan_target_does_not_raise_its_pull_and_the_level_above_does(monkeypatch):
    before = drives._target_gaps(["ho_chi_minh_city"], YEARS)
    original = observations.targets

    def raised(source_part):
        def targets(region, scheme="bhyt"):
            rows = original(region, scheme).copy()
            mine = (rows.region == "ho_chi_minh_city") & rows.source.str.contains(source_part, regex=False)
            rows.loc[mine, "value"] = 0.99
            return rows
        return targets

    monkeypatch.setattr(drives.observations, "targets", raised("5063/QD-UBND HCMC 2012-10-02 (seed 000), section"))
    np.testing.assert_array_equal(drives._target_gaps(["ho_chi_minh_city"], YEARS), before)
    monkeypatch.setattr(drives.observations, "targets", raised("1167/QD-TTg"))
    after = drives._target_gaps(["ho_chi_minh_city"], YEARS)
    assert (after >= before).all() and after[0, YEARS.index(2020)] > before[0, YEARS.index(2020)] + 0.1


def test_a_target_decided_after_the_origin_is_unknown_and_one_decided_before_pulls():
    as_of_2012 = drives.target_gaps(["vietnam"], YEARS, date(2012, 12, 31))
    everything = drives.target_gaps(["vietnam"], YEARS)
    assert all(decided <= 2012 for decided, _, _ in drives.level_above_targets("vietnam", date(2012, 12, 31)))
    assert as_of_2012[0, YEARS.index(2020)] > 0.5  # the 5th plenum's 80% by 2020, known in Oct 2012
    assert everything[0, YEARS.index(2020)] > as_of_2012[0, YEARS.index(2020)] + 0.5  # Decision 1167 adds
    np.testing.assert_array_equal(as_of_2012[:, :YEARS.index(2013)], everything[:, :YEARS.index(2013)])
    assert (np.diff(everything[0]) >= -1e-12).all()  # a pull never goes back


def test_a_later_target_of_the_same_decision_no_higher_than_its_earlier_one_adds_nothing(monkeypatch):
    """Resolution 20-NQ/TW (2017) set 95% by 2025 and "over 95%" by 2030: the second restates the
    first. Read in turn, its ramp would start from the level the first had raised in 2017 and pull
    harder there; it is skipped. A higher later target of the same decision still pulls."""
    years = list(range(2009, 2031))
    original = drives.level_above_targets
    restated = [t for t in original("vietnam") if t[:2] == (2017, 2030)]
    assert restated and restated[0][2] == pytest.approx(0.95)  # the shipped row this is about
    with_it = drives._target_gaps(["vietnam"], years)
    monkeypatch.setattr(drives, "level_above_targets",
                        lambda region, known_by=None: [t for t in original(region, known_by) if t[:2] != (2017, 2030)])
    np.testing.assert_array_equal(with_it, drives._target_gaps(["vietnam"], years))
    monkeypatch.setattr(drives, "level_above_targets", lambda region, known_by=None: [
        t if t[:2] != (2017, 2030) else (2017, 2030, 0.99) for t in original(region, known_by)])
    higher = drives._target_gaps(["vietnam"], years)
    assert higher[0, years.index(2030)] > with_it[0, years.index(2030)] + 0.5


def test_a_targets_starting_point_is_what_was_observed_before_it_was_set(monkeypatch):
    """The 5th plenum set 80% by 2020 in October 2012: its path starts from 2011's year-end figure,
    the last one published then. 2012's year-end figure, which came after it, must not move it."""
    before = drives._target_gaps(["vietnam"], YEARS, date(2012, 12, 31))
    original = observations.observed

    def moved(year, value):
        def observed(region, *args, **kwargs):
            rows = original(region, *args, **kwargs).copy()
            rows.loc[(rows.region == "vietnam") & (rows.year == year), "value"] = value
            return rows
        return observed

    monkeypatch.setattr(drives.observations, "observed", moved(2012, 0.75))
    np.testing.assert_array_equal(drives._target_gaps(["vietnam"], YEARS, date(2012, 12, 31)), before)
    monkeypatch.setattr(drives.observations, "observed", moved(2011, 0.70))
    after = drives._target_gaps(["vietnam"], YEARS, date(2012, 12, 31))
    assert after[0, YEARS.index(2020)] < before[0, YEARS.index(2020)] - 0.1  # a higher start, a smaller gap
    # the start itself, which the gaps are measured from: 2011's figure, and no start before a target
    assert drives.first_start("vietnam", date(2012, 12, 31)) == pytest.approx(np.log(0.70 / 0.30))
    assert drives.first_start("vietnam", date(2012, 6, 30)) is None
    top = after[0, YEARS.index(2020)] + drives.first_start("vietnam", date(2012, 12, 31))
    assert top == pytest.approx(np.log(0.8 / 0.2))  # the plenum's 80% by 2020, reached by its path


def test_the_drive_lever_raises_coverage_by_the_fitted_pull_and_its_cost_enters_the_state_budget():
    sc = simulator.load_scenario("vinh_long")
    params = sample_prior(24, 0, ["vietnam", "vinh_long"])
    base = simulator.run(sc, params=params, seed=0)
    driven = simulator.run(sc.with_reform({"drive": {2024: 1.0}}), params=params, seed=0)
    cov = lambda ds, y: ds.coverage_total.sel(region="vinh_long", year=y).values  # noqa: E731
    np.testing.assert_allclose(cov(driven, 2023), cov(base, 2023))
    gain = cov(driven, 2027) - cov(base, 2027)
    pull = params.target_pull.values
    assert (gain[pull > 0.05] > 0).all() and np.allclose(gain[pull <= 0], 0.0, atol=1e-12)
    # One unit is the log-odds the level above's 2015-2020 targets pulled the nation by, times the
    # draw's own fitted pull (never negative).
    strength = np.zeros((1, 3))
    strength[0, 1:] = 1.0
    shift = drive_effect(params, strength, drives.drive_unit())
    assert drives.drive_unit() > 0.5
    np.testing.assert_allclose(shift[:, 0, 2], np.maximum(pull, 0) * drives.drive_unit())
    assert (shift[:, 0, 0] == 0).all()
    extra = (driven.state_cost - base.state_cost).sel(region="vinh_long", year=2027).sum("group")
    drive_cost = driven.drive_cost.sel(region="vinh_long", year=2027).sum("group")
    assert float(drive_cost.mean()) > 0
    pop = driven.population.sel(region="vinh_long", year=2027)
    voluntary = [g for g in driven.group.values if BY_ID[str(g)].voluntary]
    np.testing.assert_allclose(drive_cost.values, pop.sel(group=voluntary).sum("group").values
                               * drives.COST_PER_PERSON_REACHED, rtol=1e-9)
    # The premium subsidies move with the extra insured too; the drive's own cost is all in the local budget.
    local = (driven.state_cost_local - base.state_cost_local).sel(region="vinh_long", year=2027).sum("group")
    assert (local.values >= drive_cost.values - 1e-3).all() and (extra.values > 0).all()


def test_the_drive_lever_refuses_draws_without_a_fitted_pull():
    sc = simulator.load_scenario("vinh_long").with_reform({"drive": {2024: 1.0}})
    params = sample_prior(4, 0, ["vietnam", "vinh_long"]).drop_vars("target_pull")
    with pytest.raises(InputError, match="target_pull"):
        simulator.run(sc, params=params, seed=0)


def test_no_shipped_scenario_relies_on_a_hand_set_strength():
    """No plan states a log-odds strength and no data measure one (`outreach`, `enforcement`,
    `voluntary_outreach`): a shipped scenario's verdict must not hang on one, health or labour."""
    from covsim.simulator.inputs.levers import LEVERS
    hand_set = {name for name, lever in LEVERS.items() if lever.assumed}
    assert {"outreach", "enforcement", "voluntary_outreach"} <= hand_set
    for name in simulator.shipped_scenarios():
        sc = simulator.load_scenario(name)
        assert not hand_set & {path.partition(".")[0] for path in sc.reform}, name
        assert not any("set by hand" in line for line in sc.assumptions()), name


def test_assumed_numbers_are_listed_in_the_provenance_and_a_bad_assumed_path_is_refused(tmp_path):
    sc = simulator.load_scenario("dong_nai_plan_2013").with_reform({"drive": {2016: 0.5}})
    lines = sc.assumptions()
    assert any(line.startswith("state_share.pupil_student = 0.5 from 2015") for line in lines)
    assert any("drive cost" in line and "assumed" in line for line in lines)
    ds = simulator.run(sc, params=sample_prior(2, 0, ["vietnam", "dong_nai"]), seed=0)
    assert json.loads(ds.attrs["assumptions"]) == lines
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nbaseline = "dong_nai"\nassumed = ["state_share.poor"]\n'
                   '[reform]\n"state_share.near_poor" = { 2015 = 1.0 }\n')
    with pytest.raises(InputError, match="assumed.state_share.poor"):
        simulator.load_scenario(str(bad))


def test_solve_can_buy_coverage_with_the_drive_and_names_its_assumed_cost():
    from covsim.calibration import shipped
    from covsim.simulator.analysis import solve

    sc = simulator.load_scenario("vinh_long")
    params = shipped.draws_for("vinh_long", 30, 0)
    result = solve.solve(sc, params, 0, 0.9, 2020, 0.5, ["drive"], start=2018)
    lever = result["levers"][0]
    assert lever["lever"] == "drive" and lever["current"] == 0.0 and lever["value"] > 0.0
    assert result["feasible"] and result["probability"] >= 0.5 > result["current_probability"]
    assert result["extra_state_cost"]["total"] > 0  # the drive is paid for
    assert any("drive cost" in line for line in result["assumptions"])


def test_target_gaps_are_computed_once_per_data_and_cannot_be_changed(monkeypatch):
    """Every run prepares the same pull: it is kept (read-only) until the coverage table is reloaded."""
    from covsim.simulator.inputs import tables

    years = list(range(2015, 2031))
    first = drives.target_gaps(["lai_chau"], years)
    assert drives.target_gaps(["lai_chau"], years) is first
    assert not first.flags.writeable
    np.testing.assert_array_equal(first, drives._target_gaps(["lai_chau"], years))
    reloaded = tables.read_table("coverage")
    monkeypatch.setattr(tables, "table", lambda name: reloaded if name == "coverage" else tables.read_table(name))
    again = drives.target_gaps(["lai_chau"], years)
    assert again is not first
    np.testing.assert_array_equal(again, first)


def test_a_drive_with_no_unit_is_refused_by_the_engine_not_costed():
    """Known only by a day before any national target (mid-2012), the drive has no unit: through
    the Python API it changed nothing yet was costed at its strength (44 bn VND in Vĩnh Long 2015).
    The engine now refuses it, as the faces do."""
    from datetime import date

    from covsim import simulator
    from covsim.simulator.analysis import planning
    from covsim.simulator.errors import InputError
    from covsim.simulator.inputs.policy import Policy

    sc = simulator.load_scenario("vinh_long")
    policy = Policy.from_table().known_on(date(2012, 6, 1))
    ran = simulator.run(planning.with_levers(sc, {"drive": 0.0}, 2013), draws=4, seed=1, policy=policy)
    assert float(ran.drive_cost.sum()) == 0.0
    with pytest.raises(InputError, match="no national coverage target for 2015-2020 was decided by 2012-06-01"):
        simulator.run(planning.with_levers(sc, {"drive": 3.0}, 2013), draws=4, seed=1, policy=policy)
    later = Policy.from_table().known_on(date(2014, 6, 1))  # Decision 538 (2013) gives it a unit
    assert float(simulator.run(planning.with_levers(sc, {"drive": 3.0}, 2013), draws=4, seed=1,
                               policy=later).drive_cost.sum()) > 0
