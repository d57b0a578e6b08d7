"""Turn a provincial target into yearly targets by district and by group that add up.

The provincial path runs from the model's median forecast of the year before the plan to the
target in the target year, straight on the log-odds scale. Each year's provincial figure is then
shared out among the units (districts, membership groups) in proportion to what the model says
each can reach: every unit's forecast coverage is moved by the same log-odds step, found with
scipy's root finder, until the units together insure the provincial figure; whole persons are
then rounded so the totals add up exactly (largest remainder), which the seed's own annex does
not do.

Districts: the model has none, so a district's forecast is the province's, shifted by the
district's standing in the first year of the plan's own district table (an assumption, said so in
the output); its population is the province's split by the table's district shares.

Communes: where a province's own workbook gives its communes' population and insured (`covsim
region add`, the communes sheet), the same, with each commune's standing in the latest year given
(observed figures, not a plan's). Since 1 July 2025 there are no districts: a province with both
tables (none ships) allocates to districts, as the plan that gave them did.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy import optimize
from scipy.special import expit, logit

from ..inputs import observations, regions, tables
from . import planning
from ..errors import InputError
from ..inputs.regions import DISTRICT_TABLES, MERGER_YEAR
from ..inputs.scenario import Scenario

COLUMNS = ["year", "unit_kind", "unit", "insured", "population", "rate"]
EDGE = 1e-4  # keeps log-odds finite for units the model sees at 0% or 100%
#: A path whose first year asks for more than this many times an even split of its rise is said to
#: be front-loaded (three years or more): on the log-odds line a target near 100% asks for most of
#: its rise at once.
FRONT_LOAD_SAID = 2.0


def front_load(path: dict[int, float], start_level: float) -> dict | None:
    """The first year's step of a rising provincial path against an even split of the rise, where
    it asks for more than FRONT_LOAD_SAID times that; else None."""
    years = sorted(path)
    rise = path[years[-1]] - start_level
    if len(years) < 3 or rise <= 0:
        return None
    step = path[years[0]] - start_level
    if step / rise <= FRONT_LOAD_SAID / len(years):
        return None
    return {"year": years[0], "step": step, "rise": rise, "share": step / rise, "even": rise / len(years)}


def districts(region: str) -> pd.DataFrame | None:
    """The plan's district rows (no totals), or None where the data has no districts."""
    name = DISTRICT_TABLES.get(region)
    if name is None:
        return None
    table = tables.table(name)
    return table[table.is_total == 0].copy()


def communes(region: str) -> pd.DataFrame | None:
    """The region's commune rows (from its region workbook), or None where the data have none. A
    province that kept its territory on 1 July 2025 (Lai Châu) has its unit's: the same communes, so
    `allocate lai_chau` and `allocate lai_chau_2025` start from the same figures (they gave 96.50%
    and 92.93% for one year of one territory)."""
    table = tables.optional_table("communes")
    own = table[table.region == region]
    if own.empty and regions.kept_territory(region):
        own = table[table.region == regions.registry()[region].parent]
    return own.astype({"year": "int64", "insured": "int64", "population": "int64"}) if len(own) else None


def units(region: str, level: dict[int, float] | None = None,
          with_districts: bool = True) -> tuple[str, pd.DataFrame] | None:
    """The units below the province to allocate to: ('district', the plan's rows), ('commune', the
    region's own rows), or None; the rows as (year, unit, insured, population). `level`: the
    province's coverage by year, which the communes a workbook leaves out make up (`_with_the_rest`)."""
    table = districts(region) if with_districts else None
    if table is not None:
        return "district", table.rename(columns={"district": "unit"})
    table = communes(region)
    if table is not None:
        # a name's spaces as one ('Xã  Phú Hữu' in vietnam-provinces 2025.10.1), as the workbook now keeps it
        table["unit"] = table.commune.str.split().str.join(" ") + " (" + table.code + ")"
        return "commune", _with_the_rest(region, table[["year", "unit", "code", "insured", "population"]], level)
    return None


#: The communes a workbook leaves out, as one unit (so that the communes add up to the province).
REST = "các xã, phường khác (other communes)"


