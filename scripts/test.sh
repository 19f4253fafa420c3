#!/usr/bin/env bash
# The whole test suite: Rust (unit, integration, doc tests, clippy), a fuzzing smoke run, the
# ruleset's own cases, the JS package in Node and the browser tests in Chromium. Installs what is
# missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

echo "== cargo fmt --check (rustfmt.toml holds the house style)"
cargo fmt --check

echo "== clippy (native; the portal runtime alone; the wasm layer, portal and authoring)"
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy --lib --quiet --no-default-features -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --no-default-features --features wasm -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --no-default-features --features wasm-bench -- -D warnings

echo "== cargo test"
cargo test --quiet

# A short fuzzing smoke run of both targets (a crash fails the suite and is kept as a
# regression input). Longer runs: scripts/fuzz.sh 600. FENLIU_FUZZ_SECONDS=0 skips it.
fuzz_seconds=${FENLIU_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" != 0 ]; then
  echo "== fuzz smoke run (${fuzz_seconds}s per target)"
  ./scripts/fuzz.sh "$fuzz_seconds"
fi

echo "== fenliu test (the default ruleset's cases, with coverage)"
cargo run --release --quiet --features cli -- test --coverage --failures

# Accuracy on the dev split of the double-labelled corpus: a regression gate, not a target. Fails
# when route accuracy falls more than the recorded tolerance below tests/eval/dev-gate.json.
# Skips, with a message, where ../shared/data (the texts) is absent. Never looks at test.
echo "== fenliu eval --split dev (regression gate)"
cargo run --release --quiet --features cli -- eval tests/eval/corpus.jsonl --split dev --gate tests/eval/dev-gate.json

echo "== the shared benchmark decision is generated from its one source"
node bench/shared/generate.mjs --check

echo "== npm test (builds the package, type-checks, Node and Chromium tests)"
npm test
