"""The page's words and the numbers of each language, from the catalogue (`catalogue`, the .po files).

Vietnamese writes 1.179.440 người and 93,69%: "." groups thousands, "," marks decimals (Babel's
rules for vi_VN; en_GB for English).
"""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from . import catalogue
from .catalogue import DEFAULT, LANGUAGES, LOCALES
from .compute import lever_labels, probability_shown

__all__ = ["DEFAULT", "LANGUAGES", "LOCALES", "TEXT", "t", "region_name", "number", "percent", "probability", "group_name",
           "group_label", "lever_group_name", "lever_group_label", "parameter_name", "mostly_prior_text", "leans_on_text", "fixed_text", "unverified_text", "stand_ins_text", "held_fixed_text"]

TEXT = catalogue.section("page") | lever_labels()  # for tests and tools: the page's entries


def t(key: str, lang: str) -> str:
    """A page label; a lever's (NAME, NAME.column, NAME.description) from the lever registry; a
    group's row. KeyError for anything else: a mistyped key must fail, not read 'Other group'."""
    if catalogue.has("page", key):
        return catalogue.text("page", key, lang)
    if key in lever_labels():
        return catalogue.text("lever", key, lang)
    from . import compute

    def known_group(group: str) -> bool:
        return catalogue.has("group", group) or compute.group_names(group) is not None

    name, dot, group = key.partition(".")
    if dot and name in lever_labels() and (catalogue.has("group", key) or known_group(group)):
        return lever_group_label(key, lang)  # a group lever's row: its group as the lever means it
    if not dot and known_group(key):
        return group_label(key, lang)  # a group's row: the group's one name
    raise KeyError(f"the catalogue has no page entry {key!r} and no lever's group or group is called so")


