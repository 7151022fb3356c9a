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
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/users.h"
#include "leadimport/hash.h"

void li_import_opts_init(li_import_opts *o) {
    memset(o, 0, sizeof *o);
    li_reader_opts_init(&o->reader);
    /* An export re-imports with its assignments unless told otherwise. */
    o->assign = LI_ASSIGN_AUTO;
}

void li__human_size(uint64_t n, char out[32]) {
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
    if (m->col_field[c] != LI_FIELD_NONE && m->col_field[c] != LI_FIELD_OWNER &&
        m->col_field[c] != LI_FIELD_ASSIGNEE)
        st = li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_COLUMN_TAKEN, m->col_name[c],
                          li_field_label(m->col_field[c]));
out:
    li_mapping_free(m);
    li_reader_free(r);
    return st;
}

/*
 * --as EMAIL: the user must exist, be active and be an admin (sales reps
 * own leads; only admins import). *id gets the user's id, 0 without --as.
 */
static li_status importer(li_store *s, const li_import_opts *o, int64_t *id, li_error *err) {
    li_user u;
    int found = 0;
    *id = 0;
    if (!o->as_user)
        return LI_OK;
    li_status st = li_users_find(s, o->as_user, &u, &found, err);
    if (st != LI_OK && st != LI_EUSAGE)
        return st;
    if (st != LI_OK || !found || !u.active)
        return li_error_set(err, LI_EUSAGE, LI_MSG_IMPORTER_UNKNOWN, o->as_user);
    if (strcmp(u.role, "admin") != 0)
        return li_error_set(err, LI_EUSAGE, LI_MSG_IMPORTER_NOT_ADMIN, u.name, u.email);
    *id = u.id;
    return LI_OK;
}

/*
 * The summary's line on the region of national numbers: said whenever
 * sniff says the file decided it (inferred, France included: a Google
 * Contacts export whose country column says France was reported by sniff
 * and not here), or when its signals pointed elsewhere without deciding;
 * silent for --region (the user said it) and for a file that gave no
 * signal at all.
 */
static void region_note(const li_region_guess *g, char *out, size_t cap) {
    out[0] = '\0';
    if (g->source == LI_REGION_INFERRED) {
        const char *name = li_country_name(g->iso);
        li_msg_format(out, cap, LI_MSG_REGION_INFERRED, name ? name : g->iso, g->iso, g->reason);
    } else if (g->source == LI_REGION_DEFAULT && g->reason[0]) {
        li_msg_format(out, cap, LI_MSG_REGION_UNDECIDED, g->reason);
    }
}

/* 1 if s is NULL or valid UTF-8 (the job's options are stored as JSON). */
static int utf8_ok(const char *s) {
    if (!s)
        return 1;
    json_t *j = json_string(s); /* NULL for a string that is not UTF-8 */
    json_decref(j);
    return j != NULL;
}

/*
 * The file's path and every text option are kept in the job as JSON,
 * which holds UTF-8 only: a name in another encoding (a Latin-1 file name)
 * is refused with what to do, not stored mangled (the worker could not
 * find the file again) nor reported as a lack of memory.
 */
static li_status options_utf8(const li_import_opts *o, li_error *err) {
    if (!utf8_ok(o->path) || !utf8_ok(o->file_name))
        return li_error_set(err, LI_EUSAGE, LI_MSG_FILE_NAME_NOT_UTF8, o->path);
    int ok = utf8_ok(o->reader.sheet) && utf8_ok(o->mapping_name) && utf8_ok(o->as_user) &&
             utf8_ok(o->region) && utf8_ok(o->assign_column);
    for (size_t i = 0; ok && i < o->nmap; i++)
        ok = utf8_ok(o->map[i].field) && utf8_ok(o->map[i].column);
    for (size_t i = 0; ok && i < o->nassignees; i++)
        ok = utf8_ok(o->assignees[i]);
    return ok ? LI_OK : li_error_set(err, LI_EUSAGE, LI_MSG_OPTION_NOT_UTF8);
}

typedef struct running_item {
    int live;
    char owner[128];
} running_item;

static li_status note_live(const li_work_item *it, void *ctx) {
    running_item *ri = ctx;
    if (it->live && !ri->live) {
        ri->live = 1;
        snprintf(ri->owner, sizeof ri->owner, "%s", it->owner);
    }
    return LI_OK;
}

/*
 * The one-shot import of a file whose job runs now, in another process (a
 * second run of the same command, or a worker): refused with LI_EBUSY and
 * where it runs ("host:pid:thread" of its lease), instead of waiting for
 * it and then showing its work as this run's. owner may be empty: a run
 * that created the job a moment ago and has not claimed it yet.
 */