def _with_the_rest(region: str, table: pd.DataFrame, level: dict[int, float] | None = None) -> pd.DataFrame:
    """The communes given and, where they hold fewer people than the province's population of the
    nearest year (its data's; a 2025 unit's own, `regions.stated_population`, as `region add`
    checked them), the rest as one unit: at the rate that brings the province to its `level` that
    year where one is given (so a commune stands against the province, not against the few listed:
    five wards at 99% were asked for the province's 94%), else at the given communes' own rate (an
    assumption either way: nothing is known of the communes left out; the rest never holds fewer
    than none or more than all its people). A year that gives every commune and ward of the province
    leaves none out: its people short of that figure are another measure's (Resolution 202's
    counts more than the communes' own), not a unit, and get none (an audit found 1.1 million
    people of HCMC's 168 listed communes put in an 'other communes' that does not exist)."""
    from ..inputs.region_template import whole_province

    pop = tables.table("population")
    pop = pop[(pop.region == region) & (pop.kind != "planned")]
    if pop.empty and region in regions.mergeable():  # Resolution 202/2025's: its run's (its former
        # provinces' sum) can be a quarter smaller, and would take a long list for the whole unit
        year, people, _ = regions.stated_population(region)
        pop = pd.DataFrame({"year": [year], "value": [float(people)]})
    rows = [table.drop(columns="code")]
    for year, part in table.groupby("year"):
        if pop.empty:
            break
        if whole_province(part.code):
            continue
        nearest = pop.iloc[(pop.year - year).abs().argsort(kind="stable")].iloc[0]
        rest = int(round(float(nearest.value))) - int(part.population.sum())
        if rest > 0:
            if level is not None and int(year) in level:  # the province's figure, less the communes given
                wanted = level[int(year)] * (rest + int(part.population.sum())) - int(part.insured.sum())
                insured = int(np.clip(round(wanted), 0, rest))
            else:
                insured = int(round(rest * part.insured.sum() / part.population.sum()))
            rows.append(pd.DataFrame([(year, REST, insured, rest)], columns=["year", "unit", "insured", "population"]))
    return pd.concat(rows, ignore_index=True).sort_values(["year"], kind="stable").reset_index(drop=True)


def communes_totals(region: str) -> dict[int, float]:
    """{year: health insurance coverage of the region's communes together} for each year whose
    workbook gives every commune and ward of the province (an observed figure of the whole
    province); the table read once."""
    from ..inputs.region_template import whole_province

    table = communes(region)
    if table is None:
        return {}
    return {int(year): float(part.insured.sum() / part.population.sum())
            for year, part in table.groupby("year") if whole_province(part.code)}


def communes_total(region: str, year: int) -> float | None:
    """The communes' coverage together in `year` where they are the whole province's; else None."""
    return communes_totals(region).get(int(year))


def start_level(region: str, scheme: str, median: pd.Series, first: int,
                until: int | None = None) -> tuple[float, str]:
    """Where the yearly targets start, and from what: the observed figure of the year before the
    first (the mean where sources differ; "observed"), else the communes' figures of that year
    where they are the whole province's ("communes"), else the model's median for it ("model").
    A path from the median could ask next year for less than was already reached (Điện Biên: 95.00%
    for 2024 after 95.5% observed in 2023, where the median said 94.56%; Lai Châu's 38 communes
    gave 92.54% for 2025, where the median said 96.23%). As of `until` (the page or briefing as of
    a year), a figure of a later year was not yet known: the path starts from the model's median."""
    if until is not None and first - 1 > until:
        return float(median.loc[first - 1]), "model"
    seen = observations.observed(region, scheme)
    seen = seen[seen.year == first - 1]
    if not seen.empty:
        return float(seen.value.mean()), "observed"
    whole = communes_total(region, first - 1) if scheme == "bhyt" else None
    if whole is not None:
        return whole, "communes"
    return float(median.loc[first - 1]), "model"


def province_level(region: str, scheme: str, median: pd.Series, until: int | None = None) -> dict[int, float]:
    """The province's coverage by year that the communes a workbook leaves out make up: its
    observed figure (the mean where sources differ; none after `until`), else the model's median."""
    level = {int(y): float(v) for y, v in median.items()}
    seen = observations.observed(region, scheme)
    if until is not None:
        seen = seen[seen.year <= until]
    level.update({int(y): float(v) for y, v in seen.groupby("year").value.mean().items()})
    return level


def provincial_path(start: float, target: float, first: int, year: int) -> pd.Series:
    """Yearly provincial targets first..year: log-odds straight line from `start` (the year before
    the first's) to the target."""
    before = float(np.clip(start, EDGE, 1 - EDGE))
    steps = np.arange(first, year + 1)
    share = (steps - (first - 1)) / (year - (first - 1))
    path = expit(logit(before) + share * (logit(np.clip(target, EDGE, 1 - EDGE)) - logit(before)))
    path[-1] = target
    return pd.Series(path, index=steps)


