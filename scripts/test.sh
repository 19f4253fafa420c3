#!/usr/bin/env bash
# The whole test suite: Rust (unit, integration, doc tests, clippy), the ruleset's own cases,
# the JS package in Node and the browser tests in Chromium. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

echo "== clippy"
cargo clippy --all-targets --quiet -- -D warnings

echo "== cargo test"
cargo test --quiet

echo "== fenliu test (the default ruleset's cases, with coverage)"
cargo run --release --quiet -- test --coverage --failures

if [ -f package.json ]; then
  echo "== npm run build && npm test"
  npm run build --silent
  npm test
fi
