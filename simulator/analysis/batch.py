"""Monte Carlo batches: scenarios × a grid of levers × draws, in chunks, checkpointed.

A batch is split into chunks of (scenario variant, block of draws). Each chunk is an ordinary
`run` on a slice of the parameter draws; random streams are keyed by the draw index, so a draw
gives the same numbers whatever chunk, process or scheduler runs it. Finished chunks are written
atomically into a checkpoint folder beside the store, named by a hash of everything that
determines them (variant, draws, seed, data and code versions, parameters), so a resumed batch
reuses exactly the chunks that are still valid. The store itself is written under a temporary
name and renamed only when complete.

Regions: each variant keeps only its own region's slice, the `region` dim is dropped and the
region becomes a coordinate along `scenario`, so scenarios of different regions share one store
with no NaN padding. Scenarios of different lengths (years) are padded with NaN on `year`. One
batch holds one scheme (the variables and groups of BHYT and of the labour layer differ).

The simulator knows nothing of Dask nor of where the draws come from: `execute` takes any
`submit`-style runner (the CLI gives it a Dask scheduler) and the parameter draws as an argument.
A chunk is written by whoever runs it when it can see the checkpoint folder (a worker on the same
machine or a shared file system), else it is sent back and written by the caller.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import itertools
import json
import os
import shutil
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import xarray as xr

from ..inputs import tables
from .. import schemes
from ..schemes import health, provenance
from . import planning
from ..errors import InputError
from ..inputs.groups import GROUP_IDS
from ..output import check_destination
from ..inputs.policy import Policy
from ..inputs.merger import policy_as_run
from ..inputs.regions import boundaries
from ..inputs.levers import lever_of
from ..inputs.scenario import LEVERS, Scenario

FORMATS = (".zarr", ".nc")
#: What a batch keeps of each run: the region's own slice (the `region` dim is dropped; each
#: variant's region is a coordinate along `scenario`, so one store holds several regions).
KEEP = ("population", "insured", "coverage", "coverage_total", "population_total", "insured_total",
        *planning.BUDGET_VARS)


@dataclass(frozen=True)
class Variant:
    name: str
    base: str
    scenario: Scenario
    levels: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Chunk:
    index: int
    variant: int
    first: int  # first draw index
    stop: int  # one past the last
    key: str


def parse_grid(spec: str) -> tuple[str, list[float]]:
    """'state_share.near_poor=0.3:1.0:0.1' -> ('state_share.near_poor', [0.3, 0.4, ..., 1.0])."""
    path, start, step, count = grid_range(spec)
    return path, [round(start + k * step, 10) for k in range(count)]


def grid_range(spec: str) -> tuple[str, float, float, int]:
    """A grid spec checked, as (lever path, start, step, number of points), without making its
    points: the size of a batch is known before anything is built."""
    path, start, stop, step = _grid_spec(spec)
    return path, start, step, _points(start, stop, step)


def short_of_stop(spec: str) -> tuple[float, float] | None:
    """(the last point, STOP) where a grid's steps miss its STOP (0.3:1.0:0.3 ends at 0.9), else
    None (a float's rounding aside: 0.1:0.7:0.2 reaches 0.7)."""
    _, start, stop, step = _grid_spec(spec)
    last = start + (_points(start, stop, step) - 1) * step
    return (round(last, 12), stop) if abs(last - stop) > 1e-9 * max(1.0, abs(stop)) else None


def _points(start: float, stop: float, step: float) -> int:
    """START, START + STEP, ... up to STOP (a float's rounding short of it counted in)."""
    return int(np.floor((stop - start) / step + 1e-9)) + 1


def _grid_spec(spec: str) -> tuple[str, float, float, float]:
    """A grid spec checked, as (lever path, START, STOP, STEP)."""
    lever, sep, rng = spec.partition("=")
    if not sep:
        raise InputError("--grid", spec, "expected LEVER=START:STOP:STEP, e.g. near_poor=0.3:1.0:0.1")
    path = planning.parse_lever(lever, where="--grid")
    parts = rng.split(":")
    try:  # "0,3" is 0.3, as every share the command line takes (the Vietnamese decimal comma)
        start, stop, step = (float(p.replace(",", ".")) for p in parts)
    except ValueError:
        raise InputError("--grid", spec, "expected three numbers START:STOP:STEP, e.g. 0.3:1.0:0.1") from None
    if not np.all(np.isfinite([start, stop, step])):
        raise InputError("--grid", spec, "START, STOP and STEP must be finite numbers")
    if step <= 0:
        raise InputError("--grid", spec, f"STEP {step:g} must be positive")
    if start > stop:
        raise InputError("--grid", spec, f"START {start:g} is above STOP {stop:g}")
    lever_def = LEVERS[path.partition(".")[0]]
    if start < lever_def.lo or stop > lever_def.hi:
        hint = ""
        if lever_def.kind == "share" and 2 <= stop <= 100 * lever_def.hi and start >= 0:
            # a share typed in percent, as the page's boxes take it
            hint = f" (did you mean {start / 100:g}:{stop / 100:g}:{step / 100:g}?)"
        raise InputError("--grid", spec, f"values outside the lever's range{hint}; allowed: {lever_def.describe()}")
    return path, start, stop, step


def _shown(value: float) -> str:
    """A grid value in a variant's name, exactly and without an exponent: 2340000, 0.5, 0.000001
    (`:g` kept six digits, so 2340000 and 2340001 made one name)."""
    return np.format_float_positional(value, trim="-")


def grid_start(scenario: Scenario, start: int | None) -> int:
    """The year a grid's levers start in `scenario`: `--from`, else the scenario's own lever start."""
    return planning.lever_start(scenario) if start is None else start


def variants(scenarios: list[Scenario], grid: list[tuple[str, list[float]]], start: int | None) -> list[Variant]:
    """Every scenario at every grid point (the Cartesian product of the grid's levers)."""
    paths = [p for p, _ in grid]
    if len(set(paths)) != len(paths):
        twice = next(p for p in paths if paths.count(p) > 1)
        raise InputError("--grid", twice, "the same lever is gridded twice; give it once")
    schemes = sorted({sc.scheme for sc in scenarios})
    if len(schemes) > 1:
        raise InputError("batch", "--scheme", f"the scenarios mix schemes ({', '.join(schemes)}); run one batch "
                                              "per scheme or set --scheme")
    out = []
    for sc in scenarios:
        planning.check_acting(sc, paths, "--grid")
        first = grid_start(sc, start)
        if grid and not sc.start < first <= sc.end:
            raise InputError("--from", str(first), f"outside {sc.name}'s years {sc.start + 1}..{sc.end}")
        if grid:
            planning.check_unit_start(sc, first, paths)
        for point in itertools.product(*[[(p, v) for v in values] for p, values in grid]):
            if point:
                name = f"{sc.name}[{','.join(f'{p}={_shown(v)}' for p, v in point)}]"
                scenario = planning.with_levers(sc, dict(point), first, name=name)
            else:
                name, scenario = sc.name, sc
            out.append(Variant(name, sc.name, scenario, tuple(point)))
    names = [v.name for v in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError("SCENARIO", twice[0], "named twice; allowed: each scenario once")
    return out


def plan(variants_: list[Variant], params: dict[str, xr.Dataset], draws: int, seed: int,
         chunk_draws: int, data_hash: str | None = None) -> list[Chunk]:
    """Chunks of every variant, each keyed by all that determines its numbers (`data_hash`: the
    data's, taken once by the caller, which records the same one in the store)."""
    common = f"{seed}|{data_hash or tables.data_hash()}|{provenance.code_version()}"
    chunks = []
    for i, v in enumerate(variants_):
        p_hash = provenance.params_hash(params[v.scenario.region])
        for first in range(0, draws, chunk_draws):
            stop = min(first + chunk_draws, draws)
            text = f"{v.scenario.hash}|{v.scenario.scheme}|{first}:{stop}|{common}|{p_hash}"
            key = hashlib.sha256(text.encode()).hexdigest()[:16]
            chunks.append(Chunk(len(chunks), i, first, stop, key))
    return chunks


def _prepared(scenario: Scenario) -> health.Prepared:
    """The scenario's policy on its region's people: demography and membership are prepared once
    per process (`_people`), since the variants of a grid differ only in policy."""
    # a former province's run is its territory's: its unit's policy from 1 July 2025 (`policy_as_run`),
    # as `simulator.run` takes it (Bình Dương's state cost was 15% under the run's from 2026 without it)
    return _people(scenario.region, tuple(scenario.years)).with_policy(policy_as_run(scenario.policy(), scenario.region))


@lru_cache(maxsize=16)
def _people(region: str, years: tuple[int, ...]) -> health.Prepared:
    # Built under the shipped policy, which `_prepared` replaces: only demography and membership
    # are kept from here.
    return health.Prepared.build(Policy.from_table(), [region], list(years))


def run_chunk(scenario: Scenario, params: xr.Dataset, seed: int) -> xr.Dataset:
    """One chunk: the run of a slice of draws, the region's own slice, as checkpointed.

    Health insurance (BHYT): the kernel's population and insured over (draw, year, group) only;
    coverage, totals and money flows are elementwise functions of them and of the policy, so
    `derive` adds them once per variant when the store is assembled (per chunk, xarray's
    overhead would cost several times the kernel). The labour layer (BHXH, BHTN): every variable
    of its run with a draw dim. Either way the numbers are those of `simulator.run(scenario,
    params=params, seed=seed)` (tested).
    """
    if scenario.scheme == "bhyt" and _summed(scenario):
        # A 2025 unit: its former provinces side by side, their states added (`health.run`), so
        # the money flows are each former province's under its own policy before the merger.
        ds = health.run(scenario, params=params, seed=seed)
        out = ds[list(KEEP)].sel(region=scenario.region, drop=True)
        out.attrs = {}
        return out
    if scenario.scheme == "bhyt":
        raw = _prepared(scenario).advance(params, seed)
        dims = ("draw", "year", "group")
        return xr.Dataset(
            {"population": (dims, raw["pop"][:, 0].transpose(2, 0, 1), {"units": "persons"}),
             "insured": (dims, raw["ins"][:, 0].transpose(2, 0, 1), {"units": "persons"})},
            coords={"draw": params.draw.values, "year": scenario.years, "group": list(GROUP_IDS)})
    ds = schemes.run(scenario, params=params, seed=seed)
    out = ds[[v for v in ds.data_vars if "draw" in ds[v].dims]]
    if "region" in out.dims:
        out = out.sel(region=scenario.region, drop=True)
    out.attrs = {"denominator": ds.attrs["denominator"]} if "denominator" in ds.attrs else {}
    return out


def _summed(scenario: Scenario) -> bool:
    """Whether the scenario's region is a 2025 unit run as the sum of its former provinces."""
    from ..inputs.regions import mergeable

    return scenario.region in mergeable()


def derive(scenario: Scenario, ds: xr.Dataset) -> xr.Dataset:
    """A variant's checkpointed draws with what a batch keeps: for BHYT, `health.add_derived` on
    population and insured (the same call `health.run` makes), reduced to `KEEP`; a 2025 unit's
    chunks hold them already (`run_chunk`)."""
    if scenario.scheme != "bhyt" or _summed(scenario):
        return ds
    pol = _prepared(scenario).pol

    def kernel_layout(name: str) -> np.ndarray:
        # The engine's memory layout, (year, region, group, draw) seen as (draw, year, region, group):
        # sums over groups then add in the same order, so totals match `health.run` bit for bit.
        values = np.ascontiguousarray(ds[name].transpose("year", "group", "draw").values)[:, None]
        return values.transpose(3, 0, 1, 2)

    dims = ("draw", "year", "region", "group")
    full = xr.Dataset({name: (dims, kernel_layout(name), ds[name].attrs) for name in ("population", "insured")},
                      coords={"draw": ds.draw.values, "year": ds.year.values, "region": [scenario.region],
                              "group": ds.group.values})
    full = health.add_derived(full, pol)
    return full[list(KEEP)].sel(region=scenario.region, drop=True)


def checkpoint_path(folder: Path, chunk: Chunk) -> Path:
    return folder / f"{chunk.index:05d}-{chunk.key}.nc"


def write_checkpoint(ds: xr.Dataset, path: Path) -> None:
    """Written whole or not at all (`output.atomic_write`), replacing a checkpoint of the same key (a
    task Dask reruns after a worker died writes its chunk again; `--out`'s check against replacing a
    user's dataset is not for the batch's own folder). On a Dask worker, xarray would guard the
    write with a cluster-wide lock (a round trip to the scheduler that also makes every worker's
    writes take turns); a checkpoint belongs to one task alone, so a local lock is enough."""
    import dask

    from ..output import atomic_write

    with dask.config.set(scheduler="synchronous"):
        atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))


