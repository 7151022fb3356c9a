#!/usr/bin/env bash
# Installs what building, running and testing leadimport needs, and nothing
# more. Idempotent: a package already present is not asked for again, so a
# second run costs a few dpkg queries and no network.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake pkg-config
  libsqlite3-dev sqlite3          # embedded store; sqlite3 is the bench reference
  libpq-dev                       # the PostgreSQL store backend (client library)
  libssl-dev                      # SHA-256 of files (uses the CPU's SHA extensions)
  libsodium-dev                   # later: HMAC, Argon2id, random tokens
  libpwquality-dev cracklib-runtime  # password strength; create-cracklib-dict builds our dictionary
  wfrench wamerican               # French and English words for that dictionary
  libutf8proc-dev                 # Unicode folding for header matching
  libjansson-dev                  # JSON reading (error lists, custom fields)
  libphonenumber-dev              # phone numbers checked against real numbering plans
  iso-codes                       # ISO 3166 country names (EN/FR): regenerating src/lead/country_table.h, its test
  libmicrohttpd-dev               # the HTTP server (leadimport serve)
  libcmocka-dev                   # unit tests
  clang libclang-rt-dev           # fuzz build: libFuzzer, ASan and UBSan runtimes for clang
  python3                         # sample-data generator (stdlib only)
  libzip-dev libexpat1-dev        # XLSX: zip container, streamed XML
  libxlsxwriter-dev               # XLSX test fixtures and bench files (C)
  python3-openpyxl python3-xlsxwriter  # XLSX integration tests and bench reference
  python3-phonenumbers            # an independent oracle of phone validity in tests
  postgresql-15                   # PostgreSQL tests: a throw-away cluster (scripts/pg-test-cluster.sh); psql for their queries
  libreoffice-calc-nogui          # XLSX round trip through LibreOffice (~80 MB, ~30 s to install)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: paquets manquants : ${missing[*]} (relancez en root ou installez-les)" >&2
    exit 1
  fi
  echo "install-deps: installation de ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
