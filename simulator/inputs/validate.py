"""Every data table validated in full before anything runs: types, ranges, sums, repeated keys.

`tables.read_table` stops at a table's first unreadable cell; a run that reads its tables lazily
could therefore compute (and write) a whole result before meeting a bad cell, or run on a value no
table can hold (a negative population gives `nan%`). `problems` reads every table and lists
every fault with its file, row and column; `require_valid` refuses, once per process, before a
command starts. A region or group id that no registry or reader knows is a fault too: the engine
selects rows by id, so a typo (`vietnamm`, `near_por`) would drop its row without a word; and so is
an observed figure of a year before the model's first, which no fit can compare. Contradictions
inside the plans (`datacheck`) are findings, not faults: the plans are shipped as printed.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .tables import SCHEMAS, data_dir, filled, parse_all
from .datacheck import LAW_GROUPS, OPTIONAL_TABLES, PLAN6_GROUPS, Finding, _valid_group
from .groups import BY_ID, GROUP_IDS
from .levers import LEVERS
from .observations import LABOUR_COUNTS, LABOUR_SHARES
from .scenario import FIRST_YEAR
from ..errors import InputError, nearest

#: Years a table may speak of (the model runs 2008-2050; the plans and laws go back to 1992).
YEARS = (1900, 2100)

#: Observed figures the fits read year by year from the model's first year (`scenario.FIRST_YEAR`,
#: the state is initialised at its end): an earlier one has no model year to be compared with. The
#: coverage table's observed rows (every scheme), and the labour force table's observed shares and
#: member counts (`observations.labour`); other tables may go back further (censuses, plans).
FITTED_LABOUR = tuple(LABOUR_SHARES) + tuple(LABOUR_COUNTS)

#: What a required table is needed for, said when it is missing (where the name does not say it).
NEEDED_BY = {"mandates": "every health-insurance (bhyt) run reads Law 25/2008's roadmap from it"}

#: Units whose values are shares, and units that count people or money: never negative.
SHARE_UNITS = ("fraction", "share_of_population", "share_of_labour_force", "share_of_required",
               "share_of_informal_labour_force")
COUNT_UNITS = ("persons", "VND_per_month", "years", "births_per_woman", "males_per_female")
#: The units a value may be in. No reader converts one: a population in thousands or a coverage
#: in percent would be read as persons or a share. A table's own where it has one unit (a coverage
#: figure's by its scheme, datacheck.UNITS), else any unit the project's values are in.
KNOWN_UNITS = (*SHARE_UNITS, *COUNT_UNITS, "per_year", "relative")
TABLE_UNITS = {"population": ("persons",), "census": ("persons",), "income": ("VND_per_month",)}
#: Bounds no value in these units can pass: a sum typed in thousands of VND (a base salary of 540,
#: an income of 995) or a count in people beyond any country's (5 billion) is a slip, not a figure.
#: The shipped values: 540,000..8,290,000 VND a month; 50,000..101,112,656 persons.
PLAUSIBLE = {"VND_per_month": (10_000, 1e9, "VND a month (is it typed in thousands?)"),
             "persons": (0, 2e8, "persons (a region of Viet Nam; is it typed in another unit?)")}

#: Columns that together name one fact: the same key twice is a fault (which value holds?).
KEYS = {
    "population": ("region", "year", "kind"),
    "coverage": ("region", "year", "scheme", "group", "kind", "source"),
    "policy_parameters": ("parameter", "region", "group", "effective_from"),
    "labour_policy": ("parameter", "region", "group", "effective_from"),
    "labour_force": ("region", "year", "parameter", "source"),
    "group_shares": ("region", "sex", "age_from", "age_to", "group", "year"),
    "group_crosswalk": ("group", "plan6_group"),
    "demography": ("region", "parameter", "year"),
    "census": ("region", "year", "basis"),
    "census_structure": ("region", "year", "dimension", "category"),
    "income": ("region", "year"),
    "household_sizes": ("region", "size", "year"),
    "mandates": ("document", "group", "effective"),
    "decisions": ("document", "match"),
}

#: The censuses every region with census rows must have: a series with one missing is a gap the
#: steering would silently bridge (demography.target_totals).
CENSUS_YEARS = (2009, 2019)
#: Shares of one census dimension (sex, or the age bands) add up to 1 within printed rounding.
SHARE_SUM_TOLERANCE = 0.002


def _units(name: str, row: dict) -> tuple[str, ...] | None:
    """The units `row`'s value may be in (TABLE_UNITS, a coverage figure's scheme's), None where
    the table has no unit column or the row's scheme is not one (reported as such)."""
    from .datacheck import UNITS

    if "unit" not in row:
        return None
    if name == "coverage":
        return UNITS.get(row.get("scheme"))
    return TABLE_UNITS.get(name, KNOWN_UNITS)


