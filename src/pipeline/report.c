/*
 * report.c — the error report of a job, and the export of the leads table.
 *
 * Both write CSV the way French Excel opens it with a double click: UTF-8
 * with a BOM, ';' between fields, CRLF between records. The report
 * neutralises every cell a spreadsheet would run as a formula (the rows it
 * shows come from outside); the export neutralises formulas too but leaves
 * plain signed numbers such as an E.164 phone alone, so that an export
 * re-imports unchanged.
 *
 * The report lists, in row order, every row a user should look at: the
 * refused ones, the duplicates (skipped, updating a lead, or created
 * flagged: which lead they matched and through which key) and the rows
 * imported with a warning. Its columns: « Ligne », « Statut », « Erreurs »
 * (errors and warnings, in French), then the file's columns: a refused row
 * as the file had it, any other row with the normalised values this import
 * made of it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadimport/blob.h"
#include "pipeline.h"
#include "leadimport/buf.h"

#define CSV_DELIM ';'
static const char BOM[] = "\xEF\xBB\xBF";

/*
 * The columns of the file, for the values of a valid row: the field each
 * column fed (LI_FIELD_NONE: a custom field under the column's name,
 * LI_FIELD_FULL_NAME: first and last name), from the mapping stored with
 * the job ({"Colonne": "field" | null}, in column order).
 */
typedef struct report_col {
    const char *name; /* borrowed from the mapping JSON */
    li_field field;
} report_col;

typedef struct report_ctx {
    FILE *f;
    li_buf line;
    uint64_t n;
    li_status io;
    report_col *col;
    size_t ncols;
    int update;      /* the job's strategy is update: a skipped row changed nothing */
    li_store *store; /* the leads of rows that created one */
    li_error *err;
} report_ctx;

static li_status put_line(report_ctx *rc) {
    if (li_buf_append(&rc->line, "\r\n", 2) != LI_OK)
        return LI_ENOMEM;
    if (fwrite(rc->line.data, 1, rc->line.len, rc->f) != rc->line.len)
        return rc->io = LI_EIO;
    li_buf_reset(&rc->line);
    return LI_OK;
}

/* A leading + or - is dangerous only when what follows is not a plain number. */
static int export_needs_neutralising(const char *s, size_t n) {
    if (n == 0)
        return 0;
    if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
        return 1;
    if (s[0] != '+' && s[0] != '-')
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] < '0' || s[i] > '9') && s[i] != ' ' && s[i] != '.')
            return 1;
    return n == 1;
}

/* One cell; neutralise: 1 for any cell a spreadsheet could run, 0 for export's rule. */
static li_status put_value(report_ctx *rc, const char *s, size_t n, int neutralise) {
    li_status st = li_buf_putc(&rc->line, CSV_DELIM);
    if (st != LI_OK)
        return st;
    s = s ? s : "";
    return li_buf_csv_field(&rc->line, s, n, CSV_DELIM,
                            neutralise || export_needs_neutralising(s, n));
}

static li_status put_cell(report_ctx *rc, const char *s, size_t n) {
    return put_value(rc, s, n, 1);
}

/* The match key in French; a row staged before keys were kept has none. */
static const char *key_name(const char *key) {
    li_field f = key ? li_field_by_key(key) : LI_FIELD_NONE;
    return li_msg_text(f == LI_FIELD_EMAIL         ? LI_MSG_MATCH_KEY_EMAIL
                       : f == LI_FIELD_PHONE       ? LI_MSG_MATCH_KEY_PHONE
                       : f == LI_FIELD_EXTERNAL_ID ? LI_MSG_MATCH_KEY_EXTERNAL_ID
                                                   : LI_MSG_MATCH_KEY_UNKNOWN);
}

