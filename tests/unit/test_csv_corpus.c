/*
 * test_csv_corpus.c — the CSV reader against public corpora kept outside the
 * repository (../shared/corpora, or $LI_SHARED_DIR/corpora):
 *
 *   - csv-spectrum: every case, including extra-unmerged/, is read with
 *     everything detected and compared with its .json expectation (an array
 *     of objects keyed by the header, parsed by the small JSON reader below);
 *   - csvlint: its fixtures for line endings, invalid encoding, stray quotes,
 *     blank rows and a title row, and an .xlsx sent as CSV;
 *   - W3C CSVW: the parsing cases that need no dialect of their own (simple,
 *     quoted, surrounding spaces, no header, blank rows, ragged rows),
 *     compared cell for cell and row number for row number with the
 *     expected JSON (read with jansson).
 *
 * When the corpora are absent (a fresh clone), each test says so and is
 * skipped.
 */
#include <sys/stat.h>

#include <jansson.h>

#include "csv_test_util.h"

/* --- where the corpora are ---------------------------------------------------- */

static const char *corpus_dir(const char *name) {
    static char path[1024];
    const char *shared = getenv("LI_SHARED_DIR");
    if (shared && *shared)
        snprintf(path, sizeof path, "%s/corpora/%s", shared, name);
    else
        snprintf(path, sizeof path, "%s/../shared/corpora/%s", LI_SOURCE_DIR, name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("[  SKIP    ] corpus %s not found at %s (set LI_SHARED_DIR to the folder that "
               "holds corpora/)\n",
               name, path);
        return NULL;
    }
    return path;
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            data = realloc(data, cap + 1);
            assert_non_null(data);
        }
        size_t k = fread(data + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    fclose(f);
    data[len] = '\0';
    *n = len;
    return data;
}

/* --- a JSON reader for arrays of objects whose values are strings ------------------ */

typedef struct jobj {
    size_t n;
    char *key[64];
    char *val[64];
} jobj;

typedef struct jdoc {
    size_t n;
    jobj obj[64];
} jdoc;

static void jws(const char **s) {
    while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')
        (*s)++;
}

static void jput(char **o, unsigned cp) {
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xC0 | cp >> 6);
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xE0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)u;
}

static unsigned jhex4(const char **s) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *(*s)++;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d == 16)
            fail_msg("JSON: bad \\u escape");
        v = v << 4 | d;
    }
    return v;
}

/* A JSON string at *s (which points at its opening quote), malloc'd as UTF-8. */
static char *jstring(const char **s) {
    if (**s != '"')
        fail_msg("JSON: string expected at «%.20s»", *s);
    (*s)++;
    char *out = malloc(strlen(*s) + 1), *o = out;
    assert_non_null(out);
    while (**s != '"') {
        char c = *(*s)++;
        if (c == '\0')
            fail_msg("JSON: unterminated string");
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        c = *(*s)++;
        switch (c) {
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'u': {
            unsigned cp = jhex4(s);
            if (cp >= 0xD800 && cp <= 0xDBFF && (*s)[0] == '\\' && (*s)[1] == 'u') {
                *s += 2;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (jhex4(s) - 0xDC00);
            }
            jput(&o, cp);
            break;
        }
        default:
            *o++ = c;
            break; /* \" \\ \/ */
        }
    }
    (*s)++;
    *o = '\0';
    return out;
}

static void jobject(const char **s, jobj *ob) {
    ob->n = 0;
    (*s)++; /* { */
    jws(s);
    while (**s != '}') {
        assert_true(ob->n < 64);
        ob->key[ob->n] = jstring(s);
        jws(s);
        if (*(*s)++ != ':')
            fail_msg("JSON: ':' expected");
        jws(s);
        ob->val[ob->n++] = jstring(s);
        jws(s);
        if (**s == ',')
            (*s)++;
        jws(s);
    }
    (*s)++;
}

/* Parses an array of objects of strings, or one such object alone (as upstream's
 * location_coordinates.json). */
