/*
 * queue.c — what a queued job keeps, and what people do to jobs.
 *
 * A job run by a worker in another process needs everything the command
 * line knew: the file (copied beside the database under its SHA-256, so
 * that moving or editing the original cannot change an import half done)
 * and the options (saved as JSON with the job). This file writes and reads
 * both, and implements cancel, retry, delete and cleanup on top of the
 * store's queue functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "jobsInt.h"
#include "leadimport/infile.h"
#include "leadimport/review.h"

/* --- options as JSON ------------------------------------------------------------ */

static const char *const dup_names[] = {"skip", "update", "create"};
static const char *const assign_names[] = {"none", "single", "round-robin", "column", "auto"};

static int set_str(json_t *obj, const char *key, const char *v) {
    return v ? json_object_set_new(obj, key, json_string(v)) : 0;
}

char *li__opts_to_json(const li_import_opts *o, const char *source_path,
                       const li_region_guess *region) {
    json_t *root = json_object(), *reader = json_object(), *map = json_array(),
           *match = json_array(), *assignees = json_array();
    char *out = NULL;
    int bad = !root || !reader || !map || !match || !assignees;
    if (bad)
        goto out;
    const li_reader_opts *ro = &o->reader;
    bad |= set_str(reader, "format", ro->format);
    bad |= set_str(reader, "encoding", ro->encoding);
    bad |= json_object_set_new(reader, "delimiter", json_integer(ro->delimiter));
    bad |= json_object_set_new(reader, "header", json_integer(ro->header));
    bad |= json_object_set_new(reader, "max_field", json_integer((json_int_t)ro->max_field));
    bad |= json_object_set_new(reader, "max_row", json_integer((json_int_t)ro->max_row));
    bad |= json_object_set_new(reader, "max_columns", json_integer((json_int_t)ro->max_columns));
    bad |= set_str(reader, "sheet", ro->sheet);
    bad |= json_object_set_new(reader, "max_inflated", json_integer((json_int_t)ro->max_inflated));
    for (size_t i = 0; i < o->nmap; i++)
        bad |= json_array_append_new(map, json_pack("[ss]", o->map[i].field, o->map[i].column));
    for (size_t i = 0; i < o->nmatch && i < 3; i++)
        bad |= json_array_append_new(match, json_string(li_field_key(o->match[i])));
    for (size_t i = 0; i < o->nassignees; i++)
        bad |= json_array_append_new(assignees, json_string(o->assignees[i]));
    bad |= json_object_set_new(root, "version", json_integer(1));
    bad |= set_str(root, "file_name", o->file_name);
    bad |= set_str(root, "source_path", source_path);
    bad |= json_object_set(root, "reader", reader);
    bad |= json_object_set(root, "map", map);
    bad |= set_str(root, "mapping_name", o->mapping_name);
    bad |= json_object_set_new(root, "no_remember", json_boolean(o->no_remember));
    if (!o->region && region && region->source == LI_REGION_INFERRED) {
        bad |= set_str(root, "region", region->iso);
        bad |= set_str(root, "region_source", li_region_source_key(region->source));
        bad |= set_str(root, "region_reason", region->reason);
    } else {
        bad |= set_str(root, "region", o->region);
    }
    bad |= json_object_set(root, "match", match);
    bad |= json_object_set_new(root, "on_duplicate", json_string(dup_names[o->on_duplicate]));
    bad |= json_object_set_new(root, "overwrite", json_boolean(o->overwrite));
    bad |= json_object_set_new(root, "reassign", json_boolean(o->reassign));
    bad |= json_object_set_new(root, "assign", json_string(assign_names[o->assign]));
    bad |= json_object_set(root, "assignees", assignees);
    bad |= set_str(root, "assign_column", o->assign_column);
    bad |= json_object_set_new(root, "max_size", json_integer((json_int_t)o->max_size));
    if (o->max_invalid.set)
        bad |= json_object_set_new(root, "max_invalid",
                                   json_pack("{sbsf}", "percent", o->max_invalid.percent, "value",
                                             o->max_invalid.value));
    if (!bad)
        out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
    json_decref(reader);
    json_decref(map);
    json_decref(match);
    json_decref(assignees);
    json_decref(root);
    return out;
}

