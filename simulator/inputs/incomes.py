"""Average income per person by region and year: the yardstick the net premium is measured against.

The premium of the voluntary groups is a share of the base salary; what it weighs on a household
depends on its income, which grew about twice as fast as the base salary over 2008-2024. So the
net price is the premium over an income series of its own (`income.csv`: GSO's household living
standards surveys, average monthly income per person at current prices), not a fixed multiple of
the base salary: a base-salary rise then raises the burden.

The national series must run year by year (`check-data` refuses a gap); a province gives one or
more points and follows the national series at its mean ratio to it (assumed: the gap between a
province and the nation is held). A region with no row follows the national series (assumed).
Before the first and after the last year the series is held at its end value (assumed: prices are
nominal and the base salary, too, is held at its last decreed level).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import tables
from .regions import NATIONAL


@lru_cache(maxsize=64)
def _series(regions: tuple[str, ...], years: tuple[int, ...]) -> np.ndarray:
    table = tables.table("income")
    nat = table[table.region == NATIONAL].sort_values("year")
    known = nat.year.to_numpy()
    value = nat.value.to_numpy(float)
    clipped = np.clip(np.asarray(years), known.min(), known.max())
    national = np.array([value[known == y][0] for y in clipped])
    by_year = dict(zip(known.tolist(), value.tolist()))
    out = np.empty((len(regions), len(years)))
    for i, r in enumerate(regions):
        own = table[table.region == r] if r != NATIONAL else table.iloc[:0]
        ratio = 1.0
        if not own.empty:
            ref = np.array([by_year[min(max(int(y), known.min()), known.max())] for y in own.year])
            ratio = float(np.mean(own.value.to_numpy(float) / ref))
        out[i] = national * ratio
    out.setflags(write=False)
    return out


def income_per_person(regions: list[str], years: list[int]) -> np.ndarray:
    """Average monthly income per person (VND) over (region, year); computed once per set of
    regions and years (the engine asks it once per run, never in the yearly loop)."""
    return _series(tuple(regions), tuple(int(y) for y in years))
