"""Rolling-origin backtest: as of each year, fit, forecast, and compare with what came after.

Every origin with at least three earlier observed years is used; the model and every baseline see
the same observations (the region's own year-end figures up to the origin). Reported win or lose.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from covsim.simulator.inputs import observations

from .baselines import BASELINES, yearly
from .fit import FAST, Settings
from .forecast import forecast

MIN_EARLIER = 3


def origins(obs: pd.DataFrame, horizon: int) -> list[int]:
    years = sorted(set(obs.year))
    return [y for y in years if sum(1 for x in years if x <= y) >= MIN_EARLIER
            and any(y < x <= y + horizon for x in years)]


def backtest(region: str, horizon: int = 3, settings: Settings = FAST, draws: int = 300, seed: int = 0,
             progress=None) -> dict:
    obs = observations.observed(region)
    obs = obs[["year", "value", "source"]]
    points = {"model": []}
    points.update({name: [] for name in BASELINES})
    chosen = origins(obs, horizon)
    for origin in chosen:
        held = obs[(obs.year > origin) & (obs.year <= origin + horizon)]
        years = sorted(set(held.year))
        result = forecast(region, origin, origin + horizon, draws=draws, seed=seed,
                          settings=Settings(settings.walkers, settings.burn, settings.steps, draws, seed))
        by_year = {r["year"]: r for r in result["forecasts"]}
        for row in held.itertuples(index=False):
            f = by_year[int(row.year)]
            points["model"].append((origin, int(row.year), row.value, f["mean"], f["lo80"], f["hi80"],
                                    f["lo95"], f["hi95"]))
        train = yearly(obs[obs.year <= origin])
        for name, method in BASELINES.items():
            frame = method(train, years)
            for row in held.itertuples(index=False):
                f = frame.loc[int(row.year)]
                points[name].append((origin, int(row.year), row.value, float(f["mean"]), float(f["lo80"]),
                                     float(f["hi80"]), np.nan, np.nan))
        if progress is not None:
            progress(1)

    def score(rows, with95=False):
        if not rows:
            return {"mae": None, "coverage80": None} | ({"coverage95": None} if with95 else {})
        a = np.array([r[2:] for r in rows], dtype=float)
        out = {"mae": round(float(np.mean(np.abs(a[:, 1] - a[:, 0]))) * 100, 3),
               "coverage80": round(float(np.mean((a[:, 0] >= a[:, 2]) & (a[:, 0] <= a[:, 3]))), 3)}
        if with95:
            out["coverage95"] = round(float(np.mean((a[:, 0] >= a[:, 4]) & (a[:, 0] <= a[:, 5]))), 3)
        return out

    baselines = {name: score(points[name]) for name in BASELINES}
    maes = [b["mae"] for b in baselines.values() if b["mae"] is not None]
    model = score(points["model"], with95=True)
    return {
        "region": region,
        "horizon": horizon,
        "origins": chosen,
        "held_out": len(points["model"]),
        "model": model,
        "baselines": baselines,
        "best_baseline_mae": min(maes) if maes else None,
        "mae_ratio_to_best": (round(model["mae"] / min(maes), 3) if maes and model["mae"] is not None
                              and min(maes) > 0 else None),
        "mae_unit": "percentage points",
        "forecasts": [dict(zip(("origin", "year", "observed", "mean", "lo80", "hi80", "lo95", "hi95"), r))
                      for r in points["model"]],
    }
