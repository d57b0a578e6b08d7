"""A 2025 unit's own figures, weighed: what the unit's first year-end coverage teaches its runs.

A 2025 unit runs as its former provinces, each on its own fit (or its priors: Bến Tre and Trà Vinh
have no figure of their own), and none of those fits has seen the unit. A figure of the unit itself
(from 1 July 2025 on; `covsim region observe`) is evidence about all of them at once. It reweights
their joint draws: each draw's weight is the likelihood of the unit's figures given that draw's
coverage, and the draws are resampled by the Pareto-smoothed weights (sampling importance
resampling; Vehtari et al. 2024, "Pareto smoothed importance sampling", JMLR 25(72)), with the
same convergence rules as any fit (`diagnostics`).

The likelihood is the runs' own: the figure is the draw's coverage without the walk, plus the walk
the runs add from the year after the former provinces' last figures (its spread measured on the
same draws, years jointly), plus the draw's reporting error (`measurement_sd`). What is weighed is
the parameters; the walk's position at the figure is not kept, so a run's interval for the figure's
own year is the reweighted parameters' plus a fresh walk.
"""
from __future__ import annotations

import dataclasses
import json
import time

import numpy as np
import pandas as pd
import xarray as xr

from . import learned

#: The seed stream of the resampling's picks (any fixed number apart from the fits' own).
RESAMPLE_STREAM = 7931


def figures(unit: str) -> pd.DataFrame:
    """The unit's own observed year-end figures of everyone's BHYT coverage (none are shipped; a
    user adds them with `covsim region observe`)."""
    from covsim.simulator.inputs import observations
    from covsim.simulator.inputs.regions import MERGER_YEAR

    rows = observations.observed(unit, "bhyt")
    return rows[rows.year >= MERGER_YEAR].reset_index(drop=True)


#: How many joint draws are weighed, per stored draw of the province whose name the unit keeps,
#: where another former province has no fit of its own: its level is a prior draw, distinct in every
#: joint draw, and the figure speaks mostly to it, so the pool pairs each stored draw with several.
#: Where every former province has its own fit, more joint draws would only repeat them.
POOL_PER_DRAW = 4


def pool_size(unit: str) -> int:
    """How many joint draws are weighed: the seat's stored draws, `POOL_PER_DRAW` times that where a
    former province runs on its priors (the seat's draws then picked with replacement, as any run
    asking for more draws than are stored)."""
    from covsim.calibration import shipped
    from covsim.simulator.inputs import regions

    layer = shipped.posterior_layers()[0]
    found = shipped.stored(regions.seat(unit), layer)
    on_priors = any(shipped.stored(m, layer) is None for m in regions.former_provinces(unit))
    return (POOL_PER_DRAW if on_priors else 1) * (int(found[0].sizes["draw"]) if found else 1000)


