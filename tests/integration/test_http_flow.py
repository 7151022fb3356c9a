#!/usr/bin/env python3
"""The import API of `leadimport serve`, driven over real HTTP, end to end.

One server per class (lihttp.ServerCase), an admin logged in, two
commercials. What a user (the web page, a script) relies on:
  * upload of a CSV and of a workbook: the job « déposé » with the sniff
    result (format, encoding, delimiter, sheets, header, preview, mapping
    with reasons); the same file again is 409 naming the earlier import,
    unless force;
  * mapping change (columns swapped, sheet chosen) then analyse: the job
    goes to ready, and the review is the one `jobs review --json` gives on
    the same database; the rows pages and filters are `jobs rows --json`;
  * commit with each duplicate strategy and each assignment mode: the
    answer has the keys of `import --json`, the job ends « completed » with
    the counts the review predicted, and the leads are byte for byte those
    a one-shot CLI import of the same file with the same options leaves in
    a copy of the database taken just before;
  * Server-Sent Events until the end, and resuming with Last-Event-ID;
  * history (newest first, state filter, pages), cancel, retry, revert,
    delete; users, mappings, template, healthz, metrics; one log line per
    request.
"""
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402
from test_review import write_xlsx  # noqa: E402

STRATEGIES = ("skip", "update", "create")
COUNTS = ("created", "updated", "skipped", "flagged")
FINAL = ("completed", "failed", "cancelled", "rejected", "reverted")

ANNE, LUC = lh.ServerCase.COMMERCIALS

BASE = [
    li.lead("Anne", "Roux", "anne.roux@exemple.fr", "06 11 11 11 11", "Roux SA",
            city="Lyon", external_id="EXT-1"),
    li.lead("Luc", "Blanc", "luc.blanc@exemple.fr", "06 22 22 22 22", "", city=""),
    li.lead("Paul", "Vert", "paul.vert@exemple.fr", "06 44 44 44 44", "Vert SARL"),
]
FILLER = 24


def incoming(tag):
    """A file of its own for each case (tag 1..89): duplicates of the base
    leads, an in-file duplicate, refused rows, a warning, the Commercial
    column naming users by name, by e-mail and unknown; 32 rows, 2 pages."""
    rows = [
        # r2: e-mail of base lead Anne (other case), another phone
        li.lead("Anne", "Roux", "ANNE.ROUX@exemple.fr", "07 99 99 %02d 91" % tag, "",
                city="Marseille", job_title="", owner=ANNE[1]),
        # r3: phone of base lead Luc, no e-mail
        li.lead("Lucien", "Blanc", "", "0622222222", "Blanc Conseil", city="Nantes",
                owner=LUC[0]),
        # r4: new; r5: its in-file duplicate by e-mail
        li.lead("Marc", "Noir", "marc.noir.%d@exemple.fr" % tag, "06 33 33 %02d 31" % tag,
                "Noir & Cie", city="Brest", owner=ANNE[1]),
        li.lead("Marc", "Noir", "marc.noir.%d@exemple.fr" % tag, "", "", city="Rennes",
                notes="relance"),
        # r6: refused, neither e-mail nor phone; r7: refused, no name nor company
        li.lead("Sans", "Contact", "", "", "Nulle Part"),
        li.lead("Sans", "", "sans.nom.%d@exemple.fr" % tag, "06 66 66 %02d 61" % tag, ""),
        # r8: warning, a valid e-mail beside a phone that is not one
        li.lead("Alice", "Bleu", "alice.bleu.%d@exemple.fr" % tag, "06 12", "Bleu SARL"),
        # r9: names a commercial unknown to the directory
        li.lead("Léa", "Marron", "lea.marron.%d@exemple.fr" % tag, "06 99 99 %02d 91" % tag,
                "Marron SAS", owner="Personne Inconnue"),
    ]
    for i in range(FILLER):
        rows.append(li.lead("Prénom%d" % i, "Nom%d" % i, "p%d.%d@remplissage.fr" % (i, tag),
                            "06%02d%06d" % (10 + tag, 200000 + i), "Société %d" % i,
                            city="Ville %d" % tag,
                            owner=(ANNE[1], LUC[0], "")[i % 3]))
    return rows


ROWS = 8 + FILLER  # 32
INVALID_ROWS = [6, 7]
WARNING_ROWS = [8]

# The assignment modes, as the API takes them and as the CLI spells them.
ASSIGN = {
    "none": ({"mode": "none"}, "none"),
    "single": ({"mode": "single", "users": [ANNE[0]]}, "single:" + ANNE[0]),
    "round_robin": ({"mode": "round_robin", "users": [ANNE[0], LUC[0]]},
                    "round-robin:%s,%s" % (ANNE[0], LUC[0])),
    "column": ({"mode": "column", "column": "Commercial"}, "column:Commercial"),
}


def setUpModule():
    lh.require_serve()


def review_of(doc):
    """The review object inside GET /api/imports/{id} of a job in review."""
    if not isinstance(doc.get("review"), dict):
        raise AssertionError("no review in %r" % doc)
    return doc["review"]


def without_timing(review):
    return {k: v for k, v in review.items() if k not in ("predict_ms",)}


