"""Figures the project does not ship, given to score its forecasts (`covsim backtest --outcomes FILE`).

A year-end figure published after the data were shipped (the nation's 2026 BHYT coverage, say) or
found where the data's searches did not reach. Such a figure is scored and never fitted: no fit
reads this file, at any origin, so a forecast is judged on a figure no choice of the model saw.

The file is CSV (UTF-8; Excel's byte-order mark is fine), one figure a row:

    region,year,value,source
    vietnam,2026,0.955,"VSS, year-end 2026 (press release of ...)"

`value` is a share of the scheme's denominator (0 to 1: 95.5% is 0.955); `source` is required, as
for every figure the project ships. Optional columns: `scheme` (bhyt, bhxh or bhtn; bhyt where
empty) and `note`. A figure of a region, scheme and year that the shipped data already hold is
refused: it is scored already, and counting it twice would weigh that year double; so is a second
figure of a year the file holds already, from whatever source.
"""
from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

import pandas as pd

from ..errors import InputError, nearest
from . import observations
from .numbers import decimal
from .scenario import FIRST_YEAR
from .scheme_ids import HEALTH, SCHEMES

REQUIRED = ("region", "year", "value", "source")
OPTIONAL = ("scheme", "note")
#: The years a figure may be of: the model's first year to the last any run reaches.
YEARS = (FIRST_YEAR, 2100)


def _not_backtested(region: str, regions: list[str]) -> str:
    """Why a figure of `region` cannot be scored here. A 2025 unit none of whose runs can combine
    its former provinces' fits has no as-of forecast, so no backtest forecasts it; but every shipped fit
    ends with the data's last year, so its forecast on them (`covsim run`) is the one a later figure
    tests, and the message says which commands give it rather than offer a former province of the
    same name (whose forecast is not the unit's)."""
    from . import regions as registry

    members = registry.former_provinces(region)
    why = registry.not_runnable(region)  # listed, with no data to run: nothing forecasts it
    if why:
        return why
    if members:
        return (f"{region!r} is a province in force since 1 July 2025, with no as-of fit of its own (its runs "
                f"combine its former provinces' fits: {', '.join(members)}), so no backtest forecasts it; the "
                f"shipped fits read no figure after the data's last year, so a later figure of it can be set "
                f"against `covsim run {region}` (the coverage each year, mean and 80% interval) and `covsim target "
                f"{region} --target T --year Y` (the chance that the published figure reaches T)")
    return registry.unknown(region, regions, quoted=True)


