"""The page's number boxes: what a planner types, read as a number (the Vietnamese decimal comma
too), and what is wrong with it said beside the box, in the session's language, without the file
paths and internal keys of the engine's message.

A box's value reaches the server as typed; `number` reads it. An `InputError` from the engine
becomes {field, code, params} (`describe`), which `message` words in either language.
"""
from __future__ import annotations

import math
import re

from .compute import InputError
from . import catalogue
from .brief_text import day_text
from .i18n import t
from .sources import legal_reference



def say(key: str, lang: str, **values) -> str:
    return catalogue.text("field", key, lang, **values)


#: A whole amount written with thousands separators of either language: 830.000, 1,800,000.
GROUPED = re.compile(r"-?\d{1,3}([.,]\d{3})+")
_THOUSANDS = {".": re.compile(r"-?\d{1,3}((\.\d{3}){2,}(,\d+)?|(\.\d{3})+,\d+)"),
              ",": re.compile(r"-?\d{1,3}((,\d{3}){2,}(\.\d+)?|(,\d{3})+\.\d+)")}


def number(value) -> float | None:
    """A box's value as a number: '96,8' and '96.8' are 96.8; '1.490.000' and '1,490,000' are
    1490000 (two or more groups of three); '1.234,5' and '1,234.5' are 1234.5 (one group, then the
    other mark's decimals); '' is None. ValueError for anything else. '1.234' alone stays 1.234: a
    decimal point is what an English session types, and the box's range says if it is not meant."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value is None else float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not text:
        return None
    for sep, pattern in _THOUSANDS.items():
        if pattern.fullmatch(text):
            text = text.replace(sep, "")
            break
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?(\d+\.?\d*|\.\d+)", text):
        raise ValueError(value)
    return float(text)


def shown(value: float | None, lang: str) -> str:
    """A number as a box shows it: decimal comma in Vietnamese, no thousands separator (so what is
    shown reads back the same in either language)."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


class FieldError(InputError):
    """Bad input in one box, with the code and values its message is worded from."""

    def __init__(self, field: str, code: str, message: str, **params):
        super().__init__("dashboard", field, message)
        self.field, self.code, self.params = field, code, params


def read(field: str, value, kind: str = "number") -> float | int | None:
    """A box's value, or FieldError('empty' / 'not_number' / 'whole_year')."""
    try:
        x = number(value)
    except ValueError:
        raise FieldError(field, "not_number", f"'{value}' is not a number", text=str(value)) from None
    if x is None:
        raise FieldError(field, "empty", "empty; type a number")
    if not math.isfinite(x):  # 400 nines read as a float (inf): no number a box means
        raise FieldError(field, "not_number", f"'{value}' is not a number", text=str(value)[:12] + "…")
    if kind == "year":
        if x != int(x):
            raise FieldError(field, "whole_year", f"{value} is not a whole year")
        return int(x)
    return x


def field_of(exc: InputError, levers) -> str | None:
    """Which box an engine error is about (None: not one box)."""
    if isinstance(exc, FieldError):
        return exc.field
    key = str(exc.key or "")
    named = {"target": "target", "target (%)": "target", "target year": "year", "lever start": "start",
             "compare": "compare", "scheme": "scheme", "--scheme": "scheme"}
    if key in named:
        return named[key]
    if key.startswith("reform."):
        key = key[len("reform."):].rsplit(".", 1)[0]
    return key if key in levers else None


