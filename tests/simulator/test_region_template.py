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


#: A few of Điện Biên's communes and wards since 1 July 2025 (codes and names as vietnam-provinces lists
#: them; the figures are a test fixture): a code typed as a number loses its leading zero, a name may
#: leave out 'Xã'/'Phường'.
COMMUNES = ((2024, "03325", "Xã Mường Phăng", 12000, 11000), (2024, "03127", "Điện Biên Phủ", 40000, 39000),
            (2024, 3334, "Phường Mường Thanh", 30000, 29500))


def fill(path: Path, rid="dien_bien", population=((2019, 598856),), coverage=((2018, 93.5), (2019, 94.0)),
         targets=((2025, 95),), top_ups=((2026, "near_poor", 10),), drop=None, communes=()):
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
    for r, row in enumerate(communes, start=3):  # the sheet's code column is formatted as text
        for j, value in enumerate(row, start=1):
            wb["Xã phường"].cell(r, j, value)
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
    assert wb.sheetnames == ["Tỉnh", "Dân số", "Bao phủ BHYT", "Chỉ tiêu BHYT", "Hỗ trợ địa phương", "Xã phường"]
    assert wb["Dân số"]["A1"].value == "Năm" and wb["Dân số"]["A2"].value == "Year"  # Vietnamese over English
    assert wb["Bao phủ BHYT"].data_validations.dataValidation  # the cells say what they accept
    return out


DASHBOARD_STEP = """
import json
from covsim.dashboard import compute, layout
assert "dien_bien" in compute.REGIONS
picker = [c for c in layout.controls().children if getattr(c, "id", None) == "region"][0]
assert {"label": "Điện Biên", "value": "dien_bien"} in picker.options
res = compute.full_result("dien_bien", "bhyt", {}, 2026, 0.95, 2030, draws=8, seed=0)
s = compute.summary(res)
print(json.dumps({"probability": s["report"]["probability"], "calibrated": s["assumptions"]["calibrated"],
                  "years": s["years"], "groups": len(s["report"]["groups"])}))
"""


def test_template_fill_add_target_remove(tmp_path, template):
    user = tmp_path / "user"
    fill(template, communes=COMMUNES)
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
    # The dashboard, in the same user folder, offers it and runs it on its posterior.
    env = dict(os.environ, COVSIM_USER_DIR=str(user))
    env.pop("COVSIM_DATA_DIR", None)
    board = subprocess.run([sys.executable, "-c", DASHBOARD_STEP], capture_output=True, text=True, env=env,
                           timeout=600)
    assert board.returncode == 0, board.stderr
    shown = json.loads(board.stdout.strip().splitlines()[-1])
    assert 0 <= shown["probability"] <= 1 and shown["calibrated"] and shown["years"][-1] == 2030
    # Its communes: allocate shares the province's yearly targets out to them, adding up.
    out = tmp_path / "communes.csv"
    alloc = covsim("allocate", "dien_bien", "--target", "0.96", "--year", "2030", "--draws", "20", "--out", str(out),
                   "--json", user=user)
    assert alloc.returncode == 0, alloc.stderr
    report = json.loads(alloc.stdout)
    assert report["communes"] and not report["districts"]
    import pandas as pd

    table = pd.read_csv(out, dtype={"unit": str})
    communes = table[table.unit_kind == "commune"]
    assert {"Xã Mường Phăng (03325)", "Phường Điện Biên Phủ (03127)", "Phường Mường Thanh (03334)"} < set(communes.unit)
    assert communes.year.min() == 2025 < 2030 and table.year.min() < 2025  # communes since 1 July 2025 only
    sums = table[table.year >= 2025].groupby(["year", "unit_kind"])[["insured", "population"]].sum().unstack()
    assert (sums["insured"]["commune"] == sums["insured"]["group"]).all()  # the communes add up to the province
    assert (sums["population"]["commune"] == sums["population"]["group"]).all()
    assert (communes.insured <= communes.population).all()
    last = communes[communes.year == 2030].set_index("unit").rate
    # Each commune keeps its standing: Mường Phăng (92% insured in 2024) stays below Mường Thanh (98%).
    assert last["Xã Mường Phăng (03325)"] < last["Phường Mường Thanh (03334)"]
    again = covsim("region", "add", str(template), user=user)
    assert again.returncode == 2 and "already a region the model runs" in again.stderr
    gone = covsim("region", "remove", "dien_bien", user=user)
    assert gone.returncode == 0 and registered(user) == []
    listed = json.loads(covsim("regions", "--json", user=user).stdout)["regions"]
    assert not next(r for r in listed if r["id"] == "dien_bien")["runnable"]
    shipped = covsim("region", "remove", "lai_chau", user=user)
    assert shipped.returncode == 2 and "nothing of it is in your data folder" in shipped.stderr


