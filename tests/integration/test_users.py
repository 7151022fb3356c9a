#!/usr/bin/env python3
"""`leadimport users`: the command line's promises, one test each.

add (with and without --password-stdin), list (table and --json), disable,
enable, --help; French messages and exit codes (0 done, 2 usage: bad e-mail,
unknown role, duplicate, unknown user). Every test works in its own
temporary folder with --db sqlite:<tmp>/t.db. Argon2id costs 64 MiB and a
fraction of a second per password: only two tests set one.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def setUpModule():
    li.require_binary()


class UsersTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-users-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        # Only `users add` creates a database; list, disable and enable need one.
        r = li.run(["migrate", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))

    def users(self, *args, stdin=None, code=None):
        r = li.run(["users"] + list(args) + ["--db", li.db_url(self.tmp)], cwd=self.tmp,
                   stdin=stdin)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        return r

    def add(self, email, name, role, *extra, stdin=None, code=0):
        return self.users("add", email, "--name", name, "--role", role, *extra, stdin=stdin,
                          code=code)

    def rows(self):
        return li.query(self.tmp, "SELECT email, name, role, active, password_hash FROM users"
                                  " ORDER BY email")

    def with_stdin(self, text):
        """A file holding text, open for reading, to give as stdin."""
        path = os.path.join(self.tmp, "stdin.txt")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        f = open(path, "rb")
        self.addCleanup(f.close)
        return f

    # -- add ----------------------------------------------------------------------
    def test_add_without_password_creates_an_account_that_cannot_log_in(self):
        r = self.add(" Luc.Besson@Exemple.FR", "  Luc   Besson ", "Commercial")
        self.assertIn("Luc Besson", r.out)
        self.assertIn("sans mot de passe", r.out)
        self.assertEqual(self.rows(), [("luc.besson@exemple.fr", "Luc Besson", "commercial", 1,
                                        None)])

    def test_add_with_password_stdin_stores_an_argon2id_hash_only(self):
        secret = "correct cheval pile agrafe"
        r = self.add("anne@exemple.fr", "Anne Roux", "admin", "--password-stdin",
                     stdin=self.with_stdin(secret + "\r\n"))
        self.assertIn("ajouté avec le rôle admin", r.out)
        self.assertNotIn(secret, r.out + r.err)  # never echoed
        (email, _, role, active, hashed), = self.rows()
        self.assertEqual((email, role, active), ("anne@exemple.fr", "admin", 1))
        self.assertTrue(hashed.startswith("$argon2id$"), hashed)
        self.assertNotIn(secret, hashed)
        if not li.PG:  # the database file itself
            with open(li.db_path(self.tmp), "rb") as f:
                self.assertNotIn(secret.encode(), f.read())

    def test_short_password_is_a_usage_error_and_writes_nothing(self):
        r = self.add("anne@exemple.fr", "Anne", "admin", "--password-stdin",
                     stdin=self.with_stdin("court\n"), code=2)
        self.assertIn("Mot de passe trop court", r.err)
        self.assertEqual(self.rows(), [])

    def test_password_stdin_without_input_is_a_usage_error(self):
        r = self.add("anne@exemple.fr", "Anne", "admin", "--password-stdin", code=2)
        self.assertIn("Aucun mot de passe", r.err)
        self.assertEqual(r.out, "")

    def test_duplicate_email_is_refused_in_any_case(self):
        self.add("anne@exemple.fr", "Anne Roux", "admin")
        r = self.add("ANNE@exemple.fr", "Anne Autre", "commercial", code=2)
        self.assertIn("Un utilisateur a déjà l'adresse « anne@exemple.fr »", r.err)
        self.assertEqual(len(self.rows()), 1)

    def test_bad_email_role_or_name_are_usage_errors_in_french(self):
        cases = [
            (["add", "anne@", "--name", "Anne", "--role", "admin"], "Adresse e-mail"),
            (["add", "anne@exemple.fr", "--name", "Anne", "--role", "chef"], "Rôle inconnu"),
            (["add", "anne@exemple.fr", "--role", "admin"], "Nom d'utilisateur invalide"),
            (["add", "anne@exemple.fr", "--name", "Anne"], "Rôle inconnu"),
            (["add"], "Indiquez l'adresse e-mail"),
            (["disable"], "Indiquez l'adresse e-mail"),
            (["add", "anne@exemple.fr", "--frob"], "Option inconnue"),
            (["list", "extra"], "Argument en trop"),
        ]
        for args, text in cases:
            with self.subTest(args=args):
                r = self.users(*args, code=2)
                self.assertIn(text, r.err)
                self.assertTrue(r.err.startswith("leadimport : "), r.err)
        self.assertEqual(self.rows(), [])

    # -- list -----------------------------------------------------------------------
    def test_list_shows_a_french_table_by_email(self):
        r = self.users("list", code=0)
        self.assertIn("Aucun utilisateur", r.out)
        self.add("zoe@exemple.fr", "Zoé Lefèvre", "commercial")
        self.add("anne@exemple.fr", "Anne Roux", "admin")
        self.users("disable", "zoe@exemple.fr", code=0)
        lines = self.users("list", code=0).out.splitlines()
        for word in ("E-mail", "Nom", "Rôle", "Actif", "Créé le"):
            self.assertIn(word, lines[0])
        self.assertEqual(len(lines), 3, lines)
        self.assertTrue(lines[1].startswith("anne@exemple.fr"), lines)
        self.assertIn("oui", lines[1])
        self.assertIn("Zoé Lefèvre", lines[2])
        self.assertIn("non", lines[2])
        # Columns line up, accents counted as one character.
        self.assertEqual(lines[1].index("admin"), lines[2].index("commercial"))

    def test_list_json_gives_every_account_without_hash(self):
        self.assertEqual(self.users("list", "--json", code=0).json(), [])
        self.add("luc@exemple.fr", "Luc Besson", "commercial")
        self.add("anne@exemple.fr", "Anne Roux", "admin", "--password-stdin",
                 stdin=self.with_stdin("agrafe-cheval-lune-pile\n"))
        self.users("disable", "luc@exemple.fr", code=0)
        users = self.users("list", "--json", code=0).json()
        self.assertEqual([u["email"] for u in users], ["anne@exemple.fr", "luc@exemple.fr"])
        anne, luc = users
        self.assertEqual((anne["name"], anne["role"], anne["active"], anne["has_password"]),
                         ("Anne Roux", "admin", True, True))
        self.assertEqual((luc["role"], luc["active"], luc["has_password"]),
                         ("commercial", False, False))
        for u in users:
            self.assertEqual(set(u), {"id", "email", "name", "role", "active", "has_password",
                                      "created_at"})
            self.assertRegex(u["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")

    # -- disable / enable -------------------------------------------------------------
    def test_disable_and_enable_toggle_the_account(self):
        self.add("luc@exemple.fr", "Luc", "commercial")
        r = self.users("disable", "LUC@exemple.fr", code=0)
        self.assertIn("désactivé", r.out)
        self.assertEqual(self.rows()[0][3], 0)
        self.users("disable", "luc@exemple.fr", code=0)  # twice is fine
        r = self.users("enable", "luc@exemple.fr", code=0)
        self.assertIn("réactivé", r.out)
        self.assertEqual(self.rows()[0][3], 1)

    def test_unknown_user_is_a_usage_error(self):
        for cmd in ("disable", "enable"):
            with self.subTest(cmd=cmd):
                r = self.users(cmd, "personne@exemple.fr", code=2)
                self.assertIn("Aucun utilisateur n'a l'adresse « personne@exemple.fr »", r.err)

    # -- help ------------------------------------------------------------------------
    def test_help_is_french_and_listed_in_the_main_help(self):
        r = self.users("--help", code=0)
        for word in ("Utilisation", "add EMAIL", "--password-stdin", "disable", "enable",
                     "commercial"):
            self.assertIn(word, r.out)
        r = self.users(code=2)  # no subcommand: the help, on stderr
        self.assertIn("Utilisation", r.err)
        main = li.run(["--help"])
        self.assertIn("leadimport users", main.out)


if __name__ == "__main__":
    li.main()
