"""`covsim backtest --outcomes FILE`: figures the project does not ship, scored and never fitted."""
from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from covsim.calibration import backtest as bt
from covsim.calibration import scoring
from covsim.calibration.fit import FAST
from covsim.cli.main import main
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import outcomes

from .test_unit_as_of import fits  # noqa: F401 - a 2025 unit's parts, stamped, not fitted

HEADER = "region,year,value,source\n"


def write(tmp_path, text: str, name: str = "later.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def given(year: int, value: float, region: str = "vietnam") -> pd.DataFrame:
    return pd.DataFrame([{"region": region, "year": year, "scheme": "bhyt", "value": value, "source": "a test",
                          "line": 2}])


def test_a_file_is_read_with_its_defaults(tmp_path):
    path = write(tmp_path, "\ufeffregion,year,value,source,note\nvietnam,2026,\"0,955\",VSS (test),\n\n"
                           "ho_chi_minh_city,2020,0.9,a paper,mid\n")
    rows = outcomes.read(path)
    assert rows[["region", "year", "scheme", "value"]].values.tolist() == [
        ["vietnam", 2026, "bhyt", 0.955], ["ho_chi_minh_city", 2020, "bhyt", 0.9]]
    assert rows.line.tolist() == [2, 4]  # the blank line is skipped, the rows keep their numbers
    assert outcomes.record(path, rows)["figures"] == 2


@pytest.mark.parametrize("text, fragments", [
    (HEADER + "vietnam,2026,95.5,VSS\n", ["row 2, column value", "95.5% is 0.955"]),
    (HEADER + "vietnam,2026,0.955,\n", ["row 2, column source", "every figure says where"]),
    (HEADER + "vietnamm,2026,0.955,VSS\n", ["row 2, column region", "did you mean 'vietnam'"]),
    (HEADER + "vietnam,2025,0.951,VSS\n", ["row 2, column year", "already hold", "2025", "figures the shipped data lack"]),
    (HEADER + "vietnam,2007,0.5,VSS\n", ["row 2, column year", "outside 2008-2100"]),
    (HEADER + "vietnam,2026.5,0.955,VSS\n", ["row 2, column year", "not a whole year"]),
    (HEADER + "vietnam,2026,0.955,VSS\nvietnam,2026,0.956,VSS\n", ["row 3, column year", "also on row 2"]),
    # two sources of one year: both were scored, weighing that year double
    (HEADER + "vietnam,2026,0.955,VSS\nvietnam,2026,0.951,GSO\n", ["row 3, column year", "also on row 2",
                                                                  "one figure a year"]),
    ("region,year,value,source,scheme\nvietnam,2026,0.5,VSS,bhyy\n", ["row 2, column scheme", "allowed: bhyt, bhxh, bhtn"]),
    ("region,year,value\nvietnam,2026,0.955\n", ["header row", "missing column source"]),
    ("region,year,vaule,source\nvietnam,2026,0.955,VSS\n", ["header row", "missing column value"]),
    ("region,year,value,source,notes\nvietnam,2026,0.955,VSS,x\n", ["header row", "unknown column 'notes'"]),
    (HEADER, ["no figure in the file"]),
    ("", ["the file is empty"]),
    ("Region,Year,Value,Source\nvietnam,2026,0.955,VSS\n", ["header row", "missing columns", "'Region' is not 'region'"]),
    # a province of the 2025 map with no data to run: nothing forecasts it, and the message says how
    # to add them (not a former province of the same name, whose forecast is not the unit's)
    (HEADER + "dien_bien_2025,2026,0.94,VSS\n", ["row 2, column region", "'dien_bien_2025' (Điện Biên) is listed",
                                                "no population and coverage data to run", "covsim region add"]),
    # a unit that runs is backtested as its former provinces, for health insurance only
    ("region,year,value,source,scheme\ncan_tho_2025,2026,0.3,VSS,bhxh\n", ["row 2, column scheme", "2025 unit",
                                                                         "health insurance only; allowed: bhyt"]),
    (HEADER + "vietnam,2026,0,955,VSS\n", ["row 2", "5 cells, the header names 4", "in quotes"]),
    # a quote opened and never closed: it was read as one value to the end and scored (an audit)
    (HEADER + "vietnam,2026,0.955,VSS\nvietnam,2027,0.96,\"VSS\n", ["row 3", "not readable as CSV", "double quotes"]),
    ('"region,year,value,source\nvietnam,2026,0.955,VSS\n', ["header row", "not readable as CSV"]),
])
def test_a_bad_file_is_one_line_naming_the_row_and_column(tmp_path, capsys, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        outcomes.read(path)
    for fragment in [str(path), *fragments]:
        assert fragment in str(info.value), str(info.value)
    assert "did you mean 'ho_chi_minh_city'" not in str(info.value)
    # and from the command line: exit 2, one line, before any fit (nothing printed)
    code = main(["backtest", "vietnam", "--fast", "--outcomes", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and fragments[0] in err


def test_not_a_csv_or_no_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="not a CSV file"):
        outcomes.read(write(tmp_path, HEADER, "later.xlsx"))
    with pytest.raises(InputError, match="no such file"):
        outcomes.read(tmp_path / "missing.csv")


def test_a_given_figure_makes_an_origin_and_is_scored_never_fitted():
    """The nation's last figure (2025) is no origin on the shipped data alone; a 2026 figure given
    makes it one. The figure is scored like a shipped one, on its own too, and no fit reads it: the
    as-of-2023 forecasts of the shipped years are the same with the file and without it."""
    with pytest.raises(InputError, match="not an origin"):
        bt.backtest("vietnam", 10, FAST, draws=20, seed=0, only=[2023, 2025])
    out = bt.backtest("vietnam", 10, FAST, draws=20, seed=0, only=[2025], outcomes=given(2026, 0.955))
    (row,) = out["forecasts"]
    assert out["origins"] == [2025] and row["year"] == 2026 and row["observed"] == 0.955 and row["from_outcomes"]
    mine = out["outcomes"]
    assert mine["n"] == 1 and mine["given"] == 1 and mine["not_scored"] == [] and mine["other_regions_or_schemes"] == 0
    assert mine["model"]["mae"] == pytest.approx(100 * abs(row["mean"] - 0.955), abs=1e-3)
    assert mine["model"]["mae"] == out["model"]["mae"]  # the only figure scored
    assert mine["baselines"]["last_value"]["mae"] == pytest.approx(100 * abs(0.9516 - 0.955), abs=0.05)

    plain = bt.backtest("vietnam", 3, FAST, draws=20, seed=0, only=[2023])
    more = bt.backtest("vietnam", 3, FAST, draws=20, seed=0, only=[2023],
                       outcomes=pd.concat([given(2026, 0.955), given(2020, 0.8, "ho_chi_minh_city")]))
    shipped = [f for f in more["forecasts"] if not f["from_outcomes"]]
    assert shipped == plain["forecasts"]  # fitted and forecast alike: the given figures were never read
    assert [f["year"] for f in more["forecasts"] if f["from_outcomes"]] == [2026]
    assert more["outcomes"]["other_regions_or_schemes"] == 1 and more["held_out"] == plain["held_out"] + 1


def test_a_given_figure_judges_the_target_of_its_year():
    """Resolution 72-NQ/TW (9 Sep 2025): over 95% by 2026. A 2026 figure given scores it, as of
    its day (fitted up to 2024), reached or not by that figure; the targets_met baseline is not
    told of it (it knows the shipped outcomes only)."""
    fits: dict = {}
    cases = {}
    for value in (0.955, 0.94):
        out = scoring.score_targets(FAST, draws=20, seed=0, fits=fits, only=[2025], outcomes=given(2026, value))
        (cases[value],) = [c for c in out["cases"] if c["year"] == 2026]
    assert cases[0.955]["outcome"] == 1 and cases[0.94]["outcome"] == 0
    assert all(c["outcome_from_outcomes"] and c["observed_until"] == 2024 and c["decided"] == "2025-09-09"
               for c in cases.values())
    assert cases[0.955]["model_p"] == cases[0.94]["model_p"]  # the same fit, which never saw either
    assert len(fits) == 1
    without = scoring.score_targets(FAST, draws=20, seed=0, fits=fits, only=[2025])
    assert [c for c in without["cases"] if c["year"] == 2026] == []
    assert any(s["year"] == 2026 and s["why"] == "outcome not observed" for s in without["skipped"])


def test_the_command_prints_and_records_the_file(tmp_path, capsys):
    path = write(tmp_path, HEADER + "vietnam,2026,0.955,VSS (test)\n")
    assert main(["backtest", "vietnam", "--fast", "--draws", "20", "--origins", "2025", "--outcomes", str(path),
                 "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["provenance"]["outcomes"]["file"] == str(path) and out["provenance"]["outcomes"]["figures"] == 1
    assert out["provenance"]["outcomes"]["rows"] == [{"region": "vietnam", "year": 2026, "scheme": "bhyt",
                                                      "value": 0.955, "source": "VSS (test)"}]
    assert out["outcomes"]["n"] == 1 and any(c["outcome_from_outcomes"] for c in out["targets"]["cases"])
    # the text says each target in words: its chance, the figure that judged it and from where
    assert main(["backtest", "vietnam", "--fast", "--draws", "20", "--origins", "2025", "--outcomes", str(path),
                 "--quiet"]) == 0
    text = capsys.readouterr().out
    (case,) = [c for c in out["targets"]["cases"] if c["outcome_from_outcomes"]]
    assert (f"  95% in 2026, set on 2025-09-09: model {case['model_p']:.2f}, the published figure "
            f"{case['model_p_published']:.2f}; observed 95.50%, from {path}: reached") in text.splitlines()
    assert "Brier scores of those probabilities (lower is better; 0.25 is a coin's): model" in text


def test_a_file_with_nothing_of_the_run_is_refused_before_any_fit(tmp_path, capsys):
    """A BHXH figure given to a health run fitted every origin to say "0 forecasts": now exit 2 at
    once, naming what the file holds and the command that scores it."""
    path = write(tmp_path, "region,year,value,source,scheme\nvietnam,2026,0.43,VSS (test),bhxh\n")
    code = main(["backtest", "vietnam", "--fast", "--outcomes", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "no figure of vietnam's bhyt to score (the file holds vietnam bhxh)" in err
    assert f"`covsim backtest vietnam --scheme bhxh --outcomes {path}`" in err


def test_a_2025_units_figure_is_scored_against_its_former_provinces_as_of_each_origin(tmp_path, capsys, fits):
    """Planners work in the 2025 units: a unit's own figure the project does not ship is scored
    against the unit's forecast as of each origin (its former provinces, each refitted as of it:
    `forecast UNIT --until`), never fitted; without one the unit is told how to give it."""
    from covsim.calibration.forecast import forecast

    path = write(tmp_path, HEADER + "can_tho_2025,2026,0.95,Cần Thơ BHXH (test)\n")
    assert main(["backtest", "can_tho_2025", "--draws", "20", "--origins", "2022", "--outcomes", str(path),
                 "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["forecasts"]
    assert out["region"] == "can_tho_2025" and out["origins"] == [2022]
    assert (row["origin"], row["year"], row["observed"], row["from_outcomes"]) == (2022, 2026, 0.95, True)
    alone = forecast("can_tho_2025", 2022, 2026, draws=20, seed=0,
                     settings=dataclasses.replace(bt.sampling(False), draws=20, seed=0))  # as each origin's
    assert row["mean"] == pytest.approx(next(f["mean"] for f in alone["forecasts"] if f["year"] == 2026), abs=1e-6)
    assert sorted({r for r, _, _ in fits}) == ["can_tho"]  # the former province with a fit, as of the origin
    assert {u for _, u, _ in fits} == {2022}
    assert out["outcomes"]["n"] == 1 and out["baselines"]["last_value"]["mae"] is None  # no own figure by 2022
    code = main(["backtest", "can_tho_2025", "--fast"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "has no year-end figure of its own here; allowed: its figures given with --outcomes FILE.csv" in err
    assert main(["backtest", "can_tho_2025", "--scheme", "bhxh"]) == 2
    assert "health insurance only" in capsys.readouterr().err
