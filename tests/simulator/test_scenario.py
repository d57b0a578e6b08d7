"""Scenario validation, as a unit: every reform path, group, year and value checked before anything
is applied, and a scenario file's keys, region, years, scheme and baseline."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from covsim.simulator.errors import InputError
from covsim.simulator.inputs import scenario as sc
from covsim.simulator.inputs.levers import LEVERS
from covsim.simulator.inputs.policy import NATIONAL


def check(reform: dict) -> dict:
    return sc.validate_reform(reform, "f.toml", 2008, 2030)


def fails(reform: dict, key: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        check(reform)
    assert err.value.where == "f.toml" and err.value.key == key, str(err.value)
    assert message in err.value.message, str(err.value)


def test_a_valid_reform_is_parsed_per_path_and_year():
    out = check({"state_share": {"near_poor": {"2017": 1, "2020": 0.9}}, "outreach": {2018: -1.5}})
    assert out == {"state_share.near_poor": {2017: 1.0, 2020: 0.9}, "outreach": {2018: -1.5}}


def test_a_value_without_its_year_is_refused_not_applied_to_the_whole_record():
    # Applied from the first year, `"state_share.near_poor" = 1.0` rewrote 2009 onwards without a word.
    with pytest.raises(InputError, match=r"reform.base_salary: the year it takes effect is required, "
                                         r"e.g. \{ 2026 = 2340000 \}"):
        check({"base_salary": 2_340_000})


def test_a_year_with_a_decimal_point_is_named_as_such():
    # TOML reads `2017.5 = 1.0` as a dotted key: a table {'5': 1.0} under '2017'.
    with pytest.raises(InputError, match=r"reform.outreach.2017: a year is a whole number"):
        check({"outreach": {"2017": {"5": 1.0}}})


@pytest.mark.parametrize("reform, key, message", [
    ({"state_shar.near_poor": {2017: 1}}, "reform.state_shar.near_poor", "unknown lever (did you mean"),
    ({"state_share.near_pour": {2017: 1}}, "reform.state_share.near_pour", "unknown group 'near_pour'"),
    ({"household_member_factor.9": {2017: 1}}, "reform.household_member_factor.9", "unknown member rank"),
    ({"outreach.poor": {2017: 1}}, "reform.outreach.poor", "'outreach' takes no group"),
    ({"outreach": {2008: 1}}, "reform.outreach.2008", "year outside the scenario's years 2009..2030"),
    ({"outreach": {2031: 1}}, "reform.outreach.2031", "year outside"),
    ({"outreach": {2017: "high"}}, "reform.outreach.2017", "'high' is not a number; allowed: [-5, 5]"),
    ({"outreach": {2017: True}}, "reform.outreach.2017", "is not a number"),
    ({"premium_rate": {2017: 0.07}}, "reform.premium_rate.2017", "0.07 is out of range; allowed: [0, 0.06]"),
    ({"premium_rate": {2017: 5}}, "reform.premium_rate.2017", "5 is out of range (did you mean 0.05?); allowed"),
    ({"state_share.poor": {2017: -0.1}}, "reform.state_share.poor.2017", "out of range; allowed: [0, 1]"),
])
def test_a_bad_reform_names_its_key_and_what_is_allowed(reform, key, message):
    fails(reform, key, message)


def test_every_registered_path_is_accepted_at_its_bounds():
    for name, lever in LEVERS.items():
        for path in lever.paths():
            assert check({path: {2017: lever.lo, 2018: lever.hi}})[path] == {2017: lever.lo, 2018: lever.hi}


def test_regional_levers_set_the_region_and_national_levers_the_nation():
    s = sc.Scenario("x", "lai_chau", reform={"outreach": {2020: 1.0}, "base_salary": {2020: 3e6},
                                             "enforcement": {2020: 0.5}, "state_share.near_poor": {2020: 1.0}})
    keys = set(s.overrides())
    assert keys == {("outreach", "lai_chau", ""), ("base_salary", NATIONAL, ""), ("enforcement", NATIONAL, ""),
                    ("state_share", "lai_chau", "near_poor")}
    value = s.overrides()[("outreach", "lai_chau", "")].values[0]
    assert (value.start, value.value, value.kind) == (date(2020, 1, 1), 1.0, "assumed")


def test_with_reform_merges_years_and_validates():
    s = sc.load("lai_chau").with_reform({"outreach": {2020: 1.0}}).with_reform({"outreach": {2022: 2.0}})
    assert s.reform["outreach"] == {2020: 1.0, 2022: 2.0}
    with pytest.raises(InputError, match="out of range"):
        s.with_reform({"outreach": {2022: 9.0}})


def test_the_hash_follows_what_determines_the_run():
    a = sc.load("lai_chau")
    assert a.hash == sc.load("lai_chau").hash
    assert a.with_reform({"outreach": {2020: 1.0}}).hash != a.hash


def write(tmp_path, text: str):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, key, message", [
    ('region = "lai_chau"\ncolour = "red"\n', "colour", "unknown key"),
    ('name = "x"\n', "region", "missing; a baseline names its region"),
    ('region = "lai_chow"\n', "region", "unknown region 'lai_chow' (did you mean 'lai_chau', or 'lai_chau_2025', the "
                                         "unit it has been part of since 1 Jul 2025?)"),
    ('region = "ba_dinh"\n', "region", "unknown region 'ba_dinh' (did you mean"),  # nothing to add: no unit
    ('baseline = "lai_chau"\nregion = "can_tho"\n', "region", "differs from its baseline's region"),
    ('region = "lai_chau"\nstart = 2010\n', "start", "allowed: 2008"),
    ('region = "lai_chau"\nend = 2008\n', "end", "is not after start"),
    ('region = "lai_chau"\nend = 2051\n', "end", "is not a year in 2008..2050"),
    ('region = "lai_chau"\nscheme = "bhxx"\n', "scheme", "unknown scheme 'bhxx'; allowed: bhyt, bhxh, bhtn"),
    ('region = "lai_chau"\nreform = 3\n', "reform", "must be a table"),
    ('region = 3\n', "region", "must be a string"),
    # every output names its scenario: an empty name read "provenance: scenario ," without a word
    ('name = ""\nregion = "lai_chau"\n', "name", "is empty; allowed: a short id"),
    ('name = "  "\nbaseline = "lai_chau"\n', "name", "is empty"),
    # a lever named and never set was taken as setting nothing, silently
    ('baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = {}\n', "reform.state_share.near_poor",
     "is an empty table: it sets nothing"),
])
def test_a_bad_scenario_file_names_its_key(tmp_path, text, key, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        sc.load(path)
    assert err.value.where == str(path) and err.value.key == key, str(err.value)
    assert message in err.value.message, str(err.value)


def test_a_reform_file_inherits_its_baseline(tmp_path):
    path = write(tmp_path, 'baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2017 = 1.0 }\n')
    s = sc.load(path)
    base = sc.load("lai_chau")
    assert (s.region, s.start, s.end, s.scheme, s.baseline) == (base.region, base.start, base.end, base.scheme, "lai_chau")
    assert s.reform["state_share.near_poor"] == {2017: 1.0}


def test_unknown_scenario_name_lists_the_shipped_ones():
    with pytest.raises(InputError, match="no shipped scenario of that name"):
        sc.load("lai_chau_nope")


def test_a_hand_set_strength_is_listed_as_assumed_whether_or_not_the_file_says_so(tmp_path):
    """A user's file that sets the log-odds outreach (no plan states it, no data measure it) lists it
    with every result; declared in `assumed`, it is listed once, as the plans' enforcement is."""
    path = tmp_path / "o.toml"
    path.write_text('name = "o"\nbaseline = "lai_chau"\n[reform]\noutreach = { 2026 = 0.5 }\n')
    (line,) = sc.load(path).assumptions()
    assert line.startswith("outreach = 0.5 from 2026") and "set by hand" in line
    path.write_text('name = "o"\nbaseline = "lai_chau"\nassumed = ["outreach"]\n[reform]\noutreach = { 2026 = 0.5 }\n')
    assert sc.load(path).assumptions() == ["outreach = 0.5 from 2026 (not in the source)"]
    path.write_text('name = "o"\nbaseline = "vinh_long"\nscheme = "bhxh"\nassumed = ["enforcement"]\n'
                    '[reform]\nenforcement = { 2018 = 0.5 }\nvoluntary_outreach = { 2018 = 0.5 }\n')
    lines = sc.load(path).assumptions()  # declared: once, as the source's gap; not declared: set by hand
    assert sum(line.startswith("enforcement") for line in lines) == 1
    assert any(line.startswith("enforcement = 0.5 from 2018 (not in the source)") for line in lines)
    assert any(line.startswith("voluntary_outreach = 0.5 from 2018") and "set by hand" in line for line in lines)


