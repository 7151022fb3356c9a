/*
 * test_xlsx.c — the XLSX reader's promises (src/read/xlsx*.c), one test
 * each: values (strings, rich text, numbers without exponent, dates, 1904,
 * booleans, errors, formulas), gaps and row numbers, sheets, limits,
 * refused files (not a zip, truncated, no workbook, encrypted, zip bomb,
 * unsafe names, DTDs), UTF-16 parts, .xlsm, files written by libxlsxwriter, resuming,
 * progress, and the readxl corpus when ../shared is there.
 *
 * Workbooks are built here: by hand with libzip when the test needs exact
 * XML (xlsx_test_util.h), with libxlsxwriter for a real producer's layout.
 * The shapes of real-world workbooks that other readers disagree on are in
 * test_xlsx_shapes.c.
 */
#include <sys/stat.h>
#include <xlsxwriter.h>

#include "read/xlsxInt.h"
#include "xlsx_test_util.h"

/* --- values ------------------------------------------------------------------- */

static void test_shared_inline_and_rich_text_strings(void **state) {
    (void)state;
    char rows[4096];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c>"
             "<c r=\"B2\" t=\"inlineStr\"><is><r><t>ab</t></r><r><t>c@x.fr</t></r>"
             "<rPh><t>NO</t></rPh></is></c>"
             "<c r=\"C2\" t=\"inlineStr\"><is><t>&lt;06&gt; &amp; &#233;</t></is></c></row>"
             "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>4</v></c><c r=\"B3\" t=\"str\"><f>A1</f>"
             "<v>calc_x0041_</v></c></row>",
             header_row);
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    assert_string_equal(t.info.format, "xlsx");
    assert_int_equal(t.info.has_header, 1);
    assert_string_equal(t.header, "Nom|Email|Téléphone");
    t_assert_row(&t, 0, 2, "Dupont |abc@x.fr|<06> & é", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "ligne 1\r\nligne 2 _x000D_|calcA|", LI_MSG_NONE);
    t_read_free(&t);
    assert_sheet(book("t.xlsx", rows, 0), NULL, "Leads");
}

static void test_numbers_in_full_without_exponent(void **state) {
    (void)state;
    char rows[4096];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"A2\"><v>3.3612345678E+10</v></c><c r=\"B2\">"
             "<v>33612345678</v></c><c r=\"C2\"><v>6.12345678E8</v></c></row>"
             "<row r=\"3\"><c r=\"A3\"><v>0.1</v></c><c r=\"B3\"><v>2.3199999999999998</v></c>"
             "<c r=\"C3\"><v>-1.5E-3</v></c></row>"
             "<row r=\"4\"><c r=\"A4\"><v>1E+20</v></c><c r=\"B4\"><v>-0</v></c>"
             "<c r=\"C4\" s=\"8\"><v>612345678</v></c></row>",
             header_row);
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "33612345678|33612345678|612345678", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "0.1|2.32|-0.0015", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "100000000000000000000|0|612345678", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_booleans_errors_and_formulas(void **state) {
    (void)state;
    char rows[4096];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"A2\" t=\"b\"><v>1</v></c><c r=\"B2\" t=\"b\"><v>0</v></c>"
             "<c r=\"C2\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c></row>"
             "<row r=\"3\"><c r=\"A3\" t=\"e\"><v>#N/A</v></c><c r=\"B3\"><f>1+1</f><v>2</v></c>"
             "<c r=\"C3\"><f>B3*2</f></c></row>",
             header_row);
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "TRUE|FALSE|#DIV/0!", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "#N/A|2|", LI_MSG_NONE); /* a formula without a value: empty */
    t_read_free(&t);
}

