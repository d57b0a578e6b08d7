"""The rows of the shipped data a run reads that its user should be told of: those no source here
confirms, and, in an "as of" run, those of years after its origin standing in where none of their
series was known then.

A row's `kind` says observed, planned or assumed; some assumed rows are worse than a modelling
choice: a census total "as remembered", a decree's rate "unverified" (their notes and sources say
so, docs/data.md lists them). A verdict that leans on one should say so where the user sees it,
so every run records the rows of that kind its scheme reads for its regions
(`provenance.unverified_data`), and the text outputs name them in one line.

Which rows a run reads is the tables' own rule, declared below: a table of regions is read for
the run's regions (a 2025 unit's former provinces too), and the nation's rows only for what a
region lacks (the fallback `Policy` and the demography steering use), the incomes' national
series whatever the region (a province follows it at its ratio); the policy tables by the
parameters each scheme reads. An "as of" run reads only what was known on its knowledge day
(`inputs/known.py`, `inputs/decisions.py`), so it lists only those rows; and where a series has
no figure known yet its earliest, of a later year, stands in (`known.figures`): such a run lists
those rows too (`stand_ins_for`), since a forecast as of 2013 that reads a 2019 figure leans on
something its day did not know.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from ..inputs import known as known_figures, membership, regions as region_registry, tables
from ..inputs.decisions import documents_known, policy_decided
from ..inputs.regions import NATIONAL
from ..inputs.scheme_ids import ENFORCEMENT, HEALTH, LABOUR, LABOUR_INPUTS, LABOUR_POLICY, SCHEMES

#: What marks a row as not confirmed by any source here (its `source` or `note`).
#: "derived from a target": a plan's count divided by its own target rate (Cần Thơ's 2024 population,
#: 1,179,440 insured / 0.9369), not a measurement; a test of that target leans on it.
MARKS = ("unverified", "as remembered", "not verified", "from memory", "derived from a target")

#: table -> (schemes reading it, the columns that say what a row is, its date column). The labour
#: layer projects the population as the health engine does, so both read the demographic tables.
READ = {
    "census": (SCHEMES, ("basis",), "year"),
    "population": (SCHEMES, (), "year"),
    "demography": (SCHEMES, ("parameter",), "year"),
    "income": ((HEALTH,), (), "year"),
    "mandates": ((HEALTH,), ("group",), "effective"),
    "policy_parameters": (SCHEMES, ("parameter", "group"), "effective_from"),
    "labour_force": (LABOUR, ("parameter",), "year"),
    "labour_policy": (LABOUR, ("parameter", "group"), "effective_from"),
    "household_sizes": ((HEALTH,), ("size",), "year"),
}
#: The series whose earliest figure stands in where none is known by an as-of run's day, as their
#: readers take them (`known.figures`; population.csv: `demography.start_population`).
STAND_IN = {"demography": ("region", "parameter"), "labour_force": ("region", "parameter"), "population": ("region",),
            "household_sizes": ("region",)}
#: Tables whose national rows a run reads whatever its regions hold: a province's incomes follow the
#: national series at their mean ratio to it (incomes.py), so the nation's whole series is read.
NATION_ALWAYS = ("income",)
#: The health engine reads every policy parameter the labour layer does not (scheme_ids.LABOUR_POLICY)
#: and compliance's lever, and `premium_rate` only as one rate for every group (policy.policy_arrays).
ONE_RATE = ("premium_rate",)
#: What only BHXH reads: its voluntary branch's parameters and the informal workers it is drawn from.
VOLUNTARY_ONLY = ("voluntary_", "informal_")


def _marked(df: pd.DataFrame) -> np.ndarray:
    text = [" ".join(str(v).lower() for v in row if isinstance(v, str))
            for row in df[[c for c in ("source", "reference", "note") if c in df.columns]].itertuples(index=False)]
    return _mask(any(m in t for m in MARKS) for t in text)


def _mask(values) -> np.ndarray:
    """A row mask (a plain list would select columns where it is empty)."""
    return np.fromiter(values, dtype=bool)


def _day(value) -> str:
    """A row's date as written: '2019', '2015-01-01' (a year read as a float, 2014.0, as 2014)."""
    return str(int(value)) if isinstance(value, float) and not pd.isna(value) else str(value)[:10]


def _year(value) -> int | None:
    """The year of a row's date (None: an undated row)."""
    return None if pd.isna(value) or str(value) in ("", "nan") else int(str(value)[:4])


