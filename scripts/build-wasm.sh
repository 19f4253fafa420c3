#!/usr/bin/env bash
# Builds the npm package's wasm: cargo (wasm32, release profile of Cargo.toml) → wasm-bindgen
# (--target web: one glue file that browsers, bundlers and Node all load; see js/). Prints the
# .wasm size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh rust

cargo build --target wasm32-unknown-unknown --release --no-default-features --features wasm
rm -rf dist/wasm
wasm-bindgen --target web --no-typescript --out-dir dist/wasm --out-name fenliu \
  target/wasm32-unknown-unknown/release/fenliu.wasm

wasm=dist/wasm/fenliu_bg.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
awk -v r="$raw" -v g="$gz" 'BEGIN { printf "fenliu_bg.wasm: %d bytes raw (%.0f KB), %d bytes gzip -9 (%.0f KB)\n", r, r / 1024, g, g / 1024 }'