static void test_dates_from_styles(void **state) {
    (void)state;
    char rows[4096];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45292</v></c><c r=\"B2\" s=\"2\">"
             "<v>45292.75</v></c><c r=\"C2\" s=\"3\"><v>45658</v></c></row>"
             "<row r=\"3\"><c r=\"A3\" s=\"4\"><v>45292</v></c><c r=\"B3\" s=\"5\"><v>12</v></c>"
             "<c r=\"C3\" s=\"6\"><v>6000</v></c></row>"
             "<row r=\"4\"><c r=\"A4\" s=\"7\"><v>0.5</v></c><c r=\"B4\" s=\"1\"><v>59</v></c>"
             "<c r=\"C4\" s=\"1\"><v>61</v></c></row>"
             "<row r=\"5\"><c r=\"A5\" t=\"d\"><v>2024-05-01T00:00:00</v></c>"
             "<c r=\"B5\" t=\"d\"><v>2024-05-01T09:30:00.000Z</v></c></row>",
             header_row);
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "2024-01-01|2024-01-01 18:00:00|2025-01-01", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "45292|12|06000", LI_MSG_NONE);
    t_assert_row(&t, 2, 4, "12:00:00|1900-02-28|1900-03-01", LI_MSG_NONE);
    t_assert_row(&t, 3, 5, "2024-05-01|2024-05-01 09:30:00|", LI_MSG_NONE); /* t="d" cells */
    t_read_free(&t);

    read_book(rows, 1, NULL, &t); /* the 1904 date system: 1462 days later */
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "2028-01-02|2028-01-02 18:00:00|2029-01-02", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_number_format_kinds(void **state) {
    (void)state;
    static const struct {
        const char *code;
        int kind;
        unsigned pad;
    } cases[] = {
        {"General", LI__NUMFMT_GENERAL, 0},
        {"dd/mm/yyyy", LI__NUMFMT_DATE, 0},
        {"[$-40C]d mmmm yyyy;@", LI__NUMFMT_DATE, 0},
        {"[h]:mm:ss", LI__NUMFMT_DURATION, 0}, /* elapsed time: no clock, no date */
        {"[mm]:ss", LI__NUMFMT_DURATION, 0},
        {"[s]", LI__NUMFMT_DURATION, 0},
        {"[$-40C]h:mm", LI__NUMFMT_DATE, 0},
        {"[Magenta]0", LI__NUMFMT_GENERAL, 0},
        {"[Red]#,##0.00", LI__NUMFMT_GENERAL, 0},
        {"0\" days\"", LI__NUMFMT_GENERAL, 0},
        {"#,##0\\ \"€\";[Red]\\-#,##0\\ \"€\"", LI__NUMFMT_GENERAL, 0},
        {"00000", LI__NUMFMT_ZEROPAD, 5},
        {"0.00E+00", LI__NUMFMT_GENERAL, 0},
        {"_-* #,##0.00\\ _€_-", LI__NUMFMT_GENERAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned pad;
        int kind = li__xlsx_format_kind(cases[i].code, &pad);
        if (kind != cases[i].kind || pad != cases[i].pad)
            fail_msg("%s: kind %d pad %u", cases[i].code, kind, pad);
    }
    assert_int_equal(li__xlsx_builtin_kind(14), LI__NUMFMT_DATE);
    assert_int_equal(li__xlsx_builtin_kind(47), LI__NUMFMT_DATE);
    assert_int_equal(li__xlsx_builtin_kind(45), LI__NUMFMT_DATE);     /* mm:ss */
    assert_int_equal(li__xlsx_builtin_kind(46), LI__NUMFMT_DURATION); /* [h]:mm:ss */
    assert_int_equal(li__xlsx_builtin_kind(49), LI__NUMFMT_GENERAL);
    assert_int_equal(li__xlsx_builtin_kind(0), LI__NUMFMT_GENERAL);
}

/* --- layout ------------------------------------------------------------------ */

static void test_gaps_missing_refs_and_row_numbers(void **state) {
    (void)state;
    char rows[4096];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"C2\"><v>3</v></c></row>"                 /* A, B missing */
             "<row r=\"5\"><c><v>1</v></c><c><v>2</v></c></row>"             /* no r on cells */
             "<row><c r=\"B6\"><v>7</v></c><c><v>8</v></c></row>"            /* no r on the row */
             "<row r=\"7\"><c r=\"A7\" s=\"1\"/><c r=\"B7\" t=\"s\"/></row>" /* style only */
             "<row r=\"9\" spans=\"1:3\"><c r=\"A9\"><v>9</v></c><c r=\"Z9\" s=\"3\"/></row>",
             header_row);
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 4);
    t_assert_row(&t, 0, 2, "||3", LI_MSG_NONE);
    t_assert_row(&t, 1, 5, "1|2|", LI_MSG_NONE);
    t_assert_row(&t, 2, 6, "|7|8", LI_MSG_NONE);
    t_assert_row(&t, 3, 9, "9||", LI_MSG_NONE); /* row 7 is blank; Z9 has no value */
    t_read_free(&t);
}

static void test_header_detection_and_option(void **state) {
    (void)state;
    const char *rows = "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>d@x.fr</t></is></c>"
                       "<c r=\"B3\"><v>612345678</v></c></row>"
                       "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>e@x.fr</t></is></c></row>";
    t_read t;
    read_book(rows, 0, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.has_header, 0);
    assert_int_equal(t.info.columns, 2);
    t_assert_row(&t, 0, 3, "d@x.fr|612345678", LI_MSG_NONE);
    t_assert_row(&t, 1, 4, "e@x.fr|", LI_MSG_NONE);
    t_read_free(&t);

    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 1;
    read_book(rows, 0, &o, &t);
    t_assert_ok(&t);
    assert_string_equal(t.header, "d@x.fr|612345678");
    assert_int_equal(t.n, 1);
    t_read_free(&t);
}

/* An inline-string cell. */
#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"

/*
 * A header below a title block (a title, notes, an empty row) is found as
 * in CSV: the rows above are skipped and counted, rows keep the sheet's
 * numbers, repeated names are numbered; resuming after any row with the
 * header forced (as a resumed import does) gives the same rows.
 */
static void test_header_below_a_title_block(void **state) {
    (void)state;
    const char *rows =
        "<row r=\"1\">" IS("A1", "Contacts du salon") "</row>"
        "<row r=\"2\">" IS("A2", "Source : stand B12") IS("D2", "Mis à jour le 08/01/2024") "</row>"
        "<row r=\"4\">" IS("A4", "Nom") IS("B4", "Email") IS("C4", "Email") IS("D4", "Téléphone")
        "</row>"
        "<row r=\"5\">" IS("A5", "Dupont") IS("B5", "a@x.fr") IS("C5", "b@x.fr")
        "<c r=\"D5\"><v>612345678</v></c></row>"
        "<row r=\"6\">" IS("A6", "Martin") IS("B6", "c@x.fr") "</row>"
        "<row r=\"7\">" IS("A7", "Petit") IS("D7", "0698765432") "</row>";
    t_read all;
    read_book(rows, 0, NULL, &all);
    t_assert_ok(&all);
    assert_int_equal(all.info.has_header, 1);
    assert_int_equal(all.info.header_row, 4);
    assert_int_equal(all.info.skipped_rows, 3);
    assert_string_equal(all.header, "Nom|Email|Email (2)|Téléphone");
    assert_int_equal(all.n, 3);
    t_assert_row(&all, 0, 5, "Dupont|a@x.fr|b@x.fr|612345678", LI_MSG_NONE);
    t_assert_row(&all, 1, 6, "Martin|c@x.fr||", LI_MSG_NONE);
    t_assert_row(&all, 2, 7, "Petit|||0698765432", LI_MSG_NONE);
    for (size_t k = 0; k < all.n; k++) {
        li_reader_opts o;
        li_reader_opts_init(&o);
        o.header = 1;
        o.resume_offset = all.rows[k].next_offset;
        o.resume_row = all.rows[k].number + 1;
        t_read t;
        read_book(rows, 0, &o, &t);
        t_assert_ok(&t);
        assert_int_equal(t.info.header_row, 4);
        assert_int_equal(t.n, all.n - k - 1);
        for (size_t i = 0; i < t.n; i++)
            t_assert_row(&t, i, all.rows[k + 1 + i].number, all.rows[k + 1 + i].joined,
                         LI_MSG_NONE);
        t_read_free(&t);
    }
    t_read_free(&all);

    li_reader_opts o; /* --header non: every row is data, nothing skipped */
    li_reader_opts_init(&o);
    o.header = 0;
    read_book(rows, 0, &o, &all);
    t_assert_ok(&all);
    assert_int_equal(all.info.skipped_rows, 0);
    assert_int_equal(all.n, 6);
    t_assert_row(&all, 0, 1, "Contacts du salon", LI_MSG_NONE);
    t_read_free(&all);
}

