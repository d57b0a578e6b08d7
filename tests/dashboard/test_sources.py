"""Every source the outputs can cite has its Vietnamese citation (issue #41): a walk over the shipped
tables' `source` column, with no browser and no run."""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from covsim.dashboard import sources

_spec = importlib.util.spec_from_file_location("leaks", Path(__file__).with_name("leaks.py"))
leaks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(leaks)

SHOWN = sorted({text for _, _, text in sources.shown()})


def test_every_source_an_output_can_show_has_its_vietnamese_citation():
    found = sources.missing()
    assert not found, "\n".join(found)


def test_the_walk_covers_the_observed_points_the_targets_and_the_districts():
    names = {path.name for path, _, _ in sources.shown()}
    assert {"coverage.csv", "lai_chau_districts.csv"} <= names
    assert len(SHOWN) >= 40  # the shipped coverage table alone cites more than 40 documents and reports


@pytest.mark.parametrize("text", SHOWN)
def test_each_citation_speaks_only_its_language(text):
    vi = sources.source_label(text, "vi")
    assert vi != text and not leaks.leaks(vi, "vi"), (text, vi, leaks.leaks(vi, "vi"))
    en = sources.source_label(text, "en")
    unquoted = re.sub(r"(?<!\w)'[^'\n]*'(?!\w)", "", en)  # a Vietnamese title quoted as written
    assert not leaks.leaks(unquoted, "en"), (text, en)
    for own in ("seed 0", "domain.md"):  # the project's own references never reach a reader
        assert own not in vi and own not in en


def test_the_legal_reference_is_kept():
    """The document's number and date as the data state them, in the Vietnamese form."""
    assert sources.source_label("Decision 538/QD-TTg (2013), per domain.md section 3", "vi") == \
        "Quyết định số 538/QĐ-TTg năm 2013 của Thủ tướng Chính phủ"
    citation = sources.source_label("Plan 72/KH-UBND Can Tho 2024-04-03 (seed 002), section II.2.c", "vi")
    assert citation.startswith("Kế hoạch số 72/KH-UBND ngày 03/4/2024") and citation.endswith("mục II.2.c")


def test_the_key_is_the_text_with_its_spaces_normalised():
    assert sources.source_label("  MoH ", "vi") == sources.source_label("MoH", "vi") == "Bộ Y tế"
    assert sources.source_label(None, "vi") is None


def test_a_source_the_catalogue_lacks_shows_as_written_less_the_projects_references():
    assert sources.source_label("Cuc Thong ke 2031 (seed 009), per domain.md section 4", "vi") == "Cuc Thong ke 2031"


def _with_a_new_row(tmp_path: Path) -> tuple[Path, int]:
    for name in sources.shown_tables():
        shutil.copy(sources.shipped_folder() / f"{name}.csv", tmp_path)
    copy = tmp_path / "coverage.csv"
    with open(copy, "a", encoding="utf-8") as f:
        f.write("vietnam,2031,bhyt,all,0.99,share_of_population,observed,Hypothetical bulletin 2031,\n")
    return copy, len(copy.read_text(encoding="utf-8").splitlines())


def test_a_new_row_without_a_citation_is_named_by_file_line_and_text(tmp_path):
    copy, line = _with_a_new_row(tmp_path)
    found = sources.missing(tmp_path, ("coverage",))
    assert found == [f"{copy} line {line}: source 'Hypothetical bulletin 2031' has no entry in section 'source' of "
                     "dashboard/locale/vi.po and en.po; add its Vietnamese citation with tools/catalogue.py set "
                     "source 'Hypothetical bulletin 2031' VI EN (the key: the text with its runs of white space made "
                     "one space)"]


def test_a_source_with_doubled_spaces_is_keyed_as_it_is_looked_up(tmp_path, monkeypatch):
    """`set source 'TEXT AS WRITTEN'` with a doubled space wrote an entry that the lookup (by the text
    with its white space normalised) never found: the message gives the key, and `set` normalises it."""
    for name in sources.shown_tables():
        shutil.copy(sources.shipped_folder() / f"{name}.csv", tmp_path)
    copy = tmp_path / "coverage.csv"
    with open(copy, "a", encoding="utf-8") as f:
        f.write("vietnam,2031,bhyt,all,0.99,share_of_population,observed,Hypothetical  bulletin 2031,\n")
    (found,) = sources.missing(tmp_path, ("coverage",))
    assert "set source 'Hypothetical bulletin 2031' VI EN" in found
    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    saved = {}
    monkeypatch.setattr(tool, "save", lambda lang, catalog: saved.setdefault(lang, catalog))
    assert tool.main(["set", "source", "Hypothetical  bulletin 2031", "Bản tin giả định 2031", "Hypothetical bulletin"]) == 0
    for lang in ("vi", "en"):
        assert saved[lang].get("Hypothetical bulletin 2031", context="source") is not None
        assert saved[lang].get("Hypothetical  bulletin 2031", context="source") is None


def test_the_catalogue_tool_reports_it_too(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("catalogue_tool", Path(__file__).parents[2] / "tools" / "catalogue.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.untranslated_sources() == []
    _with_a_new_row(tmp_path)
    monkeypatch.setattr(sources, "shipped_folder", lambda: tmp_path)
    assert [p for p in tool.problems() if "Hypothetical bulletin 2031" in p]
    assert tool.main(["check"]) == 2


def test_the_annex_says_of_each_source_whether_it_gives_observed_figures_or_targets():
    from covsim.dashboard.brief_content import cited

    directive = "Directive 06/CT-UBND Vinh Long 2018-04-10 (seed 004), preamble"
    s = {"observed": [{"source": directive}, {"source": "VSS"}], "targets": [{"source": directive}, {"source": directive}]}
    assert cited(s, "vi") == ["BHXH Việt Nam — quan sát",
                              "Chỉ thị số 06/CT-UBND ngày 10/4/2018 của UBND tỉnh Vĩnh Long, phần mở đầu — quan sát; "
                              "chỉ tiêu kế hoạch"]
    assert cited(s, "en")[0].endswith("preamble — observed; planned (target)")
