"""The briefing as a Word document (python-docx): what a planner edits and files with the
People's Committee. Content from `brief_content.briefing`, charts from `brief_charts`."""
from __future__ import annotations

from typing import TYPE_CHECKING

import io

from docx import Document
from docx.shared import Cm, Pt

from . import brief_charts
from .brief_text import b

if TYPE_CHECKING:  # the content's type only: brief_content picks these renderers
    from .brief_content import Briefing


def _table(doc, rows, widths) -> None:
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, widths):
            cell.width = Cm(width)
            cell.text = str(text)
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)


def to_docx(brief: Briefing, s: dict) -> bytes:
    lang = brief.lang
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    doc.core_properties.title = brief.title
    doc.core_properties.language = lang

    doc.add_heading(brief.title, level=1)
    sub = doc.add_paragraph()
    sub.add_run(brief.plan).italic = True
    sub.add_run("\n" + brief.stamp).font.size = Pt(9)
    doc.add_paragraph(brief.paragraph)

    doc.add_heading(b("key_numbers", lang), level=2)
    _table(doc, brief.key_numbers, (11.5, 5.5))

    doc.add_heading(b("charts", lang), level=2)
    for key, caption in brief.charts:
        doc.add_paragraph(caption).runs[0].bold = True
        doc.add_picture(io.BytesIO(brief_charts.png(key, s, lang)), width=Cm(16.5))

    doc.add_heading(b("annex", lang), level=2)
    doc.add_heading(b("a_changes", lang), level=3)
    if brief.changes:
        _table(doc, brief.changes, (9.0, 3.0, 5.0))
    else:
        doc.add_paragraph(b("changed_none", lang))
    doc.add_heading(b("a_model", lang), level=3)
    doc.add_paragraph(brief.method)
    doc.add_heading(b("a_sources", lang), level=3)
    for source in brief.sources:
        doc.add_paragraph(source, style="List Bullet")
    doc.add_heading(b("a_repro", lang), level=3)
    _table(doc, brief.reproduce, (6.0, 11.0))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
