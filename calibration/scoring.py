"""Target probabilities as of a year, and their Brier scores against what happened.

`covsim target ... --until YEAR` fits on what was observed by the end of YEAR and runs the scenario
under the policy decided by then; the probability is the share of draws whose coverage reaches the
target in its year (as `covsim target` without --until). The backtest scores every national target
whose outcome is observed, as of the day the target was set (decisions.csv): the year-end figures
of the years before it (a target set in April 2022 did not know 2022's year-end figure, which is
its own outcome when the target is for 2022) and the laws, plans and targets decided by that day;
against the same baselines as the coverage backtest, on the same figures: their probability is
that of a normal predictive distribution with their own 80% interval; one that gives a point but
no interval (the trends and ARIMA from two figures) says 1 or 0 by its point; one that cannot
forecast from so few points says 0.5. One more baseline knows the targets, as the model does:
`targets_met`, the share of the earlier targets known to have been met.
"""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from covsim import simulator
from covsim.simulator.inputs import observations
from covsim.simulator.inputs.outcomes import figures_of
from covsim.simulator.analysis import planning
from covsim.simulator.inputs.decisions import knowledge_day, target_decided
from covsim.simulator.errors import InputError

from . import learned
from .baselines import BASELINES, Z80, yearly
from .fit import NATIONAL, Settings, calibrate
from .unit_as_of import calibrated, former_parts
from .forecast import as_of_record, check_health_as_of, check_until, convergence, published_chance, run_as_of


def reached(observed, target):
    """Whether an observed figure reached a target (a rounding hair below counts as reached); works
    on a number or a column."""
    return observed >= target - 1e-9


def outcome(region: str, year: int, target: float) -> int:
    """1 if the observed year-end coverage (sources averaged) reached the target, else 0."""
    series = yearly(observations.observed(region))
    if year not in series.index:
        mid = observations.observed(region, year_end_only=False)
        only_mid = "" if mid[mid.year == year].empty else " (only a mid-year figure, which a target is not judged on)"
        raise InputError("--year", str(year), f"no observed year-end coverage of {region} in {year}{only_mid} to "
                                              f"score the target against; observed years: "
                                              f"{', '.join(map(str, series.index)) or 'none'}")
    return int(reached(series.loc[year], target))


def target_as_of(scenario, until: int, target: float, year: int, draws: int, seed: int,
                 settings: Settings, posterior=None, known=None) -> dict:
    """`covsim target`'s report as of the end of `until` (fitted then, policy decided by then, or
    by the day `known`)."""
    check_until(until)
    planning.check_target(target)
    planning.check_year(scenario, year)
    check_health_as_of(until, scenario.scheme)
    post = posterior if posterior is not None else calibrated(scenario.region, until, settings, known=known)
    params = post.isel(draw=slice(0, draws))
    ds = run_as_of(scenario, until, scenario.end, params, seed, known=known)
    report = planning.target_report(ds, scenario, target, year, known_on=knowledge_day(until, known))
    cov = planning.region_coverage(ds, scenario)
    report.update(published_chance(cov, params, seed, year, target))
    report["leans_on"] = learned.leans_on(params, cov.sel(year=year).values >= target, scenario.region,
                                          also=scenario.rests_on())
    report["as_of"] = int(until)
    report["convergence"] = convergence(post.attrs)
    if former_parts(post.attrs) is not None:  # a 2025 unit: each former province's part, as `forecast` gives it
        report["former_provinces"] = former_parts(post.attrs)
    report["provenance"] = as_of_record(ds, post, settings if posterior is None else None)
    return report


def baseline_probability(method, train: pd.Series, year: int, target: float) -> float:
    """P(coverage >= target) under a normal with the baseline's mean and 80% interval."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # OLS on two points: no residual variance, NaN interval
            f = method(train, [year]).loc[year]
        mean, lo, hi = float(f["mean"]), float(f["lo80"]), float(f["hi80"])
    except Exception:  # noqa: BLE001 - too few points for this baseline
        return 0.5
    if not np.isfinite(mean):
        return 0.5
    sd = (hi - lo) / (2 * Z80)
    if not np.isfinite(sd) or sd <= 0:
        return float(mean >= target)
    return float(stats.norm.sf(target, loc=mean, scale=sd))


def targets_met(day, until: int, targets: pd.DataFrame) -> float:
    """A baseline that knows the targets, as the model does: the share of the nation's targets set
    before `day` whose year's figure was known by then (years up to `until`) and reached them, by
    Laplace's rule of succession, (met + 1) / (known + 2): 0.5 with none known. A target set twice
    (80% by 2020, by the 5th plenum and by Decision 538) counts once."""
    known = targets[targets.decided.map(lambda d: d is not None and d < day) & (targets.year <= until)
                    & np.isfinite(targets.observed)].drop_duplicates(["year", "value"])
    met = int(reached(known.observed, known.value).sum())
    return (met + 1) / (len(known) + 2)


def national_targets() -> pd.DataFrame:
    """The nation's overall BHYT targets, with the day each was set and its outcome where observed."""
    rows = observations.targets(NATIONAL)
    rows = rows[rows.group == "all"].copy()
    rows["decided"] = rows.source.map(target_decided)
    series = yearly(observations.observed(NATIONAL))
    rows["observed"] = rows.year.map(lambda y: float(series.loc[y]) if y in series.index else np.nan)
    return rows.reset_index(drop=True)


