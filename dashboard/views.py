"""What makes a view read at a glance: a title and scenario labels for the scheme on screen, a
legend note that lists only the kinds of figure the chart draws, and a default target that comes
from the data with its source (or none), never an invented one.

Its texts are the catalogue's section `view` (dashboard/locale/*.po).
"""
from __future__ import annotations

import re

from . import catalogue, compute
from .brief_text import day_text, split_later
from .i18n import percent


#: What each scheme's coverage is a share of, as `coverage.csv` writes it: a plan's target in
#: another unit (Cần Thơ's BHTN '100% of those required to join') is not comparable.


def say(key: str, lang: str, **values) -> str:
    return catalogue.text("view", key, lang, **values)


def title(scheme: str, lang: str) -> str:
    return say(f"title.{scheme if scheme in compute.TARGET_UNIT else 'bhyt'}", lang)


def budget_heading(scheme: str, lang: str) -> str:
    """The budget card's heading for the scheme on screen: health's premiums and fund revenue, the
    state's support of voluntary BHXH contributions, or neither (BHTN's support is not modelled)."""
    from .i18n import t

    entry = compute.ENTRIES.get(scheme)
    key = "budget" if entry is None or entry.budget else "budget.support" if entry.support_cost else "budget.none"
    return t(key, lang)


def scenario_label(name: str, scheme: str, lang: str = "vi") -> str:
    """A scenario as the picker lists it under the scheme on screen (any scenario runs under any
    scheme: the scheme picker decides which): the plan's title, never its file name."""
    from .i18n import scenario_name, t

    title = scenario_name(name, lang)
    if re.search(rf"\b{scheme.upper()}\)", title):  # a title that names its scheme already: not said twice
        return title
    return f"{title} — {t(scheme, lang)}"  # a dash: titles and schemes have brackets of their own


def print_head(s: dict, lang: str):
    """The printout's first lines (print.css shows them on paper only): the province, the scenario
    under its scheme and the lever changes being tested, from their start year, which on screen
    only the controls show and the printout leaves out."""
    from dash import html

    from .brief_content import lever_change
    from .i18n import region_name, t

    changed = sorted((s.get("changed") or {}).items())
    items = "; ".join(lever_change(s, p, v, s["start"], lang) for p, v in changed)
    label, region = scenario_label(s["scenario"], s["scheme"], lang), region_name(s["region"], lang)
    return [html.H3(label if region in label else f"{region} — {label}",  # a baseline's name gives its region
                    style={"margin": "0 0 2px"}),
            html.P(catalogue.text("page", "print_changes", lang, items=items) if changed
                   else t("print_no_changes", lang),
                   style={"margin": "0 0 6px"})]


def legend_note(s: dict, lang: str) -> str:
    """The key under the fan chart: observed figures and planned targets only when the chart has them."""
    known, later = split_later(s)
    parts = [say("legend.observed", lang)] if known else []
    if later:  # as of a year: what followed, apart
        parts.append(say("legend.later", lang))
    if any(r["group"] == "all" for r in s.get("targets") or []):  # the diamonds are drawn only then
        parts.append(say("legend.planned", lang))
    parts += [say("legend.target", lang), say("legend.model", lang)]
    if not s.get("observed"):
        parts.append(say("legend.no_observed", lang))
    merged = boundaries_note(s, lang)
    return " · ".join(parts + ([merged] if merged else []))


def as_of_note(s: dict, lang: str) -> str:
    """'' or the sentences over an answer as of a year: the briefing's first, in the page's words."""
    from .brief_content import as_of_sentences

    return " ".join(as_of_sentences(s, lang, "view"))


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


def target_note(region: str, scheme: str, first: int, last: int, lang: str, known=None) -> str:
    """Where the default target comes from, for the line under the target box; as of a day
    (`known`), also whether it was set after that day: the question asked, which the forecast then
    did not know (the as-of note above the answer says it knew only the targets decided by then)."""
    _, _, source, whose = compute.target_default(region, scheme, first, last)
    from .sources import source_label

    others = compute.other_unit_targets(region, scheme)  # a plan's target the page does not measure
    # the nation's target stands in where the region's own is in another unit: said so, not "none"
    key = "target.national_other_unit" if whose == "national" and others else f"target.{whose}"
    notes = [say(key, lang, source=source_label(source, lang)) if source else say("target.none", lang)]
    notes += [say("target.of_required", lang, value=percent(t["value"], lang, 0), year=t["year"],
                  source=source_label(t["source"], lang)) for t in others]
    day = known.isoformat() if known is not None else None
    if day and source and not compute.documents_known_on(source, day):
        notes.append(say("target.later", lang, day=day_text(day, lang)))
    return " ".join(n if n.endswith(".") else n + "." for n in notes)
