"""A reform as an Excel workbook: lever, year, value rows, checked exactly as a TOML reform is.

Planners who do not write TOML fill a sheet. `write_template` makes the workbook (Vietnamese headers
with English beneath; the levers, their units and ranges listed in a second sheet generated from the
lever registry, so the two never disagree); `read` checks a filled one and returns the scenario's raw
table (as TOML would give it) or raises every problem at once, one line each naming sheet and cell.
The wording of each problem is the TOML reform's own (levers.py: `path_problem`, `year_problem`,
`value_problem`).
"""
from __future__ import annotations

from pathlib import Path

from ..output import atomic_write
from ..errors import InputError, InputErrors
from .levers import LEVERS, lever_paths, offered_paths, path_problem, value_problem, year_problem
from .regions import unit_year_problem
from .workbook import NOT_A_WORKBOOK, filled_rows, unsaved_formula_problems

HEAD = "Kịch bản"
REFORM = "Cải cách"
LEVER_SHEET = "Đòn bẩy"
#: Sheet -> columns (Vietnamese header, English header). Rows 1-2 are the headers.
SHEETS = {
    HEAD: [("Tên kịch bản", "name (short id)"), ("Kịch bản gốc", "baseline (a shipped scenario)"),
           ("Mô tả", "description (one line)"), ("Nguồn", "source (the document it encodes)")],
    REFORM: [("Đòn bẩy", "lever"), ("Năm", "year"), ("Giá trị", "value (unit: see sheet Đòn bẩy)")],
    LEVER_SHEET: [("Đòn bẩy", "lever"), ("Tên", "label (vi)"), ("Name", "label (en)"), ("Đơn vị", "unit"),
                  ("Từ", "lowest"), ("Đến", "highest"), ("Mô tả", "description (en)")],
}
REQUIRED = (HEAD, REFORM)  # the lever list is for the reader; a workbook without it still says what it means
FIRST_ROW = 3


def lever_rows() -> list[list]:
    """One row per reform path offered, from the registry: path, labels, unit, range, description
    (a retired lever, `outreach`, is still read from a workbook that sets it, not offered)."""
    rows = []
    for path in offered_paths():
        lever = LEVERS[path.partition(".")[0]]
        rows.append([path, lever.label["vi"], lever.label["en"], lever.unit, lever.lo, lever.hi,
                     lever.description["en"]])
    return rows


def write_template(path: Path) -> None:
    """The empty reform workbook, written complete or not at all."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, columns in SHEETS.items():
        ws = wb.create_sheet(sheet)
        for j, (vi, en) in enumerate(columns, start=1):
            ws.cell(1, j, vi).font = Font(bold=True)
            ws.cell(2, j, en).font = Font(italic=True)
            ws.column_dimensions[ws.cell(1, j).column_letter].width = max(len(vi), len(en)) + 4
    levers = wb[LEVER_SHEET]
    for row in lever_rows():
        levers.append(row)
    last = FIRST_ROW + len(lever_rows()) - 1
    reform = wb[REFORM]
    reform.column_dimensions["A"].width = max(len(p) for p in offered_paths()) + 4
    for rule, cells in ((DataValidation(type="list", formula1=f"'{LEVER_SHEET}'!$A${FIRST_ROW}:$A${last}"), "A"),
                        (DataValidation(type="whole", operator="between", formula1="2009", formula2="2050"), "B"),
                        (DataValidation(type="decimal"), "C")):
        rule.error = f"see sheet '{LEVER_SHEET}'"
        rule.showErrorMessage = True
        reform.add_data_validation(rule)
        rule.add(f"{cells}{FIRST_ROW}:{cells}500")
    atomic_write(path, wb.save, ".xlsx")  # complete or absent


def _number(raw):
    """A cell's number: Excel's own, or text that reads as one ('0,5' is not: the decimal point is '.')."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw
    try:
        return float(str(raw))
    except ValueError:
        return raw  # value_problem names it


