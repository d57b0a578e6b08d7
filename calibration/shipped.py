"""Posterior parameter draws: shipped per region, refitted by `covsim calibrate`.

Monte Carlo runs take their draws from here; where no posterior is shipped for a region, the
priors stand in, and the Dataset's `source` attribute says which.
"""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np
import xarray as xr

from covsim.simulator import sample_prior
from covsim.simulator.inputs.scenario import known_regions
from covsim.simulator.output import write_netcdf
from covsim.simulator.schemes import labour

from .fit import Settings, calibrate


def shipped_dir() -> Path:
    return Path(str(resources.files("covsim.calibration").joinpath("posterior")))


def shipped_path(region: str) -> Path:
    return shipped_dir() / f"{region}.nc"


def user_path(region: str) -> Path:
    """The posterior `covsim region add` fitted for a region the user registered."""
    from covsim.simulator.inputs.user_data import user_dir

    return user_dir() / region / "posterior.nc"


def path_for(region: str) -> Path:
    """The region's posterior: the user's fit of a registered region, else the shipped one."""
    mine = user_path(region)
    return mine if mine.exists() else shipped_path(region)


def has_posterior(region: str) -> bool:
    """Whether a calibrated posterior exists for the region (the health-insurance fit)."""
    return path_for(region).exists()


_TOLD: set = set()


def tell_priors(region: str) -> None:
    """One line on stderr, once per region and process: this region's runs are on the priors."""
    if region not in _TOLD:
        _TOLD.add(region)
        sys.stderr.write(f"covsim: note: {priors_note(region)}\n")


def priors_note(region: str) -> str:
    return (f"region '{region}' has no calibrated posterior; its runs sample the priors, "
            "not fitted to any observation (covsim calibrate fits one)")


def draws_for(region: str, draws: int, seed: int, regions: list[str] | None = None) -> xr.Dataset:
    """`draws` parameter draws for `region`: from its shipped posterior, else from the priors.

    Posterior draws are taken in a fixed order seeded by `seed` (with replacement when more are
    asked than stored), so the same seed gives the same draws. On the priors, says so on stderr.
    A 2025 unit run as the sum of its former provinces takes theirs (`merged_draws`).
    """
    from covsim.simulator.inputs import regions as registry

    if region in registry.mergeable():
        return merged_draws(region, draws, seed)
    path = path_for(region)
    if not path.exists():
        tell_priors(region)
        prior = sample_prior(draws, seed, regions or [region])
        prior.attrs["source"] = f"prior: no calibrated posterior for region '{region}'"
        return _with_labour(prior, region, seed)
    with xr.open_dataset(path) as ds:
        post = ds.load()
    n = post.sizes["draw"]
    rng = np.random.default_rng([int(seed), 7919])
    pick = rng.permutation(n)[:draws] if draws <= n else rng.integers(0, n, draws)
    out = post.isel(draw=pick).assign_coords(draw=np.arange(draws))
    out.attrs["source"] = f"posterior {path.name}"
    from .diagnostics import warn_if_unconverged

    if warn_if_unconverged(post.attrs, f"posterior {path.name}"):
        out.attrs["source"] += " (unconverged)"
    return _with_labour(out, region, seed)


def merged_draws(unit: str, draws: int, seed: int) -> xr.Dataset:
    """Draws for a 2025 unit's former provinces: the shared parameters from the province whose name
    the unit keeps (its posterior, else the priors), each former province's own offset from its own
    draws (posterior or priors). `source` starts with 'prior' unless every one is calibrated, so the
    run says it is (partly) on the priors; a note on stderr names each province on its priors."""
    from covsim.simulator.inputs import regions as registry

    members, head = registry.former_provinces(unit), registry.seat(unit)
    own = {m: draws_for(m, draws, seed) for m in members}
    base = own[head]
    regional = [v for v in base.data_vars if "region" in base[v].dims]
    out = base.drop_vars(regional + ["region"])
    offsets = np.stack([own[m].region_offset.sel(region=m).values for m in members], axis=1)
    out["region_offset"] = xr.DataArray(offsets, dims=("draw", "region"),
                                        coords={"draw": out.draw.values, "region": list(members)})
    sources = {m: str(own[m].attrs.get("source", "")) for m in members}
    on_priors = [m for m, src in sources.items() if not src.startswith("posterior")]
    parts = "; ".join(f"{m}: {src}" for m, src in sources.items())
    out.attrs = dict(base.attrs)
    out.attrs["source"] = (f"prior: {unit} summed from former provinces, on the priors: {', '.join(on_priors)} ({parts})"
                           if on_priors else f"posterior: {unit} summed from former provinces ({parts})")
    return out


def _with_labour(params: xr.Dataset, region: str, seed: int) -> xr.Dataset:
    """The labour layer's (BHXH, BHTN) shipped draws beside the health ones, same draw index."""
    return attach_draws(params, region, seed)


# The labour layer's shipped draws ----------------------------------------------------------------

#: The labour layer's own variables in a posterior file, those a run needs; none shares a name
#: with the health engine's (the fitted measurement error, which would, stays behind).
PARAMETER_VARS = tuple(labour.PRIORS) + tuple(labour.REGION_PRIORS)


def labour_path(region: str) -> Path:
    return shipped_dir() / f"labour_{region}.nc"


def attach_draws(params: xr.Dataset, region: str, seed: int) -> xr.Dataset:
    """`params` (a region's draws, as `draws_for` gives them) with the labour layer's
    shipped posterior draws added beside them, keyed by the same draw index; unchanged where none
    is shipped (the labour layer then samples its priors at those indices)."""
    path = labour_path(region)
    if not path.exists() or labour.is_labour_params(params):
        return params
    with xr.open_dataset(path) as ds:
        post = ds[[v for v in PARAMETER_VARS if v in ds]].load()
    n, draws = post.sizes["draw"], params.sizes["draw"]
    rng = np.random.default_rng([int(seed), 7920])
    pick = rng.permutation(n)[:draws] if draws <= n else rng.integers(0, n, draws)
    post = post.isel(draw=pick).assign_coords(draw=params.draw.values)
    extra = {v: post[v] for v in post.data_vars}
    out = params.copy()
    for name, var in extra.items():
        if name in out:
            continue  # never replace a health parameter
        if "region" in var.dims:
            var = var.reindex(region=out.region.values, fill_value=0.0) if "region" in out.coords else var
        out[name] = var
    out.attrs["labour_source"] = f"posterior {path.name}"
    return out


def ship(regions: list[str] | None = None, settings: Settings | None = None) -> list:
    """Refit the labour layer and write `calibration/posterior/labour_<region>.nc` for every region
    (or those given)."""
    settings = settings or Settings()
    written = []
    for region in regions or known_regions():
        post = calibrate(region, None, settings, scheme="bhxh")
        written.append(write_netcdf(post, labour_path(region)))
    return written


if __name__ == "__main__":  # python -m covsim.calibration.shipped: refresh the labour layer's draws
    for p in ship():
        print(f"written {p}")
