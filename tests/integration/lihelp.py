"""lihelp.py — what the integration tests share (not a test itself).

Each test_*.py script is run by CTest as `python3 SCRIPT` with
  LEADIMPORT_BIN  the binary under test
  LI_SOURCE_DIR   the project root
  LI_SANITIZE     ON when the binary is an ASan/UBSan build (keep files small)
and optionally LI_SHARED_DIR (default: LI_SOURCE_DIR/../shared).

The backend under test is chosen by LI_TEST_DB: "sqlite" (the default) or
"postgresql", then with LI_PG_DIR the folder of the throw-away cluster's
unix socket, or LI_PG_STATE the file where scripts/pg-test-cluster.sh
wrote it (CTest's fixture pgcluster starts and removes the cluster). The
same tests run on both: db_url() names a fresh database per (folder, name)
-- on PostgreSQL a database created for it and dropped when the test's
folder is gone --, query() reads it (sqlite3, or psql), clone_db() copies
one. Tests of something only one backend has say so (sqlite_only,
postgresql_only) and are skipped visibly on the other.
"""
import csv
import hashlib
import io
import json
import os
import sqlite3
import atexit
import itertools
import select
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("LI_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("LEADIMPORT_BIN") or os.path.join(SOURCE_DIR, "build", "leadimport")
SANITIZE = os.environ.get("LI_SANITIZE", "OFF").upper() in ("ON", "1", "TRUE", "YES")
GEN_SAMPLE = os.path.join(SOURCE_DIR, "tools", "gen_sample.py")
SHARED_DIR = os.environ.get("LI_SHARED_DIR") or os.path.join(SOURCE_DIR, "..", "shared")
SHARED_GEN = os.path.join(SHARED_DIR, "bench", "gen_leads.py")

HEADER = ["Prénom", "Nom", "Email", "Téléphone", "Société", "Poste", "Adresse",
          "Code postal", "Ville", "Pays", "Source", "Notes", "ID externe",
          "Commercial"]
EXPORT_HEADER = ["Prénom", "Nom", "E-mail", "Téléphone", "Société", "Poste",
                 "Adresse", "Code postal", "Ville", "Pays", "Source", "Notes",
                 "ID externe", "Commercial", "Assigné à"]

BACKEND = (os.environ.get("LI_TEST_DB") or "sqlite").lower()
if BACKEND in ("pg", "postgres"):
    BACKEND = "postgresql"
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError("LI_TEST_DB=%r: sqlite or postgresql" % BACKEND)
PG = BACKEND == "postgresql"
PG_DIR = os.environ.get("LI_PG_DIR", "")
if PG and not PG_DIR and os.environ.get("LI_PG_STATE"):
    # The file where scripts/pg-test-cluster.sh recorded the cluster's folder.
    try:
        with open(os.environ["LI_PG_STATE"], encoding="utf-8") as f:
            PG_DIR = f.read().strip()
    except OSError:
        PG_DIR = ""
PSQL = os.environ.get("LI_PSQL", "psql")

# Seconds one command may take before the test fails instead of hanging.
TIMEOUT = 600 if SANITIZE else 300


def rows_for(plain, asan, pg=None):
    """A row count fit for this build, and for PostgreSQL when pg is given
    (it stores a row about six times slower than SQLite on the test
    cluster: a test that needs many batches, not many rows, says so)."""
    if SANITIZE:
        return asan
    return pg if PG and pg is not None else plain


def kill_point(rnd, done, total, lo, hi):
    """The row count at which a crash test kills its process next: drawn
    between where the stage stands (done) and its end, lo to hi of what
    is left. Drawn over the whole file, a point near the end was passed
    between two polls on a slow backend or machine, and the process then
    ran the stage to its end: a kill that never lands tests nothing."""
    return done + 1 + int((total - done) * rnd.uniform(lo, hi))


def require_binary():
    """For setUpModule: a missing binary is a failure, said clearly. On
    PostgreSQL, the whole module is skipped visibly when the build has no
    PostgreSQL backend yet (the tests say what they cover once it lands)."""
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        raise RuntimeError("leadimport binary not found at %r (set LEADIMPORT_BIN)" % BIN)
    if PG:
        _require_pg_backend()


def clean_env(extra=None):
    env = dict(os.environ)
    env.pop("LEADIMPORT_DB", None)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env["LC_ALL"] = "C.UTF-8"
    if extra:
        env.update(extra)
    return env


class Run:
    """The outcome of one command: code, stdout and stderr (bytes and text)."""

    def __init__(self, args, cp):
        self.args = args
        self.code = cp.returncode
        self.out_bytes = cp.stdout
        self.err_bytes = cp.stderr
        self.out = cp.stdout.decode("utf-8", "replace")
        self.err = cp.stderr.decode("utf-8", "replace")

    def __repr__(self):
        return "leadimport %s -> exit %s\nstdout: %s\nstderr: %s" % (
            " ".join(self.args), self.code, self.out[-2000:], self.err[-2000:])

    def json(self):
        return json.loads(self.out)


def run(args, cwd=None, env=None, stdin=None):
    cp = subprocess.run([BIN] + list(args), cwd=cwd, env=clean_env(env),
                        stdin=subprocess.DEVNULL if stdin is None else stdin,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return Run(args, cp)


def db_url(tmp, name="t.db"):
    """The --db of database name of the test folder tmp. On PostgreSQL, an
    empty database made on first use (an administrator creates the
    database, leadimport creates its tables), dropped once tmp is gone."""
    if PG:
        return pg_url(_pg_db_for(tmp, name))
    return "sqlite:" + os.path.join(tmp, name)


def db_path(tmp, name="t.db"):
    """The file of a SQLite database (SQLite-only tests)."""
    return os.path.join(tmp, name)


def sqlite_only(reason):
    """Decorator: a test of something only the SQLite backend has."""
    return unittest.skipIf(PG, "SQLite seulement : " + reason)


def postgresql_only(reason):
    """Decorator: a test of something only the PostgreSQL backend has."""
    return unittest.skipUnless(PG, "PostgreSQL seulement : " + reason)


# --- PostgreSQL: the test cluster ----------------------------------------------

_pg_seq = itertools.count(1)
_pg_dbs = {}          # (realpath of tmp, name) -> database name
_pg_backend_ok = None  # None: not probed yet


def pg_url(dbname):
    return "postgresql://postgres@/%s?host=%s" % (dbname, PG_DIR)


def psql(sql, dbname="postgres", check=True):
    """Runs sql through psql on database dbname; returns its stdout (text)."""
    if not PG_DIR:
        raise RuntimeError("LI_TEST_DB=postgresql needs LI_PG_DIR (scripts/pg-test-cluster.sh)")
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    env.pop("PGDATABASE", None)
    cp = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-d", pg_url(dbname), "-c", sql],
                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        timeout=TIMEOUT)
    if check and cp.returncode != 0:
        raise RuntimeError("psql on %s: %s\n%s" % (dbname, sql, cp.stderr.decode("utf-8", "replace")))
    return cp.stdout.decode("utf-8")


def _pg_admin(sql, check=True):
    """A statement on the cluster itself (CREATE or DROP DATABASE, a look at
    pg_stat_activity), through the kept session of database postgres: a
    psql started for each cost 40 to 80 ms, three times per database of a
    test (created, cloned, dropped), and a test file makes dozens. Returns
    the lines psql printed; an error raises RuntimeError when check."""
    with _pg_session_lock:
        for _ in range(2):
            lines = _pg_session_ask("postgres", sql)
            if lines is None:  # the session was cut (a restart): a new one
                continue
            bad = [l for l in lines if l.startswith(("ERROR", "FATAL", "psql:"))
                   or "connection" in l]
            if bad and any("connection" in l for l in bad):
                _pg_session_close("postgres")
                continue
            if bad and check:
                raise RuntimeError("psql on postgres: %s\n%s" % (sql, "\n".join(lines)))
            return lines
    if check:
        raise RuntimeError("psql on postgres: connection lost twice for %s" % sql)
    return []


def _pg_create(template=None):
    name = "li_%d_%d" % (os.getpid(), next(_pg_seq))
    # FILE_COPY: the test databases are small, and the default (WAL_LOG)
    # costs about 0.1 s more per database; a test file makes dozens.
    _pg_admin("CREATE DATABASE %s%s STRATEGY FILE_COPY"
              % (name, " TEMPLATE " + template if template else ""))
    return name


def _pg_db_for(tmp, name, create=True):
    key = (os.path.realpath(tmp), name)
    if key not in _pg_dbs and create:
        _pg_dbs[key] = _pg_create()
    return _pg_dbs.get(key)


def _pg_drop(dbname):
    _pg_session_close(dbname)
    # FORCE: a server or worker a failed test left running must not keep it.
    _pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname, check=False)