def _policy_read(parameter: str, group: str, scheme: str) -> bool:
    if scheme == HEALTH:  # employees' health cover follows the compliance walk too
        return ((parameter not in LABOUR_POLICY or parameter == ENFORCEMENT)
                and not (parameter in ONE_RATE and group))
    return parameter in LABOUR_POLICY and _labour_read(parameter, scheme)


def _labour_read(parameter: str, scheme: str) -> bool:
    return scheme == "bhxh" or not str(parameter).startswith(VOLUNTARY_ONLY)


def _known(name: str, df: pd.DataFrame, day: date) -> pd.DataFrame:
    """`df` (a whole table) as an as-of run on `day` reads it: policy decided by then, a law's steps
    only once dated and decided, figures of the years ended by then (or their stand-ins)."""
    if name in ("policy_parameters", "labour_policy"):
        return df.loc[_mask(policy_decided(r, e) <= day for r, e in zip(df.reference, df.effective_from))]
    if name == "mandates":  # as `mandates.mandate_ramp` counts a step
        return df.loc[_mask(documents_known(doc, day) for doc in df.document)]
    last = known_figures.last_year(day)
    if name == "demography":  # a growth rate takes no stand-in (demography.growth_rate): the nation's is read
        rates = df.parameter == "growth_rate"
        return pd.concat([known_figures.figures(df[~rates], last, STAND_IN[name]),
                          known_figures.figures(df[rates], last)]).sort_index()
    return known_figures.figures(df, last, STAND_IN.get(name, ()))


def _read(regions: tuple[str, ...], scheme: str, end: int | None, day: date | None):
    """(table, its keys, its date column, the rows a run of `scheme` for `regions` to `end` reads
    of it), table by table, as of `day` if given (`end` None: whatever their date, as a figure
    standing in is read)."""
    for name, (schemes, keys, when) in READ.items():
        if scheme not in schemes:
            continue
        df = tables.table(name)
        df = df if day is None else _known(name, df, day)  # the index stays the table's line
        df = df.assign(line_no=df.index + 2)
        if "region" in df.columns:
            own = df[df.region.isin(regions)]
            if name in NATION_ALWAYS:
                own = pd.concat([own, df[(df.region == NATIONAL) & ~df.region.isin(regions)]])
            elif NATIONAL not in regions:  # the nation's rows for what a region lacks of its own
                own = pd.concat([own, _national_fallback(df, own, regions, keys)])
            df = own
        if name == "population":  # read only where no census point is known, and never a plan's
            # (demography.start_population; demography.anchors)
            census = _known("census", tables.table("census"), day) if day else tables.table("census")
            anchored = set(census.region)
            df = df.loc[_mask(r not in anchored and k != "planned" for r, k in zip(df.region, df.kind))]
        if name == "household_sizes":  # the ladder reads the nation's sizes (household.py's callers)
            df = df[df.region == NATIONAL]
        if end is not None:
            df = df.loc[_mask((_year(v) or 0) <= end for v in df[when])]
        if name == "labour_force":
            df = df.loc[_mask(_labour_read(p, scheme) for p in df.parameter)]
        if name in ("policy_parameters", "labour_policy"):
            df = df.loc[_mask(_policy_read(p, "" if pd.isna(g) else str(g), scheme)
                              for p, g in zip(df.parameter, df.group))]
        yield name, keys, when, df


def _national_fallback(df: pd.DataFrame, own: pd.DataFrame, regions: tuple[str, ...], keys) -> pd.DataFrame:
    """The nation's rows of `df` that some region read lacks of its own (by `keys`; a keyless table
    wholly, where the region has no row): each former province of a 2025 unit on its own, as the
    engine runs them (the unit itself has no rows to lack)."""
    nation = df[df.region == NATIONAL]
    kinds = [tuple(r) for r in nation[list(keys)].astype(str).values] if keys else []
    need = np.zeros(len(nation), dtype=bool)
    for region in regions:
        if region_registry.former_provinces(region):  # a 2025 unit is run as its former provinces
            continue
        mine = own[own.region == region]
        if keys:
            have = {tuple(r) for r in mine[list(keys)].astype(str).values}
            need |= _mask(k not in have for k in kinds)
        elif mine.empty:
            need[:] = True
    return nation.loc[need]


def _listed(name: str, keys, when: str, df: pd.DataFrame) -> list[dict]:
    out = []
    for r in df.itertuples(index=False):
        row = r._asdict()
        what = " ".join(str(row[k]) for k in keys if str(row.get(k, "")) not in ("", "nan"))
        out.append({"table": f"{name}.csv", "line": int(row["line_no"]),
                    "region": str(row.get("region", "") or ""), "what": what,
                    "from": _day(row[when]), "value": row.get("value", row.get("share"))})
    return out


