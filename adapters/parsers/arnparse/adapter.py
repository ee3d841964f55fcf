"""arnparse (PyPI) through the parser protocol: `arnparse(text)` splits at the first five colons,
then (except for s3, sns, apigateway and execute-api) splits the resource into a type and an id at
its first `/` or `:`. It keeps no whole resource, so the adapter reports the type and the id;
empty region and account become None."""

import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from parser_protocol import Invalid, serve  # noqa: E402

from arnparse import arnparse  # noqa: E402
from arnparse.arnparse import MalformedArnError  # noqa: E402


def parse_arn(text):
    try:
        parsed = arnparse(text)
    except MalformedArnError as e:
        raise Invalid(f"MalformedArnError: {e}")
    answer = {
        "partition": parsed.partition,
        "service": parsed.service,
        "region": parsed.region if parsed.region is not None else "",
        "account": parsed.account_id if parsed.account_id is not None else "",
    }
    if parsed.resource_type is None:
        answer["resource"] = parsed.resource
    else:
        answer["resource_type"] = parsed.resource_type
        answer["resource_id"] = parsed.resource
    return answer


serve(
    {"name": "arnparse", "version": version("arnparse"), "language": "Python", "homepage": "https://pypi.org/project/arnparse/"},
    ["parse_arn"],
    parse_arn=parse_arn,
)
