// aws-arn-parser through the parser protocol: the package's one function maps the
// colon-separated parts of any string to named fields and never rejects an input.
'use strict';
const path = require('path');
const { serve } = require(path.join(__dirname, '..', 'parser_protocol.js'));
const parse = require('aws-arn-parser');
const { version } = require('aws-arn-parser/package.json');

function field(value) {
  return value === undefined ? null : value;
}

function parseArn(text) {
  const parsed = parse(text);
  return {
    partition: field(parsed.aws),
    service: field(parsed.service),
    region: field(parsed.region),
    account: field(parsed.namespace),
    resource: field(parsed.relativeId),
  };
}

serve(
  { name: 'aws-arn-parser', version, language: 'JavaScript', homepage: 'https://www.npmjs.com/package/aws-arn-parser' },
  ['parse_arn'],
  { parseArn },
);