class ApiCase(lh.ServerCase):
    COMMERCIAL_PASSWORD = None  # only named by the assignment, never logged in

    @classmethod
    def prepare(cls, tmp, db):
        li.write_csv(os.path.join(tmp, "base.csv"), BASE)
        lh.cli(tmp, db, "import", "base.csv", "--no-remember", "--quiet")
        cls.snaps = 0

    # --- helpers -------------------------------------------------------------

    def write(self, tag, rows=None):
        return li.write_csv(os.path.join(self.tmp, "in%d.csv" % tag), rows or incoming(tag))

    def snapshot(self):
        """A consistent copy of the server's database, now (li.clone_db)."""
        type(self).snaps += 1
        name = "snap%d.db" % type(self).snaps
        li.clone_db(self.tmp, self.db, self.tmp, name)
        return name

    def export(self, db=None):
        db = db or self.db
        r, data = li.export(self.tmp, db=db, out=os.path.join(self.tmp, db + ".export.csv"))
        self.assertEqual(r.code, 0, repr(r))
        return data

    def upload(self, path, expect=(200, 201), **kw):
        r = self.admin.upload(path, **kw)
        self.assertIn(r.status, expect, repr(r))
        return r

    def analyse(self, job, body=None):
        r = self.admin.post("/api/imports/%d/analyse" % job, body)
        self.assertIn(r.status, (200, 202), repr(r))
        return r.json()

    def uploaded_and_ready(self, path, mapping=None):
        """Upload, optional mapping change, analyse, wait for « ready »;
        returns (job id, the job's JSON when ready)."""
        job = lh.job_id_of(self.upload(path).json())
        if mapping is not None:
            r = self.admin.put("/api/imports/%d/mapping" % job, mapping)
            self.assertEqual(r.status, 200, repr(r))
        self.analyse(job)
        return job, self.admin.wait_status(job, ("ready",) + FINAL)

    def commit(self, job, opts, expect=(200, 202)):
        r = self.admin.post("/api/imports/%d/commit" % job, opts)
        self.assertIn(r.status, expect, repr(r))
        return r.json()

    def cli_json(self, *args, db=None):
        r = lh.cli(self.tmp, db or self.db, *args)
        return r.json()


# --- upload, sniff, duplicate file --------------------------------------------

class Upload(ApiCase):

    def test_csv_upload_is_a_job_uploaded_with_the_sniff_result(self):
        path = self.write(1)
        r = self.upload(path)
        doc = r.json()
        job = lh.job_id_of(doc)
        self.assertEqual(self.admin.job(job)["status"], "uploaded")
        sniff = doc["sniff"]
        cli_sniff = self.cli_json("sniff", path, "--json")
        for key in ("format", "encoding", "delimiter"):
            self.assertEqual(sniff[key], cli_sniff[key], key)
        self.assertEqual(sniff["format"], "csv")
        self.assertEqual(sniff["delimiter"], ",")
        # the header, the preview (20 rows at most) and the mapping with reasons
        self.assertLessEqual(len(sniff["preview"]), 20)
        self.assertGreater(len(sniff["preview"]), 0)
        self.assertEqual(sniff["preview"][0], cli_sniff["preview"][0])
        fields = {m["header"]: m["field"] for m in sniff["mapping"]}
        self.assertEqual(fields["Email"], "email")
        self.assertEqual(fields["Téléphone"], "phone")
        for m in sniff["mapping"]:
            self.assertTrue(m.get("reason"), m)
        # the stored file is the one sent, byte for byte (its SHA-256)
        job_doc = self.admin.job(job)
        self.assertEqual(job_doc["file_sha256"], li.sha256_file(path))
        self.assertEqual(job_doc["file"], "in1.csv")
        # nothing written to leads by an upload
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads")[0][0], len(BASE))

    def test_the_same_file_again_is_the_same_job_until_imported_then_409_unless_force(self):
        path = self.write(2)
        first = lh.job_id_of(self.upload(path, expect=(201,)).json())
        again = self.upload(path, expect=(200,)).json()  # still « déposé »: the same job
        self.assertEqual(lh.job_id_of(again), first)
        self.assertTrue(again["resumed"])
        self.analyse(first)
        self.admin.wait_status(first, ("ready",) + FINAL)
        self.commit(first, {})
        self.assertEqual(self.admin.wait_status(first, FINAL)["status"], "completed")
        r = self.admin.upload(path)
        lh.assert_french_error(self, r, 409, "upload_already_imported")
        self.assertEqual(r.json()["previous_job_id"], first)
        self.assertIn(str(first), r.error()[1])
        forced = lh.job_id_of(self.upload(path, force=True, expect=(201,)).json())
        self.assertNotEqual(forced, first)

    def test_a_file_name_is_required_and_an_empty_body_refused(self):
        r = self.admin.request("POST", "/api/imports", body=b"a,b\r\n1,2\r\n",
                               headers={"Content-Type": "application/octet-stream"})
        lh.assert_french_error(self, r, 400, "upload_name_invalid")
        r = self.admin.upload(None, filename="", data=b"a,b\r\n1,2\r\n")
        lh.assert_french_error(self, r, 400, "upload_name_invalid")
        # only the last part of a path is kept as the name
        r = self.upload(None, filename="../../etc/dossier/leads-salon.csv",
                        data=li.write_csv(os.path.join(self.tmp, "n.csv"), [BASE[0]]) and
                        open(os.path.join(self.tmp, "n.csv"), "rb").read())
        self.assertEqual(r.json()["file"], "leads-salon.csv")
        r = self.admin.upload(None, filename="vide.csv", data=b"")
        self.assertIn(r.status, (400, 422), repr(r))
        lh.assert_french_error(self, r)

    def test_workbook_upload_lists_its_sheets_and_is_analysed_on_the_sheet_chosen(self):
        rows = incoming(3)
        book = write_xlsx(os.path.join(self.tmp, "classeur.xlsx"),
                          [("Sommaire", [["Salon de Lyon 2026"], ["Voir l'onglet Leads"]]),
                           ("Leads", [li.HEADER] + rows)])
        snap = self.snapshot()
        r = self.upload(book)
        doc = r.json()
        job = lh.job_id_of(doc)
        sniff = doc["sniff"]
        self.assertEqual(sniff["format"], "xlsx")
        names = [s if isinstance(s, str) else s.get("name") for s in sniff["sheets"]]
        self.assertEqual(names, ["Sommaire", "Leads"])
        r = self.admin.put("/api/imports/%d/mapping" % job, {"sheet": "Feuille absente"})
        self.assertEqual(r.status, 400, repr(r))
        lh.assert_french_error(self, r)
        r = self.admin.put("/api/imports/%d/mapping" % job, {"sheet": "Leads"})
        self.assertEqual(r.status, 200, repr(r))
        self.analyse(job)
        ready = self.admin.wait_status(job, ("ready",) + FINAL)
        self.assertEqual(ready["status"], "ready", ready)
        review = review_of(ready)
        self.assertEqual((review["rows"], review["invalid"]), (ROWS, len(INVALID_ROWS)))
        ref = self.cli_json("import", book, "--sheet", "Leads", "--json", db=snap)
        done = self.commit(job, {"on_duplicate": "skip"})
        self.assertEqual(lh.job_id_of(done), job)
        final = self.admin.wait_status(job, FINAL)
        self.assertEqual(final["status"], "completed", final)
        for key in ("rows", "valid", "invalid") + COUNTS:
            self.assertEqual(final[key], ref[key], key)


