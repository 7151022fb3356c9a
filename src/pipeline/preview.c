/*
 * sniff.c — what leadimport would make of a file, without importing it:
 * format, encoding, delimiter, header, the proposed mapping of each column
 * with the reason for it, a preview of the first rows, and the region its
 * national phone numbers are read in (and why). The result is
 * one JSON document: the command line prints it (or a French rendering of
 * it), and the HTTP API will return it as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "leadimport/date.h"

static li_status put_str(li_buf *b, const char *key, const char *v, size_t n) {
    li_status st = li_buf_printf(b, "\"%s\":", key);
    if (st == LI_OK)
        st = v ? li_buf_json_str(b, v, n) : li_buf_puts(b, "null");
    return st == LI_OK ? li_buf_putc(b, ',') : st;
}

/* A workbook's sheet read and its sheets: "sheet":"...","sheets":[{...}], */
static li_status sheets_json(li_reader *r, li_buf *out, li_error *err) {
    const li_sheet_info *sh = NULL;
    size_t n = 0;
    li_status st = li_reader_sheets(r, &sh, &n, err);
    if (st != LI_OK)
        return st;
    const char *name = li_reader_get_info(r)->sheet;
    if ((st = put_str(out, "sheet", name, strlen(name))) != LI_OK ||
        (st = li_buf_puts(out, "\"sheets\":[")) != LI_OK)
        return st;
    for (size_t i = 0; i < n && st == LI_OK; i++) {
        if (i)
            st = li_buf_putc(out, ',');
        if (st == LI_OK)
            st = li_buf_printf(out, "{\"number\":%zu,\"name\":", sh[i].number);
        if (st == LI_OK)
            st = li_buf_json_str(out, sh[i].name, strlen(sh[i].name));
        if (st == LI_OK)
            st = li_buf_printf(out, ",\"rows\":%llu,\"hidden\":%s,\"current\":%s}",
                               (unsigned long long)sh[i].rows, sh[i].hidden ? "true" : "false",
                               sh[i].current ? "true" : "false");
    }
    return st == LI_OK ? li_buf_puts(out, "],") : st;
}

/* "region":{"iso":"CH","name":"Suisse","source":"inferred","reason":"..."} */
static li_status region_json(const li_region_guess *g, li_buf *out) {
    const char *name = li_country_name(g->iso);
    const char *source = li_region_source_key(g->source);
    li_status st = li_buf_puts(out, "\"region\":{");
    if (st == LI_OK)
        st = put_str(out, "iso", g->iso, strlen(g->iso));
    if (st == LI_OK)
        st = put_str(out, "name", name, name ? strlen(name) : 0);
    if (st == LI_OK)
        st = put_str(out, "source", source, strlen(source));
    if (st == LI_OK)
        st = li_buf_puts(out, "\"reason\":");
    if (st == LI_OK)
        st = li_buf_json_str(out, g->reason, strlen(g->reason));
    return st == LI_OK ? li_buf_putc(out, '}') : st;
}

