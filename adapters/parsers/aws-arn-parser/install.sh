#!/usr/bin/env bash
# Installs the pinned aws-arn-parser into ./node_modules (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.0.1
npm install --prefix . --no-save --no-package-lock --no-audit --no-fund "aws-arn-parser@${VERSION}" >/dev/null
node -e "const v=require('aws-arn-parser/package.json').version; if (v!=='${VERSION}') { console.error('installed aws-arn-parser '+v+', wanted ${VERSION}'); process.exit(1) } console.log('aws-arn-parser '+v+' installed')"
