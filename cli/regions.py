"""`covsim regions`: the regions the data know (the country, the 34 provinces since 1 July 2025,
the 63 before), with their members, population, and whether a calibrated posterior ships."""
from __future__ import annotations

import argparse
import json


def rows() -> list[dict]:
    """One dict per region, in the data's order; the shape `covsim regions --json` prints."""
    from covsim.calibration import shipped
    from covsim.simulator.inputs import observations
    from covsim.simulator.inputs import regions

    out = []
    summed = set(regions.mergeable())  # 2025 units run as the sum of their former provinces
    for r in regions.registry().values():
        people = r.population
        out.append({
            "id": r.id, "name_vi": r.name_vi, "name_en": r.name_en, "kind": r.kind, "code": r.code or None,
            "members": list(r.members),
            "population": None if people is None else (int(people) if float(people).is_integer() else people),
            "population_year": r.population_year, "population_kind": r.population_kind or None,
            "population_resolution": None if r.population_resolution is None else int(r.population_resolution),
            "calibrated": shipped.has_posterior(r.id),
            "observations": int(len(observations.observed(r.id, "bhyt"))),
            "group_observations": int(len(observations.group_figures(r.id, "bhyt"))),
            "parent": r.parent or None, "runnable": r.runnable or r.id in summed,
            "summed_from_former_provinces": r.id in summed,
            "weighed_on_own_figures": r.id in summed and shipped.unit_fit_of(r.id) is not None,
            # a former province without a fit runs on its part of its unit's draws (calibration/shipped.py)
            "draws_of_unit": shipped.territory_of(r.id) if r.runnable else None,
        })
    return out


def cmd_regions(args) -> int:
    table = rows()
    if args.kind:
        table = [r for r in table if r["kind"] == args.kind]
    check = population_check()
    if args.json:
        print(json.dumps({"regions": table, "population_check": check}, ensure_ascii=False))
        return 0
    width = max([len(r["id"]) for r in table] + [2])
    print(f"{'id':<{width}}  {'kind':<16}  {'name':<20}  {'population (year)':>28}  {'resolution':>10}  status, "
          "coverage figures")
    for r in table:
        kind = r["population_kind"] if r["population_kind"] not in (None, "observed") else ""  # said, not left to the docs
        people = "" if r["population"] is None else f"{r['population']:,} ({r['population_year']}{', ' + kind if kind else ''})"
        resolution = "" if r["population_resolution"] is None else f"{r['population_resolution']:,}"
        people = f"{people:>28}  {resolution:>10}"
        flags = ("calibrated" if r["calibrated"] else f"its part of {r['draws_of_unit']}'s draws" if r["draws_of_unit"]
                 else "priors only") if r["runnable"] else "not runnable"
        if r["summed_from_former_provinces"]:
            flags = "runs as the sum of its former provinces" + (
                ", weighed on its own figures" if r["weighed_on_own_figures"] else "")
        members = f"  = {' + '.join(r['members'])}" if r["kind"] == "province" and len(r["members"]) > 1 else ""
        groups = f" + {r['group_observations']} of a group" if r["group_observations"] else ""
        print(f"{r['id']:<{width}}  {r['kind']:<16}  {r['name_vi']:<20}  {people}  {flags}, "
              f"{r['observations']} obs{groups}{members}")
    print(MEASURES)  # which measure is which, whatever part of the list is shown
    if not args.kind:  # the whole list: the provinces' sum against the country
        print(check_line(check))
    return 0


#: What the two population figures of `covsim regions` are (docs/data.md, "Provincial units").
MEASURES = ("population: the GSO's average population of the year shown (a 2025 unit's is the sum of its former "
            "provinces'; a former province the model runs shows the population its runs use, marked where it is "
            "assumed or planned, not observed: docs/data.md; so a unit's former provinces, listed at their own years, "
            "need not add up to it); resolution: the 'quy mô dân số' Resolution 202/2025/QH15 states for a 2025 unit, "
            "another measure")


