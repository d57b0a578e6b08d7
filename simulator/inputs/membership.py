"""Which group people of each age belong to, year by year.

The data give each age band's group shares at reference years; between them shares move
linearly (formalisation, falling poverty), outside them they stay at the nearest reference.
The engine moves people between groups so that each age follows these shares, carrying their
enrolment with them.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import xarray as xr

from . import decisions, known, tables
from .demography import AGES, SEXES
from ..errors import InputError
from .groups import GROUP_IDS
from .regions import NATIONAL

TOLERANCE = 1e-6


def shares(regions: list[str], years: list[int], decided_by: date | None = None) -> xr.DataArray:
    """Share of each (region, sex, age) in each group, per year; sums to 1 over `group`. A run as of
    `decided_by` does not know a plan's (`planned`) rows before the plan was decided (Lai Châu's
    2016-2020 group sizes are its plan of 9 Dec 2016): its own plan must not shape a forecast made
    before it. Nor the other reference years after its origin (the assumed 2020 shares, shaped on
    the poverty and formal employment 2020 saw): the shares of the last one known hold instead."""
    table = known_table(decided_by)
    out = np.zeros((len(regions), len(SEXES), AGES.size, len(GROUP_IDS), len(years)))
    for i, region in enumerate(regions):
        rows = table[table.region == source_region(table, region)]
        unknown = set(rows.group) - set(GROUP_IDS)
        if unknown:
            raise InputError("group_shares.csv", f"{region}.group", f"unknown group {sorted(unknown)}; "
                                                                    f"allowed: {', '.join(GROUP_IDS)}")
        ref_years = sorted(set(rows.year))
        grid = np.zeros((len(SEXES), AGES.size, len(GROUP_IDS), len(ref_years)))
        covered = np.zeros((len(SEXES), AGES.size, len(ref_years)), dtype=bool)
        for row in rows.itertuples(index=False):
            sexes = range(len(SEXES)) if row.sex == "all" else [SEXES.index(row.sex)]
            ages = slice(row.age_from, row.age_to + 1)
            for s in sexes:
                grid[s, ages, GROUP_IDS.index(row.group), ref_years.index(row.year)] = row.share
                covered[s, ages, ref_years.index(row.year)] = True
        if not covered.all():
            raise InputError("group_shares.csv", region, "age bands do not cover every age 0..100 in every reference year")
        sums = grid.sum(axis=2)
        if np.abs(sums - 1).max() > TOLERANCE:
            s, a, y = np.unravel_index(np.abs(sums - 1).argmax(), sums.shape)
            raise InputError("group_shares.csv", f"{region}, age {a}, {ref_years[y]}",
                             f"group shares sum to {sums[s, a, y]:.4f}; they must sum to 1")
        for k, year in enumerate(years):
            w = np.interp(year, ref_years, np.arange(len(ref_years)))
            lo = int(np.floor(w))
            hi = min(lo + 1, len(ref_years) - 1)
            out[i, ..., k] = (1 - (w - lo)) * grid[..., lo] + (w - lo) * grid[..., hi]
    return xr.DataArray(
        out, dims=("region", "sex", "age", "group", "year"),
        coords={"region": regions, "sex": list(SEXES), "age": AGES, "group": list(GROUP_IDS), "year": years},
        attrs={"units": "1", "kind": "assumed", "source": "group_shares.csv"},
    )


def known_table(decided_by: date | None):
    """The group-share rows a run as of `decided_by` knows (None: all): a plan's from its day, the
    other reference years up to its origin."""
    return known_years(known_rows(tables.table("group_shares"), decided_by), decided_by)


def source_region(table, region: str) -> str:
    """Whose rows of `table` give `region`'s shares: its own, else the nation's."""
    return region if (table.region == region).any() else NATIONAL


def known_years(table, decided_by: date | None):
    """`table` without the reference years after the last year whose figures `decided_by` knows,
    region by region (a region's earliest stands in where all come later, as `known.figures`
    does); a plan's rows, known whole from the day it was decided (`known_rows`), stay."""
    last = known.last_year(decided_by)
    if last is None:
        return table
    planned = (table.kind == "planned") if "kind" in table else np.zeros(len(table), dtype=bool)
    keep = planned | (table.year <= last)
    for _, rows in table.groupby("region", sort=False):
        if not keep[rows.index].any():
            keep[rows.index[rows.year == rows.year.min()]] = True
    return table[keep]


def held_item(regions: list[str], decided_by: date | None) -> dict | None:
    """None or the assumption an as-of run makes by the cut (`known_years`), for a face that words it
    itself: the last reference year(s) of the group shares it knows ('held') and the later ones ('later')."""
    if decided_by is None:
        return None
    table, cut = tables.table("group_shares"), known_table(decided_by)
    held, unknown = set(), set()
    for region in regions:
        where = source_region(cut, region)  # the rows `shares` takes
        kept = set(cut[cut.region == where].year)
        held.add(max(kept))
        unknown |= set(table[table.region == where].year) - kept
    if not unknown:
        return None
    return {"held": "/".join(map(str, sorted(held))), "later": ", ".join(map(str, sorted(unknown)))}


def held_text(regions: list[str], decided_by: date | None) -> str:
    """'' or `held_item` in words: the group shares held at the last reference year the run knows,
    the later ones named. Listed with the run's held numbers."""
    item = held_item(regions, decided_by)
    if item is None:
        return ""
    return (f"group shares held at their {item['held']} reference from then on (those of "
            f"{item['later']}, shaped on what those years saw or set by a later plan, are not known by the origin)")


def known_rows(table, decided_by: date | None):
    """`table` without the planned rows of documents not yet decided on `decided_by` (None: all)."""
    if decided_by is None or "kind" not in table:
        return table
    planned = table.kind == "planned"
    if not planned.any():
        return table
    day = {s: decisions.target_decided(s) for s in set(table.source[planned])}
    unknown = table.source.map(lambda s: day.get(s) is None or day[s] > decided_by)
    return table[~(planned & unknown)]