/* The « Statut » of a listed row, in French. */
static void row_status(const report_ctx *rc, const li_staged_row *row, char *out, size_t cap) {
    long long lead = (long long)(row->match_lead ? row->match_lead : row->lead_id);
    const char *key = key_name(row->match_key);
    if (strcmp(row->status, "invalid") == 0)
        li_msg_format(out, cap, LI_MSG_REPORT_REFUSED);
    else if (strcmp(row->status, "skipped") == 0)
        if (rc->update)
            li_msg_format(out, cap, LI_MSG_REPORT_UNCHANGED, lead, key);
        else
            li_msg_format(out, cap, LI_MSG_REPORT_SKIPPED, lead, key);
    else if (strcmp(row->status, "updated") == 0)
        li_msg_format(out, cap, LI_MSG_REPORT_UPDATED, lead, key);
    else if (strcmp(row->status, "valid") == 0 && row->match_key && row->match_lead < 0)
        /* a job in review, not committed: what its analysis found */
        li_msg_format(out, cap, LI_MSG_REVIEW_DUP_OF_ROW, -lead, key);
    else if (strcmp(row->status, "valid") == 0 && row->match_key)
        li_msg_format(out, cap, LI_MSG_REVIEW_DUP_OF_LEAD, lead, key);
    else if (strcmp(row->status, "valid") == 0)
        li_msg_format(out, cap, LI_MSG_REVIEW_ROW_WARNING);
    else if (row->match_lead)
        li_msg_format(out, cap, LI_MSG_REPORT_FLAGGED, lead, key);
    else
        li_msg_format(out, cap, LI_MSG_REPORT_WARNED);
}

/* The value of a custom field in the row's custom JSON ("" if none). */
static const char *custom_value(json_t *custom, const char *name, size_t *n) {
    json_t *v = json_object_get(custom, name);
    *n = json_string_length(v);
    return json_string_value(v) ? json_string_value(v) : "";
}

/* The normalised values of a valid row, in the file's columns (NULL: empty cells). */
static li_status valid_cells(report_ctx *rc, const li_slice *value, li_slice custom_json,
                             li_slice assignee) {
    li_status st = LI_OK;
    json_t *custom =
        value && custom_json.len > 2 ? json_loadb(custom_json.ptr, custom_json.len, 0, NULL) : NULL;
    li_buf full;
    li_buf_init(&full, 0);
    for (size_t i = 0; i < rc->ncols && st == LI_OK; i++) {
        li_field f = rc->col[i].field;
        size_t n = 0;
        const char *v = "";
        if (!value) {
            /* values unknown: empty cells */
        } else if (f >= 0 && f < LI_FIELD__COUNT) {
            v = value[f].ptr;
            n = value[f].len;
        } else if (f == LI_FIELD_FULL_NAME) {
            li_slice a = value[LI_FIELD_FIRST_NAME], b = value[LI_FIELD_LAST_NAME];
            li_buf_reset(&full);
            if ((st = li_buf_append(&full, a.ptr, a.len)) == LI_OK && a.len && b.len)
                st = li_buf_putc(&full, ' ');
            if (st == LI_OK)
                st = li_buf_append(&full, b.ptr, b.len);
            v = full.data;
            n = full.len;
        } else if (f == LI_FIELD_ASSIGNEE) {
            v = assignee.ptr;
            n = assignee.len;
        } else {
            v = custom_value(custom, rc->col[i].name, &n);
        }
        /* Normalised values: an E.164 phone stays a number, as in the export. */
        if (st == LI_OK)
            st = put_value(rc, v, n, 0);
    }
    li_buf_free(&full);
    json_decref(custom);
    return st;
}

/*
 * The values of a row that was not refused: its own, staged with it (a row
 * skipped, updating a lead, flagged or warned), else, for a row staged by a
 * version that kept only the lead, those of the lead it created (empty
 * cells if it was deleted since).
 */
static li_status row_values(report_ctx *rc, const li_staged_row *row) {
    li__row decoded;
    if (row->data.len && li__row_decode(row->data, &decoded) == LI_OK)
        return valid_cells(rc, decoded.value, decoded.custom, decoded.assignee);
    li_lead_rec lead;
    int found = 0;
    li_status st =
        row->lead_id ? li_store_lead_get(rc->store, row->lead_id, &lead, &found, rc->err) : LI_OK;
    if (st != LI_OK)
        return st;
    st = valid_cells(rc, found ? lead.value : NULL, found ? lead.custom : (li_slice){NULL, 0},
                     (li_slice){NULL, 0});
    if (found)
        li_lead_rec_free(&lead);
    return st;
}

