"""What makes a view read at a glance: a title and scenario labels for the scheme on screen, a
legend note that lists only the kinds of figure the chart draws, and a default target that comes
from the data with its source (or none), never an invented one.

Its few texts live here, beside the code that uses them, until they join the catalogue.
"""
from __future__ import annotations

from . import compute

TEXT: dict[str, dict[str, str]] = {
    "title.bhyt": {"vi": "Mô phỏng bao phủ bảo hiểm y tế", "en": "Health insurance coverage simulator"},
    "title.bhxh": {"vi": "Mô phỏng bao phủ bảo hiểm xã hội", "en": "Social insurance coverage simulator"},
    "title.bhtn": {"vi": "Mô phỏng bao phủ bảo hiểm thất nghiệp", "en": "Unemployment insurance coverage simulator"},
    "legend.observed": {"vi": "● quan sát (số liệu thực tế)", "en": "● observed"},
    "legend.planned": {"vi": "◇ - - kế hoạch (chỉ tiêu)", "en": "◇ - - planned (targets)"},
    "legend.model": {"vi": "── / vùng màu: giả định (mô hình)", "en": "── / shaded: assumed (model)"},
    "legend.merged": {"vi": "ranh giới: {before} là tổng các tỉnh/thành phố cũ ({members}); {after} là đơn vị mới "
                            "(từ 1/7/2025)",
                      "en": "boundaries: {before} the sum of the former provinces ({members}); {after} the new unit "
                            "(since 1 Jul 2025)"},
    "legend.no_observed": {"vi": "chưa có số liệu quan sát cho tỉnh/thành phố và loại bảo hiểm này",
                           "en": "no observed figure for this region and scheme"},
    "target.own": {"vi": "Chỉ tiêu mặc định (kế hoạch): {source}", "en": "Default target (planned): {source}"},
    "target.national": {"vi": "Chỉ tiêu mặc định (kế hoạch toàn quốc, tỉnh/thành phố chưa có chỉ tiêu riêng): {source}",
                        "en": "Default target (the national plan's; the region has none of its own): {source}"},
    "target.none": {"vi": "Chưa có chỉ tiêu có nguồn cho loại bảo hiểm này: hãy nhập chỉ tiêu (%).",
                    "en": "No sourced target for this scheme: type a target (%)."},
}

#: What each scheme's coverage is a share of, as `coverage.csv` writes it: a plan's target in
#: another unit (Cần Thơ's BHTN '100% of those required to join') is not comparable.


def say(key: str, lang: str, **values) -> str:
    text = TEXT[key]["en" if lang == "en" else "vi"]
    return text.format(**values) if values else text


def title(scheme: str, lang: str) -> str:
    return say(f"title.{scheme if scheme in compute.TARGET_UNIT else 'bhyt'}", lang)


def scenario_label(name: str, scheme: str) -> str:
    """A scenario as the picker lists it under the scheme on screen (any scenario runs under any
    scheme: the scheme picker decides which)."""
    return f"{name} ({scheme.upper()})"


def legend_note(s: dict, lang: str) -> str:
    """The key under the fan chart: observed only when the chart has observed points."""
    parts = [say("legend.observed", lang)] if s.get("observed") else []
    parts += [say("legend.planned", lang), say("legend.model", lang)]
    if not s.get("observed"):
        parts.append(say("legend.no_observed", lang))
    merged = boundaries_note(s, lang)
    return " · ".join(parts + ([merged] if merged else []))


def boundaries_note(s: dict, lang: str) -> str:
    """For a 2025 unit run as the sum of its former provinces: which years are reported in which
    boundaries (the run's `boundaries`); empty for any other region."""
    members = compute.former_provinces(s.get("region", ""))
    spans = s.get("boundaries") or []
    if len(members) < 2 or len(spans) != 2:  # one former province: the same territory throughout
        return ""
    span = lambda x: f"{x['from']}–{x['to']}"  # noqa: E731
    names = ", ".join(compute.region_name(m, lang) for m in members)
    return say("legend.merged", lang, before=span(spans[0]), after=span(spans[1]), members=names)


def target_note(region: str, scheme: str, first: int, last: int, lang: str) -> str:
    """Where the default target comes from, for the line under the target box."""
    _, _, source, whose = compute.target_default(region, scheme, first, last)
    return say(f"target.{whose}", lang, source=source) if source else say("target.none", lang)
