"""Posterior-predictive check per region: observed points on the fitted fan.

    python docs/make_ppc.py            # every region with a shipped posterior -> docs/img/ppc_<region>.png

Observed figures are filled circles, planned targets open diamonds: a target is never fitted.
Where a region (or the nation) has figures by group, a second panel shows the group fit
(`calibration/group_fit.py`).
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from covsim import simulator  # noqa: E402
from covsim.calibration import group_fit, shipped  # noqa: E402
from covsim.calibration.forecast import predictive  # noqa: E402
from covsim.simulator.inputs import observations  # noqa: E402

OUT = Path(__file__).parent / "img"


def figure(region: str, draws: int = 400, seed: int = 0) -> Path:
    params = shipped.draws_for(region, draws, seed)
    scenario = simulator.load_scenario(region)
    ds = simulator.run(scenario, params=params, seed=seed)
    reported = predictive(ds, params, seed, region)
    q = reported.quantile([0.025, 0.1, 0.5, 0.9, 0.975], dim="draw")
    years = ds.year.values
    groups = group_fit.table(ds, region)
    if len(groups) > 24:  # a yearly annex: its first and last years, and every observed figure
        ends = groups.groupby("group").year.transform(lambda y: y.isin([y.min(), y.max()]))
        groups = groups[ends | groups.fitted].reset_index(drop=True)
    if groups.empty:
        fig, ax = plt.subplots(figsize=(8, 4.5))
    else:
        fig, (ax, gx) = plt.subplots(1, 2, figsize=(14, max(4.5, 0.22 * len(groups))),
                                     gridspec_kw={"width_ratios": [1.1, 1]})
        by_group(gx, groups, region)
    ax.fill_between(years, 100 * q.sel(quantile=0.025), 100 * q.sel(quantile=0.975), color="#9ecae1", alpha=0.5,
                    label="95% predictive")
    ax.fill_between(years, 100 * q.sel(quantile=0.1), 100 * q.sel(quantile=0.9), color="#4292c6", alpha=0.6,
                    label="80% predictive")
    ax.plot(years, 100 * q.sel(quantile=0.5), color="#08306b", label="median")
    obs = observations.observed(region)
    ax.scatter(obs.year, 100 * obs.value, color="black", zorder=5, label="observed (fitted)")
    mid = observations.observed(region, year_end_only=False)
    mid = mid[mid.note.str.lower().str.startswith("mid-year")]
    if not mid.empty:
        ax.scatter(mid.year, 100 * mid.value, facecolors="white", edgecolors="black", zorder=5,
                   label="observed mid-year (not fitted)")
    tg = observations.targets(region)
    tg = tg[tg.group == "all"]
    if not tg.empty:
        ax.scatter(tg.year, 100 * tg.value, marker="D", facecolors="none", edgecolors="#d94801", zorder=6,
                   label="planned target (not fitted)")
    a = params.attrs
    ax.set_title(f"{region}: posterior predictive ({a.get('source', 'prior')}; "
                 f"{a.get('own_observations', 0)} own observations)")
    ax.set_ylabel("BHYT coverage, % of population")
    ax.set_ylim(30, 100)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ppc_{region}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def by_group(ax, groups, region: str) -> None:
    """The group fit: the model's 80% interval and median for the people each group figure counts,
    observed figures filled (fitted), plans' group targets open diamonds (not fitted)."""
    labels = [f"{g.replace('plan6_', 'plan: ')} {y}" for g, y in zip(groups.group, groups.year)]
    y = range(len(groups))
    ax.hlines(y, 100 * groups.q10, 100 * groups.q90, color="#4292c6", lw=4, alpha=0.7, label="model 80%")
    ax.scatter(100 * groups.q50, y, color="#08306b", marker="|", s=120, zorder=5, label="model median")
    obs = groups[groups.fitted]
    if not obs.empty:
        ax.scatter(100 * obs.value, [y[i] for i in obs.index], color="black", zorder=6, label="observed (fitted)")
    plan = groups[~groups.fitted]
    if not plan.empty:
        ax.scatter(100 * plan.value, [y[i] for i in plan.index], marker="D", facecolors="none",
                   edgecolors="#d94801", zorder=6, label="planned target (not fitted)")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("BHYT coverage of the group, %")
    ax.set_title(f"{region}: coverage by group")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="lower left", fontsize=7)


if __name__ == "__main__":
    regions = sys.argv[1:] or [p.stem for p in sorted(shipped.shipped_dir().glob("*.nc"))
                               if not p.stem.startswith("labour_")]  # the labour layer has no BHYT fan
    for r in regions:
        print(figure(r))
