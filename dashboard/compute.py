"""The dashboard's only door into the model: a page's request to its result, through the same
public functions the CLI calls. No other dashboard module imports the simulator or calibration
(pyproject.toml's import contracts); the process plumbing (shared cache, locks) is `cache`."""
from __future__ import annotations

import json
import tempfile
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from covsim import simulator
from covsim.calibration import learned, shipped
from covsim.simulator.inputs import observations, tables
from covsim.simulator.analysis import planning
from covsim.simulator.inputs import regions
from covsim.simulator.inputs.regions import NATIONAL
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import levers
from covsim.simulator.inputs.groups import BY_ID
from covsim.simulator.inputs.scenario import SCHEMES
from covsim.simulator.schemes import SCHEMES as ENTRIES
from covsim.simulator.schemes.provenance import code_version
from covsim.simulator.schemes.variants import Variants

from . import cache

cache.made_by(code_version())  # every result the server and its jobs share is keyed by the code that made it

#: A cost per additional insured person as the page and the briefing show it (three figures).
shown_per_insured = planning.shown_per_insured


DRAWS = 200
SEED = 0
#: From the data (regions.csv): the country first, then by GSO code, then the 2025 units run as the
#: sum of their former provinces.
REGIONS = tuple(regions.offered())


#: How a 2025 unit is told from the former province whose name it keeps, in the region list.
SINCE_MERGER = {"vi": "từ 1/7/2025", "en": "since 1 Jul 2025"}


#: How a probability is shown (the CLI's rule), for the faces that print one.
probability_shown = planning.probability_shown


def region_name(region: str, lang: str) -> str:
    """A region's name in `lang` from the region registry (regions.csv); a 2025 unit that keeps the
    name of a former province also offered says since when it has its boundaries."""
    name = regions.name(region, lang)
    found = regions.registry().get(region)
    if found is not None and found.kind == "province" and any(
            r != region and regions.name(r, lang) == name for r in REGIONS):
        return f"{name} ({SINCE_MERGER.get(lang, SINCE_MERGER['vi'])})"
    return name


def unit_of(region: str) -> str | None:
    """The 2025 unit a former province is part of (None for any other region)."""
    return regions.unit_of(region)


def on_priors(region: str) -> tuple[list[str], bool]:
    """The regions a run of `region` draws from the priors, and whether that is all of its parameters:
    a 2025 unit runs on its seat's shared parameters, so only its other provinces' offsets may be,
    and a former province without a fit, run alone, on its part of its unit's draws."""
    unit = shipped.territory_of(region)
    if unit is not None:  # a former province alone: its part of its unit's draws
        return [region], not shipped.has_posterior(regions.seat(unit))
    if region not in regions.mergeable():
        return ([] if shipped.has_posterior(region) else [region]), True
    missing = [m for m in regions.former_provinces(region) if not shipped.has_posterior(m)]
    return missing, regions.seat(region) in missing


def scenarios_of(region: str) -> list[str]:
    """The region's baseline first, then its shipped reforms."""
    names = [n for n in simulator.shipped_scenarios() if simulator.load_scenario(n).region == region]
    if region not in names:  # a region added by data rows: its default baseline
        names.append(region)
    return sorted(names, key=lambda n: (n != region, n))


@lru_cache(maxsize=128)
def scenario(name: str, scheme: str | None = None):
    """A shipped scenario (frozen: one copy serves every request), under `scheme` if given (else its
    own: a labour scenario is BHXH), refused where that scheme cannot run (a 2025 unit's labour layer)."""
    sc = simulator.load_scenario(name)
    return sc if scheme in (None, sc.scheme) else sc.with_scheme(scheme)


def merger_known(day) -> bool:
    """Whether the 2025 reorganisation (Resolution 202/2025/QH15, passed 12 June 2025) was decided by `day`."""
    return regions.merger_known(day)


def kept_territory(region: str) -> bool:
    """A province before 1 July 2025 that is its 2025 unit alone (`regions.kept_territory`)."""
    return regions.kept_territory(region)


def former_provinces(name: str) -> list[str]:
    """The former provinces of the scenario's (or baseline's: a region id) region, if it is a 2025
    unit (else none)."""
    return list(regions.former_provinces(scenario(name).region))


# The full dashboard's calls: runs cached by their inputs (in-process, and on disk so the
# background workers share them, see `cache`), a JSON summary of a run for the page's store. -----

QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


def lever_specs() -> tuple[dict, ...]:
    """Every lever the page offers, from the lever registry: reform path, kind of input, schemes it
    acts on, the lever's name (for its label), group lever or not."""
    return tuple({"path": path, "kind": lever.kind, "schemes": lever.schemes, "lever": lever.name,
                  "grouped": bool(lever.groups), "lo": lever.lo, "hi": lever.hi}
                 for lever in levers.dashboard_levers() for path in lever.offered_paths())


def lever_value(scenario, path: str, year: int, known=None) -> float:
    """The value of a lever path in force under `scenario` in `year` (under the policy decided by
    the day `known`, if given: an as-of briefing's)."""
    return planning.lever_value(scenario, path, int(year), known)


def lever_labels() -> dict[str, dict[str, str]]:
    """The page's labels of the levers, from the registry: `NAME` (its box), `NAME.column` (its
    column in the groups' table) and `NAME.description` (its tooltip), each in both languages."""
    out = {}
    for lever in levers.LEVERS.values():
        out[lever.name] = lever.label
        out[f"{lever.name}.description"] = lever.description
        if lever.column:
            out[f"{lever.name}.column"] = lever.column
    return out


