"""Posterior parameter draws: shipped per region, refitted by `covsim calibrate`.

Monte Carlo runs take their draws from here; where no posterior is shipped for a region, the
priors stand in, and the Dataset's `source` attribute says which.
"""
from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np
import xarray as xr

from covsim.simulator import sample_prior
from covsim.simulator.inputs.scenario import known_regions
from covsim.simulator.output import write_netcdf
from covsim.simulator.schemes import Scheme, posterior_layers
from covsim.simulator.schemes.provenance import WEIGHED_BEFORE

from . import learned
from .fit import Settings, calibrate


def shipped_dir() -> Path:
    return Path(str(resources.files("covsim.calibration").joinpath("posterior")))


def shipped_path(region: str, layer: Scheme | None = None) -> Path:
    """The shipped posterior of `layer` (a scheme entry; by default the first layer, health
    insurance) for the region, where the scheme registry says it lives."""
    return shipped_dir() / (layer or posterior_layers()[0]).posterior_file(region)


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


def tell_layer_priors(params: xr.Dataset, region: str, scheme_id: str) -> None:
    """One line on stderr, once per region, scheme and process, where a run of `scheme_id` would
    take its layer's priors while the region's first-layer draws are fitted (a region added with
    `covsim region add` has a health fit, none of the labour layer): never silently on the priors."""
    from covsim.simulator.schemes import scheme

    layer = scheme(scheme_id)
    first = posterior_layers()[0]
    if layer.posterior == first.posterior or region in _TOLD or any(v in params for v in layer.reads or ()):
        return
    if (region, scheme_id) not in _TOLD:
        _TOLD.add((region, scheme_id))
        sys.stderr.write(f"covsim: note: region '{region}' has no calibrated {scheme_id} posterior; its {scheme_id} "
                         "runs sample that layer's priors, not fitted to any observation\n")


def draws_for(region: str, draws: int, seed: int, regions: list[str] | None = None,
              read: Reader | None = None, scheme_id: str | None = None) -> xr.Dataset:
    """`draws` parameter draws for `region`: from its shipped posterior, else from the priors.

    Posterior draws are taken in a fixed order seeded by `seed` (with replacement when more are
    asked than stored), so the same seed gives the same draws. On the priors, says so on stderr.
    A 2025 unit run as the sum of its former provinces takes theirs (`merged_draws`). `read` gives
    each layer's posterior (default: the stored files, `stored`); `scheme_id`: the run's scheme, to
    say so on stderr where its layer alone is on the priors (`tell_layer_priors`).
    """
    from covsim.simulator.inputs import regions as registry

    read = read or stored
    if region in registry.mergeable():
        return unit_draws(region, draws, seed, read)
    unit = territory_of(region)
    if unit is not None and regions in (None, [region]):
        return territory_draws(region, unit, draws, seed, read, scheme_id)
    return own_draws(region, draws, seed, regions, read, scheme_id)


def unit_draws(unit: str, draws: int, seed: int, read: Reader, tell: bool = True) -> xr.Dataset:
    """A 2025 unit's draws: weighed on its own figures where the user gave some (and `read` is the
    stored fits'), else its former provinces' (`merged_draws`)."""
    weighed = unit_fit_of(unit) if read is stored else None
    return merged_draws(unit, draws, seed, read, tell) if weighed is None else weighed_draws(weighed, unit, draws, seed)


def territory_of(region: str) -> str | None:
    """The 2025 unit whose draws a former province without a fit of its own takes when run alone
    (`territory_draws`), None for any other region."""
    from covsim.simulator.inputs import regions as registry

    unit = registry.unit_of(region)
    return unit if unit in registry.mergeable() and not has_posterior(region) else None


def territory_draws(region: str, unit: str, draws: int, seed: int, read: Reader,
                    scheme_id: str | None = None) -> xr.Dataset:
    """A former province without a fit of its own, run alone: its slice of its unit's draws (the
    shared parameters from the seat's fit, its own from its priors, a unit's weighing kept), so
    that the unit is the sum of its former provinces run one by one, draw by draw. On its priors
    alone it had answered for the same territory 4 points under the unit, in intervals three times
    as wide."""
    from covsim.simulator.inputs import regions as registry

    merged = unit_draws(unit, draws, seed, read, tell=False)
    if region not in _TOLD:
        _TOLD.add(region)
        head = registry.seat(unit)
        sys.stderr.write(f"covsim: note: region '{region}' has no calibrated posterior of its own; its runs take its "
                         f"part of {unit}'s draws, as inside the unit: the shared parameters from {head}'s "
                         f"{'fit' if has_posterior(head) else 'priors'}, its own from "
                         "the priors\n")
    out = merged.sel(region=[region]) if "region" in merged.dims else merged.copy()
    out.attrs = dict(merged.attrs)
    if merged.attrs.get("learned"):  # its own offset, not its unit's other provinces'
        rec = json.loads(merged.attrs["learned"])
        others = {f"region_offset.{m}" for m in registry.former_provinces(unit) if m != region}
        out.attrs["learned"] = json.dumps(learned.summarise(
            {k: v for k, v in rec["contraction"].items() if k not in others}, rec.get("held", [])))
    out.attrs["source"] = (f"prior: {region} has no calibrated posterior of its own; its draws are its part of "
                           f"{unit}'s ({merged.attrs.get('source', '')})")
    if scheme_id is not None:
        tell_layer_priors(out, region, scheme_id)
    return out