/* --- limits --------------------------------------------------------------------- */

static void test_limits_give_row_problems(void **state) {
    (void)state;
    char rows[8192];
    snprintf(rows, sizeof rows,
             "%s<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>%s</t></is></c></row>"
             "<row r=\"3\"><c r=\"A3\"><v>1</v></c><c r=\"E3\"><v>5</v></c></row>"
             "<row r=\"4\"><c r=\"A4\"><v>1</v></c><c r=\"D4\"><v>4</v></c></row>"
             "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>abcdefgh</t></is></c>"
             "<c r=\"B5\" t=\"inlineStr\"><is><t>abcdefgh</t></is></c>"
             "<c r=\"C5\" t=\"inlineStr\"><is><t>abcdefgh</t></is></c></row>"
             "<row r=\"6\"><c r=\"A6\"><v>6</v></c></row>",
             header_row, "ééééééééééé"); /* 22 bytes */
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_field = 9;
    o.max_columns = 4;
    o.max_row = 20;
    t_read t;
    read_book(rows, 0, &o, &t);
    t_assert_ok(&t);
    /* cut on a UTF-8 boundary, and marked as cut */
    t_assert_row(&t, 0, 2, "éééé…||", LI_MSG_ROW_FIELD_TOO_LONG);
    t_assert_row(&t, 1, 3, "1||", LI_MSG_ROW_TOO_MANY_COLUMNS);
    t_assert_row(&t, 2, 4, "1||", LI_MSG_ROW_CELLS_IGNORED); /* right of the header: ignored */
    t_assert_row(&t, 3, 5, "abcdefgh|abcdefgh|abcd", LI_MSG_ROW_TOO_LONG);
    t_assert_row(&t, 4, 6, "6||", LI_MSG_NONE);
    assert_int_equal(li_msg_severity(t.rows[0].problem), LI_SEV_ERROR);
    assert_non_null(strstr(t.rows[0].problem_text, "colonne 1"));
    t_read_free(&t);
}

/* --- sheets ----------------------------------------------------------------------- */

static const char *three_sheets(void) {
    static const char wb[] =
        "<?xml version=\"1.0\"?><workbook xmlns=\"" NS_MAIN "\" xmlns:rel=\"" NS_REL "\"><sheets>"
        "<sheet name=\"Cachée\" sheetId=\"1\" state=\"hidden\" rel:id=\"rId7\"/>"
        "<sheet name=\"Prospects\" sheetId=\"2\" rel:id=\"rId5\"/>"
        "<sheet name=\"Clients\" sheetId=\"3\" rel:id=\"rId6\"/></sheets></workbook>";
    static const char rels[] =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"" NS_PKG "\">"
        "<Relationship Id=\"rId5\" Type=\"" NS_REL "/worksheet\" Target=\"/xl/ws/b.xml\"/>"
        "<Relationship Id=\"rId6\" Type=\"" NS_REL "/worksheet\" Target=\"./ws/../ws/a.xml\"/>"
        "<Relationship Id=\"rId7\" Type=\"" NS_REL "/worksheet\" Target=\"ws/h.xml\"/>"
        "</Relationships>";
#define SHEET(rows) "<worksheet xmlns=\"" NS_MAIN "\">" rows "</worksheet>"
    static const char a[] =
        SHEET("<dimension ref=\"A1:B40\"/><sheetData><row r=\"1\"><c t=\"inlineStr\"><is>"
              "<t>clients</t></is></c></row></sheetData>");
    static const char b[] = SHEET("<sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>prospects</t>"
                                  "</is></c></row><row r=\"12\"><c><v>1</v></c></row></sheetData>");
    static const char h[] = SHEET("<dimension ref=\"A1\"/><sheetData><row><c t=\"inlineStr\"><is>"
                                  "<t>cachée</t></is></c></row></sheetData>");
    part parts[] = {
        {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", wb, 0},
        {"xl/_rels/workbook.xml.rels", rels, 0},
        {"xl/ws/a.xml", a, 0},
        {"xl/ws/b.xml", b, 0},
        {"xl/ws/h.xml", h, 0},
    };
    return zip_write("sheets.xlsx", parts, sizeof parts / sizeof parts[0]);
}

static void test_sheets_by_default_name_and_number(void **state) {
    (void)state;
    const char *path = three_sheets();
    static const struct {
        const char *sheet, *first;
    } cases[] = {
        {NULL, "prospects"}, /* the hidden first sheet is skipped */
        {"Clients", "clients"}, {"clients", "clients"}, {"1", "cachée"}, {"3", "clients"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        li_reader_opts o;
        li_reader_opts_init(&o);
        o.header = 1;
        o.sheet = cases[i].sheet;
        t_read t;
        t_read_file(path, &o, &t);
        t_assert_ok(&t);
        assert_string_equal(t.header, cases[i].first);
        t_read_free(&t);
    }

    li_reader_opts o;
    li_reader_opts_init(&o);
    o.sheet = "Feuil9";
    t_read t;
    t_read_file(path, &o, &t);
    assert_refused(&t, LI_EUSAGE, LI_MSG_XLSX_SHEET_UNKNOWN);
    assert_non_null(strstr(t.err.message, "« Feuil9 »"));
    assert_non_null(strstr(t.err.message, "2 = « Prospects »"));
    t_read_free(&t);
}

static void test_sheet_list_with_row_counts(void **state) {
    (void)state;
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(three_sheets(), NULL, &r, &err), LI_OK);
    const li_sheet_info *s;
    size_t n;
    assert_int_equal(li_reader_sheets(r, &s, &n, &err), LI_OK);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].name, "Cachée");
    assert_int_equal(s[0].hidden, 1);
    assert_int_equal(s[0].rows, 1); /* dimension "A1": counted */
    assert_string_equal(s[1].name, "Prospects");
    assert_int_equal(s[1].current, 1);
    assert_int_equal(s[1].rows, 12); /* no dimension: counted */
    assert_int_equal(s[2].number, 3);
    assert_int_equal(s[2].rows, 40); /* from the dimension */
    li_reader_free(r);

    /* a CSV file has no sheets */
    const char *csv = t_write("a.csv", "a,b\n1,2\n", 8);
    assert_int_equal(li_reader_open(csv, NULL, &r, &err), LI_OK);
    assert_int_equal(li_reader_sheets(r, &s, &n, &err), LI_OK);
    assert_int_equal(n, 0);
    assert_null(li_reader_get_info(r)->sheet);
    li_reader_free(r);
}

