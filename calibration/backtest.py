"""Rolling-origin backtest: as of each year, fit, forecast, and compare with what came after.

Every origin from the first year with two national observations (2010) is used, wherever the
region has an observation of its own within the horizon after it; the model sees the national and
regional observations up to the origin (and the policy decided by then), the baselines the region's
own year-end figures up to the origin. Scored by horizon band as well as overall, and, for the
nation, the probabilities of its own targets as of the year each was set. Reported win or lose.

Figures the project does not ship (`outcomes`: `covsim backtest --outcomes FILE`) are scored with
the shipped ones, and on their own, and never fitted: no fit reads them, at any origin, and no
baseline is trained on them. They also make origins: the nation's last figure becomes one when a
later figure is given.
"""
from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd

from covsim import simulator
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import observations, tables
from covsim.simulator.inputs.outcomes import figures_of
from covsim.simulator.schemes.provenance import code_commit, environment
from covsim.simulator.streams import generator

from .baselines import BASELINES, yearly
from .fit import FAST, Settings, fit_of, settings_record
from .forecast import forecast
from .unit_as_of import is_unit

#: The sampling `covsim backtest` fits each origin with (shorter than a shipped posterior's: many
#: fits), and its `--fast` one.
SETTINGS = Settings(walkers=32, burn=200, steps=200)
MIN_EARLIER = 2  # national observations up to an origin: two give a level and a direction
MAX_HORIZON = 15
RESAMPLES = 4000  # the calibration check's resamples
COVERAGE80_GOAL = (0.70, 0.90)  # the project's goal for the 80% intervals' coverage (issue 38)
#: The horizon bands scored (the issue's 1-3, 4-6, 7-10; 11-15 only where --horizon reaches past 10).
BANDS = ((1, 3), (4, 6), (7, 10), (11, MAX_HORIZON))
LEVEL80 = 0.80  # the share of the errors known at an origin its recalibrated 80% intervals would hold
COLUMNS = ("origin", "year", "observed", "mean", "lo80", "hi80", "lo95", "hi95")
#: The baselines a head count is forecast with, on the log scale (a line there is a steady growth
#: rate); the logistic trend's ceiling is a share's, which a head count has not.
COUNT_BASELINES = {name: method for name, method in BASELINES.items() if name != "logistic_trend"}


def origins(obs: pd.DataFrame, horizon: int, national_years: list[int] | None = None) -> list[int]:
    """Origins with MIN_EARLIER national observations up to them and one of the region's own
    within `horizon` years after (a province with none earlier still has the national ones)."""
    own = sorted(set(obs.year))
    pool = sorted(set(national_years)) if national_years is not None else own
    candidates = sorted(set(pool) | set(own))
    return [y for y in candidates if sum(1 for x in pool if x <= y) >= MIN_EARLIER
            and y in pool and any(y < x <= y + horizon for x in own)]


def not_an_origin(year: int, obs: pd.DataFrame, national_years: list[int], what: str, fit: str,
                  list_years: bool = True) -> str:
    """Why `year` is not an origin: not a year of a national figure the fit reads (`fit`: 'labour ' for
    the labour layer, whose origins are the years of any of its national figures), too few such years
    by then, or no figure of the region's own (`what`) within the horizon after it. `list_years`:
    name the years that have one (once per message, where several origins are refused)."""
    pool = sorted(set(national_years))
    if year not in pool:
        return (f"no national {fit}figure in {year}"
                + (f" (the years with one: {', '.join(map(str, pool))})" if list_years else ""))
    if sum(1 for x in pool if x <= year) < MIN_EARLIER:
        return f"fewer than {MIN_EARLIER} years with a national {fit}figure up to {year}"
    later = sorted(x for x in set(obs.year) if x > year)
    if not later:
        return f"no {what}figure of the region's own after {year}"
    ahead = later[0] - year
    return (f"the region's next {what}figure after it, {later[0]}, is {ahead} years ahead "
            + (f"(--horizon {ahead} reaches it)" if ahead <= MAX_HORIZON else f"(past the longest --horizon, "
                                                                                f"{MAX_HORIZON})"))


