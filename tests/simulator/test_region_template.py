"""A province's own data from the Excel template: template -> fill -> region add -> regions, target
-> region remove, in a temporary user folder; bad workbooks refused cell by cell, nothing registered."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook


def covsim(*args, user: Path):
    env = dict(os.environ, COVSIM_USER_DIR=str(user))
    env.pop("COVSIM_DATA_DIR", None)
    return subprocess.run([str(Path(sys.executable).parent / "covsim"), *args], capture_output=True, text=True,
                          env=env, timeout=600)


def fill(path: Path, rid="dien_bien", population=((2019, 598856),), coverage=((2018, 93.5), (2019, 94.0)),
         targets=((2025, 95),), top_ups=((2026, "near_poor", 10),), drop=None):
    wb = load_workbook(path)
    wb["Tỉnh"].append([rid, None, None, "test fixture (not a real source)"])
    for year, people in population:
        wb["Dân số"].append([year, people, None])
    for year, value in coverage:
        wb["Bao phủ BHYT"].append([year, value, None])
    for year, value in targets:
        wb["Chỉ tiêu BHYT"].append([year, value, None])
    for row in top_ups:
        wb["Hỗ trợ địa phương"].append([*row, None])
    if drop:
        wb.remove(wb[drop])
    wb.save(path)


def registered(user: Path) -> list[str]:
    root = user / "regions"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def template(tmp_path):
    out = tmp_path / "province.xlsx"
    done = covsim("region", "template", "--out", str(out), user=tmp_path / "user")
    assert done.returncode == 0, done.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Tỉnh", "Dân số", "Bao phủ BHYT", "Chỉ tiêu BHYT", "Hỗ trợ địa phương"]
    assert wb["Dân số"]["A1"].value == "Năm" and wb["Dân số"]["A2"].value == "Year"  # Vietnamese over English
    assert wb["Bao phủ BHYT"].data_validations.dataValidation  # the cells say what they accept
    return out


def test_template_fill_add_target_remove(tmp_path, template):
    user = tmp_path / "user"
    fill(template)
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 0, added.stderr
    assert registered(user) == ["dien_bien"]
    listed = json.loads(covsim("regions", "--json", user=user).stdout)["regions"]
    row = next(r for r in listed if r["id"] == "dien_bien")
    # calibrated at `region add`, pooled with the national fit; the posterior sits beside its data
    assert row["runnable"] and row["population"] == 598856 and row["observations"] == 2 and row["calibrated"]
    assert (user / "regions" / "dien_bien" / "posterior.nc").exists()
    target = covsim("target", "dien_bien", "--target", "0.95", "--year", "2025", "--draws", "20", "--json", user=user)
    assert target.returncode == 0, target.stderr
    assert 0 <= json.loads(target.stdout)["probability"] <= 1
    assert "prior" not in target.stderr  # on its own posterior, not the priors
    again = covsim("region", "add", str(template), user=user)
    assert again.returncode == 2 and "already a region the model runs" in again.stderr
    gone = covsim("region", "remove", "dien_bien", user=user)
    assert gone.returncode == 0 and registered(user) == []
    listed = json.loads(covsim("regions", "--json", user=user).stdout)["regions"]
    assert not next(r for r in listed if r["id"] == "dien_bien")["runnable"]
    shipped = covsim("region", "remove", "lai_chau", user=user)
    assert shipped.returncode == 2 and "not a region you added" in shipped.stderr


@pytest.mark.parametrize("change, fragments", [
    (dict(drop="Dân số"), ["sheet 'Dân số': missing"]),
    (dict(population=((2019, "about 600k"),)), ["sheet 'Dân số', cell B3", "not a number"]),
    (dict(coverage=((2018, 120),)), ["sheet 'Bao phủ BHYT', cell B3", "not a share in 0..100"]),
    (dict(coverage=((2019, 90), (2018, 91))), ["sheet 'Bao phủ BHYT', cell A4", "increasing order"]),
    (dict(rid="lai_chau"), ["sheet 'Tỉnh', cell A3", "'lai_chau' is already a region"]),
    (dict(top_ups=((2026, "nobody", 10),)), ["sheet 'Hỗ trợ địa phương', cell B3", "not a group; allowed"]),
])
def test_bad_workbook_is_refused_cell_by_cell_and_nothing_registered(tmp_path, template, change, fragments):
    user = tmp_path / "user"
    fill(template, **change)
    done = covsim("region", "add", str(template), user=user)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert all(f in lines[0] for f in fragments) and str(template) in lines[0]
    assert registered(user) == []


def test_every_problem_gets_its_own_line(tmp_path, template):
    fill(template, population=((2019, "many"),), coverage=((2018, 120), (2017, 90)))
    done = covsim("region", "add", str(template), user=tmp_path / "user")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("covsim: error: ") for line in lines)
    assert registered(tmp_path / "user") == []
