"""The parser protocol's loop for Python adapters (schema/parser-protocol/): read one request
line, answer one line, flush. An adapter supplies its identity, the commands it supports and two
functions; everything else — framing, seq, unsupported kinds, exceptions — is handled here, so an
exception inside the parser costs that input only."""

import json
import sys


class Invalid(Exception):
    """Raised by an adapter's parse function when the parser rejects the input."""


def serve(parser, supports, parse_arn=None, match=None):
    """Speak the protocol on stdin/stdout until `stop` or end of input.

    parser: {"name", "version", "language", "homepage"}; supports: the `supports` list;
    parse_arn(text) -> dict of fields, or raises Invalid; match(kind, pattern, value) -> bool.
    """
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError as e:
            print(f"not JSON: {e}", file=sys.stderr)
            continue
        cmd = message.get("cmd")
        if cmd == "start":
            answer = {"ready": True, "parser": parser, "supports": supports}
        elif cmd == "stop":
            return
        else:
            answer = {"seq": message.get("seq")}
            answer.update(_answer(message, supports, parse_arn, match))
        out.write(json.dumps(answer) + "\n")
        out.flush()


def _answer(message, supports, parse_arn, match):
    cmd = message.get("cmd")
    try:
        if cmd == "parse_arn" and parse_arn and "parse_arn" in supports:
            return {"arn": parse_arn(message["input"])}
        kind = message.get("kind")
        if cmd == "match" and match and ("match" in supports or f"match:{kind}" in supports):
            return {"matched": bool(match(kind, message["pattern"], message["value"]))}
        what = f"`{cmd}` of kind `{kind}`" if kind else f"`{cmd}`"
        return {"unsupported": f"{what} is not implemented by this parser"}
    except Invalid as e:
        return {"invalid": str(e) or "rejected"}
    except RecursionError:
        return {"error": "RecursionError: maximum recursion depth exceeded"}
    except Exception as e:  # the parser's own failure: this input only
        return {"error": f"{type(e).__name__}: {e}"}
