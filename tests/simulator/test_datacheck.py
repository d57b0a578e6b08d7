"""The ingestion check finds the seeds' own faults, and a corrupt table is refused by name.

The README of the seeds lists the known faults; the check finds those and the further faults of the
same annex that the same arithmetic exposes (pinned below, one by one), and nothing else.
"""
from __future__ import annotations

import shutil

import pytest

from covsim.simulator.inputs.tables import SCHEMAS, data_dir, read_table
from covsim.simulator.inputs.datacheck import (OPTIONAL_TABLES, RATE_TOLERANCE_POINTS, TARGET_TOLERANCE_POINTS, Finding, check_all, check_plan_tables)
from covsim.simulator.errors import InputError

SHIPPED = [n for n in SCHEMAS if n not in OPTIONAL_TABLES or (data_dir() / f"{n}.csv").exists()]

#: The faults listed in the seeds' README ("Known faults").
README_FAULTS = {
    # Lai Chau: stated 2020 target 96.8% against the annexes' own 97.00%, in both annexes.
    ("lai_chau_districts.csv", "2020 row total"),
    ("lai_chau_groups.csv", "2020 row total"),
    # Lai Chau group annex, 2017: group 1 33,264 of 33,264 at 95.47%.
    ("lai_chau_groups.csv", "2017 row I"),
    # ... and its "non-state enterprises" row 3,165 of 3,165 at 64%.
    ("lai_chau_groups.csv", "2017 row I.3"),
    # Six-group plans: overall target unverifiable without group sizes.
    ("coverage.csv", "ho_chi_minh_city 2015 bhyt"),
    ("coverage.csv", "ho_chi_minh_city 2020 bhyt"),
    ("coverage.csv", "dong_nai 2015 bhyt"),
    ("coverage.csv", "dong_nai 2020 bhyt"),
}

#: Further faults of the Lai Chau group annex found by the same checks (not in the README).
FURTHER_FAULTS = {
    ("lai_chau_groups.csv", "2016 row I.3"),    # 1,896 / 3,067 = 61.82%, printed 61,90
    ("lai_chau_groups.csv", "2016 row I"),      # group 1 population 33,826; subgroups sum to 32,830
    ("lai_chau_groups.csv", "2016 row total"),  # groups sum to 440,650 people, total says 439,650
    ("lai_chau_groups.csv", "2017 row total"),  # groups sum to 425,799 insured (group 1's 33,264), total 424,291
    ("lai_chau_groups.csv", "2016 row III"),    # group 3's subgroups exceed it by 7-8 people, every year
    ("lai_chau_groups.csv", "2017 row III"),
    ("lai_chau_groups.csv", "2018 row III"),
    ("lai_chau_groups.csv", "2019 row III"),
    ("lai_chau_groups.csv", "2020 row III"),
    # Section III.4.1: state-paid group and pupils at 100% "from 2016 onwards"; the annex plans less.
    ("lai_chau_groups.csv", "2016 law3"),
    ("lai_chau_groups.csv", "2017 law3"),
    ("lai_chau_groups.csv", "2018 law3"),
    ("lai_chau_groups.csv", "2016 pupil_student"),
    ("lai_chau_groups.csv", "2017 pupil_student"),
}


#: Rows with two faults: 2017 group 1 has a 100% count at 95.47% *and* an insured figure that is not
#: the sum of its subgroups (32,910).
TWICE = {("lai_chau_groups.csv", "2017 row I")}


def _keys(findings):
    return [(f.file, f.key.split(" (")[0]) for f in findings]


def _by_key(findings):
    """Each (file, key) with the messages of its findings joined."""
    out = {}
    for f in findings:
        k = (f.file, f.key.split(" (")[0])
        out[k] = (out[k] + " | " + f.message) if k in out else f.message
    return out


@pytest.fixture(scope="module")
def findings():
    return check_plan_tables()