static void jparse(const char *s, jdoc *d) {
    d->n = 0;
    jws(&s);
    if (*s == '{') {
        jobject(&s, &d->obj[d->n++]);
        return;
    }
    if (*s++ != '[')
        fail_msg("JSON: array expected");
    jws(&s);
    while (*s != ']') {
        assert_true(d->n < 64);
        if (*s != '{')
            fail_msg("JSON: object expected at «%.20s»", s);
        jobject(&s, &d->obj[d->n++]);
        jws(&s);
        if (*s == ',')
            s++;
        jws(&s);
    }
}

static void jdoc_free(jdoc *d) {
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < d->obj[i].n; j++) {
            free(d->obj[i].key[j]);
            free(d->obj[i].val[j]);
        }
}

/* --- csv-spectrum --------------------------------------------------------------- */

/*
 * Where our expectation differs from upstream's .json, on purpose. Each
 * entry says why; the comparison still reads every other value.
 */
static const struct {
    const char *name;
    size_t row; /* 0-based data row */
    const char *key, *value, *why;
} spectrum_deviations[] = {
    {"location_coordinates", 0, "Contact Phone Number", "2095257564",
     "upstream's JSON has a phone number (1234567890) that is not the one in the CSV"},
    {"null", 2, "b", "NULL",
     "an unquoted NULL is text: leadimport never turns a value into an empty one"},
};

static void check_spectrum_case(const char *sub, const char *name) {
    const char *dir = corpus_dir("csv-spectrum");
    if (!dir) {
        skip();
        return;
    }
    char csv_path[1200], json_path[1200];
    snprintf(csv_path, sizeof csv_path, "%s/%scsvs/%s.csv", dir, sub, name);
    snprintf(json_path, sizeof json_path, "%s/%sjson/%s.json", dir, sub, name);
    size_t n;
    char *json = slurp(json_path, &n);
    jdoc *doc = calloc(1, sizeof *doc);
    assert_non_null(doc);
    jparse(json, doc);

    t_read t;
    t_read_file(csv_path, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 1);
    assert_int_equal(t.info.delimiter, ',');
    if (t.n != doc->n)
        fail_msg("%s: %zu rows, %zu in the JSON", name, t.n, doc->n);
    for (size_t i = 0; i < t.n; i++) {
        const t_row *row = &t.rows[i];
        const jobj *ob = &doc->obj[i];
        if (li_msg_severity(row->problem) == LI_SEV_ERROR)
            fail_msg("%s row %zu: %s", name, i, row->problem_text);
        assert_int_equal(row->nfields, ob->n);
        for (size_t k = 0; k < ob->n; k++) {
            /* the column of key k, by the header's names */
            size_t col = t.nheader;
            for (size_t h = 0; h < t.nheader; h++)
                if (strcmp(t.hfields[h], ob->key[k]) == 0)
                    col = h;
            if (col >= row->nfields)
                fail_msg("%s: no column «%s» in header «%s»", name, ob->key[k], t.header);
            const char *want = ob->val[k];
            for (size_t d = 0; d < sizeof spectrum_deviations / sizeof spectrum_deviations[0]; d++)
                if (strcmp(spectrum_deviations[d].name, name) == 0 &&
                    spectrum_deviations[d].row == i &&
                    strcmp(spectrum_deviations[d].key, ob->key[k]) == 0) {
                    printf("[  NOTE    ] %s row %zu «%s»: expecting «%s» (upstream «%s»): %s\n",
                           name, i, ob->key[k], spectrum_deviations[d].value, want,
                           spectrum_deviations[d].why);
                    want = spectrum_deviations[d].value;
                }
            if (strcmp(row->fields[col], want) != 0)
                fail_msg("%s row %zu «%s»: got «%s», expected «%s»", name, i, ob->key[k],
                         row->fields[col], want);
        }
    }
    t_read_free(&t);
    jdoc_free(doc);
    free(doc);
    free(json);
}

#define SPECTRUM(sub, name)                                                                        \
    static void test_spectrum_##name(void **state) {                                               \
        (void)state;                                                                               \
        check_spectrum_case(sub, #name);                                                           \
    }
SPECTRUM("", comma_in_quotes)
SPECTRUM("", empty)
SPECTRUM("", empty_crlf)
SPECTRUM("", escaped_quotes)
SPECTRUM("", json)
SPECTRUM("", location_coordinates)
SPECTRUM("", newlines)
SPECTRUM("", newlines_crlf)
SPECTRUM("", quotes_and_newlines)
SPECTRUM("", simple)
SPECTRUM("", simple_crlf)
SPECTRUM("", utf8)
SPECTRUM("extra-unmerged/", newlines_cr)
SPECTRUM("extra-unmerged/", null)