def population_check() -> dict:
    """Whether the 34 provinces' populations add up to the country's (`regions.population_check`),
    as `covsim regions --json` gives it."""
    from covsim.simulator.inputs import regions

    out = regions.population_check(regions.registry())
    return {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in out.items()}


def check_line(check: dict) -> str:
    """The check in one line: what the provinces sum to against the country, and whether it holds."""
    if check["missing"]:
        return f"{check['units']} provinces: {len(check['missing'])} without a population of {check['year']}"
    faults = (["not the same year"] if check["national_year"] != check["year"] else []) + (
        ["more than 0.5% apart"] if check["gap"] is None or check["gap"] > 0.005 else [])
    verdict = "within 0.5% (met)" if check["ok"] else " and ".join(faults) + " (not met)"
    gap = "" if check["gap"] is None else f" ({100 * check['gap']:.1f}% apart)"
    return (f"{check['units']} provinces sum to {check['sum']:,} ({check['year']}) against the country's "
            f"{check['national']:,} ({check['national_year']}){gap}: {verdict}; see docs/data.md")


def cmd_template(args) -> int:
    from covsim.cli.main import workbook_out
    from covsim.simulator.inputs import region_template

    out = workbook_out(args.out)
    region_template.write_template(out)
    print(f"wrote {out}: fill it, then `covsim region add {out}`")
    return 0


def cmd_add(args) -> int:
    import sys
    from pathlib import Path

    from covsim.simulator.inputs import region_template

    filled, problems = region_template.read_workbook(Path(args.file))
    if problems:
        for line in problems:
            sys.stderr.write(f"covsim: error: {line}\n")
        return 2
    if filled.communes_only:
        return _add_unit_communes(filled)
    try:
        where = region_template.register(filled)
    except FileExistsError as exc:
        sys.stderr.write(f"covsim: error: {exc}: region '{filled.id}' is already registered; "
                         f"`covsim region remove {filled.id}` first\n")
        return 2
    if args.no_calibrate:
        print(f"registered {filled.id} ({filled.name_vi}) in {where}; not calibrated: "
              f"its runs use the priors (covsim run {filled.id})")
        return 0
    try:
        fit = _calibrate(filled.id, args.seed)
    except BaseException:
        region_template.remove(filled.id)  # nothing registered unless complete
        raise
    from covsim.cli.summary import counted

    print(f"registered {filled.id} ({filled.name_vi}) in {where}; calibrated with the national fit "
          f"({counted(fit['own_observations'], 'own observation')}, {fit['runtime_s']:.0f} s)")
    return 0


def _add_unit_communes(filled) -> int:
    """A 2025 unit's communes, kept beside its own figures (`region observe`): the planners' units
    since 1 July 2025, which `allocate` then shares the unit's targets out to. Nothing is fitted."""
    import sys

    from covsim.simulator.inputs import region_template

    where, had = region_template.register_unit_communes(filled)
    if had:
        sys.stderr.write(f"covsim: note: {filled.id}'s communes kept before are replaced\n")
    rows = filled.tables["communes"]
    years = sorted({r[1] for r in rows})
    print(f"kept {len({r[2] for r in rows})} communes of {filled.id} ({filled.name_vi}; "
          f"{', '.join(map(str, years))}) in {where}; `covsim allocate {filled.id}` shares its targets out to them "
          f"from 2025, and `covsim region remove {filled.id}` removes them with the unit's own figures")
    return 0


def _calibrate(region: str, seed: int) -> dict:
    """Fit the registered region pooled with the national observations (the fast settings) and keep
    its posterior beside its data."""
    import dataclasses

    from covsim.calibration import shipped
    from covsim.calibration.fit import FAST, calibrate
    from covsim.simulator.inputs import tables as data
    from covsim.simulator.inputs import regions
    from covsim.simulator.output import write_netcdf

    data.reload()  # the tables read before registering lack the region's rows
    regions._CACHE.clear()
    post = calibrate(region, None, dataclasses.replace(FAST, seed=seed))
    write_netcdf(post, shipped.user_path(region))  # complete or absent
    return {"own_observations": int(post.attrs["own_observations"]), "runtime_s": float(post.attrs["runtime_s"])}


