"""Ingestion check: every place where the shipped planning tables contradict themselves.

The plans are copied into the data as printed, faults included; this module says where their own
arithmetic does not hold, so a fault is reported rather than silently reproduced:

* a stated rate that is not insured / population up to rounding;
* a count where insured equals population but the stated rate is not 100;
* a total row, or a group row, that is not the sum of its rows;
* the two Lai Chau annexes disagreeing with each other or with population.csv;
* a stated Lai Chau target that is not the annex's own rate (the overall target, compared both
  ways; a group target, which is a floor);
* a six-group plan (HCMC, Dong Nai) whose overall target cannot be checked, because the plan gives
  the groups' targets but not their sizes (and, where it can be told, an overall target outside
  the range of its group targets);
* coverage values outside [0, 1], units that do not fit the scheme, unknown group ids, crosswalk
  weights that do not add up to 1, fractions outside [0, 1] in policy_parameters.

`check_plan_tables` returns the findings; `check_all` first validates every table (a corrupt file
raises `InputError`, naming the file and the row or column) and then returns the findings, with a
labour table (optional) that is missing: the runs of the labour schemes it stops.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .tables import SCHEMAS, data_dir, read_table
from .groups import BY_ID, GROUP_IDS, figure_groups
from .scheme_ids import HEALTH, LABOUR, LABOUR_DENOMINATORS

#: A stated rate may differ from insured / population by rounding only: 0.05 percentage points,
#: or half a unit of the last printed digit where the annex prints fewer than two decimals
#: ("71" for 174 / 246 = 70.73% is rounding; "64" for 3,165 / 3,165 is not).
RATE_TOLERANCE_POINTS = 0.05

#: A one-decimal plan target against a two-decimal table rate: one unit of the target's last
#: printed digit, because the Lai Chau plan truncates its own totals (93.28 -> 93.2, 96.06 -> 96.0)
#: rather than rounding them; 96.8 against 97.00 is beyond that.
TARGET_TOLERANCE_POINTS = 0.1

#: Tables validated when present: the labour-force layer's (only its schemes, bhxh and bhtn, read
#: them: a health-insurance run does without, and `check_all` says which runs a missing one stops)
#: and a province's communes (from its region workbook; none ship). Every other table is required:
#: `mandates.csv` too, since every health-insurance run reads Law 25/2008's roadmap from it.
OPTIONAL_TABLES = ("labour_force", "labour_policy", "communes")
#: The optional tables some runs cannot do without, and which.
NEEDED_BY_LABOUR = ("labour_force", "labour_policy")

PLAN6_GROUPS = (
    "plan6_employee", "plan6_pensioner", "plan6_poor_near_poor", "plan6_child_under6",
    "plan6_pupil_student", "plan6_farm_household_other",
)
LAW_GROUPS = tuple(f"law{i}" for i in range(1, 6))
#: The units a scheme's coverage figures may be in: of the population, or of a labour denominator.
UNITS = {HEALTH: ("share_of_population",),
         **{scheme: tuple(f"share_of_{d}" for d in LABOUR_DENOMINATORS) for scheme in LABOUR}}


@dataclass(frozen=True)
class Finding:
    """One contradiction: the file it is in, the row or key, and what does not hold."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


# Helpers ---------------------------------------------------------------------------------------

def _n(x) -> str:
    return f"{int(x):,}"


def _pct(x: float) -> str:
    return f"{x:.2f}"


def _printed(x: float) -> str:
    """A stated rate as the annex prints it (the CSV keeps the printed digits)."""
    return format(float(x), ".10g")


def _rate_tolerance(stated: float) -> float:
    text = _printed(stated)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return max(RATE_TOLERANCE_POINTS, 0.5 * 10.0 ** -decimals)


def _valid_group(group: str) -> bool:
    """A group a fit reads (`groups.figure_groups`) or a six-group plan's (targets only)."""
    return group in PLAN6_GROUPS or figure_groups(str(group)) is not None


def _document(source: str) -> str:
    """The document a row comes from: its source up to the section."""
    return source.split(", section")[0].split(", annex")[0].strip()