def describe(exc: InputError, req: dict, levers, kind) -> dict:
    """{field, code, params} of an error, for the page to word in its language."""
    field = field_of(exc, levers)
    if isinstance(exc, FieldError):
        return {"field": field, "code": exc.code, "params": exc.params}
    text = exc.message
    if "empty" in text:
        return {"field": field, "code": "empty", "params": {}}
    if field in levers and "out of range" in text:
        from . import compute

        spec = next(s for s in compute.lever_specs() if s["path"] == field)
        scale = 100 if kind[field] == "share" else 1
        unit = "percent_unit" if kind[field] == "share" else "vnd_unit" if kind[field] == "vnd" else ""
        return {"field": field, "code": "range", "params": {"lo": spec["lo"] * scale, "hi": spec["hi"] * scale,
                                                            "unit": unit}}
    if field == "start" and exc.code == "unit_start":  # levers before a unit existed (planning.check_unit_start)
        from . import compute

        return {"field": field, "code": "unit_start", "params": {"year": compute.regions.MERGER_YEAR}}
    if field in ("year", "start") and "outside" in text:
        from . import compute

        try:
            sc = compute.scenario(req["scenario"], req["scheme"])
            return {"field": field, "code": "year_range", "params": {"lo": sc.start + 1, "hi": sc.end}}
        except Exception:  # noqa: BLE001 - the scenario itself is what is wrong
            pass
    if field == "target":
        return {"field": field, "code": "target_range", "params": {}}
    if exc.code == "plan_later":  # as of a year before the compared plan was decided
        return {"field": field, "code": "plan_later", "params": {}}
    if field == "compare":
        return {"field": field, "code": "other_region", "params": {}}
    if field == "scheme" and exc.code == "unit_scheme":  # a unit's labour layer (scenario.check_scheme)
        from . import compute

        return {"field": field, "code": "unit_scheme", "params": {"provinces": compute.former_provinces(req["scenario"])}}
    return {"field": field, "code": "invalid", "params": {}}


def label(field: str | None, lang: str) -> str:
    """The box's name as the page labels it."""
    if field is None:
        return ""
    if field in ("start", "target", "year", "compare", "scheme", "until"):
        return t({"start": "lever_start", "year": "target_year", "until": "as_of"}.get(field, field), lang)
    name, _, group = field.partition(".")
    return f"{t(name, lang)} — {t(field, lang)}" if group else t(name, lang)


def message(err: dict, lang: str) -> str:
    """An error's message in the language: what is wrong and what is allowed."""
    if err["code"] == "invalid" and lang == "en" and err.get("message"):
        return err["message"]  # the engine's own words, without the file it names
    params = dict(err.get("params") or {})
    if isinstance(params.get("provinces"), list):  # region ids, named in the language
        from .i18n import region_name

        params["provinces"] = ", ".join(region_name(r, lang) for r in params["provinces"])
    if "unit" in params:
        params["unit"] = say(params["unit"], lang) if params["unit"] else ""
    if isinstance(params.get("day"), str):  # an ISO day, as the language writes it
        params["day"] = day_text(params["day"], lang)
    bounds = [params[k] for k in ("lo", "hi") if isinstance(params.get(k), (int, float)) and not isinstance(params.get(k), bool)]
    large = any(abs(b) >= 1e6 for b in bounds)  # both bounds alike: '100.000 to 1.000.000.000', not '100000 to ...'
    for k in ("lo", "hi"):
        if isinstance(params.get(k), (int, float)) and not isinstance(params.get(k), bool):  # int after JSON
            params[k] = shown(params[k], lang) if not large else f"{params[k]:,.0f}".replace(
                ",", "." if lang == "vi" else ",")
    return say(err["code"], lang, **params)


#: A target below this share is almost surely a share typed into the percent box.
SMALL_TARGET = 0.05

ERROR_STYLE = {"color": "#b00020", "fontSize": "12px"}
WARNING_STYLE = {"color": "#8a5a00", "fontSize": "12px"}
STALE_STYLE = {"opacity": 0.4, "filter": "grayscale(1)"}


def box_id(field: str) -> dict:
    return {"type": "field-error", "field": field.replace(".", "__")}


