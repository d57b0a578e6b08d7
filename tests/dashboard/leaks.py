"""What must not show in a reader's language: the registries' ids and, in Vietnamese, English words
(in English, Vietnamese ones). Shared by test_i18n_exports.py and the browser test."""
from __future__ import annotations

import re

from covsim.dashboard import i18n

#: English a Vietnamese reader met on the page, the briefing or the exports (issue #41), and the
#: words of the model's own vocabulary that a Vietnamese text must say in Vietnamese.
ENGLISH = ("seed", "log-odds", "logodds", "draw", "draws", "baseline", "Download plot", "Zoom", "Search", "Autoscale",
           "Reset axes", "No options found", "coverage", "probability", "target", "scenario", "median", "observed",
           "planned", "assumed", "budget", "state", "outreach", "enforcement", "vs", "lever", "policy", "group",
           "year", "people", "Plotly") + (
    # the words of the data's sources (their `source` column), which a Vietnamese reader must meet as
    # a Vietnamese official cites them (dashboard/sources.py)
    "Decision", "Resolution", "Directive", "Plan", "Law", "census", "survey", "report", "section", "annex",
    "preamble", "header row", "PPC", "People's Committee", "Prime Minister", "Party Central Committee", "plenum",
    "MoH", "Ministry", "VSS", "Social Security", "VNA", "World Bank", "Government portal", "newspaper", "via", "per",
    "as quoted", "source not named", "figure", "Jan", "Apr", "Jun", "domain.md")
#: Vietnamese an English reader must not meet.
VIETNAMESE = ("Tỷ lệ", "Kịch bản", "người", "đồng", "Năm", "Chính sách", "Xác suất", "Tìm kiếm", "mô hình",
              "giả định", "Tải", "bao phủ", "Mục tiêu", "Nhóm", "huyện", "ngân sách", "Phóng to",
              "Quyết định", "Nghị quyết", "Chỉ thị", "Kế hoạch", "Thủ tướng", "mục", "phụ lục", "Bộ Y tế",
              "Ngân hàng Thế giới", "Báo", "tháng")


def _ids(lang: str) -> list[str]:
    ids = sorted(i18n.internal_ids())
    if lang == "en":  # a plain English word ('household', 'drive') is not told apart from the id
        ids = [i for i in ids if re.search(r"[_.+0-9]", i)]
    return ids


def leaks(text: str, lang: str) -> list[str]:
    """The ids and other-language words found in `text` (empty: none)."""
    found = [i for i in _ids(lang) if re.search(rf"(?<![\w.+]){re.escape(i)}(?![\w+]|\.\w)", text)]
    words = ENGLISH if lang == "vi" else VIETNAMESE
    found += [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]
    return found


def context(text: str, words: list[str]) -> list[str]:
    """Each word where it stands, for the failure message."""
    out = []
    for w in words:
        m = re.search(re.escape(w), text, re.IGNORECASE)
        out.append(f"{w!r}: …{text[max(0, m.start() - 60):m.end() + 60]}…" if m else w)
    return out
