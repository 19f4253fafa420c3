#!/usr/bin/env bash
# Installs what building and testing the npm package needs. Idempotent: each step checks first
# and skips what is present, so a second run takes about a second.
#
#   bash scripts/setup.sh          everything (Rust wasm target, wasm-bindgen CLI, npm packages, Chromium)
#   bash scripts/setup.sh rust     only the Rust side (what `npm run build` needs)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # must equal the `=` pin of wasm-bindgen in Cargo.toml
what=${1:-all}

say() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the CLI's lock file pins crates this registry mirror cannot build (~3 min).
  say "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

[ "$what" = rust ] && exit 0

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  else
    say "npm install"
    npm install --no-audit --no-fund
  fi
fi

# Debian's Chromium for the browser tests (playwright's own browser download cannot work here),
# and a CJK font so the screenshots in test-results/ are legible (the tests do not need it).
apt_packages=()
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  apt_packages+=(fonts-noto-cjk)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "apt-get install ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
say "ready"
