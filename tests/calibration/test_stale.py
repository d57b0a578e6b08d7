"""A stored posterior fitted on other figures than the data hold: said, never silently used."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from covsim.calibration import shipped, stale
from covsim.simulator.inputs import tables
from covsim.simulator.schemes import posterior_layers


@pytest.mark.parametrize("layer", posterior_layers(), ids=lambda layer: layer.id)
def test_every_shipped_posterior_was_fitted_on_the_shipped_figures(layer):
    """A figure added to or changed in coverage.csv without a refit fails here (a reworded source does not)."""
    for region in shipped.shipped_regions():
        path = shipped.shipped_path(region, layer)
        if path.exists():
            assert stale.stale(path, layer.id) is None, f"{path.name}: {stale.stale(path, layer.id)}"


def _run(folder, *argv):
    return subprocess.run([sys.executable, "-m", "covsim.cli.main", *argv], capture_output=True, text=True,
                          env={**os.environ, "COVSIM_DATA_DIR": str(folder)}, cwd=folder.parent)


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(tables.data_dir(), folder)
    return folder


def test_a_figure_added_to_the_data_is_said_stale_in_every_run(data):
    with open(data / "coverage.csv", "a", encoding="utf-8") as f:
        f.write('vietnam,2026,bhyt,all,0.955,share_of_population,observed,"a test source",\n')
    text = _run(data, "run", "vietnam", "--draws", "20")
    assert text.returncode == 0, text.stderr
    warned = [line for line in text.stderr.splitlines() if "vietnam.nc was fitted on other figures" in line]
    assert warned == [f"covsim: warning: vietnam.nc was fitted on other figures than the data hold (now also vietnam "
                      f"2026 all 95.50%): its runs tell what the figures it saw told, until it is refitted (`covsim "
                      f"calibrate vietnam --out {shipped.shipped_path('vietnam')}`)"]
    assert "parameters: posterior vietnam.nc (stale: fitted on other figures than the data hold" in text.stdout
    record = json.loads(_run(data, "run", "vietnam", "--draws", "20", "--json").stdout)["provenance"]
    assert record["parameters"].startswith("posterior vietnam.nc (stale: ")
    # a 2025 unit whose seat is the stale fit says so too; a labour run reads no health figure
    unit = json.loads(_run(data, "run", "can_tho_2025", "--draws", "20", "--json").stdout)["provenance"]
    assert "can_tho.nc (stale: " in unit["parameters"]
    labour = _run(data, "run", "vietnam", "--scheme", "bhxh", "--draws", "20")
    assert labour.returncode == 0 and "stale" not in labour.stdout + labour.stderr


def test_a_changed_labour_figure_is_both_gone_and_new(data):
    text = (data / "coverage.csv").read_text(encoding="utf-8")
    assert "vietnam,2020,bhxh,all,0.327," in text
    (data / "coverage.csv").write_text(text.replace("vietnam,2020,bhxh,all,0.327,", "vietnam,2020,bhxh,all,0.330,"),
                                       encoding="utf-8")
    out = _run(data, "run", "vietnam", "--scheme", "bhxh", "--draws", "20")
    assert ("labour_vietnam.nc was fitted on other figures than the data hold (now also vietnam 2020 bhxh 33.00%; "
            "no longer vietnam 2020 bhxh 32.70%)") in out.stderr
    assert "python -m covsim.calibration.shipped vietnam" in out.stderr


def test_a_reworded_source_is_not_stale(data):
    text = (data / "coverage.csv").read_text(encoding="utf-8")
    assert "VSS via VietnamPlus" in text
    (data / "coverage.csv").write_text(text.replace("VSS via VietnamPlus", "VSS, via VietnamPlus"), encoding="utf-8")
    out = _run(data, "run", "vietnam", "--scheme", "bhxh", "--draws", "20")
    assert out.returncode == 0 and "fitted on other figures" not in out.stderr


def test_a_health_fit_on_a_labour_fit_refitted_since_is_stale(tmp_path, monkeypatch):
    """A whole-record health fit holds employers' compliance at the labour posterior's mean, a file
    no code or data hash covers: a labour refit after it moved the health draws unrecorded."""
    import xarray as xr

    from covsim.calibration import health_fit

    path = shipped.shipped_path("vinh_long")
    assert stale.stale(path, "bhyt") is None
    with xr.open_dataset(health_fit.labour_path("vinh_long")) as labour:
        moved = labour.load()
    moved["compliance_logit"] = moved["compliance_logit"] + 0.3  # as a refit on a new figure would
    moved.to_netcdf(tmp_path / "labour_vinh_long.nc")
    monkeypatch.setattr(health_fit, "labour_path", lambda region: tmp_path / f"labour_{region}.nc")
    assert stale.stale(path, "bhyt") == "held employers' compliance at labour_vinh_long.nc, refitted since"
    # every shipped health posterior names what it held, and that is what the shipped labour fits give
    monkeypatch.undo()
    for region in shipped.shipped_regions():
        with xr.open_dataset(shipped.shipped_path(region)) as post:
            assert post.attrs["compliance_from"].startswith(f"labour_{region}.nc ")
