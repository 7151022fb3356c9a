#!/usr/bin/env python3
"""Differential test of the CSV reader: random files read by leadimport's
reader (through tests/tools/read_dump.c) and by Python's csv module must give
the same rows, cell for cell.

300 files (100 under the sanitizers) are generated from a fixed seed (LI_DIFF_FILES, LI_DIFF_SEED
change that): quoted fields holding the delimiter, doubled quotes and line
breaks (LF, CR, CRLF), unquoted fields, empty fields, long cells (some over
the reader's 256 KiB read block, so that records straddle reads), mixed line
endings between records, with or without a final line break, delimiters
, ; TAB |, a UTF-8 BOM or not, UTF-8 text of several scripts, and some files
in Windows-1252 and UTF-16 (read with --encoding, Python decoding the same).

The common dialect only. Where leadimport differs from Python's csv on
purpose, the generator does not write the case, and this is why:
  - blank lines and records whose fields are all empty (";;;") are no rows
    for leadimport (spreadsheets write them for empty rows; they are counted
    in the row numbers, never imported); Python returns them as [] or
    ['', '', '']: they are dropped from Python's rows before comparing;
  - text after a closing quote ("ab"c): Python gives abc, leadimport keeps
    the quote that was not a closing one (ab"c, with a warning), and drops
    spaces between a closing quote and the delimiter ("Curie"  ,): not
    written; a quote is only written at the start of a field, closing it
    right before a delimiter or a line end, and doubled inside it;
  - a quote inside an unquoted field, or spaces before an opening quote:
    both keep the text, but leadimport warns; not written, to keep every
    row free of problems (a row problem is a failure here);
  - backslashes: leadimport reads \\" as a quote in files that escape
    quotes so (MySQL, PHP), decided from the file; no backslash is written;
  - a first line "sep=;" (Excel's directive) and the header search: the
    files are read with --header 0 and no line starts with "sep=";
  - rows of another width than the first: leadimport drops extra empty
    fields at the end of a row (French Excel's trailing ';') and flags the
    row; every row of a file has the same width;
  - NUL and other control characters: a file with them is binary for
    leadimport; not written (TAB is, inside quoted fields when it is the
    delimiter and anywhere otherwise).
"""
import codecs
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

DUMP = os.environ.get("LI_READ_DUMP") or os.path.join(li.SOURCE_DIR, "build", "tests",
                                                        "read_dump")
FILES = int(os.environ.get("LI_DIFF_FILES", "100" if li.SANITIZE else "300"))
SEED = int(os.environ.get("LI_DIFF_SEED", "20261202"))

WORDS = ["Dupont", "Hélène", "Müller", "O'Brien", "José", "Zoë", "café", "Łódź",
         "Ærøskøbing", "Straße", "Кирилл", "Αθήνα", "東京", "서울", "😀", "naïve",
         "€ 12,50", "50%", "a b", "x", "42", "-7", "1e5", "=SUM(A1)", "#", "+33 6",
         "l'été", "« cité »", "Œuvre", "ß", "Ça"]
CP1252_WORDS = [w for w in WORDS if all(ord(ch) < 0x80 or ch in
                "éèêëàâäîïôöùûüçÉÈÀÇœŒ€«»’ßÆæøØåÅüÜöÖäÄñÑ" for ch in w)]
TERMINATORS = ["\n", "\r\n", "\r"]


csv.field_size_limit(1 << 30)


def require_dump():
    if not (os.path.isfile(DUMP) and os.access(DUMP, os.X_OK)):
        raise RuntimeError("read_dump not found at %r (set LI_READ_DUMP)" % DUMP)


def setUpModule():
    require_dump()


class Gen:
    """One random file: its text, how to read it, and the rows it holds."""

    def __init__(self, rnd, index):
        self.rnd = rnd
        self.delim = rnd.choice([",", ";", "\t", "|"])
        kind = rnd.random()
        self.encoding = ("utf-16le" if kind < 0.05 else "windows-1252" if kind < 0.15
                         else "utf-8")
        self.bom = self.encoding != "windows-1252" and rnd.random() < 0.3
        self.words = CP1252_WORDS if self.encoding == "windows-1252" else WORDS
        self.long = index % 10 == 0  # every tenth file has cells over 256 KiB
        self.width = rnd.randint(1, 12)
        self.nrows = rnd.randint(1, 60)
        self.one_eol = rnd.choice(TERMINATORS) if rnd.random() < 0.5 else None

    def value(self):
        rnd = self.rnd
        r = rnd.random()
        if r < 0.12:
            return ""
        if self.long and r < 0.16:
            n = rnd.randint(270_000, 400_000)
            return self.text(n)
        if r < 0.20:
            # up to 15,000 characters: under the default 64 KiB of a field
            return self.text(rnd.randint(1_000, 15_000) if rnd.random() < 0.3 else
                             rnd.randint(100, 1000))
        return self.text(rnd.randint(1, 30))

    def text(self, n):
        """About n characters: words, spaces, and the characters CSV quotes."""
        rnd = self.rnd
        parts, size = [], 0
        specials = [self.delim, '"', "\n", "\r\n", "\r", " ", "'", ",", ";", "|", "\t"]
        while size < n:
            if rnd.random() < 0.25:
                p = rnd.choice(specials)
            else:
                p = rnd.choice(self.words)
            if n > 5000:  # long cells: whole lines of words, quickly
                p = " ".join(rnd.choice(self.words) for _ in range(12)) + rnd.choice(
                    ["\n", "\r\n", " ", '"', self.delim])
            parts.append(p)
            size += len(p)
        return "".join(parts)

    def needs_quotes(self, v):
        return (any(ch in v for ch in (self.delim, '"', "\n", "\r")) or v[:1] == " " or
                v[:1] == "\t")

    def field(self, v):
        if self.needs_quotes(v) or self.rnd.random() < 0.1:
            return '"' + v.replace('"', '""') + '"'
        return v

    def eol(self):
        return self.one_eol or self.rnd.choice(TERMINATORS)

    def build(self):
        rows, out = [], []
        for i in range(self.nrows):
            row = [self.value() for _ in range(self.width)]
            if i == 0 and row[0].lower().startswith("sep="):
                row[0] = "x" + row[0]
            rows.append(row)
            out.append(self.delim.join(self.field(v) for v in row))
            if i < self.nrows - 1 or self.rnd.random() < 0.7:
                out.append(self.eol())
            if self.rnd.random() < 0.05:  # a blank line
                out.append(self.eol())
        text = "".join(out)
        if self.encoding == "utf-16le":
            data = (codecs.BOM_UTF16_LE if self.bom else b"") + text.encode("utf-16le")
        elif self.encoding == "windows-1252":
            data = text.encode("cp1252")
        else:
            data = (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")
        return data


def python_rows(data, encoding, delim):
    codec = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "utf-16le": "utf-16le"}[encoding]
    text = data.decode(codec)
    if encoding == "utf-16le" and text.startswith("\ufeff"):
        text = text[1:]
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    # leadimport: blank lines and records of empty fields are no rows
    return [r for r in rows if any(f != "" for f in r)]


