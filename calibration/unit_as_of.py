"""A 2025 unit as of a year: its former provinces, each fitted on what was observed by then.

A 2025 unit runs as its former provinces side by side (`shipped.merged_draws`): on the whole record
each on its stored fit, or on its priors where it has none. As of a year the same rule holds with
every stored fit redone on the figures observed by the end of that year (`fit.calibrate(m, until)`,
the fit `covsim forecast m --until` makes), so the unit planners work in now gets a forecast that
can be scored against its later figures, as its former provinces' can. Until the reorganisation
was decided (Resolution 202/2025/QH15, 12 June 2025) each former province keeps its own policy
throughout (`merger.policy_as_run`), as a planner then would have run it. The unit's own figures
(a user's, from 1 July 2025: `unit_fit`) are not weighed here: as of a year they are among the
later figures a forecast is scored on.
"""
from __future__ import annotations

import json

import xarray as xr

from covsim.simulator.errors import InputError
from covsim.simulator.inputs import regions as registry

from .diagnostics import DIAGNOSTICS, convergence, verdict
from .fit import Settings, calibrate

#: What a unit's record takes from one of its former provinces' fits: the diagnostics, and the mark
#: of a fit written with --allow-unconverged.
TAKEN = (*DIAGNOSTICS, "unconverged")


def is_unit(region: str) -> bool:
    return region in registry.mergeable()


def check_scheme(unit: str, scheme_id: str, key: str = "--scheme") -> None:
    """As of a year a unit is run for health insurance only: the labour layer's fits are of a
    province's own labour force, and no unit sums them as of a year."""
    if scheme_id != "bhyt":
        raise InputError(key, scheme_id, f"{unit} is a 2025 unit, forecast as of a year as the sum of its former "
                                         f"provinces for health insurance only; allowed: bhyt, or a former province "
                                         f"({', '.join(registry.former_provinces(unit))}) for {scheme_id}")


def calibrated(region: str, until: int, settings: Settings, scheme: str = "bhyt", known=None) -> xr.Dataset:
    """The draws an as-of forecast of `region` runs on: its fit as of `until`, or for a 2025 unit
    its former provinces' (`fitted`)."""
    if is_unit(region):
        check_scheme(region, scheme)
        return fitted(region, until, settings, known)
    return calibrate(region, until, settings, scheme=scheme, known=known)


def fitted(unit: str, until: int, settings: Settings, known=None) -> xr.Dataset:
    """`settings.draws` joint draws of the unit's former provinces, each with a stored fit refitted
    as of `until` (the shared parameters from the seat's, as on the whole record), the others on
    their priors. Its record: the origin, the day policy was known by, the seed, each former
    province's fit and diagnostics (`former_fits`), and the diagnostics of the fit that failed
    (else the seat's), so that an unconverged part is never used silently."""
    from . import shipped

    first = shipped.posterior_layers()[0]
    fits: dict[str, xr.Dataset] = {}

    def read(region: str, layer):
        if layer.posterior != first.posterior or not shipped.stored_path(region, layer).exists():
            return None  # a later layer's draws are of the whole record; a province on its priors stays on them
        fits[region] = calibrate(region, until, settings, known=known)
        return shipped.layer_variables(fits[region], layer), f"{region}'s fit as of {until}"

    out = shipped.merged_draws(unit, settings.draws, settings.seed, read=read)
    return _recorded(out, unit, until, settings, known, fits)


def _recorded(out: xr.Dataset, unit: str, until: int, settings: Settings, known, fits: dict) -> xr.Dataset:
    members = registry.former_provinces(unit)
    failing = [m for m in members if m in fits and verdict(fits[m].attrs)]
    chosen = fits.get(failing[0] if failing else registry.seat(unit))
    attrs = {k: v for k, v in out.attrs.items() if k not in TAKEN}
    if chosen is not None:
        attrs.update({k: chosen.attrs[k] for k in TAKEN if k in chosen.attrs})
    if failing:
        attrs["unconverged_part"] = failing[0]
    attrs.update({"region": unit, "until": int(until), "seed": int(settings.seed),
                  "former_fits": json.dumps({m: _member(fits.get(m)) for m in members})})
    if known is not None:
        attrs["known_on"] = known.isoformat()
    out.attrs = attrs
    return out


def former_parts(attrs) -> dict | None:
    """A unit's record of its parts (`former_fits`), as `forecast`, `target --until` and the
    briefing give it (`former_provinces`); None for any other region's fit."""
    return json.loads(attrs["former_fits"]) if "former_fits" in attrs else None


def _member(post: xr.Dataset | None) -> dict:
    """A former province's part of the record: its fit's diagnostics, or that it is on its priors."""
    if post is None:
        return {"fit": "priors (no fit of its own)"}
    return {"fit": f"fitted as of {post.attrs.get('until')}", "own_observations": int(post.attrs.get("own_observations", 0)),
            "convergence": convergence(post.attrs)}


def own_observations(unit: str, until: int) -> tuple[int, int]:
    """The first year a unit's as-of forecast reports (its former provinces' first own figure known
    by `until`, else the nation's) and how many of their own figures the fits saw."""
    from covsim.simulator.inputs import observations

    from .health_fit import first_national_year

    years = [int(y) for m in registry.former_provinces(unit) for y in observations.observed(m, "bhyt").year
             if int(y) <= until]
    return (min(years) if years else first_national_year()), len(years)
