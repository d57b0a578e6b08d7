"""The regions covsim knows, read from the data (`regions.csv`), never listed in code.

Each region has an id, names in Vietnamese and English, a kind (the country, a province since
1 July 2025, a province before it), its parent unit (for a former province, the 2025 unit it became
part of) and, where a source gives one, a population. A region is *runnable* when the data also
hold its population and rates (`population.csv`, `demography.csv`): adding one is data rows (and
optionally a posterior file), no code edits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import tables
from ..errors import InputError

#: The national unit's id: the one place it is spelled.
NATIONAL = "vietnam"
UNIT_KINDS = ("country", "province", "province_pre2025")
FILE = "regions.csv"


@dataclass(frozen=True)
class Region:
    id: str
    name_vi: str
    name_en: str
    kind: str
    parent: str
    code: str = ""
    members: tuple[str, ...] = ()
    population: float | None = None
    population_year: int | None = None
    population_kind: str = ""
    source: str = ""
    runnable: bool = False
    note: str = field(default="", compare=False)
    #: A 2025 unit's population as Resolution 202/2025/QH15 states it ("quy mô dân số"): another
    #: measure than `population`, kept beside it (docs/data.md).
    population_resolution: float | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def _latest_population(pop, region: str) -> tuple[float | None, int | None, str]:
    rows = pop[(pop.region == region) & (pop.kind != "planned")]
    if rows.empty:
        return None, None, ""
    last = rows.sort_values("year").iloc[-1]
    return float(last.value), int(last.year), str(last.kind)


def load(directory: Path | None = None) -> dict[str, Region]:
    """Every region in the data, in file order (the country first), checked for consistency.

    A fault (a duplicate id, an unknown parent, a population without its year or kind, a region
    the other tables know but `regions.csv` does not) is one InputError naming the file and row.
    """
    table = tables.read_table("regions", directory) if directory else tables.table("regions")
    pop = tables.read_table("population", directory) if directory else tables.table("population")
    where = str((directory or tables.data_dir()) / FILE)
    ids, seen = set(table["id"]), set()
    for line, row in enumerate(table.itertuples(index=False), start=2):
        if row.id in seen:
            raise InputError(where, f"row {line}, column 'id'", f"'{row.id}' appears twice; ids are unique")
        seen.add(row.id)
        if row.unit_kind == "country" and row.id != NATIONAL:
            raise InputError(where, f"row {line}, column 'id'", f"the country's id is '{NATIONAL}', not '{row.id}'")
        if row.unit_kind != "country" and row.parent not in ids:
            raise InputError(where, f"row {line}, column 'parent'",
                             f"'{row.parent}' is not a region id in this file; a province names the unit it belongs to")
        if tables.filled(row.population) and (not tables.filled(row.population_year) or not row.population_kind):
            raise InputError(where, f"row {line}", "a population needs its population_year and population_kind")
    if NATIONAL not in ids:
        raise InputError(where, NATIONAL, "missing; the country's row is required")
    runnable = set(pop.loc[pop.kind != "planned", "region"])
    for region in sorted(set(pop["region"]) - set(ids)):
        raise InputError(where, region, "has rows in population.csv but none here; add its id, name_vi, "
                                        "name_en, unit_kind, parent and source")
    out = {}
    for row in table.itertuples(index=False):
        if row.unit_kind == "country":
            members = tuple(r.id for r in table.itertuples() if r.unit_kind == "province" and r.parent == row.id)
        elif row.unit_kind == "province":
            members = tuple(r.id for r in table.itertuples() if r.parent == row.id)
        else:
            members = ()
        # A former province the model runs shows the population its runs use (population.csv, which a
        # user's own data extend); regions.csv's figure (the GSO's of one year) is the others'.
        ours = row.unit_kind == "province_pre2025" and row.id in runnable
        if tables.filled(row.population) and not ours:
            people, year, kind = float(row.population), int(row.population_year), row.population_kind
        else:
            people, year, kind = _latest_population(pop, row.id)
        stated = float(row.population_resolution) if tables.filled(row.population_resolution) else None
        out[row.id] = Region(row.id, row.name_vi, row.name_en, row.unit_kind, row.parent, row.code, members,
                             people, year, kind, row.source, row.id in runnable, row.note, stated)
    return out


_CACHE: dict = {}


def registry() -> dict[str, Region]:
    """The regions of the data folder in use (shipped, or COVSIM_DATA_DIR), loaded once."""
    key = str(tables.data_dir())
    if key not in _CACHE:
        _CACHE[key] = load()
    return _CACHE[key]


def runnable() -> list[str]:
    """Ids the model can run (their population and rates are in the data): the country first."""
    return [r.id for r in registry().values() if r.runnable]


def offered() -> list[str]:
    """Ids every command and the dashboard offer: the runnable regions, then the 2025 units run as
    the sum of their former provinces (`mergeable`)."""
    return runnable() + [r for r in mergeable() if r not in runnable()]


def get(region: str) -> Region:
    try:
        return registry()[region]
    except KeyError:
        raise InputError(FILE, region, "unknown region") from None


def name(region: str, lang: str = "vi") -> str:
    """A region's name in `lang` ('vi' or 'en'); the id itself if the data do not know it."""
    found = registry().get(region)
    return found.name(lang) if found else region


