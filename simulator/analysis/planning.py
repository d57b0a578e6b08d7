"""What planners ask of a run: how likely a target is, for which groups, and at what cost.

Functions here take a finished run (an `xarray.Dataset` from `simulator.run`) and a scenario;
they know nothing of where the parameter draws came from. The CLI, the batch runner and the
dashboard all call them, so a probability means the same thing everywhere: the share of draws
whose coverage in the target year is at least the target.
"""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from ..inputs import decisions, tables, observations
from ..inputs.merger import levels_at
from ..schemes.health import group_sum
from ..errors import InputError, nearest
from ..inputs.groups import BY_ID, GROUP_IDS
from ..inputs import scheme_ids
from ..inputs.levers import LEVERS, lever_of, lever_paths
from ..inputs.scenario import Scenario, for_region, load
from ..inputs.regions import NATIONAL

#: A group label in a plan's target table: a model group, a law group ("law3"), a group of the
#: six-group plans ("plan6_employee"), or several joined by "+" ("near_poor+farm_household").
GroupLabel = str


def check_target(value: float, where: str = "target", key: str = "--target") -> float:
    if not np.isfinite(value) or not 0.0 < value <= 1.0:
        hint = f" (did you mean {value / 100:g}?)" if 2.0 <= value <= 100.0 else ""  # typed in percent
        raise InputError(where, key, f"{value:.10g} is outside (0, 1]; give coverage as a share, e.g. 0.968{hint}")
    return float(value)


def check_probability(value: float, where: str = "solve", key: str = "--probability") -> float:
    if not np.isfinite(value) or not 0.0 < value < 1.0:
        raise InputError(where, key, f"{value:g} is outside (0, 1); e.g. 0.8 for an 80% chance")
    return float(value)


def check_year(scenario: Scenario, year: int, key: str = "--year") -> int:
    if year not in scenario.years[1:]:
        # the first row of a run is the state it starts from, not a year it forecasts: said so,
        # since `covsim run` prints it beside the others
        start = f" ({year} is the state the run starts from, not a year it simulates)" if year == scenario.start else ""
        if year > scenario.end:  # a later year is the scenario's own choice, not the model's limit
            start = " (the scenario's `end` sets its last year: a scenario with a later `end` reaches it)"
        raise InputError(scenario.path or scenario.name, key,
                         f"{year} is outside the scenario's years {scenario.start + 1}..{scenario.end}{start}")
    return int(year)


def model_groups(label: GroupLabel) -> list[str]:
    """The model groups a plan's group label covers."""
    if label == "all":
        return list(GROUP_IDS)
    out: list[str] = []
    crosswalk = tables.table("group_crosswalk")
    for part in label.split("+"):
        if part in BY_ID:
            out.append(part)
        elif part.startswith("law") and part[3:].isdigit():
            out += [g for g in GROUP_IDS if BY_ID[g].law_group == int(part[3:])]
        elif part in set(crosswalk.plan6_group):
            out += crosswalk.loc[crosswalk.plan6_group == part, "group"].tolist()
        else:
            allowed = list(GROUP_IDS) + [f"law{k}" for k in range(1, 6)] + sorted(set(crosswalk.plan6_group))
            raise InputError("group", part, f"unknown group{nearest(part, allowed)}; allowed: {', '.join(allowed)}")
    return list(dict.fromkeys(out))


def group_coverage(ds: xr.Dataset, region: str, label: GroupLabel) -> xr.DataArray:
    """Coverage of the people a label covers, over (draw, year): insured / population of the union."""
    groups = model_groups(label)
    sub = ds.sel(region=region, group=groups)
    pop = sub.population.sum("group")
    return (sub.insured.sum("group") / pop.where(pop > 0)).clip(0, 1)


def probability(coverage: xr.DataArray, target: float) -> float:
    """Share of draws at or above the target (coverage over `draw` only)."""
    return float((coverage >= target).mean("draw"))


def monte_carlo_se(p: float, draws: int) -> float:
    """The Monte Carlo standard error of a share of `draws` independent draws, sqrt(p (1 - p) / n):
    how far another seed or number of draws could move a probability (0 where every draw or none
    reaches: the draws then bound it, not this)."""
    return float(np.sqrt(max(p * (1.0 - p), 0.0) / max(int(draws), 1)))


