"""A province's own data from Excel: the template planners fill, its checks, and its registration.

`write_template` makes the workbook (Vietnamese headers with English beneath, validation in the
cells); `read_workbook` checks a filled one and returns every problem, one line each, naming the
sheet and cell; `register` writes the region's rows as CSV under the user's data folder, in a
hidden folder renamed into place only when complete, so a failure leaves nothing registered.
"""
from __future__ import annotations

import math
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..output import atomic_write
from . import regions, tables
from .levers import LEVERS
from .numbers import decimal
from .scenario import FIRST_YEAR
from .user_data import region_dirs, user_dir
from .workbook import NOT_A_WORKBOOK, filled_rows, unsaved_formula_problems

FIRST, LAST = 2000, 2050
OBSERVED_SHEET = "Bao phủ BHYT"  # observed coverage: years that have begun, never a target
#: An observed coverage figure is fitted against the model's year: from its first (FIRST_YEAR, the
#: end of which the state is initialised at) on; a population may go back further (FIRST).
FIRST_OBSERVED = FIRST_YEAR
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,40}$")

#: Sheet name -> columns (Vietnamese header, English header, kind of cell). The first sheet has one row.
SHEETS = {
    "Tỉnh": [("Mã (chữ thường, _)", "id (lower case, _)", "id"), ("Tên tiếng Việt", "Name in Vietnamese", "text"),
             ("Tên tiếng Anh", "Name in English", "text"), ("Nguồn số liệu", "Source of the data", "text")],
    "Dân số": [("Năm", "Year", "year"), ("Dân số (người)", "Population (persons)", "count"),
               ("Nguồn", "Source", "text")],
    "Bao phủ BHYT": [("Năm", "Year", "year"), ("Tỷ lệ bao phủ thực tế (%)", "Observed coverage (%)", "percent"),
                     ("Nguồn", "Source", "text")],
    "Chỉ tiêu BHYT": [("Năm", "Year", "year"), ("Chỉ tiêu (%)", "Target (%)", "percent"), ("Nguồn", "Source", "text")],
    "Hỗ trợ địa phương": [("Năm", "Year", "year"), ("Nhóm", "Group", "group"),
                          ("Tỷ lệ hỗ trợ thêm (%)", "Local top-up (% of the premium)", "percent"),
                          ("Nguồn", "Source", "text")],
    "Xã phường": [("Năm", "Year", "year"), ("Mã xã, phường (GSO)", "Commune or ward code (GSO)", "commune"),
                  ("Tên xã, phường", "Commune or ward name", "text"), ("Dân số (người)", "Population (persons)", "count"),
                  ("Số người có thẻ BHYT", "Insured (persons)", "count"), ("Nguồn", "Source", "text")],
}
FIRST_ROW = 3  # rows 1-2 are the headers
#: The groups a local top-up can go to, as a reform's (an employee's premium is the employer's, a
#: pensioner's the social insurance fund's: a top-up there would be counted as cost and change nothing).
TOP_UP_GROUPS = LEVERS["local_top_up"].groups
#: Sheets a workbook may leave out (one written before the sheet existed): a province without
#: commune data allocates by group only.
OPTIONAL_SHEETS = ("Xã phường",)
#: Sheets whose rows repeat a year (one row per group or commune), so years need not increase.
REPEATED_YEARS = ("Hỗ trợ địa phương", "Xã phường")
#: The local top-ups' sheet: one row per year and group.
TOP_UP_SHEET = "Hỗ trợ địa phương"


@dataclass
class Filled:
    """A checked workbook: the region's id and names, and its rows for each shipped table."""
    id: str
    name_vi: str
    name_en: str
    new_unit: bool
    communes_only: bool = False  # a 2025 unit run as its former provinces: its communes, nothing else
    tables: dict[str, list[list]] = field(default_factory=dict)


