"""`covsim target`, `solve`, `sensitivity` and `allocate`: what planners and target-setters ask.

Thin faces over covsim.simulator's planning, solve, sensitivity and allocate modules; draws come
from the region's shipped posterior, as for `covsim run`.
"""
from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

from covsim.cli.summary import print_boundaries
from covsim.simulator.errors import InputError
from covsim.simulator.inputs.levers import LEVERS
from covsim.simulator.inputs.numbers import decimal
from covsim.simulator.inputs.scheme_ids import LABOUR_DENOMINATORS, SCHEMES


def _float(text: str) -> float:
    """A number as typed, a decimal comma too ('0,95', as `brief --lever` takes it)."""
    import argparse

    try:
        return decimal(text)
    except ValueError:
        percent = text.strip().removesuffix("%")
        hint = ""
        if percent != text.strip():  # '95%': said as the share it means
            try:
                hint = f" (did you mean {float(percent.replace(',', '.')) / 100:g}?)"
            except ValueError:
                pass
        raise argparse.ArgumentTypeError(f"'{text}' is not a number{hint}; allowed: a share such as 0.95 "
                                         "(or 0,95), not a percent") from None


def _common(p, scheme: bool = True, accepted=None, scheme_help: str = "insurance scheme (default: the scenario's)") -> None:
    from covsim.cli.main import SEED_HELP, _positive_int, add_memory_limit, region_help, seed

    p.add_argument("region", help=region_help(accepted))
    p.add_argument("--scenario", help="a shipped scenario of the region, or a TOML or .xlsx path (default: the region's baseline)")
    p.add_argument("--draws", type=_positive_int, default=200, help="posterior draws (default 200)")
    p.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    if scheme:
        p.add_argument("--scheme", choices=SCHEMES, help=scheme_help)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_memory_limit(p)


def _scenario(args):
    """The scenario asked for, checked to be of the region asked for."""
    from covsim import simulator
    from covsim.simulator.inputs.regions import unknown
    from covsim.simulator.inputs.scenario import offered_regions

    regions = offered_regions()
    if args.region not in regions:
        raise InputError("region", args.region, f"{unknown(args.region, regions)}; allowed: {', '.join(regions)}")
    scenario = simulator.load_scenario(args.scenario or args.region)
    if scenario.region != args.region:
        raise InputError(scenario.path or scenario.name, "region",
                         f"scenario '{scenario.name}' is of region '{scenario.region}', not '{args.region}'")
    if getattr(args, "scheme", None):
        scenario = scenario.with_scheme(args.scheme)
    from covsim.cli.main import note_idle

    note_idle(scenario)
    return scenario


def _boundaries(scenario, years: list[int] | None = None, known=None) -> list[dict]:
    """Which boundaries each year of the scenario's run (or `years`, an allocation's) is reported in
    (the 1 July 2025 change; as of a day before it was decided, `known`, not named)."""
    from covsim.simulator.inputs.regions import boundaries

    return boundaries(scenario.region, years or scenario.years, known)


def _draws(scenario, args):
    from covsim.calibration import shipped
    from covsim.cli.main import check_run_size

    check_run_size(scenario, args)
    return shipped.draws_for(scenario.region, args.draws, args.seed, scheme_id=scenario.scheme)


def _day(text: str):
    import argparse
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day (YYYY-MM-DD)") from None


# target --------------------------------------------------------------------------------------

def check_known(known, until: int | None) -> None:
    """`--known` is a day of an as-of fit (`target` and `brief`): without `--until`, refused."""
    if known is not None and until is None:
        raise InputError("--known", known.isoformat(), "is the day an as-of fit knows policy by: give --until YEAR too")


def check_as_of(scenario, year: int, until: int, known, units: bool = False) -> None:
    """What cannot be as of `until` (`target` and `brief --until`), refused before minutes of fitting;
    `units`: a 2025 unit taken, as its former provinces' fits (`target`)."""
    from covsim.calibration.forecast import check_health_as_of, check_until
    from covsim.cli.forecasting import check_fitted

    check_fitted(scenario.region, "--until", str(until), units=units)  # an as-of answer needs fits
    check_until(until, scenario.scheme)  # inside the observed record, before the year's relation to it
    if year <= until:
        raise InputError("--year", str(year), f"is not after --until {until}: as of then its outcome was already known")
    if known is not None and known.year != until + 1:
        raise InputError("--known", known.isoformat(), f"must be a day of {until + 1}, the year after --until {until} "
                                                       "(whose year-end figures it knows)")
    check_health_as_of(until, scenario.scheme)
    from covsim.simulator.analysis.planning import check_drive_known, check_plan_known
    from covsim.simulator.inputs.decisions import knowledge_day

    check_drive_known(scenario, knowledge_day(until, known), "--scenario")
    check_plan_known(scenario, knowledge_day(until, known))


def parse_levers(items: list[str], scheme: str | None = None) -> dict[str, float]:
    """['near_poor=0.9', 'drive=1'] -> {'state_share.near_poor': 0.9, 'drive': 1.0}. A name the
    briefing does not take is refused listing those it takes for `scheme` (else for any)."""
    from covsim.dashboard import compute
    from covsim.simulator.analysis import planning
    from covsim.simulator.inputs.levers import value_problem

    out = {}
    offered = [s["path"] for s in compute.lever_specs()]
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError("--lever", item, "expected NAME=VALUE, e.g. near_poor=0.9")
        try:  # lists, and seeks among, the briefing's
            path = planning.parse_lever(name, where="--lever", valid=offered)
        except InputError:
            if scheme is None:
                raise
            planning.parse_lever(name, where="--lever", valid=[s["path"] for s in compute.lever_specs()
                                                               if scheme in s["schemes"]])
            raise
        if path in out:  # the last would silently win: say so, as `solve --levers` does
            raise InputError("--lever", name, f"names {path} twice; give each lever once")
        try:
            out[path] = decimal(value)
        except ValueError:
            raise InputError("--lever", item, f"'{value}' is not a number") from None
        problem = value_problem(path, out[path])  # the scenario file's words, its percent hint too
        if problem:
            raise InputError("--lever", item, problem.replace(str(out[path]), value, 1))  # as typed
    return out


def _target_as_of(scenario, args) -> dict:
    """`target --until YEAR [--known DAY] [--score]`: fitted on what was observed by YEAR, under the
    policy decided by its end (or by DAY): with the backtest's sampling, so that `--until` the year
    before a target was set, `--known` its day and `--draws 300` give the backtest's `model_p`."""
    from covsim.calibration.backtest import SETTINGS
    from covsim.calibration.scoring import outcome, target_as_of
    from covsim.simulator.inputs.observations import observed

    check_as_of(scenario, args.year, args.until, args.known, units=True)
    if args.score:  # refuse before a minute of fitting
        outcome(scenario.region, args.year, args.target)
    settings = dataclasses.replace(SETTINGS, draws=max(args.draws, 300), seed=args.seed)
    report = target_as_of(scenario, args.until, args.target, args.year, args.draws, args.seed, settings,
                          known=args.known)
    if args.score:
        report["outcome"] = outcome(scenario.region, args.year, args.target)
        series = observed(scenario.region)
        report["observed"] = round(float(series[series.year == args.year].value.mean()), 6)
        report["brier"] = round((report["probability"] - report["outcome"]) ** 2, 6)
        report["brier_published"] = round((report["probability_published"] - report["outcome"]) ** 2, 6)
    return report


