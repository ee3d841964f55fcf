#!/usr/bin/env python3
"""A deliberately misbehaving engine for harness/tests/protocol.rs (engine protocol, docs/design.md §4).

Usage: fake_engine.py MODE [CASEID]

It answers `allow` for every test, except that on the case whose id is CASEID (`*`: every case):

  hang-on-case CASEID          never answers
  crash-on-case CASEID         exits with status 7
  garbage-on-case CASEID       prints a line that is not JSON
  wrong-seq-on-case CASEID     answers with another seq
  wrong-count-on-case CASEID   answers one result too many
  stderr-noise [CASEID]        writes ~240 KB to stderr on every case; exits on CASEID
  exit-immediately             exits before `ready`
  allow                        always answers allow

Before each fault it writes `fake engine: <fault> on case <id>` to stderr.
"""

import json
import sys
import time

MODES = {
    "allow",
    "hang-on-case",
    "crash-on-case",
    "garbage-on-case",
    "wrong-seq-on-case",
    "wrong-count-on-case",
    "stderr-noise",
    "exit-immediately",
}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def say(text):
    sys.stderr.write("fake engine: " + text + "\n")
    sys.stderr.flush()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "allow"
    target = sys.argv[2] if len(sys.argv) > 2 else None
    if mode not in MODES:
        say("unknown mode " + mode)
        return 2
    if mode == "exit-immediately":
        say("exiting before ready")
        return 3
    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        if not line.strip():
            continue
        message = json.loads(line)
        cmd = message.get("cmd")
        if cmd == "start":
            send(
                {
                    "ready": True,
                    "engine": {"name": "fake", "version": "0", "language": "Python"},
                    "features": ["*"],
                }
            )
        elif cmd == "stop":
            return 0
        elif cmd == "evaluate":
            seq = message["seq"]
            case = message["case"]
            tests = len(case["tests"])
            hit = target is not None and target in ("*", case["id"])
            fault = mode.replace("-on-case", "")
            allow = [{"decision": "allow"}] * tests
            if mode == "stderr-noise":
                sys.stderr.write(("noise " * 20 + "\n") * 2000)
                sys.stderr.flush()
                if hit:
                    say("exiting after noise on case " + case["id"])
                    return 5
            elif hit:
                say(fault + " on case " + case["id"])
                if mode == "hang-on-case":
                    time.sleep(3600)
                elif mode == "crash-on-case":
                    return 7
                elif mode == "garbage-on-case":
                    sys.stdout.write("this is not json\n")
                    sys.stdout.flush()
                    continue
                elif mode == "wrong-seq-on-case":
                    send({"seq": seq + 1000, "results": allow})
                    continue
                elif mode == "wrong-count-on-case":
                    send({"seq": seq, "results": allow + [{"decision": "allow"}]})
                    continue
            send({"seq": seq, "results": allow})


if __name__ == "__main__":
    sys.exit(main())
