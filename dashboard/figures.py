"""Plotly figures. Observed = filled circles, planned = open diamonds and dashes, model = line
and bands: the three kinds of figure never look alike."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .i18n import TEXT, number, percent, t


def fan(res: dict, target: float, year: int, lang: str) -> go.Figure:
    ds, sc = res["ds"], res["scenario"]
    cov = ds.coverage_total.sel(region=sc.region)
    q = cov.quantile([0.025, 0.1, 0.5, 0.9, 0.975], dim="draw")
    years = cov.year.values
    fig = go.Figure()
    for lo, hi, key, alpha in ((0.025, 0.975, "band95", 0.15), (0.1, 0.9, "band80", 0.3)):
        fig.add_trace(go.Scatter(x=list(years) + list(years[::-1]),
                                 y=list(100 * q.sel(quantile=hi).values) + list(100 * q.sel(quantile=lo).values[::-1]),
                                 fill="toself", fillcolor=f"rgba(31,119,180,{alpha})", line={"width": 0},
                                 name=t(key, lang), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=years, y=100 * q.sel(quantile=0.5).values, mode="lines", line={"color": "#1f77b4"},
                             name=t("median", lang)))
    obs = res["observed"]
    if len(obs):
        fig.add_trace(go.Scatter(x=obs.year, y=100 * obs.value, mode="markers", name=t("observed", lang),
                                 marker={"symbol": "circle", "size": 9, "color": "black"}))
    planned = res["targets"]
    planned = planned[planned.group == "all"]
    if len(planned):
        fig.add_trace(go.Scatter(x=planned.year, y=100 * planned.value, mode="markers", name=t("planned", lang),
                                 marker={"symbol": "diamond-open", "size": 11, "color": "#d62728"}))
    fig.add_hline(y=100 * target, line={"dash": "dash", "color": "#d62728"})
    fig.add_trace(go.Scatter(x=[years[0], years[-1]], y=[100 * target] * 2, mode="lines",
                             line={"dash": "dash", "color": "#d62728"}, name=t("target_line", lang)))
    fig.update_layout(yaxis_title=t("coverage", lang) + " (%)", xaxis_title=t("year", lang),
                      separators=",." if lang == "vi" else ".,", margin={"t": 20}, legend={"orientation": "h"})
    return fig


def groups(res: dict, lang: str) -> go.Figure:
    rows = pd.DataFrame(res["report"]["groups"])
    fig = go.Figure()
    if rows.empty:
        fig.add_annotation(text=t("not_for_scheme", lang), showarrow=False)
        return fig
    fig.add_trace(go.Bar(x=rows.group, y=100 * rows.coverage, name=t("median_coverage", lang)))
    has = rows.target.notna()
    fig.add_trace(go.Scatter(x=rows.group[has], y=100 * rows.target[has].astype(float), mode="markers",
                             marker={"symbol": "diamond-open", "size": 12, "color": "#d62728"},
                             name=t("group_target", lang)))
    fig.update_layout(yaxis_title="%", separators=",." if lang == "vi" else ".,", margin={"t": 20})
    return fig


def budget(res: dict, lang: str) -> go.Figure:
    fig = go.Figure()
    table = res.get("budget")
    if table is None:
        fig.add_annotation(text=t("not_for_scheme", lang), showarrow=False)
        return fig
    for key in ("state_cost_national", "state_cost_local"):
        fig.add_trace(go.Bar(x=table.year, y=table[key] / 1e9, name=t(key, lang)))
    fig.add_trace(go.Scatter(x=table.year, y=table.premium_revenue / 1e9, mode="lines", name=t("premium_revenue", lang)))
    fig.update_layout(barmode="stack", yaxis_title=t("billion_vnd", lang), separators=",." if lang == "vi" else ".,",
                      margin={"t": 20})
    return fig


def headline(res: dict, lang: str) -> str:
    r = res["report"]
    return (f"{percent(r['probability'], lang, 0)} — {t('median_coverage', lang)} {r['year']}: "
            f"{percent(r['median_coverage'], lang)} ({percent(r['lo80'], lang)}–{percent(r['hi80'], lang)}), "
            f"{number(r['draws'], lang)} {t('draws', lang)}")


# Figures of the full dashboard, drawn from a run's JSON summary (compute.summary) -------------
#: One look per kind of figure, everywhere: observed, planned, assumed (model).
OBSERVED = {"mode": "markers", "marker": {"symbol": "circle", "size": 9, "color": "black"}}
PLANNED = {"marker": {"symbol": "diamond-open", "size": 12, "color": "#d62728", "line": {"width": 2}},
           "line": {"dash": "dash", "color": "#d62728"}}
MODEL = "#1f77b4"


def _layout(fig: go.Figure, lang: str, **kw) -> go.Figure:
    kw.setdefault("legend", {"orientation": "h", "y": -0.18})
    fig.update_layout(separators=",." if lang == "vi" else ".,", margin={"t": 30, "l": 60, "r": 20, "b": 40},
                      template="plotly_white", **kw)
    return fig


def _note(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def group_label(group: str, lang: str) -> str:
    """A model group's name in the language; a plan's own label ('law3', 'plan6_…') as written."""
    from covsim.simulator.groups import BY_ID

    if group in BY_ID:
        return BY_ID[group].label_vi if lang == "vi" else BY_ID[group].label_en
    return group


def fan_chart(s: dict, lang: str) -> go.Figure:
    """Median, 80% and 95% bands over draws; observed points; planned targets; the target line."""
    years, fan = s["years"], s["fan"]
    pct = lambda xs: [None if v is None else 100 * v for v in xs]  # noqa: E731
    model = t("assumed", lang)
    fig = go.Figure()
    for lo, hi, key, alpha in (("q025", "q975", "band95", 0.15), ("q100", "q900", "band80", 0.3)):
        fig.add_trace(go.Scatter(x=years + years[::-1], y=pct(fan[hi]) + pct(fan[lo])[::-1], fill="toself",
                                 fillcolor=f"rgba(31,119,180,{alpha})", line={"width": 0}, hoverinfo="skip",
                                 name=f"{t(key, lang)}"))
    fig.add_trace(go.Scatter(x=years, y=pct(fan["q500"]), mode="lines", line={"color": MODEL, "width": 2.5},
                             name=f"{t('median', lang)} ({model})"))
    obs = s["observed"]
    if obs:
        fig.add_trace(go.Scatter(x=[r["year"] for r in obs], y=[100 * r["value"] for r in obs],
                                 name=t("observed", lang), text=[r["source"] for r in obs], **OBSERVED))
    plans = [r for r in s["targets"] if r["group"] == "all"]
    if plans:
        fig.add_trace(go.Scatter(x=[r["year"] for r in plans], y=[100 * r["value"] for r in plans], mode="markers",
                                 marker=PLANNED["marker"], name=t("planned", lang), text=[r["source"] for r in plans]))
    rep = s["report"]
    fig.add_trace(go.Scatter(x=[years[0], years[-1]], y=[100 * rep["target"]] * 2, mode="lines",
                             line={"dash": "dash", "color": "#d62728", "width": 1.5},
                             name=f"{t('target_line', lang)}: {percent(rep['target'], lang, 2)} ({rep['year']})"))
    fig.add_trace(go.Scatter(x=[rep["year"]], y=[100 * rep["target"]], mode="markers+text",
                             marker={"symbol": "star-open", "size": 16, "color": "#d62728"},
                             text=[percent(rep["probability"], lang, 0)], textposition="top center",
                             showlegend=False, hoverinfo="skip"))
    unit = t("of_labour_force", lang) if s.get("denominator") == "labour_force" else t("of_population", lang)
    return _layout(fig, lang, yaxis_title=f"{t('coverage', lang)} (% {unit})", xaxis_title=t("year", lang),
                   height=430)


def groups_chart(s: dict, lang: str) -> go.Figure:
    """Each group's median coverage in the target year (model) against its planned target."""
    rows = s["report"].get("groups") or []
    fig = go.Figure()
    if s["scheme"] != "bhyt" or not rows:
        return _layout(_note(fig, t("not_for_scheme", lang)), lang, height=300)
    names = [group_label(r["group"], lang)[:48] for r in rows]
    fig.add_trace(go.Bar(y=names, x=[100 * r["coverage"] for r in rows], orientation="h", marker_color=MODEL,
                         name=f"{t('median_coverage', lang)} {s['report']['year']} ({t('assumed', lang)})"))
    has = [(r, n) for r, n in zip(rows, names) if r.get("target") is not None]
    if has:
        fig.add_trace(go.Scatter(y=[n for _, n in has], x=[100 * r["target"] for r, _ in has], mode="markers",
                                 marker=PLANNED["marker"], name=t("group_target", lang)))
    return _layout(fig, lang, xaxis_title="%", xaxis_range=[0, 102], height=120 + 32 * len(rows),
                   yaxis_autorange="reversed")


