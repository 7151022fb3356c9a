#!/usr/bin/env python3
"""Every message code of the catalogue is documented in docs/erreurs.md, and
the page documents no code that does not exist."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def catalogue_codes():
    with open(os.path.join(li.SOURCE_DIR, "include", "leadimport", "messages.def"),
              encoding="utf-8") as f:
        codes = re.findall(r'^LI_MSG_X\(\s*\w+\s*,\s*"([a-z0-9_]+)"', f.read(), re.M)
    return set(codes) - {"ok"}


class ErrorPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(li.SOURCE_DIR, "docs", "erreurs.md"), encoding="utf-8") as f:
            cls.page = f.read()
        cls.documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", cls.page, re.M))

    def test_every_catalogue_code_is_documented(self):
        missing = catalogue_codes() - self.documented
        self.assertFalse(missing, "codes missing from docs/erreurs.md: %s" % sorted(missing))

    def test_the_page_documents_only_real_codes(self):
        extra = self.documented - catalogue_codes()
        self.assertFalse(extra, "docs/erreurs.md documents unknown codes: %s" % sorted(extra))


if __name__ == "__main__":
    li.main()
