#!/usr/bin/env python3
"""Every limit of `leadimport serve`, set small, then crossed: each refusal is
a JSON error in French with its own code, and the server keeps serving.

  upload size (413), header size (431), JSON body size (413), request time
  (408), idle timeout (a client that sends nothing is let go and holds no
  thread), connections per address and in total (503), SSE watchers per
  job (429); after each, a normal request is answered at once.
"""
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402

MAX_UPLOAD = 64 * 1024
MAX_HEADER = 8 * 1024
MAX_BODY = 4 * 1024
REQUEST_TIMEOUT = 2.0
IDLE_TIMEOUT = 1.0
MAX_PER_ADDRESS = 5
MAX_CONNECTIONS = 8
MAX_SSE = 2
SLACK = 6.0 if li.SANITIZE else 2.5  # seconds a timeout may be late on a busy machine


def setUpModule():
    lh.require_serve()


def held_socket(server, source="127.0.0.1", partial=b"GET /healthz HTTP/1.1\r\n"):
    """A connection from source that sent the start of a request and then
    nothing (a slow client)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(10)
    s.connect((server.host, server.port))
    if partial:
        s.sendall(partial)
    return s


def request_from(server, source, raw, timeout=10):
    """Sends raw on a new connection from source; returns the parsed answer
    (status None if the server closed without answering)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(timeout)
    try:
        s.connect((server.host, server.port))
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not c:
                break
            chunks.append(c)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
        return lh.parse_raw_answer(b"".join(chunks))
    finally:
        s.close()