def fixed_items(scheme_id: str, region: str | None = None, end: int | None = None,
                known_on: date | None = None) -> tuple[tuple[str, dict], ...]:
    """What a run of the scheme holds fixed (assumed, not fitted): (key, values) each, as the model
    declares them (simulator/schemes/fixed.py), for the page to word in its language; with the run's
    region and last year, what those add (a labour run past 2030 holds the share required to join);
    `known_on` (an as-of run's day): what a fit as of a year holds besides (`Scheme.as_of_fixed`),
    and nothing of a law decided later (`Fixed.key_on`)."""
    from covsim.simulator.schemes import fixed, scheme

    own = scheme(scheme_id).held_items_for([region], end) if region and end else ()
    extra = scheme(scheme_id).as_of_fixed if known_on else ()
    return tuple((f.key_on(known_on), f.now())
                 for f in fixed.on((*scheme(scheme_id).fixed_items, *extra), known_on)) + own


def drive_cost_per_person() -> tuple[float, str]:
    """What the drive lever costs at strength 1, VND a year per person it reaches, and its source
    (assumed: see simulator/inputs/drives.py)."""
    from covsim.simulator.inputs import drives

    return drives.COST_PER_PERSON_REACHED, drives.COST_SOURCE


def kind_of(path: str) -> str:
    """The unit a lever path's value is shown in, on the page and in the briefing (share, vnd, logodds,
    drive, number)."""
    return levers.lever_of(path).kind


def lever_assumed(path: str) -> bool:
    """Whether a lever's strength is the user's own setting, which no plan states (the registry's `assumed`)."""
    return levers.lever_of(path).assumed


def scenario_rows(region: str) -> list[dict]:
    """What `covsim scenarios` lists, for one region: baseline first."""
    rows = []
    for name in scenarios_of(region):
        sc = simulator.load_scenario(name)
        decided = planning.plan_decided(sc)
        rows.append({"name": sc.name, "region": sc.region, "scheme": sc.scheme, "baseline": sc.baseline or "",
                     "description": sc.description, "decided": decided.isoformat() if decided else None})
    return rows


def _figures(region: str, scheme: str) -> tuple[str, str]:
    return _figures_kept(region, scheme, fit_stamp(region))


def figures_of(region: str, scheme: str, until: int | None = None,
               day: date | None = None) -> tuple[list[dict], list[dict]]:
    """A region's observed figures and planned targets as a summary holds them (a 2025 unit's
    briefing cites its former provinces'). As of `until` and the `day` policy is known by: each
    figure marked `later` where observed after `until`, a target decided after the day left out."""
    observed, planned = map(json.loads, _figures(region, scheme))
    if until is None:
        return observed, planned
    return ([{**r, "later": r["year"] > until} for r in observed],
            [r for r in planned if documents_known_on(r["source"], day)])


@lru_cache(maxsize=64)
def _figures_kept(region: str, scheme: str, stamp: int) -> tuple[str, str]:
    """The observed points and planned targets as the summary holds them (JSON, parsed per use:
    a summary is the caller's to change)."""
    observed = observations.observed(region, scheme)[["year", "value", "source"]]
    planned = observations.targets(region, scheme)
    planned = planned[planned.unit == TARGET_UNIT[scheme]][["year", "group", "value", "source"]]
    return (observed.to_json(orient="records", force_ascii=False),
            planned.to_json(orient="records", force_ascii=False))


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise InputError("dashboard", "scheme", f"unknown scheme '{scheme}'; allowed: {', '.join(SCHEMES)}")
    return scheme


def current_levers(name: str, scheme: str, start: int, known: date | None = None) -> dict[str, float]:
    """Each lever's value in force in `start` under the scenario as shipped (under the policy
    decided by the day `known`, if given: what the page's boxes hold as of a year)."""
    sc = scenario(name, scheme)
    return {s["path"]: planning.lever_value(sc, s["path"], int(start), known) for s in lever_specs()}


def as_of_years(name: str, scheme: str) -> list[int]:
    """The years the page can show a forecast as of (`covsim target --until`'s): health insurance,
    a region with a fit of its own or a 2025 unit (its former provinces' fits), an origin inside the
    observed record."""
    from covsim.calibration.forecast import fit_of
    from covsim.calibration.unit_as_of import is_unit
    from covsim.simulator.inputs.scenario import known_regions

    sc = scenario(name, scheme)
    if scheme != "bhyt" or not (sc.region in known_regions() or is_unit(sc.region)):
        return []
    model = fit_of(scheme)
    decided = planning.plan_decided(sc)  # a plan is seen as of the years it was known in, not before
    first = max(model.first_year(), decided.year if decided else 0)
    return list(range(first, model.last_year() + 1))


def documents_known_on(text: str, day: date | str | None) -> bool:
    """Whether what `text` names (a target's source) was decided by the day (a date or an ISO day;
    None: no day, everything counts). The one filter of a plan's targets as of a day."""
    from covsim.simulator.inputs.decisions import documents_known

    if day is None:
        return True
    return documents_known(str(text), date.fromisoformat(day) if isinstance(day, str) else day)