def _rows(reader: csv.DictReader, where: str):
    """The reader's rows; a row the CSV rules cannot read (a quote opened and never closed) is an
    `InputError` naming it: it was read as one value to the end of the line, and scored (an audit)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(where, f"row {reader.line_num + 1}", f"not readable as CSV ({exc}); a value with "
                                                                  "a comma or a quote goes in double quotes, "
                                                                  "closed on the same line") from None


def read(path: str | Path) -> pd.DataFrame:
    """The file's figures (region, year, scheme, value, source, line), every row checked; the first
    fault is an `InputError` naming the file, the row and the column. The file is read once: its
    hash (`attrs["sha256"]`, for `record`) is of the bytes checked."""
    from .scenario import known_regions

    where = str(path)
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise InputError(where, "--outcomes", "not a CSV file; allowed: a .csv file of region, year, value, source")
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(where, "--outcomes", "no such file") from None
    except IsADirectoryError:
        raise InputError(where, "--outcomes", "a folder; allowed: a .csv file") from None
    except UnicodeDecodeError:
        raise InputError(where, "--outcomes", "not UTF-8 text; save it as 'CSV UTF-8'") from None
    except OSError as exc:
        raise InputError(where, "--outcomes", f"cannot be read ({exc.strerror or exc})") from None
    if not text.strip():
        raise InputError(where, "--outcomes", f"the file is empty; allowed: a header row ({', '.join(REQUIRED)}) "
                                              f"and one row per figure")
    reader = csv.DictReader(text.splitlines(), strict=True)  # a quote left open is refused, not read to the end
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
    except csv.Error as exc:
        raise InputError(where, "header row", f"not readable as CSV ({exc}); allowed: {', '.join(REQUIRED)}, "
                                              f"separated by commas") from None
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        cased = [c for c in columns if c.lower() in REQUIRED and c not in REQUIRED]  # 'Region': said, not guessed
        raise InputError(where, "header row", f"missing column{'s' if len(missing) > 1 else ''} "
                                              f"{', '.join(missing)}; required: {', '.join(REQUIRED)}; optional: "
                                              f"{', '.join(OPTIONAL)}"
                                              + (f" (column names in lower case: {cased[0]!r} is not {cased[0].lower()!r})"
                                                 if cased else ""))
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(where, "header row", f"unknown column {unknown[0]!r}{nearest(unknown[0], REQUIRED + OPTIONAL)}; "
                                              f"allowed: {', '.join(REQUIRED + OPTIONAL)}")
    from .regions import mergeable

    regions = known_regions()
    units = [u for u in mergeable() if u not in regions]  # 2025 units: backtested as their former provinces
    rows, seen, shipped = [], {}, {}
    for raw in _rows(reader, where):
        line = reader.line_num  # the file's own line (the reader skips blank ones)
        if None in raw:  # more cells than the header names (a value with a comma, unquoted?)
            raise InputError(where, f"row {line}", f"{len(columns) + len(raw[None])} cells, the header names "
                                                   f"{len(columns)}; a value with a comma goes in quotes")
        row = {k.strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue  # a blank line

        def fault(column: str, message: str) -> InputError:
            return InputError(where, f"row {line}, column {column}", message)

        region = row["region"]
        if region not in regions and region not in units:
            raise fault("region", f"{_not_backtested(region, regions)}; allowed: the regions a backtest runs, "
                                  f"{', '.join(regions + units)}")
        scheme = row.get("scheme") or HEALTH
        if scheme not in SCHEMES:
            raise fault("scheme", f"unknown scheme {scheme!r}; allowed: {', '.join(SCHEMES)} (empty: {HEALTH})")
        if region in units and scheme != HEALTH:  # as of a year a unit sums its former provinces' health fits only
            raise fault("scheme", f"{region} is a 2025 unit, backtested as its former provinces for health "
                                  f"insurance only; allowed: {HEALTH}")
        try:
            year = int(row["year"])
        except ValueError:
            raise fault("year", f"{row['year']!r} is not a whole year") from None
        if not YEARS[0] <= year <= YEARS[1]:
            raise fault("year", f"{year} is outside {YEARS[0]}-{YEARS[1]}, the years the model runs")
        text = row["value"]
        try:  # a decimal comma, as a Vietnamese spreadsheet writes it: 0,955
            value = decimal(text)
        except ValueError:
            raise fault("value", f"{row['value']!r} is not a number; allowed: a share from 0 to 1") from None
        if not math.isfinite(value) or not 0 <= value <= 1:
            hint = f" ({value:g}% is {value / 100:g})" if 1 < value <= 100 else ""
            raise fault("value", f"{row['value']} is not a share from 0 to 1{hint}")
        source = row["source"]
        if not source:
            raise fault("source", "empty; every figure says where it was published")
        key = (region, scheme, year)
        if key in seen:  # two sources of one year: both scored, that year would weigh double
            raise fault("year", f"{region}'s {scheme} figure of {year} is also on row {seen[key]}; one figure a "
                                "year is scored, as the shipped data hold one: keep the one you trust and name "
                                "the other in its note")
        seen[key] = line
        if (region, scheme) not in shipped:  # each region and scheme's shipped figures read once
            shipped[region, scheme] = observations.observed(region, scheme)
        same = shipped[region, scheme][shipped[region, scheme].year == year]
        if len(same):
            first = same.iloc[0]
            raise fault("year", f"the shipped data already hold {region}'s {scheme} figure of {year} "
                                f"({float(first.value):.4g}, {first.source}): it is scored already; --outcomes takes "
                                "figures the shipped data lack")
        rows.append({"region": region, "year": year, "scheme": scheme, "value": value, "source": source,
                     "line": line})
    if not rows:
        raise InputError(where, "--outcomes", "no figure in the file (a header row and no data)")
    figures = pd.DataFrame(rows)
    figures.attrs["sha256"] = hashlib.sha256(data).hexdigest()[:16]
    return figures


def figures_of(figures: pd.DataFrame | None, region: str, scheme: str) -> pd.DataFrame:
    """The given figures of one region and scheme (year, value, source), framed as the shipped ones
    (`observations.observed`); none where no file was given."""
    if figures is None:
        return pd.DataFrame({"year": pd.Series(dtype=int), "value": pd.Series(dtype=float),
                             "source": pd.Series(dtype=str)})
    mine = figures[(figures.region == region) & (figures.scheme == scheme)]
    return mine[["year", "value", "source"]].reset_index(drop=True)


def record(path: str | Path, figures: pd.DataFrame) -> dict:
    """What a run scored besides the shipped data, for its provenance: the file, its hash, and each
    figure with its source (a score read later names where each outcome was published)."""
    rows = [{"region": r.region, "year": int(r.year), "scheme": r.scheme, "value": float(r.value),
             "source": r.source} for r in figures.itertuples(index=False)]
    return {"file": str(path), "sha256": figures.attrs["sha256"], "figures": int(len(figures)), "rows": rows}


def check_any_of(figures: pd.DataFrame, where: str | Path, region: str, scheme: str) -> None:
    """Refuse, before any fit, a file with no figure of the region and scheme a backtest scores:
    it would fit every origin to say "0 forecasts" (a BHXH file given to a health run, say)."""
    mine = (figures.region == region) & (figures.scheme == scheme)
    if mine.any():
        return
    held = sorted({(r, s) for r, s in zip(figures.region, figures.scheme)})
    commands = "; ".join(f"`covsim backtest {r}" + (f" --scheme {s}" if s != HEALTH else "") + f" --outcomes {where}`"
                         for r, s in held[:3])
    raise InputError(str(where), "--outcomes", f"no figure of {region}'s {scheme} to score (the file holds "
                                               f"{', '.join(f'{r} {s}' for r, s in held)}); run {commands}")
