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
#include "leadimport/hash.h"

void li_import_opts_init(li_import_opts *o) {
    memset(o, 0, sizeof *o);
    li_reader_opts_init(&o->reader);
}

/* 1536 -> "1,5 Kio": sizes as a French user reads them. */
static void human_size(uint64_t n, char out[32]) {
    static const char *const unit[] = {"octets", "Kio", "Mio", "Gio", "Tio"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%llu octets", (unsigned long long)n);
    else
        snprintf(out, 32, "%.1f %s", v, unit[u]);
    char *dot = strchr(out, '.');
    if (dot)
        *dot = ',';
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

static int over_limit(const li_reject_limit *l, const li_job_rec *job) {
    if (!l->set)
        return 0;
    if (l->percent)
        return (double)job->invalid * 100.0 > l->value * (double)job->rows;
    return (double)job->invalid > l->value;
}

/* Too many invalid rows: the job ends "rejected", nothing was committed. */
static li_status reject(li_store *s, li_job_rec *job, const li_reject_limit *l, li_error *err) {
    char limit[32], share[32];
    if (l->percent)
        snprintf(limit, sizeof limit, "%g %%", l->value);
    else
        snprintf(limit, sizeof limit, "%.0f ligne%s", l->value, l->value > 1 ? "s" : "");
    snprintf(share, sizeof share, "%.1f",
             job->rows ? (double)job->invalid * 100.0 / (double)job->rows : 0.0);
    char *dot = strchr(share, '.');
    if (dot)
        *dot = ','; /* French decimal comma */
    li_error_set(err, LI_EREFUSED, LI_MSG_TOO_MANY_INVALID, (unsigned long long)job->invalid,
                 (unsigned long long)job->rows, share, limit);
    snprintf(job->status, sizeof job->status, "rejected");
    snprintf(job->error, sizeof job->error, "%s", err ? err->message : "");
    li_store_now(job->finished_at);
    li_error ignored;
    li_store_job_update(s, job, &ignored);
    return LI_EREFUSED;
}

/* Marks the job failed with the French reason, outside any transaction. */
static void fail_job(li_store *s, li_job_rec *job, const li_error *why) {
    li_store_rollback(s);
    li_store_lead_key_indexes(s, 1, NULL); /* a bulk commit may have dropped them */
    snprintf(job->status, sizeof job->status, "failed");
    snprintf(job->error, sizeof job->error, "%s", why && why->message[0] ? why->message : "?");
    li_store_now(job->finished_at);
    li_store_job_update(s, job, NULL);
}

/*
 * --assign column:HEADER: the column must be in the file and feed no other
 * field ("Commercial" is the owner anyway; the e-mail column is not a
 * list of sales reps).
 */
static li_status assign_column_check(const li_import_opts *o, li_error *err) {
    li_reader *r = NULL;
    li_mapping *m = NULL;
    const char *col = o->assign_column ? o->assign_column : "";
    li_status st = li_reader_open(o->path, &o->reader, &r, err);
    if (st != LI_OK)
        return st;
    size_t n = 0;
    const li_slice *header = li_reader_header(r, &n);
    if ((st = li_mapping_new(header, header ? n : li_reader_get_info(r)->columns, o->map, o->nmap,
                             &m, err)) != LI_OK)
        goto out;
    li_map_override probe = {"owner", col};
    li_mapping *with = NULL;
    if (li_mapping_new(header, m->ncols, &probe, 1, &with, NULL) != LI_OK || !col[0]) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_COLUMN_UNKNOWN, col);
        goto out;
    }
    int c = with->field_col[LI_FIELD_OWNER];
    li_mapping_free(with);
    if (m->col_field[c] != LI_FIELD_NONE && m->col_field[c] != LI_FIELD_OWNER)
        st = li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_COLUMN_TAKEN, m->col_name[c],
                          li_field_label(m->col_field[c]));
out:
    li_mapping_free(m);
    li_reader_free(r);
    return st;
}

