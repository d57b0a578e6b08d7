"""The one catalogue of every word the page, the briefing and the exports show, in both languages.

gettext catalogues, one per language (`locale/vi.po`, `locale/en.po`), read with Babel. An entry's
`msgctxt` is its section (page, field, view, brief, excel, group, plan, scenario, scheme, unit,
dropdown, plotly, ...) and its `msgid` a stable key: neither language is the source of the other, and
a planner's wording can change without touching code. The `.po` files are read as they are, so a
clean clone and an installed wheel find the same text with no build step (they ship as package data).

Levers are the exception that proves the rule: a lever is declared once, in the simulator's lever
registry (`simulator/inputs/levers.py`), with its labels, so that adding a lever stays one entry;
the catalogue takes those labels in as section `lever` (see docs/extending.md).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
LOCALES = {"vi": "vi_VN", "en": "en_GB"}
FOLDER = Path(__file__).with_name("locale")


def language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[tuple[str, str], str]:
    """(section, key) -> text of one language, from its .po file."""
    with open(FOLDER / f"{lang}.po", "rb") as f:
        catalog = read_po(f, locale=LOCALES[lang], domain="covsim")
    return {(m.context or "", m.id): m.string for m in catalog if m.id and m.string}


def _levers() -> dict[str, dict[str, str]]:
    from .compute import lever_labels

    return lever_labels()


def has(section: str, key: str) -> bool:
    if section == "lever":
        return key in _levers()
    return all((section, key) in messages(lang) for lang in LANGUAGES)


def text(section: str, key: str, lang: str, **values) -> str:
    """An entry in the language, its {fields} filled; KeyError for an entry the catalogue lacks."""
    lang = language(lang)
    found = _levers()[key][lang] if section == "lever" else messages(lang)[(section, key)]
    return found.format(**values) if values else found


def section(name: str) -> dict[str, dict[str, str]]:
    """Every entry of a section: key -> {language: text}."""
    if name == "lever":
        return _levers()
    keys = dict.fromkeys(k for lang in LANGUAGES for (s, k) in messages(lang) if s == name)
    return {k: {lang: messages(lang).get((name, k), "") for lang in LANGUAGES} for k in keys}


def sections() -> list[str]:
    return sorted({s for lang in LANGUAGES for (s, _) in messages(lang)})
