"""The size of a run before it starts: memory and time, against a limit from the machine.

A run keeps every draw of every year and group in memory (and, with `--by-age`, every age); a
batch assembles every variant's draws into one store. Both grow without bound with `--draws` and
the grid, so the CLI estimates the peak before any work and refuses past a limit. The constants are
measured (peak resident memory, /usr/bin/time, 2-core AMD EPYC, 2026-11-30), not derived:
`covsim run vietnam` peaked at 284 MB with 2 draws, 698 MB with 5,000 and 1,952 MB with 20,000
(83 kB a draw over 23 years x 9 groups: 400 B per draw, year and group), 703 MB with 1,000 draws
`--by-age` (about 1.6 kB more per draw, year and group); `covsim batch lai_chau` of 5 grid points x
2,000 draws peaked at 546 MB (26 kB per variant and draw: 130 B per cell); `covsim brief lai_chau
--target 0.968 --year 2020` at 922 MB with 2,000 draws and 1,556 MB with 4,000 (2026-12-05: 317 kB a
draw over 23 years x 9 groups, 1.53 kB per cell: a briefing keeps the kernel's states from the
levers' year to rerun them, and its comparisons). Time, about 0.17 ms
per draw and year there (20,000 draws of vietnam in 77 s under load), is a rough guide only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

RUN_CELL_BYTES = 400  # peak memory per (draw, year, group) of a run
AGE_CELL_BYTES = 1616  # more with --by-age
BATCH_CELL_BYTES = 130  # per (variant, draw, year, group) of a batch's assembled store
BRIEF_CELL_BYTES = 1530  # per (draw, year, group) of a briefing, its kept states included
BASE_BYTES = 300e6  # interpreter, libraries and tables
SECONDS_PER_DRAW_YEAR = 1.7e-4
#: Share of the memory available now that a run may plan to use by default.
DEFAULT_SHARE = 0.8

_UNITS = {"": 1, "B": 1, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9, "T": 1e12, "TB": 1e12,
          # binary units, as `free -h` and job schedulers write them
          "KIB": 2.0**10, "MIB": 2.0**20, "GIB": 2.0**30, "TIB": 2.0**40}


@dataclass(frozen=True)
class Estimate:
    memory: float  # bytes at the peak
    seconds: float

    def describe(self) -> str:
        return f"about {human_bytes(self.memory)} of memory and {human_time(self.seconds)}"


def run_estimate(draws: int, years: int, groups: int, by_age: bool = False,
                 cell_bytes: int = RUN_CELL_BYTES) -> Estimate:
    """A `covsim run` (or any command that runs a scenario once) of `draws` draws; `cell_bytes`
    for a command that keeps more per cell (a briefing: BRIEF_CELL_BYTES)."""
    per_cell = cell_bytes + (AGE_CELL_BYTES if by_age else 0)
    return Estimate(BASE_BYTES + draws * years * groups * per_cell, draws * years * SECONDS_PER_DRAW_YEAR)


def sobol_estimate(samples: int, factors: int, years: int, groups: int, chunk: int) -> Estimate:
    """`covsim sensitivity`: the Saltelli matrix (samples x (factors + 2) rows of `factors` values,
    held about three times over by sampling and analysis, and the analysis's 100 bootstrap index
    arrays per sample), plus one chunk of rows run at a time as draws."""
    rows = samples * (factors + 2)
    return Estimate(BASE_BYTES + min(rows, chunk) * years * groups * RUN_CELL_BYTES + 3 * 8 * rows * factors
                    + 2 * 8 * 100 * samples, rows * years * SECONDS_PER_DRAW_YEAR)


def batch_estimate(variants: int, draws: int, years: int, groups: int, rerun_years: int | None = None) -> Estimate:
    """A batch: each chunk is small, but the store is assembled in memory from every variant (all
    `years`); its time is for the years each variant reruns (from its levers' start), as a batch
    shares the years before that with its scenario's own run."""
    rerun = years if rerun_years is None else max(1, min(rerun_years, years))
    return Estimate(BASE_BYTES + variants * draws * years * groups * BATCH_CELL_BYTES,
                    variants * draws * rerun * SECONDS_PER_DRAW_YEAR)


def available_memory() -> float:
    """Bytes the machine can give now (MemAvailable), from psutil or /proc/meminfo."""
    try:
        import psutil

        return float(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - psutil comes with dash[diskcache]
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    return float("inf")  # pragma: no cover


def parse_size(text: str, key: str = "--memory-limit") -> float:
    """'8G', '500MB', '2.5T', '1000000' -> bytes."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = match.group(2).upper() if match else None
    if not match or unit not in _UNITS:
        raise InputError(key, str(text), "expected a size such as 500M, 8G, 8GiB or 1.5T")
    value = float(match.group(1)) * _UNITS[unit]
    if value <= 0:
        raise InputError(key, str(text), "must be above 0")
    return value


def check(estimate: Estimate, limit: str | None, key: str, what: str, ways: str) -> None:
    """Refuse in one line when the estimate passes the limit (given, or 80% of the memory
    available now): `key` the option at fault, `what` the run, `ways` how to go ahead."""
    if limit is None:
        ceiling = DEFAULT_SHARE * available_memory()
        source = f"{int(100 * DEFAULT_SHARE)}% of the memory available now"
    else:
        ceiling = parse_size(limit)
        source = "--memory-limit"
    if estimate.memory > ceiling:
        raise InputError(key, None,
                         f"{what} would need {estimate.describe()}, past the limit of "
                         f"{human_bytes(ceiling)} ({source}); {ways}, or raise --memory-limit SIZE to go ahead")


def human_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:.0f} B"


def human_time(seconds: float) -> str:
    if seconds >= 86400:
        days = seconds / 86400
        return f"some {days:,.1f} days" if days < 10 else f"some {days:,.0f} days"
    if seconds >= 3600:
        return f"some {seconds / 3600:,.1f} h"
    if seconds >= 60:
        return f"some {seconds / 60:,.0f} min"
    return f"some {max(seconds, 1):,.0f} s"