def read(path: Path, load_baseline) -> dict:
    """The workbook's scenario as TOML's raw table ({'name', 'baseline', 'description', 'source',
    'reform': {path: {year: value}}, '_cells': {key: "sheet '…', cell …"}}), or InputErrors listing
    every problem by sheet and cell.

    `load_baseline(name)` resolves the baseline (for the years a reform may change)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise InputError(path, None, "scenario file not found") from None
    except Exception:  # noqa: BLE001 - openpyxl raises several kinds for a file that is not a workbook
        raise InputError(path, None, NOT_A_WORKBOOK) from None
    problems: list[str] = unsaved_formula_problems(path, wb)
    if problems:
        raise InputErrors(problems)

    def bad(sheet, cell, message):
        problems.append(f"{path}: sheet '{sheet}', cell {cell}: {message}")

    for sheet in REQUIRED:
        if sheet not in wb.sheetnames:
            problems.append(f"{path}: sheet '{sheet}': missing; a reform workbook has the sheets "
                            f"{', '.join(SHEETS)} (`covsim scenario template` writes one)")
    if problems:
        raise InputErrors(problems)
    head = list(filled_rows(wb[HEAD], len(SHEETS[HEAD]), FIRST_ROW, strip=True))
    if len(head) != 1:
        bad(HEAD, f"A{FIRST_ROW}", f"{len(head)} rows filled; give exactly one scenario (name, baseline, "
                                   "description, source)")
        raise InputErrors(problems)
    r, (name, baseline, description, source) = head[0]
    cells = {"name": f"sheet '{HEAD}', cell A{r}"}  # where a check on the whole scenario points
    raw: dict = {}
    for col, key, value in (("A", "name", name), ("C", "description", description), ("D", "source", source)):
        if value is not None:
            raw[key] = str(value)
    base = None
    if baseline is None:
        bad(HEAD, f"B{r}", "empty; a reform names the shipped scenario it changes (e.g. lai_chau)")
    else:
        raw["baseline"] = str(baseline)
        try:
            base = load_baseline(str(baseline))
        except InputError as exc:  # a fault inside the baseline's own file names that file and its key
            bad(HEAD, f"B{r}", exc.message if exc.where == "scenario" else f"'{baseline}': {exc}")
    reform: dict[str, dict[int, float]] = {}
    last_year: dict[str, tuple[int, int]] = {}
    for r, (lever, year, value) in filled_rows(wb[REFORM], len(SHEETS[REFORM]), FIRST_ROW, strip=True):
        ok = True
        lever = "" if lever is None else str(lever)
        problem = path_problem(lever) if lever else "empty; a lever is required (see sheet 'Đòn bẩy')"
        if problem:
            bad(REFORM, f"A{r}", problem)
            ok = False
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool):
            bad(REFORM, f"B{r}", f"'{'' if year is None else year}' is not a year; a whole year such as 2027")
            ok = False
        else:
            problem = (year_problem(year, base.start, base.end)
                       or (unit_year_problem(base.region, lever, year) if not path_problem(lever) else None)
                       ) if base is not None else None
            if problem:
                bad(REFORM, f"B{r}", problem)
                ok = False
            elif ok and lever in last_year and year <= last_year[lever][0]:
                bad(REFORM, f"B{r}", f"year {year} after {last_year[lever][0]} (row {last_year[lever][1]}) for "
                                     f"'{lever}'; a lever's years go in increasing order, once each")
                ok = False
        if value is None:
            bad(REFORM, f"C{r}", "empty; a value is required")
            continue
        if not path_problem(lever):
            problem = value_problem(lever, _number(value))
            if problem:
                bad(REFORM, f"C{r}", problem)
                ok = False
        if ok:
            reform.setdefault(lever, {})[year] = float(_number(value))
            last_year[lever] = (year, r)
    if not problems and not reform:  # the blank template saved, or the rows put on another sheet
        bad(REFORM, f"A{FIRST_ROW}", "no reform rows; a reform workbook sets at least one lever (lever, year, value "
                                     f"from row {FIRST_ROW}); to run the baseline, name it"
                                     + (f": covsim run {raw['baseline']}" if raw.get("baseline") else ""))
    if problems:
        raise InputErrors(problems)
    raw["reform"] = reform
    raw["_cells"] = cells
    return raw