/* The string at key, or NULL (absent, null, not a string). */
static const char *get_str(json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

static int index_of(const char *const *names, size_t n, const char *v) {
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(names[i], v) == 0)
            return (int)i;
    return -1;
}

li_status li__opts_from_json(const char *text, li_import_opts *o, li__opts_hold *hold) {
    memset(hold, 0, sizeof *hold);
    li_import_opts_init(o);
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    hold->root = root;
    if (!json_is_object(root))
        return LI_EFORMAT;
    json_t *reader = json_object_get(root, "reader");
    li_reader_opts *ro = &o->reader;
    ro->format = get_str(reader, "format");
    ro->encoding = get_str(reader, "encoding");
    ro->delimiter = (int)json_integer_value(json_object_get(reader, "delimiter"));
    ro->header = json_is_integer(json_object_get(reader, "header"))
                     ? (int)json_integer_value(json_object_get(reader, "header"))
                     : -1;
    ro->max_field = (size_t)json_integer_value(json_object_get(reader, "max_field"));
    ro->max_row = (size_t)json_integer_value(json_object_get(reader, "max_row"));
    ro->max_columns = (size_t)json_integer_value(json_object_get(reader, "max_columns"));
    ro->sheet = get_str(reader, "sheet");
    ro->max_inflated = (uint64_t)json_integer_value(json_object_get(reader, "max_inflated"));
    o->file_name = get_str(root, "file_name");
    hold->source_path = get_str(root, "source_path");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, "map"), i, v) {
        const char *f = json_string_value(json_array_get(v, 0));
        const char *c = json_string_value(json_array_get(v, 1));
        if (!f || !c || o->nmap == sizeof hold->map / sizeof hold->map[0])
            return LI_EFORMAT;
        hold->map[o->nmap++] = (li_map_override){f, c};
    }
    o->map = o->nmap ? hold->map : NULL;
    o->mapping_name = get_str(root, "mapping_name");
    o->no_remember = json_is_true(json_object_get(root, "no_remember"));
    o->region = get_str(root, "region");
    json_array_foreach(json_object_get(root, "match"), i, v) {
        li_field f = li_field_by_key(json_string_value(v) ? json_string_value(v) : "");
        if (f == LI_FIELD_NONE || o->nmatch == 3)
            return LI_EFORMAT;
        o->match[o->nmatch++] = f;
    }
    int dup = index_of(dup_names, 3, get_str(root, "on_duplicate"));
    int assign = index_of(assign_names, 5, get_str(root, "assign"));
    if (dup < 0 || assign < 0)
        return LI_EFORMAT;
    o->on_duplicate = (li_dup_strategy)dup;
    o->assign = (li_assign_mode)assign;
    o->overwrite = json_is_true(json_object_get(root, "overwrite"));
    o->reassign = json_is_true(json_object_get(root, "reassign"));
    json_array_foreach(json_object_get(root, "assignees"), i, v) {
        if (!json_string_value(v) || o->nassignees == LI_IMPORT_MAX_ASSIGNEES)
            return LI_EFORMAT;
        o->assignees[o->nassignees++] = json_string_value(v);
    }
    o->assign_column = get_str(root, "assign_column");
    o->max_size = (uint64_t)json_integer_value(json_object_get(root, "max_size"));
    json_t *mi = json_object_get(root, "max_invalid");
    if (json_is_object(mi)) {
        o->max_invalid.set = 1;
        o->max_invalid.percent = json_is_true(json_object_get(mi, "percent"));
        o->max_invalid.value = json_number_value(json_object_get(mi, "value"));
    }
    return LI_OK;
}

void li__opts_hold_free(li__opts_hold *hold) {
    if (hold) {
        json_decref(hold->root);
        hold->root = NULL;
    }
}