@lru_cache(maxsize=64)
def _rows(regions: tuple[str, ...], scheme: str, end: int, data: str, day: date | None = None) -> str:
    out = []
    for name, keys, when, df in _read(regions, scheme, end, day):
        # an observed value whose decree number is unconfirmed is still the value observed
        out += _listed(name, keys, when, df.loc[_marked(df) & (df.kind == "assumed").to_numpy()])
    return json.dumps(out, ensure_ascii=False, default=float)


@lru_cache(maxsize=64)
def _stand_ins(regions: tuple[str, ...], scheme: str, data: str, day: date) -> str:
    last = known_figures.last_year(day)
    out = []
    for name, keys, when, df in _read(regions, scheme, None, day):
        if name == "labour_force":  # the layer's inputs: its fit reads no figure after the origin
            df = df.loc[_mask(str(p).startswith(LABOUR_INPUTS) for p in df.parameter)]
        if name in STAND_IN:
            out += _listed(name, keys, when, df.loc[_mask((_year(v) or 0) > last for v in df[when])])
    if scheme == HEALTH:  # the health engine's groups (membership.shares); the labour layer has none
        out += _group_shares_later(regions, day, last)
    return json.dumps(out, ensure_ascii=False, default=float)


def _group_shares_later(regions: tuple[str, ...], day: date, last: int) -> list[dict]:
    """The group-share rows of a reference year after `last` that a run as of `day` reads (its
    region's, else the nation's; `membership.known_table`), a plan's decided rows aside."""
    table = membership.known_table(day)
    table = table.assign(line_no=table.index + 2)
    out = []
    run = [r for r in regions if not region_registry.former_provinces(r)]  # a 2025 unit: its provinces
    for source in dict.fromkeys(membership.source_region(table, r) for r in run):
        rows = table[(table.region == source) & (table.year > last) & (table.kind != "planned")]
        out += _listed("group_shares", ("group",), "year", rows)
    return out


def rows_for(scenario, known: date | None = None) -> list[dict]:
    """The rows no source confirms that a run of the scenario reads, as of `known` if it is an
    as-of run (None: the whole record): {table, line, region, what, from, value} each, in the
    tables' order."""
    return json.loads(_rows(_run_regions(scenario), scenario.scheme, int(scenario.end), tables.data_hash(), known))


def stand_ins_for(scenario, known: date | None) -> list[dict]:
    """The rows of years after an as-of run's day (`known`) that it reads, its series having no
    figure known by then (none on the whole record), in `rows_for`'s shape: what the forecast leans
    on that its day did not know, its fit's national run's included."""
    if known is None:
        return []
    # an as-of answer is fitted jointly with the nation (the health and labour fits run both), whose
    # run reads the nation's own rows: its later life expectancy and group shares too
    fitted = tuple(dict.fromkeys((*_run_regions(scenario), NATIONAL)))
    return json.loads(_stand_ins(fitted, scenario.scheme, tables.data_hash(), known))


def _run_regions(scenario) -> tuple[str, ...]:
    """The scenario's region and, for a 2025 unit, its former provinces: whose rows a run reads."""
    return tuple(dict.fromkeys((scenario.region, *region_registry.former_provinces(scenario.region))))


def summary(rows: list[dict], most: int = 4) -> str:
    """'census.csv vinh_long census 2009, 2019; mandates.csv pupil_student 2010, …': by table and
    what, the years; a table of more than `most` kinds of row by its count."""
    by_table: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        label = " ".join(x for x in (r["region"] if r["region"] != NATIONAL else "", r["what"]) if x)
        by_table.setdefault(r["table"], {}).setdefault(label, []).append(r["from"][:4])
    parts = []
    for table, kinds in by_table.items():
        if len(kinds) > most:
            parts.append(f"{table} {sum(len(v) for v in kinds.values())} rows")
        else:
            parts.append(f"{table} " + ", ".join(f"{k} {_years(v)}".strip() for k, v in kinds.items()))
    return "; ".join(parts)


def _years(years: list[str]) -> str:
    """'2009/2019', or '2008-2028 (9 rows)' for many."""
    years = list(dict.fromkeys(years))
    return "/".join(years) if len(years) <= 3 else f"{min(years)}-{max(years)} ({len(years)} rows)"