/* --- refused files ----------------------------------------------------------------- */

static void test_not_a_zip_or_truncated_refused(void **state) {
    (void)state;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.format = "xlsx";
    t_read t;
    t_read_file(t_write("text.xlsx", "a,b\n1,2\n", 8), &o, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK);
    t_read_free(&t);

    /* a real workbook cut in half */
    const char *path = book("whole.xlsx", header_row, 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char bytes[1 << 16];
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    t_read_file(t_write("cut.xlsx", bytes, n / 2), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_CORRUPT);
    t_read_free(&t);
}

static void test_zip_without_workbook_refused(void **state) {
    (void)state;
    part other[] = {{"readme.txt", "hello", 0}};
    t_read t;
    t_read_file(zip_write("other.xlsx", other, 1), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK);
    assert_non_null(strstr(t.err.message, "n'est pas un classeur Excel : c'est une archive zip"));
    t_read_free(&t);

    part ods[] = {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0},
                  {"content.xml", "<x/>", 0}};
    t_read_file(zip_write("book.ods", ods, 2), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED);
    assert_non_null(strstr(t.err.message, ".ods"));
    t_read_free(&t);
}

static void test_encrypted_workbook_told_from_xls(void **state) {
    (void)state;
    unsigned char ole[4096] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    t_read t;
    t_read_bytes(ole, sizeof ole, NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_FORMAT_XLS);
    t_read_free(&t);

    /* the directory entry of an encrypted OOXML file, at its sector */
    ole[0x1E] = 9; /* 512-byte sectors */
    ole[0x30] = 2; /* directory at sector 2: offset 1536 */
    memcpy(ole + 1536 + 128, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
    t_read_bytes(ole, sizeof ole, NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_ENCRYPTED);
    t_read_free(&t);
}

static void test_zip_bomb_stopped_while_inflating(void **state) {
    (void)state;
    size_t big = 64u * 1024u * 1024u;
    char *zeros = malloc(big);
    assert_non_null(zeros);
    memset(zeros, ' ', big); /* well-formed: the XML is fine, the size is not */
    memcpy(zeros, "<worksheet><sheetData>", 22);
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/worksheets/sheet1.xml", zeros, big}};
    const char *path = zip_write("bomb.xlsx", parts, 4);
    free(zeros);
    t_read t;
    t_read_file(path, NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT);
    assert_non_null(strstr(t.err.message, "250 fois"));
    t_read_free(&t);

    /* the limit on all entries together, made small */
    char rows[20000];
    size_t o = 0;
    for (int i = 1; i <= 200; i++)
        o += (size_t)snprintf(rows + o, sizeof rows - o, "<row r=\"%d\"><c><v>%d</v></c></row>", i,
                              i);
    li_reader_opts opts;
    li_reader_opts_init(&opts);
    opts.max_inflated = 4000;
    read_book(rows, 0, &opts, &t);
    if (t.status == LI_OK) /* the limit may be reached while reading rows */
        assert_int_equal(t.end, LI_EFORMAT);
    else
        assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT);
    t_read_free(&t);
}

static void test_unsafe_entry_names_refused(void **state) {
    (void)state;
    static const char *names[] = {"../evil.xml", "/etc/x.xml", "xl/../../x.xml", "C:\\x.xml"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        part parts[] = {{"_rels/.rels", root_rels, 0}, {names[i], "<x/>", 0}};
        t_read t;
        t_read_file(zip_write("unsafe.xlsx", parts, 2), NULL, &t);
        assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_UNSAFE);
        t_read_free(&t);
    }
}

static void test_dtd_and_entities_refused(void **state) {
    (void)state;
    /* billion laughs in the shared strings: refused at the DOCTYPE, at once */
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
        "<sst><si><t>&lol9;</t></si></sst>";
    static const char xxe[] = "<?xml version=\"1.0\"?><!DOCTYPE w SYSTEM \"file:///etc/passwd\">"
                              "<worksheet><sheetData/></worksheet>";
    static const char sheet[] =
        "<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>";
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/sharedStrings.xml", laughs, 0},
                    {"xl/worksheets/sheet1.xml", sheet, 0}};
    t_read t;
    t_read_file(zip_write("laughs.xlsx", parts, 5), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_UNSAFE);
    assert_non_null(strstr(t.err.message, "sharedStrings.xml"));
    t_read_free(&t);

    parts[3].data = "<sst/>";
    parts[4].data = xxe;
    t_read_file(zip_write("xxe.xlsx", parts, 5), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_UNSAFE);
    t_read_free(&t);

    parts[4].data = "<worksheet><sheetData><row><c><v>1</v></c></row>"; /* unclosed */
    t_read_file(zip_write("broken.xlsx", parts, 5), NULL, &t);
    assert_int_equal(t.status, LI_OK);
    assert_int_equal(t.end, LI_EFORMAT); /* the first row was read, then the XML broke */
    /* the message names the row a user finds in Excel, then where in the XML */
    assert_non_null(strstr(t.err.message, "après la ligne 1 de la feuille, à l'octet 48"));
    t_read_free(&t);

    parts[4].data = "<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row>"
                    "<row r=\"2\"><c><v>2</v></c></row><row r=\"7\"><c><v>3</c></row>"
                    "</sheetData></worksheet>";
    t_read_file(zip_write("mismatch.xlsx", parts, 5), NULL, &t);
    assert_int_equal(t.end, LI_EFORMAT);
    assert_int_equal(t.n, 2); /* the rows before it */
    assert_non_null(strstr(t.err.message, "dans la ligne 7 de la feuille"));
    assert_non_null(strstr(t.err.message, "balise fermante qui ne correspond pas"));
    t_read_free(&t);
}

