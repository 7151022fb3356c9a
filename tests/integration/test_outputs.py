#!/usr/bin/env python3
"""Outputs never destroy data (issue 11, points 1, 4, 5, 6).

- every output (export, template, the import's report, `report N -o`) is refused
  when it would replace the database, one of its files, a stored file or the input,
  or follow a symbolic link; the leads table is compared before and after;
- a full disk while writing an output leaves the previous file as it was (a small
  tmpfs mounted by the test);
- the database, reports, exports and stored files are 0600, folders 0700, under
  umask 000;
- two databases of one folder keep their stored files apart; an old shared folder
  keeps working;
- a file appended to or replaced while it is imported: the import reads the bytes it
  hashed, stops before committing a row read after a change, and what it committed
  stays revertable.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def setUpModule():
    li.require_binary()


def leads_table(tmp, db="t.db"):
    return li.query(tmp, "SELECT * FROM leads ORDER BY id", db=db)


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def small_file(tmp, name="leads.csv", prefix="jean", n=30, invalid=3):
    rows = [li.lead(first="Jean%d" % i, email="%s%d@exemple.fr" % (prefix, i),
                    phone="06 12 34 %02d %02d" % (i // 100, i % 100)) for i in range(n)]
    rows += [li.lead(first="Refus%d" % i, email="pas-une-adresse-%s" % prefix, phone="12")
             for i in range(invalid)]
    return li.write_csv(os.path.join(tmp, name), rows)


def big_file(path, n, prefix="grand"):
    """n rows, fast: no generator (the size matters, not the variety)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(li.HEADER) + "\r\n")
        for i in range(n):
            f.write("Jean,Dupont%d,%s%d@exemple.fr,06 %02d %02d %02d %02d,Société %d,Gérant,"
                    "3 rue de la Paix,75002,Paris,France,Salon,,,\r\n"
                    % (i, prefix, i, 10 + i // 1000000 % 90, i // 10000 % 100, i // 100 % 100,
                       i % 100, i))
    return path


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="li_outputs_")
        self.db = ["--db", li.db_url(self.tmp)]

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, code=0, cwd=None, env=None):
        r = li.run(list(args) + self.db, cwd=cwd or self.tmp, env=env)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, r)
        return r

    def imported(self):
        """A database with one completed job (job 1, with a report) and its input."""
        self.input = small_file(self.tmp)
        self.cli("import", self.input, "--report", os.path.join(self.tmp, "r.csv"))
        return leads_table(self.tmp)