def _with_typed_levers(scenario, args) -> tuple:
    """`target --lever NAME=VALUE [--from YEAR]`: the scenario with the levers moved, as `brief`
    and the page move them, so a mix `solve` prints can be checked by hand without writing a file.
    On the whole record's fit: as of a year, or with each number held fixed, a scenario file says it."""
    from covsim.simulator.analysis import planning

    if not args.lever:
        if args.start is not None:
            raise InputError("--from", str(args.start), "sets the year --lever takes effect; give --lever too")
        return scenario, None
    if args.until is not None or args.held_fixed:
        raise InputError("--lever", args.lever[0], "moves levers on the whole record's fit; with "
                                                   f"{'--until' if args.until is not None else '--held-fixed'} give "
                                                   "them in a scenario file (--scenario FILE), or use brief --until")
    levers = parse_levers(args.lever, scenario.scheme)
    planning.check_acting(scenario, levers, "--lever")
    start = args.start if args.start is not None else planning.lever_start(scenario, args.year)
    if not scenario.start < start <= args.year:
        raise InputError("--from", str(start), f"is outside {scenario.start + 1}..{args.year}")
    planning.check_unit_start(scenario, start, list(levers), given=args.start is not None)
    return planning.with_levers(scenario, levers, start), {"changed": levers, "start": start}


def cmd_target(args) -> int:
    from covsim import simulator
    from covsim.calibration.learned import leans_on
    from covsim.cli.summary import print_provenance
    from covsim.simulator.analysis import planning
    from covsim.simulator.schemes import provenance, scheme

    planning.check_target(args.target)
    scenario = _scenario(args)
    planning.check_year(scenario, args.year)
    scenario, typed = _with_typed_levers(scenario, args)
    planning.check_denominator(scenario, args.denominator)
    if args.denominator and args.until is not None:
        raise InputError("--denominator", args.denominator, "as-of forecasts (--until) are of health insurance; "
                                                            "give one or the other")
    if args.score and args.until is None:
        raise InputError("--score", "given", "scores a probability as of a year: give --until YEAR too")
    check_known(args.known, args.until)
    if args.held_fixed:  # refuse before minutes of fitting
        from covsim.calibration import held_fixed

        held_fixed.check(scenario, args.until)
    failed = None
    if args.until is not None:
        from covsim.cli.summary import unconverged_as_of

        report = _target_as_of(scenario, args)
        failed = unconverged_as_of(args.until, report["convergence"])
        if failed:  # never used silently
            sys.stderr.write(f"covsim: warning: {failed}\n")
    else:
        params = _draws(scenario, args)
        ds = simulator.run(scenario, params=params, draws=args.draws, seed=args.seed)
        report = planning.target_report(ds, scenario, args.target, args.year, denominator=args.denominator)
        from covsim.calibration.forecast import published_chance

        cov = planning.region_coverage(ds, scenario, args.denominator)  # health's: no denominator (refused above)
        report.update(published_chance(cov, params, args.seed, args.year, args.target, scenario.scheme))
        report["leans_on"] = leans_on(params, cov.sel(year=args.year).values
                                      >= args.target, scenario.region, scheme(scenario.scheme).learned_attr,
                                      scheme(scenario.scheme).unread, scenario.rests_on())
        report["provenance"] = provenance.record(ds.attrs)
    if args.held_fixed:
        report["held_fixed"] = _held_fixed(scenario, args)
    from covsim.simulator.inputs.decisions import knowledge_day

    day = knowledge_day(args.until, args.known)  # as of a day: the merger only once it was decided
    report["boundaries"] = _boundaries(scenario, known=day)
    if typed:  # the levers typed and the year they act from, as brief --json gives them
        report.update(typed)
    from covsim.cli.main import note_former

    note_former(scenario.region, args.year, day)
    _note_observed(scenario, args)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    first = report["first_year_reached"]
    print(f"{scenario.name} ({scenario.region}, {scenario.scheme}), {report['draws']} draws, seed {report['seed']}")
    if typed:
        print("levers set (--lever): " + ", ".join(f"{k} {v:g}" for k, v in typed["changed"].items())
              + f", from {typed['start']}")
    as_of = f" as of {report['as_of']}" if "as_of" in report else ""
    print(f"target {100 * args.target:.2f}% in {args.year}: probability{as_of} {planning.probability_text(report['probability'])}"
          f" ({_monte_carlo_text(report['probability'], report['probability_se'], report['draws'])})")
    if failed:
        print(failed)
    if "probability_published" in report:  # the figure the target is judged on
        print(f"the published figure reaches it: probability {planning.probability_text(report['probability_published'])}"
              f" ({_monte_carlo_text(report['probability_published'], report['probability_published_se'], report['draws'])};"
              f" coverage plus the fit's reporting error, "
              f"sd {100 * report['reporting_error_sd']:.1f} points)")
    if "outcome" in report:
        print(f"observed {100 * report['observed']:.2f}%: outcome {report['outcome']}, Brier {report['brier']:.4f} "
              f"(the published figure's chance: {report['brier_published']:.4f})")
    share_of = {"labour_force": " (share of the labour force)", "required": " (share of those required to join)"}
    print(f"coverage in {args.year}{share_of.get(report.get('denominator'), '')}: "
          f"median {100 * report['median_coverage']:.1f}%, "
          f"80% interval {100 * report['lo80']:.1f}-{100 * report['hi80']:.1f}%")
    print("reached (and held) by: "
          f"{first['p50'] or 'not by ' + str(scenario.end)} in half the draws, "
          f"{first['p90'] or 'not by ' + str(scenario.end)} in 90%")
    if report["groups"]:
        # medians over draws, as the line above; the gap in points, the plan's target less the median
        planned = any(g["target"] is not None for g in report["groups"])
        print(f"{'group':<28} {'median':>8} {'80% interval':>13} {'target':>7} {'gap':>7}"
              + ("  probability" if planned else "") + "   (gap: target - median, points)")
        for g in report["groups"]:
            if g["coverage"] is None:  # a plan's target for a group the run has no one in
                print(f"{g['group']:<28} {'no one':>8} {'':>13} {100 * g['target']:>6.1f}%")
                continue
            target = f"{100 * g['target']:.1f}%" if g["target"] is not None else ""
            gap = f"{100 * g['gap']:+.1f}" if g["gap"] is not None else ""
            band = f"{100 * g['lo80']:.1f}-{100 * g['hi80']:.1f}%"
            chance = f"  {planning.probability_text(g['probability']):>11}" if g.get("probability") is not None else ""
            print(f"{g['group']:<28} {100 * g['coverage']:>7.1f}% {band:>13} {target:>7} {gap:>7}{chance}".rstrip())
    print_boundaries(report["boundaries"])
    print_provenance(report["provenance"])
    if report.get("leans_on"):  # how the answer moves with each number the figures did not measure
        mostly = set(report["provenance"].get("learned", {}).get("mostly_prior", []))

        def name(r: dict) -> str:  # a parameter a lever scales with (a drive's pull), not one of "those"
            if r["parameter"] in mostly or r.get("contraction") is None:
                return r["parameter"]
            return f"{r['parameter']} (the scenario's drive scales with it; contraction {r['contraction']:.2f})"

        print("probability with the lower / upper half of each of those parameters' draws: "
              + ", ".join(f"{name(r)} {planning.probability_text(r['probability_low_half'])} / "
                          f"{planning.probability_text(r['probability_high_half'])}" for r in report["leans_on"]))
    if report.get("held_fixed"):
        print(held_fixed_line(report["held_fixed"]))
    return 0


