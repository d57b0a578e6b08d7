"""What a new user's audit of the commands found (2026-12-06): a message naming the wrong thing, a
flag doing nothing without a word, a file's mistakes told one run at a time. One test each, in
this process, with few draws where a run is needed."""
from __future__ import annotations

import json

import pytest

from .test_robustness import cli


def test_every_bad_entry_of_a_toml_reform_is_reported_at_once(tmp_path, capsys):
    """A workbook named every bad cell; a TOML file named only its first mistake."""
    path = tmp_path / "two.toml"
    path.write_text('name = "two"\nbaseline = "vinh_long"\n[reform.state_share]\nnear_poor = { 2017 = 1.5 }\n'
                    'household = { 2017 = -0.2 }\n[reform]\ndrive = { 2020 = 9 }\nnonsense = { 2020 = 1 }\n')
    code, out, err = cli(capsys, "run", str(path), "--draws", "4")
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert [line.removeprefix(f"covsim: error: {path}: ").split(": ")[0] for line in lines] == ["reform.state_share.near_poor.2017",
                                                      "reform.state_share.household.2017",
                                                      "reform.drive.2020", "reform.nonsense"], err
    assert all(line.startswith(f"covsim: error: {path}: ") and "allowed:" in line for line in lines)


def test_a_page_lever_still_reports_its_first_problem_by_its_field():
    """The dashboard names the field of one error; a reform set in code keeps the single error."""
    from covsim import simulator
    from covsim.simulator.errors import InputError, InputErrors

    sc = simulator.load_scenario("vinh_long")
    with pytest.raises(InputError) as raised:
        sc.with_reform({"state_share.near_poor": {2027: 1.5}, "state_share.household": {2027: -1}})
    assert not isinstance(raised.value, InputErrors)
    assert raised.value.key == "reform.state_share.near_poor.2027"


def test_by_age_without_a_file_is_refused(capsys):
    """`--by-age` shapes only the --out file: alone it did nothing, and said nothing."""
    code, out, err = cli(capsys, "run", "lai_chau", "--by-age", "--draws", "4", "--quiet")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "covsim: error: --by-age: keeps the age dimension in the --out file, and the table and --json are by group; "
        "allowed: --by-age with --out FILE.nc, or no --by-age"]


def test_an_empty_scenario_name_is_called_empty(capsys):
    """It was refused as the working folder '.', which the user never typed."""
    code, _, err = cli(capsys, "run", "", "--draws", "4")
    assert code == 2
    assert err.startswith("covsim: error: scenario: '': empty; allowed: a shipped scenario's name") and "folder" not in err


@pytest.mark.parametrize("argv, start", [
    (("target", "", "--target", "0.9", "--year", "2020"), "covsim: error: region: '': unknown region; allowed: "),
    (("forecast", "", "--until", "2012", "--to", "2020"), "covsim: error: REGION: '': unknown region; allowed: "),
])
def test_an_empty_region_is_shown_as_given(capsys, argv, start):
    """The empty value was dropped from the line: 'region: unknown region'."""
    code, _, err = cli(capsys, *argv)
    assert code == 2 and err.startswith(start) and len(err.strip().splitlines()) == 1


def test_an_unknown_compared_scenario_is_named_by_its_option(tmp_path, capsys):
    code, _, err = cli(capsys, "brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--draws", "4",
                       "--compare", "lai_chao", "--out", str(tmp_path / "b.html"))
    assert code == 2 and not list(tmp_path.iterdir())
    # the region's other shipped scenarios, however many a contributor adds (docs/extending.md)
    from covsim.simulator.inputs.scenario import load, shipped

    same = [n for n in shipped() if n != "lai_chau_plan_2016" and load(n).region == "lai_chau"]
    assert "lai_chau" in same
    assert err.strip() == ("covsim: error: brief: --compare: 'lai_chao': no scenario of that name (did you mean "
                           f"'lai_chau'?); allowed: a scenario of lai_chau ({', '.join(same)}) or a .toml or .xlsx file")


