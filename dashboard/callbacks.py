"""The page's callbacks.

A lever move is answered in two steps. First the answer: the probability, the headline and the fan
chart, straight from the request when the scenario's run is kept in this process (a rerun of the
years from the lever's start, tens of milliseconds: see `simulator.schemes.variants`); otherwise, when it
takes more than a moment (a region or scenario not yet run, a cold cache), in a Dash background
callback with a progress bar and a Stop button, off the request thread. Then the details (groups,
districts, budget, comparison), computed from the same cached run. Results carry the id of the
request they answer and only the answer to the latest request is shown, so a lever moved during
a run supersedes it (Dash also stops the old job)."""
from __future__ import annotations

import hashlib
import json
import logging
import math
import traceback

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate


from . import briefing, cache, catalogue, compute, fields, figures, i18n, views
from .compute import InputError
from .i18n import graph_config, number, on_priors_text, percent, scenario_description, scenario_name, t
from .i18n import probability as i18n_probability
from .brief_text import b, monte_carlo_text, per_insured_text
from .layout import block_style, lever_id, lever_path

log = logging.getLogger("covsim.dashboard")
LEVERS = {"type": "lever", "path": ALL}

def request_of(scenario, scheme, levers: dict, start, target, year, compare, until=None) -> dict | None:
    """The page's inputs as one request, identified by its content: an answer is shown only when
    it answers the inputs now on the page. None while the page is still filling its inputs.
    `until`: the year the forecast is as of (none: today's, on every figure)."""
    if not scenario or not scheme or all(v is None for v in levers.values()):
        return None
    req = {"scenario": scenario, "scheme": scheme, "levers": levers, "start": start, "target": target,
           "year": year, "compare": compare or None}
    if until not in (None, ""):
        req["until"] = until
    req["id"] = hashlib.sha1(json.dumps(req, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return req


def is_share(path: str) -> bool:
    return compute.kind_of(path) == "share"


def to_ui(path: str, value: float) -> float:
    """Shares show in percent of the premium, to `compute.SHARE_DECIMALS` (a share that is not a
    whole percent shows two decimals, and left so it changes nothing); other levers in their own unit."""
    return round(100 * value, compute.SHARE_DECIMALS) if is_share(path) else round(value, 4)


def from_ui(path: str, value):
    """A box's value (as typed: '96,8' too) in the model's units; None when empty. Money is whole
    đồng, so in its box '830.000' and '830,000' are 830000 (as the page writes it), not 830."""
    if compute.kind_of(path) == "vnd" and isinstance(value, str) and fields.GROUPED.fullmatch(value.strip()):
        value = value.strip().replace(".", "").replace(",", "")
    try:
        x = fields.number(value)
    except ValueError:
        raise fields.FieldError(path, "not_number", f"'{value}' is not a number", text=str(value)) from None
    if x is None:
        return None
    return x / 100 if is_share(path) else x


def boxed(value: float, kind: str, lang: str) -> str:
    """A number as its box shows it: money with the language's thousands separators, else plain."""
    return number(value, lang) if kind == "vnd" else fields.shown(value, lang)


def rewritten(value, kind: str, lang: str):
    """A box's value written the language's way, the same number (no_update when the box is empty
    or holds what is not a number: its own message says so, and it is left as typed)."""
    try:
        x = fields.number(value)
    except ValueError:
        return no_update
    return no_update if x is None else boxed(x, kind, lang)


def page_defaults(name: str, scheme: str, until=None) -> tuple[dict, int, float, int]:
    """What the page shows for a scenario before any lever moves, in the page's units: the levers in
    force from the default lever start, that start, the target (%, None when the data have no
    sourced target) and its year. As of a year (`until`): the levers decided by its end, in force
    from the year after it, the first a plan then could change (`covsim brief --until`'s default)."""
    target, year = compute.default_target(name, scheme)
    start = compute.default_start(name, scheme, year)
    known = as_of_day(until)
    if known is not None:
        start = known.year + 1
    now = {p: to_ui(p, v) for p, v in compute.current_levers(name, scheme, start, known).items()}
    return now, start, None if target is None else round(100 * target, 4), year


def as_of_day(until):
    """The day an as-of view knows policy by (None: today's view, or a year not read)."""
    try:
        return None if until in (None, "") else compute.knowledge_day(int(until))
    except (TypeError, ValueError):
        return None


def refilled(name: str, scheme: str, paths: list[str], typed: list, filled, start_typed, lang: str, skip: list,
             known=None):
    """`defaults`' outputs when only the lever start moved: each box still as filled for the start
    before (`filled`) shows what is in force from the new one (under the policy decided by the day
    `known`, as of a year); a box the user changed, or one not read as a number, stays as typed."""
    try:
        start = fields.read("start", start_typed, "year")
    except fields.FieldError:
        raise PreventUpdate from None  # the box's message says why; nothing to refill
    if filled is None or int(start) == int(filled):
        raise PreventUpdate
    kinds = {s["path"]: s["kind"] for s in compute.lever_specs()}
    try:
        before = compute.current_levers(name, scheme, int(filled), known)
        now = compute.current_levers(name, scheme, int(start), known)
    except (InputError, KeyError, ValueError):  # a start outside the scenario's years: the answer says why
        raise PreventUpdate from None
    read = {}  # the boxes read as numbers (an empty or unreadable one stays as typed)
    for path, value in zip(paths, typed or [None] * len(paths)):
        try:
            number = None if value is None else from_ui(path, value)
        except (InputError, TypeError, ValueError):  # fields.FieldError among them
            number = None
        if number is not None and math.isfinite(float(number)):
            read[path] = number
    changed = {p for p, _ in compute.changed_levers(name, scheme, read, int(filled), known)}  # one comparison for all
    untouched = {p for p in read if p not in changed and p in before}
    out = [boxed(to_ui(p, now[p]), kinds[p], lang) if p in untouched and before[p] != now[p] else no_update
           for p in paths]
    return out, skip, no_update, no_update, no_update, no_update, int(start)


WARNING_LINE = {"fontSize": "13px", "fontWeight": "normal", "color": "#b00020"}  # a line under the probability


def as_of_choice(name, scheme, lang: str, until):
    """`as_of_options`' outputs: the years offered, the year kept (no_update if it stays), whether
    the box is disabled, its placeholder and its words."""
    if not name or scheme not in compute.SCHEMES:
        raise PreventUpdate
    try:
        years = compute.as_of_years(name, scheme)
    except InputError:  # a scheme the region does not run: the answer says why
        years = []
    options = [{"label": str(y), "value": y} for y in reversed(years)]
    dropped = until not in (None, "") and until not in years
    kept = None if dropped else no_update
    if not years:
        placeholder = t("as_of_none", lang)
    elif dropped:  # said in the box, lest today's forecast be read as the one of the year picked before
        placeholder = catalogue.text("page", "as_of_dropped", lang, year=until)
    else:
        placeholder = t("as_of_today", lang)
    return options, kept, not years, placeholder, i18n.dropdown_labels(lang)


def compare_options(region: str, scheme: str, lang: str, until=None) -> list[dict]:
    """The scenarios a run can be compared with, each labelled in the language; as of a year, a
    plan decided after the day that year knows policy by is offered greyed (`compute.as_of_result`
    refuses it: nobody then could have compared it)."""
    day = as_of_day(until)
    return [{"label": views.scenario_label(r["name"], scheme, lang), "value": r["name"],
             **({"disabled": True} if day is not None and r["decided"] and r["decided"] > day.isoformat() else {})}
            for r in compute.scenario_rows(region)]


def _offered(compared: list[dict]) -> list[dict]:
    """The scenario box's options: the comparison box's, none greyed (a scenario of its own is run as of
    the years `as_of_choice` offers it)."""
    return [{"label": o["label"], "value": o["value"]} for o in compared]


def _lever_paths_and_kinds() -> tuple[tuple[str, ...], dict[str, str]]:
    specs = compute.lever_specs()
    return tuple(s["path"] for s in specs), {s["path"]: s["kind"] for s in specs}


def compute_request(req: dict, draws: int, seed: int, progress=None, details: bool = True) -> dict:
    """A request's summary (only the answer when not `details`), or a message for the page;
    callable without Dash. Background warm-up waits while it is served (`cache.serving`)."""
    with cache.serving():
        return _compute_request(req, draws, seed, progress, details)


def _compute_request(req: dict, draws: int, seed: int, progress, details: bool) -> dict:
    step = progress or (lambda *_: None)
    try:
        step(("10",))
        start = fields.read("start", req.get("start"), "year")
        target = fields.read("target", req.get("target"))
        year = fields.read("year", req.get("year"), "year")
        if not 0 < target <= 100:
            raise fields.FieldError("target", "target_range", f"{target:g}% is outside (0, 100]")
        levers = {p: from_ui(p, v) for p, v in (req.get("levers") or {}).items()}
        if req.get("until") is not None:
            out = _as_of(req, levers, start, target, year, draws, seed)
            step(("80",))
        else:
            res = compute.full_result(req["scenario"], req["scheme"], levers, start, target / 100, year,
                                      compare=req.get("compare"), draws=draws, seed=seed, details=details)
            step(("80",))
            out = compute.summary(res)
        out["id"] = req.get("id")
        out["request"] = req
        step(("100",))
        return out
    except InputError as exc:
        return {"id": req.get("id"), "error": str(exc), "kind": "input", "message": exc.message,
                **fields.describe(exc, req, *_lever_paths_and_kinds())}
    except (TypeError, ValueError) as exc:
        return {"id": req.get("id"), "error": f"dashboard: {exc}", "kind": "input"}
    except Exception as exc:  # noqa: BLE001 - the page says what went wrong; the server stays up
        log.error("dashboard computation failed: %s", traceback.format_exc())
        return {"id": req.get("id"), "error": f"{type(exc).__name__}: {exc}", "kind": "internal"}


def _as_of(req: dict, levers: dict, start: int, target: float, year: int, draws: int, seed: int) -> dict:
    """The summary of a request as of a year (`covsim brief --until`'s): fitted on the figures
    observed by its end, under the policy, laws and targets decided by then, the fit kept for the
    next lever move; the boxes compared with the levers known then. Every detail at once."""
    until = fields.read("until", req["until"], "year")
    years = compute.as_of_years(req["scenario"], req["scheme"])
    if until not in years:
        if not years:
            raise fields.FieldError("until", "as_of_none", f"{req['scenario']} has no forecast as of a year")
        raise fields.FieldError("until", "as_of_range", f"{until} is outside {years[0]}-{years[-1]}",
                                lo=years[0], hi=years[-1])
    if year <= until:
        raise fields.FieldError("year", "after_as_of", f"{year} is not after {until}", until=until)
    if start <= until:
        raise fields.FieldError("start", "after_as_of", f"{start} is not after {until}", until=until)
    day = compute.knowledge_day(until)
    changed = dict(compute.changed_levers(req["scenario"], req["scheme"], levers, start, day))
    if changed.get("drive") and not compute.drive_unit(day):  # no national target for its years yet
        raise fields.FieldError("drive", "drive_unknown", f"no drive unit as of {day}", day=day.isoformat())
    res, as_of = compute.as_of_result(req["scenario"], req["scheme"], changed, start, target / 100, year, until,
                                      compare=req.get("compare"), draws=draws, seed=seed, kept=True)
    out = compute.summary(res)
    out["as_of"] = as_of
    return out


def drive_text(value, lang: str, as_of: bool = False) -> str:
    """The drive lever in the planner's units: what its scale means (as of a year, the pull of the
    national targets decided by then), what a drive of strength 1 costs the local budget in đồng a
    year per person it reaches (an assumed cost), and what the strength typed costs (at 0 the price
    is still said, not only its 0)."""
    per_person, _ = compute.drive_cost_per_person()
    try:
        strength = fields.number(value)
    except ValueError:
        strength = None
    spec = next(s for s in compute.lever_specs() if s["kind"] == "drive")
    scale = f"{t('drive_scale.as_of' if as_of else 'drive_scale', lang)}. "
    if strength is None or not spec["lo"] <= strength <= spec["hi"]:  # empty, not a number, out of range
        return scale + t("drive_cost_unit", lang).format(unit=number(per_person, lang))  # the box's error says why
    return scale + t("drive_cost", lang).format(unit=number(per_person, lang), cost=number(per_person * strength, lang))


def render(s: dict | None, lang: str, names=None) -> dict:
    """What each output shows for a result summary (or its error); only `names` if given."""
    if not s:
        raise PreventUpdate
    if s.get("error"):
        head = t("error", lang) if s.get("kind") == "input" else t("internal_error", lang)
        if s.get("code"):  # in the session's language, naming the box, no file paths
            where = fields.label(s.get("field"), lang)
            return {"error": f"{head}: {where + ': ' if where else ''}{fields.message(s, lang)}",
                    "result-key": str(s.get("id"))}
        if s.get("kind") == "input":  # no engine wording, file path or internal key on the page
            return {"error": f"{head}: {fields.say('invalid', lang)}", "result-key": str(s.get("id"))}
        return {"error": head, "result-key": str(s.get("id"))}
    rep = s["report"]
    first = rep["first_year_reached"]["p50"]
    unit = t("of_labour_force", lang) if s["denominator"] == "labour_force" else t("of_population", lang)
    headline = (f"{t('target', lang).split(' (')[0]} {percent(rep['target'], lang, 2)} ({rep['year']}, % {unit}) · "
                # the median to the interval's one decimal, as the briefing gives it (a target keeps its
                # two: 93,69%), the interval named in words an official reads as one
                f"{t('median_coverage', lang)} {rep['year']}: {percent(rep['median_coverage'], lang, 1)} "
                f"({t('interval80', lang)}: {percent(rep['lo80'], lang, 1)}–{percent(rep['hi80'], lang, 1)}) · "
                f"{t('first_year', lang)}: {first or t('never', lang)} · "
                f"{number(rep['draws'], lang)} {t('draws', lang)}, {t('seed', lang)} {rep['seed']}")
    # how far another seed could move it, under the figure (an official compares 34% with 36%)
    probability = [i18n_probability(rep["probability"], lang),
                   html.Div(monte_carlo_text(rep, lang), id="monte-carlo",
                            style={"fontSize": "13px", "fontWeight": "normal", "color": "#555"})]
    if "probability_published" in rep:  # the figure the plan is judged on carries the statistics' error too
        probability.append(html.Div(catalogue.text("page", "published_chance", lang,
                                                   p=i18n_probability(rep["probability_published"], lang),
                                                   sd=number(100 * rep["reporting_error_sd"], lang, 1),
                                                   mc=monte_carlo_text(rep, lang, "probability_published")),
                                    id="published-chance", style={"fontSize": "13px", "fontWeight": "normal",
                                                                  "color": "#555"}))
    if not s["assumptions"].get("calibrated", True):  # never silently on the priors
        said = on_priors_text(s["assumptions"], lang)  # a sentence of its own here, not a bracket's words
        probability = [*probability, html.Div(said[:1].upper() + said[1:], id="on-priors", style=WARNING_LINE)]
    if s["assumptions"].get("unconverged"):  # draws of a fit that did not converge: never silently
        probability = [*probability, html.Div(catalogue.text("page", "unconverged", lang), id="unconverged",
                                             style=WARNING_LINE)]
    if s.get("as_of"):  # as of a year: said right under the figure, before anything else
        probability = [probability[0], html.Div(views.as_of_note(s, lang), id="as-of-note",
                                                style={"fontSize": "13px", "fontWeight": "normal", "color": "#8a5a00"}),
                       *probability[1:]]
    out = {"error": "", "print-head": views.print_head(s, lang), "probability": probability, "headline": headline,
           "fan": figures.fan_chart(s, lang), "fan-config": graph_config(lang), "legend-note": views.legend_note(s, lang), "result-key": str(s.get("id"))}
    if names is not None and not set(names) & set(RENDERED_REST):
        return out
    if not s.get("details", True):
        raise PreventUpdate  # the details follow
    out["groups"] = figures.groups_chart(s, lang)
    out["budget"] = figures.budget_chart(s, lang)
    d = figures.districts_chart(s, lang)
    if d is None:
        later = (s.get("districts") or {}).get("later")  # as of a year before the district plan was decided
        out["districts"] = html.P(t("districts_later", lang) if later else t("no_districts", lang)
                                  if s["scheme"] == "bhyt" else t("not_for_scheme", lang))
    else:
        extra = []
        if s["districts"].get("allocation_error"):
            extra = [html.P(f"{t('allocation_unavailable', lang)}: {s['districts']['allocation_error']}")]
        out["districts"] = html.Div([dcc.Graph(figure=d, config=graph_config(lang)), *extra])
    per = briefing.per_insured(s)
    rows = []
    for r in s.get("budget") or []:
        if r["year"] >= s["start"] and r.get("cost_per_additional_insured") is not None:
            rows.append(html.Tr([html.Td(str(r["year"])), html.Td(per_insured_text(r, lang)),  # with its band
                                 html.Td(f"{number(r['extra_insured'], lang)} {t('people', lang)}")]))
    if rows or per:
        out["per-insured"] = html.Div([html.Div(t("per_insured_year", lang) + (f": {per_insured_text(per, lang)}"
                                                                           f" ({rep['year']})" if per else "")),
                                       html.Table([html.Tr([html.Th(t("year", lang)), html.Th(t("per_insured_col", lang)),
                                                            html.Th(t("extra_insured_col", lang))]), *rows],
                                                  style={"fontSize": "13px"}) if rows else None])
    elif s.get("budget"):  # no lever moves anyone: said, not a heading over nothing
        out["per-insured"] = html.Div([html.Div(t("per_insured_year", lang)), html.P(b("extra_none", lang))])
    else:  # no budget for the scheme: the chart above says so
        out["per-insured"] = None
    c = s.get("compare")
    if c and c["name"] == s["scenario"] and not s.get("changed"):  # the page's default: a card of equal numbers
        out["comparison"] = html.P(t("compare_same", lang))
    elif c:
        lines = [html.Tr([html.Th(""), html.Th(figures.compared_name(s, lang)),
                          html.Th(scenario_name(c["name"], lang))]),
                 html.Tr([html.Td(t("probability", lang)), html.Td(i18n_probability(c["probability_a"], lang)),
                          html.Td(i18n_probability(c["probability_b"], lang))])]
        if "cost_a" in c:
            span = (str(c["cost_first"]) if c["cost_first"] == c["cost_last"]  # one year: not '2025–2025'
                    else f"{c['cost_first']}–{c['cost_last']}")
            lines.append(html.Tr([html.Td(f"{t('cum_cost', lang)} {span} "
                                          f"({t('billion_vnd', lang)})"),
                                  html.Td(number(c["cost_a"] / 1e9, lang, 1)), html.Td(number(c["cost_b"] / 1e9, lang, 1))]))
            if "cost_diff_lo80" in c:  # the difference on the same draws, with its 80% band
                from .brief_content import money_range

                lines.append(html.Tr([html.Td(t("cum_cost_diff", lang)),
                                      html.Td(money_range({"d": c["cost_diff"], "d_lo80": c["cost_diff_lo80"],
                                                           "d_hi80": c["cost_diff_hi80"]}, "d", lang, signed=True),
                                              colSpan=2)]))
        out["comparison"] = html.Div([html.Table(lines, style={"fontSize": "14px"}),
                                      dcc.Graph(figure=figures.comparison_chart(s, lang), config=graph_config(lang))])
    else:
        out["comparison"] = html.P("—")
    a = s["assumptions"]
    partly = i18n.partly_on_priors(a, lang)  # a 2025 unit whose seat is fitted: not 'not calibrated'
    weighed = i18n.unit_figures_text(a, lang)
    fitted = (t("parameters_weighed", lang).format(region=i18n.region_name(s["region"], lang), figures=weighed)
              if weighed else
              # a province with no figure of its own (Lai Chau) is fitted on the nation's: said so
              t("parameters_calibrated" if s.get("observed") or compute.former_provinces(s["region"])
                else "parameters_calibrated.national",
                lang).format(region=i18n.region_name(s["region"], lang))
              if a.get("calibrated", True) else
              t("parameters_partly", lang).format(provinces=partly) if partly else t("parameters_priors", lang))
    out["assumptions"] = (f"{t('scenario_definition', lang)}: {scenario_name(s['scenario'], lang)} · "
                          f"{t('seed', lang)} {a['seed']} · {number(a['draws'], lang)} {t('draws', lang)} · "
                          f"{t('parameters', lang)}: {fitted} · {t('data_hash', lang)} {a['data_hash']} · "
                          f"{t('parameters_hash', lang)} {a.get('parameters_hash', '')} · "
                          f"{t('code_version', lang)} {a['code_version']}")
    assumed = i18n.mostly_prior_text(a.get("mostly_prior"), lang)  # a verdict leaning on an assumption says so
    halves = i18n.leans_on_text(s.get("leans_on"), lang) if assumed else ""
    # what no figure fits, held fixed: assumed, and said so (as of a year, what that fit holds)
    fixed = i18n.fixed_text(s["scheme"], lang, s.get("region"), s["years"][-1], s.get("as_of"))
    own = scenario_assumed(s, lang)  # the scenario's values its source does not give, as the briefing lists them
    unconfirmed = i18n.unverified_text(a.get("unverified_data"), lang)  # data rows no source confirms
    later = i18n.stand_ins_text(a.get("stand_ins"), lang)  # as of a year: later figures standing in
    out["assumptions"] = html.Div([html.Div(text) for text in (out["assumptions"], own, fixed, unconfirmed, later,
                                                               assumed, halves) if text])
    return out


def scenario_assumed(s: dict, lang: str) -> str:
    """'' or one line: the scenario's assumed numbers (a labour plan's enforcement strength, a
    share its plan does not give), worded as the briefing's table of changes words them."""
    from .brief_content import changes

    rows = [r[0] for r in changes(s, lang)[0] if r[4]]
    return f"{t('scenario_assumed', lang)}: " + "; ".join(rows) if rows else ""


#: The answer and its chart first (one small response), the other views in a second callback.
RENDERED = ("error", "print-head", "probability", "headline", "fan", "fan-config", "legend-note", "result-key")
RENDERED_REST = ("groups", "districts", "budget", "per-insured", "comparison", "assumptions")
PROPS = {"fan": "figure", "groups": "figure", "budget": "figure"}
#: Outputs that are another prop of a component: the fan chart's config (its toolbar's language)
#: goes with its figure, or plotly.js keeps the toolbar it drew first.
TARGETS = {"fan-config": ("fan", "config")}
GRAPHS = ("groups", "budget")  # the other charts whose toolbar follows the language (districts and
# comparison are made per answer, in its language)


def register(app: dash.Dash, draws: int, seed: int, background: bool = True) -> None:
    @app.callback(Output("scenario", "options"), Output("scenario", "value"), Output("compare", "options"),
                  Output("compare", "value"), Input("region", "value"), State("lang", "value"), State("until", "value"))
    def pick_region(region, lang, until):
        if region not in compute.REGIONS:
            raise PreventUpdate
        first = compute.scenario_rows(region)[0]
        # Labelled with the scheme the first scenario brings (pick_scenario sets it), as label_scheme does.
        compared = compare_options(region, first["scheme"], lang, until)
        return _offered(compared), first["name"], compared, first["name"]

    @app.callback(Output("compare", "options", allow_duplicate=True), Output("compare", "value", allow_duplicate=True),
                  Input("until", "value"), State("region", "value"), State("scheme", "value"), State("lang", "value"),
                  State("compare", "value"), State("scenario", "value"), prevent_initial_call=True)
    def compare_as_of(until, region, scheme, lang, compare, name):
        """As of a year, the plans decided later greyed; one picked before is let go for the scenario itself."""
        if region not in compute.REGIONS or scheme not in compute.SCHEMES:
            raise PreventUpdate
        options = compare_options(region, scheme, lang, until)
        later = any(o["value"] == compare and o.get("disabled") for o in options)
        return options, (name if later else no_update)

    @app.callback(Output("scenario", "options", allow_duplicate=True),
                  Output("compare", "options", allow_duplicate=True), Output("page-title", "children"),
                  Output("budget-head", "children"), Output("region", "options"), Output("scheme", "options"),
                  Output("region", "labels"), Output("scenario", "labels"), Output("compare", "labels"),
                  *[Output(g, "config") for g in GRAPHS],
                  Input("scheme", "value"), Input("lang", "value"), State("region", "value"), State("until", "value"),
                  prevent_initial_call=True)
    def label_scheme(scheme, lang, region, until):
        """The title, the pickers' options and words and the charts' toolbars in the language; the
        scenarios' labels name the scheme on screen."""
        if scheme not in compute.SCHEMES or region not in compute.REGIONS:
            raise PreventUpdate
        compared = compare_options(region, scheme, lang, until)
        regions = [{"label": i18n.region_name(r, lang), "value": r} for r in compute.REGIONS]
        schemes = [{"label": t(s, lang), "value": s} for s in compute.SCHEMES]
        words = i18n.dropdown_labels(lang)
        return (_offered(compared), compared, views.title(scheme, lang), views.budget_heading(scheme, lang), regions, schemes,
                words, words, words,
                *[graph_config(lang)] * len(GRAPHS))

    @app.callback(Output("until", "options"), Output("until", "value"), Output("until", "disabled"),
                  Output("until", "placeholder"), Output("until", "labels"),
                  Input("scenario", "value"), Input("scheme", "value"), Input("lang", "value"), State("until", "value"))
    def as_of_options(name, scheme, lang, until):
        """The years the scenario's forecast can be seen as of (`compute.as_of_years`); none for a
        labour scheme or a 2025 unit (the box is disabled, and a year picked before is let go)."""
        return as_of_choice(name, scheme, lang, until)

    @app.callback(Output("scheme", "value"), Input("scenario", "value"), prevent_initial_call=True)
    def pick_scenario(name):
        """A scenario picked brings its own scheme on view; the user may switch it after."""
        if not name:
            raise PreventUpdate
        return compute.scenario(name).scheme

    @app.callback(Output("scenario-description", "children"),
                  Input("scenario", "value"), Input("scheme", "value"), Input("lang", "value"))
    def describe(name, scheme, lang):
        """The description follows the scheme on view: a baseline cites that scheme's laws."""
        if not name:
            raise PreventUpdate
        text = scenario_description(name, lang, scheme if scheme in compute.SCHEMES else None)
        sc = compute.scenario(name)
        if sc.baseline and not sc.reform:  # a plan that keeps the policy in force: say why it looks the same
            from .brief_content import drives_held_key

            held = drives_held_key(scheme if scheme in compute.SCHEMES else sc.scheme)
            text = f"{text} {t('same_as_baseline', lang)} {b(held, lang)}"
        return text

    @app.callback(Output({"type": "lever-block", "schemes": ALL, "i": ALL}, "style"), Input("scheme", "value"))
    def show_levers(scheme):
        """A scheme's page shows the levers that act on it; the others stay disabled and empty, out
        of sight (the health premium's shares mean nothing on the BHXH page)."""
        return [block_style(o["id"]["schemes"], scheme) for o in ctx.outputs_list]

    @app.callback(Output(LEVERS, "value"), Output(LEVERS, "disabled"), Output("start", "value"),
                  Output("target", "value"), Output("year", "value"), Output("target-source", "children"),
                  Output("filled-start", "data"),
                  Input("scenario", "value"), Input("scheme", "value"), Input("reset", "n_clicks"),
                  Input("lang", "value"), Input("start", "value"), Input("until", "value"), State(LEVERS, "value"),
                  State("target", "value"), State("filled-start", "data"))
    def defaults(name, scheme, _reset, lang, start_typed, until, typed, target_typed, filled):
        """The scenario's levers, start, target and year; a lever of another scheme disabled and
        empty (its value means nothing in this view); the default target's source beside it. A
        language switch keeps what is typed, written the language's way (2,340,000 / 2.340.000).
        A new lever start refills the boxes left as filled with what is in force from it: kept, a
        filled 30% for pupils read as a change back from Decree 188/2025's 50% from 2025. An as-of
        year fills them with the policy decided by its end, from the year after it (today's values
        would read as changes to it); the target and its year stay as typed."""
        if not name or scheme not in compute.SCHEMES:
            raise PreventUpdate
        try:
            sc = compute.scenario(name, scheme)
        except InputError:  # a scheme the region does not run (a 2025 unit's labour layer): the answer says why
            raise PreventUpdate from None
        paths = [lever_path(o["id"]) for o in ctx.outputs_list[0]]
        skip = [no_update] * len(paths)  # a wildcard output takes one value per box
        if {t["prop_id"].split(".")[0] for t in ctx.triggered} == {"start"}:
            return refilled(name, scheme, paths, typed, filled, start_typed, lang, skip, as_of_day(until))
        note = views.target_note(sc.region, scheme, sc.start, sc.end, lang, as_of_day(until))
        if ctx.triggered_id == "lang":
            kinds = {s["path"]: s["kind"] for s in compute.lever_specs()}
            return ([rewritten(v, kinds[p], lang) for p, v in zip(paths, typed or [None] * len(paths))], skip,
                    no_update, rewritten(target_typed, "share", lang), no_update, note, no_update)
        now, start, target, year = page_defaults(name, scheme, until)
        schemes = {s["path"]: s["schemes"] for s in compute.lever_specs()}
        disabled = [scheme not in schemes[p] for p in paths]
        kinds = {s["path"]: s["kind"] for s in compute.lever_specs()}
        boxes = [None if off else boxed(now[p], kinds[p], lang) for p, off in zip(paths, disabled)]
        if ctx.triggered_id == "until":  # the question stays; the policy is the one known then, and the
            return boxes, disabled, str(start), no_update, no_update, note, start  # note says if it knew the target
        return boxes, disabled, str(start), fields.shown(target, lang), str(year), note, start

    main = [Output(*TARGETS.get(k, (k, PROPS.get(k, "children"))), allow_duplicate=True) for k in RENDERED]

    def shown(s: dict, lang: str, names=RENDERED) -> list:
        try:
            out = render(s, lang, names)
        except PreventUpdate:
            raise
        except Exception as exc:  # noqa: BLE001
            log.error("dashboard render failed: %s", traceback.format_exc())
            out = {"error": f"{t('internal_error', lang)}: {type(exc).__name__}: {exc}"}
        return [out.get(k, no_update) for k in names]

    @app.callback(Output("request", "data"), Output("answer", "data"), *main, Output("slow-request", "data"),
                  Input("scenario", "value"), Input("scheme", "value"), Input(LEVERS, "value"),
                  Input("start", "value"), Input("target", "value"), Input("year", "value"),
                  Input("compare", "value"), Input("until", "value"), State("lang", "value"), prevent_initial_call=True)
    def answer_now(scenario, scheme, levers, start, target, year, compare, until, lang):
        """The answer in the request when it is quick; else the request goes to the background job.
        (Dash drops the answer to an older call that returns after a newer one.)"""
        paths = [lever_path(i["id"]) for i in ctx.inputs_list[2]]
        req = request_of(scenario, scheme, dict(zip(paths, levers)), start, target, year, compare, until)
        if req is None:
            raise PreventUpdate
        if background and not compute.ready(req, draws, seed):
            return req, no_update, *[no_update] * len(RENDERED), req
        s = compute_request(req, draws, seed, details=False)
        return req, s, *shown(s, lang), no_update

    if background:
        @app.callback(Output("slow-answer", "data"), Input("slow-request", "data"), background=True, interval=100,
                      progress=[Output("progress", "value")], progress_default=["0"],
                      running=[(Output("running", "style"), {"display": "block"}, {"display": "none"})],
                      cancel=[Input("stop", "n_clicks")], prevent_initial_call=True)
        def run_job(set_progress, req):
            if not req:
                raise PreventUpdate
            return compute_request(req, draws, seed, set_progress)

        @app.callback(Output("answer", "data", allow_duplicate=True), *main, Input("slow-answer", "data"),
                      State("request", "data"), State("lang", "value"), prevent_initial_call=True)
        def show_slow(s, req, lang):
            if not s or (req and s.get("id") != req.get("id")):
                raise PreventUpdate  # a stale answer: a newer request is on its way
            return s, *shown(s, lang)

    # Kept in the browser (no round trip): what stays on screen, greyed, while the input is invalid.
    app.clientside_callback("function (s) { return (!s || s.error || s.details === false) ? "
                            "window.dash_clientside.no_update : s; }",
                            Output("last-valid", "data"), Input("result", "data"), prevent_initial_call=True)

    @app.callback(*main, Input("lang", "value"), State("answer", "data"), State("last-valid", "data"),
                  prevent_initial_call=True)
    def relabel(lang, s, last):
        """The answer in the new language; under an input error, the error and the greyed last
        valid results behind it (they would otherwise stay in the old language)."""
        if not s:
            raise PreventUpdate
        out = shown(s, lang)
        if s.get("error") and last:
            behind = shown(last, lang)
            out = [o if k in ("error", "result-key") else b for k, o, b in zip(RENDERED, out, behind)]
        return out

    @app.callback(Output("result", "data"), Input("answer", "data"), State("request", "data"),
                  prevent_initial_call=True)
    def complete(s, req):
        """The answer with its details (groups, districts, budget, comparison): the same cached run."""
        if not s or (req and s.get("id") != req.get("id")):
            raise PreventUpdate
        if s.get("error") or s.get("details", True):
            return s
        return compute_request(s["request"], draws, seed)

    @app.callback([Output(k, PROPS.get(k, "children")) for k in RENDERED_REST],
                  Input("result", "data"), Input("lang", "value"), State("request", "data"),
                  State("last-valid", "data"))
    def show_rest(s, lang, req, last):
        if s and req and ctx.triggered_id == "result" and s.get("id") != req.get("id"):
            raise PreventUpdate
        if ctx.triggered_id == "lang" and s and s.get("error") and last:
            s = last  # the greyed results behind an input error, relabelled
        return shown(s, lang, RENDERED_REST)

    @app.callback(Output({"type": "t", "key": ALL, "i": ALL}, "children"), Input("lang", "value"))
    def translate(lang):
        return [t(o["id"]["key"], lang) for o in ctx.outputs_list]

    @app.callback(Output({"type": "tip", "key": ALL}, "title"), Input("lang", "value"))
    def translate_tips(lang):
        return [t(o["id"]["key"], lang) for o in ctx.outputs_list]

    @app.callback(Output("download", "data"), Output("export-error", "children"),
                  Input("btn-briefing", "n_clicks"), Input("btn-csv", "n_clicks"), Input("btn-xlsx", "n_clicks"),
                  Input("btn-nc", "n_clicks"), Input("btn-docx", "n_clicks"), Input("btn-pdf", "n_clicks"),
                  State("result", "data"), State("answer", "data"), State("lang", "value"), prevent_initial_call=True)
    def download(_b, _c, _x, _n, _d, _p, s, answer, lang):
        return download_of(ctx.triggered_id, s, answer, lang, draws, seed)

    if any(s["kind"] == "drive" for s in compute.lever_specs()):
        @app.callback(Output("drive-note", "children"), Input(lever_id("drive"), "value"), Input("lang", "value"),
                      Input("until", "value"))
        def drive_note(value, lang, until):
            return drive_text(value, lang, until not in (None, ""))

    @app.callback(Output("pong", "children"), Input("ping", "n_clicks"))
    def ping(n):
        return str(n)


def download_of(which: str, s: dict | None, answer: dict | None, lang: str, draws: int, seed: int):
    """An export button's (download, message beside the buttons)."""
    try:
        if answer and not answer.get("error") and (not s or s.get("id") != answer.get("id")):
            s = compute_request(answer["request"], draws, seed)  # clicked before the details came
        return export(which, s, lang), ""
    except NoResult:  # clicked before any answer, or on bad input: said, not an internal error
        return no_update, t("export_no_result", lang)
    except Exception:  # noqa: BLE001
        log.error("dashboard export failed: %s", traceback.format_exc())
        return no_update, t("internal_error", lang)


class NoResult(InputError):
    """An export asked for before there is a result to export."""


def export(which: str, s: dict | None, lang: str) -> dict:
    """The dcc.Download payload of one export button."""
    if not s or s.get("error"):
        raise NoResult("dashboard", "export", "no result to export yet")
    stem = f"covsim_{s['scenario']}_{s['scheme']}_{s['report']['year']}"
    if which == "btn-briefing":
        return dict(content=briefing.briefing_html(s, lang), filename=f"{stem}_briefing.html", type="text/html")
    if which in ("btn-docx", "btn-pdf"):
        from . import brief_content

        suffix = ".docx" if which == "btn-docx" else ".pdf"
        return dcc.send_bytes(brief_content.render(s, lang, suffix), f"{stem}_briefing{suffix}")
    if which == "btn-csv":
        return dcc.send_bytes(briefing.to_csv(s), f"{stem}.csv")
    if which == "btn-xlsx":
        return dcc.send_bytes(briefing.to_excel(s, lang), f"{stem}.xlsx")
    if which == "btn-nc":
        a = s["assumptions"]
        changed = tuple(sorted((k, float(v)) for k, v in s["changed"].items()))
        if s.get("as_of"):  # the run as of the year, on the kept fit (its attributes record what it knew)
            res, _ = compute.as_of_result(s["scenario"], s["scheme"], dict(changed), s["start"], s["report"]["target"],
                                          s["report"]["year"], s["as_of"]["until"], draws=a["draws"], seed=a["seed"],
                                          kept=True)
            ds = res["ds"]
        else:
            ds = compute.run_levers(s["scenario"], s["scheme"], changed,
                                    s["start"] if changed else 0, a["draws"], a["seed"])
        return dcc.send_bytes(compute.netcdf_bytes(ds), f"{stem}.nc")
    raise PreventUpdate