def _note_observed(scenario, args, solving: bool = False) -> None:
    """A target year already observed, asked without --until: a look back whose fit saw the figure
    (as `allocate` says of such years); said on stderr, with the figure and the as-of question
    (`solving`: `solve`'s, which prices levers in years already past and has no --until)."""
    from covsim.calibration.shipped import has_posterior
    from covsim.cli.forecasting import fitted_regions
    from covsim.simulator.inputs import observations

    if getattr(args, "until", None) is not None or getattr(args, "denominator", None):
        return
    record = observations.observed(scenario.region, scenario.scheme)
    seen = record[record.year == args.year]
    if seen.empty:
        return
    # a region fitted on its own figures (not one run on the priors, nor a 2025 unit): else no fit saw
    # the figure, and --until is refused
    fitted = scenario.scheme == "bhyt" and scenario.region in fitted_regions() and has_posterior(scenario.region)
    saw = (", on a fit that saw the figure" + ("" if solving else f" (`--until {args.year - 1}` asks as of the year before)")
           if fitted else "")
    tail = ": what levers from the years already past would have taken" if solving else ""
    sys.stderr.write(f"covsim: note: {args.year} is already observed, {100 * seen.value.mean():.2f}%: a look back"
                     f"{saw}{tail}\n")


def _held_fixed(scenario, args) -> list[dict]:
    """`target --held-fixed`: the probability under each alternative of the numbers held fixed,
    refitted as the probability itself was (as of --until with the backtest's sampling, else as the
    stored posterior was fitted), with the same draws and seed."""
    import sys

    from covsim.calibration import held_fixed

    sys.stderr.write(f"covsim: note: {held_fixed.note(scenario, args.until, args.known)}\n")
    return held_fixed.probabilities(scenario, args.target, args.year, args.draws, args.seed, until=args.until,
                                    known=args.known, denominator=args.denominator, progress=refit_bar())


def refit_bar():
    """None, or on a terminal a bar on stderr counting the refits of `--held-fixed` (minutes of
    fitting): the callback `calibration.held_fixed.probabilities` takes."""
    import sys

    if not sys.stderr.isatty():
        return None
    bar = []

    def step(total):
        from tqdm import tqdm

        if total is not None:
            bar.append(tqdm(total=total, desc="held fixed: refits", unit="refit", file=sys.stderr, leave=False))
            return
        bar[0].update()
        if bar[0].n >= bar[0].total:
            bar[0].close()
    return step


def held_fixed_line(rows: list[dict]) -> str:
    """One line: the probability with each number held fixed at its lower / higher alternative."""
    from covsim.simulator.analysis import planning

    def one(alt: dict) -> str:
        text = f"{alt['label']}: {planning.probability_text(alt['probability'])}"
        return text + (f" (fit did not converge: {alt['diagnostic']})" if not alt["converged"] else "")

    how = "refitted" if rows[0]["low"].get("refitted", True) else "on the priors, not refitted"
    return (f"probability with each number held fixed at a lower / higher alternative (assumed; {how}, same "
            "draws): " + "; ".join(f"{r['key']} {one(r['low'])} / {one(r['high'])}" for r in rows))


# solve ---------------------------------------------------------------------------------------

def rounded_up(value: float, digits: int, maximum: float) -> float:
    """A solved lever as printed: rounded up at the digits shown, never past its maximum. A lever
    raised never lowers coverage, so the mix as printed reaches the probability asked too (rounded
    to nearest, Vĩnh Long's household share of 71.408% showed as 71.4%, which gives 0.795 for 0.8)."""
    return min(math.ceil(round(value * 10 ** digits, 6)) / 10 ** digits, maximum)


def _lever_paths(text: str, valid: list[str]) -> list[str]:
    """`--levers` as `solve` and `sensitivity` read it: comma-separated lever names (blanks
    skipped), each a reform path among `valid`, each once."""
    from covsim.simulator.analysis import planning

    names = [n for n in text.split(",") if n.strip()]
    paths = [planning.parse_lever(n, "--levers", valid) for n in names]
    twice = next((names[i] for i, p in enumerate(paths) if p in paths[:i]), None)
    if twice is not None:
        raise InputError("--levers", twice, "names a lever twice; give each once")
    return paths


def cmd_solve(args) -> int:
    from covsim.cli.summary import print_provenance
    from covsim.simulator.analysis import planning, solve
    from covsim.simulator.inputs.levers import solvable_paths
    from covsim.simulator.schemes import provenance

    planning.check_target(args.target, "solve")
    planning.check_probability(args.probability)
    from covsim.simulator.inputs.levers import schemes_with

    if args.scheme and args.scheme not in schemes_with("solvable"):  # named as typed, not as the scenario's
        raise InputError("--scheme", args.scheme, "solve moves levers with a cost, and none acts on it; allowed: "
                                                  + ", ".join(schemes_with("solvable")))
    scenario = _scenario(args)
    paths = _lever_paths(args.levers, solvable_paths())
    # before the draws are read: one line, not after their notes
    if args.start is not None:
        planning.check_unit_start(scenario, args.start, paths)
    else:
        planning.check_year(scenario, args.year)
        planning.check_unit_start(scenario, planning.lever_start(scenario, args.year), paths, given=False)
    params = _draws(scenario, args)
    result = solve.solve(scenario, params, args.seed, args.target, args.year, args.probability, paths,
                         start=args.start)
    for lever in result["levers"]:  # a lever already at its maximum cannot move: said, not left to be guessed
        if lever["current"] >= lever["max"] - 1e-12:
            sys.stderr.write(f"covsim: note: {lever['lever']} is already at its maximum ({lever['max']:g}) in "
                             f"{result['from']}: solve cannot raise it\n")
    from covsim.cli.main import note_former, note_lever_start

    note_former(scenario.region, args.year)
    note_lever_start(result["from"], args.year)
    _note_observed(scenario, args, solving=True)
    result["boundaries"] = _boundaries(scenario)
    result["provenance"] = provenance.analysis_record(scenario, params, args.seed, result.get("assumptions", []))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(result["message"])
    for lever in result["levers"]:
        share = _is_share(lever["lever"])
        shown = (lambda v: f"{100 * v:5.1f}%") if share else (lambda v: f"{v:6.2f}")
        # a rise the policy in force already has later is kept: solve never sets a lever below it
        kept = "".join(f"; then {shown(r['value']).strip()} from {r['from']}, as in force" for r in lever.get("later", []))
        value = rounded_up(lever["value"], 3 if share else 2, lever.get("max", math.inf))
        print(f"  {lever['lever']:<28} {shown(lever['current'])} -> {shown(value)} (from {result['from']}{kept})")
    if "drive" in [lever["lever"] for lever in result["levers"]]:  # its unit, which no other output names
        from covsim.simulator.inputs.levers import lever_of

        print(f"  (drive: {lever_of('drive').unit}; 0 = no drive beyond the fitted pull of the targets already set; its cost "
              "is in proportion to its strength)")
    cost = result["state_cost"]
    years = f"{cost['from']}-{cost['to']}" if cost["to"] != cost["from"] else f"{cost['from']}"
    against = ("the current policy" if result["scenario"] == result["region"]
               else f"{result['scenario']} as it is")  # a reform given with --scenario: against it, unchanged
    extra = result["extra_state_cost"]
    print(f"state budget cost {years}: {cost['total'] / 1e9:,.1f} bn VND (10%-90% over draws "
          f"{cost['total_lo80'] / 1e9:,.1f}-{cost['total_hi80'] / 1e9:,.1f}; "
          f"{extra['total'] / 1e9:+,.1f} bn against {against}, 10%-90% {extra['total_lo80'] / 1e9:+,.1f} to "
          f"{extra['total_hi80'] / 1e9:+,.1f})")
    print(f"  of which the province's own budget {cost['local'] / 1e9:,.1f} bn ({extra['local'] / 1e9:+,.1f} bn), "
          f"the national budget {cost['national'] / 1e9:,.1f} bn ({extra['national'] / 1e9:+,.1f} bn)")
    # where the levers start from: the chance the mix above is bought against
    print(f"under {against}: probability {planning.probability_text(result['current_probability'])}")
    if result["cost_per_additional_insured"]:
        band = planning.per_insured_band_text(result["cost_per_additional_insured_lo80"],
                                              result["cost_per_additional_insured_hi80"])
        # one year's: that year's extra cost over that year's extra insured, not the total above over them
        print(f"cost per additional insured person in {result['year']}: "
              f"{planning.shown_per_insured(result['cost_per_additional_insured']):,.0f} VND that year ({result['year']}'s "
              f"extra cost over its extra insured; 10%-90% over draws {band})")
    for line in (_drive_effect_line(result.get("drive_effect")), _monte_carlo_line(result["monte_carlo"], result)):
        if line:
            print(line)
    print_boundaries(result["boundaries"])
    print_provenance(result["provenance"])
    return 0


