"""arn (PyPI) through the parser protocol: `arn.Arn(input_arn)` parses the common fields with a
regular expression and keeps the rest as `rest`; it raises InvalidArnException on a rejection."""

import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from parser_protocol import Invalid, serve  # noqa: E402

import arn  # noqa: E402


def parse_arn(text):
    try:
        parsed = arn.Arn(input_arn=text)
    except arn.InvalidArnException as e:
        raise Invalid(str(e))
    return {
        "partition": parsed.partition,
        "service": parsed.service,
        "region": parsed.region,
        "account": parsed.account,
        "resource": parsed.rest,
    }


serve(
    {"name": "arn", "version": version("arn"), "language": "Python", "homepage": "https://pypi.org/project/arn/"},
    ["parse_arn"],
    parse_arn=parse_arn,
)
