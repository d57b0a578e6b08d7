"""Issue 38: nothing after a forecast's origin reaches it, by any path.

Forecasts are checked against outcomes the project does not ship, so an as-of run must be blind to
every row it could not have known: policy and targets decided later, figures of later years. The
tests beside this one change one kind of row at a time for the nation; this fence changes every
later row of every table at once and runs the as-of commands for the regions a planner asks about
(a seed province, a 2025 unit's seat, a province with its own plan, the labour schemes, the target
a plan is scored on). A leak found this way (s26: a merged unit's policy dropped its knowledge day)
had slipped past the one-table tests.
"""
from __future__ import annotations

import json
import shutil
from datetime import date

import pandas as pd
import pytest

from covsim.simulator.inputs import decisions, membership
from covsim.simulator.inputs import tables as data

from ..cli.test_cli import covsim


def _write(folder, name, table):
    table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


def _read(folder, name):
    return pd.read_csv(folder / f"{name}.csv", keep_default_na=False, dtype=str)


def _scale(table, rows, column, factor, cap=None):
    values = table.loc[rows, column].astype(float) * factor
    if cap is not None:
        values = values.clip(upper=cap)
    table.loc[rows, column] = values.map(repr)


def _later(table, origin, stand_in=()):
    """Rows of years after `origin`, but for the earliest row of a series none of whose rows is
    known by then: that one stands in (inputs/known.py, documented in docs/data.md)."""
    year = pd.to_numeric(table.year, errors="coerce")
    later = year > origin
    if stand_in:
        known = set(map(tuple, table.loc[year <= origin, list(stand_in)].itertuples(index=False)))
        for key, rows in table[later].groupby(list(stand_in), sort=False):
            if key not in known:
                later.loc[year[rows.index].idxmin()] = False
    return later


def _changed_policy(table, day):
    """Each row decided after `day` moved: shares halved (or raised from 0), money tripled, ages +3."""
    late = table.apply(lambda r: decisions.policy_decided(r.reference, date.fromisoformat(r.effective_from)) > day,
                       axis=1)
    value = table.value.astype(float)
    moved = value.where(~table.unit.eq("fraction"), value.map(lambda v: 0.2 if v == 0 else v * 0.6))
    moved = moved.where(~table.unit.str.startswith("VND"), value * 3)
    moved = moved.where(~table.unit.eq("years"), value + 3)
    table.loc[late, "value"] = moved[late].map(repr)
    return int(late.sum())


def poisoned(folder, origin: int, day: date | None = None) -> dict[str, int]:
    """A copy of the shipped data whose every row unknown to a run as of `origin` (figures up to it,
    policy and targets decided by `day`, default its end) is changed; the number of rows changed per
    table (so a test can see it is not empty)."""
    shutil.copytree(data.data_dir(), folder)
    day = day or date(origin, 12, 31)
    changed = {}
    for name in ("policy_parameters", "labour_policy"):
        table = _read(folder, name)
        changed[name] = _changed_policy(table, day)
        _write(folder, name, table)

    table = _read(folder, "coverage")
    year = table.year.astype(int)
    figures = table.kind.ne("planned") & (year > origin)
    target_day = table.source.map(decisions.target_decided)
    targets = table.kind.eq("planned") & target_day.map(lambda d: d is None or d > day)
    _scale(table, figures, "value", 0.8)
    _scale(table, targets, "value", 0.9)
    changed["coverage"] = int(figures.sum() + targets.sum())
    _write(folder, "coverage", table)

    for name, factor, stand_in in (("census", 1.1, ()), ("income", 3.0, ()), ("demography", 1.05, ("region", "parameter")),
                                   ("labour_force", 0.8, ("region", "parameter"))):
        table = _read(folder, name)
        later = _later(table, origin, stand_in)
        _scale(table, later, "value", factor)
        changed[name] = int(later.sum())
        _write(folder, name, table)

    table = _read(folder, "census_structure")  # shares that still sum to one
    later = _later(table, origin)
    for category, step in (("0-14", 0.04), ("15-64", -0.04), ("male", 0.01), ("female", -0.01)):
        rows = later & table.category.eq(category)
        table.loc[rows, "share"] = (table.loc[rows, "share"].astype(float) + step).map(repr)
    changed["census_structure"] = int(later.sum())
    _write(folder, "census_structure", table)

    # The group shares a run as of the day knows: the rest swap two groups' shares, cell by cell.
    table = _read(folder, "group_shares")
    known = membership.known_table(day)
    known_keys = set(map(tuple, known[["region", "sex", "age_from", "age_to", "group", "year"]].astype(str)
                         .itertuples(index=False)))
    unknown = ~table[["region", "sex", "age_from", "age_to", "group", "year"]].apply(tuple, axis=1).isin(known_keys)
    for _, rows in table[unknown].groupby(["region", "sex", "age_from", "age_to", "year", "source"], sort=False):
        if len(rows) >= 2:
            a, b = rows.index[:2]
            table.loc[[a, b], "share"] = table.loc[[b, a], "share"].to_numpy()
    changed["group_shares"] = int(unknown.sum())
    _write(folder, "group_shares", table)

    for name, flag in (("lai_chau_groups", None), ("lai_chau_districts", None)):
        table = _read(folder, name)
        later = table.year.astype(int) > origin
        _scale(table, later & table.insured.ne(""), "insured", 0.9)
        _scale(table, later & table.rate_stated.ne(""), "rate_stated", 0.9)
        table.loc[later & table.insured.ne(""), "insured"] = table.loc[later & table.insured.ne(""), "insured"] \
            .astype(float).round().astype(int).astype(str)
        changed[name] = int(later.sum())
        _write(folder, name, table)
    return changed


