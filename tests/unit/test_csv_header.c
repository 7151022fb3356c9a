/*
 * test_csv_header.c — where a CSV file's table starts, and the dialects of
 * real exports (issue 10, point 12):
 *
 *   - a header below a preamble (title lines, notes, blank lines, "#"
 *     comments) is found, the rows above it are skipped and counted, and
 *     rows keep the numbers a spreadsheet shows; a first row of data is
 *     never skipped for a wider row below it;
 *   - a header with an empty cell (pandas' index column) or a repeated
 *     name is still a header, whose names are made unique;
 *   - a delimiter at the end of the header line alone adds no column;
 *   - a quoted value followed by spaces loses its quotes;
 *   - backslash-escaped quotes (MySQL, PHP) are read when the file uses
 *     them, and an RFC 4180 file with backslashes stays RFC 4180;
 *   - text that is neither UTF-8, UTF-16 nor plausible Windows-1252 gets a
 *     file-level warning; UTF-8 with a stray Windows-1252 row stays UTF-8;
 *   - resuming anywhere gives the rows reading on gives, preamble or not.
 */
#include "csv_test_util.h"

static li_reader_opts opts_header(int header) {
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = header;
    return o;
}

/* The file's header, where it is, and what was skipped above it. */
static void assert_header(const t_read *t, const char *header, uint64_t row, uint64_t skipped) {
    assert_int_equal(t->info.has_header, 1);
    assert_non_null(t->header);
    assert_string_equal(t->header, header);
    assert_int_equal(t->info.header_row, row);
    assert_int_equal(t->info.skipped_rows, skipped);
}

/* --- preamble ------------------------------------------------------------------ */

static void test_title_and_blank_line_above_the_header_are_skipped(void **state) {
    (void)state;
    t_read t;
    t_read_str("Liste des prospects du salon\n"
               "\n"
               "Nom,Prénom,Email,Téléphone\n"
               "Dupont,Jean,jean@exemple.fr,06 12 34 56 78\n"
               "Martin,Luc,luc@exemple.fr,06 98 76 54 32\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Prénom|Email|Téléphone", 3, 2);
    assert_int_equal(t.info.columns, 4);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 4, "Dupont|Jean|jean@exemple.fr|06 12 34 56 78", LI_MSG_NONE);
    t_assert_row(&t, 1, 5, "Martin|Luc|luc@exemple.fr|06 98 76 54 32", LI_MSG_NONE);
    t_read_free(&t);
}

