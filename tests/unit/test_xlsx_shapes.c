/*
 * test_xlsx_shapes.c — workbooks as real producers write them, where a
 * peer reader (openpyxl, LibreOffice) and ours once disagreed, one test
 * per promise: the 1904 date system beside an extension's workbookPr,
 * conditional formats' number formats, inline strings with a cached value,
 * elapsed times, repeated zip entries, 2006 pre-release packages, values
 * past the column limit or the table's last column, empty sheets, shared
 * strings over the field limit or repeated past reason, files named .xlsx
 * that are no workbook, spreadsheets written as HTML or Excel 2003 XML.
 *
 * Workbooks are written by hand (xlsx_test_util.h): each test needs exact
 * XML that no writer library produces on purpose.
 */
#include "read/xlsxInt.h"
#include "xlsx_test_util.h"

/* The rels of a one-sheet workbook with styles and shared strings (wb_rels) and these parts. */
static const char *book_of(const char *name, const char *workbook, const char *style_xml,
                           const char *sst_xml, const char *sheet_rows) {
    static char sheet[1 << 16];
    snprintf(sheet, sizeof sheet,
             "<?xml version=\"1.0\"?><worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData>"
             "</worksheet>",
             sheet_rows);
    part parts[] = {
        {"[Content_Types].xml", content_types, 0}, {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", workbook, 0},          {"xl/_rels/workbook.xml.rels", wb_rels, 0},
        {"xl/styles.xml", style_xml, 0},           {"xl/sharedStrings.xml", sst_xml, 0},
        {"xl/worksheets/sheet1.xml", sheet, 0},
    };
    return zip_write(name, parts, sizeof parts / sizeof parts[0]);
}

/* An inline-string cell. */
#define ISTR(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"

/* --- values ------------------------------------------------------------------- */

static void test_1904_kept_when_an_extension_repeats_workbookPr(void **state) {
    (void)state;
    /* as Excel for Mac writes it: x14:workbookPr (no date1904) in the extensions, after */
    static const char mac[] =
        "<?xml version=\"1.0\"?><workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
        "<workbookPr date1904=\"1\"/><sheets><sheet name=\"Leads\" sheetId=\"1\" r:id=\"rId1\"/>"
        "</sheets><extLst><ext uri=\"{79F54976-1DA5-4618-B147-4CDE4B953A38}\" "
        "xmlns:x14=\"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main\">"
        "<x14:workbookPr defaultImageDpi=\"32767\"/></ext></extLst></workbook>";
    /* the main namespace under a prefix, the extension under the default one */
    static const char prefixed[] =
        "<?xml version=\"1.0\"?><x:workbook xmlns:x=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
        "<x:workbookPr date1904=\"true\"/><x:sheets><x:sheet name=\"Leads\" sheetId=\"1\" "
        "r:id=\"rId1\"/></x:sheets><x:extLst><x:ext><workbookPr xmlns=\"urn:other\"/></x:ext>"
        "</x:extLst></x:workbook>";
    const char *rows = "<row r=\"1\">" ISTR(
        "A1", "Inscription") "</row>"
                             "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45292</v></c></row>";
    const char *books[] = {mac, prefixed};
    for (size_t i = 0; i < 2; i++) {
        t_read t;
        t_read_file(book_of("mac.xlsx", books[i], styles, sst, rows), NULL, &t);
        t_assert_ok(&t);
        t_assert_row(&t, 0, 2, "2028-01-02", LI_MSG_NONE); /* 1904 + 45292 days, not 2024 */
        t_read_free(&t);
    }
}

static void test_conditional_format_numfmts_leave_cell_formats_alone(void **state) {
    (void)state;
    /* a dxf (conditional formatting) redefines id 164 after the cells' own numFmts */
    static const char with_dxfs[] =
        "<?xml version=\"1.0\"?><styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"1\">"
        "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
        "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/></cellXfs>"
        "<dxfs count=\"1\"><dxf><numFmt numFmtId=\"164\" formatCode=\"0.00\"/></dxf></dxfs>"
        "</styleSheet>";
    const char *rows = "<row r=\"1\">" ISTR(
        "A1", "Date") "</row>"
                      "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45292</v></c></row>";
    t_read t;
    t_read_file(book_of("dxf.xlsx", wb_1900, with_dxfs, sst, rows), NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "2024-01-01", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_inline_string_with_a_cached_value_is_one_text(void **state) {
    (void)state;
    const char *rows = "<row r=\"1\">" ISTR("A1", "Nom") ISTR(
        "B1",
        "Email") "</row>"
                 "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Dupont</t></is><v>Dupont</v></c>"
                 "<c r=\"B2\" "
                 "t=\"inlineStr\"><v>cache</v><is><r><t>a@</t></r><r><t>b.fr</t></r></is>"
                 "</c></row>";
    t_read t;
    t_read_file(book_of("inline.xlsx", wb_1900, styles, sst, rows), NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "Dupont|a@b.fr", LI_MSG_NONE);
    t_read_free(&t);
}

static void test_elapsed_time_is_a_duration_not_a_date(void **state) {
    (void)state;
    static const char times[] =
        "<?xml version=\"1.0\"?><styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"3\">"
        "<numFmt numFmtId=\"164\" formatCode=\"[h]:mm\"/>"
        "<numFmt numFmtId=\"165\" formatCode=\"[mm]:ss\"/>"
        "<numFmt numFmtId=\"166\" formatCode=\"[s]\"/></numFmts>"
        "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
        "<xf numFmtId=\"166\"/><xf numFmtId=\"46\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
    const char *rows = "<row r=\"1\">" ISTR("A1", "a") ISTR("B1", "b") ISTR("C1", "c") ISTR("D1",
                                                                                            "d")
        ISTR("E1", "e") "</row>"
                        "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>1.5208333333333333</v></c>"
                        "<c r=\"B2\" s=\"2\"><v>0.0625</v></c><c r=\"C2\" s=\"3\"><v>0.5</v></c>"
                        "<c r=\"D2\" s=\"4\"><v>2.5</v></c><c r=\"E2\" s=\"5\"><v>45292</v></c>"
                        "</row>"
                        "<row r=\"3\"><c r=\"A3\" s=\"1\"><v>-0.0625</v></c>"
                        "<c r=\"B3\" s=\"2\"><v>0.000011574</v></c>"
                        "<c r=\"C3\" s=\"3\"><v>0</v></c><c r=\"D3\" s=\"4\"><v>45292.5</v></c>"
                        "</row>";
    t_read t;
    t_read_file(book_of("elapsed.xlsx", wb_1900, times, sst, rows), NULL, &t);
    t_assert_ok(&t);
    /* total hours:minutes:seconds, whatever units the format shows; dates stay dates */
    t_assert_row(&t, 0, 2, "36:30:00|01:30:00|12:00:00|60:00:00|2024-01-01", LI_MSG_NONE);
    t_assert_row(&t, 1, 3, "-01:30:00|00:00:01|00:00:00|1087020:00:00|", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- packages refused ------------------------------------------------------------ */

/* Reads the file at path whole; *n gets its size (static buffer). */
static unsigned char *slurp(const char *path, size_t *n) {
    static unsigned char bytes[1 << 16];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *n = fread(bytes, 1, sizeof bytes, f);
    assert_true(*n < sizeof bytes);
    fclose(f);
    return bytes;
}

static void test_two_entries_of_one_name_refused(void **state) {
    (void)state;
    /* libzip will not write two entries of one name: rename the second in the bytes */
    const char *evil = "<?xml version=\"1.0\"?><worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
                       "<row r=\"1\">" ISTR("A1", "Email") "</row><row r=\"2\">" ISTR(
                           "A2", "autre@exemple.fr") "</row></sheetData></worksheet>";
    char sheet[512];
    snprintf(sheet, sizeof sheet,
             "<worksheet xmlns=\"" NS_MAIN
             "\"><sheetData><row r=\"1\">" ISTR("A1", "Email") "</row></sheetData></worksheet>");
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/worksheets/sheet1.xml", sheet, 0},
                    {"xl/worksheets/sheetX.xml", evil, 0}};
    size_t n;
    unsigned char *b = slurp(zip_write("twice.xlsx", parts, 5), &n);
    int renamed = 0;
    for (size_t i = 0; i + 10 <= n; i++)
        if (memcmp(b + i, "sheetX.xml", 10) == 0) {
            b[i + 5] = '1';
            renamed++;
        }
    assert_int_equal(renamed, 2); /* the local header and the central directory */
    t_read t;
    t_read_file(t_write("twice.xlsx", b, n), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_UNSAFE);
    assert_non_null(
        strstr(t.err.message, "deux éléments du même nom (« xl/worksheets/sheet1.xml »)"));
    t_read_free(&t);

    /* part names compare without case (OPC): Sheet1.xml and sheet1.xml are one name */
    parts[4].name = "xl/worksheets/Sheet1.xml";
    t_read_file(zip_write("case.xlsx", parts, 5), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_UNSAFE);
    t_read_free(&t);
}

static void test_prerelease_2006_package_refused(void **state) {
    (void)state;
    static const char *const old_ns[] = {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/7/main",
        "http://schemas.openxmlformats.org/spreadsheetml/2006/5/main",
        "http://schemas.microsoft.com/office/excel/2006/2",
    };
    for (size_t i = 0; i < sizeof old_ns / sizeof old_ns[0]; i++) {
        char wb[1024];
        snprintf(wb, sizeof wb,
                 "<?xml version=\"1.0\"?><workbook xmlns=\"%s\" xmlns:r=\"" NS_REL "\"><sheets>"
                 "<sheet name=\"Feuil1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                 old_ns[i]);
        t_read t;
        t_read_file(book_of("beta.xlsx", wb, styles, sst, header_row), NULL, &t);
        assert_refused(&t, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED);
        assert_non_null(strstr(t.err.message, "version d'essai d'Excel 2007"));
        t_read_free(&t);
    }
}

static void test_file_named_xlsx_that_is_no_workbook_refused(void **state) {
    (void)state;
    static const char csv[] = "Nom,Email\nDupont,a@b.fr\n";
    static const struct {
        const char *name;
        const void *data;
        size_t len;
        const char *why;
    } cases[] = {
        {"leads.xlsx", csv, sizeof csv - 1, "c'est un fichier texte (un CSV renommé ?)"},
        {"LEADS.XLSM", csv, sizeof csv - 1, "c'est un fichier texte"},
        {"utf16.xlsx", "\xFF\xFEN\0o\0m\0\n\0", 10, "c'est un fichier texte"},
        {"image.xlsx", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 20,
         "ni un classeur .xlsx ni du texte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_read t;
        t_read_file(t_write(cases[i].name, cases[i].data, cases[i].len), NULL, &t);
        assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK);
        assert_non_null(strstr(t.err.message, "n'est pas un classeur Excel"));
        if (!strstr(t.err.message, cases[i].why))
            fail_msg("%s: %s", cases[i].name, t.err.message);
        t_read_free(&t);
    }
    /* the same text named as what it is is read, and so is it with format "csv" */
    t_read t;
    t_read_file(t_write("leads.csv", csv, sizeof csv - 1), NULL, &t);
    t_assert_ok(&t);
    t_assert_row(&t, 0, 2, "Dupont|a@b.fr", LI_MSG_NONE);
    t_read_free(&t);
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.format = "csv";
    t_read_file(t_write("export.xlsx", csv, sizeof csv - 1), &o, &t);
    t_assert_ok(&t);
    t_read_free(&t);
}

static void test_spreadsheets_written_as_markup_refused(void **state) {
    (void)state;
    static const struct {
        const char *name, *text, *why;
    } cases[] = {
        {"export.xls",
         "\xEF\xBB\xBF\r\n<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><body><table>"
         "<tr><td>Email</td></tr><tr><td>a@b.fr</td></tr></table></body></html>",
         "une page web (HTML)"},
        {"liste.xls", "<TABLE><TR><TD>Email</TD></TR></TABLE>", "une page web (HTML)"},
        {"classeur.xml",
         "<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook "
         "xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"Feuil1\">"
         "</Worksheet></Workbook>",
         "un classeur XML d'Excel 2003"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_read t;
        t_read_file(t_write(cases[i].name, cases[i].text, strlen(cases[i].text)), NULL, &t);
        assert_refused(&t, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED);
        if (!strstr(t.err.message, cases[i].why))
            fail_msg("%s: %s", cases[i].name, t.err.message);
        t_read_free(&t);
    }
    /* a CSV whose first value starts with '<' is still a CSV */
    static const char csv[] = "<Nom>,Email\nDupont,a@b.fr\n";
    t_read t;
    t_read_file(t_write("chevrons.csv", csv, sizeof csv - 1), NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 1);
    t_read_free(&t);
}

/* --- rows and columns ------------------------------------------------------------ */

static void test_rows_wider_or_narrower_than_the_header(void **state) {
    (void)state;
    const char *rows = "<row r=\"1\">" ISTR("A1", "Nom") ISTR("B1", "Email") ISTR(
        "C1", "Ville") "</row>"
                       "<row r=\"2\">" ISTR("A2", "Roux") ISTR(
                           "B2", "r@x.fr") "</row>"
                                           "<row r=\"3\">" ISTR("A3", "Lebon") ISTR("B3", "l@x.fr")
                                               ISTR("C3", "Lyon") ISTR("E3", "total")
                                                   ISTR("F3", "note") "</row>"
                                                                      "<row r=\"4\">" ISTR(
                                                                          "E4", "seul") "</row>";
    t_read t;
    t_read_file(book_of("ragged.xlsx", wb_1900, styles, sst, rows), NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.info.columns, 3);
    t_assert_row(&t, 0, 2, "Roux|r@x.fr|", LI_MSG_NONE);                   /* narrower: padded */
    t_assert_row(&t, 1, 3, "Lebon|l@x.fr|Lyon", LI_MSG_ROW_CELLS_IGNORED); /* wider: cut */
    assert_string_equal(
        t.rows[1].problem_text,
        "Valeurs ignorées à partir de la colonne 5 : le tableau n'a que 3 colonnes");
    assert_int_equal(li_msg_severity(t.rows[1].problem), LI_SEV_WARNING);
    /* only values right of the table: not blank, so that the report shows it */
    t_assert_row(&t, 2, 4, "||", LI_MSG_ROW_CELLS_IGNORED);
    t_read_free(&t);
}

static void test_values_only_past_the_column_limit_are_a_row_error(void **state) {
    (void)state;
    const char *rows = "<row r=\"1\">" ISTR("A1", "Nom") ISTR(
        "B1", "Email") "</row>"
                       "<row r=\"2\">" ISTR("AA2", "perdu@x.fr") "</row>"
                                                                 "<row r=\"3\">" ISTR("A3", "Roux")
                                                                     ISTR("B3", "r@x.fr") "</row>";
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.max_columns = 8;
    t_read t;
    t_read_file(book_of("far.xlsx", wb_1900, styles, sst, rows), &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 2);
    t_assert_row(&t, 0, 2, "|", LI_MSG_ROW_TOO_MANY_COLUMNS); /* not taken for blank */
    assert_int_equal(li_msg_severity(t.rows[0].problem), LI_SEV_ERROR);
    t_assert_row(&t, 1, 3, "Roux|r@x.fr", LI_MSG_NONE);
    t_read_free(&t);
}

/* --- sheets ---------------------------------------------------------------------- */

/* A workbook of the sheets (name, state or NULL, rows); returns its path. */
typedef struct sheet_spec {
    const char *name, *state, *rows;
} sheet_spec;

static const char *sheets_book(const char *file, const sheet_spec *s, size_t n) {
    static char wb[4096], rels[4096], xml[8][4096], names[8][64];
    part parts[10];
    size_t w = 0, k = 0;
    w += (size_t)snprintf(wb + w, sizeof wb - w,
                          "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>");
    k += (size_t)snprintf(rels + k, sizeof rels - k, "<Relationships xmlns=\"" NS_PKG "\">");
    for (size_t i = 0; i < n; i++) {
        w += (size_t)snprintf(wb + w, sizeof wb - w,
                              "<sheet name=\"%s\" sheetId=\"%zu\"%s%s%s r:id=\"rId%zu\"/>",
                              s[i].name, i + 1, s[i].state ? " state=\"" : "",
                              s[i].state ? s[i].state : "", s[i].state ? "\"" : "", i + 1);
        k += (size_t)snprintf(rels + k, sizeof rels - k,
                              "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                              "/worksheet\" Target=\"worksheets/s%zu.xml\"/>",
                              i + 1, i + 1);
        snprintf(names[i], sizeof names[i], "xl/worksheets/s%zu.xml", i + 1);
        snprintf(xml[i], sizeof xml[i],
                 "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData></worksheet>",
                 s[i].rows);
        parts[3 + i] = (part){names[i], xml[i], 0};
    }
    snprintf(wb + w, sizeof wb - w, "</sheets></workbook>");
    snprintf(rels + k, sizeof rels - k, "</Relationships>");
    parts[0] = (part){"_rels/.rels", root_rels, 0};
    parts[1] = (part){"xl/workbook.xml", wb, 0};
    parts[2] = (part){"xl/_rels/workbook.xml.rels", rels, 0};
    return zip_write(file, parts, 3 + n);
}

#define LEADS_ROWS                                                                                 \
    "<row r=\"1\">" ISTR("A1", "Email") "</row><row r=\"2\">" ISTR("A2", "a@b.fr") "</row>"
#define EMPTY_ROWS "<row r=\"1\"><c r=\"A1\" s=\"1\"/></row>" /* a styled cell: no value */

static void test_empty_first_sheet_skipped_with_a_notice(void **state) {
    (void)state;
    const sheet_spec s[] = {{"Couverture", NULL, EMPTY_ROWS},
                            {"Brouillon", "hidden", LEADS_ROWS},
                            {"Vide", NULL, ""},
                            {"Leads", NULL, LEADS_ROWS}};
    char path[512]; /* sheets_book()'s is static: the next book would replace it */
    snprintf(path, sizeof path, "%s", sheets_book("cover.xlsx", s, 4));
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(path, NULL, &r, &err), LI_OK);
    const li_reader_info *info = li_reader_get_info(r);
    assert_string_equal(info->sheet, "Leads");
    assert_non_null(info->notice);
    assert_string_equal(info->notice,
                        "La feuille « Couverture » est vide : la feuille « Leads », la première "
                        "qui contient des lignes, a été lue à sa place (--sheet pour en choisir "
                        "une autre)");
    const li_row *row;
    assert_int_equal(li_reader_next(r, &row, &err), LI_OK);
    assert_int_equal(row->number, 2);
    assert_int_equal(li_reader_next(r, &row, &err), LI_EOF);
    const li_sheet_info *list;
    size_t n;
    assert_int_equal(li_reader_sheets(r, &list, &n, &err), LI_OK);
    assert_int_equal(n, 4);
    assert_int_equal(list[3].current, 1);
    assert_int_equal(list[0].current, 0);
    li_reader_free(r);

    /* a sheet with rows first: no notice */
    const sheet_spec plain[] = {{"Leads", NULL, LEADS_ROWS}, {"Vide", NULL, ""}};
    assert_int_equal(li_reader_open(sheets_book("plain.xlsx", plain, 2), NULL, &r, &err), LI_OK);
    assert_null(li_reader_get_info(r)->notice);
    li_reader_free(r);

    /* a sheet asked for by name is read or refused, never replaced */
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.sheet = "Couverture";
    t_read t;
    t_read_file(path, &o, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_SHEET_EMPTY);
    t_read_free(&t);
}

static void test_an_empty_sheet_is_not_an_empty_file(void **state) {
    (void)state;
    char want[600];
    t_read t;
    /* the one visible sheet is empty (a hidden one is not looked at) */
    const sheet_spec one[] = {{"Feuil1", NULL, EMPTY_ROWS}, {"Notes", "hidden", LEADS_ROWS}};
    const char *path = sheets_book("one.xlsx", one, 2);
    t_read_file(path, NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_SHEET_EMPTY);
    snprintf(want, sizeof want,
             "La feuille « Feuil1 » du classeur « %s » est vide : aucune ligne à importer", path);
    assert_string_equal(t.err.message, want);
    t_read_free(&t);

    /* every visible sheet is empty */
    const sheet_spec two[] = {{"A", NULL, ""}, {"B", NULL, EMPTY_ROWS}};
    path = sheets_book("two.xlsx", two, 2);
    t_read_file(path, NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_BOOK_EMPTY);
    snprintf(want, sizeof want,
             "Le classeur « %s » ne contient aucune ligne à importer : aucune de ses feuilles "
             "visibles n'a de données",
             path);
    assert_string_equal(t.err.message, want);
    t_read_free(&t);

    /* no worksheet at all */
    t_read_file(sheets_book("none.xlsx", NULL, 0), NULL, &t);
    assert_refused(&t, LI_EFORMAT, LI_MSG_XLSX_BOOK_EMPTY);
    t_read_free(&t);
}

/* --- shared strings: amplification ------------------------------------------------- */

/* A sheet of rows rows "N<i> | p<i>@x.fr | shared string 0" over an sst of one string of len bytes.
 */
static const char *repeated_string_book(const char *name, size_t len, int rows) {
    char *big = malloc(len + 256), *sheet = malloc((size_t)rows * 200 + 512);
    assert_non_null(big);
    assert_non_null(sheet);
    int o = snprintf(big, 256, "<?xml version=\"1.0\"?><sst xmlns=\"" NS_MAIN "\"><si><t>");
    memset(big + o, 'x', len);
    snprintf(big + o + len, 256, "</t></si></sst>");
    size_t k = (size_t)snprintf(sheet, 512,
                                "<worksheet xmlns=\"" NS_MAIN
                                "\"><sheetData><row r=\"1\">" ISTR("A1", "Nom") ISTR("B1", "Email")
                                    ISTR("C1", "Notes") "</row>");
    for (int i = 2; i <= rows + 1; i++)
        k += (size_t)snprintf(sheet + k, 200,
                              "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>N%d</t></is></c>"
                              "<c r=\"B%d\" t=\"inlineStr\"><is><t>p%d@x.fr</t></is></c>"
                              "<c r=\"C%d\" t=\"s\"><v>0</v></c></row>",
                              i, i, i, i, i, i);
    snprintf(sheet + k, 64, "</sheetData></worksheet>");
    part parts[] = {{"_rels/.rels", root_rels, 0},
                    {"xl/workbook.xml", wb_1900, 0},
                    {"xl/_rels/workbook.xml.rels", wb_rels, 0},
                    {"xl/sharedStrings.xml", big, 0},
                    {"xl/worksheets/sheet1.xml", sheet, 0}};
    const char *path = zip_write(name, parts, 5);
    free(big);
    free(sheet);
    return path;
}

static void test_shared_string_over_the_field_limit_is_a_short_row_error(void **state) {
    (void)state;
    /* one 1 MiB string named by 3000 cells: 3000 row errors, each with a short preview */
    const char *path = repeated_string_book("mib.xlsx", 1u << 20, 3000);
    t_read t;
    t_read_file(path, NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 3000);
    char preview[LI__XLSX_PREVIEW + 4];
    memset(preview, 'x', LI__XLSX_PREVIEW);
    memcpy(preview + LI__XLSX_PREVIEW, "\xE2\x80\xA6", 4); /* "…" and the NUL */
    for (size_t i = 0; i < t.n; i += 999) {
        assert_string_equal(t.rows[i].fields[2], preview);
        assert_int_equal(t.rows[i].problem, LI_MSG_ROW_FIELD_TOO_LONG);
        assert_string_equal(t.rows[i].problem_text,
                            "Champ trop long en colonne 3 : plus de 65536 octets");
    }
    assert_string_equal(t.rows[0].fields[1], "p2@x.fr");
    t_read_free(&t);
}

static void test_shared_string_reuse_is_bounded(void **state) {
    (void)state;
    /* 60,000 bytes (under the field limit) named by 1000 cells: 60 MB, allowed */
    t_read t;
    t_read_file(repeated_string_book("ok.xlsx", 60000, 1000), NULL, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 1000);
    assert_int_equal(strlen(t.rows[999].fields[2]), 60000);
    t_read_free(&t);

    /* by 1200 cells: 72 MB of text out of a file of a few kilobytes, stopped like a zip bomb */
    li_reader *r = NULL;
    li_error err;
    assert_int_equal(li_reader_open(repeated_string_book("bomb.xlsx", 60000, 1200), NULL, &r, &err),
                     LI_OK);
    const li_row *row;
    li_status st;
    size_t n = 0;
    while ((st = li_reader_next(r, &row, &err)) == LI_OK)
        n++;
    assert_int_equal(st, LI_EFORMAT);
    assert_int_equal(err.msg, LI_MSG_XLSX_INFLATE_LIMIT);
    assert_non_null(strstr(err.message, "textes partagés, répétés de cellule en cellule"));
    assert_true(n >= 1000 && n < 1200);
    li_reader_free(r);
}

static int teardown(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1904_kept_when_an_extension_repeats_workbookPr),
        cmocka_unit_test(test_conditional_format_numfmts_leave_cell_formats_alone),
        cmocka_unit_test(test_inline_string_with_a_cached_value_is_one_text),
        cmocka_unit_test(test_elapsed_time_is_a_duration_not_a_date),
        cmocka_unit_test(test_two_entries_of_one_name_refused),
        cmocka_unit_test(test_prerelease_2006_package_refused),
        cmocka_unit_test(test_file_named_xlsx_that_is_no_workbook_refused),
        cmocka_unit_test(test_spreadsheets_written_as_markup_refused),
        cmocka_unit_test(test_rows_wider_or_narrower_than_the_header),
        cmocka_unit_test(test_values_only_past_the_column_limit_are_a_row_error),
        cmocka_unit_test(test_empty_first_sheet_skipped_with_a_notice),
        cmocka_unit_test(test_an_empty_sheet_is_not_an_empty_file),
        cmocka_unit_test(test_shared_string_over_the_field_limit_is_a_short_row_error),
        cmocka_unit_test(test_shared_string_reuse_is_bounded),
    };
    return cmocka_run_group_tests_name("xlsx_shapes", tests, NULL, teardown);
}
