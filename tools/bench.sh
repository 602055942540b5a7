#!/usr/bin/env bash
# Runs wismo's benchmarks against bin/wismo (make build) and writes BENCHMARKS.md. Arguments go
# to the ingest benchmark, e.g. `bash tools/bench.sh -runs 1 -parcels 5000`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pg_isready -q -h 127.0.0.1; then
  echo "bench: PostgreSQL does not answer on 127.0.0.1 (start it: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)" >&2
  exit 1
fi
# Ingest: a post's feed (time order) is the headline; parcel-by-parcel order is kept beside it.
go run ./tools/benchingest -bin bin/wismo -out BENCHMARKS.md "$@"
go run ./tools/benchingest -bin bin/wismo -out BENCHMARKS.md -order parcel -runs 1 "$@"
# Further benchmark programs go here; each rewrites only its own marked section of BENCHMARKS.md.
