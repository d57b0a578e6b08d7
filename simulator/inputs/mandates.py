"""Law 25/2008's enrolment roadmap: the day each voluntary group was made compulsory, dated.

The law (passed 14 Nov 2008) wrote when each group of Art. 12 must join (Art. 51(2)): pupils and
students from 2010, the near-poor from 2012, farm households and the rest by 2014. Compulsory
without a sanction, each step still brought a campaign: schools enrolled their pupils, communes
were given the near-poor's and farm households' enrolment to organise. The model ramps each step
in over `RAMP_YEARS` from the year it applies, per group, and a fitted `roadmap` strength
(parameters.py) says how far it moved joining. The steps were written in 2008, so a forecast as
of any year from 2009 knows them; `mandates.csv` is required (validate.py).
"""
from __future__ import annotations

from datetime import date

import numpy as np

from . import tables
from .decisions import documents_known
from .groups import GROUP_IDS

#: Years over which a step's campaign builds up, as Law 46/2014's household drive (assumed; held
#: fixed and listed with every run as `roadmap_ramp`, schemes/parameters.py).
RAMP_YEARS = 3


def mandate_ramp(years: list[int], known_by: date | None = None, ramp_years: int = RAMP_YEARS) -> np.ndarray:
    """(year, group): 0 before a group's step, rising by 1/`ramp_years` a year to 1 from its year;
    only steps whose law was decided by `known_by` (None: all) count. The model passes the number
    it holds fixed (`schemes/parameters.py`, ROADMAP_RAMP), so that its alternatives can be tried."""
    out = np.zeros((len(years), len(GROUP_IDS)))
    y = np.asarray(years, dtype=float)
    for row in tables.table("mandates").itertuples(index=False):
        if row.group not in GROUP_IDS:
            continue
        if known_by is not None and not documents_known(row.document, known_by):
            continue
        ramp = np.clip((y - row.effective.year + 1) / ramp_years, 0.0, 1.0)
        g = GROUP_IDS.index(row.group)
        out[:, g] = np.maximum(out[:, g], ramp)
    return out
