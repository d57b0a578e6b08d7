"""Sensitivity indices drawn for people: a text bar chart for the terminal and a PNG."""
from __future__ import annotations

import numpy as np
import pandas as pd


def bar_chart(table: pd.DataFrame, width: int = 40) -> str:
    """A text bar chart of the total indices, for the terminal."""
    lines = []
    name_w = max(len(f) for f in table.factor)
    for r in table.itertuples(index=False):
        st = max(float(r.ST), 0.0)
        bar = "#" * int(round(min(st, 1.0) * width))
        lines.append(f"{r.factor:<{name_w}}  {bar:<{width}}  ST {r.ST:5.3f}  S1 {r.S1:5.3f}")
    return "\n".join(lines)


def save_chart(table: pd.DataFrame, path, title: str, note: str = "") -> None:
    """A bar chart of first-order and total indices (matplotlib, no display; PNG, SVG or PDF by the
    suffix), with `note` (what reproduces it) under it and in the file's metadata: an image pasted
    into a report keeps its provenance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(t) + 1.5))
    y = np.arange(len(t))
    ax.barh(y + 0.2, t.ST.clip(lower=0), 0.4, xerr=t.ST_conf, label="total (ST)")
    ax.barh(y - 0.2, t.S1.clip(lower=0), 0.4, xerr=t.S1_conf, label="first order (S1)")
    ax.set_yticks(y, t.factor)
    ax.set_xlabel("Sobol index of coverage")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    if note:
        import textwrap

        lines = textwrap.wrap(note, 110)
        fig.subplots_adjust(bottom=fig.subplotpars.bottom + 0.1 * len(lines) / max(1.0, fig.get_size_inches()[1]))
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=6, color="#555555", va="bottom")
    suffix = str(path).lower().rsplit(".", 1)[-1]
    meta = {("Subject" if suffix == "pdf" else "Description"): note} if note else {}  # each format's own key
    # who wrote it, in each format's own field: `replaceable` reads it before a run replaces a file
    meta["Software" if suffix == "png" else "Creator"] = WRITER
    fig.savefig(path, dpi=110, metadata=meta)
    plt.close(fig)


#: The chart's writer in its metadata (PNG's Software, SVG's and PDF's Creator), plain bytes in all three.
WRITER = "covsim sensitivity"


def replaceable(path) -> bool:
    """True where nothing would be lost: no file, an empty one, or a chart covsim wrote (its
    metadata names the writer). A planner's own image under the name typed is not (an audit,
    2026-12-07: `--chart` replaced any file)."""
    from pathlib import Path

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return True
    return WRITER.encode() in path.read_bytes()  # a chart is small; a PDF's info dictionary is at its end
