#!/usr/bin/env bash
# Regenerates Reports/: runs each scenario listed in Reports/scenarios.txt (release build) into a
# temporary database and writes its report to Reports/<scenario name>/, then Reports/README.md.
# The same results give the same bytes, so `git status Reports/` after this shows exactly the
# reports whose results changed. Usage: Reports/regenerate.sh [SCENARIO.yaml ...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product canary >&2
canary=.build/release/canary
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(grep -v '^\s*#' Reports/scenarios.txt | grep -v '^\s*$'); fi
for f in "${files[@]}"; do
  stem=$(basename "$f" .yaml)
  echo "== $f" >&2
  # Exit code 1 (an expectation failed) still gives a report; anything else is an error.
  status=0; "$canary" run "$f" --db "$tmp/$stem.sqlite" >/dev/null || status=$?
  [ "$status" -le 1 ] || { echo "canary run $f: exit code $status" >&2; exit 1; }
  name=$(grep -m1 '^name:' "$f" | sed 's/^name:[[:space:]]*//; s/[[:space:]]*#.*$//')
  rm -rf "Reports/$name"
  "$canary" report "$tmp/$stem.sqlite" -o "Reports/$name" >&2
done
{
  echo "# Reports of the shipped scenarios"
  echo
  echo "Made by \`Reports/regenerate.sh\` (see docs/reports.md); open any \`index.html\` in a browser, offline."
  echo
  echo "| scenario file | report |"
  echo "|---|---|"
  grep -v '^\s*#' Reports/scenarios.txt | grep -v '^\s*$' | while read -r f; do
    name=$(grep -m1 '^name:' "$f" | sed 's/^name:[[:space:]]*//; s/[[:space:]]*#.*$//')
    echo "| \`$f\` | [$name]($name/index.html) |"
  done
} > Reports/README.md
# The same list as a page for browsing offline.
{
  echo '<!DOCTYPE html>'
  echo '<html lang="en"><head><meta charset="utf-8"><title>Canary reports</title>'
  echo '<style>body { font-family: sans-serif; margin: 2em auto; max-width: 800px; } td { padding: 0.2em 1em 0.2em 0; }</style></head><body>'
  echo '<h1>Reports of the shipped scenarios</h1>'
  echo '<p>Made by <code>Reports/regenerate.sh</code> (see docs/reports.md).</p><table>'
  grep -v '^\s*#' Reports/scenarios.txt | grep -v '^\s*$' | while read -r f; do
    name=$(grep -m1 '^name:' "$f" | sed 's/^name:[[:space:]]*//; s/[[:space:]]*#.*$//')
    echo "<tr><td><a href=\"$name/index.html\">$name</a></td><td><code>$f</code></td></tr>"
  done
  echo '</table></body></html>'
} > Reports/index.html
