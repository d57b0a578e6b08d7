"""`covsim`: a thin command line over the engine's public functions.

Bad input ends in one line on stderr naming the file, the key and what is allowed, exit status 2,
and no output file.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager

from covsim.simulator.inputs.regions import NATIONAL
from covsim.simulator.inputs.scheme_ids import SCHEMES

DEFAULT_SCENARIO = NATIONAL  # the country's baseline scenario is named after its region
#: Whether this process is the `covsim` command (`covsim.cli.entry` sets it), not a test calling
#: `main` in its own process: a command that has finished its work may then ignore signals until
#: the process exits (`covsim batch`, once its store is written and said).
CONSOLE = False
#: Modules that add their own subcommands: each has `register(subparsers)`.
COMMAND_MODULES = ("covsim.cli.forecasting", "covsim.cli.planning", "covsim.cli.serve", "covsim.cli.batch",
                   "covsim.cli.brief", "covsim.cli.regions", "covsim.cli.scenario_template")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # '--d 5' is no option: an abbreviation that works today breaks when an option is added
        # beside it ('--draws', '--denominator'), and scripts would lean on it; options are public
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, exit 2, as every other bad input
        from covsim.simulator.errors import one_line

        sys.stderr.write(f"covsim: error: {one_line(message)}\n")
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
    """Progress goes to stderr, for a person watching it: shown when stderr is a terminal (also
    when stdout is piped or `--json`), unless `--quiet`."""
    return not args.quiet and sys.stderr.isatty()


def check_run_size(scenario, args, cell_bytes: int | None = None) -> None:
    """Refuse, before any work, a run that would pass the memory limit (issue 42); `cell_bytes`
    for a command that keeps more than a run per draw, year and group (runsize.BRIEF_CELL_BYTES)."""
    check_draws_size(args, args.draws, len(scenario.years), f"{args.draws:,} draws of {scenario.name}",
                     getattr(args, "by_age", False), cell_bytes)


def past_start(start: int, year: int, key: str = "--from", today=None) -> str | None:
    """For a plan whose target year is still ahead, a note when its first year has already begun:
    the default start is the year after the data's last figure, which can lie behind the calendar,
    and a planner today cannot act in it. Only said (the numbers stay those of `start`, so a run is
    reproducible whatever the day)."""
    from datetime import date

    today = today or date.today()
    if year <= today.year or start > today.year:
        return None
    when = "has begun" if start == today.year else "is past"
    return f"{start}, a year that {when} (today is {today.isoformat()}); for a plan made now, give {key} {today.year + 1}"


def note_lever_start(start: int, year: int) -> None:
    """`solve`'s and `brief`'s note when the levers' first year is already past for a plan ahead."""
    passed = past_start(start, year)
    if passed:
        sys.stderr.write(f"covsim: note: the levers act from {passed}\n")


def note_idle(scenario) -> None:
    """A scenario's levers this run's scheme never reads (`Scenario.idle`): said on stderr as it
    starts, not only in the footer, since the run succeeds with them changing nothing."""
    idle = scenario.idle()
    if idle:
        sys.stderr.write(f"covsim: note: {scenario.name} sets {', '.join(idle)}, which {scenario.scheme} never reads: "
                         f"{'it changes' if len(idle) == 1 else 'they change'} nothing in this run\n")


def note_former(region: str, year: int, known=None) -> None:
    """A target year from the merger on, for a former province: say which unit it is part of now
    (not as of a day before the merger was decided, `known`)."""
    from covsim.simulator.inputs.regions import former_note

    note = former_note(region, year, known)
    if note:
        sys.stderr.write(f"covsim: note: {note}\n")


def check_draws_size(args, draws: int, years: int, what: str, by_age: bool = False,
                     cell_bytes: int | None = None) -> None:
    """Refuse, before any work, `draws` kept for every year and group of `years` (a run, a fit, a
    forecast: `what`, said in the message) past the memory limit (`--memory-limit`, else 80% of
    the memory available)."""
    from covsim.simulator.analysis import runsize
    from covsim.simulator.inputs.groups import GROUP_IDS

    estimate = runsize.run_estimate(draws, years, len(GROUP_IDS), by_age, cell_bytes or runsize.RUN_CELL_BYTES)
    runsize.check(estimate, getattr(args, "memory_limit", None), "--draws",
                  f"{what} over {years} years" + (" by age" if by_age else ""),
                  "use fewer --draws" + (" or leave out --by-age" if by_age else ""))


