"""What the figures taught a fit, and which fitted numbers are still mostly their priors.

A parameter can be "fitted" and yet be the assumed prior: where the figures up to the origin say
little about it, its posterior spread is the prior's, and any verdict that leans on it leans on an
assumption. The measure is the posterior contraction, 1 - posterior variance / prior variance
(Schad, Betancourt and Vasishth 2021, "Toward a principled Bayesian workflow in cognitive
science", Psychological Methods 26(1):103, arXiv:1904.12765): near 1 the data decided the value,
near 0 the prior did. Below `MOSTLY_PRIOR` more than half of the prior's variance is left; the cut
is our convention (assumed), not the paper's.

Each fit stamps its posterior (`stamp`), and every run on it carries the record in its provenance,
so the CLI, the dashboard and the briefs list those parameters beside the assumed numbers.
"""
from __future__ import annotations

import json
import re

import numpy as np
import xarray as xr

MOSTLY_PRIOR = 0.5
_PRIOR = re.compile(r"N\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)")


def prior_label(mean: float, sd: float) -> str:
    """How a fitted parameter's draws record their normal prior (`fit.calibrate`)."""
    return f"N({mean:.6g}, {sd:.6g})"


def contraction(post: xr.Dataset) -> dict[str, float]:
    """1 - posterior variance / prior variance of each fitted parameter (the `theta_*` draws with
    their prior recorded), rounded to 0.01; a parameter the data sharpened beyond its prior is near 1.
    Parameters without a recorded prior are left out, and so are those the fit held fixed (`record`)."""
    return {name: c for name, c in _measured(post).items() if c is not None}


def _measured(post: xr.Dataset) -> dict[str, float | None]:
    """Each parameter's contraction; None for one every draw has the same (held fixed)."""
    out: dict[str, float | None] = {}
    for name, var in post.data_vars.items():
        if not name.startswith("theta_"):
            continue
        m = _PRIOR.fullmatch(str(var.attrs.get("prior", "")).strip())
        if not m or float(m.group(2)) <= 0:
            continue
        sd, v = float(m.group(2)), float(np.var(var.values))
        out[name.removeprefix("theta_")] = None if v == 0.0 else round(1.0 - v / sd**2, 2)
    return out


def record(post: xr.Dataset) -> dict:
    """The fit's record: every fitted parameter's contraction, the cut, those below it (lowest
    first) and those held fixed (every draw the same: the policy they act on is not known by the
    origin, like Law 46/2014's drive in a fit as of 2013; nothing was fitted)."""
    measured = _measured(post)
    return summarise({k: c for k, c in measured.items() if c is not None},
                     [k for k, c in measured.items() if c is None])


def mostly_prior(rec: dict | None) -> dict[str, float]:
    """A record's parameters still mostly their priors, lowest contraction first, each with it."""
    rec = rec or {}
    return {n: rec["contraction"][n] for n in rec.get("mostly_prior", [])}


def summarise(c: dict[str, float], held_fixed: list[str]) -> dict:
    """A record from contractions by name (`record`; `shipped.merged_draws` adds a 2025 unit's former
    provinces' offsets, each `region_offset.<province>`)."""
    mostly = sorted((k for k, v in c.items() if v < MOSTLY_PRIOR), key=lambda k: (c[k], k))
    return {"contraction": c, "mostly_prior_below": MOSTLY_PRIOR, "mostly_prior": mostly, "held": held_fixed}


def leans_on(params: xr.Dataset, reached: np.ndarray, region: str | None = None, attr: str = "learned",
             unread: tuple[str, ...] = (), also: tuple[str, ...] = ()) -> list[dict]:
    """How a target's probability hangs on each fitted parameter still mostly its prior: the share
    of draws reaching it among the draws with that parameter below its median, and above.

    `params`: the run's draws, with the fit's record in the attribute `attr` (a scheme's
    `learned_attr`: the labour layer's draws sit beside the health ones); `reached`: per draw,
    whether it reaches the target; `region`: where a parameter by region is read; `unread`: the
    scheme's (`Scheme.unread`), which cannot move it; `also`: parameters a lever the scenario sets
    scales with (`Scenario.rests_on`: a drive's pull), however much their fit learned. A wide gap
    between the halves says the verdict depends on a number nobody measured, or measured loosely."""
    rec = json.loads(params.attrs.get(attr) or "{}")
    out = []
    names = list(rec.get("mostly_prior", [])) + [n for n in also if n not in rec.get("mostly_prior", [])]
    for name in names:
        if name in unread:
            continue
        values = _draw_values(params, name, region)
        if values is None or np.ptp(values) == 0:
            continue
        low = values <= np.median(values)
        out.append({"parameter": name, "contraction": rec.get("contraction", {}).get(name),
                    "probability_low_half": round(float(reached[low].mean()), 6),
                    "probability_high_half": round(float(reached[~low].mean()), 6)})
    return out


def _draw_values(params: xr.Dataset, name: str, region: str | None) -> np.ndarray | None:
    """A parameter's value per draw: its fitted draws (`theta_*`), else the engine's variable of
    that name (or without `log_`: the median split is the same), read at `region` where it has one.
    `region_offset.<province>` (a 2025 unit) reads that province's offset."""
    base, _, where = name.partition(".")
    keys = ([] if where else [f"theta_{base}"]) + [base, base.removeprefix("log_")]
    for key in keys:
        if key not in params:
            continue
        v = params[key]
        if "region" in v.dims:
            at = where or region
            if at is None or at not in v.region.values:
                continue
            v = v.sel(region=at)
        if v.dims == ("draw",):
            return v.values
    return None


def stamp(post: xr.Dataset) -> None:
    """Store the record in the posterior's attributes (`learned`), which runs on it pass on."""
    post.attrs["learned"] = json.dumps(record(post))


__all__ = ["MOSTLY_PRIOR", "contraction", "leans_on", "mostly_prior", "prior_label", "record", "stamp", "summarise"]
