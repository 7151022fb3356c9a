/*
 * test_http_wire.c — the gate's request reader (wire.c): which bytes of a
 * connection go on to libmicrohttpd, and which request it refuses, with
 * which status and code. The same verdict whatever the pieces the bytes
 * come in (a head trickling a byte at a time is read as one sent whole);
 * a refused request stops at the byte that broke it, so libmicrohttpd
 * never gets a whole bad request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/wireInt.h"

#define MAX_HEAD 4096

typedef struct wcase {
    const char *name;
    const char *bytes;
    unsigned status;  /* 0: every byte accepted */
    const char *code; /* of the refusal */
    const char *stop; /* the refusal: the accepted bytes end just before this text */
} wcase;

static const wcase cases[] = {
    /* taken */
    {"get", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL, NULL},
    {"bare line feeds", "GET /healthz HTTP/1.1\nHost: x\n\n", 0, NULL, NULL},
    {"empty lines first", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL, NULL},
    {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 0, NULL, NULL},
    {"HTTP/1.2 read as 1.1", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 0, NULL, NULL},
    {"UTF-8 in the target", "GET /api/imports?filename=\xc3\xa9t\xc3\xa9.csv HTTP/1.1\r\nHost: x\r\n\r\n",
     0, NULL, NULL},
    {"absolute form", "GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL, NULL},
    {"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 0, NULL, NULL},
    {"spaces around a value", "GET / HTTP/1.1\r\nHost:   x  \t\r\n\r\n", 0, NULL, NULL},
    {"empty value", "GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n", 0, NULL, NULL},
    {"8-bit value", "GET / HTTP/1.1\r\nHost: x\r\nX-Nom: Ren\xc3\xa9\r\n\r\n", 0, NULL, NULL},
    {"length and body", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\r\n\x00 :", 0,
     NULL, NULL},
    {"same length twice", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n{}",
     0, NULL, NULL},
    {"chunked, any case, extension, trailer",
     "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n2;a=b\r\n{}\r\n"
     "A\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
     0, NULL, NULL},
    {"chunked with bare line feeds",
     "POST /a HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n2\n{}\n0\n\n", 0, NULL, NULL},
    {"sixteen hex digits", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "0000000000000002\r\n{}\r\n0\r\n\r\n",
     0, NULL, NULL},
    {"two requests", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n"
                     "Content-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n",
     0, NULL, NULL},

    /* the request line */
    {"no version", "GET /\r\n\r\n", 400, "http_request_line_invalid", "\r\n\r\n"},
    {"no space", "HELLO\r\n\r\n", 400, "http_request_line_invalid", "\r\n\r\n"},
    {"lower-case protocol", "GET / http/1.1\r\n", 400, "http_request_line_invalid", "http/1.1"},
    {"letters for digits", "GET / HTTP/1.x\r\n", 400, "http_request_line_invalid", "x\r\n"},
    {"tabs", "GET\t/ HTTP/1.1\r\n", 400, "http_request_line_invalid", "\t/"},
    {"two spaces", "GET  / HTTP/1.1\r\n", 400, "http_request_line_invalid", " / HTTP"},
    {"leading space", " GET / HTTP/1.1\r\n", 400, "http_request_line_invalid", " GET"},
    {"control byte in the target", "GET /a\x01 HTTP/1.1\r\n", 400, "http_request_line_invalid",
     "\x01 HTTP"},
    {"space in the target", "GET /a b HTTP/1.1\r\n", 400, "http_request_line_invalid", "b HTTP"},
    {"HTTP/0.9 line", "GET /\r\n", 400, "http_request_line_invalid", "\r\n"},
    {"bare CR before the request", "\rGET / HTTP/1.1\r\n", 400, "http_request_line_invalid", "GET"},
    {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_unsupported",
     "\r\nHost"},
    {"HTTP/0.9 version", "GET / HTTP/0.9\r\n", 505, "http_version_unsupported", "\r\n"},

    /* headers */
    {"no colon", "GET / HTTP/1.1\r\nHost: x\r\nBadline\r\n\r\n", 400, "http_header_invalid",
     "\r\n\r\n"},
    {"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "http_header_invalid",
     " : x"},
    {"empty name", "GET / HTTP/1.1\r\n: b\r\n\r\n", 400, "http_header_invalid", ": b"},
    {"line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400,
     "http_header_invalid", " b\r\n"},
    {"NUL in a value", "GET / HTTP/1.1\r\nX-A: a\x00" "b\r\n", 400, "http_header_invalid",
     "\x00" "b"},
    {"bare CR in a value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n", 400, "http_header_invalid", "b\r\n"},
    {"CR not followed by LF at the end", "GET / HTTP/1.1\r\nHost: x\r\n\rX", 400,
     "http_header_invalid", "X"},
    {"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "http_host_invalid", "\n"},
    {"two Host", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "http_host_invalid",
     "\n\r\n"},
    {"length not a number", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
     "http_length_invalid", "\n\r\n"},
    {"negative length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400,
     "http_length_invalid", "\n\r\n"},
    {"signed length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n", 400,
     "http_length_invalid", "\n\r\n"},
    {"length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n", 400,
     "http_length_invalid", "\n\r\n"},
    {"two lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
     400, "http_length_invalid", "\n\r\n"},
    {"length with a trailing space", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2 \r\n\r\n{}", 400,
     "http_length_invalid", "\n\r\n{}"},
    {"chunked with a trailing tab", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\t\r\n\r\n",
     400, "http_transfer_encoding_unsupported", "\n\r\n"},
    {"nineteen digits", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000000\r\n\r\n",
     400, "http_length_invalid", "\n\r\n"},
    {"length and chunked", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     400, "http_framing_ambiguous", "\n0\r\n\r\n"},
    {"gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
     "http_transfer_encoding_unsupported", "\n\r\n"},
    {"gzip then chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     501, "http_transfer_encoding_unsupported", "\n\r\n"},
    {"chunked then gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     400, "http_transfer_encoding_unsupported", "\n\r\n"},
    {"chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n",
     400, "http_transfer_encoding_unsupported", "\n\r\n"},
    {"chunked in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
     "http_transfer_encoding_unsupported", "\n\r\n"},

    /* chunked bodies */
    {"chunk size not hexadecimal", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
     400, "http_chunk_invalid", "ZZ"},
    {"seventeen hex digits", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "00000000000000002\r\n",
     400, "http_chunk_invalid", "2\r\n"},
    {"space before the extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2 ;x\r\n",
     400, "http_chunk_invalid", " ;x"},
    {"no line end after the data", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "2\r\n{}XX0\r\n\r\n",
     400, "http_chunk_invalid", "XX0"},
    {"bad trailer", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad\r\n",
     400, "http_header_invalid", "\r\n"},
};
#define NCASES (sizeof cases / sizeof cases[0])

typedef struct verdict {
    size_t accepted;
    unsigned status;
    const char *code;
    unsigned requests;
    int closed;
} verdict;

/* Feeds bytes in pieces of `piece` bytes (0: all at once), as the gate would. */
static verdict feed(const char *bytes, size_t n, size_t max_head, size_t piece) {
    li__http_wire w;
    li__http_wire_init(&w, max_head);
    verdict v = {0, 0, NULL, 0, 0};
    size_t at = 0;
    while (at < n) {
        size_t len = piece && n - at > piece ? piece : n - at;
        size_t took = li__http_wire_feed(&w, bytes + at, len);
        v.accepted += took;
        at += len;
        if (took < len) {
            assert_true(w.status != 0 || w.closed); /* only a refusal or the end leave bytes */
            break;
        }
    }
    v.status = w.status;
    v.code = w.status ? li_msg_code(w.msg) : NULL;
    v.requests = w.requests;
    v.closed = w.closed;
    if (w.status || w.closed) /* once refused or closed, nothing more */
        assert_int_equal(li__http_wire_feed(&w, "GET", 3), 0);
    return v;
}

static size_t case_len(const wcase *c) {
    /* cases with a NUL byte: their text goes on to the end of the literal */
    if (strstr(c->name, "NUL"))
        return strlen(c->bytes) + 1 + strlen(c->bytes + strlen(c->bytes) + 1);
    return strlen(c->bytes);
}

static void every_case_has_its_verdict_in_any_pieces(void **state) {
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const wcase *c = &cases[i];
        size_t n = case_len(c);
        size_t pieces[] = {0, 1, 2, 7};
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            verdict v = feed(c->bytes, n, MAX_HEAD, pieces[p]);
            if (v.status != c->status || (c->code && strcmp(v.code, c->code) != 0)) {
                fprintf(stderr, "case « %s », pieces of %zu: status %u (%s), expected %u (%s)\n",
                        c->name, pieces[p], v.status, v.code ? v.code : "-", c->status,
                        c->code ? c->code : "-");
                fail();
            }
            if (!c->status) {
                assert_int_equal(v.accepted, n);
                continue;
            }
            /* the accepted bytes end just before the text the case names */
            size_t stop_len = strlen(c->stop);
            const char *at = NULL;
            for (size_t k = 0; k + stop_len <= n; k++)
                if (memcmp(c->bytes + k, c->stop, stop_len) == 0 && k >= v.accepted) {
                    at = c->bytes + k;
                    break;
                }
            if (!at || (size_t)(at - c->bytes) != v.accepted) {
                fprintf(stderr, "case « %s », pieces of %zu: %zu bytes accepted, expected up to « %s »\n",
                        c->name, pieces[p], v.accepted, c->stop);
                fail();
            }
        }
    }
}

static void requests_follow_each_other_on_a_connection(void **state) {
    (void)state;
    const char *two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(feed(two, strlen(two), MAX_HEAD, 0).requests, 3);
    /* a body's bytes are not read as a request, whatever they look like */
    const char *body = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\nGET / HTTP/9.9\r\n";
    verdict v = feed(body, strlen(body), MAX_HEAD, 3);
    assert_int_equal(v.status, 0);
    assert_int_equal(v.requests, 1);
    /* nor chunk data, and the request after the trailers is read */
    const char *ch = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "4\r\n\r\n\r\n\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    v = feed(ch, strlen(ch), MAX_HEAD, 1);
    assert_int_equal(v.status, 0);
    assert_int_equal(v.requests, 2);
    /* the second request of a connection is checked as the first */
    const char *bad = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n";
    v = feed(bad, strlen(bad), MAX_HEAD, 0);
    assert_int_equal(v.status, 400);
    assert_int_equal(v.requests, 1);
    assert_int_equal(v.accepted, strlen("GET / HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE"));
}

static void a_request_that_closes_is_the_last_read(void **state) {
    (void)state;
    static const struct {
        const char *first;
        int closes;
    } firsts[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1},
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", 1},
        {"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", 1},
        {"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n",
         1},
        {"GET / HTTP/1.0\r\n\r\n", 1},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n\r\n", 0},
        /* options split on commas only, as libmicrohttpd reads them */
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close x\r\n\r\n", 0},
        /* a value too long to keep: libmicrohttpd decides, the next request is read */
        {"GET / HTTP/1.0\r\nConnection: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
         "keep-alive\r\n\r\n",
         0},
    };
    char buf[512];
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        size_t n1 = strlen(firsts[i].first);
        snprintf(buf, sizeof buf, "%sGET /\r\n\r\n", firsts[i].first);
        verdict v = feed(buf, strlen(buf), MAX_HEAD, 3);
        if (firsts[i].closes) {
            /* what follows is dropped, neither read nor refused */
            assert_int_equal(v.status, 0);
            assert_int_equal(v.closed, 1);
            assert_int_equal(v.accepted, n1);
        } else {
            assert_int_equal(v.status, 400);
            assert_int_equal(v.accepted, n1 + strlen("GET /"));
        }
        assert_int_equal(v.requests, 1);
    }
}

/* A head of n bytes exactly: "GET / HTTP/1.1\r\nHost: x\r\nX: aaa…\r\n\r\n". */
static char *head_of(size_t n) {
    const char *start = "GET / HTTP/1.1\r\nHost: x\r\nX: ";
    char *h = malloc(n + 1);
    assert_non_null(h);
    size_t s = strlen(start);
    assert_true(n > s + 4);
    memcpy(h, start, s);
    memset(h + s, 'a', n - s - 4);
    memcpy(h + n - 4, "\r\n\r\n", 4);
    h[n] = '\0';
    return h;
}

static void the_head_limit_is_exact(void **state) {
    (void)state;
    char *h = head_of(MAX_HEAD);
    verdict v = feed(h, MAX_HEAD, MAX_HEAD, 0);
    assert_int_equal(v.status, 0);
    free(h);
    h = head_of(MAX_HEAD + 1);
    v = feed(h, MAX_HEAD + 1, MAX_HEAD, 0);
    assert_int_equal(v.status, 431);
    assert_string_equal(v.code, "http_headers_too_large");
    assert_int_equal(v.accepted, MAX_HEAD);
    free(h);
    /* the limit is per head: a second head of the same size is taken */
    char *two = malloc(2 * MAX_HEAD);
    h = head_of(MAX_HEAD);
    memcpy(two, h, MAX_HEAD);
    memcpy(two + MAX_HEAD, h, MAX_HEAD);
    v = feed(two, 2 * MAX_HEAD, MAX_HEAD, 100);
    assert_int_equal(v.status, 0);
    assert_int_equal(v.requests, 2);
    free(h);
    free(two);
    /* a request line alone past the limit: 414 */
    char *line = malloc(MAX_HEAD + 32);
    memcpy(line, "GET /", 5);
    memset(line + 5, 'a', MAX_HEAD + 10);
    v = feed(line, MAX_HEAD + 15, MAX_HEAD, 0);
    assert_int_equal(v.status, 414);
    assert_string_equal(v.code, "http_uri_too_long");
    free(line);
}

static void trailers_count_with_their_head(void **state) {
    (void)state;
    char buf[8192];
    /* a head of about 3,000 bytes, then 2,000 bytes of trailers: over 4,096 together */
    size_t len = (size_t)snprintf(buf, sizeof buf,
                                  "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX: ");
    memset(buf + len, 'a', 3000);
    len += 3000;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n\r\n1\r\nz\r\n0\r\nT: ");
    memset(buf + len, 'b', 2000);
    len += 2000;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n\r\n");
    verdict v = feed(buf, len, MAX_HEAD, 0);
    assert_int_equal(v.status, 431);
    assert_string_equal(v.code, "http_headers_too_large");
    /* the next request has its own budget */
    len = (size_t)snprintf(buf, sizeof buf,
                           "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX: ");
    memset(buf + len, 'c', 3900);
    len += 3900;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n\r\n");
    v = feed(buf, len, MAX_HEAD, 0);
    assert_int_equal(v.status, 0);
    assert_int_equal(v.requests, 2);
}

static void a_refusal_names_no_earlier_request(void **state) {
    (void)state;
    li__http_wire w;
    li__http_wire_init(&w, MAX_HEAD);
    const char bytes[] = "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n\x01";
    li__http_wire_feed(&w, bytes, sizeof bytes - 1);
    assert_int_equal(w.status, 400);
    /* not « HEAD /healthz »: the gate would answer without a body, and log it */
    assert_false(w.method_read);
    assert_string_equal(w.method, "");
    assert_string_equal(w.target, "");
}

static void a_hundred_headers_and_no_more(void **state) {
    (void)state;
    char buf[4096];
    for (int n = 99; n <= 101; n++) {
        size_t len = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 1; i < n; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "A: b\r\n");
        len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n");
        verdict v = feed(buf, len, MAX_HEAD, 0);
        if (n <= LI__HTTP_WIRE_HEADERS_MAX)
            assert_int_equal(v.status, 0);
        else {
            assert_int_equal(v.status, 431);
            assert_string_equal(v.code, "http_too_many_headers");
        }
    }
}