@pytest.fixture
def copy(tmp_path):
    for name in SHIPPED:
        shutil.copy(data_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


# The shipped tables --------------------------------------------------------------------------

def test_finds_exactly_the_known_faults(findings):
    keys = _keys(findings)
    assert README_FAULTS <= set(keys)
    assert sorted(keys) == sorted(list(README_FAULTS | FURTHER_FAULTS) + list(TWICE))


def test_lai_chau_2020_target_against_both_annexes(findings):
    by = _by_key(findings)
    for file in ("lai_chau_districts.csv", "lai_chau_groups.csv"):
        message = by[(file, "2020 row total")]
        assert "96.8" in message and "97.00" in message and "461,853 / 476,156" in message
    # 2016-2019 differ from their targets only by the plan's truncation (93.28 vs 93.2, 96.06 vs 96.0).
    for year in (2016, 2017, 2018, 2019):
        assert ("lai_chau_districts.csv", f"{year} row total") not in by


def test_counts_equal_but_rate_not_100(findings):
    by = _by_key(findings)
    group1 = by[("lai_chau_groups.csv", "2017 row I")]
    assert "33,264 of 33,264" in group1 and "95.47" in group1 and "32,910" in group1
    non_state = by[("lai_chau_groups.csv", "2017 row I.3")]
    assert "3,165 of 3,165" in non_state and "64" in non_state


def test_six_group_plans_are_unverifiable(findings):
    by = _by_key(findings)
    for region, year, target in (("ho_chi_minh_city", 2015, "76%"), ("ho_chi_minh_city", 2020, "80%"),
                                 ("dong_nai", 2015, "70%"), ("dong_nai", 2020, "80%")):
        message = by[("coverage.csv", f"{region} {year} bhyt")]
        assert "cannot be checked" in message and target in message and "sizes" in message


def test_whole_number_rates_are_checked_to_half_a_point(findings):
    # "71" for 174 / 246 = 70.73% (2017, cooperatives) is rounding, not a fault.
    assert ("lai_chau_groups.csv", "2017 row I.4") not in set(_keys(findings))
    assert RATE_TOLERANCE_POINTS == 0.05 and TARGET_TOLERANCE_POINTS == 0.1


def test_finding_prints_as_one_line():
    f = Finding("coverage.csv", "dong_nai 2015 bhyt", "something")
    assert str(f) == "coverage.csv: dong_nai 2015 bhyt: something"
    with pytest.raises(Exception):
        f.file = "other"  # frozen


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_table_loads(name):
    table = read_table(name)
    assert len(table) > 0


def test_check_all_validates_then_reports(findings):
    assert _keys(check_all()) == _keys(findings)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_row_has_a_source(name):
    table = read_table(name)
    columns = [c.name for c in SCHEMAS[name]]
    column = "source" if "source" in columns else "reference"
    assert (table[column].str.strip() != "").all()


def test_annexes_keep_the_documents_numbers():
    d = read_table("lai_chau_districts").set_index(["year", "row"])
    assert tuple(d.loc[(2016, "2"), ["insured", "population", "rate_stated"]]) == (50979, 54390, 93.73)
    assert tuple(d.loc[(2020, "total"), ["insured", "population", "rate_stated"]]) == (461853, 476156, 97.0)
    g = read_table("lai_chau_groups").set_index(["year", "row"])
    assert len(g.loc[2018]) == 40  # total + 5 groups + 34 subgroups
    assert tuple(g.loc[(2017, "I"), ["insured", "population", "rate_stated"]]) == (33264, 33264, 95.47)
    assert g.loc[(2020, "III.13"), "model_group"] == g.loc[(2020, "IV.1"), "model_group"] == "near_poor"
    assert g.loc[(2020, "III.13"), "state_share"] == 1.0 and g.loc[(2020, "IV.1"), "state_share"] == 0.7


def test_plan_targets_are_never_observed():
    cov = read_table("coverage")
    assert set(cov.kind) <= {"observed", "planned", "assumed"}
    plan_rows = cov[cov.note.str.contains("target", case=False) & ~cov.note.str.contains("above the target")]
    assert (plan_rows.kind == "planned").all()
    assert ((cov.value >= 0) & (cov.value <= 1)).all()


# Planted faults: the check must notice a change ------------------------------------------------

def test_a_planted_fault_is_found(copy):
    path = copy / "lai_chau_districts.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("2016,1,")
    lines[1] = lines[1].replace("27949", "27950", 1)  # one more insured in Lai Chau city, 2016
    path.write_text("\n".join(lines), encoding="utf-8")
    keys = set(_keys(check_plan_tables(copy)))
    assert ("lai_chau_districts.csv", "2016 row total") in keys  # the total no longer adds up
    assert ("lai_chau_groups.csv", "2016 row total") in keys  # and the annexes disagree


def test_a_repaired_fault_is_no_longer_reported(copy):
    path = copy / "lai_chau_groups.csv"
    text = path.read_text(encoding="utf-8")
    old = "2017,I.3,subgroup,1,I,Doanh nghiệp ngoài quốc doanh,employee,,3165,3165,64,"
    assert old in text
    path.write_text(text.replace(old, old.replace(",3165,3165,64,", ",2026,3165,64,")), encoding="utf-8")
    keys = set(_keys(check_plan_tables(copy)))
    assert ("lai_chau_groups.csv", "2017 row I.3") not in keys


def test_a_target_outside_its_group_targets_is_reported(copy):
    path = copy / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    old = "ho_chi_minh_city,2015,bhyt,all,0.76,"
    assert old in text
    path.write_text(text.replace(old, "ho_chi_minh_city,2015,bhyt,all,0.25,"), encoding="utf-8")
    by = _by_key(check_plan_tables(copy))
    assert "outside its group targets" in by[("coverage.csv", "ho_chi_minh_city 2015 bhyt")]


# Corrupt copies: refused with the file and the row or column named ------------------------------

def _raises(copy, name):
    with pytest.raises(InputError) as err:
        check_all(copy)
    assert err.value.where.endswith(f"{name}.csv")
    return str(err.value)


def test_truncated_line_is_refused(copy):
    path = copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[9] = lines[9][: len(lines[9]) // 3]  # line 10 of the file, cut short
    path.write_text("\n".join(lines), encoding="utf-8")
    message = _raises(copy, "coverage")
    assert "row 10" in message and "fields" in message


def test_truncated_file_is_refused(copy):
    path = copy / "population.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")  # cut inside the last row
    message = _raises(copy, "population")
    assert "row" in message


def test_non_number_in_a_value_column_is_refused(copy):
    path = copy / "lai_chau_districts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",27949,", ",27.949,", 1), encoding="utf-8")
    message = _raises(copy, "lai_chau_districts")
    assert "row 2, column 'insured'" in message and "27.949" in message


def test_non_number_in_a_float_column_is_refused(copy):
    path = copy / "population.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[2].split(",")
    cells[2] = "about 96 M"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    message = _raises(copy, "population")
    assert "row 3, column 'value'" in message


def test_wrong_header_is_refused(copy):
    path = copy / "demography.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("region,parameter,year,value", "region,param,year,value", 1), encoding="utf-8")
    message = _raises(copy, "demography")
    assert "header" in message and "param" in message


def test_missing_table_is_refused(copy):
    (copy / "group_crosswalk.csv").unlink()
    message = _raises(copy, "group_crosswalk")
    assert "missing" in message


# Ids and years the engine would silently drop or crash on: faults, refused before a run ----------

def _problems(folder):
    from covsim.simulator.inputs import validate

    return [str(p) for p in validate.problems(folder)]


def test_the_shipped_ids_and_years_are_all_known():
    """The legitimate values beside the model groups ('all', law and six-group ids, member ranks,
    sexes, the voluntary subsidy's 'other') and the older rows of other tables (census 1999) pass."""
    assert _problems(data_dir()) == []


@pytest.mark.parametrize("name, old, new, fragments", [
    # the near-poor's 2009-2011 state share would be 0
    ("policy_parameters", "state_share,vietnam,near_poor,2009-07-01", "state_share,vietnam,near_por,2009-07-01",
     ["policy_parameters.csv: row 35, column 'group'", "'near_por' is not a model group of state_share",
      "did you mean 'near_poor'", "allowed: employee"]),
    # the national 2009 observation would disappear
    ("coverage", "vietnam,2009,bhyt,all,0.584", "vietnamm,2009,bhyt,all,0.584",
     ["coverage.csv: row 80, column 'region'", "'vietnamm' is not a region id", "did you mean 'vietnam'",
      "allowed: an id of regions.csv"]),
    ("coverage", "vietnam,2009,bhyt,all,0.584", "vietnam,2009,bhyt,everyone,0.584",
     ["coverage.csv: row 80, column 'group'", "'everyone' is not a group", "allowed: all, employee"]),
    # the pupils' roadmap step would be lost
    ("mandates", "Law 25/2008/QH12 Art. 51,pupil_student,", "Law 25/2008/QH12 Art. 51,pupils_typo,",
     ["mandates.csv: row 2, column 'group'", "'pupils_typo' is not a voluntary model group",
      "did you mean 'pupil_student'", "allowed: near_poor, pupil_student, farm_household, household"]),
    # a group of another parameter's kind: a member rank where a sex is read, a sex where a rank is
    ("labour_policy", "retirement_age,vietnam,male,2008-01-01", "retirement_age,vietnam,males,2008-01-01",
     ["labour_policy.csv: row 2, column 'group'", "'males' is not a sex of retirement_age", "allowed: male, female"]),
    ("policy_parameters", "household_member_factor,vietnam,2,", "household_member_factor,vietnam,male,",
     ["policy_parameters.csv", "column 'group'", "'male' is not a member rank of household_member_factor",
      "allowed: 1, 2, 3, 4, 5"]),
    ("income", "\nvietnam,", "\nviet_nam,", ["income.csv: row 2, column 'region'", "did you mean 'vietnam'"]),
    # a misspelt name: its rows read by no run (the 2010 premium dropped, the 2008 rate holding since)
    ("policy_parameters", "premium_rate,vietnam,,2010-01-01", "premium_rte,vietnam,,2010-01-01",
     ["policy_parameters.csv: row 15, column 'parameter'", "'premium_rte' is not a policy parameter any run reads",
      "did you mean 'premium_rate'"]),
    ("demography", "vietnam,e0_female,2014,", "vietnam,e0_femal,2014,",
     ["demography.csv: row 2, column 'parameter'", "'e0_femal' is not a demographic parameter", "did you mean 'e0_female'"]),
    ("labour_force", "vietnam,2019,participation.male.15-19,", "vietnam,2019,participation.man.15-19,",
     ["labour_force.csv: row 2, column 'parameter'", "'participation.man.15-19' is not a labour force parameter",
      "participation.<male|female>.<age band, 15-19>"]),
    ("census_structure", "vietnam,2009,sex,male,", "vietnam,2009,sex,males,",
     ["census_structure.csv: row 2, column 'category'", "'males' is not a sex", "allowed: male, female"]),
    # a unit no reader converts: the population read as persons, the coverage in percent as a share
    ("population", "vietnam,2014,90493352,persons,", "vietnam,2014,90493.352,thousands,",
     ["population.csv: row 2, column 'unit'", "'thousands' is not a unit any reader takes here", "allowed: persons"]),
    ("coverage", "vietnam,2009,bhyt,all,0.584,share_of_population", "vietnam,2009,bhyt,all,0.584,percent",
     ["coverage.csv: row 80, column 'unit'", "'percent' is not a unit", "allowed: share_of_population"]),
    ("demography", "vietnam,e0_female,2014,76.0,years", "vietnam,e0_female,2014,76.0,yrs",
     ["demography.csv: row 2, column 'unit'", "'yrs' is not a unit", "did you mean 'years'"]),
    # a sum typed in thousands, a count of another unit: well-formed, and no figure
    ("policy_parameters", "base_salary,vietnam,,2008-01-01,540000", "base_salary,vietnam,,2008-01-01,540",
     ["policy_parameters.csv", "column 'value'", "540 is not a plausible value in VND a month",
      "typed in thousands", "allowed: 10,000 to 1,000,000,000"]),
    ("population", "vietnam,2014,90493352,", "vietnam,2014,5000000000,",
     ["population.csv: row 2, column 'value'", "5,000,000,000 is not a plausible value in persons"]),
])
def test_an_unknown_region_or_group_id_is_a_fault(copy, edit, name, old, new, fragments):
    edit(copy / f"{name}.csv", old, new)
    found = _problems(copy)
    assert len(found) == 1, found
    assert all(f in found[0] for f in fragments), found[0]


def _covsim(*args, data, user):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, COVSIM_DATA_DIR=str(data), COVSIM_USER_DIR=str(user))
    return subprocess.run([str(Path(sys.executable).parent / "covsim"), *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_check_data_and_run_refuse_an_unknown_id_in_one_line(copy, edit, tmp_path):
    edit(copy / "policy_parameters.csv", "state_share,vietnam,near_poor,2009-07-01",
         "state_share,vietnam,near_por,2009-07-01")
    check = _covsim("check-data", data=copy, user=tmp_path / "user")
    assert check.returncode == 2
    assert "policy_parameters.csv: row 35, column 'group': 'near_por'" in check.stdout
    out = tmp_path / "o.nc"
    run = _covsim("run", "vietnam", "--draws", "2", "--out", str(out), data=copy, user=tmp_path / "user")
    assert run.returncode == 2 and not out.exists()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert all(f in lines[0] for f in ("policy_parameters.csv", "row 35", "'group'", "near_por", "did you mean"))


def test_an_observed_coverage_before_the_models_first_year_is_a_fault(copy, edit):
    """Every fit indexes the model's years from scenario.FIRST_YEAR: an earlier observation crashed it."""
    from covsim.simulator.inputs.scenario import FIRST_YEAR

    edit(copy / "coverage.csv", "vietnam,2009,bhyt,all,0.584", "vietnam,2005,bhyt,all,0.584")
    edit(copy / "labour_force.csv", "vietnam,2008,voluntary_members,", "vietnam,2004,voluntary_members,")
    found = _problems(copy)
    assert len(found) == 2, found
    assert found[0].startswith("coverage.csv: row 80, column 'year': 2005 is before 2008")
    assert found[1].startswith("labour_force.csv: row 67, column 'year': 2004 is before 2008")
    assert all(f"allowed: {FIRST_YEAR}.." in f for f in found)


def test_an_observed_coverage_of_0_is_a_fault_in_the_tables_too(copy, edit):
    """A 0 typed for an empty cell dragged a fit to 41% in a workbook, which refuses it; the shipped
    and user tables now refuse it as well. A planned 0 (no target) is no fault."""
    edit(copy / "coverage.csv", "vietnam,2009,bhyt,all,0.584,share_of_population,observed",
         "vietnam,2009,bhyt,all,0,share_of_population,observed")
    found = _problems(copy)
    assert len(found) == 1 and found[0].startswith("coverage.csv: row 80, column 'value': 0 is no observed")
    edit(copy / "coverage.csv", "vietnam,2009,bhyt,all,0,share_of_population,observed",
         "vietnam,2009,bhyt,all,0,share_of_population,planned")
    assert _problems(copy) == []


def test_a_target_or_an_assumption_before_the_models_first_year_is_no_fault(copy, edit):
    """Only what the fits read is held to the model's years: a plan or an assumed labour share may be older."""
    edit(copy / "coverage.csv", "vietnam,2009,bhyt,all,0.584,share_of_population,observed",
         "vietnam,2005,bhyt,all,0.584,share_of_population,planned")
    assert _problems(copy) == []


def test_a_missing_roadmap_is_a_fault_as_every_health_run_needs_it(copy):
    (copy / "mandates.csv").unlink()
    found = _problems(copy)
    assert found == ["mandates.csv: file: data file is missing; every health-insurance (bhyt) run reads "
                     "Law 25/2008's roadmap from it"]
    with pytest.raises(InputError) as err:
        check_all(copy)
    assert err.value.where.endswith("mandates.csv") and "missing" in str(err.value)


def test_a_missing_labour_table_is_said_but_no_fault(copy):
    """Health-insurance runs do without the labour tables; the labour schemes' runs do not: said."""
    (copy / "labour_force.csv").unlink()
    assert _problems(copy) == []
    said = [str(f) for f in check_all(copy) if f.file.startswith("labour_")]
    assert said == ["labour_force.csv: file: missing: health-insurance (bhyt) runs do not read it, but every social "
                    "(bhxh) and unemployment (bhtn) insurance run refuses until it is given"]


def test_a_group_share_of_an_unknown_sex_is_a_fault_not_a_crash(copy, edit):
    """`membership` reads a row's sex as 'all' or one of the model's: another crashed the run."""
    edit(copy / "group_shares.csv", "vietnam,all,0,5,child_under6,2010,", "vietnam,M,0,5,child_under6,2010,")
    found = _problems(copy)
    assert any("group_shares.csv: row 2, column 'sex': 'M' is not a sex" in f and "allowed: all, male, female" in f
               for f in found), found


def test_a_roadmap_step_given_twice_is_a_fault(copy):
    """A fact given twice is a fault (which holds?): the roadmap's and the decisions' tables too."""
    path = copy / "mandates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    found = _problems(copy)
    assert found == [f"mandates.csv: row {len(lines) + 1}: repeated: document Law 25/2008/QH12 Art. 51, group "
                     "pupil_student, effective 2010-01-01 is already given in row 2"], found


@pytest.mark.parametrize("written", ["01/05/2009", "2009-5-1", "now", "2009"])
def test_a_date_not_written_year_month_day_is_a_fault(copy, edit, written):
    """01/05/2009 was read as 5 January, `now` as today, 2009 as 1 January: a date is YYYY-MM-DD."""
    edit(copy / "labour_policy.csv", "2009-05-01", written)
    found = _problems(copy)
    assert len(found) == 1 and "column 'effective_from'" in found[0], found
    assert f"'{written}' is not a date written YYYY-MM-DD" in found[0]