def write_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, columns in SHEETS.items():
        ws = wb.create_sheet(sheet)
        for j, (vi, en, kind) in enumerate(columns, start=1):
            ws.cell(1, j, vi).font = Font(bold=True)
            ws.cell(2, j, en).font = Font(italic=True)
            ws.column_dimensions[ws.cell(1, j).column_letter].width = max(len(vi), len(en)) + 4
            letter = ws.cell(1, j).column_letter
            observed = sheet == OBSERVED_SHEET
            first = FIRST_OBSERVED if observed else FIRST
            rule = {
                "year": DataValidation(type="whole", operator="between", formula1=str(first), formula2=str(LAST)),
                "count": DataValidation(type="whole", operator="greaterThan", formula1="0"),
                # an observed coverage of 0 is an empty cell, not a figure (read_workbook refuses it)
                "percent": DataValidation(type="decimal", operator="between", formula1="1" if observed else "0",
                                          formula2="100"),
                "group": DataValidation(type="list", formula1='"' + ",".join(TOP_UP_GROUPS) + '"'),
                "commune": DataValidation(type="textLength", operator="equal", formula1="5"),
            }.get(kind)
            if kind == "commune":  # text, so that a code's leading zero stays
                ws.column_dimensions[letter].number_format = "@"
            if rule is not None:
                rule.error = f"{en}: {kind}"
                rule.showErrorMessage = True
                ws.add_data_validation(rule)
                rule.add(f"{letter}{FIRST_ROW}:{letter}500")
    atomic_write(path, wb.save, ".xlsx")  # complete or absent