def cmd_observe(args) -> int:
    """Keep a 2025 unit's own year-end figure and weigh the unit's draws on it (`unit_fit`): the
    figure and the weighed draws are written together, or neither."""
    import sys

    import pandas as pd

    from covsim.calibration import shipped, unit_fit
    from covsim.calibration.diagnostics import verdict
    from covsim.simulator.inputs import tables
    from covsim.simulator.inputs.user_data import replace_folder
    from covsim.simulator.output import write_netcdf

    _check_observed(args)
    earlier = unit_fit.figures(args.unit)
    replaced = earlier[earlier.year == args.year]
    new = pd.DataFrame([{"region": args.unit, "year": args.year, "scheme": "bhyt", "group": "all", "value": args.value,
                         "unit": "share_of_population", "kind": "observed", "source": args.source.strip(),
                         "note": "added with covsim region observe"}])
    rows = pd.concat([earlier[earlier.year != args.year], new], ignore_index=True).sort_values("year")
    text = rows[[c.name for c in tables.SCHEMAS["coverage"]]].to_csv(index=False, lineterminator="\n")
    tables.parse_table("coverage", text, f"{args.unit}/coverage.csv")  # the shipped schema, before it counts
    writers = {"coverage.csv": lambda path: path.write_text(text, encoding="utf-8")}
    was_weighed = shipped.unit_fit_of(args.unit) is not None
    if not args.no_calibrate:
        post = unit_fit.fit_unit(args.unit, args.seed, rows.reset_index(drop=True))
        failed = verdict(post.attrs)
        if failed:
            reach = "; ".join(f"{y}: {100 * lo:.1f}–{100 * hi:.1f}%" for y, (lo, hi) in json.loads(post.attrs["reach"]).items())
            sys.stderr.write(f"covsim: error: weighing {args.unit} on its own figures did not converge ({failed}): its "
                             f"former provinces' draws put the figures at {reach} (5–95%); nothing written "
                             f"(--no-calibrate keeps the figure unweighed)\n")
            return 3
        writers["posterior.nc"] = lambda path: write_netcdf(post, path)
    where = replace_folder(args.unit, writers, keep=("communes.csv",))  # its communes stay
    for old in replaced.itertuples():
        sys.stderr.write(f"covsim: note: {args.unit}'s {int(old.year)} figure {100 * float(old.value):.2f}% "
                         f"(source: {old.source}) is replaced\n")
    years = ", ".join(f"{int(r.year)} {100 * float(r.value):.2f}%" for r in rows.itertuples())
    seed = f" --seed {args.seed}" if args.seed else ""
    if args.no_calibrate:
        dropped = "; the weighing kept before is dropped (it was on other figures)" if was_weighed else ""
        print(f"kept {args.unit}'s own figures ({years}) in {where}; not weighed: its runs are its former provinces' "
              f"fits, unweighed{dropped} (`covsim calibrate {args.unit}{seed} --out {shipped.user_path(args.unit)}` "
              f"weighs them)")
        return 0
    post.attrs["data_hash"] = tables.data_hash()  # the data with the figure in, as the unit's runs record it
    write_netcdf(post, shipped.user_path(args.unit))
    a = post.attrs
    print(f"kept {args.unit}'s own figures ({years}) in {where}; its draws weighed on them "
          f"(Pareto k {a['pareto_k']:.2f}, ESS {a['ess']:.0f} of {a['pool']}, {a['runtime_s']:.0f} s): every run of "
          f"{args.unit} now uses them (a dashboard already running, from its next request); `covsim region remove "
          f"{args.unit}` undoes it")
    return 0