@pytest.mark.parametrize("argv, hint", [
    (("region", "template", "--out", "t.xlsx", "--json"), ""),  # was "(did you mean '--source'?)", observe's
    (("region", "template", "--out", "t.xlsx", "--jsn"), ""),  # was '--seed', add's
    (("region", "observe", "vinh_long_2025", "2025", "0.9", "--source", "VSS", "--sed", "1"),
     " (did you mean '--seed'?)"),
    (("run", "vietnam", "--drws", "4"), " (did you mean '--draws'?)"),
])
def test_a_misspelt_option_is_matched_among_the_command_s_own(tmp_path, capsys, argv, hint):
    code, _, err = cli(capsys, *argv)
    assert code == 2
    wrong = next(a for a in argv if a.startswith("--") and a not in ("--out", "--source"))
    assert err.strip().endswith(f"unrecognized arguments: {wrong}{' ' + argv[-1] if argv[-1] != wrong else ''}{hint}")
    assert not (tmp_path / "t.xlsx").exists()


def test_an_allocation_s_first_year_is_told_why(capsys):
    """'2008 is the run's first' argued for 2009, which it refused."""
    code, _, err = cli(capsys, "allocate", "lai_chau", "--target", "0.968", "--year", "2020", "--from", "2009",
                       "--draws", "4", "--out", "never.xlsx")
    assert code == 2
    assert "the run's first forecast is of 2009: 2008 is the state it starts from" in err
    assert err.strip().endswith("allowed: 2010..2020")


def test_removing_what_is_not_there_says_so_for_a_2025_unit_too(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COVSIM_USER_DIR", str(tmp_path / "user"))
    code, _, err = cli(capsys, "region", "remove", "vinh_long_2025")
    assert code == 2
    assert err.startswith("covsim: error: region: 'vinh_long_2025': nothing of it is in your data folder")
    assert "a 2025 unit whose own figures or communes you kept" in err


@pytest.mark.parametrize("argv", [("run",), ("region", "add")])
def test_a_file_that_is_no_workbook_is_told_so_in_words(tmp_path, monkeypatch, capsys, argv):
    """The reader's exception name (BadZipFile) said nothing to a planner."""
    monkeypatch.setenv("COVSIM_USER_DIR", str(tmp_path / "user"))
    fake = tmp_path / "plan.xlsx"
    fake.write_text("region,year\nvinh_long,2020\n")
    code, _, err = cli(capsys, *argv, str(fake), *(("--no-calibrate",) if argv == ("region", "add") else ()))
    assert code == 2
    assert "not an Excel workbook: it cannot be opened as .xlsx" in err and "BadZip" not in err
    assert "allowed: a workbook saved as 'Excel Workbook (.xlsx)'" in err


def test_the_run_table_marks_its_starting_state_and_its_units(capsys):
    code, out, _ = cli(capsys, "run", "lai_chau", "--draws", "4", "--quiet")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split() == ["year", "mean", "10%-90%", "target(s)", "%", "observed", "%"]
    assert lines[2].startswith("2008 ")
    assert "the first row, 2008, is the state the run starts from (the end of that year), not a simulated year" in lines


def test_the_group_table_of_a_target_gives_its_units(capsys):
    code, out, _ = cli(capsys, "target", "lai_chau", "--target", "0.968", "--year", "2020", "--scenario",
                       "lai_chau_plan_2016", "--draws", "4")
    assert code == 0
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("group "))
    assert lines[head].endswith("(gap: target - median, points)") and "80% interval" in lines[head]
    household = next(line for line in lines[head:] if line.startswith("household "))
    median, band, target, gap, chance = household.split()[1:]
    assert median.endswith("%") and target == "60.0%" and chance.endswith("%")
    lo, hi = (float(v) for v in band.rstrip("%").split("-"))
    assert lo <= float(median[:-1]) <= hi  # the group's 80% interval holds its median
    assert float(gap) == pytest.approx(60.0 - float(median[:-1]), abs=0.11)  # target less the median


def test_the_published_figures_chance_gives_its_monte_carlo_error(capsys):
    """The coverage's chance said how far another seed could move it; the figure's did not."""
    argv = ("target", "lai_chau", "--target", "0.955", "--year", "2020", "--draws", "40")
    code, out, _ = cli(capsys, *argv, "--json")
    report = json.loads(out)
    p, se = report["probability_published"], report["probability_published_se"]
    assert code == 0 and 0 < p < 1 and se == pytest.approx((p * (1 - p) / 40) ** 0.5, abs=1e-6)
    code, out, _ = cli(capsys, *argv)
    line = next(x for x in out.splitlines() if x.startswith("the published figure reaches it"))
    assert f"(\u00b1{100 * se:.1f} points, Monte Carlo over 40 draws; coverage plus the fit's reporting error, sd " in line