def beside(s: dict | None, lang: str, names: list[str],
           pending: bool = False) -> tuple[list[tuple[str, str] | None], dict, str]:
    """For each box in `names`: (kind 'error'/'warning', text) or None; the results' style; the note
    over them. An invalid input greys the last valid results (they no longer answer the page), and
    so does a request still `pending` (being computed, or stopped with the Stop button): the results
    on screen are of the input before, which the boxes no longer show."""
    out: dict[str, tuple[str, str] | None] = {n: None for n in names}
    style, note = {}, ""
    if pending:  # the boxes' messages were of the earlier input too
        return [None] * len(names), STALE_STYLE, say("pending", lang)
    if s and s.get("error") and s.get("kind") == "input":
        # a box to correct, or a choice the error names (the scheme of a merged province, say)
        style, note = STALE_STYLE, say("stale" if s.get("field") in out else "stale_choice", lang)
        if s.get("field") in out:
            out[s["field"]] = ("error", message(s, lang))
    elif s and not s.get("error"):
        if "start" in out and s["start"] > s["report"]["year"]:
            out["start"] = ("warning", say("start_after_year", lang, start=s["start"], year=s["report"]["year"]))
        if "target" in out and s["report"]["target"] < SMALL_TARGET:  # '0,9' meant as a share, read as 0.9%
            out["target"] = ("warning", say("target_small", lang, target=shown(100 * s["report"]["target"], lang)))
        for r in s.get("assumptions", {}).get("capped", []):  # a top-up beyond what the state can pay
            if r["path"] in out and out[r["path"]] is None:
                out[r["path"]] = ("warning", say("lever_capped_moot", lang, year=r["from"]) if r["counts_as"] is None
                                  else say("lever_capped", lang, year=r["from"], counts=shown(100 * r["counts_as"], lang),
                                           national=shown(100 * r["national"], lang)))
        for r in s.get("assumptions", {}).get("supersedes", []):  # a value set now over a change decided later
            if r["path"] in out and out[r["path"]] is None:
                day = day_text(r["from"], lang)
                out[r["path"]] = ("warning", say("lever_replaces", lang, later=_lever_shown(r["path"], r["replaces"], lang),
                                                 day=day, reference=_reference(s, r["reference"], lang)))
        # under the national share: a test of national policy (a replaced decision, above, is said first)
        for r in s.get("assumptions", {}).get("below_national", []):
            if r["path"] in out and out[r["path"]] is None:
                out[r["path"]] = ("warning", say("lever_below_national", lang, year=r["from"],
                                                 national=shown(100 * r["national"], lang)))
    return [out[n] for n in names], style, note


def pending(answer: dict | None, request: dict | None) -> bool:
    """The answer on screen is an older request's: the page's request went to the background job
    and is being computed, or was stopped (Stop) before its answer came."""
    return bool(answer and request and answer.get("id") != request.get("id"))


def _reference(s: dict, reference: str, lang: str) -> str:
    """A replaced value's document: the plan's title where it is the scenario's own (a plan's later
    value a lever set from an earlier year replaces), else the policy row's legal reference."""
    from . import compute
    from .brief_text import plan_name

    try:
        own = compute.scenario(s["scenario"], s["scheme"]).source
    except Exception:  # noqa: BLE001 - a scenario that no longer loads: its reference as written
        own = None
    return plan_name(s["scenario"], lang, s["scheme"]) if own and reference == own else legal_reference(reference, lang)


def _lever_shown(path: str, value: float, lang: str) -> str:
    """A lever's value as its box shows it: a share in percent, anything else as it is."""
    from .compute import lever_specs

    kind = next((s["kind"] for s in lever_specs() if s["path"] == path), "share")
    return f"{shown(100 * value, lang)}%" if kind == "share" else shown(value, lang)


def register(app) -> None:
    """Beside each box its error (or the lever-start warning); the results greyed with a note while
    the input on the page is not valid."""
    from dash import ALL, Input, Output, ctx, html

    @app.callback(Output({"type": "field-error", "field": ALL}, "children"), Output("results", "style"),
                  Output("stale-note", "children"), Input("answer", "data"), Input("request", "data"),
                  Input("lang", "value"))
    def beside_the_field(s, req, lang):
        names = [o["id"]["field"].replace("__", ".") for o in ctx.outputs_list[0]]
        found, style, note = beside(s, lang, names, pending(s, req))
        boxes = [None if f is None else html.Span(f[1], className=f"field-{f[0]}",
                                                  style=ERROR_STYLE if f[0] == "error" else WARNING_STYLE)
                 for f in found]
        return boxes, style, note
