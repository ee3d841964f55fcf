"""Helper of bench-vs-moto.sh: writes the benchmark corpus, and times moto's bare decision loop.

  python3 bench_vs_moto.py generate DIR FILES TESTS   # FILES case files of TESTS tests each
  python3 bench_vs_moto.py moto DIR                    # moto's in-process loop over DIR's tests

Every case holds two identity policies (an Allow with an action wildcard and two resources, an
Allow under a StringEquals condition on `aws:username`, a Deny with a wildcard) and TESTS
requests that vary the action, the resource and the caller; the expected decision is worked out
here so that the run reports passes, as a real corpus does. The features are those moto's adapter
claims, so both engines decide every test.

The moto loop is the one `adapters/moto/adapter.py` runs for a case, without the protocol: the
case files are read and each request's context (with the derived global keys) is built before
the clock starts; the timed part is `IAMPolicy(text).is_action_permitted(...)` over the case's
identity policies for every test, with the adapter's deny-wins combination.
"""

import fnmatch
import json
import os
import sys
import time

ACCOUNT = "111122223333"
SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
FEATURES = ["identity", "explicit-deny", "implicit-deny", "action", "action:wildcard",
            "resource", "arn:wildcard", "condition:StringEquals", "global-keys"]
ACTIONS = ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject", "ec2:RunInstances"]
USERS = ["alice", "bob"]


def policies(bucket):
    read = {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}
    team = {"Sid": "TeamWrite", "Effect": "Allow", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/team/*",
            "Condition": {"StringEquals": {"aws:username": "alice"}}}
    deny = {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
    return [{"Version": "2012-10-17", "Statement": [read, team]},
            {"Version": "2012-10-17", "Statement": [deny]}]


def expected(bucket, user, action, resource):
    """The decision the policies above give (IAM's wildcards here are only `*`)."""
    if fnmatch.fnmatchcase(action, "s3:Delete*"):
        return "explicit_deny"
    read_action = action == "s3:GetObject" or fnmatch.fnmatchcase(action, "s3:List*")
    in_bucket = resource == f"arn:aws:s3:::{bucket}" or resource.startswith(f"arn:aws:s3:::{bucket}/")
    if read_action and in_bucket:
        return "allow"
    team = resource.startswith(f"arn:aws:s3:::{bucket}/team/")
    if action == "s3:PutObject" and team and user == "alice":
        return "allow"
    return "implicit_deny"


def case(index, tests):
    bucket = f"bucket-{index}"
    out = []
    for t in range(tests):
        user = USERS[t % len(USERS)]
        action = ACTIONS[(t // 2) % len(ACTIONS)]
        where = (t // 10) % 4
        resource = [f"arn:aws:s3:::{bucket}/k{t}", f"arn:aws:s3:::{bucket}/team/k{t}",
                    f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::other-{index}/k{t}"][where]
        request = {"principal": f"arn:aws:iam::{ACCOUNT}:user/{user}", "action": action,
                   "resource": resource, "resource_account": ACCOUNT}
        out.append({"name": f"t{t}", "request": request,
                    "expect": expected(bucket, user, action, resource)})
    return {"id": f"bench/f{index:05}", "description": "generated benchmark case",
            "features": FEATURES, "source": [SOURCE], "policies": {"identity": policies(bucket)},
            "tests": out}


def generate(folder, files, tests):
    target = os.path.join(folder, "bench")
    os.makedirs(target, exist_ok=True)
    for index in range(files):
        with open(os.path.join(target, f"f{index:05}.json"), "w") as out:
            json.dump(case(index, tests), out)


def moto(folder):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(os.path.dirname(here), "adapters"))
    import harness_request as hr
    from moto.iam.access_control import IAMPolicy, PermissionResult

    work = []
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(root, name)) as handle:
                loaded = json.load(handle)
            texts = [hr.policy_text(p) for p in loaded["policies"]["identity"]]
            for test in loaded["tests"]:
                request = test["request"]
                work.append((texts, request["action"], request["resource"],
                             hr.context_with_global_keys(request)))
    start = time.perf_counter()
    for texts, action, resource, context in work:
        for text in texts:
            result = IAMPolicy(text).is_action_permitted(action, resource, None, context)
            if result == PermissionResult.DENIED:
                break
    seconds = time.perf_counter() - start
    print(f"{len(work)} {seconds:.6f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["generate"] and len(sys.argv) == 5:
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["moto"] and len(sys.argv) == 3:
        moto(sys.argv[2])
    else:
        sys.exit(__doc__)