def probability_shown(p: float) -> tuple[str, float]:
    """(sign, value) to print a probability in whole percent: one draw in 200 (0.005) would round to
    "0%", which says no draw reaches the target; it reads "<1%" (and ">99%" short of every draw).
    The CLI and the dashboard both print through this."""
    if 0.0 < p < 0.01:
        return "<", 0.01
    if 0.99 < p < 1.0:
        return ">", 0.99
    return "", float(p)


def probability_text(p: float) -> str:
    """A probability as the CLI prints it: '<1%', '37%', '>99%'."""
    sign, value = probability_shown(p)
    return f"{sign}{100 * value:.0f}%"


def first_year_reached(coverage: xr.DataArray, target: float) -> np.ndarray:
    """Per draw, the first year from which coverage stays at or above the target; inf if never.

    'Stays': a draw that touches the target and falls back has not reached it yet.
    """
    above = (coverage >= target).transpose("draw", "year").values
    years = coverage.year.values.astype(float)
    # Reached in year k when it is above from k to the end.
    stays = np.flip(np.logical_and.accumulate(np.flip(above, axis=1), axis=1), axis=1)
    first = np.where(stays.any(axis=1), years[np.argmax(stays, axis=1)], np.inf)
    return first


def _year_quantile(first: np.ndarray, q: float) -> int | None:
    """The year by which a share q of draws has reached the target; None if not within the run."""
    value = np.quantile(first, q, method="higher")
    return int(value) if np.isfinite(value) else None


#: The run's variable for each denominator a labour scheme's coverage can have (`scheme_ids`).
LABOUR_DENOMINATORS = dict(zip(scheme_ids.LABOUR_DENOMINATORS, ("coverage_total", "coverage_required")))


def region_coverage(ds: xr.Dataset, scenario: Scenario, denominator: str | None = None) -> xr.DataArray:
    """Overall coverage of the scenario's region over (draw, year), for any scheme; a labour scheme's
    as a share of `denominator` (default the labour force)."""
    return ds[LABOUR_DENOMINATORS[denominator] if denominator else "coverage_total"].sel(region=scenario.region)


def check_denominator(scenario: Scenario, denominator: str | None, where: str = "--denominator") -> None:
    if denominator is not None and (scenario.scheme == "bhyt" or denominator not in LABOUR_DENOMINATORS):
        allowed = ", ".join(LABOUR_DENOMINATORS) + " (bhxh, bhtn)" if scenario.scheme != "bhyt" else \
            "none for bhyt, whose coverage is a share of the resident population"
        raise InputError(where, denominator, f"not a denominator of this {scenario.scheme} run; allowed: {allowed}")


def target_report(ds: xr.Dataset, scenario: Scenario, target: float, year: int,
                  lo: float = 0.1, hi: float = 0.9, groups: bool = True, denominator: str | None = None,
                  known_on: date | None = None) -> dict:
    """The answer to 'is T by Y reachable?': the JSON object of `covsim target` (`groups=False`
    leaves the group gaps out, for a first answer that follows a lever move at once); a labour
    scheme's target as a share of `denominator` (the labour force, or those required to join).
    `known_on`: an as-of answer's day, whose group gaps name only the targets set by then."""
    report = coverage_report(region_coverage(ds, scenario, denominator), scenario, target, year, lo, hi,
                             seed=int(ds.attrs.get("seed", 0)),
                             denominator=denominator or ds.attrs.get("denominator"))
    if scenario.scheme == "bhyt" and groups:
        report["groups"] = group_gaps(ds, scenario, year, known_on)
    return report


def coverage_report(cov: xr.DataArray, scenario: Scenario, target: float, year: int, lo: float = 0.1,
                    hi: float = 0.9, seed: int = 0, denominator: str | None = None) -> dict:
    """`target_report` from the region's overall coverage over (draw, year) alone (no group gaps):
    for a caller that has only that, such as `Variants.coverage`."""
    check_target(target)
    check_year(scenario, year)
    at = cov.sel(year=year)
    first = first_year_reached(cov, target)
    q = np.quantile(at.values, [lo, 0.5, hi])  # what DataArray.quantile computes, without its labels
    report = {
        "region": scenario.region,
        "scenario": scenario.name,
        "scheme": scenario.scheme,
        "year": int(year),
        "target": float(target),
        "probability": round(probability(at, target), 6),
        "probability_se": round(monte_carlo_se(probability(at, target), cov.sizes["draw"]), 6),
        "median_coverage": round(float(q[1]), 6),
        "lo80": round(float(q[0]), 6),
        "hi80": round(float(q[2]), 6),
        "first_year_reached": {"p50": _year_quantile(first, 0.5), "p90": _year_quantile(first, 0.9)},
        "groups": [],
        "draws": int(cov.sizes["draw"]),
        "seed": int(seed),
    }
    denominator = denominator if denominator is not None else cov.attrs.get("denominator")
    if denominator is not None:  # what the coverage is a share of, as the whole run's report says
        report["denominator"] = denominator
    return report


