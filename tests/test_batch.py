"""Batches: identical on every scheduler, resumable after a kill, complete or absent, monotone in a lever."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from covsim import simulator
from covsim.calibration import posterior
from covsim.cli.main import main

GRID = ["--grid", "near_poor=0.7:1.0:0.1"]


def batch(capsys, out, *extra):
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "8", "--out", str(out), "--json",
                 *extra])
    captured = capsys.readouterr()
    return code, captured


def opened(path):
    with xr.open_dataset(path, engine="zarr" if str(path).endswith(".zarr") else None) as ds:
        return ds.load()


def test_sync_and_local_cluster_give_identical_numbers(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "sync.zarr")
    assert code == 0
    code, _ = batch(capsys, tmp_path / "local.zarr", "--scheduler", "local", "--workers", "2")
    assert code == 0
    a, b = opened(tmp_path / "sync.zarr"), opened(tmp_path / "local.zarr")
    assert a.sizes["scenario"] == 4 and a.sizes["draw"] == 24
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_a_chunk_is_the_same_draws_as_the_whole_run(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "b.nc")
    assert code == 0
    ds = opened(tmp_path / "b.nc")
    scenario = simulator.load_scenario("vinh_long")
    from covsim.simulator import planning

    whole = simulator.run(planning.with_levers(scenario, {"state_share.near_poor": 0.8}, planning.lever_start(scenario)),
                          params=posterior.draws_for("vinh_long", 24, 0), seed=0)
    mine = ds.coverage.sel(scenario="vinh_long[state_share.near_poor=0.8]")
    np.testing.assert_array_equal(mine.values, whole.coverage.sel(region="vinh_long").values)


def test_probability_of_a_target_rises_along_the_grid(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "g.nc")
    assert code == 0
    ds = opened(tmp_path / "g.nc").sortby("state_share.near_poor")
    year = int(json.loads(ds.attrs["scenario_definitions"])["vinh_long[state_share.near_poor=1]"]["end"])
    near_poor = ds.coverage.sel(group="near_poor", year=year)
    target = float(near_poor.median())
    probability = (near_poor >= target).mean("draw").values
    assert np.all(np.diff(probability) >= 0) and probability[-1] > probability[0]
    assert np.all(np.diff(ds.coverage_total.sel(year=year).values, axis=0) >= 0)  # every draw, common numbers


def test_killed_batch_resumes_to_the_same_result(tmp_path, capsys):
    reference = tmp_path / "ref.nc"
    assert batch(capsys, reference)[0] == 0
    out = tmp_path / "killed.nc"
    partial = Path(f"{out}.partial")
    cmd = [sys.executable, "-m", "covsim.cli.main", "batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws",
           "2", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(partial.glob("*.nc"))) < 5:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list(partial.glob("*.nc")))
    assert 5 <= finished < 48, "the kill came too late to test a resume"
    assert not out.exists()  # the store appears only when complete
    # Without --resume an unfinished batch is refused, and nothing is lost.
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "2", "--out", str(out)])
    assert code == 2 and "--resume" in capsys.readouterr().err
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "2", "--out", str(out), "--resume",
                 "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["resumed_chunks"] >= 5 and result["chunks"] == 48
    assert not partial.exists()
    a, b = opened(reference), opened(out)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


@pytest.mark.parametrize("extra, key", [
    (["--grid", "near_pour=0.3:1:0.1"], "near_pour"),
    (["--grid", "near_poor=0.3:1"], "near_poor=0.3:1"),
    (["--grid", "near_poor=0.9:0.3:0.1"], "START"),
    (["--grid", "near_poor=0.3:1.0:0"], "STEP"),
    (["--grid", "near_poor=0.3:1.5:0.1"], "range"),
    (["--scheduler", "tcp://127.0.0.1:9"], "tcp://127.0.0.1:9"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, extra, key):
    out = tmp_path / "bad.zarr"
    code = main(["batch", "vinh_long", "--draws", "4", "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and key in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_bad_destination(tmp_path, capsys):
    assert main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["batch", "nowhere", "--draws", "4", "--out", str(tmp_path / "x.nc")]) == 2
    assert list(tmp_path.iterdir()) == []
