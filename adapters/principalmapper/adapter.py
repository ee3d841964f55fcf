"""iam-harness engine adapter for principalmapper's local policy simulation (engine protocol 1,
docs/design.md §4).

principalmapper (PMapper) decides a request locally with
`principalmapper.querying.query_interface.local_check_authorization_full(principal, action,
resource, context, resource_policy, resource_owner, scp_groups, session_policy)`: the principal
is a `Node` (an IAM user or role with its attached policies and permissions boundary), the SCPs
are a list of levels, and it answers a bool. Its debug log names the rule that settled a denial
("Explicit Deny: …", "Implicit Deny: …"); the adapter reads that line to tell an explicit deny
from an implicit one. It only translates; it never corrects the engine. See README.md for the
features claimed and why.
"""

import collections
import collections.abc

# principalmapper 1.1.5 imports `Mapping` & co. from `collections`, gone since Python 3.10.
for _name in ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Set",
              "MutableSet", "Callable", "Hashable", "Sized", "Container"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from importlib.metadata import version  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # adapters/: the shared harness_request.py
import harness_request as hr  # noqa: E402

from principalmapper.common.nodes import Node  # noqa: E402
from principalmapper.common.policies import Policy  # noqa: E402
from principalmapper.querying import query_interface  # noqa: E402

ENGINE = {
    "name": "principalmapper",
    "version": version("principalmapper"),
    "language": "Python",
    "homepage": "https://github.com/nccgroup/PMapper",
}

FEATURES = [
    "identity",
    "explicit-deny",
    "implicit-deny",
    "resource-policy",
    "resource-policy:user-arn",
    "resource-policy:role-arn",
    "resource-policy:wildcard-principal-arn",
    "resource-policy:wildcard",
    "resource-policy:account",
    "trust-policy",
    "key-policy",
    "cross-account",
    "boundary",
    "session-policy",
    "scp",
    "scp:levels",
    "principal",
    "not-principal",
    "action",
    "action:wildcard",
    "action:case",
    "not-action",
    "resource",
    "not-resource",
    "arn:wildcard",
    "condition:*",
    "missing-key",
    "multivalued",
    "negated-operator",
    "variables",
    "global-keys",
]

# Keys principalmapper always fills in when the context lacks them (`_infer_condition_keys`):
# a case that needs one of them missing cannot be put to it.
INFERRED = {"aws:currenttime", "aws:epochtime", "aws:userid", "aws:username", "aws:securetransport",
            "aws:principalaccount", "aws:principalarn"}


class _Decisions(logging.Handler):
    """Collects query_interface's debug lines for one evaluation."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


_log = _Decisions()
_logger = logging.getLogger(query_interface.__name__)
_logger.addHandler(_log)
_logger.setLevel(logging.DEBUG)
_logger.propagate = False


class InvalidPolicy(Exception):
    pass


def doc(policy, where):
    if not isinstance(policy, str):
        return policy
    try:
        return json.loads(policy)
    except ValueError as e:
        raise InvalidPolicy(f"{where}: not JSON: {e}")


def unsupported(policies):
    if any(policies.get("rcp") or []):
        return "principalmapper has no resource control policies; the case has an `rcp` policy"
    if len(policies.get("session") or []) > 1:
        return "principalmapper takes a single session policy; the case has several"
    return None


def node_arn(request):
    """The Node standing for the caller: the user, or the role of a role session."""
    kind = hr.principal_kind(request["principal"])
    if kind in ("user", "role"):
        return request["principal"]
    if kind == "assumed-role":
        given = (request.get("context") or {})
        for key, value in given.items():
            if key.lower() == "aws:principalarn" and isinstance(value, str):
                return value
        return hr.role_arn_of_session(request["principal"])
    return None


def evaluate_test(policies, test):
    request = test["request"]
    arn = node_arn(request)
    if arn is None:
        kind = hr.principal_kind(request["principal"])
        return {"skipped": f"principalmapper models IAM users and roles only (the caller is {kind})"}
    nulls = [k for k, v in (request.get("context") or {}).items() if v is None and k.lower() in INFERRED]
    if nulls:
        return {"skipped": f"principalmapper always infers `{nulls[0]}`; the case needs it missing"}
    try:
        identity = [Policy(arn, f"identity{i}", doc(p, f"identity[{i}]"))
                    for i, p in enumerate(policies.get("identity") or [])]
        boundary = policies.get("boundary")
        boundary = None if boundary is None else Policy(arn, "boundary", doc(boundary, "boundary"))
        session = policies.get("session") or []
        session = doc(session[0], "session[0]") if session else None
        resource = policies.get("resource")
        resource = None if resource is None else doc(resource, "resource")
        scp = policies.get("scp")
        scp = None if not scp else [
            [Policy(f"arn:aws:organizations::000000000000:policy/scp{i}{j}", f"scp{i}{j}", doc(p, f"scp[{i}][{j}]"))
             for j, p in enumerate(level)]
            for i, level in enumerate(scp)]
    except InvalidPolicy:
        return {"decision": "invalid"}
    is_role = ":role/" in arn
    node = Node(arn, "AROAEXAMPLEID" if is_role else "AIDAEXAMPLEID", identity, None,
                {"Version": "2012-10-17", "Statement": []} if is_role else None, None, 0, False, False,
                boundary, False, None)
    context = hr.context_with_global_keys(request)
    # The principal ARN is the Node's; a session's own ARN is not a principalmapper notion.
    _log.lines = []
    try:
        allowed = query_interface.local_check_authorization_full(
            node, request["action"], request["resource"], context, resource,
            hr.resource_account(request), scp, session)
    except Exception as e:  # principalmapper has no validation: a malformed document raises
        return {"errored": {"message": f"principalmapper raised {type(e).__name__}: {e}"}}
    if allowed:
        return {"decision": "allow"}
    explicit = any(("Explicit Deny" in line or "Explict Deny" in line) for line in _log.lines)
    return {"decision": "explicit_deny" if explicit else "implicit_deny"}


def evaluate_case(case):
    policies = case.get("policies") or {}
    reason = unsupported(policies)
    if reason:
        return {"skipped": reason}
    return {"results": [evaluate_test(policies, t) for t in case.get("tests") or []]}


if __name__ == "__main__":
    hr.serve(ENGINE, FEATURES, evaluate_case)