# --- review, rows, commit with each strategy and assignment -------------------

class ReviewAndCommit(ApiCase):

    def test_review_and_rows_are_those_of_the_cli(self):
        job, ready = self.uploaded_and_ready(self.write(10))
        self.assertEqual(ready["status"], "ready", ready)
        review = review_of(ready)
        cli_review = self.cli_json("jobs", "review", str(job), "--json")
        self.assertEqual(without_timing(review), without_timing(cli_review))
        self.assertEqual(set(review["predictions"]), set(STRATEGIES))
        self.assertEqual((review["rows"], review["invalid"], review["warnings"]),
                         (ROWS, len(INVALID_ROWS), len(WARNING_ROWS)))
        # rows: every filter, every page, equal to `jobs rows --json`
        for status in ("all", "invalid", "warning", "duplicate", "valid"):
            first = self.admin.json_ok("GET", "/api/imports/%d/rows?status=%s" % (job, status))
            for page in range(1, first["pages"] + 1):
                with self.subTest(status=status, page=page):
                    got = self.admin.json_ok(
                        "GET", "/api/imports/%d/rows?status=%s&page=%d" % (job, status, page))
                    want = self.cli_json("jobs", "rows", str(job), "--status", status,
                                         "--page", str(page), "--json")
                    self.assertEqual(got, want)
        inv = self.admin.json_ok("GET", "/api/imports/%d/rows?status=invalid" % job)
        self.assertEqual([r["row"] for r in inv["rows"]], INVALID_ROWS)
        for r in inv["rows"]:
            self.assertTrue(r["errors"])
            for e in r["errors"]:
                self.assertIsNone(lh.ENGLISH.search(e), e)
        self.assertIn("Nulle Part", inv["rows"][0]["values"].values())
        page1 = self.admin.json_ok("GET", "/api/imports/%d/rows" % job)
        self.assertEqual((page1["page"], page1["pages"], page1["total"]), (1, 2, ROWS))
        self.assertEqual(len(page1["rows"]), 20)
        page2 = self.admin.json_ok("GET", "/api/imports/%d/rows?page=2" % job)
        self.assertEqual([r["row"] for r in page2["rows"]], list(range(22, ROWS + 2)))

    def test_rows_refuse_a_bad_status_or_page_in_french(self):
        job, _ = self.uploaded_and_ready(self.write(11))
        for q, code in (("status=bizarre", "review_rows_filter"), ("page=0", "page_invalid"),
                        ("page=-1", "page_invalid"), ("page=abc", "page_invalid"),
                        ("page=99999999999999999999", "page_invalid")):
            with self.subTest(q=q):
                r = self.admin.get("/api/imports/%d/rows?%s" % (job, q))
                lh.assert_french_error(self, r, 400, code)

    def case(self, tag, strategy, assign, extra=None):
        """Review then commit over HTTP; the same file imported by the CLI in
        a snapshot of the database taken before the upload."""
        api_assign, cli_assign = ASSIGN[assign]
        path = self.write(tag)
        snap = self.snapshot()
        job, ready = self.uploaded_and_ready(path)
        self.assertEqual(ready["status"], "ready", ready)
        predicted = review_of(self.admin.job(job))["predictions"][strategy]
        opts = {"on_duplicate": strategy, "assign": api_assign}
        cli_opts = ["--on-duplicate", strategy, "--assign", cli_assign]
        if extra:
            opts.update(extra)
            if extra.get("overwrite"):
                cli_opts.append("--overwrite")
            if extra.get("reassign"):
                cli_opts.append("--reassign")
            if extra.get("match"):
                cli_opts += ["--match", ",".join(extra["match"])]
        # What these very options would do, asked before the commit: the
        # prediction for the chosen strategy is what the commit then does.
        r = self.admin.post("/api/imports/%d/predict" % job, opts)
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(r.json()["job_id"], job)
        asked = r.json()["predictions"][strategy]
        answer = self.commit(job, opts)
        self.assertEqual(lh.job_id_of(answer), job)
        final = self.admin.wait_status(job, FINAL)
        self.assertEqual(final["status"], "completed", final)
        ref = self.cli_json("import", path, "--json", *cli_opts, db=snap)
        # the commit's answer has the keys of `import --json`
        self.assertEqual(set(answer), set(ref), "commit answer keys vs import --json")
        for key in ("rows", "valid", "invalid", "warnings", "assigned") + COUNTS:
            self.assertEqual(final[key], ref[key], "%s: HTTP commit vs CLI import" % key)
        # The review predicts with the options of its analysis (the API's analyse
        # takes none: default keys, no overwrite); the assignment column is read
        # at the commit only.
        if assign != "column" and not set(extra or {}) & {"match", "overwrite"}:
            for key in COUNTS:
                self.assertEqual(final[key], predicted[key], "%s: commit vs prediction" % key)
        for key in COUNTS:
            self.assertEqual(final[key], asked[key], "%s: commit vs POST predict" % key)
        self.assertEqual(self.export(), self.export(snap), "leads differ from the CLI import")
        return final

    def test_skip_with_each_assignment_mode(self):
        for i, mode in enumerate(ASSIGN):
            with self.subTest(assign=mode):
                final = self.case(20 + i, "skip", mode)
                self.assertGreater(final["skipped"], 0)
                if mode in ("single", "round_robin"):
                    self.assertEqual(final["assigned"], final["created"])

    def test_update_with_overwrite_and_reassign(self):
        final = self.case(30, "update", "round_robin", {"overwrite": True, "reassign": True})
        self.assertGreater(final["updated"], 0)
        self.assertGreater(final["assigned"], final["created"])

    def test_create_flags_the_duplicates(self):
        final = self.case(31, "create", "single")
        self.assertGreater(final["flagged"], 0)

    def test_update_with_external_id_first(self):
        self.case(32, "update", "none", {"match": ["external_id", "email", "phone"]})

    def test_invalid_commit_options_are_refused_in_french_and_the_job_stays_ready(self):
        job, _ = self.uploaded_and_ready(self.write(40))
        for opts in ({"on_duplicate": "merge"}, {"match": ["nom"]},
                     {"assign": {"mode": "single", "users": ["personne@nulle.part"]}},
                     {"assign": {"mode": "bizarre"}}, {"cle_inconnue": 1}, [1, 2]):
            with self.subTest(opts=opts):
                r = self.admin.post("/api/imports/%d/commit" % job, opts)
                self.assertIn(r.status, (400, 409, 422), repr(r))
                lh.assert_french_error(self, r)
        r = self.admin.request("POST", "/api/imports/%d/commit" % job, body=b"{pas du json",
                               headers={"Content-Type": "application/json"})
        lh.assert_french_error(self, r, 400)
        self.assertEqual(self.admin.job(job)["status"], "ready")

    def test_predict_refuses_bad_options_and_a_job_not_ready_and_writes_nothing(self):
        job, _ = self.uploaded_and_ready(self.write(46))
        before = self.export()
        r = self.admin.post("/api/imports/%d/predict" % job, {"match": ["nom"]})
        lh.assert_french_error(self, r, 400)
        r = self.admin.post("/api/imports/%d/predict" % job, {"match": ["phone"]})
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(set(r.json()["predictions"]), {"skip", "update", "create"})
        self.assertEqual(self.export(), before)
        self.assertEqual(self.admin.job(job)["status"], "ready")
        self.commit(job, {})
        self.admin.wait_status(job, FINAL)
        r = self.admin.post("/api/imports/%d/predict" % job, {})
        lh.assert_french_error(self, r, 409)

    def test_a_second_commit_is_refused(self):
        job, _ = self.uploaded_and_ready(self.write(41))
        self.commit(job, {})
        self.admin.wait_status(job, FINAL)
        before = self.export()
        r = self.admin.post("/api/imports/%d/commit" % job, {})
        lh.assert_french_error(self, r, 409)
        self.assertEqual(self.export(), before)

    def test_mapping_change_swaps_two_columns(self):
        path = self.write(42)
        snap = self.snapshot()
        job, ready = self.uploaded_and_ready(
            path, mapping={"map": {"notes": "Ville", "city": "Notes"}})
        self.assertEqual(ready["status"], "ready", ready)
        self.commit(job, {})
        self.assertEqual(self.admin.wait_status(job, FINAL)["status"], "completed")
        self.cli_json("import", path, "--json", "--map", "notes=Ville", "--map", "city=Notes",
                      db=snap)
        self.assertEqual(self.export(), self.export(snap))
        self.assertIn("Ville 42", li.export_column(self.export(), "Notes"))

    def test_a_mapping_change_can_be_undone(self):
        # PUT replaces the choice: an empty map (or mapping_name "auto") goes
        # back to the automatic mapping, as a user who made a mistake expects.
        job = lh.job_id_of(self.upload(self.write(44)).json())

        def ville(doc):
            return [m for m in doc["sniff"]["mapping"] if m["header"] == "Ville"][0]
        first = self.admin.json_ok("PUT", "/api/imports/%d/mapping" % job,
                                   {"map": {"notes": "Ville"}})
        self.assertEqual(ville(first)["field"], "notes")
        for body in ({"map": {}}, {"mapping_name": "auto"}):
            with self.subTest(body=body):
                self.admin.json_ok("PUT", "/api/imports/%d/mapping" % job,
                                   {"map": {"notes": "Ville"}})
                back = self.admin.json_ok("PUT", "/api/imports/%d/mapping" % job, body)
                self.assertEqual((ville(back)["field"], ville(back)["reason"]),
                                 ("city", "header"))

    def test_a_bad_mapping_is_refused_in_french(self):
        job = lh.job_id_of(self.upload(self.write(43)).json())
        for body in ({"map": {"champ_inconnu": "Ville"}}, {"map": {"email": "Colonne absente"}},
                     {"mapping_name": "inconnue"}, {"cle_inconnue": 1}, [1]):
            with self.subTest(body=body):
                r = self.admin.put("/api/imports/%d/mapping" % job, body)
                self.assertIn(r.status, (400, 404, 422), repr(r))
                lh.assert_french_error(self, r)
        self.assertEqual(self.admin.job(job)["status"], "uploaded")


