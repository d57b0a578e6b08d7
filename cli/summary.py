"""Plain summaries of a run, shared by the CLI's table and JSON and by the dashboard."""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from covsim.simulator.inputs import observations
from covsim.simulator.inputs.scenario import Scenario
from covsim.simulator.inputs.scheme_ids import HEALTH
from covsim.simulator.schemes import provenance


def counted(n: int, noun: str) -> str:
    """'1 observation', '2 observations': a count in the text outputs."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def coverage_summary(ds: xr.Dataset, scenario: Scenario, lo: float = 0.1, hi: float = 0.9,
                     var: str = "coverage_total") -> dict:
    """Mean and lo/hi quantiles over draws of overall coverage by year, with the plan's targets."""
    cov = ds[var].sel(region=scenario.region)
    q = cov.quantile([lo, hi], dim="draw").values
    targets = observations.targets(scenario.region, scenario.scheme)
    return {
        "scenario": scenario.name,
        "region": scenario.region,
        "seed": int(ds.attrs.get("seed", 0)),
        "draws": int(ds.sizes["draw"]),
        "years": [int(y) for y in ds.year.values],
        "coverage": {
            "mean": _round(cov.mean("draw").values),
            "lo": _round(q[0]),
            "hi": _round(q[1]),
            "quantiles": [lo, hi],  # what lo and hi are: the 10% and 90% quantiles over draws, an 80% interval
        },
        "targets": [
            {"year": int(r.year), "value": float(r.value), "group": r.group, "source": r.source, "unit": r.unit}
            for r in targets.itertuples(index=False)
        ],
        **_boundaries(ds),
        **({"denominator": ds.attrs["denominator"]} if "denominator" in ds.attrs else {}),
        "provenance": provenance.record(ds.attrs),
    }


def _boundaries(ds: xr.Dataset) -> dict:
    """Which boundaries each year is reported in (runs across the 1 July 2025 change), where the run says."""
    text = ds.attrs.get("boundaries")
    return {"boundaries": json.loads(text)} if text else {}


def group_summary(ds: xr.Dataset, region: str, lo: float = 0.1, hi: float = 0.9) -> dict:
    """Each membership group's coverage over the draws by year: `median`, `lo` and `hi` (10% and 90%),
    null where the group has no one (the engine's NaN for an empty pool). A target-setter's group
    targets and a planner's lever for one group are read against these, not the total alone."""
    import warnings

    cov = ds.coverage.sel(region=region)
    with warnings.catch_warnings():  # an empty group's all-NaN years (BHTN's required in 2008): null, not noise
        warnings.simplefilter("ignore", RuntimeWarning)
        q = cov.quantile([lo, 0.5, hi], dim="draw")
    return {str(g): {k: [None if v != v else round(float(v), 6) for v in q.sel(group=g, quantile=p).values]
                     for k, p in (("median", 0.5), ("lo", lo), ("hi", hi))}
            for g in cov.group.values}


def _round(values) -> list[float]:
    return [round(float(v), 6) for v in np.asarray(values)]


#: The unit of the targets a labour run's table shows beside its coverage (coverage.csv's `unit`).
LABOUR_TABLE_UNIT = {"labour_force": "share_of_labour_force"}


def coverage_table(summary: dict, observed=None) -> str:
    """The short table `covsim run` prints: year, mean over draws (`covsim target` reports the median:
    the header says which), 80% interval, target, observed."""
    from covsim.dashboard.brief_text import figures_by_year

    # a labour run's table is of the labour force: a target of those required to join is not put
    # beside it (the line on what each target needs, below the table, gives it its own coverage)
    of = LABOUR_TABLE_UNIT.get(summary.get("denominator"))
    overall = figures_by_year([t for t in summary["targets"] if of is None or t.get("unit", of) == of])
    seen = figures_by_year([] if observed is None else observed.to_dict("records"))
    scheme = f", {summary['scheme']}, coverage as a share of the labour force" if of else ""
    lines = [f"{summary['scenario']} ({summary['region']}{scheme}), {summary['draws']} draws, seed {summary['seed']}",
             f"{'year':>4}  {'mean':>8}  {'10%-90%':>13}  {'target(s) %':>11}  {'observed %':>11}"]
    cov = summary["coverage"]
    for i, year in enumerate(summary["years"]):
        target = "/".join(f"{100 * v:.1f}" for v in sorted(overall.get(year, [])))
        obs = "/".join(f"{100 * v:.1f}" for v in seen.get(year, []))  # both where two sources differ
        lines.append(f"{year:>4}  {100 * cov['mean'][i]:>7.1f}%  {100 * cov['lo'][i]:>5.1f}-{100 * cov['hi'][i]:>5.1f}%"
                     f"  {target:>11}  {obs:>11}")
    if summary["years"]:  # `scenarios` lists the simulated years, and `target` refuses this one
        lines.append(f"the first row, {summary['years'][0]}, is the state the run starts from (the end of that year), "
                     "not a simulated year")
    for span in summary.get("boundaries", []):
        if len(summary.get("boundaries", [])) > 1 or "summed" in span["boundaries"]:
            lines.append(f"boundaries {span['from']}-{span['to']}: {span['boundaries']}")
    return "\n".join(lines)


