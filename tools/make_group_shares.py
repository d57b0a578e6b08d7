"""Regenerate Lai Chau's rows of simulator/data/group_shares.csv from its plan's group annex.

The annex (seed 003, annex b) counts each group's people for 2016-2020. Each year's counts are
spread over ages by raking the 2010 assumed age profile of Lai Chau's groups onto them
(`simulator.inputs.group_sizes.rake`), over the model's own Lai Chau population by age in that
year as known at the end of 2016, when the plan was decided. The rows written are `planned` (a plan's figures) and replace any earlier Lai Chau rows
of 2011 or later; the 2010 assumed rows stay (the profile the raking starts from).

    /work/venvs/<you>/bin/python tools/make_group_shares.py [--check]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from covsim.simulator.inputs import group_sizes, tables
from covsim.simulator.inputs.groups import GROUP_IDS
from covsim.simulator.schemes.labour import project_population

REGION = "lai_chau"
BASE_YEAR = 2010
PLAN_YEAR = 2016  # the plan's decision, 9 Dec 2016: the figures known then
SOURCE = ("Lai Chau PPC decision 2016-12-09 (seed 003), annex (b) 'Chỉ tiêu từng nhóm đối tượng' (headed Decision "
          "1074/QD-UBND): people per group")
NOTE = ("derived: the annex's people per group (a plan's figures, its subgroups summed by model_group) spread over "
        "ages by raking Lai Chau's {base} assumed age profile onto them (tools/make_group_shares.py){gap}")
DATA = Path(__file__).resolve().parents[1] / "simulator" / "data" / "group_shares.csv"


def rows() -> list[dict]:
    table = tables.read_table("group_shares")
    base = table[(table.region == REGION) & (table.year == BASE_YEAR)]
    bands = sorted({(int(r.age_from), int(r.age_to)) for r in base.itertuples()})
    profile = np.zeros((len(bands), len(GROUP_IDS)))
    for r in base.itertuples():
        profile[bands.index((int(r.age_from), int(r.age_to))), GROUP_IDS.index(r.group)] = r.share
    annex = tables.table("lai_chau_groups")
    years = sorted(int(y) for y in annex.year.unique())
    # the population known when the plan was made (its decision of 9 Dec 2016): these rows are known
    # from that day, so they may not rest on the 2019 census (an audit of 2026-12-06)
    pop = project_population([REGION], list(range(2008, max(years) + 1)), PLAN_YEAR)[:, 0].sum(axis=1)  # (year, age)
    out = []
    for year in years:
        by_age = pop[year - 2008]
        people = np.array([by_age[lo:hi + 1].sum() for lo, hi in bands])
        shares, gap = group_sizes.rake(profile, people, group_sizes.annex_totals(year, annex).values)
        stuck = [f"{g} {-gap[j]:+,.0f} persons" for j, g in enumerate(GROUP_IDS) if abs(gap[j]) > 0.5]
        note = NOTE.format(base=BASE_YEAR, gap="; where a group is alone in its band (the under-6 are all of ages 0-5) the annex's shares cannot all "
                                               "be met: model minus annex share, " + ", ".join(stuck)
                           if stuck else "")
        for b, (lo, hi) in enumerate(bands):
            values = np.round(shares[b], 4)
            values[np.argmax(values)] += round(1.0 - values.sum(), 4)  # each band sums to exactly 1
            for j, g in enumerate(GROUP_IDS):
                if values[j] > 0:
                    out.append({"region": REGION, "sex": "all", "age_from": lo, "age_to": hi, "group": g,
                                "year": year, "share": f"{values[j]:.4f}", "kind": "planned", "source": SOURCE,
                                "note": note})
    return out


def render() -> str:
    text = DATA.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    kept = [r for r in reader if not (r["region"] == REGION and int(r["year"]) > BASE_YEAR)]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept + rows())
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped table differs from what this writes")
    args = ap.parse_args()
    new = render()
    if args.check:
        same = new == DATA.read_text(encoding="utf-8")
        print("group_shares.csv is up to date" if same else "group_shares.csv differs from tools/make_group_shares.py")
        return 0 if same else 1
    DATA.write_text(new, encoding="utf-8")
    print(f"written {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
