"""Observed coverage and planned targets of a region, as the shipped data record them.

A plan's target is never an observation: the two come from the same table but are kept apart by
`kind`, and only year-end observations are fitted.
"""
from __future__ import annotations

import pandas as pd

from . import tables


def _coverage(region: str, scheme: str) -> pd.DataFrame:
    table = tables.table("coverage")
    return table[(table.region == region) & (table.scheme == scheme)]


def targets(region: str, scheme: str = "bhyt") -> pd.DataFrame:
    rows = _coverage(region, scheme)
    return rows[rows.kind == "planned"].sort_values(["year", "group"]).reset_index(drop=True)


def _observed(region: str, scheme: str, year_end_only: bool = True) -> pd.DataFrame:
    """Observed rows of every group (never targets); mid-year figures left out unless asked for."""
    rows = _coverage(region, scheme)
    rows = rows[rows.kind == "observed"]
    if year_end_only:
        rows = rows[~rows.note.str.lower().str.startswith("mid-year")]
    return rows


def group_figures(region: str, scheme: str = "bhyt") -> pd.DataFrame:
    """Observed year-end figures of one group's coverage (the near-poor's, say), not of everyone:
    fitted beside the totals wherever the group is one the model has (`calibration/health_fit.py`)."""
    rows = _observed(region, scheme)
    return rows[rows.group != "all"].sort_values(["year", "group"]).reset_index(drop=True)


def observed(region: str, scheme: str = "bhyt", group: str = "all", year_end_only: bool = True) -> pd.DataFrame:
    """Observed points (never targets); mid-year figures are left out unless asked for."""
    rows = _observed(region, scheme, year_end_only)
    return rows[rows.group == group].sort_values("year").reset_index(drop=True)


def last_year(region: str, scheme: str = "bhyt") -> int | None:
    """The year of the region's latest year-end figure of the scheme, or None.

    A labour scheme counts the figures the labour fit reads: BHXH's and BHTN's shares of the labour
    force in the coverage table (one payroll declaration carries both) and the labour force table's
    observed shares and member counts.
    """
    from .scheme_ids import LABOUR

    schemes = LABOUR if scheme in LABOUR else (scheme,)
    years = [int(y) for s in schemes for y in observed(region, s).year]
    if scheme in LABOUR:
        lab = tables.table("labour_force")
        years += [int(y) for y in lab[(lab.region == region) & (lab.kind == "observed")].year]
    return max(years) if years else None