def score_targets(settings: Settings, draws: int = 300, seed: int = 0, fits: dict | None = None,
                  only: list[int] | None = None, outcomes: pd.DataFrame | None = None) -> dict:
    """Every national target with an observed outcome, scored as of the day it was set: fitted on
    the year-end figures up to the year before, with what had been decided by that day (`only`:
    those set in these years). The cases of one day share one fit, so they are not independent:
    `by_decision` gives each day's score, and the score of all the others without it. `outcomes`
    (figures the shipped data lack, `inputs.outcomes.read`) judge the targets of their years: never
    fitted, and not known to the `targets_met` baseline either."""
    fits = {} if fits is None else fits
    scenario = simulator.load_scenario(NATIONAL)
    obs = observations.observed(NATIONAL)
    cases, skipped = [], []
    targets = national_targets()
    given = yearly(figures_of(outcomes, NATIONAL, "bhyt"))  # a year's sources averaged, as the shipped
    for row in targets.sort_values(["decided", "year"]).itertuples(index=False):
        from_file = not np.isfinite(row.observed) and int(row.year) in given.index
        if from_file:
            row = row._replace(observed=float(given.loc[int(row.year)]))
        if row.decided is None or not np.isfinite(row.observed):
            skipped.append({"target": float(row.value), "year": int(row.year), "source": row.source,
                            "why": "no decision date" if row.decided is None else "outcome not observed"})
            continue
        as_of, until = row.decided.year, row.decided.year - 1
        if only is not None and as_of not in only:
            continue
        if until < obs.year.min():  # nothing had been observed by the day it was set
            skipped.append({"target": float(row.value), "year": int(row.year), "source": row.source,
                            "why": f"set before the first year-end figure ({int(obs.year.min())})"})
            continue
        key = ("target", until, row.decided)
        if key not in fits:
            fits[key] = calibrate(NATIONAL, until, dataclasses.replace(settings, draws=draws, seed=seed),
                                  known=row.decided)
        report = target_as_of(scenario, until, float(row.value), int(row.year), draws, seed, settings,
                              posterior=fits[key], known=row.decided)
        train = yearly(obs[obs.year <= until])
        cases.append({"target": float(row.value), "year": int(row.year), "as_of": as_of,
                      "decided": row.decided.isoformat(), "observed_until": until,
                      "source": row.source, "outcome": int(reached(row.observed, row.value)),
                      "observed": round(float(row.observed), 6), "outcome_from_outcomes": from_file,
                      "model_p": report["probability"],
                      "model_p_published": report["probability_published"],
                      "baselines": {**{name: round(baseline_probability(m, train, int(row.year), float(row.value)), 6)
                                       for name, m in BASELINES.items()},
                                    "targets_met": round(targets_met(row.decided, until, targets), 6)}})
    return {"cases": cases, "brier": brier(cases), "brier_published": brier_published(cases),
            "by_decision": by_decision(cases), "skipped": skipped}


def by_decision(cases: list[dict]) -> list[dict]:
    """Each decision day's Brier scores, and those of the other days' cases without it: a day's
    cases share one fit, so the score stands or falls with it."""
    days = sorted({c["decided"] for c in cases})
    return [{"decided": day, "n": sum(c["decided"] == day for c in cases),
             "brier": brier([c for c in cases if c["decided"] == day]),
             "brier_without": brier([c for c in cases if c["decided"] != day])} for day in days]


def brier_published(cases: list[dict]) -> dict:
    """The model's Brier score with its chance of the published figure (`model_p_published`), the
    event the outcome is: reported beside `brier`, whose `model` (the chance of the model's
    coverage) is the score #38's goal is judged on."""
    return {"model": _score([c["model_p_published"] for c in cases], cases)} if cases else {}


def brier(cases: list[dict]) -> dict:
    """Mean squared error of each method's probabilities against the outcomes (empty: no case)."""
    if not cases:
        return {}
    out = {"model": _score([c["model_p"] for c in cases], cases)}
    for name in cases[0]["baselines"]:
        out[name] = _score([c["baselines"][name] for c in cases], cases)
    return out


def _score(p: list[float], cases: list[dict]) -> float:
    y = np.array([c["outcome"] for c in cases], dtype=float)
    return round(float(np.mean((np.array(p) - y) ** 2)), 4)
