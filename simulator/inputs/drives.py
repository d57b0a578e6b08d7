"""The pull of coverage targets set by the level above: what a drive answers to, dated.

Coverage rose fastest when the Party and the Government set targets and passed them down
(Resolution 21-NQ/TW 2012, Decision 538/QD-TTg 2013, Decision 1167/QD-TTg 2016 with a figure for
every province, Decision 546/QD-TTg 2022). The model turns each such target into a gap in
log-odds between the target and the coverage last observed when it was set, ramped in from the
year of the decision to the target year and held after it; the highest such path above the
coverage of the first target's year is the pull, and a fitted `target_pull` (parameters.py) says
how much of it the drives that followed delivered. Only targets set by the level above
count: a province's own plan never raises its own forecast. A target is used only once it was
decided (decisions.csv), and an "as of" run knows only those decided by its origin.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from . import observations, tables
from .decisions import target_decided
from .regions import NATIONAL

#: Documents of the level above a province's own plan (matched in a target's source): the
#: Politburo's and the Party's resolutions and the Prime Minister's decisions.
LEVEL_ABOVE = ("5th plenum of the 11th", "21-NQ/TW", "538/QD-TTg", "1167/QD-TTg", "546/QD-TTg", "20-NQ/TW",
               "72-NQ/TW")


def level_above_targets(region: str, known_by: date | None = None) -> list[tuple[int, int, float]]:
    """(year decided, target year, target) of every whole-population BHYT target set for `region`
    (or for the whole country) by the level above and decided by `known_by` (None: all)."""
    out = []
    for r in dict.fromkeys([NATIONAL, region]):
        rows = observations.targets(r, "bhyt")
        for row in rows[rows.group == "all"].itertuples(index=False):
            if not any(doc in row.source for doc in LEVEL_ABOVE):
                continue
            decided = target_decided(row.source)
            if decided is None or (known_by is not None and decided > known_by):
                continue
            out.append((decided.year, int(row.year), float(row.value)))
    return out


def last_observed(region: str, year: int) -> float | None:
    """The region's year-end coverage observed last at or before `year` (the nation's if none)."""
    for r in dict.fromkeys([region, NATIONAL]):
        rows = observations.observed(r, "bhyt")
        rows = rows[rows.year <= year]
        if not rows.empty:
            return float(rows[rows.year == rows.year.max()].value.mean())
    return None


#: target_gaps' answers by (regions, years, known_by, data folder), with the coverage table they
#: were read from: every run (and every lever move) prepares the same ones, a tenth of a second each.
_GAPS: dict = {}


def target_gaps(regions: list[str], years: list[int], known_by: date | None = None) -> np.ndarray:
    """`_target_gaps`, computed once per inputs and data (the answer is read-only)."""
    key = (tuple(regions), tuple(years), known_by, str(tables.data_dir()))
    coverage = tables.table("coverage")
    hit = _GAPS.get(key)
    if hit is None or hit[0] is not coverage:  # a reloaded table (a region registered) is new data
        gaps = _target_gaps(list(regions), list(years), known_by)
        gaps.setflags(write=False)
        hit = _GAPS[key] = (coverage, gaps)
    return hit[1]


def _target_gaps(regions: list[str], years: list[int], known_by: date | None = None) -> np.ndarray:
    """The pull of the level above's targets in log-odds, (region, year), before `target_pull`.

    The first target draws a path in log-odds from the coverage observed when it was set (the last
    year-end figure before its decision year: a target set in October 2012 knew 2011's, not 2012's)
    to the target, ramped in from its decision year to its target year and held after it; each later one
    starts from where the paths before it stand in its decision year (never from coverage observed
    later: the drive must not learn from its own outcome). The pull is how far the highest path
    stands above the start. A later target restating an earlier one adds nothing: one decided in the same
    year as a target for an earlier year and no higher is skipped (Resolution 20-NQ/TW's "over 95%"
    by 2030 after its 95% by 2025), since its ramp would start from the level its own document's
    earlier target had raised in that year. (Resolution 72-NQ/TW's 95% by 2026 starts where Decision
    546's 95.15% by 2025 holds the level, and adds nothing by itself.)
    """
    if not (tables.data_dir() / "decisions.csv").exists():
        return np.zeros((len(regions), len(years)))
    y = np.asarray(years, dtype=float)
    out = np.zeros((len(regions), len(years)))
    for i, r in enumerate(regions):
        first = first_start(r, known_by)
        if first is None:
            continue
        level = np.full(len(years), -np.inf)
        set_so_far: list[tuple[int, int, float]] = []
        for decided, year, value in sorted(level_above_targets(r, known_by)):
            if not 0.0 < value < 1.0 or any(d == decided and y < year and v >= value for d, y, v in set_so_far):
                continue
            set_so_far.append((decided, year, value))
            if last_observed(r, decided - 1) is None:  # set before any figure: no path (first_start)
                continue
            k = years.index(decided) if decided in years else None
            start = level[k] if k is not None and np.isfinite(level[k]) else first
            ramp = np.clip((y - decided + 1) / (max(year, decided) - decided + 1), 0.0, 1.0)
            path = np.where(y >= decided, start + ramp * max(0.0, _logit(value) - start), -np.inf)
            level = np.maximum(level, path)
        out[i] = np.maximum(0.0, np.where(np.isfinite(level), level - first, 0.0))
    return out


def first_start(region: str, known_by: date | None = None) -> float | None:
    """The log-odds the pull's paths start from: the coverage observed last before the year the
    region's first target of the level above was decided (a target set in October 2012 knew 2011's
    figure, not 2012's), kept off 0 and 1; None where no such target follows a figure. The pull is
    how far the paths stand above it."""
    for decided, _, value in sorted(level_above_targets(region, known_by)):
        now = last_observed(region, decided - 1) if 0.0 < value < 1.0 else None
        if now is not None:
            return _logit(min(max(now, 1e-3), 1 - 1e-3))
    return None


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


#: The drive lever's unit: the pull the level above's targets put on the nation from 2015 to 2020
#: (Decision 1167/QD-TTg's yearly figures), in log-odds of target gap; its effect is this times
#: the fitted `target_pull`, draw by draw.
UNIT_FROM, UNIT_TO = 2015, 2020
#: What a drive costs the province's budget: VND a year per person of the groups it reaches (the
#: voluntary ones) at strength 1. Assumed: no source prices a drive; communication, commune
#: collectors' commissions and staff time of the order of a few percent of a household premium.
COST_PER_PERSON_REACHED = 20_000.0
COST_SOURCE = "assumed: no published cost of an enrolment drive found"


def no_unit_text(day: date) -> str:
    """Why a drive set in a run that knows policy by `day` is refused when `drive_unit(day)` is 0."""
    return (f"drive: no national coverage target for {UNIT_FROM}-{UNIT_TO} was decided by {day.isoformat()}, so a "
            f"drive has no unit then (1 = the pull of those targets); allowed: drive=0, or a later --until")


def drive_unit(known_by: date | None = None) -> float:
    """Log-odds of target gap one unit of the drive lever stands for (0 without dated decisions):
    as of a day (`known_by`), the pull of the national targets decided by then over the same years,
    the drive a planner then expected (as of 2013, Decision 538's; Decision 1167's came in 2016).

    Every run asks for it (a calibration some 250 times); it depends on the data alone, so it is
    kept per data folder and per loaded tables (the very frames, held here: tables read afresh,
    after a region is registered, say, are computed afresh)."""
    key = (str(tables.data_dir()), known_by)
    frames = (tables.table("coverage"), tables.table("decisions")) if (
        tables.data_dir() / "decisions.csv").exists() else ()
    kept = _DRIVE_UNIT.get(key)
    if kept is not None and len(kept[0]) == len(frames) and all(a is b for a, b in zip(kept[0], frames)):
        return kept[1]
    years = list(range(2008, UNIT_TO + 1))  # every year: each target starts where the earlier ones stand
    gaps = target_gaps([NATIONAL], years, known_by)[0]
    value = float(gaps[years.index(UNIT_TO)] - gaps[years.index(UNIT_FROM)])
    _DRIVE_UNIT[key] = (frames, value)
    return value


_DRIVE_UNIT: dict[tuple, tuple[tuple, float]] = {}