def _reasons(wrong: list[int], obs: pd.DataFrame, national: list[int], what: str, fit: str) -> list[str]:
    """Each refused origin's reason, prefixed by its year where there are several; the years with a
    national figure listed after the last that needs them, not once per origin."""
    pool = set(national)
    last_missing = ([y for y in wrong if y not in pool] or [None])[-1]
    return [(f"{y}: " if len(wrong) > 1 else "") + not_an_origin(y, obs, national, what, fit, y == last_missing)
            for y in wrong]


def sampling(fast: bool = False) -> Settings:
    """The backtest's fit settings: `SETTINGS`, or `FAST` for a quick look."""
    return FAST if fast else SETTINGS


def provenance(region: str, fit_settings: Settings, scheme: str = "bhyt") -> dict:
    """What reproduces a backtest: the region's baseline scenario (with its assumed numbers) and the
    scheme scored, data, code, seed, draws and the sampler's settings every origin is fitted with."""
    scenario = simulator.load_scenario(region)
    return {"scenario": scenario.name, "scheme": scheme, "scenario_hash": scenario.hash,
            "data_hash": tables.data_hash(),
            "code_version": simulator.code_version(), "code_commit": code_commit(), "environment": environment(),
            "user_data": tables.user_data_files(), "seed": int(fit_settings.seed),
            "draws": int(fit_settings.draws), "fit": settings_record(fit_settings),  # `fast` too, as forecast's
            "assumptions": scenario.assumptions()}


def check_horizon(horizon: int) -> int:
    if not 1 <= horizon <= MAX_HORIZON:
        raise InputError("--horizon", str(horizon), f"must be between 1 and {MAX_HORIZON} years")
    return horizon


def _baseline_frame(method, train: pd.Series, years: list[int], share: bool = False) -> pd.DataFrame:
    """A baseline's forecast, or NaN where it cannot make one from so few points (all but the last
    value from one). `share`: a coverage, bounded to [0, 1], points and interval ends alike: the
    linear trend, the damped trend and ARIMA pass 100% within ten years of 2016, a forecast no one
    would publish (their target probabilities, from the interval before the bound, are the same:
    scoring.py)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # OLS on two points: no residual variance, NaN interval
            frame = method(train, years)
    except Exception:  # noqa: BLE001 - statsmodels refuses tiny series in several ways
        frame = pd.DataFrame({"mean": np.nan, "lo80": np.nan, "hi80": np.nan}, index=years)
    return frame.clip(0.0, 1.0) if share else frame


def score(rows: list[tuple], with95: bool = False, width: bool = False) -> dict:
    """MAE (points), 80%/95% coverage of the held-out observations; intervals a method could not
    give (NaN) are left out of its coverage, points it could not give out of its MAE."""
    out = {"mae": None, "coverage80": None}
    if with95:
        out["coverage95"] = None
    if width:
        out["width80"] = None
    if not rows:
        return out
    a = np.array([r[2:] for r in rows], dtype=float)
    obs, mean, lo80, hi80, lo95, hi95 = a.T
    ok = np.isfinite(mean)
    if ok.any():
        out["mae"] = round(float(np.mean(np.abs(mean[ok] - obs[ok]))) * 100, 3)
    ok80 = np.isfinite(lo80) & np.isfinite(hi80)
    if ok80.any():
        out["coverage80"] = round(float(np.mean((obs[ok80] >= lo80[ok80]) & (obs[ok80] <= hi80[ok80]))), 3)
        if width:
            out["width80"] = round(float(np.mean(hi80[ok80] - lo80[ok80])) * 100, 3)
    if with95:
        ok95 = np.isfinite(lo95) & np.isfinite(hi95)
        if ok95.any():
            out["coverage95"] = round(float(np.mean((obs[ok95] >= lo95[ok95]) & (obs[ok95] <= hi95[ok95]))), 3)
    return out


def paired(points: dict[str, list[tuple]]) -> dict[str, dict]:
    """Each baseline against the model on the same held-out figures: those the baseline could
    forecast (from a province's one figure of its own only the last value can, so the others' MAE
    leaves out the points the model is scored on there). MAE in points, ratio model / baseline;
    the 80% coverage of both on the `n80` figures the baseline gave an interval for."""
    out = {}
    model = points["model"]
    for name in BASELINES:
        rows = points[name]
        keep = [i for i, r in enumerate(rows) if np.isfinite(r[3])]
        if not keep:
            out[name] = {"n": 0, "model_mae": None, "baseline_mae": None, "ratio": None,
                         "n80": 0, "model_coverage80": None, "baseline_coverage80": None}
            continue
        m = score([model[i] for i in keep])["mae"]
        b = score([rows[i] for i in keep])["mae"]
        out[name] = {"n": len(keep), "model_mae": m, "baseline_mae": b, "ratio": round(m / b, 3) if b > 0 else None}
        # coverage on the figures the baseline gave an interval for (not from two points: a point alone)
        ranged = [i for i in keep if np.isfinite(rows[i][4]) and np.isfinite(rows[i][5])]
        out[name].update({"n80": len(ranged),
                          "model_coverage80": score([model[i] for i in ranged])["coverage80"],
                          "baseline_coverage80": score([rows[i] for i in ranged])["coverage80"]})
    return out


def sources_averaged(points: dict[str, list[tuple]]) -> dict:
    """The scores with each forecast counted once: a year with figures from two sources (2013,
    2015 and 2019 for the nation) is scored against their mean, as the baselines are fitted and
    the targets judged, where the headline scores count each figure. `n`: distinct (origin, year)
    forecasts."""
    def once(rows: list[tuple]) -> list[tuple]:
        groups: dict[tuple, list[tuple]] = {}
        for r in rows:
            groups.setdefault((r[0], r[1]), []).append(r)
        return [(o, y, float(np.mean([r[2] for r in g])), *g[0][3:]) for (o, y), g in groups.items()]

    model = once(points["model"])
    return {"n": len(model), "model": score(model, width=True),
            "baselines": {name: score(once(points[name])) for name in BASELINES}}


def pit(values: np.ndarray, observed: float) -> float:
    """Where the observed figure falls in the predictive draws: the share below it (ties count
    half). Near 0 or 1 is a miss; a calibrated forecast's values spread evenly over (0, 1)."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values < observed) + 0.5 * np.mean(values == observed))