def whole(values: np.ndarray, total: int) -> np.ndarray:
    """Round to whole numbers that add up to `total` (largest remainder)."""
    floor = np.floor(values).astype(np.int64)
    short = int(total - floor.sum())
    if short > 0:
        order = np.argsort(-(values - floor), kind="stable")
        floor[order[:short]] += 1
    elif short < 0:
        order = np.argsort(values - floor, kind="stable")
        floor[order[:-short]] -= 1
    return floor


def share_out(reach: np.ndarray, population: np.ndarray, insured_total: int) -> np.ndarray:
    """Whole insured per unit: reach shifted by one log-odds step so the units insure the total."""
    x = logit(np.clip(reach, EDGE, 1 - EDGE))
    wanted = insured_total / population.sum()
    if wanted >= 1.0:
        return population.copy()
    gap = lambda d: float((population * expit(x + d)).sum() / population.sum() - wanted)  # noqa: E731
    step = optimize.brentq(gap, -30.0, 30.0, xtol=1e-12)
    insured = whole(population * expit(x + step), insured_total)
    # Rounding can push a unit one person over its population; hand it to the unit with most room.
    over = np.maximum(insured - population, 0)
    while over.sum() > 0:
        insured -= over
        room = population - insured
        for _ in range(int(over.sum())):
            k = int(np.argmax(room))
            insured[k] += 1
            room[k] -= 1
        over = np.maximum(insured - population, 0)
    return insured


def first_year(scenario: Scenario, year: int, kind: str | None, table: pd.DataFrame | None) -> int:
    """The default first year: the district plan's first year if it is not after `year`, else the
    year levers set now take effect, never before an allocation can start (the run's third year:
    the path starts from the forecast of the year before)."""
    plan_first = int(table.year.min()) if kind == "district" else None
    first = plan_first if plan_first is not None and plan_first <= year else planning.lever_start(scenario, year)
    return max(first, scenario.start + 2)


def check(scenario: Scenario, target: float, year: int, first: int | None = None) -> None:
    """The question refused before any run: a target share, a year the run reaches past its second
    (the path starts from the forecast of the year before its first), a first year inside that."""
    planning.check_target(target, "allocate")
    reach = (f"the path starts from the forecast of the year before its first, and the run's first forecast is of "
             f"{scenario.start + 1}: {scenario.start} is the state it starts from")
    if year > scenario.start + 1:  # earlier: refused below with the allocation's own range, not the run's
        planning.check_year(scenario, year)
    if year < scenario.start + 2:
        raise InputError("allocate", "--year", f"{year} is before the first year an allocation can reach "
                                               f"({reach}); allowed: {scenario.start + 2}..{scenario.end}")
    if first is not None and not scenario.start + 1 < first <= year:
        raise InputError("allocate", "--from", f"{first} cannot start the path ({reach}; it ends in --year {year}); "
                                               f"allowed: {scenario.start + 2}..{year}")


