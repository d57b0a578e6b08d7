"""The briefing as a PDF (reportlab, pure Python: no office suite needed), A4, fit to print.

Vietnamese needs a font with its diacritics: DejaVu Sans, which matplotlib ships with itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import io
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import brief_charts
from .brief_text import b, no_change_text

if TYPE_CHECKING:  # the content's type only: brief_content picks these renderers
    from .brief_content import Briefing

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
    return {"body": base,
            "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=19, spaceAfter=4),
            "plan": ParagraphStyle("plan", parent=base, fontSize=10, textColor=colors.HexColor("#333333")),
            "muted": ParagraphStyle("muted", parent=base, fontSize=8, textColor=colors.HexColor("#555555")),
            "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=12, spaceBefore=10, spaceAfter=4),
            "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=10, spaceBefore=6, spaceAfter=2),
            "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
            "caption": ParagraphStyle("caption", parent=base, fontName=BOLD, fontSize=9, spaceBefore=6)}


def _table(rows, widths, st) -> Table:
    table = Table([[Paragraph(escape(str(x)), st["cell"]) for x in row] for row in rows],
                  colWidths=[w * cm for w in widths])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def to_pdf(brief: Briefing, s: dict) -> bytes:
    _fonts()
    st, lang = _styles(), brief.lang
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
                            bottomMargin=1.8 * cm, title=brief.title, lang=lang,
                            author="covsim", subject=brief.plan, creator="covsim")
    story = [Paragraph(escape(brief.title), st["title"]), Paragraph(escape(brief.plan), st["plan"]),
             Paragraph(escape(brief.stamp), st["muted"]), Spacer(1, 6),
             Paragraph(escape(brief.paragraph), st["body"]),
             Paragraph(escape(b("key_numbers", lang)), st["h2"]), _table(brief.key_numbers, (11.5, 5.5), st),
             Paragraph(escape(b("charts", lang)), st["h2"])]
    for key, caption in brief.charts:
        image = Image(io.BytesIO(brief_charts.png(key, s, lang)))
        scale = 16.5 * cm / image.imageWidth
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        story.append(KeepTogether([Paragraph(escape(caption), st["caption"]), image]))
    story += [Paragraph(escape(b("annex", lang)), st["h2"]), Paragraph(escape(b("a_changes", lang)), st["h3"]),
              _table(brief.changes, (9.0, 3.0, 5.0), st) if brief.changes
              else Paragraph(escape(no_change_text(s, lang)), st["body"]),
              Paragraph(escape(b("a_model", lang)), st["h3"]), Paragraph(escape(brief.method), st["body"]),
              Paragraph(escape(b("a_sources", lang)), st["h3"])]
    story += [Paragraph("• " + escape(x), st["cell"]) for x in brief.sources]
    story += [Paragraph(escape(b("a_repro", lang)), st["h3"]), _table(brief.reproduce, (6.0, 11.0), st)]
    doc.build(story)
    return out.getvalue()
