"""Average income per person by region and year: the yardstick the net premium is measured against.

The premium of the voluntary groups is a share of the base salary; what it weighs on a household
depends on its income, which grew about twice as fast as the base salary over 2008-2024. So the
net price is the premium over an income series of its own (`income.csv`: GSO's household living
standards surveys, average monthly income per person at current prices), not a fixed multiple of
the base salary: a base-salary rise then raises the burden.

The national series must run year by year (`check-data` refuses a gap); a province gives one or
more points and follows the national series at its mean ratio to it (assumed: the gap between a
province and the nation is held, so a province grows at the nation's rate from its last point). A
region with no row follows the national series (assumed).

After the last year the national series goes on growing at its mean yearly (log-linear) growth over
the GROWTH_YEARS before it (assumed: 2019-2025, which spans Covid's fall and the rebound: about 5.3%
a year), so a base-salary rise in a later year weighs against an income that keeps growing as it
has, not one frozen at its last survey. Before the first year it is held at its first value
(the model starts in 2008, the first sourced year).

An "as of" run knows the figures up to its origin only (known.py): the series stops at the last
survey known (a year interpolated towards a later survey is not known before it) and goes on at
the growth of the GROWTH_YEARS before it, and a province whose own points all come later follows
the nation (assumed, as for a province without any).
"""
from __future__ import annotations

import numpy as np

from . import known, tables
from .regions import NATIONAL

#: Years over which the continuation's growth is measured, ending at the last year of the national
#: series: its mean yearly log-linear growth goes on after it (assumed, see the module docstring).
GROWTH_YEARS = 6


def _known(last: int | None):
    """The rows known by the end of `last`. A national row interpolated between two surveys
    (`assumed`), or derived from a later survey's statement (`observed`, its note "derived:": 2019's
    from 2020's "down 2%", 2021's from 2022's "up 11.1%"), is known only once the later survey is: as
    of a year between them the series stops at the last survey known and goes on at the growth
    before it, not along a line drawn to a survey nobody had yet."""
    table = known.figures(tables.table("income"), last)
    if last is None:
        return table
    national = table.region == NATIONAL
    derived = table.note.fillna("").str.lower().str.startswith("derived:")
    surveyed = table.year[national & (table.kind == "observed") & ~derived]
    if surveyed.empty:
        return table
    return table[~(national & ((table.kind != "observed") | derived) & (table.year > surveyed.max()))]


def continuation_growth(last: int | None = None, years: int = GROWTH_YEARS) -> tuple[float, int, int]:
    """(mean yearly growth, first year, last year) of the national series (known by the end of
    `last`) over the `years` to its last year: the growth assumed after it (exp of the mean log
    growth, minus 1)."""
    table = _known(last)
    nat = table[table.region == NATIONAL]
    final = int(nat.year.max())
    first = max(int(nat.year.min()), final - years)
    at = dict(zip(nat.year.astype(int), nat.value.astype(float)))
    if final == first:
        return 0.0, first, final
    return float(np.exp(np.log(at[final] / at[first]) / (final - first)) - 1.0), first, final


#: (regions, years, last, ahead) -> (the income table read, the series), by `tables.kept_for`: a
#: region registered anew while the dashboard runs is not answered with the incomes read before.
_SERIES: dict[tuple, tuple[object, np.ndarray]] = {}


def _series(regions: tuple[str, ...], years: tuple[int, ...], last: int | None,
            ahead: tuple[float, int] = (1.0, GROWTH_YEARS)) -> np.ndarray:
    return tables.kept_for(tables.table("income"), _SERIES, (regions, years, last, ahead),
                           lambda: _computed(regions, years, last, ahead))


def _computed(regions: tuple[str, ...], years: tuple[int, ...], last: int | None, ahead: tuple[float, int]) -> np.ndarray:
    table = _known(last)
    nat = table[table.region == NATIONAL].sort_values("year")
    surveyed = nat.year.to_numpy()
    value = nat.value.to_numpy(float)
    clipped = np.clip(np.asarray(years), surveyed.min(), surveyed.max())
    growth = ahead[0] * continuation_growth(last, ahead[1])[0]
    beyond = np.maximum(np.asarray(years) - surveyed.max(), 0)
    national = np.array([value[surveyed == y][0] for y in clipped]) * (1.0 + growth) ** beyond
    by_year = dict(zip(surveyed.tolist(), value.tolist()))
    out = np.empty((len(regions), len(years)))
    for i, r in enumerate(regions):
        own = table[table.region == r] if r != NATIONAL else table.iloc[:0]
        ratio = 1.0
        if not own.empty:
            ref = np.array([by_year[min(max(int(y), surveyed.min()), surveyed.max())] for y in own.year])
            ratio = float(np.mean(own.value.to_numpy(float) / ref))
        out[i] = national * ratio
    out.setflags(write=False)
    return out


def income_per_person(regions: list[str], years: list[int], last: int | None = None,
                      ahead: tuple[float, int] = (1.0, GROWTH_YEARS)) -> np.ndarray:
    """Average monthly income per person (VND) over (region, year), from the figures known by the
    end of `last` (None: all), growing after the last one at `ahead` = (a multiple of, over how many
    years) the series' mean growth before it (the model passes the number it holds fixed,
    `schemes/parameters.py` INCOME_AHEAD); computed once per set of regions and years (the engine
    asks it once per run, never in the yearly loop)."""
    return _series(tuple(regions), tuple(int(y) for y in years), None if last is None else int(last),
                   (float(ahead[0]), int(ahead[1])))
