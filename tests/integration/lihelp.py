"""lihelp.py — what the integration tests share (not a test itself).

Each test_*.py script is run by CTest as `python3 SCRIPT` with
  LEADIMPORT_BIN  the binary under test
  LI_SOURCE_DIR   the project root
  LI_SANITIZE     ON when the binary is an ASan/UBSan build (keep files small)
and optionally LI_SHARED_DIR (default: LI_SOURCE_DIR/../shared).
"""
import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
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

# Seconds one command may take before the test fails instead of hanging.
TIMEOUT = 600 if SANITIZE else 300


def rows_for(plain, asan):
    """A row count fit for this build."""
    return asan if SANITIZE else plain


def require_binary():
    """For setUpModule: a missing binary is a failure, said clearly."""
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        raise RuntimeError("leadimport binary not found at %r (set LEADIMPORT_BIN)" % BIN)


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
    return "sqlite:" + os.path.join(tmp, name)


def db_path(tmp, name="t.db"):
    return os.path.join(tmp, name)


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
    con = sqlite3.connect(db_path(tmp, db))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


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
    sys.exit(0 if res.wasSuccessful() else 1)
