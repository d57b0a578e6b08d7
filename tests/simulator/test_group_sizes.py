"""Group sizes from the Lai Chau annex (issue #39, item 2): the raking that spreads a plan's people
per group over ages, the rows it ships, and the refusal of a group table that cannot hold."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from covsim import simulator
from covsim.simulator.inputs import group_sizes, tables
from covsim.simulator.inputs.groups import GROUP_IDS

ROOT = Path(__file__).resolve().parents[2]
COVSIM = [sys.executable, "-m", "covsim.cli.main"]


def test_rake_meets_the_totals_and_keeps_each_band_whole():
    profile = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.2, 0.8]])
    people = np.array([100.0, 300.0, 600.0])
    totals = np.array([10.0, 50.0, 40.0])  # shares 10%, 50%, 40% of 1,000 people
    shares, gap = group_sizes.rake(profile, people, totals)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose((people[:, None] * shares).sum(axis=0), [100.0, 500.0, 400.0], atol=1e-6)
    np.testing.assert_allclose(gap, 0.0, atol=1e-6)
    assert (shares[profile == 0] == 0).all()  # a group never appears where the profile has none


def test_rake_reports_what_a_group_alone_in_its_band_cannot_meet():
    profile = np.array([[1.0, 0.0], [0.0, 1.0]])
    shares, gap = group_sizes.rake(profile, np.array([100.0, 100.0]), np.array([30.0, 70.0]))
    np.testing.assert_array_equal(shares, profile)
    np.testing.assert_allclose(gap, [-40.0, 40.0])


def test_annex_totals_are_the_annexs_own_rows():
    totals = group_sizes.annex_totals(2016)
    assert totals["household"] == 22530  # row V
    assert totals["employee"] == 32830  # rows I.1-I.9 (the group row says 33,826: a finding of check-data)
    assert totals["child_under6"] == 65220


def test_lai_chau_group_sizes_follow_the_annex_not_the_assumption():
    sc = dataclasses.replace(simulator.load_scenario("lai_chau"), end=2016)
    one = simulator.run(sc, draws=4, seed=0).sel(region="lai_chau", year=2016, draw=0)
    annex = group_sizes.annex_totals(2016)
    model = one.population.to_series()
    scale = float(one.population_total) / annex.sum()
    # Every group the raking could reach is within 5% of the annex's share of the people; before,
    # the household group was 38,352 against the annex's 22,530.
    for g in ("household", "employee", "poor", "pupil_student", "near_poor"):
        assert abs(model[g] / (annex[g] * scale) - 1) < 0.05, g
    rows = tables.table("group_shares")
    lai = rows[(rows.region == "lai_chau") & (rows.year >= 2016)]
    assert set(lai.kind) == {"planned"} and lai.source.str.contains("annex \\(b\\)").all()


def test_shipped_rows_are_what_the_tool_writes():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "make_group_shares.py"), "--check"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def _copy(tmp_path: Path) -> Path:
    for path in tables.data_dir().glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _check_data(folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COVSIM_DATA_DIR=str(folder))
    return subprocess.run(COVSIM + ["check-data"], capture_output=True, text=True, env=env, timeout=600)


def test_negative_count_in_the_group_annex_is_refused_by_file_row_and_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "lai_chau_groups.csv"
    text = path.read_text(encoding="utf-8")
    old = "2016,V,group,5,,"
    line = next(i for i, l in enumerate(text.splitlines()) if l.startswith(old)) + 1
    path.write_text(text.replace(",22530,", ",-22530,", 1), encoding="utf-8")
    run = _check_data(folder)
    assert run.returncode == 2
    assert f"lai_chau_groups.csv: row {line}, column 'population'" in run.stdout
    assert "negative" in run.stdout


def test_group_shares_that_do_not_add_up_are_refused_by_file_row_and_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "group_shares.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, l in enumerate(lines) if l.startswith("vietnam,all,6,17,poor,2010,0.1100,"))
    lines[k] = lines[k].replace(",0.1100,", ",0.0100,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    run = _check_data(folder)
    assert run.returncode == 2
    assert "group_shares.csv: row" in run.stdout and "column 'share'" in run.stdout
    assert "sum to 0.9000, less than 1" in run.stdout
