"""A briefing as of a year (`covsim brief --until YEAR`): what the tool would have told the plan's
authors then.

The same result as `compute.full_result`, with its runs on a fit to the figures observed by the
end of `until` under the policy, laws and targets decided by then (or by the day `known`), with
the backtest's sampling: what `covsim target --until` answers, put on paper. The figures observed
later stay in the summary, marked as later, so the paper shows what followed.
"""
from __future__ import annotations

import dataclasses
from datetime import date

from covsim.calibration import learned
from covsim.calibration.backtest import SETTINGS
from covsim.calibration.fit import calibrate
from covsim.calibration.forecast import convergence, fit_record, run_as_of
from covsim.simulator.analysis import planning
from covsim.simulator.inputs import membership, regions
from covsim.simulator.inputs.decisions import documents_known, knowledge_day

from . import compute


def result(name: str, scheme: str, levers: dict[str, float], start: int, target: float, year: int, until: int,
           known: date | None = None, compare: str | None = None, draws: int = compute.DRAWS,
           seed: int = compute.SEED) -> tuple[dict, dict]:
    """`compute.full_result`'s dict as of `until`, and what the briefing says of the fit (`as_of`).
    Every lever given is set (none is dropped as equal to a value in force: what is in force as of
    `until` is not what is in force now); the budget's baseline and the compared scenario run on the
    same as-of draws and seed."""
    sc = compute.scenario(name, scheme)
    planning.check_target(target, "brief")
    if levers:
        sc = planning.with_levers(sc, dict(levers), start)
    other = compute.scenario(compare, scheme) if compare else None
    settings = dataclasses.replace(SETTINGS, draws=max(draws, 300), seed=seed)
    post = calibrate(sc.region, until, settings, known=known)
    params = post.isel(draw=slice(0, draws))

    def run(s):
        return run_as_of(s, until, max(s.end, sc.end), params, seed, known=known)

    ds = run(sc)
    day = knowledge_day(until, known)
    observed, planned = compute.figures_of(sc.region, scheme)
    res = {"scenario": sc, "levers": dict(levers), "changed": dict(levers), "start": int(start),
           "observed": _json([{**r, "later": r["year"] > until} for r in observed]),
           "targets": _json([r for r in planned if documents_known(r["source"], day)]),
           "details": True, "ds": ds, "coverage": planning.region_coverage(ds, sc), "attrs": ds.attrs,
           "report": planning.target_report(ds, sc, float(target), int(year), known_on=day)}
    res["leans_on"] = learned.leans_on(params, res["coverage"].sel(year=int(year)).values >= float(target), sc.region,
                                       also=sc.rests_on())
    entry = compute.ENTRIES[scheme]
    if entry.budget or entry.support_cost:
        res["budget"], res["budget_compared_with"] = planning.budget_against_baseline(ds, sc, run)
    if other is not None:
        res["compare"] = (other, run(other))
    members = regions.run_members(sc.region) or (sc.region,)  # as the run lists them (schemes/health.py)
    as_of = {"until": int(until), "known_on": day.isoformat(), "convergence": convergence(post.attrs),
             "fit": fit_record(post, settings), "group_shares": membership.held_item(list(members), day)}
    return res, as_of


def _json(rows: list[dict]) -> str:
    import json

    return json.dumps(rows, ensure_ascii=False)