# --- live progress ------------------------------------------------------------

class Events(ApiCase):
    """SSE: `id: N` / `event: progress` / `data: <job JSON>`, then `id: end`,
    `event: end` when the job ends or waits for the user (uploaded, ready),
    and the stream closes."""

    @classmethod
    def prepare(cls, tmp, db):
        super().prepare(tmp, db)
        cls.big, cls.expect = li.gen_sample(tmp, "big.csv", li.rows_for(5000, 3000), seed=5,
                                            invalid_rate=0.02)

    def check_stream(self, ans, evs, end_status):
        self.assertEqual(ans.status, 200, repr(ans))
        self.assertIn("text/event-stream", ans.header("Content-Type", ""))
        self.assertTrue(evs, "no event")
        for ev in evs[:-1]:
            self.assertEqual(ev["event"], "progress", ev)
            self.assertRegex(ev["id"] or "", r"^\d+$", ev)
        ids = [int(e["id"]) for e in evs[:-1]]
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))) if ids else [],
                         "ids must follow each other")
        end = evs[-1]
        self.assertEqual((end["event"], end["id"]), ("end", "end"), evs[-3:])
        for ev in evs:
            d = ev["data"]
            self.assertIsInstance(d, dict, ev)
            for key in ("job_id", "status", "phase", "rows", "created", "rows_per_s", "eta_s"):
                self.assertIn(key, d, ev)
        self.assertEqual(end["data"]["status"], end_status, [e["data"]["status"] for e in evs])
        statuses = [e["data"]["status"] for e in evs]
        order = ["uploaded", "queued", "parsing", "ready", "importing", "completed"]
        seen = [x for i, x in enumerate(statuses) if i == 0 or statuses[i - 1] != x]
        self.assertEqual(seen, [x for x in order if x in seen], statuses)
        return [e["data"] for e in evs]

    def test_events_until_done_then_resume_with_last_event_id(self):
        snap = self.snapshot()
        job = lh.job_id_of(self.upload(self.big).json())
        # an uploaded job waits for the user: one end event at once
        ans, evs = self.admin.events(job, timeout=10)
        self.check_stream(ans, evs, "uploaded")
        self.assertEqual(len(evs), 1)
        self.analyse(job)
        ans, evs = self.admin.events(job)
        self.check_stream(ans, evs, "ready")
        self.commit(job, {"on_duplicate": "skip"})
        t0 = time.monotonic()
        ans, evs = self.admin.events(job)
        took = time.monotonic() - t0
        datas = self.check_stream(ans, evs, "completed")
        final = self.admin.job(job)
        for key in ("rows", "valid", "invalid", "warnings") + COUNTS:
            self.assertEqual(datas[-1][key], final[key], key)
        ref = self.cli_json("import", self.big, "--json", db=snap)
        for key in ("rows", "invalid") + COUNTS:
            self.assertEqual(final[key], ref[key], key)
        # at least one event a second while it moves
        self.assertGreaterEqual(len(evs), int(took) - 1, "%d events in %.1f s" % (len(evs), took))
        # Last-Event-ID: numbering goes on after it, the current state first
        ans, evs = self.admin.events(job, last_event_id=41, timeout=10)
        self.check_stream(ans, evs, "completed")
        if len(evs) > 1:
            self.assertEqual(int(evs[0]["id"]), 42)
        # Last-Event-ID: end -> 204, the way to tell EventSource to stop
        ans, evs = self.admin.events(job, last_event_id="end", timeout=10)
        self.assertEqual(ans.status, 204, repr(ans))
        self.assertEqual(evs, [])

    def test_a_watcher_reconnecting_mid_import_resumes(self):
        big2 = li.gen_sample(self.tmp, "big2.csv", li.rows_for(5000, 3000), seed=6)[0]
        job = lh.job_id_of(self.upload(big2).json())
        self.analyse(job)
        self.admin.wait_status(job, ("ready",) + FINAL)
        self.commit(job, {})
        # leave after the first event, come back with its id
        ans, first = self.admin.events(job, max_events=1)
        self.assertEqual(ans.status, 200)
        last = first[-1]
        if last["id"] == "end":
            self.skipTest("the commit ended before a second event (a fast machine)")
        ans, rest = self.admin.events(job, last_event_id=last["id"])
        self.check_stream(ans, rest, "completed")
        if len(rest) > 1:
            self.assertEqual(int(rest[0]["id"]), int(last["id"]) + 1)
        self.assertEqual(rest[-1]["data"]["created"], self.admin.job(job)["created"])

    def test_events_of_an_unknown_job_are_404(self):
        ans, evs = self.admin.events(999999)
        lh.assert_french_error(self, ans, 404, "job_not_found")