def _monte_carlo_text(p: float, se: float, n: int) -> str:
    """How far another seed or number of draws could move a probability p: its standard error se,
    or, where every draw (none) reaches the target, that fact, which bounds it no closer than the n
    draws allow (a \u00b10.0 would claim too much). Coverage's and the published figure's chances
    alike."""
    if p <= 0.0:
        return f"none of {n} draws reaches it"
    if p >= 1.0:
        return f"all {n} draws reach it"
    return f"\u00b1{100 * se:.1f} points, Monte Carlo over {n} draws"


def _drive_effect_line(effect: dict | None) -> str | None:
    """What the answer's drive adds, draw by draw, and the fitted pull it rests on."""
    if not effect:
        return None
    pts, pull = effect["points"], effect["target_pull"]
    none = (f"; {100 * effect['no_effect_share']:.0f}% of draws give a drive no effect"
            if effect["no_effect_share"] > 0 else "")
    level = rounded_up(effect["level"], 2, math.inf)  # as the lever's line above prints it (1.55, not 1.54)
    raised = (f"drive {level:.2f}" if not effect.get("from_level")
              else f"raising the drive from {effect['from_level']:.2f} to {level:.2f}")
    return (f"{raised} adds {pts['median']:+.1f} points to coverage in {effect['year']} (median "
            f"over draws; 80%: {pts['lo80']:+.1f} to {pts['hi80']:+.1f}): its effect is the fitted pull of the targets "
            f"set above (80%: {pull['lo80']:.2f} to {pull['hi80']:.2f}){none}")


def _monte_carlo_line(mc: dict, result: dict) -> str:
    """How far another seed or number of draws could move the answer: the cheapest mixes found for
    the ends of the probability's Monte Carlo band (2 standard errors each side)."""
    # the error of the probability asked for, whose band the mixes below answer: not of the one found,
    # which falls short of it where the target is out of reach
    head = (f"monte carlo: with {mc['draws']} draws a probability of {100 * result['probability_required']:g}% (the one "
            f"asked for) is known to \u00b1{100 * mc['probability_se']:.1f} points (standard error)")
    low, high = mc.get("low"), mc.get("high")
    if low is None and high is None:
        return head
    current = {lever["lever"]: lever["current"] for lever in result["levers"]}

    from covsim.simulator.analysis.solve import _asked

    def mix(point: dict | None, asked: float) -> str:
        if point is None:
            return f"{_asked(round(asked, 3))} out of reach within the bounds"
        moved = [f"{k} {_shown(k, v)}" for k, v in point["levers"].items() if abs(v - current[k]) > 1e-6]
        return (f"{_asked(round(asked, 3))} {point['extra_state_cost'] / 1e9:+,.1f} bn"
                + f" ({', '.join(moved) or 'the current policy'})")

    lo_p, hi_p = mc["band"]
    return (f"{head}; the cheapest mixes found for {mix(low, lo_p)} and for {mix(high, hi_p)}: another seed "
            f"or more --draws may answer anywhere between")


def _is_share(lever: str) -> bool:
    """A lever path shown in percent (a share, or a group's: its top-up or support), else a number."""
    return LEVERS[lever.partition(".")[0]].kind == "share" or "." in lever


def _shown(lever: str, value: float) -> str:
    return f"{100 * value:.1f}%" if _is_share(lever) else f"{value:.2f}"


# sensitivity ---------------------------------------------------------------------------------

def _sensitivity_levers(text: str | None) -> tuple[str, ...] | None:
    """`--levers`: None (every lever declared for sensitivity), () for 'none', else the paths named,
    each once, as `solve --levers` reads them."""
    from covsim.simulator.inputs.levers import sensitivity_paths

    if text is None:
        return None
    if [n.strip() for n in text.split(",") if n.strip()] == ["none"]:
        return ()
    paths = _lever_paths(text, sensitivity_paths())
    if not paths:
        raise InputError("--levers", text, "names no lever; allowed: comma-separated levers, or none")
    # in the declaration's order, not the order typed: the Sobol sample's columns follow the factors'
    # order, and `near_poor,drive` gave other indices than `drive,near_poor` (an audit of 2026-12-07)
    return tuple(p for p in sensitivity_paths() if p in paths)


