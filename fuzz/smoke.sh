#!/usr/bin/env bash
# Fuzz smoke for CI: builds every cargo-fuzz target and runs each for a few seconds from its
# committed seed corpus (copied to a temporary directory, so the repository is not touched) with
# its dictionary. A crash or an oracle disagreement fails the script and leaves the input in the
# printed artifact directory; turn it into fuzz/regressions/<target>/<name> (see README).
#
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET] [TARGET...]   (default 20 seconds, every target)
# Environment: FUZZ_SECONDS (default seconds), FUZZ_NO_INSTALL=1 (never install cargo-fuzz).
#
# When the tooling is missing (no cargo-fuzz and it cannot be installed, no nightly toolchain
# and RUSTC_BOOTSTRAP=1 does not work) it prints why it skipped and exits 0.
set -euo pipefail

seconds="${1:-${FUZZ_SECONDS:-20}}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

skip() {
    echo "fuzz smoke: skipped: $*"
    exit 0
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    [ "${FUZZ_NO_INSTALL:-0}" = 1 ] && skip "cargo-fuzz is not installed (FUZZ_NO_INSTALL=1)"
    echo "fuzz smoke: installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked >/dev/null 2>&1 ||
        skip "cargo-fuzz is not installed and 'cargo install cargo-fuzz --locked' failed"
fi

toolchain=()
if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
elif RUSTC_BOOTSTRAP=1 rustc -Z unstable-options --version >/dev/null 2>&1; then
    export RUSTC_BOOTSTRAP=1
else
    skip "no nightly toolchain, and RUSTC_BOOTSTRAP=1 does not enable nightly features"
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi

# Safe Rust (the crate forbids unsafe code): no sanitizer, which runs about twice as fast.
echo "fuzz smoke: building ${#targets[@]} targets"
cargo "${toolchain[@]}" fuzz build --sanitizer none

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=()
start=$(date +%s)
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "corpus/$target" ]; then
        cp -r "corpus/$target/." "$corpus/"
    fi
    dict=()
    if [ -f "dict/$target.dict" ]; then
        dict=("-dict=dict/$target.dict")
    fi
    log="$work/$target.log"
    if cargo "${toolchain[@]}" fuzz run --sanitizer none "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts" "${dict[@]}" >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed+=("$target")
        kept="$here/artifacts/$target"
        mkdir -p "$kept"
        cp -r "$artifacts." "$kept/" 2>/dev/null || true
        tail -n 40 "$log"
        echo "fuzz smoke: $target failed; inputs kept in $kept"
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
    echo "fuzz smoke: $target: $status, $runs runs, $speed exec/s, ${cov:-no coverage line}"
done
echo "fuzz smoke: ${#targets[@]} targets in $(($(date +%s) - start)) s of fuzzing"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz smoke: failed: ${failed[*]}"
    exit 1
fi
