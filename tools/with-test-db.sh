#!/usr/bin/env bash
# Runs a command with WISMO_TEST_DATABASE_URL pointing at a fresh PostgreSQL database that is
# dropped afterwards, so test runs never see each other's rows. PG_ADMIN_URL names the server.
set -euo pipefail
admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
if [ -n "${WISMO_TEST_DATABASE_URL:-}" ]; then
  exec "$@"   # the caller chose a database
fi
db="wismo_test_$$_$(date +%s)"
psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
# Same server and options, another database name.
WISMO_TEST_DATABASE_URL=$(echo "$admin" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$db#")
export WISMO_TEST_DATABASE_URL
echo "with-test-db: $WISMO_TEST_DATABASE_URL"
"$@"
