"""Coverage is insured over population, within [0, 1]: a share outside it is a bug, never data.

The engines clipped every share to [0, 1], which also hid a real breach. `share` still takes off
the rounding of a few persons' floating-point arithmetic, and refuses anything beyond it.
"""
from __future__ import annotations

import numpy as np

#: How far past [0, 1] a share may fall from floating-point rounding alone (a breach an audit of
#: 2026-12-06 saw at most 7e-16).
TOLERANCE = 1e-9


def share(values, what: str):
    """`values` (an array or a DataArray of insured / population; NaN where nobody lives) within
    [0, 1], its rounding past the bounds taken off; beyond `TOLERANCE`, a RuntimeError naming `what`."""
    raw = np.asarray(values)
    if raw.size and np.any(np.isfinite(raw)):
        lo, hi = float(np.nanmin(raw)), float(np.nanmax(raw))
        if lo < -TOLERANCE or hi > 1 + TOLERANCE:
            raise RuntimeError(f"{what} outside [0, 1] ({lo:.6g} to {hi:.6g}): insured and population disagree, a "
                               "bug in the engine; please report it with the command that gave it")
    return values.clip(0, 1) if hasattr(values, "clip") else np.clip(values, 0, 1)
