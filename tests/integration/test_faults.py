#!/usr/bin/env python3
"""Faults of the machine, reproduced for real, and what the user reads.

- A full disk (a small tmpfs mounted by the test holds the database): the
  import says « Disque plein » (exit 8), loses nothing, and resumes once
  there is room; `worker --until-idle` always ends, the job failed with
  that reason after its bounded attempts.
- A read-only database (the tmpfs remounted read-only; a file of mode 0444
  written by an unprivileged user, since root ignores file modes): « lecture
  seule », exit 8, nothing changed.
- A missing stored file fails its job at once: no retry can bring it back.
- The database locked by another process (a Python connection holding
  BEGIN EXCLUSIVE): the import waits the busy timeout, then names that
  process (exit 7).
- Ctrl+C (SIGINT) and SIGTERM during an import: it stops at the next batch,
  says to run the same command again (exit 6), and that run ends with the
  same leads as an import never interrupted, every row once.
- `jobs cancel` of a running import: exit 5, « annulé ».
- A second run of a running import is refused (exit 7) and says where the
  first runs; `report N` meanwhile says the report is partial.

Mounting needs root (CAP_SYS_ADMIN): without it, those cases are skipped
with the reason printed.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

BIG_ROWS = li.rows_for(150000, 30000)   # a few seconds of import: room to signal it
SMALL_ROWS = li.rows_for(8000, 4000)


def setUpModule():
    li.require_binary()


class Tmpfs:
    """A tmpfs of size_k KiB mounted on a fresh folder; skips visibly when not permitted."""

    def __init__(self, parent, size_k):
        self.path = tempfile.mkdtemp(prefix="mnt-", dir=parent)
        cp = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0777" % size_k,
                             "tmpfs", self.path], capture_output=True, text=True)
        if cp.returncode != 0:
            os.rmdir(self.path)
            li.skip_visibly("cannot mount a tmpfs here (%s): full-disk and read-only cases"
                            " not run" % (cp.stderr.strip() or "exit %d" % cp.returncode))

    def remount(self, opts):
        subprocess.run(["mount", "-o", "remount," + opts, self.path], check=True,
                       capture_output=True)

    def fill(self, leave_k=0):
        """Fills the disk, leaving about leave_k KiB free."""
        filler = os.path.join(self.path, "filler")
        # Unbuffered: a write that fills the disk half-way leaves nothing
        # pending for close() to fail on (that depended on the bytes left).
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        if leave_k:
            size = os.path.getsize(filler)
            os.truncate(filler, max(0, size - leave_k * 1024))

    def close(self):
        subprocess.run(["umount", "-l", self.path], capture_output=True)
        shutil.rmtree(self.path, ignore_errors=True)


def start(args, cwd, env=None):
    return subprocess.Popen([li.BIN] + args, cwd=cwd, env=li.clean_env(env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(proc, args):
    out, err = proc.communicate(timeout=li.TIMEOUT)
    return li.Run(args, subprocess.CompletedProcess(args, proc.returncode, out, err))


def job_rows(db):
    """(status, rows_total) of the last job of the database at db, or (None, 0)."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        try:
            row = con.execute("SELECT status, rows_total FROM import_jobs"
                              " ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None, 0
    return row if row else (None, 0)


def wait_for_progress(proc, db, at_least=1000):
    """Waits until the import has committed at_least rows; fails if it ends first."""
    deadline = time.time() + li.TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("the import ended before it could be interrupted: exit %s"
                                 % proc.returncode)
        status, rows = job_rows(db)
        if status == "importing" and rows >= at_least:
            return rows
        time.sleep(0.01)
    raise AssertionError("no progress")


def leads_of(db):
    """Every lead of the database at db, read without writing (works on a read-only disk)."""
    con = sqlite3.connect("file:%s?immutable=1" % db, uri=True)
    try:
        return con.execute("SELECT * FROM leads ORDER BY id").fetchall()
    finally:
        con.close()


def count_leads(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM leads").fetchone()[0]
    finally:
        con.close()


def integrity(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


class Reference:
    """A file and the export of an import of it never interrupted."""

    @classmethod
    def make(cls, tmp, name, rows, seed):
        path, expect = li.gen_sample(tmp, name, rows, seed=seed)
        ref_db = name + ".ref.db"
        r = li.run(["import", path, "--db", li.db_url(tmp, ref_db), "--json"], cwd=tmp)
        assert r.code == 0, repr(r)
        _, export = li.export(tmp, db=ref_db, out=os.path.join(tmp, name + ".ref.export.csv"))
        return path, expect, r.json(), export


# --- a full disk ----------------------------------------------------------------------------

class FullDisk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            li.skip_visibly("not root: no tmpfs can be mounted for the full-disk cases")
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-faults-")
        cls.tmp = cls._tmp.name
        cls.path, cls.expect, cls.ref, cls.ref_export = Reference.make(
            cls.tmp, "mid.csv", SMALL_ROWS, 5)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def setUp(self):
        # Room for the queued copy of the file (the queue's tests), not for its leads.
        self.disk = Tmpfs(self.tmp, 2560 if "test_import" in self.id() else 4096)
        self.addCleanup(self.disk.close)
        self.db = os.path.join(self.disk.path, "t.db")
        self.url = "sqlite:" + self.db

    def test_import_says_disk_full_loses_nothing_and_resumes_once_there_is_room(self):
        r = li.run(["import", self.path, "--db", self.url], cwd=self.tmp)
        self.assertEqual(r.code, 8, repr(r))
        self.assertIn("Disque plein", r.err)
        self.assertIn(self.db, r.err)
        self.assertNotIn("entrée-sortie", r.err)
        self.assertNotIn("erreur interne", r.err.lower())
        self.assertEqual(integrity(self.db), "ok")
        status, job_created, n_rows = li.query(
            self.disk.path, "SELECT status, created, rows_total FROM import_jobs")[0]
        self.assertEqual(status, "failed")
        self.assertGreater(n_rows, 0)
        self.assertLess(n_rows, self.ref["rows"])
        # What the job says it created is exactly what the database holds.
        self.assertEqual(count_leads(self.db), job_created)

        self.disk.remount("size=64m")
        again = li.run(["import", self.path, "--db", self.url, "--json"], cwd=self.tmp)
        self.assertEqual(again.code, 0, repr(again))
        doc = again.json()
        self.assertTrue(doc["resumed"])
        for key in ("rows", "valid", "invalid", "created", "skipped"):
            self.assertEqual(doc[key], self.ref[key], key)
        _, export = li.export(self.tmp, out=os.path.join(self.tmp, "full.export.csv"),
                              db=os.path.relpath(self.db, self.tmp))
        self.assertEqual(export, self.ref_export)

    def test_worker_until_idle_ends_and_the_job_fails_with_the_reason(self):
        q = li.run(["import", self.path, "--db", self.url, "--queue"], cwd=self.tmp)
        self.assertEqual(q.code, 0, repr(q))
        t0 = time.time()
        w = li.run(["worker", "--db", self.url, "--until-idle", "--retry-delay", "0.05"],
                   cwd=self.tmp)
        took = time.time() - t0
        self.assertLess(took, 120)
        # Back-off between the attempts: 0.05 * (1 + 2 + 4 + 8) s at least, with jitter.
        self.assertGreater(took, 0.7)
        li.assert_no_crash(self, w)
        status, error = li.query(self.disk.path, "SELECT status, error FROM import_jobs")[0]
        self.assertEqual(status, "failed", repr(w))
        self.assertIn("Abandon après 5 tentatives", error)
        self.assertIn("Disque plein", error)
        items = li.query(self.disk.path, "SELECT state, attempts FROM work_items")
        self.assertEqual(items, [("dead", 5)])
        self.assertEqual(integrity(self.db), "ok")

    def test_a_queued_copy_that_does_not_fit_is_said_and_leaves_no_job(self):
        self.assertEqual(li.run(["migrate", "--db", self.url], cwd=self.tmp).code, 0)
        self.disk.fill(400)
        q = li.run(["import", self.path, "--db", self.url, "--queue"], cwd=self.tmp)
        self.assertEqual(q.code, 8, repr(q))
        self.assertIn("le disque est plein", q.err)
        os.unlink(os.path.join(self.disk.path, "filler"))
        self.assertEqual(li.query(self.disk.path, "SELECT count(*) FROM import_jobs")[0][0], 0)

    def test_worker_until_idle_ends_when_not_even_the_queue_can_be_written(self):
        q = li.run(["import", self.path, "--db", self.url, "--queue"], cwd=self.tmp)
        self.assertEqual(q.code, 0, repr(q))
        for leave_k in (48, 0):
            with self.subTest(free_kib=leave_k):
                self.disk.fill(leave_k)
                t0 = time.time()
                w = li.run(["worker", "--db", self.url, "--until-idle", "--retry-delay", "0.05"],
                           cwd=self.tmp)
                self.assertLess(time.time() - t0, 120)
                self.assertEqual(w.code, 8, repr(w))
                self.assertIn("Disque plein", w.err)
                self.assertNotIn("entrée-sortie", w.err)
                os.unlink(os.path.join(self.disk.path, "filler"))


# --- a read-only database --------------------------------------------------------------------

class ReadOnly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            li.skip_visibly("not root: no tmpfs can be remounted read-only")
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-faults-")
        cls.tmp = cls._tmp.name
        os.chmod(cls.tmp, 0o755)
        cls.first = li.write_csv(os.path.join(cls.tmp, "first.csv"), [li.lead()])
        cls.second = li.write_csv(os.path.join(cls.tmp, "second.csv"), [
            li.lead("Marie", "Curie", "marie.curie@example.fr", "06 11 22 33 44")])
        for f in (cls.first, cls.second):
            os.chmod(f, 0o644)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def check_refused(self, r, db):
        self.assertEqual(r.code, 8, repr(r))
        self.assertIn("lecture seule", r.err)
        self.assertNotIn("erreur interne", r.err.lower())

    def test_a_disk_mounted_read_only(self):
        disk = Tmpfs(self.tmp, 8192)
        self.addCleanup(disk.close)
        db = os.path.join(disk.path, "t.db")
        self.assertEqual(li.run(["import", self.first, "--db", "sqlite:" + db], cwd=self.tmp).code, 0)
        self.assertEqual(li.run(["import", self.second, "--db", "sqlite:" + db, "--queue"],
                                cwd=self.tmp).code, 0)
        before = leads_of(db)
        self.assertTrue(before)
        disk.remount("ro")
        r = li.run(["import", self.second, "--db", "sqlite:" + db, "--force"], cwd=self.tmp)
        self.check_refused(r, db)
        w = li.run(["worker", "--db", "sqlite:" + db, "--until-idle", "--retry-delay", "0.05"],
                   cwd=self.tmp)
        self.check_refused(w, db)
        self.assertEqual(leads_of(db), before)

    def test_a_file_the_user_may_not_write(self):
        setpriv = shutil.which("setpriv")
        if not setpriv:
            li.skip_visibly("setpriv not found: cannot run as an unprivileged user")
        folder = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(folder, 0o777)  # SQLite may create its -wal and -shm beside it
        db = os.path.join(folder, "t.db")
        self.assertEqual(li.run(["import", self.first, "--db", "sqlite:" + db], cwd=self.tmp).code, 0)
        # Checkpointed and closed: only the database file itself is left.
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        before = leads_of(db)
        self.assertTrue(before)
        os.chmod(db, 0o444)
        probe = subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                li.BIN, "--version"], capture_output=True)
        if probe.returncode != 0:
            li.skip_visibly("the binary cannot be run as nobody here (%s)"
                            % probe.stderr.decode("utf-8", "replace").strip())
        cp = subprocess.run([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                             li.BIN, "import", self.second, "--db", "sqlite:" + db],
                            cwd="/", env=li.clean_env(), capture_output=True, timeout=li.TIMEOUT)
        r = li.Run(["import"], cp)
        self.check_refused(r, db)
        self.assertEqual(leads_of(db), before)


# --- a stored file gone ------------------------------------------------------------------------

class MissingStoredFile(unittest.TestCase):
    def test_the_job_fails_at_once_without_retries(self):
        with tempfile.TemporaryDirectory(prefix="li-faults-") as tmp:
            path = li.write_csv(os.path.join(tmp, "a.csv"), [li.lead()])
            q = li.run(["import", path, "--db", li.db_url(tmp), "--queue", "--json"], cwd=tmp)
            self.assertEqual(q.code, 0, repr(q))
            blob = li.query(tmp, "SELECT blob_key FROM import_jobs")[0][0]
            os.unlink(os.path.join(tmp, "t.db.files", blob))
            w = li.run(["worker", "--db", li.db_url(tmp), "--until-idle", "--retry-delay", "5"],
                       cwd=tmp)
            li.assert_no_crash(self, w)
            status, error = li.query(tmp, "SELECT status, error FROM import_jobs")[0]
            self.assertEqual(status, "failed")
            self.assertIn("introuvable", error)
            self.assertNotIn("Abandon", error)
            self.assertEqual(li.query(tmp, "SELECT state, attempts FROM work_items"), [("dead", 1)])


# --- a lock held by another process ------------------------------------------------------------

class Locked(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-faults-")
        cls.tmp = cls._tmp.name
        cls.path = li.write_csv(os.path.join(cls.tmp, "a.csv"), [li.lead()])
        assert li.run(["migrate", "--db", li.db_url(cls.tmp)], cwd=cls.tmp).code == 0

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def hold_lock(self, seconds):
        """A child Python process holding BEGIN EXCLUSIVE for that long; returns it once held."""
        code = ("import sqlite3, sys, time\n"
                "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                "con.execute('BEGIN EXCLUSIVE')\n"
                "print('held', flush=True)\n"
                "time.sleep(float(sys.argv[2]))\n"
                "con.execute('ROLLBACK')\n")
        p = subprocess.Popen([sys.executable, "-c", code, li.db_path(self.tmp), str(seconds)],
                             stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        self.assertEqual(p.stdout.readline().strip(), "held")
        return p

    def test_waits_the_timeout_then_names_the_process_that_holds_it(self):
        holder = self.hold_lock(60)
        t0 = time.time()
        r = li.run(["import", self.path, "--db", li.db_url(self.tmp), "--force"], cwd=self.tmp,
                   env={"LEADIMPORT_BUSY_TIMEOUT": "1"})
        waited = time.time() - t0
        self.assertEqual(r.code, 7, repr(r))
        self.assertIn("Base de données occupée", r.err)
        self.assertIn("processus %d" % holder.pid, r.err)
        self.assertGreaterEqual(waited, 1.0)
        self.assertLess(waited, 30)
        self.assertNotIn("locked", r.err)

    def test_the_default_wait_is_the_documented_ten_seconds(self):
        self.hold_lock(60)
        t0 = time.time()
        r = li.run(["import", self.path, "--db", li.db_url(self.tmp), "--force"], cwd=self.tmp)
        waited = time.time() - t0
        self.assertEqual(r.code, 7, repr(r))
        self.assertIn("depuis plus de 10 s", r.err)
        self.assertGreaterEqual(waited, 9.5)
        self.assertLess(waited, 30)

    def test_a_lock_released_within_the_wait_is_no_error(self):
        self.hold_lock(1.0)
        r = li.run(["import", self.path, "--db", li.db_url(self.tmp), "--force"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))


# --- signals, cancel, a second run -------------------------------------------------------------

class RunningImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-faults-")
        cls.tmp = cls._tmp.name
        cls.path, cls.expect, cls.ref, cls.ref_export = Reference.make(
            cls.tmp, "big.csv", BIG_ROWS, 11)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def fresh_db(self, name):
        return name, li.db_url(self.tmp, name), li.db_path(self.tmp, name)

    def interrupt_then_resume(self, sig, words):
        name, url, db = self.fresh_db("sig%d.db" % sig)
        args = ["import", self.path, "--db", url]
        proc = start(args, self.tmp)
        wait_for_progress(proc, db)
        proc.send_signal(sig)
        r = finish(proc, args)
        self.assertEqual(r.code, 6, repr(r))
        self.assertIn("interrompu (%s)" % words, r.err)
        self.assertIn("Relancez la même commande", r.err)
        self.assertEqual(r.out, "")
        status, rows = job_rows(db)
        self.assertEqual(status, "queued")  # waits to be resumed, not failed
        self.assertGreater(rows, 0)
        self.assertLess(rows, BIG_ROWS)
        self.assertIn("les %d premières lignes" % rows, r.err)

        again = li.run(args + ["--json"], cwd=self.tmp)
        self.assertEqual(again.code, 0, repr(again))
        doc = again.json()
        self.assertTrue(doc["resumed"])
        for key in ("rows", "valid", "invalid", "created", "skipped"):
            self.assertEqual(doc[key], self.ref[key], key)
        n, distinct = li.query(self.tmp, "SELECT count(*), count(DISTINCT row_no)"
                                         " FROM import_rows", db=name)[0]
        self.assertEqual((n, distinct), (BIG_ROWS, BIG_ROWS))
        _, export = li.export(self.tmp, db=name, out=os.path.join(self.tmp, name + ".csv"))
        self.assertEqual(export, self.ref_export)

    def test_sigint_stops_at_a_batch_and_the_same_command_resumes(self):
        self.interrupt_then_resume(signal.SIGINT, "Ctrl+C")

    def test_sigterm_stops_at_a_batch_and_the_same_command_resumes(self):
        self.interrupt_then_resume(signal.SIGTERM, "arrêt demandé par le système")

    def test_jobs_cancel_makes_the_import_exit_cancelled(self):
        name, url, db = self.fresh_db("cancel.db")
        args = ["import", self.path, "--db", url]
        proc = start(args, self.tmp)
        wait_for_progress(proc, db)
        c = li.run(["jobs", "cancel", "1", "--db", url], cwd=self.tmp)
        self.assertEqual(c.code, 0, repr(c))
        r = finish(proc, args)
        self.assertEqual(r.code, 5, repr(r))
        self.assertIn("annulé", r.err)
        self.assertNotIn("rreur interne", r.err)
        self.assertEqual(job_rows(db)[0], "cancelled")

    def test_a_second_run_is_refused_and_says_where_the_first_runs(self):
        name, url, db = self.fresh_db("twice.db")
        args = ["import", self.path, "--db", url]
        first = start(args, self.tmp)
        wait_for_progress(first, db)
        # Held still while the three commands run, so that on a fast machine the first
        # import cannot end between them; a stopped process is still a running import.
        # Not stopped in the middle of a change of SQLite's WAL index, though: a
        # process frozen there (for microseconds in real life) makes every reader
        # fail with SQLITE_PROTOCOL after its retries (seen once in CI).
        for _ in range(50):
            first.send_signal(signal.SIGSTOP)
            try:
                li.query(self.tmp, "SELECT count(*) FROM import_jobs", db=name)
                break
            except sqlite3.Error:
                first.send_signal(signal.SIGCONT)
                time.sleep(0.02)
        try:
            partial = li.run(["report", "1", "-o", os.path.join(self.tmp, "partial.csv"),
                              "--db", url], cwd=self.tmp)
            second = li.run(args, cwd=self.tmp)
            second_json = li.run(args + ["--json"], cwd=self.tmp)
        finally:
            first.send_signal(signal.SIGCONT)
        r = finish(first, args)
        self.assertEqual(second.code, 7, repr(second))
        self.assertIn("déjà en cours d'import : import n° 1", second.err)
        self.assertIn("processus %d" % first.pid, second.err)
        self.assertEqual(second.out, "")  # nothing of the first run's work shown as its own
        self.assertEqual(second_json.code, 7, repr(second_json))
        doc = second_json.json()
        self.assertEqual(doc["error"]["code"], "import_running")
        self.assertNotIn("created", doc)
        self.assertNotIn("job_id", doc)
        self.assertEqual(partial.code, 0, repr(partial))
        self.assertIn("Rapport partiel", partial.out)
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("Import n° 1 terminé", r.out)
        self.assertNotIn("import repris", r.out)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs", db=name)[0][0], 1)
        self.assertEqual(count_leads(db), self.ref["created"])
        # Finished, the report is whole and says nothing more.
        whole = li.run(["report", "1", "-o", os.path.join(self.tmp, "whole.csv"), "--db", url],
                       cwd=self.tmp)
        self.assertEqual(whole.code, 0, repr(whole))
        self.assertNotIn("partiel", whole.out)


if __name__ == "__main__":
    li.main()
