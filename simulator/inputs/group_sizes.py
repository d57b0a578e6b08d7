"""Group sizes from a plan's group table: the people it counts in each group, spread over ages.

A plan's annex (Lai Chau 2016-2020, annex b) counts the people of each group but not their ages;
the model needs each age band's group shares. `rake` scales a starting profile (the assumed share
of each group in each band) group by group until the region's group totals are the annex's, every
band's shares still summing to one (iterative proportional fitting). A group that is alone in its
band (children under six are all of ages 0-5) cannot move: `rake` says how far from its total it
stays. The rows it gives are the plan's figures, so they are `planned`, never `observed`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import tables
from .groups import GROUP_IDS


def annex_totals(year: int, table: pd.DataFrame | None = None) -> pd.Series:
    """People per model group in the Lai Chau group annex for `year` (rows that name a model group)."""
    t = tables.table("lai_chau_groups") if table is None else table
    rows = t[(t.year == year) & (t.model_group.fillna("") != "")]
    return rows.groupby("model_group").population.sum().reindex(list(GROUP_IDS), fill_value=0).astype(float)


def rake(shares: np.ndarray, people: np.ndarray, totals: np.ndarray, iterations: int = 500,
         tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Band-by-group shares (band, group) whose group totals over `people` per band come as close to
    `totals` (scaled to the same population) as the starting profile's zeros allow.

    Returns the shares (each band sums to 1) and each group's remaining gap, persons."""
    shares = np.asarray(shares, float)
    people = np.asarray(people, float)
    want = np.asarray(totals, float) / max(float(np.sum(totals)), 1e-300) * people.sum()
    factor = np.ones(shares.shape[1])
    out = shares
    for _ in range(iterations):
        out = shares * factor[None, :]
        out = out / out.sum(axis=1, keepdims=True)
        have = (people[:, None] * out).sum(axis=0)
        step = np.divide(want, have, out=np.ones_like(want), where=(have > 0) & (want > 0))
        if np.max(np.abs(step - 1.0)) < tol:
            break
        factor = factor * step
    return out, want - (people[:, None] * out).sum(axis=0)