def _cell(file: str, line: int, column: str, message: str) -> Finding:
    return Finding(file, f"row {line}, column '{column}'", message)


def _value_rules(name: str, frame: pd.DataFrame, lines: list[int], file: str) -> list[Finding]:
    """Ranges and signs, row by row."""
    out = []
    for line, row in zip(lines, frame.to_dict("records")):
        for column in ("year",):
            if column in row and filled(row[column]) and not YEARS[0] <= row[column] <= YEARS[1]:
                out.append(_cell(file, line, column, f"{row[column]} is not a year in {YEARS[0]}..{YEARS[1]}"))
            elif _fitted(name, row) and row["year"] < FIRST_YEAR:
                out.append(_cell(file, line, column, f"{row['year']} is before {FIRST_YEAR}, the model's first year: "
                                                     "an observed figure is fitted against the model's year; allowed: "
                                                     f"{FIRST_YEAR}..{YEARS[1]} (leave earlier figures out)"))
        allowed = _units(name, row)
        if allowed and filled(row.get("unit")) and row["unit"] not in allowed:
            out.append(_cell(file, line, "unit", f"'{row['unit']}' is not a unit any reader takes here"
                                                 f"{nearest(str(row['unit']), allowed)}; allowed: {', '.join(allowed)} "
                                                 "(values are read as they are, never converted)"))
        if "effective_from" in row and not YEARS[0] <= row["effective_from"].year <= YEARS[1]:
            out.append(_cell(file, line, "effective_from", f"{row['effective_from']} is not a date in "
                                                           f"{YEARS[0]}..{YEARS[1]}"))
        for column in ("value", "share", "weight", "rate_stated", "state_share", "insured", "population"):
            v = row.get(column)
            if v is None or v == "" or v != v:  # an optional cell left empty (a required one cannot be)
                continue
            if isinstance(v, float) and math.isinf(v):
                out.append(_cell(file, line, column, f"{v} is not a finite number"))
                continue
            unit = row.get("unit")
            if column in ("insured", "population") or unit in COUNT_UNITS:
                if v < 0:
                    out.append(_cell(file, line, column, f"{v:g} is negative; a count or amount is at least 0"))
                elif name in ("population", "census") and v == 0:
                    out.append(_cell(file, line, column, "0 persons; a population is positive"))
                elif column == "value" and unit in PLAUSIBLE and not (v == 0 or PLAUSIBLE[unit][0] <= v <= PLAUSIBLE[unit][1]):
                    lo, hi, what = PLAUSIBLE[unit]
                    out.append(_cell(file, line, column, f"{v:,.0f} is not a plausible value in {what}; "
                                                         f"allowed: {lo:,.0f} to {hi:,.0f}"))
            if column in ("share", "weight", "state_share") or (column == "value" and unit in SHARE_UNITS) \
                    or (name == "coverage" and column == "value"):
                if not 0 <= v <= 1:
                    out.append(_cell(file, line, column, f"{v:g} is outside [0, 1] (a share)"))
                elif name == "coverage" and column == "value" and v == 0 and row.get("kind") == "observed":
                    # as the region workbook refuses it: an empty cell typed as 0 would drag a fit down
                    out.append(_cell(file, line, column, "0 is no observed coverage figure (an empty cell typed as "
                                                         "0?); allowed: a share above 0 up to 1, or no row"))
            if column == "rate_stated" and not 0 <= v <= 100:
                out.append(_cell(file, line, column, f"{v:g} is outside [0, 100] (a percentage)"))
        if name == "income" and row["value"] == 0:
            out.append(_cell(file, line, "value", f"{row['value']:g} is not a positive income (VND a month)"))
        if name == "household_sizes" and row["size"] < 1:
            out.append(_cell(file, line, "size", f"{row['size']} persons; a household has at least 1"))
        if name == "group_shares":
            lo, hi = row["age_from"], row["age_to"]
            if not 0 <= lo <= hi <= 120:
                out.append(_cell(file, line, "age_to", f"age band {lo}-{hi} is not within 0..120 in order"))
    return out