def drive_unit(day: date | None = None) -> float:
    """The drive lever's unit in log-odds as of a day (0: no national target for its years decided
    by then, so a drive has no unit)."""
    from covsim.simulator.inputs import drives

    return drives.drive_unit(day)


def knowledge_day(until: int) -> date:
    """The day an as-of view knows policy, laws and targets by: the end of its year."""
    from covsim.simulator.inputs.decisions import knowledge_day as day

    return day(until)


def default_start(name: str, scheme: str, year: int) -> int:
    """The first year a lever set on the page takes effect by default (see `planning.lever_start`)."""
    return planning.lever_start(scenario(name, scheme), year)


def internal_ids() -> set[str]:
    """Every id of the registries (levers and their paths, groups, scenarios, regions): words of the
    code that the page, the briefing and the exports must never show."""
    ids = {name for lever in levers.LEVERS.values() for name in (lever.name, *lever.paths())}
    ids |= set(BY_ID) | set(simulator.shipped_scenarios()) | set(regions.runnable())
    return ids


def group_names(group: str) -> dict[str, str] | None:
    """A model group's name in Vietnamese and English; None for a plan's own label."""
    g = BY_ID.get(group)
    return None if g is None else {"vi": g.label_vi, "en": g.label_en}


#: The unit a scheme's coverage targets are in, as the model computes its coverage.
TARGET_UNIT = {s: entry.target_unit for s, entry in ENTRIES.items()}
#: The scheme whose runs are kept and rerun from a lever's year (`Variants`); the others run whole.
VARIANTS_SCHEME = next(s for s, entry in ENTRIES.items() if entry.variants)


def plan_targets(region: str, scheme: str):
    """The region's overall planned targets for the scheme, in the unit the model computes."""
    t = observations.targets(region, scheme)
    return t[(t.group == "all") & (t.unit == TARGET_UNIT.get(scheme, ""))]


def other_unit_targets(region: str, scheme: str, known_on: str | None = None) -> list[dict]:
    """The region's overall plan targets for the scheme in another unit than the page's (Cần Thơ's
    BHTN 100% of those required to join): {year, value, unit, source}, said under the target box and
    cited in the briefing's annex; as of the ISO day `known_on`, those decided by then."""
    t = observations.targets(region, scheme)
    t = t[(t.group == "all") & (t.unit != TARGET_UNIT.get(scheme, ""))]
    return [{"year": int(r.year), "value": float(r.value), "unit": str(r.unit), "source": str(r.source)}
            for r in t.itertuples(index=False) if documents_known_on(r.source, known_on)]


def communes_figure(region: str, until: int | None = None) -> tuple[int, float] | None:
    """(year, coverage) of the latest year (up to `until`) whose commune workbook gives every commune
    and ward of the province: a figure of the whole territory the fit has not seen (`allocate` starts
    its path from it), said beside the figures the run rests on."""
    from covsim.simulator.analysis import allocate as _allocate

    totals = {y: v for y, v in _allocate.communes_totals(region).items() if until is None or y <= until}
    return (latest := max(totals), totals[latest]) if totals else None


def target_source(region: str, scheme: str, value: float, year: int,
                  known_on: str | None = None) -> tuple[str, str | None]:
    """(whose, source) of a target asked: the region's own plan target of that value in that year
    ('own'), else the nation's ('national'), else one the user chose ('chosen', no source). The
    briefing says which, so a probability is never read as a plan's when the target was typed. As
    of the ISO day `known_on`, only a target decided by then is a plan's: a later one was not yet,
    and the briefing's words stay blind to it (test_leak_fence)."""
    for whose, where in (("own", region), ("national", NATIONAL)):
        t = plan_targets(where, scheme)
        t = t[(t.year == year) & ((t.value - value).abs() < 5e-5)]
        t = t[[documents_known_on(src, known_on) for src in t.source]]
        if len(t):
            return "national" if where == NATIONAL else whose, str(t.source.iloc[0])
    return "chosen", None


def target_default(region: str, scheme: str, first: int, last: int) -> tuple[float | None, int, str | None, str]:
    """(target, year, source, whose): the region's latest plan target for the scheme within the
    run's years; else the national plan's; else no target (None) in min(2025, last). `whose` is
    'own', 'national' or 'none'."""
    for whose, where in (("own", region), ("national", NATIONAL)):
        t = plan_targets(where, scheme)
        t = t[(t.year > first) & (t.year <= last)]
        if len(t):
            row = t[t.year == t.year.max()].sort_values("value").iloc[-1]
            return float(row.value), int(row.year), str(row.source), whose if where != region else "own"
    return None, min(2025, last), None, "none"


def default_target(name: str, scheme: str) -> tuple[float | None, int]:
    """The plan's latest overall target for the region and scheme (else the national plan's), in
    the unit the model computes; None when the data have no sourced target (see views.target_note)."""
    sc = scenario(name, scheme)
    return target_default(sc.region, scheme, sc.start, sc.end)[:2]


_DRAWS_SEEN: set = set()


def fit_stamp(region: str) -> int:
    """When the user's own fit of the region was written (0: none): a 2025 unit weighed on its own
    figure or a region added while the dashboard runs changes it, and with it the keys of the kept
    runs, so the next request uses the new draws and figures instead of the ones kept before."""
    path = shipped.user_path(region)
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    if _STAMPS.setdefault(region, stamp) != stamp:  # its figures changed too: read the tables anew
        _STAMPS[region] = stamp
        tables.reload()
    return stamp


