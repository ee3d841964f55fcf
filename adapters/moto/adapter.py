"""iam-harness engine adapter for moto's IAM access control (engine protocol 1, docs/design.md §4).

moto (the AWS mock library) authorizes mocked calls in `moto.iam.access_control`:
`IAMRequestBase.check_action_permitted` runs every identity policy of the caller through
`IAMPolicy(text).is_action_permitted(action, resource, principal, context)`, which answers a
`PermissionResult`: PERMITTED, DENIED or NEUTRAL. This adapter runs the same loop over the case's
identity policies (any DENIED wins, else any PERMITTED allows, and sts:GetCallerIdentity is always
allowed, exactly as `check_action_permitted` does) and maps PERMITTED → allow, DENIED →
explicit_deny, NEUTRAL → implicit_deny. It only translates; it never corrects the engine.
See README.md for the features claimed and why."""

import json
import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # adapters/: the shared harness_request.py
import harness_request as hr  # noqa: E402

from moto.iam.access_control import IAMPolicy, PermissionResult  # noqa: E402

ENGINE = {
    "name": "moto",
    "version": version("moto"),
    "language": "Python",
    "homepage": "https://github.com/getmoto/moto",
}

FEATURES = [
    "identity",
    "explicit-deny",
    "implicit-deny",
    "action",
    "action:wildcard",
    "not-action",
    "resource",
    "arn:wildcard",
    "condition:StringEquals",
    "global-keys",
    "special:get-caller-identity",
]

DECISION = {
    PermissionResult.PERMITTED: "allow",
    PermissionResult.DENIED: "explicit_deny",
    PermissionResult.NEUTRAL: "implicit_deny",
}


def unsupported(policies):
    for kind in ("resource", "boundary"):
        if policies.get(kind) is not None:
            return kind
    if policies.get("session"):
        return "session"
    for kind in ("scp", "rcp"):
        if any(policies.get(kind) or []):
            return kind
    return None


def evaluate_test(texts, test):
    request = test["request"]
    context = hr.context_with_global_keys(request)
    multi = [k for k, v in context.items() if isinstance(v, list)]
    if multi:
        return {"skipped": f"moto's condition context is single-valued (key `{multi[0]}` is multivalued)"}
    action = request["action"]
    # check_action_permitted's own first rule.
    if action == "sts:GetCallerIdentity":
        return {"decision": "allow"}
    permitted = False
    for text in texts:
        try:
            result = IAMPolicy(text).is_action_permitted(action, request["resource"], None, context)
        except json.JSONDecodeError:  # the policy text is not JSON
            return {"decision": "invalid"}
        except Exception as e:  # moto has no validation: a malformed document raises
            return {"errored": {"message": f"moto raised {type(e).__name__}: {e}"}}
        if result == PermissionResult.DENIED:
            return {"decision": DECISION[result]}
        if result == PermissionResult.PERMITTED:
            permitted = True
    return {"decision": "allow" if permitted else "implicit_deny"}


def evaluate_case(case):
    policies = case.get("policies") or {}
    kind = unsupported(policies)
    if kind:
        return {"skipped": f"moto's access control evaluates identity policies only; the case has a `{kind}` policy"}
    texts = [hr.policy_text(p) for p in policies.get("identity") or []]
    return {"results": [evaluate_test(texts, t) for t in case.get("tests") or []]}


if __name__ == "__main__":
    hr.serve(ENGINE, FEATURES, evaluate_case)
