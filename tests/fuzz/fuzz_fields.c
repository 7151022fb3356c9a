/*
 * fuzz_fields.c — every field validator and normaliser of src/lead, one
 * chosen by the first byte of the input, the rest being the value:
 *
 *   0 e-mail (li_norm_email), 1 phone in the region the second byte picks
 *   (li_norm_phone_typed, the fast French path and libphonenumber's, which
 *   must agree), 2 text (li_norm_text, both modes), 3 header folding and
 *   matching (li_fold, li_field_by_header[_fuzzy], the header hints),
 *   4 full name split (li__name_split) and kind, 5 name case, 6 country
 *   (li__country_iso, li_region_option), 7 postal code in the country the
 *   second byte picks, 8 a cell of several values (li__cell_pieces) for
 *   e-mail and phone, 9 e-mail domain typo.
 *
 * The value is copied to a buffer of its exact size, so that reading past
 * it is caught by ASan; bytes that are not UTF-8 are read as Windows-1252
 * first, as the reader does (values reach these functions from it), except
 * for li_region_option, which takes an argument of the command line as it is. Checked besides memory: every normaliser is
 * idempotent (a normalised value normalises to itself), outputs are
 * NUL-terminated UTF-8 within their capacity, pieces and split names lie
 * inside their input, a known country's code reads back as itself, and
 * the fast phone path gives libphonenumber's answer whenever it answers.
 */
#include "fuzz_util.h"
#include "lead/leadInt.h"
#include "lead/phonelib.h"
#include "leadimport/date.h"
#include "leadimport/region.h"
#include "leadimport/validate.h"
#include "read/encoding.h"

#define FZ_SELECTORS 10

static const char *const regions[] = {"FR", "BE", "CH", "GB", "US", "DE", "RE", "ZZ", NULL,
                                      "uk", "MC", "LU", "CA", "IT", "ES", "NL"};

static int utf8z(const char *s) {
    return li__utf8_valid((const unsigned char *)s, strlen(s));
}

static void fuzz_email(const char *in, size_t n) {
    char out[512], again[512];
    li_msg m = li_norm_email(in, n, out, sizeof out);
    if (m != LI_MSG_NONE)
        return;
    FZ_CHECK(strlen(out) < sizeof out && utf8z(out), "e-mail out");
    FZ_CHECK(li_norm_email(out, strlen(out), again, sizeof again) == LI_MSG_NONE &&
                 strcmp(out, again) == 0,
             "e-mail not idempotent: \"%s\" -> \"%s\"", out, again);
}

static void fuzz_phone(const char *in, size_t n, const char *region) {
    char out[LI_PHONE_CAP], again[LI_PHONE_CAP], fast[LI_PHONE_CAP], lib[LI_PHONE_CAP];
    li_phone_type t, t2, tf, tl;
    li_msg m = li_norm_phone_typed(in, n, region, out, sizeof out, &t);
    FZ_CHECK(memchr(out, '\0', sizeof out) != NULL, "phone out not terminated");
    if (m == LI_MSG_NONE) {
        FZ_CHECK(out[0] == '+' && t != LI_PHONE_UNKNOWN, "phone \"%s\" type %d", out, (int)t);
        li_msg m2 = li_norm_phone_typed(out, strlen(out), region, again, sizeof again, &t2);
        FZ_CHECK(m2 == LI_MSG_NONE && strcmp(out, again) == 0 && t == t2,
                 "phone not idempotent in %s: \"%s\" -> %s \"%s\"", region ? region : "(null)",
                 out, li_msg_code(m2), again);
    } else {
        FZ_CHECK(out[0] == '\0' && t == LI_PHONE_UNKNOWN, "a refused phone has a value");
    }
    li_msg mf;
    if (li__phone_fast(in, n, region, fast, &tf, &mf)) {
        li_msg ml = li__phone_lib(in, n, region, lib, &tl);
        FZ_CHECK(mf == ml && strcmp(fast, lib) == 0 && (mf != LI_MSG_NONE || tf == tl),
                 "fast path and libphonenumber disagree in %s: %s \"%s\" (%d) / %s \"%s\" (%d)",
                 region ? region : "(null)", li_msg_code(mf), fast, (int)tf, li_msg_code(ml),
                 lib, (int)tl);
    }
}