def _pg_drop_gone():
    """Drops the databases whose test folder has been removed."""
    for key in [k for k in _pg_dbs if not os.path.isdir(k[0])]:
        _pg_drop(_pg_dbs.pop(key))


@atexit.register
def _pg_drop_all():
    for key in list(_pg_dbs):
        _pg_drop(_pg_dbs.pop(key))


if PG:
    # Each test's databases go with its folder, at the end of the test: a
    # test file makes dozens of them, and the cluster is shared.
    _unittest_run = unittest.TestCase.run

    def _run_then_drop(self, *a, **kw):
        try:
            return _unittest_run(self, *a, **kw)
        finally:
            _pg_drop_gone()
    unittest.TestCase.run = _run_then_drop


def _require_pg_backend():
    global _pg_backend_ok
    if not PG_DIR:
        skip_visibly("LI_TEST_DB=postgresql sans LI_PG_DIR : pas de cluster de test")
    if _pg_backend_ok is None:
        probe = _pg_create()
        try:
            r = run(["migrate", "--db", pg_url(probe)])
        finally:
            _pg_drop(probe)
        _pg_backend_ok = r.code == 0
        if not _pg_backend_ok and "pas encore" not in r.err:
            raise RuntimeError("leadimport migrate on PostgreSQL: %r" % r)
    if not _pg_backend_ok:
        skip_visibly("ce binaire n'a pas de backend PostgreSQL (db_backend_unavailable)")


