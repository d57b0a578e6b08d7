"""Writing results: atomically, so an interrupted run never leaves a file under its final name.

A result is written to a hidden temporary file beside its destination (named by the writer's
pid), given the permissions the umask allows (as `open` would: not mkstemp's 0600), then renamed.
The temporary file is removed on any exit the process survives; one left by a killed process is
removed by the next write to the same destination.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Callable

import xarray as xr

from .errors import InputError, one_line

FORMATS = (".nc",)
#: Outputs a user may keep data of their own in under the name typed: one that exists is replaced
#: only when covsim wrote it (`written_by_covsim`), never a store of the user's.
DATA_STORES = (".nc", ".zarr")


def check_destination(path: str | Path, formats=FORMATS, key: str = "--out", folder_ok: bool = False) -> Path:
    """Refuse a destination before any work is done: wrong suffix, a folder (unless `folder_ok`:
    a store that is itself a folder), a missing or read-only folder."""
    text = str(path)
    path = Path(path)
    if not folder_ok and (path.is_dir() or text.endswith(os.sep)):
        raise InputError(path, key, "is a folder; give a file name, e.g. "
                                    f"{path / ('result' + (formats[0] if formats else ''))}")
    if path.suffix.lower() not in formats:  # report.CSV is a CSV: a name's case is the user's
        raise InputError(path, key, f"unknown format '{path.suffix}'; allowed: {', '.join(formats)}")
    if path.suffix.lower() in DATA_STORES:
        _check_replaceable(path, key)
    if not path.parent.exists():
        raise InputError(path, key, f"folder '{path.parent}' does not exist")
    if not path.parent.is_dir():
        raise InputError(path, key, f"'{path.parent}' is a file, not a folder")
    if not os.access(path.parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(path, key, f"not writable here (folder '{path.parent}'); choose another place")
    try:  # the access bits say yes to root and to read-only or virtual file systems: try it
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.probe.", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(path, key, f"not writable here (folder '{path.parent}': {exc.strerror}); "
                                    "choose another place") from None
    return path


def _check_replaceable(path: Path, key: str) -> None:
    """An existing .nc or .zarr is replaced only when covsim wrote it (`written_by_covsim`: its mark
    names exactly its variables), or when it is an empty folder: a dataset of the user's own under a
    name typed by mistake, or one derived from a covsim output, is refused, not lost."""
    if not path.exists() or (path.is_dir() and not any(p for p in path.iterdir() if p.name != ".DS_Store")):
        return
    import warnings

    try:
        with warnings.catch_warnings():  # a store without consolidated metadata warns: one line is said below
            warnings.simplefilter("ignore")
            ds = xr.open_zarr(path, consolidated=None) if path.is_dir() else xr.open_dataset(path)
        with ds:
            attrs, names = dict(ds.attrs), sorted(map(str, ds.data_vars))
    except Exception as exc:  # noqa: BLE001 - whatever the reason, it is said, and nothing is replaced
        if path.is_dir() or path.stat().st_size:  # readable or not, something is there
            raise InputError(path, key, f"exists and cannot be read as a dataset ({type(exc).__name__}): nothing "
                                        f"is replaced that covsim cannot tell it wrote; give another name, or "
                                        f"move it away first") from None
        return  # an empty file: nothing to lose
    if not written_by_covsim(attrs, names):
        raise InputError(path, key, "exists and is not a covsim output (its attributes do not say covsim wrote "
                                    "these variables): give another name, or move it away first")


#: The attribute every .nc or .zarr covsim writes carries: the variables it wrote, so a dataset an
#: analyst derived from one (xarray keeps attributes) is not taken for covsim's own.
MARK = "covsim_variables"


def marked(ds: xr.Dataset) -> xr.Dataset:
    """`ds` with its coordinates labelled (`labelled`) and covsim's mark (`MARK`)."""
    out = labelled(ds)
    out.attrs[MARK] = ",".join(sorted(map(str, out.data_vars)))
    return out


def written_by_covsim(attrs: dict, names: list[str]) -> bool:
    """Whether a dataset with these attributes and variables is one covsim wrote: its mark names
    exactly these variables, or (a file of a version before the mark) it records a code version."""
    if MARK in attrs:
        return str(attrs[MARK]) == ",".join(names)
    return "code_version" in attrs


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def honour_umask(path: str | Path, directory: bool = False) -> None:
    """Give `path` the mode a plain `open` (or `mkdir`) would: 0666 (0777) less the umask."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(path: Path) -> list[Path]:
    """Remove the temporary files of writers to `path` that no longer run; returns them."""
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp*"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if tmp.is_dir():
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def atomic_write(path: str | Path, write: Callable[[str], None], suffix: str = "") -> Path:
    """`write(tmp)` to a temporary file beside `path`, then rename: complete or absent."""
    path = Path(path)
    clean_stale(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=f".tmp{suffix}", dir=path.parent)
    except OSError as exc:  # named by the user's path, not the hidden temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    os.close(fd)
    try:
        write(tmp)
        honour_umask(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        quiet_close(exc)  # a writer's open zip (openpyxl's) would say the full disk again as it is collected
        if exc.filename in (tmp, None):  # a full disk, a lost mount: say which output failed
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        raise_failed_write(exc, path)
        raise
    return path


def raise_failed_write(exc: BaseException, path: str | Path) -> None:
    """A write a file library says the file system refused, as one OSError naming `path` (its
    writer closed quietly); anything else returns, for the caller to raise as it was."""
    if writer_failed(exc):
        quiet_close(exc)
        raise OSError(errno.EIO, failed_text(exc), str(path)) from None


def writer_failed(exc: BaseException) -> bool:
    """A file library's own word for a write the file system refused (netCDF's "HDF error" is a
    RuntimeError, lxml's IO_EFBIG a SerialisationError), not an OSError the CLI says in one line."""
    return (isinstance(exc, RuntimeError) and str(exc).startswith("NetCDF:")) or type(exc).__name__ == "SerialisationError"


def quiet_close(exc: BaseException) -> None:
    """Close the failed writer's open streams now, silently: left to the garbage collector, each
    prints "Exception ignored in ..." with a traceback after the one-line error (openpyxl's)."""
    import gc
    import sys
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def failed_text(exc: BaseException) -> str:
    return f"could not be written ({one_line(exc)}): is the disk full, or the file larger than allowed?"


#: What each dimension of a written result means, set on its coordinate where the writer left none:
#: a file opened by another tool says it without covsim's docs.
COORDINATES = {
    "draw": {"long_name": "posterior draw (Monte Carlo sample)", "units": "1"},
    "year": {"long_name": "calendar year (stocks at 31 December, flows over the year)"},
    "region": {"long_name": "region id (covsim regions)"},
    "group": {"long_name": "membership group (docs/model.md)"},
    "age": {"long_name": "age in completed years (the last, 100 and over)", "units": "year"},
    "sex": {"long_name": "sex"},
    "scenario": {"long_name": "scenario variant (batch)"},
    "household_size": {"long_name": "persons in the household", "units": "1"},
}


def labelled(ds: xr.Dataset) -> xr.Dataset:
    """`ds` with its coordinates' meanings (`COORDINATES`) where none is set."""
    out = ds.copy(deep=False)
    for name, attrs in COORDINATES.items():
        if name in out.coords:
            out[name].attrs = {**attrs, **out[name].attrs}
    return out


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write to a temporary name beside `path`, then rename: complete or absent, never half."""
    path = check_destination(path)
    ds = marked(ds)
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))
