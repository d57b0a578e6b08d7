"""Would the national backtest score better if each forecast started nearer the last figure?

    python benchmarks/backtest_level_start.py [--gains 0,0.25,0.5,0.75,1] [--draws 300] [--seed 0]

The fit ties its walk to zero at the last figure, so a forecast starts from the model's curve and
reads the last figure's gap to it as reporting error (docs/model.md, "Where the next test
starts"). This refits every origin of `covsim backtest vietnam` (same settings, seed and draws)
and moves each draw's forecast, in log-odds, by `gain` x the gap at the origin between the
figure and the forecast's mean there: gain 0 is the model as shipped (its scores are the
backtest's), gain 1 a forecast that starts from the figure. Only the level moves, not the
spread. Prints each gain's MAE, 80% coverage and width per band; last line: JSON. About a
backtest's time (some 80 s on 2 cores): one fit per origin, every gain scored on the same draws.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.special import expit, logit

from covsim.calibration.baselines import yearly
from national_origins import by_band, each_origin, line, national_figures, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gains", type=lambda t: [float(g) for g in t.split(",")], default=[0, 0.25, 0.5, 0.75, 1])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    series = yearly(national_figures())  # a year's sources averaged: the figure the gap is measured from
    rows: dict[float, list[tuple]] = {g: [] for g in args.gains}
    t0, origins = time.perf_counter(), 0
    for origin, result, held_out in each_origin(args.draws, args.seed):
        origins += 1
        reported = result.pop("_reported")
        at = next(r["mean"] for r in result["forecasts"] if r["year"] == origin)
        gap = logit(series.loc[origin]) - logit(at)
        for gain in args.gains:
            for r in held_out.itertuples(index=False):
                v = expit(logit(np.clip(reported.sel(year=int(r.year)).values, 1e-9, 1 - 1e-9)) + gain * gap)
                rows[gain].append(row(origin, int(r.year), r.value, v))
        print(f"origin {origin}: figure {100 * series.loc[origin]:.2f}%, model {100 * at:.2f}% "
              f"(gap {100 * (series.loc[origin] - at):+.2f} points)", flush=True)
    out = {}
    for gain in args.gains:
        out[str(gain)] = by_band(rows[gain])
        print(f"gain {gain:g}: " + line(out[str(gain)]))
    print(f"{origins} origins, {time.perf_counter() - t0:.0f} s")
    print(json.dumps({"draws": args.draws, "seed": args.seed, "gains": out}))


if __name__ == "__main__":
    main()
