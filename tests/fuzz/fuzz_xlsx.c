/*
 * fuzz_xlsx.c — the XLSX reader: the zip container (libzip), then the XML
 * parts: relationships, workbook, styles (expat), shared strings and the
 * sheet's rows (xmlscan.c; fuzz_xmlscan.c fuzzes that scanner alone);
 * fuzz_reader_common.h says what is checked.
 *
 * Input: one option byte, then either a whole file or the parts of a
 * workbook that this target zips itself (a mutated zip rarely inflates, so
 * the XML would be little fuzzed from raw files alone).
 *   bit 0: 1 = parts: the rest is cut at each FZ_PART_SEP into
 *          xl/worksheets/sheet1.xml, xl/sharedStrings.xml, xl/styles.xml,
 *          xl/workbook.xml, xl/_rels/workbook.xml.rels, _rels/.rels and
 *          [Content_Types].xml, in that order; a part left out takes a
 *          plain default, an empty one is left out of the zip;
 *          0 = the rest is the .xlsx file as it is;
 *   bit 1: small limits (a field of 64 bytes, a record of 256, 8 columns);
 *   bit 2: parts deflated and a 64 KiB inflation limit (else stored);
 *   bits 3-4: the sheet asked for: none, "1", "2", "Feuil2";
 *   bits 5-7: 0 = no resume check, else resume after the row this picks.
 */
#include <zip.h>

#include "fuzz_reader_common.h"

#define FZ_PART_SEP "#PART#\n"
#define FZ_NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define FZ_NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char *const part_names[] = {
    "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",       "xl/styles.xml",
    "xl/workbook.xml",          "xl/_rels/workbook.xml.rels", "_rels/.rels",
    "[Content_Types].xml",
};
#define NPARTS (sizeof part_names / sizeof part_names[0])

/* What a part left out of the input is: a workbook of one empty sheet. */
static const char *const part_defaults[NPARTS] = {
    ("<worksheet xmlns=\"" FZ_NS_MAIN "\"><sheetData/></worksheet>"),
    ("<sst xmlns=\"" FZ_NS_MAIN "\" count=\"0\" uniqueCount=\"0\"/>"),
    ("<styleSheet xmlns=\"" FZ_NS_MAIN "\"><cellXfs count=\"1\"><xf numFmtId=\"0\"/></cellXfs>"
    "</styleSheet>"),
    ("<workbook xmlns=\"" FZ_NS_MAIN "\" xmlns:r=\"" FZ_NS_REL "\"><sheets>"
    "<sheet name=\"Feuil1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
    ("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" FZ_NS_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" FZ_NS_REL "/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" FZ_NS_REL "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>"),
    ("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" FZ_NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>"),
    ("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"),
};

/* Zips the parts of data into path; 0 if libzip refused (nothing to read then). */
static int zip_parts(const char *path, const uint8_t *data, size_t size, int deflate) {
    const uint8_t *piece[NPARTS];
    size_t len[NPARTS];
    size_t n = fz_split(data, size, FZ_PART_SEP, piece, len, NPARTS);
    int ze;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (!z)
        return 0;
    for (size_t i = 0; i < NPARTS; i++) {
        const void *p = i < n ? (const void *)piece[i] : part_defaults[i];
        size_t l = i < n ? len[i] : strlen(part_defaults[i]);
        if (i < n && l == 0)
            continue;
        zip_source_t *src = zip_source_buffer(z, p, l, 0);
        zip_int64_t idx = src ? zip_file_add(z, part_names[i], src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            zip_discard(z);
            return 0;
        }
        zip_set_file_compression(z, (zip_uint64_t)idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 1);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const sheets[] = {NULL, "1", "2", "Feuil2"};
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    li_reader_opts o;
    li_reader_opts_init(&o);
    if (mode & 2) {
        o.max_field = 64;
        o.max_row = 256;
        o.max_columns = 8;
    }
    if (mode & 4)
        o.max_inflated = 64 * 1024;
    o.sheet = sheets[(mode >> 3) & 3];
    const char *path;
    if (mode & 1) {
        path = fz_write_file("in.xlsx", NULL, 0);
        if (!zip_parts(path, data + 1, size - 1, mode & 4))
            return 0;
    } else {
        path = fz_write_file("in.xlsx", data + 1, size - 1);
    }
    fz_read_file(path, &o, 0, mode >> 5);
    return 0;
}
