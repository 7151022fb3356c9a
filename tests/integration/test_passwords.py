#!/usr/bin/env python3
"""`users add --password-stdin`: the password policy, as a user meets it.

At least 12 characters; refused, each with its own French message and exit
2, when it is a French or English word or a common password barely changed,
a sequence, repeats, a palindrome, when it holds the account's e-mail or
name, a NUL byte (refused, never cut at it) or bytes that are not UTF-8.
A refused password creates nothing: not the account, not even the
database. Only the last test hashes one (Argon2id costs 64 MiB).
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

REFUSED = [
    (b"abc", "trop court"),
    (b"k7#Rq2!mZp9", "au moins 12 caract"),            # 11 characters
    ("ééééék7#Rq2".encode(), "au moins 12 caract"),    # 11 characters, 16 bytes
    (b"motdepasse2024", "trop courant"),
    (b"Motdepasse2024!", "trop courant"),
    (b"Marseille13013", "trop courant"),
    (b"P@ssw0rd2024", "trop courant"),
    ("Généralement2024".encode(), "trop courant"),     # a French word, accents and all
    (b"Generalement2024", "trop courant"),
    (b"azertyuiop123", "trop courant"),
    (b"jetaime123456", "trop"),
    (b"123456789012", "trop simple"),
    (b"aaaabbbbcccc", "trop répétitif"),
    (b"kayak-racecar-kayak", "deux sens"),
    (b"8362-9154-7730", "trop faible"),
    (b"lune-Direction-2026", "adresse e-mail"),
    (b"Roux!Agrafe!Cheval", "nom du compte"),
    (b"agrafe\x00cheval-lune-pile", "octet nul"),
    (b"agrafe-cheval-lune-pil\xe9", "UTF-8"),          # Latin-1 "é"
]


def setUpModule():
    li.require_binary()


class PasswordTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-pw-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)

    def add(self, password, code):
        path = os.path.join(self.tmp, "stdin.bin")
        with open(path, "wb") as f:
            f.write(password + b"\n")
        with open(path, "rb") as f:
            r = li.run(["users", "add", "direction@exemple.fr", "--name", "Anne Roux", "--role",
                        "admin", "--password-stdin", "--db", self.db], cwd=self.tmp, stdin=f)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def test_each_weakness_is_refused_in_french_and_creates_nothing(self):
        for password, words in REFUSED:
            with self.subTest(password=password):
                r = self.add(password, 2)
                self.assertIn(words, r.err)
                self.assertTrue(r.err.startswith("leadimport : "), r.err)
                self.assertNotIn(password.decode("utf-8", "replace"), r.err)  # never echoed
                self.assertFalse(os.path.exists(li.db_path(self.tmp)))

    def test_a_passphrase_is_accepted_and_only_its_hash_is_stored(self):
        secret = "agrafe cheval lune pile"
        r = self.add(secret.encode(), 0)
        self.assertIn("ajouté avec le rôle admin", r.out)
        (hashed,), = li.query(self.tmp, "SELECT password_hash FROM users")
        self.assertTrue(hashed.startswith("$argon2id$"), hashed)
        with open(li.db_path(self.tmp), "rb") as f:
            self.assertNotIn(secret.encode(), f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
