"""`covsim calibrate`, `covsim forecast`, `covsim backtest`: thin faces over covsim.calibration."""
from __future__ import annotations

import dataclasses
import json

from covsim.simulator.inputs.scheme_ids import SCHEMES


def fitted_regions() -> list[str]:
    """What calibrate, forecast and backtest accept: the regions with data of their own (the region
    registry's runnable ones). A 2025 unit is the sum of its former provinces and has no fit of its
    own: its draws are theirs."""
    from covsim.simulator.inputs.scenario import known_regions

    return known_regions()


def check_fitted(region: str, key: str = "REGION", value: str | None = None, unit_hint: str = "",
                 units: bool = False) -> str:
    """A region that can be fitted: a 2025 unit (which run and target take) is told it has no fit of
    its own (`unit_hint` added), unless the caller takes `units` as of a year as the sum of their
    former provinces' fits (`calibration/unit_as_of.py`: forecast, target and brief --until); anything else
    unknown gets the nearest name. `key`/`value` name what asked for the fit."""
    from covsim.simulator.errors import InputError
    from covsim.simulator.inputs.scenario import offered_regions

    regions = fitted_regions()
    named = "" if value is None else f"'{region}' "  # the key names it already unless it is another option
    value = region if value is None else value
    if region in offered_regions() and region not in regions:
        from covsim.simulator.inputs.regions import former_provinces, mergeable

        if units and region in mergeable():
            return region
        parts = [m for m in former_provinces(region) if m in regions]
        ways = "" if unit_hint else (
            f"; `covsim run {region}` and `covsim target {region}` answer for it on the whole record, "
            f"`covsim forecast {region} --until YEAR`, `covsim target {region} --until YEAR` and `covsim brief "
            f"{region} --until YEAR` as of a year"
            + (f", and its former provinces one by one ({', '.join(parts)})" if parts else ""))
        raise InputError(key, value, f"{named}has no fit of its own (a 2025 unit is the sum of its former "
                                     f"provinces, fitted each on its own{unit_hint}{ways}); allowed: {', '.join(regions)}")
    if region not in regions:
        from covsim.simulator.inputs.regions import mergeable, unknown

        if units:  # a misspelt unit is told the unit's name, and the units are among what is allowed
            regions = [*regions, *mergeable()]
        raise InputError(key, value, f"{unknown(region, regions)}; allowed: {', '.join(regions)}")
    return region


def _as_of_region(region: str, scheme: str | None) -> str:
    """A region forecast as of a year (`forecast`, `backtest`): one with a fit of its own, or a 2025
    unit as its former provinces, each refitted as of the year (health insurance only)."""
    region = check_fitted(region, units=True)
    if scheme is not None:
        from covsim.calibration.unit_as_of import check_scheme, is_unit

        if is_unit(region):
            check_scheme(region, scheme)
    return region


def _settings(args):
    from covsim.calibration.fit import FAST, Settings

    base = FAST if args.fast else Settings()
    return dataclasses.replace(base, draws=args.draws or base.draws, seed=args.seed,
                               method=getattr(args, "sampler", None) or base.method)


def _check_size(args, draws: int, last_year: int, what: str) -> None:
    """Refuse, before minutes of fitting, a fit or forecast whose draws would pass the memory limit:
    each keeps every draw of every year from the first to `last_year`, as a run does."""
    from covsim.cli.main import check_draws_size
    from covsim.simulator.inputs.scenario import FIRST_YEAR

    check_draws_size(args, draws, max(last_year - FIRST_YEAR + 1, 1), f"{what} of {draws:,} draws")