def _label(table: pd.DataFrame, name_col: str, row) -> str:
    return f"{row.year} row {row.row} ({getattr(row, name_col)})"


# Checks on one annex ---------------------------------------------------------------------------

def _check_rates(table: pd.DataFrame, file: str, name_col: str) -> list[Finding]:
    out = []
    for row in table.itertuples(index=False):
        key = _label(table, name_col, row)
        ins, pop, stated = int(row.insured), int(row.population), float(row.rate_stated)
        if pop == 0:
            if ins != 0 or stated != 0:
                out.append(Finding(file, key, f"{_n(ins)} insured of a population of 0, stated rate {_printed(stated)}"))
            continue
        if ins > pop:
            out.append(Finding(file, key, f"more insured ({_n(ins)}) than population ({_n(pop)})"))
            continue
        actual = 100.0 * ins / pop
        if ins == pop and stated != 100:
            out.append(Finding(
                file, key,
                f"insured equals population ({_n(ins)} of {_n(pop)}, i.e. 100%) but the stated rate is "
                f"{_printed(stated)}, not 100",
            ))
            continue
        tolerance = _rate_tolerance(stated)
        if abs(stated - actual) > tolerance + 1e-9:
            out.append(Finding(
                file, key,
                f"stated rate {_printed(stated)} but {_n(ins)} / {_n(pop)} = {_pct(actual)}%: "
                f"{abs(stated - actual):.2f} points apart, more than rounding ({tolerance:g})",
            ))
    return out


def _sum_finding(file: str, key: str, what: str, ins: int, pop: int, sum_ins: int, sum_pop: int) -> Finding | None:
    parts = []
    if ins != sum_ins:
        parts.append(f"insured {_n(ins)} but its rows sum to {_n(sum_ins)} ({sum_ins - ins:+,})")
    if pop != sum_pop:
        parts.append(f"population {_n(pop)} but its rows sum to {_n(sum_pop)} ({sum_pop - pop:+,})")
    if not parts:
        return None
    return Finding(file, key, f"{what}: " + "; ".join(parts))


def _check_unique_rows(table: pd.DataFrame, file: str) -> list[Finding]:
    out = []
    dup = table[table.duplicated(["year", "row"], keep=False)]
    for (year, row), _ in dup.groupby(["year", "row"]):
        out.append(Finding(file, f"{year} row {row}", "row id repeated within the year"))
    return out


def _check_districts(table: pd.DataFrame) -> list[Finding]:
    file = "lai_chau_districts.csv"
    out = _check_unique_rows(table, file) + _check_rates(table, file, "district")
    for year, rows in table.groupby("year", sort=True):
        totals = rows[rows.is_total == 1]
        parts = rows[rows.is_total != 1]
        if len(totals) != 1:
            out.append(Finding(file, str(year), f"{len(totals)} total rows, expected 1"))
            continue
        t = totals.iloc[0]
        f = _sum_finding(file, f"{year} row {t.row}", "total row", t.insured, t.population,
                         int(parts.insured.sum()), int(parts.population.sum()))
        if f:
            out.append(f)
    return out


def _check_groups(table: pd.DataFrame) -> list[Finding]:
    file = "lai_chau_groups.csv"
    out = _check_unique_rows(table, file) + _check_rates(table, file, "name_vi")
    for row in table.itertuples(index=False):
        if row.model_group and row.model_group not in GROUP_IDS:
            out.append(Finding(file, _label(table, "name_vi", row), f"unknown model group '{row.model_group}'"))
        if row.level != "total" and pd.isna(row.law_group):
            out.append(Finding(file, _label(table, "name_vi", row), "law_group missing"))
        if not pd.isna(row.state_share) and not 0 <= row.state_share <= 1:
            out.append(Finding(file, _label(table, "name_vi", row), f"state share {row.state_share} outside [0, 1]"))
    for year, rows in table.groupby("year", sort=True):
        groups = rows[rows.level == "group"]
        subs = rows[rows.level == "subgroup"]
        totals = rows[rows.level == "total"]
        for parent in sorted(set(subs.parent) - set(groups.row)):
            out.append(Finding(file, f"{year} row {parent}", "parent of subgroups is not a group row of the year"))
        for g in groups.itertuples(index=False):
            members = subs[subs.parent == g.row]
            if members.empty:
                continue
            f = _sum_finding(file, f"{year} row {g.row}", f"group row ({g.name_vi})", g.insured, g.population,
                             int(members.insured.sum()), int(members.population.sum()))
            if f:
                out.append(f)
        if len(totals) != 1:
            out.append(Finding(file, str(year), f"{len(totals)} total rows, expected 1"))
            continue
        t = totals.iloc[0]
        f = _sum_finding(file, f"{year} row {t.row}", "total row (sum of the group rows)", t.insured,
                         t.population, int(groups.insured.sum()), int(groups.population.sum()))
        if f:
            out.append(f)
    return out