/* UTF-8 text (U+0000-U+FFFF) as UTF-16LE after a byte-order mark; the length in *n. */
static char *utf16le(const char *s, size_t *n) {
    size_t len = strlen(s), o = 0;
    char *out = malloc(2 * len + 2);
    assert_non_null(out);
    out[o++] = (char)0xFF, out[o++] = (char)0xFE;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = c < 0x80   ? c
                      : c < 0xE0 ? (c & 0x1Fu) << 6 | (s[i + 1] & 0x3Fu)
                                 : (c & 0x0Fu) << 12 | (s[i + 1] & 0x3Fu) << 6 | (s[i + 2] & 0x3Fu);
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : 3;
        out[o++] = (char)(cp & 0xFF);
        out[o++] = (char)(cp >> 8);
    }
    *n = o;
    return out;
}

/*
 * Office Open XML allows UTF-16 parts: a sheet and shared strings written
 * so read the same rows as in UTF-8. Another encoding is refused by name.
 */
static void test_utf16_parts_read_and_other_encodings_refused(void **state) {
    (void)state;
    static const char sheet[] =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
        "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\" t=\"inlineStr\">"
        "<is><t>Zoé &amp; Ångström</t></is></c></row></sheetData></worksheet>";
    static const char strings[] =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
        "<sst xmlns=\"" NS_MAIN "\"><si><t>Nom</t></si><si><t>Société</t></si>"
        "<si><t>Hélène</t></si></sst>";
    size_t sheet_n, sst_n;
    char *sheet16 = utf16le(sheet, &sheet_n), *sst16 = utf16le(strings, &sst_n);
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/sharedStrings.xml", sst16, sst_n},
                    {"xl/worksheets/sheet1.xml", sheet16, sheet_n}};
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 1;
    t_read t;
    t_read_file(zip_write("utf16.xlsx", parts, 5), &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.rows[0].joined, "Hélène|Zoé & Ångström");
    t_read_free(&t);
    free(sheet16);
    free(sst16);

    parts[3].data = "<sst/>";
    parts[3].len = 0;
    parts[4].data = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><worksheet><sheetData>"
                    "<row><c><v>1</v></c></row></sheetData></worksheet>";
    parts[4].len = 0;
    t_read_file(zip_write("latin1.xlsx", parts, 5), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_CORRUPT);
    assert_non_null(strstr(t.err.message, "l'encodage « ISO-8859-1 »"));
    assert_non_null(strstr(t.err.message, "UTF-8 ou UTF-16 sont attendus"));
    t_read_free(&t);
}

static void test_xlsm_read_macros_ignored(void **state) {
    (void)state;
    static const char vba[] = "\xD0\xCF\x11\xE0 not really a VBA project";
    char sheet[512];
    snprintf(sheet, sizeof sheet,
             "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData></worksheet>", header_row);
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/sharedStrings.xml", sst, 0},
                    {"xl/worksheets/sheet1.xml", sheet, 0},
                    {"xl/vbaProject.bin", vba, 0}};
    t_read t;
    t_read_file(zip_write("macros.xlsm", parts, 6), NULL, &t);
    assert_int_equal(t.status, LI_OK);
    assert_string_equal(t.header, "Nom|Email|Téléphone");
    t_read_free(&t);
}

/* --- real producers, resuming, progress ---------------------------------------------- */

/* Writes rows data rows with libxlsxwriter (constant memory: inline strings, or the shared table).
 */