def unconverged_as_of(until: int, convergence: dict) -> str | None:
    """The line an as-of result's text and stderr give where its fit failed its diagnostics: a fit
    that did not converge is never used silently, not even by a reader of the saved text alone."""
    if convergence.get("converged", True):
        return None
    return f"the fit as of {until} did not converge ({convergence['failed']}); its intervals are unreliable"


def print_provenance(record: dict) -> None:
    """The text outputs' last lines: what reproduces the result, and every assumed number it uses."""
    print("\n".join(provenance_lines(record)))


def provenance_lines(record: dict) -> list[str]:
    """`print_provenance`'s lines."""
    # the scenario's hash beside its name (two files may bear one name) and the parameter draws' (a
    # refitted posterior changes the figures under the same data and code)
    scenario = record["scenario"] + (f" ({record['scenario_hash']})" if record.get("scenario_hash") else "")
    draws = f", parameters {record['parameters_hash']}" if record.get("parameters_hash") else ""
    lines = [f"provenance: scenario {scenario}, seed {record['seed']}, data {record['data_hash']}{draws}, "
             f"code {record['code_version']}"
             + (f", fitted as of {record['fit']['until']}" if record.get("fit", {}).get("until") else "")
             + (f" (policy known by {record['fit']['known_on']})" if record.get("fit", {}).get("known_on") else "")
             + (f", outcomes {record['outcomes']['file']} ({record['outcomes']['sha256']}, scored, never fitted)"
                if record.get("outcomes") else "")]
    if record.get("data_dir"):  # not the shipped tables: said beside the hash, with where they were
        lines[0] += f" (tables from COVSIM_DATA_DIR {record['data_dir']}, not the shipped ones)"
    assumed = record.get("assumptions", [])
    lines.append("assumed numbers: " + ("none" if not assumed else "; ".join(assumed)))
    if record.get("idle"):
        scheme = record.get("scheme", HEALTH)  # a health run's attributes name no scheme
        lines.append(f"not read by {scheme} (they change nothing here): "
                     + ", ".join(record["idle"]))
    for r in record.get("capped", []):
        counts = "changes nothing" if r["counts_as"] is None else f"counts as {100 * r['counts_as']:.4g}%"
        lines.append(f"capped: {r['path']} = {100 * r['value']:.4g}% {counts} from {r['from']}: {r['why']}")
    for r in record.get("below_national", []):
        lines.append(f"below the national share: {r['path']} = {100 * r['value']:.4g}% from {r['from']} is under the "
                     f"national {100 * r['national']:.4g}%; the run lowers the national part too (a test of national "
                     "policy: a province cannot pay less than the national share)")
    for r in record.get("supersedes", []):
        lines.append(f"replaces a later change: {r['path']} = {r['value']:g} replaces the policy in force's "
                     f"{r['replaces']:g} from {r['from']} ({r['reference']})")
    if record.get("fixed"):
        lines.append("held fixed in the model (assumed, not fitted): " + "; ".join(record["fixed"]))
    if record.get("unverified_data"):
        from covsim.simulator.schemes.unverified import summary

        lines.append(f"data no source here confirms (assumed; {len(record['unverified_data'])} rows read, "
                     f"provenance.unverified_data, docs/data.md): " + summary(record["unverified_data"]))
    if record.get("stand_ins"):
        from covsim.simulator.schemes.unverified import summary

        lines.append("figures of years after --until standing in, none of their series known by then "
                     f"(the earliest of each; {len(record['stand_ins'])} rows, provenance.stand_ins, docs/data.md): "
                     + summary(record["stand_ins"]))
    if record.get("unconverged"):
        lines.append(f"parameters from a fit that did not converge: {record['unconverged']}")
    for key, text in record.items():  # a posterior fitted before a figure was added (calibration/stale.py)
        if isinstance(text, str) and " (stale: " in text:
            lines.append(f"{key}: {text}")
    if record.get("unit_figures"):
        lines.append(f"draws weighed on {record.get('region', 'the unit')}'s own figures (covsim region observe): "
                     + "; ".join(f"{f['year']} {100 * f['value']:.2f}% ({f['source']})" for f in record["unit_figures"]))
    lines.extend(mostly_prior_lines(record))
    return lines


def mostly_prior_lines(record: dict) -> list[str]:
    """The fitted parameters the figures hardly moved from their assumed priors: a verdict leaning on
    them leans on an assumption (calibration/learned.py)."""
    from covsim.calibration.learned import mostly_prior

    rec = record.get("learned")
    mostly = mostly_prior(rec)
    if not mostly:
        return []
    return [f"fitted, yet mostly their assumed priors (posterior contraction below {rec['mostly_prior_below']:g}: "
            f"the figures left over half of the prior's variance): " + ", ".join(f"{n} {c:.2f}" for n, c in mostly.items())]


def print_boundaries(spans: list[dict]) -> None:
    """Which boundaries each run of years is in (`regions.boundaries`), one line each, as `target`,
    `allocate` and `forecast` print them."""
    for span in spans:
        print(f"boundaries {span['from']}-{span['to']}: {span['boundaries']}")