def clone_db(src_tmp, src_name, tmp, name="t.db"):
    """Makes database name of tmp a copy of database src_name of src_tmp
    (SQLite: online backup; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""
    if PG:
        key = (os.path.realpath(tmp), name)
        if key in _pg_dbs:
            _pg_drop(_pg_dbs.pop(key))
        src = _pg_db_for(src_tmp, src_name)
        # A template must have no session: PostgreSQL waits 5 s for them to
        # go before it refuses, so a database a server holds goes straight
        # to the dump (5 s per snapshot of test_http_flow otherwise).
        _pg_session_close(src)
        if _pg_admin("SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'" % src) == ["0"]:
            try:
                _pg_dbs[key] = _pg_create(template=src)
                return
            except RuntimeError:  # a session came meanwhile
                pass
        # In use (a server is connected): a dump, consistent too.
        _pg_dbs[key] = dst = _pg_create()
        dump = subprocess.run("pg_dump --no-owner '%s' | '%s' -X -q -v ON_ERROR_STOP=1 -d '%s'"
                              % (pg_url(src), PSQL, pg_url(dst)), shell=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)
        if dump.returncode != 0:
            raise RuntimeError("pg_dump of %s: %s" % (src, dump.stderr.decode()))
        return
    src = sqlite3.connect(db_path(src_tmp, src_name))
    dst = sqlite3.connect(db_path(tmp, name))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def gen_sample(tmp, name, rows, seed=1, delimiter=",", encoding="utf-8", newline="crlf",
               invalid_rate=None, dup_rate=None):
    """Writes tmp/name with tools/gen_sample.py; returns (path, expectations)."""
    path = os.path.join(tmp, name)
    expect = path + ".expect.json"
    cmd = [sys.executable, GEN_SAMPLE, "--rows", str(rows), "--seed", str(seed),
           "--delimiter", delimiter, "--encoding", encoding, "--newline", newline,
           "--out", path, "--expect", expect]
    if invalid_rate is not None:
        cmd += ["--invalid-rate", str(invalid_rate)]
    if dup_rate is not None:
        cmd += ["--dup-rate", str(dup_rate)]
    subprocess.run(cmd, check=True, timeout=300)
    with open(expect, encoding="utf-8") as f:
        return path, json.load(f)


def write_csv(path, rows, delimiter=",", encoding="utf-8", newline="\r\n", header=HEADER):
    """Writes rows (lists of str) under header as CSV; returns path."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))
    return path