/* Every .csv of the corpus has its test above: a new case cannot go unnoticed. */
static void test_spectrum_every_case_is_tested(void **state) {
    (void)state;
    static const char *const known[] = {
        "comma_in_quotes.csv", "empty.csv",         "empty_crlf.csv",
        "escaped_quotes.csv",  "json.csv",          "location_coordinates.csv",
        "newlines.csv",        "newlines_crlf.csv", "quotes_and_newlines.csv",
        "simple.csv",          "simple_crlf.csv",   "utf8.csv",
        "newlines_cr.csv",     "null.csv",
    };
    const char *dir = corpus_dir("csv-spectrum");
    if (!dir) {
        skip();
        return;
    }
    static const char *const subs[] = {"csvs", "extra-unmerged/csvs"};
    size_t seen = 0;
    for (size_t s = 0; s < 2; s++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, subs[s]);
        DIR *d = opendir(path);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strstr(e->d_name, ".csv"))
                continue;
            int found = 0;
            for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
                found |= strcmp(known[k], e->d_name) == 0;
            if (!found)
                fail_msg("csv-spectrum case %s/%s has no test", subs[s], e->d_name);
            seen++;
        }
        closedir(d);
    }
    assert_int_equal(seen, sizeof known / sizeof known[0]);
}

/* --- csvlint fixtures ------------------------------------------------------------ */

static int csvlint_read(const char *file, t_read *t) {
    const char *dir = corpus_dir("csvlint");
    if (!dir)
        return 0;
    char path[1200];
    snprintf(path, sizeof path, "%s/fixtures/%s", dir, file);
    t_read_file(path, NULL, t);
    return 1;
}

static void test_csvlint_line_endings(void **state) {
    (void)state;
    static const char *const files[] = {
        "lf-line-endings.csv",
        "crlf-line-endings.csv",
        "cr-line-endings.csv",
        "inconsistent-line-endings.csv",
        "inconsistent-line-endings-unquoted.csv",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        t_read t;
        if (!csvlint_read(files[i], &t)) {
            skip();
            return;
        }
        t_assert_ok(&t);
        assert_int_equal(t.n, 2);
        t_assert_row(&t, 0, 2, "Biff|Baff|Boff", LI_MSG_NONE);
        t_assert_row(&t, 1, 3, "Qux|Teaspoon|Doge", LI_MSG_NONE);
        t_read_free(&t);
    }
}

static void test_csvlint_invalid_encoding_read_as_windows_1252(void **state) {
    (void)state;
    t_read t;
    if (!csvlint_read("invalid-byte-sequence.csv", &t)) {
        skip();
        return;
    }
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    assert_non_null(strstr(t.header, "Histórico"));
    assert_non_null(strstr(t.rows[2].joined, "Depósito COMPE"));
    for (size_t i = 0; i < t.n; i++)
        assert_int_equal(t.rows[i].problem, LI_MSG_NONE);
    t_read_free(&t);
}

static void test_csvlint_stray_quote_and_blank_row(void **state) {
    (void)state;
    t_read t;
    if (!csvlint_read("invalid_many_rows.csv", &t)) {
        skip();
        return;
    }
    t_assert_ok(&t);
    assert_int_equal(t.n, 9);
    t_assert_row(&t, 2, 4, "1|2|3\" \"", LI_MSG_ROW_STRAY_QUOTE); /* "1","2","3" " */
    t_assert_row(&t, 5, 7, "3|2|1", LI_MSG_NONE);
    t_assert_row(&t, 6, 9, "3|2|1", LI_MSG_NONE); /* row 8 is blank */
    t_assert_row(&t, 7, 10, "3|2|1", LI_MSG_NONE);
    t_assert_row(&t, 8, 12, "3|2|1", LI_MSG_NONE); /* row 11, "","","", is blank too */
    t_read_free(&t);
}

/*
 * csvlint warns about a title row ("This is a title row",,) above the
 * header: we skip it, count it, and read the header below it.
 */