_STAMPS: dict[str, int] = {}


def draws_of(region: str, draws: int, seed: int) -> xr.Dataset:
    return _draws_of(region, draws, seed, fit_stamp(region))


@lru_cache(maxsize=32)
def _draws_of(region: str, draws: int, seed: int, stamp: int) -> xr.Dataset:
    out = cache.shared(("draws", region, draws, seed, stamp), lambda: shipped.draws_for(region, draws, seed))
    _DRAWS_SEEN.add((region, draws, seed))
    return out


def kept_key(name: str, draws: int, seed: int) -> tuple:
    """A kept run's key: its inputs and its region's fit stamp."""
    return (name, draws, seed, fit_stamp(scenario(name).region))


def variants_of(name: str, draws: int, seed: int, build: bool = True) -> Variants | None:
    """The health-insurance run of a shipped scenario, kept ready for lever moves (see
    `simulator.schemes.variants`): in this process, else from the shared disk cache, else built when
    `build`, else None.

    A background job puts what it builds in the shared cache, for the server to take up; the server
    keeps its own builds in memory, which the jobs it forks inherit (a kept run is 50-130 MB)."""
    key = kept_key(name, draws, seed)
    shared_key = ("variants",) + key
    found = cache.kept(key) or cache.load_shared(shared_key)
    if found is None:
        if not build:
            return None
        with cache.building(shared_key):  # several sessions' first moves on one region: one builds, all use it
            found = cache.kept(key) or cache.load_shared(shared_key)
            if found is None:
                found = _new_variants(name, draws, seed)
                if cache.in_job():
                    cache.publish(shared_key, found)
    cache.keep(key, found)
    return found


def warmed_regions() -> tuple[str, ...]:
    """The regions whose runs the dashboard builds ahead of a request: the default region (the
    first) and those with a calibrated posterior of their own, the ones most asked for. The others
    (the former provinces and 2025 units on priors or sums) are built on their first request."""
    return tuple(r for i, r in enumerate(REGIONS) if i == 0 or shipped.has_posterior(r))


def warm_region(name: str, draws: int, seed: int) -> bool:
    """Build a region's kept run into the shared cache unless there (False then), for the warm-up
    process: nothing kept in its memory, and no build lock, so that a user's job building the same
    region never waits on the warm-up (see dashboard.warmup)."""
    if is_ready(name, draws, seed):
        return False
    cache.publish(("variants",) + kept_key(name, draws, seed), _new_variants(name, draws, seed))
    return True


def is_ready(name: str, draws: int, seed: int) -> bool:
    """Whether the scenario's kept run is in this process or in the shared cache (not read)."""
    key = kept_key(name, draws, seed)
    return cache.kept(key) is not None or cache.is_shared(("variants",) + key)


def _new_variants(name: str, draws: int, seed: int) -> Variants:
    sc = scenario(name, VARIANTS_SCHEME)
    params = draws_of(sc.region, draws, seed)
    with cache.run_lock():
        # States only from where the levers move by default (a kept state is ~6 MB at 200 draws): a
        # lever set earlier than that runs the scenario whole, a fifth of a second.
        return Variants(sc, params, seed, keep_from=planning.lever_start(sc))


@lru_cache(maxsize=64)
def levered(name: str, scheme: str, levers: tuple, start: int):
    """The scenario with the levers (path, value) set from `start`."""
    sc = scenario(name, scheme)
    return planning.with_levers(sc, dict(levers), start) if levers else sc


def run_levers(name: str, scheme: str, levers: tuple, start: int, draws: int, seed: int) -> xr.Dataset:
    """A run of the scenario with the levers (path, value) set from `start`; cached by its inputs.

    Health insurance reruns only the years from `start` on the scenario's kept run; the labour
    schemes run whole (their layer is vectorised over draws and quick)."""
    if ENTRIES[scheme].variants:
        v = variants_of(name, draws, seed)
        if not levers:
            return v.baseline()
        return v.dataset(*_rerun(name, levers, start, draws, seed))

    def make():
        sc = levered(name, scheme, levers, start)
        params = draws_of(sc.region, draws, seed)
        with cache.run_lock():
            return simulator.run(sc, params=params, draws=draws, seed=seed)
    if levers:  # a lever setting is rarely asked twice by another process: not worth the disk
        return make()
    return cache.shared(("run", name, scheme, draws, seed), make)


def held_fixed(name: str, scheme: str, levers: tuple, start: int, target: float, year: int, draws: int,
               seed: int, progress=None, until: int | None = None, known=None) -> list[dict]:
    """The target's probability with each number the model holds fixed at its lower and higher
    alternative, the fit redone under each (`calibration/held_fixed.py`), on the whole record or as
    of `until` (and `known`): minutes of fitting, so for `covsim brief --held-fixed`, never a page's
    callback."""
    from covsim.calibration import held_fixed as alternatives

    return alternatives.probabilities(levered(name, scheme, levers, start), float(target), int(year), draws, seed,
                                      until=until, known=known, progress=progress)