def cmd_calibrate(args) -> int:
    import sys

    from covsim.calibration.diagnostics import mark_unconverged, verdict
    from covsim.calibration.fit import calibrate
    from covsim.calibration.forecast import check_until, convergence
    from covsim.cli.summary import mostly_prior_lines
    from covsim.simulator.output import check_destination, write_netcdf

    if args.region in _weighable():
        region, post = args.region, _weigh_unit(args)
        what, own, national = f"weighing {region} on its own figures", len(json.loads(post.attrs["unit_figures"])), 0
    else:
        args.seed = 0 if args.seed is None else args.seed
        region = check_fitted(args.region, unit_hint="; a figure of the unit itself, kept with `covsim region "
                                                      "observe`, lets calibrate weigh them on it")
        if args.until is not None:
            check_until(args.until)
        check_destination(args.out)
        settings = _settings(args)
        from covsim.calibration.health_fit import last_national_year

        _check_size(args, settings.draws, args.until or last_national_year(), f"a fit of {region}")
        post = calibrate(region, args.until, settings)
        what, own, national = f"the fit of {region}", post.attrs["own_observations"], post.attrs["national_observations"]
    failed = verdict(post.attrs)
    if failed and not args.allow_unconverged:
        sys.stderr.write(f"covsim: error: {what} did not converge ({failed}); nothing written "
                         f"to {args.out} (--allow-unconverged writes it, marked)\n")
        return 3
    if failed:
        mark_unconverged(post, failed)
        sys.stderr.write(f"covsim: warning: {what} did not converge ({failed}); written to "
                         f"{args.out} marked unconverged\n")
    write_netcdf(post, args.out)
    a = post.attrs
    summary = {"region": region, "until": args.until, "out": args.out, "draws": int(post.sizes["draw"]),
               "own_observations": own, "national_observations": national,
               "convergence": convergence(a), "converged": not failed, "runtime_s": a["runtime_s"],
               "learned": json.loads(a.get("learned") or "null"),
               # what reproduces it, as the file's attributes record it
               "seed": None if a.get("seed") is None else int(a["seed"]), "scenario": a.get("scenario"),
               "scenario_hash": a.get("scenario_hash"), "data_hash": a.get("data_hash"),
               "settings": json.loads(a["settings"]) if a.get("settings") else None,  # --fast, --sampler
               "code_version": a.get("code_version")}
    if args.json:
        print(json.dumps(summary))
    else:
        for k, v in summary.items():
            if k != "learned":
                print(f"{k:>22}: {v}")
        if summary["learned"]:
            print("\n".join(mostly_prior_lines({"learned": summary["learned"]})))
    return 0


def _weighable() -> list[str]:
    """2025 units with a figure of their own: `calibrate` weighs their former provinces' draws on it."""
    from covsim.calibration.unit_fit import figures
    from covsim.simulator.inputs.regions import mergeable

    return [u for u in mergeable() if not figures(u).empty]


def _weigh_unit(args):
    """`covsim calibrate UNIT --out FILE`: the weighing `covsim region observe` keeps (the same seed
    gives the same draws), on the former provinces' full fits only."""
    from covsim.calibration.unit_fit import fit_unit
    from covsim.simulator.errors import InputError
    from covsim.simulator.output import check_destination

    from covsim.calibration.shipped import unit_fit_of

    if args.until is not None:
        raise InputError("--until", str(args.until), f"{args.region}'s own figures are weighed on its former provinces' "
                         f"full fits; allowed: no --until (an as-of fit is a former province's: covsim calibrate "
                         f"PROVINCE --until YEAR)")
    for given, flag in ((args.draws is not None, "--draws"), (args.fast, "--fast"), (args.sampler != "laplace", "--sampler")):
        if given:
            raise InputError("calibrate", flag, f"{args.region} is a 2025 unit, whose weighing keeps every draw of its "
                             "pool, by importance resampling; allowed: --seed, --json, --allow-unconverged")
    check_destination(args.out)
    if args.seed is None:  # the seed of the weighing kept in the user's data folder, so that it is reproduced
        kept = unit_fit_of(args.region)
        args.seed = int(kept.attrs.get("seed", 0)) if kept is not None else 0
    return fit_unit(args.region, args.seed)


