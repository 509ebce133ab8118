#!/usr/bin/env bash
# Compile time (from an empty target directory, release) and binary size of
# the example client, built three ways: as `cargo build --release --example
# client` builds it (with the root crate's dev-dependencies), as its own crate
# with both sides, and client-only. Run it on an otherwise idle machine; the
# results are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_INCREMENTAL=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo fetch -q
for round in 1 2; do
    for which in example both-sides client-only; do
        dir="$scratch/$which"
        start=$(date +%s.%N)
        case $which in
            example) cargo build -q --release --locked --example client --target-dir "$dir"; bin=$dir/release/examples/client ;;
            both-sides) cargo build -q --release --locked -p remotipy-example-client-only --features remotipy/server --target-dir "$dir"; bin=$dir/release/client-only ;;
            client-only) cargo build -q --release --locked -p remotipy-example-client-only --target-dir "$dir"; bin=$dir/release/client-only ;;
        esac
        end=$(date +%s.%N)
        strip -o "$dir/stripped" "$bin"
        printf '%s, round %s: %.1f s, %s crates, binary %s B (stripped %s B)\n' "$which" "$round" \
            "$(python3 -c "print($end - $start)")" "$(ls "$dir"/release/deps/*.rlib | wc -l)" "$(stat -c %s "$bin")" "$(stat -c %s "$dir/stripped")"
        rm -rf "$dir"
    done
done