def cmd_sensitivity(args) -> int:
    from covsim.cli import charts
    from covsim.cli.summary import print_provenance
    from covsim.simulator.schemes import provenance
    from covsim.simulator import output
    from covsim.simulator.analysis import planning, sensitivity

    scenario = _scenario(args)
    sensitivity.check(scenario)
    planning.check_year(scenario, args.year)
    levers = _sensitivity_levers(args.levers)
    if args.chart is not None:  # '' too: refused as the folder it names, never silently ignored
        output.check_destination(args.chart, (".png", ".svg", ".pdf"), "--chart")
        if not charts.replaceable(args.chart):
            raise InputError(args.chart, "--chart", "exists and is not a chart covsim wrote: the chart would replace it; "
                                                    "allowed: a new name, or a chart covsim wrote (move this one away first)")
    params = _draws(scenario, args)
    table = sensitivity.sobol(scenario, params, args.year, samples=args.samples, seed=args.seed,
                              memory_limit=args.memory_limit, levers=levers)
    # a fitted parameter with no spread in the draws is not varied: said, never dropped silently (some
    # join and lapse levels are fixed by design and have none whatever the draws)
    flat = [n for n in table.attrs.get("no_spread", []) if not n.startswith(("join_logit.", "lapse_logit."))
            or params.sizes["draw"] < 2]
    if flat:
        sys.stderr.write(f"covsim: note: {len(flat)} fitted parameters have no spread in these "
                         f"{params.sizes['draw']} draws and are not varied ({', '.join(flat[:6])}"
                         f"{', ...' if len(flat) > 6 else ''}); give more --draws\n")
    for note in table.attrs.get("part_of_total", []):
        sys.stderr.write(f"covsim: note: {note}: not varied on its own; a province's total share moots its top-up\n")
    for note in table.attrs.get("no_effect", []):
        sys.stderr.write(f"covsim: note: {note}: not varied; refit them (covsim calibrate REGION --out FILE.nc)\n")
    for note in table.attrs.get("at_maximum", []):
        sys.stderr.write(f"covsim: note: {note}: not varied; it cannot rise\n")
    record = provenance.analysis_record(scenario, params, args.seed)
    if args.chart:  # the image carries what reproduces it, as the text and JSON do
        from covsim.cli.summary import provenance_lines

        note = f"{provenance_lines(record)[0]}, {record['draws']} draws, {args.samples} samples, levers from {table.attrs['start']}"
        _atomic(args.chart, lambda tmp: charts.save_chart(
            table, tmp, f"{scenario.name}: coverage in {args.year}", note), suffix=Path(args.chart).suffix)
    if args.json:
        print(json.dumps({"region": scenario.region, "scenario": scenario.name, "year": args.year,
                          "samples": args.samples, "evaluations": table.attrs["evaluations"],
                          "lever_start": table.attrs["start"],
                          # what --levers asked (null: every lever declared), so that a stranger re-runs it
                          "levers": None if levers is None else list(levers),
                          "indices": table.round(6).to_dict(orient="records"),
                          # what was not varied and why, as stderr says it: the fitted parameters with
                          # no spread in the draws, top-ups their group's total share moots, levers the
                          # draws give no effect
                          "not_varied": {"no_spread": flat, "part_of_total": table.attrs.get("part_of_total", []),
                                         "no_effect": table.attrs.get("no_effect", []),
                                         "at_maximum": table.attrs.get("at_maximum", [])},
                          "provenance": record},
                         ensure_ascii=False))
        return 0
    print(f"{scenario.name}: Sobol indices of coverage in {args.year} ({params.sizes['draw']} draws, {args.samples} "
          f"samples, {table.attrs['evaluations']} evaluations; levers from {table.attrs['start']}"
          + ("" if levers is None else f"; --levers {','.join(levers) or 'none'}") + ")")
    print(f"{'factor':<30} {'kind':<9} {'range':>17} {'S1':>6} {'±':>5} {'ST':>6} {'±':>5}")
    for r in table.itertuples(index=False):
        print(f"{r.factor:<30} {r.kind:<9} {r.lo:8.3f}..{r.hi:<7.3f} {r.S1:6.3f} {r.S1_conf:5.3f} "
              f"{r.ST:6.3f} {r.ST_conf:5.3f}")
    print()
    print(charts.bar_chart(table))
    print_provenance(record)
    if args.chart:
        print(f"written: {args.chart}")
    return 0


# allocate ------------------------------------------------------------------------------------

def allocation_provenance(ds, table) -> dict:
    """The run's provenance (scenario, data, code, seed, every assumed number) with the allocation's
    own assumptions and settings: what every allocate output records."""
    from covsim.simulator.schemes import provenance

    record = provenance.record(ds.attrs)
    record.setdefault("scheme", table.attrs["scheme"])
    record["assumptions"] = record["assumptions"] + table.attrs["assumptions"]
    record["allocation"] = {"target": table.attrs["target"], "year": table.attrs["year"], "first": table.attrs["first"],
                            # where the path starts: the level of the year before the first, and what gave it
                            "start_level": table.attrs["start_level"], "start_from": table.attrs["start_from"]}
    return record


def _provenance_rows(record: dict, spans: list[dict] = ()) -> list[tuple[str, object]]:
    """The provenance as (item, value) rows, for the Excel sheet: a 2025 unit's workbook says which
    former provinces its rows of years before the merger add up (`spans`, `former_provinces`)."""
    rows = [(k, record[k]) for k in ("scenario", "scenario_hash", "region", "scheme", "seed", "draws", "data_hash",
                                     "data_dir", "code_version", "code_commit", "parameters", "parameters_hash", "calibrated",
                                     "noise_from") if record.get(k) is not None]
    if record.get("environment"):  # the library versions, as the sidecar and --json give them
        rows.append(("environment", json.dumps(record["environment"])))
    if record.get("scenario_definition"):  # what ran, whatever its file says later (the sidecar and --json have it)
        rows.append(("scenario definition", json.dumps(record["scenario_definition"], ensure_ascii=False)))
    if record.get("former_provinces"):
        rows.append(("former provinces", record["former_provinces"]))
    # the user's own files the data hash covers (a region's workbook), as the CSV's sidecar lists them
    rows += [("user data", f"{f['file']} (sha256 {f['sha256']})") for f in record.get("user_data", [])]
    rows += [(f"boundaries {span['from']}-{span['to']}", span["boundaries"]) for span in spans]
    rows += [(k, v) for k, v in record["allocation"].items()]
    rows += [("note", n) for n in record.get("notes", [])]  # as stderr says them
    if record.get("unconverged"):
        rows.append(("unconverged", record["unconverged"]))
    rows += [("assumed", a) for a in record["assumptions"]] or [("assumed", "none")]
    rows += [("held fixed (assumed, not fitted)", f) for f in record.get("fixed", [])]
    # and whatever else the text output says of the run (capped shares, unconfirmed data rows, the
    # parameters still mostly their priors, ...): one row each, its heading as the item
    from covsim.cli.summary import provenance_lines

    said = ("provenance:", "assumed numbers:", "held fixed in the model", "parameters from a fit that did not")
    for line in provenance_lines(record):
        if not line.startswith(said):
            rows.append(_heading_split(line))
    return rows


def _heading_split(line: str) -> tuple[str, str]:
    """'heading (aside: more): value' as (heading, value): split at the first ': ' outside brackets."""
    depth = 0
    for i, ch in enumerate(line):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and line.startswith(": ", i):
            return line[:i], line[i + 2:]
    return line, ""


def _unit_years(entries: list[dict]) -> tuple[dict[str, list[int]], str]:
    """Units with their years, and the first three named for a note ('and N more')."""
    years: dict[str, list[int]] = {}
    for u in entries:
        years.setdefault(u["unit"], []).append(u["year"])
    names = ", ".join(f"{unit} ({', '.join(map(str, ys))})" for unit, ys in list(years.items())[:3]) + (
        f" and {len(years) - 3} more" if len(years) > 3 else "")
    return years, names