def _fitted(name: str, row: dict) -> bool:
    """An observed figure a fit reads (FITTED_LABOUR)."""
    if row.get("kind") != "observed":
        return False
    return name == "coverage" or (name == "labour_force" and row.get("parameter") in FITTED_LABOUR)


# Ids: every region a region of the registry, every group one the table's readers know ----------

#: The groups a coverage figure may be of (datacheck._valid_group): everyone, a model group
#: (groups.py), a law group (law1..law5), a six-group plan's group (plans' targets only), or model
#: groups joined by '+'; the fits read all but the six-group ids (`groups.figure_groups`).
COVERAGE_GROUPS = ("all", *GROUP_IDS, *LAW_GROUPS, *PLAN6_GROUPS)


@lru_cache(maxsize=None)
def _parameter_groups(parameter: str) -> tuple[str, tuple[str, ...]]:
    """What a policy row's `group` names for `parameter` and the values it may take: the rank of a
    household member (the ladder, policy.household_factor), the income group of the voluntary BHXH
    subsidy (the labour layer's subgroups), the sex of a retirement age; else a model group."""
    from .demography import SEXES

    special = {"household_member_factor": ("member rank", LEVERS["household_member_factor"].groups),
               "voluntary_bhxh_subsidy": ("group", LEVERS["voluntary_subsidy"].groups),
               "retirement_age": ("sex", SEXES)}
    return special.get(parameter, ("model group", GROUP_IDS))


#: table -> (column, what it names, the values it may take) for columns of fixed vocabularies;
#: the policy tables' `group` depends on the row's parameter (`_parameter_groups`).
GROUP_COLUMNS = {
    "group_shares": (("group", "model group", GROUP_IDS),),
    "group_crosswalk": (("group", "model group", GROUP_IDS), ("plan6_group", "six-group id", PLAN6_GROUPS)),
    "lai_chau_groups": (("model_group", "model group", GROUP_IDS),),
    # Law 25/2008's roadmap made voluntary groups compulsory; another group's enrolment is no choice
    # (datacheck._check_mandates) and an unknown one is skipped by mandates.mandate_ramp.
    "mandates": (("group", "voluntary model group", tuple(g for g in GROUP_IDS if BY_ID[g].voluntary)),),
}


@lru_cache(maxsize=None)
def _named() -> dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """table -> (column, what it names, the names its readers read, the patterns they read by): a
    misspelt parameter (`base_salry`, `e0_femal`) names rows no run reads, which would be dropped
    without a word or leave a series with no value in force."""
    from .demography import PARAMETERS, SEXES
    from .scheme_ids import HEALTH_POLICY, LABOUR_FIGURES, LABOUR_POLICY, POLICY_RECORD

    policy = tuple(dict.fromkeys((*HEALTH_POLICY, *LABOUR_POLICY, *(lever.parameter for lever in LEVERS.values()),
                                  *POLICY_RECORD)))
    subgroups = LEVERS["voluntary_subsidy"].groups  # the informal workers' income groups (labour.SUBGROUPS)
    labour = (*LABOUR_FIGURES, "required_share", "informal_income_growth",
              *(f"informal_share.{g}" for g in subgroups if g != "other"), *(f"informal_income.{g}" for g in subgroups))
    band = r"\d+-\d+"  # an age band, 15-19
    return {
        "policy_parameters": ("parameter", "policy parameter", policy, ()),
        "labour_policy": ("parameter", "policy parameter", policy, ()),
        "demography": ("parameter", "demographic parameter", PARAMETERS, ()),
        "labour_force": ("parameter", "labour force parameter", labour,
                         (rf"participation\.({'|'.join(map(re.escape, SEXES))})\.{band}", rf"required_profile\.{band}")),
        "group_shares": ("sex", "sex", ("all", *SEXES), ()),
    }