def reader_rows(path, encoding, delim, long_cells, limits=None):
    args = [DUMP, path, "--header", "0", "--delimiter", "tab" if delim == "\t" else delim]
    if encoding != "utf-8":
        args += ["--encoding", encoding]
    if long_cells:
        limits = (8 << 20, 64 << 20)
    if limits:
        args += ["--max-field", str(limits[0]), "--max-row", str(limits[1])]
    cp = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if cp.returncode != 0:
        raise AssertionError("read_dump refused %s: %s" % (path, cp.stderr.decode("utf-8",
                                                                                  "replace")))
    return json.loads(cp.stdout.decode("utf-8"))


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            for k, (u, v) in enumerate(zip(x, y)):
                if u != v:
                    return "row %d, field %d: python %r / leadimport %r" % (
                        i, k, u[:80], v[:80])
            return "row %d: python %d fields / leadimport %d" % (i, len(x), len(y))
    return "python %d rows / leadimport %d" % (len(a), len(b))


class TestDifferential(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-diff-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def test_random_files_read_like_python_csv(self):
        rnd = random.Random(SEED)
        failures = []
        for i in range(FILES):
            g = Gen(rnd, i)
            data = g.build()
            path = os.path.join(self.tmp, "f%03d.csv" % i)
            with open(path, "wb") as f:
                f.write(data)
            want = python_rows(data, g.encoding, g.delim)
            if not want:
                continue
            got = reader_rows(path, g.encoding, g.delim, g.long)
            rows = [r["fields"] for r in got["rows"]]
            problems = [(r["n"], r["problem"]) for r in got["rows"] if r["problem"]]
            if rows != want or problems or got["delimiter"] != g.delim:
                keep = os.path.join(tempfile.gettempdir(), "li-diff-fail-%03d.csv" % i)
                with open(keep, "wb") as f:
                    f.write(data)
                failures.append("file %d (%s, %r, kept as %s): %s%s" % (
                    i, g.encoding, g.delim, keep, first_difference(want, rows),
                    " problems %s" % problems[:3] if problems else ""))
            os.unlink(path)
        self.assertEqual(failures, [], "\n".join(failures[:10]))

    def test_every_record_is_one_row_under_tiny_limits(self):
        """With limits of a few dozen bytes, most records hold a cell or a row
        too long: each is still exactly one row (its problem said), no line of
        a quoted cell becomes a row, and the rows without problem are
        Python's (the width is the first record's: with it cut, empty fields
        past it are dropped as a French Excel's trailing ';' is)."""
        rnd = random.Random(SEED + 1)
        failures = []
        for i in range(FILES // 3):
            g = Gen(rnd, i)
            g.long = False
            data = g.build()
            path = os.path.join(self.tmp, "t%03d.csv" % i)
            with open(path, "wb") as f:
                f.write(data)
            want = python_rows(data, g.encoding, g.delim)
            if not want:
                continue
            got = reader_rows(path, g.encoding, g.delim, False, limits=(32, 64))["rows"]
            if len(got) != len(want):
                failures.append("file %d: python %d records / leadimport %d rows" % (
                    i, len(want), len(got)))
                continue
            for k, (w, r) in enumerate(zip(want, got)):
                f = r["fields"]
                if r["problem"] is None and (f != w[:len(f)] or any(w[len(f):])):
                    failures.append("file %d: %s" % (i, first_difference([w], [f])))
                    break
        self.assertEqual(failures, [], "\n".join(failures[:10]))

    def test_the_comparison_can_fail(self):
        """The reader's output is really looked at: a changed cell is seen."""
        path = os.path.join(self.tmp, "x.csv")
        with open(path, "wb") as f:
            f.write(b'a;"b\r\nc";d\n1;2;3\n')
        got = reader_rows(path, "utf-8", ";", False)
        self.assertEqual([r["fields"] for r in got["rows"]], [["a", "b\r\nc", "d"],
                                                              ["1", "2", "3"]])
        self.assertNotEqual([r["fields"] for r in got["rows"]],
                            python_rows(b'a;"b\r\nc";d\n1;2;4\n', "utf-8", ";"))


if __name__ == "__main__":
    li.main()