def group_gaps(ds: xr.Dataset, scenario: Scenario, year: int, known_on: date | None = None) -> list[dict]:
    """Median coverage of each planned group in `year` against the plan's target for it (as of
    `known_on`: a target set by then; one set later, or on no known day, was not a target yet).

    Groups with no target of their own in that year are listed against the model's groups with
    `target` null, so a planner still sees where coverage stands.
    """
    planned = observations.targets(scenario.region, scenario.scheme)
    planned = planned[(planned.year == year) & (planned.group != "all")]
    if known_on is not None:
        decided = planned.source.map(decisions.target_decided)
        planned = planned[decided.map(lambda d: d is not None and d <= known_on)]
    draws = _group_draws(ds, scenario.region, year)

    def row(group, target=None, source=None) -> dict | None:
        """The group's median and 80% band over draws, and, against its own target, the gap and the
        share of draws reaching it: for which groups, and how sure (an audit, 2026-12-07: medians only)."""
        cov = draws(group)
        if not np.isfinite(cov).any():  # no one in the group: a plan's target for it is still listed
            return None if target is None else {"group": group, "coverage": None, "lo80": None, "hi80": None,
                                                "target": float(target), "gap": None, "probability": None,
                                                "source": source}
        lo, med, hi = (float(v) for v in np.nanquantile(cov, [0.1, 0.5, 0.9]))
        out = {"group": group, "coverage": round(med, 6), "lo80": round(lo, 6), "hi80": round(hi, 6),
               "target": None if target is None else float(target),
               "gap": None if target is None else round(float(target) - med, 6)}
        if target is not None:
            out.update(probability=round(float((cov[np.isfinite(cov)] >= target).mean()), 6), source=source)
        return out

    if len(planned):
        rows = [row(r.group, r.value, r.source) for r in planned.drop_duplicates("group", keep="last").itertuples(index=False)]
        return [r for r in rows if r is not None]
    return [r for r in (row(g) for g in GROUP_IDS) if r is not None]


def _group_draws(ds: xr.Dataset, region: str, year: int) -> Callable[[GroupLabel], np.ndarray]:
    """label -> per draw `group_coverage(ds, region, label)` in `year` (NaN where no one), the same numbers.

    The (draw, group) slice is taken once and each label summed in numpy: the dashboard asks this
    after every lever move, and xarray's per-label selection and alignment took ~5 ms a label."""
    at = ds[["population", "insured"]].sel(region=region, year=year).transpose("draw", "group")
    pop, ins = at.population.values, at.insured.values
    column = {g: k for k, g in enumerate(at.group.values)}

    def draws(label: GroupLabel) -> np.ndarray:
        cols = [column[g] for g in model_groups(label)]
        p, i = group_sum(pop[:, cols]), group_sum(ins[:, cols])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.clip(i / np.where(p > 0, p, np.nan), 0, 1)
    return draws


# Budgets -----------------------------------------------------------------------------------

#: A run's money flows (VND a year): the budget's columns and what a batch keeps of the money.
BUDGET_VARS = ("state_cost_national", "state_cost_local", "state_cost", "premium_revenue")