static void the_refusal_quotes_the_line_printably(void **state) {
    (void)state;
    li__http_wire w;
    li__http_wire_init(&w, MAX_HEAD);
    const char bytes[] = "GET / HTTP/1.1\r\nX-A: \x01\r\n";
    li__http_wire_feed(&w, bytes, sizeof bytes - 1);
    assert_int_equal(w.status, 400);
    assert_string_equal(w.arg, "X-A: \\x01");
    li__http_wire_init(&w, MAX_HEAD);
    li__http_wire_feed(&w, "GET / HTTP/2.0\r\n", 16);
    assert_string_equal(w.arg, "HTTP/2.0");
    assert_string_equal(w.method, "GET");
    assert_string_equal(w.target, "/");
}

static void a_head_in_progress_is_seen_as_such(void **state) {
    (void)state;
    li__http_wire w;
    li__http_wire_init(&w, MAX_HEAD);
    assert_false(li__http_wire_in_head(&w));
    li__http_wire_feed(&w, "G", 1);
    assert_true(li__http_wire_in_head(&w));
    const char *rest = "ET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab";
    li__http_wire_feed(&w, rest, strlen(rest));
    assert_false(li__http_wire_in_head(&w)); /* the body: the router's time limit */
    li__http_wire_feed(&w, "cd", 2);
    assert_false(li__http_wire_in_head(&w)); /* between requests: the idle timeout's */
    li__http_wire_feed(&w, "\r\n", 2);
    assert_true(li__http_wire_in_head(&w));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_has_its_verdict_in_any_pieces),
        cmocka_unit_test(requests_follow_each_other_on_a_connection),
        cmocka_unit_test(a_request_that_closes_is_the_last_read),
        cmocka_unit_test(the_head_limit_is_exact),
        cmocka_unit_test(a_hundred_headers_and_no_more),
        cmocka_unit_test(trailers_count_with_their_head),
        cmocka_unit_test(a_refusal_names_no_earlier_request),
        cmocka_unit_test(the_refusal_quotes_the_line_printably),
        cmocka_unit_test(a_head_in_progress_is_seen_as_such),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
