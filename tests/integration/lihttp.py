"""lihttp.py — a real `leadimport serve` for the HTTP tests (not a test itself).

Server starts `leadimport serve --listen 127.0.0.1:0` on a database and data
folder of a temporary directory, reads the real address from its start line,
waits for GET /healthz and always stops it (SIGTERM, then SIGKILL after a
delay): from tearDownClass, and from an atexit hook if a test run dies
before that. Client speaks HTTP with the standard library's http.client:
one connection per request, the session cookie and the X-CSRF-Token header
of the last login.

Conventions shared with the server (docs/api.md):
  * the start line, on stderr, holds the URL: http://127.0.0.1:PORT;
  * POST /api/session {"email", "password"} answers {"user": {...},
    "csrf_token": "..."} and sets the session cookie;
  * every error is {"error": {"code", "message"}}, the message in French.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import lihelp as li

# Passes the password rules (12 characters, no dictionary word alone).
PASSWORD = "agrafe-cheval-lune-pile"
OTHER_PASSWORD = "tortue-violon-neige-carafe"

START_TIMEOUT = 90 if li.SANITIZE else 30
STOP_TIMEOUT = 20 if li.SANITIZE else 10
REQUEST_TIMEOUT = 60 if li.SANITIZE else 20
URL_RE = re.compile(r"http://(127\.0\.0\.1):(\d+)")

_LIVE = set()


@atexit.register
def _kill_leftovers():
    for srv in list(_LIVE):
        srv.kill()


_SERVE = {}


def require_serve():
    """For setUpModule: the binary must exist; without a `serve` command
    (a build before the HTTP API) the module is skipped, visibly."""
    li.require_binary()
    if "ok" not in _SERVE:
        r = li.run(["serve", "--help"])
        _SERVE["ok"] = r.code == 0
        _SERVE["why"] = r.err.strip()[:200]
    if not _SERVE["ok"]:
        li.skip_visibly("this leadimport has no `serve` command: %s" % _SERVE["why"])


def print_routes():
    """The route table as `serve --print-routes` prints it: a list of
    {"method", "path", "auth", "csrf"}."""
    r = li.run(["serve", "--print-routes"])
    if r.code != 0:
        raise AssertionError("serve --print-routes failed: %r" % r)
    return [json.loads(line) for line in r.out.splitlines() if line.strip()]


def add_user(tmp, db, email, name, role, password=PASSWORD):
    """`leadimport users add` with a password on stdin (None: no password)."""
    args = ["users", "add", email, "--name", name, "--role", role, "--db", li.db_url(tmp, db)]
    if password is None:
        r = li.run(args, cwd=tmp)
    else:
        args.append("--password-stdin")
        with password_stdin(tmp, password) as f:
            r = li.run(args, cwd=tmp, stdin=f)
    if r.code != 0:
        raise AssertionError("users add failed: %r" % r)
    return r


def password_stdin(tmp, password):
    """An open file holding password and a line break, to give as stdin."""
    path = os.path.join(tmp, ".pw")
    with open(path, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return open(path, "rb")


def cli(tmp, db, *args, code=0, stdin=None):
    """A CLI command on the server's database (SQLite allows both at once)."""
    r = li.run(list(args) + ["--db", li.db_url(tmp, db)], cwd=tmp, stdin=stdin)
    if code is not None and r.code != code:
        raise AssertionError("expected exit %s: %r" % (code, r))
    return r