def budget(ds: xr.Dataset, region: str, comparison: xr.Dataset | None = None) -> pd.DataFrame:
    """Yearly money flows of a run (mean over draws, VND at the base salary in force), the state's
    cost and the fund's revenue with their 10% and 90% quantiles over draws (`_lo80`, `_hi80`: a
    budget is a forecast too, and its mean alone hides how sure it is).

    With a `comparison` run on the same draws and seed (common random numbers), also the extra
    state cost per additional insured person: (cost - cost0) / (insured - insured0), NaN where the
    reform insures no one more; the extra cost and insured with their quantiles, per draw first.
    """
    if "state_cost" not in ds:
        raise InputError("budget", "state_cost", "this run has no money flows (only health insurance runs do)")
    sub = ds.sel(region=region)
    table = pd.DataFrame({"year": ds.year.values.astype(int)})
    per_draw = {name: sub[name].sum("group") for name in BUDGET_VARS if name in ds}  # labour: the support alone
    for name, values in per_draw.items():
        table[name] = values.mean("draw").values
    table["insured"] = sub.insured_total.mean("draw").values
    if "base_salary" in ds:
        table["base_salary"] = ds.base_salary.values
    for name in (v for v in ("state_cost", "premium_revenue") if v in per_draw):
        _interval(table, name, per_draw[name])
    if comparison is not None:
        base = comparison.sel(region=region)
        extra = {"extra_state_cost": per_draw["state_cost"] - base.state_cost.sum("group"),
                 "extra_insured": sub.insured_total - base.insured_total}  # per draw, on the same draws
        for name, values in extra.items():
            table[name] = values.mean("draw").values
            _interval(table, name, values)
        extra_cost, extra_insured = table["extra_state_cost"].values, table["extra_insured"].values
        with np.errstate(divide="ignore", invalid="ignore"):
            table["cost_per_additional_insured"] = np.where(extra_insured > 0.5, extra_cost / extra_insured, np.nan)
        lo, hi = per_insured_band(extra["extra_state_cost"].transpose("draw", "year").values,
                                  extra["extra_insured"].transpose("draw", "year").values)
        table["cost_per_additional_insured_lo80"] = np.where(extra_insured > 0.5, lo, np.nan)
        table["cost_per_additional_insured_hi80"] = np.where(extra_insured > 0.5, hi, np.nan)
    return table


#: Significant figures a cost per additional insured person is shown to. It is a mean over a few
#: hundred draws of one run's extra cost over another's, divided by a few thousand extra insured: not
#: known to the đồng. Text (the CLI, the page, the briefing) shows it rounded; JSON, the workbook and
#: the stores keep the value computed.
PER_INSURED_DIGITS = 3


def shown_per_insured(value: float | None) -> float | None:
    """A cost per additional insured person as text shows it: 6,900,315 -> 6,900,000."""
    if value is None or not np.isfinite(value) or value == 0:
        return value
    return float(round(value, PER_INSURED_DIGITS - 1 - int(np.floor(np.log10(abs(value))))))


def per_insured_band_text(lo: float | None, hi: float | None) -> str:
    """'5,100,000-9,200,000': a price's 80% band as the CLI prints it, an unbounded side said."""
    def side(v, none):
        return none if v is None or not np.isfinite(v) else f"{shown_per_insured(v):,.0f}"
    return f"{side(lo, 'no lower bound')} to {side(hi, 'no upper bound')}"


#: The quantiles over draws an 80% band of money is given by (`_lo80`, `_hi80`; solve's `total_lo80`).
BAND80 = (0.1, 0.9)


def band80(draws) -> tuple[float, float]:
    """(10%, 90%) quantiles over the draws of one total: the money's 80% band beside its mean."""
    lo, hi = np.quantile(np.asarray(draws), BAND80)
    return float(lo), float(hi)