li_status li__overrides(const li_import_opts *o, li_map_override **out, const li_map_override **ov,
                        size_t *nov, li_error *err) {
    *out = NULL;
    *ov = o->map;
    *nov = o->nmap;
    if (o->assign != LI_ASSIGN_COLUMN)
        return LI_OK;
    if (!(*out = malloc((o->nmap + 1) * sizeof **out)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (o->nmap)
        memcpy(*out, o->map, o->nmap * sizeof **out);
    (*out)[o->nmap] = (li_map_override){"owner", o->assign_column ? o->assign_column : ""};
    *ov = *out;
    *nov = o->nmap + 1;
    return LI_OK;
}

/* --- the stored files ----------------------------------------------------------- */

char *li__blob_path(li_store *s, const char *key) {
    const char *dir = li_store_file_dir(s);
    size_t n = strlen(dir) + strlen(key) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, key);
    return p;
}

/* mkdir -p of the store's folder and its reports folder. Private (0700): leads are personal data. */
li_status li__store_dirs(li_store *s, li_error *err) {
    const char *dir = li_store_file_dir(s);
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/reports", dir);
    if (li_outfile_mkdir_private(dir) != 0 || li_outfile_mkdir_private(sub) != 0)
        return li_error_set(err, LI_EIO, LI_MSG_FILE_STORE_FAILED, dir, li_msg_errno(errno));
    return LI_OK;
}

/* Copies in to out (both open), the kernel doing it when it can. */
static int copy_fd(int in, int out) {
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return -1;
        break; /* not supported here: plain reads and writes */
    }
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            done += w;
        }
    }
}

/*
 * Copies the open file in to dst, written aside ("dst.part-PID", created
 * O_EXCL | O_NOFOLLOW, 0600 whatever the umask) and renamed: a copy cut
 * short never has the final name. 0, or -1 with errno.
 */
static int copy_aside(int in, const char *dst) {
    size_t n = strlen(dst) + 32;
    char *part = malloc(n);
    int rc = -1, e = ENOMEM;
    if (!part)
        goto out;
    snprintf(part, n, "%s.part-%ld", dst, (long)getpid());
    unlink(part); /* left by a killed process of the same pid */
    int out = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        e = errno;
        goto out;
    }
    if (fchmod(out, 0600) != 0 || copy_fd(in, out) != 0) {
        e = errno;
        close(out);
    } else if (close(out) != 0 || rename(part, dst) != 0) {
        e = errno;
    } else {
        rc = 0;
    }
    if (rc != 0)
        unlink(part);
out:
    free(part);
    if (rc != 0)
        errno = e;
    return rc;
}

char *li__blob_find(li_store *s, const char *key) {
    char *own = li__blob_path(s, key);
    struct stat sb;
    if (!own || lstat(own, &sb) == 0)
        return own;
    /* Stored by an older version in the folder that every database of this
     * one's folder shared: named by the file's SHA-256, so its content is the
     * same whichever database stored it. Linked, not moved (another database
     * may need it too): deleting this job later removes only its link. */
    const char *legacy = li_store_legacy_file_dir(s);
    size_t n = strlen(legacy) + strlen(key) + 2;
    char *old = malloc(n);
    if (old) {
        snprintf(old, n, "%s/%s", legacy, key);
        if (lstat(old, &sb) == 0 && S_ISREG(sb.st_mode) && li__store_dirs(s, NULL) == LI_OK &&
            link(old, own) != 0 && errno != EEXIST) {
            int in = open(old, O_RDONLY | O_NOFOLLOW | O_CLOEXEC); /* no hard links here: a copy */
            if (in >= 0) {
                copy_aside(in, own); /* on failure the job says its file is missing */
                close(in);
            }
        }
    }
    free(old);
    return own;
}