@lru_cache(maxsize=16)
def _rerun(name: str, levers: tuple, start: int, draws: int, seed: int) -> tuple:
    """The kernel's rerun of a health-insurance scenario with levers set from `start`: (variant,
    prepared, raw), shared by the answer (its coverage alone) and the details (the whole run)."""
    v = variants_of(name, draws, seed)
    variant = levered(name, VARIANTS_SCHEME, levers, start)
    with cache.run_lock():
        # The serial kernel: a rerun of a few years is over before numba's workqueue layer (the
        # one forked jobs survive, see cache.fork_safe_threads) has shared the work out.
        return (variant, *v.rerun(variant, parallel=not cache.workqueue()))


def _comparison_run(base, scheme: str, draws: int, seed: int) -> xr.Dataset:
    """The budget's comparison run (`planning.budget_baseline`): the named scenario's cached run where
    its years are the run's; a baseline stretched to a reform's own years (a reform to 2035 on a
    baseline to 2030) runs as it is, on the same draws and seed."""
    if base.name in simulator.shipped_scenarios() or base.name in REGIONS:  # else a file: run as it is
        named = scenario(base.name, scheme)
        if (named.start, named.end) == (base.start, base.end):
            return run_levers(base.name, scheme, (), 0, draws, seed)
    with cache.run_lock():
        return simulator.run(base, params=draws_of(base.region, draws, seed), draws=draws, seed=seed)


def answer_coverage(name: str, scheme: str, levers: tuple, start: int, draws: int, seed: int) -> xr.DataArray:
    """The region's overall coverage over (draw, year) under the levers, its run's stamp in its
    attributes: all a first answer needs. For health insurance this skips labelling the whole run
    (the same numbers as `run_levers(…).coverage_total`); the details ask for that afterwards."""
    if ENTRIES[scheme].variants and levers:
        v = variants_of(name, draws, seed)
        return v.coverage(*_rerun(name, levers, start, draws, seed))
    ds = run_levers(name, scheme, levers, start, draws, seed)
    return planning.region_coverage(ds, scenario(name, scheme)).assign_attrs(ds.attrs)


def ready(req: dict, draws: int, seed: int) -> bool:
    """Whether answering `req` is a matter of milliseconds in this process: its scenario's kept run
    (and the compared scenario's) are at hand. Bad input is quick too: it is only a message."""
    if req.get("until") not in (None, ""):
        return False  # as of a year: a fit (seconds), then the runs on it
    try:
        scheme = check_scheme(req["scheme"])
        names = [req["scenario"]] + ([req["compare"]] if req.get("compare") else [])
        if not ENTRIES[scheme].variants:
            regions = {scenario(n, scheme).region for n in names}
            return all(_draws_cached(r, draws, seed) for r in regions)
        names.append(scenario(req["scenario"]).region)  # the budget's comparison: the region's baseline
        return all(variants_of(n, draws, seed, build=False) is not None for n in names)
    except Exception:  # noqa: BLE001 - compute_request turns it into a message at once
        return True


def _draws_cached(region: str, draws: int, seed: int) -> bool:
    return (region, draws, seed) in _DRAWS_SEEN


#: Decimals of a percentage point a share's box shows for the value in force.
SHARE_DECIMALS = 2


def changed_levers(name: str, scheme: str, levers: dict[str, float], start: int, known: date | None = None) -> tuple:
    """The levers that differ from the scenario's current values (only those become a reform; as of
    a year, from those of the policy decided by the day `known`). A share within half a shown step
    of the value in force is the box as the page filled it, so untouched: a share of 37.6164% shows
    as 37.62 and must not read back as a change."""
    now = current_levers(name, scheme, start, known)
    specs = {s["path"]: s for s in lever_specs()}
    out = []
    for path, value in levers.items():
        if path not in specs:
            raise InputError("dashboard", path, f"unknown lever; allowed: {', '.join(specs)}")
        if scheme not in specs[path]["schemes"]:
            continue  # a lever of another scheme: its box is disabled and empty
        if value is None:
            raise InputError("dashboard", path, "empty; type a number")
        value = float(value)
        if not np.isfinite(value):
            raise InputError("dashboard", path, "not a number")
        tol = (0.5 * 10.0 ** -SHARE_DECIMALS / 100 if specs[path]["kind"] == "share"
               else max(1e-6 * max(1.0, abs(now[path])), 5e-6))
        if abs(value - now[path]) > tol:
            out.append((path, value))
    return tuple(sorted(out))


