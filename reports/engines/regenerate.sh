#!/usr/bin/env bash
# Regenerates the published engine results in reports/engines/ (or in the folder given as the
# first argument): installs each adapter's engine from its registry (into the adapter's own
# folder), runs the corpus through every engine, and writes <engine>.md, <engine>.json and the
# compliance matrix index.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-reports/engines}"
mkdir -p "$out"
for a in iam-simulate moto principalmapper; do
  (cd "adapters/$a" && bash install.sh)
done
cargo build --release -q -p iam-harness -p iam-harness-aws-iam
./target/release/iam-harness-aws-iam corpus > "$out/aws-iam.jsonl"
./target/release/iam-harness report engines corpus \
  --engine reference \
  --engine cmd:adapters/iam-simulate/run \
  --engine cmd:adapters/moto/run \
  --engine cmd:adapters/principalmapper/run \
  --from "$out/aws-iam.jsonl" \
  --out "$out"
