#!/usr/bin/env bash
# Builds the npm package's two wasm modules from the one crate, and the default ruleset's bundle:
#
#   dist/wasm/       the portal runtime (feature `wasm`): loads compiled bundles, classifies; no
#                    Rhai, no TOML. The package's default entry (`fenliu`).
#   dist/wasm/default.fenliu
#                    the default ruleset compiled (`fenliu build`), what `new Fenliu()` loads.
#   dist/authoring/  the authoring build (`wasm-authoring`): rule files, checks, cases, bundles.
#                    The workbench's module (`fenliu/authoring`).
#
# Each: cargo (wasm32, the `wasm` profile of Cargo.toml) → wasm-bindgen (--target web: one glue
# file that browsers, bundlers and Node all load; see js/). Prints each .wasm's size raw and
# gzipped.
#
#   FENLIU_FEATURES=wasm-bench FENLIU_OUT=dist/bench-wasm bash scripts/build-wasm.sh
#     builds only the measurement variant (npm run bench:boundary), beside the package.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-target}

bash scripts/setup.sh rust

build_one() {
  local features=$1 out=$2 profile=${3:-wasm}
  cargo build --target wasm32-unknown-unknown --profile "$profile" --no-default-features --features "$features"
  rm -rf "$out"
  # The name section (function names for stack traces) is 30 % of the gzipped module; a trap is
  # a bug report either way, and the JS wrapper turns it into `engine.crashed`.
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$out" --out-name fenliu "$target_dir/wasm32-unknown-unknown/$profile/fenliu.wasm"
  local wasm="$out/fenliu_bg.wasm"
  local raw gz
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  awk -v r="$raw" -v g="$gz" -v f="$wasm" 'BEGIN { printf "%s: %d bytes raw (%.0f KB), %d bytes gzip -9 (%.0f KB)\n", f, r, r / 1024, g, g / 1024 }'
}

if [ -n "${FENLIU_FEATURES:-}" ]; then
  build_one "$FENLIU_FEATURES" "${FENLIU_OUT:-dist/bench-wasm}"
  exit 0
fi

# The portal runtime with the size-first profile (Cargo.toml, `wasm-portal`).
build_one wasm dist/wasm wasm-portal
build_one wasm-authoring dist/authoring
# The default ruleset's bundle, by the native compiler (the same crate).
cargo run --release --quiet --features cli -- build rules -o dist/wasm/default.fenliu
bundle_gz=$(gzip -9 -c dist/wasm/default.fenliu | wc -c)
wasm_gz=$(gzip -9 -c dist/wasm/fenliu_bg.wasm | wc -c)
awk -v b="$bundle_gz" -v w="$wasm_gz" 'BEGIN { printf "portal: runtime .wasm + default bundle = %d bytes gzip -9 (%.0f KB)\n", b + w, (b + w) / 1024 }'
