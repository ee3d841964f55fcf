#!/usr/bin/env bash
# Self-test of an adapter over the engine protocol, without the harness (each adapter's own
# selftest.sh calls this with its folder):
#   adapters/selftest.sh DIR              pipes start + the cases of selftest.jsonl + stop through ./run and
#                              checks every answer (exit 1 on a wrong answer or a protocol error);
#   adapters/selftest.sh DIR FILE|DIR…    pipes real case files and prints each test's expected decision
#                              next to the engine's, for cases whose features the engine claims
#                              (informative: exit 0 unless the protocol breaks).
set -euo pipefail
here="$(cd "$1" && pwd)"
shift
exec python3 - "$here" "$@" <<'PY'
import json, os, subprocess, sys

here, args = sys.argv[1], sys.argv[2:]
checks = []  # (case, wanted outcomes or None for "compare with expect")
if args:
    for arg in args:
        files = [arg] if os.path.isfile(arg) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(arg) for f in fs
            if f.endswith(".json") and f != "features.json" and "/schema" not in d)
        for f in files:
            with open(f) as fh:
                checks.append((json.load(fh), None))
else:
    with open(os.path.join(here, "selftest.jsonl")) as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                checks.append((item["case"], item["want"]))

proc = subprocess.Popen([os.path.join(here, "run")], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True)
def ask(msg):
    proc.stdin.write(json.dumps(msg) + "\n"); proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        sys.exit(f"protocol error: no answer to {msg.get('cmd')}")
    return json.loads(line)

ready = ask({"cmd": "start", "protocol": 1})
assert ready.get("ready") is True and ready["engine"]["name"] and ready["engine"]["version"], ready
print(f"engine {ready['engine']['name']} {ready['engine']['version']}: {len(ready['features'])} feature claims")

def outcome(r):
    if "decision" in r: return r["decision"]
    if "skipped" in r: return "skipped"
    if "errored" in r: return "errored"
    return f"?{r}"

claims = ready["features"]
def claimed(feature):
    return feature == "ambiguous" or any(
        c == "*" or c == feature or (c.endswith(":*") and feature.startswith(c[:-1])) for c in claims)

bad = 0
counts = {}
for seq, (case, want) in enumerate(checks, start=1):
    if want is None and not all(claimed(f) for f in case.get("features", [])):
        counts["unclaimed"] = counts.get("unclaimed", 0) + len(case["tests"])
        continue
    resp = ask({"cmd": "evaluate", "seq": seq, "case": case})
    if resp.get("seq") != seq:
        sys.exit(f"protocol error: seq {resp.get('seq')} for {seq}")
    if "results" in resp:
        results = resp["results"]
    else:
        results = [resp] * len(case["tests"])
    if len(results) != len(case["tests"]):
        sys.exit(f"protocol error: {len(results)} results for {len(case['tests'])} tests in {case['id']}")
    for i, (test, r) in enumerate(zip(case["tests"], results)):
        got = outcome(r)
        expected = want[i] if want is not None else test["expect"]
        status = "ok" if got == expected else ("skip" if got in ("skipped", "errored") and want is None else "DIFF")
        counts[status] = counts.get(status, 0) + 1
        if status != "ok":
            detail = r.get("skipped") or (r.get("errored") or {}).get("message", "")
            print(f"{status:4} {case['id']} › {test['name']}: expected {expected}, got {got} {detail[:160]}")
            if want is not None:
                bad += 1
ask_stop = proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n"); proc.stdin.flush()
code = proc.wait(timeout=30)
print(f"{sum(counts.values())} tests: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f"; adapter exit {code}")
sys.exit(1 if bad or code != 0 else 0)
PY
