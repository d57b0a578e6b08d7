"""The Dash app: pickers and levers on the left, the answer on the right. No model logic here."""
from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from covsim.simulator import data, planning
from covsim.simulator.errors import InputError

from . import compute, figures
from .i18n import DEFAULT, number, percent, t

LABELS = ("title", "region", "scenario", "scheme", "language", "levers", "lever_start", "target", "target_year",
          "reset", "probability", "groups", "budget", "districts") + tuple(f"lbl_{g}" for g in compute.LEVER_GROUPS)


def _label(key: str) -> html.Label:
    return html.Label(t(key.removeprefix("lbl_"), DEFAULT), id=f"label-{key}")


def layout() -> html.Div:
    sliders = []
    for g in compute.LEVER_GROUPS:
        sliders.append(html.Div([_label(f"lbl_{g}"), html.Br(),
                                 dcc.Input(id=f"share-{g}", type="number", min=0, max=100, step=1, value=0,
                                           debounce=True), html.Span(" %")]))
    controls = html.Div(style={"flex": "0 0 300px", "padding": "8px"},
                        children=[
        _label("language"), dcc.RadioItems(id="lang", options=[{"label": "Tiếng Việt", "value": "vi"},
                                                                {"label": "English", "value": "en"}],
                                           value=DEFAULT, inline=True),
        _label("region"), dcc.Dropdown(id="region", options=[{"label": t(r, DEFAULT), "value": r}
                                                             for r in compute.REGIONS],
                                       value="lai_chau", clearable=False),
        _label("scenario"), dcc.Dropdown(id="scenario", clearable=False),
        _label("scheme"), dcc.RadioItems(id="scheme", options=[{"label": t(s, DEFAULT), "value": s}
                                                               for s in ("bhyt", "bhxh", "bhtn")],
                                         value="bhyt", inline=True),
        html.H4(t("levers", DEFAULT), id="label-levers"), *sliders,
        _label("lever_start"), dcc.Input(id="start", type="number", debounce=True),
        _label("target"), dcc.Input(id="target", type="number", value=96.8, debounce=True),
        _label("target_year"), dcc.Input(id="year", type="number", value=2020, debounce=True),
        html.Br(), html.Button(t("reset", DEFAULT), id="label-reset", n_clicks=0),
    ])
    answer = html.Div(style={"flex": "1 1 auto", "padding": "8px", "minWidth": 0}, children=[
        html.Div(id="error", style={"color": "#b00020", "fontWeight": "bold"}),
        html.Div([_label("probability"), html.Div(id="probability", style={"fontSize": "40px", "fontWeight": "bold"})]),
        dcc.Loading(dcc.Graph(id="fan")),
        html.H4(t("groups", DEFAULT), id="label-groups"), dcc.Graph(id="groups"),
        html.H4(t("budget", DEFAULT), id="label-budget"), dcc.Graph(id="budget"), html.Div(id="per-insured"),
        html.H4(t("districts", DEFAULT), id="label-districts"), html.Div(id="districts"),
    ])
    return html.Div([html.H2(t("title", DEFAULT), id="label-title"),
                     html.Div([controls, answer], style={"display": "flex", "fontFamily": "sans-serif"})])


def district_table(region: str, lang: str):
    table = data.table("lai_chau_districts") if region == "lai_chau" else None
    if table is None:
        return html.P(t("no_districts", lang))
    rows = table[table.is_total == 0]
    head = html.Tr([html.Th(t("year", lang)), html.Th("")] + [html.Th(str(y)) for y in sorted(rows.year.unique())])
    body = []
    for d, part in rows.groupby("district", sort=False):
        body.append(html.Tr([html.Td(""), html.Td(d)] + [html.Td(percent(v / 100, lang)) for v in part.rate_stated]))
    return html.Table([head] + body, style={"fontStyle": "italic"}, title=t("planned", lang))


def create_app() -> dash.Dash:
    app = dash.Dash(__name__, title="covsim")
    app.layout = layout()

    @app.callback(Output("scenario", "options"), Output("scenario", "value"), Input("region", "value"))
    def pick_region(region):
        names = compute.scenarios_of(region)
        return [{"label": n, "value": n} for n in names], names[0]

    @app.callback([Output(f"share-{g}", "value") for g in compute.LEVER_GROUPS] + [Output("start", "value")],
                  Input("scenario", "value"), Input("label-reset", "n_clicks"), State("year", "value"))
    def reset(name, _clicks, year):
        if not name:
            raise dash.exceptions.PreventUpdate
        sc = compute.scenario(name)
        start = planning.lever_start(sc, int(year) if year else None)
        shares = compute.lever_defaults(name, start)
        return [round(100 * shares[g]) for g in compute.LEVER_GROUPS] + [start]

    @app.callback([Output(f"label-{k}", "children") for k in LABELS]
                  + [Output("region", "options"), Output("scheme", "options")], Input("lang", "value"))
    def relabel(lang):
        return ([t(k.removeprefix("lbl_"), lang) for k in LABELS]
                + [[{"label": t(r, lang), "value": r} for r in compute.REGIONS],
                   [{"label": t(s, lang), "value": s} for s in ("bhyt", "bhxh", "bhtn")]])

    @app.callback(Output("probability", "children"), Output("fan", "figure"), Output("groups", "figure"),
                  Output("budget", "figure"), Output("per-insured", "children"), Output("districts", "children"),
                  Output("error", "children"),
                  Input("scenario", "value"), Input("scheme", "value"),
                  *[Input(f"share-{g}", "value") for g in compute.LEVER_GROUPS],
                  Input("start", "value"), Input("target", "value"), Input("year", "value"), Input("lang", "value"),
                  State("region", "value"))
    def update(name, scheme, *rest):
        shares, (start, target, year, lang, region) = rest[:4], rest[4:]
        try:
            if not name or start is None or target is None or year is None:
                raise InputError("dashboard", "input", "fill in every field")
            for g, v in zip(compute.LEVER_GROUPS, shares):
                if v is None or not 0 <= float(v) <= 100:
                    raise InputError("dashboard", f"state_share.{g}", f"{v} is outside 0..100 %")
            result = compute.result(name, scheme, dict(zip(compute.LEVER_GROUPS, (s / 100 for s in shares))),
                                    int(start), float(target) / 100, int(year))
        except InputError as exc:
            return (dash.no_update,) * 6 + (f"{t('error', lang)}: {exc}",)
        except Exception as exc:  # noqa: BLE001 - the page says what went wrong; the server stays up
            return (dash.no_update,) * 6 + (f"{t('error', lang)}: {type(exc).__name__}: {exc}",)
        per = ""
        table = result.get("budget")
        if table is not None and "cost_per_additional_insured" in table:
            value = table.set_index("year").cost_per_additional_insured.get(int(year))
            per = f"{t('per_insured', lang)} ({year}): {number(value, lang)} đ"
        return (figures.headline(result, lang), figures.fan(result, float(target) / 100, int(year), lang),
                figures.groups(result, lang), figures.budget(result, lang), per, district_table(region, lang), "")

    return app