def cmd_run(args) -> int:
    from covsim import simulator
    from covsim.simulator.inputs import observations
    from covsim.cli import summary

    scenario = simulator.load_scenario(args.scenario)
    if args.scheme:
        scenario = scenario.with_scheme(args.scheme)
    note_idle(scenario)
    if args.out is not None:  # '' too: refused as the folder it names, never silently ignored
        simulator.output.check_destination(args.out)
    elif args.by_age:  # the table and --json are by group: without a file the flag would do nothing
        from covsim.simulator.errors import InputError

        raise InputError("--by-age", None, "keeps the age dimension in the --out file, and the table and --json "
                                           "are by group; allowed: --by-age with --out FILE.nc, or no --by-age")
    check_run_size(scenario, args)
    params = _parameters(scenario, args)
    with _progress(len(scenario.years) - 1, _show_progress(args), scenario.name) as tick:
        ds = simulator.run(scenario, params=params, draws=args.draws, seed=args.seed, by_age=args.by_age,
                           progress=tick)
    from covsim.simulator.schemes import scheme

    result = summary.coverage_summary(ds, scenario)
    result["scheme"] = scenario.scheme  # every scheme's run says which it is, as the labour ones did
    result["groups"] = summary.group_summary(ds, scenario.region)  # by group, as the --out file holds it
    entry = scheme(scenario.scheme)
    if entry.budget:  # money flows, against the baseline on the same draws for a reform
        result["budget"] = _budget(ds, scenario, params, args)
    if entry.target_gaps:  # BHXH / BHTN: name the denominator; what each plan target would need
        result.update(denominator=ds.attrs["denominator"],
                      target_gaps=entry.target_gaps(ds, scenario))
    if scenario.scheme == "bhxh" and args.budget:  # the one state cost the labour layer models
        result["voluntary_subsidy_cost"] = _subsidy_cost(ds, scenario)
    observed = observations.observed(scenario.region, scenario.scheme)
    # the figures the table's `observed` column prints, with their sources: the JSON gives what the text does
    result["observed"] = [{k: None if row[k] != row[k] else row[k] for k in ("year", "group", "value", "unit", "source", "note")}
                          for row in observed.to_dict("records") if scenario.start <= row["year"] <= scenario.end]
    if args.out:  # last, once everything it summarises has been computed: no file from a failed run
        simulator.write_netcdf(ds, args.out)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(summary.coverage_table(result, observed))
        # what reproduces it (scenario, seed, data, code) and every assumed number it rests on, as the
        # other text outputs give them: a table pasted into a report carries its own provenance
        print("\n".join(summary.provenance_lines(result["provenance"])))
        for gap in result.get("target_gaps", []):
            print(gap["reason"])
        if args.budget and "budget" in result:
            print(_budget_table(result["budget"]))
        elif args.budget and "voluntary_subsidy_cost" in result:
            print(_subsidy_table(result["voluntary_subsidy_cost"]))
        elif args.budget:
            sys.stderr.write(f"covsim: note: --budget: no budget table for {scenario.scheme}; the state's cost "
                             "is counted for health insurance (bhyt) and the voluntary BHXH subsidy only\n")
        if args.out:
            print(f"written: {args.out}")
    return 0


def _budget(ds, scenario, params, args) -> dict:
    from covsim import simulator
    from covsim.simulator.analysis import planning

    ran = []  # the baseline as it ran: its file may change or go, and the extra_* columns with it

    def run(base):
        ran.append(base)
        return simulator.run(base, params=params, draws=args.draws, seed=args.seed)

    table, compared = planning.budget_against_baseline(ds, scenario, run)
    out = {"units": "VND/year", "compared_with": compared}
    if ran:
        out["compared_with_record"] = {"scenario": ran[0].name, "scenario_hash": ran[0].hash,
                                       "scenario_definition": ran[0].resolved()}
    for column in table.columns:
        values = table[column].tolist()
        out[column] = [int(v) for v in values] if column == "year" else \
            [None if v != v else round(float(v), 1) for v in values]
    # `units` is the money's; the block also holds counts and a monthly salary: each column's own
    # (a column's 10% and 90% quantiles over draws, `_lo80` and `_hi80`, in the column's own)
    out["units_of"] = {c: BUDGET_UNITS.get(c.removesuffix("_lo80").removesuffix("_hi80"), "VND/year")
                       for c in table.columns if c != "year"}
    return out


