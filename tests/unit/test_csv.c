/*
 * test_csv.c — the CSV reader's promises (src/read/), one test each:
 * line endings, BOM, encodings, delimiter and header detection, limits,
 * unterminated quotes, field counts, row numbers, refused files, options.
 * The public corpora are in test_csv_corpus.c; streaming, offsets and
 * resuming over large files in test_csv_stream.c.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "csv_test_util.h"
#include "read/encoding.h"

/* --- line endings ---------------------------------------------------------- */

static void check_line_endings(const char *eol) {
    char text[256];
    snprintf(text, sizeof text, "Nom,Ville%sDupont,Paris%s\"Martin%sJr\",Lyon%sDurand,Nice", eol,
             eol, eol, eol);
    char quoted[32];
    snprintf(quoted, sizeof quoted, "Martin%sJr|Lyon", eol);
    t_read t;
    t_read_str(text, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.header, "Nom|Ville");
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 2, "Dupont|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, quoted, LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "Durand|Nice", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_lf_line_endings(void **state) {
    (void)state;
    check_line_endings("\n");
}

static void test_crlf_line_endings(void **state) {
    (void)state;
    check_line_endings("\r\n");
}

static void test_cr_line_endings(void **state) {
    (void)state;
    check_line_endings("\r");
}

static void test_mixed_line_endings(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom,Ville\r\nDupont,Paris\nMartin,Lyon\rDurand,Nice\r\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 2, "Dupont|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Martin|Lyon", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "Durand|Nice", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- BOM and encodings ------------------------------------------------------ */

static void test_utf8_bom_dropped(void **state) {
    (void)state;
    t_read t;
    t_read_str("\xEF\xBB\xBFNom,Email\r\nDupont,d@x.fr\r\n", NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "utf-8");
    assert_int_equal(t.info.bom, 1);
    assert_string_equal(t.header, "Nom|Email");
    t_assert_row(&t, 0, 2, "Dupont|d@x.fr", LI_MSG_NONE);
    assert_int_equal(t.rows[0].offset, 3 + 11); /* offsets count the BOM */
    assert_int_equal(t.rows[0].next_offset, 29);
    assert_int_equal(t.position, 29);
    t_read_free(&t);
}

static void test_windows_1252_detected_and_converted(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Soci\xE9t\xE9;Note\r\nC\x9C"
               "ur;Cr\xE8me;\x80 5 \x92ok\x92\r\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    assert_int_equal(t.info.delimiter, ';');
    assert_string_equal(t.header, "Nom|Société|Note");
    t_assert_row(&t, 0, 2, "Cœur|Crème|€ 5 ’ok’", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A UTF-8 file whose one Windows-1252 row comes early and holds more
 * accents than the UTF-8 names around it (a long note): still UTF-8. Only
 * that row is read as Windows-1252, with a warning; every UTF-8 name stays
 * right (it used to turn the whole file into "HÃ©lÃ¨ne").
 */
static void test_utf8_file_with_an_accent_heavy_1252_row_stays_utf8(void **state) {
    (void)state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "Nom;Ville;Notes\n");
    n += (size_t)snprintf(text + n, sizeof text - n, "Lef\xE8vre;Gen\xE8ve;");
    for (int i = 0; i < 20; i++) /* forty stray bytes on one row */
        n += (size_t)snprintf(text + n, sizeof text - n, "\xE9t\xE9 ");
    n += (size_t)snprintf(text + n, sizeof text - n, "\n");
    for (int i = 0; i < 12; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "Hélène %d;Orléans;\n", i);
    t_read t;
    t_read_bytes(text, n, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "utf-8");
    assert_int_equal(t.info.warning, LI_MSG_ENCODING_MIXED);
    assert_int_equal(t.n, 13);
    assert_int_equal(t.rows[0].problem, LI_MSG_ROW_ENCODING_FIXED);
    assert_int_equal(strncmp(t.rows[0].joined, "Lefèvre|Genève|été été ", 27), 0);
    for (size_t i = 1; i < t.n; i++) {
        char want[64];
        snprintf(want, sizeof want, "Hélène %zu|Orléans|", i - 1);
        t_assert_row(&t, i, 2 + i, want, LI_MSG_NONE);
    }
    t_read_free(&t);
}

/* One accented name in UTF-8 and one row in Windows-1252: both read right. */
static void test_one_utf8_name_and_one_1252_row_both_read_right(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Ville\nDupont;Paris\nH\xC3\xA9l\xC3\xA8ne;Lyon\nMartin;Nice\nLef\xE8vre;Gen\xE8ve\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "utf-8");
    t_assert_row(&t, 1, 3, "Hélène|Lyon", LI_MSG_NONE);
    t_assert_row(&t, 3, 5, "Lefèvre|Genève", LI_MSG_ROW_ENCODING_FIXED);
    t_read_free(&t);
}

/*
 * Windows-1252 (or Latin-1) text where a few bytes happen to form valid
 * UTF-8 ("É" then "”" is C9 94, a valid sequence for U+0254): still
 * Windows-1252, read as such, the rows as they were written. Mac Roman
 * French ("l’école": D5 8E, valid UTF-8 for an Armenian letter) is no
 * UTF-8 either.
 */
static void test_1252_with_accidental_utf8_sequences_stays_1252(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Ville;Note\nCAF\xC9\x94;Orl\xE9"
               "ans;\xAB fin \xBB\nH\xE9l\xE8ne;S\xE8te;\x93L'\xC9T\xC9\x94\nFran\xE7ois;Besan\xE7on;ok\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    assert_int_equal(t.info.warning, LI_MSG_NONE);
    t_assert_row(&t, 0, 2, "CAFÉ”|Orléans|« fin »", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Hélène|Sète|“L'ÉTÉ”", LI_MSG_NONE);
    t_read_free(&t);

    t_read_str("Nom;Note\nDupont;l\xD5\x8E"
               "cole\nMartin;d\xD5\x8Et\x8E\nPetit;caf\x8E\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    t_read_free(&t);
}

static void test_windows_1252_undefined_bytes_kept_as_c1(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.encoding = "windows-1252";
    o.header = 1;
    t_read t;
    t_read_str("a,b\n\x81,\x8D\x8F\x90\x9D\n", &o, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "\xC2\x81|\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_encoding_option_overrides_detection(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.encoding = "cp1252"; /* valid UTF-8 read as Windows-1252 on purpose */
    t_read t;
    t_read_str("Nom\nCr\xC3\xA8me\n", &o, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    t_assert_row(&t, 0, 2, "CrÃ¨me", LI_MSG_NONE);
    t_read_free(&t);
}

static void check_utf16(int be, int bom) {
    const char *text = "Nom\tVille\r\nDupré\tSaint-Étienne 😀\r\nRoux\tLyon\r\n";
    size_t n;
    unsigned char *data = t_utf16(text, strlen(text), be, bom, &n);
    t_read t;
    t_read_bytes(data, n, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, be ? "utf-16be" : "utf-16le");
    assert_int_equal(t.info.bom, bom);
    assert_int_equal(t.info.delimiter, '\t');
    assert_string_equal(t.header, "Nom|Ville");
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 2, "Dupré|Saint-Étienne 😀", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Roux|Lyon", LI_MSG_NONE);
    /* offsets are UTF-16 bytes: 11 units of header, 24 units (the emoji is 2) */
    size_t b = bom ? 2 : 0;
    assert_int_equal(t.rows[0].offset, b + 22);
    assert_int_equal(t.rows[0].next_offset, b + 22 + 48);
    assert_int_equal(t.rows[1].next_offset, n);
    assert_int_equal(t.position, n);
    t_read_free(&t);
    free(data);
}

static void test_utf16le_with_bom(void **state) {
    (void)state;
    check_utf16(0, 1);
}

static void test_utf16be_with_bom(void **state) {
    (void)state;
    check_utf16(1, 1);
}

static void test_utf16le_without_bom(void **state) {
    (void)state;
    check_utf16(0, 0);
}

/* UTF-16 arrives in blocks that may cut a code unit or a surrogate pair. */
static void test_utf16_decoder_carries_cut_units_between_blocks(void **state) {
    (void)state;
    /* short, then with ASCII runs longer than the eight units decoded at once */
    static const char *const texts[] = {
        "aé€😀z\r\n",
        "Nom;Prénom;Adresse postale complète\r\nDupont;Jean-Édouard;12 rue des Lilas 75002 "
        "Paris\r\n😀abcdefghijklmnopq€rstuvwxyz0123456789ABCDEFGHIJ\x7F\xC2\x80x\r\n",
    };
    for (size_t k0 = 0; k0 < 2; k0++) {
        const char *text = texts[k0];
        for (int be = 0; be < 2; be++) {
            size_t n;
            unsigned char *u = t_utf16(text, strlen(text), be, 0, &n);
            for (size_t step = 1; step <= 40; step += k0 ? 1 : 8) {
                char out[512];
                size_t o = 0;
                li__utf16 st = {.big_endian = be};
                for (size_t i = 0; i < n; i += step) {
                    size_t k = n - i < step ? n - i : step;
                    o += li__utf16_decode(&st, u + i, k, i + k == n, out + o);
                }
                assert_int_equal(o, strlen(text));
                assert_memory_equal(out, text, o);
                assert_int_equal(li__utf16_source_len((const unsigned char *)out, o), n);
            }
            free(u);
        }
    }
    /* a lone surrogate, then a last odd byte: U+FFFD each, nothing lost after them */
    static const unsigned char bad[] = {0x00, 0xD8, 'A', 0x00, 0x00, 0xDC, 'B', 0x00, 'C'};
    char out[64];
    li__utf16 st = {0};
    size_t o = li__utf16_decode(&st, bad, sizeof bad, 1, out);
    assert_int_equal(o, 11);
    assert_memory_equal(out,
                        "\xEF\xBF\xBD"
                        "A"
                        "\xEF\xBF\xBD"
                        "B"
                        "\xEF\xBF\xBD",
                        11);
}

/* A UTF-8 file whose first MiB is clean, then one row in Windows-1252. */
static void test_invalid_utf8_row_read_as_windows_1252_with_warning(void **state) {
    (void)state;
    size_t cap = 1400000, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text, cap, "Nom,Ville,N\n");
    size_t rows = 0;
    while (n < 1100000) {
        n += (size_t)snprintf(text + n, cap - n, "Dupré,Orléans,%zu\n", rows);
        rows++;
    }
    n += (size_t)snprintf(text + n, cap - n, "Dupr\xE9,Cr\xC3\xA8me \x80,x\n"); /* mixed */
    n += (size_t)snprintf(text + n, cap - n, "Petit\x92s,Brest\n");             /* + field count */
    n += (size_t)snprintf(text + n, cap - n, "Roux,Nîmes,y\n");
    t_read t;
    t_read_bytes(text, n, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "utf-8");
    assert_int_equal(t.n, rows + 3);
    t_assert_row(&t, 0, 2, "Dupré|Orléans|0", LI_MSG_NONE);
    t_assert_row(&t, rows, rows + 2, "Dupré|Crème €|x", LI_MSG_ROW_ENCODING_FIXED);
    t_assert_row(&t, rows + 1, rows + 3, "Petit’s|Brest", LI_MSG_ROW_FIELD_COUNT);
    t_assert_row(&t, rows + 2, rows + 4, "Roux|Nîmes|y", LI_MSG_NONE);
    t_read_free(&t);
    free(text);
}

/* --- delimiter ---------------------------------------------------------------- */

static void check_delimiter(const char *text, int delim, const char *first_row) {
    t_read t;
    t_read_str(text, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, delim);
    t_assert_row(&t, 0, 2, first_row, LI_MSG_NONE);
    t_read_free(&t);
}

static void test_excel_sep_directive_sets_the_delimiter_and_is_not_a_row(void **state) {
    (void)state;
    t_read t;
    /* without the directive, ',' would win: it splits every line in three */
    t_read_str("sep=;\r\nNom;Prénom, Ville\r\nDupont;Jean, Paris\r\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, ';');
    assert_string_equal(t.header, "Nom|Prénom, Ville");
    t_assert_row(&t, 0, 2, "Dupont|Jean, Paris", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_delimiter_detected_comma(void **state) {
    (void)state;
    check_delimiter("Nom,Prénom,Ville\nDupont,Jean,Paris\nMartin,Luc,Lyon\n", ',',
                    "Dupont|Jean|Paris");
}

static void test_delimiter_detected_semicolon(void **state) {
    (void)state;
    check_delimiter("Nom;Prénom;Ville\nDupont;Jean;Paris, France\nMartin;Luc;Lyon\n", ';',
                    "Dupont|Jean|Paris, France");
}

static void test_delimiter_detected_tab(void **state) {
    (void)state;
    check_delimiter("Nom\tVille\tNote\nDupont\tParis\tun, deux; trois\nMartin\tLyon\t\n", '\t',
                    "Dupont|Paris|un, deux; trois");
}

static void test_delimiter_detected_pipe(void **state) {
    (void)state;
    check_delimiter("Nom|Ville\nDupont|Paris; Nord\nMartin|Lyon\n", '|', "Dupont|Paris; Nord");
}

static void test_delimiter_detection_ignores_quoted_delimiters(void **state) {
    (void)state;
    /* split on ',' regardless of quotes, each record would have 3 fields */
    check_delimiter("\"Nom, Prénom\";\"Ville, Pays\"\n\"Dupont, Jean\";\"Paris, France\"\n"
                    "\"Martin, Luc\";\"Lyon, France\"\n",
                    ';', "Dupont, Jean|Paris, France");
    check_delimiter("Nom,Adresse,Ville\nDupont,\"1; rue A; bât. C\",Paris\n"
                    "Martin,\"2; rue B\",Lyon\n",
                    ',', "Dupont|1; rue A; bât. C|Paris");
}

static void test_delimiter_defaults_to_comma_when_none_splits(void **state) {
    (void)state;
    check_delimiter("Nom\nDupont\nMartin\n", ',', "Dupont");
}

static void test_delimiter_option_overrides_detection(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.delimiter = ';';
    o.header = 1;
    t_read t;
    t_read_str("a,b;c\n1,2;3\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, ';');
    t_assert_row(&t, 0, 2, "1,2|3", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- header --------------------------------------------------------------------- */

static void test_header_detected(void **state) {
    (void)state;
    t_read t;
    t_read_str("Prénom;Nom;Email;Téléphone;Code postal\n"
               "Jean;Dupont;jean@x.fr;06 12 34 56 78;75002\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 1);
    assert_int_equal(t.info.columns, 5);
    assert_string_equal(t.header, "Prénom|Nom|Email|Téléphone|Code postal");
    t_assert_row(&t, 0, 2, "Jean|Dupont|jean@x.fr|06 12 34 56 78|75002", LI_MSG_NONE);
    t_read_free(&t);
}

static void check_no_header(const char *text, const char *first_row) {
    t_read t;
    t_read_str(text, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    assert_null(t.header);
    t_assert_row(&t, 0, 1, first_row, LI_MSG_NONE);
    t_read_free(&t);
}

static void test_header_not_detected_when_first_row_is_data(void **state) {
    (void)state;
    check_no_header("Jean;Dupont;jean@x.fr\nLuc;Martin;luc@x.fr\n", "Jean|Dupont|jean@x.fr");
    check_no_header("Dupont,06 12 34 56 78\nMartin,0698765432\n", "Dupont|06 12 34 56 78");
    check_no_header("Dupont,12/03/2024\nMartin,13/03/2024\n", "Dupont|12/03/2024");
    check_no_header("Nom,Nom,Ville\nDupont,Jean,Paris\n", "Nom|Nom|Ville"); /* duplicate */
    check_no_header("Nom,,Ville\nDupont,Jean,Paris\n", "Nom||Ville");       /* empty cell */
}

/*
 * Empty cells at the end of the header are no column (a ';' after the last
 * name, as French Excel writes it): the rows' empty fields there are
 * dropped like any extra empty field.
 */
static void test_header_ignores_trailing_empty_cells(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Ville;\nDupont;Paris;\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 1);
    assert_int_equal(t.nheader, 2);
    assert_int_equal(t.info.columns, 2);
    t_assert_row(&t, 0, 2, "Dupont|Paris", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_header_option_overrides_detection(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 0;
    t_read t;
    t_read_str("Nom,Ville\nDupont,Paris\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    assert_int_equal(t.info.columns, 2);
    t_assert_row(&t, 0, 1, "Nom|Ville", LI_MSG_NONE);
    t_assert_row(&t, 1, 2, "Dupont|Paris", LI_MSG_NONE);
    t_read_free(&t);

    o.header = 1;
    t_read_str("jean@x.fr,0612345678\nluc@x.fr,0698765432\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 1);
    assert_string_equal(t.header, "jean@x.fr|0612345678");
    assert_int_equal(t.n, 1);
    t_assert_row(&t, 0, 2, "luc@x.fr|0698765432", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- limits ---------------------------------------------------------------------- */

static void test_limit_field_too_long_truncates_and_next_row_is_fine(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_field = 10;
    t_read t;
    t_read_str("a,b\n12345678901234,x\n\"éééééé\",y\nok,z\n", &o, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "1234567890|x", LI_MSG_ROW_FIELD_TOO_LONG);
    assert_string_equal(t.rows[0].problem_text, "Champ trop long en colonne 1 : plus de 10 octets");
    t_assert_row(&t, 1, 3, "ééééé|y", LI_MSG_ROW_FIELD_TOO_LONG); /* cut on a UTF-8 boundary */
    t_assert_row(&t, 2, 4, "ok|z", LI_MSG_NONE);
    t_read_free(&t);

    o.max_field = 9;
    t_read_str("a,b\nx,\"éééééé\"\n", &o, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "x|éééé", LI_MSG_ROW_FIELD_TOO_LONG);
    assert_string_equal(t.rows[0].problem_text, "Champ trop long en colonne 2 : plus de 9 octets");
    t_read_free(&t);
}

static void test_limit_row_too_long_skips_record_and_next_row_is_fine(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 32;
    char y[41];
    memset(y, 'y', 40);
    y[40] = '\0';
    char text[256];
    /* the skipped part of row 2 holds a quoted line break: still one row */
    snprintf(text, sizeof text, "a,b\n%s,\"q\nq\"\nok,1\n%.30s,\"%s\"\nz,2\n", y, y, y);
    t_read t;
    t_read_str(text, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 4);
    t_assert_row(&t, 0, 2, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", LI_MSG_ROW_TOO_LONG);
    assert_string_equal(t.rows[0].problem_text, "Ligne trop longue : plus de 32 octets");
    t_assert_row(&t, 1, 3, "ok|1", LI_MSG_NONE);
    /* a record over the limit inside quotes that do close: one cell too long */
    t_assert_row(&t, 2, 4, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy|", LI_MSG_ROW_FIELD_TOO_LONG);
    t_assert_row(&t, 3, 5, "z|2", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_limit_columns_drops_extra_fields_and_next_row_is_fine(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_columns = 3;
    t_read t;
    t_read_str("a,b,c\n1,2,3,4,\"5\n5\"\n6,7,8\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 2, "1|2|3", LI_MSG_ROW_TOO_MANY_COLUMNS);
    assert_string_equal(t.rows[0].problem_text, "Trop de colonnes : plus de 3");
    t_assert_row(&t, 1, 3, "6|7|8", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A record over max_row whose skipped rest holds a quoted field of many
 * lines, closed further than max_row: the whole record is one row (row too
 * long), none of the quoted lines becomes a row, and reading resumes after
 * the closing quote. Where it resumes must not depend on where the reads
 * of the file fell, or a resumed read would not give the same rows:
 * thousands of identical records over many buffers, then resumed in the
 * middle.
 */
static void test_row_too_long_quoted_lines_never_become_rows(void **state) {
    (void)state;
    enum { RECORDS = 20000 };
    char rec[256];
    int len = snprintf(rec, sizeof rec, "L,%070d,\"", 0);
    for (int i = 0; i < 40; i++)
        len += snprintf(rec + len, sizeof rec - (size_t)len, "q\n");
    len += snprintf(rec + len, sizeof rec - (size_t)len, "q\",z\n");
    size_t n = 6 + (size_t)len * RECORDS;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, "a,b,c\n", 6);
    for (size_t r = 0; r < RECORDS; r++)
        memcpy(text + 6 + r * (size_t)len, rec, (size_t)len);
    const char *path = t_write("long.csv", text, n);
    free(text);

    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    o.delimiter = ',';
    o.header = 1;
    t_read t;
    t_read_file(path, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, (size_t)RECORDS);
    for (size_t r = 0; r < RECORDS; r++) {
        const t_row *x = &t.rows[r];
        if (x->number != 2 + r || x->problem != LI_MSG_ROW_TOO_LONG ||
            x->offset != 6 + r * (size_t)len || x->next_offset != 6 + (r + 1) * (size_t)len)
            fail_msg("record %zu: row %llu (%s) at %llu", r, (unsigned long long)x->number,
                     li_msg_code(x->problem), (unsigned long long)x->offset);
    }
    for (size_t k = 1; k <= 5; k++) {
        size_t i = k * (t.n / 6) + k;
        o.resume_offset = t.rows[i].next_offset;
        o.resume_row = t.rows[i].number + 1;
        t_read rest;
        t_read_file(path, &o, &rest);
        t_assert_ok(&rest);
        assert_int_equal(rest.n, t.n - i - 1);
        for (size_t j = 0; j < rest.n; j += 997) {
            assert_int_equal(rest.rows[j].number, t.rows[i + 1 + j].number);
            assert_int_equal(rest.rows[j].offset, t.rows[i + 1 + j].offset);
            assert_int_equal(rest.rows[j].problem, t.rows[i + 1 + j].problem);
        }
        t_read_free(&rest);
    }
    t_read_free(&t);
}

/*
 * The skipped rest of a record over max_row opens a quote that never
 * closes: a stray quote. Reading resumes at the line after it, so that the
 * rows below are kept.
 */
static void test_row_too_long_stray_quote_in_rest_keeps_next_rows(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 32;
    t_read t;
    t_read_str("a,b,c\n"
               "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy,\"oops,z\n"
               "ok,1,2\n"
               "ok,3,4\n",
               &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.rows[0].problem, LI_MSG_ROW_TOO_LONG);
    t_assert_row(&t, 1, 3, "ok|1|2", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "ok|3|4", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- quotes ----------------------------------------------------------------------- */

static void test_unterminated_quote_resynchronises_at_next_line(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom,Ville\r\nDupont,Paris\r\nMartin,\"Lyon\r\nDurand,Nice\r\nPetit,Brest\r\n", NULL,
               &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 4);
    t_assert_row(&t, 0, 2, "Dupont|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Martin|Lyon", LI_MSG_ROW_UNTERMINATED_QUOTE);
    assert_int_equal(t.rows[1].next_offset, t.rows[2].offset);
    t_assert_row(&t, 2, 4, "Durand|Nice", LI_MSG_NONE);
    t_assert_row(&t, 3, 5, "Petit|Brest", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A quoted cell that closes more than max_row bytes after its row's start
 * (a long notes cell with line breaks): one row, field too long, and
 * reading goes on after the closing quote; none of its lines is a row.
 */
static void test_quoted_cell_over_max_row_is_one_row(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "Nom,Notes,Ville\r\nMartin,\"Lyon\r\n");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "Durand,\"\"Nice\"\"\r\n");
    snprintf(text + n, sizeof text - n, "x\",Lyon\r\nPetit,court,Brest\r\n");
    t_read t;
    t_read_str(text, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.rows[0].number, 2);
    assert_int_equal(t.rows[0].problem, LI_MSG_ROW_FIELD_TOO_LONG);
    assert_string_equal(t.rows[0].problem_text, "Champ trop long en colonne 2 : plus de 64 octets");
    assert_int_equal(t.rows[0].nfields, 2);
    assert_string_equal(t.rows[0].fields[0], "Martin");
    assert_int_equal(strncmp(t.rows[0].fields[1], "Lyon\r\nDurand,\"Nice\"", 19), 0);
    assert_int_equal(t.rows[0].next_offset, t.rows[1].offset);
    t_assert_row(&t, 1, 3, "Petit|court|Brest", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A quote that opens a field and never closes, more than max_row bytes
 * before the end of the file: a stray quote, not a long cell. The row is
 * its first line and every line after it is read again as a row.
 */
static void test_unterminated_quote_over_max_row_resynchronises(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    char text[512];
    size_t n = (size_t)snprintf(text, sizeof text, "Nom,Ville\nMartin,\"Lyon\n");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "Durand,Nice\n");
    t_read t;
    t_read_str(text, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 11);
    t_assert_row(&t, 0, 2, "Martin|Lyon", LI_MSG_ROW_UNTERMINATED_QUOTE);
    for (size_t i = 1; i <= 10; i++)
        t_assert_row(&t, i, 2 + i, "Durand|Nice", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A stray quote "closed" more than max_row bytes later by the opening
 * quote of a later field (followed by text, not by a delimiter): no cell
 * ends there, so the quote was a stray one and the rows in between are kept.
 */
static void test_stray_quote_closed_by_later_opening_quote_keeps_rows(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    char text[512];
    size_t n = (size_t)snprintf(text, sizeof text, "Nom,Ville\nMartin,\"Lyon\n");
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "Durand,Nice\n");
    snprintf(text + n, sizeof text - n, "Petit,\"Brest, Finistère\"\n");
    t_read t;
    t_read_str(text, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 12);
    t_assert_row(&t, 0, 2, "Martin|Lyon", LI_MSG_ROW_UNTERMINATED_QUOTE);
    for (size_t i = 1; i <= 10; i++)
        t_assert_row(&t, i, 2 + i, "Durand|Nice", LI_MSG_NONE);
    t_assert_row(&t, 11, 13, "Petit|Brest, Finistère", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_unterminated_quote_at_end_of_file(void **state) {
    (void)state;
    t_read t;
    t_read_str("\"col1\",\"col2\",\"col3\"\n\"Foo\",\"Bar\",\"Baz", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 1);
    t_assert_row(&t, 0, 2, "Foo|Bar|Baz", LI_MSG_ROW_UNTERMINATED_QUOTE);
    t_read_free(&t);
}

static void test_stray_quote_in_unquoted_field_is_kept(void **state) {
    (void)state;
    t_read t;
    t_read_str("a,b\nx,ab\"c\n\"Foo\",   \"Baz\"\n", NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "x|ab\"c", LI_MSG_ROW_STRAY_QUOTE);
    assert_string_equal(t.rows[0].problem_text,
                        "Guillemet isolé au milieu d'un champ (colonne 2) : il a été conservé tel "
                        "quel");
    t_assert_row(&t, 1, 3, "Foo|   \"Baz\"", LI_MSG_ROW_STRAY_QUOTE);
    t_read_free(&t);
}

static void test_text_after_closing_quote_is_kept(void **state) {
    (void)state;
    t_read t;
    t_read_str("a,b\n\"ab\"c,d\n\"Ecran 12\" HD\",\"x\"\"y\"z\n\"1\",\"3\" \"\n", NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "ab\"c|d", LI_MSG_ROW_STRAY_QUOTE);
    t_assert_row(&t, 1, 3, "Ecran 12\" HD\"|x\"y\"z", LI_MSG_ROW_STRAY_QUOTE);
    t_assert_row(&t, 2, 4, "1|3\" \"", LI_MSG_ROW_STRAY_QUOTE);
    t_read_free(&t);
}

/* --- field count ------------------------------------------------------------------ */

static void test_wrong_field_count_is_a_row_error(void **state) {
    (void)state;
    t_read t;
    t_read_str("a,b,c\n1,2\n1,2,3,4\n1,2,3,,x\n1,2,3\n", NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "1|2", LI_MSG_ROW_FIELD_COUNT);
    assert_string_equal(t.rows[0].problem_text, "Nombre de colonnes incorrect : 2 au lieu de 3");
    t_assert_row(&t, 1, 3, "1|2|3|4", LI_MSG_ROW_FIELD_COUNT);
    assert_string_equal(t.rows[1].problem_text, "Nombre de colonnes incorrect : 4 au lieu de 3");
    t_assert_row(&t, 2, 4, "1|2|3||x", LI_MSG_ROW_FIELD_COUNT);
    t_assert_row(&t, 3, 5, "1|2|3", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_extra_empty_fields_are_dropped(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Ville\nDupont;Paris;\nMartin;Lyon;;;\n", NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "Dupont|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Martin|Lyon", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * Decision: a record whose fields are all empty (";;;" or "","","") is a
 * blank line: skipped, but counted in the row numbers. Spreadsheets write
 * such rows for the empty part of their used range, csvlint reports them as
 * blank_rows and CSVW skips them as blank rows (test055 below); an import
 * that turned each into a lead without name or e-mail would drown the real
 * errors. Fields dropped past max_columns are not known to be empty: such a
 * record stays a row (with its own problem).
 */
static void test_records_of_empty_fields_are_blank_lines(void **state) {
    (void)state;
    t_read t;
    t_read_str(";;\nNom;Ville;Note\n;;\nDupont;Paris;x\n\"\";\"\";\"\"\r\n;\nMartin;;\n;;;;\nPetit;"
               "Brest;y",
               NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, ';');
    assert_non_null(t.header);
    assert_string_equal(t.header, "Nom|Ville|Note");
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 4, "Dupont|Paris|x", LI_MSG_NONE);
    t_assert_row(&t, 1, 7, "Martin||", LI_MSG_NONE);
    t_assert_row(&t, 2, 9, "Petit|Brest|y", LI_MSG_NONE);
    assert_int_equal(t.rows[0].next_offset, 36); /* resuming there skips the blank ones alike */
    assert_int_equal(t.rows[1].offset, 48);
    t_read_free(&t);

    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 0;
    t_read_str(",,\n1,2,3\n4,5,6\n", &o, &t); /* the first record is not the width either */
    t_assert_ok(&t);
    assert_int_equal(t.info.columns, 3);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 2, "1|2|3", LI_MSG_NONE);
    t_read_free(&t);

    o.header = 1;
    o.max_columns = 2;
    t_read_str("a,b\n,,,\n1,2\n", &o, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "|", LI_MSG_ROW_TOO_MANY_COLUMNS);
    t_assert_row(&t, 1, 3, "1|2", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_field_count_without_header_follows_first_row(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 0;
    t_read t;
    t_read_str("1,2,3\n4,5\n6,7,8\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.columns, 3);
    t_assert_row(&t, 0, 1, "1|2|3", LI_MSG_NONE);
    t_assert_row(&t, 1, 2, "4|5", LI_MSG_ROW_FIELD_COUNT);
    t_assert_row(&t, 2, 3, "6|7|8", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_error_beats_warning(void **state) {
    (void)state;
    t_read t;
    t_read_str("a,b\nx\"y\n", NULL, &t); /* stray quote and one field missing */
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "x\"y", LI_MSG_ROW_FIELD_COUNT);
    t_read_free(&t);
}

/* --- row numbers ------------------------------------------------------------------ */

static void test_blank_lines_count_in_row_numbers(void **state) {
    (void)state;
    t_read t;
    t_read_str("\na,b\n\n1,2\r\n\r\n\r\n3,4\r\r5,6\n\n\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 1);
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 4, "1|2", LI_MSG_NONE);
    t_assert_row(&t, 1, 7, "3|4", LI_MSG_NONE);
    t_assert_row(&t, 2, 9, "5|6", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_quoted_line_breaks_do_not_count_in_row_numbers(void **state) {
    (void)state;
    t_read t;
    t_read_str("a,b\n\"x\ny\nz\",1\n2,3\n\"p\r\n\r\nq\",4\n5,6\n", NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "x\ny\nz|1", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "2|3", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "p\r\n\r\nq|4", LI_MSG_NONE);
    t_assert_row(&t, 3, 5, "5|6", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_offsets_are_exact_byte_offsets(void **state) {
    (void)state;
    const char *text = "a,b\r\n\r\n\"x\ny\",1\r\n2,3";
    t_read t;
    t_read_str(text, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.rows[0].offset, 7);
    assert_int_equal(t.rows[0].next_offset, 16);
    assert_int_equal(t.rows[1].offset, 16);
    assert_int_equal(t.rows[1].next_offset, strlen(text));
    assert_int_equal(t.position, strlen(text));
    t_read_free(&t);
}

/* --- refused files and options ----------------------------------------------------- */

static void check_refused(const void *data, size_t n, li_status status, li_msg msg) {
    t_read t;
    t_read_bytes(data, n, NULL, &t);
    assert_int_equal(t.status, status);
    if (t.err.msg != msg)
        fail_msg("refused with %s (%s), expected %s", li_msg_code(t.err.msg), t.err.message,
                 li_msg_code(msg));
    assert_non_null(strstr(t.err.message, "in.csv"));
    t_read_free(&t);
}

static void test_truncated_xlsx_refused(void **state) {
    (void)state;
    static const char zip[] = "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml";
    check_refused(zip, sizeof zip - 1, LI_EFORMAT, LI_MSG_XLSX_CORRUPT);
}

static void test_xls_refused(void **state) {
    (void)state;
    unsigned char ole[4096] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    check_refused(ole, sizeof ole, LI_EFORMAT, LI_MSG_FORMAT_XLS);
}

static void test_binary_refused(void **state) {
    (void)state;
    unsigned char data[16384] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    uint32_t x = 7;
    for (size_t i = 16; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 24);
    }
    check_refused(data, sizeof data, LI_EFORMAT, LI_MSG_FILE_BINARY);
}

static void test_empty_file_refused(void **state) {
    (void)state;
    check_refused("", 0, LI_EFORMAT, LI_MSG_FILE_EMPTY);
    check_refused("\r\n\n\r\n", 5, LI_EFORMAT, LI_MSG_FILE_EMPTY);
    check_refused("\xEF\xBB\xBF", 3, LI_EFORMAT, LI_MSG_FILE_EMPTY);
}

static void test_unreadable_path_is_eio(void **state) {
    (void)state;
    t_read t;
    char path[600];
    snprintf(path, sizeof path, "%s/absent.csv", t_tmp());
    t_read_file(path, NULL, &t);
    assert_int_equal(t.status, LI_EIO);
    assert_int_equal(t.err.msg, LI_MSG_FILE_UNREADABLE);
    t_read_file(t_tmp(), NULL, &t); /* a directory */
    assert_int_equal(t.status, LI_EIO);
    assert_int_equal(t.err.msg, LI_MSG_FILE_IS_DIRECTORY);
}

/*
 * A FIFO (or a device) named as input is refused at once: opening it for
 * reading would wait for a writer that never comes. The test would hang,
 * not fail, if it were waited on; alarm() turns that into a failure.
 */
static void test_fifo_and_device_refused_without_waiting(void **state) {
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/tube.csv", t_tmp());
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10);
    t_read t;
    t_read_file(path, NULL, &t);
    assert_int_equal(t.status, LI_EIO);
    assert_int_equal(t.err.msg, LI_MSG_FILE_NOT_REGULAR);
    assert_non_null(strstr(t.err.message, "tube nommé"));
    t_read_file("/dev/zero", NULL, &t); /* would be read for ever */
    assert_int_equal(t.status, LI_EIO);
    assert_int_equal(t.err.msg, LI_MSG_FILE_NOT_REGULAR);
    assert_non_null(strstr(t.err.message, "périphérique"));
    alarm(0);
    unlink(path);
}

static void test_bad_options_are_usage_errors(void **state) {
    (void)state;
    const char *path = t_write("ok.csv", "a,b\n1,2\n", 8);
    static const struct {
        const char *format, *encoding;
        int delimiter, header;
        li_status status;
        li_msg msg;
    } cases[] = {
        {"ods", NULL, 0, -1, LI_EUSAGE, LI_MSG_FORMAT_UNKNOWN},
        {"xlsx", NULL, 0, -1, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK}, /* a CSV file read as xlsx */
        {NULL, "klingon-8", 0, -1, LI_EUSAGE, LI_MSG_ENCODING_UNKNOWN},
        {NULL, NULL, ':', -1, LI_EUSAGE, LI_MSG_DELIMITER_INVALID},
        {NULL, NULL, 0, 2, LI_EUSAGE, LI_MSG_USAGE_BAD_VALUE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        li_reader_opts o;
        li_reader_opts_init(&o);
        o.format = cases[i].format;
        o.encoding = cases[i].encoding;
        o.delimiter = cases[i].delimiter;
        o.header = cases[i].header;
        t_read t;
        t_read_file(path, &o, &t);
        assert_int_equal(t.status, cases[i].status);
        assert_int_equal(t.err.msg, cases[i].msg);
    }
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.format = "CSV";
    o.encoding = "UTF8";
    t_read t;
    t_read_file(path, &o, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.format, "csv");
    assert_string_equal(t.info.encoding, "utf-8");
    t_read_free(&t);
}

static int teardown_all(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lf_line_endings),
        cmocka_unit_test(test_crlf_line_endings),
        cmocka_unit_test(test_cr_line_endings),
        cmocka_unit_test(test_mixed_line_endings),
        cmocka_unit_test(test_utf8_bom_dropped),
        cmocka_unit_test(test_windows_1252_detected_and_converted),
        cmocka_unit_test(test_utf8_file_with_an_accent_heavy_1252_row_stays_utf8),
        cmocka_unit_test(test_one_utf8_name_and_one_1252_row_both_read_right),
        cmocka_unit_test(test_1252_with_accidental_utf8_sequences_stays_1252),
        cmocka_unit_test(test_windows_1252_undefined_bytes_kept_as_c1),
        cmocka_unit_test(test_encoding_option_overrides_detection),
        cmocka_unit_test(test_utf16le_with_bom),
        cmocka_unit_test(test_utf16be_with_bom),
        cmocka_unit_test(test_utf16le_without_bom),
        cmocka_unit_test(test_utf16_decoder_carries_cut_units_between_blocks),
        cmocka_unit_test(test_invalid_utf8_row_read_as_windows_1252_with_warning),
        cmocka_unit_test(test_excel_sep_directive_sets_the_delimiter_and_is_not_a_row),
        cmocka_unit_test(test_delimiter_detected_comma),
        cmocka_unit_test(test_delimiter_detected_semicolon),
        cmocka_unit_test(test_delimiter_detected_tab),
        cmocka_unit_test(test_delimiter_detected_pipe),
        cmocka_unit_test(test_delimiter_detection_ignores_quoted_delimiters),
        cmocka_unit_test(test_delimiter_defaults_to_comma_when_none_splits),
        cmocka_unit_test(test_delimiter_option_overrides_detection),
        cmocka_unit_test(test_header_detected),
        cmocka_unit_test(test_header_not_detected_when_first_row_is_data),
        cmocka_unit_test(test_header_ignores_trailing_empty_cells),
        cmocka_unit_test(test_header_option_overrides_detection),
        cmocka_unit_test(test_limit_field_too_long_truncates_and_next_row_is_fine),
        cmocka_unit_test(test_limit_row_too_long_skips_record_and_next_row_is_fine),
        cmocka_unit_test(test_limit_columns_drops_extra_fields_and_next_row_is_fine),
        cmocka_unit_test(test_row_too_long_quoted_lines_never_become_rows),
        cmocka_unit_test(test_row_too_long_stray_quote_in_rest_keeps_next_rows),
        cmocka_unit_test(test_unterminated_quote_resynchronises_at_next_line),
        cmocka_unit_test(test_quoted_cell_over_max_row_is_one_row),
        cmocka_unit_test(test_unterminated_quote_over_max_row_resynchronises),
        cmocka_unit_test(test_stray_quote_closed_by_later_opening_quote_keeps_rows),
        cmocka_unit_test(test_unterminated_quote_at_end_of_file),
        cmocka_unit_test(test_stray_quote_in_unquoted_field_is_kept),
        cmocka_unit_test(test_text_after_closing_quote_is_kept),
        cmocka_unit_test(test_wrong_field_count_is_a_row_error),
        cmocka_unit_test(test_extra_empty_fields_are_dropped),
        cmocka_unit_test(test_records_of_empty_fields_are_blank_lines),
        cmocka_unit_test(test_field_count_without_header_follows_first_row),
        cmocka_unit_test(test_error_beats_warning),
        cmocka_unit_test(test_blank_lines_count_in_row_numbers),
        cmocka_unit_test(test_quoted_line_breaks_do_not_count_in_row_numbers),
        cmocka_unit_test(test_offsets_are_exact_byte_offsets),
        cmocka_unit_test(test_truncated_xlsx_refused),
        cmocka_unit_test(test_xls_refused),
        cmocka_unit_test(test_binary_refused),
        cmocka_unit_test(test_empty_file_refused),
        cmocka_unit_test(test_unreadable_path_is_eio),
        cmocka_unit_test(test_fifo_and_device_refused_without_waiting),
        cmocka_unit_test(test_bad_options_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