class Server:
    """One `leadimport serve` process. The log (stdout and stderr) goes to
    a file beside the database, read by log()."""

    def __init__(self, tmp, db="t.db", workers=2, args=(), env=None, name="serve"):
        self.tmp = tmp
        self.db = db
        self.workers = workers
        self.args = list(args)
        self.env = env
        self.data_dir = os.path.join(tmp, "data")
        self.log_path = os.path.join(tmp, name + ".log")
        self.proc = None
        self.host = None
        self.port = None
        self._log_mark = 0

    # --- life ----------------------------------------------------------------

    def command(self):
        return [li.BIN, "serve", "--listen", "127.0.0.1:0", "--db", li.db_url(self.tmp, self.db),
                "--data-dir", self.data_dir, "--workers", str(self.workers)] + self.args

    def start(self):
        """Starts the server; returns once /healthz answers 200."""
        assert self.proc is None, "already started"
        os.makedirs(self.data_dir, exist_ok=True)
        start_at = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.command(), cwd=self.tmp, env=li.clean_env(self.env),
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            log.close()
        _LIVE.add(self)
        try:
            self._wait_url(start_at)
            self._wait_healthy()
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_url(self, start_at):
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            m = URL_RE.search(self.log(start_at))
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                if self.port == 0:
                    raise AssertionError("the start line gives port 0: %s" % self.log(start_at))
                return
            if self.proc.poll() is not None:
                raise AssertionError("serve exited (%s) before printing its URL:\n%s"
                                     % (self.proc.returncode, self.log(start_at)[-3000:]))
            time.sleep(0.02)
        raise AssertionError("serve printed no URL in %d s:\n%s"
                             % (START_TIMEOUT, self.log(start_at)[-3000:]))

    def _wait_healthy(self):
        deadline = time.time() + START_TIMEOUT
        last = None
        while time.time() < deadline:
            try:
                r = Client(self).request("GET", "/healthz", timeout=5)
                if r.status == 200:
                    return
                last = r
            except OSError as e:
                last = e
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("/healthz never answered 200 (last: %r):\n%s"
                             % (last, self.log()[-3000:]))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL if it is still there after timeout seconds.
        Returns (exit code, whether SIGTERM was enough)."""
        if self.proc is None:
            return None, True
        graceful = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                graceful = False
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        _LIVE.discard(self)
        return code, graceful

    def kill(self):
        """SIGKILL now (a crash); the process is waited for."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None
        _LIVE.discard(self)

    def restart(self):
        self.stop()
        return self.start()

    # --- what it said --------------------------------------------------------

    def log(self, start=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def mark_log(self):
        """Remembers where the log is now; new_log() gives what came after."""
        self._log_mark = os.path.getsize(self.log_path)

    def new_log(self):
        return self.log(self._log_mark)

    def sanitizer_reports(self):
        log = self.log()
        return [m for m in ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                            "UndefinedBehaviorSanitizer") if m in log]

    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def client(self):
        return Client(self)