#: The budget's columns not in VND a year (`run --budget --json`, `units_of`): the price of a person insured
#: is one year's extra cost over that year's extra insured.
BUDGET_UNITS = {"insured": "persons", "base_salary": "VND/month", "cost_per_additional_insured": "VND/person/year",
                "extra_insured": "persons"}


def _subsidy_cost(ds, scenario) -> dict:
    """The state's support of voluntary BHXH contributions by year: mean and 80% interval over draws,
    VND (what the labour layer's `state_cost` holds; the subsidy rates are in labour_policy.csv)."""
    from covsim.simulator.analysis.planning import BAND80

    cost = ds.state_cost.sel(region=scenario.region).sum("group")
    q = cost.quantile(list(BAND80), dim="draw").values
    return {"year": [int(y) for y in cost.year.values], "mean": [float(v) for v in cost.mean("draw").values],
            "lo": [float(v) for v in q[0]], "hi": [float(v) for v in q[1]], "units": "VND/year"}


def _subsidy_table(cost: dict) -> str:
    lines = ["state support of voluntary BHXH contributions (bn VND a year; mean, 10%-90% over draws)",
             f"{'year':>4}  {'mean':>9}  {'10%-90%':>17}"]
    for i, year in enumerate(cost["year"]):
        lines.append(f"{year:>4}  {cost['mean'][i] / 1e9:>9,.1f}  {cost['lo'][i] / 1e9:>7,.1f}-{cost['hi'][i] / 1e9:>7,.1f}")
    return "\n".join(lines)


def _budget_table(budget: dict) -> str:
    from covsim.simulator.analysis import planning

    against = (f"; VND per additional insured against {budget['compared_with']}" if budget["compared_with"]
               else "; the policy in force: no comparison")
    lines = [f"budget (mean over draws, and the state's cost 10%-90% over draws; bn VND{against})",
             f"{'year':>4}  {'state':>9}  {'10%-90%':>17}  {'national':>9}  {'local':>9}  {'revenue':>9}"
             f"  {'per add. insured':>16}  {'10%-90%':>23}"]
    per = budget.get("cost_per_additional_insured")
    lo, hi = budget["state_cost_lo80"], budget["state_cost_hi80"]
    for i, year in enumerate(budget["year"]):
        extra = f"{planning.shown_per_insured(per[i]):,.0f}" if per and per[i] is not None else ""
        if extra:  # the price of a person insured is as uncertain as the money: its band beside it
            band = planning.per_insured_band_text(budget["cost_per_additional_insured_lo80"][i],
                                                  budget["cost_per_additional_insured_hi80"][i])
            extra = f"{extra:>16}  {band:>23}"
        lines.append(f"{year:>4}  {budget['state_cost'][i] / 1e9:>9,.1f}  {lo[i] / 1e9:>8,.1f}-{hi[i] / 1e9:>8,.1f}"
                     f"  {budget['state_cost_national'][i] / 1e9:>9,.1f}"
                     f"  {budget['state_cost_local'][i] / 1e9:>9,.1f}  {budget['premium_revenue'][i] / 1e9:>9,.1f}"
                     f"  {extra:>16}".rstrip())
    if budget["year"] and budget["state_cost"][0] == 0 < budget["premium_revenue"][0]:  # said, not left to be
        # read as the state paying nothing that year
        lines.append(f"the first row, {budget['year'][0]}, is the state the run starts from: its revenue is that state's "
                     "insured at that year's premium, its state cost 0, as the data hold no state share before Law "
                     "25/2008's (in force from 1 July 2009)")
    # as the briefing, page and workbook say: the state's premiums are in both columns
    lines.append("revenue: the fund's premium revenue, the state's share included (do not add it to state)")
    return "\n".join(lines)


def _parameters(scenario, args):
    """Posterior draws shipped for the region when calibration has them; else the priors."""
    from covsim.calibration import shipped

    return shipped.draws_for(scenario.region, args.draws, args.seed, scheme_id=scenario.scheme)