static li_status already_running(const li_job_rec *job, const char *owner, li_error *err) {
    char where[300];
    const char *last = strrchr(owner, ':');
    const char *mid = last;
    while (mid && mid > owner && *--mid != ':')
        ;
    if (last && mid && *mid == ':' && mid < last)
        li_msg_format(where, sizeof where, LI_MSG_IMPORT_RUNNING_WHERE, (int)(last - mid - 1),
                      mid + 1, (int)(mid - owner), owner);
    else
        li_msg_format(where, sizeof where, LI_MSG_LOCK_HOLDER_UNKNOWN);
    return li_error_set(err, LI_EBUSY, LI_MSG_IMPORT_RUNNING, (long long)job->id, where,
                        (long long)job->id);
}

/*
 * What li_import_run, li_import_enqueue, li_review_create and an upload
 * (upload.c) share: every check, then the job to run, with a runnable work
 * item: the unfinished job of the same file (resumed), or a new one with
 * its options, its stored file and its mapping. *mout gets the mapping the
 * job uses (the caller frees it). known_sha: the SHA-256 of o->path when
 * the caller hashed it as it wrote it (an upload, already in the blob
 * store under that key), or NULL: the file is hashed here.
 */
static li_status prepare(li_store *s, li_import_opts *o, int keep, int review,
                         const char *known_sha, li_import_result *res, li_mapping **mout,
                         li_error *err) {
    li_status st = LI_OK;
    li_job_rec *job = &res->job;
    li_mapping *m = NULL;
    li_mapping_source src;
    int64_t created_by = 0;
    li_map_override *ov_copy = NULL;
    const li_map_override *ov;
    size_t nov;
    char *resume_json = NULL, *options = NULL, *stored_opts = NULL, *blob = NULL, *abs = NULL;
    char *review_json = NULL;
    int in_tx = 0, in_review = 0;
    char sha[LI_SHA256_HEX] = "";
    int copied = 0; /* a new copy in the blob store, removed if no job keeps it */
    *mout = NULL;

    li__trace("import %s: start", o->path);
    /* A report that would replace the database, a stored file or the file
     * itself is refused before anything is done. */
    if (o->report_path) {
        li_outfile_guard guard;
        li_store_output_guard(s, &guard);
        guard.input = o->path;
        if ((st = li_outfile_check(o->report_path, &guard, err)) != LI_OK)
            return st;
    }
    if ((st = options_utf8(o, err)) != LI_OK || (st = li_import_opts_check(o, err)) != LI_OK)
        return st;
    /* Refuse a file too big, what cannot be read (li_import_mapping opens
     * it), and a wrong --map or --mapping, before anything is written. */
    uint64_t limit = o->max_size ? o->max_size : LI_IMPORT_MAX_SIZE;
    struct stat sb; /* the size alone: no reader (a workbook's would unpack it) */
    uint64_t file_size = stat(o->path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    /* The file as it is now: every reader opened from here on (the probe,
     * the hash, the parse) refuses another one (li_reader_opts.expect). */
    if (file_size)
        li_file_id_of(&sb, &o->reader.expect);
    if (file_size > limit) {
        char have[32], max[32];
        li__human_size(file_size, have);
        li__human_size(limit, max);
        return li_error_set(err, LI_ELIMIT, LI_MSG_FILE_TOO_LARGE, o->path, have, max);
    }
    /* --assign column:HEADER reads the users from the owner field. */
    if (o->assign == LI_ASSIGN_COLUMN && (st = assign_column_check(o, err)) != LI_OK)
        return st;
    if ((st = li__overrides(o, &ov_copy, &ov, &nov, err)) != LI_OK)
        return st;
    li_mapping_request mreq = {.path = o->path,
                               .reader = &o->reader,
                               .map = ov,
                               .nmap = nov,
                               .mapping_name = o->mapping_name,
                               .region = o->region};
    st = li_import_mapping(s, &mreq, &m, &src, err);
    /* A header and nothing under it is a wrong file (an export cut short,
     * the template sent back empty), not an import of zero leads. */
    if (st == LI_OK && src.no_data)
        st = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_NO_DATA, o->path);
    if (st == LI_OK)
        st = li__assign_check(s, o, err);
    if (st == LI_OK)
        st = importer(s, o, &created_by, err);
    if (st != LI_OK)
        goto out;

    li_file_id hashed;
    char why[128];
    li__trace("hash");
    if (known_sha) { /* hashed as it was stored: its identity is the one taken above */
        snprintf(sha, sizeof sha, "%s", known_sha);
        hashed = o->reader.expect;
    } else if (keep && li_file_id_set(&o->reader.expect)) {
        /* A file kept for later is hashed as it is copied into the blob
         * store: read once instead of twice (0.4 s for 188 MiB). */
        sha[0] = '\0';
        if ((st = li__blob_store(s, o->path, sha, &o->reader.expect, &copied, err)) != LI_OK)
            goto out;
        hashed = o->reader.expect;
    } else if ((st = li_sha256_file_id(o->path, sha, &hashed, err)) != LI_OK) {
        goto out;
    }
    if (li_file_id_set(&o->reader.expect) &&
        li_file_id_differs(&o->reader.expect, &hashed, why, sizeof why)) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, o->path, why);
        goto out;
    }
    o->reader.expect = hashed; /* the parse reads exactly these bytes */
    uint64_t size = hashed.size;
    li__trace("hash done");

    int found = 0;
    static const li_job_state done_states[] = {LI_JOB_COMPLETED};
    /* A failed job is resumed too: what failed it (a full disk...) may be gone. */
    static const li_job_state open_states[] = {LI_JOB_UPLOADED,  LI_JOB_QUEUED, LI_JOB_PARSING,
                                               LI_JOB_READY, LI_JOB_IMPORTING, LI_JOB_FAILED};
    const size_t n_open = sizeof open_states / sizeof open_states[0];
    if ((st = li_store_job_find_by_sha(s, sha, done_states, 1, &res->previous, &found, err)) !=
        LI_OK)
        goto out;
    if (found && !o->force) {
        res->refused = 1;
        st = li_error_set(err, LI_EREFUSED, LI_MSG_FILE_ALREADY_IMPORTED,
                          (long long)res->previous.id, res->previous.created_at,
                          res->previous.file_name);
        goto out;
    }
    if ((st = li_store_job_find_by_sha(s, sha, open_states, n_open, job, &found, err)) != LI_OK)
        goto out;
    if (found && !keep) {
        running_item ri = {0};
        if ((st = li_store_work_each(s, job->id, note_live, &ri, err)) != LI_OK)
            goto out;
        if (ri.live) {
            st = already_running(job, ri.owner, err);
            memset(job, 0, sizeof *job); /* its counters are the other run's, not this one's */
            goto out;
        }
    }
    if (found && (st = li_store_review_get(s, job->id, &review_json, err)) != LI_OK)
        goto out;
    in_review = review_json && !li__review_committed(review_json);
    if (found && review && !in_review) {
        /* A job of the same file runs without review: it is not this one's to stop. */
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_FILE_IN_PROGRESS, (long long)job->id,
                          li_job_state_label(job->state), (long long)job->id);
        memset(job, 0, sizeof *job);
        goto out;
    }
    if (found && in_review && !review) {
        /* Resuming it would commit with the analysis's options, not the ones typed. */
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_FILE_IN_REVIEW, (long long)job->id,
                          li_job_state_label(job->state), (long long)job->id, (long long)job->id);
        memset(job, 0, sizeof *job);
        goto out;
    }
    if (found) {
        res->resumed = 1;
        /* The mapping the job started with, whatever was saved since. */
        if ((st = li_store_job_mapping(s, job->id, &resume_json, err)) != LI_OK ||
            (st = li_store_job_files(s, job->id, &stored_opts, &blob, NULL, err)) != LI_OK)
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
        job->state = review ? LI_JOB_UPLOADED : LI_JOB_QUEUED;
        job->phase = LI_PHASE_NONE; /* the path taken sets it: import, or parse then commit */
        job->eta_s = -1;
    }
    /* A queued job keeps a copy of its file (the worker may run another
     * day, the original may move or change); the one-shot path, which
     * reads the file now, keeps only its path: a worker that takes it back
     * checks the file's SHA-256 first. */
    const char *key = blob;
    if (keep && !blob) {
        if ((st = li__blob_store(s, o->path, sha, &hashed, NULL, err)) != LI_OK)
            goto out;
        key = sha;
    }
    abs = realpath(o->path, NULL);
    if (!stored_opts && !(options = li__opts_to_json(o, abs ? abs : o->path, &src.region))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    if (!found && !keep) {
        /* Checked again under the write lock: two runs of one file started
         * together both found no job; the second finds the first's now. */
        li_job_rec other;
        int twin = 0;
        if ((st = li_store_job_find_by_sha(s, sha, open_states, n_open, &other, &twin, err)) != LI_OK)
            goto out;
        if (twin) {
            st = already_running(&other, "", err);
            goto out;
        }
    }
    if (!found) {
        char *mapping_json = li_mapping_to_json(m);
        if (!mapping_json) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        /* The mapping is decided once, here: the worker applies it as is. */
        job->created_by = created_by;
        if ((st = li_store_job_insert(s, job, err)) == LI_OK)
            st = li_store_job_set_mapping(s, job->id, NULL, mapping_json, err);
        free(mapping_json);
        /* The mark that stops its work at "ready" (review.c), with the job. */
        if (st == LI_OK && review)
            st = li_store_review_set(s, job->id, "{}", err);
        if (st != LI_OK)
            goto out;
    }
    if ((options || key != blob) &&
        (st = li_store_job_set_options(s, job->id, options ? options : stored_opts, key, err)) !=
            LI_OK)
        goto out;
    uint64_t pending = 0;
    if ((st = li_store_work_pending(s, job->id, &pending, err)) != LI_OK)
        goto out;
    if (pending == 0 && !review) { /* a job in review waits for li_review_analyse() */
        /* New, failed, or from before the queue: the item that goes on from its phase. */
        int exclusive = 0;
        li_work_kind kind = li__next_kind(job, &exclusive);
        if (!found)
            exclusive = !o->max_invalid.set;
        if (job->state == LI_JOB_FAILED) {
            job->state = LI_JOB_QUEUED;
            job->error[0] = '\0';
            job->finished_at[0] = '\0';
            if ((st = li_store_job_update(s, job, err)) != LI_OK)
                goto out;
        }
        if ((st = li_store_work_add(s, job->id, kind, exclusive, LI_WORK_MAX_ATTEMPTS, 0, err)) !=
            LI_OK)
            goto out;
    }
    if ((st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    for (size_t i = 0; i < m->nwarnings && res->nwarnings < 6; i++)
        snprintf(res->warnings[res->nwarnings++], sizeof res->warnings[0], "%s", m->warnings[i]);
    if (src.warning[0] && res->nwarnings < 6)
        snprintf(res->warnings[res->nwarnings++], sizeof res->warnings[0], "%s", src.warning);
    region_note(&src.region, res->region_note, sizeof res->region_note);
    if (src.skipped_rows > 0)
        li_msg_format(res->header_note, sizeof res->header_note, LI_MSG_READ_PREAMBLE_SKIPPED,
                      (unsigned long long)src.skipped_rows, src.skipped_rows > 1 ? "s" : "",
                      src.skipped_rows > 1 ? "s" : "", (unsigned long long)src.header_row);
    if (src.kind == LI_MAP_REMEMBERED && !resume_json)
        li_msg_format(res->mapping_note, sizeof res->mapping_note, LI_MSG_MAPPING_REMEMBERED,
                      src.saved_at);
    *mout = m;
    m = NULL;
out:
    if (in_tx)
        li_store_rollback(s);
    if (st != LI_OK && copied) {
        int used = 1;
        li_blob_store *bs = NULL;
        if (li_store_blob_shared(s, sha, 0, &used, NULL) == LI_OK && !used &&
            li_blob_store_of(s, &bs, NULL) == LI_OK)
            li_blob_delete(bs, sha, NULL);
        li_blob_store_free(bs);
    }
    free(ov_copy);
    free(resume_json);
    free(options);
    free(stored_opts);
    free(blob);
    free(abs);
    free(review_json);
    li_mapping_free(m);
    return st;
}

/*
 * --region as its ISO code: the option takes a country's name too
 * ("Belgique", li_region_option), but the validator, the job's saved
 * options and the worker read the code. *copy gets o with the code in
 * iso; LI_EUSAGE for a region without a numbering plan.
 */
static li_status region_code(const li_import_opts *o, li_import_opts *copy, char iso[3],
                             li_error *err) {
    *copy = *o;
    if (!o->region)
        return LI_OK;
    li_region_guess g;
    li_status st = li_region_option(o->region, &g, err);
    if (st != LI_OK)
        return st;
    memcpy(iso, g.iso, 3);
    copy->region = iso;
    return LI_OK;
}

li_status li_import_enqueue(li_store *s, const li_import_opts *given, li_import_result *res,
                            li_error *err) {
    li_mapping *m = NULL;
    li_import_opts opts;
    char iso[3];
    li_import_opts *o = &opts;
    memset(res, 0, sizeof *res);
    li_status st = region_code(given, &opts, iso, err);
    if (st != LI_OK)
        return st;
    st = prepare(s, o, 1, 0, NULL, res, &m, err);
    li_mapping_free(m);
    return st;
}

li_status li__import_prepare_review(li_store *s, const li_import_opts *given,
                                    const char *known_sha, li_import_result *res,
                                    li_error *err) {
    li_mapping *m = NULL;
    li_import_opts opts;
    char iso[3];
    memset(res, 0, sizeof *res);
    li_status st = region_code(given, &opts, iso, err);
    if (st != LI_OK)
        return st;
    st = prepare(s, &opts, 1, 1, known_sha, res, &m, err);
    li_mapping_free(m);
    return st;
}

/* err gets the French reason stored with the job, as status st. */
static li_status job_error(li_error *err, li_status st, li_msg msg, const li_job_rec *job) {
    if (err) {
        err->status = st;
        err->msg = msg;
        snprintf(err->message, sizeof err->message, "%s", job->error[0] ? job->error : "?");
    }
    return st;
}

li_status li_import_run(li_store *s, const li_import_opts *given, li_import_result *res,
                        li_error *err) {
    double t0 = li__now();
    li_mapping *m = NULL;
    li__runner r;
    li_import_opts opts;
    char iso[3];
    li_import_opts *o = &opts;
    memset(res, 0, sizeof *res);
    memset(&r, 0, sizeof r);
    li_status st = region_code(given, &opts, iso, err);
    if (st == LI_OK)
        st = prepare(s, o, 0, 0, NULL, res, &m, err);
    if (st != LI_OK)
        goto out;
    /* The job's items, run here as a worker would run them (so that a
     * killed import is taken back by a worker or by running it again). */
    r.s = s;
    li__owner_name(r.owner, 0);
    r.lease_s = LI_WORK_LEASE_S;
    r.one_shot = 1;
    r.stop = o->stop;
    r.overlay = o;
    r.mapping = m;
    r.path = o->path;
    r.mapping_job = res->job.id;
    st = li__run_job(&r, LI_JOB_COMPLETED, res, err);
    res->duration_ms = (uint64_t)((li__now() - t0) * 1000.0);
    li__trace("done");
out:
    li_mapping_free(m);
    return st;
}

li_status li__run_job(li__runner *rr, li_job_state done, li_import_result *res, li_error *err) {
    li__runner r = *rr;
    li_store *s = r.s;
    li_status st = LI_OK;
    const atomic_int *stop = r.stop;
    for (;;) {
        li_work_item it;
        int found = 0;
        if ((st = li_store_work_claim(s, r.owner, res->job.id, r.lease_s, &it, &found, err)) !=
            LI_OK)
            break;
        if (found) {
            if ((st = li__runner_item(&r, &it, err)) != LI_OK)
                break;
            continue;
        }
        li_job_state state;
        uint64_t pending = 0;
        if ((st = li_store_job_state(s, res->job.id, &state, err)) != LI_OK ||
            (st = li_store_work_pending(s, res->job.id, &pending, err)) != LI_OK)
            break;
        if (pending == 0)
            break;
        /* A worker took it meanwhile: it is not this run's to show. */
        running_item ri = {0};
        if ((st = li_store_work_each(s, res->job.id, note_live, &ri, err)) != LI_OK)
            break;
        if (ri.live && strcmp(ri.owner, r.owner) != 0) {
            st = already_running(&res->job, ri.owner, err);
            memset(&res->job, 0, sizeof res->job);
            return st;
        }
        if (stop && atomic_load(stop)) {
            st = li__interrupted(&res->job, atomic_load(stop), err);
            break;
        }
        /* Another job holds the leads (one committer at a time): wait for it. */
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    li_error gone;
    if (li_store_job_get(s, res->job.id, &res->job, st == LI_OK ? err : &gone) != LI_OK &&
        st == LI_OK)
        st = LI_EDB;
    if (st == LI_OK) {
        /* Someone else may have run it: the job says how it ended. */
        const li_job_rec *job = &res->job;
        if (job->state == LI_JOB_REJECTED)
            st = job_error(err, LI_EREFUSED, LI_MSG_TOO_MANY_INVALID, job);
        else if (job->state == LI_JOB_CANCELLED) /* the stored note, with what it kept */
            st = li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_CANCELLED, (long long)job->id,
                              (unsigned long long)job->created, (unsigned long long)job->updated,
                              (long long)job->id);
        else if (job->state != done)
            st = job_error(err, LI_EINTERNAL, LI_MSG_INTERNAL, job);
    }
    return st;
}
