"""The lever registry: a lever declared once is accepted by scenarios, moved by `solve`, varied by
`sensitivity` and shown on the dashboard. The lever is docs/extending.md's recipe, read from there."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from covsim import simulator
from covsim.calibration import shipped
from covsim.simulator.analysis import planning, sensitivity, solve
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import levers

RECIPE = Path(__file__).parents[2] / "docs" / "extending.md"
PATH = "pupil_support.pupil_student"


def recipe_lever() -> levers.Lever:
    """The lever the recipe declares, run as the recipe's Python block."""
    text = RECIPE.read_text(encoding="utf-8")
    block = re.search(r"## Add a lever.*?```python\n(.*?)```", text, re.S).group(1)
    space: dict = {}
    exec(block, space)  # noqa: S102 - our own documentation, checked here on purpose
    return space["LEVER"]


@pytest.fixture
def new_lever(monkeypatch):
    """The recipe's lever, registered here; or as a contributor who followed the recipe registered it."""
    lever = recipe_lever()
    if lever.name in levers.LEVERS:
        assert levers.LEVERS[lever.name] == lever, "levers.py's entry differs from docs/extending.md's"
    else:
        monkeypatch.setitem(levers.LEVERS, lever.name, lever)
    return lever


@pytest.fixture(scope="module")
def lai_chau():
    return simulator.load_scenario("lai_chau"), shipped.draws_for("lai_chau", 30, 0)


def test_scenario_accepts_the_new_lever_and_checks_its_range(new_lever, lai_chau):
    scenario, _ = lai_chau
    assert PATH in levers.lever_paths()
    reform = scenario.with_reform({PATH: {2020: 0.25}})
    national, local = reform.policy().state_share(2021, "lai_chau", "pupil_student")
    before = scenario.policy().state_share(2021, "lai_chau", "pupil_student")
    assert national == pytest.approx(before[0])
    assert national + local == pytest.approx(min(1.0, before[0] + 0.25))  # the province's own value
    assert planning.lever_value(reform, PATH, 2021) == pytest.approx(0.25)
    with pytest.raises(InputError, match=r"out of range; allowed: \[0, 1\] share of the premium"):
        scenario.with_reform({PATH: {2020: 1.5}})
    with pytest.raises(InputError, match="unknown group"):
        scenario.with_reform({"pupil_support.poor": {2020: 0.5}})


def test_the_new_lever_is_checked_as_the_value_it_sets(new_lever, lai_chau):
    """It sets the local top-up of pupils: a top-up beyond what the national share leaves is said
    to be capped as `local_top_up`'s is, and setting both would drop one without a word: refused."""
    scenario, _ = lai_chau
    capped = scenario.with_reform({PATH: {2026: 0.9}}).capped()
    assert [(c["path"], c["counts_as"]) for c in capped] == [(PATH, pytest.approx(0.5))]
    assert capped == [dict(c, path=PATH) for c in
                      scenario.with_reform({"local_top_up.pupil_student": {2026: 0.9}}).capped()]
    with pytest.raises(InputError, match=r"reform.pupil_support.pupil_student: sets the same value as "
                                         r"reform.local_top_up.pupil_student \(local_top_up, pupil_student\)"):
        scenario.with_reform({"local_top_up.pupil_student": {2026: 0.1}, PATH: {2026: 0.4}})
    plan = scenario.with_reform({"local_top_up.pupil_student": {2026: 0.1}})
    with pytest.raises(InputError, match="sets the same value as"):
        plan.set_from({PATH: 0.4}, 2027)


def test_without_the_registry_entry_the_path_is_unknown(lai_chau):
    if recipe_lever().name in levers.LEVERS:
        pytest.skip("the recipe's lever is registered in levers.py")
    scenario, _ = lai_chau
    with pytest.raises(InputError, match="unknown lever"):
        scenario.with_reform({PATH: {2020: 0.25}})


