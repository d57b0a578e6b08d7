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


def observed_years(region: str, scheme: str = "bhyt") -> list[int]:
    """The years of the region's observed year-end figures the fit reads (everyone's, a model
    group's, a law group's, or model groups joined by '+'; never a six-group plan's), where its walk
    is tied: the engine's walk starts after the last (`parameters.walk_starts`)."""
    from .groups import figure_groups

    rows = _observed(region, scheme)
    return sorted({int(y) for y, g in zip(rows.year, rows.group) if figure_groups(str(g)) is not None})


def group_figures(region: str, scheme: str = "bhyt") -> pd.DataFrame:
    """Observed year-end figures of one group's coverage (the near-poor's, say), not of everyone:
    fitted beside the totals wherever the group is one the model has (`calibration/health_fit.py`)."""
    rows = _observed(region, scheme)
    return rows[rows.group != "all"].sort_values(["year", "group"]).reset_index(drop=True)


def observed(region: str, scheme: str = "bhyt", group: str = "all", year_end_only: bool = True) -> pd.DataFrame:
    """Observed points (never targets); mid-year figures are left out unless asked for.

    A labour scheme's overall points are the shares of the labour force its fit reads (`labour`:
    the coverage table's and the labour force table's), so a run's table shows what was fitted."""
    from .scheme_ids import LABOUR

    if scheme in LABOUR and group == "all" and year_end_only:
        rows = labour([region])
        rows = rows[(rows.kind == scheme) & (rows.scale == "share")]
        return rows.assign(scheme=scheme, group="all", unit="share_of_labour_force", kind="observed")[
            ["region", "year", "scheme", "group", "value", "unit", "kind", "source", "note"]].reset_index(drop=True)
    rows = _observed(region, scheme, year_end_only)
    return rows[rows.group == group].sort_values("year").reset_index(drop=True)


#: The labour layer's observed figures: the labour force table's parameter -> what it counts.
LABOUR_SHARES = {"bhxh_share": "bhxh", "bhtn_share": "bhtn"}
LABOUR_COUNTS = {"voluntary_members": "voluntary_members", "bhtn_members": "bhtn_members"}
_LABOUR_COLUMNS = ["region", "year", "kind", "value", "scale", "source", "note"]


def labour(regions: list[str] | tuple[str, ...], until: int | None = None) -> pd.DataFrame:
    """Year-end observed points of the labour layer (BHXH, BHTN) for the regions, never targets.

    Columns: region, year, kind (bhxh, bhtn, voluntary_members, bhtn_members), value, scale (share
    or log_count), source, note. From the coverage table (schemes bhxh / bhtn, share of the labour
    force) and the labour force table (shares and head counts); a point in both is kept once. The
    labour fit reads these, and `last_year` counts them, so the two never disagree.
    """
    from .scheme_ids import LABOUR

    rows = []
    cov = tables.table("coverage")
    lab = tables.table("labour_force")
    for r in dict.fromkeys(regions):
        c = cov[(cov.region == r) & cov.scheme.isin(LABOUR) & (cov.kind == "observed")
                & (cov.group == "all") & (cov.unit == "share_of_labour_force")]
        for row in c.itertuples(index=False):
            rows.append((r, int(row.year), row.scheme, float(row.value), "share", row.source, row.note))
        own = lab[(lab.region == r) & (lab.kind == "observed")]
        for row in own.itertuples(index=False):
            if row.parameter in LABOUR_SHARES:
                rows.append((r, int(row.year), LABOUR_SHARES[row.parameter], float(row.value), "share",
                             row.source, row.note))
            elif row.parameter in LABOUR_COUNTS:
                rows.append((r, int(row.year), LABOUR_COUNTS[row.parameter], float(row.value), "log_count",
                             row.source, row.note))
    obs = pd.DataFrame(rows, columns=_LABOUR_COLUMNS)
    obs = obs[~obs.note.fillna("").str.lower().str.startswith("mid-year")]
    if until is not None:
        obs = obs[obs.year <= until]
    obs = obs.assign(key=obs.value.round(4)).drop_duplicates(["region", "year", "kind", "key"]).drop(columns="key")
    return obs.sort_values(["region", "year", "kind"]).reset_index(drop=True)


def last_year(region: str, scheme: str = "bhyt") -> int | None:
    """The year of the region's latest year-end figure of the scheme, or None.

    A labour scheme counts the region's own figures that the labour fit reads (`labour`): BHXH's
    and BHTN's shares of the labour force (one payroll declaration carries both) and the observed
    member counts.
    """
    from .scheme_ids import LABOUR

    if scheme in LABOUR:
        years = labour([region]).year
    else:
        years = observed(region, scheme).year
    return int(years.max()) if len(years) else None
