#!/usr/bin/env bash
# Fuzz Canary's parsers with libFuzzer (docs/reliability.md, "Fuzzing").
#   Fuzz/run.sh TARGET [SECONDS]      TARGET: scenario, expectation, snapshot or all (default 600 s each)
# Builds the harness with -sanitize=fuzzer,address into .build/fuzz (separate from normal builds),
# seeds a working corpus from the shipped files and the regression corpus, and runs. A crash,
# hang or out-of-memory leaves its input as Fuzz/findings/TARGET/crash-* (or timeout-*, oom-*):
# fix the cause, then copy the input to Fuzz/regressions/TARGET/ so the tests replay it.
set -euo pipefail
cd "$(cd "$(dirname "$0")/.." && pwd -P)"
target=${1:-all}
seconds=${2:-600}
if [ "$target" = all ]; then
  for t in scenario expectation snapshot; do "$0" "$t" "$seconds"; done
  exit 0
fi
case "$target" in scenario|expectation|snapshot) ;; *) echo "usage: Fuzz/run.sh scenario|expectation|snapshot|all [seconds]" >&2; exit 2 ;; esac

# (-sanitize=fuzzer alone instrumented no Swift module for coverage with Swift 6.3.1: the
# -sanitize-coverage flags make libFuzzer see the parsers' edges and comparisons.)
nice -n 5 swift build -c release --scratch-path .build/fuzz --sanitize=fuzzer --sanitize=address \
  -Xswiftc -DFUZZING -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  --product CanaryFuzz 2>&1 | grep -E "error|warning: unre|Compiling CanaryFuzz|complete!" || true
bin=.build/fuzz/release/CanaryFuzz
[ -x "$bin" ] || { echo "fuzz build failed" >&2; exit 1; }

# Working corpus: shipped files and the regression corpus (libFuzzer adds what it finds).
work=.build/fuzz/corpus/$target
mkdir -p "$work" "Fuzz/findings/$target"
case "$target" in
  scenario) find Scenarios -name '*.yaml' -exec cp {} "$work/" \; ;;
  expectation)
    # Every `expect:` line of the shipped scenarios, one file each.
    n=0
    grep -h '^  - ' $(grep -l '^expect:' -r Scenarios --include='*.yaml') | sed -e 's/^  - //' -e 's/ *#.*$//' | sort -u |
      while IFS= read -r line; do n=$((n+1)); printf '%s' "$line" > "$work/shipped-$n"; done ;;
  snapshot) cp Scenarios/elections/*.json "$work/" 2>/dev/null || true
            find Tests/Fixtures/vectors/npos -name '*.json' -exec cp {} "$work/" \; ;;
esac
[ -d "Fuzz/regressions/$target" ] && cp Fuzz/regressions/$target/* "$work/" 2>/dev/null || true

echo "fuzzing $target for $seconds s (corpus $(ls "$work" | wc -l) files)"
CANARY_FUZZ_TARGET=$target "$bin" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
  -max_len=65536 -artifact_prefix="Fuzz/findings/$target/" -print_final_stats=1 2>&1 |
  grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Test unit written|^==" | tail -n 30
