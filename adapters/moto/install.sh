#!/usr/bin/env bash
# Installs the pinned moto into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=5.2.5
python3 -m venv .venv
.venv/bin/pip install --quiet "moto==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('moto'); assert v == '${VERSION}', v; print('moto', v, 'installed')"
