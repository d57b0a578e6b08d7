"""Generate simulator/data/regions.csv: Vietnam's provincial units before and after 1 July 2025.

The units, their GSO codes, Vietnamese names and which former provinces form each new one come
from the `vietnamadminunits` package (its 63-province and 34-province tables and its 2025
converter), so the mapping is not typed by hand; `tests/test_regions.py` checks the shipped CSV
against the package (and the 34 against `vietnam-provinces`). The populations of the 23 merged
units are the ones Resolution 202/2025/QH15 states; the resolution states none for the 11 unchanged
units, whose figures come from the list of the 34 units that repeats the resolution's 23 (a
secondary source, named on each row). The country's row carries the GSO's count of 1 Apr 2024, the
latest national figure; it is of another measure than the resolution's (docs/data.md).

    /work/venvs/<you>/bin/python tools/make_regions.py [--out simulator/data/regions.csv]

Needs `pip install vietnamadminunits` (a build-time tool, not a runtime dependency).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import unicodedata
from pathlib import Path

NATIONAL = "vietnam"
PACKAGE = "vietnamadminunits"
RESOLUTION = "Resolution 202/2025/QH15 of the National Assembly, 12 Jun 2025, Art. 1"
UNITS_SOURCE = f"{PACKAGE} {{version}} (admin units before and after 1 Jul 2025, converter_2025); {RESOLUTION}"
POPULATION_SOURCE = (f"{RESOLUTION} ('quy mô dân số' of each merged unit), as reported by Lao Động 12 Jun 2025 "
                     "(laodong.vn/thoi-su/dia-gioi-hanh-chinh-23-tinh-thanh-moi-sau-sap-nhap-nhieu-tinh-lan-dau-co-bien"
                     "-1522634.ldo) and listed by tinbds.com/danh-sach-tinh-thanh/dan-so")
MERGER_DATE = "2025-07-01"
LAST_DAY_BEFORE = "2025-06-30"

#: 'Quy mô dân số' of the 23 merged units as Resolution 202/2025/QH15 Art. 1 states them, keyed by
#: the new unit's GSO code. The resolution states no figure for the 11 units it leaves unchanged.
RESOLUTION_POPULATION = {
    "08": 1865270, "15": 1778785, "19": 1799489, "25": 4022638, "24": 3619433, "33": 3567943,
    "31": 4664124, "37": 4412264, "44": 1870845, "48": 3065628, "51": 2161755, "52": 3583693,
    "56": 2243554, "68": 3872999, "66": 3346853, "79": 14002598, "75": 4491408, "80": 3254170,
    "92": 4199824, "86": 4257581, "82": 4370046, "96": 2606672, "91": 4952238,
}

#: Populations of the 11 units the resolution leaves unchanged (it states none for them), keyed by
#: GSO code, from a list of all 34 units whose figures for the 23 merged units are the resolution's
#: (Ninh Bình aside: 4,412,464 there, the resolution's 4,412,264 with one digit changed), hence taken
#: to be of the same measure. The primary document behind the list was not found (docs/data.md).
UNCHANGED_POPULATION = {
    "01": 8807523, "04": 573119, "11": 673091, "12": 512601, "14": 1404587, "20": 881384,
    "22": 1497477, "38": 4324783, "40": 3831694, "42": 1622901, "46": 1432986,
}
UNCHANGED_SOURCE = ("en.wikipedia.org/wiki/Provinces_of_Vietnam (the 34 units from 1 Jul 2025), as copied by the "
                    "PyPI package countries-dictionary 3.1.2 (countries_dictionary/vietnam.py); secondary: its 23 "
                    "merged units' figures are Resolution 202/2025/QH15's, its source for the 11 unchanged ones is not "
                    "named")

#: The country: the GSO's mid-term census (Điều tra dân số và nhà ở giữa kỳ 2024), 1 Apr 2024.
NATIONAL_POPULATION = (101112656, 2024, "observed",
                       "GSO, mid-term population and housing survey 2024 (population on 1 Apr 2024), announced 6 Jan "
                       "2025, as reported by Kinh tế và Dự báo (kinhtevadubao.vn/sau-5-nam-ke-tu-nam-2019-den-nay-quy-mo"
                       "-dan-so-viet-nam-tang-them-49-trieu-nguoi-30755.html)")

#: English names where usage differs from the Vietnamese name without diacritics.
ENGLISH = {"Hà Nội": "Hanoi", "Hồ Chí Minh": "Ho Chi Minh City"}

COLUMNS = ["id", "name_vi", "name_en", "unit_kind", "code", "parent", "valid_from", "valid_to",
           "population", "population_year", "population_kind", "source", "note"]


def ascii_name(name: str) -> str:
    """'Bà Rịa - Vũng Tàu' -> 'Ba Ria - Vung Tau' (đ has no decomposition, so it is mapped)."""
    text = name.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def english(short: str) -> str:
    return ENGLISH.get(short, ascii_name(short))


def slug(name_en: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in name_en.lower()).split())


def display_vi(full: str, short: str) -> str:
    """The label planners use: 'TP. Hồ Chí Minh' for a centrally run city, the bare name otherwise."""
    return f"TP. {short}" if full.startswith("Thành phố") else short


def package_units() -> tuple[list[dict], list[dict], dict[str, list[str]], str]:
    """(units before, units after, new unit key -> former unit keys, package version)."""
    import importlib.metadata

    import vietnamadminunits

    root = Path(vietnamadminunits.__file__).parent / "data"
    with sqlite3.connect(root / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        query = "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey FROM {} ORDER BY provinceCode"
        before = [dict(r) for r in conn.execute(query.format("admin_units_legacy"))]
        after = [dict(r) for r in conn.execute(query.format("admin_units"))]
    mapping = json.loads((root / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    return before, after, mapping, importlib.metadata.version(PACKAGE)


def rows() -> list[dict]:
    before, after, mapping, version = package_units()
    source = UNITS_SOURCE.format(version=version)
    old_id = {u["provinceKey"]: slug(english(u["provinceShort"])) for u in before}
    parent_of = {old: new for new, olds in mapping.items() for old in olds}
    new_id = {u["provinceKey"]: slug(english(u["provinceShort"])) + "_2025" for u in after}
    people, year, kind, where = NATIONAL_POPULATION
    out = [dict(id=NATIONAL, name_vi="Toàn quốc", name_en="Vietnam", unit_kind="country", code="", parent="",
                valid_from="", valid_to="", population=str(people), population_year=str(year),
                population_kind=kind, source=f"covsim: the national unit; population: {where}",
                note="a census-type count of residents; the resolution's unit figures are of another measure "
                     "(their sum is some 12% larger, docs/data.md)")]
    for u in after:
        members = mapping[u["provinceKey"]]
        merged = len(members) > 1
        pop = (RESOLUTION_POPULATION if merged else UNCHANGED_POPULATION).get(u["provinceCode"])
        formed = ", ".join(next(b["provinceShort"] for b in before if b["provinceKey"] == m) for m in members)
        out.append(dict(
            id=new_id[u["provinceKey"]], name_vi=display_vi(u["province"], u["provinceShort"]),
            name_en=english(u["provinceShort"]), unit_kind="province", code=u["provinceCode"], parent=NATIONAL,
            valid_from=MERGER_DATE, valid_to="", population="" if pop is None else str(pop),
            population_year="" if pop is None else "2025", population_kind="" if pop is None else "observed",
            source=(source if pop is None else
                    f"{source}; population: {POPULATION_SOURCE if merged else UNCHANGED_SOURCE}"),
            note=(f"formed from {formed}" if merged else
                  "unchanged by the resolution, which states no population for it; population from a secondary "
                  "list (see source)"),
        ))
    for u in before:
        out.append(dict(
            id=old_id[u["provinceKey"]], name_vi=display_vi(u["province"], u["provinceShort"]),
            name_en=english(u["provinceShort"]), unit_kind="province_pre2025", code=u["provinceCode"],
            parent=new_id[parent_of[u["provinceKey"]]], valid_from="", valid_to=LAST_DAY_BEFORE,
            population="", population_year="", population_kind="", source=source, note="",
        ))
    return out


def render(table: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "simulator" / "data" / "regions.csv"
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args(argv)
    text = render(rows())
    tmp = args.out.with_suffix(".csv.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} units)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