#: How the patterns above read to a user.
PATTERN_TEXT = {"labour_force": "participation.<male|female>.<age band, 15-19>, required_profile.<age band>"}


def _census_category(row: dict) -> str | None:
    """A census structure's category names a sex or an age band, as its row's dimension says."""
    from .demography import SEXES

    value, dimension = row["category"], row["dimension"]
    if dimension == "sex" and value not in SEXES:
        return f"'{value}' is not a sex{nearest(value, SEXES)}; allowed: {', '.join(SEXES)}"
    if dimension == "age" and not re.fullmatch(r"\d+-\d+|\d+\+", str(value)):
        return f"'{value}' is not an age band; allowed: 'FIRST-LAST' (15-64) or 'FIRST+' (65+)"
    return None


#: table -> (column, rule): a name column whose vocabulary depends on another column of its row.
ROW_NAMED = {"census_structure": ("category", _census_category)}


def _name_column(name: str) -> str:
    return ROW_NAMED[name][0] if name in ROW_NAMED else _named()[name][0]


def _name_rules(name: str, row: dict) -> str | None:
    """Why `row`'s name column (`_named`, or `ROW_NAMED` by another column of the row) names
    nothing its readers read, or None."""
    if name in ROW_NAMED:
        return ROW_NAMED[name][1](row)
    if name not in _named():
        return None
    column, what, allowed, patterns = _named()[name]
    value = row[column]
    if not filled(value) or value in allowed or any(re.fullmatch(p, str(value)) for p in patterns):
        return None
    text = ", ".join(allowed) + (f", {PATTERN_TEXT[name]}" if patterns else "")
    return f"'{value}' is not a {what} any run reads{nearest(value, allowed)}; allowed: {text}"


def _id_rules(name: str, frame: pd.DataFrame, lines: list[int], file: str, regions: set[str] | None) -> list[Finding]:
    """Every region id one of the registry (regions.csv, with the regions a user added) and every
    group id one the table's readers know: a row of an unknown id is dropped where it is read."""
    out = []
    check_region = regions is not None and "region" in frame.columns
    for line, row in zip(lines, frame.to_dict("records")):
        region = row.get("region")
        if check_region and filled(region) and region not in regions:
            out.append(_cell(file, line, "region", f"'{region}' is not a region id{nearest(region, sorted(regions))}; "
                                                   "allowed: an id of regions.csv or of a region you added "
                                                   "(`covsim regions` lists them)"))
        rules = list(GROUP_COLUMNS.get(name, ()))
        if name in ("policy_parameters", "labour_policy"):
            rules.append(("group", *_parameter_groups(row["parameter"])))
        for column, what, allowed in rules:
            value = row[column]
            if filled(value) and value not in allowed:
                out.append(_cell(file, line, column, f"'{value}' is not a {what}{_for(name, row)}"
                                                     f"{nearest(value, allowed)}; allowed: {', '.join(allowed)}"))
        unread = _name_rules(name, row)
        if unread:
            out.append(_cell(file, line, _name_column(name), unread))
        group = row.get("group")
        if name == "coverage" and not _valid_group(group):
            out.append(_cell(file, line, "group", f"'{group}' is not a group{nearest(group, COVERAGE_GROUPS)}; "
                                                  f"allowed: {', '.join(COVERAGE_GROUPS)}, or model groups joined "
                                                  "by '+' (near_poor+farm_household)"))
    return out


def _for(name: str, row: dict) -> str:
    return f" of {row['parameter']}" if name in ("policy_parameters", "labour_policy") else ""


def _region_ids(root: Path, user: bool) -> set[str] | None:
    """The region ids of `root`'s regions.csv and (`user`) of the regions a user added; None when
    the registry itself has a fault (reported as such): the ids are then not known."""
    paths = [root / "regions.csv"]
    if user:
        from .user_data import files

        paths += files("regions")
    ids: set[str] = set()
    for path in paths:
        errors: list[InputError] = []
        try:
            frame, _ = parse_all("regions", path.read_bytes().decode("utf-8"), str(path), errors)
        except (OSError, UnicodeDecodeError):
            return None
        if errors or frame is None:
            return None
        ids |= set(frame["id"])
    return ids


