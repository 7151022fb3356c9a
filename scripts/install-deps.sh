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
  chromium                        # browser tests of the web page (tests/e2e), driven by playwright-core
  fonts-dejavu-core               # a font for the page's text in those tests' screenshots
)
# The machine's Node.js (20 or later, with npm) runs the browser tests; a
# machine without one gets Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs npm)
fi

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

# The browser tests' npm packages (playwright-core, axe-core), pinned by
# tests/e2e/package-lock.json into tests/e2e/node_modules (ignored by git).
# `npm ci` runs only when node_modules is missing or the lock changed since it
# ran: the stamp holds the lock's SHA-256. Playwright never downloads a
# browser (playwright-core has no install step; the tests use Debian's).
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e"
E2E_STAMP="$E2E_DIR/node_modules/.leadimport-lock.sha256"
lock_sum="$(sha256sum "$E2E_DIR/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$E2E_STAMP" ] || [ "$(cat "$E2E_STAMP")" != "$lock_sum" ]; then
  echo "install-deps: npm ci dans tests/e2e (playwright-core, axe-core)" >&2
  (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$E2E_STAMP"
fi