/* Excel pads every row to its used range: the title is "Titre;;;", as wide as the table. */
static void test_padded_title_rows_of_a_spreadsheet_are_skipped(void **state) {
    (void)state;
    t_read t;
    t_read_str("Export CRM;;;\r\n"
               "Généré le 08/01/2024;;;\r\n"
               ";;;\r\n"
               "Nom;Prénom;Email;Ville\r\n"
               "Dupont;Jean;jean@exemple.fr;Paris\r\n"
               "Martin;;luc@exemple.fr;\r\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, ';');
    assert_header(&t, "Nom|Prénom|Email|Ville", 4, 3);
    t_assert_row(&t, 0, 5, "Dupont|Jean|jean@exemple.fr|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 6, "Martin||luc@exemple.fr|", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_comment_lines_above_the_header_are_skipped(void **state) {
    (void)state;
    t_read t;
    t_read_str("# Exporté par Zoho CRM, le 08/01/2024, pour l'équipe ventes\n"
               "# 2 contacts\n"
               "Nom,Email\n"
               "Dupont,jean@exemple.fr\n"
               "Martin,luc@exemple.fr\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 3, 2);
    t_assert_row(&t, 0, 4, "Dupont|jean@exemple.fr", LI_MSG_NONE);
    t_read_free(&t);
}

/* Notes of two cells ("Client;ACME") are skipped when the rows below support the header. */
static void test_key_value_notes_above_the_header_are_skipped(void **state) {
    (void)state;
    t_read t;
    t_read_str("Client;ACME\n"
               "Date;08/01/2024\n"
               "\n"
               "Nom;Prénom;Email;Téléphone\n"
               "Dupont;Jean;jean@exemple.fr;0612345678\n"
               "Martin;Luc;luc@exemple.fr;0698765432\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Prénom|Email|Téléphone", 4, 3);
    t_assert_row(&t, 0, 5, "Dupont|Jean|jean@exemple.fr|0612345678", LI_MSG_NONE);
    t_read_free(&t);
}

/* The csvlint fixture's shape: a title, then a header over rows of text only. */
static void test_title_row_over_text_only_rows(void **state) {
    (void)state;
    t_read t;
    t_read_str("\"This is a title row\",,\n\"Foo\",\"Bsr\",\"Baz\"\n\"Biff\",\"Baff\",\"Boff\"\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Foo|Bsr|Baz", 2, 1);
    t_assert_row(&t, 0, 3, "Biff|Baff|Boff", LI_MSG_NONE);
    t_read_free(&t);
}

/* Nothing is skipped when the first row is already the header or data. */
static void test_no_preamble_nothing_skipped(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom,Email\nDupont,jean@exemple.fr\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 1, 0);
    t_read_free(&t);

    /* a sparse first row of a file without header is data, not a title */
    t_read_str("Dupont,,,\nMartin,Luc,luc@exemple.fr,0612345678\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    assert_int_equal(t.info.skipped_rows, 0);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 1, "Dupont|||", LI_MSG_NONE);
    t_read_free(&t);

    /* a narrow header over wider rows of text: no row below it is taken for the header */
    t_read_str("Nom,Prénom\nDupont,Jean,Paris\nMartin,Luc,Lyon\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Prénom", 1, 0);
    t_assert_row(&t, 0, 2, "Dupont|Jean|Paris", LI_MSG_ROW_FIELD_COUNT);
    t_read_free(&t);
}

/* --header non reads every row as data: nothing is skipped, nothing lost. */
static void test_header_option_no_skips_nothing(void **state) {
    (void)state;
    li_reader_opts o = opts_header(0);
    t_read t;
    t_read_str("Liste des prospects\nNom,Email\nDupont,jean@exemple.fr\n", &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    assert_int_equal(t.info.header_row, 0);
    assert_int_equal(t.info.skipped_rows, 0);
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 1, "Liste des prospects", LI_MSG_NONE);
    t_assert_row(&t, 1, 2, "Nom|Email", LI_MSG_ROW_FIELD_COUNT);
    t_read_free(&t);
}

/* --header oui: the header is the one found below the preamble, else the first row. */
static void test_header_option_yes_still_skips_the_preamble(void **state) {
    (void)state;
    li_reader_opts o = opts_header(1);
    t_read t;
    t_read_str("Liste des prospects\nNom,Email\nDupont,jean@exemple.fr\n", &o, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 2, 1);
    t_assert_row(&t, 0, 3, "Dupont|jean@exemple.fr", LI_MSG_NONE);
    t_read_free(&t);

    t_read_str("jean@exemple.fr,0612345678\nluc@exemple.fr,0698765432\n", &o, &t);
    t_assert_ok(&t);
    assert_header(&t, "jean@exemple.fr|0612345678", 1, 0);
    t_read_free(&t);
}

/* UTF-16 (offsets of the source, not of the decoded text) and a BOM. */
static void test_preamble_in_utf16_and_after_a_bom(void **state) {
    (void)state;
    const char *text = "Prospects 2024\r\n\r\nNom;Email\r\nDupont;jean@exemple.fr\r\n";
    size_t n;
    unsigned char *u = t_utf16(text, strlen(text), 0, 1, &n);
    t_read t;
    t_read_bytes(u, n, NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 3, 2);
    t_assert_row(&t, 0, 4, "Dupont|jean@exemple.fr", LI_MSG_NONE);
    assert_int_equal(t.rows[0].next_offset, n);
    t_read_free(&t);
    free(u);

    t_read_str("\xEF\xBB\xBFsep=;\nTitre\nNom;Email\nDupont;jean@exemple.fr\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 2, 1); /* the "sep=" line is no row, as in Excel */
    t_assert_row(&t, 0, 3, "Dupont|jean@exemple.fr", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * Resuming after any row, with the header forced as a resumed import does,
 * gives exactly the rows (numbers, offsets, fields) that reading on gave.
 */
static void check_resume_everywhere(const char *text, int header) {
    t_read all;
    t_read_str(text, NULL, &all);
    t_assert_ok(&all);
    assert_int_equal(all.info.has_header, header);
    for (size_t k = 0; k < all.n; k++) {
        li_reader_opts o = opts_header(all.info.has_header);
        o.resume_offset = all.rows[k].next_offset;
        o.resume_row = all.rows[k].number + 1;
        t_read t;
        t_read_str(text, &o, &t);
        t_assert_ok(&t);
        assert_int_equal(t.info.header_row, all.info.header_row);
        assert_int_equal(t.n, all.n - k - 1);
        for (size_t i = 0; i < t.n; i++) {
            const t_row *want = &all.rows[k + 1 + i];
            t_assert_row(&t, i, want->number, want->joined, want->problem);
            assert_int_equal(t.rows[i].offset, want->offset);
            assert_int_equal(t.rows[i].next_offset, want->next_offset);
        }
        t_read_free(&t);
    }
    t_read_free(&all);
}

static void test_resume_after_a_preamble(void **state) {
    (void)state;
    check_resume_everywhere("# export\n\nListe;;\nNom;Email;;\nDupont;a@exemple.fr;;\n\n"
                            "Martin;\"b@exemple.fr\n(bureau)\";\nPetit;c@exemple.fr\n",
                            1);
    check_resume_everywhere("Dupont,,,\nMartin,Luc,luc@exemple.fr,0612345678\n\n4,5,6,7\n", 0);
}

/* --- header names ----------------------------------------------------------------- */

/* pandas writes its index column with an empty header cell. */
static void test_header_with_an_empty_cell_is_a_header(void **state) {
    (void)state;
    t_read t;
    t_read_str(",Nom,Email,Téléphone\n0,Dupont,jean@exemple.fr,0612345678\n"
               "1,Martin,luc@exemple.fr,0698765432\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Colonne 1|Nom|Email|Téléphone", 1, 0);
    t_assert_row(&t, 0, 2, "0|Dupont|jean@exemple.fr|0612345678", LI_MSG_NONE);
    t_read_free(&t);

    t_read_str("Nom;  ;Email\nDupont;x;jean@exemple.fr\n", NULL, &t); /* spaces are empty */
    t_assert_ok(&t);
    assert_header(&t, "Nom|Colonne 2|Email", 1, 0);
    t_read_free(&t);
}

static void test_repeated_header_names_are_numbered(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom,Email,Email,email ,Téléphone\n"
               "Dupont,a@exemple.fr,b@exemple.fr,c@exemple.fr,0612345678\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email|Email (2)|email (3)|Téléphone", 1, 0);
    t_assert_row(&t, 0, 2, "Dupont|a@exemple.fr|b@exemple.fr|c@exemple.fr|0612345678",
                 LI_MSG_NONE);
    t_read_free(&t);

    /* a number the file already uses is skipped */
    t_read_str("Email,Email (2),Email\na@exemple.fr,b@exemple.fr,c@exemple.fr\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Email|Email (2)|Email (3)", 1, 0);
    t_read_free(&t);
}

/* Without values below that look like data, a row with gaps or repeats stays data. */
static void test_gaps_and_repeats_without_evidence_stay_data(void **state) {
    (void)state;
    t_read t;
    t_read_str("Dupont,,Paris\nMartin,Luc,Lyon\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    t_assert_row(&t, 0, 1, "Dupont||Paris", LI_MSG_NONE);
    t_read_free(&t);
}

/* A delimiter at the end of the header line alone adds no column. */
static void test_trailing_delimiter_on_the_header_line_alone(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom,Email,\nDupont,jean@exemple.fr\nMartin,luc@exemple.fr\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email", 1, 0);
    assert_int_equal(t.info.columns, 2);
    t_assert_row(&t, 0, 2, "Dupont|jean@exemple.fr", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Martin|luc@exemple.fr", LI_MSG_NONE);
    t_read_free(&t);

    /* values under an untitled last column keep it, named like an empty cell */
    t_read_str("Nom,Email,\nDupont,jean@exemple.fr,VIP\nMartin,luc@exemple.fr,\n", NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Email|Colonne 3", 1, 0);
    t_assert_row(&t, 0, 2, "Dupont|jean@exemple.fr|VIP", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Martin|luc@exemple.fr|", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- quotes ------------------------------------------------------------------------ */

static void test_spaces_after_a_closing_quote_are_padding(void **state) {
    (void)state;
    t_read t;
    t_read_str("\"Nom\"  ,\"Ville\" \n\"Curie\"  ,\"Paris\"\t\n\"Le \"\"Bon\"\" Coin\" ,Lyon\n"
               "\"ab\" c,d\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_header(&t, "Nom|Ville", 1, 0);
    t_assert_row(&t, 0, 2, "Curie|Paris", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "Le \"Bon\" Coin|Lyon", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "ab\" c|d", LI_MSG_ROW_STRAY_QUOTE); /* text: not a closing quote */
    t_read_free(&t);

    /* with TAB as the delimiter, a tab after the quote is the delimiter */
    t_read_str("\"Nom\"\t\"Ville\"\n\"Curie\" \t\"Paris\"\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.delimiter, '\t');
    t_assert_row(&t, 0, 2, "Curie|Paris", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_backslash_escaped_quotes_are_read(void **state) {
    (void)state;
    t_read t;
    t_read_str("id,nom,note\n"
               "1,\"Dupont\",\"il a dit \\\"oui\\\", puis non\"\n"
               "2,\"Martin\",\"C:\\\\dossier\\\\\"\n"
               "3,\"Petit\",\"sur deux\\\nlignes, \\\"vraiment\\\"\"\n"
               "4,\"Roux\",\"le \"\"bon\"\" et \\\\n\"\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.escape, '\\');
    assert_int_equal(t.info.delimiter, ',');
    assert_header(&t, "id|nom|note", 1, 0);
    assert_int_equal(t.n, 4);
    t_assert_row(&t, 0, 2, "1|Dupont|il a dit \"oui\", puis non", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "2|Martin|C:\\dossier\\", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "3|Petit|sur deux\\\nlignes, \"vraiment\"", LI_MSG_NONE);
    t_assert_row(&t, 3, 5, "4|Roux|le \"bon\" et \\n", LI_MSG_NONE);
    t_read_free(&t);
}

/* A file where a backslash is only a character stays RFC 4180. */
static void test_rfc4180_files_with_backslashes_are_unchanged(void **state) {
    (void)state;
    t_read t;
    t_read_str("chemin,note\n\"C:\\dossier\\\",\"a\"\"b\"\n\"D:\\\",x\\y\n\"\\\\serveur\\\",z\n", NULL,
               &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.escape, 0);
    t_assert_row(&t, 0, 2, "C:\\dossier\\|a\"b", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "D:\\|x\\y", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "\\\\serveur\\|z", LI_MSG_NONE);
    t_read_free(&t);

    /* a \" that RFC 4180 reads well (followed by the delimiter) is not evidence */
    t_read_str("a,b\n\"x\\\",y\n", NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.escape, 0);
    t_assert_row(&t, 0, 2, "x\\|y", LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A record over max_row is skipped to its end quote-aware: in a backslash-
 * escaped file, \" inside a quoted field of the skipped part (here across a
 * line break) does not close it.
 */
static void test_backslash_escapes_in_a_record_over_max_row(void **state) {
    (void)state;
    char text[512];
    size_t n = (size_t)snprintf(text, sizeof text, "a,b,c\n1,\"x \\\"y\\\" z\",\n2,");
    for (int i = 0; i < 80; i++)
        text[n++] = 'x';
    n += (size_t)snprintf(text + n, sizeof text - n, ",\"p\\\"\nq\\\",r\"\n3,\"w\",\n");
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_row = 64;
    t_read t;
    t_read_bytes(text, n, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.escape, '\\');
    assert_int_equal(t.n, 3);
    t_assert_row(&t, 0, 2, "1|x \"y\" z|", LI_MSG_NONE);
    assert_int_equal(t.rows[1].number, 3);
    assert_int_equal(t.rows[1].problem, LI_MSG_ROW_TOO_LONG);
    t_assert_row(&t, 2, 4, "3|w|", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- encodings --------------------------------------------------------------------- */

static void check_encoding_warning(const char *bytes, li_msg want) {
    t_read t;
    t_read_str(bytes, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "windows-1252");
    if (t.info.warning != want)
        fail_msg("warning %s, expected %s", li_msg_code(t.info.warning), li_msg_code(want));
    t_read_free(&t);
}

static void test_shift_jis_and_cyrillic_get_a_warning(void **state) {
    (void)state;
    /* kanji, kana and e-mails in Shift-JIS */
    check_encoding_warning("\x96\xBC\x91O,\x83\x81\x81[\x83\x8B,\x93"
                           "d\x98"
                           "b\n\x93"
                           "c\x92\x86\x91\xBE\x98Y,tanaka@example.jp,03-1234-5678\n\x8D\xB2\x93\xA1"
                           "\x89\xD4\x8Eq,sato@example.jp,06-9876-5432\n",
                           LI_MSG_ENCODING_DOUBTFUL);
    /* katakana only: one high byte per character, 0x83 each time */
    check_encoding_warning("Nom,Prenom,Email\n\x83^\x83i\x83J,\x83T\x83g\x83"
                           "E,t@x.jp\n\x83\x84\x83}\x83_,\x83n\x83i\x83R,h@x.jp\n",
                           LI_MSG_ENCODING_DOUBTFUL);
    /* Kazakh names in Windows-1251 */
    check_encoding_warning("\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF;Email\n\xC8\xE2\xE0\xED\xEE"
                           "\xE2;\xC8\xE2\xE0\xED;ivan@example.kz\n\xCF\xE5\xF2\xF0\xEE\xE2\xE0;"
                           "\xC0\xED\xED\xE0;anna@example.kz\n",
                           LI_MSG_ENCODING_DOUBTFUL);
}

static void test_french_windows_1252_gets_no_warning(void **state) {
    (void)state;
    check_encoding_warning("Nom;Ville;Note\nH\xE9l\xE8ne M\xFCller;Orl\xE9"
                           "ans;l\x92\xE9t\xE9 \xAB 2024 \xBB \x96 12 \x80\nFran\xE7ois;Besan\xE7on;"
                           "\x8Cuvre\x85\n",
                           LI_MSG_NONE);
    t_read t;
    t_read_str("Nom\nHélène\n", NULL, &t); /* UTF-8 */
    t_assert_ok(&t);
    assert_int_equal(t.info.warning, LI_MSG_NONE);
    t_read_free(&t);

    li_reader_opts o; /* chosen by the user: no warning */
    li_reader_opts_init(&o);
    o.encoding = "windows-1252";
    t_read_str("\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF\n\xC8\xE2\xE0\xED\xEE\xE2;\xC8\xE2\xE0\xED"
               "\n",
               &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.warning, LI_MSG_NONE);
    t_read_free(&t);
}

/*
 * A UTF-8 file with one row pasted from a Windows-1252 file near its start
 * is still UTF-8: only that row is read as Windows-1252, with a warning,
 * instead of every accent of the file turning into mojibake ("Ã©").
 */
static void test_utf8_file_with_a_stray_windows_1252_row(void **state) {
    (void)state;
    t_read t;
    t_read_str("Nom;Ville\nHélène;Orléans\nFrançois;Besançon\nRené;Nîmes\nChloé;Évry\n"
               "Zoé;Sète\nGaëlle;Sceaux\nAndré;Agen\nJérôme;Créteil\n"
               "Lef\xE8vre;Gen\xE8ve\nNoël;Mâcon\n",
               NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.encoding, "utf-8");
    assert_int_equal(t.info.warning, LI_MSG_ENCODING_MIXED); /* said for the file as a whole */
    t_assert_row(&t, 0, 2, "Hélène|Orléans", LI_MSG_NONE);
    t_assert_row(&t, 8, 10, "Lefèvre|Genève", LI_MSG_ROW_ENCODING_FIXED);
    t_assert_row(&t, 9, 11, "Noël|Mâcon", LI_MSG_NONE);
    t_read_free(&t);
}

static int teardown_all(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_and_blank_line_above_the_header_are_skipped),
        cmocka_unit_test(test_padded_title_rows_of_a_spreadsheet_are_skipped),
        cmocka_unit_test(test_comment_lines_above_the_header_are_skipped),
        cmocka_unit_test(test_key_value_notes_above_the_header_are_skipped),
        cmocka_unit_test(test_title_row_over_text_only_rows),
        cmocka_unit_test(test_no_preamble_nothing_skipped),
        cmocka_unit_test(test_header_option_no_skips_nothing),
        cmocka_unit_test(test_header_option_yes_still_skips_the_preamble),
        cmocka_unit_test(test_preamble_in_utf16_and_after_a_bom),
        cmocka_unit_test(test_resume_after_a_preamble),
        cmocka_unit_test(test_header_with_an_empty_cell_is_a_header),
        cmocka_unit_test(test_repeated_header_names_are_numbered),
        cmocka_unit_test(test_gaps_and_repeats_without_evidence_stay_data),
        cmocka_unit_test(test_trailing_delimiter_on_the_header_line_alone),
        cmocka_unit_test(test_spaces_after_a_closing_quote_are_padding),
        cmocka_unit_test(test_backslash_escaped_quotes_are_read),
        cmocka_unit_test(test_rfc4180_files_with_backslashes_are_unchanged),
        cmocka_unit_test(test_backslash_escapes_in_a_record_over_max_row),
        cmocka_unit_test(test_shift_jis_and_cyrillic_get_a_warning),
        cmocka_unit_test(test_french_windows_1252_gets_no_warning),
        cmocka_unit_test(test_utf8_file_with_a_stray_windows_1252_row),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
