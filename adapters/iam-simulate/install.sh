#!/usr/bin/env bash
# Installs the pinned @cloud-copilot/iam-simulate into ./node_modules (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=0.1.173
npm install --prefix . --no-save --no-package-lock --no-audit --no-fund "@cloud-copilot/iam-simulate@${VERSION}"
node -e "const v=require('./node_modules/@cloud-copilot/iam-simulate/package.json').version; if (v!=='${VERSION}') { console.error('installed '+v+', wanted ${VERSION}'); process.exit(1) } console.log('iam-simulate '+v+' installed')"
