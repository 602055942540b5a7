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
# Communications: contacts planned, dispatched, and SMS into the Perl SMSC, beside raw baselines.
go run ./tools/benchcomms -out BENCHMARKS.md
# Telephony: SIPp (Debian sip-tester) through wismo's SIP engine, beside SIPp calling SIPp.
go run ./tools/benchsip -out BENCHMARKS.md
# Pacing: predictive against progressive dialing in the campaign simulator (no database).
go run ./tools/benchpacing -out BENCHMARKS.md
# Predictive dialing live: the dialer through wismo's SIP engine to SIPp customers that answer
# with a probability, agents on SIP phones (a SIPp UAS each); progressive beside it, same peers.
go run ./tools/benchpredictive -out BENCHMARKS.md
# Search: 1M parcels and 200k cases (wismo demo, generated once into a kept PostgreSQL
# database), embedded SQLite and PostgreSQL and Meilisearch beside plain Meilisearch.
# WISMO_BENCH_SEARCH_ARGS overrides the size, e.g. "-parcels 100000 -cases 20000".
# shellcheck disable=SC2086
go run ./tools/benchsearch -bin bin/wismo -out BENCHMARKS.md ${WISMO_BENCH_SEARCH_ARGS:-}
# Tracking page: wrk (Debian wrk) on loopback over 1M demo parcels (a kept SQLite corpus in
# $TMPDIR/wismo-benchtrack), beside fiber's hello-world as the ceiling, in the same run.
# WISMO_BENCH_TRACK_ARGS overrides, e.g. "-parcels 100000 -runs 1 -duration 10s".
# shellcheck disable=SC2086
go run ./tools/benchtrack -bin bin/wismo -out BENCHMARKS.md ${WISMO_BENCH_TRACK_ARGS:-}
# Case workspace: the case page and each case view over the search benchmark's kept corpus
# (tools/benchcorpus), SQLite and PostgreSQL, 1 and 8 clients, beside a raw SELECT of a case row.
# WISMO_BENCH_CASES_ARGS overrides, e.g. "-parcels 100000 -cases 20000 -requests 50".
# shellcheck disable=SC2086
go run ./tools/benchcases -bin bin/wismo -out BENCHMARKS.md ${WISMO_BENCH_CASES_ARGS:-}
# Inbound SMS and e-mail (package inbound): arrival to on the case, p50/p99, over HTTP, SMPP
# parts and the SMTP listener, beside a case note added through the case tracker and a raw
# case_log INSERT, on SQLite and PostgreSQL.
go run ./tools/benchinbound -out BENCHMARKS.md
# Answering-machine detection: wismo's detector (package amd) beside Asterisk's AMD algorithm
# (tools/amdbaseline, amd.conf's defaults) on 400 greetings generated in the run by espeak-ng
# and sox from a seed not used for tuning.
go run ./tools/benchamd -out BENCHMARKS.md
# Expected dates (package eta): the share of delivered demo parcels (region-dependent delays)
# that arrived by their expected date and the mean error in days, beside the transit standard.
go run ./tools/benchexpected -out BENCHMARKS.md
# Rules on elapsed time: the sweep over 1M armed parcels (a fresh database per dialect, dropped
# afterwards) beside a raw indexed COUNT of the same due rows in the same run.
# WISMO_BENCH_ELAPSED_ARGS overrides, e.g. "-parcels 100000 -due 1000 -runs 1".
# shellcheck disable=SC2086
go run ./tools/benchelapsed -out BENCHMARKS.md ${WISMO_BENCH_ELAPSED_ARGS:-}
# Hotline self-service: SIPp callers key a tracking number (SIP INFO) and hear their parcel's
# status over 1M parcels (a kept SQLite corpus in $TMPDIR/wismo-benchhotline), beside SIPp
# calling SIPp on the same scenario; a ladder of concurrent calls, the first step cold.
# WISMO_BENCH_HOTLINE_ARGS overrides, e.g. "-parcels 100000 -levels 100,200,400".
# shellcheck disable=SC2086
go run ./tools/benchhotline -bin bin/wismo -out BENCHMARKS.md ${WISMO_BENCH_HOTLINE_ARGS:-}
# Compact recordings (recordings/compact): Opus in Ogg against the 16-bit WAV, size and CPU per
# recorded minute, beside FLAC and a plain fsynced copy of the same WAV in the same run.
go run ./tools/benchrecordings -out BENCHMARKS.md
# Transcription (recordings/transcribe): pocketsphinx's real-time factor as wismo runs it, on a
# minute of telephone speech from the committed clip, beside the bare program and its load time.
go run ./tools/benchtranscribe -out BENCHMARKS.md
# Talk analytics (recordings/talk): CPU per recorded minute on one core, beside reading the WAV.
go run ./tools/benchtalk -out BENCHMARKS.md