def districts_chart(s: dict, lang: str) -> go.Figure | None:
    d = s.get("districts") or {}
    if not d.get("available"):
        return None
    plan = pd.DataFrame(d["planned"])
    year = s["report"]["year"]
    fig = go.Figure()
    import plotly.express as px

    palette = px.colors.qualitative.Dark24
    colour = {}
    for i, (name, part) in enumerate(plan.groupby("district", sort=False)):
        colour[name] = palette[i % len(palette)]
        fig.add_trace(go.Scatter(x=part.year, y=part.rate_stated, mode="lines+markers", name=name,
                                 legendgroup=name, marker={"symbol": "diamond-open", "size": 9, "color": colour[name]},
                                 line={"dash": "dash", "color": colour[name]}))
    if d.get("allocation"):
        alloc = pd.DataFrame(d["allocation"])
        for name, part in alloc.groupby("unit", sort=False):
            fig.add_trace(go.Scatter(x=part.year, y=100 * part.rate, mode="lines", name=f"{name}",
                                     legendgroup=name, showlegend=False, opacity=0.8,
                                     line={"width": 2, "color": colour.get(name, "#555")}))
    fig.add_annotation(text=f"◇ - - {t('planned_district', lang)} · ── {t('model_allocation', lang)} "
                            f"({percent(s['report']['target'], lang, 2)} {year})",
                       showarrow=False, xref="paper", yref="paper", x=0, y=1.08, xanchor="left")
    return _layout(fig, lang, yaxis_title="%", xaxis_title=t("year", lang), height=420,
                   legend={"orientation": "v"}, xaxis_dtick=1, xaxis_tickformat="d")