static li_status report_row(const li_staged_row *row, void *ctx) {
    report_ctx *rc = ctx;
    li_status st;
    char num[24], status[256];
    int n = snprintf(num, sizeof num, "%llu", (unsigned long long)row->row_no);
    row_status(rc, row, status, sizeof status);
    if ((st = li_buf_append(&rc->line, num, (size_t)n)) != LI_OK ||
        (st = put_cell(rc, status, strlen(status))) != LI_OK)
        return st;

    /* Errors and warnings, in French, joined. */
    li_buf msgs;
    li_buf_init(&msgs, 0);
    json_t *errs = row->errors.len ? json_loadb(row->errors.ptr, row->errors.len, 0, NULL) : NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) {
        const char *m = json_string_value(json_object_get(e, "message"));
        if (!m)
            continue;
        if ((msgs.len && li_buf_puts(&msgs, " | ") != LI_OK) || li_buf_puts(&msgs, m) != LI_OK) {
            st = LI_ENOMEM;
            break;
        }
    }
    json_decref(errs);
    if (st == LI_OK)
        st = put_cell(rc, msgs.data, msgs.len);
    li_buf_free(&msgs);
    if (st != LI_OK)
        return st;

    if (strcmp(row->status, "invalid") == 0) {
        /* The original fields, as the file had them. */
        json_t *fields = json_loadb(row->data.ptr, row->data.len, 0, NULL);
        json_t *v;
        json_array_foreach(fields, i, v) {
            if ((st = put_cell(rc, json_string_value(v), json_string_length(v))) != LI_OK)
                break;
        }
        json_decref(fields);
    } else {
        st = row_values(rc, row);
    }
    if (st != LI_OK)
        return st;
    rc->n++;
    return put_line(rc);
}

/*
 * Reads the job's column mapping and strategy into rc. *mapping holds the
 * names; *input gets the path of the file the job imports (malloc'ed, NULL
 * if unknown), which its report must not replace.
 */