# Checks across tables --------------------------------------------------------------------------

def _annex_totals(table: pd.DataFrame, is_total) -> dict[int, pd.Series]:
    return {int(r.year): r for _, r in table[is_total].iterrows()}


def _check_annexes_agree(districts, groups, population) -> list[Finding]:
    out = []
    d_tot = _annex_totals(districts, districts.is_total == 1)
    g_tot = _annex_totals(groups, groups.level == "total")
    for year in sorted(set(d_tot) | set(g_tot)):
        if year not in d_tot or year not in g_tot:
            out.append(Finding("lai_chau_groups.csv", f"{year} row total", "the other annex has no total for this year"))
            continue
        d, g = d_tot[year], g_tot[year]
        if (d.insured, d.population) != (g.insured, g.population):
            out.append(Finding(
                "lai_chau_groups.csv", f"{year} row total",
                f"{_n(g.insured)} / {_n(g.population)} but the district annex's total is "
                f"{_n(d.insured)} / {_n(d.population)}",
            ))
    planned = population[(population.region == "lai_chau") & (population.kind == "planned")]
    for row in planned.itertuples(index=False):
        d = d_tot.get(int(row.year))
        if d is not None and int(row.value) != int(d.population):
            out.append(Finding(
                "population.csv", f"lai_chau {row.year}",
                f"planned population {_n(row.value)} but the annex total is {_n(d.population)}",
            ))
    return out


def _rows_for(groups: pd.DataFrame, year: int, group: str) -> pd.DataFrame:
    rows = groups[groups.year == year]
    if group in LAW_GROUPS:
        return rows[(rows.level == "group") & (rows.law_group == int(group[3:]))]
    wanted = set(group.split("+"))
    return rows[(rows.level != "total") & rows.model_group.isin(wanted)]


def _check_lai_chau_targets(coverage, districts, groups) -> list[Finding]:
    out = []
    plans = coverage[(coverage.region == "lai_chau") & (coverage.kind == "planned") & (coverage.scheme == "bhyt")]
    # the plan's own targets: another document's (Decision 1167 assigned the same 96.8%) is no
    # contradiction within the plan
    own = {_document(s) for s in pd.concat([districts.source, groups.source])}
    plans = plans[plans.source.map(_document).isin(own)]
    annexes = (
        ("lai_chau_districts.csv", _annex_totals(districts, districts.is_total == 1)),
        ("lai_chau_groups.csv", _annex_totals(groups, groups.level == "total")),
    )
    for row in plans[plans.group == "all"].itertuples(index=False):
        target = 100.0 * row.value
        for file, totals in annexes:
            t = totals.get(int(row.year))
            if t is None:
                continue
            stated = float(t.rate_stated)
            if abs(stated - target) > TARGET_TOLERANCE_POINTS + 1e-9:
                out.append(Finding(
                    file, f"{row.year} row {t.row}",
                    f"the plan's stated {row.year} target is {target:.1f}% (coverage.csv: {row.source}) but the "
                    f"annex's own total rate is {stated:.2f} ({_n(t.insured)} / {_n(t.population)} = "
                    f"{_pct(100.0 * t.insured / t.population)}%): {abs(stated - target):.2f} points apart, more "
                    f"than rounding ({TARGET_TOLERANCE_POINTS:g})",
                ))
    # A group target is a floor ("over 95%", "100% from 2016 onwards"): the annex may exceed it.
    for row in plans[plans.group != "all"].itertuples(index=False):
        rows = _rows_for(groups, int(row.year), row.group)
        if rows.empty:
            continue
        ins, pop = int(rows.insured.sum()), int(rows.population.sum())
        if pop == 0:
            continue
        rate = 100.0 * ins / pop
        target = 100.0 * row.value
        if rate < target - TARGET_TOLERANCE_POINTS - 1e-9:
            which = ", ".join(rows.row)
            out.append(Finding(
                "lai_chau_groups.csv", f"{row.year} {row.group}",
                f"the plan's target for {row.group} in {row.year} is {target:g}% (coverage.csv: {row.source}) but "
                f"the annex plans {_n(ins)} / {_n(pop)} = {_pct(rate)}% (rows {which})",
            ))
    return out