static void test_csvlint_title_row_skipped(void **state) {
    (void)state;
    t_read t;
    if (!csvlint_read("title-row.csv", &t)) {
        skip();
        return;
    }
    t_assert_ok(&t);
    assert_string_equal(t.header, "Foo|Bsr|Baz");
    assert_int_equal(t.info.header_row, 2);
    assert_int_equal(t.info.skipped_rows, 1);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 3, "Biff|Baff|Boff", LI_MSG_NONE);
    t_assert_row(&t, 1, 4, "Qux|Teaspoon|Doge", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_csvlint_xlsx_read(void **state) {
    (void)state;
    t_read t;
    if (!csvlint_read("spreadsheet.xlsx", &t)) {
        skip();
        return;
    }
    t_assert_ok(&t); /* an XLSX in a CSV corpus: read by the xlsx backend */
    assert_string_equal(t.info.format, "xlsx");
    assert_string_equal(t.header, "a|b|c");
    assert_int_equal(t.n, 0);
    t_read_free(&t);
}

/* --- W3C CSVW ------------------------------------------------------------------ */

/*
 * The columns of a CSVW case: from its <name>-metadata.json when it has one
 * (the key of a column is its name, else its title; a column with a
 * datatype is typed by the metadata, so its expected value is not the text
 * and is not compared), else from the header row, else "_col.N".
 */
typedef struct csvw_cols {
    size_t n;
    char key[16][64];
    int typed[16];
} csvw_cols;

static void csvw_columns(const char *dir, const char *name, const t_read *t, csvw_cols *c) {
    char path[1200];
    snprintf(path, sizeof path, "%s/tests/%s-metadata.json", dir, name);
    memset(c, 0, sizeof *c);
    json_t *meta = json_load_file(path, 0, NULL);
    json_t *cols = json_object_get(json_object_get(meta, "tableSchema"), "columns");
    size_t width = cols ? json_array_size(cols) : t->nheader ? t->nheader : t->info.columns;
    assert_true(width <= 16);
    c->n = width;
    for (size_t i = 0; i < width; i++) {
        json_t *col = json_array_get(cols, i);
        const char *key = json_string_value(json_object_get(col, "name"));
        if (!key)
            key = json_string_value(json_object_get(col, "titles"));
        c->typed[i] = json_object_get(col, "datatype") != NULL;
        if (key)
            snprintf(c->key[i], sizeof c->key[i], "%s", key);
        else if (t->nheader)
            snprintf(c->key[i], sizeof c->key[i], "%s", t->hfields[i]);
        else
            snprintf(c->key[i], sizeof c->key[i], "_col.%zu", i + 1);
    }
    json_decref(meta);
}

/*
 * tests/<name>.csv read with everything detected gives the rows of
 * tests/<name>.json (tables[0].row[]): same source row numbers (its
 * "#row=N" is the line number, as ours), same cells.
 */
static void check_csvw_case(const char *name, int has_header) {
    const char *dir = corpus_dir("w3c-csvw");
    if (!dir) {
        skip();
        return;
    }
    char csv_path[1200], json_path[1200];
    snprintf(csv_path, sizeof csv_path, "%s/tests/%s.csv", dir, name);
    snprintf(json_path, sizeof json_path, "%s/tests/%s.json", dir, name);
    json_error_t jerr;
    json_t *doc = json_load_file(json_path, 0, &jerr);
    if (!doc)
        fail_msg("%s: %s", json_path, jerr.text);
    json_t *rows = json_object_get(json_array_get(json_object_get(doc, "tables"), 0), "row");
    assert_true(json_is_array(rows));

    t_read t;
    t_read_file(csv_path, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, has_header);
    csvw_cols cols;
    csvw_columns(dir, name, &t, &cols);
    if (t.n != json_array_size(rows))
        fail_msg("%s: %zu rows, %zu in the JSON", name, t.n, json_array_size(rows));
    for (size_t i = 0; i < t.n; i++) {
        json_t *row = json_array_get(rows, i);
        const char *url = json_string_value(json_object_get(row, "url"));
        const char *at = url ? strstr(url, "#row=") : NULL;
        assert_non_null(at);
        if (t.rows[i].number != strtoull(at + 5, NULL, 10))
            fail_msg("%s row %zu: number %llu, JSON says %s", name, i,
                     (unsigned long long)t.rows[i].number, at + 1);
        assert_int_equal(t.rows[i].problem, LI_MSG_NONE);
        assert_int_equal(t.rows[i].nfields, cols.n);
        json_t *cells = json_array_get(json_object_get(row, "describes"), 0);
        for (size_t k = 0; k < cols.n; k++) {
            if (cols.typed[k])
                continue;
            const char *want = json_string_value(json_object_get(cells, cols.key[k]));
            if (!want)
                fail_msg("%s row %zu: no string «%s» in the JSON", name, i, cols.key[k]);
            if (strcmp(t.rows[i].fields[k], want) != 0)
                fail_msg("%s row %zu «%s»: got «%s», expected «%s»", name, i, cols.key[k],
                         t.rows[i].fields[k], want);
        }
    }
    t_read_free(&t);
    json_decref(doc);
}

static void test_csvw_simple_table(void **state) {
    (void)state;
    check_csvw_case("test001", 1);
}

static void test_csvw_quoted_fields(void **state) {
    (void)state;
    check_csvw_case("test002", 1);
}

/* Spaces around the values are text, kept (CSVW's default dialect keeps them too). */
static void test_csvw_surrounding_spaces_are_kept(void **state) {
    (void)state;
    check_csvw_case("test003", 1);
}

/* A first row of data (a number, a date) is not taken for a header. */
static void test_csvw_no_header(void **state) {
    (void)state;
    check_csvw_case("test019", 0);
}

/*
 * Rows of empty cells (",,,,") are blank rows: skipped but counted, so the
 * data rows keep the numbers CSVW gives them with skipBlankRows (3 and 5).
 */
static void test_csvw_blank_rows_skipped_but_counted(void **state) {
    (void)state;
    check_csvw_case("test055", 1);
}

/* "same number of columns in each row": the ragged rows are row errors, the others read. */
static void test_csvw_ragged_rows_are_field_count_errors(void **state) {
    (void)state;
    const char *dir = corpus_dir("w3c-csvw");
    if (!dir) {
        skip();
        return;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/tests/test091.csv", dir);
    t_read t;
    t_read_file(path, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.header, "col1|col2|col3");
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 2, "1|2|3", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "1|2", LI_MSG_ROW_FIELD_COUNT);
    t_assert_row(&t, 2, 4, "1", LI_MSG_ROW_FIELD_COUNT);
    t_read_free(&t);
}

static int teardown_all(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spectrum_comma_in_quotes),
        cmocka_unit_test(test_spectrum_empty),
        cmocka_unit_test(test_spectrum_empty_crlf),
        cmocka_unit_test(test_spectrum_escaped_quotes),
        cmocka_unit_test(test_spectrum_json),
        cmocka_unit_test(test_spectrum_location_coordinates),
        cmocka_unit_test(test_spectrum_newlines),
        cmocka_unit_test(test_spectrum_newlines_crlf),
        cmocka_unit_test(test_spectrum_quotes_and_newlines),
        cmocka_unit_test(test_spectrum_simple),
        cmocka_unit_test(test_spectrum_simple_crlf),
        cmocka_unit_test(test_spectrum_utf8),
        cmocka_unit_test(test_spectrum_newlines_cr),
        cmocka_unit_test(test_spectrum_null),
        cmocka_unit_test(test_spectrum_every_case_is_tested),
        cmocka_unit_test(test_csvlint_line_endings),
        cmocka_unit_test(test_csvlint_invalid_encoding_read_as_windows_1252),
        cmocka_unit_test(test_csvlint_stray_quote_and_blank_row),
        cmocka_unit_test(test_csvlint_title_row_skipped),
        cmocka_unit_test(test_csvlint_xlsx_read),
        cmocka_unit_test(test_csvw_simple_table),
        cmocka_unit_test(test_csvw_quoted_fields),
        cmocka_unit_test(test_csvw_surrounding_spaces_are_kept),
        cmocka_unit_test(test_csvw_no_header),
        cmocka_unit_test(test_csvw_blank_rows_skipped_but_counted),
        cmocka_unit_test(test_csvw_ragged_rows_are_field_count_errors),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