def inside80(values: np.ndarray) -> np.ndarray:
    """Which draws fall inside the 80% interval the forecast reports (its 10% and 90% quantiles)."""
    values = np.asarray(values, dtype=float)
    lo, hi = np.quantile(values, [0.10, 0.90])
    return (values >= lo) & (values <= hi)


def if_calibrated(inside: np.ndarray, origin: np.ndarray, observed: float | None, seed: int,
                  resamples: int = RESAMPLES) -> dict:
    """The 80% coverage the model would show on these very forecasts if the outcomes came from its
    own predictive distributions, to read the observed coverage against.

    `inside` (figure, draw): whether each draw is inside that figure's 80% interval; `origin`
    (figure): its origin. Each resample takes one draw of each origin's forecast as the outcome
    (the same draw for all of an origin's years: a path, so its years' errors hang together), and
    scores the intervals on it. `p_in_goal`: how often such a model would meet the coverage goal
    on them. Origins are drawn independently, while the real outcomes are shared by the origins
    that forecast the same years, so the real spread of a calibrated model's coverage is wider than
    this range, not narrower."""
    out = {"resamples": resamples, "coverage80_p10": None, "coverage80_median": None,
           "coverage80_p90": None, "p_as_high": None, "p_as_low": None,
           "goal": list(COVERAGE80_GOAL), "p_in_goal": None}
    inside = np.asarray(inside, dtype=bool)
    if inside.size == 0:
        return out
    origins_, col = np.unique(np.asarray(origin), return_inverse=True)
    picks = generator(seed, "backtest.if_calibrated").integers(inside.shape[1], size=(resamples, len(origins_)))
    cover = inside[np.arange(len(col))[None, :], picks[:, col]].mean(axis=1)
    p10, p50, p90 = np.quantile(cover, [0.10, 0.50, 0.90])
    lo, hi = COVERAGE80_GOAL
    out.update({"coverage80_p10": round(float(p10), 3), "coverage80_median": round(float(p50), 3),
                "coverage80_p90": round(float(p90), 3),
                "p_in_goal": round(float(np.mean((cover >= lo - 1e-9) & (cover <= hi + 1e-9))), 3)})
    if observed is not None:
        tie = 1e-9  # a share of the same figures: equal is as high (and as low)
        out.update({"p_as_high": round(float(np.mean(cover >= observed - tie)), 3),
                    "p_as_low": round(float(np.mean(cover <= observed + tie)), 3)})
    return out