# --- report through the signed URL --------------------------------------------

class ReportTests:
    """The report of a job, through its link (mixed into ReportAndSignedUrls)."""

    def test_report_link_downloads_the_report_of_the_cli(self):
        job, _ = self.uploaded_and_ready(self.write(50))
        self.commit(job, {})
        self.assertEqual(self.admin.wait_status(job, FINAL)["status"], "completed")
        r = self.admin.post("/api/imports/%d/report-link" % job)
        self.assertEqual(r.status, 200, repr(r))
        url = r.json()["url"]
        parts = urllib.parse.urlsplit(url)
        self.assertTrue(parts.path.startswith("/files/"), url)
        q = urllib.parse.parse_qs(parts.query)
        self.assertIn("exp", q)
        self.assertIn("sig", q)
        # no session needed: a client without cookie downloads it
        anon = self.server.client()
        dl = anon.get(parts.path + "?" + parts.query)
        self.assertEqual(dl.status, 200, repr(dl))
        self.assertIn("text/csv", dl.header("Content-Type", ""))
        cd = dl.header("Content-Disposition", "")
        self.assertIn("attachment", cd)
        self.assertRegex(urllib.parse.unquote(cd), r"(?i)erreurs|rapport")
        out = os.path.join(self.tmp, "cli-report.csv")
        lh.cli(self.tmp, self.db, "report", str(job), "-o", out)
        _, _, want = li.read_report(out)
        _, _, got = li.read_semicolon_csv(dl.body)
        self.assertEqual(got, want)
        self.assertEqual(sorted(int(rec[0]) for rec in got[1:] if rec and rec[1] == "refusée"),
                         INVALID_ROWS)

    def test_report_of_a_ready_job_lists_the_refused_rows(self):
        # generated on demand: a job still in review has no report yet
        job, _ = self.uploaded_and_ready(self.write(51))
        url = self.admin.json_ok("POST", "/api/imports/%d/report-link" % job)["url"]
        parts = urllib.parse.urlsplit(url)
        dl = self.server.client().get(parts.path + "?" + parts.query)
        self.assertEqual(dl.status, 200, repr(dl))
        _, _, got = li.read_semicolon_csv(dl.body)
        self.assertEqual(sorted(int(rec[0]) for rec in got[1:] if rec and rec[1] == "refusée"),
                         INVALID_ROWS)


