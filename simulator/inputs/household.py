"""Whole-household enrolment of the household group (Law 46/2014/QH13, from 1 Jan 2015).

The household enrols as one; its first member pays the full premium, the second 70% of it, the
third 60%, the fourth 50%, the fifth and later 40% (`household_member_factor` in the policy
table). What a member pays on average depends on how many live together: the ladder is applied
to the distribution of household sizes (`household_sizes.csv`), weighted by persons, since the
model counts people. The sizes are a census's: an "as of" run reads the latest census known by
its day, or the earliest where none is yet (inputs/known.py; the run lists it as a later figure
standing in, schemes/unverified.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import known, tables
from .regions import NATIONAL


#: (region, last) -> (the table read, its distribution), by `tables.kept_for`.
_SIZES: dict[tuple[str, int | None], tuple[object, tuple[np.ndarray, np.ndarray]]] = {}


def size_distribution(region: str = NATIONAL, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sizes, share of households) for `region` (the national one where the region has none), of
    the latest census known by the end of `last` (None: the latest of all; undated rows: whatever
    `last`)."""
    frame = tables.table("household_sizes")
    return tables.kept_for(frame, _SIZES, (region, last), lambda: _distribution(frame, region, last))


def _distribution(frame, region: str, last: int | None) -> tuple[np.ndarray, np.ndarray]:
    table = known.figures(frame, last, ("region",))
    rows = table[table.region == region]
    if rows.empty:
        rows = table[table.region == NATIONAL]
    latest = rows.year.max()
    rows = (rows if pd.isna(latest) else rows[rows.year == latest]).sort_values("size")
    sizes, shares = rows["size"].to_numpy(int), rows.share.to_numpy(float)
    for kept in (sizes, shares):  # shared by every caller while the table is loaded
        kept.setflags(write=False)
    return sizes, shares


def mean_member_factor(factors: list[float], region: str = NATIONAL, last: int | None = None) -> float:
    """Premium per member as a fraction of the first member's, averaged over persons: a household
    of size s pays f1 + ... + fs (the fifth factor for every member from the fifth on)."""
    sizes, shares = size_distribution(region, last)
    ladder = np.array([factors[min(k, len(factors) - 1)] for k in range(int(sizes.max()))])
    paid = np.cumsum(ladder)[sizes - 1]
    return float(np.dot(shares, paid) / np.dot(shares, sizes))


def person_weights(region: str = NATIONAL, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sizes, share of persons living in a household of each size)."""
    sizes, shares = size_distribution(region, last)
    people = shares * sizes
    return sizes, people / people.sum()


def member_factor_by_size(factors: list[float], region: str = NATIONAL, last: int | None = None) -> np.ndarray:
    """Premium per member, as a fraction of the first member's, of a household of each size."""
    sizes, _ = size_distribution(region, last)
    ladder = np.array([factors[min(k, len(factors) - 1)] for k in range(int(sizes.max()))])
    return np.cumsum(ladder)[sizes - 1] / sizes