def _check_observed(args) -> None:
    """`region observe`'s input, one line each: a unit run as its former provinces, a year it has
    existed in and that has begun, a share, a source on one line."""
    from datetime import date

    from covsim.simulator.analysis.planning import check_target
    from covsim.simulator.errors import InputError
    from covsim.simulator.inputs import regions

    units = regions.mergeable()
    if args.unit not in units:
        raise InputError("region observe", "UNIT", f"{args.unit} is not a 2025 unit run as the sum of its former provinces"
                         f"{regions.nearest_id(args.unit, units)} "
                         f"(a province before 2025 keeps its figures in the shipped data, a region you added in its "
                         f"workbook); allowed: {', '.join(units)}")
    if not regions.MERGER_YEAR <= args.year <= date.today().year:
        raise InputError("region observe", "YEAR", f"{args.year} is outside {regions.MERGER_YEAR}.."
                         f"{date.today().year} (the unit exists from 1 July 2025; a year not yet begun has no figure)")
    check_target(args.value, "region observe", "VALUE")
    source = args.source.strip()
    if not source or any(not ch.isprintable() for ch in source):
        raise InputError("region observe", "--source", f"{args.source!r} is {'empty' if not source else 'not one line'}; "
                         "allowed: where the figure was published (document, agency, date), on one line")


def share(text: str) -> float:
    """A coverage share as typed, a decimal comma too ('0,942', as `target` and `brief` take it)."""
    from covsim.cli.planning import _float

    try:
        return _float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; allowed: a share such as 0.942 "
                                         "or 0,942") from None


def cmd_remove(args) -> int:
    import sys

    from covsim.simulator.inputs import region_template

    gone = region_template.remove(args.region)
    if gone is None:
        from covsim.simulator.inputs.user_data import user_dir

        sys.stderr.write(f"covsim: error: region: '{args.region}': nothing of it is in your data folder ({user_dir()}); "
                         "allowed: a region you added, or a 2025 unit whose own figures or communes you kept "
                         "(shipped data cannot be removed)\n")
        return 2
    print(f"removed {args.region} ({gone})")
    return 0


def register(sub) -> None:
    from covsim.cli.main import SEED_MAX, _year, seed

    one = sub.add_parser("region", help="a province's own data: Excel template, add, observe, remove")
    acts = one.add_subparsers(dest="action", required=True)  # the same one-line error parser as the rest
    t = acts.add_parser("template", help="write the Excel template to fill")
    t.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    t.set_defaults(func=cmd_template)
    a = acts.add_parser("add", help="check a filled template and register the region in your data folder (for a "
                                    "2025 unit run as its former provinces: its communes only, sheet Xã phường)")
    a.add_argument("file", help="the filled workbook (.xlsx)")
    a.add_argument("--no-calibrate", action="store_true",
                   help="register without fitting (its runs then use the priors, and say so)")
    a.add_argument("--seed", type=seed, default=0, help=f"random seed of the fit, a whole number in 0..{SEED_MAX} (default 0)")
    a.set_defaults(func=cmd_add)
    o = acts.add_parser("observe", help="keep a 2025 unit's own year-end BHYT coverage and weigh its runs on it")
    o.add_argument("unit", help="a 2025 unit run as its former provinces (vinh_long_2025, ...)")
    o.add_argument("year", type=_year, help="the year the figure ends (2025 up to this year)")
    o.add_argument("value", type=share, help="coverage as a share of the population, e.g. 0.942")
    o.add_argument("--source", required=True, help="where the figure was published (document, agency, date)")
    o.add_argument("--no-calibrate", action="store_true",
                   help="keep the figure without weighing the unit's draws on it")
    o.add_argument("--seed", type=seed, default=0, help=f"random seed of the weighing, a whole number in 0..{SEED_MAX} (default 0)")
    o.set_defaults(func=cmd_observe)
    r = acts.add_parser("remove", help="remove a region you added, or a 2025 unit's own figures and communes")
    r.add_argument("region")
    r.set_defaults(func=cmd_remove)

    p = sub.add_parser("regions", help="list the regions (country, provinces since 1 Jul 2025, provinces before)")
    p.add_argument("--kind", choices=("country", "province", "province_pre2025"), help="only regions of this kind")
    p.add_argument("--json", action="store_true", help='print {"regions": [...]} instead of the table')
    p.set_defaults(func=cmd_regions)
