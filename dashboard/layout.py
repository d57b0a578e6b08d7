"""The page: pickers and levers on the left, the answer on the right. Every label is a `T(key)`
whose text a single callback swaps when the language changes."""
from __future__ import annotations

from itertools import count

from dash import dcc, html

from . import compute, fields
from .i18n import DEFAULT, dropdown_labels, graph_config, region_name, t

_n = count()


def T(key: str, tag=html.Span, **kw):
    """A translated label: its id says which key it shows."""
    return tag(t(key, DEFAULT), id={"type": "t", "key": key, "i": next(_n)}, **kw)


def lever_id(path: str) -> dict:
    return {"type": "lever", "path": path.replace(".", "__")}


def lever_path(id_: dict) -> str:
    return id_["path"].replace("__", ".")


OPENS_ON = "bhyt"  # the scheme the page opens on
BOX = {"width": "100%", "boxSizing": "border-box", "marginBottom": "6px"}
SMALL = {"width": "90px"}
CARD = {"background": "#fff", "border": "1px solid #ddd", "borderRadius": "6px", "padding": "10px 14px",
        "marginBottom": "12px"}


def _number(path: str, style=SMALL):
    """A lever's box: any decimal (a share of 33,5% or 33.5%), money with thousands separators
    (1.800.000 đồng), committed on Enter or leaving the box; its error beside it. Text, not a
    browser number box, which reads '96,8' as 968."""
    return html.Div([dcc.Input(id=lever_id(path), type="text", inputMode="decimal", debounce=True, style=style,
                               placeholder="—"),
                     html.Div(id=fields.box_id(path))])


def _box(id_: str, mode: str = "decimal"):
    """A plain number box (start, target, year) with its error beside it."""
    return html.Div([dcc.Input(id=id_, type="text", inputMode=mode, debounce=True, style=SMALL),
                     html.Div(id=fields.box_id(id_))])


def _tables(specs) -> list:
    """The group levers as columns of a table (a row per group), one table for each set of schemes
    they act on: the health premium's shares apart from voluntary BHXH's support, whose groups
    (poor, near-poor, other voluntary members) are not the health groups."""
    grouped = [s for s in specs if s["grouped"]]
    paths = {s["path"] for s in grouped}
    tables = []
    for schemes in dict.fromkeys(s["schemes"] for s in grouped):
        mine = [s for s in grouped if s["schemes"] == schemes]
        columns = list(dict.fromkeys(s["lever"] for s in mine))
        groups = list(dict.fromkeys(s["path"].partition(".")[2] for s in mine))
        rows = [html.Tr([html.Th(T("group"))] + [html.Th(T(f"{c}.column")) for c in columns])]
        for g in groups:
            rows.append(html.Tr([html.Td(T(f"{columns[0]}.{g}"))]
                                + [html.Td(_number(f"{c}.{g}") if f"{c}.{g}" in paths else "") for c in columns]))
        tables.append(_block(schemes, html.Table(rows, style={"fontSize": "14px"})))
    return tables


def block_style(schemes: str, scheme: str) -> dict:
    """A block of levers is shown on the pages of the schemes it acts on (`schemes`, space-separated)."""
    return {"marginTop": "4px"} if scheme in schemes.split() else {"display": "none"}


def _block(schemes, *children) -> html.Div:
    """Levers shown only on the pages of the schemes they act on (`show_levers` hides the rest; the
    page opens on health insurance)."""
    key = " ".join(schemes)
    return html.Div(list(children), id={"type": "lever-block", "schemes": key, "i": next(_n)},
                    style=block_style(key, OPENS_ON))


def _levers() -> html.Div:
    """The registry's dashboard levers: group levers as columns of a table (a row per group), the
    others each a labelled box, in the registry's order."""
    specs = compute.lever_specs()
    boxes = []
    for s in specs:
        if not s["grouped"]:
            style = {"width": "170px"} if s["kind"] == "vnd" else SMALL
            tip = f"{s['lever']}.description"  # its tooltip, swapped with the language as the labels are
            box = [html.Label(T(s["lever"]), title=t(tip, DEFAULT), id={"type": "tip", "key": tip}),
                   html.Br(), _number(s["path"], style=style)]
            if s["kind"] == "drive":  # in the planner's units: what 0 and 1 mean, what it costs
                box.append(html.Div(id="drive-note", style={"fontSize": "12px", "color": "#555"}))
            boxes.append(_block(s["schemes"], *box))
    return html.Div([
        html.H4(T("levers"), style={"margin": "8px 0 4px"}),
        *_tables(specs),
        *boxes,
        html.P(T("levers_note"), style={"fontSize": "12px", "color": "#555"}),
    ])


