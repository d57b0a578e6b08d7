"""The `--json` shapes docs/json.md lists are the shapes the commands give: a key added or dropped
without the file fails here (the shapes are public interfaces)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from covsim.cli.main import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "json.md"


def documented(command: str, scheme: str = "bhyt", unit: bool = False) -> set[str]:
    """The keys of the table under '## `covsim COMMAND … --json`' (a cell may name several); a row
    whose text starts 'health only:' or 'labour only:' counts for that scheme alone, 'a 2025 unit
    only:' for a unit (`unit`) alone."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## `covsim {command} ")
    end = text.find("\n## ", start + 1)
    keys = set()
    for line in text[start:end if end > 0 else None].splitlines():
        if line.startswith("| `"):
            what = line.split("|")[2].strip()
            if what.startswith("health only:") and scheme != "bhyt" or what.startswith("labour only") and scheme == "bhyt":
                continue
            if what.startswith("a 2025 unit only:") and not unit:
                continue
            keys |= set(re.findall(r"`([a-z_0-9]+)`", line.split("|")[1]))
    return keys


COMMANDS = {
    "run": ["run", "lai_chau", "--draws", "6"],
    "target": ["target", "lai_chau", "--target", "0.9", "--year", "2020", "--draws", "6"],
    "solve": ["solve", "lai_chau", "--target", "0.9", "--year", "2020", "--probability", "0.5", "--levers",
              "near_poor", "--draws", "6"],
    "sensitivity": ["sensitivity", "lai_chau", "--year", "2020", "--samples", "8", "--draws", "6"],
    "allocate": ["allocate", "lai_chau", "--target", "0.9", "--year", "2020", "--out", "{tmp}/a.csv"],
    "regions": ["regions"],
    "forecast": ["forecast", "lai_chau", "--until", "2018", "--to", "2020"],  # an as-of fit: some 15 s
    "batch": ["batch", "lai_chau", "--draws", "6", "--out", "{tmp}/b.zarr", "--quiet"],
    "brief": ["brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--draws", "6",
              "--out", "{tmp}/b.html"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_documented_keys_are_the_keys_given(command, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path) for a in COMMANDS[command]] + ["--json"]
    assert main(argv) == 0
    given = set(json.loads(capsys.readouterr().out))
    assert given == documented(command)


@pytest.mark.parametrize("argv", [
    ["run", "vinh_long", "--scheme", "bhxh", "--draws", "6"],
    ["target", "vinh_long", "--scheme", "bhxh", "--target", "0.3", "--year", "2025", "--draws", "6"],
])
def test_a_labour_run_gives_the_keys_documented_for_it(argv, capsys):
    assert main(argv + ["--json"]) == 0
    given = set(json.loads(capsys.readouterr().out))
    expected = documented(argv[0], "bhxh")
    if argv[0] == "run":  # with --budget only
        expected -= {"voluntary_subsidy_cost"}
    assert given == expected


def test_calibrate_s_documented_keys_are_its_summary_s():
    """calibrate takes some 20 s: its keys are read from the code that prints them, not a fit."""
    import inspect

    from covsim.cli import forecasting

    source = inspect.getsource(forecasting.cmd_calibrate)
    summary = source[source.index("summary = {"):source.index("if args.json")]
    assert set(re.findall(r'"([a-z_0-9]+)":', summary)) == documented("calibrate")


def _provenance(argv, tmp_path, capsys) -> dict:
    assert main([a.format(tmp=tmp_path) for a in argv] + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)["provenance"]


def test_every_provenance_says_the_scheme_the_scenario_as_run_and_what_the_model_holds(tmp_path, capsys):
    """As docs/json.md says of every answer from a run: a health run named no scheme and no run its
    scenario's definition; `solve`, `sensitivity` and `batch` left out what the model holds fixed and
    what the fit learned, which their text then did not print either."""
    run = _provenance(COMMANDS["run"], tmp_path, capsys)
    assert run["scheme"] == "bhyt" and run["scenario_definition"]["region"] == "lai_chau"
    assert run["fixed"] and run["learned"]["mostly_prior"]
    for command in ("solve", "sensitivity", "batch"):
        got = _provenance(COMMANDS[command], tmp_path, capsys)
        assert got["fixed"] == run["fixed"], command
        learned = got["learned"]["lai_chau"] if command == "batch" else got["learned"]
        assert learned == run["learned"], command
    assert _provenance(COMMANDS["solve"], tmp_path, capsys)["scenario_definition"] == run["scenario_definition"]


def test_a_labour_analysis_names_the_labour_draws_its_runs_read(tmp_path, capsys):
    """`solve --scheme bhxh` named the health posterior its draws carry beside the labour layer's."""
    run = _provenance(["run", "vinh_long", "--scheme", "bhxh", "--draws", "6"], tmp_path, capsys)
    solved = _provenance(["solve", "vinh_long", "--scheme", "bhxh", "--target", "0.3", "--year", "2025",
                          "--probability", "0.5", "--levers", "voluntary_subsidy.poor", "--draws", "6"], tmp_path, capsys)
    assert run["parameters"].startswith("posterior labour_") and solved["parameters"] == run["parameters"]
    assert solved["fixed"] == run["fixed"] and solved["learned"] == run["learned"]


def test_a_briefings_provenance_is_a_runs_with_its_summarys_additions(tmp_path, capsys):
    """docs/json.md: brief's provenance has run's keys: it was the page's summary alone, with no
    region, scheme, assumptions or learned. The two keys both had keep the briefing's types."""
    run = _provenance(["run", "lai_chau_plan_2016", "--draws", "6"], tmp_path, capsys)
    brief = _provenance(["brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--draws", "6",
                         "--out", "{tmp}/b.html"], tmp_path, capsys)
    assert set(run) <= set(brief), set(run) - set(brief)
    for key in ("region", "scheme", "assumptions", "fixed", "learned", "seed", "draws"):
        assert brief[key] == run[key], key
    assert json.loads(brief["scenario_definition"]) == run["scenario_definition"]  # a string, as it always was
    assert brief["calibrated"] is True and run["calibrated"] == 1
    assert brief["assumed"] == run["assumptions"] and "mostly_prior" in brief  # the summary's, kept


def test_a_forecast_names_its_denominator_as_a_run_does(capsys):
    """docs/json.md: forecast's `denominator` "as `run`": it said `population` where run says
    `resident_population` (the census's usual residents), two words for one thing."""
    assert main(COMMANDS["run"] + ["--json"]) == 0
    run = json.loads(capsys.readouterr().out)["denominator"]
    assert main(COMMANDS["forecast"] + ["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["denominator"] == run == "resident_population"


@pytest.mark.parametrize("argv", [["scenarios"], ["check-data"]])
def test_the_listing_commands_give_the_keys_documented_for_their_items(argv, capsys):
    """`scenarios --json` and `check-data --json` print a list, which docs/json.md did not give."""
    main(argv + ["--json"])  # check-data exits 0 on the shipped data's notes
    items = json.loads(capsys.readouterr().out)
    assert isinstance(items, list) and items
    assert {key for item in items for key in item} == documented(argv[0])


def test_every_region_carries_the_keys_documented_for_it(capsys):
    assert main(["regions", "--json"]) == 0
    regions = json.loads(capsys.readouterr().out)["regions"]
    text = DOC.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `regions` | every region"))
    assert {key for r in regions for key in r} == set(re.findall(r"`([a-z_0-9]+)`", row.split("|")[2]))
    assert dict((r["id"], r["code"]) for r in regions)["hanoi_2025"] == "01"


def test_a_record_says_where_its_code_is_and_what_it_ran_on(tmp_path, capsys):
    """The code hash names code, not where to find it: a run from edits no commit holds named code
    that no longer existed anywhere. A record adds the git commit where the package is a checkout
    (with '+modified'), the libraries' versions, and the user's files its data hash covers."""
    import numpy
    import scipy

    record = _provenance(COMMANDS["run"], tmp_path, capsys)
    assert record["environment"]["numpy"] == numpy.__version__ and record["environment"]["scipy"] == scipy.__version__
    commit = record["code_commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}(\+modified)?", commit), commit
    from covsim.simulator.inputs import tables

    assert record["user_data"] == tables.user_data_files()  # (tests/simulator/test_region_template: a region's)
    solved = _provenance(COMMANDS["solve"], tmp_path, capsys)
    assert solved["environment"] == record["environment"] and solved["code_commit"] == commit
