#!/usr/bin/env bash
# Installs the pinned @aws-sdk/util-arn-parser into ./node_modules (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=3.972.55
npm install --prefix . --no-save --no-package-lock --no-audit --no-fund "@aws-sdk/util-arn-parser@${VERSION}" >/dev/null
node -e "const v=require('@aws-sdk/util-arn-parser/package.json').version; if (v!=='${VERSION}') { console.error('installed @aws-sdk/util-arn-parser '+v+', wanted ${VERSION}'); process.exit(1) } console.log('@aws-sdk/util-arn-parser '+v+' installed')"
