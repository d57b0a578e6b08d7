"""A target's probability were each number the model holds fixed at another plausible value.

The fitted parameters say how far the verdict leans on them (`learned.leans_on`); the numbers held
fixed (`simulator/schemes/fixed.py`: the age shift of the voluntary groups, their incomes and the
growth of income ahead, lapse's response, the ramps of the two laws' drives; the labour layer's
own for BHXH and BHTN; as of a year, employers' compliance, which the labour layer's fit saw
every year to give) are assumed, and no draw varies them. So each is set in turn to its lower
and its higher alternative (declared beside it, assumed too), the scheme's fit of the region (of a
2025 unit's former provinces) is redone on the same observations under that value (a fit absorbs
what the data can tell about it), and the scenario is run again with the same seed: common random
numbers, so the gap is the number's. A verdict that swings between the alternatives hangs on a
number nobody measured.

A fit that does not converge is reported as such beside its probability, never used silently.
"""
from __future__ import annotations

import dataclasses

import xarray as xr

from covsim import simulator
from covsim.simulator.analysis import planning
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import regions as registry
from covsim.simulator.inputs.decisions import knowledge_day
from covsim.simulator.schemes import fixed
from covsim.simulator.schemes import scheme as scheme_of

from .diagnostics import verdict
from .fit import Settings, calibrate


def tried(scheme_id: str, until: int | None = None, known=None) -> tuple:
    """The numbers held fixed whose alternatives are tried: those that can move coverage, and as of
    a year those its fit holds besides (employers' compliance: `Scheme.as_of_fixed`), but none of a
    law decided after the day the fit knows policy by (idle in it: Law 46/2014's drive as of 2013)."""
    entry = scheme_of(scheme_id)
    held = entry.fixed_items + (entry.as_of_fixed if until is not None else ())
    return tuple(f for f in fixed.on(held, knowledge_day(until, known)) if f.alternatives)


def check(scenario, until: int | None) -> None:
    """One line, before minutes of fitting, for a run the alternatives cannot be tried on."""
    if not tried(scenario.scheme):
        raise InputError("--held-fixed", scenario.scheme, "its model holds no number fixed that moves coverage")
    if until is not None:
        from .forecast import check_health_as_of

        check_health_as_of(until, scenario.scheme)


def refitted(scenario, until: int | None) -> list[str]:
    """The regions whose fit each alternative redoes: as of a year, the region (fitted then); on the
    whole record, the region, or a 2025 unit's former provinces, with a stored fit of the scheme's
    own (as of a year too: `unit_as_of`). None: the run is on the priors, and each alternative is
    run, not refitted."""
    from . import shipped

    region = scenario.region
    if until is not None and region not in registry.mergeable():
        return [region]
    unit = region if region in registry.mergeable() else shipped.territory_of(region)  # its part of its unit's draws
    members = registry.former_provinces(unit) if unit is not None else [region]
    return [m for m in members if shipped.stored_path(m, scheme_of(scenario.scheme)).exists()]


def note(scenario, until: int | None, known=None) -> str:
    """The line said before minutes of fitting: what is refitted, how many times."""
    fits = 2 * len(tried(scenario.scheme, until, known))
    regions = refitted(scenario, until)
    if not regions:
        return (f"--held-fixed: {scenario.region} has no fit of its own: each of the {fits} alternatives is run on "
                f"the priors, not refitted")
    return f"--held-fixed refits {', '.join(regions)} {fits} times, once per alternative"


def _whole_record(scenario, draws: int, seed: int) -> tuple[xr.Dataset, str]:
    """The run's draws with the scheme's own fit redone on every observation, as its stored
    posterior was fitted (its seed; `covsim calibrate` reproduces the shipped one), for the region
    or, for a 2025 unit, each former province with a fit of its own; the other layers' draws as
    stored. A region on its priors has nothing to refit. With what failed ('' if nothing)."""
    from . import shipped

    refit = scheme_of(scenario.scheme).posterior
    failed = []

    def read(region: str, layer):
        found = shipped.stored(region, layer)
        if found is None or layer.posterior != refit:
            return found
        post, name = found
        new = calibrate(region, None, Settings(seed=int(post.attrs.get("seed", 0))), scheme=layer.id)
        if why := verdict(new.attrs):
            failed.append(f"{region}: {why}" if region != scenario.region else why)
        return shipped.layer_variables(new, layer), f"{name} refitted"

    own = shipped.unit_fit_of(scenario.region) if scenario.region in registry.mergeable() else None
    if own is None:
        return shipped.draws_for(scenario.region, draws, seed, read=read), "; ".join(failed)
    from .unit_fit import fit_unit  # a unit weighed on its own figures is weighed again on the refits

    post = fit_unit(scenario.region, int(own.attrs.get("seed", 0)), read=read)
    if why := verdict(post.attrs):
        failed.append(f"{scenario.region}'s own figures: {why}")
    return shipped.weighed_draws(post, scenario.region, draws, seed), "; ".join(failed)


def probabilities(scenario, target: float, year: int, draws: int, seed: int, until: int | None = None,
                  settings: Settings | None = None, known=None, denominator: str | None = None,
                  keys: tuple[str, ...] | None = None, progress=None) -> list[dict]:
    """For each number held fixed (or those named in `keys`), the probability of reaching `target`
    in `year` with it at its lower and at its higher alternative, each refitted: as of the end of
    `until` as `covsim target --until` fits (`settings`), else on the whole record (a labour
    scheme's share of `denominator`, as `covsim target`). `progress(total)` is called once with
    the number of refits, then with None after each (minutes of fitting: a face shows a bar)."""
    from .backtest import SETTINGS
    from .scoring import target_as_of

    check(scenario, until)
    refits = bool(refitted(scenario, until))
    settings = settings or dataclasses.replace(SETTINGS, draws=max(draws, 300), seed=seed)  # as `target --until`
    rows = []
    chosen = [f for f in tried(scenario.scheme, until, known) if keys is None or f.key in keys]
    if progress is not None:
        progress(sum(len(f.alternatives) for f in chosen))
    for fixed in chosen:
        row = {"key": fixed.key, "held": str(fixed)}
        for side, alternative in zip(("low", "high"), fixed.alternatives):
            with fixed.held_at(alternative):
                if until is not None:
                    report = target_as_of(scenario, until, target, year, draws, seed, settings, known=known)
                    p, failed = report["probability"], report["convergence"].get("failed", "")
                else:
                    params, failed = _whole_record(scenario, draws, seed)
                    ds = simulator.run(scenario, params=params, draws=draws, seed=seed)
                    cov = planning.region_coverage(ds, scenario, denominator).sel(year=year)
                    p = planning.probability(cov, target)
                row[side] = {"label": alternative.label, "values": dict(alternative.values),
                             "held": str(fixed), "probability": round(float(p), 4), "refitted": refits,
                             "converged": not failed,
                             **({"diagnostic": failed} if failed else {})}
            if progress is not None:
                progress(None)
        rows.append(row)
    return rows


__all__ = ["check", "probabilities", "tried"]
