"""A number the model holds fixed: assumed, not fitted, and said so with every result.

Each is declared once, beside the number itself (`FIXED` in `parameters.py`, `health.py`,
`labour.py`): a key, the sentence in English with {fields}, and the fields' values. The run's
provenance records the English sentence; the dashboard's catalogue (section `fixed`) gives the
same sentence in Vietnamese from the same values.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fixed:
    key: str
    text: str  # English, with {fields}
    values: dict = field(default_factory=dict)  # numbers, lists of numbers, {group: number}

    def __str__(self) -> str:
        return self.text.format(**{k: _english(v) for k, v in self.values.items()})


def _english(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:g}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


__all__ = ["Fixed"]
