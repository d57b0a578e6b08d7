"""Which uncertainties and which levers move coverage in a year: Sobol indices with SALib.

Factors are the enrolment parameters the calibration fits (each over its posterior's 5th–95th
percentile, or the prior's where no posterior is given), the state shares of the subsidised
groups (each over [current level, 100%]) and the enrolment drive (over [current strength, the
lever's maximum]). A sampled level holds from the start year on, in place of whatever the scenario
sets from then (a drive a plan raises later is replaced too, as a share lever's value is). Saltelli's samples become the draws of one engine run: each draw carries its
own parameters and, through its own net premium and drive, its own policy, so thousands of
samples cost one vectorised run. A drive's effect is its strength times the draw's fitted pull of
the targets (`drive_effect`), so its index carries that estimate's uncertainty too. The outreach random walk of the forecast years is
noise, not a parameter, and is switched off here; factors are sampled independently, so
posterior correlations between parameters are ignored (the usual Sobol assumption).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from ..schemes import compliance, health
from . import planning, runsize
from ..errors import InputError
from ..inputs.groups import GROUP_IDS
from ..inputs import drives
from ..schemes.parameters import NO_WALK, drive_effect, net_price_pct
from ..inputs.levers import DRIVE_PARAMETERS, SENSITIVITY_PARAMETERS as VARIED, lever_of, schemes_with, sensitivity_paths
from ..inputs.scenario import Scenario
from ..inputs.merger import policy_as_run
from ..inputs.regions import NATIONAL, refuse_unit

SCALARS = ("price_sensitivity", "outreach_2015", "roadmap", "outreach_trend", "outreach_damping", "target_pull")
# The policy parameters whose levers the fast path below can vary (`VARIED`, declared with the levers):
# the premium's state share, and the drive's strength (log-odds added to joining, draw by draw).
CHUNK = 4096  # samples per engine call: bounds memory to ~0.5 GB for one region


def factors(params: xr.Dataset, scenario: Scenario, start: int, levers: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Name, kind, bounds of each factor: parameters from the draws' spread, levers from policy."""
    rows, flat = [], []

    def spread(name, values):
        lo, hi = np.quantile(values, [0.05, 0.95])
        if hi - lo < 1e-9:
            flat.append(name)  # no spread in these draws: left out, and said so (`no_spread`)
            return
        rows.append({"factor": name, "kind": "parameter", "lo": float(lo), "hi": float(hi)})

    for name in SCALARS:
        if name in params:
            spread(name, params[name].values)
    if "region_offset" in params and scenario.region in params.region.values and scenario.region != NATIONAL:
        spread("region_offset", params.region_offset.sel(region=scenario.region).values)
    for g in GROUP_IDS:
        spread(f"join_logit.{g}", params.join_logit.sel(group=g).values)
        spread(f"lapse_logit.{g}", params.lapse_logit.sel(group=g).values)
    paths = sensitivity_paths() if levers is None else list(levers)
    totals = {p.partition(".")[2]: p for p in paths if lever_of(p).parameter == "state_share"}
    same, inert, top = [], [], []
    for path in paths:
        lever = lever_of(path)
        if lever.parameter not in VARIED:
            raise InputError("sensitivity", path, "sensitivity varies premium shares and the drive; allowed: a "
                                                  f"lever on {', '.join(VARIED)}")
        group = path.partition(".")[2]
        if lever.parameter == "local_top_up" and group in totals:  # the total moots it (Policy.state_share)
            same.append(f"{path} (part of {totals[group]}, varied)")
            continue
        if lever.parameter in DRIVE_PARAMETERS and "target_pull" not in params:  # an older fit: no effect to vary
            inert.append(f"{path} (these draws have no fitted target pull, which a drive's effect is)")
            continue
        current = planning.lever_value(scenario, path, start)
        if current < lever.hi:
            rows.append({"factor": path, "kind": "lever", "lo": current, "hi": lever.hi})
        else:  # nothing to sample between its level and its maximum
            top.append(f"{path} (at its maximum, {current:g}, from {start})")
    out = pd.DataFrame(rows)
    out.attrs["no_spread"] = flat
    out.attrs["part_of_total"] = same  # top-ups of a group whose total share is varied: the same factor
    out.attrs["no_effect"] = inert  # levers these draws give no effect: said, not varied
    out.attrs["at_maximum"] = top  # levers already at their maximum: no range to vary over
    return out


def _params_for(template: xr.Dataset, table: pd.DataFrame, X: np.ndarray, region: str) -> xr.Dataset:
    """Parameter draws with each parameter factor set from its column of the Saltelli matrix."""
    n = X.shape[0]
    employers = (*compliance.PRIORS, compliance.REGION_PRIOR[0])
    health = [v for v in ("join_logit", "lapse_logit", "region_offset", *SCALARS, "outreach_sd", *employers)
              if v in template]
    ds = template[health].isel(draw=np.zeros(n, dtype=int)).assign_coords(draw=np.arange(n)).copy(deep=True)
    if not all(v in ds for v in compliance.PRIORS):  # employers' compliance held as in the first draw
        ds = ds.assign(compliance.prior_at(np.zeros(n, dtype=np.int64), 0, list(ds.region.values)))
    for j, row in enumerate(table.itertuples(index=False)):
        if row.kind != "parameter":
            continue
        name, _, group = row.factor.partition(".")
        if name == "region_offset":
            ds["region_offset"].loc[{"region": region}] = X[:, j]
        elif group:
            ds[name].loc[{"group": group}] = X[:, j]
        else:
            ds[name].values[:] = X[:, j]
    return ds