def pending(chunks: list[Chunk], folder: Path) -> list[Chunk]:
    """The chunks with no valid checkpoint in `folder` (files of other inputs are ignored)."""
    done = {p.name for p in folder.glob("*.nc")} if folder.is_dir() else set()
    return [c for c in chunks if checkpoint_path(folder, c).name not in done]


def execute(chunks: list[Chunk], variants_: list[Variant], params: dict[str, xr.Dataset], seed: int,
            folder: Path, submit: Callable[[Iterable[tuple]], Iterable[tuple[Chunk, xr.Dataset | None]]],
            progress: Callable[[int], None] | None = None, worker_writes: bool = False) -> int:
    """Run the chunks not yet checkpointed; `submit` maps (chunk, scenario, params, seed, path)
    tuples to finished (chunk, Dataset) pairs as they complete. With `worker_writes` (workers that
    share this filesystem), each worker checkpoints its own chunk at `path` and returns None, so
    results do not travel back to be written by one process. Returns how many chunks were
    already done; `progress(1)` after each new one (the caller counts the resumed ones)."""
    todo = pending(chunks, folder)
    tasks = [(c, variants_[c.variant].scenario,
              params[variants_[c.variant].scenario.region].isel(draw=slice(c.first, c.stop)), seed,
              str(checkpoint_path(folder, c)) if worker_writes else None) for c in todo]
    for chunk, ds in submit(tasks):
        if ds is not None:
            write_checkpoint(ds, checkpoint_path(folder, chunk))
        if progress is not None:
            progress(1)
    return len(chunks) - len(todo)


