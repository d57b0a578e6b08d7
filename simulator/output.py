"""Writing results: atomically, so an interrupted run never leaves a file under its final name."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import xarray as xr

from .errors import InputError

FORMATS = (".nc",)


def check_destination(path: str | Path, formats=FORMATS, key: str = "--out") -> Path:
    """Refuse a destination before any work is done: wrong suffix or a missing folder."""
    path = Path(path)
    if path.suffix not in formats:
        raise InputError(path, key, f"unknown format '{path.suffix}'; allowed: {', '.join(formats)}")
    if not path.parent.exists():
        raise InputError(path, key, f"folder '{path.parent}' does not exist")
    return path


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write to a temporary name beside `path`, then rename: complete or absent, never half."""
    path = check_destination(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
