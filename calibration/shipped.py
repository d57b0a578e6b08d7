"""Posterior parameter draws: shipped per region, refitted by `covsim calibrate`.

Monte Carlo runs take their draws from here; where no posterior is shipped for a region, the
priors stand in, and the Dataset's `source` attribute says which.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import xarray as xr

from covsim.simulator import sample_prior


def shipped_dir() -> Path:
    return Path(str(resources.files("covsim.calibration").joinpath("posterior")))


def shipped_path(region: str) -> Path:
    return shipped_dir() / f"{region}.nc"


def draws_for(region: str, draws: int, seed: int, regions: list[str] | None = None) -> xr.Dataset:
    """`draws` parameter draws for `region`: from its shipped posterior, else from the priors.

    Posterior draws are taken in a fixed order seeded by `seed` (with replacement when more are
    asked than stored), so the same seed gives the same draws.
    """
    path = shipped_path(region)
    if not path.exists():
        return _with_labour(sample_prior(draws, seed, regions or [region]), region, seed)
    with xr.open_dataset(path) as ds:
        post = ds.load()
    n = post.sizes["draw"]
    rng = np.random.default_rng([int(seed), 7919])
    pick = rng.permutation(n)[:draws] if draws <= n else rng.integers(0, n, draws)
    out = post.isel(draw=pick).assign_coords(draw=np.arange(draws))
    out.attrs["source"] = f"posterior {path.name}"
    return _with_labour(out, region, seed)


def _with_labour(params: xr.Dataset, region: str, seed: int) -> xr.Dataset:
    """The labour layer's (BHXH, BHTN) shipped draws beside the health ones, same draw index."""
    from .labour_fit import attach_draws

    return attach_draws(params, region, seed)
