#!/usr/bin/env bash
# Times `iam-harness run --json` end to end against moto's bare in-process decision loop on the
# same generated tests, and prints the three ratios issue #10 sets targets for:
#
#   speed   tests/s of `iam-harness run --json` on 2,000 files x 100 tests, over moto's loop's
#           tests/s on the same tests (target >= 10)
#   shape   time of 1 case of 40,000 tests over time of 400 cases of 100 tests (target <= 2)
#   memory  peak RSS on 200,000 tests over peak RSS on 20,000 tests (target <= 1.5)
#
# Usage: scripts/bench-vs-moto.sh [IAM_HARNESS_BINARY]
#   The binary defaults to target/release/iam-harness, built here. moto is installed into
#   adapters/moto/.venv by adapters/moto/install.sh when missing; peak RSS is read from GNU time
#   (`/usr/bin/time -v`, the Debian package `time`, installed when missing and run as root).
#   FILES and TESTS (default 2000 and 100) set the size of the big corpus; the small one is a
#   tenth of it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-}"
if [ -n "$binary" ]; then
  binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
fi
cd "$repo"

files="${FILES:-2000}"
tests="${TESTS:-100}"
if [ -z "$binary" ]; then
  cargo build --release --quiet -p iam-harness
  binary="$repo/target/release/iam-harness"
fi
if [ ! -x adapters/moto/.venv/bin/python ]; then
  adapters/moto/install.sh
fi
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y --no-install-recommends time >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  echo "GNU time is missing: install the Debian package \`time\`" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
generate() { python3 scripts/bench_vs_moto.py generate "$work/$1" "$2" "$3"; }
generate big "$files" "$tests"
generate small "$((files / 10))" "$tests"
generate one 1 40000
generate many 400 100

# Runs the harness on a corpus: prints "seconds peak-rss-kib" for the best of three runs (the
# fastest run's time, the largest peak). Exit status 1 (a test failed) is fine; 2 is not.
harness() {
  local best="" peak=0
  for _ in 1 2 3; do
    local status=0
    /usr/bin/time -v "$binary" run --json "$work/$1" >/dev/null 2>"$work/time.txt" || status=$?
    if [ "$status" -gt 1 ]; then
      cat "$work/time.txt" >&2
      exit 2
    fi
    local seconds rss
    seconds="$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, part, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + part[i]; print s }' "$work/time.txt")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
    if [ -z "$best" ] || awk -v a="$seconds" -v b="$best" 'BEGIN {exit !(a < b)}'; then
      best="$seconds"
    fi
    [ "$rss" -gt "$peak" ] && peak="$rss"
  done
  echo "$best $peak"
}

# Command substitutions, so that a failed run stops the script (set -e).
big="$(harness big)"
small="$(harness small)"
one="$(harness one)"
many="$(harness many)"
moto="$(adapters/moto/.venv/bin/python scripts/bench_vs_moto.py moto "$work/big")"
read -r big_s big_rss <<<"$big"
read -r _ small_rss <<<"$small"
read -r one_s _ <<<"$one"
read -r many_s _ <<<"$many"
read -r moto_tests moto_s <<<"$moto"

big_tests=$((files * tests))
awk -v n="$big_tests" -v hs="$big_s" -v mn="$moto_tests" -v ms="$moto_s" \
    -v one="$one_s" -v many="$many_s" -v br="$big_rss" -v sr="$small_rss" -v bin="$binary" 'BEGIN {
  printf "binary: %s\n", bin
  hr = n / hs; mr = mn / ms
  printf "iam-harness run --json: %d tests in %.2f s = %.0f tests/s (peak RSS %d KiB)\n", n, hs, hr, br
  printf "moto bare loop:         %d tests in %.2f s = %.0f tests/s\n", mn, ms, mr
  printf "small corpus:           %d tests, peak RSS %d KiB\n", n / 10, sr
  printf "1 x 40000 tests: %.2f s; 400 x 100 tests: %.2f s\n", one, many
  printf "speed  (harness / moto, target >= 10):      %.1f\n", hr / mr
  printf "shape  (1x40000 / 400x100, target <= 2):    %.2f\n", one / many
  printf "memory (RSS 200k / RSS 20k, target <= 1.5): %.2f\n", br / sr
}'