CASES = {
    "nation": (2012, ["forecast", "vietnam", "--until", "2012", "--to", "2020"]),
    "hcmc": (2012, ["forecast", "ho_chi_minh_city", "--until", "2012", "--to", "2020"]),
    "hcmc_plan": (2012, ["forecast", "ho_chi_minh_city", "--scenario", "ho_chi_minh_city_plan_2012",
                         "--until", "2012", "--to", "2020"]),
    "lai_chau_plan": (2016, ["target", "lai_chau", "--scenario", "lai_chau_plan_2016", "--target", "0.968",
                             "--year", "2020", "--until", "2016"]),
    "binh_duong_into_hcmc": (2015, ["forecast", "binh_duong", "--until", "2015", "--to", "2027"]),
    "dong_nai_plan": (2013, ["forecast", "dong_nai", "--scenario", "dong_nai_plan_2013", "--until", "2013",
                             "--to", "2027"]),
    # A target scored on the day it was set (the backtest's way): Decision 1167's 88.1% for 2019, as
    # of 28 Jun 2016: the figures up to 2015, what was decided by that day, 1167 itself included.
    "nation_on_1167s_day": (2015, ["target", "vietnam", "--target", "0.881", "--year", "2019", "--until", "2015",
                                   "--known", "2016-06-28"]),
    # Plan 72's own target as of the day it was set (3 Apr 2024): as of the end of 2023 alone the
    # plan was not yet decided, and is refused (test_as_of_later_events.py).
    "can_tho_plan": (2023, ["target", "can_tho", "--scenario", "can_tho_plan_2024", "--target", "0.9369",
                            "--year", "2024", "--until", "2023", "--known", "2024-04-03"]),
    "vinh_long": (2018, ["forecast", "vinh_long", "--until", "2018", "--to", "2022"]),
    "bhxh": (2017, ["forecast", "vietnam", "--scheme", "bhxh", "--until", "2017", "--to", "2022"]),
    "bhtn": (2017, ["forecast", "vietnam", "--scheme", "bhtn", "--until", "2017", "--to", "2022"]),
}


def _run(args, folder=None) -> dict:
    quick = ["--fast", "--quiet"] if args[0] == "forecast" else []  # target's as-of fit is the backtest's
    result = covsim(*args, *quick, "--draws", "60", "--json", env={"COVSIM_DATA_DIR": str(folder)} if folder else {})
    assert result.returncode == 0 and result.stdout, result.stderr
    out = json.loads(result.stdout)
    out["provenance"].pop("data_hash")  # the one thing that must differ
    out["provenance"].pop("data_dir")  # and where the tables were (COVSIM_DATA_DIR's folder, or none)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_row_unknown_at_the_origin_changed_at_once_leaves_an_as_of_run_alone(case, tmp_path):
    """Whole outputs compared, provenance too: an as-of run lists only the rows it could know."""
    origin, args = CASES[case]
    folder = tmp_path / "data"
    known = args[args.index("--known") + 1] if "--known" in args else None
    changed = poisoned(folder, origin, date.fromisoformat(known) if known else None)
    assert changed["policy_parameters"] > 0 and changed["coverage"] > 0 and changed["income"] > 0
    assert _run(args, folder) == _run(args)