def read_workbook(path: Path) -> tuple[Filled | None, list[str]]:
    """The workbook's data, or the list of its problems (one line each: file, sheet, cell, what is allowed)."""
    from openpyxl import load_workbook

    problems: list[str] = []
    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        return None, [f"{path}: file not found"]
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        return None, [f"{path}: {NOT_A_WORKBOOK}"]
    unsaved = unsaved_formula_problems(path, wb)
    if unsaved:  # read as empty otherwise: name them first
        return None, unsaved

    def bad(sheet, cell, message):
        problems.append(f"{path}: sheet '{sheet}', cell {cell}: {message}")

    renamed, moved = set(), []
    for sheet in wb.sheetnames:  # a template sheet renamed (its headers kept): read as missing, it said "no
        if sheet in SHEETS:  # commune given"; a sheet of one's own (notes, an old commune list) is left alone
            continue
        heads = [ws_cell.value for ws_cell in wb[sheet][1]][:2]
        for name, columns in SHEETS.items():
            if name not in wb.sheetnames and heads == [vi for vi, _, _ in columns[:2]]:
                renamed.add(name)  # one fault, said once: not also as the sheet missing
                moved.append(f"{path}: sheet '{sheet}': the template's sheet '{name}' renamed, so nothing on it "
                             f"is read; allowed: its own name, '{name}'")
    for sheet in SHEETS:
        if sheet not in wb.sheetnames and sheet not in OPTIONAL_SHEETS and sheet not in renamed:
            problems.append(f"{path}: sheet '{sheet}': missing; the template's sheets are {', '.join(SHEETS)}")
    problems += moved
    if problems:
        return None, problems
    values: dict[str, list[tuple[int, list]]] = {}
    for sheet, columns in SHEETS.items():
        if sheet not in wb.sheetnames:
            values[sheet] = []
            continue
        ws = wb[sheet]
        rows = []
        last_year = None
        given: dict[tuple, int] = {}  # a repeated-years sheet's (year, group): the row that gave it
        for r, cells in filled_rows(ws, len(columns), FIRST_ROW):
            parsed = []
            for j, ((_, en, kind), raw) in enumerate(zip(columns, cells)):
                cell = f"{ws.cell(r, j + 1).column_letter}{r}"
                value = _parse(kind, raw, lambda m, c=cell: bad(sheet, c, f"{en}: {m}"), zero=sheet != OBSERVED_SHEET)
                parsed.append(value)
            if columns[0][2] == "year" and isinstance(parsed[0], int):
                if last_year is not None and parsed[0] <= last_year and sheet not in REPEATED_YEARS:
                    bad(sheet, f"A{r}", f"year {parsed[0]} after {last_year}; years go in increasing order, once each")
                last_year = parsed[0] if last_year is None else max(last_year, parsed[0])
            if sheet == TOP_UP_SHEET and isinstance(parsed[0], int) and parsed[1]:
                key = (parsed[0], parsed[1])
                if key in given:  # two top-ups for one group from one year: which holds?
                    bad(sheet, f"A{r}", f"year {key[0]}, group {key[1]} already given in row {given[key]}; "
                                        "give each year and group once")
                given.setdefault(key, r)
            if sheet == OBSERVED_SHEET and isinstance(parsed[0], int) and parsed[0] > date.today().year:
                bad(sheet, f"A{r}", f"{parsed[0]} has not begun; an observed figure is of a year up to "
                                    f"{date.today().year} (a target goes in sheet 'Chỉ tiêu BHYT')")
            if sheet == OBSERVED_SHEET and isinstance(parsed[0], int) and parsed[0] < FIRST_OBSERVED:
                bad(sheet, f"A{r}", f"{parsed[0]} is before {FIRST_OBSERVED}, the model's first year: an observed "
                                    f"figure is fitted against the model's year; allowed: {FIRST_OBSERVED}.."
                                    f"{date.today().year} (leave earlier years out)")
            rows.append((r, parsed))
        values[sheet] = rows
    head = values["Tỉnh"]
    if len(head) != 1:
        bad("Tỉnh", f"A{FIRST_ROW}", f"{len(head)} rows filled; give exactly one province")
        return None, problems
    _, (rid, name_vi, name_en, source) = head[0]
    known = regions.registry()
    new_unit = rid not in known
    # a wrong id is the one fault said: what else the sheet lacks follows from the id it meant
    if not rid:
        bad("Tỉnh", f"A{FIRST_ROW}", "empty; the region's id is required")
        return None, problems
    if not ID_PATTERN.match(str(rid)):
        meant = str(rid).strip().lower()
        bad("Tỉnh", f"A{FIRST_ROW}", f"'{rid}' is not an id: lower-case letters, digits and _, starting with a letter"
                                     + (f" (did you mean '{meant}'?)" if meant in known else ""))
        return None, problems
    if rid in known and known[rid].runnable:
        unit = regions.unit_of(rid)  # a former province: its communes go on the unit it became part of
        bad("Tỉnh", f"A{FIRST_ROW}", f"'{rid}' is already a region the model runs"
                                     + (f", a province before 1 July 2025; its communes since then go on its 2025 "
                                        f"unit: allowed: the id '{unit}' (a workbook of its communes only)"
                                        if unit else "; pick another id (or `covsim region remove` the one you added)"))
        return None, problems
    if rid in regions.mergeable():
        return _unit_communes(rid, known[rid], values, source, path, bad, problems)
    communes = _communes(values["Xã phường"], _province_code(known.get(rid)), bad) if not problems else []
    if not problems and new_unit and communes and (owner := _owner(communes, known)) is not None:
        # every commune is one of the 34 provinces': a new id over them registered a 35th province on
        # another's ground, and `covsim regions`' check of the 34 then failed (an audit, 2026-12-06);
        # said alone (a mistyped unit id, not a new region lacking its names and population)
        bad("Tỉnh", f"A{FIRST_ROW}", f"'{rid}' is a new id, but its communes are those of {owner.name_vi} "
                                     f"({owner.id}, province code {int(owner.code):02d}); allowed: the id "
                                     f"'{owner.id}' (its communes go on that unit), or a new region without communes")
        return None, problems
    if new_unit and (not name_vi or not name_en):
        bad("Tỉnh", f"B{FIRST_ROW}", "a new region needs its names in Vietnamese and English")
    if not source:
        bad("Tỉnh", f"D{FIRST_ROW}", "the source of the data is required (every figure carries its source)")
    if not values["Dân số"]:
        bad("Dân số", f"A{FIRST_ROW}", "no population given; at least one year is required")
    if not problems:
        _communes_within(values["Xã phường"], values["Dân số"], bad)
    if problems:
        return None, problems
    reg = known.get(rid)
    filled = Filled(rid, name_vi or reg.name_vi, name_en or reg.name_en, new_unit)
    where = f"region workbook {path.name}"
    filled.tables["population"] = [[rid, y, n, "persons", "observed", src or source, where] for _, (y, n, src) in values["Dân số"]]
    # The same figures as points the population is steered through: a run passes through every one
    # the workbook gives, not only the nearest moved by an assumed growth rate.
    filled.tables["census"] = [[rid, y, "estimate", n, "persons", "observed", src or source, where]
                               for _, (y, n, src) in values["Dân số"]]
    filled.tables["coverage"] = (
        [[rid, y, "bhyt", "all", v / 100, "share_of_population", "observed", src or source, where]
         for _, (y, v, src) in values["Bao phủ BHYT"]]
        + [[rid, y, "bhyt", "all", v / 100, "share_of_population", "planned", src or source, where]
           for _, (y, v, src) in values["Chỉ tiêu BHYT"]])
    filled.tables["policy_parameters"] = [
        ["local_top_up", rid, g, f"{y}-01-01", v / 100, "fraction", "observed", src or source, where]
        for _, (y, g, v, src) in values["Hỗ trợ địa phương"]]
    filled.tables["communes"] = [[rid, y, code, name, insured, people, "observed", src or source, where]
                                 for y, code, name, people, insured, src in communes]
    if new_unit:
        filled.tables["regions"] = [[rid, filled.name_vi, filled.name_en, "province", "", regions.NATIONAL, "", "",
                                     "", "", "", source, where, ""]]
    return filled, []