def population_check(regions: dict[str, Region], kind: str = "province", tolerance: float = 0.005) -> dict:
    """Whether the `kind` units' populations add up to the country's of the same year.

    Returns the sum, the country's figure and its year, their relative gap (against the country's
    figure whatever its year, so that a gap between measures shows) and the units with no figure
    (or a figure of another year); `ok` only when every unit has one, the country's is of the same
    year and the gap is within `tolerance`.
    """
    country = regions[NATIONAL]
    units = [r for r in regions.values() if r.kind == kind]
    years = sorted({r.population_year for r in units if r.population_year is not None})
    year = years[-1] if years else None
    missing = [r.id for r in units if r.population is None or r.population_year != year]
    total = sum(r.population for r in units if r.population is not None and r.population_year == year)
    national = country.population
    gap = abs(total / national - 1) if national else None
    return {"year": year, "units": len(units), "sum": total, "national": national,
            "national_year": country.population_year, "gap": gap, "missing": missing,
            "ok": (not missing and country.population_year == year and gap is not None and gap <= tolerance)}


# Runs across the 1 July 2025 boundary change ------------------------------------------------------

#: The day the 34 units of Resolution 202/2025/QH15 began to operate.
MERGER_DATE = date(2025, 7, 1)
#: The first year whose end-of-year state lies after the change.
MERGER_YEAR = MERGER_DATE.year
#: The reorganisation's document, as decisions.csv dates it (passed 12 June 2025).
RESOLUTION = "Resolution 202/2025/QH15"


def former_provinces(unit: str) -> tuple[str, ...]:
    """The former provinces a 2025 unit was formed from (empty for any other region)."""
    found = registry().get(unit)
    return found.members if found is not None and found.kind == "province" else ()


def kept_territory(region: str) -> bool:
    """A province before 1 July 2025 whose 2025 unit is itself alone (Lai Châu): not 'now part of'
    another territory, as the notes of the others say."""
    found = registry().get(region)
    return found is not None and bool(found.parent) and tuple(former_provinces(found.parent)) == (region,)


def seat(unit: str) -> str:
    """The former province whose name and code the 2025 unit keeps: its policy (local top-ups, say)
    is the unit's where the data give the unit none of its own."""
    found = get(unit)
    same = [m for m in found.members if registry()[m].code == found.code]
    return same[0] if same else found.members[0]


def unit_of(region: str) -> str | None:
    """The 2025 unit a former province became part of, None for any other region: a former
    province run on its own is its territory, under the unit's policy from the merger."""
    found = registry().get(region)
    parent = registry().get(found.parent) if found is not None and found.kind == "province_pre2025" else None
    return parent.id if parent is not None and region in parent.members else None


