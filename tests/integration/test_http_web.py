#!/usr/bin/env python3
"""The web page: `leadimport serve` serves the page and its files without a
session, byte for byte the files of web/ (and the help pages of docs/), with
the headers that keep a browser safe (a strict Content-Security-Policy,
nosniff, no Referer, no framing) and revalidation by ETag; the page names
only files the server has. And the two API answers the page relies on
beyond the issue's list: "sniff" in an uploaded import (a reopened page
shows its columns) and the issues of the rows grouped by code."""
import glob
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402

WEB = os.path.join(li.SOURCE_DIR, "web")
DOCS = os.path.join(li.SOURCE_DIR, "docs")
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css",
         ".svg": "image/svg+xml", ".md": "text/markdown", ".png": "image/png"}


def setUpModule():
    lh.require_serve()


def read(path):
    with open(path, "rb") as f:
        return f.read()


class WebPage(lh.ServerCase):
    """The page and its files; then what the wizard reads beyond the issue's list of routes."""

    @classmethod
    def prepare(cls, tmp, db):
        rows = [li.lead("Jean", "Dupont", "jean.dupont@exemple.fr"),
                li.lead("Anne", "Martin", "", phone=""),            # no contact: refused
                li.lead("Paul", "Durand", "paul.durand@exemple.fr"),
                li.lead("Léa", "", "lea@exemple.fr", company=""),   # no name: refused
                li.lead("Marc", "Petit", "", phone=""),             # no contact: refused
                li.lead("Zoé", "Roux", "zoe.roux@gmial.com")]       # domain typo: warned
        cls.file = li.write_csv(os.path.join(tmp, "salon.csv"), rows)

    def check_safe_headers(self, r):
        csp = r.header("Content-Security-Policy") or ""
        self.assertIn("default-src 'self'", csp, repr(r))
        # nothing inline, nothing from elsewhere, not framed
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertNotRegex(csp, r"https?:|\*")
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("X-Frame-Options"), "DENY")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        self.assertRegex(r.header("ETag") or "", r'^"[0-9a-f]{16}"$')

    def test_the_page_is_served_without_a_session(self):
        anon = self.server.client()
        r = anon.request("GET", "/")
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.body, read(os.path.join(WEB, "index.html")))
        self.check_safe_headers(r)
        self.assertIn(b'lang="fr"', r.body)

    def test_head_gives_the_headers_of_get_without_the_body(self):
        anon = self.server.client()
        for path in ("/", "/assets/app.js", "/aide/erreurs.md"):
            with self.subTest(path=path):
                get, head = anon.request("GET", path), anon.request("HEAD", path)
                self.assertEqual(head.status, 200, repr(head))
                self.assertEqual(head.body, b"")
                for name in ("Content-Type", "Content-Length", "ETag", "Cache-Control"):
                    self.assertEqual(head.header(name), get.header(name), name)
        # HEAD goes through the same checks as GET: no session, no job
        self.assertEqual(anon.request("HEAD", "/api/imports/1").status, 401)
        r = anon.request("DELETE", "/")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET, HEAD")

    def test_every_file_of_web_is_served_as_it_is(self):
        anon = self.server.client()
        files = sorted(glob.glob(os.path.join(WEB, "*")))
        self.assertTrue(files)
        for path in files:
            name = os.path.basename(path)
            with self.subTest(file=name):
                r = anon.request("GET", "/assets/" + name)
                self.assertEqual(r.status, 200, repr(r))
                self.assertTrue(r.header("Content-Type").startswith(TYPES[os.path.splitext(name)[1]]),
                                r.header("Content-Type"))
                self.assertEqual(r.body, read(path), "the embedded file differs from web/%s: "
                                 "rebuild" % name)
                self.check_safe_headers(r)

    def test_the_help_pages_are_the_docs(self):
        anon = self.server.client()
        for name in ("erreurs.md", "guide-import.md"):
            path = os.path.join(DOCS, name)
            if not os.path.exists(path):
                continue
            with self.subTest(page=name):
                r = anon.request("GET", "/aide/" + name)
                self.assertEqual(r.status, 200, repr(r))
                self.assertEqual(r.header("Content-Type"), "text/markdown; charset=utf-8")
                self.assertEqual(r.body, read(path))
        for path in glob.glob(os.path.join(DOCS, "img", "*.png")):
            r = anon.request("GET", "/aide/img/" + os.path.basename(path))
            self.assertEqual((r.status, r.body), (200, read(path)))

    def test_the_page_loads_only_files_the_server_has(self):
        # what index.html and the modules name: each answers 200, from this server
        anon = self.server.client()
        names = set()
        for path in glob.glob(os.path.join(WEB, "*.html")) + glob.glob(os.path.join(WEB, "*.js")):
            text = read(path).decode("utf-8")
            self.assertNotRegex(text, r"(src|href)=\"https?://", path)
            names |= set(re.findall(r"/assets/[\w.-]+", text))
            names |= {"/assets/" + m[2:] for m in re.findall(r"from '(\./[\w.-]+)'", text)}
        self.assertIn("/assets/app.js", names)
        for n in sorted(names):
            with self.subTest(url=n):
                self.assertEqual(anon.request("GET", n).status, 200)

    def test_an_unchanged_file_is_not_sent_again(self):
        anon = self.server.client()
        first = anon.request("GET", "/assets/app.js")
        etag = first.header("ETag")
        r = anon.request("GET", "/assets/app.js", headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(r.header("ETag"), etag)
        r = anon.request("GET", "/assets/app.js", headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, first.body)

    def test_unknown_files_are_a_french_404(self):
        anon = self.server.client()
        for path in ("/assets/nope.js", "/assets/..%2Fstatic.c", "/aide/api.md", "/aide/img/x.png",
                     "/index.html", "/assets/"):
            with self.subTest(path=path):
                lh.assert_french_error(self, anon.request("GET", path), 404, "http_not_found")


    def test_an_uploaded_import_gives_its_columns_again_then_its_issues_by_code(self):
        r = self.admin.upload(self.file)
        self.assertEqual(r.status, 201, repr(r))
        job = lh.job_id_of(r.json())
        doc = self.admin.job(job)
        self.assertEqual(doc["status"], "uploaded")
        # the history says who: the id of GET /api/users
        users = self.admin.json_ok("GET", "/api/users")["users"]
        me = [u["id"] for u in users if u["email"] == self.ADMIN[0]]
        self.assertEqual(doc["created_by"], me[0])
        self.assertEqual(self.admin.json_ok("GET", "/api/imports")["imports"][0]["created_by"], me[0])
        # a page reopened on the import sees what the upload answered
        self.assertEqual(doc["sniff"]["mapping"], r.json()["sniff"]["mapping"])
        self.assertEqual(len(doc["sniff"]["preview"]), 6)

        self.admin.json_ok("POST", "/api/imports/%d/analyse" % job, expect=(202,))
        ready = self.admin.wait_status(job, ("ready",))
        self.assertNotIn("sniff", ready)  # only while the columns can change
        groups = self.admin.json_ok("GET", "/api/imports/%d/errors" % job)
        self.assertEqual(groups["job_id"], job)
        self.assertEqual(groups["rows_with_issues"], 4)
        by = {g["code"]: g for g in groups["groups"]}
        self.assertEqual(by["contact_missing"]["count"], 2)
        self.assertEqual(by["contact_missing"]["rows"], [3, 6])
        self.assertEqual(by["contact_missing"]["severity"], "error")
        self.assertIn("ni téléphone", by["contact_missing"]["example"])
        self.assertEqual(by["name_missing"]["rows"], [5])
        self.assertEqual(by["email_domain_typo"]["severity"], "warning")
        self.assertEqual(by["email_domain_typo"]["rows"], [7])
        self.assertEqual(groups["groups"][0]["code"], "contact_missing")  # most frequent first
        # asked again (kept while the job's rows stay as they are): the same answer
        self.assertEqual(self.admin.json_ok("GET", "/api/imports/%d/errors" % job), groups)
        # cancelled, then retried: analysed again, the same issues
        self.admin.json_ok("POST", "/api/imports/%d/cancel" % job)
        self.admin.json_ok("POST", "/api/imports/%d/retry" % job, expect=(200, 202))
        self.admin.wait_status(job, ("ready",))
        self.assertEqual(self.admin.json_ok("GET", "/api/imports/%d/errors" % job), groups)

    def test_the_summary_says_to_whom_the_leads_went(self):
        rows = [li.lead("P%d" % i, "Nom%d" % i, "p%d@exemple.fr" % i) for i in range(7)]
        path = li.write_csv(os.path.join(self.tmp, "tour.csv"), rows)
        job = lh.job_id_of(self.admin.upload(path).json())
        self.admin.json_ok("POST", "/api/imports/%d/analyse" % job, expect=(202,))
        self.admin.wait_status(job, ("ready",))
        who = [e for e, _ in self.COMMERCIALS]
        self.admin.json_ok("POST", "/api/imports/%d/commit" % job,
                           {"assign": {"mode": "round_robin", "users": who}}, expect=(202,))
        done = self.admin.wait_status(job, ("completed",))
        given = self.admin.json_ok("GET", "/api/imports/%d/assignments" % job)
        self.assertEqual(given["assigned"], done["assigned"])
        self.assertEqual(given["assigned"], 7)
        self.assertEqual([(u["email"], u["leads"]) for u in given["users"]],
                         [(who[0], 4), (who[1], 3)])
        self.assertEqual(given["users"][0]["name"], self.COMMERCIALS[0][1])
        lh.assert_french_error(self, self.admin.request("GET", "/api/imports/999999/assignments"),
                               404, "job_not_found")

    def test_issues_of_an_unknown_import_and_for_a_commercial(self):
        lh.assert_french_error(self, self.admin.request("GET", "/api/imports/999999/errors"),
                               404, "job_not_found")
        com = self.new_client(self.COMMERCIALS[0][0])
        for path in ("/api/imports/1/errors", "/api/imports/1/assignments"):
            lh.assert_french_error(self, com.request("GET", path), 403, "admin_required")


if __name__ == "__main__":
    unittest.main()