li_status li__blob_store(li_store *s, const char *path, const char *sha, const li_file_id *id,
                         li_error *err) {
    li_status st = li__store_dirs(s, err);
    char *dst = NULL;
    int in = -1;
    if (st != LI_OK)
        return st;
    if (!(dst = li__blob_path(s, sha))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    struct stat sb;
    if (stat(dst, &sb) == 0 && (uint64_t)sb.st_size == id->size)
        goto out; /* named by its hash: the same content */
    if ((st = li_infile_open(path, &in, &sb, err)) != LI_OK)
        goto out; /* only a regular file is copied: a FIFO would be waited on */
    /* The copy must hold the bytes hashed: the file must be the one hashed
     * before the copy and still be it after (a copy still being written,
     * a file replaced in between would store other bytes under the hash). */
    char why[128];
    li_file_id now;
    li_file_id_of(&sb, &now);
    if (li_file_id_differs(id, &now, why, sizeof why)) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
        goto out;
    }
    if (copy_aside(in, dst) != 0) {
        int e = errno;
        st = li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_STORE_FAILED,
                          li_store_file_dir(s), li_msg_errno(e));
        goto out;
    }
    if (fstat(in, &sb) != 0)
        memset(&now, 0, sizeof now);
    else
        li_file_id_of(&sb, &now);
    if (li_file_id_differs(id, &now, why, sizeof why)) {
        unlink(dst);
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
    }
out:
    if (in >= 0)
        close(in);
    free(dst);
    return st;
}

char *li_report_stored_path(li_store *s, int64_t job_id) {
    char key[64];
    snprintf(key, sizeof key, "reports/%lld.erreurs.csv", (long long)job_id);
    return li__blob_path(s, key);
}

/* --- jobs and their items ---------------------------------------------------------- */

li_work_kind li__next_kind(const li_job_rec *job, int *exclusive) {
    /* A staged job (or one in its commit) goes on committing; any other
     * parses, and parsing writes leads except in the two-stage shape. */
    if (job->state == LI_JOB_READY || job->phase == LI_PHASE_COMMIT) {
        *exclusive = 1;
        return LI_WORK_COMMIT;
    }
    *exclusive = job->phase != LI_PHASE_PARSE;
    return LI_WORK_PARSE;
}

void li__owner_name(char out[128], int n) {
    char host[96];
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, 128, "%s:%ld:%d", host, (long)getpid(), n);
}

li_status li_job_cancel(li_store *s, int64_t id, li_job_rec *job, li_error *err) {
    /* Under the write lock: a worker's batch either committed before (its
     * counters are read here) or will see the status and roll back. */
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    if ((st = li_store_job_get(s, id, job, err)) != LI_OK)
        goto out;
    if (!li_job_state_open(job->state)) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_CANCEL_REFUSED, (long long)id,
                          li_job_state_label(job->state));
        goto out;
    }
    li_error why;
    li_error_set(&why, LI_ECANCELLED, LI_MSG_JOB_CANCELLED, (long long)id,
                 (unsigned long long)job->created, (unsigned long long)job->updated,
                 (long long)id);
    job->state = LI_JOB_CANCELLED;
    snprintf(job->error, sizeof job->error, "%s", why.message);
    job->eta_s = -1;
    li_store_now(job->finished_at);
    if ((st = li_store_job_update(s, job, err)) != LI_OK ||
        (st = li_store_work_cancel_job(s, id, err)) != LI_OK)
        goto out;
    st = li_store_commit(s, err);
out:
    if (st != LI_OK)
        li_store_rollback(s);
    return st;
}

li_status li_job_retry(li_store *s, int64_t id, li_job_rec *job, li_error *err) {
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    if ((st = li_store_job_get(s, id, job, err)) != LI_OK)
        goto out;
    if (job->state != LI_JOB_FAILED && job->state != LI_JOB_CANCELLED) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_RETRY_REFUSED, (long long)id,
                          li_job_state_label(job->state));
        goto out;
    }
    int exclusive = 0;
    li_work_kind kind = li__next_kind(job, &exclusive);
    job->state = LI_JOB_QUEUED;
    job->error[0] = '\0';
    job->finished_at[0] = '\0';
    job->eta_s = -1;
    if ((st = li_store_job_update(s, job, err)) != LI_OK ||
        (st = li_store_work_add(s, id, kind, exclusive, LI_WORK_MAX_ATTEMPTS, 0, err)) != LI_OK)
        goto out;
    st = li_store_commit(s, err);
out:
    if (st != LI_OK)
        li_store_rollback(s);
    return st;
}