def assemble(chunks: list[Chunk], variants_: list[Variant], folder: Path, attrs: dict,
             guard=nullcontext) -> xr.Dataset:
    """The finished store: chunks joined along `draw`, variants along `scenario`. `guard()` wraps
    each checkpoint's read: the CLI holds signals there, as an exception raised inside xarray's
    locked netCDF read can leave its lock taken (see cli/batch.py)."""
    parts = []
    for i, v in enumerate(variants_):
        mine = [c for c in chunks if c.variant == i]
        pieces = []
        for c in mine:
            with guard(), xr.open_dataset(checkpoint_path(folder, c)) as ds:
                pieces.append(ds.load())
        joined = derive(v.scenario, xr.concat(pieces, dim="draw"))
        parts.append(joined.expand_dims(scenario=[v.name]))
    out = xr.concat(parts, dim="scenario", join="outer")
    levers = sorted({p for v in variants_ for p, _ in v.levels})
    coords = {
        "base_scenario": ("scenario", [v.base for v in variants_]),
        "region": ("scenario", [v.scenario.region for v in variants_]),
        "scenario_hash": ("scenario", [v.scenario.hash for v in variants_]),
    }
    for p in levers:
        coords[p] = ("scenario", [dict(v.levels).get(p, np.nan) for v in variants_])
    out = out.assign_coords(coords)
    for p in levers:  # each lever's level with its unit, as the data variables carry theirs
        out[p].attrs = {"units": lever_of(p).unit, "long_name": f"lever {p}, the level the variant sets"}
    out["base_scenario"].attrs = {"long_name": "the scenario the variant changes"}
    out["scenario_hash"].attrs = {"long_name": "fingerprint of what the variant runs (scenario definition)"}
    for name in out.data_vars:
        out[name].attrs = parts[0][name].attrs
    out.attrs.update(attrs)
    # what coverage_total is a share of, for every scheme as its runs name it (a labour run says its own;
    # "population" for BHYT until 2026-12-06, session 7, where `run` said "resident_population")
    out.attrs.setdefault("denominator", schemes.scheme(variants_[0].scenario.scheme).denominator)
    out.attrs["boundaries"] = json.dumps({v.name: boundaries(v.scenario.region, v.scenario.years)
                                          for v in variants_}, ensure_ascii=False)
    out.attrs["scenario_definitions"] = json.dumps({v.name: v.scenario.resolved() for v in variants_}, sort_keys=True)
    return out


