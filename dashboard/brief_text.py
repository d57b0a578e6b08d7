"""The briefing's words (the catalogue's sections brief, plan, group, scheme) and its numbers and
time formatted with Babel, shared by the Word, PDF and HTML renderers and the Excel export.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from . import catalogue
from .i18n import LOCALES, group_label, group_name, number, percent

__all__ = ["TIMEZONE", "b", "billion", "figures_by_year", "figure_cell", "group_label", "group_name",
           "local_time", "monte_carlo_text", "number", "per_insured_text", "percent", "plan_name", "published_label", "region_name", "scheme_name", "split_later", "target_text"]

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def figures_by_year(rows, group: str = "all") -> dict[int, list[float]]:
    """Each year's figures (observed, or a plan's targets) of `group`, distinct, in the data's order:
    a year two sources give (2013: 69% and 68%) shows both in every output, never one picked."""
    out: dict[int, list[float]] = {}
    for r in rows:
        if r.get("group", "all") == group and r["value"] not in out.setdefault(int(r["year"]), []):
            out[int(r["year"])].append(r["value"])
    return out


def split_later(s: dict) -> tuple[list[dict], list[dict]]:
    """The observed figures known to the fit and those observed after the year it is as of (every
    output that draws, tabulates or cites them keeps the two apart)."""
    rows = s.get("observed") or []
    return [r for r in rows if not r.get("later")], [r for r in rows if r.get("later")]


def figure_cell(values: list[float] | None, lang: str | None = None):
    """One table cell of a year's figures: the share itself where there is one (a number the sheet
    formats), else all of them as text, '69,0% / 68,0%' (or '0.69/0.68' in a CSV, lang None)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return "/".join(f"{v:g}" for v in values) if lang is None else " / ".join(percent(v, lang) for v in values)


def region_name(region: str, lang: str) -> str:
    """The region as a sentence names it ("chính sách hiện hành của cả nước", not "của Toàn quốc")."""
    from . import i18n

    if catalogue.has("region_in_text", region):
        return catalogue.text("region_in_text", region, lang)
    return i18n.region_name(region, lang)


def target_text(share: float, lang: str) -> str:
    """A target as the plan writes it: 90%, 96,8%, 93,69% (no trailing zeros)."""
    for decimals in (0, 1, 2):
        if abs(100 * share - round(100 * share, decimals)) < 1e-9:
            return percent(share, lang, decimals)
    return percent(share, lang, 2)


def b(key: str, lang: str, **values) -> str:
    """A briefing string in the language, its {fields} filled."""
    return catalogue.text("brief", key, lang, **values)


def monte_carlo_text(rep: dict, lang: str, key: str = "probability") -> str:
    """How far another seed could move a probability (`key`: coverage's, or `probability_published`,
    the published figure's): its Monte Carlo error (`key`_se), or that every draw (none) reaches the
    target, as the CLI's `target` says it."""
    p, draws = rep[key], number(rep["draws"], lang)
    if p <= 0.0 or p >= 1.0:
        return b("mc_none" if p <= 0.0 else "mc_all", lang, draws=draws)
    return b("mc_error", lang, se=number(100 * rep[f"{key}_se"], lang, 1), draws=draws)


def published_label(rep: dict, lang: str) -> str:
    """The key number of the published figure's chance (`probability_published`), as the briefing
    and the workbook label it; "" where the report has none (a labour scheme's)."""
    if "probability_published" not in rep:
        return ""
    return b("k_probability_published", lang, target=target_text(rep["target"], lang), year=int(rep["year"]),
             sd=number(100 * rep["reporting_error_sd"], lang, 1))


def has(key: str) -> bool:
    return catalogue.has("brief", key)


def plan_name(scenario: str, lang: str, scheme: str = "bhyt") -> str:
    """The plan a scenario models, as its document is titled; a baseline is the policy in force,
    under the scheme's laws (the Health Insurance Law, or the social insurance and employment laws)."""
    if catalogue.has("plan", scenario):
        return catalogue.text("plan", scenario, lang)
    return catalogue.text("plan", "current_policy" if scheme == "bhyt" else "current_policy.labour", lang)


def scheme_name(scheme: str, lang: str) -> str:
    return catalogue.text("scheme", scheme, lang)


def billion(vnd: float | None, lang: str, decimals: int = 1) -> str:
    return "–" if vnd is None else number(vnd / 1e9, lang, decimals)


def per_insured_text(row: dict, lang: str) -> str:
    """'12.000.000 đồng/người (khoảng dự báo 80%: 8.150.000–17.600.000)': a year's extra cost per person
    insured, to three figures, with its band over the draws (an unbounded side said so); '–' where
    the change insures no one more."""
    from .compute import shown_per_insured  # the dashboard reaches the model through compute

    per = shown_per_insured(row.get("cost_per_additional_insured"))
    if per is None or per != per:
        return "–"
    mean = f"{number(per, lang)} {b('vnd_per_person', lang)}"
    if "cost_per_additional_insured_lo80" not in row:  # a summary kept from before the band: the mean alone
        return mean

    def side(key: str, none: str) -> str:
        v = row.get(key)
        return b(none, lang) if v is None or v != v else number(shown_per_insured(v), lang)
    return b("per_insured_range", lang, mean=mean, lo=side("cost_per_additional_insured_lo80", "no_lower_bound"),
             hi=side("cost_per_additional_insured_hi80", "no_upper_bound"))


def local_time(now: datetime, lang: str) -> str:
    """The time in Asia/Ho_Chi_Minh: '14:05 ngày 30/11/2026' (vi), '14:05, 30 Nov 2026' (en)."""
    pattern = "HH:mm 'ngày' dd/MM/yyyy" if lang == "vi" else "HH:mm, d MMM yyyy"
    return format_datetime(now, pattern, tzinfo=TIMEZONE, locale=LOCALES[catalogue.language(lang)])


def said(s: dict, key: str, lang: str, **fields) -> str:
    """`b(key)`, or in a briefing as of a day its `.as_of` wording where the catalogue has one: the
    policy "in force" is then the policy decided by that day, not today's."""
    as_of = s.get("as_of")
    if as_of and has(f"{key}.as_of"):
        return b(f"{key}.as_of", lang, day=day_text(as_of["known_on"], lang), **fields)
    return b(key, lang, **fields)


def no_change_text(s: dict, lang: str) -> str:
    """'No policy was changed: …', as the paragraph and the annex's table of changes say it."""
    return said(s, "changed_none", lang)


def day_text(day: str, lang: str) -> str:
    """An ISO day as the language writes it (10/04/2018 in Vietnamese)."""
    return day if lang == "en" else "/".join(reversed(day.split("-")))
