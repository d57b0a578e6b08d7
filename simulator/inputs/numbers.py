"""A number as a person types it, in either language: one rule for every reader of typed text."""
from __future__ import annotations


def decimal(text: str) -> float:
    """'0,955' (a Vietnamese spreadsheet's decimal comma) and '0.955' are 0.955; a comma beside a
    point ('1,234.5') or two commas are not read as decimals (float's ValueError)."""
    return float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