#: How far a band's group shares may sum from 1 (the engine's own check, `membership.TOLERANCE`).
SHARE_TOLERANCE = 1e-6


def _table_rules(name: str, frame: pd.DataFrame, lines: list[int], file: str) -> list[Finding]:
    """Across rows: repeated keys; group shares of one age band that do not add up to everyone."""
    out = []
    frame = frame.assign(_line=lines)
    key = KEYS.get(name)
    if key:
        seen = frame[frame.duplicated(list(key), keep="first")]
        for row in seen.to_dict("records"):
            same = (frame[list(key)].astype(str) == pd.Series({k: str(row[k]) for k in key})).all(axis=1)
            first = frame[same]._line.iloc[0]  # compared as text: an empty year (NaN) matches another
            what = ", ".join(f"{k} {_shown(row[k])}" for k in key if k != "source")
            out.append(Finding(file, f"row {row['_line']}", f"repeated: {what} is already given in row {first}"))
    if name == "census":
        out += _census_rules(frame, file)
    if name == "census_structure":
        from .demography import age_band

        for row in frame[frame.dimension == "age"].to_dict("records"):
            try:
                age_band(str(row["category"]))
            except ValueError as exc:
                out.append(Finding(file, f"row {row['_line']}, column 'category'", str(exc)))
        sums = frame.groupby(["region", "year", "dimension"]).agg(share=("share", "sum"), line=("_line", "min"))
        for (region, year, dimension), r in sums.iterrows():
            if abs(r.share - 1.0) > SHARE_SUM_TOLERANCE:
                out.append(Finding(file, f"row {int(r.line)}, column 'share'",
                                   f"the {dimension} shares of {region} in {year} sum to {r.share:.4f}, not 1 "
                                   f"(allowed: 1 ± {SHARE_SUM_TOLERANCE:g})"))
    if name == "group_shares":
        sums = frame.groupby(["region", "sex", "age_from", "age_to", "year"]).agg(share=("share", "sum"),
                                                                                   line=("_line", "min"))
        for (region, sex, lo, hi, year), r in sums.iterrows():
            if abs(r.share - 1) > SHARE_TOLERANCE:  # everyone of the band is in exactly one group
                out.append(Finding(file, f"row {int(r.line)}, column 'share'",
                                   f"the shares of {region} {sex} {lo}-{hi} in {year} sum to {r.share:.4f}, "
                                   f"{'more' if r.share > 1 else 'less'} than 1; a band's group shares must sum to 1"))
    if name == "income":
        out += _income_gaps(frame, file)
    if name == "demography":
        out += _demography_rules(frame, file)
    if name == "household_sizes":
        # by census (rows without a year, a file from before the column, are one census)
        sums = frame.groupby(["region", "year"], dropna=False).agg(share=("share", "sum"), line=("_line", "min"))
        for (region, year), r in sums.iterrows():
            if abs(r.share - 1) > 1e-6:
                when = "" if pd.isna(year) else f" in {int(year)}"
                out.append(Finding(file, f"row {int(r.line)}, column 'share'",
                                   f"the household shares of {region}{when} sum to {r.share:.4f}, not 1"))
    return out


def _census_rules(frame: pd.DataFrame, file: str) -> list[Finding]:
    """No census missing from a region's series (its counts are in persons: TABLE_UNITS)."""
    out = []
    censuses = frame[frame.basis == "census"]
    for region, rows in censuses.groupby("region", sort=False):
        missing = [y for y in CENSUS_YEARS if y not in set(rows.year)]
        if missing:
            out.append(Finding(file, f"row {rows._line.min()} ({region})",
                               f"gap in the census series: no {', '.join(map(str, missing))} census total "
                               f"(every region with census rows needs {' and '.join(map(str, CENSUS_YEARS))})"))
    return out


#: Life expectancies the mortality schedule can be solved to (inputs/demography.mortality_for).
LIFE_EXPECTANCY = (30.0, 95.0)


