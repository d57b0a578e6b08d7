"""The fit by group: every group-level coverage figure of a region (and of the nation it is fitted
with) beside the model's coverage of the same people.

Observed figures are fitted (`health_fit` compares the insured of the groups a figure counts with
their people); plans' group targets are shown, never fitted. A figure names a model group, a law
group (`law3`), a sum (`near_poor+farm_household`) or one of the six groups of the 2008-era plans
(`plan6_*`, through `group_crosswalk.csv`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator.inputs import tables
from covsim.simulator.inputs.groups import figure_groups
from covsim.simulator.inputs.regions import NATIONAL


def groups_of(group: str) -> list[str] | None:
    """The model groups a figure's group stands for, plan-era groups included."""
    direct = figure_groups(group)
    if direct is not None:
        return direct
    walk = tables.table("group_crosswalk")
    found = walk[walk.plan6_group == group].group.tolist()
    return found or None


def annex_points() -> pd.DataFrame:
    """The Lai Chau group annex as planned coverage per model group and year (its subgroups summed)."""
    annex = tables.table("lai_chau_groups")
    rows = annex[annex.model_group.fillna("") != ""]
    sums = rows.groupby(["year", "model_group"])[["insured", "population"]].sum().reset_index()
    sums = sums[sums.population > 0]
    return pd.DataFrame({"region": "lai_chau", "year": sums.year, "scheme": "bhyt", "group": sums.model_group,
                         "value": sums.insured / sums.population, "unit": "share_of_population", "kind": "planned",
                         "source": str(rows.source.iloc[0]), "note": "the annex's insured / people of the group"})


def points(region: str) -> pd.DataFrame:
    """Group-level BHYT figures of the region and of the nation: observed and planned, never 'all'
    (for Lai Chau its group annex too)."""
    table = tables.table("coverage")
    if region == "lai_chau":
        table = pd.concat([table, annex_points()], ignore_index=True)
    rows = table[table.region.isin(list(dict.fromkeys([NATIONAL, region]))) & (table.scheme == "bhyt")
                 & (table.group != "all") & table.kind.isin(["observed", "planned"])]
    rows = rows[rows.group.map(lambda g: groups_of(g) is not None)]
    return rows.assign(fitted=rows.kind == "observed").sort_values(["region", "year", "group"]).reset_index(drop=True)


def table(ds: xr.Dataset, region: str, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Each group-level figure the run's regions and years hold, with the model's coverage of the same
    groups (quantiles over draws): columns region, year, group, kind, value, fitted, q10, q50, q90."""
    out = []
    for row in points(region).itertuples(index=False):
        if row.region not in ds.region.values or row.year not in ds.year.values:
            continue
        one = ds.sel(region=row.region, year=row.year, group=groups_of(row.group))
        cov = one.insured.sum("group") / one.population.sum("group")
        q = np.quantile(cov.values, quantiles)
        out.append({"region": row.region, "year": int(row.year), "group": row.group, "kind": row.kind,
                    "value": float(row.value), "fitted": bool(row.fitted),
                    **{f"q{round(100 * p)}": float(v) for p, v in zip(quantiles, q)}})
    return pd.DataFrame(out, columns=["region", "year", "group", "kind", "value", "fitted", "q10", "q50", "q90"])
