"""Plotly figures as plain dicts (what Dash sends anyway: building them costs microseconds, not the
tenth of a second that validating graph objects and their template took). Observed = filled
circles, planned = open diamonds and dashes, model = line and bands: the three kinds of figure
never look alike."""
from __future__ import annotations

import textwrap

import pandas as pd
from plotly.colors import qualitative

from . import compute
from .brief_text import split_later
from .i18n import district_name, percent, probability, scenario_name, t
from .sources import source_label


# Figures of the full dashboard, drawn from a run's JSON summary (compute.summary) -------------
#: One look per kind of figure, everywhere: observed, planned, assumed (model).
OBSERVED = {"mode": "markers", "marker": {"symbol": "circle", "size": 9, "color": "black"}}
#: Observed after the year a forecast is as of: what followed, hollow (as the briefing draws it).
LATER = {"mode": "markers", "marker": {"symbol": "circle-open", "size": 9, "color": "black", "line": {"width": 1.5}}}
PLANNED = {"marker": {"symbol": "diamond-open", "size": 12, "color": "#d62728", "line": {"width": 2}},
           "line": {"dash": "dash", "color": "#d62728"}}
MODEL = "#1f77b4"


#: The parts of plotly's 'plotly_white' template that these 2-D charts use (the whole template is
#: 7 kB of JSON that every lever move would send and plotly.js would merge again).
_AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "zerolinewidth": 2,
         "ticks": "", "automargin": True, "title": {"standoff": 15}}
TEMPLATE = {"layout": {"font": {"color": "#2a3f5f"}, "paper_bgcolor": "white", "plot_bgcolor": "white",
                       "hovermode": "closest", "hoverlabel": {"align": "left"},
                       "colorway": ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692",
                                    "#B6E880", "#FF97FF", "#FECB52"],
                       "xaxis": _AXIS, "yaxis": _AXIS}}


def _axis(title: str | None = None, **kw) -> dict:
    return ({"title": {"text": title}} if title is not None else {}) | kw


def figure(data: list[dict], lang: str, xaxis: dict | None = None, yaxis: dict | None = None, **layout) -> dict:
    """A figure dict in the dashboard's style: Vietnamese or English separators, white template."""
    layout.setdefault("legend", {"orientation": "h", "y": -0.18})
    layout = {"separators": ",." if lang == "vi" else ".,", "margin": {"t": 30, "l": 60, "r": 20, "b": 40},
              "template": TEMPLATE, "xaxis": xaxis or {}, "yaxis": yaxis or {}, **layout}
    return {"data": data, "layout": layout}


def _note(text: str, lang: str, height: int) -> dict:
    """An empty figure that says why it is empty."""
    return figure([], lang, xaxis={"visible": False}, yaxis={"visible": False}, height=height,
                  annotations=[{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5,
                                "y": 0.5, "font": {"size": 16}}])


def group_label(group: str, lang: str) -> str:
    """A group's name in the language (i18n.group_label): never its id ('law3', 'plan6_…')."""
    from .i18n import group_label as label

    return label(group, lang)


def fan_chart(s: dict, lang: str) -> dict:
    """Median, 80% and 95% bands over draws; observed points; planned targets; the target line."""
    years, fan = s["years"], s["fan"]
    pct = lambda xs: [None if v is None else 100 * v for v in xs]  # noqa: E731
    model = t("assumed_short", lang)  # "model median (assumed)": the model is in the name already
    data = []
    for lo, hi, key, alpha in (("q025", "q975", "band95", 0.15), ("q100", "q900", "band80", 0.3)):
        data.append({"type": "scatter", "x": years + years[::-1], "y": pct(fan[hi]) + pct(fan[lo])[::-1],
                     "fill": "toself", "fillcolor": f"rgba(31,119,180,{alpha})", "line": {"width": 0},
                     "hoverinfo": "skip", "name": t(key, lang)})
    data.append({"type": "scatter", "x": years, "y": pct(fan["q500"]), "mode": "lines",
                 "line": {"color": MODEL, "width": 2.5}, "name": f"{t('median', lang)} ({model})"})
    obs, later = split_later(s)  # as of a year: what followed, unknown to the fit
    if obs:
        data.append({"type": "scatter", "x": [r["year"] for r in obs], "y": [100 * r["value"] for r in obs],
                     "name": t("observed", lang), "text": [source_label(r["source"], lang) for r in obs], **OBSERVED})
    if later:
        data.append({"type": "scatter", "x": [r["year"] for r in later], "y": [100 * r["value"] for r in later],
                     "name": t("observed_later", lang), "text": [source_label(r["source"], lang) for r in later],
                     **LATER})
    if s.get("as_of"):  # the origin: a dotted line at the end of the year the fit knows
        edge = s["as_of"]["until"] + 0.5
        data.append({"type": "scatter", "x": [edge, edge], "y": [0, 100], "mode": "lines",
                     "line": {"dash": "dot", "color": "#777", "width": 1},
                     "name": t("as_of_line", lang).format(until=s["as_of"]["until"]), "hoverinfo": "skip"})
    plans = [r for r in s["targets"] if r["group"] == "all"]
    if plans:
        data.append({"type": "scatter", "x": [r["year"] for r in plans], "y": [100 * r["value"] for r in plans],
                     "mode": "markers", "marker": PLANNED["marker"], "name": t("planned", lang),
                     "text": [source_label(r["source"], lang) for r in plans]})
    rep = s["report"]
    data.append({"type": "scatter", "x": [years[0], years[-1]], "y": [100 * rep["target"]] * 2, "mode": "lines",
                 "line": {"dash": "dash", "color": "#d62728", "width": 1.5},
                 "name": f"{t('target_line', lang)}: {percent(rep['target'], lang, 2)} ({rep['year']})"})
    data.append({"type": "scatter", "x": [rep["year"]], "y": [100 * rep["target"]], "mode": "markers+text",
                 "marker": {"symbol": "star-open", "size": 16, "color": "#d62728"},
                 "text": [probability(rep["probability"], lang)], "textposition": "top center",
                 "showlegend": False, "hoverinfo": "skip"})
    unit = t("of_labour_force", lang) if s.get("denominator") == "labour_force" else t("of_population", lang)
    return figure(data, lang, xaxis=_axis(t("year", lang)), yaxis=_axis(f"{t('coverage', lang)} (% {unit})"),
                  height=430)


