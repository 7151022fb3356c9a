#!/usr/bin/env python3
"""Imports of generated files give exactly what their generator expects.

For files of tools/gen_sample.py in every delimiter (, ; tab |), encoding
(UTF-8, UTF-8 with BOM, Windows-1252, UTF-16 with BOM) and line ending, and
for files of the shared bench generator (../shared/bench/gen_leads.py, when
present): the --json summary's counts, the report's rows (refused, duplicates and
rows imported with a warning, each with its « Statut »), and the leads
`leadimport export` gives back.

Each file is generated and imported once, in its own temporary folder, by
the class's setUpClass; each test method checks one promise on that import.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def setUpModule():
    li.require_binary()


class ImportedFile:
    """Mixin: generate (cls.generate), import with --json and a report path,
    export; then one test per promise. Subclasses set the file's shape."""

    rows = 2000
    seed = 1
    delimiter = ","
    encoding = "utf-8"
    newline = "crlf"
    check_emails = True

    @classmethod
    def generate(cls, tmp):
        return li.gen_sample(tmp, "leads.csv", cls.rows, seed=cls.seed,
                             delimiter=cls.delimiter, encoding=cls.encoding,
                             newline=cls.newline)

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-gen-")
        tmp = cls.tmp = cls._tmp.name
        try:
            cls.path, cls.expect = cls.generate(tmp)
            cls.report = os.path.join(tmp, "rapport-erreurs.csv")
            cls.run_import = li.run(["import", cls.path, "--db", li.db_url(tmp), "--json",
                                     "--report", cls.report], cwd=tmp)
            cls.run_export, cls.export_data = li.export(tmp)
        except BaseException:
            cls._tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def summary(self):
        self.assertEqual(self.run_import.code, 0, repr(self.run_import))
        try:
            return self.run_import.json()
        except ValueError:
            self.fail("--json output is not one JSON object: %r" % self.run_import)

    def test_import_exits_0_without_crash(self):
        li.assert_no_crash(self, self.run_import)
        self.assertEqual(self.run_import.code, 0, repr(self.run_import))

    def test_summary_counts_match_expectations(self):
        s = self.summary()
        e = self.expect
        got = {k: s.get(k) for k in ("rows", "valid", "invalid", "created", "updated", "skipped")}
        want = {"rows": e["rows"], "valid": e["valid"], "invalid": e["invalid"],
                "created": e["leads_created_with_skip"], "updated": 0,
                "skipped": e["duplicates"]}
        self.assertEqual(got, want)

    def test_report_lists_the_refused_duplicate_and_warned_rows(self):
        """The report lists every row to look at, each with its « Statut »: the
        invalid rows « refusée », the duplicates skipped with the lead they
        repeat (found by their e-mail), the rows imported with a warning
        (among them the contact warnings of the shared generator: a bad
        e-mail beside a good phone, or the reverse), and nothing else; the
        rows listed with a warning are exactly the summary's warned rows."""
        s = self.summary()
        e = self.expect
        contact = e.get("contact_warning_rows", [])
        if not (e["invalid_rows"] or e["duplicate_rows"] or contact or s["warnings"]):
            self.assertFalse(os.path.exists(self.report), "report written with nothing to list")
            return
        self.assertTrue(os.path.exists(self.report), "no report at %s" % self.report)
        _, _, recs = li.read_report(self.report)
        self.assertEqual(recs[0][:3], ["Ligne", "Statut", "Erreurs"])
        got = {"refusée": [], "doublon": [], "avertissement": [], "autre": []}
        with_warning = 0
        for rec in recs[1:]:
            n, status, errors = int(rec[0]), rec[1], rec[2]
            if status == "refusée":
                got["refusée"].append(n)
                continue
            if re.fullmatch(r"ignorée : doublon du lead n° \d+ \(e-mail\)", status):
                got["doublon"].append(n)
            elif status == "importée avec avertissement":
                got["avertissement"].append(n)
                self.assertTrue(errors, "row %d: no warning shown" % n)
            else:
                got["autre"].append((n, status))
            with_warning += bool(errors)
        self.assertEqual(got["autre"], [], "rows with an unexpected status")
        wrong = ["%s rows differ: %d reported, %d expected; missing %s; extra %s"
                 % (kind, len(got[kind]), len(rows), sorted(set(rows) - set(got[kind]))[:10],
                    sorted(set(got[kind]) - set(rows))[:10])
                 for kind, rows in (("refusée", e["invalid_rows"]),
                                    ("doublon", e["duplicate_rows"]))
                 if got[kind] != rows]
        missing = sorted(set(contact) - set(got["avertissement"]))
        if missing:
            wrong.append("%d contact warning rows not listed as « importée avec avertissement »:"
                         " %s" % (len(missing), missing[:10]))
        if with_warning != s["warnings"]:
            wrong.append("%d rows listed with a warning, the summary says %d"
                         % (with_warning, s["warnings"]))
        if wrong:
            self.fail("\n".join(wrong))

    def test_export_holds_exactly_the_created_leads(self):
        self.assertEqual(self.run_export.code, 0, repr(self.run_export))
        emails = li.export_column(self.export_data, "E-mail")
        self.assertEqual(len(emails), self.expect["leads_created_with_skip"])
        if self.check_emails and "emails_created" in self.expect:
            got = sorted(emails)
            want = self.expect["emails_created"]
            if got != want:
                self.fail("exported e-mails differ: missing %s; extra %s" % (
                    sorted(set(want) - set(got))[:10], sorted(set(got) - set(want))[:10]))


