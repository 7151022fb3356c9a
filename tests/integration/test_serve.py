#!/usr/bin/env python3
"""`leadimport serve` as a process: it starts on a free port and says which,
logs one line per request, logs in, ends a session when its user is disabled
or gets a new password, refuses bad settings, creates the first admin of
`make run` once, and stops cleanly on SIGTERM (exit 0) and SIGINT.

One server for the session tests; the start/stop tests start their own.
The big HTTP suite (every route, every limit) is test_http_*.py."""
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

PASSWORD = "agrafe cheval lune pile"
URL_RE = re.compile(r"http://127\.0\.0\.1:([0-9]+)")


class Server:
    """A `leadimport serve` process on 127.0.0.1:0; its stderr is read line by line."""

    def __init__(self, tmp, *extra, db="t.db"):
        self.lines = []
        self.partial = b""
        self.proc = subprocess.Popen(
            [li.BIN, "serve", "--db", li.db_url(tmp, db), "--listen", "127.0.0.1:0"] + list(extra),
            cwd=tmp, env=li.clean_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.port = None
        m = self.wait_for(URL_RE, 30)
        if not m:
            self.proc.kill()
            raise AssertionError("no URL line: %r" % self.lines)
        self.port = int(m.group(1))

    def wait_for(self, pattern, timeout=10):
        """Reads stderr until a line matches pattern (a compiled regex); the match or None.
        Raw reads of the pipe: a buffered readline would keep lines select() cannot see."""
        for line in self.lines:
            m = pattern.search(line)
            if m:
                return m
        end = time.time() + timeout
        fd = self.proc.stderr.fileno()
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.2)
            if not r:
                if self.proc.poll() is not None:
                    return None
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.partial += chunk
            *done, self.partial = self.partial.split(b"\n")
            found = None
            for raw in done:
                line = raw.decode("utf-8", "replace")
                self.lines.append(line)
                found = found or pattern.search(line)
            if found:
                return found
        return None

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        payload = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), payload

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            rest = self.proc.communicate(timeout=60)[1]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.lines += (self.partial + rest).decode("utf-8", "replace").splitlines()
        self.partial = b""
        return self.proc.returncode


def add_user(tmp, email, role, password=PASSWORD):
    """users add with a password on stdin; fails the test if refused."""
    cp = subprocess.run([li.BIN, "users", "add", email, "--name", email.split("@")[0].title(),
                         "--role", role, "--password-stdin", "--db", li.db_url(tmp)],
                        input=(password + "\n").encode(), env=li.clean_env(),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=li.TIMEOUT)
    assert cp.returncode == 0, cp.stderr


class Sessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        li.require_binary()
        cls.tmp = tempfile.mkdtemp(prefix="li_serve_")
        add_user(cls.tmp, "anne@exemple.fr", "admin")
        add_user(cls.tmp, "luc@exemple.fr", "commercial")
        cls.srv = Server(cls.tmp, "--workers", "0")

    @classmethod
    def tearDownClass(cls):
        if cls.srv.proc.poll() is None:
            cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def login(self, email, password=PASSWORD):
        st, h, body = self.srv.request("POST", "/api/session", {"email": email, "password": password},
                                       {"Content-Type": "application/json"})
        self.assertEqual(st, 200, body)
        cookie = h["set-cookie"]
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP, no --secure-cookies
        token = cookie.split(";")[0]
        return token, json.loads(body)

    def test_login_gives_the_user_and_a_csrf_token_that_get_gives_again(self):
        cookie, s = self.login("Anne@Exemple.fr")
        self.assertEqual(s["user"]["email"], "anne@exemple.fr")
        self.assertEqual(s["user"]["role"], "admin")
        st, _, body = self.srv.request("GET", "/api/session", headers={"Cookie": cookie})
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body)["csrf_token"], s["csrf_token"])
        self.assertTrue(self.srv.wait_for(re.compile(r" GET /api/session 200 \d+ ms anne@exemple\.fr$")),
                        self.srv.lines)

    def test_logout_needs_the_csrf_token_then_ends_the_session(self):
        cookie, s = self.login("anne@exemple.fr")
        st, _, body = self.srv.request("DELETE", "/api/session", headers={"Cookie": cookie})
        self.assertEqual(st, 403)
        self.assertEqual(json.loads(body)["error"]["code"], "csrf_invalid")
        st, h, _ = self.srv.request("DELETE", "/api/session",
                                    headers={"Cookie": cookie, "X-CSRF-Token": s["csrf_token"]})
        self.assertEqual(st, 204)
        self.assertIn("Max-Age=0", h["set-cookie"])
        st, _, body = self.srv.request("GET", "/api/session", headers={"Cookie": cookie})
        self.assertEqual(st, 401)
        self.assertEqual(json.loads(body)["error"]["code"], "session_required")

    def test_wrong_password_and_unknown_account_answer_alike(self):
        a = self.srv.request("POST", "/api/session", {"email": "anne@exemple.fr", "password": "non"})
        b = self.srv.request("POST", "/api/session", {"email": "nul@exemple.fr", "password": "non"})
        self.assertEqual(a[0], 401)
        self.assertEqual(a[2], b[2])
        self.assertEqual(json.loads(a[2])["error"]["code"], "login_failed")

    def test_disabling_a_user_ends_their_session_at_once(self):
        add_user(self.tmp, "rose@exemple.fr", "commercial")
        cookie, _ = self.login("rose@exemple.fr")
        self.assertEqual(self.srv.request("GET", "/api/session", headers={"Cookie": cookie})[0], 200)
        r = li.run(["users", "disable", "rose@exemple.fr", "--db", li.db_url(self.tmp)])
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.srv.request("GET", "/api/session", headers={"Cookie": cookie})[0], 401)

    def test_a_new_password_ends_the_sessions(self):
        add_user(self.tmp, "paul@exemple.fr", "commercial")
        cookie, _ = self.login("paul@exemple.fr")
        cp = subprocess.run([li.BIN, "users", "passwd", "paul@exemple.fr", "--db", li.db_url(self.tmp)],
                            input=b"tortue violon marche sable\n", env=li.clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=li.TIMEOUT)
        self.assertEqual(cp.returncode, 0, cp.stderr)
        self.assertIn("sessions ouvertes sont fermées", cp.stdout.decode())
        self.assertEqual(self.srv.request("GET", "/api/session", headers={"Cookie": cookie})[0], 401)
        self.login("paul@exemple.fr", "tortue violon marche sable")

    def test_healthz_and_metrics(self):
        st, _, body = self.srv.request("GET", "/healthz")
        self.assertEqual((st, json.loads(body)["status"]), (200, "ok"))
        self.srv.request("GET", "/nulle-part")
        st, h, body = self.srv.request("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("text/plain"))
        text = body.decode()
        self.assertIn('leadimport_jobs{state="completed"} 0', text)
        self.assertIn("leadimport_queue_depth 0", text)
        self.assertIn('leadimport_import_duration_seconds_bucket{le="+Inf"} 0', text)
        self.assertRegex(text, r'leadimport_http_requests_total\{method="GET",route="/healthz",'
                               r'status="200"\} [1-9]')
        self.assertRegex(text, r'leadimport_http_requests_total\{method="",route="",status="404"\} [1-9]')


class StartAndStop(unittest.TestCase):
    def setUp(self):
        li.require_binary()
        self.tmp = tempfile.mkdtemp(prefix="li_serve_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_print_routes_is_one_json_object_per_line(self):
        r = li.run(["serve", "--print-routes"])
        self.assertEqual(r.code, 0, r)
        routes = [json.loads(line) for line in r.out.splitlines()]
        self.assertIn({"method": "POST", "path": "/api/session", "auth": "none", "csrf": False}, routes)
        self.assertIn({"method": "GET", "path": "/metrics", "auth": "none", "csrf": False}, routes)
        for rt in routes:
            self.assertEqual(set(rt), {"method", "path", "auth", "csrf"})

    def test_bad_settings_are_refused_before_anything_starts(self):
        li.run(["migrate", "--db", li.db_url(self.tmp)])
        for args, code in ((["--listen", "127.0.0.1"], "http_listen_invalid"),
                           (["--listen", "127.0.0.1:99999"], "http_listen_invalid"),
                           (["--workers", "-1"], None), (["--max-body", "1e3"], None),
                           (["--idle-timeout", "30"], None)):
            r = li.run(["serve", "--db", li.db_url(self.tmp)] + args)
            self.assertEqual(r.code, 2, r)
            self.assertNotIn("écoute sur", r.err)
        if not li.PG:  # a PostgreSQL database is made by its administrator
            r = li.run(["serve", "--db", li.db_url(self.tmp, "absente.db")])
            self.assertEqual(r.code, 2, r)
            self.assertFalse(os.path.exists(li.db_path(self.tmp, "absente.db")))
        r = li.run(["serve", "--db", li.db_url(self.tmp)], env={"LEADIMPORT_WORKERS": "beaucoup"})
        self.assertEqual(r.code, 2, r)
        self.assertIn("LEADIMPORT_WORKERS", r.err)

    def test_first_admin_is_created_once_and_can_log_in(self):
        srv = Server(self.tmp, "--first-admin", "demo@exemple.fr", "--workers", "0", db="neuve.db")
        m = srv.wait_for(re.compile(r"demo@exemple\.fr, mot de passe : (\S+) "))
        self.assertTrue(m, srv.lines)
        password = m.group(1)
        st, _, body = srv.request("POST", "/api/session", {"email": "demo@exemple.fr", "password": password})
        self.assertEqual(st, 200, body)
        self.assertEqual(srv.stop(), 0)
        again = Server(self.tmp, "--first-admin", "demo@exemple.fr", "--workers", "0", db="neuve.db")
        self.assertEqual(again.stop(), 0)
        self.assertFalse(any("mot de passe" in line for line in again.lines), again.lines)

    def test_the_daily_cleanup_runs_at_start_and_deletes_old_imports_only(self):
        csv = os.path.join(self.tmp, "a.csv")
        li.write_csv(csv, [li.lead()])
        r = li.run(["import", csv, "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, r)
        li.write_csv(csv, [li.lead(email="autre@exemple.fr")])
        r = li.run(["import", csv, "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, r)
        li.query(self.tmp, "UPDATE import_jobs SET created_at = '2020-01-01T00:00:00.000Z'"
                           " WHERE id = 1")
        srv = Server(self.tmp, "--workers", "0", "--cleanup-after", "30d")
        m = srv.wait_for(re.compile(r"Ménage quotidien : imports supprimés : (\d+)"), 30)
        metrics = srv.request("GET", "/metrics")[2].decode()
        self.assertEqual(srv.stop(), 0)
        self.assertTrue(m, srv.lines)
        self.assertEqual(m.group(1), "1")
        self.assertEqual(li.query(self.tmp, "SELECT id FROM import_jobs"), [(2,)])
        # What is left shows in the figures: one completed import of one lead.
        self.assertIn('leadimport_jobs{state="completed"} 1\n', metrics)
        self.assertIn('leadimport_rows_processed_total{outcome="created"} 1\n', metrics)
        self.assertIn("leadimport_import_duration_seconds_count 1\n", metrics)
        self.assertIn('leadimport_import_duration_seconds_bucket{le="+Inf"} 1\n', metrics)

    def test_a_request_running_at_sigterm_ends_with_its_answer(self):
        add_user(self.tmp, "anne@exemple.fr", "admin")
        srv = Server(self.tmp, "--workers", "0")
        body = json.dumps({"email": "anne@exemple.fr", "password": PASSWORD}).encode()
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        # Half of the request, so that it is running when the signal comes.
        sock.sendall(b"POST /api/session HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n"
                     % len(body) + body[:10])
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertIsNone(srv.proc.poll(), "the server left before its running request ended")
        # No new connection is taken meanwhile.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).recv(1)
        sock.sendall(body[10:])
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        sock.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
        self.assertIn(b'"csrf_token"', answer)
        self.assertEqual(srv.proc.wait(30), 0)  # the one signal was enough
        srv.proc.stderr.close()

    def test_the_login_limit_per_address_reads_the_proxy_header_only_when_told(self):
        add_user(self.tmp, "anne@exemple.fr", "admin")
        wrong = {"email": "anne@exemple.fr", "password": "non"}
        for trust in (False, True):
            args = ["--workers", "0", "--login-max-per-ip", "2", "--login-max-per-account", "50"]
            srv = Server(self.tmp, *(args + (["--trust-proxy"] if trust else [])))
            codes = [srv.request("POST", "/api/session", wrong,
                                 {"X-Forwarded-For": "198.51.100.%d, 192.0.2.%d" % (i, i)})[0]
                     for i in range(3)]
            srv.stop()
            # Trusted: three client addresses (the proxy's last entry), none over 2.
            # Not trusted: the header is the client's word, the socket's address counts.
            self.assertEqual(codes, [401, 401, 401] if trust else [401, 401, 429])
            # The failures stay in the database: start the next round afresh.
            li.query(self.tmp, "DELETE FROM login_failures")

    def test_a_request_head_sent_a_byte_at_a_time_is_cut_with_a_json_408(self):
        li.run(["migrate", "--db", li.db_url(self.tmp)])
        srv = Server(self.tmp, "--workers", "0", "--request-timeout", "1s", "--idle-timeout", "5s")
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        start = time.time()
        head = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Lent: " + b"a" * 200
        try:
            for byte in head:  # each byte restarts the idle timeout, not the request's time
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass
        answer = b""
        try:
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
        sock.close()
        self.assertLess(time.time() - start, 8)
        self.assertTrue(answer.startswith(b"HTTP/1.1 408"), answer)
        body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(body["error"]["code"], "http_request_timeout")
        self.assertEqual(srv.request("GET", "/healthz")[0], 200)  # the others are served
        self.assertEqual(srv.stop(), 0)

    def test_sigterm_and_sigint_stop_cleanly_with_workers_running(self):
        li.run(["migrate", "--db", li.db_url(self.tmp)])
        for sig in (signal.SIGTERM, signal.SIGINT):
            srv = Server(self.tmp, "--workers", "2")
            self.assertEqual(srv.request("GET", "/healthz")[0], 200)
            t = time.time()
            self.assertEqual(srv.stop(sig), 0, srv.lines)
            self.assertLess(time.time() - t, 15)
            self.assertTrue(any("Serveur arrêté" in line for line in srv.lines), srv.lines)
            # The port is free again: nothing was left listening.
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=2)
            with self.assertRaises(OSError):
                c.request("GET", "/healthz")
                c.getresponse()


if __name__ == "__main__":
    li.main()