def test_a_registered_regions_file_edited_out_of_range_stops_every_command_but_its_removal(tmp_path, template):
    """A value edited by hand in the user folder is a fault of that file (its own row), as in the
    shipped data: check-data exits 2 naming it, a run is refused, and the region can still be removed."""
    user = tmp_path / "user"
    fill(template)
    assert covsim("region", "add", str(template), "--no-calibrate", user=user).returncode == 0
    path = user / "regions" / "dien_bien" / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("value")] = "1.5"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    check = covsim("check-data", user=user)
    assert check.returncode == 2
    assert f"{path}: row 2, column 'value': 1.5 is outside [0, 1]" in check.stdout
    run = covsim("run", "dien_bien", "--draws", "2", user=user)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and str(path) in run.stderr
    gone = covsim("region", "remove", "dien_bien", user=user)
    assert gone.returncode == 0 and registered(user) == []


@pytest.mark.parametrize("change, fragments", [
    (dict(drop="Dân số"), ["sheet 'Dân số': missing"]),
    (dict(population=((2019, "about 600k"),)), ["sheet 'Dân số', cell B3", "not a number"]),
    (dict(coverage=((2018, 120),)), ["sheet 'Bao phủ BHYT', cell B3", "not a share in 0..100"]),
    # a share typed in a percent column would be fitted as under 1% coverage
    (dict(coverage=((2018, 0.85),)), ["sheet 'Bao phủ BHYT', cell B3", "0.85 would read as 0.85%", "type 85 for 85%"]),
    (dict(coverage=((2049, 88),)), ["sheet 'Bao phủ BHYT', cell A3", "2049 has not begun", "sheet 'Chỉ tiêu BHYT'"]),
    # before the model's first year: every fit of the region would crash on it (no model year to compare)
    (dict(coverage=((2005, 40), (2018, 93.5))), ["sheet 'Bao phủ BHYT', cell A3", "2005 is before 2008",
                                                 "the model's first year", "allowed: 2008.."]),
    # an empty cell typed as 0 was fitted, dragging the province far below its other figures
    (dict(coverage=((2017, 0), (2018, 93.5))), ["sheet 'Bao phủ BHYT', cell B3", "0 is not a figure",
                                                "allowed: above 1 (%)"]),
    (dict(coverage=((2019, 90), (2018, 91))), ["sheet 'Bao phủ BHYT', cell A4", "increasing order"]),
    (dict(rid="lai_chau"), ["sheet 'Tỉnh', cell A3", "'lai_chau' is already a region"]),
    (dict(rid="ho_chi_minh_city_2025"), ["sheet 'Tỉnh', cell A3", "'ho_chi_minh_city_2025' is already a region",
                                         "2025 unit run as the sum of its former provinces (", "binh_duong",
                                         "a region you add takes a new id"]),
    (dict(rid="lai_chau_2025"), ["sheet 'Tỉnh', cell A3", "'lai_chau_2025' is already a region", "(lai_chau)"]),
    # two top-ups for one group from one year: both were registered, and every command then refused the data
    (dict(top_ups=((2026, "near_poor", 10), (2026, "near_poor", 20))),
     ["sheet 'Hỗ trợ địa phương', cell A4", "year 2026, group near_poor already given in row 3"]),
    (dict(top_ups=((2026, "nobody", 10),)), ["sheet 'Hỗ trợ địa phương', cell B3",
                                             "not a group a local top-up can go to; allowed"]),
    # an employee's premium is the employer's: a top-up there was costed (about 800 bn VND) and changed nothing
    (dict(top_ups=((2026, "employee", 10),)), ["cell B3", "'employee' is not a group a local top-up can go to",
                                               "allowed: poor, child_under6"]),
    (dict(communes=((2024, "99999", "Xã Không Có", 100, 90),)),
     ["sheet 'Xã phường', cell B3", "'99999' is not the code of a commune or ward", "vietnam-provinces"]),
    (dict(communes=COMMUNES[:1] + ((2024, "26740", "Phường Sài Gòn", 100, 90),)),
     ["sheet 'Xã phường', cell B4", "not of this province (11)"]),
    (dict(communes=((2024, "03325", "Xã Mường Thanh", 100, 90),)),
     ["sheet 'Xã phường', cell C3", "lists as 'Xã Mường Phăng'"]),
    (dict(communes=((2024, "03325", "Mường Phăng", 100, 120),)), ["sheet 'Xã phường', cell E3", "above the population"]),
    (dict(communes=COMMUNES[:2] + ((2024, 3334, "Phường Mường Thanh", 900000, 800000),)),
     ["sheet 'Xã phường', cell D5", "communes of 2024 hold 952,000 people", "province's 598,856 (Dân số, 2019)"]),
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


def test_a_provinces_own_populations_are_the_points_its_run_passes_through(tmp_path, template):
    """Every year of the Dân số sheet is met, not only the nearest moved by an assumed growth rate."""
    user = tmp_path / "user"
    given = ((2019, 598856), (2021, 619000), (2023, 640000), (2024, 650000))
    fill(template, population=given)
    assert covsim("region", "add", str(template), "--no-calibrate", user=user).returncode == 0
    out = tmp_path / "run.nc"
    done = covsim("run", "dien_bien", "--draws", "2", "--out", str(out), user=user)
    assert done.returncode == 0, done.stderr
    import xarray as xr

    ds = xr.open_dataset(out)
    total = ds.population.sel(region="dien_bien").sum("group").mean("draw")
    for year, people in given:
        assert abs(float(total.sel(year=year)) / people - 1) < 1e-3, (year, float(total.sel(year=year)))


def test_the_template_says_what_an_observed_figure_may_be(template):
    """The observed sheet's cells accept years from the model's first and figures above 1%; a
    population or a top-up keeps its own range (a population may be older, a top-up 0)."""
    wb = load_workbook(template)
    rules = {(ws, str(d.sqref).split(":")[0]): (d.formula1, d.formula2) for ws in ("Bao phủ BHYT", "Dân số",
                                                                                    "Hỗ trợ địa phương")
             for d in wb[ws].data_validations.dataValidation}
    assert rules["Bao phủ BHYT", "A3"] == ("2008", "2050") and rules["Bao phủ BHYT", "B3"] == ("1", "100")
    assert rules["Dân số", "A3"] == ("2000", "2050") and rules["Hỗ trợ địa phương", "C3"] == ("0", "100")


def test_an_older_population_and_a_zero_top_up_are_still_taken(tmp_path, template, monkeypatch):
    from covsim.simulator.inputs.region_template import read_workbook

    fill(template, population=((2005, 480000), (2019, 598856)), top_ups=((2026, "near_poor", 0),))
    monkeypatch.setenv("COVSIM_USER_DIR", str(tmp_path / "user"))
    monkeypatch.delenv("COVSIM_DATA_DIR", raising=False)
    filled, problems = read_workbook(template)
    assert problems == [] and [r[1] for r in filled.tables["population"]] == [2005, 2019]


def test_a_registered_regions_id_is_known_and_a_typo_of_it_is_refused(tmp_path, template):
    """The registry of regions includes the regions a user added: their own rows pass check-data; a
    hand-edited id that is none is refused, naming the file, row and column, with the nearest id."""
    user = tmp_path / "user"
    fill(template)
    assert covsim("region", "add", str(template), "--no-calibrate", user=user).returncode == 0
    check = covsim("check-data", user=user)
    assert check.returncode == 0, check.stdout[-2000:]
    path = user / "regions" / "dien_bien" / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1].replace("dien_bien", "dien_bienn", 1), *lines[2:]]) + "\n",
                    encoding="utf-8")
    check = covsim("check-data", user=user)
    assert check.returncode == 2
    assert (f"{path}: row 2, column 'region': 'dien_bienn' is not a region id (did you mean 'dien_bien'?)"
            in check.stdout)
    run = covsim("run", "dien_bien", "--draws", "2", user=user)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "dien_bienn" in run.stderr