def region_name(region: str, lang: str) -> str:
    """A region's name from the data (regions.csv), not from this file: adding a region adds its label."""
    from . import compute

    return compute.region_name(region, catalogue.language(lang))


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """1179440 -> '1.179.440' (vi) or '1,179,440' (en); Babel's rules of the language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # The float's exact value, as Python's own formatting (the CLI's) rounds it: Babel would round
    # its shortest repr half-even, so 93.35 (a binary 93.3499…) read 93,4% here and 93.3 there.
    exact = Decimal(value) if isinstance(value, float) else value
    return format_decimal(exact, format=pattern, locale=LOCALES[catalogue.language(lang)])


def percent(share: float | None, lang: str, decimals: int = 1) -> str:
    """0.9369 -> '93,7%' (vi) or '93.7%' (en)."""
    if share is None:
        return "–"
    return number(100.0 * share, lang, decimals) + "%"


def probability(p: float, lang: str) -> str:
    """A target's probability in whole percent, '<1%' where fewer than 1% of the draws reach it
    but some do (never '0%'), by the same rule as the CLI (`planning.probability_shown`)."""
    sign, value = probability_shown(p)
    return sign + percent(value, lang, 0)


def of_labour_force(s: dict, lang: str) -> str:
    """' (% labour force)' after a coverage label where the result's coverage is of the labour force
    (BHXH, BHTN), else '': one wording for the briefing's axes and the workbook's columns."""
    return f" (% {t('of_labour_force', lang)})" if s.get("denominator") == "labour_force" else ""


def on_priors_text(assumptions: dict, lang: str) -> str:
    """'' for a calibrated run, else what runs on the priors: all the parameters, or (a 2025 unit
    whose seat is calibrated) only the offsets of the former provinces named."""
    if assumptions.get("calibrated", True):
        return ""
    names = partly_on_priors(assumptions, lang)
    return catalogue.text("page", "on_priors_part", lang, provinces=names) if names else t("on_priors", lang)


def partly_on_priors(assumptions: dict, lang: str) -> str:
    """'' unless only part of the run is on its priors (a 2025 unit whose seat is calibrated): then
    the former provinces whose offsets are, named in the language."""
    names = assumptions.get("on_priors") or []
    if assumptions.get("calibrated", True) or assumptions.get("all_on_priors", True) or not names:
        return ""
    return ", ".join(region_name(r, lang) for r in names)


def unit_figures_text(assumptions: dict, lang: str) -> str:
    """'' or a 2025 unit's own figures its draws were weighed on (`covsim region observe`), each with
    its year and source: '2025: 93,50% (Báo cáo …)'."""
    return "; ".join(f"{f['year']}: {percent(f['value'], lang, 2)} ({f['source']})"
                     for f in assumptions.get("unit_figures") or [])


def parameter_name(name: str, lang: str) -> str:
    """A fitted parameter in words (the catalogue's `parameter` section), else its name;
    `region_offset.<province>` (a 2025 unit's former province) with the province's name."""
    base, _, region = name.partition(".")
    words = catalogue.text("parameter", base, lang) if catalogue.has("parameter", base) else base
    return f"{words} ({region_name(region, lang)})" if region else words


def mostly_prior_text(mostly: dict | None, lang: str) -> str:
    """'' or one sentence: the fitted parameters still mostly their assumed priors, each with its
    posterior contraction as the share of the prior's variance the figures removed (`compute.mostly_prior`)."""
    if not mostly or not mostly.get("parameters"):
        return ""
    items = "; ".join(f"{parameter_name(n, lang)} {percent(max(c, 0.0), lang, 0)}" for n, c in mostly["parameters"].items())
    return t("mostly_prior", lang).format(cut=percent(mostly["cut"], lang, 0)) + ": " + items


def _fixed_value(value, lang: str) -> str:
    """A held number in the language: a decimal as the language writes it, a year as a year, a list
    or a table of groups with ';' between (the decimal comma would blur ',')."""
    if isinstance(value, dict):
        return "; ".join(f"{group_name(g, lang)} {_fixed_value(v, lang)}" for g, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_fixed_value(v, lang) for v in value)
    if isinstance(value, float):
        digits = len(f"{value:g}".partition(".")[2])
        return number(value, lang, digits)
    return str(value)


def fixed_text(scheme: str, lang: str, region: str | None = None, end: int | None = None,
               as_of: dict | None = None) -> str:
    """One sentence: what the model holds fixed for the scheme, assumed and not fitted, each number
    worded by the catalogue (section `fixed`) from the values the model declares; with the run's
    region and last year, what those add (`compute.fixed_items`); `as_of` (a briefing's), what a
    fit as of a year holds besides, the group shares it cannot know among them."""
    from . import compute

    day = date.fromisoformat(as_of["known_on"]) if as_of else None
    items = [catalogue.text("fixed", key, lang, **{k: _fixed_value(v, lang) for k, v in values.items()})
             for key, values in compute.fixed_items(scheme, region, end, known_on=day)]
    if as_of and as_of.get("group_shares"):
        items.append(catalogue.text("brief", "as_of_group_shares", lang, **as_of["group_shares"]))
    return t("fixed_heading", lang) + ": " + "; ".join(items)


def unverified_text(rows: list[dict] | None, lang: str) -> str:
    """'' or one sentence: how many rows of the data no source here confirms the run read, by table
    (`provenance.unverified_data`, simulator/schemes/unverified.py)."""
    if not rows:
        return ""
    counts: dict[str, int] = {}
    for r in rows:
        table = r["table"].removesuffix(".csv")
        counts[table] = counts.get(table, 0) + 1
    items = ", ".join(f"{catalogue.text('data_table', k, lang)} ({number(n, lang)})" for k, n in counts.items())
    return catalogue.text("page", "unverified_data", lang, n=number(len(rows), lang), items=items)


def stand_ins_text(rows: list[dict] | None, lang: str) -> str:
    """'' or one sentence: the figures of years after an as-of run's day it read, none of their
    series being known then (`provenance.stand_ins`), by table with their years."""
    if not rows:
        return ""
    years: dict[str, list[str]] = {}
    for r in rows:
        found = years.setdefault(r["table"].removesuffix(".csv"), [])
        if r["from"][:4] not in found:
            found.append(r["from"][:4])
    items = "; ".join(f"{catalogue.text('data_table', k, lang)} {', '.join(sorted(v))}" for k, v in years.items())
    return catalogue.text("page", "stand_ins", lang, items=items)


def leans_on_text(rows: list[dict] | None, lang: str) -> str:
    """'' or one sentence: the target's probability with each mostly-prior parameter in the lower
    and the upper half of its draws (`calibration.learned.leans_on`)."""
    if not rows:
        return ""
    items = "; ".join(f"{parameter_name(r['parameter'], lang)} {probability(r['probability_low_half'], lang)} / "
                      f"{probability(r['probability_high_half'], lang)}" for r in rows)
    return t("leans_on", lang) + ": " + items


def held_fixed_text(rows: list[dict] | None, lang: str) -> str:
    """'' or one sentence: the target's probability with each number held fixed at its lower and
    higher alternative, the fit redone under each (`calibration.held_fixed`, `brief --held-fixed`);
    a refit that did not converge is marked, never dropped."""
    if not rows:
        return ""

    def one(alt: dict) -> str:
        text = f"{_alternative_label(alt['label'], lang)}: {probability(alt['probability'], lang)}"
        return text + ("" if alt["converged"] else f" ({t('held_unconverged', lang)})")

    items = "; ".join(f"{catalogue.text('held_name', r['key'], lang)} {one(r['low'])} / {one(r['high'])}"
                      for r in rows)
    heading = "held_fixed" if rows[0]["low"].get("refitted", True) else "held_fixed.prior"
    return t(heading, lang) + ": " + items


def _alternative_label(label: str, lang: str) -> str:
    """An alternative's label (`schemes/fixed.py`) in the language: 'x0.75' -> '×0,75' (vi),
    '0.25' -> '0,25', '5 years' -> '5 năm'."""
    factor = label[1:] if label.startswith("x") else None
    try:
        value = float(factor if factor is not None else label)
    except ValueError:
        count, _, unit = label.partition(" ")
        if not unit.startswith("year"):
            return label
        return catalogue.text("page", "held_year" if count == "1" else "held_years", lang).format(years=count)
    digits = len(f"{value:g}".partition(".")[2])
    return ("×" if factor is not None else "") + number(value, lang, digits)


def group_name(group: str, lang: str) -> str:
    """Who a group is, as the law and the plans name them (section `group`), else the group
    registry's name; never the internal id (a plan's label without an entry reads 'other group')."""
    if catalogue.has("group", group):
        return catalogue.text("group", group, lang)
    from . import compute

    names = compute.group_names(group)
    return names[catalogue.language(lang)] if names else catalogue.text("page", "other_group", lang)


def group_label(group: str, lang: str) -> str:
    """A group's name as a label (a table row, a chart axis): first letter capital."""
    text = group_name(group, lang)
    return text[:1].upper() + text[1:]


def lever_group_name(path: str, lang: str) -> str:
    """The group of a lever's path as that lever means it: its own entry (section `group`, key the
    path) where the group's one name would mislead (voluntary BHXH's `other`, the members neither
    poor nor near-poor, is not BHTN's `other`), else the group's name."""
    name, _, group = path.partition(".")
    return catalogue.text("group", path, lang) if catalogue.has("group", path) else group_name(group, lang)


def lever_group_label(path: str, lang: str) -> str:
    """`lever_group_name` as a label (a table row): first letter capital."""
    text = lever_group_name(path, lang)
    return text[:1].upper() + text[1:]


def scenario_name(name: str, lang: str) -> str:
    """A scenario as the planner knows it: the plan's title (section `scenario`); a baseline is
    'the policy in force' of its region; a scenario the catalogue does not know (a user's own
    file) by the name its file gives."""
    if catalogue.has("scenario", name):
        return catalogue.text("scenario", name, lang)
    sc = _scenario(name)
    if sc is not None and not sc.baseline:
        return catalogue.text("scenario", "baseline", lang, region=region_name(sc.region, lang))
    return name


def scenario_description(name: str, lang: str, scheme: str | None = None) -> str:
    """What the scenario does and on which legal basis, as a ministry official would write it (a
    baseline under the laws of the scheme on view, `scheme`, else of its own)."""
    if catalogue.has("scenario", f"{name}.description"):
        return catalogue.text("scenario", f"{name}.description", lang)
    sc = _scenario(name)
    if sc is not None and not sc.baseline:
        key = "baseline.description" if (scheme or sc.scheme) == "bhyt" else "baseline.description.labour"
        return catalogue.text("scenario", key, lang, region=region_name(sc.region, lang))
    return "" if sc is None else sc.description


def _scenario(name: str):
    from . import compute

    try:
        return compute.scenario(name)
    except Exception:  # noqa: BLE001 - not a shipped scenario: the caller says what it can
        return None


def dropdown_labels(lang: str) -> dict[str, str]:
    """The words of dash's Dropdown (its search box, 'no options'), in the language."""
    return {k: v[catalogue.language(lang)] for k, v in catalogue.section("dropdown").items()}


def plotly_locale(lang: str) -> dict:
    """plotly.js's locale for the chart toolbar and number/date formats (plotly.js ships no
    Vietnamese one): its tooltips from the catalogue's section `plotly`, separators from Babel."""
    from babel import Locale

    loc = Locale.parse(LOCALES[catalogue.language(lang)])
    symbols = loc.number_symbols.get("latn", loc.number_symbols)
    days = loc.days["format"]
    months = loc.months["format"]
    return {"moduleType": "locale", "name": catalogue.language(lang),
            "dictionary": {k: v[catalogue.language(lang)] for k, v in catalogue.section("plotly").items()},
            "format": {"days": [days["wide"][i] for i in (6, 0, 1, 2, 3, 4, 5)],
                       "shortDays": [days["abbreviated"][i] for i in (6, 0, 1, 2, 3, 4, 5)],
                       "months": [months["wide"][i] for i in range(1, 13)],
                       "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
                       "periods": ["SA", "CH"] if lang == "vi" else ["AM", "PM"],
                       "decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
                       "currency": ["", " ₫"] if lang == "vi" else ["", " VND"],
                       "date": "%d/%m/%Y", "time": "%H:%M:%S", "dateTime": "%H:%M:%S %d/%m/%Y",
                       "year": "%Y", "month": "%m/%Y", "dayMonth": "%d/%m", "dayMonthYear": "%d/%m/%Y"}}


def plotly_locale_script() -> str:
    """The script that registers both languages with plotly.js, before or after it loads (plotly
    takes window.PlotlyLocales when it starts)."""
    import json

    body = json.dumps([plotly_locale(lang) for lang in LANGUAGES], ensure_ascii=False)
    return ("(function(){var locales=" + body + ";locales.forEach(function(l){"
            "if(window.Plotly&&window.Plotly.register){window.Plotly.register(l);}"
            "else{window.PlotlyLocales=window.PlotlyLocales||[];window.PlotlyLocales.push(l);}});})();")


def graph_config(lang: str) -> dict:
    """A chart's config: the toolbar in the language, no plotly logo."""
    return {"displaylogo": False, "locale": catalogue.language(lang)}


def internal_ids() -> set[str]:
    """The ids no reader may see: the registries' (compute.internal_ids) and the plans' own group
    labels (law1…law5, plan6_…, near_poor+farm_household: the catalogue's section `group`)."""
    from . import compute

    return compute.internal_ids() | set(catalogue.section("group"))


def district_name(name: str, lang: str) -> str:
    """A district as the data name it ('Huyện Tam Đường'), in the language ('Tam Đường district'):
    the kind of unit from the catalogue's section `unit`, the proper name as written."""
    kind, _, rest = next(((k, " ", name[len(k) + 1:]) for k in catalogue.section("unit") if name.startswith(k + " ")),
                         ("", "", name))
    return catalogue.text("unit", kind, lang, name=rest) if kind else name