def stated_population(region: str) -> tuple[int, float, str]:
    """A 2025 unit's own population (year, persons, where from), which its data rows do not hold:
    Resolution 202/2025's, else its former provinces' sum in the registry. The one measure its
    communes are checked against (`region add`) and their left-out rest is counted on (`allocate`)."""
    unit = registry()[region]
    if unit.population_resolution:
        return MERGER_YEAR, unit.population_resolution, "Resolution 202/2025"
    return unit.population_year, unit.population, "its former provinces' sum"


def mergeable() -> list[str]:
    """2025 units the model runs as the sum of their former provinces: every member is runnable and
    the unit has no population of its own in population.csv (else it would run as itself)."""
    reg = registry()
    return [r.id for r in reg.values() if r.kind == "province" and not r.runnable and r.members
            and all(reg[m].runnable for m in r.members)]


def run_members(region: str) -> tuple[str, ...]:
    """The former provinces a run of `region` runs side by side and sums (a mergeable 2025 unit's),
    else none: the region runs as itself."""
    return former_provinces(region) if region in mergeable() else ()


def refuse_unit(region: str, what: str) -> None:
    """One line for a command that cannot yet run a 2025 unit as the sum of its former provinces:
    it names the unit, what cannot, and the former provinces it can run instead."""
    if region in mergeable():
        raise InputError("REGION", region, f"a 2025 unit, which {what} does not run as the sum of its former "
                                      f"provinces; allowed: {', '.join(former_provinces(region))} "
                                      "(each on its own), or the unit under bhyt with run, target, solve, "
                                      "allocate or batch")


def merger_known(day) -> bool:
    """Whether the 2025 reorganisation (Resolution 202/2025/QH15) was decided by `day` (None: today)."""
    from .decisions import documents_known

    return day is None or documents_known(RESOLUTION, day)


def boundaries(region: str, years: list[int], known=None) -> list[dict]:
    """Which boundaries each year of a run of `region` is reported in, as runs of years:
    [{"from": y0, "to": y1, "boundaries": text}]. As of a day before the 2025 reorganisation was
    decided (`known`), a province's own, throughout: the reorganisation is not named."""
    found = registry().get(region)
    kind = found.kind if found is not None else "province_pre2025"
    if not merger_known(known) and kind == "province" and region in mergeable():  # a unit as of a year: its territory
        return [{"from": int(years[0]), "to": int(years[-1]),
                 "boundaries": f"former provinces {' + '.join(former_provinces(region))}, summed (the 2025 "
                               f"reorganisation not decided by then)"}]
    if not merger_known(known) and kind != "country":
        return [{"from": int(years[0]), "to": int(years[-1]), "boundaries": f"{region} (its own boundaries)"}]
    before, after = [y for y in years if y < MERGER_YEAR], [y for y in years if y >= MERGER_YEAR]
    if kind == "country":
        spans = [(years, "the country")]
    elif kind == "province":
        members = former_provinces(region)
        earlier = (f"former provinces {' + '.join(members)}, summed (before 1 Jul 2025)" if len(members) > 1
                   else f"{members[0] if members else region}, the same territory (before 1 Jul 2025)")
        spans = [(before, earlier),
                 (after, f"{region} (the unit since 1 Jul 2025)")]
    else:
        parent = found.parent if found is not None and found.parent else ""
        later = (f"{region}'s former territory, part of {parent} since 1 Jul 2025" if parent
                 else f"{region} (a region you added; its own boundaries)")
        spans = [(before, f"{region} (province before 1 Jul 2025)"), (after, later)]
    return [{"from": int(ys[0]), "to": int(ys[-1]), "boundaries": text} for ys, text in spans if ys]