class RefusedTargets(Base):
    """Point 1: a target that would destroy data is refused before anything is done."""

    def assertRefused(self, r, *protected_paths, before=None):
        self.assertEqual(r.code, 2, r)
        self.assertIn("rien n'a été fait", r.err)
        if before is not None:
            self.assertEqual(leads_table(self.tmp), before)
        self.assertEqual(li.query(self.tmp, "PRAGMA integrity_check"), [("ok",)])
        leftovers = [n for n in os.listdir(self.tmp) if n.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_export_onto_the_database(self):
        before = self.imported()
        db_bytes = file_bytes(li.db_path(self.tmp))
        r = self.cli("export", "-o", li.db_path(self.tmp), code=None)
        self.assertRefused(r, before=before)
        self.assertIn("est la base de données", r.err)
        self.assertEqual(file_bytes(li.db_path(self.tmp)), db_bytes)
        # Another spelling of the same file, and a hard link to it.
        r = self.cli("export", "-o", "./sous/../t.db", code=None)
        self.assertNotEqual(r.code, 0, r)  # "sous" does not exist: the path leads nowhere
        self.assertEqual(file_bytes(li.db_path(self.tmp)), db_bytes)
        os.mkdir(os.path.join(self.tmp, "sous"))
        r = self.cli("export", "-o", "sous/../t.db", code=None)
        self.assertRefused(r, before=before)
        os.link(li.db_path(self.tmp), os.path.join(self.tmp, "copie.csv"))
        r = self.cli("export", "-o", "copie.csv", code=None)
        self.assertRefused(r, before=before)

    def test_import_report_onto_the_database(self):
        before = self.imported()
        other = small_file(self.tmp, "autre.csv", prefix="autre")
        jobs = li.query(self.tmp, "SELECT count(*) FROM import_jobs")
        r = self.cli("import", other, "--report", li.db_path(self.tmp), code=None)
        self.assertRefused(r, before=before)
        # Nothing was done: no job, no lead of the other file.
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs"), jobs)
        # The database still works.
        self.cli("import", other)
        self.assertGreater(len(leads_table(self.tmp)), len(before))

    def test_import_report_onto_its_own_input(self):
        before = self.imported()
        other = small_file(self.tmp, "autre.csv", prefix="autre")
        data = file_bytes(other)
        r = self.cli("import", other, "--report", other, code=None)
        self.assertRefused(r, before=before)
        self.assertIn("est le fichier importé", r.err)
        self.assertEqual(file_bytes(other), data)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs"), [(1,)])

    def test_report_onto_the_wal_journal_and_shm(self):
        before = self.imported()
        for suffix in ("-wal", "-journal", "-shm"):
            target = li.db_path(self.tmp) + suffix
            existed = os.path.exists(target)
            data = file_bytes(target) if existed else None
            r = self.cli("report", "1", "-o", target, code=None)
            self.assertRefused(r, before=before)
            self.assertIn("un fichier de la base de données", r.err)
            self.assertEqual(os.path.exists(target), existed)
            if existed:
                self.assertEqual(file_bytes(target), data)

    def test_report_onto_the_jobs_input_and_stored_files(self):
        before = self.imported()
        data = file_bytes(self.input)
        r = self.cli("report", "1", "-o", self.input, code=None)
        self.assertRefused(r, before=before)
        self.assertEqual(file_bytes(self.input), data)
        # The stored report of the job, then any file of the store's folder.
        self.cli("report", "1")
        stored = os.path.join(self.tmp, "t.db.files", "reports", "1.erreurs.csv")
        self.assertTrue(os.path.isfile(stored))
        data = file_bytes(stored)
        for target in (stored, os.path.join(self.tmp, "t.db.files", "x.csv")):
            r = self.cli("report", "1", "-o", target, code=None)
            self.assertRefused(r, before=before)
            self.assertIn("conservé par leadimport", r.err)
        r = self.cli("export", "-o", stored, code=None)
        self.assertRefused(r, before=before)
        self.assertEqual(file_bytes(stored), data)

    def test_template_onto_the_default_database(self):
        before = self.imported()
        env = {"LEADIMPORT_DB": li.db_url(self.tmp)}
        r = li.run(["template", "-o", li.db_path(self.tmp)], cwd=self.tmp, env=env)
        self.assertRefused(r, before=before)
        # Without --db nor $LEADIMPORT_DB: ./leadimport.db.
        shutil.copy(li.db_path(self.tmp), os.path.join(self.tmp, "leadimport.db"))
        data = file_bytes(os.path.join(self.tmp, "leadimport.db"))
        r = li.run(["template", "-o", "leadimport.db"], cwd=self.tmp)
        self.assertEqual(r.code, 2, r)
        self.assertEqual(file_bytes(os.path.join(self.tmp, "leadimport.db")), data)

    def test_symlink_targets_are_refused_and_not_followed(self):
        before = self.imported()
        victim = os.path.join(self.tmp, "victime.txt")
        with open(victim, "w") as f:
            f.write("ne pas toucher")
        link = os.path.join(self.tmp, "lien.csv")
        os.symlink(victim, link)
        dangling = os.path.join(self.tmp, "pendant.csv")
        os.symlink(os.path.join(self.tmp, "cree-par-le-lien.csv"), dangling)
        for args in (["export", "-o", link], ["report", "1", "-o", link],
                     ["export", "-o", dangling]):
            r = self.cli(*args, code=None)
            self.assertRefused(r, before=before)
            self.assertIn("lien symbolique", r.err)
        r = li.run(["template", "-o", link], cwd=self.tmp)
        self.assertEqual(r.code, 2, r)
        other = small_file(self.tmp, "autre.csv", prefix="autre")
        r = self.cli("import", other, "--report", link, code=None)
        self.assertRefused(r, before=before)
        self.assertEqual(file_bytes(victim), b"ne pas toucher")
        self.assertTrue(os.path.islink(link))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cree-par-le-lien.csv")))

    def test_a_plain_target_is_replaced_whole(self):
        self.imported()
        out = os.path.join(self.tmp, "export.csv")
        with open(out, "w") as f:
            f.write("ancien contenu, bien plus long que rien" * 1000)
        self.cli("export", "-o", out)
        self.assertTrue(file_bytes(out).startswith(b"\xef\xbb\xbf"))
        self.assertNotIn(b"ancien contenu", file_bytes(out))


class DiskFull(Base):
    """Point 1: a full disk never truncates the previous output."""

    def setUp(self):
        super().setUp()
        self.mnt = os.path.join(self.tmp, "petit-disque")
        os.mkdir(self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                            self.mnt], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            shutil.rmtree(self.tmp, ignore_errors=True)
            li.skip_visibly("tmpfs cannot be mounted here (%s): disk-full cases not run"
                            % r.stderr.decode(errors="replace").strip())

    def tearDown(self):
        subprocess.run(["umount", self.mnt], stderr=subprocess.DEVNULL)
        super().tearDown()

    def test_export_and_report_on_a_full_disk_keep_the_previous_file(self):
        rows = [li.lead(first="Jean%d" % i, email="plein%d@exemple.fr" % i,
                        phone="06 12 %02d %02d %02d" % (i // 10000, i // 100 % 100, i % 100),
                        notes="une note assez longue pour remplir le petit disque " * 3)
                for i in range(1500)]
        rows += [li.lead(first="Refus%d" % i, email="x", phone="1", notes="n" * 200)
                 for i in range(600)]
        path = li.write_csv(os.path.join(self.tmp, "plein.csv"), rows)
        self.cli("import", path, "--report", os.path.join(self.tmp, "r.csv"))
        before = leads_table(self.tmp)
        for args, name in ((["export", "-o"], "export.csv"),
                           (["report", "1", "-o"], "rapport.csv")):
            target = os.path.join(self.mnt, name)
            with open(target, "w") as f:
                f.write("version précédente")
            r = self.cli(*(args + [target]), code=None)
            self.assertNotEqual(r.code, 0, r)
            self.assertIn("le disque est plein", r.err)
            self.assertEqual(file_bytes(target), "version précédente".encode())
            self.assertEqual(sorted(os.listdir(self.mnt)), sorted(
                n for n in ("export.csv", "rapport.csv") if os.path.exists(
                    os.path.join(self.mnt, n))))
        # The import's own report on the full disk: the leads are in, the previous
        # report is intact, no temporary is left.
        other = li.write_csv(os.path.join(self.tmp, "plein2.csv"),
                             [r[:2] + ["bis" + r[2]] + r[3:] for r in rows])
        target = os.path.join(self.mnt, "rapport.csv")
        r = self.cli("import", other, "--report", target, code=None)
        self.assertEqual(r.code, 8, r)
        self.assertIn("le disque est plein", r.err)
        self.assertIn("est terminé, mais son rapport d'erreurs n'a pas pu être écrit", r.err)
        self.assertEqual(file_bytes(target), "version précédente".encode())
        self.assertGreater(len(leads_table(self.tmp)), len(before))
        self.assertFalse([n for n in os.listdir(self.mnt) if n.endswith(".tmp")])


def umask_run(args, cwd, umask=0):
    cp = subprocess.run([li.BIN] + args, cwd=cwd, env=li.clean_env(),
                        preexec_fn=lambda: os.umask(umask), stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=li.TIMEOUT)
    return li.Run(args, cp)


class Permissions(Base):
    """Point 6: private files and folders whatever the umask."""

    def mode(self, *parts):
        return os.stat(os.path.join(self.tmp, *parts)).st_mode & 0o777

    def test_everything_written_is_private_under_umask_000(self):
        path = small_file(self.tmp)
        queued = small_file(self.tmp, "file.csv", prefix="file")
        for args in (["import", path, "--report", "r.csv"],
                     ["import", queued, "--queue"],
                     ["worker", "--until-idle"],
                     ["export", "-o", "export.csv"],
                     ["report", "1", "-o", "rapport.csv"],
                     ["report", "1"]):
            r = umask_run(args + self.db, self.tmp)
            self.assertEqual(r.code, 0, r)
        r = umask_run(["template", "-o", "modele.csv"], self.tmp)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.mode("t.db"), 0o600)
        for side in ("t.db-wal", "t.db-shm"):
            if os.path.exists(os.path.join(self.tmp, side)):
                self.assertEqual(self.mode(side), 0o600, side)
        for name in ("r.csv", "export.csv", "rapport.csv", "modele.csv"):
            self.assertEqual(self.mode(name), 0o600, name)
        self.assertEqual(self.mode("t.db.files"), 0o700)
        self.assertEqual(self.mode("t.db.files", "reports"), 0o700)
        self.assertEqual(self.mode("t.db.files", li.sha256_file(queued)), 0o600)
        reports = os.listdir(os.path.join(self.tmp, "t.db.files", "reports"))
        self.assertEqual(sorted(reports), ["1.erreurs.csv", "2.erreurs.csv"])
        for name in reports:
            self.assertEqual(self.mode("t.db.files", "reports", name), 0o600, name)

    def test_a_restrictive_umask_still_gives_the_owner_access(self):
        path = small_file(self.tmp)
        r = umask_run(["import", path, "--report", "r.csv"] + self.db, self.tmp, umask=0o277)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.mode("t.db"), 0o600)
        self.assertEqual(self.mode("r.csv"), 0o600)


