#!/bin/bash -eu
# ClusterFuzzLite (and OSS-Fuzz) build: every cargo-fuzz target of fuzz/ built for libFuzzer
# with AddressSanitizer (`cargo fuzz build -O`, the sanitizer cargo-fuzz uses by default) and
# copied to $OUT with its seed corpus ($OUT/<target>_seed_corpus.zip, from fuzz/corpus/<target>
# and fuzz/regressions/<target>) and dictionary ($OUT/<target>.dict).
#
# The project is $SRC/iam-harness (where the Dockerfile copies it). The targets are those
# `cargo fuzz list` names, so a new target of fuzz/Cargo.toml is built without editing this file.
#
# CFLITE_BUILD=smoke selects a cheaper build for the harness's own test of this script
# (tests/clusterfuzzlite.rs): no sanitizer, exactly the build `fuzz/smoke.sh` makes (release
# with debug assertions), so the two share their artifacts in fuzz/target — the same commands
# and layout, minutes less. ClusterFuzzLite never sets it.
cd "$SRC/iam-harness"

toolchain=()
# The base image's default toolchain is nightly; elsewhere take rustup's nightly, or let the
# stable compiler accept nightly flags (as fuzz/smoke.sh does).
if ! rustc -Z help >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
        toolchain=(+nightly)
    else
        export RUSTC_BOOTSTRAP=1
    fi
fi

flags=(-O --debug-assertions)
if [ "${CFLITE_BUILD:-}" = smoke ]; then
    flags=(--sanitizer none)
fi

mapfile -t targets < <(cd fuzz && cargo "${toolchain[@]}" fuzz list)
if [ "${#targets[@]}" -eq 0 ]; then
    echo "build.sh: cargo fuzz list names no target" >&2
    exit 1
fi
(cd fuzz && cargo "${toolchain[@]}" fuzz build "${flags[@]}")

triple="$(rustc "${toolchain[@]}" -vV | sed -n 's/^host: //p')"
built="${CARGO_TARGET_DIR:-fuzz/target}/$triple/release"
for target in "${targets[@]}"; do
    cp "$built/$target" "$OUT/"
    if [ -f "fuzz/dict/$target.dict" ]; then
        cp "fuzz/dict/$target.dict" "$OUT/$target.dict"
    fi
    seeds=()
    for dir in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
        if [ -d "$dir" ]; then
            seeds+=("$dir")
        fi
    done
    if [ "${#seeds[@]}" -gt 0 ]; then
        python3 - "$OUT/${target}_seed_corpus.zip" "${seeds[@]}" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for folder in sys.argv[2:]:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                z.write(path, os.path.relpath(path, folder).replace(os.sep, "_"))
PY
    fi
done
echo "build.sh: ${#targets[@]} targets in $OUT: ${targets[*]}"