def allocate(ds: xr.Dataset, scenario: Scenario, target: float, year: int, first: int | None = None,
             until: int | None = None) -> pd.DataFrame:
    """Yearly targets by district (where the data has districts) and by group, first..year.
    `until`: the year a run as of a past year is fitted to (no figure after it starts the path).

    The groups are the run's own (a labour scheme's: required to join, informal). The district and
    commune tables count health insurance, so a labour scheme is allocated by group only; districts
    stop in the year before 1 July 2025, when they were abolished."""
    check(scenario, target, year, first)
    region = scenario.region
    sub = ds.sel(region=region)
    groups = [str(g) for g in sub.group.values]
    median_total = sub.coverage_total.median("draw").to_series()
    level = province_level(region, scenario.scheme, median_total, until)  # what left-out communes make up
    below = units(region, level) if scenario.scheme == "bhyt" else None
    kind, table = below if below is not None else (None, None)
    if first is None:
        first = first_year(scenario, year, kind, table)
    if kind == "district" and first >= MERGER_YEAR and scenario.scheme == "bhyt":
        # a path that starts after the districts were abolished: the communes, where a workbook gives them
        later = units(region, level, with_districts=False)
        if later is not None:
            kind, table = later
    start, start_from = start_level(region, scenario.scheme, median_total, first, until)
    path = provincial_path(start, target, first, year)
    rows = []
    for y in range(first, year + 1):
        pop_groups = sub.population.sel(year=y).mean("draw").values
        total_pop = int(round(pop_groups.sum()))
        # the target year's whole persons rounded up: 460,919 of 476,156 is 96.79998%, short of 96.8%
        # (and `run`'s "needs" is rounded up too); other years' figures are steps of a path, rounded
        insured_total = (int(np.ceil(path.loc[y] * total_pop - 1e-9)) if y == year
                         else int(round(path.loc[y] * total_pop)))
        # Groups: the model's own forecast of each group.
        pops = whole(pop_groups, total_pop)
        reach = sub.coverage.sel(year=y).median("draw").fillna(0.0).values
        keep = pops > 0
        insured = np.zeros_like(pops)
        insured[keep] = share_out(reach[keep], pops[keep], insured_total)
        rows += [(y, "group", g, int(i), int(p)) for g, i, p, k in zip(groups, insured, pops, keep) if k]
        # Districts (communes): the province's forecast shifted by each unit's standing in its table,
        # in the plan's first year (districts) or the latest year given (communes, observed).
        # districts end with 1 July 2025, and the communes the data know begin with it (the codes
        # are checked against the communes and wards since then): neither is given a year it did not exist in
        if table is not None and not (kind == "district" and y >= MERGER_YEAR) and not (kind == "commune"
                                                                                         and y < MERGER_YEAR):
            base_year = int(table.year.min() if kind == "district" else table.year.max())
            latest = int(min(y, table.year.max()))
            earlier = table.year[table.year <= latest]
            latest = int(earlier.max()) if len(earlier) else int(table.year.min())
            shares = table[table.year == latest].set_index("unit").population
            offset = standing(table, base_year)
            names = shares.index.tolist()
            dpop = whole(total_pop * (shares / shares.sum()).values, total_pop)
            dreach = expit(logit(np.clip(median_total.loc[y], EDGE, 1 - EDGE)) + offset.reindex(names).values)
            dins = share_out(dreach, dpop, insured_total)
            rows += [(y, kind, d, int(i), int(p)) for d, i, p in zip(names, dins, dpop)]
    # the workbook's latest year, where the allocation has communes (none before 1 July 2025)
    latest = int(table.year.max()) if kind == "commune" and year >= MERGER_YEAR else None
    scale = None  # the modelled people against the workbook's then, where the run reaches it
    if latest is not None and latest in [int(v) for v in sub.year.values]:
        scale = round(float(sub.population.sel(year=latest).mean("draw").sum())
                      / float(table[table.year == latest].population.sum()), 4)
    given = None  # the workbook's own figures the communes' standings are taken from, said with the targets
    if latest is not None:
        that_year = table[table.year == latest]
        listed = that_year[that_year.unit != REST]
        given = {"year": latest, "communes": int(len(listed)), "whole_province": len(listed) == len(that_year),
                 "rate": round(float(listed.insured.sum() / listed.population.sum()), 6),
                 "province_level": round(level[latest], 6) if latest in level else None}
    out = pd.DataFrame(rows, columns=COLUMNS[:-1])
    out["rate"] = (out.insured / out.population).round(4)
    out.attrs.update(region=region, scheme=scenario.scheme, target=target, year=year, first=first,
                     path={int(k): round(float(v), 6) for k, v in path.items()},
                     start_level=round(start, 6), start_observed=start_from != "model",  # where the path starts
                     start_from=start_from,  # observed | communes (the workbook's, the whole province) | model
                     model_start_level=round(float(median_total.loc[first - 1]), 6),
                     end_level=round(float(median_total.loc[year]), 6),  # the forecast in the target year
                     # districts end with 1 July 2025: a path that starts later has none
                     districts=kind == "district" and first < MERGER_YEAR,
                     communes=kind == "commune" and year >= MERGER_YEAR, unit_kind=kind,
                     districts_until=(min(year, MERGER_YEAR - 1) if kind == "district" and first < MERGER_YEAR
                                      else None),
                     communes_from=(max(first, MERGER_YEAR) if kind == "commune" else None),
                     falling=falling(out, path), fewer_insured=fewer_insured(out), commune_scale=scale,
                     commune_scale_year=latest if scale is not None else None, communes_given=given,
                     assumptions=path_assumptions(first, year, start_from) + assumptions(kind, table, scale))
    return out[COLUMNS]


def standing(table: pd.DataFrame, base_year: int) -> pd.Series:
    """Each unit's log-odds above its table's rate, in the year nearest `base_year` that lists it
    (the earlier of two as near): a commune a workbook gives in some years only has a standing
    too (one missing from the base year made the allocation fail on NaN)."""
    rates = table.groupby("year").insured.sum() / table.groupby("year").population.sum()
    rows = (table.assign(_far=(table.year - base_year).abs()).sort_values(["_far", "year"], kind="stable")
            .drop_duplicates("unit").set_index("unit"))
    own = logit(np.clip(rows.insured / rows.population, EDGE, 1 - EDGE))
    return own - logit(np.clip(rates.loc[rows.year].values, EDGE, 1 - EDGE))