@pytest.mark.parametrize(("p", "said"), [(0.0, "none of 40 draws reaches it"), (1.0, "all 40 draws reach it"),
                                         (0.25, "\u00b16.8 points, Monte Carlo over 40 draws")])
def test_one_wording_of_a_chance_monte_carlo_error(p, said):
    """Coverage's chance and the published figure's are worded by one helper: at 0 or 1 the draws
    bound the chance (a \u00b10.0 would claim too much), between them its standard error is given."""
    from covsim.cli.planning import _monte_carlo_text

    assert _monte_carlo_text(p, (p * (1 - p) / 40) ** 0.5, 40) == said


def test_solves_monte_carlo_line_says_which_probability_it_measures(capsys):
    """'the probability is known to ±8.9 points' followed a found 15%: the error is the asked 80%'s."""
    code, out, _ = cli(capsys, "solve", "vinh_long", "--target", "0.9", "--year", "2020", "--draws", "20",
                       "--probability", "0.8", "--levers", "near_poor,pupil_student", "--json")
    result = json.loads(out)
    assert code == 0 and result["probability"] < 0.8  # out of reach: the best found falls short
    se = result["monte_carlo"]["probability_se"]
    assert se == pytest.approx((0.8 * 0.2 / 20) ** 0.5, abs=1e-6)
    code, out, _ = cli(capsys, "solve", "vinh_long", "--target", "0.9", "--year", "2020", "--draws", "20",
                       "--probability", "0.8", "--levers", "near_poor,pupil_student")
    from covsim.simulator.analysis.planning import probability_text

    # the chance the levers start from, which only the JSON gave
    assert f"under the current policy: probability {probability_text(result['current_probability'])}" in out.splitlines()
    line = next(x for x in out.splitlines() if x.startswith("monte carlo:"))
    assert line.startswith(f"monte carlo: with 20 draws a probability of 80% (the one asked for) is known to "
                           f"\u00b1{100 * se:.1f} points")


def test_run_json_gives_the_observed_figures_the_table_prints(capsys):
    """The table's `observed` column had no counterpart in --json."""
    code, out, _ = cli(capsys, "run", "vietnam", "--draws", "4", "--quiet", "--json")
    observed = json.loads(out)["observed"]
    code_text, text, _ = cli(capsys, "run", "vietnam", "--draws", "4", "--quiet")
    assert code == code_text == 0
    shown = {}
    for line in text.splitlines()[2:]:
        cells = line.split()
        if line[:4].isdigit() and len(cells) > 4 and "%" not in cells[-1]:
            shown[int(cells[0])] = cells[-1]
    by_year = {}
    for row in observed:
        assert row["source"] and row["unit"] == "share_of_population" and 0 < row["value"] < 1
        by_year.setdefault(row["year"], []).append(f"{100 * row['value']:.1f}")
    assert by_year[2013] == ["69.0", "68.0"] and by_year[2025] == ["95.2"]
    assert {y: "/".join(v) for y, v in by_year.items()} == {y: v for y, v in shown.items() if y in by_year}


def test_the_budget_table_says_why_its_first_row_has_no_state_cost(capsys):
    """2008 showed revenue and a state cost of 0.0, read as the state paying nothing that year."""
    code, out, _ = cli(capsys, "run", "vietnam", "--draws", "4", "--quiet", "--budget", "--json")
    budget = json.loads(out)["budget"]
    assert code == 0 and budget["year"][0] == 2008
    assert budget["state_cost"][0] == 0 < budget["premium_revenue"][0] and budget["state_cost"][1] > 0
    code, out, _ = cli(capsys, "run", "vietnam", "--draws", "4", "--quiet", "--budget")
    assert ("the first row, 2008, is the state the run starts from: its revenue is that state's insured at that "
            "year's premium, its state cost 0, as the data hold no state share before Law 25/2008's (in force from "
            "1 July 2009)") in out.splitlines()
