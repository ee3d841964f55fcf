#!/usr/bin/env bash
# Installs the pinned parliament into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.6.4
python3 -m venv .venv
.venv/bin/pip install --quiet "parliament==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('parliament'); assert v == '${VERSION}', v; print('parliament', v, 'installed')"