static const char *xlsxwriter_book(const char *name, int rows, int constant_memory) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", t_tmp(), name);
    lxw_workbook_options opts = {.constant_memory = (uint8_t)constant_memory, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    assert_non_null(wb);
    lxw_worksheet *hidden = workbook_add_worksheet(wb, "Notes");
    worksheet_write_string(hidden, 0, 0, "ignore me", NULL);
    worksheet_hide(hidden);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Leads");
    worksheet_activate(ws);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd/mm/yyyy");
    static const char *head[] = {"Prénom", "Nom", "Email", "Téléphone", "Inscription"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
    for (int i = 1; i <= rows; i++) {
        char s[64];
        snprintf(s, sizeof s, "Prénom %d", i);
        worksheet_write_string(ws, (lxw_row_t)i, 0, s, NULL);
        if (i % 7 != 0) { /* a gap now and then */
            snprintf(s, sizeof s, "Nom \"%d\" & <co>", i);
            worksheet_write_string(ws, (lxw_row_t)i, 1, s, NULL);
        }
        snprintf(s, sizeof s, "p%d@exemple.fr", i);
        worksheet_write_string(ws, (lxw_row_t)i, 2, s, NULL);
        worksheet_write_number(ws, (lxw_row_t)i, 3, 33612000000.0 + i, NULL);
        worksheet_write_number(ws, (lxw_row_t)i, 4, 45000 + i % 1000, date);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return path;
}

static void check_libxlsxwriter(int constant_memory) {
    const char *path =
        xlsxwriter_book(constant_memory ? "cm.xlsx" : "sst.xlsx", 300, constant_memory);
    t_read t;
    t_read_file(path, NULL, &t);
    t_assert_ok(&t);
    assert_sheet(path, NULL, "Leads");
    assert_string_equal(t.header, "Prénom|Nom|Email|Téléphone|Inscription");
    assert_int_equal(t.n, 300);
    t_assert_row(&t, 0, 2, "Prénom 1|Nom \"1\" & <co>|p1@exemple.fr|33612000001|2023-03-16",
                 LI_MSG_NONE);
    t_assert_row(&t, 6, 8, "Prénom 7||p7@exemple.fr|33612000007|2023-03-22", LI_MSG_NONE);
    assert_int_equal(t.position, t.info.size);
    t_read_free(&t);
}

static void test_libxlsxwriter_constant_memory(void **state) {
    (void)state;
    check_libxlsxwriter(1);
}

static void test_libxlsxwriter_shared_strings(void **state) {
    (void)state;
    check_libxlsxwriter(0);
}

static void test_resume_gives_the_same_rows(void **state) {
    (void)state;
    const char *path = xlsxwriter_book("resume.xlsx", 2000, 1);
    t_read all;
    t_read_file(path, NULL, &all);
    t_assert_ok(&all);
    assert_int_equal(all.n, 2000);
    static const size_t cuts[] = {0, 1, 999, 1998};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        size_t c = cuts[k];
        li_reader_opts o;
        li_reader_opts_init(&o);
        o.resume_offset = all.rows[c].next_offset;
        o.resume_row = all.rows[c].number + 1;
        t_read t;
        t_read_file(path, &o, &t);
        t_assert_ok(&t);
        assert_int_equal(t.n, all.n - c - 1);
        for (size_t i = 0; i < t.n; i++) {
            const t_row *a = &all.rows[c + 1 + i], *b = &t.rows[i];
            assert_int_equal(a->number, b->number);
            assert_int_equal(a->offset, b->offset);
            assert_int_equal(a->next_offset, b->next_offset);
            assert_string_equal(a->joined, b->joined);
        }
        t_read_free(&t);
    }
    /* offsets only grow, rows do not overlap */
    for (size_t i = 1; i < all.n; i++)
        assert_true(all.rows[i].offset >= all.rows[i - 1].next_offset);
    t_read_free(&all);
}

static void test_position_is_monotone_up_to_the_size(void **state) {
    (void)state;
    const char *path = xlsxwriter_book("progress.xlsx", 20000, 1);
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(path, NULL, &r, &err), LI_OK);
    uint64_t size = li_reader_get_info(r)->size, last = 0;
    const li_row *row;
    int moved = 0;
    while (li_reader_next(r, &row, &err) == LI_OK) {
        uint64_t p = li_reader_position(r);
        assert_true(p >= last && p <= size);
        moved |= p > 0 && p < size;
        last = p;
    }
    assert_true(moved);
    assert_int_equal(li_reader_position(r), size);
    li_reader_free(r);
}

/* --- the shared strings spilled to a temporary file ------------------------------------ */

#define SPILL_N 3000 /* strings of 0 to ~5000 bytes: about 7 MiB, more than the 1 MiB cache */

/* String k of the spill book: unique, of a length that varies over blocks of 4 KiB. */
static size_t spill_string(size_t k, char *out) {
    size_t len = (k * 37) % 5000, n = (size_t)snprintf(out, 32, "s%zu@", k);
    for (size_t i = 0; i < len; i++)
        out[n++] = (char)('a' + (k + i) % 26);
    return n;
}

/*
 * A book whose shared strings are SPILL_N unique strings (one empty, one
 * with an escape, the others of varying lengths, a few over 4500 bytes)
 * and whose rows name them out of order (k * 7919 mod N), so that a
 * spilled table is read across blocks, its cache slots evicted and read
 * again. Returns the path (static).
 */
static const char *spill_book(void) {
    size_t cap = 24u << 20, n = 0;
    char *sstx = malloc(cap), *sheet = malloc(cap), *one = malloc(8192);
    assert_non_null(sstx);
    assert_non_null(sheet);
    assert_non_null(one);
    n += (size_t)snprintf(sstx + n, cap - n, "<?xml version=\"1.0\"?><sst xmlns=\"" NS_MAIN "\">");
    for (size_t k = 0; k < SPILL_N; k++) {
        if (k == 1) {
            n += (size_t)snprintf(sstx + n, cap - n, "<si/>");
        } else if (k == 2) {
            n += (size_t)snprintf(sstx + n, cap - n, "<si><t>a_x0041_</t><rPh><t>NO</t></rPh></si>");
        } else {
            size_t len = spill_string(k, one);
            n += (size_t)snprintf(sstx + n, cap - n, "<si><t>%.*s</t></si>", (int)len, one);
        }
    }
    n += (size_t)snprintf(sstx + n, cap - n, "</sst>");
    size_t m = (size_t)snprintf(sheet, cap, "<?xml version=\"1.0\"?><worksheet xmlns=\"" NS_MAIN
                                      "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
                                      "<is><t>Nom</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>"
                                      "Email</t></is></c></row>");
    for (size_t r = 0; r < SPILL_N; r++)
        m += (size_t)snprintf(sheet + m, cap - m,
                             "<row r=\"%zu\"><c r=\"A%zu\" t=\"s\"><v>%zu</v></c>"
                             "<c r=\"B%zu\" t=\"s\"><v>%zu</v></c></row>",
                             r + 2, r + 2, (r * 7919) % SPILL_N, r + 2, r % 7);
    m += (size_t)snprintf(sheet + m, cap - m, "</sheetData></worksheet>");
    assert_true(n < cap && m < cap);
    part parts[] = {
        {"[Content_Types].xml", content_types, 0},
        {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", wb_1900, 0},
        {"xl/_rels/workbook.xml.rels", wb_rels, 0},
        {"xl/styles.xml", styles, 0},
        {"xl/sharedStrings.xml", sstx, n},
        {"xl/worksheets/sheet1.xml", sheet, m},
    };
    const char *path = zip_write("spill.xlsx", parts, sizeof parts / sizeof parts[0]);
    free(sstx);
    free(sheet);
    free(one);
    return path;
}

/* The temporary files of a spilled table this process has open: 0600 and unlinked. */
static int spill_files_open(void) {
    int found = 0;
    for (int fd = 0; fd < 1024; fd++) {
        char link[64], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        if (!strstr(target, ".leadimport-sst-"))
            continue;
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(st.st_nlink, 0); /* removed at once: nothing left after a crash */
        found++;
    }
    return found;
}

static void test_shared_strings_spilled_read_the_same(void **state) {
    (void)state;
    const char *path = spill_book();
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_field = 4500;
    t_read mem, spilled;
    t_read_file(path, &o, &mem);
    t_assert_ok(&mem);
    o.sst_memory = 64 * 1024; /* spills after a few dozen strings */
    t_read_file(path, &o, &spilled);
    t_assert_ok(&spilled);
    assert_int_equal(mem.n, SPILL_N);
    assert_int_equal(spilled.n, SPILL_N);
    char *want = malloc(16384), *one = malloc(8192);
    assert_non_null(want);
    assert_non_null(one);
    size_t too_long = 0;
    for (size_t r = 0; r < SPILL_N; r++) {
        size_t k = (r * 7919) % SPILL_N, e = r % 7;
        size_t len = spill_string(k, one);
        one[len] = '\0';
        char email[8192];
        size_t elen = spill_string(e, email);
        email[elen] = '\0';
        const char *a = k == 1 ? "" : k == 2 ? "aA" : one, *b = e == 1 ? "" : e == 2 ? "aA" : email;
        li_msg problem = LI_MSG_NONE;
        if (strlen(a) > 4500) {
            /* kept as its preview and a flag, in memory as on disk */
            snprintf(want, 16384, "%.200s\xE2\x80\xA6|%s", a, b);
            problem = LI_MSG_ROW_FIELD_TOO_LONG;
            too_long++;
        } else {
            snprintf(want, 16384, "%s|%s", a, b);
        }
        t_assert_row(&mem, r, r + 2, want, problem);
        t_assert_row(&spilled, r, r + 2, want, problem);
    }
    assert_true(too_long > 0);
    free(want);
    free(one);
    t_read_free(&mem);
    t_read_free(&spilled);

    /* while the reader is open its files exist, 0600 and already unlinked */
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(path, &o, &r, &err), LI_OK);
    assert_int_equal(spill_files_open(), 2);
    li_reader_free(r);
    assert_int_equal(spill_files_open(), 0);
}