def budget_chart(s: dict, lang: str) -> go.Figure:
    fig = go.Figure()
    rows = s.get("budget")
    if not rows:
        return _layout(_note(fig, t("not_for_scheme", lang)), lang, height=300)
    years = [r["year"] for r in rows]
    for key, color in (("state_cost_national", "#2ca02c"), ("state_cost_local", "#98df8a")):
        fig.add_trace(go.Bar(x=years, y=[r[key] / 1e9 for r in rows], marker_color=color,
                             name=f"{t(key, lang)} ({t('assumed', lang)})"))
    fig.add_trace(go.Scatter(x=years, y=[r["premium_revenue"] / 1e9 for r in rows], mode="lines",
                             line={"color": "#ff7f0e"}, name=f"{t('premium_revenue', lang)} ({t('assumed', lang)})"))
    return _layout(fig, lang, barmode="stack", yaxis_title=t("billion_vnd", lang), xaxis_title=t("year", lang),
                   height=360, yaxis_tickformat=",.0f")


def comparison_chart(s: dict, lang: str) -> go.Figure:
    c = s["compare"]
    years = c["years"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years, y=[100 * v for v in c["median_a"]], mode="lines", line={"color": MODEL},
                             name=f"{t('current', lang)}: {s['scenario']} ({t('median', lang)})"))
    fig.add_trace(go.Scatter(x=years, y=[100 * v for v in c["median_b"]], mode="lines",
                             line={"color": "#9467bd", "dash": "dot"}, name=f"{c['name']} ({t('median', lang)})"))
    fig.add_trace(go.Scatter(x=years + years[::-1], y=[100 * v for v in c["diff"]["hi"]]
                             + [100 * v for v in c["diff"]["lo"]][::-1], fill="toself", yaxis="y2",
                             fillcolor="rgba(127,127,127,0.25)", line={"width": 0}, hoverinfo="skip",
                             name=f"{t('difference', lang)}, 80%"))
    fig.add_trace(go.Scatter(x=years, y=[100 * v for v in c["diff"]["median"]], mode="lines", yaxis="y2",
                             line={"color": "#7f7f7f"}, name=t("difference", lang)))
    return _layout(fig, lang, yaxis_title=f"{t('coverage', lang)} (%)", height=380,
                   yaxis2={"overlaying": "y", "side": "right", "title": t("difference", lang), "showgrid": False})
