"""Whether a stored posterior was fitted on the figures the data hold now.

A figure added to, changed in or removed from `coverage.csv` (or a region's folder of the user's
data) reaches no run until the region is refitted: its runs would go on telling what the old
figures told, under a data hash that names the new ones. A posterior keeps the figures it was
fitted on (`observation_*`, written by `fit.calibrate`), so the difference is found and said, never
silently. Only the fitted figures are compared: an edit to another table (population, incomes)
also moves a fit, and shows in the posterior's `data_hash` beside the run's, but changes no figure.
A health fit also held employers' compliance at the labour layer's posterior (`compliance_from`):
a labour refit since makes it stale too.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import xarray as xr

#: At most this many figures named in a message; the rest counted.
NAMED = 3


def _key(region, year, label, value) -> tuple:
    """A figure as the fit reads it: a source reworded changes no fit, so it is not compared."""
    return str(region), int(year), str(label), round(float(value), 6)


def compliance_moved(region: str, until: int | None, held: str | None) -> str | None:
    """Where a health fit held compliance at a labour posterior since refitted: which file."""
    from .health_fit import labour_path

    if held is None:
        return None
    path = labour_path(region)
    now = _compliance_now(region, until, path.stat().st_mtime_ns if path.exists() else 0)
    return None if now == held else f"held employers' compliance at {held.split()[0]}, refitted since"


@lru_cache(maxsize=64)
def _compliance_now(region: str, until: int | None, stamp: int) -> str:
    """`compliance_from` as a fit would record it now, read once per version (`stamp`) of the labour file."""
    from .fit import NATIONAL
    from .health_fit import compliance_from, compliance_point

    return compliance_from(compliance_point(region, list(dict.fromkeys([NATIONAL, region])), until), region, until)


def _seen(post: xr.Dataset, scheme_id: str) -> tuple[str, int | None, Counter | None]:
    """The region, `until` and figures a posterior was fitted on (None: a file that predates the record)."""
    from .fit import NATIONAL, fit_of

    label = fit_of(scheme_id).OBSERVATION_LABEL
    until = int(post.attrs.get("until", -1))
    region = str(post.attrs.get("region", NATIONAL))
    if "observation_value" not in post or f"observation_{label}" not in post:
        return region, None, None
    return region, None if until < 0 else until, Counter(
        _key(*row) for row in zip(post.observation_region.values, post.observation_year.values,
                                  post[f"observation_{label}"].values, post.observation_value.values))


def _compare(region: str, until: int | None, then: Counter | None, scheme_id: str) -> tuple[list[tuple], list[tuple]]:
    from .fit import fit_of

    if then is None:
        return [], []
    model = fit_of(scheme_id)
    now = model.fitted_observations(region, until)
    current = Counter(_key(*row) for row in zip(now.region, now.year, now[model.OBSERVATION_LABEL], now.value))
    return sorted((current - then).elements()), sorted((then - current).elements())


def said(figures: list[tuple]) -> str:
    """'vietnam 2026 all 95.50%, …' for a message."""
    named = [f"{r} {y} {label} {100 * v:.2f}%" if v <= 1 else f"{r} {y} {label} {v:,.0f}" for r, y, label, v in
             figures[:NAMED]]
    more = len(figures) - NAMED
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def stale(path: Path, scheme_id: str) -> str | None:
    """Why the posterior at `path` is stale (the figures added and gone, in words), or None where
    it was fitted on the figures the data hold now. The file's figures are read once per version
    of it (a run reads it often); the data's are taken each time, as the run takes them."""
    from .fit import FITS

    if scheme_id not in FITS:  # a layer no fit module makes (a scheme a contributor declared): nothing to compare
        return None
    region, until, then, held = _file_seen(str(path), Path(path).stat().st_mtime_ns, scheme_id)
    added, gone = _compare(region, until, then, scheme_id)
    moved = compliance_moved(region, until, held) if scheme_id == "bhyt" else None
    if not added and not gone and moved is None:
        return None
    parts = ([f"now also {said(added)}"] if added else []) + ([f"no longer {said(gone)}"] if gone else [])
    return "; ".join(([f"fitted on other figures than the data hold ({'; '.join(parts)})"] if parts else [])
                     + ([moved] if moved else []))


@lru_cache(maxsize=64)
def _file_seen(path: str, stamp: int, scheme_id: str) -> tuple[str, int | None, Counter | None, str | None]:
    """`_seen` of the file at `path` and what it held compliance at (`health_fit.compliance_from`,
    None where the file predates the record), read once per `stamp` (its modification time: a refit
    is read again)."""
    with xr.open_dataset(path) as post:
        return (*_seen(post, scheme_id), post.attrs.get("compliance_from"))
