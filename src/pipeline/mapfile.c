/*
 * mapfile.c — the mapping of a file as an import or sniff would use it,
 * and the saved mappings (templates and remembered ones).
 *
 * What it promises:
 *   - li_import_mapping() runs every step of mapping.h on the file: --map,
 *     a saved mapping (the job's own when resuming, else the template
 *     asked for, else the one remembered for these headers), the headers,
 *     their typos, then the values of the first LI_MAPPING_SAMPLE_ROWS
 *     rows. It reads nothing but those rows; from the same rows it infers
 *     the region of the file's national phone numbers (region.h), unless
 *     --region gives it;
 *   - the header signature is the SHA-256 of the folded header names in
 *     order: "E-mail;Nom" and "EMAIL;nom" share one, "Nom;E-mail" does not
 *     (a mapping saved by name of column would still apply, but the user
 *     sees the same file layout again only when the order is the same);
 *   - li_mapping_save_as() stores the mapping as JSON {"Header": "field" |
 *     null}: a template with every column, a remembered mapping with the
 *     columns something decided (a column nothing matched is left out, so
 *     the next file's values may still map it).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "leadimport/hash.h"

enum { FOLD_MAX = 256 };

void li_header_sig(const li_mapping *m, char sig[LI_SHA256_HEX]) {
    li_buf b;
    li_buf_init(&b, 0);
    char f[FOLD_MAX];
    for (size_t c = 0; c < m->ncols; c++) {
        size_t n = li_fold(m->col_name[c], strlen(m->col_name[c]), f, sizeof f);
        if ((c && li_buf_putc(&b, LI__SEP) != LI_OK) || li_buf_append(&b, f, n) != LI_OK)
            break; /* out of memory: a signature of what was folded, still stable */
    }
    li_sha256_hex(b.data ? b.data : "", b.len, sig);
    li_buf_free(&b);
}

