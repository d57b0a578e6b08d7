"""Refresh the golden baseline on purpose: `python tests/update_baseline.py`.

A fixed-seed summary of every shipped scenario, checked in; tests/test_baseline.py compares new
runs with it, so an unintended change of results shows up as a failing test.
"""
from __future__ import annotations

import json
from pathlib import Path

from covsim import simulator
from covsim.calibration import shipped

PATH = Path(__file__).parent / "baseline.json"
YEARS = (2010, 2015, 2020, 2025, 2030)
DRAWS, SEED = 40, 0


def summary(name: str) -> dict:
    scenario = simulator.load_scenario(name)
    params = shipped.draws_for(scenario.region, DRAWS, SEED)
    ds = simulator.run(scenario, params=params, seed=SEED)
    cov = ds.coverage_total.sel(region=scenario.region).mean("draw")
    cost = ds.state_cost.sel(region=scenario.region).sum("group").mean("draw")
    return {
        "scenario_hash": scenario.hash,
        "coverage_mean": {str(y): _kept(cov.sel(year=y)) for y in YEARS},
        "state_cost_mean_vnd": {str(y): _kept(cost.sel(year=y)) for y in YEARS},
    }


def _kept(value) -> float:
    """Ten significant digits: the test compares to 1e-6, and the last digits of a float sum move
    with the machine (1e-12), which would rewrite every entry at each refresh and hide the one that
    changed."""
    return float(f"{float(value):.10g}")


def build() -> dict:
    return {name: summary(name) for name in simulator.shipped_scenarios()}


if __name__ == "__main__":
    PATH.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"written {PATH}")