def check(scenario: Scenario) -> None:
    """What sensitivity can run, refused in one line before any draw is read."""
    if scenario.scheme not in schemes_with("sensitivity"):
        raise InputError("sensitivity", "--scenario", f"scenario '{scenario.name}' is {scenario.scheme}; sensitivity "
                                                      "covers health insurance; allowed: a scenario of scheme "
                                                      f"{', '.join(schemes_with('sensitivity'))} (the region's "
                                                      f"baseline, '{scenario.region}', is one)")
    refuse_unit(scenario.region, "sensitivity")


def sobol(scenario: Scenario, params: xr.Dataset, year: int, samples: int = 256, seed: int = 0,
          start: int | None = None, memory_limit: str | None = None,
          levers: tuple[str, ...] | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of coverage in `year`, with 95% confidence half-widths.
    `levers`: the reform paths varied beside the fitted parameters (default: every lever declared
    for sensitivity; () none, for the fit's own uncertainty alone). A Saltelli design past
    `memory_limit` (default: 80% of the memory available) is refused first."""
    check(scenario)
    planning.check_year(scenario, year)
    if samples < 8 or samples & (samples - 1):
        raise InputError("sensitivity", "--samples", f"{samples} is not a power of two >= 8 (Sobol' sequences need one)")
    start = planning.lever_start(scenario, year) if start is None else start
    table = factors(params, scenario, start, levers)
    if table.empty:  # nothing to vary: no Saltelli design has a column
        raise InputError("sensitivity", "--levers", "nothing left to vary: the draws' fitted parameters have no "
                                                    "spread and no lever was given; allowed: more --draws, or a lever")
    estimate = runsize.sobol_estimate(samples, len(table), year - scenario.start + 1, len(GROUP_IDS), CHUNK)
    runsize.check(estimate, memory_limit, "--samples", f"{samples:,} samples x {len(table) + 2} rows of "
                  f"{len(table)} factors", "use fewer --samples")
    problem = {"num_vars": len(table), "names": table.factor.tolist(),
               "bounds": table[["lo", "hi"]].values.tolist()}
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    Y = coverage_at(scenario, params, table, X, year, start)
    # SALib seeds its bootstrap only `if seed:`, so seed 0 left the ± columns to chance; seed + 1 is never 0
    result = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=int(seed) + 1)
    out = table[["factor", "kind", "lo", "hi"]].copy()
    out["S1"], out["S1_conf"] = result["S1"], result["S1_conf"]
    out["ST"], out["ST_conf"] = result["ST"], result["ST_conf"]
    out.attrs.update(year=year, samples=samples, evaluations=int(X.shape[0]), start=start,
                     no_spread=table.attrs.get("no_spread", []), part_of_total=table.attrs.get("part_of_total", []),
                     no_effect=table.attrs.get("no_effect", []), at_maximum=table.attrs.get("at_maximum", []),
                     coverage_mean=float(Y.mean()), coverage_sd=float(Y.std()))
    return out.sort_values("ST", ascending=False).reset_index(drop=True)


def coverage_at(scenario: Scenario, params: xr.Dataset, table: pd.DataFrame, X: np.ndarray, year: int,
                start: int) -> np.ndarray:
    """Overall coverage in `year` for every row of the Saltelli matrix, in chunks of draws."""
    region = scenario.region
    years = list(range(scenario.start, year + 1))
    prep = health.Prepared.build(policy_as_run(scenario.policy(), region), [region], years)  # as `simulator.run` takes it
    share = (prep.pol.state_share_national + prep.pol.state_share_local)
    national = prep.pol.state_share_national
    # Top-ups first, then the state shares: a province's total moots its top-up, as in Policy.state_share.
    levers = sorted(((j, lever_of(r.factor).parameter, r.factor.partition(".")[2])
                     for j, r in enumerate(table.itertuples(index=False)) if r.kind == "lever"),
                    key=lambda lever: lever[1] == "state_share")
    push = next((j for j, parameter, _ in levers if parameter in DRIVE_PARAMETERS), None)  # the one drive lever
    levers = [lever for lever in levers if lever[1] not in DRIVE_PARAMETERS]
    from_start = np.array(years) >= start
    # the scenario's own drive in those years (in its outreach already): a sampled strength replaces it
    own = prep.pol.drive.sel(region=region).values if "drive" in prep.pol else np.zeros(len(years))
    unit = drives.drive_unit(prep.known_on)
    out = np.empty(X.shape[0])
    k = years.index(year)
    for a in range(0, X.shape[0], CHUNK):
        rows = X[a:a + CHUNK]
        draws = _params_for(params, table, rows, region)
        total = share.expand_dims(draw=np.arange(rows.shape[0])).copy()
        for j, parameter, group in levers:
            level = xr.DataArray(rows[:, j], dims="draw")
            if parameter == "local_top_up":  # the province's part on top of the national one (as Policy)
                level = (national.sel(group=group) + level).clip(max=1.0)
            later = total.year >= start
            total.loc[{"group": group}] = xr.where(later, level, total.sel(group=group))
        pol = prep.pol.assign(state_share_national=total, state_share_local=xr.zeros_like(total))
        price = net_price_pct(pol).transpose("region", "group", "year", "draw").values
        shift = None
        if push is not None:  # (draw, region, year): the sampled strength less the scenario's own, from `start`
            strength = np.where(from_start, rows[:, push][:, None] - own, 0.0)[:, None, :]
            shift = drive_effect(draws, strength, unit)
        raw = prep.advance(draws, seed=0, noise_from=NO_WALK, price=price, outreach_shift=shift)
        out[a:a + CHUNK] = raw["ins"][k].sum(axis=1)[0] / raw["pop"][k].sum(axis=1)[0]
    return out
