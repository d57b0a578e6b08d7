"""Which dated figures an "as of" run may use: those of years that had ended by its knowledge day.

A forecast as of a year knows the policy decided by then (`decisions.py`), and only the figures of
the years up to then: the censuses and surveys that steer the population, the age bands its
starting structure is fitted to, fertility, life expectancy, incomes. A figure of year Y counts as
known by the end of Y (a census of 1 April is published within its year; publication lags are not
modelled). Where none of a series' figures is known yet, its earliest stands in (`stand_in`): the
model needs a value, and that figure is the nearest to the origin; docs/data.md lists where it
happens. A run on the whole record (no knowledge day) uses every figure.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from . import tables

_CUT: dict = {}  # (table's id, last year, stand-in keys) -> (table, its rows known), tables.kept_for


def last_year(when: date | None) -> int | None:
    """The last year whose figures are known on `when` (None: every year)."""
    if when is None:
        return None
    return when.year if (when.month, when.day) == (12, 31) else when.year - 1


def figures(frame: pd.DataFrame, last: int | None, stand_in: tuple[str, ...] = ()) -> pd.DataFrame:
    """`frame`'s rows of years up to `last` and its undated rows; where `stand_in` names key
    columns, each key whose dated rows all come later keeps those of its earliest year (a census's
    household sizes, all of them). Cut once per table."""
    if last is None or "year" not in frame:
        return frame
    return tables.kept_for(frame, _CUT, (id(frame), int(last), tuple(stand_in)),
                           lambda: _cut(frame, last, stand_in))


def _cut(frame: pd.DataFrame, last: int, stand_in: tuple[str, ...]) -> pd.DataFrame:
    dated = frame.year.notna()
    keep = ~dated | (frame.year <= last)
    if stand_in:
        later = frame[dated & ~keep]
        known_keys = set(map(tuple, frame.loc[dated & keep, list(stand_in)].itertuples(index=False)))
        for _, rows in later.groupby(list(stand_in), sort=False):
            first = rows.iloc[0]
            if tuple(first[list(stand_in)]) not in known_keys:
                keep.loc[rows.index[rows.year == rows.year.min()]] = True
    return frame[keep]


__all__ = ["figures", "last_year"]