def cmd_forecast(args) -> int:
    from covsim.calibration.forecast import forecast
    from covsim.cli.summary import counted, print_boundaries, print_provenance, unconverged_as_of

    region = _as_of_region(args.region, args.scheme)  # the years are checked against the scheme's record once it is known
    _check_size(args, args.draws or 400, args.to, f"a forecast of {region}")
    result = forecast(region, args.until, args.to, scenario=args.scenario, draws=args.draws or 400,
                      seed=args.seed, settings=_settings(args), scheme=args.scheme)
    failed = unconverged_as_of(args.until, result.get("convergence", {}))
    if failed:
        import sys

        sys.stderr.write(f"covsim: warning: {failed}\n")
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{region} as of {args.until} ({counted(result['own_observations'], 'own observation')}, "
          f"scenario {result['scenario']}, {result['draws']} draws"
          + (", --fast sampling" if result["provenance"].get("fit", {}).get("fast") else "") + ")"
          + (f"; {result['scheme'].upper()} coverage of the {result['denominator'].replace('_', ' ')}"
             if "scheme" in result else ""))
    print(f"{'year':>4}  {'mean':>6}  {'80% interval':>15}  {'95% interval':>15}")
    for r in result["forecasts"]:
        print(f"{r['year']:>4}  {100 * r['mean']:>5.1f}%  {100 * r['lo80']:>6.1f}-{100 * r['hi80']:>5.1f}%  "
              f"{100 * r['lo95']:>6.1f}-{100 * r['hi95']:>5.1f}%"
              + ("  (fitted: up to --until)" if r["year"] <= args.until else ""))
    if failed:  # in the text itself too: a saved table must not read as a converged fit's
        print(failed)
    print_boundaries(result["boundaries"])
    print_provenance(result["provenance"])
    return 0


#: A backtest's text lists each figure it scored when it scored at most this many (`--json` always).
FIGURES_LISTED = 12


