"""Regions a user registered with `covsim region add`: kept in the user's data folder (platformdirs),
never inside the installed package. Each region is a folder of CSV files with the shipped tables'
schemas; their rows join the shipped tables' when the data are read, so every command sees them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

APP = "covsim"


def user_dir() -> Path:
    """Where registered regions live: COVSIM_USER_DIR if set, else the platform's user data folder."""
    override = os.environ.get("COVSIM_USER_DIR")
    if override:
        return Path(override) / "regions"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "regions"


def region_dirs() -> list[Path]:
    """The registered regions' folders (a folder being written, named '.…', is not one yet)."""
    root = user_dir()
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def files(name: str) -> list[Path]:
    return [d / f"{name}.csv" for d in region_dirs() if (d / f"{name}.csv").exists()]


def with_user_rows(name: str, table: pd.DataFrame, parse) -> pd.DataFrame:
    """`table` (a shipped table) with the registered regions' rows of the same table appended."""
    extra = [parse(name, p.read_text(encoding="utf-8"), str(p)) for p in files(name)]
    return pd.concat([table, *extra], ignore_index=True) if extra else table