/* Removes a stored file; a file already gone is fine. */
static void remove_key(li_store *s, const char *key) {
    char *p = key ? li__blob_path(s, key) : NULL;
    if (p)
        unlink(p);
    free(p);
}

li_status li_job_delete(li_store *s, int64_t id, li_error *err) {
    li_job_rec job;
    char *blob = NULL, *report = NULL;
    int found = 0, shared = 0;
    li_status st = li_store_job_get(s, id, &job, err);
    if (st != LI_OK)
        return st;
    /* A job that may be running is cancelled first: its worker then stops
     * cleanly instead of writing into a job that is gone. */
    if (li_job_state_open(job.state)) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_DELETE_REFUSED, (long long)id,
                          (long long)id);
        goto out;
    }
    if ((st = li_store_job_files(s, id, NULL, &blob, &report, err)) != LI_OK ||
        (blob && (st = li_store_blob_shared(s, blob, id, &shared, err)) != LI_OK) ||
        (st = li_store_job_delete(s, id, &found, err)) != LI_OK)
        goto out;
    /* Files after the rows: a crash in between leaves a file, never a job without one. */
    if (!shared)
        remove_key(s, blob);
    remove_key(s, report);
    char *rp = li_report_stored_path(s, id);
    if (rp)
        unlink(rp);
    free(rp);
out:
    free(blob);
    free(report);
    return st;
}

/* now - secs, in the store's time format (which orders like time). */
static void stamp_ago(double secs, char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = tv.tv_sec - (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

typedef struct cleanup_ctx {
    char jobs_before[32], rows_before[32];
    int rows;
    int64_t *del, *drop;
    size_t ndel, ndrop, cap;
    li_status st;
} cleanup_ctx;

static li_status cleanup_pick(const li_job_rec *job, void *arg) {
    cleanup_ctx *c = arg;
    if (c->ndel == c->cap || c->ndrop == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        int64_t *d = realloc(c->del, cap * sizeof *d);
        if (d)
            c->del = d;
        int64_t *r = d ? realloc(c->drop, cap * sizeof *r) : NULL;
        if (!d || !r)
            return LI_ENOMEM;
        c->drop = r;
        c->cap = cap;
    }
    if (li_job_state_open(job->state))
        return LI_OK; /* never a job that may be running */
    if (strcmp(job->created_at, c->jobs_before) < 0)
        c->del[c->ndel++] = job->id;
    else if (c->rows && job->state == LI_JOB_COMPLETED && job->finished_at[0] &&
             strcmp(job->finished_at, c->rows_before) < 0 && job->rows > 0)
        c->drop[c->ndrop++] = job->id;
    return LI_OK;
}

li_status li_cleanup(li_store *s, const li_cleanup_opts *o, li_cleanup_result *res,
                     li_error *err) {
    cleanup_ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    stamp_ago(o->older_than_s, c.jobs_before);
    c.rows = o->rows_older_than_s > 0;
    if (c.rows)
        stamp_ago(o->rows_older_than_s, c.rows_before);
    li_status st = li_store_jobs_each(s, NULL, cleanup_pick, &c, err);
    if (st == LI_ENOMEM)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (size_t i = 0; st == LI_OK && i < c.ndel; i++) {
        if (!o->dry_run && (st = li_job_delete(s, c.del[i], err)) != LI_OK)
            break;
        res->jobs_deleted++;
    }
    for (size_t i = 0; st == LI_OK && i < c.ndrop; i++) {
        uint64_t n = 0;
        if (!o->dry_run && (st = li_store_job_rows_delete(s, c.drop[i], &n, err)) != LI_OK)
            break;
        /* A job whose rows went at an earlier cleanup is not counted again. */
        res->rows_jobs += o->dry_run || n > 0;
        res->rows_dropped += n;
    }
    free(c.del);
    free(c.drop);
    /* Jobs left in review: cancelled (7 days by default), their rows and file removed. */
    if (st == LI_OK && o->review_older_than_s >= 0)
        st = li__review_cleanup(s, o->review_older_than_s > 0 ? o->review_older_than_s
                                                               : LI_REVIEW_MAX_AGE_S,
                                o->dry_run, &res->reviews_cancelled, err);
    return st;
}