#: A few of Cần Thơ's wards since 1 July 2025 (codes and names as vietnam-provinces lists them; the
#: figures are a test fixture).
CAN_THO = ((2025, "31135", "Phường Ninh Kiều", 120000, 115000), (2025, "31120", "Cái Khế", 60000, 56000),
           (2025, "31147", "Phường Tân An", 50000, 44000))


def test_a_2025_unit_takes_its_communes_and_allocate_shares_its_targets_out_to_them_from_2025(tmp_path, template):
    """A 2025 unit run as its former provinces was refused by `region add`, so none of the new units
    the planners work in could get commune targets. Its workbook now gives its communes only."""
    import pandas as pd

    user = tmp_path / "user"
    fill(template, rid="can_tho_2025", population=(), coverage=(), targets=(), top_ups=(), communes=CAN_THO)
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 0, added.stderr
    assert "kept 3 communes of can_tho_2025" in added.stdout
    folder = user / "regions" / "can_tho_2025"
    assert sorted(p.name for p in folder.iterdir()) == ["communes.csv"]  # nothing fitted, nothing else written
    import hashlib
    import json

    listed = json.loads(covsim("run", "lai_chau", "--draws", "2", "--json", user=user).stdout)["provenance"]["user_data"]
    assert listed == [{"file": "can_tho_2025/communes.csv",  # what of the user's folder the data hash covers
                       "sha256": hashlib.sha256((folder / "communes.csv").read_bytes()).hexdigest()[:16]}]
    # its own year-end figure, kept later, leaves the communes in place
    kept = covsim("region", "observe", "can_tho_2025", "2025", "0.93", "--source", "test fixture", "--no-calibrate",
                  user=user)
    assert kept.returncode == 0, kept.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["communes.csv", "coverage.csv"]
    back = covsim("target", "can_tho_2025", "--target", "0.9", "--year", "2025", "--draws", "10", user=user)
    assert back.returncode == 0, back.stderr  # a look back, but on no fit that saw the figure, and no --until
    assert "2025 is already observed, 93.00%: a look back" in back.stderr and "--until" not in back.stderr
    out = tmp_path / "ct.csv"
    alloc = covsim("allocate", "can_tho_2025", "--target", "0.95", "--year", "2030", "--from", "2023", "--draws", "20",
                   "--out", str(out), user=user)
    assert alloc.returncode == 0, alloc.stderr
    assert "commune targets start in 2025; the years before are by group only" in alloc.stderr
    # whose figures the communes start from, and against what, said (and kept in the sidecar)
    assert ("the commune targets start from the workbook's own figures of 2025 for the 3 commune(s) it gives "
            "(93.48% together), each standing against can_tho_2025's 93.00% that year") in alloc.stderr
    # the communes share out the unit's modelled people, fewer than Resolution 202/2025's they were
    # checked against: said, with the factor (the head counts had shrunk some 27% without a word)
    scale = float(alloc.stderr.split("the communes' populations are the workbook's x ")[1].split(" in 2025:")[0])
    assert 0.6 < scale < 0.9
    table = pd.read_csv(out, dtype={"unit": str})
    communes = table[table.unit_kind == "commune"]
    assert communes.year.min() == 2025 and table.year.min() == 2023  # no commune target before it existed
    assert {"Phường Ninh Kiều (31135)", "Phường Cái Khế (31120)", "Phường Tân An (31147)"} < set(communes.unit)
    sums = table[table.year >= 2025].groupby(["year", "unit_kind"])[["insured", "population"]].sum().unstack()
    assert (sums["insured"]["commune"] == sums["insured"]["group"]).all()  # they add up to the unit
    assert (sums["population"]["commune"] == sums["population"]["group"]).all()
    rest = communes[(communes.year == 2030) & ~communes.unit.str.contains(r"\(3")].population.sum()
    # the people left out, on the measure the communes were checked against (Resolution 202/2025's
    # 4,199,824, of which they hold 230,000), not the run's smaller sum of former provinces
    assert abs(rest / communes[communes.year == 2030].population.sum() - (1 - 230000 / 4199824)) < 1e-3
    ninh_kieu = communes[(communes.year == 2025) & (communes.unit == "Phường Ninh Kiều (31135)")].population.iloc[0]
    assert abs(ninh_kieu / 120000 - scale) < 1e-3
    rate = communes[communes.year == 2030].set_index("unit").rate  # each keeps its standing (96% vs 88%)
    assert rate["Phường Tân An (31147)"] < rate["Phường Ninh Kiều (31135)"]
    gone = covsim("region", "remove", "can_tho_2025", user=user)
    assert gone.returncode == 0 and not folder.exists()