def cmd_backtest(args) -> int:
    from covsim.calibration.backtest import backtest, check_horizon, sampling
    from covsim.calibration.fit import NATIONAL, fit_of
    from covsim.cli.summary import counted, print_provenance

    region = _as_of_region(args.region, args.scheme)  # (its own figures are checked later)
    check_horizon(args.horizon)
    given = None
    if args.outcomes:  # read and checked in full before any fit
        from covsim.simulator.inputs import outcomes

        given = outcomes.read(args.outcomes)
        outcomes.check_any_of(given, args.outcomes, region, args.scheme)
    _check_size(args, args.draws or 300, fit_of(args.scheme).last_year() + args.horizon,
                f"each origin's forecast of {region}")
    settings = sampling(args.fast)
    fits: dict = {}
    result = backtest(region, args.horizon, settings, draws=args.draws or 300, seed=args.seed, fits=fits,
                      only=args.origins, scheme=args.scheme, outcomes=given)
    if region == NATIONAL and args.scheme == "bhyt":  # the labour targets' outcomes are not observed
        from covsim.calibration.scoring import score_targets

        result["targets"] = score_targets(settings, draws=args.draws or 300, seed=args.seed, fits=fits,
                                          only=args.origins, outcomes=given)
    if given is not None:  # what reproduces the scores: the file too
        result["provenance"]["outcomes"] = outcomes.record(args.outcomes, given)
    for bad in result["unconverged_origins"]:
        import sys

        sys.stderr.write(f"covsim: warning: the fit as of {bad['origin']} did not converge ({bad['failed']})\n")
    if args.json:
        print(json.dumps(result))
        return 0
    what = "" if args.scheme == "bhyt" else f" of {args.scheme.upper()} coverage of the labour force"
    n = result["held_out"]
    fit = result["provenance"]["fit"]
    print(f"{region}: rolling-origin backtest{what}, horizon {args.horizon}, origins {result['origins']}, "
          f"{counted(n, 'held-out observation')}; {result['provenance']['draws']} draws per origin"
          + (", --fast sampling" if fit.get("fast") else "") + "; MAE in percentage points")
    if n <= FIGURES_LISTED:  # few (the labour layer's): each figure scored, as the docs' tables give them
        for f in result["forecasts"]:
            print(f"  {f['year']} as of {f['origin']}: observed {100 * f['observed']:.2f}%, forecast "
                  f"{100 * f['mean']:.1f}% (80% {100 * f['lo80']:.1f}-{100 * f['hi80']:.1f}%, 95% "
                  f"{100 * f['lo95']:.1f}-{100 * f['hi95']:.1f}%), PIT {f['pit']:.2f}")
    print(f"{'method':>16}  {'MAE':>6}  {'80% cover':>9}  {'95% cover':>9}")
    m = result["model"]
    rows = [("covsim", m)] + list(result["baselines"].items())
    for name, s in rows:
        mae = "-" if s["mae"] is None else f"{s['mae']:.2f}"
        c80 = "-" if s["coverage80"] is None else f"{s['coverage80']:.2f}"
        c95 = s.get("coverage95")
        print(f"{name:>16}  {mae:>6}  {c80:>9}  {'' if c95 is None else f'{c95:.2f}':>9}")
    for band in result["by_horizon"]:
        m = band["model"]
        if not band["n"]:
            print(f"horizon {band['from']}-{band['to']}: no held-out figure this far ahead of these origins")
            continue
        best = min(((n, b["mae"]) for n, b in band["baselines"].items() if b["mae"] is not None),
                   key=lambda t: t[1], default=(None, None))
        print(f"horizon {band['from']}-{band['to']}: n {band['n']}, MAE {_f(m['mae'])}, 80% cover "
              f"{_f(m['coverage80'])}, 95% cover {_f(m['coverage95'])}, 80% width {_f(m['width80'])} points; "
              + (f"best baseline {best[0]} MAE {_f(best[1])}" if best[0] else "no baseline (no own observation "
                                                                              "up to the origin)"))
        c = band.get("if_calibrated")
        if c and c["coverage80_p10"] is not None and band["n"] > 1:  # one figure: in or out, nothing to weigh
            print(f"  a model calibrated by construction would show 80% cover {_f(c['coverage80_p10'])}-"
                  f"{_f(c['coverage80_p90'])} on these forecasts (10-90% of {c['resamples']} resamples); "
                  f"the chance of {_f(m['coverage80'])} or more: {_f(c['p_as_high'], 3)}, or less: "
                  f"{_f(c['p_as_low'], 3)}")
        a = band.get("sources_averaged")
        if a and a["n"] != band["n"]:
            print(f"  each forecast counted once, against the mean of its year's sources: n {a['n']}, MAE "
                  f"{_f(a['model']['mae'])}, 80% cover {_f(a['model']['coverage80'])}")
        r = band.get("recalibrated")
        if r and any(f["scale"] != 1 for f in result["recalibration"]):  # else they are the model's own
            print(f"  intervals recalibrated on the errors known at each origin: 80% cover {_f(r['coverage80'])}, "
                  f"80% width {_f(r['width80'])} points")
    if "targets" in result:
        t = result["targets"]
        if not t["cases"]:
            print("Brier scores: no national target with an observed outcome was set in these origins' years")
        else:
            # each target in words first: what the model said on the day it was set, and what came
            print("the national targets, each as of the day it was set (the chance the model gave it; "
                  "the published figure's, with the statistics' own error; what was observed):")
            for c in t["cases"]:
                given = f", from {args.outcomes}" if c.get("outcome_from_outcomes") else ""
                print(f"  {100 * c['target']:g}% in {c['year']}, set on {c['decided']}: model "
                      f"{_f(c['model_p'], 2)}, the published figure {_f(c.get('model_p_published'), 2)}; observed "
                      f"{100 * c['observed']:.2f}%{given}: {'reached' if c['outcome'] else 'missed'}")
            print("Brier scores of those probabilities (lower is better; 0.25 is a coin's): "
                  + ", ".join(f"{k} {_f(v, 3)}" for k, v in t["brier"].items()))
            if t.get("brier_published"):  # the figure is the event scored; the goal is judged on the line above
                print(f"  Brier score of the model's chances that the published figure reaches each target: "
                      f"{_f(t['brier_published']['model'], 3)}")
            for d in t.get("by_decision", []):  # one fit per day: its cases are not independent
                rest = d["brier_without"]
                print(f"  Brier of the {d['n']} set on {d['decided']}: model {_f(d['brier']['model'], 3)}; of the rest: "
                      + (", ".join(f"{k} {_f(v, 3)}" for k, v in rest.items()) if rest else "no other case"))
    if result.get("counts", {}).get("cases"):
        _print_counts(result["counts"])
    if "outcomes" in result:
        _print_given(result, args.outcomes)
    print_provenance(result["provenance"])
    _print_fixed(result["fixed"])
    _print_stand_ins(result.get("stand_ins", []))
    return 0


