/*
 * test_csv_stream.c — the CSV reader over files larger than its buffer:
 * random records (quotes, delimiters and line breaks inside fields, every
 * line ending, blank lines and records of empty fields, multi-byte
 * characters) written the RFC 4180 way
 * in each encoding (and with backslash escapes, as MySQL writes them),
 * read back field for field with exact row numbers and
 * byte offsets; resuming from any li_row.next_offset gives exactly the
 * remaining rows, problem rows included; a field longer than several
 * blocks is read whole.
 */
#include "csv_test_util.h"

/* --- a growable byte buffer and a small random generator ------------------- */

typedef struct bytes {
    char *p;
    size_t n, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n) {
    if (b->cap - b->n < n + 1) {
        while (b->cap - b->n < n + 1)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(bytes *b, const char *s) {
    put(b, s, strlen(s));
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16) % n;
}

/* --- the random file -------------------------------------------------------------- */

enum { ENC_UTF8, ENC_CP1252, ENC_UTF16LE, ENC_UTF16BE };
#define NCOLS 5

typedef struct expect_row {
    uint64_t number, offset, next_offset;
    char *fields[NCOLS];
} expect_row;

typedef struct expect {
    bytes file;
    expect_row *rows;
    size_t n;
} expect;

/* UTF-8 text as the file's encoding. */
static void put_encoded(bytes *file, int enc, const char *text, size_t n) {
    if (enc == ENC_UTF16LE || enc == ENC_UTF16BE) {
        size_t m;
        unsigned char *u = t_utf16(text, n, enc == ENC_UTF16BE, 0, &m);
        put(file, u, m);
        free(u);
        return;
    }
    for (size_t i = 0; i < n;) {
        static const struct {
            const char *utf8;
            char cp1252;
        } map[] = {{"é", '\xE9'}, {"€", '\x80'}, {"œ", '\x9C'}, {"’", '\x92'}};
        size_t k;
        for (k = 0; enc == ENC_CP1252 && k < 4; k++) {
            size_t len = strlen(map[k].utf8);
            if (strncmp(text + i, map[k].utf8, len) == 0) {
                put(file, &map[k].cp1252, 1);
                i += len;
                break;
            }
        }
        if (enc != ENC_CP1252 || k == 4)
            put(file, text + i++, 1);
    }
}

/*
 * 1: fields are written as MySQL and PHP write them, quotes and
 * backslashes escaped with a backslash (\" and \\) inside quotes, and
 * values hold backslashes.
 */
static int g_escape;

/* A random field value, UTF-8. */
static char *random_field(int enc, size_t long_len) {
    static const char *const pieces[] = {"a",  "b",  "Z",  "0", "7", " ", ",", ";", "\t", "|",
                                         "\"", "\r", "\n", "é", "€", "œ", "’", "ʤ", "😀"};
    size_t npieces = enc == ENC_CP1252 ? 17 : 19;
    size_t len = long_len ? long_len : rnd(40) == 0 ? 200 + rnd(2000) : rnd(12);
    bytes b = {0};
    puts_(&b, "");
    for (size_t i = 0; i < len; i++)
        puts_(&b, g_escape && rnd(8) == 0 ? "\\"
                  : rnd(3)                ? pieces[rnd(5)]
                                          : pieces[rnd((uint32_t)npieces)]);
    return b.p;
}

/*
 * Writes a file of about `size` bytes of UTF-8 text in encoding enc with
 * delimiter delim, and what reading it must give. One record may hold a
 * field of long_field bytes.
 */
static void make_file(expect *e, int enc, char delim, size_t size, size_t long_field) {
    memset(e, 0, sizeof *e);
    size_t cap = 0, text_size = 0;
    uint64_t line = 1;
    bytes rec = {0};
    const char *prev_eol = "";
    int header = 1;
    while (text_size < size) {
        /* blank lines: counted, never after a CR if they start with LF */
        for (size_t k = rnd(20) == 0 ? 1 + rnd(2) : 0; k > 0 && !header; k--) {
            const char *eol = (const char *[]){"\n", "\r\n", "\r"}[rnd(3)];
            if (strcmp(prev_eol, "\r") == 0 && eol[0] == '\n')
                eol = "\r\n";
            put_encoded(&e->file, enc, eol, strlen(eol));
            prev_eol = eol;
            line++;
        }
        expect_row *x = NULL;
        if (!header) {
            if (e->n == cap) {
                cap = cap ? cap * 2 : 256;
                e->rows = realloc(e->rows, cap * sizeof *e->rows);
                assert_non_null(e->rows);
            }
            x = &e->rows[e->n++];
            x->number = line;
            x->offset = e->file.n;
        }
        rec.n = 0;
        for (size_t c = 0; c < NCOLS; c++) {
            char *v = header
                          ? strdup((const char *[]){"Nom", "Ville", "Note", "Source", "Pays"}[c])
                          : random_field(enc, long_field && e->n == 3 && c == 2 ? long_field : 0);
            if (c)
                put(&rec, &delim, 1);
            if (strchr(v, delim) || strpbrk(v, "\"\r\n") || (g_escape && strchr(v, '\\')) ||
                rnd(10) == 0) {
                puts_(&rec, "\"");
                for (const char *s = v; *s; s++) {
                    if (*s == '"')
                        puts_(&rec, g_escape ? "\\\"" : "\"\"");
                    else if (*s == '\\' && g_escape)
                        puts_(&rec, "\\\\");
                    else
                        put(&rec, s, 1);
                }
                puts_(&rec, "\"");
            } else {
                puts_(&rec, v);
            }
            if (x)
                x->fields[c] = v;
            else
                free(v);
        }
        if (x) { /* a record of empty fields only is a blank line: counted, no row */
            size_t c = 0;
            while (c < NCOLS && x->fields[c][0] == '\0')
                c++;
            if (c == NCOLS) {
                for (c = 0; c < NCOLS; c++)
                    free(x->fields[c]);
                e->n--;
                x = NULL;
            }
        }
        const char *eol = (const char *[]){"\n", "\r\n", "\r"}[rnd(3)];
        int last = text_size + rec.n >= size;
        if (last && rnd(2))
            eol = ""; /* no line break at the end of the file */
        puts_(&rec, eol);
        put_encoded(&e->file, enc, rec.p, rec.n);
        text_size += rec.n;
        prev_eol = eol;
        line++;
        if (x)
            x->next_offset = e->file.n;
        header = 0;
    }
    free(rec.p);
}

static void expect_free(expect *e) {
    for (size_t i = 0; i < e->n; i++)
        for (size_t c = 0; c < NCOLS; c++)
            free(e->rows[i].fields[c]);
    free(e->rows);
    free(e->file.p);
}

/* t holds exactly rows e->rows[from..] */
static void check_rows(const t_read *t, const expect *e, size_t from) {
    t_assert_ok(t);
    if (t->n != e->n - from)
        fail_msg("%zu rows read, %zu expected", t->n, e->n - from);
    for (size_t i = 0; i < t->n; i++) {
        const t_row *g = &t->rows[i];
        const expect_row *x = &e->rows[from + i];
        if (g->problem != LI_MSG_NONE)
            fail_msg("row %llu: %s", (unsigned long long)g->number, g->problem_text);
        assert_int_equal(g->number, x->number);
        assert_int_equal(g->offset, x->offset);
        assert_int_equal(g->next_offset, x->next_offset);
        assert_int_equal(g->nfields, NCOLS);
        for (size_t c = 0; c < NCOLS; c++)
            if (strcmp(g->fields[c], x->fields[c]) != 0)
                fail_msg("row %llu field %zu: «%.60s» instead of «%.60s»",
                         (unsigned long long)g->number, c, g->fields[c], x->fields[c]);
    }
}

static void round_trip(int enc, const char *encoding, char delim, uint64_t seed,
                       size_t long_field) {
    rng_state = seed;
    expect e;
    make_file(&e, enc, delim, 3u * 1024u * 1024u, long_field);
    const char *path = t_write("stream.csv", e.file.p, e.file.n);
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.encoding = encoding;
    o.delimiter = delim;
    o.header = 1;
    if (long_field)
        o.max_field = o.max_row = 2 * long_field;
    t_read t;
    t_read_file(path, &o, &t);
    check_rows(&t, &e, 0);
    assert_int_equal(t.info.escape, g_escape ? '\\' : 0); /* detected, never by mistake */
    assert_string_equal(t.header, "Nom|Ville|Note|Source|Pays");
    assert_int_equal(t.position, e.file.n);
    t_read_free(&t);

    /* resuming after any row gives the rows that follow, numbered alike */
    for (int k = 0; k < 12; k++) {
        size_t i = k == 0 ? e.n - 1 : rnd((uint32_t)e.n);
        o.resume_offset = e.rows[i].next_offset;
        o.resume_row = e.rows[i].number + 1;
        t_read_file(path, &o, &t);
        check_rows(&t, &e, i + 1);
        t_read_free(&t);
    }
    expect_free(&e);
}

static void test_stream_round_trip_utf8(void **state) {
    (void)state;
    round_trip(ENC_UTF8, NULL, ',', 11, 0);
}

static void test_stream_round_trip_windows_1252(void **state) {
    (void)state;
    round_trip(ENC_CP1252, "windows-1252", ';', 12, 0);
}

static void test_stream_round_trip_utf16le(void **state) {
    (void)state;
    round_trip(ENC_UTF16LE, "utf-16le", '\t', 13, 0);
}

static void test_stream_round_trip_utf16be(void **state) {
    (void)state;
    round_trip(ENC_UTF16BE, "utf-16be", '|', 14, 0);
}

/* Backslash-escaped quotes (MySQL, PHP), detected, across buffer boundaries and resumes. */
static void test_stream_round_trip_backslash_escapes(void **state) {
    (void)state;
    g_escape = 1;
    round_trip(ENC_UTF8, NULL, ';', 17, 0);
    round_trip(ENC_UTF16LE, "utf-16le", ',', 19, 0);
    g_escape = 0;
}

static void test_field_longer_than_several_blocks_is_read_whole(void **state) {
    (void)state;
    round_trip(ENC_UTF8, NULL, ',', 15, 1500000);
    round_trip(ENC_UTF16LE, "utf-16le", ';', 16, 1500000);
}

/* --- resuming around problem rows ---------------------------------------------- */

static const char problem_file[] =
    "Nom,Ville,Note\r\n"
    "Dupont,Paris,\"deux\r\nlignes\"\r\n"
    "\r\n"
    "Martin,\"Lyon,x\r\n" /* no quote within max_row: unterminated, resynchronised */
    "Durand,Nice,ok\r\n"
    "Petit,Brest\r\n" /* field count */
    "Long,yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy,"
    "\"q\r\nq\"\r\n" /* over max_row */
    "\r\n\r\n"
    "Roux,Nîmes,\"un \"\"mot\"\"\"\r\n"
    "Blanc,Vannes,a\"b\r\n" /* stray quote */
    "Fin,Lille,\"é\"";

static void check_resume_everywhere(const void *data, size_t n, const li_reader_opts *base) {
    const char *path = t_write("resume.csv", data, n);
    t_read all;
    t_read_file(path, base, &all);
    t_assert_ok(&all);
    assert_true(all.n > 0);
    for (size_t k = 0; k < all.n; k++) {
        for (int at_start = 0; at_start < 2; at_start++) {
            li_reader_opts o = *base;
            o.resume_offset = at_start ? all.rows[k].offset : all.rows[k].next_offset;
            o.resume_row = at_start ? all.rows[k].number : all.rows[k].number + 1;
            size_t from = at_start ? k : k + 1;
            t_read t;
            t_read_file(path, &o, &t);
            t_assert_ok(&t);
            assert_int_equal(t.n, all.n - from);
            for (size_t i = 0; i < t.n; i++) {
                const t_row *a = &all.rows[from + i], *b = &t.rows[i];
                assert_int_equal(b->number, a->number);
                assert_int_equal(b->offset, a->offset);
                assert_int_equal(b->next_offset, a->next_offset);
                assert_int_equal(b->problem, a->problem);
                assert_string_equal(b->joined, a->joined);
            }
            t_read_free(&t);
        }
    }
    t_read_free(&all);
}

static void test_resume_around_problem_rows_gives_remaining_rows(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    t_read t;
    t_read_str(problem_file, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 8);
    t_assert_row(&t, 0, 2, "Dupont|Paris|deux\r\nlignes", LI_MSG_NONE);
    t_assert_row(&t, 1, 4, "Martin|Lyon,x", LI_MSG_ROW_UNTERMINATED_QUOTE);
    t_assert_row(&t, 2, 5, "Durand|Nice|ok", LI_MSG_NONE);
    t_assert_row(&t, 3, 6, "Petit|Brest", LI_MSG_ROW_FIELD_COUNT);
    assert_int_equal(t.rows[4].number, 7);
    assert_int_equal(t.rows[4].problem, LI_MSG_ROW_TOO_LONG);
    t_assert_row(&t, 5, 10, "Roux|Nîmes|un \"mot\"", LI_MSG_NONE);
    t_assert_row(&t, 6, 11, "Blanc|Vannes|a\"b", LI_MSG_ROW_STRAY_QUOTE);
    t_assert_row(&t, 7, 12, "Fin|Lille|é", LI_MSG_NONE);
    t_read_free(&t);

    check_resume_everywhere(problem_file, strlen(problem_file), &o);
    char bom[sizeof problem_file + 3] = "\xEF\xBB\xBF";
    memcpy(bom + 3, problem_file, sizeof problem_file);
    check_resume_everywhere(bom, strlen(bom), &o);
    size_t n;
    unsigned char *u16 = t_utf16(problem_file, strlen(problem_file), 0, 1, &n);
    check_resume_everywhere(u16, n, &o);
    free(u16);
}

/*
 * Long quoted cells (closed more than max_row bytes after their row's
 * start, lines and all) and stray quotes far from any close: one row each,
 * and resuming from any row gives the same rows, numbers and offsets, in
 * UTF-8, after a BOM and in UTF-16 (where offsets are recomputed).
 */
static const char long_cells_file[] =
    "Nom,Ville,Notes\r\n"
    "Dupont,Paris,\"une\r\nnote\r\nde\r\nplusieurs\r\nlignes\r\net\r\nassez\r\nlongue\r\npour\r\n"
    "passer\r\nla\r\nlimite, \"\"vraiment\"\"\"\r\n" /* field too long, lines not rows */
    "Martin,Lyon,court\r\n"
    "Durand,\"Nice\r\n" /* stray: closed by the opening quote of a later field */
    "Petit,Brest,x\r\n"
    "Roux,Nîmes,y\r\n"
    "Blanc,Vannes,z\r\n"
    "Morel,Metz,\"ouvre ici\r\n"
    "Fin,Lille,é\r\n";

static void test_resume_around_long_quoted_cells(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 48;
    t_read t;
    t_read_str(long_cells_file, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 8);
    assert_int_equal(t.rows[0].number, 2);
    assert_int_equal(t.rows[0].problem, LI_MSG_ROW_FIELD_TOO_LONG);
    t_assert_row(&t, 1, 3, "Martin|Lyon|court", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "Durand|Nice", LI_MSG_ROW_UNTERMINATED_QUOTE);
    t_assert_row(&t, 3, 5, "Petit|Brest|x", LI_MSG_NONE);
    t_assert_row(&t, 4, 6, "Roux|Nîmes|y", LI_MSG_NONE);
    t_assert_row(&t, 5, 7, "Blanc|Vannes|z", LI_MSG_NONE);
    /* the last quote closes nowhere: a stray quote, its first line is its row */
    t_assert_row(&t, 6, 8, "Morel|Metz|ouvre ici", LI_MSG_ROW_UNTERMINATED_QUOTE);
    t_assert_row(&t, 7, 9, "Fin|Lille|é", LI_MSG_NONE);
    t_read_free(&t);

    check_resume_everywhere(long_cells_file, strlen(long_cells_file), &o);
    char bom[sizeof long_cells_file + 3] = "\xEF\xBB\xBF";
    memcpy(bom + 3, long_cells_file, sizeof long_cells_file);
    check_resume_everywhere(bom, strlen(bom), &o);
    size_t n;
    unsigned char *u16 = t_utf16(long_cells_file, strlen(long_cells_file), 0, 1, &n);
    check_resume_everywhere(u16, n, &o);
    free(u16);
}

static void test_resume_without_header_gives_remaining_rows(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 0;
    const char *text = "1,2,3\n4,5,6\n\n7,8\n9,10,11\n";
    check_resume_everywhere(text, strlen(text), &o);
    t_read t;
    o.resume_offset = 6; /* after the first row: the expected count is still the first row's */
    o.resume_row = 2;
    t_read_str(text, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 2, "4|5|6", LI_MSG_NONE);
    t_assert_row(&t, 1, 4, "7|8", LI_MSG_ROW_FIELD_COUNT);
    t_read_free(&t);
}

static int teardown_all(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_round_trip_utf8),
        cmocka_unit_test(test_stream_round_trip_windows_1252),
        cmocka_unit_test(test_stream_round_trip_utf16le),
        cmocka_unit_test(test_stream_round_trip_utf16be),
        cmocka_unit_test(test_stream_round_trip_backslash_escapes),
        cmocka_unit_test(test_field_longer_than_several_blocks_is_read_whole),
        cmocka_unit_test(test_resume_around_problem_rows_gives_remaining_rows),
        cmocka_unit_test(test_resume_around_long_quoted_cells),
        cmocka_unit_test(test_resume_without_header_gives_remaining_rows),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
