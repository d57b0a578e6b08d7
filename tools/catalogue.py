"""Keep the dashboard's catalogue (dashboard/locale/vi.po, en.po) whole.

    python tools/catalogue.py check          # both languages have every entry, same {fields}, every
                                             # source the outputs can cite has its citation, and every
                                             # lever and shipped plan its words
    python tools/catalogue.py set SECTION KEY VI EN   # add or change one entry in both files

The .po files are the source: edit them by hand or with `set`; `check` is what tests/dashboard/
test_i18n_exports.py runs.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

FOLDER = Path(__file__).resolve().parents[1] / "dashboard" / "locale"
LOCALES = {"vi": "vi_VN", "en": "en_GB"}
#: The line width the files are written at (a hand edit at another width is rewrapped by the next `set`).
WIDTH = 110


def load(lang: str):
    with open(FOLDER / f"{lang}.po", "rb") as f:
        return read_po(f, locale=LOCALES[lang], domain="covsim")


def save(lang: str, catalog) -> None:
    tmp = FOLDER / f".{lang}.po.tmp"
    with open(tmp, "wb") as f:
        write_po(f, catalog, width=WIDTH)
    tmp.replace(FOLDER / f"{lang}.po")


def problems() -> list[str]:
    """What is wrong with the catalogue: an entry one language lacks or leaves empty, or whose
    {fields} differ between the languages."""
    cats = {lang: {(m.context or "", m.id): m.string for m in load(lang) if m.id} for lang in LOCALES}
    out = []
    for key in sorted(set(cats["vi"]) | set(cats["en"])):
        texts = {lang: cats[lang].get(key, "") for lang in LOCALES}
        for lang, text in texts.items():
            if not text.strip():
                out.append(f"dashboard/locale/{lang}.po: {key[0]}/{key[1]}: no text; every entry needs both languages")
        fields = {lang: sorted(set(re.findall(r"{(\w*)}", text))) for lang, text in texts.items()}
        if all(texts.values()) and fields["vi"] != fields["en"]:
            out.append(f"dashboard/locale/vi.po: {key[0]}/{key[1]}: fields {fields['vi']} differ from en.po's "
                       f"{fields['en']}")
    return out + untranslated_sources() + unworded()


def unworded() -> list[str]:
    """What the registries declare that the outputs must word and the catalogue lacks: each lever's
    briefing sentence (`brief`/`lever_NAME`), each number held fixed (`fixed`/KEY, and `held_name`/KEY
    where its alternatives are tried), and each shipped plan's name, description and title
    (`scenario`/`NAME`, `scenario`/`NAME.description`, `plan`/`NAME`); a baseline is worded as
    its region's policy in force."""
    from covsim import simulator
    from covsim.dashboard import catalogue
    from covsim.simulator.inputs.levers import LEVERS
    from covsim.simulator.inputs.scenario import shipped

    from covsim.simulator.schemes import SCHEMES

    need = [("brief", f"lever_{name}", f"simulator/inputs/levers.py: lever '{name}'") for name in LEVERS]
    for entry in SCHEMES.values():  # each number held fixed: its sentence, and its name where it is tried
        for f in entry.fixed_items + entry.as_of_fixed:
            need += [("fixed", f.key, f"{entry.model.__name__}: held fixed '{f.key}'")]
            need += [("fixed", f"{f.key}.before", f"{entry.model.__name__}: '{f.key}' before {f.document}")] if f.before else []
            need += [("held_name", f.key, f"{entry.model.__name__}: alternatives of '{f.key}'")] if f.alternatives else []
    for name, path in shipped().items():
        if simulator.load_scenario(name).baseline:
            need += [(section, key, f"scenarios/{path.name}") for section, key in
                     (("scenario", name), ("scenario", f"{name}.description"), ("plan", name))]
    from covsim.dashboard.brief_content import LEVER_FIELDS

    unfilled = [f"dashboard/locale/{lang}.po: brief/lever_{name}: {{{field}}} is no field the briefing fills; "
                f"allowed: {', '.join('{' + f + '}' for f in LEVER_FIELDS)}"
                for name in LEVERS if catalogue.has("brief", f"lever_{name}") for lang in catalogue.LANGUAGES
                for field in re.findall(r"{(\w*)}", catalogue.messages(lang)[("brief", f"lever_{name}")])
                if field not in LEVER_FIELDS]
    return [f"dashboard/locale/vi.po, en.po: {section}/{key}: no entry for {what}; add it with "
            f"python tools/catalogue.py set {section} {key} VI EN"
            for section, key, what in need if not catalogue.has(section, key)] + unfilled


def untranslated_sources() -> list[str]:
    """Each row of a shipped table the outputs can show whose `source` has no entry in section
    `source` (covsim.dashboard.sources.missing: file, line and text)."""
    from covsim.dashboard import sources

    return sources.missing()


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 2 if found else 0
    if argv[:1] == ["set"] and len(argv) == 5:
        _, section, key, vi, en = argv
        if section == "source":  # looked up by the data's text with its white space normalised
            from covsim.dashboard.sources import key as source_key

            key = source_key(key)
        for lang, text in (("vi", vi), ("en", en)):
            catalog = load(lang)
            flags = ["python-brace-format"] if "{" in text else []
            entry = catalog.get(key, context=section)
            if entry is None:
                catalog.add(key, text, context=section, flags=flags)
            else:  # changed where it stands: the .po file's diff is the one entry
                entry.string = text
                entry.flags.discard("python-brace-format")
                entry.flags.update(flags)
            save(lang, catalog)
        return 0
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
