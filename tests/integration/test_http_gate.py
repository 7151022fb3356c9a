#!/usr/bin/env python3
"""The gate in front of libmicrohttpd: every request head, and the framing
of every chunked body, is checked before the HTTP library sees a byte, and
every refusal is the product's own answer.

libmicrohttpd answers some malformed requests itself, with English HTML
pages (« Request malformed », « Your HTTP request was syntactically
incorrect »), and lets others through that HTTP/1.1 forbids (two Host
lines, « Host : x », a NUL in a value). Through the gate:

  * each refusal is its status, `Content-Type: application/json;
    charset=utf-8`, `Connection: close`, the body {"error": {"code",
    "message"}} with a French message, then the connection closed
    (Refusals, SmallHeaderLimit: one table of cases);
  * what a real client sends still works: chunked uploads in any case,
    with extensions and trailers, bare LF line ends, HTTP/1.0 without
    Host, Expect: 100-continue, pipelining, keep-alive, HEAD, uploads of
    megabytes byte for byte (their SHA-256), live event streams
    (PassThrough);
  * whatever bytes arrive, the answer is nothing or a well-formed HTTP
    answer, a JSON error when it is a refusal, never HTML (Mutations:
    random changes of valid heads, from a fixed seed).

Raw sockets throughout: http.client refuses to send a malformed request.
The 408 of a head still arriving after --request-timeout is tested in
test_http_limits, not here.
"""
import hashlib
import json
import os
import random
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402

JSON_TYPE = "application/json; charset=utf-8"
READ_TIMEOUT = 30 if li.SANITIZE else 10  # seconds an answer may take
CLOSE_WAIT = 10 if li.SANITIZE else 5     # seconds the server may take to close after a refusal
# What libmicrohttpd's own pages say; none may be in a message of ours.
ENGLISH_MARKERS = ("request", "malformed", "syntactically", "html", "too large",
                   "not supported")
# The codes only the gate gives: an answer that reached the router has none of them.
GATE_CODES = ("http_request_line_invalid", "http_version_unsupported", "http_header_invalid",
              "http_host_invalid", "http_length_invalid", "http_framing_ambiguous",
              "http_transfer_encoding_unsupported", "http_chunk_invalid",
              "http_headers_too_large", "http_uri_too_long")

MUTATION_SEED = 20261203
MUTATION_CASES = 400


def setUpModule():
    lh.require_serve()


# --- one raw connection, and the answers read from it ---------------------------------

class BadAnswer(AssertionError):
    """Bytes from the server that are not a well-formed HTTP/1.x answer."""


STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9]) ([\x20-\x7e\x80-\xff]*)\Z")
HEADER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\x20-\x7e\x80-\xff\t]*?)[ \t]*\Z")