def unit_year_problem(region: str | None, path: str, year: int) -> str | None:
    """A 2025 unit run as its former provinces has a policy of its own only from the merger: its own
    (regional) lever dated earlier would act from 1 July 2025 while the scenario said the earlier year."""
    from .levers import lever_of

    if region is None or year >= MERGER_YEAR or region not in mergeable() or not lever_of(path).regional:
        return None
    return (f"{year} is before {region} began, a 2025 unit whose own levers act only from {MERGER_YEAR} "
            f"(1 July 2025); allowed: {MERGER_YEAR} or later, or a former province "
            f"({', '.join(former_provinces(region))}) from an earlier year")


def former_note(region: str, year: int, known=None) -> str | None:
    """For a target from 1 July 2025 on set for a province that no longer exists: which unit it is
    part of now (its figures from then on are its former territory's, not the unit's); nothing as of
    a day before the reorganisation was decided (`known`). For a 2025 unit's year before it began:
    whose figures those are (its former provinces', together)."""
    found = registry().get(region)
    if region in mergeable() and year < MERGER_YEAR:  # the other way: a unit's year before it existed
        members = former_provinces(region)
        return (f"{region} began on 1 Jul 2025: its {year} is its territory's, the figures of "
                + (f"{members[0]}, the same territory" if len(members) == 1 else
                   f"its former provinces together ({', '.join(members)})"))
    if (found is None or found.kind != "province_pre2025" or not found.parent or year < MERGER_YEAR
            or not merger_known(known)):
        return None
    if kept_territory(region):  # Lai Châu: the unit is the same territory
        return (f"{region} kept its territory on 1 Jul 2025: the unit planners work in now, {found.parent}, is the "
                f"same territory, and its figures for {year} are that territory's")
    return (f"{region} is a province before 1 Jul 2025, now part of {found.parent}: its figures for {year} are "
            f"those of its former territory; the unit planners work in now is {found.parent}")


def unknown(region: str, allowed: list[str], quoted: bool = False) -> str:
    """Why `region` is not among `allowed`: listed without data (and how to add them), else unknown,
    with the nearest name."""
    from ..errors import nearest

    if str(region).lower() in {str(a).lower() for a in allowed}:  # an id in capitals: 'did you mean' says it
        hint = nearest(region, allowed)
    else:  # a name, a district, or a typo (of a former province: the unit it is part of too)
        hint = named(region, allowed) or district(region) or _with_unit(nearest_id(region, allowed), allowed)
    return not_runnable(region) or merged_into(region) or (f"unknown region{f' {region!r}' if quoted else ''}{hint}")


def nearest_id(name: str, allowed) -> str:
    """' (did you mean X?)' for a region id typed with another year ('can_tho_2026': 'can_tho_2025')
    or by its initials ('hcm_2025', 'hcmc'), else the nearest by spelling (difflib, which offered
    'can_tho_2025' for 'hcm_2025' and nothing for 'can_tho_2026')."""
    from ..errors import nearest

    allowed = [str(a) for a in allowed]
    text = str(name).lower().strip()
    dated = re.fullmatch(r"(.+)_(\d{4})", text)
    stem = dated.group(1) if dated else text

    def bare(i: str) -> str:
        return re.sub(r"_\d{4}$", "", i)

    def initials(i: str) -> str:
        return "".join(w[0] for w in bare(i).split("_") if w)

    for same in (lambda i: bare(i) == stem, lambda i: len(stem) >= 3 and initials(i).startswith(stem)):
        found = [i for i in allowed if same(i)]
        if found:  # the dated id where a year was typed, else the undated one
            best = sorted(found, key=lambda i: (bool(dated) != bool(re.search(r"_\d{4}$", i)), i))[0]
            return f" (did you mean '{best}'?)"
    return nearest(name, allowed)


def _plain(text: str) -> str:
    """'TP. Cần Thơ', 'Can Tho', 'can_tho' alike: lower case, no diacritics, no 'TP.'/'Tỉnh', no separators."""
    import unicodedata

    text = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for prefix in ("tp.", "thanh pho", "tinh"):
        text = text.removeprefix(prefix).strip()
    return "".join(c for c in text if c.isalnum())