def test_the_same_changes_made_from_an_earlier_year_do_move_the_run(tmp_path):
    """The fence can fail: rows known by 2012 but not by 2010, changed the same way, move the
    forecast as of 2012 and the rows it lists."""
    origin, args = CASES["hcmc"]
    folder = tmp_path / "data"
    poisoned(folder, origin - 2)
    moved, base = _run(args, folder), _run(args)
    assert moved["forecasts"] != base["forecasts"]


def test_a_former_province_as_of_before_the_merger_keeps_its_own_policy_past_2025(tmp_path):
    """The 2025 reorganisation (Resolution 202/2025, passed 12 Jun 2025) reached runs as of 2015:
    Bình Dương took HCMC's regional policy from 1 Jul 2025, which no planner of 2015 could have
    known (a helper's audit, s35). A top-up of HCMC's known since 2010 now leaves Bình Dương's
    forecast as of 2015 alone, to 2027; on the whole record, which knows the merger, it moves it."""
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    with open(folder / "policy_parameters.csv", "a", encoding="utf-8") as f:
        f.write("local_top_up,ho_chi_minh_city,near_poor,2010-01-01,0.3,fraction,assumed,a test's row,\n")
    args = ["forecast", "binh_duong", "--until", "2015", "--to", "2027"]
    assert _run(args, folder)["forecasts"] == _run(args)["forecasts"]
    whole = ["run", "binh_duong", "--draws", "20", "--json", "--quiet"]
    moved, base = (json.loads(covsim(*whole, env=env).stdout)["coverage"]["mean"]
                   for env in ({"COVSIM_DATA_DIR": str(folder)}, {}))
    years = list(range(2008, 2031))
    assert moved[years.index(2024)] == base[years.index(2024)]  # its own policy before the merger
    assert moved[years.index(2026)] > base[years.index(2026)]  # the unit's from 1 Jul 2025


def test_a_briefing_as_of_a_year_is_blind_to_every_later_row_in_its_numbers_and_its_words(tmp_path):
    """`brief --until` (s37): its JSON and the paper itself, word for word and chart for chart but for
    the data hash and the time it was made, are the same with every row unknown at the origin changed.
    Lai Chau as of 2015: no observed figure of its own (a later one would rightly be drawn, as what
    followed), and its plan's targets, decided on 9 Dec 2016, not yet known (nor the plan itself: a
    comparison with it as of 2015 is refused since 2026-12-05, test_as_of_later_events.py)."""
    import re

    folder = tmp_path / "data"
    changed = poisoned(folder, 2015)
    assert changed["policy_parameters"] > 0 and changed["coverage"] > 0

    def brief(name, data_folder):
        out = tmp_path / name
        result = covsim("brief", "lai_chau", "--target", "0.968", "--year", "2020", "--until", "2015",
                        "--lever", "near_poor=0.9", "--draws", "60",
                        "--lang", "en", "--out", str(out), "--json", env={"COVSIM_DATA_DIR": str(data_folder)})
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        data = printed["provenance"].pop("data_hash")
        assert printed["provenance"].pop("data_dir") == str(data_folder.resolve())  # the folder, said
        printed.pop("out")
        page = out.read_text(encoding="utf-8").replace(data, "DATA").replace(str(data_folder.resolve()), "FOLDER")
        return printed, re.sub(r"(Prepared at )[^<]*", r"\1TIME", page)

    import shutil

    from covsim.simulator.inputs import tables

    clean = tmp_path / "shipped"  # the shipped tables, copied: both briefings name a folder of their own
    shutil.copytree(tables.data_dir(), clean)
    poisoned_json, poisoned_page = brief("poisoned.html", folder)
    shipped_json, shipped_page = brief("shipped.html", clean)
    assert poisoned_json == shipped_json
    assert poisoned_page == shipped_page
