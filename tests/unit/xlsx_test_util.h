/*
 * xlsx_test_util.h — building workbooks for the XLSX reader's unit tests
 * (test_xlsx.c, test_xlsx_shapes.c): zip archives of hand-written parts
 * (libzip), one-sheet books over a fixed workbook, styles and shared
 * strings, and assertions on what a read gave.
 *
 * Everything is static (inline): each test program uses what it needs.
 */
#ifndef LEADIMPORT_XLSX_TEST_UTIL_H
#define LEADIMPORT_XLSX_TEST_UTIL_H

#include <zip.h>

#include "csv_test_util.h"

#define LI_TEST_UNUSED __attribute__((unused))

/* --- building workbooks ------------------------------------------------------- */

typedef struct part {
    const char *name;
    const char *data; /* NUL-terminated unless len is given */
    size_t len;
} part;

/* Writes a zip of the parts to name in the temporary directory; returns its path (static). */
static inline const char *zip_write(const char *name, const part *parts, size_t n) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", t_tmp(), name);
    int ze;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
        zip_source_t *src = zip_source_buffer(z, parts[i].data, len, 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, parts[i].name, src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    return path;
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"

LI_TEST_UNUSED static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
LI_TEST_UNUSED static const char root_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"" NS_PKG "\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";
LI_TEST_UNUSED static const char wb_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"" NS_PKG "\">"
    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" NS_REL "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";
LI_TEST_UNUSED static const char wb_1900[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>"
    "<sheet name=\"Leads\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
LI_TEST_UNUSED static const char wb_1904[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
    "\"><workbookPr date1904=\"1\"/><sheets>"
    "<sheet name=\"Leads\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

/*
 * Styles: 0 general, 1 date (14), 2 date-time (22), 3 custom dd/mm/yyyy,
 * 4 [Red]0.00 (a number), 5 0" jours" (quoted d: a number), 6 00000 (postal
 * code), 7 h:mm (time), 8 built-in 49 (text).
 */
LI_TEST_UNUSED static const char styles[] =
    "<?xml version=\"1.0\"?><styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"4\">"
    "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[Red]0.00\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"0&quot; jours&quot;\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"00000\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"9\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"22\"/>"
    "<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"167\"/>"
    "<xf numFmtId=\"20\"/><xf numFmtId=\"49\"/></cellXfs></styleSheet>";

LI_TEST_UNUSED static const char sst[] =
    "<?xml version=\"1.0\"?><sst xmlns=\"" NS_MAIN "\" count=\"5\" uniqueCount=\"5\">"
    "<si><t>Nom</t></si><si><t>Email</t></si><si><t>Téléphone</t></si>"
    "<si><r><rPr><b/></rPr><t>Du</t></r><r><t xml:space=\"preserve\">pont </t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>"
    "<si><t>ligne 1_x000D_\nligne 2 _x005F_x000D_</t></si></sst>";

/* A workbook of one sheet whose <sheetData> holds rows (and the 1904 system if asked). */
static inline const char *book(const char *name, const char *rows, int date1904) {
    static char sheet[1 << 16];
    snprintf(sheet, sizeof sheet,
             "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
             "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData></worksheet>",
             rows);
    part parts[] = {
        {"[Content_Types].xml", content_types, 0},
        {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", date1904 ? wb_1904 : wb_1900, 0},
        {"xl/_rels/workbook.xml.rels", wb_rels, 0},
        {"xl/styles.xml", styles, 0},
        {"xl/sharedStrings.xml", sst, 0},
        {"xl/worksheets/sheet1.xml", sheet, 0},
    };
    return zip_write(name, parts, sizeof parts / sizeof parts[0]);
}

static inline void read_book(const char *rows, int date1904, const li_reader_opts *o, t_read *t) {
    t_read_file(book("t.xlsx", rows, date1904), o, t);
}

/* The sheet a reader of path with options o reads (info.sheet is borrowed from the reader). */
static inline void assert_sheet(const char *path, const li_reader_opts *o, const char *want) {
    li_reader *r = NULL;
    li_error err;
    if (li_reader_open(path, o, &r, &err) != LI_OK)
        fail_msg("%s", err.message);
    const char *got = li_reader_get_info(r)->sheet;
    if (!got || strcmp(got, want) != 0)
        fail_msg("sheet %s, expected %s", got ? got : "(null)", want);
    li_reader_free(r);
}

static inline void assert_refused(const t_read *t, li_status status, li_msg msg) {
    if (t->status != status || t->err.msg != msg)
        fail_msg("expected %s/%s, got %s/%s: %s", li_status_name(status), li_msg_code(msg),
                 li_status_name(t->status), li_msg_code(t->err.msg), t->err.message);
}

/* A header row of three shared strings: Nom | Email | Téléphone. */
LI_TEST_UNUSED static const char header_row[] =
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"s\"><v>2</v></c></row>";

#endif
