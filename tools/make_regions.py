"""Generate simulator/data/regions.csv: Vietnam's provincial units before and after 1 July 2025.

The units, their GSO codes, Vietnamese names and which former provinces form each new one come
from the `vietnamadminunits` package (its 63-province and 34-province tables and its 2025
converter), so the mapping is not typed by hand; `tests/test_regions.py` checks the shipped CSV
against the package (and the 34 against `vietnam-provinces`). The populations of the 23 merged
units are the ones Resolution 202/2025/QH15 states; the resolution states none for the 11 unchanged
units, whose figures come from the list of the 34 units that repeats the resolution's 23 (a
secondary source, named on each row); they are kept as `population_resolution`. The `population` of
every unit is of one measure and year: each former province's GSO average population of 2011 (the
only complete sourced set of the 63 found), a 2025 unit's the sum of its former provinces', and the
country's the GSO's national figure of 2011, which the 63 add up to (docs/data.md).

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
RESOLUTION = ("Resolution 202/2025/QH15 of the National Assembly, 12 Jun 2025 (its number as the "
              "vietnam-address-converter README names it; the text not read)")
UNITS_SOURCE = f"{PACKAGE} {{version}} (admin units before and after 1 Jul 2025, converter_2025); {RESOLUTION}"
POPULATION_SOURCE = (f"{RESOLUTION} ('quy mô dân số' of each merged unit), as reported by Lao Động 12 Jun 2025 "
                     "(laodong.vn/thoi-su/dia-gioi-hanh-chinh-23-tinh-thanh-moi-sau-sap-nhap-nhieu-tinh-lan-dau-co-bien"
                     "-1522634.ldo) and listed by tinbds.com/danh-sach-tinh-thanh/dan-so")
MERGER_DATE = "2025-07-01"
LAST_DAY_BEFORE = "2025-06-30"

#: 'Quy mô dân số' of the 23 merged units as Resolution 202/2025/QH15 states them (as reported), keyed by
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

#: Average population of each of the 63 former provinces in 2011 (persons; the GSO publishes thousands
#: to one decimal), keyed by GSO code: the GSO Statistical Yearbook 2011's table by province as copied
#: in github.com/kierandg/d3tuts, vn-population-2011.csv (secondary; the copy names no source). The 63
#: add up to 87,840.0 thousand, the GSO's national average of 2011 (`NATIONAL_POPULATION`); later
#: yearbooks revised the 2011 series (Hà Nội 6,761.3 there against 6,699.6 here, the country 87,860.4).
POPULATION_YEAR = 2011
GSO_POPULATION = {
    "01": 6699600, "02": 746300, "04": 515000, "06": 298700, "08": 730800, "10": 637500, "11": 512300,
    "12": 391200, "14": 1119400, "15": 758600, "17": 799800, "19": 1139400, "20": 741200, "22": 1163700,
    "24": 1574300, "25": 1326000, "26": 1014600, "27": 1060300, "30": 1718900, "31": 1878500, "33": 1150400,
    "34": 1786000, "35": 786900, "36": 1833500, "37": 906900, "38": 3412600, "40": 2942900, "42": 1229300,
    "44": 853000, "45": 604700, "46": 1103100, "48": 951700, "49": 1435000, "51": 1221600, "52": 1497300,
    "54": 871900, "56": 1174100, "58": 569000, "60": 1180300, "62": 453200, "64": 1322000, "66": 1771800,
    "67": 516300, "68": 1218700, "70": 905300, "72": 1080700, "74": 1691400, "75": 2665100, "77": 1027200,
    "79": 7521100, "80": 1449600, "82": 1682600, "83": 1257800, "84": 1012600, "86": 1028600, "87": 1673200,
    "89": 2151000, "91": 1714100, "92": 1200300, "93": 769200, "94": 1303700, "95": 873300, "96": 1214900,
}
GSO_SOURCE = ("GSO, Statistical Yearbook 2011, average population by province (thousand persons, preliminary), "
              "as copied in github.com/kierandg/d3tuts vn-population-2011.csv (secondary, unattributed there); the "
              "63 add up to the GSO's national 87.84 million of 2011")

#: The country, the same measure and year as the provinces': the GSO's average population of 2011.
NATIONAL_POPULATION = (87840000, POPULATION_YEAR, "observed",
                       "GSO, average population 2011 (87.84 million, up 1.04% on 2010), as reported by Báo Mới "
                       "(baomoi.com/ty-le-that-nghiep-nam-2011-la-2-27/c/7630799.epi, citing the GSO)")
LATEST_NATIONAL = ("the latest national figure, of another year: 101,112,656 on 1 Apr 2024 (GSO mid-term population "
                   "and housing survey, as reported by Kinh tế và Dự báo, kinhtevadubao.vn/sau-5-nam-ke-tu-nam-2019-"
                   "den-nay-quy-mo-dan-so-viet-nam-tang-them-49-trieu-nguoi-30755.html)")

#: English names where usage differs from the Vietnamese name without diacritics.
ENGLISH = {"Hà Nội": "Hanoi", "Hồ Chí Minh": "Ho Chi Minh City"}

COLUMNS = ["id", "name_vi", "name_en", "unit_kind", "code", "parent", "valid_from", "valid_to",
           "population", "population_year", "population_kind", "source", "note", "population_resolution"]


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
    code_of = {u["provinceKey"]: u["provinceCode"] for u in before}
    year = str(POPULATION_YEAR)
    people, _, kind, where = NATIONAL_POPULATION
    out = [dict(id=NATIONAL, name_vi="Toàn quốc", name_en="Vietnam", unit_kind="country", code="", parent="",
                valid_from="", valid_to="", population=str(people), population_year=year,
                population_kind=kind, source=f"covsim: the national unit; population: {where}",
                note=f"the sum of the 63 former provinces' figures of the same year and source; {LATEST_NATIONAL}",
                population_resolution="")]
    for u in after:
        members = mapping[u["provinceKey"]]
        merged = len(members) > 1
        stated = (RESOLUTION_POPULATION if merged else UNCHANGED_POPULATION).get(u["provinceCode"])
        formed = ", ".join(next(b["provinceShort"] for b in before if b["provinceKey"] == m) for m in members)
        total = sum(GSO_POPULATION[code_of[m]] for m in members)
        out.append(dict(
            id=new_id[u["provinceKey"]], name_vi=display_vi(u["province"], u["provinceShort"]),
            name_en=english(u["provinceShort"]), unit_kind="province", code=u["provinceCode"], parent=NATIONAL,
            valid_from=MERGER_DATE, valid_to="", population=str(total), population_year=year,
            population_kind="observed",
            source=(f"{source}; population: the sum of its former provinces' ({GSO_SOURCE})"
                    + ("" if stated is None else
                       f"; population_resolution (2025): {POPULATION_SOURCE if merged else UNCHANGED_SOURCE}")),
            note=(f"formed from {formed}" if merged else
                  "unchanged by the resolution, which states no population for it; population_resolution from a "
                  "secondary list (see source)"),
            population_resolution="" if stated is None else str(stated),
        ))
    for u in before:
        out.append(dict(
            id=old_id[u["provinceKey"]], name_vi=display_vi(u["province"], u["provinceShort"]),
            name_en=english(u["provinceShort"]), unit_kind="province_pre2025", code=u["provinceCode"],
            parent=new_id[parent_of[u["provinceKey"]]], valid_from="", valid_to=LAST_DAY_BEFORE,
            population=str(GSO_POPULATION[u["provinceCode"]]), population_year=year, population_kind="observed",
            source=f"{source}; population: {GSO_SOURCE}", note="", population_resolution="",
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