def test_a_top_up_the_state_cannot_pay_in_full_is_said_with_what_it_counts_for():
    """The state pays at most the whole premium, and a province's state share sets the total: a
    top-up beyond either counts for less than it says (or nothing), from the first year it does."""
    from covsim import simulator

    base = simulator.load_scenario("vinh_long")
    assert base.with_reform({"local_top_up.farm_household": {2018: 0.5}}).capped() == []
    (over,) = base.with_reform({"local_top_up.farm_household": {2018: 0.9}}).capped()
    assert (over["counts_as"], over["from"], over["national"]) == (0.7, 2018, 0.3)
    (moot,) = base.with_reform({"local_top_up.household": {2018: 0.2},
                                "state_share.household": {2020: 0.8}}).capped()
    assert moot["counts_as"] is None and moot["from"] == 2020 and "state_share.household sets the total" in moot["why"]
    # what it says is what the budget pays: the local part of the premium is capped so
    policy = base.with_reform({"local_top_up.farm_household": {2018: 0.9}}).policy()
    assert policy.state_share(2019, "vinh_long", "farm_household") == pytest.approx((0.3, 0.7))


def test_a_state_share_under_the_national_one_is_said_to_be_a_test_of_national_policy():
    """Near-poor at 50% in Vinh Long from 2018, under the national 70%: the national budget's part
    falls with it, which no province can do; every run says so rather than show it as a saving."""
    from covsim import simulator

    base = simulator.load_scenario("vinh_long")
    low = base.with_reform({"state_share.near_poor": {2018: 0.5}})
    assert low.below_national() == [{"path": "state_share.near_poor", "value": 0.5, "national": 0.7, "from": 2018}]
    assert low.policy().state_share(2019, "vinh_long", "near_poor") == pytest.approx((0.5, 0.0))  # as said
    assert base.with_reform({"state_share.near_poor": {2018: 0.9}}).below_national() == []
    run = simulator.run(dataclasses.replace(low, end=2019), draws=2, seed=0)
    from covsim.simulator.schemes.provenance import record

    assert record(run.attrs)["below_national"] == low.below_national()
    # Pupils at 40% from 2025: over the national 30% until 15 August, under its 50% from then. The
    # yearly mean of the national share (37.6%) had hidden it; the share named is the one in force.
    mid = base.with_reform({"state_share.pupil_student": {2025: 0.4}})
    assert mid.below_national() == [{"path": "state_share.pupil_student", "value": 0.4, "national": 0.5, "from": 2025}]


