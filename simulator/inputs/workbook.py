"""Reading a filled template sheet (the region template's and the Excel reform's): one reader, so
that the two agree on what counts as a filled row."""
from __future__ import annotations


def filled_rows(ws, width: int, first_row: int, strip: bool = False):
    """(row number, the row's first `width` cells) for each row from `first_row` with a cell that is
    not blank (whitespace counts as blank). `strip`: text cells stripped, blank ones None."""
    for r in range(first_row, ws.max_row + 1):
        cells = [ws.cell(r, j).value for j in range(1, width + 1)]
        stripped = [c.strip() if isinstance(c, str) else c for c in cells]
        if any(c is not None and c != "" for c in stripped):
            yield r, ([None if c == "" else c for c in stripped] if strip else cells)
