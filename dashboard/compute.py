"""The dashboard's only door into the model: the same public functions the CLI calls."""
from __future__ import annotations

import dataclasses
from functools import lru_cache

import xarray as xr

from covsim import simulator
from covsim.calibration import posterior
from covsim.simulator import observations, planning

DRAWS = 200
SEED = 0
REGIONS = ("vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long")
LEVER_GROUPS = ("near_poor", "pupil_student", "farm_household", "household")


def scenarios_of(region: str) -> list[str]:
    """The region's baseline first, then its shipped reforms."""
    names = [n for n in simulator.shipped_scenarios() if simulator.load_scenario(n).region == region]
    return sorted(names, key=lambda n: (n != region, n))


@lru_cache(maxsize=16)
def _draws(region: str, draws: int, seed: int) -> xr.Dataset:
    return posterior.draws_for(region, draws, seed)


def scenario(name: str, scheme: str = "bhyt"):
    sc = simulator.load_scenario(name)
    return dataclasses.replace(sc, scheme=scheme) if scheme != sc.scheme else sc


def lever_defaults(name: str, start: int) -> dict[str, float]:
    sc = scenario(name)
    return {g: planning.lever_value(sc, f"state_share.{g}", start) for g in LEVER_GROUPS}


@lru_cache(maxsize=64)
def _run(name: str, scheme: str, levers: tuple, start: int, draws: int, seed: int) -> xr.Dataset:
    sc = scenario(name, scheme)
    if levers:
        sc = planning.with_levers(sc, dict(levers), start)
    return simulator.run(sc, params=_draws(sc.region, draws, seed), draws=draws, seed=seed)


def result(name: str, scheme: str, levers: dict[str, float], start: int, target: float, year: int,
           draws: int = DRAWS, seed: int = SEED) -> dict:
    """Run (cached by its inputs), the target report, and for health insurance the budget
    against the scenario as shipped on the same draws."""
    sc = scenario(name, scheme)
    planning.check_target(target)
    planning.check_year(sc, year)
    changed = {} if scheme != "bhyt" else {
        f"state_share.{g}": float(v) for g, v in levers.items()
        if abs(float(v) - planning.lever_value(sc, f"state_share.{g}", start)) > 1e-9}
    ds = _run(name, scheme, tuple(sorted(changed.items())), start, draws, seed)
    out = {"scenario": sc, "ds": ds, "report": planning.target_report(ds, sc, target, year),
           "observed": observations.observed(sc.region, scheme), "targets": observations.targets(sc.region, scheme)}
    if scheme == "bhyt":
        base = _run(name, scheme, (), start, draws, seed)
        out["budget"] = planning.budget(ds, sc.region, comparison=base if changed else None)
    return out