def test_a_provinces_state_share_says_which_of_its_own_top_ups_it_ends():
    """HCMC's pupils' share set to 40% from 2020 also ends the city's own 50% top-up of 2026 (a total
    of 100%): pupils' coverage falls then. Only the national rise was listed; the top-up is too."""
    from covsim import simulator

    hcmc = simulator.load_scenario("ho_chi_minh_city")
    listed = hcmc.with_reform({"state_share.pupil_student": {2020: 0.4}}).supersedes()
    assert [(r["from"], r["replaces"]) for r in listed] == [("2025-08-15", 0.5), ("2026-01-01", 1.0)]
    assert "top-up of 50%" in listed[1]["reference"]
    unit = simulator.load_scenario("ho_chi_minh_city_2025")  # the unit's top-ups are its seat's
    listed = unit.with_reform({"state_share.pupil_student": {2026: 0.6}}).supersedes()
    assert [(r["from"], r["replaces"]) for r in listed] == [("2026-01-01", 1.0)]
    assert hcmc.with_reform({"state_share.pupil_student": {2027: 1.0}}).supersedes() == []  # the total it keeps


def test_a_changed_copy_under_a_shipped_name_is_refused_and_an_unchanged_one_taken(tmp_path, monkeypatch):
    """A copy of a plan edited under its name was briefed as the plan, the user's change credited to
    the province's decision; by its file name too (no `name`), and a 2025 unit's baseline alike."""
    text = sc.shipped()["lai_chau_plan_2016"].read_text(encoding="utf-8")
    same = tmp_path / "lai_chau_plan_2016.toml"
    same.write_text(text, encoding="utf-8")
    assert sc.load(str(same)).reform == sc.load("lai_chau_plan_2016").reform  # an unchanged copy is that plan
    same.write_text(text + '\n"state_share.household" = { 2017 = 0.5 }\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        sc.load(str(same))
    assert err.value.key == "name" and "is the shipped scenario's, which this file changes" in str(err.value)
    unit = tmp_path / "mine.toml"
    unit.write_text('name = "can_tho_2025"\nregion = "can_tho_2025"\nend = 2035\n', encoding="utf-8")
    with pytest.raises(InputError, match="its name 'can_tho_2025' is the baseline of region can_tho_2025"):
        sc.load(str(unit))
    # a file or folder here named like the region is not what the copy is compared with (it recursed)
    (tmp_path / "can_tho_2025").write_text(unit.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="is the baseline of region can_tho_2025"):
        sc.load("mine.toml")
    # a copy that changes only its source is a change too: the plan's document would be cited for it
    same.write_text(text.replace('source = "Lai Chau PPC', 'source = "my notes, after Lai Chau PPC', 1), encoding="utf-8")
    with pytest.raises(InputError, match="is the shipped scenario's, which this file changes"):
        sc.load(str(same))
    unit.write_text('name = "can_tho_mine"\nregion = "can_tho_2025"\nend = 2035\n', encoding="utf-8")
    assert sc.load(str(unit)).name == "can_tho_mine"


def test_a_scenario_that_is_its_own_baseline_is_one_line_not_a_recursion(tmp_path):
    """At once or through another file: a RecursionError's traceback before (a helper's audit)."""
    own = tmp_path / "self.toml"
    own.write_text('baseline = "self.toml"\n', encoding="utf-8")
    (tmp_path / "a.toml").write_text('baseline = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('baseline = "a.toml"\n', encoding="utf-8")
    for path, chain in ((own, "self.toml"), (tmp_path / "a.toml", "a.toml -> b.toml")):
        with pytest.raises(InputError) as err:
            sc.load(path)
        assert err.value.key == "baseline" and f"circular: the scenario is its own baseline (through {chain})" in str(
            err.value)


def test_a_lever_written_both_as_a_quoted_and_as_a_dotted_key_is_refused_not_half_dropped(tmp_path):
    """TOML keeps "state_share.near_poor" and state_share.near_poor apart; flattened, one table of
    years replaced the other and a year was lost without a word."""
    path = write(tmp_path, 'baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2026 = 0.5 }\n'
                           '"state_share".near_poor = { 2027 = 0.6 }\n')
    with pytest.raises(InputError) as err:
        sc.load(path)
    assert err.value.where == str(path) and err.value.key == "reform.state_share.near_poor"
    assert "given twice" in err.value.message


def test_a_scenario_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + 'baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2026 = 0.9 }\n'
                     .encode("utf-8"))
    assert sc.load(path).reform["state_share.near_poor"] == {2026: 0.9}


def test_a_lever_set_per_group_given_without_one_says_how_to_name_it(tmp_path):
    path = write(tmp_path, 'baseline = "lai_chau"\n[reform]\n"state_share" = { 2026 = 0.9 }\n')
    with pytest.raises(InputError) as err:
        sc.load(path)
    assert err.value.key == "reform.state_share" and "as 'state_share.GROUP'" in err.value.message
    assert "near_poor" in err.value.message


@pytest.mark.parametrize("text", ['household_member_factor.1 = { 2026 = 0.7 }\n',
                                  '[reform.household_member_factor]\n"1" = { 2026 = 0.7 }\n'])
def test_a_lever_whose_groups_are_numbers_takes_them_as_groups_not_years(tmp_path, text):
    head = 'baseline = "lai_chau"\n' + ("[reform]\n" if not text.startswith("[") else "")
    path = write(tmp_path, head + text)
    assert sc.load(path).reform["household_member_factor.1"] == {2026: 0.7}


def test_a_workbook_named_as_the_region_it_changes_is_no_circle(tmp_path):
    """A region run as its baseline is no file: a workbook vinh_long_2025.xlsx changing the unit
    vinh_long_2025 is not its own baseline."""
    from covsim.simulator.inputs import scenario_excel

    from .test_scenario_excel import fill

    book = tmp_path / "vinh_long_2025.xlsx"
    scenario_excel.write_template(book)
    fill(book, head=("vl_support", "vinh_long_2025", "d", "s"), rows=[("state_share.near_poor", 2027, 1.0)])
    assert sc.load(book).region == "vinh_long_2025"


def test_a_shipped_scenario_named_unlike_its_file_is_refused(tmp_path, monkeypatch):
    """`covsim scenarios` listed a shipped file by its `name`, and `covsim run` with that name found no
    file of it: a shipped scenario is named as its file, or the mismatch is one line naming both."""
    for name in ("lai_chau", "vietnam"):
        (tmp_path / f"{name}.toml").write_text(sc.shipped()[name].read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "lai_chau_mismatch.toml").write_text(
        'name = "lai_chau_pupils"\nbaseline = "lai_chau"\n\n[reform]\n"state_share.pupil_student" = { 2026 = 0.6 }\n',
        encoding="utf-8")
    monkeypatch.setattr(sc, "shipped_dir", lambda: tmp_path)
    with pytest.raises(InputError) as err:
        sc.load("lai_chau_mismatch")
    assert err.value.key == "name" and "'lai_chau_pupils' differs from the file's name 'lai_chau_mismatch'" in str(err.value)
    (tmp_path / "lai_chau_mismatch.toml").write_text(
        'baseline = "lai_chau"\n\n[reform]\n"state_share.pupil_student" = { 2026 = 0.6 }\n', encoding="utf-8")
    assert sc.load("lai_chau_mismatch").name == "lai_chau_mismatch"  # no name key: the file's
    # a user's own file may bear any name
    mine = tmp_path.parent / "elsewhere.toml"
    mine.write_text('name = "my_try"\nbaseline = "lai_chau"\n', encoding="utf-8")
    assert sc.load(str(mine)).name == "my_try"