def _reach(row: tuple) -> float:
    """How far the observed figure is from its 80% interval's centre, in half-widths (inside: <= 1);
    NaN where there is no interval to scale (missing, or of no width)."""
    observed, lo, hi = row[2], row[4], row[5]
    half = (hi - lo) / 2
    if not (np.isfinite(observed) and np.isfinite(half) and half > 0):
        return np.nan
    return abs(observed - (lo + hi) / 2) / half


def recalibration(rows: list[tuple]) -> dict[int, dict]:
    """For each origin, the factor that would have made its 80% intervals right on the errors known
    at it, and no later ones: the model's own forecasts from earlier origins of the years up to it.

    Split-conformal, normalised by each interval's half-width (the locally varying bands of Lei,
    G'Sell, Rinaldo, Tibshirani and Wasserman, "Distribution-free predictive inference for
    regression", arXiv:1604.04173): the factor is the ceil(0.8 (n + 1))-th smallest of the n known
    errors in half-widths, so scaled intervals would have held 80% of them. With too few errors for
    that quantile (n < 4) the factor is 1: the model's own intervals stand. One factor for every
    horizon of an origin (the errors known early are mostly one to three years ahead). Two sources'
    figures for one year are two errors. Only the origins in `rows` count: a run restricted to a
    few origins (`--origins`) knows fewer errors. The factor is exact; round it for display."""
    out = {}
    for origin in sorted({int(r[0]) for r in rows}):
        reach = np.array([_reach(r) for r in rows if r[0] < origin and r[1] <= origin])
        known = np.sort(reach[np.isfinite(reach)])
        k = math.ceil(LEVEL80 * (known.size + 1))
        out[origin] = {"errors_known": int(known.size), "scale": float(known[k - 1]) if k <= known.size else 1.0}
    return out


def recalibrated(rows: list[tuple], factors: dict[int, dict]) -> dict:
    """80% coverage and mean width (points) of `rows` with each origin's interval scaled about its
    centre by the origin's `recalibration` factor; rows without an interval to scale left out."""
    reach = np.array([_reach(r) for r in rows], dtype=float)
    ok = np.isfinite(reach)
    if not ok.any():
        return {"coverage80": None, "width80": None}
    scale = np.array([factors[int(r[0])]["scale"] for r in rows])[ok]
    width = np.array([r[5] - r[4] for r in rows])[ok] * scale
    return {"coverage80": round(float(np.mean(reach[ok] <= scale + 1e-12)), 3),
            "width80": round(float(np.mean(width)) * 100, 3)}


def _persons(value: float) -> int | None:
    return None if not np.isfinite(value) else int(round(float(value)))


def count_case(origin: int, year: int, kind: str, observed: float, source: str, values: np.ndarray,
               known: pd.DataFrame) -> dict:
    """One held-out head count against the model's predictive draws (`values`, persons) and the
    baselines fitted on the log of the same kind's counts known by the origin (`known`)."""
    lo95, lo80, median, hi80, hi95 = np.quantile(values, [0.025, 0.10, 0.5, 0.90, 0.975])
    train = yearly(known[(known.kind == kind) & (known.year <= origin)])
    baselines = {}
    for name, method in COUNT_BASELINES.items():
        f = (_baseline_frame(method, np.log(train), [year]).iloc[0] if len(train) else
             pd.Series({"mean": np.nan, "lo80": np.nan, "hi80": np.nan}))
        point, lo, hi = (float(np.exp(f[k])) for k in ("mean", "lo80", "hi80"))
        if len(train) < 2:  # one count has no spread to estimate (the last value's fallback is a share's)
            lo = hi = np.nan
        baselines[name] = {"point": _persons(point), "lo80": _persons(lo), "hi80": _persons(hi),
                           "log_error": None if not np.isfinite(point) else round(math.log(point / observed), 3)}
    return {"origin": origin, "year": year, "horizon": year - origin, "kind": kind, "observed": _persons(observed),
            "source": source, "median": _persons(median), "mean": _persons(float(np.mean(values))),
            "lo80": _persons(lo80), "hi80": _persons(hi80), "lo95": _persons(lo95), "hi95": _persons(hi95),
            "inside80": bool(lo80 <= observed <= hi80), "inside95": bool(lo95 <= observed <= hi95),
            "log_error": round(math.log(median / observed), 3), "baselines": baselines}


