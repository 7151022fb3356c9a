#!/usr/bin/env python3
"""Golden tests of `leadimport sniff --json`: for each file of
tests/data/sniff (UTF-8 with BOM, Windows-1252, UTF-16 LE and BE, the four
delimiters, Excel's sep= line, no header, English headers with typos,
columns known only by their values), the whole JSON document must equal
the stored NAME.json: format, encoding, delimiter, header, the mapping of
each column with its reason, warnings and preview.

A deliberate change of output is recorded by running this file with
LI_UPDATE_GOLDEN=1, then reviewing the diff of the .json files."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

DATA = os.path.join(li.SOURCE_DIR, "tests", "data", "sniff")
UPDATE = os.environ.get("LI_UPDATE_GOLDEN") == "1"


def fixtures():
    return sorted(f for f in os.listdir(DATA) if f.endswith(".csv"))


class SniffGolden(unittest.TestCase):
    def check(self, name):
        with tempfile.TemporaryDirectory(prefix="li-sniff-") as tmp:
            # No database: only what the file says, never a remembered mapping.
            r = li.run(["sniff", os.path.join(DATA, name), "--json"], cwd=tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        got = r.json()
        golden = os.path.join(DATA, name[:-4] + ".json")
        if UPDATE:
            with open(golden, "w", encoding="utf-8") as f:
                json.dump(got, f, ensure_ascii=False, indent=2)
                f.write("\n")
            return
        self.assertTrue(os.path.exists(golden), "no golden file %s (LI_UPDATE_GOLDEN=1)" % golden)
        with open(golden, encoding="utf-8") as f:
            want = json.load(f)
        self.maxDiff = None
        self.assertEqual(got, want)

    def test_there_are_fixtures_in_several_encodings(self):
        self.assertGreaterEqual(len(fixtures()), 8)


def _make(name):
    return lambda self: self.check(name)


for _name in fixtures():
    setattr(SniffGolden, "test_" + _name[:-4], _make(_name))


if __name__ == "__main__":
    li.main()
