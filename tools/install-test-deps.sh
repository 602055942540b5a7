#!/usr/bin/env bash
# Installs the Debian packages wismo's tests and benchmarks need when they are missing, and
# makes sure PostgreSQL is running on 127.0.0.1:5432. Idempotent; runs as root (apt-get).
set -euo pipefail

# command -> Debian package that provides it
declare -A need=(
  [pg_isready]=postgresql-client
  [psql]=postgresql-client
)

missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  missing+=(postgresql)
fi

if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "install-test-deps: installing $pkgs"
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: need root to apt-get install $pkgs" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

# PostgreSQL must answer on loopback.
if ! pg_isready -h 127.0.0.1 -q; then
  echo "install-test-deps: starting PostgreSQL"
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
  pg_isready -h 127.0.0.1 || { echo "install-test-deps: PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
echo "install-test-deps: ok"
