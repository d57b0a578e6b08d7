"""The command line: `covsim run` output shapes, and one-line errors for every bad input."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from covsim.simulator.inputs import tables

COVSIM = [sys.executable, "-m", "covsim.cli.main"]


def covsim(*args, env=None, cwd=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(COVSIM + list(args), capture_output=True, text=True, env=full_env, cwd=cwd, timeout=600)


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_run_json_shape():
    result = covsim("run", "lai_chau", "--draws", "20", "--seed", "4", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= {"scenario", "region", "seed", "draws", "years", "coverage", "targets"}
    assert out["scenario"] == "lai_chau" and out["region"] == "lai_chau"
    assert out["seed"] == 4 and out["draws"] == 20
    n = len(out["years"])
    assert set(out["coverage"]) == {"mean", "lo", "hi", "quantiles"}
    for key in ("mean", "lo", "hi"):
        assert len(out["coverage"][key]) == n
    for lo, mean, hi in zip(out["coverage"]["lo"], out["coverage"]["mean"], out["coverage"]["hi"]):
        assert 0 <= lo <= hi <= 1
        assert lo - 1e-9 <= mean <= hi + 1e-9 or hi - lo < 1e-6
    assert out["targets"], "Lai Chau's plan has targets"
    for t in out["targets"]:
        assert set(t) == {"year", "value", "group", "source", "unit"}  # unit added: what the target is a share of
        assert t["unit"] == "share_of_population"
        assert 0 < t["value"] <= 1
    assert any(t["year"] == 2020 and t["group"] == "all" and abs(t["value"] - 0.968) < 1e-9 for t in out["targets"])
    prov = out["provenance"]  # scenario, data, code and seed: what reproduces the run
    assert prov["seed"] == 4 and prov["draws"] == 20 and prov["scenario"] == "lai_chau"
    assert len(prov["data_hash"]) == 16 and prov["code_version"].startswith("0.") and prov["assumptions"] == []
    assert out["scheme"] == "bhyt" and out["coverage"]["quantiles"] == [0.1, 0.9]  # what lo and hi are
    # by group too (an audit, 2026-12-07: only the --out file had it): the nine groups, each in [0, 1]
    groups = out["groups"]
    assert list(groups)[:3] == ["employee", "pensioner", "poor"] and len(groups) == 9
    for g in groups.values():
        assert all(0 <= lo <= m <= hi <= 1 for lo, m, hi in zip(g["lo"], g["median"], g["hi"]))
    # the poor, whom the state pays for, stand above the voluntary households in the plan's last year
    i = out["years"].index(2020)
    assert groups["poor"]["median"][i] > groups["household"]["median"][i]


def test_every_json_output_records_what_reproduces_it_and_the_numbers_it_assumes():
    """Issue 38 item 4: every assumed number a scenario uses is listed in every output's provenance."""
    plan = ("--scenario", "dong_nai_plan_2013")
    outs = {"run": json.loads(covsim("run", "dong_nai_plan_2013", "--draws", "8", "--json").stdout),
            "target": json.loads(covsim("target", "dong_nai", *plan, "--target", "0.9", "--year", "2020",
                                        "--draws", "8", "--seed", "3", "--json").stdout),
            "forecast": json.loads(covsim("forecast", "dong_nai", *plan, "--until", "2013", "--to", "2016",
                                          "--fast", "--draws", "30", "--seed", "3", "--json").stdout)}
    for name, out in outs.items():
        prov = out["provenance"]
        assert prov["scenario"].startswith("dong_nai_plan_2013"), name
        assert [a.partition(" =")[0] for a in prov["assumptions"]] == ["state_share.near_poor",
                                                                       "state_share.pupil_student"], name
        assert {"data_hash", "code_version", "seed", "parameters_hash"} <= set(prov), name
    assert outs["target"]["provenance"]["seed"] == 3 and outs["forecast"]["provenance"]["seed"] == 3
    fit = outs["forecast"]["provenance"]["fit"]  # the as-of fit: its origin and sampler, to refit it
    assert fit["until"] == 2013 and fit["seed"] == 3 and fit["walkers"] == 24
    text = covsim("forecast", "dong_nai", *plan, "--until", "2013", "--to", "2016", "--fast", "--draws", "30",
                  "--seed", "3").stdout
    assert "fitted as of 2013" in text and "assumed numbers: state_share.near_poor = 1 from 2015" in text
    # and the fitted numbers the figures up to the origin hardly narrowed, beside the assumed ones
    for name, out in outs.items():
        learned = out["provenance"]["learned"]
        assert learned["mostly_prior"] and all(learned["contraction"][n] < learned["mostly_prior_below"]
                                               for n in learned["mostly_prior"]), name
    early = outs["forecast"]["provenance"]["learned"]
    assert early["held"] == ["outreach_2015"]  # as of 2013 Law 46/2014 was not passed: nothing to fit
    line = next(x for x in text.splitlines() if x.startswith("fitted, yet mostly their assumed priors"))
    assert all(f"{n} {early['contraction'][n]:.2f}" in line for n in early["mostly_prior"])


