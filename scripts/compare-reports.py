#!/usr/bin/env python3
"""Compares published reports with a fresh run, by stable id and status, never by timestamps.

Usage: compare-reports.py engines COMMITTED_DIR FRESH_DIR
       compare-reports.py parsers COMMITTED_DIR FRESH_DIR

engines: per engine (<engine>.json), every feature cell (pass/fail/skip/error counts) and every
failing test (case id, test name, status, decision). parsers: per parser, the summary counts and
every root cause with its minimal input and answer. Prints one line per changed cell and exits 1
when anything changed, 2 when a report is missing or unreadable.

Only the per-engine (per-parser) JSON reports at the top of each folder are compared: index.html
and the SVG badges under badges/ are derived from them (and the badges name the corpus revision,
which any edit of corpus/ changes), so they are left out.
"""
import json
import sys
from pathlib import Path


def load(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        sys.exit(2)


def engine_cells(report):
    cells = {}
    for feature, counts in report.get("by_feature", {}).items():
        cells[f"feature {feature}"] = json.dumps(counts, sort_keys=True)
    for failure in report.get("failures", []):
        key = f"test {failure['case']} / {failure['test']}"
        cells[key] = f"{failure['status']} (got {failure.get('got')})"
    return cells


def parser_cells(report):
    cells = {f"summary {k}": str(v) for k, v in report.get("summary", {}).items()}
    for finding in report.get("findings", []):
        cells[f"root cause {finding['root_cause']}"] = json.dumps(
            [finding.get("input"), finding.get("got")], sort_keys=True
        )
    return cells


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("engines", "parsers"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    kind, committed, fresh = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    cells_of = engine_cells if kind == "engines" else parser_cells
    names = sorted({p.name for p in committed.glob("*.json")} | {p.name for p in fresh.glob("*.json")})
    if not names:
        print(f"error: no reports in {committed} or {fresh}", file=sys.stderr)
        sys.exit(2)
    changes = []
    for name in names:
        old_path, new_path = committed / name, fresh / name
        if not old_path.exists():
            changes.append(f"{name}: new report, not committed")
            continue
        if not new_path.exists():
            changes.append(f"{name}: committed, but the fresh run wrote none")
            continue
        old, new = cells_of(load(old_path)), cells_of(load(new_path))
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                changes.append(f"{name}: {key}: {old.get(key, '-')} -> {new.get(key, '-')}")
    for line in changes:
        print(line)
    if changes:
        print(f"{len(changes)} published cells differ from a fresh run of {committed}; "
              f"regenerate and commit them", file=sys.stderr)
        sys.exit(1)
    print(f"{committed}: {len(names)} reports match a fresh run")


if __name__ == "__main__":
    main()
