"""parliament (PyPI) through the parser protocol: its glob matcher `is_glob_match(a, b)` (used for
resources and condition values), its ARN matcher `is_arn_match(resource_type, format, resource)`,
and action matching through `expand_action(pattern)` over its own action list. Parliament has no
ARN parser of its own, so `parse_arn` is not supported."""

import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from parser_protocol import serve  # noqa: E402

import parliament  # noqa: E402


def match(kind, pattern, value):
    if kind == "action":
        service, _, name = value.partition(":")
        try:
            expanded = parliament.expand_action(pattern, raise_exceptions=False)
        except ValueError:
            return False
        return any(
            a["service"].lower() == service.lower() and a["action"].lower() == name.lower()
            for a in expanded
        )
    if kind == "resource":
        # The request's resource is the "format" side, the policy's pattern the "resource" side,
        # as parliament calls it when it checks a statement's Resource against an action's ARN.
        return parliament.is_arn_match("", value, pattern)
    if kind == "string_like":
        return parliament.is_glob_match(pattern, value)
    raise ValueError(f"unexpected kind {kind}")


serve(
    {"name": "parliament", "version": version("parliament"), "language": "Python", "homepage": "https://pypi.org/project/parliament/"},
    ["match:action", "match:resource", "match:string_like"],
    match=match,
)
