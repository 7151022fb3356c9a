/*
 * fuzz_wire.c — the gate's request reader (src/http/wire.c): the bytes of
 * a connection, fed whole and then in pieces of sizes the input chooses.
 *
 * Input: one byte for the head limit (64 to 4,096 bytes), one seeding the
 * piece sizes, then the bytes a client sends.
 * Checked: the verdict (bytes accepted, refusal status and code, requests
 * read) is the same in any pieces — the gate gets what the network gives;
 * only a refusal or the end of the connection (Connection: close) leave
 * bytes, and a refusal is one of the statuses the
 * gate answers with a code of the catalogue; once refused, nothing more is
 * taken; a head is never accepted past the limit (no run of more than the
 * limit accepted without a line feed).
 */
#include "fuzz_util.h"
#include "http/wireInt.h"

typedef struct verdict {
    size_t accepted;
    unsigned status, requests;
    int closed;
    li_msg msg;
} verdict;

static verdict run(const char *p, size_t n, size_t max_head, unsigned seed) {
    li__http_wire w;
    li__http_wire_init(&w, max_head);
    verdict v = {0, 0, 0, 0, LI_MSG_NONE};
    size_t at = 0;
    while (at < n) {
        size_t len = n - at;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            size_t want = 1 + (seed >> 16) % 17;
            if (want < len)
                len = want;
        }
        size_t took = li__http_wire_feed(&w, p + at, len);
        FZ_CHECK(took <= len, "took %zu of %zu", took, len);
        v.accepted += took;
        at += len;
        if (took < len) {
            FZ_CHECK(w.status != 0 || w.closed, "bytes left without a refusal at %zu", v.accepted);
            break;
        }
    }
    v.status = w.status;
    v.requests = w.requests;
    v.closed = w.closed;
    v.msg = w.msg;
    FZ_CHECK(!(w.status && w.closed), "refused and closed");
    if (w.closed)
        FZ_CHECK(li__http_wire_feed(&w, "GET / HTTP/1.1\r\n", 16) == 0, "read after the end");
    if (w.status) {
        FZ_CHECK(li__http_wire_feed(&w, "GET / HTTP/1.1\r\n", 16) == 0, "read after a refusal");
        FZ_CHECK(w.status == 400 || w.status == 414 || w.status == 431 || w.status == 501 ||
                     w.status == 505,
                 "status %u", w.status);
        FZ_CHECK(strncmp(li_msg_code(w.msg), "http_", 5) == 0, "code %s", li_msg_code(w.msg));
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    size_t max_head = 64 + (size_t)data[0] * 16;
    unsigned seed = data[1] | 1u;
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    verdict whole = run(p, n, max_head, 0);
    verdict pieces = run(p, n, max_head, seed);
    FZ_CHECK(whole.accepted == pieces.accepted && whole.status == pieces.status &&
                 whole.requests == pieces.requests && whole.msg == pieces.msg &&
                 whole.closed == pieces.closed,
             "whole: %zu bytes, status %u, %u requests; in pieces: %zu, %u, %u", whole.accepted,
             whole.status, whole.requests, pieces.accepted, pieces.status, pieces.requests);
    return 0;
}
