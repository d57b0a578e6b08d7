"""The group fit (issue #39, item 2): observed group figures are fitted, plans' group targets are
only shown, and the model's coverage of a group figure is that of the people it counts."""
from __future__ import annotations

import dataclasses

import numpy as np

from covsim import simulator
from covsim.calibration import group_fit, health_fit


def test_observed_group_figures_are_in_the_fit_and_targets_are_not():
    fitted = health_fit.fitted_observations("ho_chi_minh_city", None)
    assert ((fitted.region == "vietnam") & (fitted.group == "near_poor") & (fitted.year == 2011)).any()
    assert (fitted.kind == "observed").all()
    shown = group_fit.points("ho_chi_minh_city")
    assert set(shown[shown.fitted].kind) == {"observed"}
    assert not shown[shown.group.str.startswith("plan6_")].fitted.any()


def test_plan_era_groups_map_through_the_crosswalk():
    assert sorted(group_fit.groups_of("plan6_poor_near_poor")) == ["near_poor", "poor"]
    assert group_fit.groups_of("law1") == ["employee"]
    assert group_fit.groups_of("no_such_group") is None


def test_lai_chau_annex_is_shown_as_planned_per_group():
    annex = group_fit.annex_points()
    household = annex[(annex.group == "household") & (annex.year == 2016)].value.iloc[0]
    assert abs(household - 6173 / 22530) < 1e-12  # row V: 27.4% planned
    assert set(annex.kind) == {"planned"}


def test_model_value_is_the_insured_share_of_the_groups_counted():
    sc = dataclasses.replace(simulator.load_scenario("vietnam"), end=2012)
    ds = simulator.run(sc, draws=30, seed=1)
    rows = group_fit.table(ds, "vietnam")
    near = rows[(rows.group == "near_poor") & (rows.year == 2011)].iloc[0]
    direct = ds.coverage.sel(region="vietnam", year=2011, group="near_poor").values
    assert near.fitted and near.value == 0.26
    np.testing.assert_allclose(near.q50, np.quantile(direct, 0.5))
    assert near.q10 <= near.q50 <= near.q90