def lead(first="Jean", last="Dupont", email="jean.dupont@example.fr",
         phone="06 12 34 56 78", company="Dupont SARL", **kw):
    """One row of HEADER's 14 fields."""
    rest = [kw.get("job_title", "Gérant"), kw.get("address", "3 rue de la Paix"),
            kw.get("postal_code", "75002"), kw.get("city", "Paris"),
            kw.get("country", "France"), kw.get("source", "Salon"),
            kw.get("notes", ""), kw.get("external_id", ""), kw.get("owner", "")]
    return [first, last, email, phone, company] + rest


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_semicolon_csv(data):
    """Parses CSV bytes the way our report and export are written (UTF-8 with
    BOM); the delimiter is sniffed from the first line. Returns (has_bom,
    delimiter, records)."""
    has_bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    try:
        delim = csv.Sniffer().sniff(first, delimiters=";,\t|").delimiter
    except csv.Error:
        delim = ";"
    return has_bom, delim, list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def read_report(path):
    with open(path, "rb") as f:
        return read_semicolon_csv(f.read())


def report_row_numbers(path):
    _, _, recs = read_report(path)
    return [int(r[0]) for r in recs[1:] if r]


def report_statuses(path):
    """[(row number, « Statut »)] of a report, in its order."""
    _, _, recs = read_report(path)
    return [(int(r[0]), r[1]) for r in recs[1:] if r]


def report_refused_rows(path):
    """Row numbers of the report's refused rows (Statut « refusée »)."""
    return [n for n, status in report_statuses(path) if status == "refusée"]


def export(tmp, db="t.db", out=None):
    """Runs `leadimport export`; returns (Run, bytes of the export)."""
    out = out or os.path.join(tmp, "export.csv")
    r = run(["export", "--db", db_url(tmp, db), "-o", out], cwd=tmp)
    data = b""
    if os.path.exists(out):
        with open(out, "rb") as f:
            data = f.read()
    return r, data


def export_column(data, header_name):
    _, _, recs = read_semicolon_csv(data)
    if not recs:
        return []
    col = recs[0].index(header_name)
    return [rec[col] for rec in recs[1:] if rec]


# The staged rows that became leads, by the store's rule (store.h): a row
# staged "valid" at or below its job's commit checkpoint was committed and
# only created its lead (the commit stage leaves it as staged).
IMPORTED_ROWS_SQL = ("SELECT count(*) FROM import_rows r JOIN import_jobs j ON j.id = r.job_id"
                     " WHERE r.status = 'imported'"
                     " OR (r.status = 'valid' AND r.row_no <= j.commit_row)")


