"""`covsim brief`: the dashboard's briefing (Word, PDF or HTML) from the command line.

The same computation as the page (`dashboard.compute.full_result` and `summary`), the same
content (`dashboard.brief_content`); levers as `--lever NAME=VALUE`, in `covsim batch --grid`'s
names and units (shares as 0-1), from `--from` (default: as the page, after the last observation).
`--until YEAR` writes it as of that year (`compute.as_of_result`: `covsim target --until` on paper).
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

from covsim.simulator.errors import InputError
from covsim.simulator.inputs.scheme_ids import SCHEMES

FORMATS = (".docx", ".pdf", ".html")


def _write(path: str, content: bytes) -> None:
    """The bytes, readable as any file the user writes (a temporary file is private by default)."""
    Path(path).write_bytes(content)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _replaceable(path: Path) -> None:
    """Refuse an existing file `brief` did not write as it stands: a briefing edited and saved in
    Word since (its last author is no longer covsim), a document of the user's own under the name
    typed. Re-running a briefing replaces it; an official's edits are never lost to it."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    suffix, what = path.suffix.lower(), None
    try:
        if suffix == ".docx":
            import docx

            props = docx.Document(str(path)).core_properties
            if props.author != "covsim":
                what = "a Word document covsim did not write"
            elif props.last_modified_by != "covsim":
                what = f"a briefing saved since by '{props.last_modified_by or 'someone'}': its edits would be lost"
        elif suffix == ".pdf":
            what = None if b"/Creator (covsim)" in path.read_bytes() else "a PDF covsim did not write"
        else:
            what = None if 'id="covsim-run"' in path.read_text(encoding="utf-8", errors="replace") \
                else "a page covsim did not write"
    except Exception:  # noqa: BLE001 - unreadable as its kind: not one covsim can tell it wrote
        what = f"not readable as a {suffix.lstrip('.')} file"
    if what:
        raise InputError(path, "--out", f"exists and is {what}; allowed: a new name, or a briefing covsim wrote "
                                        "(move this one away first)")


def _check_as_of(sc, year: int, until: int, known, start: int | None) -> int:
    """Refuse what cannot be as of `until`, before minutes of fitting (as `covsim target --until`);
    the levers' first year (default: the year after `until`, the first a plan then could change)."""
    from covsim.cli.planning import check_as_of

    check_as_of(sc, year, until, known, units=True)  # a 2025 unit: its former provinces' fits
    if start is None:
        return until + 1
    if start <= until:
        raise InputError("--from", str(start), f"is not after --until {until}: as of then its years were already "
                                               f"observed; allowed: {until + 1} or later")
    return start