static void fuzz_text(const char *in, size_t n) {
    char *out = malloc(n + 1), *again = malloc(n + 1);
    if (!out || !again)
        abort();
    for (int mode = 0; mode < 4; mode++) {
        int collapse = mode & 1, keep = mode >> 1;
        size_t k = li_norm_text(in, n, out, collapse, keep);
        FZ_CHECK(k <= n, "text grew from %zu to %zu", n, k);
        size_t k2 = li_norm_text(out, k, again, collapse, keep);
        FZ_CHECK(k2 == k && memcmp(out, again, k) == 0, "text not idempotent (mode %d)", mode);
        int ctrl = 0;
        memcpy(again, in, n);
        size_t k3 = li__norm_text(again, n, again, collapse, keep, &ctrl); /* in place */
        FZ_CHECK(k3 == k && memcmp(out, again, k) == 0, "in place differs (mode %d)", mode);
    }
    free(out);
    free(again);
}

static void fuzz_header(const char *in, size_t n) {
    char folded[256];
    size_t k = li_fold(in, n, folded, sizeof folded);
    FZ_CHECK(k < sizeof folded && strlen(folded) == k, "fold length %zu", k);
    k = li__fold(in, n, folded, sizeof folded, 1);
    FZ_CHECK(k < sizeof folded && strlen(folded) == k, "fold (filler) length %zu", k);
    li_field f = li_field_by_header(in, n);
    FZ_CHECK(f == LI_FIELD_NONE || f == LI_FIELD_FULL_NAME || f == LI_FIELD_IGNORE ||
                 f == LI_FIELD_ASSIGNEE || (f >= 0 && f < LI_FIELD__COUNT),
             "field %d", (int)f);
    unsigned dist = 0;
    const char *syn = NULL;
    li_field g = li_field_by_header_fuzzy(in, n, &dist, &syn);
    if (g != LI_FIELD_NONE)
        FZ_CHECK(syn != NULL && dist <= 2, "fuzzy distance %u", dist);
    int partial = 0;
    (void)li__field_by_header_kind(in, n, &partial);
    (void)li__field_name_hint(in, n);
    (void)li__field_id_kind(in, n);
    (void)li__field_report_column(in, n);
    (void)li_date_header_hint(in, n);
}

static void fuzz_name(const char *in, size_t n) {
    li_slice first = {0}, last = {0};
    li__name_split(in, n, &first, &last);
    FZ_CHECK(first.len == 0 || (first.ptr >= in && first.ptr + first.len <= in + n),
             "first name outside the value");
    FZ_CHECK(last.len == 0 || (last.ptr >= in && last.ptr + last.len <= in + n),
             "last name outside the value");
    FZ_CHECK(li__utf8_valid((const unsigned char *)first.ptr, first.len),
             "split cut a character");
    FZ_CHECK(li__utf8_valid((const unsigned char *)last.ptr, last.len),
             "split cut a character");
    li__name_kind k = li__name_kind_of(in, n);
    FZ_CHECK(k >= LI__NAME_NOT && k <= LI__NAME_TEXT, "kind %d", (int)k);
}

static void fuzz_name_case(const char *in, size_t n) {
    char *s = malloc(n ? n : 1);
    if (!s)
        abort();
    memcpy(s, in, n);
    li__name_case(s, n);
    FZ_CHECK(li__utf8_valid((const unsigned char *)s, n),
             "name case broke UTF-8");
    free(s);
}