def test_communes_a_workbook_lists_stand_against_the_province_not_against_one_another():
    """An audit (2026-12-07): five wards a workbook gave at 99%, of a unit the model put at 93.5%,
    were each asked for the unit's 94% the next year: the people left out were put at the wards' own
    rate, so the wards stood at the average. The rest now makes up the province's own figure."""
    import pandas as pd

    from covsim.simulator.analysis import allocate

    wards = pd.DataFrame({"year": 2025, "unit": [f"w{i}" for i in range(5)], "code": [f"3112{i}" for i in range(5)],
                          "insured": 19800, "population": 20000})
    table = allocate._with_the_rest("can_tho_2025", wards, level={2025: 0.935})
    rest = table[table.unit == allocate.REST].iloc[0]
    assert (table.insured.sum() / table.population.sum()) == pytest.approx(0.935, abs=1e-6)  # the province's figure
    assert rest.insured / rest.population < 0.935 < 0.99
    standing = allocate.standing(table, 2025)
    assert (standing.drop(allocate.REST) > 0).all() and standing[allocate.REST] < 0  # above the province, not at it
    # with no figure of that year, as before: the rest at the given communes' rate
    old = allocate._with_the_rest("can_tho_2025", wards)
    assert old[old.unit == allocate.REST].iloc[0].insured / rest.population == pytest.approx(0.99, abs=1e-6)
    # given communes above what the province's figure allows: the rest holds none, never fewer
    high = allocate._with_the_rest("can_tho_2025", wards.assign(insured=20000, population=20000), level={2025: 0.0001})
    assert high[high.unit == allocate.REST].iloc[0].insured == 0


