"""When each policy row and target was decided: what a forecast "as of" a year may know.

A row's reference (policy_parameters.csv) or source (coverage.csv) names the documents that set it;
decisions.csv dates them. A policy value is known from the latest decision among the documents
that set it, which may be signed after it took effect (applied from an earlier day); a document
decided more than a year after it took effect only restated it and does not delay it; where a
document's date is not verified, the day the value took effect stands in (known no earlier than in
force: an as-of forecast then never knows it too early). A target is known from the latest dated
document among its sources, and unknown (None) where none is dated.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from . import tables


@lru_cache(maxsize=None)
def _documents() -> tuple[tuple[str, date | None], ...]:
    if not (tables.data_dir() / "decisions.csv").exists():  # a user's own data folder without dates:
        return ()  # every value is known from the day it took effect, every target undated
    table = tables.table("decisions")
    return tuple((row.match, row.decided) for row in table.itertuples(index=False))


def documents(text: str) -> list[tuple[str, date | None]]:
    """The dated documents a reference names."""
    return [(m, d) for m, d in _documents() if m and m in (text or "")]


#: A document decided more than this long after a value took effect restated it (Decree 105/2014 the
#: farm households' 2012 share, Law 58/2014 the retirement age of 2008); one decided sooner applied it
#: from an earlier day (Decision 797/QĐ-TTg, signed 26 June 2012, gave the near-poor 70% from 1
#: January 2012; Decree 47/2016 its base salary from 1 May 2016; Lai Châu's decision of 9 December
#: 2016 its top-ups from 1 January 2016) and was not known before it was signed.
RESTATED_AFTER_DAYS = 365


def policy_decided(reference: str, effective: date) -> date:
    """The day a policy value was decided: the latest of the documents that set it, never before
    the first of them was signed (a value applied from an earlier day); documents that only
    restated it later (`RESTATED_AFTER_DAYS`) do not delay it, and a value none of its documents
    set by then is known from the day it took effect. Undated documents count as of `effective`
    (an audit of 2026-12-06 found a run as of 1 May 2012 using Decision 797 of 26 June 2012)."""
    dates = [d or effective for _, d in documents(reference)]
    setting = [d for d in dates if (d - effective).days <= RESTATED_AFTER_DAYS]
    return max(setting) if setting else effective


def target_decided(source: str) -> date | None:
    """The day a target was set: the latest dated document of its source, None if none is dated."""
    dates = [d for _, d in documents(source) if d is not None]
    return max(dates) if dates else None


def documents_known(text: str, when: date) -> bool:
    """Whether what `text` names (a law's step, a target's source) was known on `when`: its latest
    dated document decided by then; never where none is dated."""
    decided = target_decided(text)
    return decided is not None and decided <= when


def knowledge_day(until: int | None, known: date | None = None) -> date | None:
    """The day an "as of" fit or run knows policy, laws and targets by: `known` if given (a target
    scored on the day it was set), else the end of the origin year `until`; None for a fit on the
    whole record, which knows everything."""
    if known is not None:
        return known
    return date(until, 12, 31) if until is not None else None


def known_by(name: str, when: date) -> bool:
    """Whether the document matched by `name` was decided on or before `when` (False if undated, or
    in a data folder without decisions.csv: never known too early)."""
    documents = _documents()
    for m, d in documents:
        if m == name:
            return d is not None and d <= when
    if not documents:
        return False
    raise KeyError(name)
