"""The briefing (HTML and Word) and the Excel export say nothing in the other language and no
internal id: a Lai Châu plan with a changed lever, the drive and a comparison, in both languages."""
from __future__ import annotations

import importlib.util
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest

from covsim.dashboard import brief_content, briefing, callbacks, catalogue

_spec = importlib.util.spec_from_file_location("leaks", Path(__file__).with_name("leaks.py"))
leaks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(leaks)

DRAWS = 40


@pytest.fixture(scope="module")
def summary():
    req = {"id": 1, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": 2017, "target": 96.8, "year": 2020,
           "compare": "lai_chau", "levers": {"state_share.near_poor": 90, "drive": 1}}
    s = callbacks.compute_request(req, DRAWS, 0)
    assert "error" not in s, s.get("error")
    return s


class _Visible(HTMLParser):
    """An HTML page's text as a reader sees it (not its scripts, styles or the run's JSON record)."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def _assert_clean(text: str, lang: str, what: str) -> None:
    if lang == "en":  # a Vietnamese document's title quoted in its citation stays as written
        text = re.sub(r"(?<!\w)'[^'\n]*'(?!\w)", "", text)  # not an apostrophe ("People's")
    found = leaks.leaks(text, lang)
    assert not found, f"{what} ({lang}): " + "\n".join(leaks.context(text, found))


def _workbook_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join([ws.title for ws in wb] + [str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                                                if isinstance(c.value, str)])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_briefing_html_and_word_speak_only_the_language(summary, lang):
    _assert_clean(visible(briefing.briefing_html(summary, lang)), lang, "HTML briefing")
    document = docx.Document(io.BytesIO(brief_content.render(summary, lang, ".docx")))
    text = "\n".join([p.text for p in document.paragraphs] +
                     [c.text for table in document.tables for row in table.rows for c in row.cells])
    _assert_clean(text, lang, "Word briefing")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_excel_speaks_only_the_language(summary, lang):
    _assert_clean(_workbook_text(briefing.to_excel(summary, lang)), lang, "Excel export")


def test_the_checker_catches_what_it_looks_for():
    assert leaks.leaks("Kịch bản lai_chau_plan_2016, seed 3", "vi") == ["lai_chau_plan_2016", "seed"]
    assert leaks.leaks("Nhóm law3 · near_poor+farm_household", "vi")[:2] == ["law3", "near_poor+farm_household"]
    assert leaks.leaks("Scenario: Kịch bản gốc", "en") == ["Kịch bản"]
    assert leaks.leaks("Households and pupils", "en") == []


def test_the_catalogue_has_both_languages_of_every_entry():
    """tools/catalogue.py check: no entry missing or empty in a language, the same {fields} in both."""
    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.problems() == []
    assert {"page", "scenario", "group", "plotly", "dropdown", "brief", "excel"} <= set(catalogue.sections())


def test_the_catalogue_files_are_as_the_tool_writes_them():
    """`tools/catalogue.py set` rewrote entries it was not asked to touch (hand-wrapped at another
    width): the files are kept as the tool writes them, so its diff is the entry it sets."""
    import io

    from babel.messages.pofile import write_po

    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for lang in tool.LOCALES:
        written = io.BytesIO()
        write_po(written, tool.load(lang), width=tool.WIDTH)
        assert written.getvalue() == (tool.FOLDER / f"{lang}.po").read_bytes(), lang


def test_the_catalogue_check_names_a_lever_plan_or_number_held_fixed_without_its_words(monkeypatch):
    """A new lever without its briefing sentence, a new shipped plan without its name, or a number held
    fixed without its sentence or (where its alternatives are tried) its name, is named by
    `check` (the recipes in docs/extending.md rely on it), not left to show an internal id."""
    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    real = catalogue.has
    monkeypatch.setattr(catalogue, "has", lambda section, key: real(section, key)
                        and (section, key) not in (("brief", "lever_drive"), ("scenario", "vinh_long_directive_2018"),
                                                   ("held_name", "required_cap"), ("fixed", "roadmap_ramp")))
    found = tool.unworded()
    assert any("held_name/required_cap: no entry for covsim.simulator.schemes.labour: alternatives of "
               "'required_cap'" in f for f in found)
    assert any("fixed/roadmap_ramp: no entry for covsim.simulator.schemes.health: held fixed 'roadmap_ramp'" in f
               for f in found)
    assert any("brief/lever_drive: no entry for simulator/inputs/levers.py: lever 'drive'" in f for f in found)
    assert any("scenario/vinh_long_directive_2018: no entry for scenarios/vinh_long_directive_2018.toml" in f
               for f in found)
    assert not any("scenario/vinh_long:" in f for f in found)  # a baseline is its region's policy in force


def test_the_catalogue_check_names_a_lever_sentence_field_the_briefing_cannot_fill(monkeypatch):
    # `{valeu}` passed the check and the briefing failed with KeyError: 'valeu'.
    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    real = catalogue.messages
    monkeypatch.setattr(catalogue, "messages", lambda lang: {**real(lang), ("brief", "lever_drive"): "x: {valeu}"})
    assert tool.unworded() == [f"dashboard/locale/{lang}.po: brief/lever_drive: {{valeu}} is no field the briefing "
                               "fills; allowed: {group}, {value}" for lang in ("vi", "en")]


@pytest.mark.parametrize("path, value, vi, en", [
    ("premium_rate", 0.045, "4,5%", "4.5%"),
    ("voluntary_subsidy.near_poor", 0.25, "25%", "25%"),
    ("base_salary", 2_340_000, "2.340.000", "2,340,000"),
    ("drive", 1.5, "+1,5", "+1.5"),
])
def test_a_lever_value_is_shown_in_the_unit_its_registry_entry_gives(path, value, vi, en):
    assert vi in brief_content.lever_phrase(path, value, "vi")
    assert en in brief_content.lever_phrase(path, value, "en")


def test_a_lever_names_its_groups_as_it_means_them():
    # Voluntary BHXH's `other` (neither poor nor near-poor) read as BHTN's "workers not required to join".
    assert "other voluntary members (not of poor or near-poor households): 50%" in brief_content.lever_phrase(
        "voluntary_subsidy.other", 0.5, "en")
    assert "không thuộc hộ nghèo, cận nghèo" in brief_content.lever_phrase("voluntary_subsidy.other", 0.5, "vi")
    assert "members of near-poor households: 25%" in brief_content.lever_phrase("voluntary_subsidy.near_poor", 0.25,
                                                                                 "en")


def test_a_lever_without_a_sentence_is_named_by_its_label_never_its_id(monkeypatch):
    # docs/extending.md's lever had no sentence and read "pupil_support.pupil_student: +0.2".
    real = catalogue.has
    monkeypatch.setattr(catalogue, "has", lambda section, key: real(section, key) and key != "lever_local_top_up")
    text = brief_content.lever_phrase("local_top_up.pupil_student", 0.2, "en")
    assert text == "Local top-up (pupils and students): 20%"
    assert "local_top_up" not in brief_content.lever_phrase("local_top_up.pupil_student", 0.2, "vi")


@pytest.fixture(scope="module")
def observed_summary():
    """A plan whose region has observed points as well as targets (Lai Châu's data have none)."""
    req = {"id": 2, "scenario": "ho_chi_minh_city_plan_2012", "scheme": "bhyt", "start": 2013, "target": 80,
           "year": 2020, "levers": {}}
    s = callbacks.compute_request(req, DRAWS, 0)
    assert "error" not in s, s.get("error")
    assert s["observed"] and s["targets"]
    return s


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sources_of_observed_points_and_targets_speak_the_language(observed_summary, lang):
    from covsim.dashboard import figures

    s = observed_summary
    _assert_clean(_workbook_text(briefing.to_excel(s, lang)), lang, "Excel export")
    page = visible(briefing.briefing_html(s, lang))
    _assert_clean(page, lang, "HTML briefing")
    hovers = "\n".join(str(x) for trace in figures.fan_chart(s, lang)["data"] for x in [trace.get("name")] +
                       list(trace.get("text") or []))
    _assert_clean(hovers, lang, "chart hovers")
    if lang == "vi":
        assert "Quyết định số 5063/QĐ-UBND ngày 02/10/2012 của UBND Thành phố Hồ Chí Minh" in page
        assert "— quan sát" in page and "— chỉ tiêu kế hoạch" in page
        assert "Quyết định số 5063/QĐ-UBND" in hovers