def _print_stand_ins(by_origin: list[dict]) -> None:
    """The later figures each origin's run read, none of their series known then: origins that read
    the same, one line."""
    from covsim.simulator.schemes.unverified import summary

    alike: dict[str, list[int]] = {}
    for o in by_origin:
        if o["rows"]:
            alike.setdefault(summary(o["rows"]), []).append(o["origin"])
    for text, years in alike.items():
        print(f"figures of later years standing in as of {', '.join(map(str, years))} (none of their series "
              f"known then; stand_ins in --json, docs/data.md): {text}")


def _print_fixed(by_origin: list[dict]) -> None:
    """The numbers each origin's run held fixed (assumed): those all share once, then each origin's own
    (a labour run as of 2009 holds the share required to join at its 2008 row)."""
    if len(by_origin) == 1:
        (o,) = by_origin
        if o["fixed"]:
            print(f"held fixed in the model as of {o['origin']} (assumed, not fitted): " + "; ".join(o["fixed"]))
        return
    shared = [f for f in by_origin[0]["fixed"] if all(f in o["fixed"] for o in by_origin)] if by_origin else []
    if shared:
        print("held fixed in the model at every origin (assumed, not fitted): " + "; ".join(shared))
    alike: dict[tuple, list[int]] = {}  # origins that held the same: one line
    for o in by_origin:
        own = tuple(f for f in o["fixed"] if f not in shared)
        if own:
            alike.setdefault(own, []).append(o["origin"])
    for own, years in alike.items():
        print(f"held fixed as of {', '.join(map(str, years))}: " + "; ".join(own))


def _print_counts(counts: dict) -> None:
    """The labour backtest's head counts: each held-out count against the model's median and
    intervals and the baselines' points (log scale), then the scores."""
    def m(value) -> str:
        return "-" if value is None else f"{value / 1e6:.2f} M"

    print("head counts (median; 80% and 95% intervals; the baselines fitted on the log of the counts known):")
    for c in counts["cases"]:
        rest = ", ".join(f"{k} {m(b['point'])}" for k, b in c["baselines"].items() if b["point"] is not None)
        print(f"  {c['kind']} {c['year']} as of {c['origin']}: observed {m(c['observed'])}, model {m(c['median'])} "
              f"({m(c['lo80'])}-{m(c['hi80'])}; {m(c['lo95'])}-{m(c['hi95'])})" + (f"; {rest}" if rest else ""))
    model = counts["model"]
    print(f"  mean absolute log error: model {_f(model['mean_abs_log_error'])} (n {model['n']}, 80% cover "
          f"{_f(model['coverage80'])})" + "".join(f", {k} {_f(b['mean_abs_log_error'])} (n {b['n']})"
                                                  for k, b in counts["baselines"].items() if b["n"]))


