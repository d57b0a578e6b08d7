"""Shipped data: tidy CSV tables, one fact a row, each with its kind and source.

Every table is validated on load (columns, types, allowed values); a corrupt or truncated file is
refused with one line naming the file, the row and what was expected.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .scheme_ids import SCHEMES

KINDS = ("observed", "planned", "assumed")
#: A date cell: year, month and day, as ISO 8601 writes them.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "float", "date"
    required: bool = True  # False: the cell may be empty
    allowed: tuple | None = None
    #: True: a file written before the column existed may leave it out of its header altogether
    #: (every cell of it then empty), so older data folders keep loading.
    may_be_absent: bool = False


def _cols(*spec):
    return tuple(Column(*s) if isinstance(s, tuple) else Column(s, "str") for s in spec)


_PROVENANCE = (("kind", "str", True, KINDS), ("source", "str"), ("note", "str", False))

#: The schema of every shipped table. Columns beyond these are refused, so a typo is caught.
SCHEMAS: dict[str, tuple[Column, ...]] = {
    # Coverage figures: observed points and planned targets, by region, year, scheme and group.
    "coverage": _cols(
        "region", ("year", "int"), ("scheme", "str", True, SCHEMES), "group",
        ("value", "float"), "unit", *_PROVENANCE,
    ),
    # Population totals by region and year.
    "population": _cols("region", ("year", "int"), ("value", "float"), "unit", *_PROVENANCE),
    # Census (and intercensal survey) totals by region and year, a province's own yearly estimates
    # (its region workbook) and the plans' own base-year populations: the points the population is
    # steered through (demography.target_totals).
    "census": _cols(
        "region", ("year", "int"), ("basis", "str", True, ("census", "survey", "estimate", "plan")), ("value", "float"),
        "unit", *_PROVENANCE,
    ),
    # Census structure: the shares of a region's population by sex and by broad age band.
    "census_structure": _cols(
        "region", ("year", "int"), ("dimension", "str", True, ("sex", "age")), "category", ("share", "float"),
        *_PROVENANCE,
    ),
    # Demographic rates by region (total fertility, life expectancy, net migration, ...).
    # A row with a year is that year's figure (the series is interpolated between such years and
    # held outside them, inputs/demography.py); a row without one holds for every year, as before
    # the column existed (a file without the column still loads).
    "demography": _cols("region", "parameter", ("year", "int", False, None, True), ("value", "float"), "unit",
                        *_PROVENANCE),
    # Dated policy parameters: value in force from `effective_from`, with its legal reference.
    "policy_parameters": _cols(
        "parameter", "region", ("group", "str", False), ("effective_from", "date"),
        ("value", "float"), "unit", ("kind", "str", True, KINDS), ("reference", "str"),
        ("note", "str", False),
    ),
    # When each law, decree, decision, resolution or plan was decided (and took effect): what an
    # "as of" forecast may know. `match` is the text that names it in a row's reference or source.
    "decisions": _cols(
        "document", "match", ("decided", "date", False), ("effective", "date", False),
        ("kind", "str", True, KINDS), ("source", "str"), ("note", "str", False),
    ),
    # Laws that made a voluntary group's enrolment compulsory, by group and the day it applies
    # (Law 25/2008's roadmap): the dated steps the `roadmap` drive ramps in from (inputs/mandates.py).
    "mandates": _cols("document", "group", ("effective", "date"), *_PROVENANCE),
    # Share of each age band of a region that belongs to each group, at a reference year.
    "group_shares": _cols(
        "region", "sex", ("age_from", "int"), ("age_to", "int"), "group", ("year", "int"),
        ("share", "float"), *_PROVENANCE,
    ),
    # The 2014 law's groups (with model subgroups) against the six groups of the 2008-era plans.
    "group_crosswalk": _cols(
        "group", ("law_group", "int"), "plan6_group", ("weight", "float"), "label_vi",
        "label_en", "source", ("note", "str", False),
    ),
    # Lai Chau annex (a): districts x 2016-2020, as printed.
    "lai_chau_districts": _cols(
        ("year", "int"), ("row", "str"), "district", ("insured", "int"), ("population", "int"),
        ("rate_stated", "float"), ("is_total", "int", True, ("0", "1")), *_PROVENANCE,
    ),
    # A province's communes and wards (from its region workbook): code and name as vietnam-provinces
    # lists the units since 1 July 2025, with their population and insured by year.
    "communes": _cols(
        "region", ("year", "int"), "code", "commune", ("insured", "int"), ("population", "int"), *_PROVENANCE,
    ),
    # Lai Chau annex (b): the law's groups and their subgroups x 2016-2020, as printed.
    "lai_chau_groups": _cols(
        ("year", "int"), ("row", "str"), ("level", "str", True, ("total", "group", "subgroup")),
        ("law_group", "int", False), ("parent", "str", False), "name_vi", ("model_group", "str", False),
        ("state_share", "float", False), ("insured", "int"), ("population", "int"),
        ("rate_stated", "float"), *_PROVENANCE,
    ),
    # Labour force and its split by scheme, by region and year.
    "labour_force": _cols(
        "region", ("year", "int"), "parameter", ("value", "float"), "unit", *_PROVENANCE,
    ),
    # Provincial units before and after 1 July 2025 and the country, with each unit's parent (the
    # unit it belongs to or became part of); generated by tools/make_regions.py, read by regions.py.
    "regions": _cols(
        "id", "name_vi", "name_en", ("unit_kind", "str", True, ("country", "province", "province_pre2025")),
        ("code", "str", False), ("parent", "str", False), ("valid_from", "date", False),
        ("valid_to", "date", False), ("population", "int", False), ("population_year", "int", False),
        ("population_kind", "str", False, KINDS), "source", ("note", "str", False),
        # A 2025 unit's population as Resolution 202/2025/QH15 states it (another measure than `population`).
        ("population_resolution", "int", False),
    ),
    # Average monthly income per person (VND) by region and year: the national series year by year,
    # provinces at one or more years (inputs/incomes.py).
    "income": _cols("region", ("year", "int"), ("value", "float"), "unit", *_PROVENANCE),
    # Households by number of persons (share of households), for the household group's ladder; the
    # year of the census that measured them (an as-of run reads those known by then: inputs/known.py;
    # a row without one holds whatever the day, as before the column existed).
    "household_sizes": _cols("region", ("size", "int"), ("share", "float"), ("year", "int", False, None, True),
                             *_PROVENANCE),
    # Dated rules of the labour-force schemes (BHXH, BHTN), as policy_parameters: retirement age,
    # voluntary contribution rate and income floor, BHTN scope, later voluntary subsidies.
    "labour_policy": _cols(
        "parameter", "region", ("group", "str", False), ("effective_from", "date"),
        ("value", "float"), "unit", ("kind", "str", True, KINDS), ("reference", "str"),
        ("note", "str", False),
    ),
}

DATA_PACKAGE = "covsim.simulator"


def data_override() -> str | None:
    """The folder COVSIM_DATA_DIR names in place of the shipped tables, resolved, else None: recorded
    beside the data hash, so a colleague knows the data were not the shipped ones and where they were."""
    override = os.environ.get("COVSIM_DATA_DIR")
    return str(Path(override).resolve()) if override else None


def data_dir() -> Path:
    """The shipped tables, or the folder named by COVSIM_DATA_DIR (a user's own data)."""
    override = os.environ.get("COVSIM_DATA_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files(DATA_PACKAGE).joinpath("data")))


def _parse_cell(col: Column, raw: str, where: str, line: int):
    raw = raw.strip()
    key = f"row {line}, column '{col.name}'"
    if raw == "":
        if col.required:
            raise InputError(where, key, "empty; a value is required")
        return "" if col.dtype == "str" else None
    if col.allowed is not None and raw not in col.allowed:
        raise InputError(where, key, f"'{raw}' is not allowed; allowed: {', '.join(col.allowed)}")
    if col.dtype == "date" and not ISO_DAY.fullmatch(raw):  # 01/05/2009 is read two ways; "now" is no day
        raise InputError(where, key, f"'{raw}' is not a date written YYYY-MM-DD (2009-05-01)")
    try:
        if col.dtype == "int":
            return int(raw)
        if col.dtype == "float":
            value = float(raw)
            if value != value:  # NaN
                raise ValueError
            return value
        if col.dtype == "date":
            return date.fromisoformat(raw)
    except (ValueError, TypeError):
        raise InputError(where, key, f"'{raw}' is not a valid {col.dtype}") from None
    return raw


def parse_table(name: str, text: str, where: str) -> pd.DataFrame:
    """Validate CSV text against the schema `name`; one-line InputError on the first fault."""
    errors: list[InputError] = []
    frame, _ = parse_all(name, text, where, errors)
    if errors:
        raise errors[0]
    return frame


def filled(value) -> bool:
    """A filled cell: a parsed table holds None or NaN where the CSV cell is empty."""
    return value is not None and value == value and value != ""


def parse_all(name: str, text: str, where: str, errors: list) -> tuple[pd.DataFrame | None, list[int]]:
    """Parse CSV text against the schema `name`, appending every fault to `errors` (one per bad
    cell or row) rather than stopping at the first: `covsim check-data` reports them all. The
    rows that parse are returned (None when the file cannot be read at all) with their line
    numbers, for the checks of values that follow."""
    schema = SCHEMAS[name]
    if not text.strip():
        errors.append(InputError(where, None, "file is empty"))
        return None, []
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        errors.append(InputError(where, "header", f"unreadable CSV ({exc})"))
        return None, []
    expected = [c.name for c in schema]
    older = [c.name for c in schema if not c.may_be_absent]
    if header == older and older != expected:  # a file from before the optional columns: they stay empty
        fill = [c.may_be_absent for c in schema]
    elif header != expected:
        errors.append(InputError(where, "header", f"columns {header} do not match; expected {expected}"))
        return None, []
    else:
        fill = [False] * len(schema)
    width = len(schema) - sum(fill)
    rows, lines, line = [], [], 1
    try:
        for line, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != width:
                errors.append(InputError(
                    where, f"row {line}",
                    f"has {len(cells)} fields, expected {width} (truncated or corrupt file?)",
                ))
                continue
            if width != len(schema):
                given = iter(cells)
                cells = ["" if absent else next(given) for absent in fill]
            row, ok = [], True
            for c, v in zip(schema, cells):
                try:
                    row.append(_parse_cell(c, v, where, line))
                except InputError as exc:
                    errors.append(exc)
                    ok = False
            if ok:
                rows.append(row)
                lines.append(line)
    except csv.Error as exc:
        errors.append(InputError(where, f"row {reader.line_num}", f"unreadable CSV ({exc})"))
        return None, []
    if not text.endswith("\n"):
        errors.append(InputError(where, f"row {line}", "file does not end with a newline (truncated?)"))
    if not rows and not errors:
        errors.append(InputError(where, None, "has a header but no rows"))
    return pd.DataFrame(rows, columns=expected), lines


def read_table(name: str, directory: Path | None = None) -> pd.DataFrame:
    """Load and validate one shipped table (or one in `directory`, for tests and overrides); the
    data in use (no `directory`) also hold the rows of the regions a user registered."""
    if name not in SCHEMAS:
        raise KeyError(name)
    path = (directory or data_dir()) / f"{name}.csv"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "data file is missing") from None
    if directory is None:
        AS_READ.setdefault(path, raw)  # what `data_hash` names: the bytes the tables in use hold
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not valid UTF-8 at byte {exc.start} (corrupt file?)") from None
    table = parse_table(name, text, str(path))
    if directory is None:
        from .user_data import with_user_rows

        table = with_user_rows(name, table, parse_table, AS_READ)
    return table


@lru_cache(maxsize=None)
def table(name: str) -> pd.DataFrame:
    """The shipped table `name`, validated once per process. Treat as read-only."""
    return read_table(name)


#: Each data file's bytes as this process first read them (the shipped or COVSIM_DATA_DIR tables,
#: a registered region's): `data_hash` hashes these, not the file as it is now, so a long-running
#: process (the dashboard) whose files were edited after it read them records the data its numbers
#: came from (it recorded the new files' hash beside the old tables' numbers).
AS_READ: dict[Path, bytes] = {}


def reload() -> None:
    """Read the tables afresh on their next use (a region registered, a fit written), and hash those."""
    table.cache_clear()
    AS_READ.clear()


def optional_table(name: str) -> pd.DataFrame:
    """A table that need not ship (a province's communes): the shipped rows if the file exists, else
    none, with the rows of the regions a user registered. Read afresh: small, and rarely asked."""
    if (data_dir() / f"{name}.csv").exists():
        return read_table(name)
    from .user_data import with_user_rows

    empty = pd.DataFrame({c.name: pd.Series(dtype=object) for c in SCHEMAS[name]})
    return with_user_rows(name, empty, parse_table, AS_READ)


#: How many results a reader keeps by `kept_for` before it starts afresh.
KEPT = 256


def kept_for(frame: pd.DataFrame, store: dict, key, compute):
    """`compute()`, kept in `store` under `key` while `frame` is the table loaded: another data
    folder, or the tables read afresh (a region registered while the dashboard runs), is read anew
    rather than answered with what was read before. At most KEPT results a store."""
    hit = store.get(key)
    if hit is not None and hit[0] is frame:
        return hit[1]
    if len(store) >= KEPT:
        store.clear()
    out = compute()
    store[key] = (frame, out)
    return out


def user_data_files() -> list[dict]:
    """The user's own files, each with its own hash: the registered regions' tables (which
    `data_hash` covers) and the posteriors fitted or weighed for them (`posterior.nc`, which a run's
    draws come from: two folders with the same tables but weighed with other seeds differ there). A
    record names what of a user's data folder a colleague needs, and which file differs."""
    from .user_data import region_dirs

    dirs = region_dirs()  # once: each table's files are looked for in the same folders
    tables_ = [d / f"{name}.csv" for name in sorted(SCHEMAS) for d in dirs if (d / f"{name}.csv").exists()]
    fits = [d / "posterior.nc" for d in dirs if (d / "posterior.nc").is_file()]
    return [{"file": f"{path.parent.name}/{path.name}",
             "sha256": hashlib.sha256(AS_READ.get(path) or path.read_bytes()).hexdigest()[:16]}
            for path in [*tables_, *fits]]


def data_hash(directory: Path | None = None) -> str:
    """Content hash of every shipped table: recorded in outputs so a run is reproducible.

    Hashed again only when what it covers changed: the bytes as read (`AS_READ`, held here by
    reference, so the same object means the same content) or a file's size and time on disk. A
    dashboard's lever move asked for it twice, some 6 ms each."""
    root = directory or data_dir()
    seen = AS_READ if directory is None else {}
    parts = []  # (label, path, its bytes as read, or its (size, mtime) on disk)
    for name in sorted(SCHEMAS):
        path = root / f"{name}.csv"
        if path in seen or path.exists():
            parts.append((name, path))
    if directory is None:  # a user's registered regions are part of the data a run used
        from .user_data import region_dirs

        dirs = region_dirs()
        for name in sorted(SCHEMAS):
            parts += [(f"{d.name}/{name}", d / f"{name}.csv") for d in dirs if (d / f"{name}.csv").exists()]
    state = tuple((label, path, seen[path] if path in seen else _on_disk(path)) for label, path in parts)
    kept = _HASHED.get(str(root))
    if kept is not None and _same(kept[0], state):
        return kept[1]
    digest = hashlib.sha256()
    for label, path, _ in state:
        digest.update(label.encode())
        digest.update(seen.get(path) or path.read_bytes())
    _HASHED[str(root)] = (state, digest.hexdigest()[:16])
    return _HASHED[str(root)][1]


_HASHED: dict[str, tuple[tuple, str]] = {}


def _on_disk(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _same(a: tuple, b: tuple) -> bool:
    """The same labels and paths, each with the same bytes object as read or the same size and time."""
    return len(a) == len(b) and all(x[0] == y[0] and x[1] == y[1] and (x[2] is y[2] if isinstance(x[2], bytes)
                                                                    else x[2] == y[2]) for x, y in zip(a, b))
