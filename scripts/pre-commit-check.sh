#!/usr/bin/env bash
# The pre-commit hook `iam-harness-check` (.pre-commit-hooks.yaml): runs `iam-harness check "$@"`
# with the `iam-harness` on PATH, or else with the binary built from this checkout.
set -euo pipefail
if command -v iam-harness >/dev/null 2>&1; then
    exec iam-harness check "$@"
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cargo build --quiet --release --locked --manifest-path "$here/Cargo.toml" -p iam-harness
exec "${CARGO_TARGET_DIR:-$here/target}/release/iam-harness" check "$@"