def _f(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"



def _horizon(text: str) -> int:
    """--horizon: a whole number of years (its range, 1-15, is checked with the other bad input)."""
    import argparse

    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of years; allowed: 1-15") from None

def register(sub) -> None:
    from covsim.cli.main import _year, region_help

    cal = sub.add_parser("calibrate", help="fit a region's parameters to its observed coverage")
    cal.add_argument("region", help=region_help(fitted_regions))
    cal.add_argument("--until", type=_year, help="use observations up to and including this year only")
    cal.add_argument("--out", required=True, help="NetCDF file for the posterior draws (.nc)")
    cal.add_argument("--sampler", choices=("laplace", "emcee"), default="laplace",
                     help="laplace: importance-resampled Laplace approximation, emcee where its Pareto k > 0.7 "
                          "(default); emcee: always the ensemble sampler")
    cal.add_argument("--allow-unconverged", action="store_true",
                     help="write a fit whose diagnostics fail (R-hat > 1.05, ESS < 300, Pareto k > 0.7), marked "
                          "so that every run using it says so (default: exit 3, nothing written)")
    _common(cal, draws="posterior draws to keep (default 1000; 400 with --fast)")
    cal.set_defaults(func=cmd_calibrate, seed=None)  # None: 0, or for a 2025 unit the kept weighing's seed

    fc = sub.add_parser("forecast", help="an 'as of YEAR' forecast: fit up to --until, forecast to --to")
    fc.add_argument("region", help=region_help(fitted_regions) + "; or a 2025 unit (health insurance: its former "
                                                                 "provinces, each fitted as of --until)")
    fc.add_argument("--until", type=_year, required=True, help="last year of observations the fit may use")
    fc.add_argument("--to", type=_year, required=True, help="last year to forecast")
    fc.add_argument("--scenario", help="scenario to forecast under (default: the region's baseline)")
    fc.add_argument("--scheme", choices=SCHEMES,
                    help="health (bhyt), social (bhxh) or unemployment (bhtn) insurance (default: the scenario's)")
    _common(fc, draws="posterior draws to forecast with (default 400)")
    fc.set_defaults(func=cmd_forecast)

    bt = sub.add_parser("backtest", help="rolling-origin backtest against simple baselines")
    bt.add_argument("region", help=region_help(fitted_regions) + " (with an observation of its own after an origin); "
                                   "or a 2025 unit (health insurance: its former provinces, each refitted as of each "
                                   "origin), with its own figures kept or given with --outcomes")
    bt.add_argument("--horizon", type=_horizon, default=10, help="years ahead from each origin, 1-15 (default 10); "
                                                             "scored overall and in the bands 1-3, 4-6, 7-10 "
                                                             "(and 11-15 where the horizon reaches it)")
    bt.add_argument("--origins", type=_years, help="only these origins, e.g. 2013,2016 (quick looks; the nation's "
                                                  "targets scored only where set in these years)")
    bt.add_argument("--scheme", choices=SCHEMES, default="bhyt",
                    help="the coverage scored: health (bhyt, default), or social (bhxh) or unemployment (bhtn) "
                         "insurance's share of the labour force, its origins the years of the nation's labour figures "
                         "(the nation's BHXH also its voluntary members' head counts, `counts`)")
    bt.add_argument("--outcomes", metavar="FILE",
                    help="a CSV of year-end figures the shipped data lack (columns region, year, value as a share, "
                         "source; scheme and note optional), e.g. a figure published since: scored with the shipped "
                         "ones and on their own, never fitted (the nation's targets too, where one is their outcome)")
    _common(bt, draws="posterior draws per origin (default 300)")
    bt.set_defaults(func=cmd_backtest)


def _print_given(result: dict, path: str) -> None:
    """The figures of `--outcomes`: each forecast of them, and the scores on them alone."""
    from covsim.cli.summary import counted

    o = result["outcomes"]
    print(f"figures from {path} (scored with the rest above, never fitted): {counted(o['n'], 'forecast')} of "
          f"{counted(o['given'], 'figure')} of {result['region']}'s {result['scheme']}"
          + (f"; {o['other_regions_or_schemes']} of other regions or schemes, not scored here"
             if o["other_regions_or_schemes"] else ""))
    for f in (f for f in result["forecasts"] if f["from_outcomes"]):
        print(f"  {f['year']} as of {f['origin']}: observed {100 * f['observed']:.2f}%, forecast {100 * f['mean']:.1f}% "
              f"(80% {100 * f['lo80']:.1f}-{100 * f['hi80']:.1f}%, 95% {100 * f['lo95']:.1f}-{100 * f['hi95']:.1f}%), "
              f"PIT {f['pit']:.2f}")
    for miss in o["not_scored"]:
        print(f"  {miss['year']}: not scored ({miss['why']})")
    if o["n"]:
        m = o["model"]
        print(f"  on these alone: covsim MAE {_f(m['mae'])}, 80% cover {_f(m['coverage80'])}, 95% cover "
              f"{_f(m['coverage95'])}; " + ", ".join(f"{name} MAE {_f(s['mae'])}" for name, s in o["baselines"].items()))


def _years(text: str) -> list[int]:
    import argparse

    try:
        years = [int(y) for y in text.split(",") if y.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of years") from None
    if not years:
        raise argparse.ArgumentTypeError("empty; give one year or more, e.g. 2013,2016")
    return years


def _common(parser, draws: str) -> None:
    from covsim.cli.main import SEED_HELP, _positive_int, add_memory_limit, seed

    parser.add_argument("--draws", type=_positive_int, help=draws)
    parser.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    parser.add_argument("--fast", action="store_true", help="shorter sampling, for quick looks and tests: its fits "
                                                            "often fail the convergence checks, and say so")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    add_memory_limit(parser)
