"""The citations of observed and planned figures, as a reader sees them in the session's language.

A figure's source is written in the shipped data in English (`source` column). The catalogue's
section `source` gives each one as a Vietnamese official would cite it ("Quyết định số 1167/QĐ-TTg
ngày 28/6/2016 của Thủ tướng Chính phủ"), keyed by the data's own text with its spaces normalised,
so that one lookup serves the Excel export, the briefing's annex and the chart hovers.

`missing()` lists every source of a shipped table the outputs can show that has no entry, with its
file and line: tests/dashboard/test_sources.py and `tools/catalogue.py check` fail on it, so a new
data row without a Vietnamese citation cannot ship unnoticed.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from . import catalogue

SECTION = "source"
#: The project's own references in a source ('(seed 003)', 'per domain.md section 3'): never shown.
_OWN_REFS = re.compile(r"\s*\(seed \d{3}\)|,? per domain\.md section \d+|\s*\(domain\.md section \d+\)")


def key(text: str) -> str:
    """The catalogue key of a source: the data's text with runs of white space made one space."""
    return " ".join(str(text).split())


def source_label(text: str | None, lang: str) -> str | None:
    """A figure's source in the language: the catalogue's citation where it has one; else (a source
    a user's own data bring) as the data write it, less the project's own references."""
    if text is None:
        return None
    k = key(text)
    if catalogue.has(SECTION, k):
        return catalogue.text(SECTION, k, lang)
    return _OWN_REFS.sub("", str(text))


#: A legal document's number as a Vietnamese official writes it: the kind first, the issuer's code
#: with its diacritics ('Decree 188/2025/ND-CP' -> 'Nghị định 188/2025/NĐ-CP').
_LEGAL_VI = ((re.compile(r"\bDecrees? (\d+/\d{4})/ND-CP"), r"Nghị định \1/NĐ-CP"),
             (re.compile(r"\bDecision (\d+(?:/\d{4})?)/QD-TTg"), r"Quyết định \1/QĐ-TTg"),
             (re.compile(r"\bLaw (\d+/\d{4})/QH(\d+)"), r"Luật \1/QH\2"),
             (re.compile(r"\bArt\. (\d+)"), r"Điều \1"))


def legal_reference(text: str, lang: str) -> str:
    """A policy value's legal reference (policy_parameters.csv's `reference`) in the language: the
    source catalogue's citation where it has one, else its documents' numbers written as each
    language writes them, less the project's own references."""
    label = source_label(text, lang) or ""
    if lang == "vi":
        for pattern, vi in _LEGAL_VI:
            label = pattern.sub(vi, label)
    return label


def shown_tables() -> tuple[str, ...]:
    """The shipped tables whose `source` an output shows (compute.shipped_data)."""
    from .compute import shipped_data

    return shipped_data()[1]


def shipped_folder() -> Path:
    from .compute import shipped_data

    return shipped_data()[0]


def shown(folder: Path | None = None, tables: tuple[str, ...] | None = None) -> list[tuple[Path, int, str]]:
    """(file, line, source) of every row of the shown tables: what an output can cite."""
    folder = folder or shipped_folder()
    out = []
    for name in tables or shown_tables():
        path = folder / f"{name}.csv"
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for row in reader:
                text = (row.get("source") or "").strip()
                if text:
                    out.append((path, reader.line_num, text))
    return out


def missing(folder: Path | None = None, tables: tuple[str, ...] | None = None) -> list[str]:
    """One line per row whose source has no entry in the catalogue's section `source` (both languages)."""
    return [f"{path} line {line}: source {text!r} has no entry in section '{SECTION}' of "
            f"dashboard/locale/vi.po and en.po; add its Vietnamese citation with "
            f"tools/catalogue.py set {SECTION} {key(text)!r} VI EN (the key: the text with its runs of "
            f"white space made one space)"
            for path, line, text in shown(folder, tables) if not catalogue.has(SECTION, key(text))]