def own_draws(region: str, draws: int, seed: int, regions: list[str] | None = None,
              read: Reader | None = None, scheme_id: str | None = None, tell: bool = True) -> xr.Dataset:
    """`draws` for `region` from its own posterior, else its priors (`draws_for` without the 2025
    units' rules); `tell`: say on stderr where they are the priors."""
    read = read or stored
    first, *others = posterior_layers()
    found = read(region, first)
    if found is None:
        if tell:
            tell_priors(region)
        out = sample_prior(draws, seed, regions or [region])
        out.attrs[first.source_attr] = f"prior: no calibrated posterior for region '{region}'"
    else:
        post, name = found
        out = _pick(post, draws, seed, first).assign_coords(draw=np.arange(draws))
        out.attrs[first.source_attr] = f"posterior {name}"
        from .diagnostics import warn_if_unconverged

        if warn_if_unconverged(post.attrs, f"posterior {name}"):
            out.attrs[first.source_attr] += " (unconverged)"
    for layer in others:
        out = attach_draws(out, region, seed, layer, read)
    if scheme_id is not None:  # the run's scheme: said where its layer has no fit here
        tell_layer_priors(out, region, scheme_id)
    return out


#: A region's posterior of one layer and its name, or None where it has none: by default the stored
#: file (`stored`); `calibration/held_fixed.py` passes refits under another value of a number held fixed.
Reader = Callable[[str, Scheme], "tuple[xr.Dataset, str] | None"]


def stored_path(region: str, layer: Scheme) -> Path:
    """Where the region's posterior of `layer` is stored: the first layer, the user's fit, else the
    shipped one; a later layer, the shipped one (it may not exist)."""
    return path_for(region) if layer.posterior == posterior_layers()[0].posterior else shipped_path(region, layer)


def stored(region: str, layer: Scheme) -> tuple[xr.Dataset, str] | None:
    """The region's stored posterior of `layer` and its file name; None where there is none. A
    file fitted on other figures than the data hold is said on stderr and marked in the name every
    run's provenance gives (`stale`): a figure added to the data reaches no run until a refit."""
    from .stale import stale

    path = stored_path(region, layer)
    if not path.exists():
        return None
    why = stale(path, layer.id)
    name = path.name if why is None else f"{path.name} (stale: {why})"
    if why is not None and (path, "stale") not in _TOLD:  # once per file and process
        _TOLD.add((path, "stale"))
        refit = (f"python -m covsim.calibration.shipped {region}" if layer.posterior != posterior_layers()[0].posterior
                 else f"covsim calibrate {region} --out {path}")
        sys.stderr.write(f"covsim: warning: {path.name} was {why}: its runs tell what the figures it saw told, "
                         f"until it is refitted (`{refit}`)\n")
    return _read(path, layer), name


def layer_variables(post: xr.Dataset, layer: Scheme) -> xr.Dataset:
    """The variables of a posterior the layer's runs read (all of them unless it says)."""
    return post if layer.reads is None else post[[v for v in layer.reads if v in post]]


def _read(path: Path, layer: Scheme) -> xr.Dataset:
    """A posterior file's variables the layer's runs read."""
    with xr.open_dataset(path) as ds:
        return layer_variables(ds, layer).load()