def _owner(communes: list, known: dict):
    """The province since 1 July 2025 whose communes these are (by the first's code), or None."""
    home = _wards()[communes[0][1]][1]
    return next((r for r in known.values() if r.kind == "province" and str(r.code).isdigit()
                 and int(r.code) == home), None)


#: The sheets a workbook for a 2025 unit run as its former provinces leaves empty: their figures are
#: its former provinces' (its own year-end coverage goes in with `covsim region observe`).
UNIT_SHEETS_EMPTY = ("Dân số", "Bao phủ BHYT", "Chỉ tiêu BHYT", "Hỗ trợ địa phương")


def _unit_communes(rid: str, unit: regions.Region, values: dict, source, path: Path, bad,
                   problems: list[str]) -> tuple[Filled | None, list[str]]:
    """A workbook for a 2025 unit the model runs as the sum of its former provinces: its communes
    only (the planners' units since 1 July 2025), checked as any region's, and held within the unit's
    population by Resolution 202/2025 (or its former provinces' sum)."""
    used = [sheet for sheet in UNIT_SHEETS_EMPTY if values[sheet]]
    if used:  # one line: most likely a new region's workbook under a taken id
        bad("Tỉnh", f"A{FIRST_ROW}", f"'{rid}' is already a region the model runs, a 2025 unit run as the sum of its "
                                     f"former provinces ({', '.join(unit.members)}): a workbook for it gives its "
                                     f"communes only (sheet 'Xã phường'), and this one fills {', '.join(used)} "
                                     "(its own year-end coverage goes in with `covsim region observe`); a region you "
                                     "add takes a new id or that of a unit without data of its own (`covsim regions` "
                                     "lists them)")
    if not values["Xã phường"] and not problems:
        bad("Xã phường", f"A{FIRST_ROW}", f"no commune given; a workbook for the 2025 unit '{rid}' adds its communes")
    if not source:
        bad("Tỉnh", f"D{FIRST_ROW}", "the source of the data is required (every figure carries its source)")
    if problems:
        return None, problems
    communes = _communes(values["Xã phường"], _province_code(unit), bad)
    if not problems:
        year, people, named = regions.stated_population(rid)
        _communes_within(values["Xã phường"], [(None, (year, int(round(people)), None))], bad, named)
    if problems:
        return None, problems
    filled = Filled(rid, unit.name_vi, unit.name_en, False, communes_only=True)
    where = f"region workbook {path.name}"
    filled.tables["communes"] = [[rid, y, code, name, insured, people, "observed", src or source, where]
                                 for y, code, name, people, insured, src in communes]
    return filled, []