class ReportAndSignedUrls(ReportTests, ApiCase):
    """/files/imports/{id}/erreurs.csv?exp=EXP&sig=SIG, sig = hex
    HMAC-SHA-256(DATA_DIR/signing.key, "GET\\n" + path + "\\n" + EXP)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        self = cls("run")
        cls.job, _ = self.uploaded_and_ready(self.write(55))
        cls.other, _ = self.uploaded_and_ready(self.write(56))
        cls.url = self.admin.json_ok("POST", "/api/imports/%d/report-link" % cls.job)["url"]
        cls.other_url = self.admin.json_ok("POST",
                                           "/api/imports/%d/report-link" % cls.other)["url"]

    def parts(self, url):
        p = urllib.parse.urlsplit(url)
        q = dict(urllib.parse.parse_qsl(p.query))
        return p.path, q["exp"], q["sig"]

    def get(self, path, exp, sig, method="GET"):
        q = urllib.parse.urlencode({"exp": exp, "sig": sig})
        return self.server.client().request(method, path + "?" + q)

    def sign(self, path, exp, method="GET"):
        import hashlib
        import hmac
        with open(os.path.join(self.server.data_dir, "signing.key"), "rb") as f:
            key = f.read()
        return hmac.new(key, ("%s\n%s\n%s" % (method, path, exp)).encode(),
                        hashlib.sha256).hexdigest()

    def test_the_link_works_without_session_until_it_expires(self):
        path, exp, sig = self.parts(self.url)
        self.assertEqual(path, "/files/imports/%d/erreurs.csv" % self.job)
        self.assertEqual(sig, self.sign(path, exp), "the documented signature")
        now = time.time()
        self.assertTrue(now + 14 * 60 < int(exp) <= now + 15 * 60 + 5, "15 minutes")
        for _ in range(2):  # may be used more than once
            r = self.get(path, exp, sig)
            self.assertEqual(r.status, 200, repr(r))
        cd = r.header("Content-Disposition", "")
        self.assertIn("filename*=UTF-8''in%d.erreurs.csv" % 55, cd)

    def test_the_secret_is_kept_private(self):
        key = os.path.join(self.server.data_dir, "signing.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        self.assertEqual(os.path.getsize(key), 32)

    def refused(self, r, code="link_invalid"):
        lh.assert_french_error(self, r, 403, code)
        self.assertNotIn(b"Ligne", r.body)

    def test_a_changed_signature_is_refused(self):
        path, exp, sig = self.parts(self.url)
        flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
        # (the same hex in capitals is the same signature, not a change)
        for bad in (flipped, sig[:-2], sig + "00", "", "z" * len(sig)):
            with self.subTest(sig=bad):
                self.refused(self.get(path, exp, bad))
        self.refused(self.server.client().get(path))  # no exp, no sig
        self.refused(self.server.client().get(path + "?exp=" + exp))

    def test_a_changed_path_is_refused(self):
        path, exp, sig = self.parts(self.url)
        other_path, _, _ = self.parts(self.other_url)
        self.refused(self.get(other_path, exp, sig))
        r = self.get(path.replace("erreurs.csv", "autre.csv"), exp, sig)
        self.assertIn(r.status, (403, 404), repr(r))
        lh.assert_french_error(self, r)
        r = self.get(path + "/", exp, sig)
        self.assertIn(r.status, (403, 404), repr(r))

    def test_a_changed_expiry_is_refused(self):
        path, exp, sig = self.parts(self.url)
        for bad in (str(int(exp) + 3600), "0" + exp, exp + "0", "-1", "abc"):
            with self.subTest(exp=bad):
                self.refused(self.get(path, bad, sig))

    def test_an_expired_link_is_refused(self):
        path, _, _ = self.parts(self.url)
        exp = str(int(time.time()) - 5)
        self.refused(self.get(path, exp, self.sign(path, exp)), "link_expired")
        # the same, signed for the future, is accepted: only the date differs
        exp = str(int(time.time()) + 60)
        self.assertEqual(self.get(path, exp, self.sign(path, exp)).status, 200)

    def test_another_method_is_refused(self):
        path, exp, sig = self.parts(self.url)
        for method in ("POST", "PUT", "DELETE"):
            with self.subTest(method=method):
                r = self.get(path, exp, sig, method=method)
                self.assertIn(r.status, (403, 405), repr(r))
                lh.assert_french_error(self, r)
        # signed for another method: refused for GET
        self.refused(self.get(path, exp, self.sign(path, exp, method="POST")))


# --- history, cancel, retry, revert, delete -----------------------------------

class LifecycleTests:
    """History, cancel, retry, revert, delete (mixed into LifecycleAndOtherRoutes)."""

    def history(self, query=""):
        return self.admin.json_ok("GET", "/api/imports" + query)

    @staticmethod
    def items(doc):
        for key in ("imports", "jobs", "items"):
            if isinstance(doc, dict) and key in doc:
                return doc[key]
        if isinstance(doc, list):
            return doc
        raise AssertionError("no list of imports in %r" % doc)

    def test_cancel_then_retry_a_review(self):
        job, ready = self.uploaded_and_ready(self.write(60))
        r = self.admin.post("/api/imports/%d/cancel" % job)
        self.assertIn(r.status, (200, 202), repr(r))
        self.assertEqual(self.admin.wait_status(job, FINAL)["status"], "cancelled")
        r = self.admin.post("/api/imports/%d/retry" % job)
        self.assertIn(r.status, (200, 202), repr(r))
        self.assertEqual(self.admin.wait_status(job, ("ready",) + FINAL)["status"], "ready")
        self.commit(job, {})
        self.assertEqual(self.admin.wait_status(job, FINAL)["status"], "completed")

    def test_cancel_an_uploaded_job_and_a_commit_of_it_is_refused(self):
        job = lh.job_id_of(self.upload(self.write(61)).json())
        self.assertEqual(self.admin.post("/api/imports/%d/cancel" % job).status, 200)
        self.assertEqual(self.admin.job(job)["status"], "cancelled")
        r = self.admin.post("/api/imports/%d/commit" % job, {})
        lh.assert_french_error(self, r, 409)
        r = self.admin.post("/api/imports/%d/cancel" % job)
        lh.assert_french_error(self, r, 409)  # already cancelled

    def test_a_job_read_just_before_a_change_shows_the_change_at_once(self):
        # GET /api/imports/{id} keeps its answer a moment; a change made
        # through the server must not be hidden behind it.
        job = lh.job_id_of(self.upload(self.write(63)).json())
        for _ in range(5):
            self.assertEqual(self.admin.job(job)["status"], "uploaded")
        self.assertEqual(self.admin.post("/api/imports/%d/cancel" % job).status, 200)
        self.assertEqual(self.admin.job(job)["status"], "cancelled")
        self.assertEqual(self.admin.delete("/api/imports/%d" % job).status, 200)
        lh.assert_french_error(self, self.admin.get("/api/imports/%d" % job), 404)

    def test_revert_restores_the_leads_then_delete_keeps_them(self):
        before = self.export()
        job, _ = self.uploaded_and_ready(self.write(62))
        self.commit(job, {"on_duplicate": "update"})
        done = self.admin.wait_status(job, FINAL)
        self.assertEqual(done["status"], "completed")
        self.assertGreater(done["updated"], 0)
        self.assertNotEqual(self.export(), before)
        r = self.admin.post("/api/imports/%d/revert" % job)
        self.assertEqual(r.status, 200, repr(r))
        doc = r.json()
        self.assertEqual(doc.get("status"), "reverted", doc)
        self.assertEqual(doc["deleted"], done["created"])
        self.assertEqual(self.admin.job(job)["status"], "reverted")
        self.assertEqual(self.export(), before)
        # delete: the job is gone, its leads (none left here) untouched
        job2, _ = self.uploaded_and_ready(self.write(63))
        self.commit(job2, {})
        self.admin.wait_status(job2, FINAL)
        after = self.export()
        r = self.admin.delete("/api/imports/%d" % job2)
        self.assertEqual(r.status, 200, repr(r))
        self.assertEqual(r.json(), {"job_id": job2, "deleted": True})
        lh.assert_french_error(self, self.admin.get("/api/imports/%d" % job2), 404,
                               "job_not_found")
        self.assertEqual(self.export(), after)
        r = self.admin.delete("/api/imports/%d" % job2)
        lh.assert_french_error(self, r, 404, "job_not_found")

    def test_history_newest_first_with_state_filter_and_pages(self):
        ids = []
        for tag in (70, 71, 72):
            ids.append(lh.job_id_of(self.upload(self.write(tag)).json()))
        self.admin.post("/api/imports/%d/cancel" % ids[1])
        doc = self.history()
        items = self.items(doc)
        got = [j["job_id"] for j in items]
        self.assertEqual(got, sorted(got, reverse=True), "newest first")
        self.assertEqual(got[:3], ids[::-1])
        cli = self.cli_json("jobs", "list", "--json")
        self.assertEqual([j["job_id"] for j in cli][:len(got)], got)
        self.assertEqual(self.items(doc)[0]["status"], cli[0]["status"])
        only = self.items(self.history("?state=cancelled"))
        self.assertTrue(only)
        self.assertTrue(all(j["status"] == "cancelled" for j in only), only)
        self.assertIn(ids[1], [j["job_id"] for j in only])
        up = [j["job_id"] for j in self.items(self.history("?state=uploaded"))]
        self.assertIn(ids[0], up)
        self.assertNotIn(ids[1], up)
        # pages: page 1 and 2 do not overlap, a page past the end is empty
        total = doc.get("total", len(cli))
        self.assertEqual(total, len(cli))
        pages = doc.get("pages", 1)
        beyond = self.history("?page=%d" % (pages + 1))
        self.assertEqual(self.items(beyond), [])
        r = self.admin.get("/api/imports?state=bizarre")
        lh.assert_french_error(self, r, 400, "history_state_unknown")
        # the French words of `jobs list --status` too
        fr = [j["job_id"] for j in self.items(self.history("?state=annule"))]
        self.assertEqual(fr, [j["job_id"] for j in only])
        r = self.admin.get("/api/imports?page=0")
        lh.assert_french_error(self, r, 400, "page_invalid")

    def test_history_pages_hold_twenty(self):
        have = len(self.cli_json("jobs", "list", "--json"))
        for i in range(max(0, 21 - have)):  # small files of their own: one job each
            path = li.write_csv(os.path.join(self.tmp, "page%d.csv" % i),
                                [li.lead("Page", "Nom%d" % i, "page%d@exemple.fr" % i, "")])
            self.upload(path, expect=(201,))
        doc = self.history()
        total = len(self.cli_json("jobs", "list", "--json"))
        self.assertEqual(len(self.items(doc)), 20)
        self.assertEqual(doc["per_page"], 20)
        self.assertEqual(doc["total"], total)
        self.assertEqual(doc["pages"], (total + 19) // 20)
        second = self.items(self.history("?page=2"))
        self.assertEqual(len(second), total - 20)
        self.assertFalse({j["job_id"] for j in second} & {j["job_id"] for j in self.items(doc)})

    def test_unknown_job_is_404_on_every_job_route(self):
        for method, path in (("GET", "/api/imports/999999"),
                             ("GET", "/api/imports/999999/rows"),
                             ("PUT", "/api/imports/999999/mapping"),
                             ("POST", "/api/imports/999999/analyse"),
                             ("POST", "/api/imports/999999/commit"),
                             ("POST", "/api/imports/999999/cancel"),
                             ("POST", "/api/imports/999999/retry"),
                             ("POST", "/api/imports/999999/revert"),
                             ("POST", "/api/imports/999999/report-link"),
                             ("DELETE", "/api/imports/999999")):
            with self.subTest(route=(method, path)):
                body = {} if method in ("POST", "PUT") else None
                r = self.admin.request(method, path, body)
                lh.assert_french_error(self, r, 404, "job_not_found")
        for path in ("/api/imports/abc", "/api/imports/-1", "/api/imports/1.5",
                     "/api/imports/99999999999999999999999"):
            r = self.admin.get(path)
            self.assertIn(r.status, (400, 404), repr(r))
            lh.assert_french_error(self, r)


# --- the other routes ---------------------------------------------------------

class OtherRoutesTests:
    """Users, mappings, template, healthz, metrics, unknown routes, the log."""

    def test_users_are_those_of_the_cli_without_secrets(self):
        doc = self.admin.json_ok("GET", "/api/users")
        users = doc["users"] if isinstance(doc, dict) else doc
        cli = self.cli_json("users", "list", "--json")
        self.assertEqual(sorted(u["email"] for u in users), sorted(u["email"] for u in cli))
        body = self.admin.get("/api/users").text()
        self.assertNotIn("argon2", body)
        self.assertNotIn("password_hash", body)

    def test_mappings_are_those_of_the_cli(self):
        lh.cli(self.tmp, self.db, "mappings", "save", "salon-http", "base.csv",
               "--map", "notes=Ville")
        doc = self.admin.json_ok("GET", "/api/mappings")
        maps = doc["mappings"] if isinstance(doc, dict) else doc
        cli = self.cli_json("mappings", "list", "--json")
        self.assertEqual(sorted(m["name"] for m in maps), sorted(m["name"] for m in cli))
        self.assertIn("salon-http", [m["name"] for m in maps])

    def test_template_is_the_cli_template(self):
        r = self.admin.get("/api/template.csv")
        self.assertEqual(r.status, 200, repr(r))
        self.assertIn("text/csv", r.header("Content-Type", ""))
        self.assertIn("attachment", r.header("Content-Disposition", ""))
        out = os.path.join(self.tmp, "modele.csv")
        made = li.run(["template", "-o", out], cwd=self.tmp)
        self.assertEqual(made.code, 0, repr(made))
        with open(out, "rb") as f:
            self.assertEqual(r.body, f.read())

    def test_healthz_needs_no_session(self):
        r = self.server.client().get("/healthz")
        self.assertEqual(r.status, 200, repr(r))

    def test_metrics_in_prometheus_text(self):
        self.server.client().get("/api/session")  # a 401 to count
        r = self.server.client().get("/metrics")
        self.assertEqual(r.status, 200, repr(r))
        self.assertIn("text/plain", r.header("Content-Type", ""))
        text = r.text()
        types = dict(re.findall(r"^# TYPE (\S+) (counter|gauge|histogram|summary)$", text, re.M))
        self.assertTrue(types, text[:2000])
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*'
                                       r'(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                                       r'([-+0-9.eE]+|[-+]?Inf|NaN)$')
        self.assertIn("histogram", types.values(), "import durations: a histogram")
        self.assertRegex(text, r'route="/api/session",status="401"\} [1-9]',
                         "HTTP requests by route and status")
        jobs = self.cli_json("jobs", "list", "--json")
        for state in ("completed", "uploaded"):
            m = re.search(r'^leadimport_jobs\{state="%s"\} (\d+)$' % state, text, re.M)
            self.assertIsNotNone(m, "jobs by state: %s" % state)
            self.assertEqual(int(m.group(1)), sum(j["status"] == state for j in jobs), state)

    def test_unknown_route_is_404_and_wrong_method_405_in_json(self):
        r = self.admin.get("/api/nulle-part")
        lh.assert_french_error(self, r, 404)
        r = self.admin.request("PATCH", "/api/imports", {})
        self.assertIn(r.status, (404, 405), repr(r))
        lh.assert_french_error(self, r)
        r = self.admin.put("/api/session", {})
        self.assertEqual(r.status, 405, repr(r))
        lh.assert_french_error(self, r)
        self.assertTrue(r.header("Allow"), "405 without Allow")

    def test_one_log_line_per_request_with_the_user(self):
        self.server.mark_log()
        self.admin.get("/api/session")
        self.server.client().get("/api/session")
        time.sleep(0.2)
        log = self.server.new_log()
        self.assertRegex(log, r"GET /api/session\b.*\b200\b.*%s" % re.escape(self.ADMIN[0]))
        self.assertRegex(log, r"GET /api/session\b.*\b401\b")
        lines = [ln for ln in log.splitlines() if "/api/session" in ln]
        self.assertEqual(len(lines), 2, log)
        for ln in lines:
            self.assertRegex(ln, r"\d+(\.\d+)? ?ms", "duration in ms: %r" % ln)


class LifecycleAndOtherRoutes(LifecycleTests, OtherRoutesTests, ApiCase):
    """One server for both (a server per class costs a login)."""


if __name__ == "__main__":
    li.main()