#: Where a path starts, as its assumed line says it (`start_level`'s `start_from`).
STARTS = {"observed": "the observed coverage of {y}",
          "communes": "the communes' figures of {y} (the whole province's; it has no figure of its own that year)",
          "model": "the model's median forecast for {y} (no figure of {y} known)"}


def path_assumptions(first: int, year: int, start_from: str = "observed") -> list[str]:
    """How every allocation shares out a target, beside the run's own assumed numbers: the
    allocation's method, not a figure of any source. The start named as it is: a model's median is
    not called observed."""
    return [f"the provincial yearly targets run on a straight line in log-odds from "
            f"{STARTS[start_from].format(y=first - 1)} to the target in {year} (assumed)",
            "each group's (district's, commune's) yearly target is its own median forecast moved by one log-odds "
            "step shared by all, so that they add up to the provincial target (assumed: an even effort)",
            "every population is the model's projection for its year (steered through the censuses the data "
            "give; docs/data.md), not a count: after a province's last census its growth goes on as before "
            "(assumed)"]


def assumptions(kind: str | None, table: pd.DataFrame | None, scale: float | None = None) -> list[str]:
    """What the allocation itself assumes about units the model does not have, beside the run's own
    assumed numbers."""
    if kind == "district":
        return [f"a district's forecast is the province's shifted by the district's standing in the plan's "
                f"{int(table.year.min())} table, held every year (assumed: the model has no districts); its "
                f"population is the province's split as in the table's latest year up to each year"]
    if kind == "commune":
        out = [f"a commune's forecast is the province's shifted by the commune's standing in the latest year "
               f"given ({int(table.year.max())}; for a commune not given then, the latest year that gives it), "
               f"held every year (assumed: the model has no communes); its population is the province's modelled "
               f"population split as in the workbook's latest year"
               + (f" (the workbook's people x {scale:g} in {int(table.year.max())}: the rates hold, the head counts "
                  f"are the model's)"
                  if scale is not None and abs(scale - 1) > SCALE_SAID else "")]
        if (table.unit == REST).any():
            out.append(f"'{REST}' holds the province's people the workbook leaves out, at the rate that brings the "
                       "province to its figure of the workbook's year with the communes given (its observed figure, "
                       "else the model's median), so that a commune given stands against the province, not against "
                       "the others given (assumed: nothing is known of them)")
        return out
    return []


#: How far the modelled population may stand from a commune workbook's total before it is said (5%).
SCALE_SAID = 0.05
#: The least fall of a unit's yearly rate `falling` reports: 0.005 percentage points, half the last
#: decimal the outputs show (the text and workbook give 96.72%, the CSV 0.9672): every fall a reader
#: can see is said (at 0.05 points, HCMC's near-poor at 96.72% then 96.68% was shown and not said).
FALL_SAID = 5e-5


def falling(table: pd.DataFrame, path: pd.Series) -> list[dict]:
    """Every unit and year whose yearly target falls while the provincial target rises: the
    province's step below a unit's own forecast grows, so a unit the model sees flat is asked for
    less (said, not hidden; each such year, not only a unit's first)."""
    out = []
    rising = {int(y) for y, up in (path.diff() > 0).items() if up}
    for (kind, unit), part in table.groupby(["unit_kind", "unit"], sort=False):
        rate = (part.insured / part.population).to_numpy()
        years = part.year.to_numpy()
        for k in range(1, len(rate)):
            if years[k] in rising and rate[k] < rate[k - 1] - FALL_SAID:
                out.append({"unit_kind": kind, "unit": unit, "year": int(years[k])})
    return out


def fewer_insured(table: pd.DataFrame) -> list[dict]:
    """Every unit and year asked for fewer insured people than the year before while its rate does
    not fall: its population shrinks (fewer children, pupils leaving school), so a count target falls
    under a rising rate; said, so that a smaller number is not read as a lower ambition."""
    out = []
    for (kind, unit), part in table.groupby(["unit_kind", "unit"], sort=False):
        insured, population, years = (part[c].to_numpy() for c in ("insured", "population", "year"))
        rate = insured / population
        for k in range(1, len(rate)):
            if insured[k] < insured[k - 1] and rate[k] >= rate[k - 1] - 1e-9:
                out.append({"unit_kind": kind, "unit": unit, "year": int(years[k])})
    return out


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """Sum of insured over sum of population per year and unit kind: what the allocation adds to."""
    g = table.groupby(["year", "unit_kind"])[["insured", "population"]].sum()
    g["rate"] = g.insured / g.population
    return g.reset_index()