def _check_six_group_plans(coverage) -> list[Finding]:
    out = []
    planned = coverage[coverage.kind == "planned"].copy()
    planned["document"] = planned.source.map(_document)
    six = planned[planned.group.isin(PLAN6_GROUPS)]
    for (region, year, scheme, document), rows in six.groupby(["region", "year", "scheme", "document"], sort=True):
        overall = planned[(planned.region == region) & (planned.year == year) & (planned.scheme == scheme)
                          & (planned.group == "all") & (planned.document == document)]
        key = f"{region} {year} {scheme}"
        targets = ", ".join(f"{100 * v:g}" for v in rows.sort_values("group").value)
        missing = sorted(set(PLAN6_GROUPS) - set(rows.group))
        if missing:
            out.append(Finding("coverage.csv", key, f"six-group plan without targets for {', '.join(missing)}"))
        if overall.empty:
            out.append(Finding("coverage.csv", key, f"six-group targets ({targets}) without an overall target"))
            continue
        value = float(overall.value.iloc[0])
        lo, hi = float(rows.value.min()), float(rows.value.max())
        if not lo - 1e-9 <= value <= hi + 1e-9:
            out.append(Finding(
                "coverage.csv", key,
                f"overall target {100 * value:g}% lies outside its group targets ({100 * lo:g}-{100 * hi:g}%): "
                "no group sizes can give it",
            ))
            continue
        out.append(Finding(
            "coverage.csv", key,
            f"overall target {100 * value:g}% cannot be checked: the plan ({document}) gives the six group "
            f"targets but not the groups' sizes",
        ))
    return out


def _check_coverage(coverage) -> list[Finding]:
    out = []
    for i, row in enumerate(coverage.itertuples(index=False), start=2):
        key = f"row {i} ({row.region} {row.year} {row.scheme} {row.group})"
        if not 0 <= row.value <= 1:
            out.append(Finding("coverage.csv", key, f"value {row.value:g} is not a fraction in [0, 1]"))
        if row.unit not in UNITS[row.scheme]:
            out.append(Finding("coverage.csv", key, f"unit '{row.unit}' does not fit {row.scheme}; "
                                                    f"expected {' or '.join(UNITS[row.scheme])}"))
        if not _valid_group(row.group):
            out.append(Finding("coverage.csv", key, f"unknown group '{row.group}'"))
    return out


def _check_crosswalk(crosswalk) -> list[Finding]:
    out = []
    for row in crosswalk.itertuples(index=False):
        if row.group not in BY_ID:
            out.append(Finding("group_crosswalk.csv", row.group, "unknown model group"))
            continue
        if row.law_group != BY_ID[row.group].law_group:
            out.append(Finding("group_crosswalk.csv", row.group,
                               f"law group {row.law_group}, but the model puts it in {BY_ID[row.group].law_group}"))
        if row.plan6_group not in PLAN6_GROUPS:
            out.append(Finding("group_crosswalk.csv", row.group, f"unknown six-group id '{row.plan6_group}'"))
    weights = crosswalk.groupby("group").weight.sum()
    for group in GROUP_IDS:
        total = float(weights.get(group, 0.0))
        if abs(total - 1.0) > 1e-9:
            out.append(Finding("group_crosswalk.csv", group, f"weights sum to {total:g}, not 1"))
    return out