def write_store(ds: xr.Dataset, out: Path) -> None:
    """Write under a temporary name beside `out`, then rename: the store appears complete or not at all."""
    from ..output import marked

    clean_stale(out)
    ds = marked(ds)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        if out.suffix.lower() == ".zarr":
            import warnings

            with warnings.catch_warnings():  # fixed-width strings have no Zarr v3 spec: write v2
                warnings.simplefilter("ignore")
                ds.to_zarr(tmp, mode="w", zarr_format=2, consolidated=True)
        else:
            ds.to_netcdf(tmp, engine="netcdf4")
        from ..output import honour_umask

        honour_umask(tmp, directory=tmp.is_dir())
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            os.replace(tmp, out)
            _remove(old)
        else:
            os.replace(tmp, out)
    except BaseException as exc:
        _remove(tmp)
        from ..output import raise_failed_write

        raise_failed_write(exc, out)  # a full disk, as netCDF says it: one line, naming the store
        raise


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink(missing_ok=True)


def discard(folder: Path) -> None:
    """Remove a finished batch's checkpoint folder: renamed first, so a kill half-way through the
    removal leaves no half-empty folder that looks like an unfinished batch."""
    trash = folder.parent / f".{folder.name}.done-{os.getpid()}"
    os.replace(folder, trash)
    _remove(trash)