def _allocation_notes(args, table) -> list[str]:
    """What the yearly targets do that a target-setter would not expect, each said on stderr."""
    from covsim.cli.main import past_start
    from covsim.simulator.analysis import allocate
    from covsim.simulator.inputs import observations
    from covsim.simulator.inputs import regions
    from covsim.simulator.inputs.regions import former_note

    notes = []
    first = table.attrs["first"]
    record = observations.observed(args.region, table.attrs["scheme"])
    seen = record[(record.year >= first) & (record.year <= args.year)]
    shown = [f"{int(r.year)} observed {100 * r.value:.2f}%" for r in seen.itertuples(index=False)]
    if table.attrs["scheme"] == "bhyt":  # the communes' figures where they are the whole province's
        years = set(range(first, args.year + 1)) - set(seen.year)
        shown += [f"{y} the communes' figures {100 * v:.2f}%" for y, v in sorted(allocate.communes_totals(args.region).items())
                  if y in years]
    if shown:  # targets for years already past: a look back, and the record is there to compare
        notes.append("targets for years already observed, a look back: " + ", ".join(shown))
    after = record[record.year > args.year]
    if not after.empty:  # a target year already past: what followed it is on record too
        notes.append(f"observed after the target year {args.year}: " + ", ".join(
            f"{int(r.year)} {100 * r.value:.2f}%" for r in after.itertuples(index=False)))
    former = former_note(args.region, args.year)
    if former:
        notes.append(former)
    given = table.attrs.get("communes_given")
    if given and not given["whole_province"] and given["province_level"] is not None:  # whose figures they start from
        notes.append(f"the commune targets start from the workbook's own figures of {given['year']} for the "
                     f"{given['communes']} commune(s) it gives ({100 * given['rate']:.2f}% together), each standing "
                     f"against {args.region}'s {100 * given['province_level']:.2f}% that year; '{allocate.REST}' is "
                     "the people it leaves out, at the rate that makes up the rest (assumed)")
    if table.attrs["start_from"] == "communes":
        unit = regions.unit_of(args.region) or args.region  # where a figure of the territory goes since 2025
        notes.append(f"the path starts from {args.region}'s communes' figures of {first - 1} together "
                     f"({100 * table.attrs['start_level']:.2f}%, every commune and ward of the province, from its "
                     f"workbook): it has no figure of its own for {first - 1}; the model's median was "
                     f"{100 * table.attrs['model_start_level']:.2f}%, and the probability above is the model's, "
                     f"whose fit has not seen the communes' figure (`covsim region observe {unit} {first - 1} "
                     f"{table.attrs['start_level']:.4f} --source …` weighs the run on it)")
    if not table.attrs["start_observed"]:
        earlier = record[record.year < first - 1]
        last = earlier[earlier.year == earlier.year.max()] if not earlier.empty else earlier
        above = (f"; its last observed figure, {100 * last.value.mean():.2f}% in {int(last.year.iloc[0])}, is above "
                 "it, so the first yearly targets may ask for less than was already reached (an uncalibrated "
                 "region's median can sit below its own figures)"
                 if not last.empty and last.value.mean() > table.attrs["start_level"] else "")
        notes.append(f"the path starts from the model's median for {first - 1} "
                     f"({100 * table.attrs['start_level']:.2f}%), not an observed figure: {args.region} has none "
                     f"for {first - 1}{above}")
    passed = past_start(first, args.year)
    if passed:
        notes.append(f"the yearly targets begin in {passed}")
    level, end = table.attrs["start_level"], table.attrs["end_level"]
    if args.target < level:  # the path runs down to the target: say why, rather than hand out falling targets silently
        given = "the figure observed" if table.attrs["start_observed"] else "the forecast"  # where the path starts
        notes.append(f"{given} already gives {100 * level:.2f}% in {first - 1}, above the target "
                     f"{100 * args.target:.2f}%: the yearly targets fall towards it")
    elif table.attrs["falling"]:
        years, names = _unit_years(table.attrs["falling"])
        why = (f": the target is below the model's own forecast for {args.year} ({100 * end:.2f}%), so the step below "
               "each unit's forecast grows" if args.target < end else
               ": the model forecasts those units' own coverage to fall that year by more than the provincial step "
               "lifts it")
        notes.append(f"{len(years)} unit(s) get a yearly target below the year before's while the provincial target "
                     f"rises: {names}{why}")
    if table.attrs["fewer_insured"]:
        years, names = _unit_years(table.attrs["fewer_insured"])
        notes.append(f"{len(years)} unit(s) are asked for fewer insured people than the year before while their "
                     f"rate does not fall, as their population shrinks: {names}")
    heavy = allocate.front_load({int(k): v for k, v in table.attrs["path"].items()}, level)
    if heavy:  # a target near 100%: the line asks for most of the rise at once
        notes.append(f"the first year, {heavy['year']}, asks for {100 * heavy['step']:.2f} of the path's "
                     f"{100 * heavy['rise']:.2f} points ({100 * heavy['share']:.0f}%), where an even split would ask "
                     f"{100 * heavy['even']:.2f} a year: a straight line in log-odds towards a target near 100% puts "
                     "most of the rise first; set the yearly targets by hand where that is not meant")
    if table.attrs["unit_kind"] == "district" and not table.attrs["districts"]:
        notes.append(f"districts were abolished on 1 July 2025, before the path's first year {first}: no district "
                     f"targets; group targets only")
    if table.attrs["districts_until"] is not None and args.year > table.attrs["districts_until"]:
        notes.append(f"districts were abolished on 1 July 2025: district targets stop at "
                     f"{table.attrs['districts_until']}; group targets run to {args.year}")
    scale = table.attrs.get("commune_scale")
    if scale is not None and abs(scale - 1) > allocate.SCALE_SAID:  # a 2025 unit's communes, checked against the resolution
        notes.append(f"the communes' populations are the workbook's x {scale:g} in {table.attrs['commune_scale_year']}: "
                     f"they share out {args.region}'s modelled population, which "
                     f"{'falls short of' if scale < 1 else 'exceeds'} the workbook's total (for a 2025 unit, "
                     "Resolution 202/2025's measure); their rates hold, their head counts are the model's")
    plan = observations.targets(args.region, table.attrs["scheme"])
    unit = "share_of_population" if table.attrs["scheme"] == "bhyt" else "share_of_labour_force"  # the path's
    plan = plan[(plan.group == "all") & (plan.unit == unit) & (plan.year >= first) & (plan.year < args.year)]
    path = {int(k): v for k, v in table.attrs["path"].items()}
    apart = [r for r in plan.itertuples(index=False) if r.year in path and abs(r.value - path[r.year]) >= 5e-4]
    if apart:  # the plans' own yearly targets, each with its document: the straight path is the tool's
        notes.append("targets in the data for the years between differ from this path (a straight line in "
                     "log-odds, not a plan's): " + "; ".join(
                         f"{int(r.year)} {100 * r.value:.2f}% against {100 * path[int(r.year)]:.2f}% "
                         f"({_document(r.source)})" for r in apart))
    if table.attrs.get("communes_from") is not None and table.attrs["first"] < table.attrs["communes_from"]:
        start = table.attrs["communes_from"]
        notes.append(f"the communes are those since 1 July 2025: commune targets start in {start}; the years "
                     "before are by group only" if start <= args.year else
                     f"the communes are those since 1 July 2025, after the target year {args.year}: this "
                     "allocation is by group only")
    if table.attrs["scheme"] != "bhyt":
        notes.append(f"{table.attrs['scheme']}: targets by group only (required to join, informal): each group's "
                     "rate is its own coverage, their total a share of the labour force; the district and "
                     "commune tables are of health insurance")
    return notes


def _document(source: str) -> str:
    """A target's document as its source names it, up to the section ('Decision 1167/QD-TTg 2016-06-28')."""
    return str(source).split(",")[0].split(" (")[0].strip()