def _pick(post: xr.Dataset, draws: int, seed: int, layer: Scheme) -> xr.Dataset:
    """`draws` of the stored draws in a fixed order seeded by `seed` and the layer's stream. More
    than are stored: one shuffled pass after another, so every stored draw is used as often, and
    draw i is the same whatever the count (a 1,200-draw batch shares its first 200 with a run)."""
    n = post.sizes["draw"]
    rng = np.random.default_rng([int(seed), layer.draw_stream])
    order = np.concatenate([rng.permutation(n) for _ in range(max(1, -(-draws // n)))])
    return post.isel(draw=order[:draws])


def merged_draws(unit: str, draws: int, seed: int, read: Reader | None = None, tell: bool = True) -> xr.Dataset:
    """Draws for a 2025 unit's former provinces: the shared parameters from the province whose name
    the unit keeps (its posterior, else the priors), each former province's own offset from its own
    draws (posterior or priors). `source` starts with 'prior' unless every one is calibrated, so the
    run says it is (partly) on the priors; a note on stderr names each province on its priors."""
    from covsim.simulator.inputs import regions as registry

    members, head = registry.former_provinces(unit), registry.seat(unit)
    # the seat on its priors: all of the unit's shared parameters are, as a region alone says it
    own = {m: own_draws(m, draws, seed, read=read, tell=tell and m == head) for m in members}
    base = own[head]
    regional = list(dict.fromkeys(v for m in members for v in own[m].data_vars if "region" in own[m][v].dims))
    out = base.drop_vars([v for v in regional if v in base] + ["region"])
    for v in regional:  # every per-province parameter (the offset, the employers' compliance) from its own draws
        have = next(own[m][v] for m in members if v in own[m])
        parts = [own[m][v].sel(region=m, drop=True) if v in own[m]
                 else xr.zeros_like(have.isel(region=0, drop=True))  # as region_values reads a province alone
                 for m in members]
        out[v] = xr.concat(parts, dim="region").assign_coords(region=list(members)).transpose(*have.dims)
        out[v].attrs = dict(have.attrs)
    sources = {m: str(own[m].attrs.get("source", "")) for m in members}
    on_priors = [m for m, src in sources.items() if not src.startswith("posterior")]
    fitted_head = sources[head].startswith("posterior")
    for m in on_priors:  # another former province without a fit: only its own parameters are priors
        if tell and m != head and m not in _TOLD:
            _TOLD.add(m)
            sys.stderr.write(f"covsim: note: region '{m}' has no calibrated posterior of its own; inside {unit} its "
                             f"own parameters (its offset) sample the priors, the shared ones are {head}'s "
                             f"{'fit' if fitted_head else 'priors'}\n")
    parts = "; ".join(f"{m}: {src}" for m, src in sources.items())
    out.attrs = dict(base.attrs)
    if base.attrs.get("learned"):
        out.attrs["learned"] = json.dumps(_merged_learned(json.loads(base.attrs["learned"]), own, members))
    shared = f"; the shared parameters from {head}'s fit" if fitted_head else ""  # (provenance.PARTLY reads it)
    out.attrs["source"] = (f"prior: {unit} summed from former provinces, on the priors: {', '.join(on_priors)}{shared} "
                           f"({parts})"
                           if on_priors else f"posterior: {unit} summed from former provinces ({parts})")
    return out


def unit_fit_of(unit: str) -> xr.Dataset | None:
    """A 2025 unit's draws weighed on its own figures (`covsim region observe`, `unit_fit`), kept in
    the user's data folder; None where the unit has none."""
    path = user_path(unit)
    if not path.exists():
        return None
    with xr.open_dataset(path) as ds:
        return ds.load()


def members_fingerprint(unit: str) -> str:
    """Which fits a unit's weighing stood on: each former province's stored posterior (its fit's
    code, data, seed and best log-density) or 'priors'. A changed fingerprint makes the weighing stale."""
    from covsim.simulator.inputs import regions as registry

    out = {}
    for m in registry.former_provinces(unit):
        found = stored(m, posterior_layers()[0])
        out[m] = "priors" if found is None else ":".join(
            str(found[0].attrs.get(k, "")) for k in ("code_version", "data_hash", "seed", "log_posterior_max"))
    return json.dumps(out, sort_keys=True)


def weighed_draws(post: xr.Dataset, unit: str, draws: int, seed: int) -> xr.Dataset:
    """`draws` of a unit's weighed draws, picked as any posterior's; the run says what weighed them."""
    from .diagnostics import warn_if_unconverged

    out = _pick(post, draws, seed, posterior_layers()[0]).assign_coords(draw=np.arange(draws))
    years = ", ".join(str(f["year"]) for f in json.loads(post.attrs.get("unit_figures", "[]")))
    out.attrs = dict(post.attrs)
    seed_text = f", weighing seed {post.attrs['seed']}" if "seed" in post.attrs else ""  # what reproduces the weighing
    out.attrs["source"] = (f"posterior: {unit} summed from former provinces, weighed on its own figure of {years}"
                           f"{seed_text} ({user_path(unit)}{WEIGHED_BEFORE}{post.attrs.get('pool_source', '')})")
    if warn_if_unconverged(post.attrs, f"the weighing of {unit} on its own figures"):
        out.attrs["source"] += " (unconverged)"
    if post.attrs.get("members_fits") in (None, members_fingerprint(unit)):
        return out
    out.attrs["source"] += " (stale: its former provinces' fits changed since)"
    if unit not in _TOLD:  # said once per process, marked in every run's provenance
        _TOLD.add(unit)
        sys.stderr.write(f"covsim: warning: {unit}'s draws were weighed on its former provinces' fits as they were "
                         f"then; those fits have changed since (`covsim calibrate {unit} --out {user_path(unit)}` weighs "
                         f"them anew, with the same seed)\n")
    return out


def _merged_learned(head: dict, own: dict[str, xr.Dataset], members: list[str]) -> dict:
    """The seat's record with each former province's own offset beside it, as
    `region_offset.<province>`: its fit's contraction, 0 where it runs on the priors (nothing learned)."""
    c = {k: v for k, v in head["contraction"].items() if k != "region_offset"}
    for m in members:
        theirs = json.loads(own[m].attrs.get("learned") or "{}").get("contraction", {})
        c[f"region_offset.{m}"] = theirs.get("region_offset", 0.0)
    return learned.summarise(c, head.get("held", []))


def attach_draws(params: xr.Dataset, region: str, seed: int, layer: Scheme,
                 read: Reader | None = None) -> xr.Dataset:
    """`params` (a region's draws, as `draws_for` gives them) with another layer's shipped
    posterior draws (the labour schemes') added beside them, keyed by the same draw index;
    unchanged where none is shipped or `params` has them already (that layer then samples its
    priors at those indices). The layer reads only its own variables (`reads`), so no parameter of
    the first layer is replaced."""
    found = None if any(v in params for v in layer.reads or ()) else (read or stored)(region, layer)
    if found is None:
        return params
    post, file_name = found
    post = _pick(post, params.sizes["draw"], seed, layer).assign_coords(draw=params.draw.values)
    out = params.copy()
    for name, var in post.data_vars.items():
        if name in out:
            continue  # never replace a parameter of the first layer
        if "region" in var.dims:
            var = var.reindex(region=out.region.values, fill_value=0.0) if "region" in out.coords else var
        out[name] = var
    out.attrs[layer.source_attr] = f"posterior {file_name}"
    if "learned" in post.attrs:
        out.attrs[layer.learned_attr] = post.attrs["learned"]
    return out


def learned_of(region: str, scheme_id: str = "bhyt") -> dict | None:
    """What the region's posterior for the scheme learned (calibration/learned.py), as its file
    records it; None where the region's runs are on the priors or the file predates the record."""
    from covsim.simulator.schemes import scheme

    layer = scheme(scheme_id)
    path = path_for(region) if layer.posterior == posterior_layers()[0].posterior else shipped_path(region, layer)
    if not path.exists():
        return None
    with xr.open_dataset(path) as post:
        text = post.attrs.get("learned")
    return json.loads(text) if text else None


def shipped_regions() -> list[str]:
    """The regions with a shipped posterior of the first layer (the health fit), in the order of
    `known_regions`: those whose later layers are shipped too."""
    return [r for r in known_regions() if shipped_path(r).exists()]


def ship(regions: list[str] | None = None, settings: Settings | None = None) -> list:
    """Refit every layer after the first (the labour schemes') and write its shipped posterior
    (`calibration/posterior/labour_<region>.nc`) for every region with a shipped health posterior
    (or those given): a region without one runs on the priors in every layer. Refit these before
    the health posteriors, whose fit holds employers' compliance at their mean."""
    settings = settings or Settings()
    written = []
    for layer in posterior_layers()[1:]:
        for region in regions or shipped_regions():
            post = calibrate(region, None, settings, scheme=layer.id)
            written.append(write_netcdf(post, shipped_path(region, layer)))
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m covsim.calibration.shipped [REGION ...]`: refit the labour layer's shipped draws
    (a maintainer's step, before the health posteriors; `--help` says so and writes nothing)."""
    import argparse

    class OneLine(argparse.ArgumentParser):
        def error(self, message):  # one line and exit 2, as the covsim command's bad input
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            raise SystemExit(2)

    p = OneLine(prog="python -m covsim.calibration.shipped", description=(
        "Refit the labour layer's shipped posteriors (calibration/posterior/labour_<region>.nc), for the regions "
        "given or every region with a shipped health posterior. Run it before refitting the health posteriors "
        "(covsim calibrate REGION --out calibration/posterior/REGION.nc), whose fit holds employers' compliance "
        "at their mean."))
    p.add_argument("regions", nargs="*", metavar="REGION",
                   help=f"one of {', '.join(shipped_regions())} (default: all)")
    args = p.parse_args(argv)
    unknown = [r for r in args.regions if r not in shipped_regions()]
    if unknown:
        p.error(f"{unknown[0]}: no shipped health posterior; allowed: {', '.join(shipped_regions())}")
    for path in ship(args.regions or None):
        print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
