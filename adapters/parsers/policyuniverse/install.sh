#!/usr/bin/env bash
# Installs the pinned policyuniverse into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.5.1.20231109
python3 -m venv .venv
.venv/bin/pip install --quiet "policyuniverse==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('policyuniverse'); assert v == '${VERSION}', v; print('policyuniverse', v, 'installed')"