static li_status report_setup(li_store *s, int64_t job_id, report_ctx *rc, json_t **mapping,
                              char **input, li_error *err) {
    char *mapping_json = NULL, *options_json = NULL;
    li_status st = li_store_job_mapping(s, job_id, &mapping_json, err);
    if (st == LI_OK)
        st = li_store_job_files(s, job_id, &options_json, NULL, NULL, err);
    if (st != LI_OK)
        goto out;
    json_t *opts = options_json ? json_loads(options_json, 0, NULL) : NULL;
    const char *dup = json_string_value(json_object_get(opts, "on_duplicate"));
    rc->update = dup && strcmp(dup, "update") == 0;
    const char *src = json_string_value(json_object_get(opts, "source_path"));
    *input = src ? strdup(src) : NULL;
    json_decref(opts);
    *mapping = mapping_json ? json_loads(mapping_json, 0, NULL) : NULL;
    size_t n = json_object_size(*mapping);
    if (n && !(rc->col = calloc(n, sizeof *rc->col))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    const char *name;
    json_t *v;
    json_object_foreach(*mapping, name, v) { /* jansson keeps the columns' order */
        const char *key = json_string_value(v);
        rc->col[rc->ncols].name = name;
        rc->col[rc->ncols].field = key ? li_field_by_key(key) : LI_FIELD_NONE;
        rc->ncols++;
    }
out:
    free(mapping_json);
    free(options_json);
    return st;
}

/*
 * The report of job_id, written aside and renamed over path (outfile.h),
 * or, with blob_key, into the blob store under that key (blob.h: the
 * store's own report). A user's path may not be the database, its stored
 * files or the job's input.
 */
/*
 * The rows the report lists: a job ready and not committed (the review
 * step) lists its warned rows and predicted duplicates too, still "valid";
 * any other job, through the index of listed rows. With cb NULL, counts.
 */
static li_status listed_rows(li_store *s, int64_t job_id, li_row_cb cb, void *ctx, uint64_t *n,
                             li_error *err) {
    li_job_state state;
    uint64_t total = 0;
    li_status st = li_store_job_state(s, job_id, &state, err);
    if (st != LI_OK)
        return st;
    if (state == LI_JOB_READY) {
        st = li_store_rows_page(s, job_id, LI_ROWS_CHECK, cb ? 0 : UINT64_MAX, 0, &total, cb, ctx,
                                err);
        if (n)
            *n = total;
        return st;
    }
    return cb ? li_store_report_rows_each(s, job_id, cb, ctx, err)
              : li_store_report_rows_count(s, job_id, n, err);
}

static li_status report_write(li_store *s, int64_t job_id, const char *path, const char *blob_key,
                              uint64_t *nrows, li_error *err) {
    li_status st = LI_OK;
    report_ctx rc = {.store = s, .err = err};
    char *header_json = NULL, *input = NULL;
    json_t *header = NULL, *mapping = NULL;
    li_outfile *of = NULL;
    li_outfile_guard guard;
    li_blob_store *bs = NULL;
    li_blob_writer *bw = NULL;
    li_buf_init(&rc.line, 0);
    if ((st = li_store_job_header(s, job_id, &header_json, err)) != LI_OK ||
        (st = report_setup(s, job_id, &rc, &mapping, &input, err)) != LI_OK)
        goto out;
    if (blob_key) {
        if ((st = li_blob_store_of(s, &bs, err)) != LI_OK ||
            (st = li_blob_writer_open(bs, &bw, err)) != LI_OK)
            goto out;
        if (!(rc.f = li_blob_writer_stream(bw)))
            goto nomem;
    } else {
        li_store_output_guard(s, &guard);
        guard.input = input;
        if ((st = li_outfile_open(path, &guard, &of, err)) != LI_OK)
            goto out;
        rc.f = li_outfile_stream(of);
    }
    if (fputs(BOM, rc.f) < 0) {
        st = LI_EIO;
        goto io;
    }
    if ((st = li_buf_puts(&rc.line, "Ligne;Statut;Erreurs")) != LI_OK)
        goto nomem;
    header = header_json ? json_loads(header_json, 0, NULL) : NULL;
    size_t i;
    json_t *h;
    json_array_foreach(header, i, h) {
        if ((st = put_cell(&rc, json_string_value(h), json_string_length(h))) != LI_OK)
            goto nomem;
    }
    /* Without a header row, the columns' names (« Colonne 1 »...). */
    for (i = 0; !header && i < rc.ncols; i++)
        if ((st = put_cell(&rc, rc.col[i].name, strlen(rc.col[i].name))) != LI_OK)
            goto nomem;
    if ((st = put_line(&rc)) != LI_OK)
        goto io;
    st = listed_rows(s, job_id, report_row, &rc, NULL, err);
    if (rc.io != LI_OK)
        goto io;
    if (st == LI_ENOMEM || st == LI_ELIMIT)
        goto nomem;
    if (st != LI_OK)
        goto out;
    /* flush, fsync, rename: or the previous report stays */
    st = bw ? li_blob_writer_commit(bw, blob_key, NULL, err) : li_outfile_commit(of, err);
    of = NULL;
    bw = NULL;
    goto out;
nomem:
    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    goto out;
io:
    st = li_error_set(err, li_status_from_errno(errno, LI_EIO), LI_MSG_FILE_UNWRITABLE, path,
                      li_msg_errno(errno));
out:
    li_outfile_abort(of); /* NULL once committed */
    li_blob_writer_abort(bw);
    li_blob_store_free(bs);
    if (nrows)
        *nrows = st == LI_OK ? rc.n : 0;
    json_decref(header);
    json_decref(mapping);
    free(rc.col);
    free(header_json);
    free(input);
    li_buf_free(&rc.line);
    return st;
}

li_status li_report_write(li_store *s, int64_t job_id, const char *path, uint64_t *nrows,
                          li_error *err) {
    return report_write(s, job_id, path, NULL, nrows, err);
}

li_status li__report_write_stored(li_store *s, int64_t job_id, const char *key, uint64_t *nrows,
                                  li_error *err) {
    return report_write(s, job_id, key, key, nrows, err);
}

int li_report_due(const li_job_rec *job) {
    return job->invalid || job->warnings || job->skipped || job->updated || job->flagged;
}

li_status li_report_count(li_store *s, int64_t job_id, uint64_t *nrows, li_error *err) {
    return listed_rows(s, job_id, NULL, NULL, nrows, err);
}

/* --- export -------------------------------------------------------------- */

#define EXPORT_MAX_CUSTOM 256

typedef struct export_ctx {
    FILE *f;
    li_buf line;
    uint64_t n;
    char *custom[EXPORT_MAX_CUSTOM]; /* custom column names, in order of first appearance */
    size_t ncustom;
    int io_failed;
} export_ctx;

/* First pass: the union of custom field names. */
static li_status collect_custom(int64_t id, const li_slice value[LI_FIELD__COUNT],
                                li_slice custom_json, li_slice assignee, void *ctx) {
    (void)id;
    (void)value;
    (void)assignee;
    export_ctx *ec = ctx;
    if (custom_json.len <= 2)
        return LI_OK;
    json_t *obj = json_loadb(custom_json.ptr, custom_json.len, 0, NULL);
    const char *key;
    json_t *v;
    li_status st = LI_OK;
    json_object_foreach(obj, key, v) {
        size_t k = 0;
        while (k < ec->ncustom && strcmp(ec->custom[k], key) != 0)
            k++;
        if (k < ec->ncustom || ec->ncustom == EXPORT_MAX_CUSTOM)
            continue;
        if (!(ec->custom[ec->ncustom] = strdup(key))) {
            st = LI_ENOMEM;
            break;
        }
        ec->ncustom++;
    }
    json_decref(obj);
    (void)v;
    return st;
}

static li_status export_field(export_ctx *ec, const char *s, size_t n, int first) {
    li_status st;
    if (!first && (st = li_buf_putc(&ec->line, CSV_DELIM)) != LI_OK)
        return st;
    return li_buf_csv_field(&ec->line, s, n, CSV_DELIM, export_needs_neutralising(s, n));
}

static li_status export_line(export_ctx *ec) {
    li_status st = li_buf_append(&ec->line, "\r\n", 2);
    if (st != LI_OK)
        return st;
    if (fwrite(ec->line.data, 1, ec->line.len, ec->f) != ec->line.len) {
        ec->io_failed = 1;
        return LI_EIO;
    }
    li_buf_reset(&ec->line);
    return LI_OK;
}

static li_status export_lead(int64_t id, const li_slice value[LI_FIELD__COUNT],
                             li_slice custom_json, li_slice assignee, void *ctx) {
    (void)id;
    export_ctx *ec = ctx;
    li_status st = LI_OK;
    for (int f = 0; f < LI_FIELD__COUNT && st == LI_OK; f++)
        st = export_field(ec, value[f].ptr, value[f].len, f == 0);
    if (st == LI_OK) /* after "Commercial", the last field: see li_export_csv() */
        st = export_field(ec, assignee.ptr, assignee.len, 0);
    json_t *obj = NULL;
    if (ec->ncustom && custom_json.len > 2)
        obj = json_loadb(custom_json.ptr, custom_json.len, 0, NULL);
    for (size_t k = 0; k < ec->ncustom && st == LI_OK; k++) {
        json_t *v = json_object_get(obj, ec->custom[k]);
        const char *t = json_string_value(v);
        st = export_field(ec, t ? t : "", t ? json_string_length(v) : 0, 0);
    }
    json_decref(obj);
    if (st != LI_OK)
        return st;
    ec->n++;
    return export_line(ec);
}

/*
 * The canonical headers, in field order, then "Assigné à": the e-mail of
 * the user the lead is assigned to, right after the free-text
 * "Commercial"; an import reads it back as the assignment column
 * (li_field_by_header: LI_FIELD_ASSIGNEE). Export and template share them.
 */
static li_status export_headers(export_ctx *ec) {
    li_status st = LI_OK;
    for (int f = 0; f < LI_FIELD__COUNT && st == LI_OK; f++) {
        const char *label = li_field_label((li_field)f);
        st = export_field(ec, label, strlen(label), f == 0);
    }
    const char *assignee = li_field_label(LI_FIELD_ASSIGNEE);
    return st == LI_OK ? export_field(ec, assignee, strlen(assignee), 0) : st;
}

li_status li_export_csv(li_store *s, FILE *out, uint64_t *nleads, li_error *err) {
    li_status st = LI_OK;
    export_ctx ec = {.f = out};
    li_buf_init(&ec.line, 0);
    if ((st = li_store_leads_each(s, collect_custom, &ec, err)) != LI_OK)
        goto out;
    if (fputs(BOM, out) < 0) {
        ec.io_failed = 1;
        goto out;
    }
    st = export_headers(&ec);
    for (size_t k = 0; k < ec.ncustom && st == LI_OK; k++)
        st = export_field(&ec, ec.custom[k], strlen(ec.custom[k]), 0);
    if (st == LI_OK)
        st = export_line(&ec);
    if (st == LI_OK)
        st = li_store_leads_each(s, export_lead, &ec, err);
    if (st == LI_OK && fflush(out) != 0)
        ec.io_failed = 1;
out:
    if (ec.io_failed)
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNWRITABLE, "export", li_msg_errno(errno));
    else if (st == LI_ENOMEM)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (nleads)
        *nleads = ec.n;
    for (size_t k = 0; k < ec.ncustom; k++)
        free(ec.custom[k]);
    li_buf_free(&ec.line);
    return st;
}

