#!/usr/bin/env python3
"""Writes harness/data/managed-policies.json, the embedded snapshot of every AWS managed policy.

Reads a managed-policies.json in the layout of the project's shared fixture data (a JSON array
of `{name, arn, path, version_id, create_date, update_date, document}`, the default version of
each policy) and keeps what a world needs to use a policy named only by its ARN: the ARN, the
default version's id and date, and the document exactly as given. The snapshot's date is the
newest `update_date`, printed by `iam-harness` whenever the snapshot decided something. One
policy per line, so a change to the data diffs line by line.

Usage: python3 scripts/generate-managed-policies.py SOURCE [OUTPUT]
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    source = pathlib.Path(sys.argv[1])
    output = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "harness/data/managed-policies.json"
    policies = json.loads(source.read_text(encoding="utf-8"))
    policies.sort(key=lambda p: p["arn"])
    newest = max(p["update_date"] for p in policies)[:10]
    lines = ["{", '"schema":"iam-harness-managed-policies/1",', f'"snapshot":{compact(newest)},', '"policies":[']
    for i, p in enumerate(policies):
        assert p["arn"].startswith("arn:aws:iam::aws:policy/"), p["arn"]
        entry = [p["arn"], p["version_id"], p["update_date"][:10], p["document"]]
        lines.append(compact(entry) + ("," if i + 1 < len(policies) else ""))
    lines.append("]}")
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{output}: {len(policies)} policies, snapshot {newest}")


if __name__ == "__main__":
    main()
