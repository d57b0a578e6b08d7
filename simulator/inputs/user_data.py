"""Regions a user registered with `covsim region add`, and a 2025 unit's own figures (`covsim region
observe`): kept in the user's data folder (platformdirs), never inside the installed package. Each is
a folder of CSV files with the shipped tables' schemas; their rows join the shipped tables' when the
data are read, so every command sees them.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd

APP = "covsim"


def user_dir() -> Path:
    """Where registered regions live: COVSIM_USER_DIR if set, else the platform's user data folder."""
    override = os.environ.get("COVSIM_USER_DIR")
    if override:
        return Path(override) / "regions"
    return _platform_dir() / "regions"


@lru_cache(maxsize=1)
def _platform_dir() -> Path:
    """The platform's user data folder, asked once (platformdirs reads the environment each call,
    and a dashboard's lever move asked it some sixty times)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def region_dirs() -> list[Path]:
    """The registered regions' folders (a folder being written, named '.…', is not one yet)."""
    root = user_dir()
    if not root.is_dir():
        return []
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def files(name: str) -> list[Path]:
    return [d / f"{name}.csv" for d in region_dirs() if (d / f"{name}.csv").exists()]


def with_user_rows(name: str, table: pd.DataFrame, parse, kept: dict | None = None) -> pd.DataFrame:
    """`table` (a shipped table) with the registered regions' rows of the same table appended.
    `kept`: each file's bytes as first read, by path (`tables.AS_READ`, what `data_hash` names)."""
    kept = {} if kept is None else kept
    extra = []
    for p in files(name):
        if p not in kept:  # read once: later calls parse the bytes `data_hash` names
            kept[p] = p.read_bytes()
        extra.append(parse(name, _text(kept[p]), str(p)))
    return pd.concat([table, *extra], ignore_index=True) if extra else table


def _text(raw: bytes) -> str:
    """A file's bytes as `Path.read_text` gives them: UTF-8, universal newlines."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def replace_folder(name: str, writers: dict[str, Callable[[Path], None]], keep: tuple[str, ...] = ()) -> Path:
    """Write the folder `name` under the user's data folder anew, each file by its writer, and swap
    it in whole: the old folder stays as it was unless every file was written. `keep`: files of the
    old folder carried over unless written anew (a 2025 unit's communes beside its own figures)."""
    import shutil
    import uuid

    root = user_dir()
    final, stage = root / name, root / f".{name}.{uuid.uuid4().hex}"
    stage.mkdir(parents=True)
    old = root / f".{name}.old.{uuid.uuid4().hex}"
    try:
        for file_name, write in writers.items():
            write(stage / file_name)
        for file_name in keep:
            if file_name not in writers and (final / file_name).exists():
                shutil.copy2(final / file_name, stage / file_name)
        if final.exists():
            final.rename(old)
        stage.rename(final)
    finally:
        if stage.exists():
            if old.exists() and not final.exists():
                old.rename(final)
            shutil.rmtree(stage)
        if old.exists():
            shutil.rmtree(old)
    return final
