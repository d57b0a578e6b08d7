"""Plotly figures. Observed = filled circles, planned = open diamonds and dashes, model = line
and bands: the three kinds of figure never look alike."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .i18n import number, percent, t


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