def fit_unit(unit: str, seed: int = 0, rows: pd.DataFrame | None = None, read=None) -> xr.Dataset:
    """The unit's joint draws resampled on its own figures (`rows`, default `figures(unit)`); `read`
    gives the former provinces' posteriors (default: the stored ones; `held_fixed` passes refits)."""
    from covsim import simulator
    from covsim.calibration import shipped
    from covsim.simulator.schemes.provenance import code_version
    from covsim.simulator.errors import InputError
    from covsim.simulator.inputs import tables
    from covsim.simulator.inputs.scenario import for_region
    from covsim.simulator.schemes.parameters import DEFAULT_NOISE_FROM, NO_WALK
    from covsim.simulator.streams import normal_path

    started = time.perf_counter()
    rows = figures(unit) if rows is None else rows
    if rows.empty:
        raise InputError("REGION", unit, "has no figure of its own to weigh (from 2025 on); "
                                         f"allowed: a unit with one, added by `covsim region observe {unit} YEAR VALUE`")
    years = sorted(int(y) for y in rows.year)
    value = rows.set_index("year").value.astype(float)
    n = pool_size(unit)
    pool = shipped.merged_draws(unit, n, seed, read)
    sc = dataclasses.replace(for_region(unit), end=max(years[-1], for_region(unit).start + 1))
    smooth = simulator.run(sc, params=pool, seed=seed, noise_from=NO_WALK).coverage_total.sel(region=unit, year=years)
    walked = simulator.run(sc, params=pool, seed=seed, noise_from=DEFAULT_NOISE_FROM).coverage_total.sel(region=unit, year=years)
    c = smooth.transpose("draw", "year").values
    step = walked.transpose("draw", "year").values - c
    walk_cov = step.T @ step / len(step)  # the runs' walk at the figures' years, over the draws
    meas = pool.measurement_sd.values if "measurement_sd" in pool else np.zeros(n)
    resid = np.array([value.loc[y] for y in years])[None, :] - c
    logw = np.array([_normal_logpdf(resid[i], walk_cov + meas[i] ** 2 * np.eye(len(years))) for i in range(n)])
    out, diagnostics = _resample(pool, logw, seed)
    noisy = walked.transpose("draw", "year").values + meas[:, None] * normal_path(seed, "unit_fit.reach", pool.draw.values, len(years))
    reach = {str(y): [round(float(v), 4) for v in np.quantile(noisy[:, k], [0.05, 0.95])] for k, y in enumerate(years)}
    out.attrs.update(
        source="posterior", method="importance-unit", region=unit, seed=int(seed), **diagnostics,
        scenario=sc.name, scenario_hash=sc.hash,  # the run the figures were weighed on
        unit_figures=json.dumps([{"year": int(y), "value": float(value.loc[y]),
                                  "source": str(rows.set_index("year").source.loc[y])} for y in years]),
        code_version=code_version(), data_hash=tables.data_hash(), runtime_s=round(time.perf_counter() - started, 2),
        pool_source=str(pool.attrs.get("source", "")), members_fits=shipped.members_fingerprint(unit),
        walk_sd=json.dumps([round(float(np.sqrt(v)), 5) for v in np.diag(walk_cov)]), reach=json.dumps(reach),
    )
    before = json.loads(pool.attrs.get("learned") or "null")
    if before:
        out.attrs["learned"] = json.dumps(_contracted(before, pool, out))
    return out


def _normal_logpdf(x: np.ndarray, cov: np.ndarray) -> float:
    sign, logdet = np.linalg.slogdet(cov)
    return float(-0.5 * (x @ np.linalg.solve(cov, x) + logdet + len(x) * np.log(2 * np.pi))) if sign > 0 else -np.inf


def _resample(pool: xr.Dataset, logw: np.ndarray, seed: int) -> tuple[xr.Dataset, dict]:
    """Pareto-smoothed weights, then systematic resampling to the pool's size (as `fit` does)."""
    from covsim.simulator.streams import generator

    from .diagnostics import psis

    smoothed, k = psis(np.where(np.isfinite(logw), logw, -np.inf).copy())
    w = np.exp(smoothed - smoothed.max())
    w /= w.sum()
    n = len(w)
    rng = generator(seed, f"unit_fit.{RESAMPLE_STREAM}")
    positions = (rng.random() + np.arange(n)) / n
    pick = np.minimum(np.searchsorted(np.cumsum(w), positions), n - 1)
    out = pool.isel(draw=pick).assign_coords(draw=np.arange(n))
    seat = np.column_stack([pool[v].values for v in sorted(pool.data_vars)
                            if v.startswith("theta_") and pool[v].dims == ("draw",)])
    joint = np.column_stack([seat, pool.region_offset.values])
    return out, {"pareto_k": float(k), "ess": min(_kish(w, joint), _kish(w, seat)), "pool": int(n),
                 "pool_distinct": int(len(np.unique(joint, axis=0)))}


def _kish(w: np.ndarray, keys: np.ndarray) -> float:
    """Kish's effective sample size of the weights, a draw picked twice into the pool counted once
    (its weights added): repeats carry no more information than the draw itself."""
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return float(1.0 / np.sum(np.bincount(inverse.ravel(), weights=w) ** 2))


def _contracted(before: dict, pool: xr.Dataset, after: xr.Dataset) -> dict:
    """The record of what the figures taught, now with the unit's: each parameter's contraction
    against its prior, 1 - (1 - before) x (variance after / variance before the weighing)."""
    out = {}
    for name, c in before["contraction"].items():
        a, b = _values(after, name), _values(pool, name)
        if a is None or b is None or np.var(b) == 0:
            out[name] = c
            continue
        out[name] = round(1.0 - (1.0 - c) * float(np.var(a) / np.var(b)), 2)
    return learned.summarise(out, before.get("held", []))


def _values(ds: xr.Dataset, name: str) -> np.ndarray | None:
    if name.startswith("region_offset."):
        region = name.split(".", 1)[1]
        return ds.region_offset.sel(region=region).values if region in ds.region_offset.region else None
    return ds[f"theta_{name}"].values if f"theta_{name}" in ds else None