def groups_chart(s: dict, lang: str) -> dict:
    """Each group's median coverage in the target year (model) against its planned target."""
    rows = s["report"].get("groups") or []
    if s["scheme"] != "bhyt" or not rows:
        return _note(t("not_for_scheme", lang), lang, 300)
    # Whole names, wrapped onto lines of their own: a name cut at a width ('… (người') means nothing.
    names = ["<br>".join(textwrap.wrap(group_label(r["group"], lang), 34)) for r in rows]
    data = [{"type": "bar", "y": names, "x": [100 * r["coverage"] for r in rows], "orientation": "h",
             "marker": {"color": MODEL},
             "name": f"{t('median_coverage', lang)} {s['report']['year']} ({t('assumed', lang)})",
             "showlegend": True}]  # alone (no group targets), plotly hides it: the year and 'model' with it
    has = [(r, n) for r, n in zip(rows, names) if r.get("target") is not None]
    if has:
        data.append({"type": "scatter", "y": [n for _, n in has], "x": [100 * r["target"] for r, _ in has],
                     "mode": "markers", "marker": PLANNED["marker"], "name": t("group_target", lang),
                     "text": [source_label(r.get("source"), lang) for r, _ in has]})
    lines = sum(n.count("<br>") + 1 for n in names)
    return figure(data, lang, xaxis=_axis(f"{t('coverage', lang)} (% {t('of_population', lang)})", range=[0, 102]),
                  yaxis=_axis(autorange="reversed", automargin=True),
                  height=120 + 20 * lines + 12 * len(rows))


def districts_chart(s: dict, lang: str) -> dict | None:
    d = s.get("districts") or {}
    if not d.get("available"):
        return None
    plan = pd.DataFrame(d["planned"])
    year = s["report"]["year"]
    palette = qualitative.Dark24
    colour, data = {}, []
    for i, (unit, part) in enumerate(plan.groupby("district", sort=False)):
        name = district_name(unit, lang)
        colour[unit] = palette[i % len(palette)]
        data.append({"type": "scatter", "x": part.year.tolist(), "y": part.rate_stated.tolist(),
                     "mode": "lines+markers", "name": name, "legendgroup": name,
                     "marker": {"symbol": "diamond-open", "size": 9, "color": colour[unit]},
                     "line": {"dash": "dash", "color": colour[unit]}})
    if d.get("allocation"):
        alloc = pd.DataFrame(d["allocation"])
        for unit, part in alloc.groupby("unit", sort=False):
            name = district_name(unit, lang)
            data.append({"type": "scatter", "x": part.year.tolist(), "y": (100 * part.rate).tolist(), "mode": "lines",
                         "name": name, "legendgroup": name, "showlegend": False, "opacity": 0.8,
                         "line": {"width": 2, "color": colour.get(unit, "#555")}})
    note = {"text": f"◇ - - {t('planned_district', lang)} · ── {t('model_allocation', lang)} "
                    f"({percent(s['report']['target'], lang, 2)} {year})",
            "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": 1.08, "xanchor": "left"}
    return figure(data, lang, xaxis=_axis(t("year", lang), dtick=1, tickformat="d"), yaxis=_axis("%"), height=420,
                  legend={"orientation": "v"}, annotations=[note])