def _check_policy(policy) -> list[Finding]:
    out = []
    for i, row in enumerate(policy.itertuples(index=False), start=2):
        if row.unit == "fraction" and not 0 <= row.value <= 1:
            out.append(Finding("policy_parameters.csv", f"row {i} ({row.parameter} {row.region} {row.group})",
                               f"fraction {row.value:g} outside [0, 1]"))
    return out


#: The population goal: the steered model within 1% of every census total (issue 39).
CENSUS_GAP_TOLERANCE = 0.01


@dataclass(frozen=True)
class CensusGap:
    """The model's population against one census, survey or plan figure."""

    region: str
    year: int
    basis: str  # census, survey, plan (census.csv) or the kind of a population.csv row
    kind: str
    model: float
    census: float

    @property
    def gap(self) -> float:
        return self.model / self.census - 1.0

    def __str__(self) -> str:
        return (f"{self.region:<22} {self.year}  {self.basis:<8} {self.kind:<8} {self.model:>12,.0f} "
                f"{self.census:>12,.0f}  {100 * self.gap:+6.2f}%")


def census_gaps() -> list[CensusGap]:
    """The steered population (demography.build) against every figure of census.csv and every
    population.csv figure census.csv does not give, region by region."""
    from . import demography, tables
    from .regions import former_provinces, mergeable, registry

    census = tables.table("census")
    population = tables.table("population")
    figures = [(r.region, int(r.year), r.basis, r.kind, float(r.value)) for r in census.itertuples()]
    given = {(f[0], f[1]) for f in figures}
    figures += [(r.region, int(r.year), "given", r.kind, float(r.value)) for r in population.itertuples()
                if (r.region, int(r.year)) not in given]
    regions = list(dict.fromkeys(f[0] for f in figures))
    units = {u: former_provinces(u) for u in mergeable() if registry()[u].population}
    regions += [p for members in units.values() for p in members if p not in regions]
    last = max([f[1] for f in figures] + [int(registry()[u].population_year) for u in units])
    years = list(range(min(f[1] for f in figures), last + 1))
    totals = demography.build(regions, years).projected_population.sum(("sex", "age"))
    out = [CensusGap(region, year, basis, kind, float(totals.sel(region=region, year=year)), value)
           for region, year, basis, kind, value in sorted(figures)]
    for unit, members in units.items():  # a 2025 unit: its former provinces added, against regions.csv
        r = registry()[unit]
        model = float(totals.sel(region=list(members), year=int(r.population_year)).sum())
        out.append(CensusGap(unit, int(r.population_year), "merged", r.population_kind or "assumed", model,
                             float(r.population)))
    return out


def age_gaps() -> list[dict]:
    """The steered population's share of each census age band (census_structure.csv) against the
    census's, in percentage points, with how the region's initial age shape was set."""
    from . import demography, tables

    structure = tables.table("census_structure")
    regions = sorted({str(r) for r in structure[structure.dimension == "age"].region})
    if not regions:
        return []
    bands = {r: demography.age_bands(structure, r) for r in regions}
    years = list(range(demography.PROJECTION_ORIGIN, max(b[0] for v in bands.values() for b in v) + 1))
    pop = demography.build(regions, years).projected_population
    out = []
    for r in regions:
        given = [(year - years[0], lo, hi, share) for year, lo, hi, share in bands[r] if year >= years[0]]
        shares = demography.band_shares(pop.sel(region=r).values, given)
        for (k, lo, hi, share), model in zip(given, shares):
            out.append({"region": r, "year": years[k], "band": f"{lo}+" if hi == demography.MAX_AGE else f"{lo}-{hi}",
                        "model": float(model), "census": share, "gap_points": 100 * (float(model) - share)})
    return out


#: Regions whose registered population is told apart from the resident one (issue 39, item 6).
MIGRANT_REGIONS = ("ho_chi_minh_city", "dong_nai")


