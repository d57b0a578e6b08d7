"""`covsim regions`: the regions the data know (the country, the 34 provinces since 1 July 2025,
the 63 before), with their members, population, and whether a calibrated posterior ships."""
from __future__ import annotations

import json


def rows() -> list[dict]:
    """One dict per region, in the data's order; the shape `covsim regions --json` prints."""
    from covsim.calibration import posterior
    from covsim.simulator import observations, regions

    out = []
    for r in regions.registry().values():
        people = r.population
        out.append({
            "id": r.id, "name_vi": r.name_vi, "name_en": r.name_en, "kind": r.kind, "members": list(r.members),
            "population": None if people is None else (int(people) if float(people).is_integer() else people),
            "population_year": r.population_year, "calibrated": posterior.has_posterior(r.id),
            "observations": int(len(observations.observed(r.id, "bhyt"))),
            "parent": r.parent or None, "runnable": r.runnable,
        })
    return out


def cmd_regions(args) -> int:
    table = rows()
    if args.kind:
        table = [r for r in table if r["kind"] == args.kind]
    if args.json:
        print(json.dumps({"regions": table}, ensure_ascii=False))
        return 0
    width = max(len(r["id"]) for r in table)
    for r in table:
        people = "" if r["population"] is None else f"{r['population']:,} ({r['population_year']})"
        flags = ("calibrated" if r["calibrated"] else "priors only") if r["runnable"] else "not runnable"
        members = f"  = {' + '.join(r['members'])}" if r["kind"] == "province" and len(r["members"]) > 1 else ""
        print(f"{r['id']:<{width}}  {r['kind']:<16}  {r['name_vi']:<20}  {people:>20}  {flags}, "
              f"{r['observations']} obs{members}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("regions", help="list the regions (country, provinces since 1 Jul 2025, provinces before)")
    p.add_argument("--kind", choices=("country", "province", "province_pre2025"), help="only regions of this kind")
    p.add_argument("--json", action="store_true", help='print {"regions": [...]} instead of the table')
    p.set_defaults(func=cmd_regions)
