#!/usr/bin/env bash
# Regenerates reports/parsers/: installs each adapter under adapters/parsers/ (pinned) and runs
# `iam-harness parsers` on it (the Rust crates in-process), writing <parser>.md, <parser>.json and index.html (the parsers page).
# Usage: scripts/report-parsers.sh [--cases N] [--seed S] [--out DIR] (default reports/parsers)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=2000
seed=1
out=reports/parsers
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet -p iam-harness -p iam-harness-rust-arn-parsers
mkdir -p "$out"
for dir in adapters/parsers/*/; do
  [ -x "$dir/run" ] || continue
  "$dir/install.sh"
  status=0
  target/release/iam-harness parsers --engine "cmd:$dir/run" --cases "$cases" --seed "$seed" \
    --report-dir "$out" > /dev/null || status=$?
  # 1: disagreements outside the known-differences list (reported); anything else is a failure.
  if [ "$status" -gt 1 ]; then echo "failed: $dir (exit $status)" >&2; exit "$status"; fi
  echo "reported $dir (exit $status)"
done
# The Rust crates run in-process (adapters/parsers/rust/): no install step, same report.
for parser in aws-arn scratchstack-arn; do
  status=0
  target/release/iam-harness-rust-arn-parsers --parser "$parser" --cases "$cases" --seed "$seed" \
    --report-dir "$out" > /dev/null || status=$?
  if [ "$status" -gt 1 ]; then echo "failed: $parser (exit $status)" >&2; exit "$status"; fi
  echo "reported $parser (exit $status)"
done
