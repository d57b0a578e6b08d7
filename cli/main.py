"""`covsim`: a thin command line over the engine's public functions.

Bad input ends in one line on stderr naming the file, the key and what is allowed, exit status 2,
and no output file.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from contextlib import contextmanager

DEFAULT_SCENARIO = "vietnam"
#: Modules that add their own subcommands: each has `register(subparsers)`.
COMMAND_MODULES = ("covsim.cli.forecasting", "covsim.cli.planning", "covsim.cli.serve", "covsim.cli.batch")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as every other bad input
        sys.stderr.write(f"covsim: error: {message}\n")
        raise SystemExit(2)


@contextmanager
def _progress(total: int, enabled: bool, desc: str):
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="year", file=sys.stderr, leave=False) as bar:
        yield bar.update


def _show_progress(args) -> bool:
    return not args.quiet and not args.json and sys.stdout.isatty()


def cmd_run(args) -> int:
    from covsim import simulator
    from covsim.simulator.inputs import observations
    from covsim.cli import summary

    scenario = simulator.load_scenario(args.scenario)
    if args.scheme:
        scenario = dataclasses.replace(scenario, scheme=args.scheme)
    if args.out:
        simulator.output.check_destination(args.out)
    params = _parameters(scenario, args)
    with _progress(len(scenario.years) - 1, _show_progress(args), scenario.name) as tick:
        ds = simulator.run(scenario, params=params, draws=args.draws, seed=args.seed, by_age=args.by_age,
                           progress=tick)
    if args.out:
        simulator.write_netcdf(ds, args.out)
    result = summary.coverage_summary(ds, scenario)
    if scenario.scheme == "bhyt":  # money flows, against the baseline on the same draws for a reform
        result["budget"] = _budget(ds, scenario, params, args)
    if scenario.scheme != "bhyt":  # BHXH / BHTN: name the denominator; what each plan target would need
        from covsim.simulator.schemes import labour

        result.update(scheme=scenario.scheme, denominator=ds.attrs["denominator"],
                      target_gaps=labour.target_gaps(ds, scenario))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(summary.coverage_table(result, observations.observed(scenario.region, scenario.scheme)))
        for gap in result.get("target_gaps", []):
            print(gap["reason"])
        if args.budget and "budget" in result:
            print(_budget_table(result["budget"]))
        if args.out:
            print(f"written: {args.out}")
    return 0


def _budget(ds, scenario, params, args) -> dict:
    from covsim import simulator
    from covsim.simulator.analysis import planning

    table, compared = planning.budget_against_baseline(
        ds, scenario, lambda base: simulator.run(base, params=params, draws=args.draws, seed=args.seed))
    out = {"units": "VND/year", "compared_with": compared}
    for column in table.columns:
        values = table[column].tolist()
        out[column] = [int(v) for v in values] if column == "year" else \
            [None if v != v else round(float(v), 1) for v in values]
    return out


def _budget_table(budget: dict) -> str:
    lines = ["budget (mean over draws, bn VND; VND per additional insured against "
             f"{budget['compared_with'] or 'no baseline'})",
             f"{'year':>4}  {'state':>9}  {'national':>9}  {'local':>9}  {'revenue':>9}  {'per add. insured':>16}"]
    per = budget.get("cost_per_additional_insured")
    for i, year in enumerate(budget["year"]):
        extra = f"{per[i]:,.0f}" if per and per[i] is not None else ""
        lines.append(f"{year:>4}  {budget['state_cost'][i] / 1e9:>9,.1f}  {budget['state_cost_national'][i] / 1e9:>9,.1f}"
                     f"  {budget['state_cost_local'][i] / 1e9:>9,.1f}  {budget['premium_revenue'][i] / 1e9:>9,.1f}"
                     f"  {extra:>16}")
    return "\n".join(lines)


def _parameters(scenario, args):
    """Posterior draws shipped for the region when calibration has them; else the priors."""
    from covsim.calibration import shipped

    return shipped.draws_for(scenario.region, args.draws, args.seed)


def cmd_scenarios(args) -> int:
    from covsim import simulator

    rows = []
    for name in simulator.shipped_scenarios():
        sc = simulator.load_scenario(name)
        rows.append({"name": sc.name, "region": sc.region, "years": f"{sc.start + 1}-{sc.end}",
                     "scheme": sc.scheme, "baseline": sc.baseline or "", "description": sc.description})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in rows)
    rwidth = max(len(r["region"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['region']:<{rwidth}}  {r['years']}  {r['scheme']}  {r['description']}")
    return 0


def cmd_check_data(args) -> int:
    from covsim.simulator.inputs import datacheck

    findings = datacheck.check_all()
    if args.json:
        print(json.dumps([{"file": f.file, "key": f.key, "message": f.message} for f in findings],
                         ensure_ascii=False))
    else:
        for f in findings:
            print(f)
        print(f"{len(findings)} contradictions found in the shipped plan tables")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="covsim", description="Simulate and forecast insurance coverage in Vietnam.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario and print coverage by year with its interval")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=f"a shipped scenario name or a TOML path (default: {DEFAULT_SCENARIO})")
    run.add_argument("--draws", type=_positive_int, default=200, help="Monte Carlo draws (default 200)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--out", help="write the full Dataset to this NetCDF file (.nc)")
    run.add_argument("--by-age", action="store_true", help="keep the age dimension in the output")
    run.add_argument("--scheme", choices=("bhyt", "bhxh", "bhtn"),
                     help="health (bhyt, default), social (bhxh) or unemployment (bhtn) insurance")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    run.add_argument("--budget", action="store_true", help="also print state cost and fund revenue by year")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    scen = sub.add_parser("scenarios", help="list the shipped scenarios")
    scen.add_argument("--json", action="store_true")
    scen.set_defaults(func=cmd_scenarios)

    check = sub.add_parser("check-data", help="validate the shipped data and list where plan tables contradict themselves")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check_data)

    import importlib

    for name in COMMAND_MODULES:  # every one exists: a missing module is an error, never skipped
        importlib.import_module(name).register(sub)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    from covsim.simulator.errors import InputError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        sys.stderr.write(f"covsim: error: {exc}\n")
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("covsim: interrupted; nothing written\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