li_status li_import_run(li_store *s, const li_import_opts *o, li_import_result *res,
                        li_error *err) {
    li_status st = LI_OK;
    li_job_rec *job = &res->job;
    double t0 = li__now();
    li__meter meter;
    memset(res, 0, sizeof *res);

    li__trace("import %s: start", o->path);
    /* Refuse what cannot be read, and a wrong --map or --mapping, before
     * anything is written. */
    li_reader *probe = NULL;
    li_mapping *m = NULL;
    li_mapping_source src;
    char *resume_json = NULL;
    if ((st = li_reader_open(o->path, &o->reader, &probe, err)) != LI_OK)
        return st;
    uint64_t limit = o->max_size ? o->max_size : LI_IMPORT_MAX_SIZE;
    uint64_t file_size = li_reader_get_info(probe)->size;
    li_reader_free(probe);
    if (file_size > limit) {
        char have[32], max[32];
        human_size(file_size, have);
        human_size(limit, max);
        return li_error_set(err, LI_ELIMIT, LI_MSG_FILE_TOO_LARGE, o->path, have, max);
    }
    /* --assign column:HEADER reads the users from the owner field. */
    li_map_override *ov = NULL;
    size_t nov = o->nmap;
    if (o->assign == LI_ASSIGN_COLUMN) {
        if ((st = assign_column_check(o, err)) != LI_OK)
            return st;
        if (!(ov = malloc((o->nmap + 1) * sizeof *ov)))
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        if (o->nmap)
            memcpy(ov, o->map, o->nmap * sizeof *ov);
        ov[nov++] = (li_map_override){"owner", o->assign_column};
    }
    li_mapping_request mreq = {.path = o->path,
                               .reader = &o->reader,
                               .map = ov ? ov : o->map,
                               .nmap = nov,
                               .mapping_name = o->mapping_name};
    st = li_import_mapping(s, &mreq, &m, &src, err);
    if (st == LI_OK)
        st = li__assign_check(s, o, err);
    if (st != LI_OK)
        goto out;

    char sha[LI_SHA256_HEX];
    uint64_t size = 0;
    li__trace("hash");
    if ((st = li_sha256_file(o->path, sha, &size, err)) != LI_OK)
        goto out;
    li__trace("hash done");

    int found = 0;
    static const char *const done_statuses[] = {"completed", NULL};
    /* A failed job is resumed too: what failed it (a full disk...) may be gone. */
    static const char *const open_statuses[] = {"uploaded",  "queued", "parsing", "ready",
                                                "importing", "failed", NULL};
    if ((st = li_store_job_find_by_sha(s, sha, done_statuses, &res->previous, &found, err)) !=
        LI_OK)
        goto out;
    if (found && !o->force) {
        res->refused = 1;
        st = li_error_set(err, LI_EREFUSED, LI_MSG_FILE_ALREADY_IMPORTED,
                          (long long)res->previous.id, res->previous.created_at,
                          res->previous.file_name);
        goto out;
    }
    if ((st = li_store_job_find_by_sha(s, sha, open_statuses, job, &found, err)) != LI_OK)
        goto out;
    if (found) {
        res->resumed = 1;
        /* The mapping the job started with, whatever was saved since. */
        if ((st = li_store_job_mapping(s, job->id, &resume_json, err)) != LI_OK)
            goto out;
        if (resume_json) {
            li_mapping_free(m);
            m = NULL;
            mreq.resume_json = resume_json;
            if ((st = li_import_mapping(s, &mreq, &m, &src, err)) != LI_OK)
                goto out;
        }
    } else {
        memset(job, 0, sizeof *job);
        snprintf(job->file_name, sizeof job->file_name, "%s",
                 o->file_name ? o->file_name : base_name(o->path));
        job->file_size = size;
        job->bytes_total = size;
        snprintf(job->file_sha256, sizeof job->file_sha256, "%s", sha);
        snprintf(job->status, sizeof job->status, "queued");
        job->phase[0] = '\0'; /* the path taken sets it: "import", or "parse" then "commit" */
        job->eta_s = -1;
        if ((st = li_store_job_insert(s, job, err)) != LI_OK)
            goto out;
    }
    for (size_t i = 0; i < m->nwarnings && res->nwarnings < 6; i++)
        snprintf(res->warnings[res->nwarnings++], sizeof res->warnings[0], "%s", m->warnings[i]);
    if (src.warning[0] && res->nwarnings < 6)
        snprintf(res->warnings[res->nwarnings++], sizeof res->warnings[0], "%s", src.warning);
    if (src.kind == LI_MAP_REMEMBERED && !resume_json)
        li_msg_format(res->mapping_note, sizeof res->mapping_note, LI_MSG_MAPPING_REMEMBERED,
                      src.saved_at);
    if (!job->started_at[0])
        li_store_now(job->started_at);

    li__meter_start(&meter);
    int staged = strcmp(job->status, "ready") == 0 || strcmp(job->phase, "commit") == 0;
    if (staged || strcmp(job->phase, "parse") == 0 || o->max_invalid.set) {
        /* Two stages: every row is staged first (a reject limit is checked
         * on the whole file before anything is committed), then committed. */
        if (!staged && (st = li__parse_stage(s, job, o, m, NULL, &meter, err)) != LI_OK)
            goto fail;
        if (strcmp(job->phase, "commit") != 0 && over_limit(&o->max_invalid, job)) {
            st = reject(s, job, &o->max_invalid, err);
            res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
            goto out;
        }
        li__meter_start(&meter);
        if ((st = li__commit_stage(s, job, o, &meter, err)) != LI_OK)
            goto fail;
    } else {
        /* One pass: each batch is staged and committed in one transaction.
         * The key set is sized from the file: about one row per 200 bytes. */
        li__committer c;
        li__trace("key set");
        if ((st = li__committer_open(&c, s, job, o, job->bytes_total / 200 + 1024, err)) != LI_OK ||
            (st = li__assign_setup(&c, s, o, err)) != LI_OK) {
            li__committer_free(&c);
            goto fail;
        }
        li__trace("parse + commit (bulk=%d)", c.bulk);
        st = li__parse_stage(s, job, o, m, &c, &meter, err);
        li__committer_free(&c);
        if (st != LI_OK)
            goto fail;
    }
    res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
    if (m->has_header && !o->no_remember && strcmp(job->status, "completed") == 0) {
        /* Proposed again to the next file with these headers. Best effort:
         * the leads are in, a failure here must not fail the import. */
        li_error ignored;
        li_mapping_save_as(s, NULL, m, &ignored);
    }
    li__trace("done");
    goto out;
fail:
    fail_job(s, job, err);
    res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
out:
    free(ov);
    free(resume_json);
    li_mapping_free(m);
    return st;
}