def _columns(scheme: str, lang: str):
    """What each column of the allocation means and counts, in the language: the headers stay the
    public English names, and an official reading the workbook in Vietnamese reads them here."""
    import pandas as pd

    from covsim.dashboard import catalogue
    from covsim.simulator.analysis.allocate import COLUMNS

    labour = "_labour" if scheme != "bhyt" else ""
    keys = {c: f"column_{c}{labour}" if c in ("population", "rate") else f"column_{c}" for c in [*COLUMNS, "name"]}
    return pd.DataFrame([(c, catalogue.text("allocation", k, lang)) for c, k in keys.items()],
                        columns=[catalogue.text("allocation", "columns_head_column", lang),
                                 catalogue.text("allocation", "columns_head_meaning", lang)])


def _named(table, lang: str):
    """The table with a last column `name`: each unit as an official reads it (a group's name as the
    law gives it, a district or commune as written), beside the ids that stay the public `unit`."""
    from covsim.dashboard import catalogue
    from covsim.dashboard.i18n import district_name, group_label
    from covsim.simulator.analysis.allocate import REST

    def name(kind: str, unit: str) -> str:
        if kind == "group":
            return group_label(unit, lang)
        if unit == REST:  # the one unit of no workbook's: named in the language, its id kept
            return catalogue.text("allocation", "other_communes", lang)
        return district_name(unit, lang)

    names = [name(kind, u) for kind, u in zip(table.unit_kind, table.unit)]
    out = table.assign(name=names)
    out.attrs = table.attrs
    return out


def _files_read(given: str | None, scenario) -> dict:
    """The scenario files a run reads, resolved: --scenario's own, and its baselines' down the chain
    ({path: how it is reached}); with `scenario` None, --scenario's own only (before it is read)."""
    from covsim import simulator

    read, how = {}, "--scenario"
    ref = given if given and Path(given).is_file() else None
    while ref is not None and Path(ref).resolve() not in read:
        read[Path(ref).resolve()] = f"{how} {ref}"
        base = scenario.baseline if scenario is not None else None  # None: the given file only, not yet read
        if not base or not Path(base).is_file():
            break
        how, ref, scenario = f"the baseline of {Path(ref).name}:", base, simulator.load_scenario(base)
    return read


def _not_read(out: str, read: dict) -> None:
    """Refuse an output that would replace a scenario file the run reads (`_files_read`)."""
    if (path := Path(out).resolve()) in read:
        raise InputError(out, "--out", f"is a scenario file the run reads ({read[path]}), which the targets "
                                       "would replace; allowed: another file name")


#: The sheets of the workbook `allocate` writes: an existing .xlsx is replaced only when it has
#: these and no others (a filled commune workbook under the name typed is refused, not lost).
ALLOCATION_SHEETS = {"district", "commune", "group", "provenance", "columns"}


def _replaceable(out: str) -> None:
    """Refuse an existing file `allocate` did not write: a workbook of other sheets (the region's
    own filled template, a planner's), a CSV of another header, or beside a CSV a provenance file
    covsim did not write. An empty file holds nothing."""
    side = Path(out + ".provenance.json")
    if out.lower().endswith(".csv") and side.is_file() and side.stat().st_size:  # the record written beside a CSV
        try:
            record = json.loads(side.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            record = None
        if not (isinstance(record, dict) and {"code_version", "columns", "boundaries"} <= set(record)):
            raise InputError(str(side), "--out", "exists and is not the provenance of a covsim allocation: the "
                                                 "targets' provenance would replace it; allowed: a CSV name whose "
                                                 "'.provenance.json' is free or one covsim wrote (move this one away first)")
    path = Path(out)
    if not path.is_file() or path.stat().st_size == 0:
        return
    if path.suffix.lower() == ".xlsx":
        try:
            from openpyxl import load_workbook

            sheets = set(load_workbook(path, read_only=True).sheetnames)
        except Exception:  # noqa: BLE001 - unreadable or not a workbook: not one covsim can tell it wrote
            sheets = set()
        mine = {"provenance", "columns"} <= sheets <= ALLOCATION_SHEETS
        what = f"sheets {', '.join(sorted(sheets))}" if sheets else "not readable as a workbook"
    else:
        with path.open(encoding="utf-8-sig", errors="replace") as f:
            head = f.readline().strip()
        mine = head.split(",")[:2] == ["year", "unit_kind"]
        what = f"header '{head[:40]}'"
    if not mine:
        raise InputError(out, "--out", f"exists and is not a covsim allocation ({what}): the targets would replace "
                                       "it; allowed: a new name, or an allocation covsim wrote (move this one away "
                                       "first)")


def cmd_allocate(args) -> int:
    from covsim import simulator
    from covsim.cli.summary import print_provenance
    from covsim.simulator.analysis import allocate, planning
    from covsim.simulator import output

    planning.check_target(args.target, "allocate")
    output.check_destination(args.out, (".csv", ".xlsx"), "--out")
    if args.out.lower().endswith(".csv") and Path(args.out + ".provenance.json").is_dir():  # refused now, not after the run
        raise InputError(args.out, "--out", f"its provenance goes beside it in '{args.out}.provenance.json', which is "
                                            "a folder; allowed: a CSV name whose '.provenance.json' is free or a file")
    _not_read(args.out, _files_read(args.scenario, None))  # before reading it
    scenario = _scenario(args)
    _not_read(args.out, _files_read(args.scenario, scenario))  # and down its baseline chain
    _replaceable(args.out)  # any other workbook under the name typed (a filled commune one) is refused, not lost
    allocate.check(scenario, args.target, args.year, args.start)  # before the run and its notes
    ds = simulator.run(scenario, params=_draws(scenario, args), draws=args.draws, seed=args.seed)
    table = allocate.allocate(ds, scenario, args.target, args.year, first=args.start)
    report = planning.target_report(ds, scenario, args.target, args.year)
    record = allocation_provenance(ds, table)
    spanned = list(range(table.attrs["first"], args.year + 1))  # the allocation's years, not the whole run's
    spans = _boundaries(scenario, spanned)  # which territory each year's rows are: said in the file too
    table = _named(table, args.lang)
    # what the targets do that a target-setter would not expect: in the files sent on, not on stderr alone
    notes = _allocation_notes(args, table)
    record["notes"] = notes
    if args.out.lower().endswith(".csv"):
        sidecar = args.out + ".provenance.json"  # a CSV holds one table: what reproduces it sits beside it

        def both(tmp):  # the table written in full first; its provenance replaced only then, the table last
            # utf-8-sig: Excel on Windows reads the district names' diacritics only with the byte-order mark
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
            columns = dict(_columns(scenario.scheme, args.lang).values)  # as the workbook's `columns` sheet
            _atomic(sidecar, lambda side: Path(side).write_text(json.dumps({**record, "boundaries": spans,
                                                                            "columns": columns},
                                                                           ensure_ascii=False, indent=1)
                                                                + "\n", encoding="utf-8"), suffix=".json")
        _atomic(args.out, both, suffix=".csv")
    else:
        def excel(tmp):
            import pandas as pd

            from covsim.dashboard.excel import PCT2, PEOPLE, polish

            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for kind in ("district", "commune", "group"):
                    part = table[table.unit_kind == kind]
                    if len(part):
                        part.to_excel(xl, sheet_name=kind, index=False)
                        polish(xl.sheets[kind], {"rate": PCT2, "insured": PEOPLE, "population": PEOPLE})
                prov = pd.DataFrame(_provenance_rows(record, spans), columns=["item", "value"]).astype({"value": str})
                prov.to_excel(xl, sheet_name="provenance", index=False)
                polish(xl.sheets["provenance"], {})
                _columns(scenario.scheme, args.lang).to_excel(xl, sheet_name="columns", index=False)
                polish(xl.sheets["columns"], {})
        _atomic(args.out, excel, suffix=".xlsx")
    sums = allocate.totals(table)
    for note in notes:
        sys.stderr.write(f"covsim: note: {note}\n")
    if args.json:
        print(json.dumps({"region": scenario.region, "scenario": scenario.name, "scheme": scenario.scheme,
                          "target": args.target, "year": args.year, "first": table.attrs["first"], "out": args.out,
                          "districts": table.attrs["districts"], "communes": table.attrs["communes"],
                          "provincial_path": {str(k): v for k, v in table.attrs["path"].items()},
                          "probability": report["probability"],
                          "totals": sums.round(6).to_dict(orient="records"),
                          "falling": table.attrs["falling"], "fewer_insured": table.attrs["fewer_insured"],
                          **({"denominator": "labour_force"} if scenario.scheme != "bhyt" else {}),
                          "boundaries": spans, "provenance": record}, ensure_ascii=False))
        return 0
    print(f"{scenario.name}: yearly targets reaching {100 * args.target:.2f}% in {args.year} "
          f"(the model gives it probability {planning.probability_text(report['probability'])} under this scenario, "
          f"{args.draws} draws)")
    if not table.attrs["unit_kind"] and scenario.scheme == "bhyt":
        print(f"no district or commune data for {scenario.region}: targets by group only")
    for r in sums.itertuples(index=False):
        print(f"  {r.year} {r.unit_kind:<8} {r.insured:>12,} / {r.population:>12,} = {100 * r.rate:.2f}%")
    print_boundaries(spans)
    print_provenance(record)
    print(f"written: {args.out}" + (f" (provenance: {args.out}.provenance.json)" if args.out.lower().endswith(".csv")
                                    else " (provenance: its sheet 'provenance')"))
    return 0


# files ---------------------------------------------------------------------------------------

def _atomic(path: str, write, suffix: str) -> None:
    """Write through a temporary file beside `path`, then rename: complete or absent."""
    from covsim.simulator.output import atomic_write

    atomic_write(path, write, suffix)


def _samples(text: str) -> int:
    import argparse

    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number; allowed: a power of two >= 8, "
                                         "e.g. 512") from None


