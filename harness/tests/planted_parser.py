"""A parser-protocol parser with one planted bug, for harness/tests/parsers_cli.rs.

usage: planted_parser.py MODE
  correct        follows the documented rules (ARN split at the first five colons; globs)
  cut-colon      cuts the ARN resource at its first ':'
  action-prefix  reads an action pattern as a prefix (trailing '*' optional)
  garbage        answers garbage to every 7th request
  wrong-seq      answers every 5th request with a wrong seq
  hang           hangs on inputs containing 'hang'
  crash          exits on inputs containing 'crash'
"""
import json
import re
import sys

MODE = sys.argv[1] if len(sys.argv) > 1 else "correct"


def glob(pattern, value, ignore_case):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S | (re.I if ignore_case else 0)) is not None


def parse_arn(text):
    parts = text.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return {"invalid": "not an ARN"}
    resource = parts[5]
    if MODE == "cut-colon":
        resource = resource.split(":")[0]
    return {"arn": {"partition": parts[1], "service": parts[2], "region": parts[3],
                    "account": parts[4], "resource": resource}}


def fields(text):
    parts = text.split(":", 5)
    return parts if len(parts) == 6 else None


def arn_fields_match(pattern, value):
    p, v = fields(pattern), fields(value)
    return p is not None and v is not None and all(glob(a, b, False) for a, b in zip(p, v))


def match(kind, pattern, value):
    if kind == "action":
        if MODE == "action-prefix":
            return value.lower().startswith(pattern.rstrip("*").lower())
        return pattern == "*" or glob(pattern, value, True)
    if kind == "string_like":
        return glob(pattern, value, False)
    if kind == "arn_like":
        return arn_fields_match(pattern, value)
    if pattern == "*":
        return True
    if not pattern.startswith("arn:"):
        return glob(pattern, value, False)
    p = pattern.split(":", 5)
    p += ["*"] * (6 - len(p))
    return arn_fields_match(":".join(p), value)


count = 0
for line in sys.stdin:
    message = json.loads(line)
    if message["cmd"] == "start":
        print(json.dumps({"ready": True, "parser": {"name": f"planted-{MODE}", "version": "1",
                          "language": "Python", "homepage": "https://example.invalid"},
                          "supports": ["parse_arn", "match"]}), flush=True)
        continue
    if message["cmd"] == "stop":
        break
    count += 1
    text = message.get("input", "") + message.get("pattern", "") + message.get("value", "")
    if MODE == "hang" and "hang" in text:
        import time
        time.sleep(60)
    if MODE == "crash" and "crash" in text:
        sys.exit(3)
    if message["cmd"] == "parse_arn":
        answer = parse_arn(message["input"])
    else:
        answer = {"matched": match(message["kind"], message["pattern"], message["value"])}
    seq = message["seq"]
    if MODE == "wrong-seq" and count % 5 == 0:
        seq += 100
    if MODE == "garbage" and count % 7 == 0:
        print("this is not JSON", flush=True)
        continue
    answer["seq"] = seq
    print(json.dumps(answer), flush=True)
