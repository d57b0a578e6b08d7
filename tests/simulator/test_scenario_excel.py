"""A reform filled in Excel (issue 40 item 4): the same scenario as its TOML twin, the lever sheet
generated from the registry, and every bad cell refused on its own line, naming sheet and cell."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from covsim.simulator.errors import InputError, InputErrors
from covsim.simulator.inputs import scenario, scenario_excel
from covsim.simulator.inputs.levers import LEVERS, lever_paths


@pytest.fixture
def template(tmp_path):
    out = tmp_path / "reform.xlsx"
    scenario_excel.write_template(out)
    return out


def fill(path: Path, head=("lc_np", "lai_chau", "near-poor share", "test fixture"), rows=(), drop=None) -> Path:
    wb = load_workbook(path)
    if head:
        wb[scenario_excel.HEAD].append(list(head))
    for row in rows:
        wb[scenario_excel.REFORM].append(list(row))
    if drop:
        wb.remove(wb[drop])
    wb.save(path)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        scenario.load(str(path))
    return getattr(err.value, "lines", [str(err.value)])


def test_template_lists_every_lever_with_its_unit_and_range(template):
    wb = load_workbook(template)
    assert wb.sheetnames == ["Kịch bản", "Cải cách", "Đòn bẩy"]
    assert wb["Cải cách"]["A1"].value == "Đòn bẩy" and wb["Cải cách"]["A2"].value == "lever"
    listed = {r[0]: r for r in wb["Đòn bẩy"].iter_rows(min_row=3, values_only=True)}
    # every lever but the retired log-odds `outreach`, which no planner can choose a value in (issue
    # 38): the drive in its place; a workbook that sets outreach is still read (below)
    assert list(listed) == [p for p in lever_paths() if p != "outreach"] and "drive" in listed
    share = listed["state_share.near_poor"]
    assert share[3] == LEVERS["state_share"].unit and (share[4], share[5]) == (0.0, 1.0)
    assert wb["Cải cách"].data_validations.dataValidation  # the lever cell offers the list


def test_excel_reform_is_the_toml_reform(template, tmp_path):
    rows = [("state_share.near_poor", 2017, 1.0), ("state_share.near_poor", 2020, 0.8), ("outreach", 2019, "0.5")]
    xlsx = scenario.load(str(fill(template, rows=rows)))
    toml = tmp_path / "lc_np.toml"
    toml.write_text('name = "lc_np"\nbaseline = "lai_chau"\n[reform]\n'
                    '"state_share.near_poor" = { 2017 = 1.0, 2020 = 0.8 }\noutreach = { 2019 = 0.5 }\n')
    twin = scenario.load(str(toml))
    assert xlsx.reform == twin.reform and xlsx.hash == twin.hash and xlsx.region == "lai_chau"
    assert xlsx.reform != scenario.load("lai_chau").reform
    assert xlsx.overrides()[("state_share", "lai_chau", "near_poor")].annual_mean(2018) == 1.0


def test_a_formula_without_a_saved_result_is_named_not_called_empty(template):
    """openpyxl writes a formula without its result; read back, the cell would look empty."""
    lines = problems(fill(template, rows=[("state_share.near_poor", 2017, "=1/2")]))
    assert len(lines) == 1, lines
    assert "sheet 'Cải cách', cell C3: the formula =1/2 has no saved result" in lines[0]
    assert "empty" not in lines[0]


def test_every_bad_cell_is_one_line_naming_sheet_and_cell(template):
    rows = [("state_share.near_por", 2017, 1.0),     # unknown lever path: did you mean
            ("state_share.poor", 2018, "mười"),      # text in a number cell
            ("state_share.household", 2019, 1.5),    # a share above 100%
            ("outreach", 2021, 0.5), ("outreach", 2020, 0.5),  # years out of order
            ("premium_rate", 2060, 0.05)]            # year beyond the scenario
    lines = problems(fill(template, rows=rows))
    assert len(lines) == 5, lines
    assert "sheet 'Cải cách', cell A3: unknown group 'near_por' (did you mean 'near_poor'?)" in lines[0]
    assert "cell C4: 'mười' is not a number; allowed: [0, 1]" in lines[1]
    assert "cell C5: 1.5 is out of range; allowed: [0, 1] share of the premium" in lines[2]
    assert "cell B7: year 2020 after 2021 (row 6) for 'outreach'" in lines[3]
    assert "cell B8: year outside the scenario's years 2009..2030" in lines[4]
    assert all(line.startswith(str(template)) and "\n" not in line for line in lines)


def test_unknown_lever_and_baseline(template):
    lines = problems(fill(template, head=("x", "lai_chua", "", "s"), rows=[("stat_share.poor", 2017, 1)]))
    assert "sheet 'Kịch bản', cell B3" in lines[0] and "did you mean 'lai_chau'" in lines[0]
    assert "sheet 'Cải cách', cell A3: unknown lever (did you mean 'state_share.poor'?)" in lines[1]


def test_missing_sheet(template):
    lines = problems(fill(template, drop="Cải cách"))
    assert lines == [f"{template}: sheet 'Cải cách': missing; a reform workbook has the sheets "
                     "Kịch bản, Cải cách, Đòn bẩy (`covsim scenario template` writes one)"]


def test_cli_refuses_a_bad_workbook_and_writes_nothing(template, tmp_path):
    fill(template, rows=[("state_share.poor", 2018, "abc"), ("oops", 2019, 1)])
    out = tmp_path / "run.nc"
    cli = Path(sys.executable).parent / "covsim"
    env = {k: v for k, v in os.environ.items() if k != "COVSIM_DATA_DIR"}
    done = subprocess.run([str(cli), "run", str(template), "--draws", "5", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("covsim: error: ") for line in lines), done.stderr
    assert "cell C3" in lines[0] and "cell A4" in lines[1]
    assert not out.exists() and list(tmp_path.iterdir()) == [template]
    made = subprocess.run([str(cli), "scenario", "template", "--out", str(tmp_path / "t.csv")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert made.returncode == 2 and "ending in .xlsx" in made.stderr and not (tmp_path / "t.csv").exists()


def test_a_2025_units_own_lever_before_the_merger_is_refused_in_its_cell(template):
    """It would act only from 1 July 2025 while the file said 2015: refused, the cell named; a
    national lever (base_salary) acts as set and is kept."""
    rows = [("base_salary", 2015, 3000000), ("state_share.near_poor", 2015, 1.0)]
    lines = problems(fill(template, head=("u", "vinh_long_2025", "", ""), rows=rows))
    assert len(lines) == 1 and "B4" in lines[0] and "2015 is before vinh_long_2025 began" in lines[0]


def test_a_workbook_with_no_reform_rows_is_refused_not_run_as_its_baseline(template):
    """The blank template saved with its scenario row only ran the baseline under a new name, exit 0."""
    lines = problems(fill(template))
    assert lines == [f"{template}: sheet 'Cải cách', cell A3: no reform rows; a reform workbook sets at least one "
                     "lever (lever, year, value from row 3); to run the baseline, name it: covsim run lai_chau"]


def test_a_fault_in_the_baseline_file_names_that_file_and_its_key(template, tmp_path):
    """The workbook's cell B3 names a TOML baseline beside it whose value is out of range: the line
    says the cell, and inside it the baseline's own file and key, not the workbook's cell alone."""
    (template.parent / "pct.toml").write_text('baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2026 = 90 }\n',
                                              encoding="utf-8")
    lines = problems(fill(template, head=("x", "pct.toml", "", "s"), rows=[("state_share.poor", 2027, 1.0)]))
    assert "sheet 'Kịch bản', cell B3: 'pct.toml':" in lines[0]
    assert "pct.toml: reform.state_share.near_poor.2026: 90 is out of range" in lines[0]


def test_a_workbook_that_is_its_own_baseline_is_one_line(template):
    lines = problems(fill(template, head=("x", template.name, "", "s"), rows=[("state_share.poor", 2027, 1.0)]))
    assert len(lines) == 1 and "cell B3" in lines[0] and "circular" in lines[0]


def test_a_workbook_under_a_shipped_scenarios_name_that_changes_it_names_the_name_cell(template, tmp_path):
    """A reform filled under a plan's name would be briefed as that plan: refused at the cell to
    change, whether the name is typed or taken from the file's name (cell left empty)."""
    typed = fill(template, head=("lai_chau_plan_2016", "lai_chau", "mine", "notes"),
                 rows=[("state_share.near_poor", 2027, 0.9)])
    line, = problems(typed)
    assert line.startswith(f"{typed}: sheet 'Kịch bản', cell A3: name: its name 'lai_chau_plan_2016' is the "
                           "shipped scenario's") and line.endswith("(in this cell)")
    untyped = tmp_path / "lai_chau.xlsx"
    scenario_excel.write_template(untyped)
    fill(untyped, head=(None, "lai_chau", "mine", "notes"), rows=[("state_share.near_poor", 2027, 0.9)])
    line, = problems(untyped)
    assert f"{untyped}: sheet 'Kịch bản', cell A3: name: its file name, so its name, 'lai_chau' is the " \
           "shipped scenario's" in line
