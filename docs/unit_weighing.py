"""The table of docs/model.md, "A 2025 unit's own figures, weighed": what one made-up 2025 figure of
Vĩnh Long's unit does to its runs. The figures are made up (no unit's figure ships); the weighing
is the one `covsim region observe` keeps.

    python docs/unit_weighing.py
"""
from __future__ import annotations

import pandas as pd

from covsim import simulator
from covsim.calibration import shipped, unit_fit
from covsim.calibration.diagnostics import verdict
from covsim.simulator.inputs.scenario import for_region

UNIT, SHOWN = "vinh_long_2025", 1000
FIGURES = (0.915, 0.95, 0.97, 0.995)  # made up, to show the mechanism


def spread(params) -> str:
    cov = simulator.run(for_region(UNIT), params=params, seed=0).coverage_total.sel(region=UNIT)
    return " | ".join(" / ".join(f"{100 * v:.1f}" for v in cov.sel(year=y).quantile([0.1, 0.5, 0.9]).values) + "%"
                      for y in (2025, 2030))


def main() -> None:
    print("| unit's 2025 figure (made up) | Pareto k | ESS of the pool | 2025 coverage | 2030 coverage |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| none (the former provinces' fits as shipped) | | | {spread(shipped.merged_draws(UNIT, SHOWN, 0))} |")
    for figure in FIGURES:
        post = unit_fit.fit_unit(UNIT, 0, pd.DataFrame({"year": [2025], "value": [figure], "source": ["made up"]}))
        a = post.attrs
        refused = " (refused)" if verdict(a) else ""
        print(f"| {100 * figure:.1f}% | {a['pareto_k']:.2f} | {a['ess']:,.0f} of {a['pool']:,}{refused} | "
              f"{spread(post.isel(draw=slice(0, SHOWN)))} |")


if __name__ == "__main__":
    main()
