/*
 * fuzz_xmlscan.c — the XML scanner of the sheet and the shared strings
 * (src/read/xmlscan.c), on its own: much faster than through a zip.
 *
 * Input: one option byte (bits 0-2: the second read's chunk size, 1 to 8
 * bytes; bits 3-7: its block size, 32 + 8 * k bytes), then the XML.
 * Checked: the document is scanned twice, fed whole and fed in small
 * chunks with small blocks (text then comes in pieces), and both give the same tokens (names, attributes, offsets, text
 * joined between tags), the same status and the same message; every
 * token's offsets grow; names are never empty and END names the element
 * its START opened; text and attribute values are valid UTF-8 without the
 * control characters XML forbids; a failure is LI_EFORMAT with a message.
 */
#include "fuzz_util.h"
#include "read/encoding.h"
#include "read/xmlscan.h"

typedef struct mem_src {
    const uint8_t *p;
    size_t n, at, chunk;
} mem_src;

static li_status mem_read(void *src, void *buf, size_t n, size_t *got, li_error *err) {
    (void)err;
    mem_src *m = src;
    size_t k = m->n - m->at;
    if (k > n)
        k = n;
    if (m->chunk && k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->p + m->at, k);
    m->at += k;
    *got = k;
    return LI_OK;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

static void check_chars(const char *s, size_t n) {
    FZ_CHECK(li__utf8_valid((const unsigned char *)s, n), "not UTF-8: %.*s", (int)n, s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        FZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\r', "control byte %02x", c);
    }
}

typedef struct result {
    uint64_t digest;
    li_status rc;
    char message[LI_ERROR_MAX];
} result;

static void scan(const uint8_t *data, size_t size, size_t chunk, size_t block, result *out) {
    mem_src m = {data, size, 0, chunk};
    li__xs x;
    li_error err;
    memset(&err, 0, sizeof err);
    uint64_t h = UINT64_C(14695981039346656037), last = 0;
    /* the open elements' local names, to check END against */
    static char stack[LI__XS_MAX_DEPTH][64];
    size_t depth = 0;
    li_status rc = li__xs_init(&x, mem_read, &m, "in.xlsx", "part.xml", &err);
    if (block)
        li__xs_set_block(&x, block);
    while (rc == LI_OK && (rc = li__xs_next(&x, &err)) == LI_OK && x.kind != LI__XS_EOF) {
        FZ_CHECK(x.start >= last && x.end >= x.start, "offsets %llu-%llu after %llu",
                 (unsigned long long)x.start, (unsigned long long)x.end,
                 (unsigned long long)last);
        last = x.kind == LI__XS_TEXT ? x.start : x.end;
        if (x.kind == LI__XS_TEXT) {
            check_chars(x.text, x.text_len);
            h = fnv(h, x.text, x.text_len); /* pieces joined: where they are cut may differ */
            continue;
        }
        uint32_t head[2] = {(uint32_t)x.kind, (uint32_t)x.name_len};
        h = fnv(h, head, sizeof head);
        h = fnv(h, x.name, x.name_len);
        h = fnv(h, &x.start, sizeof x.start);
        h = fnv(h, &x.end, sizeof x.end);
        FZ_CHECK(x.name_len > 0, "empty name");
        char local[64];
        snprintf(local, sizeof local, "%.*s", (int)x.name_len, x.name);
        if (x.kind == LI__XS_START) {
            for (size_t i = 0; i < x.nattrs; i++) {
                check_chars(x.attrs[i].value, x.attrs[i].value_len);
                h = fnv(h, x.attrs[i].qname, x.attrs[i].qname_len);
                h = fnv(h, "=", 1);
                h = fnv(h, x.attrs[i].value, x.attrs[i].value_len);
            }
            FZ_CHECK(depth < LI__XS_MAX_DEPTH, "depth %zu", depth);
            memcpy(stack[depth++], local, sizeof local);
        } else {
            FZ_CHECK(depth > 0 && strcmp(stack[depth - 1], local) == 0, "</%s> closes <%s>",
                     local, depth ? stack[depth - 1] : "");
            depth--;
        }
    }
    if (rc == LI_OK)
        FZ_CHECK(depth == 0, "the end with %zu elements open", depth);
    else
        FZ_CHECK(rc == LI_EFORMAT && err.message[0], "status %d: %s", rc, err.message);
    li__xs_free(&x);
    out->digest = h;
    out->rc = rc;
    snprintf(out->message, sizeof out->message, "%s", rc == LI_OK ? "" : err.message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 7) + 1, block = 32 + 8 * (size_t)(data[0] >> 3);
    static result whole, chunked;
    scan(data + 1, size - 1, 0, 0, &whole);
    scan(data + 1, size - 1, chunk, block, &chunked);
    FZ_CHECK(whole.rc == chunked.rc && strcmp(whole.message, chunked.message) == 0,
             "whole: %d %s / by %zu: %d %s", whole.rc, whole.message, chunk, chunked.rc,
             chunked.message);
    if (whole.rc == LI_OK)
        FZ_CHECK(whole.digest == chunked.digest, "tokens differ when fed by %zu bytes", chunk);
    return 0;
}
