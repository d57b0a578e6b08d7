"""A 2025 unit's run from its former provinces' runs: their states added, never a rescaled copy.

The engine runs the former provinces side by side (each under its own policy until 1 July 2025 and
the unit's after, `inputs/merger.py`); here the region dimension collapses to the unit: people,
insured, flows and money are sums over the former provinces, coverage is recomputed from the sums
(insured / population), and the policy in force (a share, the same premium everywhere) is the
former provinces' population-weighted mean, which is the unit's own from the merger on.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from . import bounds

#: Variables that add up across the former provinces (people, flows, money).
EXTENSIVE = ("population", "insured", "births", "deaths", "net_migration", "population_total", "insured_total",
             "premium_revenue", "state_cost_national", "state_cost_local", "state_cost", "drive_cost",
             "population_by_age", "insured_by_age")
#: Policy in force over (region, group, year) or (year, region, group): a weighted mean.
INTENSIVE = ("state_share", "premium_per_person")


def summed(ds: xr.Dataset, unit: str) -> xr.Dataset:
    """`ds` over the unit's former provinces as one region, `unit`."""
    out = {}
    for name, var in ds.data_vars.items():
        if "region" not in var.dims:
            out[name] = var
        elif name in EXTENSIVE:
            out[name] = var.sum("region", skipna=False).expand_dims(region=[unit])
        elif name in INTENSIVE:
            weight = ds.population.mean("draw").transpose(*var.dims)
            total = weight.sum("region")
            mean = (var * weight).sum("region") / total.where(total > 0)
            out[name] = mean.fillna(var.mean("region")).expand_dims(region=[unit]).transpose(*var.dims)
        elif name in ("coverage", "coverage_total"):
            continue  # recomputed from the sums below
        else:
            raise ValueError(f"no rule to add '{name}' across former provinces")
        out[name].attrs = dict(var.attrs)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop, ins = out["population"], out["insured"]
        out["coverage"] = bounds.share(ins / pop.where(pop > 0), "coverage by group").assign_attrs(ds.coverage.attrs)
        pt, it = out["population_total"], out["insured_total"]
        out["coverage_total"] = bounds.share(it / pt, "coverage").assign_attrs(ds.coverage_total.attrs)
    coords = {k: v for k, v in ds.coords.items() if k != "region"}
    result = xr.Dataset({k: out[k].transpose(*ds[k].dims) for k in ds.data_vars}, coords=coords)
    result = result.assign_coords(region=[unit])
    result.attrs = dict(ds.attrs)
    result.attrs["former_provinces"] = ",".join(str(r) for r in ds.region.values)
    return result
