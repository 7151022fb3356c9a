/*
 * import.c — the one-shot import: hash, refusal of a known file, parse
 * stage, then the commit stage (commit.c).
 *
 * Promises:
 *   - every data row of the file ends up in import_rows exactly once, valid
 *     (normalised values) or invalid (original fields and French errors);
 *   - rows are staged in transactions of at most LI_IMPORT_BATCH rows, each
 *     of which also saves the parse checkpoint (source offset and number of
 *     the next row), so an interrupted parse resumes where it stopped and
 *     re-staging a row replaces it instead of doubling it;
 *   - a file whose SHA-256 matches a completed import is refused unless
 *     forced; an unfinished import of the same file is resumed instead of
 *     being started again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobsInt.h"
#include "leadimport/buf.h"
#include "leadimport/hash.h"
#include "leadimport/validate.h"

void li_import_opts_init(li_import_opts *o) {
    memset(o, 0, sizeof *o);
    li_reader_opts_init(&o->reader);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void li__progress_emit(const li_import_opts *o, const li_job_rec *job, uint64_t rows,
                       uint64_t rows_total, double rate) {
    if (!o->progress)
        return;
    li_progress p = {
        .phase = job->phase,
        .rows = rows,
        .rows_total = rows_total,
        .bytes = job->bytes_done,
        .bytes_total = job->bytes_total,
        .rows_per_s = rate,
        .eta_s = (rate > 0 && rows_total >= rows) ? (double)(rows_total - rows) / rate : -1.0,
    };
    o->progress(&p, o->progress_ctx);
}

/* Appends one issue to a JSON array being built in b ('[' already written). */
static li_status issue_json(li_buf *b, int first, li_msg code, li_field field, const char *text) {
    li_status st;
    if ((!first && (st = li_buf_putc(b, ',')) != LI_OK) ||
        (st = li_buf_puts(b, "{\"code\":")) != LI_OK ||
        (st = li_buf_json_str(b, li_msg_code(code), strlen(li_msg_code(code)))) != LI_OK ||
        (st = li_buf_puts(b, li_msg_severity(code) == LI_SEV_ERROR ? ",\"severity\":\"error\""
                                                                   : ",\"severity\":\"warning\"")) !=
            LI_OK)
        return st;
    if (field != LI_FIELD_NONE) {
        const char *key = li_field_key(field);
        if ((st = li_buf_puts(b, ",\"field\":")) != LI_OK ||
            (st = li_buf_json_str(b, key, strlen(key))) != LI_OK)
            return st;
    }
    if ((st = li_buf_puts(b, ",\"message\":")) != LI_OK ||
        (st = li_buf_json_str(b, text, strlen(text))) != LI_OK)
        return st;
    return li_buf_putc(b, '}');
}

static li_status fields_json(li_buf *b, const li_slice *fields, size_t n) {
    li_status st = li_buf_putc(b, '[');
    for (size_t i = 0; i < n && st == LI_OK; i++) {
        if (i && (st = li_buf_putc(b, ',')) != LI_OK)
            break;
        st = li_buf_json_str(b, fields[i].ptr, fields[i].len);
    }
    return st == LI_OK ? li_buf_putc(b, ']') : st;
}

