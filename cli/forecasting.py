"""`covsim calibrate`, `covsim forecast`, `covsim backtest`: thin faces over covsim.calibration."""
from __future__ import annotations

import dataclasses
import json


def _region(text: str) -> str:
    from covsim.simulator.errors import InputError, nearest
    from covsim.simulator.inputs.scenario import known_regions

    regions = known_regions()
    if text not in regions:
        raise InputError("REGION", text, f"unknown region{nearest(text, regions)}; allowed: {', '.join(regions)}")
    return text


def _settings(args):
    from covsim.calibration.fit import FAST, Settings

    base = FAST if args.fast else Settings()
    return dataclasses.replace(base, draws=args.draws or base.draws, seed=args.seed,
                               method=getattr(args, "sampler", None) or base.method)


def cmd_calibrate(args) -> int:
    from covsim.calibration.fit import calibrate
    from covsim.calibration.forecast import convergence
    from covsim.simulator.output import check_destination, write_netcdf

    region = _region(args.region)
    check_destination(args.out)
    post = calibrate(region, args.until, _settings(args))
    write_netcdf(post, args.out)
    a = post.attrs
    summary = {"region": region, "until": args.until, "out": args.out, "draws": int(post.sizes["draw"]),
               "own_observations": a["own_observations"], "national_observations": a["national_observations"],
               "convergence": convergence(a), "runtime_s": a["runtime_s"]}
    if args.json:
        print(json.dumps(summary))
    else:
        for k, v in summary.items():
            print(f"{k:>22}: {v}")
    return 0


def cmd_forecast(args) -> int:
    from covsim.calibration.forecast import check_years, forecast

    region = _region(args.region)
    if args.scheme in (None, "bhyt"):
        check_years(args.until, args.to)
    result = forecast(region, args.until, args.to, scenario=args.scenario, draws=args.draws or 400,
                      seed=args.seed, settings=_settings(args), scheme=args.scheme)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{region} as of {args.until} ({result['own_observations']} own observations, "
          f"scenario {result['scenario']}, {result['draws']} draws)"
          + (f"; {result['scheme'].upper()} coverage of the {result['denominator'].replace('_', ' ')}"
             if "scheme" in result else ""))
    print(f"{'year':>4}  {'mean':>6}  {'80% interval':>15}  {'95% interval':>15}")
    for r in result["forecasts"]:
        print(f"{r['year']:>4}  {100 * r['mean']:>5.1f}%  {100 * r['lo80']:>6.1f}-{100 * r['hi80']:>5.1f}%  "
              f"{100 * r['lo95']:>6.1f}-{100 * r['hi95']:>5.1f}%")
    return 0


def cmd_backtest(args) -> int:
    from covsim.calibration.backtest import backtest
    from covsim.calibration.fit import FAST, Settings

    region = _region(args.region)
    if args.horizon < 1:
        from covsim.simulator.errors import InputError

        raise InputError("--horizon", str(args.horizon), "must be at least 1 year")
    settings = FAST if args.fast else Settings(walkers=32, burn=200, steps=200)
    result = backtest(region, args.horizon, settings, draws=args.draws or 300, seed=args.seed)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{region}: rolling-origin backtest, horizon {args.horizon}, origins {result['origins']}, "
          f"{result['held_out']} held-out observations; MAE in percentage points")
    print(f"{'method':>16}  {'MAE':>6}  {'80% cover':>9}  {'95% cover':>9}")
    m = result["model"]
    rows = [("covsim", m)] + list(result["baselines"].items())
    for name, s in rows:
        mae = "-" if s["mae"] is None else f"{s['mae']:.2f}"
        c80 = "-" if s["coverage80"] is None else f"{s['coverage80']:.2f}"
        c95 = s.get("coverage95")
        print(f"{name:>16}  {mae:>6}  {c80:>9}  {'' if c95 is None else f'{c95:.2f}':>9}")
    return 0


def register(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit a region's parameters to its observed coverage")
    cal.add_argument("region")
    cal.add_argument("--until", type=int, help="use observations up to and including this year only")
    cal.add_argument("--out", required=True, help="NetCDF file for the posterior draws (.nc)")
    cal.add_argument("--sampler", choices=("laplace", "emcee"), default="laplace",
                     help="laplace: importance-resampled Laplace approximation, emcee where its Pareto k > 0.7 "
                          "(default); emcee: always the ensemble sampler")
    _common(cal)
    cal.set_defaults(func=cmd_calibrate)

    fc = sub.add_parser("forecast", help="an 'as of YEAR' forecast: fit up to --until, forecast to --to")
    fc.add_argument("region")
    fc.add_argument("--until", type=int, required=True, help="last year of observations the fit may use")
    fc.add_argument("--to", type=int, required=True, help="last year to forecast")
    fc.add_argument("--scenario", help="scenario to forecast under (default: the region's baseline)")
    fc.add_argument("--scheme", choices=("bhyt", "bhxh", "bhtn"),
                    help="health (bhyt), social (bhxh) or unemployment (bhtn) insurance (default: the scenario's)")
    _common(fc)
    fc.set_defaults(func=cmd_forecast)

    bt = sub.add_parser("backtest", help="rolling-origin backtest against simple baselines")
    bt.add_argument("region")
    bt.add_argument("--horizon", type=int, default=3, help="years ahead from each origin (default 3)")
    _common(bt)
    bt.set_defaults(func=cmd_backtest)


def _common(parser) -> None:
    parser.add_argument("--draws", type=int, help="posterior draws to keep / use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="shorter sampling (for quick looks and tests)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