def per_insured_band(extra_cost: np.ndarray, extra_insured: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 10% and 90% quantiles over draws (axis 0) of each draw's extra cost per additional
    insured person: how sure the price of a person insured is, beside its mean.

    A draw in which the change insures no one more (0.5 persons or fewer) paid its extra cost for
    nobody: its price is unbounded and sorts above every other draw's (a saving for nobody, below).
    The quantiles are draws' own values (`inverted_cdf`), so a bound that falls among the unbounded
    draws is NaN (no upper bound), never a number interpolated towards infinity."""
    extra_cost, extra_insured = np.asarray(extra_cost, float), np.asarray(extra_insured, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(extra_insured > 0.5, extra_cost / extra_insured,
                         np.where(extra_cost < 0, -np.inf, np.inf))
    lo, hi = np.quantile(price, BAND80, axis=0, method="inverted_cdf")
    return np.where(np.isfinite(lo), lo, np.nan), np.where(np.isfinite(hi), hi, np.nan)


def _interval(table: pd.DataFrame, name: str, per_draw: xr.DataArray) -> None:
    """`name_lo80`, `name_hi80`: the 10% and 90% quantiles over draws, by year."""
    q = per_draw.quantile(list(BAND80), dim="draw").transpose("quantile", "year").values
    table[f"{name}_lo80"], table[f"{name}_hi80"] = q[0], q[1]


def budget_baseline(scenario: Scenario) -> Scenario | None:
    """The scenario a budget is compared with: a reform's own baseline; the region's baseline for
    that baseline with levers moved (the dashboard's); none for a baseline as shipped or a file of
    its own without a baseline."""
    if scenario.baseline:  # over the reform's own years: one run to 2050 on a baseline to 2030 failed
        return dataclasses.replace(load(scenario.baseline), scheme=scenario.scheme, start=scenario.start,
                                   end=scenario.end)
    if scenario.name != scenario.region:
        return None
    base = dataclasses.replace(for_region(scenario.region), scheme=scenario.scheme)
    return None if base.hash == scenario.hash else base


def budget_against_baseline(ds: xr.Dataset, scenario: Scenario,
                            run: Callable[[Scenario], xr.Dataset]) -> tuple[pd.DataFrame, str | None]:
    """`budget` of a run against its `budget_baseline` (run by `run` on the same draws and seed),
    and the name of what it was compared with: the one comparison the CLI and the dashboard make."""
    base = budget_baseline(scenario)
    if base is None:
        return budget(ds, scenario.region), None
    return budget(ds, scenario.region, run(base)), scenario.baseline or base.name


def cumulative_state_cost(ds: xr.Dataset, region: str, first: int, last: int) -> xr.DataArray:
    """State budget cost summed over years first..last, per draw (VND)."""
    cost = ds.state_cost.sel(region=region).sum("group")
    return cost.sel(year=slice(first, last)).sum("year")


# Levers ------------------------------------------------------------------------------------

def parse_lever(text: str, where: str = "levers", valid: list[str] | None = None) -> str:
    """A reform path from a lever name: 'near_poor' means the state share of the near-poor. `valid`:
    the paths the command takes (`solve`'s solvable ones), which the message then lists and the
    nearest name is sought among; else every lever's."""
    text = text.strip()
    valid = lever_paths() if valid is None else valid
    if text in valid:
        return text
    if f"state_share.{text}" in valid:
        return f"state_share.{text}"
    heads = dict.fromkeys(p.partition(".")[0] for p in valid)
    known = text in lever_paths() or f"state_share.{text}" in lever_paths()
    # a name without a dot is sought among the names typed ('nearpoor' is near_poor's state share, not
    # the nearer path 'state_share.poor'), and named by its path
    typed = {p.partition(".")[2] if p.startswith("state_share.") else p: p for p in valid} | {p: p for p in valid}
    hint = nearest(text, valid) if "." in text else nearest(text, typed, shown=typed)
    what = "not a lever this command moves" if known else f"unknown lever{hint}"
    groups = [g for g in LEVERS["state_share"].groups if f"state_share.{g}" in valid]  # those the command moves
    shares = f"a group ({', '.join(groups)}) for its state share, or " if groups else ""
    raise InputError(where, text, f"{what}; allowed: {shares}a reform path: "
                                  f"{', '.join(n + '.GROUP' if LEVERS[n].groups else n for n in heads)}")


def lever_value(scenario: Scenario, path: str, year: int, known: date | None = None) -> float:
    """The level a lever has in force at the end of `year` under the scenario: its current level,
    the one a lever set from that year replaces for the years after. Not the year's mean: in 2025
    pupils' state share was 30% until Decree 188/2025's 50% of 15 August (a mean of 37.6%), and a
    planner who typed 40 as a rise would be cutting it. For `state_share`, the total the person is
    spared, national and local. `known`: under the policy decided by that day (an as-of run's)."""
    from ..schemes import scheme

    group = path.partition(".")[2]
    lever = lever_of(path)
    policy = scheme(scenario.scheme).policy(scenario, known)  # a labour lever's level is in the labour rules
    if lever.parameter == "state_share" or lever.regional:
        policy, region = levels_at(policy, scenario.region)  # a 2025 unit's at its seat, as its runs take it
    else:
        region = NATIONAL
    return float(policy.level_on(lever.parameter, date(year, 12, 31), region, group))


def lever_start(scenario: Scenario, year: int | None = None) -> int:
    """The first year a lever set now takes effect, by default.

    The year after the region's latest observation (the national one where it has none), so a
    sweep tests policy from 'now' on; for a target year before that, three years ahead of it. A
    2025 unit run as its former provinces takes its own policy only from the merger (1 July 2025):
    its levers start then, not in a year they could not act in.
    """
    from ..inputs.regions import MERGER_YEAR, mergeable

    own = observations.last_year(scenario.region, scenario.scheme)
    last = own if own is not None else observations.last_year(NATIONAL, scenario.scheme)
    start = int(last if last is not None else scenario.start) + 1
    if year is not None and start > year:
        start = year - 3
    if scenario.region in mergeable() and (year is None or year >= MERGER_YEAR):
        start = max(start, MERGER_YEAR)  # after the look-back rule too: a unit's levers act from the merger
    return int(min(max(start, scenario.start + 1), scenario.end))


def check_acting(scenario: Scenario, paths, where: str, offered=None) -> None:
    """Refuse a lever the user set that the run's scheme does not read (a health share in a BHTN
    briefing or grid): it would change nothing while the output listed it as tried. `offered`: the
    paths the command takes (else every lever), of which the message names those that act."""
    for path in paths:
        lever = LEVERS[path.partition(".")[0]]
        if scenario.scheme not in lever.schemes:
            acting = [p for p in (offered if offered is not None else LEVERS)
                      if scenario.scheme in LEVERS[p.partition(".")[0]].schemes]
            raise InputError(where, path, f"acts on {', '.join(lever.schemes)} only, not on this {scenario.scheme} "
                                          f"run; allowed: {', '.join(acting)}")


def plan_decided(scenario: Scenario):
    """The day a shipped plan's scenario was decided (its source's latest dated document), None for
    a region's baseline or a source with no dated document."""
    from ..inputs.decisions import target_decided

    return target_decided(scenario.source) if scenario.baseline else None


def check_plan_known(scenario: Scenario, day, key: str = "--until") -> None:
    """An as-of verdict of a plan decided after the day it knows policy by: nobody then could have
    tested that plan, and the paper would name it as if it existed. Refused, saying what is allowed."""
    decided = plan_decided(scenario)
    if day is None or decided is None or decided <= day:
        return
    raise InputError(scenario.name, key, f"its plan was decided on {decided.isoformat()}, after {day.isoformat()}, "
                                         f"the day an as-of verdict then knows policy by; allowed: --until "
                                         f"{decided.year} or later, --until {decided.year - 1} with --known "
                                         f"{decided.isoformat()}, or {scenario.baseline} with --lever",
                     code="plan_later")


def check_drive_known(scenario: Scenario, day, key: str = "--lever") -> None:
    """A drive (the lever's unit: the national targets' pull over 2015-2020) set in a run as of a
    day before any national target for those years was decided has no unit: it would change
    nothing, silently. Refused, naming the day."""
    from ..inputs import drives

    if day is None or not any(v for p, ys in scenario.reform.items() if p.partition(".")[0] == "drive"
                              for v in ys.values()):
        return
    if drives.drive_unit(day) == 0.0:
        raise InputError(scenario.name, key, drives.no_unit_text(day), code="drive_unknown")


def check_unit_start(scenario: Scenario, start: int, paths, key: str = "--from", given: bool = True) -> int:
    """A 2025 unit run as its former provinces has a policy of its own only from the merger: its
    regional levers (`paths` that set the region's own value) set from an earlier year would act
    from 2025 while the run recorded the earlier year. Refused; a national lever acts as set.
    `given`: the user gave the start (else it came from the target year, `lever_start`, and the
    refusal names `--year`)."""
    from ..inputs.regions import MERGER_YEAR, former_provinces, unit_year_problem

    own = [p for p in paths if unit_year_problem(scenario.region, p, start)]
    if own and not given:
        raise InputError(scenario.name, "--year", f"the levers' start for that target year, {start} (no --from "
                                                  f"given), is before {scenario.region} began, a 2025 unit whose own "
                                                  f"levers ({', '.join(own)}) act only from {MERGER_YEAR} (1 July "
                                                  f"2025); allowed: a target year from {MERGER_YEAR}, or a former "
                                                  f"province ({', '.join(former_provinces(scenario.region))})",
                         code="unit_start")
    if own:
        raise InputError(scenario.name, key, f"{start} is before {scenario.region} began, a 2025 unit whose own "
                                             f"levers ({', '.join(own)}) act only from {MERGER_YEAR} (1 July 2025); "
                                             f"allowed: {MERGER_YEAR}..{scenario.end}, or a former province "
                                             f"({', '.join(former_provinces(scenario.region))}) from an earlier year",
                         code="unit_start")
    return int(start)


def with_levers(scenario: Scenario, levels: dict[str, float], start: int, name: str | None = None) -> Scenario:
    """The scenario with each lever path set to its level from `start` on, the scenario's own later
    values of it replaced (`Scenario.set_from`)."""
    return scenario.set_from(levels, start, name=name)