/* Header row and mapping, stored with the job for the report and the review. */
static li_status save_mapping(li_store *s, const li_job_rec *job, const li_slice *header,
                              size_t nheader, const li_mapping *m, li_error *err) {
    li_buf b;
    li_buf_init(&b, 0);
    char *mapping_json = li_mapping_to_json(m);
    li_status st = mapping_json ? LI_OK : LI_ENOMEM;
    if (st == LI_OK && header)
        st = fields_json(&b, header, nheader);
    if (st != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    st = li_store_job_set_mapping(s, job->id, header ? b.data : NULL, mapping_json, err);
out:
    free(mapping_json);
    li_buf_free(&b);
    return st;
}

typedef struct parse_ctx {
    li_buf data;
    li_buf errors;
    li_buf encoded;
} parse_ctx;

/* Turns one row into its staged form and stores it; updates the counters. */
static li_status stage_row(li_store *s, li_job_rec *job, parse_ctx *pc, li_validator *v,
                           const li_row *row, li_error *err) {
    li_status st = LI_OK;
    li_lead lead;
    int reader_error = row->problem != LI_MSG_NONE && li_msg_severity(row->problem) == LI_SEV_ERROR;
    int nissues = 0;
    li_buf_reset(&pc->errors);
    li_buf_reset(&pc->data);
    if ((st = li_buf_putc(&pc->errors, '[')) != LI_OK)
        goto nomem;
    if (row->problem != LI_MSG_NONE) {
        if ((st = issue_json(&pc->errors, 1, row->problem, LI_FIELD_NONE, row->problem_text)) !=
            LI_OK)
            goto nomem;
        nissues++;
    }
    int nerrors = reader_error;
    if (!reader_error) {
        if ((st = li_validate_row(v, row->fields, row->nfields, &lead)) != LI_OK)
            goto nomem;
        for (size_t i = 0; i < lead.nissues; i++, nissues++)
            if ((st = issue_json(&pc->errors, nissues == 0, lead.issues[i].code,
                                 lead.issues[i].field, lead.issues[i].text)) != LI_OK)
                goto nomem;
        nerrors += lead.nerrors;
    }
    if ((st = li_buf_putc(&pc->errors, ']')) != LI_OK)
        goto nomem;

    li_staged_row sr = {.row_no = row->number};
    if (nerrors) {
        if ((st = fields_json(&pc->data, row->fields, row->nfields)) != LI_OK)
            goto nomem;
        sr.status = "invalid";
        sr.data = (li_slice){pc->data.data, pc->data.len};
        job->invalid++;
    } else {
        if ((st = li__row_encode(&pc->encoded, lead.value, lead.custom_json)) != LI_OK)
            goto nomem;
        sr.status = "valid";
        sr.data = (li_slice){pc->encoded.data, pc->encoded.len};
        job->valid++;
        if (nissues)
            job->warnings++;
    }
    if (nissues)
        sr.errors = (li_slice){pc->errors.data, pc->errors.len};
    job->rows++;
    return li_store_row_put(s, job->id, &sr, err);
nomem:
    return li_error_set(err, st, st == LI_ELIMIT ? LI_MSG_INTERNAL : LI_MSG_NO_MEMORY,
                        "ligne trop volumineuse");
}

static void delimiter_name(int d, char out[8]) {
    if (d == '\t')
        snprintf(out, 8, "tab");
    else
        snprintf(out, 8, "%c", d ? d : ',');
}

static int delimiter_from_name(const char *s) {
    if (!s || !*s)
        return 0;
    return strcmp(s, "tab") == 0 ? '\t' : (unsigned char)s[0];
}

static li_status parse_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                             li__meter *meter, li_import_result *res, li_error *err) {
    li_status st = LI_OK;
    li_reader *r = NULL;
    li_mapping *m = NULL;
    li_validator *v = NULL;
    int in_tx = 0;
    parse_ctx pc;
    li_buf_init(&pc.data, 0);
    li_buf_init(&pc.errors, 0);
    li_buf_init(&pc.encoded, 0);

    li_reader_opts ro = o->reader;
    if (job->parse_row > 0) {
        /* Resume with exactly the decisions of the first run. */
        ro.encoding = job->encoding[0] ? job->encoding : ro.encoding;
        ro.delimiter = job->delimiter[0] ? delimiter_from_name(job->delimiter) : ro.delimiter;
        ro.header = job->has_header;
        ro.resume_offset = job->parse_offset;
        ro.resume_row = job->parse_row;
    }
    if ((st = li_reader_open(o->path, &ro, &r, err)) != LI_OK)
        goto out;
    const li_reader_info *info = li_reader_get_info(r);
    snprintf(job->format, sizeof job->format, "%s", info->format);
    snprintf(job->encoding, sizeof job->encoding, "%s", info->encoding);
    delimiter_name(info->delimiter, job->delimiter);
    job->has_header = info->has_header;

    size_t nheader = 0;
    const li_slice *header = li_reader_header(r, &nheader);
    if ((st = li_mapping_new(header, nheader, o->map, o->nmap, &m, err)) != LI_OK)
        goto out;
    for (size_t i = 0; i < m->nwarnings && res->nwarnings < 4; i++)
        snprintf(res->warnings[res->nwarnings++], sizeof res->warnings[0], "%s", m->warnings[i]);
    li_validate_opts vo = {.region = o->region};
    if ((st = li_validator_new(m, &vo, &v, err)) != LI_OK)
        goto out;

    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    if ((st = save_mapping(s, job, header, nheader, m, err)) != LI_OK)
        goto out;
    snprintf(job->status, sizeof job->status, "parsing");
    snprintf(job->phase, sizeof job->phase, "parse");

    const li_row *row;
    uint64_t in_batch = 0;
    double rate = 0;
    for (;;) {
        st = li_reader_next(r, &row, err);
        if (st == LI_EOF)
            break;
        if (st != LI_OK)
            goto out;
        if ((st = stage_row(s, job, &pc, v, row, err)) != LI_OK)
            goto out;
        job->parse_offset = row->next_offset;
        job->parse_row = row->number + 1;
        if (++in_batch < LI_IMPORT_BATCH)
            continue;
        /* Checkpoint: the batch's rows and the resume point, atomically. */
        job->bytes_done = li_reader_position(r);
        rate = li__meter_add(meter, job->rows);
        job->rows_per_s = rate;
        uint64_t est = job->bytes_done ? (uint64_t)((double)job->rows * (double)job->bytes_total /
                                                    (double)job->bytes_done)
                                       : 0;
        job->eta_s = rate > 0 && est > job->rows ? (int64_t)((double)(est - job->rows) / rate) : -1;
        if ((st = li_store_job_update(s, job, err)) != LI_OK ||
            (st = li_store_commit(s, err)) != LI_OK)
            goto out;
        in_tx = 0;
        in_batch = 0;
        if (li__meter_due(meter))
            li__progress_emit(o, job, job->rows, est, rate);
        if ((st = li_store_begin(s, err)) != LI_OK)
            goto out;
        in_tx = 1;
    }
    st = LI_OK;
    job->bytes_done = job->bytes_total;
    snprintf(job->status, sizeof job->status, "ready");
    job->eta_s = 0;
    if ((st = li_store_job_update(s, job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    li__progress_emit(o, job, job->rows, job->rows, li__meter_add(meter, job->rows));
out:
    if (in_tx)
        li_store_rollback(s);
    li_validator_free(v);
    li_mapping_free(m);
    li_reader_free(r);
    li_buf_free(&pc.data);
    li_buf_free(&pc.errors);
    li_buf_free(&pc.encoded);
    return st;
}

/* Marks the job failed with the French reason, outside any transaction. */
static void fail_job(li_store *s, li_job_rec *job, const li_error *why) {
    li_store_rollback(s);
    snprintf(job->status, sizeof job->status, "failed");
    snprintf(job->error, sizeof job->error, "%s", why && why->message[0] ? why->message : "?");
    li_store_now(job->finished_at);
    li_store_job_update(s, job, NULL);
}

li_status li_import_run(li_store *s, const li_import_opts *o, li_import_result *res,
                        li_error *err) {
    li_status st = LI_OK;
    li_job_rec *job = &res->job;
    double t0 = li__now();
    li__meter meter;
    memset(res, 0, sizeof *res);

    /* Refuse what cannot be read before anything is written. */
    li_reader *probe = NULL;
    li_mapping *probe_map = NULL;
    if ((st = li_reader_open(o->path, &o->reader, &probe, err)) != LI_OK)
        return st;
    size_t nheader = 0;
    const li_slice *header = li_reader_header(probe, &nheader);
    st = li_mapping_new(header, nheader, o->map, o->nmap, &probe_map, err);
    li_mapping_free(probe_map);
    li_reader_free(probe);
    if (st != LI_OK)
        return st;

    char sha[LI_SHA256_HEX];
    uint64_t size = 0;
    if ((st = li_sha256_file(o->path, sha, &size, err)) != LI_OK)
        return st;

    int found = 0;
    static const char *const done_statuses[] = {"completed", NULL};
    static const char *const open_statuses[] = {"uploaded", "queued", "parsing", "ready",
                                                "importing", NULL};
    if ((st = li_store_job_find_by_sha(s, sha, done_statuses, &res->previous, &found, err)) !=
        LI_OK)
        return st;
    if (found && !o->force) {
        res->refused = 1;
        return li_error_set(err, LI_EREFUSED, LI_MSG_FILE_ALREADY_IMPORTED,
                            (long long)res->previous.id, res->previous.created_at,
                            res->previous.file_name);
    }
    if ((st = li_store_job_find_by_sha(s, sha, open_statuses, job, &found, err)) != LI_OK)
        return st;
    if (found) {
        res->resumed = 1;
    } else {
        memset(job, 0, sizeof *job);
        snprintf(job->file_name, sizeof job->file_name, "%s",
                 o->file_name ? o->file_name : base_name(o->path));
        job->file_size = size;
        job->bytes_total = size;
        snprintf(job->file_sha256, sizeof job->file_sha256, "%s", sha);
        snprintf(job->status, sizeof job->status, "queued");
        snprintf(job->phase, sizeof job->phase, "parse");
        job->eta_s = -1;
        if ((st = li_store_job_insert(s, job, err)) != LI_OK)
            return st;
    }
    if (!job->started_at[0])
        li_store_now(job->started_at);

    if (strcmp(job->status, "importing") != 0 && strcmp(job->status, "ready") != 0) {
        li__meter_start(&meter);
        if ((st = parse_stage(s, job, o, &meter, res, err)) != LI_OK)
            goto fail;
    }
    li__meter_start(&meter);
    if ((st = li__commit_stage(s, job, o, &meter, err)) != LI_OK)
        goto fail;
    res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
    return LI_OK;
fail:
    fail_job(s, job, err);
    res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
    return st;
}