def full_result(name: str, scheme: str, levers: dict[str, float], start: int, target: float, year: int,
                compare: str | None = None, draws: int = DRAWS, seed: int = SEED, details: bool = True) -> dict:
    """Everything the page shows, computed from the public planning functions.

    `details=False` stops at the answer (the region's overall coverage, the probability and the fan
    chart): what must follow a lever move at once; the groups, budget and comparison follow in a
    second step, from the same cached rerun.
    Raises InputError on bad input (an out-of-range lever, a target outside (0, 1], a year outside
    the scenario) before anything runs.
    """
    check_scheme(scheme)
    sc = scenario(name, scheme)
    planning.check_target(target, "dashboard", "target")
    planning.check_year(sc, int(year), "target year")
    start = planning.check_year(sc, int(start), "lever start")
    changed = changed_levers(name, scheme, levers, start)
    if changed:
        planning.check_unit_start(sc, start, [p for p, _ in changed], "lever start")
        sc = planning.with_levers(sc, dict(changed), start)  # validates every value against its range
    other = None
    if compare:
        other = scenario(compare, scheme)
        if other.region != sc.region:
            raise InputError("dashboard", "compare", f"'{compare}' is a scenario of {other.region}, not {sc.region}")
    figures = _figures(sc.region, scheme)
    out = {"scenario": sc, "levers": dict(levers), "changed": dict(changed), "start": int(start),
           "observed": figures[0], "targets": figures[1], "details": details}
    key = (name, scheme, changed, start if changed else 0, draws, seed)
    if not details:
        cov = answer_coverage(*key)
        out.update(coverage=cov, attrs=cov.attrs,
                   report=planning.coverage_report(cov, sc, float(target), int(year), seed=int(cov.attrs["seed"]),
                                                   denominator=cov.attrs.get("denominator")))
        out["report"].update(published(cov, draws_of(sc.region, draws, seed), seed, sc, year, target))
        return out
    ds = run_levers(*key)
    out.update(ds=ds, coverage=planning.region_coverage(ds, sc), attrs=ds.attrs,
               report=planning.target_report(ds, sc, float(target), int(year)))
    params = draws_of(sc.region, draws, seed)
    out["report"].update(published(out["coverage"], params, seed, sc, year, target))
    # how the probability moves with each fitted number still mostly its prior (as `covsim target`)
    out["leans_on"] = learned.leans_on(params,
                                       out["coverage"].sel(year=int(year)).values >= float(target), sc.region,
                                       ENTRIES[scheme].learned_attr, ENTRIES[scheme].unread, sc.rests_on())
    if ENTRIES[scheme].budget or ENTRIES[scheme].support_cost:
        out["budget"], out["budget_compared_with"] = planning.budget_against_baseline(
            ds, sc, lambda base: _comparison_run(base, scheme, draws, seed))
    if other is not None:
        out["compare"] = (other, run_levers(compare, scheme, (), 0, draws, seed))
    return out


def published(coverage: xr.DataArray, params: xr.Dataset, seed: int, sc, year: int, target: float) -> dict:
    """The chance that the published figure reaches the target, `covsim target`'s (health only),
    for the page and the briefing beside the coverage's."""
    from covsim.calibration.forecast import published_chance  # not at import: the page starts without it

    return published_chance(coverage, params, seed, int(year), float(target), sc.scheme)


def as_of_result(name: str, scheme: str, levers: dict[str, float], start: int, target: float, year: int, until: int,
                 known=None, compare: str | None = None, draws: int = DRAWS, seed: int = SEED,
                 kept: bool = False) -> tuple[dict, dict]:
    """`full_result`'s dict as of the end of `until` (`covsim brief --until`), and what the briefing
    says of the fit (`as_of`): the runs on a fit to the figures observed by then, under the policy,
    laws and targets decided by then (or by the day `known`), with the backtest's sampling, as
    `covsim target --until` answers. Every lever given is set (none is dropped as equal to a value in
    force: what is in force as of `until` is not what is in force now); the budget's baseline and the
    compared scenario run on the same as-of draws and seed. The figures observed later stay, marked
    `later`, so the paper shows what followed; a target decided later is left out. `kept`: the fit
    is kept in this process (`as_of_fit`: the page's lever moves refit nothing)."""
    from covsim.calibration.forecast import convergence, fit_record, run_as_of
    from covsim.simulator.inputs import membership
    from covsim.simulator.inputs.decisions import knowledge_day

    sc = scenario(name, scheme)
    planning.check_target(target, "brief")
    planning.check_year(sc, int(year), "target year")
    planning.check_year(sc, int(start), "lever start")
    day = knowledge_day(until, known)
    # a lever at the level the policy known on the day already has is no change (as `full_result`
    # drops one at today's level), and so not listed as one
    changed = {p: v for p, v in levers.items() if abs(planning.lever_value(sc, p, int(start), day) - v) > 1e-9}
    if levers:
        sc = planning.with_levers(sc, dict(levers), start)
    planning.check_drive_known(sc, day)  # before the fit: a drive with no unit then
    planning.check_plan_known(scenario(name, scheme), day)  # nor a plan decided later
    other = scenario(compare, scheme) if compare else None
    if other is not None and other.region != sc.region:
        raise InputError("dashboard", "compare", f"'{compare}' is a scenario of {other.region}, not {sc.region}")
    if other is not None:
        planning.check_plan_known(other, day, "compare")
    post = (as_of_fit if kept else _as_of_fit)(sc.region, int(until), known, draws, seed)
    settings = as_of_settings(draws, seed)
    params = post.isel(draw=slice(0, draws))

    def run(s):
        return run_as_of(s, until, max(s.end, sc.end), params, seed, known=known)

    ds = run(sc)
    observed, planned = figures_of(sc.region, scheme, int(until), day)
    res = {"scenario": sc, "levers": dict(levers), "changed": changed, "start": int(start), "known_on": day,
           "until": int(until), "observed": json.dumps(observed, ensure_ascii=False),
           "targets": json.dumps(planned, ensure_ascii=False),
           "details": True, "ds": ds, "coverage": planning.region_coverage(ds, sc), "attrs": ds.attrs,
           "report": planning.target_report(ds, sc, float(target), int(year), known_on=day)}
    res["report"].update(published(res["coverage"], params, seed, sc, year, target))
    res["leans_on"] = learned.leans_on(params, res["coverage"].sel(year=int(year)).values >= float(target), sc.region,
                                       also=sc.rests_on())
    if ENTRIES[scheme].budget or ENTRIES[scheme].support_cost:
        res["budget"], res["budget_compared_with"] = planning.budget_against_baseline(ds, sc, run)
    if other is not None:
        res["compare"] = (other, run(other))
    members = regions.run_members(sc.region) or (sc.region,)  # as the run lists them (schemes/health.py)
    as_of = {"until": int(until), "known_on": day.isoformat(), "known": known.isoformat() if known else None,
             "convergence": convergence(post.attrs), "fit": fit_record(post, settings),
             "group_shares": membership.held_item(list(members), day)}
    from covsim.calibration.unit_as_of import former_parts

    if former_parts(post.attrs) is not None:  # a 2025 unit: each former province fitted as of the year, or on its priors
        as_of["former_provinces"] = former_parts(post.attrs)
    return res, as_of


