#!/usr/bin/env bash
# Mechanical style checks, run by `make test`: banned functions, and
# cppcheck's warnings. Fails (exit 1) on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

# Functions with no bound on what they write or no error report.
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)[[:space:]]*\('
if grep -rnE "$banned" src include tests/unit tests/fuzz --include='*.c' --include='*.cc' --include='*.h'; then
  echo "lint: fonctions interdites ci-dessus (utilisez snprintf, strtol, li_buf...)" >&2
  status=1
fi

# System texts are English: errno, SQLite and expat causes go through the
# catalogue (li_msg_errno, li_msg_sqlite) so that none reaches the user;
# libpwquality's and cracklib's reasons are mapped to catalogue messages.
english='\b(strerror|strerror_r|perror|sqlite3_errmsg|sqlite3_errstr|XML_ErrorString|zip_strerror|zip_error_strerror|pwquality_strerror|FascistCheck)[[:space:]]*\('
if grep -rnE "$english" src --include='*.c' --include='*.cc' --include='*.h'; then
  echo "lint: texte système anglais ci-dessus (utilisez li_msg_errno, li_msg_sqlite)" >&2
  status=1
fi

# Job states, phases and work items are enums (leadimport/state.h): their
# stored names are converted in src/util/state.c alone, and the store
# reads and writes them. Anywhere else a string comparison on one of those
# names (or on a phase or kind field) is a second, drifting copy.
states='(uploaded|queued|parsing|ready|importing|completed|rejected|failed|cancelled|reverted|running|done|dead)'
state_cmp="\\bstr(n|case|ncase)?cmp[[:space:]]*\\(.*(\"${states}\"|(->|\\.)(phase|kind|state)\\b)"
if grep -rnE "$state_cmp" src include --include='*.c' --include='*.cc' --include='*.h' \
     | grep -vE '^(src/util/state\.c|src/store/)'; then
  echo "lint: comparaison de chaînes sur un état ci-dessus (utilisez les enums de leadimport/state.h)" >&2
  status=1
fi

# Folders are layers: includes and calls only go down, no two files share a
# name (scripts/check_layers.py; the calls are read from the build's objects).
objs="${LI_BUILD:-build}"
if [ ! -d "$objs/CMakeFiles/leadcore.dir" ]; then
  echo "lint: pas de construction dans $objs : seules les inclusions sont vérifiées, pas les appels" >&2
  objs=""
fi
if ! python3 scripts/check_layers.py . $objs; then
  echo "lint: une inclusion ou un appel remonte les couches (scripts/check_layers.py)" >&2
  status=1
fi

if command -v cppcheck >/dev/null 2>&1; then
  if ! cppcheck -q --error-exitcode=1 --enable=warning,portability --std=c11 \
       --suppress=missingIncludeSystem --inline-suppr -Iinclude -Isrc \
       -D_GNU_SOURCE src 2>&1; then
    echo "lint: cppcheck a trouvé des problèmes" >&2
    status=1
  fi
fi
[ $status -eq 0 ] && echo "lint: ok (fonctions interdites, états comparés en chaînes, couches, cppcheck)"
exit $status