def cmd_brief(args) -> int:
    from covsim.cli.planning import _atomic
    from covsim.dashboard import brief_content, compute
    from covsim.simulator import output
    from covsim.simulator.analysis import planning
    from covsim.cli.summary import unconverged_as_of

    out = output.check_destination(args.out, FORMATS, "--out")
    _replaceable(out)
    planning.check_target(args.target, "brief")
    scheme = args.scheme or compute.simulator.load_scenario(args.scenario).scheme
    from covsim.cli.planning import parse_levers

    levers = parse_levers(args.lever, scheme)
    sc = compute.scenario(args.scenario, scheme)
    from covsim.cli.main import note_idle

    note_idle(sc)
    planning.check_acting(sc, levers, "--lever", [spec["path"] for spec in compute.lever_specs()])
    planning.check_year(sc, args.year)
    from covsim.cli.planning import check_known

    check_known(args.known, args.until)
    if args.until is not None:
        start = _check_as_of(sc, args.year, args.until, args.known, args.start)
    else:
        start = args.start if args.start is not None else planning.lever_start(sc, args.year)
    planning.check_year(sc, start, "--from")
    if args.start is not None and args.start > args.year:  # as `solve` and `allocate` refuse it
        raise InputError("brief", "--from", f"{args.start} is after the target year {args.year}: levers from then "
                                            f"cannot change the answer; allowed: {sc.start + 1}..{args.year}")
    planning.check_unit_start(sc, start, list(levers), given=args.start is not None)
    if levers and start > args.year:
        sys.stderr.write(f"covsim: warning: the levers start in {start}, after the target year {args.year}: "
                         "they cannot change the answer\n")
    if args.compare:
        try:
            other = compute.scenario(args.compare, scheme)
        except InputError as exc:  # named by the option given, with the scenarios it could name
            if exc.where != "scenario":
                raise
            from covsim.simulator.errors import nearest

            same = [n for n in compute.scenarios_of(sc.region) if n != sc.name]
            raise InputError("brief", "--compare", f"'{args.compare}': no scenario of that name"
                                                   f"{nearest(args.compare, same)}; allowed: a scenario of "
                                                   f"{sc.region} ({', '.join(same) or 'none but this one'}) "
                                                   "or a .toml or .xlsx file") from None
        if other.region != sc.region:
            raise InputError("brief", "--compare", f"'{args.compare}' is a scenario of {other.region}, "
                                                   f"not {sc.region}; compare with one of {sc.region}'s")
        if args.until is not None:  # a plan decided later is no comparison an official then could make
            from covsim.simulator.inputs.decisions import knowledge_day

            planning.check_plan_known(other, knowledge_day(args.until, args.known), "--compare")
    from covsim.cli.main import check_run_size
    from covsim.simulator.analysis.runsize import BRIEF_CELL_BYTES

    check_run_size(sc, args, BRIEF_CELL_BYTES)  # before any draw is read: 10**8 draws would fill the memory
    if args.held_fixed:  # refuse before a minute of running
        from covsim.calibration import held_fixed

        held_fixed.check(sc, args.until)
    if args.until is not None:  # fitted on what was observed by then, under the policy decided by then
        res, as_of = compute.as_of_result(args.scenario, scheme, levers, start, args.target, args.year, args.until,
                                          known=args.known, compare=args.compare, draws=args.draws, seed=args.seed)
        s = compute.summary(res)
        s["as_of"] = as_of
        unconverged = unconverged_as_of(args.until, as_of["convergence"])
        if unconverged:  # never used silently: the forecast's own wording, and where the briefing says it
            sys.stderr.write(f"covsim: warning: {unconverged}; the briefing says so\n")
    else:
        res = compute.full_result(args.scenario, scheme, levers, start, args.target,
                                  args.year, compare=args.compare, draws=args.draws, seed=args.seed)
        s = compute.summary(res)
    if args.held_fixed:  # the verdict with each number held fixed at its alternatives, refitted
        from covsim.cli.planning import refit_bar

        sys.stderr.write(f"covsim: note: {held_fixed.note(sc, args.until, args.known)}\n")
        s["held_fixed"] = compute.held_fixed(args.scenario, scheme, tuple(sorted(levers.items())), start, args.target,
                                             args.year, args.draws, args.seed, progress=refit_bar(),
                                             until=args.until, known=args.known)
    _atomic(str(out), lambda tmp: _write(tmp, brief_content.render(s, args.lang, out.suffix.lower())),
            suffix=out.suffix)
    rep = s["report"]
    from covsim.cli.main import note_former, note_lever_start

    day = date.fromisoformat(s["as_of"]["known_on"]) if s.get("as_of") else None
    note_former(sc.region, args.year, day)  # as of a day before the merger was decided: not named
    if levers:
        note_lever_start(start, args.year)
    if args.json:
        extra = {}
        if s.get("compare"):  # the comparison the briefing prints: the other scenario on the same draws and seed
            c = s["compare"]
            extra["compare"] = {**compute.compared(s), "probability": c["probability_b"],
                                **({"state_cost": {"from": c["cost_first"], "to": c["cost_last"], "total": c["cost_a"],
                                                   "compared": c["cost_b"], "difference": c["cost_diff"],
                                                   **({"difference_lo80": c["cost_diff_lo80"],
                                                       "difference_hi80": c["cost_diff_hi80"]}
                                                      if "cost_diff_lo80" in c else {}),
                                                   "units": "VND"}} if "cost_a" in c else {})}
        if s.get("budget"):  # the target year's money, against the policy in force, as the key numbers give it
            row = next((r for r in s["budget"] if r["year"] == rep["year"]), None)
            if row is not None:
                extra["budget"] = {"year": rep["year"], "compared_with": s.get("budget_compared_with"), "units": "VND",
                                   **{k: row[k] for k in (*planning.BUDGET_VARS, "extra_state_cost", "extra_insured",
                                                          *(f"{v}_{side}" for v in ("state_cost", "premium_revenue",
                                                                                    "extra_state_cost") for side in ("lo80", "hi80")),
                                                          "cost_per_additional_insured", "cost_per_additional_insured_lo80",
                                                          "cost_per_additional_insured_hi80") if k in row}}  # BHXH: support
        print(json.dumps({"out": str(out), "region": s["region"], "scenario": s["scenario"], "target": rep["target"],
                          "year": rep["year"],
                          "probability": rep["probability"], "probability_se": rep["probability_se"],
                          **{k: rep[k] for k in ("probability_published", "probability_published_se", "reporting_error_sd")
                             if k in rep},
                          "changed": s["changed"], "start": s["start"],
                          "provenance": _provenance(res, s), **extra,
                          **({"held_fixed": s["held_fixed"]} if args.held_fixed else {}),
                          **({"as_of": s["as_of"]} if "as_of" in s else {})},
                         ensure_ascii=False))
    else:
        as_of = f" as of {s['as_of']['until']}" if "as_of" in s else ""
        print(f"{s['scenario']}: probability{as_of} {planning.probability_text(rep['probability'])} of "
              f"{100 * rep['target']:.2f}% in {rep['year']}")
        print(f"written: {out}")
    return 0


