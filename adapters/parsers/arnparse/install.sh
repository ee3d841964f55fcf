#!/usr/bin/env bash
# Installs the pinned arnparse into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=0.0.2
python3 -m venv .venv
.venv/bin/pip install --quiet "arnparse==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('arnparse'); assert v == '${VERSION}', v; print('arnparse', v, 'installed')"
