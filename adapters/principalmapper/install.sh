#!/usr/bin/env bash
# Installs the pinned principalmapper into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.1.5
python3 -m venv .venv
.venv/bin/pip install --quiet "principalmapper==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('principalmapper'); assert v == '${VERSION}', v; print('principalmapper', v, 'installed')"