def clean_stale(out: Path) -> list[Path]:
    """Remove what batches on `out` killed part-way left: a half-written store, a store replaced
    but not yet removed, a checkpoint folder half removed. Call it holding `store_lock(out)`:
    no other batch is then writing to `out`."""
    found = [p for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*", f".{out.name}.partial.done-*")
             for p in out.parent.glob(pattern)]
    for stale in found:
        _remove(stale)
    return found


class StoreBusy(InputError):
    """Another process holds the store's lock."""


@contextmanager
def store_lock(out: Path):
    """Own the store `out` (its checkpoints and its temporary files) for the block: an advisory
    lock (flock) on a hidden file beside it, which holds the owner's pid. The kernel releases it
    when its process ends, however it ends, so a killed batch leaves no stuck lock; a second
    batch on the same store is refused at once (StoreBusy)."""
    lock = out.parent / f".{out.name}.lock"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreBusy(out, "--out", f"another batch (pid {holder}) is writing this store; wait for it "
                                          "to end, or choose another --out") from None
        try:  # the file may have been removed by its last owner between our open and our lock
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        try:
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)


def check_out(path: str) -> Path:
    p = Path(path)
    # a folder named .zarr is a store's place: replaced if covsim wrote it or it is empty, else refused
    # (output.check_destination)
    return check_destination(path, FORMATS, folder_ok=p.suffix.lower() == ".zarr" and p.is_dir())


def partial_folder(out: Path) -> Path:
    return out.parent / f"{out.name}.partial"