def as_of_settings(draws: int, seed: int):
    """The fit's settings as of a year: the backtest's sampling, at least 300 draws (`target --until`)."""
    import dataclasses

    from covsim.calibration.backtest import SETTINGS

    return dataclasses.replace(SETTINGS, draws=max(draws, 300), seed=seed)


def _as_of_fit(region: str, until: int, known, draws: int, seed: int) -> xr.Dataset:
    """The fit to the figures observed by the end of `until`, under what was decided by then (a
    2025 unit: its former provinces', each its own, as `covsim forecast UNIT --until` fits them)."""
    from covsim.calibration.unit_as_of import calibrated

    return calibrated(region, until, as_of_settings(draws, seed), known=known)


def as_of_fit(region: str, until: int, known, draws: int, seed: int) -> xr.Dataset:
    """`_as_of_fit`, kept for the page: a lever moved as of a year reruns the model on the same fit.
    A background job is a fork of the server, so what it fits goes to the shared cache too (keyed
    by the data, which `covsim region observe` can change), where the next job finds it."""
    return _kept_fit(region, int(until), known, draws, seed, tables.data_hash())


@lru_cache(maxsize=4)
def _kept_fit(region: str, until: int, known, draws: int, seed: int, data: str) -> xr.Dataset:
    return cache.shared(("as_of_fit", region, until, str(known), draws, seed, data),
                        lambda: _as_of_fit(region, until, known, draws, seed))


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", force_ascii=False))


def shipped_data() -> tuple[Path, tuple[str, ...]]:
    """The shipped tables' folder and the tables whose `source` an output shows: coverage (observed
    points, planned targets, the groups' targets) and the plans' district tables (dashboard/sources.py)."""
    from covsim.simulator.inputs.regions import DISTRICT_TABLES

    folder = Path(str(resources.files("covsim.simulator").joinpath("data")))
    return folder, ("coverage", *sorted(set(DISTRICT_TABLES.values())))


def districts_view(res: dict) -> dict:
    """The plan's district targets (planned) and, where it can be made, the model's allocation."""
    sc = res["scenario"]
    from covsim.simulator.analysis import allocate as _allocate  # written beside planning

    table = _allocate.districts(sc.region)
    if table is None or sc.scheme != "bhyt":
        return {"available": False}
    if res.get("known_on") is not None:  # as of a day: the district plans decided by then only
        table = table[[documents_known_on(src, res["known_on"]) for src in table.source]]
        if table.empty:
            return {"available": False, "later": True}
    out = {"available": True, "planned": _records(table[["year", "district", "insured", "population",
                                                          "rate_stated", "kind", "source"]])}
    rep = res["report"]
    try:
        alloc = _allocate.allocate(res["ds"], sc, rep["target"], rep["year"], until=res.get("until"))
        out["allocation"] = _records(alloc[alloc.unit_kind == "district"])
    except InputError as exc:
        out["allocation_error"] = str(exc)
    return out


def mostly_prior(attrs) -> dict:
    """The fitted parameters a run leans on that the figures hardly narrowed (name: posterior
    contraction, lowest first) and the cut, from the run's provenance (calibration/learned.py)."""
    rec = json.loads(attrs.get("learned") or "{}")
    return {"cut": rec.get("mostly_prior_below"), "parameters": learned.mostly_prior(rec)}


