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

# Runs the harness once on a corpus: prints "seconds peak-rss-kib". Exit status 1 (a test
# failed) is fine; 2 is not.
harness() {
  local status=0
  /usr/bin/time -v "$binary" run --json "$work/$1" >/dev/null 2>"$work/time.txt" || status=$?
  if [ "$status" -gt 1 ]; then
    cat "$work/time.txt" >&2
    return 2
  fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, part, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + part[i] }
    /Maximum resident set size/ { rss = $2 }
    END { print s, rss }' "$work/time.txt"
}

# Three rounds, each timing every corpus and then moto's loop, so that both sides see the same
# machine; each figure is the best of its three (the shortest time, the largest peak).
min() { if [ -z "$1" ] || awk -v a="$2" -v b="$1" 'BEGIN {exit !(a < b)}'; then echo "$2"; else echo "$1"; fi; }
max() { if [ -z "$1" ] || [ "$2" -gt "$1" ]; then echo "$2"; else echo "$1"; fi; }
big_s="" big_rss="" small_rss="" one_s="" many_s="" moto_s=""
for _ in 1 2 3; do
  # Each output is taken apart in two steps so that a failed run stops the script (set -e).
  out="$(harness big)"; read -r seconds rss <<<"$out"
  big_s="$(min "$big_s" "$seconds")"; big_rss="$(max "$big_rss" "$rss")"
  out="$(harness small)"; read -r _ rss <<<"$out"
  small_rss="$(max "$small_rss" "$rss")"
  out="$(harness one)"; read -r seconds _ <<<"$out"
  one_s="$(min "$one_s" "$seconds")"
  out="$(harness many)"; read -r seconds _ <<<"$out"
  many_s="$(min "$many_s" "$seconds")"
  out="$(adapters/moto/.venv/bin/python scripts/bench_vs_moto.py moto "$work/big")"
  read -r moto_tests seconds <<<"$out"
  moto_s="$(min "$moto_s" "$seconds")"
done

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
  printf "memory (RSS %dk / RSS %dk tests, target <= 1.5): %.2f\n", n / 1000, n / 10000, br / sr
}'