class TwoDatabasesInOneFolder(Base):
    """Point 5: stored files belong to one database."""

    def test_reports_and_copies_are_not_shared(self):
        a = ["--db", li.db_url(self.tmp, "a.db")]
        b = ["--db", li.db_url(self.tmp, "b.db")]

        def ok(*args):
            r = li.run(list(args), cwd=self.tmp)
            li.assert_no_crash(self, r)
            self.assertEqual(r.code, 0, r)
            return r

        fa = small_file(self.tmp, "client-a.csv", prefix="clienta")
        fb = small_file(self.tmp, "client-b.csv", prefix="clientb")
        ok("import", fa, "--queue", *a)
        ok("import", fb, "--queue", *b)
        for db in (a, b):
            ok("worker", "--until-idle", *db)
        # Job 1 of each database: each report holds its own customer's rows only.
        ra = os.path.join(self.tmp, "a.db.files", "reports", "1.erreurs.csv")
        rb = os.path.join(self.tmp, "b.db.files", "reports", "1.erreurs.csv")
        self.assertIn(b"clienta", file_bytes(ra))
        self.assertNotIn(b"clientb", file_bytes(ra))
        self.assertIn(b"clientb", file_bytes(rb))
        self.assertNotIn(b"clienta", file_bytes(rb))
        # Writing job 1's report again in one database leaves the other's alone.
        rb_bytes = file_bytes(rb)
        ok("report", "1", *a)
        self.assertEqual(file_bytes(rb), rb_bytes)
        self.assertNotIn(b"clientb", file_bytes(ra))
        # The same file queued in both: deleting its job in one database keeps the
        # copy the other needs, even once the original is gone.
        shared = small_file(self.tmp, "commun.csv", prefix="commun")
        sha = li.sha256_file(shared)
        ok("import", shared, "--queue", *a)
        ok("import", shared, "--queue", *b)
        ok("worker", "--until-idle", *a)
        ok("jobs", "delete", "2", *a)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "a.db.files", sha)))
        os.unlink(shared)
        ok("worker", "--until-idle", *b)
        self.assertEqual(li.query(self.tmp, "SELECT status FROM import_jobs WHERE id=2",
                                  db="b.db"), [("completed",)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads WHERE email LIKE "
                                  "'commun%'", db="b.db"), [(30,)])

    def test_a_copy_in_the_old_shared_folder_keeps_working(self):
        path = small_file(self.tmp, "ancien.csv", prefix="ancien")
        self.cli("import", path, "--queue")
        sha = li.sha256_file(path)
        own = os.path.join(self.tmp, "t.db.files", sha)
        legacy_dir = os.path.join(self.tmp, "leadimport-files")
        os.makedirs(os.path.join(legacy_dir, "reports"))
        os.rename(own, os.path.join(legacy_dir, sha))  # as an older version stored it
        # Another database's job 1 report, in the old shared folder: never taken.
        foreign = os.path.join(legacy_dir, "reports", "1.erreurs.csv")
        with open(foreign, "w") as f:
            f.write("rapport d'une autre base")
        self.cli("worker", "--until-idle")
        self.assertEqual(li.query(self.tmp, "SELECT status FROM import_jobs WHERE id=1"),
                         [("completed",)])
        self.assertTrue(os.path.isfile(own))
        report = file_bytes(os.path.join(self.tmp, "t.db.files", "reports", "1.erreurs.csv"))
        self.assertIn(b"Refus", report)
        self.cli("jobs", "delete", "1")
        # The old folder is never written to nor deleted from.
        self.assertTrue(os.path.isfile(os.path.join(legacy_dir, sha)))
        self.assertEqual(file_bytes(foreign), "rapport d'une autre base".encode())


