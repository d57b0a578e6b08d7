"""Issue 38's provincial backtests in one run: every province with a year-end figure of its own
after an origin, backtested as `covsim backtest REGION --json` does, and the figures pooled.

    python benchmarks/backtest_provinces.py [--fast] [--draws N] [--only REGION,...]

Each province is fitted jointly with the national series as of each origin (nothing later of any
region) and forecasts its own figures up to ten years ahead. From one figure of its own only the
last value forecasts (a flat line), so the model has no real rival. Pooled over the provinces it
reports the MAE, the 80% coverage and the spread of the PITs (a calibrated forecast's: 0.289). A
province in the shipped data with no year-end figure of its own (Lai Châu) is listed as skipped.
Many fits: minutes on 2 cores. Last line: JSON.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from covsim.calibration.backtest import COLUMNS, backtest, sampling, score
from covsim.calibration.fit import NATIONAL
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import observations, tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=lambda text: text.split(","), default=None,
                        help="these provinces only (ids, comma-separated)")
    parser.add_argument("--fast", action="store_true", help="shorter sampling")
    parser.add_argument("--draws", type=int, default=300)
    args = parser.parse_args()
    out = {"provinces": {}, "skipped": {}}
    rows = []
    t0 = time.perf_counter()
    shipped = sorted(set(tables.table("coverage").region) - {NATIONAL})  # the provinces with any coverage row
    for region in args.only or shipped:
        if observations.observed(region).empty:
            out["skipped"][region] = "no year-end figure of its own"
            continue
        t = time.perf_counter()
        try:
            bt = backtest(region, 10, sampling(args.fast), draws=args.draws)
        except InputError as err:
            out["skipped"][region] = str(err)
            continue
        seconds = time.perf_counter() - t
        m = bt["model"]
        print(f"{region}: origins {bt['origins'][0]}-{bt['origins'][-1]}, {bt['held_out']} figures, MAE {m['mae']:.2f}, "
              f"80% cover {m['coverage80']:.2f}, {seconds:.0f} s")
        for f in bt["forecasts"]:
            print(f"    as of {f['origin']}: {f['year']} at {100 * f['mean']:.1f}% "
                  f"({100 * f['lo80']:.1f}-{100 * f['hi80']:.1f}%), observed {100 * f['observed']:.1f}%")
            rows.append((region, f))
        out["provinces"][region] = {"origins": bt["origins"], "held_out": bt["held_out"], "model": m,
                                    "seconds": round(seconds, 1)}
    if out["skipped"]:
        print("skipped: " + "; ".join(f"{r} ({why})" for r, why in out["skipped"].items()))
    if rows:
        pooled = score([tuple(f[c] for c in COLUMNS) for _, f in rows])  # the backtest's own scoring
        pits = np.array([f["pit"] for _, f in rows])
        out["pooled"] = {"figures": len(rows), **pooled, "pit_sd": round(float(pits.std()), 3)}
        print(f"pooled: {len(rows)} figures, MAE {pooled['mae']:.2f} points, 80% cover {pooled['coverage80']:.2f}, "
              f"PIT sd {pits.std():.3f} (a calibrated forecast's: 0.289)")
    out["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
