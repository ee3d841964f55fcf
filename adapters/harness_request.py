"""Request helpers shared by the Python adapters (moto/, principalmapper/): the principal's kind and the global keys the harness
leaves to the engine (docs/design.md §3): aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
aws:username (IAM users), aws:PrincipalServiceName (services), aws:ResourceAccount. A key the
case gives always wins; a key given as null stays missing."""

import json
import re


def principal_kind(principal):
    if principal == "*" or principal.lower() == "anonymous":
        return "anonymous"
    if not principal.startswith("arn:"):
        return "service" if re.search(r"\.amazonaws\.com(\.cn)?$", principal) else "other"
    parts = principal.split(":", 5)
    service = parts[2] if len(parts) > 2 else ""
    resource = parts[5] if len(parts) > 5 else ""
    if service == "iam" and resource == "root":
        return "root"
    if service == "iam" and resource.startswith("user/"):
        return "user"
    if service == "iam" and resource.startswith("role/"):
        return "role"
    if service == "sts" and resource.startswith("assumed-role/"):
        return "assumed-role"
    if service == "sts" and resource.startswith("federated-user/"):
        return "federated-user"
    return "other"


def arn_account(arn):
    if not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def role_arn_of_session(session_arn):
    parts = session_arn.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("assumed-role/"):
        return None
    role = parts[5][len("assumed-role/"):].split("/")[0]
    return f"arn:{parts[1]}:iam::{parts[4]}:role/{role}"


PRINCIPAL_TYPE = {
    "root": "Account",
    "user": "User",
    "federated-user": "FederatedUser",
    "assumed-role": "AssumedRole",
    "role": "AssumedRole",
    "anonymous": "Anonymous",
}


def resource_account(request):
    """The case's resource account, else the ARN's, else (S3 ARNs carry none) the caller's."""
    return (request.get("resource_account") or arn_account(request["resource"])
            or request.get("principal_account") or arn_account(request["principal"]))


def scalar(value):
    return value if isinstance(value, str) else json.dumps(value)


def context_with_global_keys(request):
    """The request context as {key: str | [str]} with the derived global keys; null keys dropped."""
    principal = request["principal"]
    kind = principal_kind(principal)
    account = request.get("principal_account") or arn_account(principal)
    derived = {}
    if kind == "assumed-role":
        arn = role_arn_of_session(principal)
    elif kind not in ("service", "anonymous") and principal.startswith("arn:"):
        arn = principal
    else:
        arn = None
    if arn:
        derived["aws:PrincipalArn"] = arn
    if account and kind not in ("service", "anonymous"):
        derived["aws:PrincipalAccount"] = account
    if kind in PRINCIPAL_TYPE:
        derived["aws:PrincipalType"] = PRINCIPAL_TYPE[kind]
    if kind == "user":
        derived["aws:username"] = principal.rsplit("/", 1)[-1]
    if kind == "service":
        derived["aws:PrincipalServiceName"] = principal
    res_account = resource_account(request)
    if res_account:
        derived["aws:ResourceAccount"] = res_account
    given = request.get("context") or {}
    given_lower = {k.lower() for k in given}
    out = {k: v for k, v in derived.items() if k.lower() not in given_lower}
    for key, value in given.items():
        if value is None:
            continue
        out[key] = [scalar(v) for v in value] if isinstance(value, list) else scalar(value)
    return out


def policy_text(policy):
    """A case policy is a JSON object or a string holding its text: returns the text."""
    return policy if isinstance(policy, str) else json.dumps(policy)


def serve(engine_info, features, evaluate_case):
    """The protocol loop: JSON Lines on stdin, one flushed line per request on stdout."""
    import sys
    import traceback

    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError as e:
            out.write(json.dumps({"errored": {"message": f"not JSON: {e}"}}) + "\n")
            out.flush()
            continue
        cmd = message.get("cmd")
        if cmd == "stop":
            break
        if cmd == "start":
            response = {"ready": True, "engine": engine_info, "features": features}
        elif cmd == "evaluate":
            try:
                response = {"seq": message.get("seq"), **evaluate_case(message.get("case") or {})}
            except Exception:  # the adapter must answer, whatever the engine does
                response = {"seq": message.get("seq"),
                            "errored": {"message": "adapter error: " + traceback.format_exc(limit=3)}}
        else:
            response = {"seq": message.get("seq"), "errored": {"message": f"unknown command {cmd!r}"}}
        out.write(json.dumps(response) + "\n")
        out.flush()