def _complete(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


class RawAnswer:
    """A raw answer shaped like lihttp.Answer for assert_french_error."""

    def __init__(self, status, headers, body):
        self.status, self.body = status, body
        self.headers = list(headers.items())
        self.method = self.path = ""
        self.reason = ""

    header = lh.Answer.header
    json = lh.Answer.json
    error = lh.Answer.error
    __repr__ = lh.Answer.__repr__


def raw(parsed):
    return RawAnswer(*parsed)


class Limits(lh.ServerCase):
    # No worker: an analysed job stays queued, and its event streams open.
    WORKERS = 0

    SERVE_ARGS = ("--max-upload", "64K", "--max-header", "8K", "--max-body", "4K",
                  "--request-timeout", "2s", "--idle-timeout", "1s",
                  "--max-connections-per-ip", str(MAX_PER_ADDRESS),
                  "--max-connections", str(MAX_CONNECTIONS),
                  "--max-sse-per-job", str(MAX_SSE))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # ~190 bytes a row: a file under the upload limit and one over it
        cls.small = li.gen_sample(cls.tmp, "small.csv", 200, seed=2)[0]
        cls.big = li.gen_sample(cls.tmp, "big.csv", 800, seed=3)[0]
        assert os.path.getsize(cls.small) < MAX_UPLOAD < os.path.getsize(cls.big)

    def setUp(self):
        self.sockets = []
        # the connections of the test before are gone for the server too
        deadline = time.monotonic() + IDLE_TIMEOUT + SLACK
        while time.monotonic() < deadline:
            try:
                if self.admin.get("/api/session", timeout=5).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)

    def tearDown(self):
        for s in self.sockets:
            s.close()

    def assert_still_serving(self):
        t = time.monotonic()
        r = self.admin.get("/api/session", timeout=10)
        self.assertEqual(r.status, 200, repr(r))
        self.assertLess(time.monotonic() - t, 2.0, "the server answered slowly")

    def jobs(self):
        return li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0]

    def stored_files(self):
        out = []
        for root, _, files in os.walk(self.tmp):
            if ".files" in root or root.startswith(self.server.data_dir):
                out += [os.path.join(root, f) for f in files]
        return sorted(out)

    def upload_raw(self, data, chunked=False, name="gros.csv"):
        head = ("POST /api/imports?filename=%s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n"
                "X-CSRF-Token: %s\r\nContent-Type: application/octet-stream\r\n"
                % (name, self.admin.cookie, self.admin.csrf))
        if chunked:
            head += "Transfer-Encoding: chunked\r\n\r\n"
            body = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 8192]), data[i:i + 8192])
                            for i in range(0, len(data), 8192)) + b"0\r\n\r\n"
        else:
            head += "Content-Length: %d\r\n\r\n" % len(data)
            body = data
        return raw(request_from(self.server, "127.0.0.1", head.encode() + body))

    # --- sizes ---------------------------------------------------------------

    def test_upload_over_the_limit_is_413_and_leaves_nothing(self):
        with open(self.big, "rb") as f:
            data = f.read()
        jobs, files = self.jobs(), self.stored_files()
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                r = self.upload_raw(data, chunked=chunked)
                lh.assert_french_error(self, r, 413, "upload_too_large")
                self.assertIn("64", r.error()[1])
        self.assertEqual(self.jobs(), jobs)
        # the partial file goes when the request ends (a moment after its answer)
        deadline = time.monotonic() + 3
        while self.stored_files() != files and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.stored_files(), files, "a refused upload left a file")
        r = self.admin.upload(self.small)
        self.assertIn(r.status, (200, 201), repr(r))
        self.assert_still_serving()

    def test_headers_over_the_limit_are_431(self):
        r = self.admin.get("/api/session", headers={"X-Remplissage": "a" * (MAX_HEADER * 2)})
        self.assertIn(r.status, (431, 413), repr(r))
        lh.assert_french_error(self, r, code="http_headers_too_large")
        r = self.admin.get("/api/session", headers={"X-Remplissage": "a" * (MAX_HEADER // 4)})
        self.assertEqual(r.status, 200, repr(r))

    def test_json_body_over_the_limit_is_413(self):
        r = self.admin.request("POST", "/api/session", body=b'{"email":"' + b"a" * MAX_BODY * 2
                               + b'","password":"x"}', headers={"Content-Type": "application/json"},
                               cookie=False, csrf=False)
        lh.assert_french_error(self, r, 413, "http_body_too_large")
        job = lh.job_id_of(self.admin.upload(self.small, force=True).json())
        big_map = {"map": {"notes": "x" * (MAX_BODY * 2)}}
        r = self.admin.put("/api/imports/%d/mapping" % job, big_map)
        lh.assert_french_error(self, r, 413, "http_body_too_large")
        self.assertEqual(self.admin.job(job)["status"], "uploaded")
        self.assert_still_serving()

    # --- time ----------------------------------------------------------------

    def test_a_trickled_upload_is_cut_at_the_request_time_limit(self):
        with open(self.small, "rb") as f:
            data = f.read()
        s = socket.create_connection((self.server.host, self.server.port), timeout=30)
        self.sockets.append(s)
        s.sendall(("POST /api/imports?filename=lent.csv HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n"
                   "X-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n"
                   % (self.admin.cookie, self.admin.csrf, len(data))).encode())
        t0 = time.monotonic()
        got = b""
        s.settimeout(IDLE_TIMEOUT / 3)
        sent = 0
        while time.monotonic() - t0 < REQUEST_TIMEOUT + SLACK + 2:
            try:
                if sent < len(data) - 1:
                    s.sendall(data[sent:sent + 64])  # well within the idle timeout
                    sent += 64
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                c = s.recv(65536)
                if not c:
                    break
                got += c
                if _complete(got):
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
        took = time.monotonic() - t0
        sys.stderr.write("trickled upload cut after %.1f s\n" % took)
        self.assertGreaterEqual(took, REQUEST_TIMEOUT - 0.5, "cut before the limit")
        self.assertLess(took, REQUEST_TIMEOUT + SLACK, "not cut at the limit")
        status, headers, body = lh.parse_raw_answer(got)
        lh.assert_french_error(self, raw((status, headers, body)), 408, "http_request_timeout")
        self.assertLess(sent, len(data))
        self.assert_still_serving()

    def test_a_request_head_trickled_byte_by_byte_is_cut(self):
        # each byte restarts the idle timeout: the request time limit cuts it
        s = socket.create_connection((self.server.host, self.server.port), timeout=10)
        self.sockets.append(s)
        head = b"GET /api/session HTTP/1.1\r\nHost: x\r\nX-Lent: " + b"a" * 200
        t0 = time.monotonic()
        got = b""
        s.settimeout(IDLE_TIMEOUT / 4)
        for i in range(len(head)):
            if time.monotonic() - t0 > REQUEST_TIMEOUT + SLACK:
                break
            try:
                s.sendall(head[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                c = s.recv(65536)
                if not c:
                    break
                got += c
                if _complete(got):
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
        took = time.monotonic() - t0
        sys.stderr.write("trickled request head cut after %.1f s\n" % took)
        self.assertLess(took, REQUEST_TIMEOUT + SLACK, "a slow head held its connection")
        lh.assert_french_error(self, raw(lh.parse_raw_answer(got)), 408, "http_request_timeout")
        self.assert_still_serving()

    def test_an_idle_client_is_let_go(self):
        s = held_socket(self.server)
        self.sockets.append(s)
        t0 = time.monotonic()
        s.settimeout(IDLE_TIMEOUT + SLACK + 2)
        got = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                got += c
        except socket.timeout:
            self.fail("an idle connection was kept %.1f s" % (time.monotonic() - t0))
        except ConnectionResetError:
            pass
        took = time.monotonic() - t0
        sys.stderr.write("idle connection closed after %.1f s\n" % took)
        self.assertLess(took, IDLE_TIMEOUT + SLACK)
        if got:  # an answer is not required, but if there is one it is ours
            lh.assert_french_error(self, raw(lh.parse_raw_answer(got)), 408)

    def test_slow_clients_do_not_hold_the_server(self):
        # as many silent connections as the address may open, but two
        for _ in range(MAX_PER_ADDRESS - 2):
            self.sockets.append(held_socket(self.server))
        self.assert_still_serving()
        # each is let go by the idle timeout
        t0 = time.monotonic()
        for s in self.sockets:
            s.settimeout(max(0.1, IDLE_TIMEOUT + SLACK - (time.monotonic() - t0)))
            try:
                self.assertEqual(s.recv(100), b"")  # closed by the server
            except ConnectionResetError:
                pass
            except socket.timeout:
                self.fail("a silent connection is still open after the idle timeout")

    # --- connections ---------------------------------------------------------

    def test_connections_per_address_then_in_total(self):
        req = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        for _ in range(MAX_PER_ADDRESS):
            self.sockets.append(held_socket(self.server, "127.0.0.1", partial=None))
        time.sleep(0.2)
        r = raw(request_from(self.server, "127.0.0.1", req))
        lh.assert_french_error(self, r, 429, "http_too_many_from_address")
        # another address still gets in, up to the total
        self.assertEqual(request_from(self.server, "127.0.0.2", req)[0], 200)
        for i in range(MAX_CONNECTIONS - MAX_PER_ADDRESS):
            self.sockets.append(held_socket(self.server, "127.0.0.%d" % (3 + i), partial=None))
        time.sleep(0.2)
        r = raw(request_from(self.server, "127.0.0.50", req))
        lh.assert_french_error(self, r, 503, "http_too_many_connections")
        for s in self.sockets:
            s.close()
        self.sockets = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if request_from(self.server, "127.0.0.1", req)[0] == 200:
                break
            time.sleep(0.1)
        self.assert_still_serving()

    # --- SSE -----------------------------------------------------------------

    def test_watchers_per_job(self):
        job = lh.job_id_of(self.admin.upload(self.small, force=True).json())
        r = self.admin.post("/api/imports/%d/analyse" % job)
        self.assertEqual(r.status, 202, repr(r))
        streams = []
        first = threading.Event()

        def watch(n):
            c = self.server.client()
            c.cookie, c.csrf = self.admin.cookie, self.admin.csrf
            conn = c.connect(timeout=30)
            conn.request("GET", "/api/imports/%d/events" % job, headers=c.headers_for("GET"))
            resp = conn.getresponse()
            streams.append((conn, resp))
            if resp.status == 200:
                resp.readline()  # the stream is open
            first.set()
        for i in range(MAX_SSE):
            first.clear()
            watch(i)
            self.assertTrue(first.wait(10))
        self.assertEqual([resp.status for _, resp in streams], [200] * MAX_SSE)
        r = self.admin.get("/api/imports/%d/events" % job, timeout=10)
        lh.assert_french_error(self, r, 429, "http_too_many_watchers")
        # another job is not limited by this one's watchers
        other_file = li.write_csv(os.path.join(self.tmp, "autre.csv"),
                                  [li.lead("Autre", "Job", "autre.job@exemple.fr")])
        other = lh.job_id_of(self.admin.upload(other_file).json())
        self.assertNotEqual(other, job)
        ans, evs = self.admin.events(other, max_events=1, timeout=10)
        self.assertEqual(ans.status, 200, repr(ans))
        # one watcher leaves: a new one is let in
        conn, _ = streams.pop()
        conn.close()
        deadline = time.monotonic() + 5
        while True:
            ans, evs = self.admin.events(job, max_events=1, timeout=10)
            if ans.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(ans.status, 200, repr(ans))
        for conn, _ in streams:
            conn.close()


class Stop(lh.ServerCase):
    """SIGTERM: a request under way is let finish, then the server exits 0."""

    # The grace is what the request may take, not what is measured: the
    # login hashes a password (Argon2id) at the request threads' low
    # priority, which on a busy machine took more than 5 s (seen in CI).
    SERVE_ARGS = ("--stop-grace", "60s")

    def test_sigterm_lets_a_running_request_end_then_exits_0(self):
        # a request whose body is still coming when the stop begins
        body = b'{"email": "%s", "password": "%s"}' % (self.ADMIN[0].encode(),
                                                        lh.PASSWORD.encode())
        s = socket.create_connection((self.server.host, self.server.port), timeout=20)
        try:
            s.sendall(b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
            time.sleep(0.3)
            proc = self.server.proc
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            s.sendall(body[10:])
            got = b""
            while not _complete(got):
                c = s.recv(65536)
                if not c:
                    break
                got += c
        finally:
            s.close()
        status, _, doc = lh.parse_raw_answer(got)
        self.assertEqual(status, 200, got[:500])
        proc.wait(lh.STOP_TIMEOUT)
        self.assertEqual(proc.returncode, 0, self.server.log()[-2000:])
        self.assertIn("Serveur arrêté", self.server.log())
        # no new connection once stopped
        with self.assertRaises(OSError):
            socket.create_connection((self.server.host, self.server.port), timeout=2).close()


READS = 5  # --max-reads-per-second of ReadPace: a burst of 10, then 5 a second


class ReadPace(lh.ServerCase):
    """--max-reads-per-second: an account reading without pause is served,
    later; another account is not slowed by it; reads that would wait past
    two seconds are refused in French with Retry-After."""
    WORKERS = 0
    SERVE_ARGS = ("--max-reads-per-second", str(READS))

    def test_reads_past_the_burst_wait_their_turn_and_are_all_served(self):
        t0 = time.monotonic()
        statuses = [self.admin.get("/api/imports").status for _ in range(3 * READS + 2 * READS)]
        took = time.monotonic() - t0
        self.assertEqual(statuses, [200] * len(statuses))
        # 25 reads, 10 at once, then 5 a second: about 3 s, never at once
        self.assertGreater(took, 2.5)
        self.assertLess(took, 3.0 + SLACK)
        # another account has its own turn: its first reads are not held
        other = self.new_client(self.COMMERCIALS[0][0])
        t1 = time.monotonic()
        for _ in range(READS):
            self.assertEqual(other.get("/api/users").status, 200)
        self.assertLess(time.monotonic() - t1, 1.0 + SLACK / 2)
        # writes are not paced: logging out answers at once
        t2 = time.monotonic()
        self.assertIn(other.request("DELETE", "/api/session").status, (200, 204))
        self.assertLess(time.monotonic() - t2, 1.0)

    def test_reads_that_would_wait_too_long_are_refused_in_french(self):
        client = self.new_client(self.COMMERCIALS[1][0])
        answers, lock = [], threading.Lock()

        def one():
            a = client.get("/api/users", timeout=20)
            with lock:
                answers.append(a)
        threads = [threading.Thread(target=one) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(a.status for a in answers)
        self.assertEqual(len(statuses), 40)
        served = statuses.count(200)
        # a burst of 10, then at most 2 s of turns at 5 a second: 20 or so
        self.assertGreaterEqual(served, 2 * READS)
        self.assertLessEqual(served, 2 * READS + 2 * READS + READS)
        refused = [a for a in answers if a.status != 200]
        self.assertTrue(refused, statuses)
        for a in refused:
            lh.assert_french_error(self, a, 429, "http_too_many_reads")
            self.assertEqual(a.header("Retry-After"), "2")


if __name__ == "__main__":
    li.main()