def _province_code(region: regions.Region | None) -> int | None:
    """The GSO code of the 2025 unit whose communes a region's are: its own (a unit since 1 July
    2025), its parent's (a former province); None for a region the data do not know."""
    if region is None:
        return None
    unit = region if region.kind == "province" else regions.registry().get(region.parent)
    return int(unit.code) if unit is not None and str(unit.code).isdigit() else None


@lru_cache(maxsize=1)
def _wards() -> dict[str, tuple[str, int]]:
    """Every commune and ward since 1 July 2025 (vietnam-provinces): 5-digit code -> (name, province code)."""
    from vietnam_provinces import Ward

    # a name's spaces as one: vietnam-provinces 2025.10.1 writes 'Xã  Phú Hữu' (31378) and 'Xã  Đại Hải' (31561)
    return {f"{int(w.code):05d}": (" ".join(w.name.split()), int(w.province_code)) for w in Ward.iter_all()}


def whole_province(codes) -> bool:
    """Whether `codes` (5-digit GSO codes) are every commune and ward of one province since 1 July
    2025 (vietnam-provinces): then nothing of the province is left out of them."""
    codes = {str(c) for c in codes}
    listed = _wards()
    provinces = {listed[c][1] for c in codes if c in listed}
    if len(provinces) != 1 or not codes <= set(listed):
        return False
    home = provinces.pop()
    return codes >= {c for c, (_, of) in listed.items() if of == home}


def _same_name(given: str, listed: str) -> bool:
    """'Mường Phăng' or 'xã Mường Phăng' names 'Xã Mường Phăng'."""
    import unicodedata

    def norm(text):
        return " ".join(unicodedata.normalize("NFC", text).lower().split())
    a, b = norm(given), norm(listed)
    return a == b or b.endswith(" " + a) and b[:-len(a) - 1] in ("xã", "phường", "đặc khu")