def budget_chart(s: dict, lang: str) -> dict:
    rows = s.get("budget")
    if not rows:
        return _note(t("not_for_scheme", lang), lang, 300)
    years = [r["year"] for r in rows]
    if "state_cost_national" not in rows[0]:  # voluntary BHXH: the state's support is its one flow
        data = [{"type": "bar", "x": years, "y": [r["state_cost"] / 1e9 for r in rows], "marker": {"color": "#2ca02c"},
                 "name": f"{t('support_cost', lang)} ({t('assumed', lang)})"}, *_cost_band(rows, years, lang)]
        return figure(data, lang, xaxis=_axis(t("year", lang)), yaxis=_axis(t("billion_vnd", lang), tickformat=",.0f"),
                      height=360, showlegend=True)
    data = [{"type": "bar", "x": years, "y": [r[key] / 1e9 for r in rows], "marker": {"color": color},
             "name": f"{t(key, lang)} ({t('assumed', lang)})"}
            for key, color in (("state_cost_national", "#2ca02c"), ("state_cost_local", "#98df8a"))]
    data.append({"type": "scatter", "x": years, "y": [r["premium_revenue"] / 1e9 for r in rows], "mode": "lines",
                 "line": {"color": "#ff7f0e"}, "name": f"{t('premium_revenue', lang)} ({t('assumed', lang)})"})
    data += _cost_band(rows, years, lang)
    return figure(data, lang, xaxis=_axis(t("year", lang)), yaxis=_axis(t("billion_vnd", lang), tickformat=",.0f"),
                  barmode="stack", height=360)


def _cost_band(rows: list[dict], years: list[int], lang: str) -> list[dict]:
    """The state's total cost's 80% band over the draws, as error bars on the top of its bars (a
    summary from before the band: none)."""
    if rows[0].get("state_cost_lo80") is None:
        return []
    mean = [r["state_cost"] / 1e9 for r in rows]
    return [{"type": "scatter", "x": years, "y": mean, "mode": "markers", "marker": {"size": 1, "color": "#333"},
             "error_y": {"type": "data", "symmetric": False, "color": "#333", "thickness": 1, "width": 3,
                         "array": [r["state_cost_hi80"] / 1e9 - m for r, m in zip(rows, mean)],
                         "arrayminus": [m - r["state_cost_lo80"] / 1e9 for r, m in zip(rows, mean)]},
             "name": t("state_cost_band", lang)}]


def compared_name(s: dict, lang: str) -> str:
    """The page's scenario as the comparison names it: with the levers entered, if any, said so,
    so that it is never headed as if it were the scenario it is compared with."""
    name = scenario_name(s["scenario"], lang)
    return f"{name} {t('with_page_changes', lang)}" if s.get("changed") else name


def comparison_chart(s: dict, lang: str) -> dict:
    """The two scenarios' median coverage above; their difference (points, with its 80% band) in
    its own panel below on the same years, so no second scale sits over the coverage lines."""
    c = s["compare"]
    years = c["years"]
    data = [
        {"type": "scatter", "x": years, "y": [100 * v for v in c["median_a"]], "mode": "lines", "line": {"color": MODEL},
         "name": f"{t('current', lang)}: {compared_name(s, lang)} ({t('median', lang)})"},
        {"type": "scatter", "x": years, "y": [100 * v for v in c["median_b"]], "mode": "lines",
         "line": {"color": "#9467bd", "dash": "dot"}, "name": f"{scenario_name(c['name'], lang)} ({t('median', lang)})"},
        {"type": "scatter", "x": years + years[::-1],
         "y": [100 * v for v in c["diff"]["hi"]] + [100 * v for v in c["diff"]["lo"]][::-1], "fill": "toself",
         "yaxis": "y2", "fillcolor": "rgba(127,127,127,0.25)", "line": {"width": 0}, "hoverinfo": "skip",
         "name": f"{t('difference', lang)}, 80%"},
        {"type": "scatter", "x": years, "y": [100 * v for v in c["diff"]["median"]], "mode": "lines", "yaxis": "y2",
         "line": {"color": "#7f7f7f"}, "name": t("difference", lang)},
    ]
    return figure(data, lang, xaxis=_axis(t("year", lang), anchor="y2"),
                  yaxis=_axis(f"{t('coverage', lang)} (%)", domain=[0.42, 1]), height=480,
                  yaxis2=_axis(t("difference", lang), domain=[0, 0.3], anchor="x", zeroline=True,
                               zerolinecolor="#999"),
                  legend={"orientation": "h", "y": -0.16})
