#!/usr/bin/env bash
# Self-test of this adapter (see ../selftest.sh): no argument checks the answers of selftest.jsonl;
# FILE|DIR… pipes real case files and prints where the engine differs from the corpus.
exec bash "$(dirname "$0")/../selftest.sh" "$(dirname "$0")" "$@"
