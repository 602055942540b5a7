#!/usr/bin/env bash
# Checks the ledger of store/storetest.OnePass after `make test`: every heavy test that the
# PostgreSQL pass skipped ran in the SQLite pass, and no heavy test ran twice.
set -euo pipefail
ledger=${1:?usage: check-one-pass.sh LEDGER}
[ -f "$ledger" ] || { echo "check-one-pass: no ledger at $ledger (did the passes run?)" >&2; exit 1; }
bad=0
while read -r name; do
  echo "check-one-pass: $name was skipped in the PostgreSQL pass and did not run in the SQLite pass" >&2
  bad=1
done < <(comm -23 <(awk '$1=="skipped"{print $2}' "$ledger" | sort -u) <(awk '$1=="ran"{print $2}' "$ledger" | sort -u))
while read -r n name; do
  echo "check-one-pass: $name ran $n times (heavy tests run once)" >&2
  bad=1
done < <(awk '$1=="ran"{print $2}' "$ledger" | sort | uniq -c | awk '$1>1')
ran=$(awk '$1=="ran"' "$ledger" | wc -l)
echo "check-one-pass: $ran heavy tests ran once"
exit $bad