@pytest.mark.parametrize("change, fragments", [
    (dict(population=((2025, 4000000),)), ["sheet 'Tỉnh', cell A3", "a workbook for it gives its communes only",
                                           "this one fills Dân số"]),
    (dict(communes=()), ["sheet 'Xã phường', cell A3", "no commune given"]),
    (dict(communes=((2025, "31135", "Phường Ninh Kiều", 5000000, 100),)),
     ["sheet 'Xã phường', cell D3", "more than the province's 4,199,824 (Resolution 202/2025, 2025)"]),
    (dict(communes=COMMUNES[:1]), ["sheet 'Xã phường', cell B3", "is a commune of province code 11, not of this province (92)"]),
    # a year not begun, or a commune missing from the latest year: registered, the commune was then
    # left out of every allocation year without a word
    (dict(communes=((2031, "31135", "Phường Ninh Kiều", 120000, 115000),)),
     ["sheet 'Xã phường', cell A3", "2031 has not begun"]),
    (dict(communes=((2025, "31135", "Phường Ninh Kiều", 120000, 115000), (2024, "31120", "Cái Khế", 60000, 56000))),
     ["sheet 'Xã phường', cell A4", "commune 31120 is given for 2024 but not for 2025, the latest year given"]),
])
def test_a_2025_units_workbook_is_refused_cell_by_cell(tmp_path, template, change, fragments):
    user = tmp_path / "user"
    fill(template, **{**dict(rid="can_tho_2025", population=(), coverage=(), targets=(), top_ups=(), communes=CAN_THO),
                      **change})
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 2 and registered(user) == []
    line = added.stderr.strip().splitlines()[0]
    for fragment in fragments:
        assert fragment in line, line


