#!/usr/bin/env python3
"""The import API's own promises, through a real `leadimport serve`:
an upload is streamed (the server's memory does not grow with the file) and
stored under its SHA-256, private; an upload past the limit is refused and
leaves nothing; progress events number on after Last-Event-ID, end, and
answer 204 once the end was seen; watchers of one job are limited; a signed
report link works until it expires, and a changed one is refused.

One server without workers (jobs stay queued while the events are watched),
then `leadimport worker --until-idle` runs them."""
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

URL_RE = re.compile(r"http://127\.0\.0\.1:([0-9]+)")
PW_RE = re.compile(r"mot de passe : (\S+)")


def setUpModule():
    li.require_binary()


def csv_rows(n, start=0):
    yield "Prénom;Nom;Courriel;Téléphone\r\n".encode()
    for i in range(start, start + n):
        yield ("P%d;N%d;p%d@exemple.fr;06 %02d %02d %02d %02d\r\n" % (
            i, i, i, i // 1000000 % 100, i // 10000 % 100, i // 100 % 100, i % 100)).encode()


class ImportApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="li_upload_events_")
        cls.proc = subprocess.Popen(
            [li.BIN, "serve", "--db", li.db_url(cls.tmp), "--listen", "127.0.0.1:0",
             "--first-admin", "admin@exemple.fr", "--workers", "0", "--max-upload", "60M",
             "--max-sse-per-job", "2", "--quiet"],
            cwd=cls.tmp, env=li.clean_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        text, end = "", time.time() + 30
        while time.time() < end and not (URL_RE.search(text) and PW_RE.search(text)):
            r, _, _ = select.select([cls.proc.stderr], [], [], 0.2)
            if r:
                chunk = os.read(cls.proc.stderr.fileno(), 65536)
                if not chunk:
                    break
                text += chunk.decode("utf-8", "replace")
        if not URL_RE.search(text) or not PW_RE.search(text):
            cls.proc.kill()
            raise AssertionError("server did not start: %r" % text)
        cls.port = int(URL_RE.search(text).group(1))
        status, body, headers = cls.call("POST", "/api/session", json.dumps(
            {"email": "admin@exemple.fr", "password": PW_RE.search(text).group(1)}).encode(),
            {"Content-Type": "application/json"}, session=False)
        assert status == 200, (status, body)
        cls.cookie = headers["Set-Cookie"].split(";")[0]
        cls.csrf = body["csrf_token"]

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(30)
        finally:
            cls.proc.stderr.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def call(cls, method, path, body=None, headers=None, session=True, chunked=False):
        c = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=60)
        h = {"Cookie": cls.cookie, "X-CSRF-Token": cls.csrf} if session else {}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h, encode_chunked=chunked)
        r = c.getresponse()
        data = r.read()
        c.close()
        ctype = r.getheader("Content-Type") or ""
        return r.status, json.loads(data) if "json" in ctype and data else data, dict(r.getheaders())

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(next(l for l in f if l.startswith("VmRSS")).split()[1])

    def stored(self):
        d = os.path.join(self.tmp, "t.db.files")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def worker(self):
        r = li.run(["worker", "--db", li.db_url(self.tmp), "--until-idle"], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, r)

    def events(self, job, last=None):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        extra = "Last-Event-ID: %s\r\n" % last if last else ""
        s.sendall(("GET /api/imports/%d/events HTTP/1.1\r\nHost: t\r\nCookie: %s\r\n%s\r\n"
                   % (job, self.cookie, extra)).encode())
        return s

    @staticmethod
    def read_until(s, marker, timeout=30):
        s.settimeout(timeout)
        buf, end = b"", time.time() + timeout
        while marker not in buf and time.time() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf

    def test_1_upload_streamed_hashed_and_private(self):
        sha = hashlib.sha256()
        size = 0

        def body():
            nonlocal size
            piece = []
            for line in csv_rows(700000):
                sha.update(line)
                size += len(line)
                piece.append(line)
                if len(piece) == 2000:
                    yield b"".join(piece)
                    piece = []
            yield b"".join(piece)
        before = self.rss_kib()
        status, job, _ = self.call("POST", "/api/imports?filename=gros%20fichier.csv", body(),
                                   chunked=True)
        grown = self.rss_kib() - before
        self.assertEqual(status, 201, job)
        self.assertGreater(size, 30 << 20)
        # the file was never in the server's memory (VmRSS high-water aside, resident now)
        self.assertLess(grown, 16 << 10, "server grew by %d KiB for a %d-byte upload" % (grown, size))
        self.assertEqual(job["status"], "uploaded")
        self.assertEqual(job["file"], "gros fichier.csv")
        self.assertEqual(job["file_sha256"], sha.hexdigest())
        self.assertEqual(job["file_size"], size)
        self.assertEqual(len(job["sniff"]["preview"]), 20)
        fields = {c["field"]: c["reason"] for c in job["sniff"]["mapping"]}
        self.assertEqual(fields.get("email"), "header")
        kept = os.path.join(self.tmp, "t.db.files", sha.hexdigest())
        self.assertEqual(os.stat(kept).st_size, size)
        self.assertEqual(os.stat(kept).st_mode & 0o777, 0o600)
        self.assertFalse([f for f in self.stored() if f.startswith(".")], self.stored())

    def test_2_upload_past_the_limit_leaves_nothing(self):
        before = self.stored()

        def body():
            for _ in range(70):
                yield b"x" * (1 << 20)
        status, err, _ = self.call("POST", "/api/imports?filename=trop.csv", body(), chunked=True)
        self.assertEqual(status, 413, err)
        self.assertEqual(err["error"]["code"], "upload_too_large")
        self.assertIn("trop.csv", err["error"]["message"])
        status, err, _ = self.call("POST", "/api/imports?filename=trop.csv", b"",
                                   {"Content-Length": str(61 << 20)})
        self.assertEqual(status, 413, err)
        self.assertEqual(err["error"]["code"], "upload_too_large")
        self.assertEqual(self.stored(), before)

    def test_3_events_resume_end_and_limit(self):
        status, job, _ = self.call("POST", "/api/imports?filename=suivi.csv",
                                   b"".join(csv_rows(3000, 10 ** 6)))
        self.assertEqual(status, 201, job)
        jid = job["job_id"]
        status, queued, _ = self.call("POST", "/api/imports/%d/analyse" % jid)
        self.assertEqual(status, 202, queued)
        # no worker yet: the job waits, queued; resumed after event 3, the stream starts at 4
        a = self.events(jid, last="3")
        head = self.read_until(a, b"event: progress", 10)
        self.assertIn(b"200 OK", head)
        self.assertIn(b"text/event-stream", head)
        self.assertEqual(re.findall(rb"^id: (\S+)", head, re.M)[0], b"4")
        data = json.loads(re.search(rb"^data: (.*)$", head, re.M).group(1))
        self.assertEqual(data["status"], "queued")
        # two watchers at most for one job
        b = self.events(jid)
        self.read_until(b, b"event: progress", 10)
        c = self.events(jid)
        refused = self.read_until(c, b"}}", 10)
        self.assertIn(b"429", refused.split(b"\r\n")[0])
        self.assertIn(b"http_too_many_watchers", refused)
        c.close()
        b.close()
        # a worker analyses it: the open stream gives its progress, then its end
        self.worker()
        rest = self.read_until(a, b"event: end", 30)
        self.assertIn(b"id: end\nevent: end\n", rest)
        end = json.loads(re.search(rb"event: end\ndata: (.*)\n", rest).group(1))
        self.assertEqual(end["status"], "ready")
        self.assertEqual(end["rows"], 3000)
        a.close()
        # resumed after the end: 204, the SSE way to say "stop"
        d = self.events(jid, last="end")
        self.assertIn(b"204", self.read_until(d, b"\r\n\r\n", 10).split(b"\r\n")[0])
        d.close()

    def test_4_signed_report_link(self):
        status, job, _ = self.call("POST", "/api/imports?filename=rapport%20mars.csv",
                                   b"Nom;Courriel\r\nDupont;jean@exemple.fr\r\nPersonne;\r\n")
        self.assertEqual(status, 201, job)
        jid = job["job_id"]
        self.call("POST", "/api/imports/%d/analyse" % jid)
        self.worker()
        status, link, _ = self.call("POST", "/api/imports/%d/report-link" % jid)
        self.assertEqual(status, 200, link)
        url = link["url"]
        path = url.split("?")[0]
        self.assertEqual(path, "/files/imports/%d/erreurs.csv" % jid)
        self.assertAlmostEqual(link["expires_at"], time.time() + 900, delta=30)
        status, body, headers = self.call("GET", url, session=False)
        self.assertEqual(status, 200, body)
        self.assertIn("filename*=UTF-8''rapport%20mars.erreurs.csv", headers["Content-Disposition"])
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        self.assertIn("Personne", body.decode("utf-8"))
        self.assertNotIn("Dupont", body.decode("utf-8"))

        with open(os.path.join(self.tmp, "t.db.files", "signing.key"), "rb") as f:
            key = f.read()
        self.assertEqual(len(key), 32)
        self.assertEqual(os.stat(os.path.join(self.tmp, "t.db.files", "signing.key")).st_mode
                         & 0o777, 0o600)

        def signed(p, exp):
            sig = hmac.new(key, ("GET\n%s\n%d" % (p, exp)).encode(), hashlib.sha256).hexdigest()
            return "%s?exp=%d&sig=%s" % (p, exp, sig)
        # the form documented: a link made by the same rule works; one past its time is expired
        status, _, _ = self.call("GET", signed(path, int(time.time()) + 60), session=False)
        self.assertEqual(status, 200)
        status, err, _ = self.call("GET", signed(path, int(time.time()) - 5), session=False)
        self.assertEqual((status, err["error"]["code"]), (403, "link_expired"))
        exp = re.search(r"exp=(\d+)", url).group(1)
        for bad in (url.replace("exp=" + exp, "exp=%d" % (int(exp) + 3600)),  # time pushed
                    url[:-1] + ("0" if url[-1] != "0" else "1"),              # signature
                    url.replace("/%d/" % jid, "/%d/" % (jid + 1000)),         # another job
                    path):                                                    # none
            status, err, _ = self.call("GET", bad, session=False)
            self.assertEqual(status, 403, bad)
            self.assertEqual(err["error"]["code"], "link_invalid", bad)


if __name__ == "__main__":
    li.main()