static void test_shared_strings_spill_folder_missing_refused(void **state) {
    (void)state;
    const char *path = spill_book();
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no-such-dir", t_tmp());
    setenv("TMPDIR", missing, 1);
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.sst_memory = 64 * 1024;
    t_read t;
    t_read_file(path, &o, &t);
    assert_refused(&t, LI_EIO, LI_MSG_XLSX_TEMP_FAILED);
    assert_non_null(strstr(t.err.message, missing));
    assert_non_null(strstr(t.err.message, "fichier ou dossier introuvable"));
    t_read_free(&t);
    /* under the threshold nothing is written: the same book reads */
    o.sst_memory = 0;
    t_read_file(path, &o, &t);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    t_assert_ok(&t);
    assert_int_equal(t.n, SPILL_N);
    t_read_free(&t);
}

/*
 * A reader opened for a sample (sample_strings) reads only the first shared
 * strings; a cell that names one further makes it read the whole table:
 * every row is the same as with the whole table read at open, in memory
 * and spilled. The spill book's rows name strings out of order, up to its
 * last: with 100 read at open, the second row already needs more.
 */
static void test_sample_reads_the_same_rows(void **state) {
    (void)state;
    const char *path = spill_book();
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_field = 4500;
    t_read whole, sample, spilled;
    t_read_file(path, &o, &whole);
    t_assert_ok(&whole);
    o.sample_strings = 100;
    t_read_file(path, &o, &sample);
    t_assert_ok(&sample);
    o.sst_memory = 64 * 1024;
    t_read_file(path, &o, &spilled);
    t_assert_ok(&spilled);
    assert_int_equal(sample.n, SPILL_N);
    assert_int_equal(spilled.n, SPILL_N);
    for (size_t i = 0; i < SPILL_N; i++) {
        assert_string_equal(sample.rows[i].joined, whole.rows[i].joined);
        assert_string_equal(spilled.rows[i].joined, whole.rows[i].joined);
        assert_int_equal(sample.rows[i].problem, whole.rows[i].problem);
    }
    t_read_free(&whole);
    t_read_free(&sample);
    t_read_free(&spilled);

    /* li_reader_opts_sample keeps the caller's options and asks for a sample */
    li_reader_opts from, got;
    li_reader_opts_init(&from);
    from.max_field = 123;
    li_reader_opts_sample(&got, &from);
    assert_int_equal(got.max_field, 123);
    assert_int_equal(got.sample_strings, LI_READER_SAMPLE_STRINGS);
    li_reader_opts_sample(&got, NULL);
    assert_int_equal(got.header, -1);
    assert_int_equal(got.sample_strings, LI_READER_SAMPLE_STRINGS);
}

/* --- the readxl corpus (../shared), skipped when absent -------------------------------- */

static int readxl(const char *name, const li_reader_opts *o, t_read *t) {
    char path[1024];
    const char *shared = getenv("LI_SHARED_DIR");
    if (shared)
        snprintf(path, sizeof path, "%s/corpora/readxl/sheets/%s", shared, name);
    else
        snprintf(path, sizeof path, "%s/../shared/corpora/readxl/sheets/%s", LI_SOURCE_DIR, name);
    if (access(path, R_OK) != 0) {
        printf("# skipped: %s absent (../shared not here)\n", path);
        return 0;
    }
    t_read_file(path, o, t);
    t_assert_ok(t);
    return 1;
}