#: The plans' district tables, by province: the only districts the data know (abolished 1 July 2025).
DISTRICT_TABLES = {"lai_chau": "lai_chau_districts"}


def district(name: str) -> str:
    """For a district typed as a region ('tam_duong'): what it is and where its targets are; ''
    for any other name."""
    plain = _plain(name)
    for province, table_name in DISTRICT_TABLES.items():
        for listed in sorted(set(tables.table(table_name).district)):
            bare = re.sub(r"^(Huyện|Thị xã|Thành phố|Quận)\s+", "", listed)
            if plain in (_plain(listed), _plain(bare)):
                return (f" ('{name}' is a district of {province}, {listed}: districts were abolished on 1 Jul 2025 "
                        f"and are not regions; `covsim allocate {province}` gives its district targets up to 2024)")
    return ""


def named(name: str, allowed: list[str]) -> str:
    """For a region typed by its name ('Vĩnh Long'): the ids that bear it, the 2025 unit's said
    as such; '' where no allowed region has that name."""
    plain = _plain(name)
    ids = [r for r in allowed if r in registry() and plain in (_plain(registry()[r].name_vi), _plain(registry()[r].name_en))]
    if not ids:
        return ""
    said = [f"'{r}'" + (" (the unit since 1 Jul 2025)" if registry()[r].kind == "province" and r != NATIONAL else
                        " (the province before 1 Jul 2025)" if registry()[r].kind == "province_pre2025" else "")
            for r in ids]
    return f" ('{name}' is the name of {' and '.join(said)})"


def _with_unit(hint: str, allowed: list[str]) -> str:
    """A ' (did you mean X?)' hint naming a former province also names the 2025 unit it is part of,
    where that unit runs: a planner today works in the unit."""
    match = re.fullmatch(r" \(did you mean '(\w+)'\?\)", hint)
    unit = unit_of(match.group(1)) if match else None
    if unit is None or unit not in allowed:
        return hint
    return f" (did you mean '{match.group(1)}', or '{unit}', the unit it has been part of since 1 Jul 2025?)"


def merged_into(name: str) -> str:
    """For a 2025 name made of a former province's (`tra_vinh_2025`): no such unit, and the unit the
    province is part of; '' for any other name."""
    former = name.removesuffix("_2025")
    unit = unit_of(former)
    if name == former or name in registry() or unit is None:
        return ""
    return (f"no 2025 unit '{name}': {former} ({registry()[former].name_vi}) has been part of {unit} since 1 Jul "
            f"2025; run {unit} for the unit, or {former} for its former territory")


def not_runnable(region: str) -> str:
    """Why a region the catalogue lists is not offered: no data of its own to run, and how to add
    them; '' for a name the catalogue does not list."""
    found = registry().get(region)
    if found is None:  # 'ha_noi', 'Hà Nội': the catalogue's 'hanoi' and 'hanoi_2025' by id or name, separators aside
        plain = _plain(region)
        ids = [i for i, r in registry().items() if plain and plain in (_plain(i), _plain(r.name_vi), _plain(r.name_en))]
        if not ids or any(i in offered() for i in ids):
            return ""
        said = " and ".join(f"'{i}'" + (" (the unit since 1 Jul 2025)" if registry()[i].kind == "province" else
                                         " (the province before 1 Jul 2025)" if registry()[i].kind == "province_pre2025"
                                         else "") for i in ids)
        return (f"'{region}' is {registry()[ids[0]].name_vi} in `covsim regions`: {said}, with no population and "
                "coverage data to run; add them with `covsim region template` and `covsim region add`")
    if region in offered():
        return ""
    return (f"'{region}' ({found.name_vi}) is listed in `covsim regions` but has no population and coverage data "
            "to run; add them with `covsim region template` and `covsim region add`")