def test_solve_moves_the_new_lever(new_lever, lai_chau):
    scenario, params = lai_chau
    base = simulator.run(scenario, params=params, seed=0)
    # Just above the middle draw, so that under half reach it today: pupils are 2.7% of Lai Chau's
    # people since its group sizes follow its plan's annex, so a wider step is beyond any support for
    # them, and a fixed step (a tenth of a point) fell between two draws after a refit.
    values = np.sort(planning.region_coverage(base, scenario).sel(year=2020).values)
    target = float(values[values.size // 2]) + 1e-6
    assert planning.target_report(base, scenario, target, 2020)["probability"] < 0.5
    result = solve.solve(scenario, params, 0, target, 2020, 0.5, [PATH], start=2017)
    assert result["feasible"], result
    (row,) = result["levers"]
    # a top-up counts up to what the national share leaves (30% for pupils in 2017): solve's range ends there
    from covsim.simulator.schemes import scheme

    national, _ = scheme("bhyt").policy(scenario).state_share(2017, scenario.region, "pupil_student")
    assert national == pytest.approx(0.3)
    assert row["lever"] == PATH and row["max"] == pytest.approx(min(new_lever.hi, 1 - national)) == 0.7
    assert row["value"] > row["current"] + 1e-6  # moved up from the level in force


def test_solve_refuses_a_lever_the_registry_does_not_let_it_move(lai_chau):
    scenario, params = lai_chau
    with pytest.raises(InputError, match="solve does not move this lever"):
        solve.solve(scenario, params, 0, 0.95, 2020, 0.5, ["outreach"], start=2017)


def test_sensitivity_varies_the_new_lever(new_lever, lai_chau):
    """Beside the state share of its group (the default set) it is part of that total, which moots
    it: said, not varied; the state share then moves coverage (it was overwritten by the top-up)."""
    scenario, params = lai_chau
    table = sensitivity.factors(params, scenario, 2017)
    assert PATH not in set(table.factor)
    assert table.attrs["part_of_total"] == [f"{PATH} (part of state_share.pupil_student, varied)"]
    mid = ((table.lo + table.hi) / 2).to_numpy()
    X = np.vstack([mid, mid])
    j = int(np.flatnonzero(table.factor == "state_share.pupil_student")[0])
    X[0, j], X[1, j] = table.lo.iloc[j], table.hi.iloc[j]
    low, high = sensitivity.coverage_at(scenario, params, table, X, 2020, 2017)
    assert high > low
    # On its own it is varied.
    others = tuple(p for p in levers.sensitivity_paths() if p != "state_share.pupil_student")
    table = sensitivity.factors(params, scenario, 2017, levers=others)
    row = table[table.factor == PATH]
    assert len(row) == 1 and row.kind.iloc[0] == "lever" and row.hi.iloc[0] == new_lever.hi
    # At the lever's low and high end, everything else at its middle: coverage rises with it.
    mid = ((table.lo + table.hi) / 2).to_numpy()
    X = np.vstack([mid, mid])
    j = int(np.flatnonzero(table.factor == PATH)[0])
    X[0, j], X[1, j] = table.lo.iloc[j], table.hi.iloc[j]
    low, high = sensitivity.coverage_at(scenario, params, table, X, 2020, 2017)
    assert high > low


def test_dashboard_shows_the_new_lever(new_lever):
    from covsim.dashboard import compute, i18n, layout

    spec = next(s for s in compute.lever_specs() if s["path"] == PATH)
    assert spec["kind"] == "share" and spec["schemes"] == ("bhyt",)
    ids = [c.id for c in _walk(layout.controls()) if isinstance(getattr(c, "id", None), dict)]
    assert layout.lever_id(PATH) in ids
    assert i18n.t("pupil_support.column", "en") == "Pupil support (%)"
    assert i18n.t("pupil_support.column", "vi") == "Tỉnh hỗ trợ HSSV (%)"


def test_voluntary_bhxh_support_is_on_its_own_table_shown_on_the_bhxh_page_only():
    """Its groups (poor, near-poor, other voluntary members) are not the health groups: a table of
    its own, its `other` named as the lever means it (not BHTN's workers not required to join), and
    hidden on the health page the dashboard opens on, as the health shares are on the BHXH page."""
    from covsim.dashboard import i18n, layout

    blocks = [c for c in _walk(layout.controls()) if isinstance(getattr(c, "id", None), dict)
              and c.id.get("type") == "lever-block"]
    voluntary = [b for b in blocks if any(getattr(c, "id", None) == layout.lever_id("voluntary_subsidy.other")
                                          for c in _walk(b))]
    assert len(voluntary) == 1 and voluntary[0].id["schemes"] == "bhxh"
    assert voluntary[0].style == {"display": "none"}  # the page opens on health insurance
    paths = {c.id["path"] for c in _walk(voluntary[0]) if isinstance(getattr(c, "id", None), dict)
             and c.id.get("type") == "lever"}
    assert paths == {"voluntary_subsidy__poor", "voluntary_subsidy__near_poor", "voluntary_subsidy__other"}
    assert layout.block_style("bhxh", "bhxh") != {"display": "none"}
    assert layout.block_style("bhyt", "bhxh") == {"display": "none"}
    assert i18n.t("voluntary_subsidy.other", "en").startswith("Other voluntary members")
    assert i18n.t("voluntary_subsidy.other", "en") != i18n.group_label("other", "en")
    assert i18n.t("state_share.near_poor", "en") == i18n.group_label("near_poor", "en")


def test_a_labour_lever_starts_from_the_labour_rules_in_force():
    """The 2024 law's voluntary support (labour_policy.csv, from 1 July 2025) is what a BHXH run
    reads; the page's box and `brief` start from it, not from the 2018 rows of the health policy."""
    from covsim.simulator.schemes import labour

    sc = simulator.load_scenario("vietnam").with_scheme("bhxh")
    rules = labour.labour_policy()
    for year in (2019, 2026):
        for g in ("poor", "near_poor", "other"):
            want = rules.level_on("voluntary_bhxh_subsidy", date(year, 12, 31), "vietnam", g)
            assert planning.lever_value(sc, f"voluntary_subsidy.{g}", year) == pytest.approx(want)
    assert planning.lever_value(sc, "voluntary_subsidy.poor", 2026) > planning.lever_value(sc, "voluntary_subsidy.poor",
                                                                                          2019)


def test_a_shown_group_lever_with_none_of_its_groups_offered_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="lever 'poor_support': dashboard/sensitivity offer none of its groups poor"):
        levers.Lever("poor_support", "local_top_up", 0.0, 1.0, "share of the premium", levers.HEALTH,
                     groups=("poor",), dashboard=True, label={}, description={})
    levers.Lever("poor_support", "local_top_up", 0.0, 1.0, "share of the premium", levers.HEALTH,
                 groups=("poor",), dashboard=True, offered=("poor",), label={}, description={})


def test_every_dashboard_lever_has_its_labels_in_both_languages():
    for lever in levers.dashboard_levers():
        for texts in (lever.label, lever.description) + ((lever.column,) if lever.groups else ()):
            assert set(texts) == {"vi", "en"} and all(texts.values()), lever.name


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def test_solve_and_sensitivity_take_the_schemes_from_the_lever_registry(monkeypatch, lai_chau):
    """Which schemes `solve` and `sensitivity` work on is what the levers declare, not a name test:
    BHXH since its voluntary support may be moved; BHTN refused until a lever of its own may be."""
    import dataclasses

    labour = dataclasses.replace(lai_chau[0], scheme="bhtn")
    assert levers.schemes_with("solvable") == ("bhyt", "bhxh")
    with pytest.raises(InputError, match="allowed: a scenario of scheme bhyt, bhxh "):
        solve.solve(labour, None, 0, 0.9, 2030, 0.5, ["near_poor"])
    with pytest.raises(InputError, match="allowed: a scenario of scheme bhyt "):
        sensitivity.sobol(labour, None, 2030)
    with pytest.raises(InputError, match="near_poor: acts on bhyt only, not on this bhxh run; allowed: "
                                         "voluntary_subsidy.GROUP"):  # it would change nothing, priced
        solve.solve(dataclasses.replace(labour, scheme="bhxh"), None, 0, 0.9, 2030, 0.5, ["near_poor"])
    moved = dataclasses.replace(levers.LEVERS["enforcement"], solvable=True)
    monkeypatch.setitem(levers.LEVERS, "enforcement", moved)
    assert levers.schemes_with("solvable") == ("bhyt", "bhxh", "bhtn")
    # `sensitivity` varies shares and drives only: a lever declared for it on another parameter is
    # refused where it is declared, not at every later `covsim sensitivity`
    with pytest.raises(ValueError, match="sensitivity=True needs a parameter it can vary, one of state_share"):
        dataclasses.replace(levers.LEVERS["enforcement"], sensitivity=True)
    # a lever on a parameter no run reads (misspelt) ran without effect and let check-data accept
    # rows of that name: refused where it is declared, with the nearest name
    with pytest.raises(ValueError, match="parameter 'local_topup' is read by no run .did you mean 'local_top_up'"):
        dataclasses.replace(levers.LEVERS["local_top_up"], parameter="local_topup")
    with pytest.raises(InputError, match="does not move this lever"):  # past the scheme check
        solve.solve(labour, None, 0, 0.9, 2030, 0.5, ["voluntary_outreach"])


def test_a_2025_units_levels_in_force_are_its_seats_under_the_units_policy():
    """HCMC's own 50% top-up gives the merged city's pupils 100% from 2026, as its runs take it; the
    level in force was read at the unit's id, which has no rows: 50%. `solve` then measured its
    'current policy' without the top-up, and a brief at 50% cut the share unannounced."""
    from covsim.simulator.analysis import solve
    from covsim.simulator.inputs import scenario as scenario_mod

    unit = scenario_mod.load("ho_chi_minh_city_2025")
    seat = scenario_mod.load("ho_chi_minh_city")
    for path in ("state_share.pupil_student", "local_top_up.pupil_student", "state_share.near_poor"):
        assert planning.lever_value(unit, path, 2027) == pytest.approx(planning.lever_value(seat, path, 2027))
    assert planning.lever_value(unit, "state_share.pupil_student", 2027) == pytest.approx(1.0)
    params = simulator.sample_prior(4, 0, ["binh_duong", "ba_ria_vung_tau", "ho_chi_minh_city"])
    problem = solve.Problem(unit, params, 0, 0.9, 2030, ["state_share.pupil_student"], 2027)
    assert problem.lo[0] == pytest.approx(1.0)
    assert [v for _, v in problem.enacted["state_share.pupil_student"]] == pytest.approx([1.0])
    # the current policy, solve's floor, is the unit's own run: the same coverage, draw by draw
    current = problem.run(problem.lo).coverage_total.sel(region="ho_chi_minh_city_2025", year=2030).values
    own = simulator.run(unit, params=params, seed=0).coverage_total.sel(region="ho_chi_minh_city_2025", year=2030)
    np.testing.assert_allclose(current, own.values, rtol=1e-12)