def register(sub) -> None:
    from covsim.cli.main import _year

    target = sub.add_parser("target", help="probability of reaching a coverage target in a year, by group")
    _common(target)
    target.add_argument("--target", type=_float, required=True, help="coverage target as a share, e.g. 0.968")
    target.add_argument("--year", type=_year, required=True, help="target year")
    target.add_argument("--until", type=_year, metavar="YEAR", help="the probability as of this year: fitted on observations up to "
                                                    "it, under the policy decided by its end (bhyt)")
    target.add_argument("--known", type=_day, metavar="DAY", help="with --until: the day policy, laws and targets are known by, "
                                                   "in the year after --until (default: the end of --until); the "
                                                   "backtest scores each national target with --until the year "
                                                   "before it was set, --known its day and --draws 300")
    target.add_argument("--lever", action="append", default=[], metavar="NAME=VALUE",
                        help="set a lever (repeatable), as brief and batch --grid name them: near_poor=0.9, "
                             "local_top_up.pupil_student=0.2, drive=1 (e.g. a mix solve printed)")
    target.add_argument("--from", dest="start", type=_year,
                        help="first year the --lever values take effect (default: after the last observation)")
    target.add_argument("--denominator", choices=tuple(LABOUR_DENOMINATORS),
                        help="bhxh/bhtn: the target as a share of the labour force (default) or of those "
                             "required to join (e.g. Can Tho's BHTN 100%%)")
    target.add_argument("--score", action="store_true", help="with --until: score the probability against the "
                                                             "observed outcome (Brier)")
    target.add_argument("--held-fixed", action="store_true",
                        help="also the probability with each number the model holds fixed (assumed) at its lower "
                             "and higher alternative, the scheme's fit redone under each (two fits per number; the note "
                             "before the answer says how many; minutes)")
    target.set_defaults(func=cmd_target)

    solve = sub.add_parser("solve", help="cheapest state shares that make a target likely")
    _common(solve, scheme_help="insurance scheme (default: the scenario's): bhyt or bhxh; bhtn has no lever with a "
                               "cost to move")
    solve.add_argument("--target", type=_float, required=True, help="coverage target as a share")
    solve.add_argument("--year", type=_year, required=True, help="target year")
    solve.add_argument("--probability", type=_float, required=True, help="required probability, in (0, 1)")
    solve.add_argument("--levers", required=True,
                       help="comma-separated levers: groups (their state share, up to 100%%), reform paths, or "
                            "drive (an enrolment drive's strength, 0-3: 1 = the nation's 2016-2020 drive, the pull the "
                            "level above's targets put on it; its cost assumed), e.g. drive,near_poor,pupil_student; "
                            "for --scheme bhxh the state's support of voluntary contributions, "
                            "voluntary_subsidy.poor,voluntary_subsidy.near_poor,voluntary_subsidy.other")
    solve.add_argument("--from", dest="start", type=_year, help="first year the levers take effect "
                                                               "(default: the year after the region's last "
                                                               "observation; for a --year before that, three "
                                                               "years before --year)")
    solve.set_defaults(func=cmd_solve)

    sens = sub.add_parser("sensitivity", help="Sobol indices of coverage over the fitted parameters, the state-share levers and the drive")
    from covsim.simulator.inputs.regions import runnable

    _common(sens, scheme=False, accepted=runnable)  # not the 2025 units: sensitivity cannot sum them
    sens.add_argument("--year", type=_year, required=True, help="year of the coverage analysed")
    sens.add_argument("--samples", type=_samples, default=512, help="Sobol' base samples, a power of two (default 512)")
    sens.add_argument("--chart", help="also write the bar chart to this image (.png, .svg, .pdf)")
    from covsim.simulator.inputs.levers import sensitivity_paths

    every = ", ".join(p.partition(".")[2] if p.startswith("state_share.") else p for p in sensitivity_paths())
    sens.add_argument("--levers", help="comma-separated levers to vary beside the fitted parameters, named as "
                                       f"solve --levers names them (default: every one, {every}); none: only "
                                       "the fitted parameters")
    sens.set_defaults(func=cmd_sensitivity)

    alloc = sub.add_parser("allocate", help="yearly targets by district (or commune) and group that reach a provincial target")
    _common(alloc, scheme=False)
    alloc.add_argument("--target", type=_float, required=True, help="provincial target as a share")
    alloc.add_argument("--year", type=_year, required=True, help="target year")
    alloc.add_argument("--out", required=True, help="output file (.csv or .xlsx)")
    alloc.add_argument("--lang", choices=("vi", "en"), default="vi",
                       help="language of the units' names in the last column, `name` (default vi)")
    alloc.add_argument("--from", dest="start", type=_year,
                       help="first year of the allocation (default: the district table's first year; else the "
                            "year after the region's last observation, or three years before --year)")
    alloc.set_defaults(func=cmd_allocate)