def test_lai_chau_and_its_2025_unit_share_one_territorys_communes(tmp_path, template):
    """An audit (2026-12-07): with Lai Châu 2025's 38 communes registered, `allocate lai_chau_2025`
    started from the communes' 89.33% and `allocate lai_chau`, the same territory, from the model's
    96.22% with no communes at all. Both now start from the communes and give the same targets, and
    say that the probability's fit has not seen the communes' figure."""
    import pandas as pd

    from covsim.simulator.inputs.region_template import _wards

    every = sorted((code, name) for code, (name, province) in _wards().items() if province == 12)
    communes = [(2025, code, name, 10000 + 100 * k, 8900 + 90 * k) for k, (code, name) in enumerate(every)]
    user = tmp_path / "user"
    fill(template, rid="lai_chau_2025", population=(), coverage=(), targets=(), top_ups=(), communes=communes)
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 0, added.stderr
    tables = {}
    for region in ("lai_chau", "lai_chau_2025"):
        out = tmp_path / f"{region}.csv"
        done = covsim("allocate", region, "--target", "0.97", "--year", "2028", "--from", "2026", "--draws", "10",
                      "--out", str(out), user=user)
        assert done.returncode == 0, done.stderr
        assert f"the path starts from {region}'s communes' figures of 2025 together" in done.stderr
        assert "whose fit has not seen the communes' figure (`covsim region observe lai_chau_2025 2025 " in done.stderr
        tables[region] = pd.read_csv(out, dtype={"unit": str})[["year", "unit_kind", "unit", "insured", "population"]]
    assert (tables["lai_chau"].unit_kind == "commune").sum() == 3 * 38  # no 'other communes': all 38 given
    pd.testing.assert_frame_equal(tables["lai_chau"], tables["lai_chau_2025"])
    # the briefing names the communes' figure an allocation starts from, beside the figures the fit saw
    from html import unescape

    html = tmp_path / "b.html"
    done = covsim("brief", "lai_chau_2025", "--target", "0.97", "--year", "2028", "--draws", "10", "--lang", "en",
                  "--out", str(html), user=user)
    assert done.returncode == 0, done.stderr
    together = sum(c[4] for c in communes) / sum(c[3] for c in communes)
    assert (f"The province's communes and wards together in 2025 (the user's workbook): {100 * together:.2f}%; the "
            "model is not fitted to it") in unescape(html.read_text(encoding="utf-8"))


@pytest.mark.parametrize("rid, fragment", [
    ("can_tho_2052", "'can_tho_2052' is a new id, but its communes are those of TP. Cần Thơ (can_tho_2025"),
    ("CAN_THO_2025", "(did you mean 'can_tho_2025'?)"),
    ("can_tho", "a province before 1 July 2025; its communes since then go on its 2025 unit: allowed: the id "
                "'can_tho_2025'")])
def test_a_communes_workbook_under_a_wrong_id_says_the_id_alone(tmp_path, template, rid, fragment):
    """An audit (2026-12-07): a mistyped unit id was reported as 'no population given' (the sheet a
    new region would need), or beside it; the id is the fault, said once, with the id meant."""
    user = tmp_path / "user"
    fill(template, rid=rid, population=(), coverage=(), targets=(), top_ups=(), communes=CAN_THO)
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 2 and registered(user) == []
    lines = added.stderr.strip().splitlines()
    assert len(lines) == 1 and "sheet 'Tỉnh', cell A3" in lines[0] and fragment in lines[0], lines