li_status li_sniff_json(li_store *s, const li_mapping_request *req, size_t preview_rows,
                        li_buf *out, li_error *err) {
    li_status st;
    li_reader *r = NULL;
    li_mapping *m = NULL;
    li_mapping_source src;
    const char *path = req->path;
    if ((st = li_import_mapping(s, req, &m, &src, err)) != LI_OK)
        return st;
    li_reader_opts sample; /* the preview's first rows */
    li_reader_opts_sample(&sample, req->reader);
    if ((st = li_reader_open(path, &sample, &r, err)) != LI_OK)
        goto out;
    const li_reader_info *info = li_reader_get_info(r);
    size_t ncols = m->ncols;

    const char *base = strrchr(path, '/');
    /* a stored copy's own name says nothing: the name the user gave */
    const char *shown = req->name ? req->name : base ? base + 1 : path;
    char delim[8];
    snprintf(delim, sizeof delim, "%c", info->delimiter);
    st = li_buf_putc(out, '{');
    if (st == LI_OK)
        st = put_str(out, "file", shown, strlen(shown));
    if (st == LI_OK)
        st = li_buf_printf(out, "\"size\":%llu,", (unsigned long long)info->size);
    if (st == LI_OK)
        st = put_str(out, "format", info->format, strlen(info->format));
    /* a workbook has no encoding nor delimiter: null, not the reader's placeholder */
    int book = info->sheet != NULL;
    if (st == LI_OK)
        st = put_str(out, "encoding", book ? NULL : info->encoding,
                     book ? 0 : strlen(info->encoding));
    if (st == LI_OK)
        st = li_buf_printf(out, "\"bom\":%s,", info->bom ? "true" : "false");
    if (st == LI_OK)
        st = put_str(out, "delimiter", book ? NULL : delim, 1);
    if (st == LI_OK && info->sheet)
        st = sheets_json(r, out, err);
    if (st == LI_OK && m->export_name) /* the known export the headers are */
        st = put_str(out, "export", m->export_name, strlen(m->export_name));
    if (st == LI_OK) /* where the header is, and the preamble rows skipped above it */
        st = li_buf_printf(out, "\"has_header\":%s,\"header_row\":%llu,\"skipped_rows\":%llu,",
                           info->has_header ? "true" : "false",
                           (unsigned long long)info->header_row,
                           (unsigned long long)info->skipped_rows);
    if (st == LI_OK && info->escape) /* quotes escaped with a backslash (MySQL, PHP) */
        st = li_buf_puts(out, "\"escape\":\"\\\\\",");
    if (st == LI_OK)
        st = li_buf_printf(out, "\"columns\":%zu,\"mapping\":[", ncols);
    for (size_t i = 0; i < ncols && st == LI_OK; i++) {
        li_field f = m->col_field[i];
        const char *reason = li_map_reason_key(m->col_reason[i]);
        if (i)
            st = li_buf_putc(out, ',');
        if (st == LI_OK)
            st = li_buf_printf(out, "{\"column\":%zu,", i + 1);
        if (st == LI_OK)
            st = put_str(out, "header", m->col_name[i], strlen(m->col_name[i]));
        if (st == LI_OK)
            st = f == LI_FIELD_NONE ? li_buf_puts(out, "\"field\":null,\"label\":null,")
                                    : li_buf_printf(out, "\"field\":\"%s\",", li_field_key(f));
        if (st == LI_OK && f != LI_FIELD_NONE)
            st = put_str(out, "label", li_field_label(f), strlen(li_field_label(f)));
        if (st == LI_OK && m->col_detail[i])
            st = put_str(out, "detail", m->col_detail[i], strlen(m->col_detail[i]));
        if (st == LI_OK && m->col_date[i]) { /* a column of dates, and how it is read */
            const char *order = li_date_order_label((li_date_order)(m->col_date[i] - 1));
            st = put_str(out, "dates", order, strlen(order));
        }
        if (st == LI_OK)
            st = li_buf_printf(out, "\"reason\":\"%s\"}", reason);
    }
    if (st == LI_OK)
        st = li_buf_puts(out, "],\"saved_mapping\":");
    if (st == LI_OK && src.kind == LI_MAP_CUSTOM)
        st = li_buf_puts(out, "null");
    else if (st == LI_OK) {
        const char *kind = li_map_reason_key(src.kind);
        st = li_buf_putc(out, '{');
        if (st == LI_OK)
            st = put_str(out, "kind", kind, strlen(kind));
        if (st == LI_OK)
            st = put_str(out, "name", src.name, strlen(src.name));
        if (st == LI_OK)
            st = li_buf_printf(out, "\"saved_at\":");
        if (st == LI_OK)
            st = li_buf_json_str(out, src.saved_at, strlen(src.saved_at));
        if (st == LI_OK)
            st = li_buf_putc(out, '}');
    }
    if (st == LI_OK)
        st = li_buf_puts(out, ",\"warnings\":[");
    for (size_t i = 0; i < m->nwarnings && st == LI_OK; i++) {
        if (i)
            st = li_buf_putc(out, ',');
        if (st == LI_OK)
            st = li_buf_json_str(out, m->warnings[i], strlen(m->warnings[i]));
    }
    if (st == LI_OK && src.warning[0]) {
        if (m->nwarnings)
            st = li_buf_putc(out, ',');
        if (st == LI_OK)
            st = li_buf_json_str(out, src.warning, strlen(src.warning));
    }
    if (st == LI_OK)
        st = li_buf_puts(out, "],\"preview\":[");
    for (size_t n = 0; n < preview_rows && st == LI_OK; n++) {
        const li_row *row;
        st = li_reader_next(r, &row, err);
        if (st == LI_EOF) {
            st = LI_OK;
            break;
        }
        if (st != LI_OK)
            goto out;
        if (n)
            st = li_buf_putc(out, ',');
        if (st == LI_OK)
            st = li_buf_printf(out, "{\"row\":%llu,", (unsigned long long)row->number);
        if (st == LI_OK && row->problem != LI_MSG_NONE) {
            const char *code = li_msg_code(row->problem);
            st = put_str(out, "problem", code, strlen(code));
            if (st == LI_OK)
                st = put_str(out, "message", row->problem_text, strlen(row->problem_text));
        }
        if (st == LI_OK)
            st = li_buf_puts(out, "\"fields\":[");
        for (size_t i = 0; i < row->nfields && st == LI_OK; i++) {
            if (i)
                st = li_buf_putc(out, ',');
            if (st == LI_OK)
                st = li_buf_json_str(out, row->fields[i].ptr, row->fields[i].len);
        }
        if (st == LI_OK)
            st = li_buf_puts(out, "]}");
    }
    if (st == LI_OK)
        st = li_buf_puts(out, "],");
    if (st == LI_OK)
        st = region_json(&src.region, out);
    if (st == LI_OK)
        st = li_buf_putc(out, '}');
    if (st != LI_OK)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
out:
    li_mapping_free(m);
    li_reader_free(r);
    return st;
}
