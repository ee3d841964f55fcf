// The parser protocol's loop for JavaScript adapters (schema/parser-protocol/): read one request
// line, answer one line. An adapter supplies its identity, the commands it supports and two
// functions; framing, seq, unsupported kinds and exceptions are handled here, so an exception
// inside the parser costs that input only.
'use strict';
const readline = require('readline');

class Invalid extends Error {}

function answer(message, supports, parseArn, match) {
  const { cmd, kind } = message;
  try {
    if (cmd === 'parse_arn' && parseArn && supports.includes('parse_arn')) {
      return { arn: parseArn(message.input) };
    }
    if (cmd === 'match' && match && (supports.includes('match') || supports.includes(`match:${kind}`))) {
      return { matched: Boolean(match(kind, message.pattern, message.value)) };
    }
    const what = kind ? `\`${cmd}\` of kind \`${kind}\`` : `\`${cmd}\``;
    return { unsupported: `${what} is not implemented by this parser` };
  } catch (e) {
    if (e instanceof Invalid) return { invalid: e.message || 'rejected' };
    return { error: `${e && e.name}: ${e && e.message}` };
  }
}

function serve(parser, supports, { parseArn, match } = {}) {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch (e) {
      process.stderr.write(`not JSON: ${e.message}\n`);
      return;
    }
    if (message.cmd === 'stop') {
      rl.close();
      return;
    }
    const reply = message.cmd === 'start'
      ? { ready: true, parser, supports }
      : { seq: message.seq, ...answer(message, supports, parseArn, match) };
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
  rl.on('close', () => process.exit(0));
}

module.exports = { serve, Invalid };
