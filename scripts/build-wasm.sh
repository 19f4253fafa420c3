#!/usr/bin/env bash
# Builds the npm package's wasm: cargo (wasm32, the `wasm` profile of Cargo.toml) → wasm-bindgen
# (--target web: one glue file that browsers, bundlers and Node all load; see js/). Prints the
# .wasm size raw and gzipped.
#
#   FENLIU_FEATURES=wasm-bench FENLIU_OUT=dist/bench-wasm bash scripts/build-wasm.sh
#     builds the measurement variant (npm run bench:boundary) beside the package, not into it.
set -euo pipefail
cd "$(dirname "$0")/.."

features=${FENLIU_FEATURES:-wasm}
out=${FENLIU_OUT:-dist/wasm}
target_dir=${CARGO_TARGET_DIR:-target}

bash scripts/setup.sh rust

cargo build --target wasm32-unknown-unknown --profile wasm --no-default-features --features "$features"
rm -rf "$out"
# The name section (function names for stack traces) is 30 % of the gzipped module; a trap is
# a bug report either way, and the JS wrapper turns it into `engine.crashed`.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$out" --out-name fenliu "$target_dir/wasm32-unknown-unknown/wasm/fenliu.wasm"

wasm="$out/fenliu_bg.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
awk -v r="$raw" -v g="$gz" -v f="$wasm" 'BEGIN { printf "%s: %d bytes raw (%.0f KB), %d bytes gzip -9 (%.0f KB)\n", f, r, r / 1024, g, g / 1024 }'