class Answer:
    """One HTTP answer, read whole."""

    def __init__(self, method, path, status, reason, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers  # [(name, value)]
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError("not JSON (%s): %r" % (e, self))

    def text(self):
        return self.body.decode("utf-8", "replace")

    def error(self):
        """(code, message) of a JSON error answer; AssertionError if it is not one."""
        doc = self.json()
        if not (isinstance(doc, dict) and isinstance(doc.get("error"), dict)):
            raise AssertionError("not a JSON error: %r" % self)
        e = doc["error"]
        return e.get("code"), e.get("message")

    def __repr__(self):
        return "%s %s -> %s %s %s" % (self.method, self.path, self.status, self.reason,
                                      self.body[:1500].decode("utf-8", "replace"))


class Client:
    """HTTP on one server; keeps the session cookie and the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None  # "name=value"
        self.csrf = None
        self.set_cookie = None  # the whole Set-Cookie header of the login
        self.user = None

    def connect(self, timeout=REQUEST_TIMEOUT):
        return http.client.HTTPConnection(self.server.host, self.server.port, timeout=timeout)

    def headers_for(self, method, headers=None, csrf=None, cookie=True):
        h = {}
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        send_csrf = (method in ("POST", "PUT", "DELETE", "PATCH")) if csrf is None else csrf
        if send_csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if headers:
            h.update(headers)
        return h

    def request(self, method, path, body=None, headers=None, csrf=None, cookie=True,
                timeout=REQUEST_TIMEOUT):
        """One request; body: bytes, str, a dict/list (sent as JSON) or None."""
        h = self.headers_for(method, headers, csrf, cookie)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        conn = self.connect(timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            return Answer(method, path, resp.status, resp.reason, resp.getheaders(), data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def json_ok(self, method, path, body=None, expect=(200,), **kw):
        """A request whose answer must have one of the statuses of expect;
        returns its JSON."""
        r = self.request(method, path, body=body, **kw)
        if r.status not in expect:
            raise AssertionError("expected %s: %r" % (expect, r))
        return r.json() if r.body else None

    # --- session -------------------------------------------------------------

    def login(self, email, password=PASSWORD, expect=200):
        r = self.request("POST", "/api/session", {"email": email, "password": password},
                         cookie=False, csrf=False)
        if expect is not None and r.status != expect:
            raise AssertionError("login of %s: expected %s: %r" % (email, expect, r))
        if r.status == 200:
            doc = r.json()
            self.csrf = doc.get("csrf_token")
            self.user = doc.get("user")
            sc = r.header("Set-Cookie")
            self.set_cookie = sc
            if sc:
                self.cookie = sc.split(";", 1)[0].strip()
        return r

    def logout(self):
        return self.request("DELETE", "/api/session")

    # --- imports -------------------------------------------------------------

    def upload(self, path, filename=None, force=False, data=None, headers=None, **kw):
        """POST /api/imports?filename=NAME with the file's bytes as body."""
        name = filename if filename is not None else os.path.basename(path)
        q = {"filename": name}
        if force:
            q["force"] = "1"
        h = {"Content-Type": "application/octet-stream"}
        if headers:
            h.update(headers)
        target = "/api/imports?" + urllib.parse.urlencode(q)
        if data is not None:
            return self.request("POST", target, body=data, headers=h, **kw)
        # streamed from the file, never read whole (big files in the bench)
        h["Content-Length"] = str(os.path.getsize(path))
        with open(path, "rb") as f:
            return self.request("POST", target, body=f, headers=h, **kw)

    def job(self, job_id):
        return self.json_ok("GET", "/api/imports/%d" % job_id)

    def wait_status(self, job_id, statuses, timeout=None):
        """Polls GET /api/imports/{id} until its status is one of statuses;
        returns the job's JSON."""
        timeout = timeout or (li.TIMEOUT / 2)
        deadline = time.time() + timeout
        doc = None
        while time.time() < deadline:
            doc = self.job(job_id)
            if doc.get("status") in statuses:
                return doc
            time.sleep(0.06)  # under the server's pace of reads (20 a second per account)
        raise AssertionError("job %d never reached %s; last: %r" % (job_id, statuses, doc))

    # --- Server-Sent Events --------------------------------------------------

    def events(self, job_id, last_event_id=None, timeout=REQUEST_TIMEOUT, max_events=100000,
               stop=None):
        """Reads GET /api/imports/{id}/events until the server closes the
        stream, max_events are read, or stop(event) is true. Returns
        (Answer without body, [event]); an event is {"id", "event", "data"}
        (data parsed as JSON when it is JSON)."""
        h = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            h["Last-Event-ID"] = str(last_event_id)
        conn = self.connect(timeout)
        path = "/api/imports/%d/events" % job_id
        got = []
        try:
            conn.request("GET", path, headers=self.headers_for("GET", h))
            resp = conn.getresponse()
            ans = Answer("GET", path, resp.status, resp.reason, resp.getheaders(), b"")
            if resp.status != 200:
                ans.body = resp.read()
                return ans, got
            for ev in read_sse(resp):
                got.append(ev)
                if len(got) >= max_events or (stop is not None and stop(ev)):
                    break
            return ans, got
        finally:
            conn.close()


def read_sse(resp):
    """Yields the events of a text/event-stream answer (a file-like object
    with readline), as {"id", "event", "data"}; comments are skipped."""
    ev = {"id": None, "event": "message", "data": []}
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.decode("utf-8").rstrip("\r\n")
        if line == "":
            if ev["data"] or ev["id"] is not None:
                text = "\n".join(ev["data"])
                try:
                    data = json.loads(text)
                except ValueError:
                    data = text
                yield {"id": ev["id"], "event": ev["event"], "data": data}
            ev = {"id": None, "event": "message", "data": []}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            ev["data"].append(value)
        elif field == "id":
            ev["id"] = value
        elif field == "event":
            ev["event"] = value


def parse_raw_answer(raw):
    """(status, headers dict lower-cased, body) of a raw HTTP/1.x answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        return None, {}, raw
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out, rest = [], body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if size == 0:
                break
            out.append(rest[:size])
            rest = rest[size + 2:]
        body = b"".join(out)
    return status, headers, body


def job_id_of(doc):
    """The job number of an upload's or a commit's answer."""
    if isinstance(doc.get("job_id"), int):
        return doc["job_id"]
    if isinstance(doc.get("job"), dict):
        return doc["job"]["job_id"]
    raise AssertionError("no job_id in %r" % doc)


# French, not English: what a user reads in an error message.
ENGLISH = re.compile(r"(?<![\w-])(error|failed|invalid|not found|unknown|forbidden|"
                     r"unauthori[sz]ed|too large|too many|timeout|timed out|denied|internal|"
                     r"not allowed|payload|entity|job|missing|expired|required)(?![\w-])",
                     re.IGNORECASE)


def assert_french_error(tc, r, status=None, code=None):
    """r is {"error": {"code", "message"}} with a French message (and the
    given status and code when given); returns the code."""
    if status is not None:
        tc.assertEqual(r.status, status, repr(r))
    ctype = r.header("Content-Type", "")
    tc.assertIn("application/json", ctype, repr(r))
    c, msg = r.error()
    tc.assertRegex(c or "", r"^[a-z0-9_]+$", repr(r))
    if code is not None:
        tc.assertEqual(c, code, repr(r))
    tc.assertTrue(isinstance(msg, str) and msg.strip(), repr(r))
    # the stored names of states, quoted as values a user may type, are not English text
    prose = re.sub(r"(nom|noms) anglais ?: [a-z_, ]+", "", msg)
    prose = re.sub(r"\(([a-z_]+(, | ou ))+[a-z_]+\)", "", prose)  # (invalid, warning ou all)
    tc.assertIsNone(ENGLISH.search(prose), "English in %r" % msg)
    return c


_USERS_DBS = {}


def users_db(users, tmp, db):
    """Makes database db of tmp one holding users [(email, name, role,
    password or None)], added by `leadimport users add`. Each password
    costs an Argon2id hash (half a second): the database of a list of
    users is made once per test process, and copied (li.clone_db)."""
    key = tuple(users)
    if key not in _USERS_DBS:
        d = tempfile.mkdtemp(prefix="li-http-users-")
        atexit.register(shutil.rmtree, d, True)
        for email, name, role, pw in users:
            add_user(d, "users.db", email, name, role, password=pw)
        _USERS_DBS[key] = d
    li.clone_db(_USERS_DBS[key], "users.db", tmp, db)


class ServerCase(unittest.TestCase):
    """One server per class over a temporary folder, with an admin, two
    commercials and a disabled commercial (all with PASSWORD)."""

    WORKERS = 2
    COMMERCIAL_PASSWORD = PASSWORD  # None: they never log in (no Argon2id to pay)
    SERVE_ARGS = ()
    SERVE_ENV = None
    ADMIN = ("admin@exemple.fr", "Alice Admin")
    COMMERCIALS = [("anne.commerciale@exemple.fr", "Anne Commerciale"),
                   ("luc.commercial@exemple.fr", "Luc Commercial")]

    @classmethod
    def prepare(cls, tmp, db):
        """Runs before the server starts (the database exists: users added)."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-http-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls.tmp = cls._tmp.name
        cls.db = "t.db"
        users = [(cls.ADMIN[0], cls.ADMIN[1], "admin", PASSWORD)]
        users += [(e, n, "commercial", cls.COMMERCIAL_PASSWORD) for e, n in cls.COMMERCIALS]
        users_db(users, tmp, cls.db)
        cls.prepare(tmp, cls.db)
        cls.server = Server(tmp, cls.db, workers=cls.WORKERS, args=cls.SERVE_ARGS,
                            env=cls.SERVE_ENV)
        cls.addClassCleanup(cls._stop_server)
        cls.server.start()
        cls.admin = cls.server.client()
        cls.admin.login(cls.ADMIN[0])

    @classmethod
    def _stop_server(cls):
        srv = getattr(cls, "server", None)
        if srv is not None:
            srv.stop()
            reports = srv.sanitizer_reports()
            if reports:
                raise AssertionError("sanitizer report in the server log (%s):\n%s"
                                     % (reports, srv.log()[-5000:]))

    def cli(self, *args, code=0, stdin=None):
        return cli(self.tmp, self.db, *args, code=code, stdin=stdin)

    def new_client(self, email=None, password=PASSWORD):
        c = self.server.client()
        if email:
            c.login(email, password)
        return c