/* JSON array of the column names; NULL if out of memory. */
static char *headers_json(const li_mapping *m) {
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_buf_putc(&b, '[');
    for (size_t c = 0; c < m->ncols && st == LI_OK; c++) {
        if (c)
            st = li_buf_putc(&b, ',');
        if (st == LI_OK)
            st = li_buf_json_str(&b, m->col_name[c], strlen(m->col_name[c]));
    }
    if (st == LI_OK)
        st = li_buf_putc(&b, ']');
    if (st != LI_OK) {
        li_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int li_mapping_name_valid(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64 || strcmp(name, "auto") == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
            return 0;
    return 1;
}

li_status li_mapping_save_as(li_store *s, const char *name, const li_mapping *m, li_error *err) {
    if (name && !li_mapping_name_valid(name))
        return li_error_set(err, LI_EUSAGE, LI_MSG_MAPPING_NAME_INVALID, name);
    char sig[LI_SHA256_HEX];
    li_header_sig(m, sig);
    /* A template keeps every column as the user saw it in sniff; a
     * remembered mapping only what was decided. */
    char *h = headers_json(m), *j = name ? li_mapping_to_json(m) : li_mapping_to_json_decided(m);
    li_status st = h && j ? li_store_mapping_save(s, name, sig, h, j, err)
                          : li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    free(h);
    free(j);
    return st;
}

/* Names the template's columns this file lacks, for MAPPING_UNUSED_COLUMNS. */
static void unused_columns(const li_mapping *m, const char *json, const char *name,
                           li_mapping_source *src) {
    json_t *root = json_loads(json, 0, NULL);
    char list[200] = "", want[FOLD_MAX], have[FOLD_MAX];
    size_t n = 0, missing = 0;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (json_is_null(val))
            continue;
        size_t nw = li_fold(key, strlen(key), want, sizeof want);
        int seen = 0;
        for (size_t c = 0; c < m->ncols && !seen; c++)
            seen = li_fold(m->col_name[c], strlen(m->col_name[c]), have, sizeof have) == nw &&
                   memcmp(want, have, nw) == 0;
        if (seen)
            continue;
        missing++;
        int w = snprintf(list + n, sizeof list - n, "%s« %s »", n ? ", " : "", key);
        if (w > 0 && (size_t)w < sizeof list - n)
            n += (size_t)w;
    }
    json_decref(root);
    if (missing)
        li_msg_format(src->warning, sizeof src->warning, LI_MSG_MAPPING_UNUSED_COLUMNS, name,
                      list);
}

/*
 * The reader's file-level notice (a workbook whose first visible sheet was
 * empty, read from a later one) goes first among the mapping's warnings:
 * sniff and the import summary show those, and it says what was read.
 */
static void prepend_warning(li_mapping *m, const char *text) {
    size_t cap = sizeof m->warnings / sizeof m->warnings[0];
    if (!text || !text[0])
        return;
    size_t keep = m->nwarnings < cap ? m->nwarnings : cap - 1;
    memmove(m->warnings[1], m->warnings[0], keep * sizeof m->warnings[0]);
    snprintf(m->warnings[0], sizeof m->warnings[0], "%s", text);
    m->nwarnings = keep + 1;
}

/*
 * What the reader found about the file as a whole (a sheet skipped, an
 * encoding in doubt) comes first among the mapping's warnings. Called after
 * li_mapping_guess(), which builds the mapping's own warnings anew.
 */
static void reader_notice(li_mapping *m, const li_reader *r) {
    const li_reader_info *info = li_reader_get_info(r);
    char warn[256] = "";
    if (info->warning != LI_MSG_NONE)
        li_msg_format_unchecked(warn, sizeof warn, info->warning); /* the reader's: no argument */
    prepend_warning(m, warn);
    prepend_warning(m, info->notice);
}

/*
 * Feeds the first rows of the file to li_mapping_observe(), then, while a
 * column of dates has not shown its order (every value so far reads both
 * as day/month and month/day), the rest of that column: the order is
 * decided on the whole column, never row by row. In the usual file a day
 * over 12 comes within a few rows; a file whose dates are all ambiguous is
 * read once more to its end.
 */
static li_status observe_rows(li_mapping *m, li_reader *r, li_region_probe *probe, uint64_t *seen,
                              li_error *err) {
    li_status st = LI_OK;
    *seen = 0;
    for (size_t k = 0; st == LI_OK; k++) {
        int sample = k < LI_MAPPING_SAMPLE_ROWS;
        if (!sample && !li_mapping_dates_pending(m))
            break;
        const li_row *row;
        st = li_reader_next(r, &row, err);
        if (st == LI_EOF) {
            st = LI_OK;
            break;
        }
        *seen += st == LI_OK;
        if (st != LI_OK || li_msg_severity(row->problem) == LI_SEV_ERROR)
            continue;
        if (sample && probe)
            li_region_probe_row(probe, row->fields, row->nfields);
        if ((sample ? li_mapping_observe(m, row->fields, row->nfields)
                    : li_mapping_observe_dates(m, row->fields, row->nfields)) != LI_OK)
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    return st;
}

li_status li_import_mapping(li_store *s, const li_mapping_request *req, li_mapping **out,
                            li_mapping_source *src, li_error *err) {
    li_status st;
    li_reader *r = NULL;
    li_mapping *m = NULL;
    li_mapping_rec rec = {0};
    li_region_probe *probe = NULL;
    int found = 0;
    memset(src, 0, sizeof src[0]);
    src->kind = LI_MAP_CUSTOM;
    memcpy(src->region.iso, "FR", 3);
    /* Checked here, before any job exists: a stored job must load again. */
    if (req->nmap > LI_MAP_MAX_OVERRIDES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_MAP_TOO_MANY, req->nmap,
                            (size_t)LI_MAP_MAX_OVERRIDES);
    /* A sample of the first rows (and, rarely, a column of dates to its end). */
    li_reader_opts sample;
    li_reader_opts_sample(&sample, req->reader);
    if ((st = li_reader_open(req->path, &sample, &r, err)) != LI_OK)
        goto out;
    size_t nheader = 0;
    const li_slice *header = li_reader_header(r, &nheader);
    li_mapping_spec spec = {
        .header = header,
        .ncols = header ? nheader : li_reader_get_info(r)->columns,
        .ov = req->map,
        .nov = req->nmap,
    };
    /* The headers alone first: their signature finds a remembered mapping. */
    if ((st = li_mapping_build(&spec, &m, err)) != LI_OK)
        goto out;
    li_header_sig(m, src->header_sig);
    const char *name = req->mapping_name;
    if (header && req->resume_json) {
        spec.saved_json = req->resume_json;
        spec.saved_reason = LI_MAP_REMEMBERED;
        src->kind = LI_MAP_REMEMBERED;
    } else if (header && name && strcmp(name, "auto") != 0) {
        if (!s || (st = li_store_mapping_get(s, name, NULL, &rec, &found, err)) != LI_OK || !found) {
            st = st != LI_OK ? st : li_error_set(err, LI_EUSAGE, LI_MSG_MAPPING_NOT_FOUND, name);
            goto out;
        }
        spec.saved_json = rec.mapping_json;
        spec.saved_reason = LI_MAP_TEMPLATE;
        spec.saved_name = name;
        src->kind = LI_MAP_TEMPLATE;
    } else if (header && s && !name) {
        if ((st = li_store_mapping_get(s, NULL, src->header_sig, &rec, &found, err)) != LI_OK)
            goto out;
        if (found) {
            spec.saved_json = rec.mapping_json;
            spec.saved_reason = LI_MAP_REMEMBERED;
            spec.saved_name = "";
            src->kind = LI_MAP_REMEMBERED;
            snprintf(src->saved_at, sizeof src->saved_at, "%s", rec.updated_at);
        }
    }
    if (src->kind != LI_MAP_CUSTOM) {
        li_mapping_free(m);
        m = NULL;
        if ((st = li_mapping_build(&spec, &m, err)) != LI_OK)
            goto out;
        snprintf(src->name, sizeof src->name, "%s", name && src->kind == LI_MAP_TEMPLATE ? name : "");
        if (src->kind == LI_MAP_TEMPLATE)
            unused_columns(m, rec.mapping_json, name, src);
    }
    /* Where the reader found the header, for the summary and sniff. */
    src->header_row = li_reader_get_info(r)->header_row;
    src->skipped_rows = li_reader_get_info(r)->skipped_rows;
    /* --region wins; else the same rows say where the numbers are from. */
    if (req->region && (st = li_region_option(req->region, &src->region, err)) != LI_OK)
        goto out;
    if (!req->region && (st = li_region_probe_new(m, &probe, err)) != LI_OK)
        goto out;
    /* The same reader goes on past the header: a workbook is opened once. */
    uint64_t seen = 0;
    if ((st = observe_rows(m, r, probe, &seen, err)) != LI_OK)
        goto out;
    src->no_data = seen == 0;
    li_mapping_guess(m);
    reader_notice(m, r);
    if (probe)
        li_region_probe_decide(probe, &src->region);
out:
    li_region_probe_free(probe);
    li_mapping_rec_free(&rec);
    li_reader_free(r);
    if (st != LI_OK) {
        li_mapping_free(m);
        m = NULL;
    }
    *out = m;
    return st;
}