def controls() -> html.Div:
    return html.Div(id="controls", className="no-print", style={"flex": "0 0 330px", "padding": "8px"}, children=[
        html.Label(T("region")),
        dcc.Dropdown(id="region", options=[{"label": region_name(r, DEFAULT), "value": r} for r in compute.REGIONS],
                     value=compute.REGIONS[0], clearable=False, style=BOX, labels=dropdown_labels(DEFAULT)),
        html.Label(T("scenario")),
        dcc.Dropdown(id="scenario", clearable=False, style=BOX, labels=dropdown_labels(DEFAULT)),
        html.Div(id="scenario-description", style={"fontSize": "12px", "color": "#555", "marginBottom": "6px"}),
        html.Label(T("scheme")),
        dcc.RadioItems(id="scheme", options=[{"label": t(s, DEFAULT), "value": s} for s in compute.SCHEMES],
                       value=OPENS_ON, inline=True, inputStyle={"marginRight": "4px", "marginLeft": "8px"}),
        html.Label(T("as_of"), title=t("as_of.description", DEFAULT), id={"type": "tip", "key": "as_of.description"}),
        # the forecast as of the end of a past year (none: today's, on every figure): `callbacks.as_of_options`
        dcc.Dropdown(id="until", clearable=True, style=BOX, placeholder=t("as_of_today", DEFAULT),
                     labels=dropdown_labels(DEFAULT)),
        html.Div(id=fields.box_id("until")),
        _levers(),
        html.Label(T("lever_start")), html.Br(), _box("start", "numeric"),
        html.Label(T("target")), html.Br(), _box("target"),
        html.Div(id="target-source", style={"fontSize": "12px", "color": "#555", "marginBottom": "4px"}),
        html.Label(T("target_year")), html.Br(), _box("year", "numeric"),
        html.Button(T("reset"), id="reset", n_clicks=0, style={"margin": "8px 0"}),
        html.Br(), html.Label(T("compare")),
        dcc.Dropdown(id="compare", clearable=True, style=BOX, labels=dropdown_labels(DEFAULT)),
        html.Div(id=fields.box_id("compare")),
        html.H4(T("export"), style={"margin": "10px 0 4px"}),
        html.Button(T("briefing"), id="btn-briefing", n_clicks=0), " ",
        html.Button(T("briefing_docx"), id="btn-docx", n_clicks=0), " ",
        html.Button(T("briefing_pdf"), id="btn-pdf", n_clicks=0), " ",
        html.Button(T("csv"), id="btn-csv", n_clicks=0), " ",
        html.Button(T("excel"), id="btn-xlsx", n_clicks=0), " ",
        html.Button(T("netcdf"), id="btn-nc", n_clicks=0),
        dcc.Download(id="download"),
        html.Div(id="export-error", role="alert", style={"color": "#b00020"}),
    ])


def answer() -> html.Div:
    return html.Div(style={"flex": "1 1 auto", "padding": "8px", "minWidth": 0}, children=[
        html.Div(id="error", role="alert", style={"color": "#b00020", "fontWeight": "bold", "whiteSpace": "pre-wrap"}),
        html.Div(id="running", style={"display": "none"}, children=[
            T("computing"), " ", html.Progress(id="progress", value="0", max="100"), " ",
            html.Button(T("stop"), id="stop", n_clicks=0)]),
        html.Div(id="stale-note", role="status", style={"color": "#8a5a00", "fontWeight": "bold"}),
        html.Div(id="results", children=[
        # on paper only (print.css): which province, plan and changes the printout shows, as the
        # controls that say it on screen are not printed
        html.Header(id="print-head", className="print-only"),  # not a div: the cards stay div 1, 2, …
        html.Div(style=CARD, children=[
            html.Div(T("probability"), style={"fontSize": "14px", "color": "#555"}),
            html.Div(id="probability", style={"fontSize": "44px", "fontWeight": "bold"}),
            html.Div(id="headline", style={"fontSize": "15px"}),
            dcc.Graph(id="fan", config=graph_config(DEFAULT)),
            html.Div(id="legend-note", style={"fontSize": "12px", "color": "#555"}),
        ]),
        html.Div(style=CARD, children=[html.H4(T("groups")), dcc.Graph(id="groups", config=graph_config(DEFAULT))]),
        html.Div(style=CARD, children=[html.H4(T("districts")), html.Div(id="districts")]),
        html.Div(style=CARD, children=[html.H4(t("budget", DEFAULT), id="budget-head"), dcc.Graph(id="budget", config=graph_config(DEFAULT)),
                                       html.Div(id="per-insured")]),
        html.Div(style=CARD, children=[html.H4(T("comparison")), html.Div(id="comparison")]),
        html.Div(id="assumptions", style={"fontSize": "12px", "color": "#555"}),
        ]),
    ])


def layout() -> html.Div:
    global _n
    _n = count()
    return html.Div(style={"fontFamily": "system-ui, sans-serif", "background": "#f6f7f9", "padding": "6px"}, children=[
        html.Div(style={"display": "flex", "alignItems": "center", "gap": "20px"}, children=[
            html.H2(t("title", DEFAULT), id="page-title", style={"margin": "4px 8px"}),
            dcc.RadioItems(id="lang", options=[{"label": "Tiếng Việt", "value": "vi"},
                                               {"label": "English", "value": "en"}],
                           value=DEFAULT, inline=True, inputStyle={"marginRight": "4px", "marginLeft": "8px"}),
            html.Span(id="page-lang", hidden=True),  # the page's lang attribute follows the choice (app.py)
        ]),
        html.Div([controls(), answer()], style={"display": "flex"}),
        # Request ids: a result is shown only if it answers the latest request.
        # The answer (shown at once), the answer with its details, and the background job's traffic.
        dcc.Store(id="request"), dcc.Store(id="answer"), dcc.Store(id="result"),
        dcc.Store(id="slow-request"), dcc.Store(id="slow-answer"),
        # The last valid result, greyed under an input error: relabelled too when the language changes.
        dcc.Store(id="last-valid"),
        dcc.Store(id="filled-start"),  # the lever start the boxes were filled for (callbacks.defaults)
        html.Div(id="result-key", style={"display": "none"}),
        # A trivial callback for the latency benchmark's yardstick.
        html.Button("ping", id="ping", n_clicks=0, style={"display": "none"}),
        html.Div(id="pong", style={"display": "none"}),
    ])