def _communes(rows: list[tuple[int, list]], province: int | None, bad) -> list[tuple]:
    """The communes sheet's rows checked against vietnam-provinces: each code a commune or ward of
    the province (of one province, for a region the data do not know), its name the listed one,
    insured within population, one row per commune and year."""
    if not rows:
        return []
    from importlib.metadata import version

    listed, package = _wards(), f"vietnam-provinces {version('vietnam-provinces')}"
    sheet, seen, out = "Xã phường", {}, []
    from collections import Counter

    counts = Counter(listed[c[1]][1] for _, c in rows if c[1] in listed).most_common()
    # a new region's province is its communes' own; where most are one province's, the others are
    # the strays, each named on its own line (one stray gave a line on every row, naming none)
    home = province if province is not None else (
        counts[0][0] if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]) else None)
    if home is None and len(counts) > 1:
        r = rows[0][0]
        bad(sheet, f"B{r}", f"the communes belong to {len(counts)} provinces "
                            f"({', '.join(f'{p:02d}: {n}' for p, n in counts)}), none of them most; allowed: one "
                            "province's")
        return []
    for r, (year, code, name, people, insured, src) in rows:
        if code is None or year is None or people is None or insured is None:
            continue  # already said
        if year > date.today().year:  # registered, it made the latest year one no other commune was given in
            bad(sheet, f"A{r}", f"{year} has not begun; a commune's figures are observed, of a year up to "
                                f"{date.today().year}")
            continue
        if code not in listed:
            bad(sheet, f"B{r}", f"'{code}' is not the code of a commune or ward since 1 Jul 2025 ({package}); "
                                "allowed: the 5-digit GSO code of one of the province's communes or wards")
            continue
        listed_name, of = listed[code]
        if home is not None and of != home:
            whose = f"this province ({home:02d})" if province is not None else \
                f"province {home:02d}, the province of the sheet's other communes"
            bad(sheet, f"B{r}", f"'{code}' ({listed_name}) is a commune of province code {of:02d}, not of "
                                f"{whose}; allowed: the province's own communes and wards ({package})")
            continue
        if name and not _same_name(name, listed_name):
            bad(sheet, f"C{r}", f"'{name}' is not the name of commune {code}, which {package} lists as "
                                f"'{listed_name}'")
            continue
        if insured > people:
            bad(sheet, f"E{r}", f"{insured} insured is above the population {people}; allowed: at most the population")
            continue
        if (year, code) in seen:
            bad(sheet, f"A{r}", f"commune {code} in {year} is also on row {seen[year, code]}; one row per commune "
                                "and year")
            continue
        seen[year, code] = r
        out.append((year, code, listed_name, people, insured, src))
    if out:  # an allocation shares out the latest year's communes: one given only before it was dropped unsaid
        latest = max(y for y, *_ in out)
        there = {c for y, c, *_ in out if y == latest}
        for (year, code), r in seen.items():
            if code not in there and not any(c == code and y > year for y, c in seen):
                bad(sheet, f"A{r}", f"commune {code} is given for {year} but not for {latest}, the latest year "
                                    f"given, whose communes an allocation shares the people out among; allowed: "
                                    f"every commune again in {latest}")
    return out


def _communes_within(rows: list[tuple[int, list]], population: list[tuple[int, list]], bad,
                     named: str = "Dân số") -> None:
    """A year's communes hold no more people than the province (its population of the nearest year
    given; `named`: where that figure is from): else every commune's share, and the targets shared
    out by it, would be wrong."""
    given = [(year, people) for _, (year, people, _src) in population if year is not None and people is not None]
    if not given:
        return
    held: dict[int, tuple[int, int]] = {}
    for r, (year, _code, _name, people, _insured, _src) in rows:
        if year is not None and people is not None:
            total, _ = held.get(year, (0, r))
            held[year] = (total + people, r)
    for year, (total, last_row) in sorted(held.items()):
        near, people = min(given, key=lambda g: (abs(g[0] - year), -g[0]))
        if total > people:
            bad("Xã phường", f"D{last_row}", f"the communes of {year} hold {total:,} people, more than the province's "
                                             f"{people:,} ({named}, {near}); allowed: at most the province's population")


#: What a number cell takes, said where text is typed instead (an audit: "'93.5%' is not a number" said
#: nothing of what would do).
NUMBER_ALLOWED = {"year": "a year such as 2018", "count": "a whole number of persons such as 598856, without "
                  "thousands separators", "percent": "a percent such as 93.5 (or 93,5)"}