# --- files of tools/gen_sample.py -------------------------------------------

SAMPLE_SHAPES = [
    # delimiter, encoding, newline
    (",", "utf-8", "crlf"),
    (";", "utf-8-sig", "crlf"),
    ("tab", "cp1252", "crlf"),
    ("|", "utf-16", "crlf"),
    (";", "cp1252", "lf"),
    (",", "utf-16", "lf"),
    ("tab", "utf-8", "lf"),
    ("|", "utf-8-sig", "lf"),
]
DELIM_NAMES = {",": "comma", ";": "semicolon", "tab": "tab", "|": "pipe"}

for n, (d, enc, nl) in enumerate(SAMPLE_SHAPES):
    name = "TestSample_%s_%s_%s" % (DELIM_NAMES[d], enc.replace("-", ""), nl)
    globals()[name] = type(name, (ImportedFile, unittest.TestCase), {
        "rows": li.rows_for(4000, 1500), "seed": 10 + n,
        "delimiter": d, "encoding": enc, "newline": nl})
del n, d, enc, nl, name


class TestSample_large_comma_utf8(ImportedFile, unittest.TestCase):
    """A bigger file (no e-mail list in the expectations past 50,000 rows)."""
    rows = li.rows_for(100000, 20000, pg=40000)
    seed = 99


class TestSample_high_error_rates(ImportedFile, unittest.TestCase):
    """Many invalid and duplicate rows, mixed together."""
    rows = li.rows_for(3000, 1000)
    seed = 42
    delimiter = ";"

    @classmethod
    def generate(cls, tmp):
        return li.gen_sample(tmp, "leads.csv", cls.rows, seed=cls.seed,
                             delimiter=cls.delimiter, invalid_rate=0.25, dup_rate=0.2)


# --- files of the shared bench generator -------------------------------------

class SharedGenerated(ImportedFile):
    rows = li.rows_for(20000, 10000)
    check_emails = False

    @classmethod
    def generate(cls, tmp):
        if not os.path.isfile(li.SHARED_GEN):
            li.skip_visibly("shared generator not found at %s (set LI_SHARED_DIR)"
                            % li.SHARED_GEN)
        path = os.path.join(tmp, "leads.csv")
        expect = path + ".expect.json"
        subprocess.run([sys.executable, li.SHARED_GEN, "--rows", str(cls.rows),
                        "--seed", str(cls.seed), "--delimiter", cls.delimiter,
                        "--encoding", cls.encoding, "--newline", cls.newline,
                        "--out", path, "--expect", expect], check=True, timeout=300)
        with open(expect, encoding="utf-8") as f:
            return path, cls.phones_read_in_their_country(path, json.load(f))

    @classmethod
    def phones_read_in_their_country(cls, path, expect):
        """The one rule on which leadimport departs from this generator: it
        writes French national numbers ("06 12 34 56 78") on rows whose
        country is Belgium, Canada..., and counts them valid as French. A
        national number is read in its row's country only (issue 10, point
        2: re-reading it as French invents a number), so such a row whose
        e-mail is unusable too has no way to be reached: it is invalid."""
        enc = {"utf-8-sig": "utf-8-sig", "cp1252": "cp1252"}.get(cls.encoding, "utf-8")
        delim = "\t" if cls.delimiter == "tab" else cls.delimiter
        warned = set(expect.get("contact_warning_rows", []))
        try:
            import phonenumbers  # Debian python3-phonenumbers: an independent oracle
        except ImportError:
            li.skip_visibly("python3-phonenumbers is missing (scripts/install-deps.sh installs it)")
        regions = {"belgique": "BE", "suisse": "CH", "luxembourg": "LU", "canada": "CA",
                   "united kingdom": "GB"}
        email_ok = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
        moved = []
        with open(path, encoding=enc, newline="") as f:
            rd = csv.reader(f, delimiter=delim)
            h = next(rd)
            phone, country = h.index("Téléphone"), h.index("Pays")
            for i, rec in enumerate(rd):
                row = i + 2
                tel = rec[phone].strip()
                region = regions.get(rec[country].strip().lower())
                if (row not in warned or region is None or tel.startswith(("+", "00"))
                        or email_ok.match(rec[h.index("Email")].strip())):
                    continue
                try:
                    ok = phonenumbers.is_valid_number(phonenumbers.parse(tel, region))
                except phonenumbers.NumberParseException:
                    ok = False
                if not ok:
                    moved.append(row)
        if moved:
            expect = dict(expect)
            expect["invalid_rows"] = sorted(expect["invalid_rows"] + moved)
            expect["invalid"] += len(moved)
            expect["valid"] -= len(moved)
            expect["leads_created_with_skip"] -= len(moved)
        return expect


class TestShared_comma_utf8_crlf(SharedGenerated, unittest.TestCase):
    seed = 1


class TestShared_semicolon_cp1252_lf(SharedGenerated, unittest.TestCase):
    seed = 2
    delimiter = ";"
    encoding = "cp1252"
    newline = "lf"


class TestShared_tab_utf8sig_crlf(SharedGenerated, unittest.TestCase):
    seed = 3
    delimiter = "tab"
    encoding = "utf-8-sig"


if __name__ == "__main__":
    li.main()