static void test_readxl_corpus(void **state) {
    (void)state;
    t_read t;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 1;
    if (!readxl("sheet-xml-lookup.xlsx", &o, &t)) {
        skip();
        return;
    }
    t_assert_row(&t, 0, 2, "Algeria|Africa|1952|43.077|9279525|2449.0082", LI_MSG_NONE);
    t_read_free(&t);
    o.sheet = "Europe";
    readxl("sheet-xml-lookup.xlsx", &o, &t);
    t_assert_row(&t, 0, 2, "Albania|Europe|1952|55.23|1282697|1601.0561", LI_MSG_NONE);
    t_read_free(&t);
    o.sheet = NULL;

    readxl("nonstandard-xml-ns-prefix.xlsx", &o, &t);
    assert_string_equal(t.header, "a|b");
    t_assert_row(&t, 0, 2, "1|3", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "2|4", LI_MSG_NONE);
    t_read_free(&t);

    readxl("richtext-coloured.xlsx", NULL, &t);
    t_assert_row(&t, 0, 1, "abcd|abcd|abcd|abcd", LI_MSG_NONE);
    t_assert_row(&t, 1, 2, "tvalrval1rval2|rval1rval2|rval1rval2|rval1rval2", LI_MSG_NONE);
    t_read_free(&t);

    readxl("new_line_errors.xlsx", &o, &t);
    assert_null(strstr(t.rows[0].joined, "_x000D_"));
    assert_non_null(strstr(t.rows[0].joined, "\r"));
    assert_non_null(strstr(t.rows[1].joined, "\"_x000D_\""));
    t_read_free(&t);

    readxl("los-angeles-arrests-xlsx.xlsx", &o, &t); /* no r attributes, parts at the root */
    assert_int_equal(t.n, 193); /* 193 data rows below a title and a blank-ish row */
    assert_int_equal(t.info.header_row, 3);
    assert_int_equal(t.info.skipped_rows, 2);
    assert_string_equal(t.hfields[0], "BKG_NUM");
    assert_int_equal(t.rows[0].number, 4);
    t_read_free(&t);

    readxl("inlineStr.xlsx", &o, &t);
    assert_non_null(strstr(t.rows[0].joined, "RQ11610"));
    t_read_free(&t);

    readxl("missing-v-node-xlsx.xlsx", &o, &t);
    t_read_free(&t);

    readxl("dates-leap-year-1900-xlsx.xlsx", &o, &t); /* the oracle is the second column */
    for (size_t i = 0; i < t.n; i++)
        assert_string_equal(t.rows[i].fields[0], t.rows[i].fields[1]);
    t_read_free(&t);

    readxl("datetime-rounding.xlsx", &o, &t);
    for (size_t i = 0; i < t.n; i++)
        assert_string_equal(t.rows[i].fields[0], t.rows[i].fields[1]);
    t_read_free(&t);

    /* the 1904 date system, though an x14:workbookPr follows (serial 41331: 2017-02-27) */
    readxl("types.xlsx", &o, &t);
    t_assert_row(&t, 0, 2, "|TRUE|2017-02-27|1|hello", LI_MSG_NONE);
    t_read_free(&t);

    /* its first sheet is empty: the next visible one is read, and said so */
    readxl("empty-sheets.xlsx", &o, &t);
    assert_string_equal(t.header, "var1|var2");
    assert_int_equal(t.n, 0);
    t_read_free(&t);
    char path[1024];
    const char *shared = getenv("LI_SHARED_DIR");
    snprintf(path, sizeof path, "%s/corpora/readxl/sheets/empty-sheets.xlsx",
             shared ? shared : LI_SOURCE_DIR "/../shared");
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(path, NULL, &r, &err), LI_OK);
    assert_string_equal(li_reader_get_info(r)->sheet, "header_only");
    assert_non_null(strstr(li_reader_get_info(r)->notice, "La feuille « empty » est vide"));
    li_reader_free(r);
    o.sheet = "empty";
    t_read_file(path, &o, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_SHEET_EMPTY);
    t_read_free(&t);
    o.sheet = NULL;

    t_read g;
    readxl("iris-excel-xlsx.xlsx", &o, &t); /* two producers, the same data */
    readxl("iris-google-doc.xlsx", &o, &g);
    assert_int_equal(t.n, g.n);
    for (size_t i = 0; i < t.n; i++)
        assert_string_equal(t.rows[i].joined, g.rows[i].joined);
    t_read_free(&t);
    t_read_free(&g);
}

static int teardown(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_inline_and_rich_text_strings),
        cmocka_unit_test(test_numbers_in_full_without_exponent),
        cmocka_unit_test(test_booleans_errors_and_formulas),
        cmocka_unit_test(test_dates_from_styles),
        cmocka_unit_test(test_number_format_kinds),
        cmocka_unit_test(test_gaps_missing_refs_and_row_numbers),
        cmocka_unit_test(test_header_detection_and_option),
        cmocka_unit_test(test_header_below_a_title_block),
        cmocka_unit_test(test_limits_give_row_problems),
        cmocka_unit_test(test_sheets_by_default_name_and_number),
        cmocka_unit_test(test_sheet_list_with_row_counts),
        cmocka_unit_test(test_not_a_zip_or_truncated_refused),
        cmocka_unit_test(test_zip_without_workbook_refused),
        cmocka_unit_test(test_encrypted_workbook_told_from_xls),
        cmocka_unit_test(test_zip_bomb_stopped_while_inflating),
        cmocka_unit_test(test_unsafe_entry_names_refused),
        cmocka_unit_test(test_dtd_and_entities_refused),
        cmocka_unit_test(test_utf16_parts_read_and_other_encodings_refused),
        cmocka_unit_test(test_xlsm_read_macros_ignored),
        cmocka_unit_test(test_libxlsxwriter_constant_memory),
        cmocka_unit_test(test_libxlsxwriter_shared_strings),
        cmocka_unit_test(test_resume_gives_the_same_rows),
        cmocka_unit_test(test_position_is_monotone_up_to_the_size),
        cmocka_unit_test(test_shared_strings_spilled_read_the_same),
        cmocka_unit_test(test_shared_strings_spill_folder_missing_refused),
        cmocka_unit_test(test_sample_reads_the_same_rows),
        cmocka_unit_test(test_readxl_corpus),
    };
    return cmocka_run_group_tests_name("xlsx", tests, NULL, teardown);
}