class FileChangedDuringImport(Base):
    """Point 4: the import reads the bytes it hashed, or stops before keeping others."""

    ROWS = li.rows_for(60000, 20000)
    # The cases stopped at the hash: a file big enough that hashing it takes far
    # longer than this script takes to stop the process once the hash starts.
    BIG = li.rows_for(300000, 100000)

    def start_import(self, path, stop_at):
        """Runs the import; at the trace line stop_at, stops it (SIGSTOP) and returns."""
        env = li.clean_env({"LEADIMPORT_TRACE": "1"})
        p = subprocess.Popen([li.BIN, "import", path, "--json"] + self.db, cwd=self.tmp,
                             env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        lines = []
        for raw in p.stderr:
            lines.append(raw)
            if stop_at in raw:
                p.send_signal(signal.SIGSTOP)
                return p, lines
        p.wait()
        self.fail("trace %r never seen: %r" % (stop_at, b"".join(lines)))

    def start_import_until_committed(self, path):
        """Runs the import; once it committed a batch (the parse has the file
        open), stops it (SIGSTOP) and returns."""
        p = subprocess.Popen([li.BIN, "import", path, "--json"] + self.db, cwd=self.tmp,
                             env=li.clean_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while p.poll() is None:
            try:
                done = li.query(self.tmp, "SELECT rows_total FROM import_jobs WHERE id=1")
            except Exception:  # the database being created
                done = []
            if done and done[0][0] > 0:
                p.send_signal(signal.SIGSTOP)
                return p, []
            time.sleep(0.002)
        self.fail("the import ended before a batch was seen: %r" % (p.communicate(),))

    def finish(self, p, lines):
        p.send_signal(signal.SIGCONT)
        out, err = p.communicate(timeout=li.TIMEOUT)
        return p.returncode, out.decode(), (b"".join(lines) + err).decode(errors="replace")

    def test_appended_during_the_import(self):
        path = big_file(os.path.join(self.tmp, "grand.csv"), self.ROWS)
        p, lines = self.start_import_until_committed(path)
        with open(path, "a", encoding="utf-8") as f:
            f.write("Ajout,Après,ajout@exemple.fr,06 99 99 99 99,Ajout SA,,,,,,,,,\r\n")
        code, out, err = self.finish(p, lines)
        self.assertEqual(code, 4, err[-2000:])
        self.assertIn("a changé pendant l'import n° 1", err)
        self.assertIn("leadimport jobs revert 1", err)
        job = li.query(self.tmp, "SELECT status, rows_total FROM import_jobs WHERE id=1")
        self.assertEqual(job[0][0], "failed")
        self.assertLess(job[0][1], self.ROWS)
        # What was committed came from the hashed bytes, and only from them.
        leads = li.query(self.tmp, "SELECT email FROM leads")
        self.assertEqual(len(leads), job[0][1])
        self.assertNotIn(("ajout@exemple.fr",), leads)
        # ...and stays revertable.
        r = self.cli("jobs", "revert", "1")
        self.assertEqual(leads_table(self.tmp), [])
        self.assertEqual(li.query(self.tmp, "SELECT status FROM import_jobs WHERE id=1"),
                         [("reverted",)])
        # The complete file imports as a new job.
        r = self.cli("import", path, "--json")
        self.assertEqual(r.json()["created"], self.ROWS + 1)

    def test_replaced_after_the_parse_opened_it(self):
        path = big_file(os.path.join(self.tmp, "grand.csv"), self.ROWS)
        sha = li.sha256_file(path)
        other = big_file(os.path.join(self.tmp, "autre.csv"), 100, prefix="remplace")
        p, lines = self.start_import_until_committed(path)
        os.replace(other, path)
        code, out, err = self.finish(p, lines)
        # The parse goes on reading the file it opened: exactly the file hashed.
        self.assertEqual(code, 0, err[-2000:])
        self.assertEqual(li.query(self.tmp, "SELECT status, rows_total, file_sha256 FROM import_jobs"),
                         [("completed", self.ROWS, sha)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads WHERE email LIKE "
                                  "'remplace%'"), [(0,)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads"), [(self.ROWS,)])

    def test_replaced_while_it_is_hashed(self):
        # Stopped once the hash starts: whether the hash had opened the file yet
        # or not, the replacement is seen (by the hash, or when the parse opens
        # the path) before any row is read from either file.
        path = big_file(os.path.join(self.tmp, "grand.csv"), self.BIG)
        other = big_file(os.path.join(self.tmp, "autre.csv"), 100, prefix="remplace")
        p, lines = self.start_import(path, b"] hash\n")
        os.replace(other, path)
        code, out, err = self.finish(p, lines)
        self.assertEqual(code, 4, err[-2000:])
        self.assertIn("a changé pendant sa lecture (il a été remplacé par un autre fichier)", err)
        self.assertEqual(leads_table(self.tmp), [])
        # Running it again imports the file as it is now.
        r = self.cli("import", path, "--json")
        self.assertEqual(r.json()["created"], 100)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads WHERE email LIKE "
                                  "'remplace%'"), [(100,)])

    def test_growing_before_it_is_copied_for_the_queue(self):
        # The stored copy must hold the bytes hashed: a change in between refuses.
        path = big_file(os.path.join(self.tmp, "grand.csv"), self.BIG)
        env = li.clean_env({"LEADIMPORT_TRACE": "1"})
        p = subprocess.Popen([li.BIN, "import", path, "--queue"] + self.db, cwd=self.tmp,
                             env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        lines = []
        for raw in p.stderr:
            lines.append(raw)
            if raw.endswith(b"] hash\n"):
                p.send_signal(signal.SIGSTOP)
                break
        with open(path, "a", encoding="utf-8") as f:
            f.write("Ajout,Après,ajout@exemple.fr,06 99 99 99 99,Ajout SA,,,,,,,,,\r\n")
        code, out, err = self.finish(p, lines)
        self.assertEqual(code, 4, err[-2000:])
        self.assertIn("a changé pendant sa lecture (sa taille est passée de", err)  # hash or copy
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs"), [(0,)])
        kept = os.path.join(self.tmp, "t.db.files")  # no copy, no piece of one
        self.assertEqual([n for n in os.listdir(kept) if n != "reports"]
                         if os.path.isdir(kept) else [], [])

    def test_growing_while_it_is_hashed(self):
        # A file still being written when the import starts is refused before any job.
        path = big_file(os.path.join(self.tmp, "grand.csv"), self.BIG)
        p, lines = self.start_import(path, b"] hash\n")
        with open(path, "a", encoding="utf-8") as f:
            f.write("Ajout,Après,ajout@exemple.fr,06 99 99 99 99,Ajout SA,,,,,,,,,\r\n")
        code, out, err = self.finish(p, lines)
        self.assertEqual(code, 4, err[-2000:])
        self.assertIn("a changé pendant sa lecture", err)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs"), [(0,)])


if __name__ == "__main__":
    li.main()
