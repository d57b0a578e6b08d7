"""The briefing as one self-contained HTML page fit to print (A4): the same content and chart
images as the Word and PDF briefings, the run's reproducibility record as JSON for machines."""
from __future__ import annotations

from typing import TYPE_CHECKING

import base64
import html
import json

from . import brief_charts
from .brief_text import b, no_change_text

if TYPE_CHECKING:  # the content's type only: brief_content picks these renderers
    from .brief_content import Briefing

PRINT_CSS = """
body { font-family: system-ui, 'Segoe UI', Arial, sans-serif; margin: 24px auto; max-width: 900px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 22px; border-bottom: 1px solid #ccc; }
h3 { font-size: 14px; margin: 14px 0 4px; } .plan { color: #333; } .muted { color: #555; font-size: 12px; }
p.lead { font-size: 15px; line-height: 1.5; }
table { border-collapse: collapse; font-size: 13px; width: 100%; } td, th { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }
th { background: #f5f5f5; text-align: left; font-weight: normal; } td.n { text-align: right; white-space: nowrap; }
figure { margin: 10px 0; } figcaption { font-weight: bold; font-size: 13px; } img { width: 100%; height: auto; }
@media print { @page { size: A4; margin: 14mm; } body { margin: 0; max-width: none; }
  figure { page-break-inside: avoid; } h2, h3 { page-break-after: avoid; } }
"""


def _e(x) -> str:
    return html.escape(str(x))


def to_html(brief: Briefing, s: dict) -> str:
    from . import compute

    lang = brief.lang
    numbers = "".join(f"<tr><th>{_e(k)}</th><td class='n'>{_e(v)}</td></tr>" for k, v in brief.key_numbers)
    charts = "".join(
        f"<figure><figcaption>{_e(caption)}</figcaption><img alt='{_e(caption)}' src='data:image/png;base64,"
        f"{base64.b64encode(brief_charts.png(key, s, lang)).decode()}'></figure>" for key, caption in brief.charts)
    changes = ("<table>" + "".join(f"<tr><td>{_e(w)}</td><td>{_e(st)}</td><td>{_e(src)}</td></tr>"
                                   for w, st, src in brief.changes) + "</table>") if brief.changes \
        else f"<p>{_e(no_change_text(s, lang))}</p>"
    sources = "".join(f"<li>{_e(x)}</li>" for x in brief.sources)
    repro = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in brief.reproduce)
    record = json.dumps({"scenario": s["scenario"], "scheme": s["scheme"], "changed": s["changed"],
                         "start": s["start"], "target": s["report"]["target"], "year": s["report"]["year"],
                         "probability": s["report"]["probability"], "assumptions": s["assumptions"],
                         **({"as_of": s["as_of"]} if "as_of" in s else {}),
                         **({"compare": compute.compared(s)} if s.get("compare") else {})},
                        ensure_ascii=False)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_e(brief.title)}</title><style>{PRINT_CSS}</style></head>
<body>
<h1>{_e(brief.title)}</h1>
<p class="plan">{_e(brief.plan)}</p>
<p class="muted">{_e(brief.stamp)}</p>
<p class="lead">{_e(brief.paragraph)}</p>
<h2>{_e(b('key_numbers', lang))}</h2><table>{numbers}</table>
<h2>{_e(b('charts', lang))}</h2>{charts}
<h2>{_e(b('annex', lang))}</h2>
<h3>{_e(b('a_changes', lang))}</h3>{changes}
<h3>{_e(b('a_model', lang))}</h3><p>{_e(brief.method)}</p>
<h3>{_e(b('a_sources', lang))}</h3><ul class="muted">{sources}</ul>
<h3>{_e(b('a_repro', lang))}</h3><table>{repro}</table>
<script type="application/json" id="covsim-run">{html.escape(record, quote=False)}</script>
</body></html>"""
