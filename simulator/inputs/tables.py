"""Shipped data: tidy CSV tables, one fact a row, each with its kind and source.

Every table is validated on load (columns, types, allowed values); a corrupt or truncated file is
refused with one line naming the file, the row and what was expected.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import InputError

KINDS = ("observed", "planned", "assumed")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "float", "date"
    required: bool = True  # False: the cell may be empty
    allowed: tuple | None = None


def _cols(*spec):
    return tuple(Column(*s) if isinstance(s, tuple) else Column(s, "str") for s in spec)


_PROVENANCE = (("kind", "str", True, KINDS), ("source", "str"), ("note", "str", False))

#: The schema of every shipped table. Columns beyond these are refused, so a typo is caught.
SCHEMAS: dict[str, tuple[Column, ...]] = {
    # Coverage figures: observed points and planned targets, by region, year, scheme and group.
    "coverage": _cols(
        "region", ("year", "int"), ("scheme", "str", True, ("bhyt", "bhxh", "bhtn")), "group",
        ("value", "float"), "unit", *_PROVENANCE,
    ),
    # Population totals by region and year.
    "population": _cols("region", ("year", "int"), ("value", "float"), "unit", *_PROVENANCE),
    # Demographic rates by region (total fertility, life expectancy, net migration, ...).
    "demography": _cols("region", "parameter", ("value", "float"), "unit", *_PROVENANCE),
    # Dated policy parameters: value in force from `effective_from`, with its legal reference.
    "policy_parameters": _cols(
        "parameter", "region", ("group", "str", False), ("effective_from", "date"),
        ("value", "float"), "unit", ("kind", "str", True, KINDS), ("reference", "str"),
        ("note", "str", False),
    ),
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
    # Dated rules of the labour-force schemes (BHXH, BHTN), as policy_parameters: retirement age,
    # voluntary contribution rate and income floor, BHTN scope, later voluntary subsidies.
    "labour_policy": _cols(
        "parameter", "region", ("group", "str", False), ("effective_from", "date"),
        ("value", "float"), "unit", ("kind", "str", True, KINDS), ("reference", "str"),
        ("note", "str", False),
    ),
}

DATA_PACKAGE = "covsim.simulator"


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
    try:
        if col.dtype == "int":
            return int(raw)
        if col.dtype == "float":
            value = float(raw)
            if value != value:  # NaN
                raise ValueError
            return value
        if col.dtype == "date":
            return pd.Timestamp(raw).date()
    except (ValueError, TypeError):
        raise InputError(where, key, f"'{raw}' is not a valid {col.dtype}") from None
    return raw


def parse_table(name: str, text: str, where: str) -> pd.DataFrame:
    """Validate CSV text against the schema `name`; one-line InputError on the first fault."""
    schema = SCHEMAS[name]
    if not text.strip():
        raise InputError(where, None, "file is empty")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(where, "header", f"unreadable CSV ({exc})") from None
    expected = [c.name for c in schema]
    if header != expected:
        raise InputError(where, "header", f"columns {header} do not match; expected {expected}")
    rows = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(schema):
                raise InputError(
                    where, f"row {line}",
                    f"has {len(cells)} fields, expected {len(schema)} (truncated or corrupt file?)",
                )
            rows.append([_parse_cell(c, v, where, line) for c, v in zip(schema, cells)])
    except csv.Error as exc:
        raise InputError(where, f"row {reader.line_num}", f"unreadable CSV ({exc})") from None
    if not text.endswith("\n"):
        raise InputError(where, f"row {line}", "file does not end with a newline (truncated?)")
    if not rows:
        raise InputError(where, None, "has a header but no rows")
    return pd.DataFrame(rows, columns=expected)


def read_table(name: str, directory: Path | None = None) -> pd.DataFrame:
    """Load and validate one shipped table (or one in `directory`, for tests and overrides)."""
    if name not in SCHEMAS:
        raise KeyError(name)
    path = (directory or data_dir()) / f"{name}.csv"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "data file is missing") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not valid UTF-8 at byte {exc.start} (corrupt file?)") from None
    return parse_table(name, text, str(path))


@lru_cache(maxsize=None)
def table(name: str) -> pd.DataFrame:
    """The shipped table `name`, validated once per process. Treat as read-only."""
    return read_table(name)


def data_hash(directory: Path | None = None) -> str:
    """Content hash of every shipped table: recorded in outputs so a run is reproducible."""
    digest = hashlib.sha256()
    root = directory or data_dir()
    for name in sorted(SCHEMAS):
        path = root / f"{name}.csv"
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
