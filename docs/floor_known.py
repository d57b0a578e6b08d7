"""The measurement of docs/labour.md, "Head counts: the voluntary members": the nation's BHXH fit as
of 2020 (the backtest's sampling, 300 draws, seed 0), run to 2023 under the policy decided by the
origin, as `covsim backtest vietnam --scheme bhxh` runs it, and again under the policy known on
1 January 2022, when the doubled income floor (Decree 07/2021/ND-CP) took effect. Not a forecast
anyone could have made in 2020: it says how much of the miss that one later decision explains.

    python docs/floor_known.py
"""
from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np

from covsim import simulator
from covsim.calibration import labour_fit
from covsim.calibration.backtest import SETTINGS
from covsim.calibration.fit import calibrate
from covsim.calibration.forecast import run_as_of

ORIGIN, YEAR, DRAWS, SEED = 2020, 2023, 300, 0


def main() -> None:
    settings = dataclasses.replace(SETTINGS, draws=DRAWS, seed=SEED)
    params = calibrate("vietnam", ORIGIN, settings, scheme="bhxh").isel(draw=slice(0, DRAWS))
    scenario = dataclasses.replace(simulator.load_scenario("vietnam"), scheme="bhxh")
    for known, label in ((None, f"policy decided by the end of {ORIGIN}"), (date(2022, 1, 1), "policy known on 2022-01-01")):
        ds = run_as_of(scenario, ORIGIN, YEAR, params, SEED, labour_fit.base_policy(), known=known)
        counts = labour_fit.reported_counts(ds, SEED, "vietnam")["voluntary_members"].sel(year=YEAR).values
        lo, mid, hi = np.quantile(counts, [0.1, 0.5, 0.9]) / 1e6
        print(f"voluntary members {YEAR} as of {ORIGIN}, {label}: {mid:.2f} M (80% {lo:.2f}-{hi:.2f} M)")


if __name__ == "__main__":
    main()
