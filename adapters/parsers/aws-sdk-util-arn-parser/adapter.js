// @aws-sdk/util-arn-parser through the parser protocol: `parse` splits at every colon and joins
// the tail back as the resource; it throws "Malformed ARN" on what it rejects.
'use strict';
const path = require('path');
const { serve, Invalid } = require(path.join(__dirname, '..', 'parser_protocol.js'));
const arnParser = require('@aws-sdk/util-arn-parser');
const { version } = require('@aws-sdk/util-arn-parser/package.json');

function parseArn(text) {
  if (!arnParser.validate(text)) throw new Invalid('validate() is false');
  let parsed;
  try {
    parsed = arnParser.parse(text);
  } catch (e) {
    throw new Invalid(e.message);
  }
  return {
    partition: parsed.partition,
    service: parsed.service,
    region: parsed.region,
    account: parsed.accountId,
    resource: parsed.resource,
  };
}

serve(
  { name: '@aws-sdk/util-arn-parser', version, language: 'JavaScript', homepage: 'https://www.npmjs.com/package/@aws-sdk/util-arn-parser' },
  ['parse_arn'],
  { parseArn },
);