def score_counts(cases: list[dict]) -> dict:
    """The head counts' scores: the model's 80% and 95% coverage and mean absolute log error of its
    median (0.1: about 10% off), each baseline's on the cases it gave a point (an interval) for."""
    def mean(values) -> float | None:
        return round(float(np.mean(values)), 3) if len(values) else None

    baselines = {}
    for name in COUNT_BASELINES:
        given = [c["baselines"][name] for c in cases if c["baselines"][name]["point"] is not None]
        ranged = [(c["baselines"][name], c["observed"]) for c in cases
                  if None not in (c["baselines"][name]["lo80"], c["baselines"][name]["hi80"])]
        baselines[name] = {"n": len(given), "mean_abs_log_error": mean([abs(b["log_error"]) for b in given]),
                           "n80": len(ranged), "coverage80": mean([b["lo80"] <= o <= b["hi80"] for b, o in ranged])}
    return {"unit": "persons", "point": "median", "cases": cases,
            "model": {"n": len(cases), "mean_abs_log_error": mean([abs(c["log_error"]) for c in cases]),
                      "coverage80": mean([c["inside80"] for c in cases]),
                      "coverage95": mean([c["inside95"] for c in cases])},
            "baselines": baselines}


def by_horizon(points: dict[str, list[tuple]], horizon: int, inside: list[np.ndarray] | None = None,
               seed: int = 0, factors: dict[int, dict] | None = None) -> list[dict]:
    """The scores of the bands 1-3, 4-6, 7-10 and 11-15 years ahead (those the horizon reaches); with
    `inside` (which draws fall inside each model point's 80% interval, as `inside80` gives them),
    each band's coverage a calibrated model would show (`if_calibrated`); with `factors`
    (`recalibration`), its coverage and width with intervals recalibrated on the errors known at
    each origin."""
    out = []
    for lo, hi in BANDS:
        if lo > horizon:
            break
        # every method's list holds the same (origin, year) rows in the same order
        keep = [i for i, r in enumerate(points["model"]) if lo <= r[1] - r[0] <= hi]
        pick = {name: [rows[i] for i in keep] for name, rows in points.items()}
        band = {"from": lo, "to": hi, "n": len(pick["model"]),
                "model": score(pick["model"], with95=True, width=True),
                "baselines": {name: score(pick[name]) for name in BASELINES},
                "paired": paired(pick), "sources_averaged": sources_averaged(pick)}
        if inside is not None:
            rows = np.array([r[2:6] for r in pick["model"]], dtype=float).reshape(len(keep), 4)
            observed = float(np.mean((rows[:, 0] >= rows[:, 2]) & (rows[:, 0] <= rows[:, 3]))) if keep else None
            hits = (np.array([inside[i] for i in keep]) if keep  # no figure in the band: nothing to resample
                    else np.zeros((0, 0), dtype=bool))
            band["if_calibrated"] = if_calibrated(hits, np.array([r[0] for r in pick["model"]]), observed, seed)
        if factors is not None:
            band["recalibrated"] = recalibrated(pick["model"], factors)
        out.append(band)
    return out


def backtestable(scheme: str) -> list[str]:
    """The regions with an observed figure of their own of `scheme`: the ones a backtest can score."""
    from covsim.simulator.inputs.scenario import known_regions

    return [r for r in known_regions() if not observations.observed(r, scheme).empty]