def summary(res: dict) -> dict:
    """A JSON-serialisable digest of a result: what the page's store and the exports hold."""
    sc, cov, attrs = res["scenario"], res["coverage"], res["attrs"]
    q = np.quantile(cov.transpose("draw", "year").values, QUANTILES, axis=0)  # as DataArray.quantile
    rep = res["report"]
    priors, all_priors = ([], False) if attrs.get("calibrated", 1) else on_priors(sc.region)
    out = {
        "scenario": sc.name, "region": sc.region, "scheme": sc.scheme, "description": sc.description,
        "baseline": sc.baseline or "", "denominator": attrs.get("denominator", "population"),
        # the reform as run, and the paths its source does not give: a briefing of a user's file
        # (which the page cannot load again by name) still says what was changed
        "reform": {p: {str(y): v for y, v in sorted(ys.items())} for p, ys in sorted(sc.reform.items())},
        "assumed_paths": list(sc.assumed),
        "idle": sc.idle(),  # the reform's paths this scheme does not read: they change nothing here
        "years": [int(y) for y in cov.year.values],
        "fan": {f"q{int(round(1000 * p)):03d}": [round(float(v), 6) for v in row] for p, row in zip(QUANTILES, q)},
        "observed": json.loads(res["observed"]),
        "targets": json.loads(res["targets"]),
        "report": rep,
        "levers": {k: (None if v is None else float(v)) for k, v in res["levers"].items()},
        "changed": res["changed"], "start": res["start"], "details": res.get("details", True),
        "boundaries": json.loads(attrs.get("boundaries") or "[]"),
        "assumptions": {"scenario_definition": attrs.get("scenario_definition", ""),
                        "scenario_hash": attrs.get("scenario_hash", ""),
                        "seed": int(attrs.get("seed", 0)), "draws": int(cov.sizes["draw"]),
                        "data_hash": attrs.get("data_hash", ""), "code_version": attrs.get("code_version", ""),
                        # what `run --json` records besides: where the code is, the user's files the data
                        # hash covers, the libraries' versions (the briefing, workbook and CSV omitted them)
                        "code_commit": attrs.get("code_commit") or "",
                        "user_data": json.loads(attrs.get("user_data") or "[]"),
                        "data_dir": attrs.get("data_dir") or "",  # COVSIM_DATA_DIR's folder, '' when shipped
                        "environment": json.loads(attrs.get("environment") or "{}"),
                        "parameters": attrs.get("parameters", ""), "source": sc.source,
                        "calibrated": bool(attrs.get("calibrated", 1)),
                        "on_priors": priors, "all_on_priors": all_priors,
                        "parameters_hash": attrs.get("parameters_hash", ""),
                        # a posterior written with --allow-unconverged: said wherever its figures go
                        "unconverged": attrs.get("unconverged", ""),
                        "assumed": json.loads(attrs.get("assumptions") or "[]"),
                        "supersedes": json.loads(attrs.get("supersedes") or "[]"),
                        "capped": json.loads(attrs.get("capped") or "[]"),
                        "below_national": json.loads(attrs.get("below_national") or "[]"),
                        # what the model held fixed in this run (assumed, not fitted), as `run --json` records it
                        "fixed": json.loads(attrs.get("fixed") or "[]"),
                        # the data rows no source here confirms that the run read (schemes/unverified.py)
                        "unverified_data": json.loads(attrs.get("unverified_data") or "[]"),
                        # as of a day: later figures standing in where none was known then
                        "stand_ins": json.loads(attrs.get("stand_ins") or "[]"),
                        # a 2025 unit's own figures its draws were weighed on (covsim region observe)
                        "unit_figures": json.loads(attrs.get("unit_figures") or "[]"),
                        "mostly_prior": mostly_prior(attrs)},
    }
    if not out["details"]:
        return out
    out["leans_on"] = res.get("leans_on", [])
    if "budget" in res:
        b = res["budget"].replace({np.nan: None})
        out["budget"] = _records(b)
        out["budget_compared_with"] = res["budget_compared_with"]
    out["districts"] = districts_view(res)
    if "compare" in res:
        out["compare"] = comparison(res, *res["compare"])
    return out


def compared(s: dict) -> dict | None:
    """The compared scenario of a summary (`comparison`'s) as the briefing's records name it (the
    HTML page's and `brief --json`'s): its name, fingerprint and what it ran, so a user's file
    changed later is still known."""
    c = s.get("compare")
    if not c:
        return None
    return {"scenario": c["name"], "scenario_hash": c.get("scenario_hash"),
            "scenario_definition": c.get("scenario_definition")}


def comparison(res: dict, other, ods: xr.Dataset) -> dict:
    """Scenario A (the page's) against B on the same draws and seed: per-draw differences."""
    sc, ds, rep = res["scenario"], res["ds"], res["report"]
    a = planning.region_coverage(ds, sc)
    b = planning.region_coverage(ods, other)
    diff = (a - b).quantile([0.1, 0.5, 0.9], dim="draw")
    orep = planning.target_report(ods, other, rep["target"], rep["year"])
    out = {"name": other.name, "description": other.description, "region": other.region,
           "baseline": other.baseline or "", "scenario_hash": other.hash,
           "scenario_definition": other.resolved(),  # what B ran, whatever its file says later
           "years": [int(y) for y in a.year.values],
           "median_a": [round(float(v), 6) for v in a.median("draw").values],
           "median_b": [round(float(v), 6) for v in b.median("draw").values],
           "diff": {k: [round(float(v), 6) for v in diff.sel(quantile=p).values]
                    for k, p in (("lo", 0.1), ("median", 0.5), ("hi", 0.9))},
           "probability_a": rep["probability"], "probability_b": orep["probability"]}
    if ENTRIES[sc.scheme].budget or ENTRIES[sc.scheme].support_cost:
        first, last = int(res["start"]), int(rep["year"])
        ca = planning.cumulative_state_cost(ds, sc.region, first, last)
        cb = planning.cumulative_state_cost(ods, other.region, first, last)
        out.update(cost_first=first, cost_last=last, cost_a=float(ca.mean()), cost_b=float(cb.mean()),
                   cost_diff=float(ca.mean() - cb.mean()))
        # the difference draw by draw on the same draws: its 80% band, as the money's everywhere
        lo, hi = planning.band80(ca.values - cb.values)
        out.update(cost_diff_lo80=lo, cost_diff_hi80=hi)
    return out


def netcdf_bytes(ds: xr.Dataset) -> bytes:
    """The run as NetCDF, via the simulator's own writer."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "covsim.nc"
        simulator.write_netcdf(ds, path)
        return path.read_bytes()