def test_a_renamed_template_sheet_is_named_not_read_as_empty(tmp_path, template):
    """'Xã phường' renamed 'Xa phuong' was read as no communes at all ("no commune given"); a sheet of
    one's own, even one named like it, is left alone."""
    import openpyxl

    user = tmp_path / "user"
    fill(template, rid="can_tho_2025", population=(), coverage=(), targets=(), top_ups=(), communes=CAN_THO)
    wb = openpyxl.load_workbook(template)
    wb["Xã phường"].title = "Xa phuong"
    wb.create_sheet("Ghi chú")
    wb.create_sheet("Danh sách xã phường cũ").append(["Mã", "Tên"])
    wb.save(template)
    added = covsim("region", "add", str(template), user=user)
    assert added.returncode == 2 and registered(user) == []
    assert "sheet 'Xa phuong': the template's sheet 'Xã phường' renamed" in added.stderr
    assert "Ghi chú" not in added.stderr and "cũ" not in added.stderr
    # a required sheet renamed is that one fault, said once (it was said missing too: two lines)
    from covsim.simulator.inputs.region_template import write_template

    fresh = tmp_path / "fresh.xlsx"
    write_template(fresh)
    fill(fresh, rid="dien_bien")
    wb = openpyxl.load_workbook(fresh)
    wb["Dân số"].title = "Population"
    wb.save(fresh)
    added = covsim("region", "add", str(fresh), "--no-calibrate", user=user)
    assert added.returncode == 2 and len(added.stderr.strip().splitlines()) == 1, added.stderr
    assert "sheet 'Population': the template's sheet 'Dân số' renamed" in added.stderr


def test_a_units_every_commune_leaves_no_other_communes_and_starts_the_path(tmp_path, template):
    """Lai Châu's 38 communes, every one of the province, got a 39th unit 'other communes' of the
    people Resolution 202/2025 counts beyond theirs (another measure, not a unit), and the path
    started from the model's 2025 median while the communes' own figures said less (an audit of
    2026-12-06). A year with every commune and ward now has no such unit, and where the province
    has no figure of its own the path starts from the communes' together."""
    import pandas as pd
    from vietnam_provinces import Ward

    from covsim.simulator.analysis.allocate import REST

    wards = sorted((f"{int(w.code):05d}", w.name) for w in Ward.iter_all() if int(w.province_code) == 12)
    assert len(wards) == 38
    rows = tuple((2025, code, name, 12000, 11000 if k % 2 else 10500) for k, (code, name) in enumerate(wards))
    user = tmp_path / "user"
    fill(template, rid="lai_chau_2025", population=(), coverage=(), targets=(), top_ups=(), communes=rows)
    assert covsim("region", "add", str(template), user=user).returncode == 0
    out = tmp_path / "lc.csv"
    alloc = covsim("allocate", "lai_chau_2025", "--target", "0.98", "--year", "2030", "--draws", "10", "--out",
                   str(out), "--json", user=user)
    assert alloc.returncode == 0, alloc.stderr
    table = pd.read_csv(out, dtype={"unit": str})
    communes = table[table.unit_kind == "commune"]
    assert REST not in set(communes.unit) and communes.unit.nunique() == 38
    together = sum(r[4] for r in rows) / sum(r[3] for r in rows)  # 0.8958
    record = json.loads(alloc.stdout)
    assert record["provenance"]["allocation"]["start_from"] == "communes"
    assert record["provenance"]["allocation"]["start_level"] == pytest.approx(together, abs=1e-6)
    assert f"the path starts from lai_chau_2025's communes' figures of 2025 together ({100 * together:.2f}%" in alloc.stderr
    first = table[(table.unit_kind == "group") & (table.year == 2026)]
    assert together < first.insured.sum() / first.population.sum() < together + 0.03  # one step of the path on


