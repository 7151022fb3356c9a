/*
 * fuzz_date.c — the date parser: li_norm_date() in each order,
 * li_norm_date_serial() in both date systems, and a column analyser fed
 * with the values of the input.
 *
 * Input: one option byte (bit 0: the column has a date header hint, bit 1:
 * the 1904 system), then values separated by '\n'.
 * Checked: a date read is NUL-terminated ISO 8601 within LI_DATE_CAP
 * ("YYYY-MM-DD", optionally " HH:MM:SS" and a zone) with a year in
 * 1900-2100; a refused value leaves out empty; li_norm_date() of an output
 * gives the same output (date.h: idempotent); the verdict's counts add up.
 */
#include "fuzz_util.h"
#include "leadimport/date.h"

static int digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void check_iso(const char *out, const char *in, size_t n) {
    size_t len = strlen(out);
    FZ_CHECK(len >= 10 && len < LI_DATE_CAP, "\"%.*s\" -> \"%s\"", (int)n, in, out);
    FZ_CHECK(digits(out, 4) && out[4] == '-' && digits(out + 5, 2) && out[7] == '-' &&
                 digits(out + 8, 2),
             "\"%.*s\" -> \"%s\"", (int)n, in, out);
    int year = (out[0] - '0') * 1000 + (out[1] - '0') * 100 + (out[2] - '0') * 10 + out[3] - '0';
    FZ_CHECK(year >= 1900 && year <= 2100, "year %d from \"%.*s\"", year, (int)n, in);
    if (len > 10)
        FZ_CHECK(out[10] == ' ' && len >= 19 && digits(out + 11, 2) && out[13] == ':' &&
                     digits(out + 14, 2) && out[16] == ':' && digits(out + 17, 2),
                 "\"%.*s\" -> \"%s\"", (int)n, in, out);
}

static void one_value(const char *v, size_t n, int date1904, li_date_col *col) {
    char out[LI_DATE_CAP], again[LI_DATE_CAP];
    for (int order = LI_DATE_DMY; order <= LI_DATE_YMD; order++) {
        li_msg m = li_norm_date(v, n, (li_date_order)order, out, sizeof out);
        if (m == LI_MSG_DATE_INVALID || m == LI_MSG_DATE_OUT_OF_RANGE) {
            FZ_CHECK(out[0] == '\0', "refused \"%.*s\" left \"%s\"", (int)n, v, out);
            continue;
        }
        FZ_CHECK(m == LI_MSG_NONE || m == LI_MSG_DATE_ORDER_CONFLICT ||
                     m == LI_MSG_DATE_AMBIGUOUS,
                 "\"%.*s\": %s", (int)n, v, li_msg_code(m));
        check_iso(out, v, n);
        li_msg m2 = li_norm_date(out, strlen(out), (li_date_order)order, again, sizeof again);
        FZ_CHECK(m2 == LI_MSG_NONE && strcmp(out, again) == 0,
                 "not idempotent: \"%.*s\" -> \"%s\" -> %s \"%s\"", (int)n, v, out,
                 li_msg_code(m2), again);
    }
    FZ_CHECK(li_norm_date(v, n, LI_DATE_DMY, out, LI_DATE_CAP - 1) == LI_MSG_INTERNAL,
             "a short buffer was accepted");
    li_msg m = li_norm_date_serial(v, n, date1904, out, sizeof out);
    if (m == LI_MSG_NONE)
        check_iso(out, v, n);
    else
        FZ_CHECK(out[0] == '\0', "refused serial \"%.*s\" left \"%s\"", (int)n, v, out);
    li_date_col_feed(col, v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    li_date_col col;
    li_date_col_init(&col, data[0] & 1);
    size_t start = 1;
    for (size_t i = 1; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            size_t n = i - start;
            char *v = malloc(n ? n : 1); /* exactly n bytes, as a reader's field */
            if (!v)
                abort();
            memcpy(v, data + start, n);
            one_value(v, n, (data[0] >> 1) & 1, &col);
            free(v);
            start = i + 1;
        }
    }
    (void)li_date_col_settled(&col);
    li_date_verdict vd;
    li_date_col_verdict(&col, &vd);
    FZ_CHECK(vd.dates <= vd.values && vd.dmy + vd.mdy + vd.ambiguous <= vd.dates &&
                 vd.against <= vd.dates,
             "counts: values %llu dates %llu dmy %llu mdy %llu ambiguous %llu against %llu",
             (unsigned long long)vd.values, (unsigned long long)vd.dates,
             (unsigned long long)vd.dmy, (unsigned long long)vd.mdy,
             (unsigned long long)vd.ambiguous, (unsigned long long)vd.against);
    FZ_CHECK(memchr(vd.ambiguous_reading, '\0', sizeof vd.ambiguous_reading) != NULL,
             "reading not terminated");
    (void)li_date_order_label(vd.order);
    return 0;
}
