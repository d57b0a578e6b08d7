#!/usr/bin/env python3
"""Check the pasted `$ covsim ...` output blocks of README.md against the shipped `covsim`.

Usage:  python tools/readme_blocks.py OLD NEW [--readme PATH] [--work DIR] [--only LINE[,LINE...]]
                                          [--timeout S] [--keep-user-dir] [--any-code-hash] > log

Before re-pasting the README's provenance on new code: OLD the code version it pastes, NEW `auto`
(this run's). A block that differs in more than the hash is a figure the shipped command no longer
gives: re-paste it from this run, with its date and machine. Not a test: it runs the README's own
commands for minutes (the `--held-fixed` one refits twelve times).

OLD/NEW: a string (e.g. the code version 0.1.0+da732f10532d) replaced by NEW in the README's text
before comparing (the current one: `covsim --version`). Trailing whitespace is ignored on both
sides, and trailing blank lines of the actual output too.

Per README block holding `$ covsim` commands: each `$ ` line is run as written with
`bash -c CMD` in a scratch dir, stdout and stderr merged into one pipe (PYTHONUNBUFFERED=1, so
the interleaving is as on a terminal as far as possible), timeout per command. The README lines
after the `$ ` line up to the next `$ ` line (or the block's end) are that command's expected
output. Prints per command, and per block, OK or a unified diff README vs actual whose `-` line
numbers are the README's own. A README line that is exactly `...` or `…`, or starts with `[` and
ends with `]`, is an elision: such a command is OK when every other README line appears in the
actual output in order (the lines between are taken as elided); otherwise the unmatched README
lines are printed with the actual lines in their place.

Inputs the README describes but does not ship (near_poor.xlsx, typo.xlsx) are built in the
scratch dir from `covsim scenario template`; how is logged. Nothing is written outside --work.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import tempfile
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODE = re.compile(r"\b\d+\.\d+\.\d+\+[0-9a-f]{12}\b")
FENCE = re.compile(r"^\s*```(.*)$")


def log(msg: str = "") -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# README parsing

def parse_blocks(readme: Path) -> list[dict]:
    """Fenced blocks without a language tag that hold `$ covsim` lines: {'start', 'end', 'lines':
    [(lineno, text)], 'commands': [{'lineno', 'cmd', 'expected': [(lineno, text)]}]}."""
    text = readme.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            i += 1
            continue
        tag, start, body = m.group(1).strip(), i + 1, []
        i += 1
        while i < len(text) and not FENCE.match(text[i]):
            body.append((i + 1, text[i]))
            i += 1
        end = i + 1  # line of the closing fence
        i += 1
        if tag:
            continue
        if not any(t.startswith("$ covsim") for _, t in body):
            continue
        cmds = []
        for n, t in body:
            if t.startswith("$ "):
                cmds.append({"lineno": n, "cmd": t[2:], "expected": []})
            elif cmds:
                cmds[-1]["expected"].append((n, t))
            # lines before the first `$ ` in a block would be ignored (none expected)
        blocks.append({"start": start, "end": end, "lines": body, "commands": cmds})
    return blocks


def is_elision(line: str) -> bool:
    s = line.strip()
    return s in ("...", "…") or (s.startswith("[") and s.endswith("]"))


# ---------------------------------------------------------------------------------------------
# inputs the README describes

def build_inputs(work: Path, env: dict) -> None:
    """near_poor.xlsx and typo.xlsx, from `covsim scenario template` filled with openpyxl."""
    from openpyxl import load_workbook

    tpl = work / "_template.xlsx"
    done = subprocess.run(["covsim", "scenario", "template", "--out", str(tpl)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not tpl.exists():
        log(f"INPUTS: `covsim scenario template` failed (exit {done.returncode}): {done.stderr.strip()}")
        return

    def fill(out: str, head: list, rows: list) -> None:
        wb = load_workbook(tpl)
        wb["Kịch bản"].append(head)       # row 3 (rows 1-2 are the headers)
        for row in rows:
            wb["Cải cách"].append(row)    # rows 3, 4, ...
        wb.save(work / out)

    # The TOML reform shown above the block (README "Scenarios are small diffs"), as Excel.
    fill("near_poor.xlsx", ["near_poor_full", "lai_chau", "Near-poor state share 100% from 2017", None],
         [["state_share.near_poor", 2017, 1.0]])
    log("INPUTS: near_poor.xlsx = template filled with Kịch bản row 3 (name near_poor_full, baseline "
        "lai_chau, description 'Near-poor state share 100% from 2017', source empty) and Cải cách row 3 "
        "(state_share.near_poor, 2017, 1.0): the README's TOML reform; the source cell is a guess (the "
        "TOML has none).")
    (work / "near_poor_full.toml").write_text(
        'name = "near_poor_full"\nbaseline = "lai_chau"\ndescription = "Near-poor state share 100% from 2017"\n'
        '[reform]\n"state_share.near_poor" = { 2017 = 1.0 }\n', encoding="utf-8")
    # typo.xlsx: README says only "misspells a group and sets a share of 1.5"; the pasted errors name
    # cell A3 (near_por) and cell C4 (1.5). The rest is a guess.
    fill("typo.xlsx", ["typo", "lai_chau", "near-poor share, misspelt", None],
         [["state_share.near_por", 2017, 1.0], ["state_share.household", 2018, 1.5]])
    log("INPUTS: typo.xlsx = template with Kịch bản row 3 (typo, lai_chau, ...) and Cải cách rows "
        "A3:C3 = state_share.near_por, 2017, 1.0 and A4:C4 = state_share.household, 2018, 1.5; the "
        "README gives only the bad cells (A3 misspelt group, C4 = 1.5), the baseline, row 4's lever "
        "and the years are guesses.")
    log("INPUTS: near_poor_full.toml (the same reform as TOML) is also written, not used by any command.")
    tpl.unlink()


# ---------------------------------------------------------------------------------------------
# comparison

def shift_hunks(diff: list[str], offset: int) -> list[str]:
    """Unified-diff hunk headers with the README side's numbers made absolute README line numbers."""
    out = []
    for line in diff:
        m = re.match(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@(.*)$", line)
        if m:
            a = int(m.group(1)) + offset
            line = f"@@ -{a}{m.group(2) or ''} +{m.group(3)}{m.group(4) or ''} @@{m.group(5)}"
        out.append(line)
    return out


def compare(expected: list[tuple[int, str]], actual: list[str]) -> tuple[bool, list[str]]:
    """(ok, report lines). expected: (README lineno, text already substituted)."""
    exp = [t.rstrip() for _, t in expected]
    if any(is_elision(t) for t in exp):
        kept = [(n, t.rstrip()) for n, t in expected if not is_elision(t)]
        sm = difflib.SequenceMatcher(a=[t for _, t in kept], b=actual, autojunk=False)
        bad = []
        for op, a1, a2, b1, b2 in sm.get_opcodes():
            if op in ("replace", "delete"):
                bad.append(f"README lines {kept[a1][0]}-{kept[a2 - 1][0]} not found in order; actual has there:")
                bad += [f"-{kept[k][0]}: {kept[k][1]}" for k in range(a1, a2)]
                bad += [f"+      {actual[k]}" for k in range(b1, b2)]
        skipped = sum(b2 - b1 for op, a1, a2, b1, b2 in sm.get_opcodes() if op == "insert")
        if not bad:
            return True, [f"OK (README has an elision: its {len(kept)} other lines found in order; "
                          f"{skipped} actual lines taken as elided)"]
        return False, [f"DIFF (elided block; {skipped} actual lines taken as elided)"] + bad
    if exp == actual:
        return True, ["OK"]
    first = expected[0][0] if expected else 0
    diff = list(difflib.unified_diff(exp, actual, fromfile=f"README.md (line numbers absolute)",
                                     tofile="actual", lineterm="", n=2))
    return False, ["DIFF"] + shift_hunks(diff, first - 1 if expected else 0)


def run_command(cmd: str, work: Path, env: dict, timeout: float) -> tuple[list[str], str, float]:
    t0 = time.monotonic()
    try:
        done = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        out, status = done.stdout, f"exit {done.returncode}"
    except subprocess.TimeoutExpired as exc:
        out, status = exc.stdout or b"", f"TIMEOUT after {timeout:.0f} s"
    lines = [l.rstrip() for l in out.decode("utf-8", errors="replace").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines, status, time.monotonic() - t0


# ---------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", help="text in the README to replace before comparing (e.g. 0.1.0+da732f10532d)")
    ap.add_argument("new", help="its replacement (e.g. the current `covsim --version` code; 'auto' takes it "
                                "from `covsim --version` at the start)")
    ap.add_argument("--readme", default=str(HERE.parent / "README.md"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "covsim_readme_blocks"),
                    help="scratch dir, emptied first")
    ap.add_argument("--only", default="", help="README line numbers of blocks' opening fences to run, comma-separated")
    ap.add_argument("--any-code-hash", action="store_true",
                    help="also treat every code version 'X.Y.Z+<12 hex>' as equal on both sides (for a run while "
                         "the code changes under it)")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--keep-user-dir", action="store_true",
                    help="use the user's covsim data folder (registered regions) instead of an empty one")
    args = ap.parse_args()

    readme = Path(args.readme)
    work = Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if env.pop("COVSIM_DATA_DIR", None) is not None:
        log("NOTE: COVSIM_DATA_DIR was set; unset for these runs (the shipped data)")
    if not args.keep_user_dir:
        (work / "_user").mkdir()
        env["COVSIM_USER_DIR"] = str(work / "_user")

    t_start = time.monotonic()
    version = subprocess.run(["covsim", "--version"], capture_output=True, text=True, env=env).stdout.strip()
    if args.new == "auto":
        args.new = version.split()[-1]
    log(f"README: {readme}   work dir: {work}   started {time.strftime('%Y-%m-%d %H:%M:%S %z')}")
    log(f"covsim --version: {version}   replacing {args.old!r} -> {args.new!r} in the README text")
    if args.new not in version:
        log(f"WARNING: NEW {args.new!r} is not in `covsim --version` ({version!r})")
    log(f"user data folder: {'the user' + chr(39) + 's own' if args.keep_user_dir else env['COVSIM_USER_DIR'] + ' (empty)'}"
        f"; timeout {args.timeout:.0f} s per command; bash -c CMD, stderr merged into stdout")
    build_inputs(work, env)

    blocks = parse_blocks(readme)
    if args.only:
        wanted = {int(x) for x in args.only.split(",") if x.strip()}
        blocks = [b for b in blocks if b["start"] in wanted]
    log(f"{len(blocks)} blocks with `$ covsim` commands, {sum(len(b['commands']) for b in blocks)} commands")
    summary = []
    for b in blocks:
        log("")
        log("=" * 100)
        log(f"BLOCK README.md lines {b['start']}-{b['end']}")
        block_ok = True
        for c in b["commands"]:
            expected = [(n, t.replace(args.old, args.new)) for n, t in c["expected"]]
            before = {p.name for p in work.iterdir()}
            actual, status, secs = run_command(c["cmd"], work, env, args.timeout)
            made = sorted({p.name for p in work.iterdir()} - before)
            if args.any_code_hash:
                expected = [(n, CODE.sub("<code>", t)) for n, t in expected]
                actual = [CODE.sub("<code>", t) for t in actual]
            ok, report = compare(expected, actual)
            block_ok &= ok
            log("-" * 100)
            log(f"README.md:{c['lineno']}: $ {c['cmd']}")
            log(f"  [{status}, {secs:.1f} s wall; {len(expected)} README lines, {len(actual)} actual lines"
                + (f"; new files in work dir: {', '.join(made)}" if made else "") + "]")
            for line in report:
                log(line)
        verdict = "OK" if block_ok else "DIFFERS"
        log(f"BLOCK README.md:{b['start']}: {verdict}")
        summary.append((b["start"], verdict, [c["cmd"] for c in b["commands"]]))
    log("")
    log("=" * 100)
    log("SUMMARY")
    for start, verdict, cmds in summary:
        log(f"  README.md:{start:<5} {verdict:<8} " + " ; ".join(f"$ {c[:70]}" for c in cmds))
    after = subprocess.run(["covsim", "--version"], capture_output=True, text=True, env=env).stdout.strip()
    if after != version:
        log(f"WARNING: `covsim --version` changed during the run: {version!r} at the start, {after!r} at the end "
            "(the code was edited meanwhile; later commands ran other code)")
    log(f"total wall clock {time.monotonic() - t_start:.0f} s")
    return 0 if all(v == "OK" for _, v, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
