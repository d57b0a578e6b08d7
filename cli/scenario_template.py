"""`covsim scenario template --out F.xlsx`: the empty reform workbook (lever, year, value), whose
filled copy runs wherever a scenario path does (`covsim run F.xlsx`, `target --scenario F.xlsx`)."""
from __future__ import annotations


def cmd_template(args) -> int:
    from covsim.cli.main import workbook_out
    from covsim.simulator.inputs import scenario_excel

    out = workbook_out(args.out)
    scenario_excel.write_template(out)
    print(f"wrote {out}: fill sheets '{scenario_excel.HEAD}' and '{scenario_excel.REFORM}', then `covsim run {out}`")
    return 0


def register(sub) -> None:
    one = sub.add_parser("scenario", help="a reform in Excel: write the template to fill")
    acts = one.add_subparsers(dest="action", required=True)
    t = acts.add_parser("template", help="write the Excel reform template (lever, year, value; levers listed)")
    t.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    t.set_defaults(func=cmd_template)