def parse_answer(buf, method="GET", eof=False):
    """The first answer of buf: (lihttp.Answer, the bytes after it), or
    None while it is incomplete. eof: the server has closed, so a body
    without length ends here and an incomplete answer is a BadAnswer.
    The Answer also has .version ("HTTP/1.1")."""
    if not (buf.startswith(b"HTTP/") or b"HTTP/".startswith(buf)):
        raise BadAnswer("not an HTTP answer: %r" % buf[:300])
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if eof and buf:
            raise BadAnswer("an answer cut before the end of its head: %r" % buf[:300])
        return None
    head, rest = buf[:end], buf[end + 4:]
    lines = head.split(b"\r\n")
    m = STATUS_LINE.match(lines[0])
    if not m:
        raise BadAnswer("bad status line %r in %r" % (lines[0], buf[:300]))
    status = int(m.group(1))
    headers = []
    for ln in lines[1:]:
        h = HEADER_LINE.match(ln)
        if not h:
            raise BadAnswer("bad header line %r in %r" % (ln, buf[:300]))
        headers.append((h.group(1).decode("latin-1"), h.group(2).decode("latin-1")))
    ans = lh.Answer(method, "", status, m.group(2).decode("latin-1"), headers, b"")
    ans.version = lines[0][:8].decode()
    te = ans.header("Transfer-Encoding")
    length = ans.header_all("Content-Length")
    if status < 200 or status in (204, 304) or method == "HEAD":
        return ans, rest
    if te is not None:
        if te.lower() != "chunked" or length:
            raise BadAnswer("Transfer-Encoding %r (Content-Length %r)" % (te, length))
        body, pos = [], 0
        while True:
            eol = rest.find(b"\r\n", pos)
            if eol < 0:
                break
            size_text = rest[pos:eol].split(b";")[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", size_text):
                raise BadAnswer("bad chunk size %r" % rest[pos:eol])
            size = int(size_text, 16)
            if size == 0:  # trailer lines, then an empty line
                line = eol + 2
                while True:
                    nxt = rest.find(b"\r\n", line)
                    if nxt < 0 or nxt == line:
                        break
                    line = nxt + 2
                if nxt < 0:
                    break
                ans.body = b"".join(body)
                return ans, rest[line + 2:]
            if len(rest) < eol + 2 + size + 2:
                break
            if rest[eol + 2 + size:eol + 4 + size] != b"\r\n":
                raise BadAnswer("chunk data not followed by CRLF")
            body.append(rest[eol + 2:eol + 2 + size])
            pos = eol + 4 + size
        if eof:
            raise BadAnswer("chunked body cut by the close: %r" % buf[:300])
        return None
    if length:
        if len(set(length)) != 1 or not length[0].isdigit():
            raise BadAnswer("Content-Length %r" % length)
        n = int(length[0])
        if len(rest) < n:
            if eof:
                raise BadAnswer("body of %d bytes cut at %d" % (n, len(rest)))
            return None
        ans.body = rest[:n]
        return ans, rest[n:]
    if not eof:  # a body up to the close
        return None
    ans.body = rest
    return ans, b""


class Wire:
    """One TCP connection to the server, driven by hand. Everything
    received is kept in .raw (to look for « <html » anywhere), the bytes
    not yet read as answers in .buf; .closed once the server has closed
    (end of stream or reset)."""

    def __init__(self, server, timeout=READ_TIMEOUT):
        self.sock = socket.create_connection((server.host, server.port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.raw = b""
        self.buf = b""
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send(self, data):
        """Sends data; a server that closed meanwhile (it refused before the
        end) is not an error here: what it answered is still to be read."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def shut(self):
        """No more bytes from us (a half-close): the server sees the end."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _recv(self, deadline):
        """One read; False once the server has closed or the time is up."""
        if self.closed:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return False
        self.raw += data
        self.buf += data
        return True

    def answer(self, method="GET", timeout=None):
        """The next whole answer (an interim 100 Continue is one), or None if
        the server closed or time ran out before it was whole."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            got = parse_answer(self.buf, method, eof=self.closed)
            if got is not None:
                ans, self.buf = got
                return ans
            if self.closed:
                return None
            if not self._recv(deadline) and not self.closed:
                return None  # time is up

    def read_until(self, pattern, timeout=None):
        """Reads until the regular expression pattern (bytes) is found in
        .buf, the server closes, or time runs out; returns .buf."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not re.search(pattern, self.buf) and self._recv(deadline):
            pass
        return self.buf

    def wait_close(self, timeout=CLOSE_WAIT):
        """True once the server has closed; bytes that come meanwhile stay in .buf."""
        deadline = time.monotonic() + timeout
        while self._recv(deadline):
            pass
        return self.closed

    def read_all(self, timeout):
        """Every byte up to the close (or the time limit)."""
        self.wait_close(timeout)
        return self.raw


def exchange(server, data, method="GET"):
    """data on a new connection: (the first answer or None, the Wire)."""
    w = Wire(server)
    w.send(data)
    return w.answer(method), w


def chunked(data, sizes=(7, 300, 1, 4096), ext=b"", upper=False, trailers=b""):
    """data as a chunked body: chunks of the sizes given, in turn; each size
    line with ext after it, the sizes in capitals if upper; trailers
    (header lines, each with its CRLF) after the last chunk."""
    out, pos, i = [], 0, 0
    while pos < len(data):
        piece = data[pos:pos + sizes[i % len(sizes)]]
        size = b"%X" % len(piece) if upper else b"%x" % len(piece)
        out.append(size + ext + b"\r\n" + piece + b"\r\n")
        pos += len(piece)
        i += 1
    return b"".join(out) + b"0\r\n" + trailers + b"\r\n"


def csv_bytes(tmp, tag, rows):
    """A CSV of rows leads of its own (tag), as bytes."""
    path = li.write_csv(os.path.join(tmp, "gate-%s.csv" % tag), [
        li.lead("Prénom%d" % i, "Nom-%s" % tag, "p%d.%s@exemple.fr" % (i, tag),
                "06 %02d %02d %02d %02d" % (i // 1000000 % 100, i // 10000 % 100,
                                            i // 100 % 100, i % 100),
                "Société %d" % (i % 97), notes="ligne %d du fichier %s" % (i, tag))
        for i in range(rows)])
    with open(path, "rb") as f:
        return f.read()


# --- the refusals: one table --------------------------------------------------------------

H11 = b" HTTP/1.1\r\nHost: x\r\n"
LOGIN = b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
CHUNKED_LOGIN = LOGIN + b"Transfer-Encoding: chunked\r\n\r\n"

# (name, bytes sent, status, code). The chunked cases go to POST /api/session,
# a route that reads its body, so that the framing is what is judged.
REFUSALS = [
    # the request line cannot be read
    ("not_http", b"HELLO\r\n\r\n", 400, "http_request_line_invalid"),
    ("no_version", b"GET /\r\n\r\n", 400, "http_request_line_invalid"),
    ("other_protocol", b"GET /healthz FOO/1.1\r\nHost: x\r\n\r\n", 400,
     "http_request_line_invalid"),
    ("protocol_lower_case", b"GET /healthz http/1.1\r\nHost: x\r\n\r\n", 400,
     "http_request_line_invalid"),
    ("version_not_digits", b"GET /healthz HTTP/1.x\r\nHost: x\r\n\r\n", 400,
     "http_request_line_invalid"),
    ("tab_separators", b"GET\t/healthz\tHTTP/1.1\r\nHost: x\r\n\r\n", 400,
     "http_request_line_invalid"),
    ("leading_space", b" GET /healthz" + H11 + b"\r\n", 400, "http_request_line_invalid"),
    ("control_byte_in_target", b"GET /hea\x01lthz" + H11 + b"\r\n", 400,
     "http_request_line_invalid"),
    ("space_in_target", b"GET /heal thz" + H11 + b"\r\n", 400, "http_request_line_invalid"),
    # a major version other than 1
    ("version_2_0", b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_unsupported"),
    ("version_0_9", b"GET /healthz HTTP/0.9\r\nHost: x\r\n\r\n", 505, "http_version_unsupported"),
    ("version_3_0", b"GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505, "http_version_unsupported"),
    # a header line that is not one
    ("header_without_colon", b"GET /healthz" + H11 + b"Foo\r\n\r\n", 400, "http_header_invalid"),
    ("space_before_colon_host", b"GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400,
     "http_header_invalid"),
    ("space_before_colon", b"GET /healthz" + H11 + b"X-Essai : b\r\n\r\n", 400,
     "http_header_invalid"),
    ("empty_header_name", b"GET /healthz" + H11 + b": b\r\n\r\n", 400, "http_header_invalid"),
    ("folded_line_space", b"GET /healthz" + H11 + b"X-Essai: a\r\n b\r\n\r\n", 400,
     "http_header_invalid"),
    ("folded_line_tab", b"GET /healthz" + H11 + b"X-Essai: a\r\n\tb\r\n\r\n", 400,
     "http_header_invalid"),
    ("nul_in_value", b"GET /healthz" + H11 + b"X-Essai: a\x00b\r\n\r\n", 400,
     "http_header_invalid"),
    ("bare_cr_in_value", b"GET /healthz" + H11 + b"X-Essai: a\rb\r\n\r\n", 400,
     "http_header_invalid"),
    # Host, exactly once in HTTP/1.1
    ("no_host", b"GET /healthz HTTP/1.1\r\n\r\n", 400, "http_host_invalid"),
    ("two_hosts", b"GET /healthz" + H11 + b"Host: y\r\n\r\n", 400, "http_host_invalid"),
    ("two_same_hosts", b"GET /healthz" + H11 + b"Host: x\r\n\r\n", 400, "http_host_invalid"),
    # Content-Length: digits, one value
    ("length_letters", LOGIN + b"Content-Length: abc\r\n\r\n", 400, "http_length_invalid"),
    ("length_negative", LOGIN + b"Content-Length: -1\r\n\r\n", 400, "http_length_invalid"),
    ("length_plus_sign", LOGIN + b"Content-Length: +2\r\n\r\n{}", 400, "http_length_invalid"),
    ("length_two_lines", LOGIN + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n{} ", 400,
     "http_length_invalid"),
    ("length_two_values", LOGIN + b"Content-Length: 3, 4\r\n\r\n{} ", 400,
     "http_length_invalid"),
    ("length_trailing_space", LOGIN + b"Content-Length: 2 \r\n\r\n{}", 400,
     "http_length_invalid"),
    ("chunked_trailing_tab", LOGIN + b"Transfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n", 400,
     "http_transfer_encoding_unsupported"),
    ("length_list_of_one_value", LOGIN + b"Content-Length: 2, 2\r\n\r\n{}", 400,
     "http_length_invalid"),
    ("length_19_digits", LOGIN + b"Content-Length: 1234567890123456789\r\n\r\n", 400,
     "http_length_invalid"),
    # both lengths
    ("length_and_chunked", LOGIN + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\n{}\r\n0\r\n\r\n", 400, "http_framing_ambiguous"),
    # transfer codings other than chunked, or in HTTP/1.0 (RFC 9112 §6.1 and
    # (RFC 9112 §6.3: a last coding other than chunked, or any in HTTP/1.0,
    # leaves no length to trust: 400; a coding before chunked is one we do
    # not decode: 501)
    ("coding_gzip", LOGIN + b"Transfer-Encoding: gzip\r\n\r\n", 400,
     "http_transfer_encoding_unsupported"),
    ("coding_gzip_chunked", LOGIN + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
     "http_transfer_encoding_unsupported"),
    ("chunked_in_http_1_0", b"POST /api/session HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\n{}\r\n0\r\n\r\n", 400, "http_transfer_encoding_unsupported"),
    # chunked framing (RFC 9112 §7.1.1 allows whitespace before ";": the
    # contract refuses it)
    ("chunk_size_not_hex", CHUNKED_LOGIN + b"ZZ\r\n{}\r\n0\r\n\r\n", 400, "http_chunk_invalid"),
    ("chunk_size_17_digits", CHUNKED_LOGIN + b"00000000000000002\r\n{}\r\n0\r\n\r\n", 400,
     "http_chunk_invalid"),
    ("chunk_space_before_ext", CHUNKED_LOGIN + b"2 ;a=b\r\n{}\r\n0\r\n\r\n", 400,
     "http_chunk_invalid"),
    ("chunk_data_without_crlf", CHUNKED_LOGIN + b"2\r\n{}XY0\r\n\r\n", 400, "http_chunk_invalid"),
    # sizes, against the default --max-header (16K)
    ("headers_70000_bytes", b"GET /healthz" + H11 + b"X-Remplissage: " + b"a" * 70000
     + b"\r\n\r\n", 431, "http_headers_too_large"),
    ("target_20000_bytes", b"GET /" + b"a" * 20000 + H11 + b"\r\n", 414, "http_uri_too_long"),
    ("target_70000_bytes", b"GET /" + b"a" * 70000 + H11 + b"\r\n", 414, "http_uri_too_long"),
]

# Against a server started with --max-header 4K: just above the limit.
SMALL_LIMIT_REFUSALS = [
    ("headers_5000_bytes", b"GET /healthz" + H11 + b"X-Remplissage: " + b"a" * 5000
     + b"\r\n\r\n", 431, "http_headers_too_large"),
    ("target_5000_bytes", b"GET /" + b"a" * 5000 + H11 + b"\r\n", 414, "http_uri_too_long"),
]


# Seconds of margin for the server's timers on a loaded machine.
SLACK_S = 2.0 if li.SANITIZE else 1.0


class GateCase(lh.ServerCase):
    """A server and the checks every test here shares."""

    # No worker: an analysed job stays queued until the test runs one.
    WORKERS = 0

    def assert_refused(self, data, status, code):
        """data gets the gate's refusal: status, JSON in French, Connection:
        close, nothing after it, and the connection closed."""
        ans, w = exchange(self.server, data)
        with w:
            seen = w.raw[:700]
            self.assertFalse(b"<html" in w.raw.lower(), "HTML from the HTTP library: %r" % seen)
            self.assertIsNotNone(ans, "no answer (closed: %s): %r" % (w.closed, seen))
            self.assertEqual((ans.status, ans.header("Content-Type")), (status, JSON_TYPE), seen)
            lh.assert_french_error(self, ans, status, code)
            message = ans.error()[1].lower()
            for word in ENGLISH_MARKERS:
                self.assertNotIn(word, message, "English in %r" % message)
            self.assertEqual((ans.header("Connection") or "").lower(), "close", seen)
            self.assertTrue(w.wait_close(), "the connection stayed open after the refusal")
            self.assertEqual(w.buf, b"", "bytes after the refusal: %r" % w.buf[:300])
        return ans

    def assert_healthy(self):
        ans, w = exchange(self.server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        w.sock.close()
        self.assertIsNotNone(ans, "no answer to GET /healthz")
        self.assertEqual(ans.status, 200, repr(ans))

    def upload_head(self, name, framing):
        """The head of POST /api/imports?filename=name as the admin; framing:
        the Content-Length or Transfer-Encoding lines (bytes, with CRLF)."""
        return (b"POST /api/imports?filename=" + name + b" HTTP/1.1\r\nHost: x\r\n"
                + ("Cookie: %s\r\nX-CSRF-Token: %s\r\n" % (self.admin.cookie, self.admin.csrf)
                   ).encode() + b"Content-Type: application/octet-stream\r\n" + framing + b"\r\n")

    def assert_stored(self, ans, data, name=None):
        """ans is an accepted upload whose job holds data, byte for byte."""
        self.assertIsNotNone(ans, "no answer to the upload")
        self.assertIn(ans.status, (200, 201), repr(ans))
        job = self.admin.job(lh.job_id_of(ans.json()))
        self.assertEqual(job["file_sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(job["file_size"], len(data))
        if name is not None:
            self.assertEqual(job["file"], name)
        return job


def _refusal_test(data, status, code):
    def test(self):
        self.assert_refused(data, status, code)
    test.__doc__ = "%d %s: %r" % (status, code, data[:80])
    return test


class Refusals(GateCase):
    """Each malformed request of REFUSALS (one test each, generated below)
    gets the gate's JSON refusal in French, then the connection closes."""

    def test_a_refusal_has_its_line_in_the_log(self):
        """The server's log tells of a refused request, with its status:
        libmicrohttpd's own refusals left no line at all."""
        self.server.mark_log()
        self.assert_refused(b"GET /journal HTTP/1.1\r\nHost: x\r\nFoo\r\n\r\n", 400,
                            "http_header_invalid")
        deadline = time.monotonic() + 3
        while True:
            lines = [ln.split() for ln in self.server.new_log().splitlines()]
            # the status as a word of its own, not a duration (« 400 ms »)
            if any(t[i] == "400" and (i + 1 == len(t) or t[i + 1] != "ms")
                   for t in lines for i in range(len(t))):
                break
            if time.monotonic() > deadline:
                self.fail("no log line with 400 for the refusal:\n%s" % self.server.new_log())
            time.sleep(0.05)
        self.assert_healthy()


for _name, _data, _status, _code in REFUSALS:
    setattr(Refusals, "test_refused_%d_%s" % (_status, _name), _refusal_test(_data, _status, _code))


class SmallHeaderLimit(GateCase):
    """--max-header 4K: a head just past it is refused, one just under it served."""
    SERVE_ARGS = ("--max-header", "4K")

    def test_a_head_under_the_limit_is_served(self):
        ans, w = exchange(self.server, b"GET /healthz" + H11 + b"X-Remplissage: " + b"a" * 3000
                          + b"\r\n\r\n")
        w.sock.close()
        self.assertIsNotNone(ans)
        self.assertEqual(ans.status, 200, repr(ans))


for _name, _data, _status, _code in SMALL_LIMIT_REFUSALS:
    setattr(SmallHeaderLimit, "test_refused_%d_%s" % (_status, _name),
            _refusal_test(_data, _status, _code))


# One Server-Sent Event of a given type: its data line (JSON), whole.
EVENT = rb"event: %s\r?\ndata: ([^\r\n]*)\r?\n"


# --- what must still work -------------------------------------------------------------------

class PassThrough(GateCase):
    """Requests a real client sends, valid or tolerated by HTTP/1.1, reach
    the router and get its answer, bodies intact."""

    def assert_healthz(self, data, method="GET"):
        ans, w = exchange(self.server, data, method)
        w.sock.close()
        self.assertIsNotNone(ans, "no answer to %r: %r" % (data[:200], w.raw[:500]))
        self.assertEqual(ans.status, 200, repr(ans))
        self.assertEqual(ans.header("Content-Type"), JSON_TYPE, repr(ans))
        if method != "HEAD":
            self.assertEqual(ans.json()["status"], "ok")
        return ans

    def assert_reached_router(self, data, statuses):
        """The router answered (a status of statuses, in JSON), not the gate."""
        ans, w = exchange(self.server, data)
        w.sock.close()
        self.assertFalse(b"<html" in w.raw.lower(), repr(w.raw[:700]))
        self.assertIsNotNone(ans, "no answer to %r" % data[:200])
        self.assertIn(ans.status, statuses, repr(ans))
        self.assertEqual(ans.header("Content-Type"), JSON_TYPE, repr(ans))
        if ans.status >= 400:
            self.assertNotIn(ans.error()[0], GATE_CODES, repr(ans))
        return ans

    # --- heads ------------------------------------------------------------------

    def test_bare_lf_line_ends(self):
        """RFC 9112 §2.2: a recipient may take a lone LF as a line end."""
        self.assert_healthz(b"GET /healthz HTTP/1.1\nHost: x\n\n")

    def test_empty_lines_before_the_request_line(self):
        """RFC 9112 §2.2: empty lines before the request line are ignored."""
        self.assert_healthz(b"\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")

    def test_http_1_0_without_host(self):
        """Host is required of HTTP/1.1 only."""
        self.assert_healthz(b"GET /healthz HTTP/1.0\r\n\r\n")

    def test_http_1_2_is_served_as_1_1(self):
        """A higher minor version is understood as the highest we speak."""
        ans = self.assert_healthz(b"GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n")
        self.assertEqual(ans.version, "HTTP/1.1")

    def test_raw_utf8_in_the_query(self):
        """Browsers and scripts send é unencoded: it passes, byte for byte
        (the file name of an upload is the one given)."""
        self.assert_healthz(b"GET /healthz?q=\xc3\xa9t\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = csv_bytes(self.tmp, "utf8", 3)
        ans, w = exchange(self.server, self.upload_head(
            b"\xc3\xa9t\xc3\xa9-gate.csv", b"Content-Length: %d\r\n" % len(data)) + data)
        w.sock.close()
        self.assert_stored(ans, data, "été-gate.csv")

    def test_absolute_form_and_asterisk_reach_the_router(self):
        """Targets of other forms than /path are the router's to judge."""
        # RFC 9112 §3.2.2 would have absolute-form served as /healthz (200)
        self.assert_reached_router(b"GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                                   (200, 404))
        self.assert_reached_router(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", (200, 204, 404, 405))

    def test_head_has_no_body(self):
        """The answer to HEAD is the head of GET's, without its body: the
        next bytes would be read as the next answer."""
        with Wire(self.server) as w:
            w.send(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            ans = w.answer("HEAD")
            self.assertIsNotNone(ans, repr(w.raw))
            self.assertEqual(ans.status, 200, repr(ans))
            self.assertTrue(w.wait_close(), "Connection: close, but it stayed open")
            self.assertEqual(w.buf, b"", "a body after HEAD")

    def test_two_pipelined_requests_are_answered_in_order(self):
        """Two requests in one send (RFC 9112 §9.3.2): two answers, in order;
        the gate must not lose the second one in its buffer."""
        with Wire(self.server) as w:
            w.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                   b"GET /api/nulle-part HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            first, second = w.answer(), w.answer()
            self.assertIsNotNone(first, repr(w.raw))
            self.assertIsNotNone(second, repr(w.raw))
            self.assertEqual((first.status, second.status), (200, 404), repr(w.raw))
            lh.assert_french_error(self, second, 404, "http_not_found")
            self.assertFalse(b"<html" in w.raw.lower(), repr(w.raw[:700]))

    def test_nothing_after_an_answer_that_closes(self):
        """Bytes pipelined after a request whose answer closes the
        connection (Connection: close, HTTP/1.0, an error of the router)
        are not answered (RFC 9112 §9.6): one answer, then the close."""
        for first, status in ((b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                               200),
                              (b"GET /healthz HTTP/1.0\r\n\r\n", 200),
                              (b"GET /api/nulle-part HTTP/1.1\r\nHost: x\r\n\r\n", 404)):
            with self.subTest(first=first), Wire(self.server) as w:
                w.send(first + b"GET /\r\n\r\n")
                ans = w.answer()
                self.assertIsNotNone(ans, repr(w.raw))
                self.assertEqual(ans.status, status, repr(ans))
                if "close" not in (ans.header("Connection") or "").lower():
                    continue  # kept open: the refusal may follow (test below)
                self.assertTrue(w.wait_close(), "Connection: close, but it stayed open")
                self.assertEqual(w.buf, b"", "an answer after Connection: close: %r" % w.raw)

    def test_keep_alive_then_a_malformed_request(self):
        """A valid request is answered; the malformed one after it on the
        same connection gets the JSON refusal, then the close."""
        for pipelined in (False, True):
            with self.subTest(pipelined=pipelined), Wire(self.server) as w:
                good = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                bad = b"GET /\r\n\r\n"
                if pipelined:
                    w.send(good + bad)
                    first = w.answer()
                else:
                    w.send(good)
                    first = w.answer()
                    w.send(bad)
                self.assertIsNotNone(first, repr(w.raw))
                self.assertEqual(first.status, 200, repr(first))
                self.assertEqual(first.json()["status"], "ok")
                refusal = w.answer()
                self.assertFalse(b"<html" in w.raw.lower(), repr(w.raw[:700]))
                self.assertIsNotNone(refusal, "no refusal: %r" % w.raw[:700])
                self.assertEqual(refusal.header("Content-Type"), JSON_TYPE, repr(refusal))
                lh.assert_french_error(self, refusal, 400, "http_request_line_invalid")
                self.assertTrue(w.wait_close(), "the connection stayed open after the refusal")

    # --- bodies -----------------------------------------------------------------

    def test_chunked_upload_of_a_csv_is_stored_byte_for_byte(self):
        """Chunks of every size, sent in pieces cut anywhere (inside a size
        line, between CR and LF): the job's SHA-256 is the file's."""
        data = csv_bytes(self.tmp, "chunked", li.rows_for(2000, 500))
        wire = self.upload_head(b"par-morceaux.csv", b"Transfer-Encoding: chunked\r\n") \
            + chunked(data, sizes=(1, 2, 15, 16, 17, 255, 4096, 8192, 65536, 3))
        rng = random.Random(7)
        with Wire(self.server) as w:
            pos = 0
            while pos < len(wire):
                step = rng.choice((1, 2, 3, 7, 64, 1000, 20000))
                w.send(wire[pos:pos + step])
                pos += step
                if rng.random() < 0.05:
                    time.sleep(0.002)  # a separate read on the server's side
            self.assert_stored(w.answer(), data, "par-morceaux.csv")

    def test_transfer_encoding_chunked_in_any_case(self):
        """Coding names are case-insensitive (RFC 9112 §7)."""
        for spelling in (b"Chunked", b"CHUNKED", b"cHuNkEd"):
            with self.subTest(spelling=spelling):
                data = csv_bytes(self.tmp, "casse-" + spelling.decode(), 5)
                ans, w = exchange(self.server, self.upload_head(
                    b"casse.csv", b"Transfer-Encoding: " + spelling + b"\r\n")
                    + chunked(data, upper=True))
                w.sock.close()
                self.assert_stored(ans, data)

    def test_chunk_extensions_and_trailers(self):
        """Extensions are ignored, trailer lines after the last chunk too."""
        data = csv_bytes(self.tmp, "extensions", 20)
        body = chunked(data, sizes=(100, 33), ext=b";a=b;nom=valeur",
                       trailers=b"X-Somme: 1234\r\nX-Autre: fin\r\n")
        ans, w = exchange(self.server, self.upload_head(
            b"extensions.csv", b"Transfer-Encoding: chunked\r\n") + body)
        w.sock.close()
        self.assert_stored(ans, data)

    def test_the_same_length_repeated_is_one_length(self):
        """RFC 9110 §8.6: the same value on two lines is one length. (A list
        "N, N", which the RFC allows too, is refused: libmicrohttpd would
        refuse it with its own page; see the refusal table.)"""
        data = csv_bytes(self.tmp, "longueur", 4)
        ans, w = exchange(self.server, self.upload_head(
            b"longueur.csv", b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(data), len(data)))
            + data)
        w.sock.close()
        self.assert_stored(ans, data)

    def test_an_answer_before_the_body_reaches_the_client(self):
        """A request refused before its body is read (no session, 401)
        while the client still sends megabytes: libmicrohttpd answers and
        closes its side without reading the rest; the answer must still
        reach the client, whole, not a bare close or a reset."""
        body = b'{"on_duplicate": "skip", "x": "' + b"a" * (4 << 20) + b'"}'
        for _ in range(5):
            with Wire(self.server) as w:
                w.send(b"POST /api/imports/1/commit HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % len(body) + body)
                ans = w.answer()
                self.assertIsNotNone(ans, "no answer (closed: %s): %r" % (w.closed, w.raw[:300]))
                lh.assert_french_error(self, ans, 401, "session_required")

    def test_expect_100_continue(self):
        """The client waits for 100 Continue before sending its body."""
        data = csv_bytes(self.tmp, "continue", 10)
        with Wire(self.server) as w:
            w.send(self.upload_head(b"continue.csv", b"Content-Length: %d\r\n"
                                    b"Expect: 100-continue\r\n" % len(data)))
            interim = w.answer()
            self.assertIsNotNone(interim, "no 100 Continue: %r" % w.raw)
            self.assertTrue(w.raw.startswith(b"HTTP/1.1 100 Continue\r\n"), repr(w.raw))
            w.send(data)
            self.assert_stored(w.answer(), data)

    def test_content_length_upload_of_megabytes(self):
        """A few megabytes with Content-Length, as http.client sends them."""
        data = csv_bytes(self.tmp, "gros", li.rows_for(25000, 8000))
        self.assertGreater(len(data), (1 << 20) if li.SANITIZE else (3 << 20))
        path = os.path.join(self.tmp, "gate-gros.csv")
        r = self.admin.upload(path, filename="gros.csv")
        self.assertIn(r.status, (200, 201), repr(r))
        job = self.admin.job(lh.job_id_of(r.json()))
        self.assertEqual(job["file_sha256"], li.sha256_file(path))
        self.assertEqual(job["file_size"], len(data))

    def test_events_still_stream(self):
        """GET /api/imports/{id}/events: the first event arrives while the
        job waits (the stream is not held back), the end when a worker has
        analysed it."""
        data = csv_bytes(self.tmp, "suivi", 300)
        ans, w = exchange(self.server, self.upload_head(
            b"suivi.csv", b"Content-Length: %d\r\n" % len(data)) + data)
        w.sock.close()
        job = self.assert_stored(ans, data)["job_id"]
        r = self.admin.post("/api/imports/%d/analyse" % job)
        self.assertEqual(r.status, 202, repr(r))
        with Wire(self.server, timeout=30) as w:
            w.send(("GET /api/imports/%d/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n"
                    "Accept: text/event-stream\r\n\r\n" % (job, self.admin.cookie)).encode())
            got = w.read_until(EVENT % b"progress", 10)
            self.assertIn(b" 200 ", got.split(b"\r\n")[0], repr(got[:500]))
            self.assertIn(b"text/event-stream", got, repr(got[:500]))
            first = re.search(EVENT % b"progress", got)
            self.assertIsNotNone(first, "no event while the job waits: %r" % got[:800])
            self.assertEqual(json.loads(first.group(1))["status"], "queued")
            run = li.run(["worker", "--db", li.db_url(self.tmp, self.db), "--until-idle"],
                         cwd=self.tmp)
            li.assert_no_crash(self, run)
            self.assertEqual(run.code, 0, repr(run))
            got = w.read_until(EVENT % b"end", 30)
            m = re.search(EVENT % b"end", got)
            self.assertIsNotNone(m, "no end event: %r" % got[-800:])
            self.assertEqual(json.loads(m.group(1))["status"], "ready")


# --- random heads -----------------------------------------------------------------------------

# Valid requests (head, body) whose heads are changed at random. Their
# targets are far from "/" and its web page (HTML, legitimately).
SEEDS = [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
     b""),
    (b"GET /api/session?r=%C3%A9 HTTP/1.1\r\nHost: x\r\nCookie: li_session=abc\r\n"
     b"User-Agent: essai/1.0\r\n\r\n", b""),
    (b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 2\r\n\r\n", b"[]"),
    (b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n", b"2\r\n[]\r\n0\r\n\r\n"),
    (b"HEAD /healthz HTTP/1.0\r\n\r\n", b""),
]
SPECIAL_BYTES = b"\r\n\x00 :\t"


def mutate(rng, head):
    """head with one to four random changes: a bit flipped, a byte inserted
    (random or one of CR, LF, NUL, SP, ':', TAB), deleted, or a run duplicated."""
    b = bytearray(head)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(("flip", "insert", "special", "special", "delete", "duplicate"))
        if not b:
            op = "special"
        if op == "flip":
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == "insert":
            b.insert(rng.randrange(len(b) + 1), rng.randrange(256))
        elif op == "special":
            b.insert(rng.randrange(len(b) + 1), rng.choice(SPECIAL_BYTES))
        elif op == "delete":
            del b[rng.randrange(len(b))]
        else:
            i = rng.randrange(len(b))
            run = b[i:i + rng.randint(1, 8)]
            b[i:i] = run
    return bytes(b)


def check_answers(raw, method):
    """Every answer in raw (all the server sent before it closed) is
    well-formed; a refusal (4xx, 5xx) with a body has a JSON error code;
    nothing follows an answer that said `Connection: close` (RFC 9112
    §9.6). Returns the statuses; raises BadAnswer."""
    if b"<html" in raw.lower():
        raise BadAnswer("HTML: %r" % raw[:300])
    statuses, buf = [], raw
    while buf:
        asked = method if not statuses else "GET"
        ans, rest = parse_answer(buf, asked, eof=True)
        if asked == "HEAD" and ans.status >= 400 and rest and not rest.startswith(b"HTTP/"):
            # The refusal of a head too broken to be sure of its method
            # carries its JSON body, then the close: accepted.
            ans, rest = parse_answer(buf, "GET", eof=True)
        buf = rest
        statuses.append(ans.status)
        if buf and "close" in (ans.header("Connection") or "").lower():
            raise BadAnswer("a %d with Connection: close, then more bytes: %r"
                            % (ans.status, buf[:300]))
        if ans.status >= 400 and ans.body:
            try:
                code = json.loads(ans.body.decode("utf-8"))["error"]["code"]
            except (ValueError, KeyError, TypeError) as e:
                raise BadAnswer("a %d without a JSON error (%s): %r"
                                % (ans.status, e, ans.body[:200]))
            if not (isinstance(code, str) and re.fullmatch(r"[a-z0-9_]+", code)):
                raise BadAnswer("error code %r" % code)
    return statuses


class SlowReaders(GateCase):
    """What a client does not read cannot hold its connection: libmicrohttpd
    gives up a socket it cannot write to at its idle timeout, and the gate
    gives the client the same time to read what it still holds."""
    SERVE_ARGS = ("--idle-timeout", "1s")

    def server_side_state(self, w):
        """The TCP state of the server's end of w's connection (/proc/net/tcp,
        "01" established), or None once the kernel has forgotten it."""
        here = w.sock.getsockname()[1]
        with open("/proc/net/tcp") as f:
            for line in f.read().splitlines()[1:]:
                cols = line.split()
                local, remote, state = cols[1], cols[2], cols[3]
                if (int(local.split(":")[1], 16) == self.server.port
                        and int(remote.split(":")[1], 16) == here):
                    return state
        return None

    def test_a_client_that_never_reads_is_let_go(self):
        with Wire(self.server) as w:
            w.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            # 200 answers of the page's script, about 7 MB: far more than the buffers hold
            one = b"GET /wizard.js HTTP/1.1\r\nHost: x\r\n\r\n"
            w.send(one * 200)
            time.sleep(0.5)
            self.assertEqual(self.server_side_state(w), "01", "not established at first")
            deadline = time.monotonic() + 1 + 1 + 5 * SLACK_S  # both idle timeouts, and room
            state = "01"
            while time.monotonic() < deadline and state == "01":
                time.sleep(0.2)
                state = self.server_side_state(w)
            self.assertNotEqual(state, "01", "the server still holds a connection nobody reads")
        self.assert_healthy()


class Mutations(GateCase):
    """Random changes of valid request heads (fixed seed): the answer is
    nothing or well-formed HTTP, a refusal a JSON error, never HTML; the
    server serves on. Each request is followed by a half-close, so that a
    head left incomplete ends at once instead of at the idle timeout."""
    SERVE_ARGS = ("--idle-timeout", "2s")

    def test_random_heads(self):
        rng = random.Random(MUTATION_SEED)
        failures, outcomes = [], {}
        t0 = time.monotonic()
        for n in range(MUTATION_CASES):
            head, body = rng.choice(SEEDS)
            bad = mutate(rng, head)
            method = "HEAD" if bad.lstrip(b"\r\n").startswith(b"HEAD ") else "GET"
            with Wire(self.server) as w:
                w.send(bad + body)
                w.shut()
                raw = w.read_all(2 + (8 if li.SANITIZE else 3))
                if not w.closed:
                    failures.append((n, bad, "still open after the half-close: %r"
                                     % raw[:200]))
                    continue
            try:
                statuses = check_answers(raw, method)
            except BadAnswer as e:
                failures.append((n, bad, str(e)))
                continue
            key = ",".join(map(str, statuses)) or "closed"
            outcomes[key] = outcomes.get(key, 0) + 1
        sys.stderr.write("%d mutated heads in %.1f s (seed %d): %s\n" % (
            MUTATION_CASES, time.monotonic() - t0, MUTATION_SEED,
            ", ".join("%s x%d" % kv for kv in sorted(outcomes.items()))))
        self.assert_healthy()
        if failures:
            self.fail("%d of %d mutated heads answered badly; the first ones:\n%s" % (
                len(failures), MUTATION_CASES, "\n".join(
                    "  case %d: %r\n    -> %s" % (n, bad[:200], why[:400])
                    for n, bad, why in failures[:5])))


if __name__ == "__main__":
    li.main()