def _number_text(text: str, kind: str):
    """A number typed as text, as Excel keeps it when the cell is formatted as text: '2018', '93.5',
    '93,5' or '93.5%' for a percent; a count in digits only ('12.000' is twelve thousand in
    Vietnamese and twelve in English: refused, not guessed). Anything else stays text."""
    if kind == "count":
        return int(text) if text.isdigit() else text
    try:
        value = decimal(text.removesuffix("%").strip()) if kind == "percent" else float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _parse(kind: str, raw, complain, zero: bool = True):
    """The cell's value, or None after `complain`ing; `zero`: a percent of 0 is a figure (a top-up
    of none; not an observed coverage, where 0 is an empty cell typed as 0)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if kind in ("year", "count", "percent", "group", "commune"):
            complain("empty; a value is required")
        return None
    if kind in ("text", "id"):
        return str(raw).strip()
    if kind == "commune":  # a GSO code: 5 digits, which Excel may hold as a number (leading zeros lost)
        text = str(int(raw)) if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == int(raw) \
            else str(raw).strip()
        if not text.isdigit() or len(text) > 5:
            complain(f"'{raw}' is not a commune code; allowed: the 5-digit GSO code, e.g. 03325")
            return None
        return text.zfill(5)
    if kind == "group":
        if raw not in TOP_UP_GROUPS:
            complain(f"'{raw}' is not a group a local top-up can go to; allowed: {', '.join(TOP_UP_GROUPS)}")
            return None
        return raw
    if isinstance(raw, str):
        raw = _number_text(raw.strip(), kind)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        complain(f"'{raw}' is not a number; allowed: {NUMBER_ALLOWED[kind]}")
        return None
    if kind == "year":
        if raw != int(raw) or not FIRST <= raw <= LAST:
            complain(f"{raw} is not a year in {FIRST}..{LAST}")
            return None
        return int(raw)
    if kind == "count":
        if raw <= 0 or raw != int(raw):
            complain(f"{raw} is not a whole number of persons above 0")
            return None
        return int(raw)
    if not 0 <= raw <= 100:
        complain(f"{raw} is not a share in 0..100 (%)")
        return None
    if raw == 0 and not zero:  # an empty cell typed as 0 would be fitted: a province dragged far down
        complain("0 is not a figure (an empty cell typed as 0?): a year without a figure is "
                 "left out, its whole row cleared; allowed: above 1 (%)")
        return None
    if 0 < raw <= 1:  # a share typed where percent is asked: 0.85 would be read as 0.85%
        complain(f"{raw:g} would read as {raw:g}%; the column is in percent (type {100 * raw:g} for {100 * raw:g}%); "
                 f"allowed: {'0, or ' if zero else ''}above 1")
        return None
    return float(raw)


def _csv(name: str, rows: list[list]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in tables.SCHEMAS[name]])
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def register(filled: Filled) -> Path:
    """Write the region's tables under the user's folder; complete or not at all."""
    root = user_dir()
    final = root / filled.id
    if final.exists():
        raise FileExistsError(final)
    stage = root / f".{filled.id}.{uuid.uuid4().hex}"
    stage.mkdir(parents=True)
    try:
        for name, rows in filled.tables.items():
            if rows:
                text = _csv(name, rows)
                tables.parse_table(name, text, str(final / f"{name}.csv"))  # the shipped schema, before it counts
                (stage / f"{name}.csv").write_text(text, encoding="utf-8")
        stage.rename(final)
    finally:
        if stage.exists():
            shutil.rmtree(stage)
    return final


def register_unit_communes(filled: Filled) -> tuple[Path, bool]:
    """A 2025 unit's communes written into its folder under the user's data, beside the figures
    `region observe` keeps there (complete or not at all); and whether they replace earlier ones."""
    from .user_data import replace_folder

    text = _csv("communes", filled.tables["communes"])
    tables.parse_table("communes", text, f"{filled.id}/communes.csv")  # the shipped schema, before it counts
    had = (user_dir() / filled.id / "communes.csv").exists()
    where = replace_folder(filled.id, {"communes.csv": lambda path: path.write_text(text, encoding="utf-8")},
                           keep=("coverage.csv", "posterior.nc"))
    return where, had


def remove(region: str) -> Path | None:
    """Delete a region the user registered; None when there is none of that id. Only a registered
    region's own folder: an id is never read as a path ('', '.', '..', '/elsewhere' name no region,
    and deleted the data folder or a folder outside it, found by an audit)."""
    if not ID_PATTERN.match(str(region)):
        return None
    target = next((d for d in region_dirs() if d.name == region), None)
    if target is None or target.is_symlink():
        return None
    shutil.rmtree(target)
    return target