def _provenance(res: dict, s: dict) -> dict:
    """`run --json`'s keys (`provenance.record` of the same run's attributes) beside the briefing's
    own (`assumed`, `mostly_prior`, `on_priors`, `source`): until 2026-12-05 it was the briefing's
    alone, short of the run's region, scheme, assumptions and learned. A key both have keeps the
    briefing's type (`scenario_definition` a string of JSON, `calibrated` true/false): public."""
    from covsim.simulator.schemes import provenance

    return {**provenance.record(res["attrs"]), **s["assumptions"]}


def register(sub) -> None:
    from covsim.cli.main import SEED_HELP, _positive_int, add_memory_limit, seed
    from covsim.cli.main import _year
    from covsim.cli.planning import _day, _float

    p = sub.add_parser("brief", help="a briefing for the People's Committee: Word (.docx), PDF or HTML")
    p.add_argument("scenario", help="a shipped scenario name, or a TOML or .xlsx path")
    p.add_argument("--target", type=_float, required=True, help="coverage target as a share, e.g. 0.968")
    p.add_argument("--year", type=_year, required=True, help="target year")
    p.add_argument("--lever", action="append", default=[], metavar="NAME=VALUE",
                   help="set a lever (repeatable), in --grid's names and units: near_poor=0.9, "
                        "local_top_up.pupil_student=0.2, drive=1, base_salary=2340000")
    p.add_argument("--from", dest="start", type=_year,
                   help="first year the levers take effect (default: after the last observation)")
    p.add_argument("--compare", help="also compare with this scenario of the same region")
    p.add_argument("--scheme", choices=SCHEMES, help="insurance scheme (default: the scenario's)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the briefing (default vi)")
    p.add_argument("--draws", type=_positive_int, default=200, help="posterior draws (default 200)")
    p.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    p.add_argument("--out", required=True, help="output file: .docx, .pdf or .html")
    add_memory_limit(p)
    p.add_argument("--held-fixed", action="store_true",
                   help="also say how the probability moves with each number the model holds fixed (assumed) at "
                        "a lower and a higher value, the fit redone under each (as covsim target --held-fixed; "
                        "minutes)")
    p.add_argument("--until", type=_year, metavar="YEAR",
                   help="the briefing as of this year: fitted on observations up to YEAR under the policy, laws "
                        "and targets decided by its end, as covsim target --until (health insurance; levers from "
                        "YEAR + 1 by default; the figures observed later are drawn as what followed; a minute)")
    p.add_argument("--known", type=_day, metavar="DAY",
                   help="with --until: the day policy, laws and targets are known by, in the year after --until "
                        "(default: the end of --until)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_brief)