def cmd_scenarios(args) -> int:
    from covsim import simulator
    from covsim.calibration.learned import mostly_prior
    from covsim.calibration.shipped import learned_of
    from covsim.simulator.schemes import scheme

    rows = []
    for name in simulator.shipped_scenarios():
        sc = simulator.load_scenario(name)
        learned = learned_of(sc.region, sc.scheme)  # the region's fit: what it leaves to the priors
        rows.append({"name": sc.name, "region": sc.region, "years": f"{sc.start + 1}-{sc.end}",
                     "scheme": sc.scheme, "baseline": sc.baseline or "", "description": sc.description,
                     "assumptions": sc.assumptions(), "fixed": list(scheme(sc.scheme).fixed_for([sc.region], sc.end)),
                     "mostly_prior": None if learned is None else mostly_prior(learned)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in rows)
    rwidth = max(len(r["region"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['region']:<{rwidth}}  {r['years']}  {r['scheme']}  {r['description']}")
        for line in r["assumptions"] or ["none"]:  # "none" said, not left to be guessed from a gap
            print(f"{'':<{width}}  assumed: {line}")
        mostly = r["mostly_prior"]
        print(f"{'':<{width}}  fitted, mostly the prior: "
              + ("(no calibrated posterior: every parameter is the prior's)" if mostly is None else
                 ", ".join(f"{n} {c:.2f}" for n, c in mostly.items()) or "none"))
        for line in r["fixed"][len(scheme(r["scheme"]).fixed):]:  # what its own years add (a run past 2030)
            print(f"{'':<{width}}  also held fixed: {line}")
    for sid in dict.fromkeys(r["scheme"] for r in rows):  # once per scheme: the same in each of its scenarios
        print(f"every {sid} scenario holds fixed (assumed, not fitted): " + "; ".join(scheme(sid).fixed))
    from covsim.simulator.inputs.regions import mergeable
    from covsim.simulator.inputs.scenario import offered_regions

    bare = [r for r in offered_regions() if r not in {row["region"] for row in rows}]  # no scenario file of their own
    units = [r for r in bare if r in mergeable()]
    others = [r for r in bare if r not in units]
    parts = ([f"the 2025 units {', '.join(units)}"] if units else []) + ([f"other regions {', '.join(others)}"]
                                                                         if others else [])
    if parts:
        print("also run as their baseline, the national policy in force with their own rows (`covsim run NAME`, or a "
              "reform's `baseline`): " + "; ".join(parts))
    return 0


def _data_in_use() -> str:
    """Where the data in use live: the shipped (or COVSIM_DATA_DIR) folder and any regions added."""
    from covsim.simulator.inputs import tables, user_data

    added = f" and the regions added in {user_data.user_dir()}" if user_data.region_dirs() else ""
    return f"the data in {tables.data_dir()}{added}"


def cmd_check_data(args) -> int:
    """Every fault of the data (file, row, column), then the plans' own contradictions. Faults
    end in exit 2, since no other command will run on such data; contradictions are the plans'
    as printed, and leave the exit status 0."""
    from covsim.simulator.inputs import datacheck, validate

    problems = validate.problems(user=True)  # the data in use: shipped, and the regions added
    findings = [] if problems else datacheck.check_all()
    if args.json:  # a list of findings, as before; faults carry "problem": true
        print(json.dumps([{"file": f.file, "key": f.key, "message": f.message, "problem": True} for f in problems]
                         + [{"file": f.file, "key": f.key, "message": f.message} for f in findings],
                         ensure_ascii=False))
    else:
        for f in problems + findings:
            print(f)
        if problems:
            print(f"{len(problems)} problems found in {_data_in_use()}; nothing runs until they are fixed")
        else:
            labour_tables = {f"{t}.csv" for t in datacheck.NEEDED_BY_LABOUR}
            missing = sum(f.key == "file" and f.file in labour_tables for f in findings)
            print(f"{len(findings) - missing} contradictions found in the shipped plan tables"
                  + (f"; {missing} labour table(s) missing, which the BHXH and BHTN runs need" if missing else ""))
            print("\npopulation against the census (model: the steered projection; gap = model / census - 1)")
            print(f"{'region':<22} year  {'basis':<8} {'kind':<8} {'model':>12} {'census':>12}  {'gap':>7}")
            for gap in datacheck.census_gaps():
                print(gap)
            print("\nage structure against the census (share of the population in each band; gap in points; "
                  "the initial shape is fitted to the nation's bands, which provinces without their own share)")
            print(f"{'region':<22} year  {'band':<6} {'model':>7} {'census':>7}  {'gap':>6}")
            for row in datacheck.age_gaps():
                print(f"{row['region']:<22} {row['year']}  {row['band']:<6} {100 * row['model']:>6.1f}% "
                      f"{100 * row['census']:>6.1f}%  {row['gap_points']:+6.2f}")
            print("\nresident and registered population (coverage is a share of the resident population; "
                  "registered is assumed: residents less the estimated net migrants since the 2009 census)")
            print(f"{'region':<22} year  {'resident':>12} {'registered':>12}")
            for row in datacheck.residents_and_registered():
                print(f"{row['region']:<22} {row['year']}  {row['resident']:>12,.0f} {row['registered']:>12,.0f}")
    if problems:
        sys.stderr.write(f"covsim: error: {len(problems)} problems in {_data_in_use()} (listed above)\n")
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="covsim", description="Simulate and forecast insurance coverage in Vietnam.")
    parser.add_argument("--version", action="version", version=f"covsim {_version()}",
                        help="the package version and the hash of the package's code, then exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario and print coverage by year with its interval")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=f"a shipped scenario name, or a TOML or .xlsx path (default: {DEFAULT_SCENARIO})")
    run.add_argument("--draws", type=_positive_int, default=200, help="Monte Carlo draws (default 200)")
    run.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    run.add_argument("--out", help="write the full Dataset to this NetCDF file (.nc)")
    run.add_argument("--by-age", action="store_true", help="keep the age dimension in the output")
    run.add_argument("--scheme", choices=SCHEMES,
                     help="health (bhyt), social (bhxh) or unemployment (bhtn) insurance (default: the one "
                          "the scenario or its baseline names, bhxh in the labour plans; else bhyt)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    run.add_argument("--budget", action="store_true", help="also print state cost and fund revenue by year")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    add_memory_limit(run)
    run.set_defaults(func=cmd_run)

    scen = sub.add_parser("scenarios", help="list the shipped scenarios")
    scen.add_argument("--json", action="store_true", help="print one JSON list")
    scen.set_defaults(func=cmd_scenarios)

    check = sub.add_parser("check-data", help="validate the shipped data and list where plan tables contradict themselves")
    check.add_argument("--json", action="store_true",
                       help='print a JSON list of the problems found ([{"file", "key", "message"}, ...]); the '
                            "population, age-structure and resident tables are in the text output only")
    check.set_defaults(func=cmd_check_data)

    import importlib

    for name in COMMAND_MODULES:  # every one exists: a missing module is an error, never skipped
        importlib.import_module(name).register(sub)
    return parser


SEED_MAX = 2**32 - 1
SEED_HELP = f"random seed, a whole number in 0..{SEED_MAX} (default 0)"


def seed(text: str) -> int:
    """A seed every consumer takes: NumPy's generators, emcee, and a NetCDF int64 attribute."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"{value} is outside 0..{SEED_MAX}")
    return value


def add_memory_limit(parser) -> None:
    parser.add_argument("--memory-limit", metavar="SIZE",
                        help="the most memory the run may plan to use, e.g. 8G (default: 80%% of the memory "
                             "available when it starts); a larger run is refused before it begins")


def _version() -> str:
    from covsim.simulator.schemes.provenance import code_version

    return code_version()


def _region_help(accepted=None) -> str:
    from covsim.simulator.inputs.scenario import offered_regions

    try:
        return ", ".join((accepted or offered_regions)())
    except Exception:  # data unreadable: the command itself will say why  # noqa: BLE001
        return "see `covsim scenarios`"


def region_help(accepted=None) -> str:
    """The REGION argument's help: the ids `accepted()` returns (by default every offered region),
    the same list the command's one-line error gives as allowed."""
    return f"a region id: {_region_help(accepted)}"


def workbook_out(text: str):
    """`--out` of a template: a new .xlsx in a folder that exists (one line, exit 2, otherwise)."""
    from pathlib import Path

    from covsim.simulator.errors import InputError

    out = Path(text)
    if out.suffix.lower() != ".xlsx":
        raise InputError("--out", text, "the template is an Excel workbook; give a name ending in .xlsx")
    if not out.parent.is_dir():
        raise InputError("--out", text, f"'{out.parent}' is a file, not a folder" if out.parent.exists()
                         else f"folder {out.parent} does not exist")
    from covsim.simulator.output import check_destination

    checked = check_destination(out, (".xlsx",))  # a folder named *.xlsx, a read-only folder: named here
    if out.is_file():  # a filled copy under the same name would be lost to an empty one
        raise InputError("--out", text, "exists, and a template would replace it and all filled in it; "
                                        "give a new name, or delete the file first")
    return checked


def _year(text: str) -> int:
    import argparse

    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year; allowed: a whole year, e.g. 2020") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


#: Commands that do not need the data validated first (check-data reports the faults itself; a
#: region's template and its removal must work while a registered region's files are at fault).
NO_DATA_CHECK = ("check-data", "region template", "region remove")


def _checks_data(args) -> bool:
    return args.command not in NO_DATA_CHECK and f"{args.command} {getattr(args, 'action', '')}" not in NO_DATA_CHECK


def _terminate_as_exit() -> None:
    """SIGTERM unwinds as an exception does, so temporary files are removed on the way out."""
    import signal

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)  # the terminal closed


#: The exit codes of a command a signal stopped after it said what it kept (Ctrl-C, SIGTERM).
STOPPED = (130, 143)


def _end_now(code: int) -> None:
    """End the process at once, without the interpreter's finalisation: the code the signal cut
    short (a checkpoint half-written to a temporary file, a library lock it held) may leave a
    finaliser to wait for ever or to raise again (a batch stopped by SIGTERM, its line written,
    hung at exit or ended by SIGINT under load). Nothing is lost: every checkpoint is whole on
    disk, a temporary file is removed by the next run (`--resume`)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _signed_values(argv: list[str]) -> list[str]:
    """`--memory-limit -5G` as `--memory-limit=-5G`: argparse takes a value that starts with '-' and
    is not a plain negative number for an option, and says only "expected one argument"; joined,
    the option's own check names what is allowed. No option or positional of covsim is a
    negative-looking word, so only a value can be meant."""
    out: list[str] = []
    for i, token in enumerate(argv):
        if token == "--":  # after it every token is a positional, as the user wrote it
            return out + argv[i:]
        if (out and out[-1].startswith("--") and out[-1] != "--" and "=" not in out[-1] and len(token) > 1
                and token[0] == "-" and (token[1].isdigit() or token[1] == ".")):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _option_hint(parser: argparse.ArgumentParser, args, extra: list[str]) -> str:
    """' (did you mean --draws?)' for the first unrecognised option, among the command's own."""
    from covsim.simulator.errors import nearest

    def chosen(p: argparse.ArgumentParser) -> argparse.ArgumentParser | None:
        """The (sub)command the user named, down to its last level (`region template`), whose
        options alone are offered: another action's (`region observe --source`) would be refused too."""
        sub = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            return p
        picked = sub.choices.get(getattr(args, sub.dest, None))
        return chosen(picked) if picked is not None else None

    command = chosen(parser)
    given = next((e.split("=")[0] for e in extra if e.startswith("--")), None)
    if command is None or command is parser or given is None:
        return ""
    known = list(dict.fromkeys(o for a in command._actions for o in a.option_strings if o.startswith("--")))
    starts = [o for o in known if o.startswith(given)]  # an abbreviation: the options it could mean
    if starts:
        return f" (options are spelt out in full: {' or '.join(starts)}?)"
    # compared without the dashes every option shares, which alone made '--json' look like '--out'
    return nearest(given[2:], [o[2:] for o in known], shown={o[2:].lower(): o for o in known})


def main(argv: list[str] | None = None) -> int:
    from covsim.simulator.errors import InputError

    parser = build_parser()
    args, extra = parser.parse_known_args(_signed_values(sys.argv[1:] if argv is None else argv))
    if extra:  # as parse_args says it, with the option meant where one was cut short or misspelt
        parser.error(f"unrecognized arguments: {' '.join(extra)}{_option_hint(parser, args, extra)}")
    if argv is None:  # the command itself, not a caller in this process
        _terminate_as_exit()
    try:
        if _checks_data(args):
            from covsim.simulator.inputs import validate

            validate.require_valid()
        code = args.func(args)
        if argv is None and code in STOPPED:
            _end_now(code)
        return code
    except InputError as exc:
        for line in getattr(exc, "lines", None) or [str(exc)]:  # a workbook's problems: one line each
            sys.stderr.write(f"covsim: error: {line}\n")
        return 2
    except (IsADirectoryError, NotADirectoryError, PermissionError, FileExistsError, OSError) as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into `head` and the like
            sys.stderr.close()
            return 0
        # the file system refused (read-only, full, a folder where a file should be): one line
        from covsim.simulator.errors import one_line

        where = exc.filename or "covsim"
        sys.stderr.write(f"covsim: error: {one_line(f'{where}: {exc.strerror or exc}')}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("covsim: interrupted; nothing written\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