def query(tmp, sql, params=(), db="t.db"):
    """Rows (tuples) of one SQL statement with ? parameters, on either
    backend. On PostgreSQL the statement goes through psql: a SELECT (or
    WITH) is wrapped in row_to_json so that numbers come back as numbers
    and NULL as None, as sqlite3 gives them; anything else returns []."""
    if PG:
        return _pg_query(_pg_db_for(tmp, db), sql, params)
    con = sqlite3.connect(db_path(tmp, db))
    try:
        rows = con.execute(sql, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def _pg_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def _pg_bind(sql, params):
    """sql with each ? outside quotes replaced by the literal of its parameter."""
    out, it, quote = [], iter(params), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append(_pg_literal(next(it)))
        else:
            out.append(ch)
    return "".join(out)


def _pg_query(dbname, sql, params):
    sql = _pg_bind(sql.strip().rstrip(";"), params)
    head = sql.lstrip("( \n").split(None, 1)[0].upper()
    if head not in ("SELECT", "WITH", "VALUES"):
        psql(sql, dbname)
        return []
    # Pairs, not a dict: two columns may have the same name.
    text = _pg_session_query(dbname, "SELECT row_to_json(q) FROM (%s) q" % sql)
    return [tuple(_pg_column(v) for _, v in json.loads(line, object_pairs_hook=_Pairs))
            for line in text.splitlines() if line]


_pg_sessions = {}  # database name -> a psql process kept open for SELECTs


def _pg_session_close(dbname):
    proc = _pg_sessions.pop(dbname, None)
    if proc:
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def _pg_session_ask(dbname, sql):
    """One statement through the database's kept psql (started on first
    use): a new psql per read cost 50 ms, and tests that poll a running
    job's progress saw it run thousands of rows between two reads. None
    when the session is gone (its connection cut by a test): the caller
    starts another."""
    proc = _pg_sessions.get(dbname)
    if proc is None:
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        env.pop("PGDATABASE", None)
        proc = subprocess.Popen([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0",
                                 "-d", pg_url(dbname)], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        _pg_sessions[dbname] = proc
    marker = "--li-end-%d--" % next(_pg_seq)
    try:
        proc.stdin.write(("%s;\n\\echo %s\n" % (sql, marker)).encode("utf-8"))
        proc.stdin.flush()
        out = b""
        end = ("\n%s\n" % marker).encode()
        deadline = time.time() + TIMEOUT
        fd = proc.stdout.fileno()
        # Read from the descriptor itself: a buffered reader would keep
        # lines that select() no longer sees.
        while not (b"\n" + out[-len(end):]).endswith(end):
            if not select.select([fd], [], [], max(0.0, deadline - time.time()))[0]:
                raise RuntimeError("psql on %s: no answer to %s" % (dbname, sql))
            chunk = os.read(fd, 65536)
            if not chunk:
                raise BrokenPipeError
            out += chunk
        text = out.decode("utf-8")
        return text[:len(text) - len(marker) - 1].splitlines()
    except (BrokenPipeError, ConnectionResetError):
        _pg_session_close(dbname)
        return None


_pg_session_lock = threading.Lock()  # a test's threads share the sessions


def _pg_session_query(dbname, sql):
    """The text psql prints for a SELECT, as psql() gives it; an error
    raises RuntimeError, as psql() does."""
    with _pg_session_lock:
        return _pg_session_query_locked(dbname, sql)


def _pg_session_query_locked(dbname, sql):
    for _ in range(2):
        lines = _pg_session_ask(dbname, sql)
        if lines is None:
            continue
        bad = [l for l in lines if not l.startswith("{") and not l.startswith("WARNING")]
        if bad:
            if any("connection" in l for l in bad):  # cut: ask again on a new one
                _pg_session_close(dbname)
                continue
            raise RuntimeError("psql on %s: %s\n%s" % (dbname, sql, "\n".join(bad)))
        return "".join(l + "\n" for l in lines if l.startswith("{"))
    raise RuntimeError("psql on %s: connection lost twice for %s" % (dbname, sql))


class _Pairs(list):
    """A JSON object read as its (key, value) pairs."""


def _pg_plain(v):
    if isinstance(v, _Pairs):
        return {k: _pg_plain(x) for k, x in v}
    if isinstance(v, list):
        return [_pg_plain(x) for x in v]
    return v


def _pg_column(v):
    # A json column comes back as JSON text, as SQLite stores it.
    if isinstance(v, list):
        return json.dumps(_pg_plain(v), ensure_ascii=False)
    return v


def index_names(tmp, table, db="t.db"):
    """Names of the indexes of table (either backend)."""
    if PG:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = ?"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
    return {r[0] for r in query(tmp, sql, (table,), db=db)}


def stored_blob(tmp, key, db="t.db"):
    """The path of a file with the bytes the database keeps under key (a
    queued file by its SHA-256, "reports/N.erreurs.csv"), or None if it
    keeps none. SQLite: the file itself, in the folder beside the database;
    PostgreSQL: the rows of blob_chunks, written to a file of tmp."""
    if not PG:
        path = os.path.join(tmp, db + ".files", key)
        return path if os.path.isfile(path) else None
    rows = query(tmp, "SELECT to_regclass('blob_chunks') IS NOT NULL", db=db)
    if not rows or not rows[0][0]:
        return None
    rows = query(tmp, "SELECT b.size, coalesce(string_agg(encode(c.data, 'hex'), '' ORDER BY"
                      " c.seq), '') FROM blobs b LEFT JOIN blob_chunks c USING (blob_id)"
                      " WHERE b.key = ? GROUP BY b.size", (key,), db=db)
    if not rows:
        return None
    path = os.path.join(tmp, ".blob-" + hashlib.sha256(key.encode()).hexdigest()[:16])
    with open(path, "wb") as f:
        f.write(bytes.fromhex(rows[0][1]))
    return path


def report_key(job):
    return "reports/%d.erreurs.csv" % job


# The exit codes a user may meet (README's table), all but 1: « erreur
# interne » is a bug whatever the input, never an acceptable answer.
EXPECTED_EXIT_CODES = (0, 2, 3, 4, 5, 6, 7, 8)


def assert_no_crash(tc, r):
    """No signal, no sanitizer report, no internal error, a documented exit code."""
    tc.assertGreaterEqual(r.code, 0, "killed by a signal: %r" % r)
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer"):
        tc.assertNotIn(marker, r.err, "sanitizer report: %r" % r)
    tc.assertNotEqual(r.code, 1, "internal error: %r" % r)
    tc.assertIn(r.code, EXPECTED_EXIT_CODES, "undocumented exit code: %r" % r)


def skip_visibly(reason):
    """unittest skip that is also printed, so that a skip is seen in CTest logs."""
    sys.stderr.write("SKIP: %s\n" % reason)
    sys.stderr.flush()
    raise unittest.SkipTest(reason)


def main():
    runner = unittest.TextTestRunner(verbosity=2)
    prog = unittest.main(testRunner=runner, exit=False)
    res = prog.result

    def in_run(entries):  # setUpClass errors and skips are not counted in testsRun
        return sum(1 for t, _ in entries if isinstance(t, unittest.TestCase))
    failed = len(res.failures) + len(res.errors)
    passed = res.testsRun - in_run(res.failures) - in_run(res.errors) - in_run(res.skipped)
    sys.stderr.write("%d passed, %d failed, %d skipped\n" % (passed, failed, len(res.skipped)))
    if PG and res.wasSuccessful() and passed == 0 and res.skipped:
        # CTest shows the PostgreSQL run of a module that had nothing to run
        # as "Skipped" (SKIP_RETURN_CODE 77), not as a pass.
        sys.exit(77)
    sys.exit(0 if res.wasSuccessful() else 1)
