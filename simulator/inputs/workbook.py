"""Reading a filled template sheet (the region template's and the Excel reform's): one reader, so
that the two agree on what counts as a filled row."""
from __future__ import annotations


#: What a file that openpyxl cannot open is told (an older .xls, a CSV renamed, a damaged file): the
#: reader's own exception name (BadZipFile, InvalidFileException) says nothing to a planner.
NOT_A_WORKBOOK = ("not an Excel workbook: it cannot be opened as .xlsx (an older .xls, another kind of file "
                  "renamed, or a damaged copy?); allowed: a workbook saved as 'Excel Workbook (.xlsx)'")


def filled_rows(ws, width: int, first_row: int, strip: bool = False):
    """(row number, the row's first `width` cells) for each row from `first_row` with a cell that is
    not blank (whitespace counts as blank). `strip`: text cells stripped, blank ones None."""
    for r in range(first_row, ws.max_row + 1):
        cells = [ws.cell(r, j).value for j in range(1, width + 1)]
        stripped = [c.strip() if isinstance(c, str) else c for c in cells]
        if any(c is not None and c != "" for c in stripped):
            yield r, ([None if c == "" else c for c in stripped] if strip else cells)


def unsaved_formulas(path, values) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula) of each formula whose result no spreadsheet program saved: openpyxl
    reads such a cell as empty (it does not compute formulas), so it is named before 'empty' is said.
    `values` is the workbook as read with `data_only=True`."""
    from openpyxl import load_workbook

    formulas = load_workbook(path, data_only=False)
    out = []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and values[ws.title][cell.coordinate].value is None:
                    out.append((ws.title, cell.coordinate, str(cell.value)))
    return out


def unsaved_formula_problems(path, values) -> list[str]:
    return [f"{path}: sheet '{sheet}', cell {cell}: the formula {formula} has no saved result (openpyxl "
            "reads what Excel or LibreOffice saved); type the value, or open and save the workbook there"
            for sheet, cell, formula in unsaved_formulas(path, values)]