li_status li_export_write(li_store *s, const char *path, uint64_t *nleads, li_error *err) {
    li_outfile_guard guard;
    li_outfile *of = NULL;
    li_store_output_guard(s, &guard);
    if (nleads)
        *nleads = 0;
    li_status st = li_outfile_open(path, &guard, &of, err);
    if (st != LI_OK)
        return st;
    if ((st = li_export_csv(s, li_outfile_stream(of), nleads, err)) != LI_OK) {
        int e = errno;
        li_outfile_abort(of); /* the previous file, if any, stays as it was */
        if (st == LI_EIO) /* li_export_csv names no file */
            st = li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_UNWRITABLE, path,
                              li_msg_errno(e));
        return st;
    }
    return li_outfile_commit(of, err);
}

/* --- template ------------------------------------------------------------ */

/*
 * Two example leads: every field filled the way users write them. The
 * template's columns are the export's, "Assigné à" included (the e-mail of
 * a user, read without --assign); the examples leave it empty, since no
 * user of a new database has those e-mails: filled, they would only bring
 * a warning each.
 */
static const char *const template_rows[2][LI_FIELD__COUNT] = {
    {"Jean", "Dupont", "jean.dupont@exemple.fr", "06 12 34 56 78", "Dupont & Fils SARL", "Gérant",
     "12 rue de la République", "69002", "Lyon", "France", "Salon Vivatech", "Rappeler lundi matin",
     "CRM-0001", "Sophie Martin"},
    {"Marie", "Lefèvre", "marie.lefevre@exemple.com", "+33 1 23 45 67 89", "Atelier Lumière",
     "Directrice commerciale", "5 avenue Jean Jaurès", "06000", "Nice", "France", "Site web", "",
     "CRM-0002", ""},
};