def _shown(v) -> str:
    """A key cell as the file has it: a year read into a column with empty cells is a float."""
    if not filled(v):
        return "(none)"
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _demography_rules(frame: pd.DataFrame, file: str) -> list[Finding]:
    """A rate is either dated (a series) or undated (one value for every year), never both: which
    would hold? Life expectancies must be ones a mortality schedule can be solved to."""
    out = []
    dated = frame.year.map(filled)
    for (region, parameter), rows in frame.groupby(["region", "parameter"], sort=False):
        has = dated[rows.index]
        if has.any() and not has.all():
            line = int(rows[~has]._line.iloc[0])
            first = int(rows[has]._line.iloc[0])
            out.append(Finding(file, f"row {line}, column 'year'",
                               f"{region}.{parameter} has no year here but dated rows elsewhere (row {first}); "
                               f"give every row of a series a year, or one undated row"))
    lo, hi = LIFE_EXPECTANCY
    for row in frame[frame.parameter.str.startswith("e0_")].to_dict("records"):
        if not lo <= row["value"] <= hi:
            out.append(_cell(file, row["_line"], "value", f"life expectancy {row['value']:g} is outside "
                                                          f"{lo:g}..{hi:g} years"))
    return out


def _income_gaps(frame: pd.DataFrame, file: str) -> list[Finding]:
    """An income series must run year by year from its first year to its last: the engine reads
    each year's value and will not guess a missing one inside the series."""
    out = []
    for region, rows in frame.groupby("region", sort=False):
        years = sorted(rows.year)
        for before, after in zip(years[:-1], years[1:]):
            if after - before > 1:
                line = int(rows[rows.year == after]._line.iloc[0])
                missing = f"{before + 1}" if after - before == 2 else f"{before + 1}-{after - 1}"
                out.append(Finding(file, f"row {line}, column 'year'",
                                   f"the income series of {region} has a gap: no row for {missing} "
                                   f"between {before} and {after}; give every year"))
    return out


def problems(directory: Path | str | None = None, user: bool = False) -> list[Finding]:
    """Every fault in every table of `directory` (default: the data in use), in file order, then
    (`user`) in the tables of the regions a user registered (`covsim region add`), whose rows join
    the shipped ones wherever the data are read."""
    root = Path(directory) if directory is not None else data_dir()
    regions = _region_ids(root, user)
    out: list[Finding] = []
    for name in SCHEMAS:
        path = root / f"{name}.csv"
        if name in OPTIONAL_TABLES and not path.exists():
            continue
        out += _file_problems(name, path, path.name, regions)
    if user:
        from .user_data import files

        for name in SCHEMAS:
            out += [f for path in files(name) for f in _file_problems(name, path, str(path), regions)]
    return out


def _file_problems(name: str, path: Path, file: str, regions: set[str] | None = None) -> list[Finding]:
    """The faults of one table file, named `file` in the findings; `regions`: the region ids it may
    name (None: not checked)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        why = f"; {NEEDED_BY[name]}" if name in NEEDED_BY else ""
        return [Finding(file, "file", f"data file is missing{why}")]
    except UnicodeDecodeError as exc:
        return [Finding(file, "file", f"not valid UTF-8 at byte {exc.start} (corrupt file?)")]
    except OSError as exc:
        return [Finding(file, "file", f"unreadable ({exc.strerror})")]
    errors: list[InputError] = []
    frame, lines = parse_all(name, text, str(path), errors)
    out = [Finding(file, e.key or "file", e.message) for e in errors]
    if frame is not None and len(frame):
        out += (_value_rules(name, frame, lines, file) + _id_rules(name, frame, lines, file, regions)
                + _table_rules(name, frame, lines, file))
    return out


@lru_cache(maxsize=8)
def _checked(root: str) -> tuple[Finding, ...]:
    return tuple(problems(root, user=True))


def require_valid() -> None:
    """Refuse (InputError) when the data in use has any fault; checked once per process."""
    root = data_dir()
    found = _checked(str(root))
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more problems)" if len(found) > 1 else ""
        raise InputError(root / first.file, first.key, f"{first.message}{more}; `covsim check-data` lists them all")
