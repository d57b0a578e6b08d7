"""The one reader of a template sheet's filled rows (region template and Excel reform)."""
from __future__ import annotations

from openpyxl import Workbook

from covsim.simulator.inputs.workbook import filled_rows


def _sheet():
    ws = Workbook().active
    ws.append(["header", "header"])
    ws.append([" name ", 3])      # row 2
    ws.append(["   ", None])      # row 3: blank (whitespace only)
    ws.append([None, 0])          # row 4: a zero is filled
    ws.append([" ", "x "])        # row 5
    return ws


def test_blank_rows_skipped_cells_kept_as_typed():
    assert list(filled_rows(_sheet(), 2, 2)) == [(2, [" name ", 3]), (4, [None, 0]), (5, [" ", "x "])]


def test_stripped_text_and_blank_cells_none():
    assert list(filled_rows(_sheet(), 2, 2, strip=True)) == [(2, ["name", 3]), (4, [None, 0]), (5, [None, "x"])]


def test_rows_before_the_first_and_cells_beyond_the_width_are_not_read():
    assert list(filled_rows(_sheet(), 1, 2)) == [(2, [" name "])]  # rows 4, 5 are filled beyond column A only
    assert list(filled_rows(_sheet(), 2, 3)) == [(4, [None, 0]), (5, [" ", "x "])]
