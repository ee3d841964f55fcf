#!/usr/bin/env bash
# Installs the pinned arn into ./.venv (nothing global).
set -euo pipefail
cd "$(dirname "$0")"
VERSION=0.1.5
python3 -m venv .venv
.venv/bin/pip install --quiet "arn==${VERSION}"
.venv/bin/python -c "from importlib.metadata import version; v = version('arn'); assert v == '${VERSION}', v; print('arn', v, 'installed')"