def _named_new(template: Path, rid: str, communes) -> None:
    """A new region's workbook: names in both languages, a population, its communes."""
    fill(template, rid=rid, coverage=(), targets=(), top_ups=(), communes=communes)
    wb = load_workbook(template)
    wb["Tỉnh"]["B3"], wb["Tỉnh"]["C3"] = "Tỉnh Thử", "Test Province"
    wb.save(template)


@pytest.mark.parametrize("communes, fragments", [
    # one stray among one province's communes: one line naming its cell (it gave a line per row, none named)
    (COMMUNES + ((2024, "26740", "Phường Sài Gòn", 100, 90),),
     ["sheet 'Xã phường', cell B6", "'26740' (Phường Sài Gòn) is a commune of province code 79, not of province 11, "
                                    "the province of the sheet's other communes"]),
    # a new id over a province's communes registered a 35th province on another's ground
    (COMMUNES, ["sheet 'Tỉnh', cell A3", "'tinh_thu' is a new id, but its communes are those of Điện Biên "
                                         "(dien_bien_2025, province code 11); allowed: the id 'dien_bien_2025'"]),
])
def test_a_new_regions_communes_are_one_provinces_and_not_a_listed_ones(tmp_path, template, communes, fragments):
    user = tmp_path / "user"
    _named_new(template, "tinh_thu", communes)
    done = covsim("region", "add", str(template), user=user)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert all(f in lines[0] for f in fragments), lines[0]
    assert registered(user) == []


@pytest.mark.parametrize("given", ["", ".", "..", "../..", "ABS"])
def test_remove_deletes_only_a_registered_regions_folder(tmp_path, monkeypatch, given):
    """An id is never a path: '', '.', '..' or a folder elsewhere named no region, and `region
    remove` deleted the data folder, its parent or that folder (an audit, 2026-12-07)."""
    from covsim.simulator.inputs import region_template

    user = tmp_path / "a" / "b" / "user"
    kept = user / "regions" / "dien_bien"
    kept.mkdir(parents=True)
    (kept / "population.csv").write_text("x\n")
    (tmp_path / "a" / "canary").write_text("keep\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("COVSIM_USER_DIR", str(user))
    assert region_template.remove(str(elsewhere) if given == "ABS" else given) is None
    assert (kept / "population.csv").exists() and (tmp_path / "a" / "canary").exists() and elsewhere.is_dir()
    cli = covsim("region", "remove", str(elsewhere) if given == "ABS" else given, user=user)
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1, cli.stderr
    assert (kept / "population.csv").exists() and (tmp_path / "a" / "canary").exists() and elsewhere.is_dir()
    assert region_template.remove("dien_bien") == kept and not kept.exists()


def test_numbers_typed_as_text_are_read_or_refused_saying_what_would_do(template):
    """An audit (2026-12-07): a year typed as text ('2018', which the reform workbook reads) and a
    percent typed '93,5' or '93.5%' were "not a number", with nothing said of what would do. They
    are read now; a count with separators ('12.000': twelve thousand or twelve?) is refused, saying
    what is allowed."""
    from covsim.simulator.inputs import region_template

    fill(template, coverage=(("2018", "93,5"), (2019, "94.0%")), population=((2019, "598856"),))
    filled, problems = region_template.read_workbook(template)
    assert not problems, problems
    observed = [(r[1], r[4]) for r in filled.tables["coverage"] if r[6] == "observed"]
    assert observed == [(2018, 0.935), (2019, 0.94)] and filled.tables["population"][0][1:3] == [2019, 598856]
    fill(template, rid="dien_bien", population=((2019, "598.856"),), coverage=((2018, "abc"),))
    _, problems = region_template.read_workbook(template)
    text = "\n".join(problems)
    assert "'598.856' is not a number; allowed: a whole number of persons" in text, text
    assert "'abc' is not a number; allowed: a percent such as 93.5" in text, text