li_status li_template_csv(FILE *out, li_error *err) {
    li_status st = LI_OK;
    export_ctx ec = {.f = out};
    li_buf_init(&ec.line, 0);
    if (fputs(BOM, out) < 0) {
        ec.io_failed = 1;
        goto out;
    }
    st = export_headers(&ec);
    if (st == LI_OK)
        st = export_line(&ec);
    for (size_t r = 0; r < 2 && st == LI_OK; r++) {
        for (int f = 0; f < LI_FIELD__COUNT && st == LI_OK; f++)
            st = export_field(&ec, template_rows[r][f], strlen(template_rows[r][f]), f == 0);
        if (st == LI_OK)
            st = export_field(&ec, "", 0, 0); /* Assigné à */
        if (st == LI_OK)
            st = export_line(&ec);
    }
    if (st == LI_OK && fflush(out) != 0)
        ec.io_failed = 1;
out:
    if (ec.io_failed)
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNWRITABLE, "modèle", li_msg_errno(errno));
    else if (st != LI_OK)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li_buf_free(&ec.line);
    return st;
}

li_status li_template_write(const char *path, const char *db_url, li_error *err) {
    li_outfile_guard guard;
    li_outfile *of = NULL;
    char *owned = NULL;
    li_status st = li_store_url_guard(db_url, &guard, &owned, err);
    if (st == LI_OK)
        st = li_outfile_open(path, &guard, &of, err);
    if (st == LI_OK && (st = li_template_csv(li_outfile_stream(of), err)) != LI_OK) {
        int e = errno;
        li_outfile_abort(of);
        if (st == LI_EIO)
            st = li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_UNWRITABLE, path,
                              li_msg_errno(e));
    } else if (st == LI_OK) {
        st = li_outfile_commit(of, err);
    }
    free(owned);
    return st;
}
