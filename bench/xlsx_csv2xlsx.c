/*
 * xlsx_csv2xlsx.c — converts a lead CSV to XLSX for bench/xlsx_bench.py.
 * The CSV is read with leadimport's own reader, every cell written as
 * text: the XLSX holds exactly the CSV's values.
 *
 *   build/xlsx_csv2xlsx IN.csv OUT.xlsx          libxlsxwriter, constant-memory
 *                                                mode (rows streamed, inline strings)
 *   build/xlsx_csv2xlsx --sst IN.csv OUT.xlsx    every string in the shared-string
 *                                                table, as Excel writes them (the
 *                                                parts are streamed to temporary
 *                                                files, then zipped with libzip)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "leadimport/reader.h"

static int write_row(lxw_worksheet *ws, lxw_row_t r, const li_slice *f, size_t n, char **buf,
                     size_t *cap) {
    for (size_t i = 0; i < n; i++) {
        if (f[i].len == 0)
            continue;
        if (f[i].len + 1 > *cap) {
            *cap = f[i].len + 1;
            char *p = realloc(*buf, *cap);
            if (!p)
                return -1;
            *buf = p;
        }
        memcpy(*buf, f[i].ptr, f[i].len);
        (*buf)[f[i].len] = '\0';
        if (worksheet_write_string(ws, r, (lxw_col_t)i, *buf, NULL) != LXW_NO_ERROR)
            return -1;
    }
    return 0;
}

static void put_xml(FILE *f, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '\r')
            fputs("&#13;", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fprintf(f, "_x%04X_", c);
        else
            fputc(c, f);
    }
}

static void put_sst_row(FILE *sheet, FILE *sst, unsigned long long *nsst, unsigned long long r,
                        const li_slice *f, size_t n) {
    fprintf(sheet, "<row r=\"%llu\">", r);
    for (size_t i = 0; i < n; i++) {
        if (f[i].len == 0)
            continue;
        fprintf(sheet, "<c r=\"%c%llu\" t=\"s\"><v>%llu</v></c>", (char)('A' + i), r, *nsst);
        fputs("<si><t xml:space=\"preserve\">", sst);
        put_xml(sst, f[i].ptr, f[i].len);
        fputs("</t></si>", sst);
        ++*nsst;
    }
    fputs("</row>", sheet);
}

/* --sst: writes the parts by hand (no cell past column Z: lead files have 14). */
static int convert_sst(li_reader *r, const char *out) {
    char sheet_path[] = "/tmp/li-sheet-XXXXXX", sst_path[] = "/tmp/li-sst-XXXXXX";
    int fa = mkstemp(sheet_path), fb = mkstemp(sst_path);
    FILE *sheet = fa >= 0 ? fdopen(fa, "w") : NULL, *sst = fb >= 0 ? fdopen(fb, "w") : NULL;
    if (!sheet || !sst)
        return 1;
    static const char ns[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    static const char rel[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    fprintf(sheet, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"%s\"><sheetData>",
            ns);
    fprintf(sst, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"%s\">", ns);
    unsigned long long nsst = 0, rowno = 1;
    size_t nh;
    const li_slice *h = li_reader_header(r, &nh);
    put_sst_row(sheet, sst, &nsst, rowno++, h, nh);
    const li_row *row;
    li_error err;
    li_status st;
    while ((st = li_reader_next(r, &row, &err)) == LI_OK)
        put_sst_row(sheet, sst, &nsst, rowno++, row->fields, row->nfields);
    fputs("</sheetData></worksheet>", sheet);
    fputs("</sst>", sst);
    int rc = (fclose(sheet) != 0) | (fclose(sst) != 0) | (st != LI_EOF);
    static char wb[1024], wbrels[1024], rootrels[512];
    snprintf(wb, sizeof wb,
             "<?xml version=\"1.0\"?><workbook xmlns=\"%s\" xmlns:r=\"%s\"><sheets><sheet "
             "name=\"Leads\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
             ns, rel);
    snprintf(wbrels, sizeof wbrels,
             "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
             "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"%s/worksheet\" "
             "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
             "Type=\"%s/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>",
             rel, rel);
    snprintf(rootrels, sizeof rootrels,
             "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
             "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"%s/officeDocument\" "
             "Target=\"xl/workbook.xml\"/></Relationships>",
             rel);
    static const char types[] =
        "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
        "content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/"
        "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/"
        "vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>";
    int ze;
    zip_t *z = rc ? NULL : zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (z) {
        struct {
            const char *name, *data, *file;
        } parts[] = {{"[Content_Types].xml", types, NULL},
                     {"_rels/.rels", rootrels, NULL},
                     {"xl/workbook.xml", wb, NULL},
                     {"xl/_rels/workbook.xml.rels", wbrels, NULL},
                     {"xl/worksheets/sheet1.xml", NULL, sheet_path},
                     {"xl/sharedStrings.xml", NULL, sst_path}};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            zip_source_t *s = parts[i].file
                                  ? zip_source_file(z, parts[i].file, 0, -1)
                                  : zip_source_buffer(z, parts[i].data, strlen(parts[i].data), 0);
            rc |= !s || zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) < 0;
        }
        rc |= zip_close(z) != 0;
    } else {
        rc = 1;
    }
    unlink(sheet_path);
    unlink(sst_path);
    return rc;
}

int main(int argc, char **argv) {
    int sst = argc == 4 && strcmp(argv[1], "--sst") == 0;
    if (argc != 3 && !sst) {
        fprintf(stderr, "usage: %s [--sst] IN.csv OUT.xlsx\n", argv[0]);
        return 2;
    }
    argv += sst;
    li_reader *r = NULL;
    li_error err;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 1;
    if (li_reader_open(argv[1], &o, &r, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (sst) {
        int rc = convert_sst(r, argv[2]);
        li_reader_free(r);
        return rc;
    }
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(argv[2], &wo);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Leads") : NULL;
    char *buf = NULL;
    size_t cap = 0, nh;
    int rc = ws ? 0 : 1;
    const li_slice *h = li_reader_header(r, &nh);
    if (rc == 0)
        rc = write_row(ws, 0, h, nh, &buf, &cap);
    const li_row *row;
    li_status st = LI_OK;
    lxw_row_t next = 1;
    while (rc == 0 && (st = li_reader_next(r, &row, &err)) == LI_OK)
        rc = write_row(ws, next++, row->fields, row->nfields, &buf, &cap);
    if (st != LI_EOF && st != LI_OK)
        fprintf(stderr, "%s\n", err.message);
    if (wb && workbook_close(wb) != LXW_NO_ERROR)
        rc = 1;
    li_reader_free(r);
    free(buf);
    return rc || (st != LI_EOF) ? 1 : 0;
}
