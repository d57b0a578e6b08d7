"""Employers' compliance: the one process both layers read for the same employees.

An employer who declares a worker pays health (BHYT), social (BHXH) and unemployment (BHTN)
insurance on one payroll declaration; one who evades pays none of them. So the share of those
required to join who are insured is the same in the health engine's employee group and in the
labour layer's required pool, year by year and draw by draw: logistic in a level, a trend since
2008 (inspections, arrears collection, evasion a crime from 2018), the region's offset, the
scenario's `enforcement` lever and, from `noise_from` on, a random walk.

Draws: the labour layer's (its shipped posterior is attached beside the health draws by
`calibration.shipped.draws_for`); where a parameter set lacks them, the priors below at the same
draw indices and seed, the draws the labour layer itself would take.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..inputs.policy import Policy
from ..inputs.regions import NATIONAL
from ..inputs.scheme_ids import ENFORCEMENT
from ..streams import normal, normal_path
from .fixed import Alternative, Fixed
from .parameters import Prior, region_values

TREND_START = 2008
PRIORS = {
    # 18% of the labour force insured around 2008, almost all compulsory (domain notes §6), over a
    # required share of about 26%: about 70% compliance, logit 0.85.
    "compliance_logit": Prior(0.85, 0.4, source="assumed: about 70% of those required contributed in 2008"),
    "compliance_trend": Prior(0.05, 0.03, source="assumed: inspections, arrears collection, evasion a crime "
                                                 "from 2018 (Penal Code 2015 Art. 216)"),
    "compliance_sd": Prior(float(np.log(0.05)), 0.4, log=True, source="assumed: yearly log-odds innovation ahead"),
}
REGION_PRIOR = ("region_compliance",
                Prior(0.0, 0.4, source="assumed: provinces around the national compliance"))
_LEVEL, _TREND = PRIORS["compliance_logit"], PRIORS["compliance_trend"]
#: The compliance a health fit "as of" a year holds (`calibration/health_fit.compliance_point`): the
#: labour layer's fit saw every year, so such a fit takes the priors' means, and its runs carry the
#: one point. Nothing it fits moves the trend ahead, and a verdict can hang on it (Lai Chau's 96.8% by
#: 2020 as of 2016: 46%, 30.5% / 52.5% with the trend one prior sd lower / higher; an audit of
#: 2026-12-05), so its alternatives are those.
AS_OF = Fixed(
    "compliance_as_of", f"employers' compliance held at {{level}} log-odds in {TREND_START}, rising {{trend}} a year "
    "(assumed: the labour layer's fit saw every year, so an as-of fit does not use it)",
    {"level": _LEVEL.mean, "trend": _TREND.mean},
    tuple(Alternative(f"{t:g} a year", {"trend": t}) for t in
          (round(_TREND.mean - _TREND.sd, 4), round(_TREND.mean + _TREND.sd, 4))))


def _prior(name: str, prior: Prior, idx: np.ndarray, seed: int) -> np.ndarray:
    # The labour layer's stream names: the same draw index and seed give the same value in both.
    x = prior.mean + prior.sd * normal(seed, f"labour.prior.{name}", idx)
    return np.exp(x) if prior.log else x


def prior_at(draw_index: np.ndarray, seed: int, regions: list[str]) -> dict[str, tuple]:
    """The compliance draws from the priors at the given draw indices, as Dataset variables."""
    idx = np.asarray(draw_index, dtype=np.int64)
    out = {k: (("draw",), _prior(k, p, idx, seed)) for k, p in PRIORS.items()}
    name, prior = REGION_PRIOR
    cols = [_prior(f"{name}.{r}", prior, idx, seed) if r != NATIONAL else np.zeros(idx.size) for r in regions]
    out[name] = (("draw", "region"), np.stack(cols, axis=1))
    return out


def draws(params: xr.Dataset, seed: int, regions: list[str]) -> xr.Dataset:
    """`params` where it carries the compliance variables, else the priors' at its draw indices
    (over `regions`, the run's: a parameter set may hold other regions too)."""
    if all(v in params for v in PRIORS):
        return params
    return xr.Dataset(prior_at(params.draw.values, seed, regions),
                      coords={"draw": params.draw.values, "region": list(regions)})


def enforcement(policy: Policy, regions: list[str], years: list[int]) -> np.ndarray:
    """The scenario's enforcement lever, log-odds over (year, region) (0 where none is set)."""
    return np.array([[policy.annual(ENFORCEMENT, y, r, default=0.0) for r in regions] for y in years])


def share(params: xr.Dataset, seed: int, regions: list[str], years: list[int], lever: np.ndarray,
          noise_from: int) -> np.ndarray:
    """Share of those required to join whose employer contributes, (year, region, draw).

    `params` must carry the compliance variables (`draws` adds them); `lever` is `enforcement`'s."""
    years = np.asarray(years)
    elapsed = np.maximum(years - TREND_START, 0)
    x = (params.compliance_logit.values[None, None, :]
         + elapsed[:, None, None] * params.compliance_trend.values[None, None, :]
         + region_values(params, REGION_PRIOR[0], regions).T[None]
         + np.asarray(lever)[:, :, None])
    later = np.flatnonzero(years >= noise_from)
    if later.size:
        sd = params.compliance_sd.values
        for i, r in enumerate(regions):
            z = normal_path(seed, f"labour.compliance.{r}", params.draw.values, later.size)
            x[later, i, :] += (np.cumsum(z, axis=1) * sd[:, None]).T
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))