def residents_and_registered(regions=MIGRANT_REGIONS, years=(2009, 2014, 2019, 2024)) -> list[dict]:
    """Resident population (the model's denominator) beside a registered population that is
    assumed: the residents less the net migrants the steering estimates since the 2009 census (no
    source for registered residence by province was found; see docs/data.md)."""
    from . import demography

    span = list(range(demography.PROJECTION_ORIGIN, max(years) + 1))
    demo = demography.build(list(regions), span)
    pop = demo.projected_population.values
    moved = demography.net_migrants(pop, demo.net_migration_rate.values)  # (year, region)
    since = np.cumsum(np.where(np.asarray(span)[:, None] > 2009, moved, 0.0), axis=0)
    out = []
    for i, region in enumerate(regions):
        for y in years:
            k = span.index(y)
            resident = float(pop[k, i].sum())
            out.append({"region": region, "year": int(y), "resident": resident,
                        "registered": resident - float(since[k, i]), "resident_kind": "steered to census.csv",
                        "registered_kind": "assumed"})
    return out


def _check_census_gaps(gaps: list[CensusGap]) -> list[Finding]:
    """The census table's points (each basis demography steers through), not population.csv's."""
    from .demography import BASIS_ORDER

    return [Finding("census.csv", f"{g.region} {g.year}",
                    f"the model's {g.model:,.0f} is {100 * g.gap:+.2f}% off the {g.basis} total {g.census:,.0f} "
                    f"(allowed: {100 * CENSUS_GAP_TOLERANCE:g}%)")
            for g in gaps if g.basis in BASIS_ORDER and abs(g.gap) > CENSUS_GAP_TOLERANCE]


def _check_mandates(directory: Path | None) -> list[Finding]:
    """A roadmap step names a model group and a dated law (decisions.csv), or it would be dropped."""
    root = directory or data_dir()
    if not (root / "mandates.csv").exists():
        return []
    out = []
    for row in read_table("mandates", directory).itertuples(index=False):
        if row.group not in BY_ID:
            out.append(Finding("mandates.csv", row.group, f"unknown model group; allowed: {', '.join(BY_ID)}"))
        elif not BY_ID[row.group].voluntary:
            out.append(Finding("mandates.csv", row.group, "not a voluntary group: its enrolment is not a choice"))
    return out


# Entry points ----------------------------------------------------------------------------------

def check_plan_tables(directory: Path | str | None = None) -> list[Finding]:
    """Every place the shipped tables contradict themselves (empty when none do)."""
    directory = Path(directory) if directory is not None else None
    coverage = read_table("coverage", directory)
    population = read_table("population", directory)
    districts = read_table("lai_chau_districts", directory)
    groups = read_table("lai_chau_groups", directory)
    crosswalk = read_table("group_crosswalk", directory)
    policy = read_table("policy_parameters", directory)
    return (
        _check_districts(districts)
        + _check_groups(groups)
        + _check_annexes_agree(districts, groups, population)
        + _check_lai_chau_targets(coverage, districts, groups)
        + _check_six_group_plans(coverage)
        + _check_coverage(coverage)
        + _check_crosswalk(crosswalk)
        + _check_policy(policy)
        + _check_mandates(directory)
    )


def check_all(directory: Path | str | None = None) -> list[Finding]:
    """Validate every table in SCHEMAS (a corrupt file raises InputError), then return the findings."""
    directory = Path(directory) if directory is not None else None
    root = directory or data_dir()
    for name in SCHEMAS:
        if name in OPTIONAL_TABLES and not (root / f"{name}.csv").exists():
            continue
        read_table(name, directory)
    return check_plan_tables(directory) + _check_census_gaps(census_gaps()) + _check_labour_tables(root)


def _check_labour_tables(root: Path) -> list[Finding]:
    """A labour table missing is no fault (health-insurance runs do without it) but stops every
    run of the labour schemes: said, not passed over."""
    return [Finding(f"{name}.csv", "file", "missing: health-insurance (bhyt) runs do not read it, but every social "
                                           "(bhxh) and unemployment (bhtn) insurance run refuses until it is given")
            for name in NEEDED_BY_LABOUR if not (root / f"{name}.csv").exists()]


def main() -> int:  # pragma: no cover - convenience: python -m covsim.simulator.datacheck
    findings = check_all()
    for f in findings:
        print(f)
    return 1 if findings else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
