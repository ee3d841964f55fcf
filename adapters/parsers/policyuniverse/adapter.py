"""policyuniverse (PyPI) through the parser protocol: `policyuniverse.arn.ARN(text)` parses ARNs
(and also account numbers and service principals, as principals in policies), setting `error` on
a rejection; action matching uses its wildcard expansion over its own action list
(`expander_minimizer._expand_wildcard_action`)."""

import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from parser_protocol import Invalid, serve  # noqa: E402

from policyuniverse.arn import ARN  # noqa: E402
from policyuniverse.expander_minimizer import _expand_wildcard_action  # noqa: E402


def parse_arn(text):
    parsed = ARN(text)
    if parsed.error:
        raise Invalid("ARN.error is set")
    return {
        "partition": parsed.partition,
        "service": parsed.tech,
        "region": parsed.region,
        "account": parsed.account_number,
        "resource": parsed.name,
    }


def match(kind, pattern, value):
    if kind != "action":
        raise ValueError(f"unexpected kind {kind}")
    return value.lower() in {a.lower() for a in _expand_wildcard_action(pattern)}


serve(
    {"name": "policyuniverse", "version": version("policyuniverse"), "language": "Python", "homepage": "https://pypi.org/project/policyuniverse/"},
    ["parse_arn", "match:action"],
    parse_arn=parse_arn,
    match=match,
)