def test_run_default_prints_table_with_targets():
    result = covsim("run", "--draws", "20")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["year", "mean"]  # the mean over draws, said so (target gives the median)
    rows = {int(line.split()[0]): line for line in lines[2:] if line[:4].isdigit()}
    assert 2020 in rows and 2030 in rows
    assert "90.7" in rows[2020]  # Decision 1167/QD-TTg national target for 2020


def test_run_writes_netcdf(tmp_path):
    out = tmp_path / "r.nc"
    result = covsim("run", "vinh_long", "--draws", "5", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    import xarray as xr

    ds = xr.open_dataset(out)
    assert ds.attrs["scenario"] == "vinh_long" and ds.sizes["draw"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"]


def test_scenarios_lists_every_region_and_a_reform_per_plan():
    result = covsim("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    names = {r["name"] for r in rows}
    for region in ("vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long"):
        assert region in names
        assert next(r for r in rows if r["name"] == region)["region"] == region
    reforms = [r for r in rows if r["baseline"]]
    assert {r["region"] for r in reforms} >= {"ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long"}
    text = covsim("scenarios").stdout
    assert "lai_chau_plan_2016" in text and "2009-2030" in text
    # a plan with nothing assumed says so; one with assumed numbers lists them, "assumed" said once
    lines = text.splitlines()
    after = lines[next(i for i, l in enumerate(lines) if l.startswith("lai_chau_plan_2016")) + 1]
    assert after.strip() == "assumed: none"
    assert any(l.strip() == "assumed: state_share.near_poor = 1 from 2015 (not in the source)" for l in lines)
    # and the region fit's parameters that are still mostly their priors: Lai Chau's own level first
    plan = next(r for r in rows if r["name"] == "lai_chau_plan_2016")
    assert next(iter(plan["mostly_prior"])) == "region_offset" and plan["mostly_prior"]["region_offset"] < 0.2
    labour = next(r for r in rows if r["name"] == "vinh_long_labour_2018")
    assert "compliance_logit" in labour["mostly_prior"] and "roadmap" not in labour["mostly_prior"]
    fitted = lines[next(i for i, l in enumerate(lines) if l.startswith("lai_chau_plan_2016")) + 2]
    assert re.match(r"fitted, mostly the prior: region_offset -?0\.\d\d,", fitted.strip()), fitted


def write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, fragments",
    [
        ('name = "x"\nregion = "lai_chau"\nend = [2030\n', ["TOML syntax error"]),
        ('name = "x"\nregion = "lai_chau"\ndescripton = "typo"\n', ["descripton", "did you mean 'description'"]),
        ('baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2017 = 1.4 }\n',
         ["reform.state_share.near_poor.2017", "out of range", "[0, 1]"]),
        ('baseline = "lai_chau"\n[reform]\n"state_share.near_pooor" = { 2017 = 1.0 }\n',
         ["near_pooor", "did you mean 'near_poor'"]),
        ('baseline = "lai_chau"\n[reform]\n"state_shares.near_poor" = { 2017 = 1.0 }\n',
         ["unknown lever", "state_share"]),
        ('name = "x"\nregion = "atlantis"\n', ["region", "unknown region 'atlantis'", "lai_chau"]),
        ('baseline = "lai_chau"\n[reform]\n"state_share.near_poor" = { 2070 = 1.0 }\n',
         ["2070", "year outside"]),
        ('name = "x"\nregion = "lai_chau"\nend = 2090\n', ["end", "2008..2050"]),
    ],
)
def test_bad_scenarios_get_one_line_and_no_output(tmp_path, text, fragments):
    path = write(tmp_path, text)
    out = tmp_path / "out.nc"
    result = covsim("run", str(path), "--draws", "2", "--out", str(out))
    line = assert_one_line_error(result, *fragments)
    assert str(path) in line
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


def test_unknown_shipped_scenario_names_nearest():
    assert_one_line_error(covsim("run", "lai_chua"), "did you mean 'lai_chau'")


def test_bad_output_destination(tmp_path):
    assert_one_line_error(covsim("run", "lai_chau", "--out", str(tmp_path / "x.csv")), "--out", ".nc")
    assert_one_line_error(covsim("run", "lai_chau", "--out", str(tmp_path / "no" / "x.nc")), "does not exist")


def test_bad_option_values():
    assert_one_line_error(covsim("run", "lai_chau", "--draws", "0"), "--draws")
    assert_one_line_error(covsim("run", "lai_chau", "--draws", "many"), "--draws")


@pytest.mark.parametrize(
    "corrupt, fragments",
    [
        (lambda text: text[: len(text) // 2], ["population.csv", "row"]),
        (lambda text: text.replace("96208984", "ninety-six million", 1), ["population.csv", "value", "not a valid float"]),
        (lambda text: "regin" + text[6:], ["population.csv", "header"]),
        (lambda text: "", ["population.csv", "empty"]),
    ],
)
def test_corrupt_data_file_gets_one_line(tmp_path, corrupt, fragments):
    folder = tmp_path / "data"
    shutil.copytree(tables.data_dir(), folder)
    path = folder / "population.csv"
    path.write_text(corrupt(path.read_text()))
    out = tmp_path / "out.nc"
    result = covsim("run", "lai_chau", "--draws", "2", "--out", str(out), env={"COVSIM_DATA_DIR": str(folder)})
    assert_one_line_error(result, *fragments)
    assert not out.exists()


def test_check_data_reports_contradictions():
    result = covsim("check-data")
    assert result.returncode == 0, result.stderr
    assert "lai_chau" in result.stdout and "97.0" in result.stdout


def test_a_run_that_stops_before_an_assumed_value_does_not_list_it():
    import dataclasses

    from covsim import simulator

    plan = simulator.load_scenario("dong_nai_plan_2013")  # its assumed shares start in 2015
    assert len(plan.assumptions()) == 2
    cut = dataclasses.replace(plan, end=2014, reform={p: {y: v for y, v in ys.items() if y <= 2014}
                                                      for p, ys in plan.reform.items()})
    assert cut.assumptions() == []  # as run_as_of cuts a forecast to 2014: nothing assumed is used


def test_what_the_model_holds_fixed_is_listed_with_every_result(capsys):
    """The behavioural numbers no figure fits (an age shift, lapse against join) are assumed: each
    run's provenance, its text and `covsim scenarios` list them, from the numbers the model uses."""
    from covsim.cli.main import main
    from covsim.simulator.schemes import labour, parameters

    assert main(["run", "vinh_long", "--draws", "2", "--json"]) == 0
    fixed = json.loads(capsys.readouterr().out)["provenance"]["fixed"]
    assert any(f"{parameters.LAPSE_PRICE_FACTOR:g} and {parameters.LAPSE_OUTREACH_FACTOR:g} times" in f for f in fixed)
    assert any("0, 0, -0.3, 0, 0.4, 0.6" in f for f in fixed)
    assert any(f"near_poor {parameters.INCOME_RATIO['near_poor']:g}" in f for f in fixed)
    assert main(["run", "vinh_long", "--scheme", "bhxh", "--draws", "2", "--json"]) == 0
    fixed = json.loads(capsys.readouterr().out)["provenance"]["fixed"]
    assert any(f"at most {labour.REQUIRED_CAP:g}" in f for f in fixed) and not any("near_poor" in f for f in fixed)
    assert main(["target", "vinh_long", "--target", "0.9", "--year", "2020", "--draws", "2"]) == 0
    assert "held fixed in the model (assumed, not fitted): voluntary groups' join shift" in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    text = capsys.readouterr().out
    assert "every bhyt scenario holds fixed (assumed, not fitted)" in text and "every bhxh scenario" in text
    # run's table carries what reproduces it too, as every other text output does
    assert main(["run", "vinh_long", "--draws", "2", "--seed", "5"]) == 0
    from covsim.simulator.inputs import tables
    from covsim.simulator.schemes.provenance import code_version

    from covsim.simulator import load_scenario

    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("provenance: "))
    assert line.startswith(f"provenance: scenario vinh_long ({load_scenario('vinh_long').hash}), seed 5, "
                           f"data {tables.data_hash()}, parameters ")
    assert line.endswith(f", code {code_version()}")


def test_the_text_provenance_tells_two_files_of_one_name_and_two_posteriors_apart(tmp_path, capsys):
    """Two files named alike gave one provenance line for two answers; so did two posteriors under
    the same data and code (a refit): the scenario's and the parameter draws' hashes tell them apart."""
    from covsim.cli.main import main

    for name, share in (("a.toml", 1.0), ("b.toml", 0.5)):
        (tmp_path / name).write_text(f'name = "my_reform"\nbaseline = "lai_chau"\n[reform]\n'
                                     f'"state_share.near_poor" = {{ 2026 = {share} }}\n')
    lines = []
    for args in (["a.toml"], ["b.toml"], ["a.toml", "--draws", "3"]):
        assert main(["run", str(tmp_path / args[0]), "--quiet", *(args[1:] or ["--draws", "2"])]) == 0
        lines.append(next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("provenance: ")))
    assert len(set(lines)) == 3, lines
    scenario = [ln.split(", seed")[0] for ln in lines]
    assert scenario[0] != scenario[1] and scenario[0] == scenario[2]  # the files differ, the draws do not
    draws = [ln.split("parameters ")[1].split(",")[0] for ln in lines]
    assert draws[0] == draws[1] != draws[2]  # two draws of the posterior are not three


def test_scenarios_lists_what_a_scenario_past_2030_holds_besides(tmp_path, capsys, monkeypatch):
    """The labour force table ends in 2030: a scenario to 2035 holds the required share there, and
    `covsim scenarios` says so under it, as its run does (the shipped ones all end by 2030)."""
    from covsim import simulator
    from covsim.cli.main import main

    path = tmp_path / "vl_2035.toml"
    path.write_text('name = "vl_2035"\nbaseline = "vinh_long"\nscheme = "bhxh"\nend = 2035\ndescription = "to 2035"\n')
    monkeypatch.setattr(simulator, "shipped_scenarios", lambda: ["vinh_long_labour_2018", str(path)])
    assert main(["scenarios", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows["vl_2035"]["fixed"]) == len(rows["vinh_long_labour_2018"]["fixed"]) + 1
    assert "carried past its 2030 row" in rows["vl_2035"]["fixed"][-1]
    assert main(["scenarios"]) == 0
    also = [l.strip() for l in capsys.readouterr().out.splitlines() if "also held fixed" in l]
    assert len(also) == 1 and "the run to 2035" in also[0]


def test_a_reform_that_replaces_a_later_decided_change_says_so(tmp_path, capsys):
    """Pupils' share set to 40% from 2024 replaces Decree 188/2025's 50% from August 2025: a 'raise'
    that lowers the share from then on. Every output that lists assumed numbers says it."""
    from covsim.cli.main import main

    reform = tmp_path / "pupils.toml"
    reform.write_text('name = "pupils_40"\nbaseline = "vinh_long"\n[reform]\n"state_share.pupil_student" = '
                      '{ 2024 = 0.4 }\n', encoding="utf-8")
    assert main(["run", str(reform), "--draws", "2", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)["provenance"]["supersedes"]
    assert said == [{"path": "state_share.pupil_student", "value": 0.4, "replaces": 0.5, "from": "2025-08-15",
                     "reference": said[0]["reference"]}] and "188/2025" in said[0]["reference"]
    assert main(["run", str(reform), "--draws", "2"]) == 0
    assert ("replaces a later change: state_share.pupil_student = 0.4 replaces the policy in force's 0.5 from "
            "2025-08-15") in capsys.readouterr().out
    reform.write_text('name = "pupils_60"\nbaseline = "vinh_long"\n[reform]\n"state_share.pupil_student" = '
                      '{ 2026 = 0.6 }\n', encoding="utf-8")
    assert main(["run", str(reform), "--draws", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["provenance"]["supersedes"] == []  # nothing decided after 2026


def test_a_target_takes_a_decimal_comma_as_a_lever_does():
    """`brief --lever near_poor=0,375` took the decimal comma and `--target 0,95` refused it: one
    reading of a number on the command line (a thousands separator is still not a number)."""
    import argparse

    from covsim.cli.planning import _float
    from covsim.cli.regions import share

    assert _float("0,95") == 0.95 and _float("0.95") == 0.95
    assert share("0,942") == 0.942  # `region observe VALUE` takes it as `target` does
    for text in ("1,000.5", "1,0,0", "abc"):
        with pytest.raises(argparse.ArgumentTypeError):
            _float(text)


def test_a_lever_the_scheme_never_reads_is_said_on_stderr_as_the_run_starts(tmp_path):
    """A BHXH scenario setting the health `drive` ran with exit 0 and said so only in the footer
    ("not read by bhxh"); a planner reading the table could think the drive was applied."""
    toml = tmp_path / "d.toml"
    toml.write_text('baseline = "vinh_long_labour_2018"\nname = "vl_drive"\n[reform]\n"drive" = { 2019 = 1.0 }\n',
                    encoding="utf-8")
    for args in (("run", str(toml), "--draws", "4", "--quiet"),
                 ("target", "vinh_long", "--scenario", str(toml), "--target", "0.3", "--year", "2025", "--draws", "4")):
        result = covsim(*args)
        assert result.returncode == 0, result.stderr
        assert "covsim: note: vl_drive sets drive, which bhxh never reads: it changes nothing in this run" in result.stderr
    plain = covsim("run", "vinh_long_labour_2018", "--draws", "4", "--quiet")
    assert plain.returncode == 0 and "never reads" not in plain.stderr


def test_the_starting_year_asked_as_a_target_year_says_it_is_the_starting_state():
    """`covsim run` prints a 2008 row, so `target --year 2008` read as a contradiction when refused
    with the scenario's years alone."""
    line = assert_one_line_error(covsim("target", "vietnam", "--target", "0.5", "--year", "2008"),
                                 "--year: 2008 is outside the scenario's years 2009..2030")
    assert "2008 is the state the run starts from, not a year it simulates" in line
    line = assert_one_line_error(covsim("target", "vietnam", "--target", "0.5", "--year", "2031"), "2031 is outside",
                                 "the scenario's `end` sets its last year")  # `forecast --to 2031` runs: say why this does not
    assert "starts from" not in line


def test_a_target_typed_as_a_percent_is_refused_with_the_share_it_means():
    line = assert_one_line_error(covsim("target", "vietnam", "--target", "95%", "--year", "2030"),
                                 "'95%' is not a number (did you mean 0.95?)", "allowed: a share such as 0.95")
    assert "did you mean" not in assert_one_line_error(
        covsim("target", "vietnam", "--target", "many", "--year", "2030"), "'many' is not a number")


def test_a_target_for_a_year_already_observed_says_it_is_a_look_back():
    """`allocate` said so of observed years, `target` did not: a probability for 2015 on a fit that
    saw 2015's figure is no forecast."""
    result = covsim("target", "vietnam", "--target", "0.9", "--year", "2015", "--draws", "10")
    assert result.returncode == 0, result.stderr
    assert "2015 is already observed, " in result.stderr and "`--until 2014` asks as of the year before" in result.stderr
    ahead = covsim("target", "vietnam", "--target", "0.9", "--year", "2028", "--draws", "10")
    assert ahead.returncode == 0 and "already observed" not in ahead.stderr


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_sensitivity_chart_carries_what_reproduces_it(tmp_path, capsys, suffix):
    """The image recorded nothing (its title only): pasted into a report, it could not be made again."""
    from covsim.cli.main import main
    from covsim.simulator.inputs import tables

    chart = tmp_path / f"s{suffix}"
    assert main(["sensitivity", "lai_chau", "--year", "2020", "--samples", "8", "--draws", "10", "--seed", "13",
                 "--chart", str(chart), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)["provenance"]
    if suffix == ".png":
        from PIL import Image

        with Image.open(chart) as image:
            note = image.info["Description"]
    else:
        note = chart.read_text().split("<dc:description>")[1].split("<")[0]
    for part in (f"scenario lai_chau ({record['scenario_hash']})", "seed 13", f"data {tables.data_hash()}",
                 f"parameters {record['parameters_hash']}", f"code {record['code_version']}", "10 draws", "8 samples"):
        assert part in note, (part, note)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_the_sensitivity_chart_replaces_only_a_chart_covsim_wrote(tmp_path, suffix):
    """An audit (2026-12-07): `--chart` replaced any file under the name typed, a planner's own image
    too, where every other output refuses a file covsim did not write. Its own chart it replaces."""
    mine = tmp_path / f"mine{suffix}"
    mine.write_bytes(b"a planner's image\n")
    argv = ["sensitivity", "lai_chau", "--year", "2020", "--samples", "8", "--draws", "10"]
    assert_one_line_error(covsim(*argv, "--chart", str(mine)), "--chart", "not a chart covsim wrote")
    assert mine.read_bytes() == b"a planner's image\n"
    ours = tmp_path / f"ours{suffix}"
    first = covsim(*argv, "--chart", str(ours))
    assert first.returncode == 0 and ours.stat().st_size > 0, first.stderr
    again = covsim(*argv, "--seed", "3", "--chart", str(ours))  # a chart covsim wrote: replaced
    assert again.returncode == 0, again.stderr


def test_a_bhtn_runs_groups_give_null_for_an_empty_year_without_a_warning():
    """An audit (2026-12-07): `run --scheme bhtn` printed numpy's 'All-NaN slice encountered' on
    stderr: no one was required to join BHTN in 2008, an empty group, given as null."""
    result = covsim("run", "vietnam", "--scheme", "bhtn", "--draws", "10", "--json")
    assert result.returncode == 0 and "Warning" not in result.stderr, result.stderr
    out = json.loads(result.stdout)
    assert set(out["groups"]) == {"required", "other"}
    assert out["groups"]["required"]["median"][out["years"].index(2008)] is None
    assert out["groups"]["required"]["median"][out["years"].index(2020)] > 0
