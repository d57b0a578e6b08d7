"""What the national backtest scripts share: every origin's forecast, a forecast's row, the bands.

`covsim backtest` scores the model's own draws at every origin; the scripts beside it
(`backtest_level_start.py`, `backtest_by_half.py`) score other readings of the same draws (a level
moved, half of the draws), so they need each origin's draws and the held-out figures, and score
them the way the backtest does (`backtest.score`, by `backtest.BANDS`). Others (`pull_units.py`,
`trend_form.py`) refit every origin under another prior or form: `with_prior` and `backtest_arm`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd

from covsim.calibration import backtest as bt, health_fit
from covsim.calibration.forecast import forecast
from covsim.calibration.scoring import score_targets
from covsim.simulator.inputs import observations

BANDS = bt.BANDS[:3]  # 1-3, 4-6, 7-10: the bands a 10-year backtest scores
HORIZON = 10


def national_figures() -> pd.DataFrame:
    """The nation's year-end figures (year, value, source), every source its own row."""
    return observations.observed("vietnam")[["year", "value", "source"]]


def each_origin(draws: int, seed: int, keep_posterior: bool = False) -> Iterator[tuple[int, dict, pd.DataFrame]]:
    """(origin, forecast result with its `_reported` draws (and `_posterior`), held-out figures)
    for every origin of `covsim backtest vietnam`, with its settings, draws and seed."""
    obs = national_figures()
    settings = dataclasses.replace(bt.SETTINGS, draws=draws, seed=seed)
    for origin in bt.origins(obs, HORIZON, bt.fit_of("bhyt").national_years()):
        result = forecast("vietnam", origin, origin + HORIZON, draws=draws, seed=seed, settings=settings,
                          keep_draws=True, keep_posterior=keep_posterior)
        yield origin, result, obs[(obs.year > origin) & (obs.year <= origin + HORIZON)]


def row(origin: int, year: int, observed: float, values: np.ndarray) -> tuple:
    """One scored forecast as `backtest.score` reads it: the mean and the 80% and 95% intervals."""
    lo, hi, lo95, hi95 = np.quantile(values, [0.1, 0.9, 0.025, 0.975])
    return origin, year, observed, float(values.mean()), lo, hi, lo95, hi95


def by_band(rows: list[tuple]) -> list[dict]:
    """MAE, 80% and 95% coverage and 80% width per band of years ahead."""
    return [{"from": a, "to": b, "n": len(pick), **bt.score(pick, with95=True, width=True)}
            for a, b in BANDS for pick in [[r for r in rows if a <= r[1] - r[0] <= b]]]


def line(scores: list[dict]) -> str:
    return "; ".join(f"{s['from']}-{s['to']} MAE {s['mae']:.2f} cover80 {s['coverage80']:.3f} width80 {s['width80']:.1f}"
                     for s in scores)


def with_prior(name: str, mean: float, sd: float) -> tuple:
    """health_fit's free parameters with `name`'s prior replaced: assigned to `health_fit.SHARED` in
    a benchmark's own process, every fit after it (each origin's, each target day's) uses it."""
    return tuple(dataclasses.replace(f, mean=mean, sd=sd) if f.name == name else f for f in health_fit.SHARED)


def backtest_arm(draws: int, seed: int) -> dict:
    """`covsim backtest vietnam --json`'s bands and target cases under whatever this process has
    patched in, each origin fitted afresh; the forecasts of 2025 as of 2016 and 2022 beside."""
    settings = dataclasses.replace(bt.SETTINGS, draws=draws, seed=seed)
    fits: dict = {}
    result = bt.backtest("vietnam", HORIZON, settings, draws=draws, seed=seed, fits=fits)
    targets = score_targets(settings, draws=draws, seed=seed, fits=fits)
    return {"by_horizon": [{"from": b["from"], "to": b["to"], "n": b["n"], **b["model"]} for b in result["by_horizon"]],
            "brier": targets["brier"],
            "cases": [{k: c[k] for k in ("target", "year", "as_of", "outcome", "model_p")} for c in targets["cases"]],
            "of_2025": {r["origin"]: [round(r[k] * 100, 2) for k in ("mean", "lo80", "hi80")]
                        for r in result["forecasts"] if r["year"] == 2025 and r["origin"] in (2016, 2022)},
            "observed_2025": sorted({round(r["observed"] * 100, 2) for r in result["forecasts"] if r["year"] == 2025}),
            "unconverged_origins": result["unconverged_origins"]}


def arm_line(name: str, mean: float, sd: float, arm: dict) -> str:
    """One arm of `backtest_arm` as the benchmarks print it: its prior, bands, Brier score, 2025."""
    return (f"{name} N({mean:.2f}, {sd:.2f}): {line(arm['by_horizon'])}; Brier {arm['brier']['model']:.4f} "
            f"(ARIMA {arm['brier']['arima']:.4f}); 2025 as of 2016 / 2022: {arm['of_2025']} "
            f"(observed {arm['observed_2025']}); unconverged {len(arm['unconverged_origins'])}")
