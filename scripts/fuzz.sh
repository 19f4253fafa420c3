#!/usr/bin/env bash
# Fuzzes the library with cargo fuzz (libFuzzer): each target in turn for SECONDS (default 60).
#
#   scripts/fuzz.sh                 60 s per target
#   scripts/fuzz.sh 20              a smoke run (what scripts/test.sh can call)
#   scripts/fuzz.sh 600 rule_file   one target, ten minutes
#
# Targets (fuzz/fuzz_targets/, logic in fuzz/src/lib.rs):
#   petition_json  arbitrary bytes as petition JSON, classified with the embedded default ruleset
#   rule_file      arbitrary text as an extra rule file of a small ruleset, compiled with the
#                  production limits and, when it compiles, classifying a few fixed petitions
#   condition      bytes choosing rule conditions (fields present or absent, (), strings,
#                  integers, booleans, comparisons, &&, ||, !, keyword groups) and petitions:
#                  the native condition tree and Rhai must give identical verdicts. Slow per
#                  input (it compiles the ruleset twice), so a smoke run (SECONDS < 60) gives it
#                  at most 10 s.
#
# Each run starts from the committed seeds (fuzz/seeds/<target>/) and the corpus grown by
# earlier runs (fuzz/corpus/<target>/, not committed). A crash, hang (> 10 s for one input) or
# out-of-memory (> 2 GiB) input is copied to tests/fuzz-regressions/<target>/, which
# `cargo test --test fuzz_regressions` replays; the script then exits 1. Logs and a summary
# (executions, exec/s, coverage) go to fuzz/logs/.
#
# Needs cargo-fuzz (installed here when missing) and libFuzzer's nightly-only compiler flags:
# on a stable toolchain the script sets RUSTC_BOOTSTRAP=1. Environment:
#   FUZZ_SANITIZER=address|none   (default address, cargo fuzz's default; none is ~1.3x faster)
#   FUZZ_ARGS="…"                 extra libFuzzer flags for every target
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(petition_json rule_file condition)
sanitizer=${FUZZ_SANITIZER:-address}

case "$seconds" in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET…]" >&2; exit 2 ;;
esac

say() { printf 'fuzz: %s\n' "$*" >&2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "cargo install cargo-fuzz --locked"
  cargo install cargo-fuzz --locked
fi

# libFuzzer instrumentation uses -Z flags; stable rustc accepts them with RUSTC_BOOTSTRAP.
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

max_len() {
  case "$1" in
    petition_json) echo 65536 ;; # a 20,000-character text is ~60 KB of UTF-8
    condition) echo 512 ;;       # four conditions and four petitions use ~100 bytes
    *) echo 16384 ;;
  esac
}

# Seconds for one target: the condition target is kept short in smoke runs.
seconds_for() {
  if [ "$1" = condition ] && [ "$seconds" -lt 60 ] && [ "$seconds" -gt 10 ]; then
    echo 10
  else
    echo "$seconds"
  fi
}

mkdir -p fuzz/logs
summary=fuzz/logs/summary.txt
: >"$summary"
failed=0

for target in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
    say "no such target: $target"
    exit 2
  fi
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  log=fuzz/logs/$target.log
  mkdir -p "$corpus" "$artifacts" "tests/fuzz-regressions/$target"
  # Artifacts of earlier runs were copied (or judged) then; this run's are its own.
  find "$artifacts" -mindepth 1 -delete

  dict=()
  [ -f "fuzz/dicts/$target.dict" ] && dict=("-dict=fuzz/dicts/$target.dict")

  run_seconds=$(seconds_for "$target")
  say "$target: building and fuzzing for ${run_seconds}s (sanitizer $sanitizer, log $log)"
  status=0
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$run_seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" ${FUZZ_ARGS:-} \
    >"$log" 2>&1 || status=$?

  # (None of these may fail the script: a failed build leaves no stats.)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1 || true)
  cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
  units=$(find "$corpus" -type f | wc -l)
  line="$target: ${run_seconds}s, ${execs:-?} executions, ${rate:-?} exec/s, coverage ${cov:-?} edges, corpus $units files, exit $status"

  found=0
  for input in "$artifacts"/*; do
    [ -f "$input" ] || continue
    found=1
    name=$(basename "$input")
    cp "$input" "tests/fuzz-regressions/$target/$name"
    say "$target: FOUND $name -> tests/fuzz-regressions/$target/$name"
    line="$line, found $name"
  done
  if [ "$found" = 1 ]; then
    failed=1
    grep -E -A40 'panicked at|ERROR: (libFuzzer|AddressSanitizer)|SUMMARY' "$log" | head -n 80 >&2 || true
  elif [ "$status" != 0 ]; then
    # No input to keep: the build or libFuzzer itself failed.
    failed=1
    tail -n 40 "$log" >&2
    line="$line, FAILED without a crash input (see $log)"
  fi
  say "$line"
  echo "$line" >>"$summary"
done

say "summary (also in $summary):"
cat "$summary" >&2
if [ "$failed" != 0 ]; then
  say "FAILED: replay with 'cargo test --test fuzz_regressions', minimise with 'cargo fuzz tmin TARGET FILE'"
  exit 1
fi
say "ok: nothing crashed"
