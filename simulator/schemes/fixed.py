"""A number the model holds fixed: assumed, not fitted, and said so with every result.

Each is declared once, beside the number itself (`FIXED` in `parameters.py`, `health.py`,
`labour.py`): a key, the sentence in English with {fields}, the fields' values, and where it can
move coverage a lower and a higher alternative (assumed too). The run's provenance records the
English sentence; the dashboard's catalogue (section `fixed`) gives the same sentence in
Vietnamese from the same values.

A plan's verdict must not hang on a number nobody measured: `held_at` swaps a number for one of its
alternatives for the code run inside it (the model reads `now()`), so a refit and a run under the
other value say how far the verdict moves (`calibration/held_fixed.py`). The swap is a context
variable, seen by this thread only, and the run's provenance records the value it used.

A number that belongs to a law names it (`document`, decisions.csv's `match`): a run that knows
policy only by an earlier day ("as of" a year) does not hold it, or holds what `before` says
instead, so a forecast as of 2013 does not cite Law 46/2014 (`on`).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from ..inputs.decisions import known_by

#: The numbers swapped for an alternative in the running context: id(Fixed) -> values.
_HELD: ContextVar[Mapping] = ContextVar("covsim_held_fixed", default=MappingProxyType({}))


@dataclass(frozen=True, eq=False)
class Alternative:
    """Another value a number held fixed could plausibly take (assumed), and a short label."""

    label: str  # e.g. "x0", "5 years"
    values: dict  # the fields it replaces


@dataclass(frozen=True, eq=False)
class Fixed:
    key: str
    text: str  # English, with {fields}
    values: dict = field(default_factory=dict)  # numbers, lists of numbers, {group: number}
    #: (lower, higher): the alternatives tried for the verdict; none where coverage does not read it.
    alternatives: tuple[Alternative, ...] = ()
    #: The document the number belongs to (decisions.csv's `match`); "" for none.
    document: str = ""
    #: English, with {fields}: what the number holds in a run that does not know `document` yet;
    #: "" where it is idle there (the drive of a law not passed yet).
    before: str = ""

    def key_on(self, day) -> str | None:
        """The key a run that knows policy by `day` (None: everything) words this number by: its
        own, `KEY.before` before its document was decided where it holds something then, else
        None (idle in that run, not said)."""
        if not self.document or day is None or known_by(self.document, day):
            return self.key
        return f"{self.key}.before" if self.before else None

    def text_on(self, day) -> str | None:
        """The number in English as a run that knows policy by `day` holds it (`key_on`)."""
        key = self.key_on(day)
        if key is None:
            return None
        text = (self.text if key == self.key else self.before).format(
            **{k: _english(v) for k, v in self.now().items()})
        return re.sub(r"\b1 years\b", "1 year", text)  # a ramp's one-year alternative

    def now(self) -> dict:
        """The values in force: the declared ones, or an alternative's inside `held_at`."""
        return {**self.values, **_HELD.get().get(id(self), {})}

    def __getitem__(self, name: str):
        return self.now()[name]

    @contextmanager
    def held_at(self, alternative: Alternative):
        """Run the code inside with this number at `alternative`'s values."""
        token = _HELD.set({**_HELD.get(), id(self): dict(alternative.values)})
        try:
            yield self
        finally:
            _HELD.reset(token)

    def __str__(self) -> str:
        return self.text_on(None)


def on(items, day) -> tuple[Fixed, ...]:
    """The numbers of `items` a run that knows policy by `day` holds (None: all of them)."""
    return tuple(f for f in items if f.key_on(day) is not None)


def _english(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:g}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def scaled(values: dict, name: str, factor: float) -> dict:
    """`values` with the field `name` (a number, a list or a {key: number} table) times `factor`."""
    v = values[name]
    if isinstance(v, dict):
        return {name: {k: round(x * factor, 4) + 0.0 for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return {name: tuple(round(x * factor, 4) + 0.0 for x in v)}
    return {name: round(v * factor, 4) + 0.0}


def times(values: dict, name: str, *factors: float) -> tuple[Alternative, ...]:
    """Alternatives that multiply the field `name` by each factor, labelled 'x0', 'x1.33', ..."""
    return tuple(Alternative(f"x{round(f, 2):g}", scaled(values, name, f)) for f in factors)


#: A ramp's alternatives: built up in one year, or over five.
RAMPS = (Alternative("1 year", {"years": 1}), Alternative("5 years", {"years": 5}))


def lapse_halves(price: float, outreach: float) -> Fixed:
    """Lapse's response to price and to outreach against joining's, held fixed, and its alternatives
    (0.25 and 1): one declaration for the health model and the labour layer, each its own number."""
    return Fixed("lapse_factors", "lapse responds to price and to outreach {price} and {outreach} times as strongly "
                 "as joining", {"price": price, "outreach": outreach},
                 (Alternative("0.25", {"price": 0.25, "outreach": 0.25}),
                  Alternative("1", {"price": 1.0, "outreach": 1.0})))


__all__ = ["Alternative", "Fixed", "RAMPS", "lapse_halves", "on", "scaled", "times"]
