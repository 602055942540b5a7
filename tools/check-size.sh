#!/usr/bin/env bash
# A standing size rule (docs/architecture.md): a package past ~4,000 lines of non-test Go is
# split by concern. Prints each package's non-test lines, largest first; fails over the limit.
set -euo pipefail
limit=${1:-4000}
cd "$(dirname "$0")/.."
bad=0
while read -r n dir; do
  if [ "$n" -gt "$limit" ]; then
    echo "check-size: $dir has $n lines of non-test Go (limit $limit): split it by concern" >&2
    bad=1
  fi
done < <(git ls-files '*.go' | grep -v '_test\.go$' | grep -v '^tools/' | while read -r f; do
  printf '%s %s\n' "$(dirname "$f")" "$(wc -l <"$f")"; done |
  awk '{s[$1]+=$2} END {for (d in s) print s[d], d}' | sort -rn)
exit $bad