def backtest(region: str, horizon: int = 10, settings: Settings = FAST, draws: int = 300, seed: int = 0,
             progress=None, only: list[int] | None = None, fits: dict | None = None,
             scheme: str = "bhyt", outcomes: pd.DataFrame | None = None) -> dict:
    """Rolling-origin backtest of `region`'s coverage by `scheme` (a labour scheme: its share of the
    labour force, the figures the labour fit reads; the origins are the years of the nation's labour
    figures, head counts included). `only` restricts the origins (a quick test); `fits` collects each
    origin's posterior for reuse (the target scores refit nothing twice); `outcomes` are figures the
    shipped data lack (`inputs.outcomes.read`), scored and never fitted."""
    check_horizon(horizon)
    what = "" if scheme == "bhyt" else f"{scheme.upper()} "  # the region's figures scored
    fit = "" if scheme == "bhyt" else "labour "  # the national figures that make an origin
    model_fit = fit_of(scheme)
    national = model_fit.national_years()  # an origin is one of these years
    obs = observations.observed(region, scheme)[["year", "value", "source"]]
    given = figures_of(outcomes, region, scheme)
    scored = (pd.concat([obs.assign(given=False), given.assign(given=True)], ignore_index=True) if len(given)
              else obs.assign(given=False))  # the figures scored: the shipped ones and the given ones
    counts_known = model_fit.count_observations(region)
    chosen = origins(scored, horizon, national)
    if only is not None:
        allowed, chosen = chosen, [y for y in chosen if y in only]
        wrong = [y for y in only if y not in allowed]
        if allowed and wrong:  # none silently dropped
            raise InputError("--origins", ",".join(map(str, wrong)),
                             f"not an origin of {region} at --horizon {horizon}: "
                             + "; ".join(_reasons(wrong, scored, national, what, fit))
                             + f"; allowed: {', '.join(map(str, allowed))}")
    if not chosen:
        if scored.empty:
            if is_unit(region):  # its own figures begin with it: the user's, kept or given
                raise InputError("backtest", region, f"nothing to backtest: the 2025 unit {region} has no year-end "
                                                     f"figure of its own here; allowed: its figures given with "
                                                     f"--outcomes FILE.csv (scored, never fitted), or one kept with "
                                                     f"`covsim region observe {region} YEAR VALUE --source TEXT`")
            raise InputError("backtest", region, f"nothing to backtest: {region} has no observed {what}figure of "
                                                 f"its own; allowed for {scheme}: {', '.join(backtestable(scheme))}")
        years = sorted(set(scored.year))
        reach = origins(scored, MAX_HORIZON, national)
        nearest = min((x - y for y in reach for x in years if x > y), default=None)
        raise InputError("backtest", region, f"nothing to backtest: {region}'s {what}figures "
                                             f"({', '.join(map(str, years))}) are none within {horizon} years after "
                                             f"an origin (a year with a national {fit}figure and "
                                             f"{MIN_EARLIER - 1} or more earlier)"
                                             + (f"; --horizon {nearest} reaches one" if nearest else ""))
    unconverged: list[dict] = []  # origins whose fit failed its diagnostics: scored, and said
    learned: list[dict] = []  # what each origin's figures taught its fit (calibration/learned.py)
    held_fixed: list[dict] = []  # what each origin's run held fixed (assumed), as its forecast lists it
    stand_ins: list[dict] = []  # the later figures each origin's run read, none of their series known then
    points: dict[str, list[tuple]] = {"model": []}
    points.update({name: [] for name in BASELINES})
    pits: list[float] = []  # each model point's PIT, and which draws fall inside its 80% interval
    inside: list[np.ndarray] = []
    from_file: list[bool] = []  # which scored figures came from `outcomes` (the same order in every method)
    count_cases: list[dict] = []  # held-out head counts (the labour layer's voluntary members)
    fit_settings = dataclasses.replace(settings, draws=draws, seed=seed)  # every origin's fit
    for origin in chosen:
        held = scored[(scored.year > origin) & (scored.year <= origin + horizon)]
        years = sorted(set(held.year))
        result = forecast(region, origin, origin + horizon, draws=draws, seed=seed,
                          settings=fit_settings, scheme=scheme, keep_posterior=fits is not None, keep_draws=True)
        if fits is not None:
            fits[origin] = result.pop("_posterior")
        reported = result.pop("_reported")
        counts = result.pop("_counts")
        for row in counts_known[(counts_known.year > origin) & (counts_known.year <= origin + horizon)
                                & counts_known.kind.isin(list(counts))].itertuples(index=False):
            count_cases.append(count_case(origin, int(row.year), row.kind, float(row.value), row.source,
                                          counts[row.kind].sel(year=int(row.year)).values, counts_known))
        if not result["convergence"]["converged"]:
            unconverged.append({"origin": origin, "failed": result["convergence"]["failed"]})
        learned.append({"origin": origin, **result["provenance"].get("learned", {})})
        held_fixed.append({"origin": origin, "fixed": result["provenance"].get("fixed", [])})
        stand_ins.append({"origin": origin, "rows": result["provenance"].get("stand_ins", [])})
        by_year = {r["year"]: r for r in result["forecasts"]}
        for row in held.itertuples(index=False):
            f = by_year[int(row.year)]
            points["model"].append((origin, int(row.year), row.value, f["mean"], f["lo80"], f["hi80"],
                                    f["lo95"], f["hi95"]))
            values = reported.sel(year=int(row.year)).values
            pits.append(round(pit(values, row.value), 4))
            inside.append(inside80(values))
            from_file.append(bool(row.given))
        train = yearly(obs[obs.year <= origin])  # the shipped figures only: a given outcome is never fitted
        for name, method in BASELINES.items():
            frame = (_baseline_frame(method, train, years, share=True) if len(train) else
                     pd.DataFrame({"mean": np.nan, "lo80": np.nan, "hi80": np.nan}, index=years))
            for row in held.itertuples(index=False):
                f = frame.loc[int(row.year)]
                points[name].append((origin, int(row.year), row.value, float(f["mean"]), float(f["lo80"]),
                                     float(f["hi80"]), np.nan, np.nan))
        if progress is not None:
            progress(1)

    baselines = {name: score(points[name]) for name in BASELINES}
    maes = [b["mae"] for b in baselines.values() if b["mae"] is not None]
    model = score(points["model"], with95=True)
    factors = recalibration(points["model"])
    return {
        "region": region,
        "scheme": scheme,
        "horizon": horizon,
        "origins": chosen,
        "provenance": provenance(region, fit_settings, scheme),
        "held_out": len(points["model"]),
        "model": model,
        "baselines": baselines,
        "best_baseline_mae": min(maes) if maes else None,
        "mae_ratio_to_best": (round(model["mae"] / min(maes), 3) if maes and model["mae"] is not None
                              and min(maes) > 0 else None),
        "mae_unit": "percentage points",
        "by_horizon": by_horizon(points, horizon, inside, seed, factors),
        "recalibration": [{"origin": o, "errors_known": f["errors_known"], "scale": round(f["scale"], 3)}
                          for o, f in factors.items()],
        "paired": paired(points),
        "sources_averaged": sources_averaged(points),
        "unconverged_origins": unconverged,
        "learned": learned,
        "fixed": held_fixed,
        "stand_ins": stand_ins,
        "forecasts": [dict(zip(COLUMNS, r), pit=p, from_outcomes=f) for r, p, f in zip(points["model"], pits, from_file)],
        **({"counts": score_counts(count_cases)} if scheme != "bhyt" else {}),
        **({"outcomes": given_scores(points, from_file, given, outcomes)} if outcomes is not None else {}),
    }


def given_scores(points: dict[str, list[tuple]], from_file: list[bool], given: pd.DataFrame,
                 outcomes: pd.DataFrame) -> dict:
    """The scores on the given figures alone (the clean test: no choice of the model saw them), and
    what of the file was not scored (another region or scheme, or no origin within the horizon)."""
    mine = {name: [r for r, f in zip(rows, from_file) if f] for name, rows in points.items()}
    reached = {int(r[1]) for r in mine["model"]}
    return {"n": len(mine["model"]), "given": int(len(given)),
            "not_scored": [{"year": int(y), "why": "no origin run within the horizon before it"}
                           for y in sorted(set(given.year) - reached)],
            "other_regions_or_schemes": int(len(outcomes) - len(given)),
            "model": score(mine["model"], with95=True),
            "baselines": {name: score(rows) for name, rows in mine.items() if name != "model"}}