static void fuzz_country(const char *in, size_t n, const uint8_t *raw, size_t rawlen) {
    const char *iso = li__country_iso(in, n);
    if (iso) {
        FZ_CHECK(strlen(iso) == 2 && iso[0] >= 'A' && iso[0] <= 'Z' && iso[1] >= 'A' &&
                     iso[1] <= 'Z',
                 "code \"%s\"", iso);
        const char *back = li__country_iso(iso, 2);
        FZ_CHECK(back && strcmp(back, iso) == 0, "code %s reads as %s", iso,
                 back ? back : "(null)");
        const char *name = li_country_name(iso);
        FZ_CHECK(!name || utf8z(name), "name of %s", iso);
    }
    char *z = fz_strndup(raw, rawlen);
    li_region_guess g;
    li_error err;
    if (li_region_option(z, &g, &err) == LI_OK)
        FZ_CHECK(strlen(g.iso) == 2, "region \"%s\"", g.iso);
    else
        FZ_CHECK(utf8z(err.message) || !li__utf8_valid(raw, rawlen), "region message");
    free(z);
}

static void fuzz_postal(const char *in, size_t n, const char *iso) {
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, in, n);
    size_t len = n;
    li_msg m = li__postal_norm(iso, s, &len);
    if (m == LI_MSG_POSTAL_CODE_INVALID) {
        FZ_CHECK(len == n && memcmp(s, in, n) == 0, "an invalid code was changed");
    } else {
        FZ_CHECK(len <= n + 1, "postal code grew to %zu", len);
        char *again = malloc(len + 1);
        if (!again)
            abort();
        memcpy(again, s, len);
        size_t len2 = len;
        li_msg m2 = li__postal_norm(iso, again, &len2);
        FZ_CHECK(m2 == LI_MSG_NONE && len2 == len && memcmp(again, s, len) == 0,
                 "postal code not idempotent in %s: \"%.*s\" -> %s", iso, (int)len, s,
                 li_msg_code(m2));
        free(again);
    }
    free(s);
}

typedef struct piece_ctx {
    const char *buf;
    size_t cap;
    int email;
} piece_ctx;

static int on_piece(const char *piece, size_t len, void *ctx) {
    const piece_ctx *c = ctx;
    FZ_CHECK(piece >= c->buf && piece + len <= c->buf + c->cap, "piece outside its buffer");
    char out[LI_PHONE_CAP > 512 ? LI_PHONE_CAP : 512];
    if (c->email)
        return li_norm_email(piece, len, out, sizeof out) == LI_MSG_NONE;
    return li_norm_phone(piece, len, "FR", out, sizeof out) == LI_MSG_NONE;
}

static void fuzz_pieces(const char *in, size_t n) {
    char *buf = malloc(n ? n : 1);
    if (!buf)
        abort();
    for (int email = 0; email < 2; email++) {
        piece_ctx c = {buf, n, email};
        (void)li__cell_pieces(in, n, email, buf, on_piece, &c);
    }
    free(buf);
}

static void fuzz_domain(const char *in, size_t n) {
    const char *d = li__email_domain_typo(in, n);
    FZ_CHECK(!d || (utf8z(d) && strlen(d) > 0), "domain");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    unsigned sel = data[0] % FZ_SELECTORS;
    const char *region = regions[data[1] % (sizeof regions / sizeof regions[0])];
    char *wide = malloc(3 * size);
    if (!wide)
        abort();
    size_t n = li__utf8_repair(data + 2, size - 2, wide);
    char *in = malloc(n ? n : 1); /* exactly n bytes: no NUL after the value */
    if (!in)
        abort();
    memcpy(in, wide, n);
    free(wide);
    switch (sel) {
    case 0: fuzz_email(in, n); break;
    case 1: fuzz_phone(in, n, region); break;
    case 2: fuzz_text(in, n); break;
    case 3: fuzz_header(in, n); break;
    case 4: fuzz_name(in, n); break;
    case 5: fuzz_name_case(in, n); break;
    case 6: fuzz_country(in, n, data + 2, size - 2); break;
    case 7: fuzz_postal(in, n, region && strlen(region) == 2 ? region : "FR"); break;
    case 8: fuzz_pieces(in, n); break;
    default: fuzz_domain(in, n); break;
    }
    free(in);
    return 0;
}
