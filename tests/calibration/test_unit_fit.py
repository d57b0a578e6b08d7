"""A 2025 unit's own figure: kept with `covsim region observe`, it weighs the unit's former provinces'
joint draws, every run of the unit then uses them, and bad input loses nothing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

UNIT = "vinh_long_2025"


def covsim(*args, user: Path):
    env = dict(os.environ, COVSIM_USER_DIR=str(user))
    env.pop("COVSIM_DATA_DIR", None)
    return subprocess.run([str(Path(sys.executable).parent / "covsim"), *args], capture_output=True, text=True,
                          env=env, timeout=600)


def coverage_2025(params: xr.Dataset) -> np.ndarray:
    """The unit's 2025 coverage without the walk, draw by draw (what the weighing compares)."""
    import dataclasses

    from covsim import simulator
    from covsim.simulator.inputs.scenario import for_region

    sc = dataclasses.replace(for_region(UNIT), end=2025)
    return simulator.run(sc, params=params, seed=0, noise_from=10_000).coverage_total.sel(region=UNIT, year=2025).values


@pytest.mark.parametrize("figure", [0.915, 0.95])
def test_the_unit_moves_towards_its_own_figure(figure):
    from covsim.calibration import shipped, unit_fit

    rows = pd.DataFrame({"year": [2025], "value": [figure], "source": ["test fixture (not a real source)"]})
    post = unit_fit.fit_unit(UNIT, 0, rows)
    pool = shipped.merged_draws(UNIT, post.sizes["draw"], 0)
    before, after = np.median(coverage_2025(pool)), np.median(coverage_2025(post))
    assert abs(after - figure) < abs(before - figure)  # nearer the figure, on whichever side it lies
    assert (after > before) == (figure > before)
    assert post.attrs["ess"] >= 300 and post.attrs["pareto_k"] <= 0.7 and post.attrs["pool"] == post.sizes["draw"]
    assert json.loads(post.attrs["unit_figures"]) == [{"year": 2025, "value": figure,
                                                      "source": "test fixture (not a real source)"}]
    from covsim.simulator.inputs.scenario import for_region

    assert post.attrs["scenario"] == for_region(UNIT).name and len(post.attrs["scenario_hash"]) == 16  # all four recorded
    # Bến Tre and Trà Vinh have no figure of their own: the unit's is the first to move their offsets.
    offsets = ["ben_tre", "tra_vinh"]
    moved = post.region_offset.sel(region=offsets).mean().item() - pool.region_offset.sel(region=offsets).mean().item()
    assert (moved > 0) == (figure > before)
    assert set(json.loads(post.attrs["learned"])["contraction"]) >= {"region_offset.ben_tre", "region_offset.tra_vinh"}


def test_observe_then_every_run_uses_it_and_remove_undoes_it(tmp_path):
    user = tmp_path / "user"

    def run(region=UNIT):
        out = covsim("run", region, "--draws", "40", "--json", user=user)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    unweighed, province = run(), run("vinh_long")
    kept = covsim("region", "observe", UNIT, "2025", "0.95", "--source", "test fixture (not a real source)",
                  "--seed", "7", user=user)
    assert kept.returncode == 0, kept.stderr
    assert "weighed" in kept.stdout and (user / "regions" / UNIT / "posterior.nc").exists()
    row = next(r for r in json.loads(covsim("regions", "--json", user=user).stdout)["regions"] if r["id"] == UNIT)
    assert row["weighed_on_own_figures"] and row["observations"] == 1
    weighed = run()
    assert "weighed on its own figure of 2025, weighing seed 7 (" in weighed["provenance"]["parameters"]
    # the weighed posterior named with its hash: two folders alike but for the weighing's seed differ there
    import hashlib

    fit = user / "regions" / UNIT / "posterior.nc"
    assert {"file": f"{UNIT}/posterior.nc", "sha256": hashlib.sha256(fit.read_bytes()).hexdigest()[:16]} in (
        weighed["provenance"]["user_data"])
    assert not any(f["file"].endswith("posterior.nc") for f in unweighed["provenance"]["user_data"])
    # calibrated to its figure, and says it was weighed from draws partly on the priors (Bến Tre's and
    # Trà Vinh's offsets); until 2026-12-06 the record said calibrated with no note
    assert weighed["provenance"]["calibrated"] == 1 and unweighed["provenance"]["calibrated"] == 0
    assert weighed["provenance"]["calibration_note"].startswith("these draws were weighed on the unit's own figures "
                                                                "from draws partly on the priors")
    assert "calibration_note" not in province["provenance"]  # a fitted province's run needs none
    assert unweighed["provenance"]["calibration_note"].startswith("this run is partly on the priors")
    assert weighed["provenance"]["unit_figures"] == [{"year": 2025, "value": 0.95, "source": "test fixture (not a real source)"}]
    text = covsim("run", UNIT, "--draws", "20", user=user)
    assert "draws weighed on vinh_long_2025's own figures (covsim region observe): 2025 95.00%" in text.stdout
    k = weighed["years"].index(2025)
    assert weighed["coverage"]["mean"][k] > unweighed["coverage"]["mean"][k]  # pulled up towards 95%
    assert run("vinh_long")["coverage"] == province["coverage"]  # a former province's own runs are its own fit's
    # `calibrate` reproduces the kept weighing, from its seed unless told another.
    again = covsim("calibrate", UNIT, "--out", str(tmp_path / "unit.nc"), "--json", user=user)
    assert again.returncode == 0, again.stderr and json.loads(again.stdout)["converged"]
    with xr.open_dataset(tmp_path / "unit.nc") as a, xr.open_dataset(user / "regions" / UNIT / "posterior.nc") as b:
        assert np.array_equal(a.region_offset.values, b.region_offset.values)
    # A former province's fit that changed since makes the weighing stale, and the runs say so.
    path = user / "regions" / UNIT / "posterior.nc"
    with xr.open_dataset(path) as ds:
        stale = ds.load()
    stale.attrs["members_fits"] = "{}"
    stale.to_netcdf(path)
    warned = covsim("run", UNIT, "--draws", "20", user=user)
    assert warned.returncode == 0 and "those fits have changed since" in warned.stderr
    gone = covsim("region", "remove", UNIT, user=user)
    assert gone.returncode == 0 and not (user / "regions" / UNIT).exists()
    assert run()["coverage"] == unweighed["coverage"]


