"""What the national backtest scripts share: every origin's forecast, a forecast's row, the bands.

`covsim backtest` scores the model's own draws at every origin; the scripts beside it
(`backtest_level_start.py`, `backtest_by_half.py`) score other readings of the same draws (a level
moved, half of the draws), so they need each origin's draws and the held-out figures, and score
them the way the backtest does (`backtest.score`, by `backtest.BANDS`).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd

from covsim.calibration import backtest as bt
from covsim.calibration.forecast import forecast
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
