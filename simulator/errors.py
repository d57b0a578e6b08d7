"""One error type for every input the user or the shipped data can get wrong.

The CLI turns it into one line on stderr and exit status 2; the dashboard shows it in the page.
"""
from __future__ import annotations

import difflib


class InputError(ValueError):
    """Bad input: names the file, the key and what is allowed. `code` names the kind of problem
    for a face that words it in its own language (the dashboard), where one is given."""

    def __init__(self, where: str, key: str | None, message: str, code: str | None = None):
        self.where = str(where)
        self.key = key
        self.message = message
        self.code = code
        if key == "":  # an empty value typed for the key (`covsim target ""`): shown as such, not dropped
            key = "''"
        text = f"{self.where}: {key}: {message}" if key else f"{self.where}: {message}"
        super().__init__(one_line(text))


def one_line(text: str) -> str:
    """`text` with control characters (a newline typed into an argument, say) shown escaped, so a
    message that quotes user input stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def nearest(name: str, allowed, shown: dict | None = None) -> str:
    """A ' (did you mean X?)' hint, or '' when nothing is close; `shown` words a match otherwise
    (a lever sought by its short name, named by its path)."""
    allowed = [str(a) for a in allowed]
    by_lower = {a.lower(): a for a in allowed}  # 'LAI_CHAU' is 'lai_chau' in capitals
    match = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.5)
    return f" (did you mean '{(shown or {}).get(by_lower[match[0]], by_lower[match[0]])}'?)" if match else ""


class InputErrors(InputError):
    """Several problems found in one input (a workbook, cell by cell): one line each, all reported."""

    def __init__(self, lines: list[str]):
        self.lines = [one_line(line) for line in lines]
        first = self.lines[0] if self.lines else "no problems"
        super().__init__(first.partition(": ")[0], None, first.partition(": ")[2])

    def __str__(self) -> str:
        return "\n".join(self.lines)