def test_a_figure_replaced_or_kept_unweighed_is_said(tmp_path):
    user = tmp_path / "user"
    assert covsim("region", "observe", UNIT, "2025", "0.93", "--source", "S1", user=user).returncode == 0
    again = covsim("region", "observe", UNIT, "2025", "0.935", "--source", "S2", "--no-calibrate", user=user)
    assert again.returncode == 0, again.stderr
    assert "2025 figure 93.00% (source: S1) is replaced" in again.stderr
    assert "the weighing kept before is dropped" in again.stdout  # it was on another figure
    assert not (user / "regions" / UNIT / "posterior.nc").exists()
    assert "0.935" in (user / "regions" / UNIT / "coverage.csv").read_text()


def test_a_one_province_unit_counts_its_repeated_draws_once():
    """Lai Châu's unit is Lai Châu alone: its pool is its stored draws, and a draw the fit's own
    resampling repeated counts once in the effective sample size."""
    from covsim.calibration import unit_fit

    post = unit_fit.fit_unit("lai_chau_2025", 0, pd.DataFrame({"year": [2025], "value": [0.95], "source": ["x"]}))
    assert post.attrs["pool"] == post.sizes["draw"] == 1000
    assert post.attrs["ess"] <= post.attrs["pool_distinct"] < post.attrs["pool"]


def test_the_briefing_says_which_figures_weighed_the_unit():
    from covsim.dashboard.brief_content import method_text

    s = {"scheme": "bhyt", "assumptions": {"calibrated": True, "unit_figures": [
        {"year": 2025, "value": 0.935, "source": "Báo cáo BHXH tỉnh"}]}}
    assert "2025: 93,50% (Báo cáo BHXH tỉnh)" in method_text(s, "vi", "Vĩnh Long")
    assert "weighed on Vĩnh Long's own figures" in method_text(s, "en", "Vĩnh Long")
    assert "weighed" not in method_text({**s, "assumptions": {"calibrated": True}}, "en", "Vĩnh Long")


@pytest.mark.parametrize("args, fragments", [
    (("vinh_long", "2025", "0.95"), ["UNIT: vinh_long is not a 2025 unit", "allowed: lai_chau_2025"]),
    ((UNIT, "2024", "0.95"), ["YEAR: 2024 is outside 2025.."]),
    ((UNIT, "2025", "95"), ["VALUE: 95 is outside (0, 1]", "(did you mean 0.95?)"]),
    ((UNIT, "2025", "0,9,5"), ["'0,9,5' is not a number", "a share such as 0.942 or 0,942"]),
    ((UNIT, "2025", "1.0000001"), ["VALUE: 1.0000001 is outside (0, 1]"]),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, fragments):
    user = tmp_path / "user"
    out = covsim("region", "observe", *args, "--source", "test fixture", user=user)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert all(f in out.stderr for f in fragments), out.stderr
    assert not (user / "regions" / UNIT).exists()


def test_a_figure_few_draws_reach_is_refused_and_nothing_is_kept(tmp_path):
    user = tmp_path / "user"
    out = covsim("region", "observe", UNIT, "2025", "0.995", "--source", "test fixture", user=user)
    assert out.returncode == 3 and "did not converge" in out.stderr and "nothing written" in out.stderr
    assert "draws put the figures at 2025: " in out.stderr  # where the former provinces' draws do reach
    assert not (user / "regions" / UNIT).exists()
    # far below every draw: the weights' tail overflows, said as the fit's k, not as numpy's warning
    far = covsim("region", "observe", "vinh_long_2025", "2025", "0.30", "--source", "test fixture", user=user)
    assert far.returncode == 3 and "did not converge" in far.stderr
    assert "Warning" not in far.stderr and "overflow" not in far.stderr, far.stderr
    kept = covsim("region", "observe", UNIT, "2025", "0.995", "--source", "test fixture", "--no-calibrate", user=user)
    assert kept.returncode == 0 and "not weighed" in kept.stdout
    assert (user / "regions" / UNIT / "coverage.csv").exists() and not (user / "regions" / UNIT / "posterior.nc").exists()
