/*
 * review.c — the review step: a job created for review (state uploaded),
 * analysed (staged, state ready, with its counts and predictions), looked
 * at (review, rows), then committed with options chosen then.
 *
 * The job goes through the same work items as any import (parse, commit):
 * the mark in import_reviews only makes its parse item stop at "ready"
 * (worker.c asks li__review_pending()), so cancel, retry, delete, revert,
 * report and the resumption of a killed analysis or commit are the queue's.
 *
 * Predictions: review_predict.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/review.h"

static const char *const strategy_names[3] = {"skip", "update", "create"};
static const char *const assign_names[] = {"none", "single", "round-robin", "column", "auto"};

static double ms_since(double t0) {
    return (li__now() - t0) * 1000.0;
}

/* --- the stored review ---------------------------------------------------------- */

int li__review_committed(const char *review_json) {
    json_t *j = review_json ? json_loads(review_json, 0, NULL) : NULL;
    int c = json_is_true(json_object_get(j, "committed"));
    json_decref(j);
    return c;
}

li_status li__review_pending(li_store *s, int64_t job_id, int *pending, li_error *err) {
    char *json = NULL;
    li_status st = li_store_review_get(s, job_id, &json, err);
    *pending = st == LI_OK && json && !li__review_committed(json);
    free(json);
    return st;
}

/* The review's JSON (a new reference), or NULL without memory. */
static json_t *review_to_json(const li_review *r) {
    json_t *j = json_object(), *match = json_array(), *who = json_array(), *pred = json_object();
    int bad = !j || !match || !who || !pred;
    const li_review_choice *c = &r->choice;
    for (size_t i = 0; !bad && i < c->nmatch; i++)
        bad |= json_array_append_new(match, json_string(li_field_key(c->match[i])));
    for (size_t i = 0; !bad && i < c->nassignees; i++)
        bad |= json_array_append_new(who, json_string(c->assignees[i]));
    for (int k = 0; !bad && k < 3; k++)
        bad |= json_object_set_new(pred, strategy_names[k],
                                   json_pack("{sIsIsIsI}", "created",
                                             (json_int_t)r->predictions[k].created, "updated",
                                             (json_int_t)r->predictions[k].updated, "skipped",
                                             (json_int_t)r->predictions[k].skipped, "flagged",
                                             (json_int_t)r->predictions[k].flagged));
    if (!bad) {
        bad |= json_object_set_new(j, "job_id", json_integer(r->job.id));
        bad |= json_object_set_new(j, "state", json_string(li_job_state_name(r->job.state)));
        bad |= json_object_set_new(j, "state_label", json_string(li_job_state_label(r->job.state)));
        bad |= json_object_set_new(j, "file", json_string(r->job.file_name));
        bad |= json_object_set_new(j, "analysed", json_boolean(r->analysed));
        bad |= json_object_set_new(j, "committed", json_boolean(r->committed));
        bad |= json_object_set_new(j, "rows", json_integer((json_int_t)r->rows));
        bad |= json_object_set_new(j, "valid", json_integer((json_int_t)r->valid));
        bad |= json_object_set_new(j, "invalid", json_integer((json_int_t)r->invalid));
        bad |= json_object_set_new(j, "warnings", json_integer((json_int_t)r->warnings));
        bad |= json_object_set_new(j, "duplicates", json_integer((json_int_t)r->duplicates));
        bad |= json_object_set_new(j, "duplicates_in_file",
                                   json_integer((json_int_t)r->duplicates_in_file));
        bad |= json_object_set(j, "match", match);
        bad |= json_object_set_new(j, "overwrite", json_boolean(c->overwrite));
        bad |= json_object_set_new(j, "reassign", json_boolean(c->reassign));
        bad |= json_object_set_new(j, "assign", json_string(assign_names[c->assign]));
        bad |= json_object_set(j, "assignees", who);
        if (c->assign_column)
            bad |= json_object_set_new(j, "assign_column", json_string(c->assign_column));
        bad |= json_object_set(j, "predictions", r->analysed ? pred : json_null());
        bad |= json_object_set_new(j, "predict_ms", json_integer((json_int_t)r->predict_ms));
        bad |= json_object_set_new(j, "leads_mark", json_integer((json_int_t)r->leads_mark));
    }
    json_decref(match);
    json_decref(who);
    json_decref(pred);
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static uint64_t get_u64(json_t *o, const char *key) {
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v > 0 ? (uint64_t)v : 0;
}

/* Fills r's analysis from the stored JSON (r->hold keeps its strings). */
static li_status review_from_json(const char *text, li_review *r) {
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return LI_EFORMAT;
    }
    r->hold = j;
    r->analysed = json_is_true(json_object_get(j, "analysed"));
    r->committed = json_is_true(json_object_get(j, "committed"));
    r->duplicates = get_u64(j, "duplicates");
    r->duplicates_in_file = get_u64(j, "duplicates_in_file");
    r->predict_ms = (double)get_u64(j, "predict_ms");
    r->leads_mark = (int64_t)get_u64(j, "leads_mark");
    li_review_choice *c = &r->choice;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "match"), i, v) {
        li_field f = li_field_by_key(json_string_value(v) ? json_string_value(v) : "");
        if (f != LI_FIELD_NONE && c->nmatch < 3)
            c->match[c->nmatch++] = f;
    }
    json_array_foreach(json_object_get(j, "assignees"), i, v) {
        if (json_string_value(v) && c->nassignees < LI_IMPORT_MAX_ASSIGNEES)
            c->assignees[c->nassignees++] = json_string_value(v);
    }
    c->overwrite = json_is_true(json_object_get(j, "overwrite"));
    c->reassign = json_is_true(json_object_get(j, "reassign"));
    const char *a = json_string_value(json_object_get(j, "assign"));
    for (int k = 0; a && k < 5; k++)
        if (strcmp(a, assign_names[k]) == 0)
            c->assign = (li_assign_mode)k;
    c->assign_column = json_string_value(json_object_get(j, "assign_column"));
    json_t *pred = json_object_get(j, "predictions");
    for (int k = 0; k < 3; k++) {
        json_t *p = json_object_get(pred, strategy_names[k]);
        r->predictions[k] = (li_review_counts){get_u64(p, "created"), get_u64(p, "updated"),
                                               get_u64(p, "skipped"), get_u64(p, "flagged")};
    }
    return LI_OK;
}

void li_review_free(li_review *r) {
    if (r) {
        json_decref(r->hold);
        r->hold = NULL;
    }
}

static li_status review_store(li_store *s, const li_review *r, li_error *err) {
    json_t *j = review_to_json(r);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li_status st = li_store_review_set(s, r->job.id, text, err);
    free(text);
    return st;
}

void li__review_choice_of_opts(const li_import_opts *o, li_review_choice *c) {
    memset(c, 0, sizeof *c);
    c->nmatch = li__match_keys(o->match, o->nmatch, c->match);
    c->overwrite = o->overwrite;
    c->reassign = o->reassign;
    c->assign = o->assign;
    for (size_t i = 0; i < o->nassignees && i < LI_IMPORT_MAX_ASSIGNEES; i++)
        c->assignees[c->nassignees++] = o->assignees[i];
    c->assign_column = o->assign_column;
}

/*
 * Under the caller's transaction: the analysed job becomes ready (the parse
 * stage of a review leaves it parsing). A cancel meanwhile wins: the hook,
 * as between batches, says so. job keeps its state on failure.
 */
static li_status made_ready(li_store *s, li_job_rec *job, const li__batch_hook *hook,
                            li_error *err) {
    if (job->state == LI_JOB_READY)
        return LI_OK;
    li_status st = li__hook_call(hook, job, err);
    if (st != LI_OK)
        return st;
    li_job_state was = job->state;
    job->state = LI_JOB_READY;
    if ((st = li_store_job_update(s, job, err)) != LI_OK)
        job->state = was;
    return st;
}

/* Predicts, marks the duplicates and stores the review (again, with again). */
static li_status analyse_store(li_store *s, li_job_rec *job, const li_import_opts *o, int again,
                               li__predictor *fed, const li__batch_hook *hook, li_error *err) {
    char *text = NULL;
    li_review r;
    li__dup_marks k;
    memset(&r, 0, sizeof r);
    memset(&k, 0, sizeof k);
    li_status st = li_store_review_get(s, job->id, &text, err);
    if (st != LI_OK)
        return st;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    int done = json_is_true(json_object_get(j, "analysed"));
    json_decref(j);
    free(text);
    if (done && !again) {
        /* Analysed before (a retried review): ready again, with the predictions it has. */
        if (job->state == LI_JOB_READY)
            return LI_OK;
        if ((st = li_store_begin(s, err)) != LI_OK)
            return st;
        if ((st = made_ready(s, job, hook, err)) == LI_OK)
            return li_store_commit(s, err);
        li_store_rollback(s);
        return st;
    }
    double t0 = li__now();
    /* Taken before: a lead changed while predicting makes the next reading predict again. */
    if ((st = li_store_leads_mark(s, &r.leads_mark, err)) != LI_OK)
        return st;
    r.job = *job;
    li__review_choice_of_opts(o, &r.choice);
    if ((st = li__review_predict_all(s, job, &r.choice, o->on_duplicate, fed, r.predictions, &k,
                                     hook, err)) != LI_OK)
        goto out;
    r.analysed = 1;
    r.rows = job->rows;
    r.valid = job->valid;
    r.invalid = job->invalid;
    r.warnings = job->warnings;
    r.duplicates = k.n;
    for (size_t i = 0; i < k.n; i++)
        r.duplicates_in_file += k.m[i].match <= 0;
    r.predict_ms = ms_since(t0);
    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    if (again) {
        /* Predicting again took seconds, without the lock: a commit (or a
         * cancel) that came meanwhile wins, and these predictions, made for
         * a review that is no longer open, are dropped. Storing them would
         * mark a committed review uncommitted and rewrite the duplicate
         * marks its commit stage reads. */
        li_job_state now = job->state;
        if ((st = li_store_job_state(s, job->id, &now, err)) != LI_OK || now != job->state) {
            li_store_rollback(s);
            if (st == LI_OK)
                li__trace("review: predictions dropped (the job became %s meanwhile)",
                          li_job_state_name(now));
            goto out;
        }
        st = li_store_rows_unmark(s, job->id, err);
    }
    for (size_t i = 0; i < k.n && st == LI_OK; i++)
        st = li_store_row_mark(s, job->id, k.m[i].row_no, li_field_key(k.m[i].key), k.m[i].match,
                               err);
    /* The analysis's end: ready with its predictions, in one transaction (the
     * parse stage left it parsing), so that a review is never seen ready
     * without them. A cancel meanwhile wins (the hook says so). */
    if (st == LI_OK && (st = made_ready(s, job, hook, err)) == LI_OK) {
        r.job.state = job->state;
        st = review_store(s, &r, err);
    }
    if (st == LI_OK)
        st = li_store_commit(s, err);
    else
        li_store_rollback(s);
    li__trace("review: predictions in %.0f ms", r.predict_ms);
out:
    li__dup_marks_free(&k);
    return st;
}

li_status li__review_analysed(li_store *s, li_job_rec *job, const li_import_opts *o,
                              li__predictor *fed, const li__batch_hook *hook, li_error *err) {
    return analyse_store(s, job, o, 0, fed, hook, err);
}

/* --- stages ----------------------------------------------------------------------- */

li_status li_review_create(li_store *s, const li_import_opts *o, li_import_result *res,
                           li_error *err) {
    return li__import_prepare_review(s, o, NULL, res, err);
}

/* The job's saved options and stored file; *path (malloc'ed) the file to read. */
static li_status job_options(li_store *s, int64_t id, li_import_opts *o, li__opts_hold *hold,
                             char **blob, char **path, li_error *err) {
    char *json = NULL;
    *blob = NULL;
    if (path)
        *path = NULL;
    li_status st = li_store_job_files(s, id, &json, blob, NULL, err);
    if (st == LI_OK && li__opts_from_json(json, o, hold) != LI_OK)
        st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_OPTIONS_CORRUPT, (long long)id);
    free(json);
    if (st == LI_OK && path) {
        if (*blob) { /* a path, for the readers (as the worker gets it) */
            li_blob_store *bs = NULL;
            if ((st = li_blob_store_of(s, &bs, err)) != LI_OK)
                return st;
            *path = li_blob_local_path(bs, *blob);
            li_blob_store_free(bs);
        } else {
            *path = hold->source_path ? strdup(hold->source_path) : NULL;
        }
        if (!*path)
            st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_OPTIONS_CORRUPT, (long long)id);
    }
    return st;
}

/* A job in review, read under the caller's transaction: LI_EREFUSED if none. */
static li_status review_job(li_store *s, int64_t id, li_job_rec *job, char **review_json,
                            li_error *err) {
    *review_json = NULL;
    li_status st = li_store_job_get(s, id, job, err);
    if (st == LI_OK)
        st = li_store_review_get(s, id, review_json, err);
    if (st == LI_OK && !*review_json)
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_NOT_REVIEW, (long long)id);
    return st;
}

li_status li_review_set_mapping(li_store *s, int64_t job_id, const li_review_mapping *m,
                                li_error *err) {
    li_job_rec job;
    li_import_opts o;
    li__opts_hold hold;
    char *review = NULL, *blob = NULL, *path = NULL, *mapping_json = NULL, *options = NULL;
    li_mapping *map = NULL;
    li_map_override *ov_copy = NULL;
    int in_tx = 0;
    memset(&hold, 0, sizeof hold);
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    in_tx = 1;
    if ((st = review_job(s, job_id, &job, &review, err)) != LI_OK)
        goto out;
    if (job.state != LI_JOB_UPLOADED) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_NOT_UPLOADED, (long long)job_id,
                          li_job_state_label(job.state));
        goto out;
    }
    if ((st = job_options(s, job_id, &o, &hold, &blob, &path, err)) != LI_OK)
        goto out;
    if (m->nmap > LI_MAP_MAX_OVERRIDES) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_INTERNAL, "trop de --map");
        goto out;
    }
    if (m->nmap || m->replace) {
        o.map = m->map;
        o.nmap = m->nmap;
    }
    if (m->mapping_name || m->replace)
        o.mapping_name = m->mapping_name;
    if (m->sheet || m->replace)
        o.reader.sheet = m->sheet;
    const li_map_override *ov;
    size_t nov;
    li_mapping_source src;
    if ((st = li__overrides(&o, &ov_copy, &ov, &nov, err)) != LI_OK)
        goto out;
    li_mapping_request req = {.path = path,
                              .reader = &o.reader,
                              .map = ov,
                              .nmap = nov,
                              .mapping_name = o.mapping_name,
                              .region = o.region};
    if ((st = li_import_mapping(s, &req, &map, &src, err)) != LI_OK)
        goto out;
    if (!(mapping_json = li_mapping_to_json(map)) ||
        !(options = li__opts_to_json(&o, hold.source_path, &src.region))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = li_store_job_set_mapping(s, job_id, NULL, mapping_json, err)) != LI_OK ||
        (st = li_store_job_set_options(s, job_id, options, blob, err)) != LI_OK ||
        (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
out:
    if (in_tx)
        li_store_rollback(s);
    li__opts_hold_free(&hold);
    li_mapping_free(map);
    free(ov_copy);
    free(review);
    free(blob);
    free(path);
    free(mapping_json);
    free(options);
    return st;
}

struct li_review_mapping_hold {
    json_t *root;
    li_map_override map[LI_MAP_MAX_OVERRIDES];
};

void li_review_mapping_hold_free(li_review_mapping_hold *hold) {
    if (hold) {
        json_decref(hold->root);
        free(hold);
    }
}

/* "map": {"field": "header"} or [["field", "header"]], into h->map. */
static li_status mapping_pairs(json_t *v, li_review_mapping *m, li_review_mapping_hold *h,
                               li_error *err) {
    size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
    if (!json_is_array(v) && !json_is_object(v))
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_NOT_LIST, "map");
    if (n > LI_MAP_MAX_OVERRIDES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_MAP_TOO_MANY, n, (size_t)LI_MAP_MAX_OVERRIDES);
    const char *f;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, f, x) {
            if (!json_is_string(x))
                return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MAP_PAIR, "map");
            h->map[m->nmap++] = (li_map_override){f, json_string_value(x)};
        }
    } else {
        json_array_foreach(v, i, x) {
            const char *field = json_string_value(json_array_get(x, 0));
            const char *col = json_string_value(json_array_get(x, 1));
            if (json_array_size(x) != 2 || !field || !col)
                return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MAP_PAIR, "map");
            h->map[m->nmap++] = (li_map_override){field, col};
        }
    }
    m->map = m->nmap ? h->map : NULL;
    return LI_OK;
}

li_status li_review_mapping_parse(const char *text, size_t len, li_review_mapping *m,
                                  li_review_mapping_hold **hold, li_error *err) {
    json_error_t jerr;
    li_status st = LI_OK;
    memset(m, 0, sizeof *m);
    li_review_mapping_hold *h = calloc(1, sizeof *h);
    *hold = NULL;
    if (!h)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    m->replace = 1; /* a PUT: the whole choice */
    h->root = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!h->root) {
        st = json_error_code(&jerr) == json_error_invalid_utf8
                 ? li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_NOT_UTF8)
                 : li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_JSON_INVALID, jerr.line,
                                jerr.column);
    } else if (!json_is_object(h->root)) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ROOT_NOT_OBJECT);
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(h->root, key, v) {
            const char **str = strcmp(key, "mapping_name") == 0 ? &m->mapping_name
                               : strcmp(key, "sheet") == 0      ? &m->sheet
                                                                 : NULL;
            if (json_is_null(v) && (str || strcmp(key, "map") == 0))
                continue; /* null: left as it is */
            if (strcmp(key, "map") == 0)
                st = mapping_pairs(v, m, h, err);
            else if (!str)
                st = li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_KEY_UNKNOWN, key,
                                  "map, mapping_name, sheet");
            else if (!json_is_string(v))
                st = li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_NOT_STRING, key);
            else
                *str = json_string_value(v);
            if (st != LI_OK)
                break;
        }
    }
    if (st != LI_OK) {
        li_review_mapping_hold_free(h);
        memset(m, 0, sizeof *m);
        return st;
    }
    *hold = h;
    return LI_OK;
}

li_status li_review_sniff_json(li_store *s, int64_t job_id, size_t preview_rows, li_buf *out,
                               li_error *err) {
    li_job_rec job;
    li_import_opts o;
    li__opts_hold hold;
    char *blob = NULL, *path = NULL;
    li_map_override *ov_copy = NULL;
    const li_map_override *ov;
    size_t nov;
    memset(&hold, 0, sizeof hold);
    li_status st = li_store_job_get(s, job_id, &job, err);
    if (st == LI_OK)
        st = job_options(s, job_id, &o, &hold, &blob, &path, err);
    if (st == LI_OK)
        st = li__overrides(&o, &ov_copy, &ov, &nov, err);
    if (st == LI_OK) {
        li_mapping_request req = {.path = path,
                                  .reader = &o.reader,
                                  .map = ov,
                                  .nmap = nov,
                                  .mapping_name = o.mapping_name,
                                  .region = o.region,
                                  .name = job.file_name};
        st = li_sniff_json(s, &req, preview_rows, out, err);
    }
    li__opts_hold_free(&hold);
    free(ov_copy);
    free(blob);
    free(path);
    return st;
}

/* Runs job's items here until it is in state done (the one-shot import's way). */
static li_status run_here(li_store *s, int64_t id, li_job_state done, const li_review_run *run,
                          li_import_result *res, li_error *err) {
    li__runner r;
    li_import_opts overlay;
    double t0 = li__now();
    memset(&r, 0, sizeof r);
    li_import_opts_init(&overlay);
    overlay.progress = run ? run->progress : NULL;
    overlay.progress_ctx = run ? run->progress_ctx : NULL;
    r.s = s;
    li__owner_name(r.owner, 0);
    r.lease_s = LI_WORK_LEASE_S;
    r.one_shot = 1;
    r.stop = run ? run->stop : NULL;
    r.overlay = &overlay;
    res->job.id = id;
    li_status st = li__run_job(&r, done, res, err);
    res->duration_ms = (uint64_t)ms_since(t0);
    return st;
}

li_status li_review_analyse(li_store *s, int64_t job_id, const li_review_run *run,
                            li_import_result *res, li_error *err) {
    li_job_rec *job = &res->job;
    char *review = NULL;
    memset(res, 0, sizeof *res);
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    if ((st = review_job(s, job_id, job, &review, err)) != LI_OK)
        goto out;
    if (li__review_committed(review) || (job->state != LI_JOB_UPLOADED &&
                                         job->state != LI_JOB_QUEUED &&
                                         job->state != LI_JOB_PARSING &&
                                         job->state != LI_JOB_READY &&
                                         job->state != LI_JOB_FAILED)) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_NOT_UPLOADED, (long long)job_id,
                          li_job_state_label(job->state));
        goto out;
    }
    uint64_t pending = 0;
    if ((st = li_store_work_pending(s, job_id, &pending, err)) != LI_OK)
        goto out;
    if (pending == 0 && job->state != LI_JOB_READY) {
        /* Its analysis: a parse item that stops at ready; it writes no lead. */
        res->resumed = job->state != LI_JOB_UPLOADED;
        job->state = LI_JOB_QUEUED;
        job->error[0] = '\0';
        job->finished_at[0] = '\0';
        if ((st = li_store_job_update(s, job, err)) != LI_OK ||
            (st = li_store_work_add(s, job_id, LI_WORK_PARSE, 0, LI_WORK_MAX_ATTEMPTS, 0, err)) !=
                LI_OK)
            goto out;
    } else {
        res->resumed = job->state != LI_JOB_UPLOADED;
    }
    if ((st = li_store_commit(s, err)) != LI_OK)
        goto out;
    free(review);
    if (run && run->queue)
        return LI_OK;
    return run_here(s, job_id, LI_JOB_READY, run, res, err);
out:
    li_store_rollback(s);
    free(review);
    return st;
}

li_status li_review_predict(li_store *s, int64_t job_id, const li_review_choice *choice,
                            li_review_counts out[3], li_error *err) {
    li_job_rec job;
    char *review = NULL;
    li_status st = review_job(s, job_id, &job, &review, err);
    free(review);
    if (st != LI_OK)
        return st;
    if (job.state != LI_JOB_READY)
        return li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_NOT_READY, (long long)job_id,
                            li_job_state_label(job.state));
    li_review_choice c = *choice;
    c.nmatch = li__match_keys(choice->match, choice->nmatch, c.match);
    return li__review_predict_all(s, &job, &c, LI_DUP_SKIP, NULL, out, NULL, NULL, err);
}

li_status li_review_predict_json(li_store *s, int64_t job_id, const li_import_opts *o,
                                 li_buf *out, li_error *err) {
    static const char *const names[3] = {"skip", "update", "create"};
    li_review_choice c;
    li_review_counts p[3];
    li__review_choice_of_opts(o, &c);
    li_status st = li_review_predict(s, job_id, &c, p, err);
    if (st != LI_OK)
        return st;
    st = li_buf_printf(out, "{\"job_id\":%lld,\"predictions\":{", (long long)job_id);
    for (int k = 0; k < 3 && st == LI_OK; k++)
        st = li_buf_printf(out,
                           "%s\"%s\":{\"created\":%llu,\"updated\":%llu,\"skipped\":%llu,"
                           "\"flagged\":%llu}",
                           k ? "," : "", names[k], (unsigned long long)p[k].created,
                           (unsigned long long)p[k].updated, (unsigned long long)p[k].skipped,
                           (unsigned long long)p[k].flagged);
    if (st == LI_OK)
        st = li_buf_puts(out, "}}");
    return st == LI_OK ? LI_OK : li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
}

static li_status no_job(const li_job_rec *job, void *ctx) {
    (void)job;
    (void)ctx;
    return LI_OK;
}

/* li_review_get(), predicting again only with predict set. */
static li_status review_get(li_store *s, int64_t job_id, int predict, li_review *out,
                            li_error *err);

li_status li_review_get(li_store *s, int64_t job_id, li_review *out, li_error *err) {
    return review_get(s, job_id, 1, out, err);
}

li_status li_review_show(li_store *s, int64_t job_id, li_review *out, li_error *err) {
    static const li_job_state importing = LI_JOB_IMPORTING;
    uint64_t busy = 0;
    li_status st = li_store_jobs_page(s, &importing, 0, 0, &busy, no_job, NULL, err);
    return st == LI_OK ? review_get(s, job_id, busy == 0, out, err) : st;
}

static li_status review_get(li_store *s, int64_t job_id, int predict, li_review *out,
                            li_error *err) {
    char *text = NULL;
    memset(out, 0, sizeof *out);
    li_status st = review_job(s, job_id, &out->job, &text, err);
    if (st == LI_OK && review_from_json(text, out) != LI_OK)
        st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_OPTIONS_CORRUPT, (long long)job_id);
    free(text);
    if (st != LI_OK)
        return st;
    const li_job_rec *job = &out->job;
    out->rows = job->rows;
    out->valid = job->valid;
    out->invalid = job->invalid;
    out->warnings = job->warnings;
    int64_t mark = 0;
    if (predict && out->analysed && job->state == LI_JOB_READY && !job->live &&
        (st = li_store_leads_mark(s, &mark, err)) == LI_OK && mark != out->leads_mark) {
        /* The leads changed since the analysis: its predictions are predicted again
         * against the leads as they are now, and stored. */
        li_import_opts o;
        li__opts_hold hold;
        char *blob = NULL;
        li_job_rec j = *job;
        st = job_options(s, job_id, &o, &hold, &blob, NULL, err);
        if (st == LI_OK)
            st = analyse_store(s, &j, &o, 1, NULL, NULL, err);
        li__opts_hold_free(&hold);
        free(blob);
        li_review_free(out);
        if (st == LI_OK)
            return review_get(s, job_id, 0, out, err); /* stored now: read as it is */
        return st;
    }
    if (st != LI_OK)
        return st;
    if (predict && !out->analysed && job->state == LI_JOB_READY && !job->live) {
        /* Staged, and stopped before its predictions were stored: computed now. */
        li_import_opts o;
        li__opts_hold hold;
        char *blob = NULL;
        if ((st = job_options(s, job_id, &o, &hold, &blob, NULL, err)) == LI_OK) {
            li__review_choice_of_opts(&o, &out->choice);
            double t0 = li__now();
            st = li_review_predict(s, job_id, &out->choice, out->predictions, err);
            out->predict_ms = ms_since(t0);
            out->analysed = st == LI_OK;
            /* the strings of choice: kept with the review */
            for (size_t i = 0; i < out->choice.nassignees; i++)
                out->choice.assignees[i] = NULL;
            out->choice.nassignees = 0;
            out->choice.assign_column = NULL;
        }
        li__opts_hold_free(&hold);
        free(blob);
    }
    return st;
}

li_status li_review_json(const li_review *r, li_buf *out) {
    json_t *j = review_to_json(r);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text)
        return LI_ENOMEM;
    li_status st = li_buf_puts(out, text);
    free(text);
    return st;
}

/* --- rows ---------------------------------------------------------------------------- */

int li_row_filter_parse(const char *word, li_row_filter *out) {
    static const char *const names[] = {"all", "invalid", "warning", "duplicate", "valid"};
    for (int i = 0; word && i < 5; i++)
        if (strcmp(word, names[i]) == 0) {
            *out = (li_row_filter)i;
            return 1;
        }
    return 0;
}

typedef struct page_rows {
    json_t *rows;   /* the page's rows, as they will be written */
    uint64_t want[LI_REVIEW_PAGE_ROWS]; /* valid rows whose raw values come from the file */
    json_t *want_values[LI_REVIEW_PAGE_ROWS];
    size_t nwant;
    json_t *header; /* JSON array of the file's headers, or NULL */
    int no_file;    /* the stored file could not be read: valid rows without raw values */
    int bad;
} page_rows;

static const char *col_name(const page_rows *p, size_t i, char buf[32]) {
    const char *h = json_string_value(json_array_get(p->header, i));
    if (h && *h)
        return h;
    snprintf(buf, 32, "Colonne %zu", i + 1);
    return buf;
}

static li_status page_row(const li_staged_row *r, void *ctx) {
    page_rows *p = ctx;
    json_t *row = json_object(), *errors = json_array(), *values = json_object();
    if (!row || !errors || !values) {
        json_decref(row);
        json_decref(errors);
        json_decref(values);
        return LI_ENOMEM;
    }
    json_t *issues = r->errors.len ? json_loadb(r->errors.ptr, r->errors.len, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(issues, i, v) {
        const char *msg = json_string_value(json_object_get(v, "message"));
        if (msg)
            p->bad |= json_array_append_new(errors, json_string(msg));
    }
    int invalid = strcmp(r->status, "invalid") == 0;
    const char *status = r->status;
    if (strcmp(r->status, "valid") == 0)
        status = r->match_key ? "duplicate" : json_array_size(errors) ? "warning" : "valid";
    if (invalid) {
        json_t *fields = json_loadb(r->data.ptr, r->data.len, 0, NULL);
        json_array_foreach(fields, i, v) {
            char buf[32];
            p->bad |= json_object_set(values, col_name(p, i, buf), v);
        }
        json_decref(fields);
    } else if (p->nwant < LI_REVIEW_PAGE_ROWS) {
        p->want[p->nwant] = r->row_no;
        p->want_values[p->nwant++] = values;
    }
    json_decref(issues);
    p->bad |= json_object_set_new(row, "row", json_integer((json_int_t)r->row_no));
    p->bad |= json_object_set_new(row, "status", json_string(status));
    p->bad |= json_object_set_new(row, "errors", errors);
    p->bad |= json_object_set_new(row, "values", values);
    if (r->match_key) {
        char text[256];
        li_field key = li_field_by_key(r->match_key);
        const char *kl = key == LI_FIELD_EMAIL   ? li_msg_text(LI_MSG_MATCH_KEY_EMAIL)
                         : key == LI_FIELD_PHONE ? li_msg_text(LI_MSG_MATCH_KEY_PHONE)
                                                 : li_msg_text(LI_MSG_MATCH_KEY_EXTERNAL_ID);
        p->bad |= json_object_set_new(row, "match_key", json_string(r->match_key));
        if (r->match_lead < 0) {
            li_msg_format(text, sizeof text, LI_MSG_REVIEW_DUP_OF_ROW, (long long)-r->match_lead,
                          kl);
            p->bad |= json_object_set_new(row, "duplicate_of_row",
                                          json_integer((json_int_t)-r->match_lead));
        } else {
            li_msg_format(text, sizeof text, LI_MSG_REVIEW_DUP_OF_LEAD, (long long)r->match_lead,
                          kl);
            p->bad |= json_object_set_new(row, "duplicate_of_lead",
                                          json_integer((json_int_t)r->match_lead));
        }
        p->bad |= json_object_set_new(row, "duplicate", json_string(text));
    }
    if (r->lead_id)
        p->bad |= json_object_set_new(row, "lead_id", json_integer((json_int_t)r->lead_id));
    p->bad |= json_array_append_new(p->rows, row);
    return LI_OK;
}

/* The raw cells of the page's valid rows, read again from the job's file. */
static li_status raw_values(li_store *s, const li_job_rec *job, page_rows *p, li_error *err) {
    li_import_opts o;
    li__opts_hold hold;
    char *blob = NULL, *path = NULL;
    li_reader *rd = NULL;
    memset(&hold, 0, sizeof hold);
    li_status st = job_options(s, job->id, &o, &hold, &blob, &path, err);
    if (st != LI_OK)
        goto out;
    p->no_file = 1; /* until it opens */
    li_reader_opts ro = o.reader;
    if (job->encoding[0])
        ro.encoding = job->encoding;
    ro.header = job->has_header;
    li_error ignored;
    if (li_reader_open(path, &ro, &rd, &ignored) != LI_OK)
        goto out; /* the file is gone (cleanup): the rows show no raw value, and a note says why */
    p->no_file = 0;
    size_t w = 0;
    const li_row *row;
    while (w < p->nwant && li_reader_next(rd, &row, &ignored) == LI_OK && row) {
        while (w < p->nwant && p->want[w] < row->number)
            w++; /* not in the file any more: left empty */
        if (w < p->nwant && p->want[w] == row->number) {
            for (size_t i = 0; i < row->nfields; i++) {
                char buf[32];
                p->bad |= json_object_set_new(p->want_values[w], col_name(p, i, buf),
                                              json_stringn(row->fields[i].ptr, row->fields[i].len));
            }
            w++;
        }
    }
out:
    li_reader_free(rd);
    li__opts_hold_free(&hold);
    free(blob);
    free(path);
    return st;
}

li_status li_review_rows(li_store *s, int64_t job_id, li_row_filter filter, uint64_t page,
                         li_buf *out, li_error *err) {
    li_job_rec job;
    page_rows p;
    char *header = NULL;
    uint64_t total = 0;
    memset(&p, 0, sizeof p);
    if (page == 0)
        page = 1;
    li_status st = li_store_job_get(s, job_id, &job, err);
    if (st == LI_OK)
        st = li_store_job_header(s, job_id, &header, err);
    if (st != LI_OK)
        goto out;
    p.header = header ? json_loads(header, 0, NULL) : NULL;
    if (!(p.rows = json_array())) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = li_store_rows_page(s, job_id, filter, (page - 1) * LI_REVIEW_PAGE_ROWS,
                                 LI_REVIEW_PAGE_ROWS, &total, page_row, &p, err)) != LI_OK)
        goto out;
    if (p.nwant && (st = raw_values(s, &job, &p, err)) != LI_OK)
        goto out;
    uint64_t pages = (total + LI_REVIEW_PAGE_ROWS - 1) / LI_REVIEW_PAGE_ROWS;
    json_t *j = json_pack("{sOsIsIsI}", "rows", p.rows, "page", (json_int_t)page, "pages",
                          (json_int_t)pages, "total", (json_int_t)total);
    if (j && p.no_file) {
        char note[LI_ERROR_MAX];
        li_msg_format(note, sizeof note, LI_MSG_REVIEW_ROWS_NO_FILE, (long long)job_id);
        p.bad |= json_object_set_new(j, "note", json_string(note));
    }
    char *text = j && !p.bad ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text || li_buf_puts(out, text) != LI_OK)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    free(text);
out:
    json_decref(p.rows);
    json_decref(p.header);
    free(header);
    return st;
}

/* --- commit ------------------------------------------------------------------------ */

/* --assign column:HEADER at commit: the analysis must have read that column as the owner. */
static li_status column_mapped(li_store *s, int64_t job_id, const char *column, li_error *err) {
    char *mj = NULL;
    li_status st = li_store_job_mapping(s, job_id, &mj, err);
    if (st != LI_OK)
        return st;
    json_t *m = mj ? json_loads(mj, 0, NULL) : NULL;
    free(mj);
    int ok = 0;
    const char *key;
    json_t *v;
    json_t *cols = json_object_get(m, "columns") ? json_object_get(m, "columns") : m;
    json_object_foreach(cols, key, v) {
        const char *f = json_string_value(v);
        if (column && strcasecmp(key, column) == 0 && f && strcmp(f, "owner") == 0)
            ok = 1;
    }
    json_decref(m);
    if (!ok)
        st = li_error_set(err, LI_EUSAGE, LI_MSG_REVIEW_ASSIGN_COLUMN_UNMAPPED,
                          column ? column : "", (long long)job_id, column ? column : "");
    return st;
}

li_status li_review_commit(li_store *s, int64_t job_id, const li_import_opts *choice,
                           const li_review_run *run, li_import_result *res, li_error *err) {
    li_job_rec *job = &res->job;
    li_import_opts o;
    li__opts_hold hold;
    char *review = NULL, *blob = NULL, *options = NULL;
    li_review r;
    int in_tx = 0, resume = 0;
    memset(res, 0, sizeof *res);
    memset(&hold, 0, sizeof hold);
    memset(&r, 0, sizeof r);
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    in_tx = 1;
    if ((st = review_job(s, job_id, job, &review, err)) != LI_OK)
        goto out;
    int committed = li__review_committed(review);
    /* Asked for already, and interrupted (killed, cancelled, failed): goes on
     * with the options it was asked with. */
    resume = committed && !li_job_state_final(job->state);
    if (!resume && job->state != LI_JOB_READY) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVIEW_NOT_READY, (long long)job_id,
                          li_job_state_label(job->state));
        goto out;
    }
    if (!resume) {
        if ((st = job_options(s, job_id, &o, &hold, &blob, NULL, err)) != LI_OK)
            goto out;
        /* The commit's choices, made now. */
        o.on_duplicate = choice->on_duplicate;
        o.nmatch = 0;
        for (size_t i = 0; i < choice->nmatch && i < 3; i++)
            o.match[o.nmatch++] = choice->match[i];
        o.overwrite = choice->overwrite;
        o.reassign = choice->reassign;
        if (choice->assign == LI_ASSIGN_COLUMN &&
            (st = column_mapped(s, job_id, choice->assign_column, err)) != LI_OK)
            goto out;
        if (choice->assign != LI_ASSIGN_AUTO || o.assign == LI_ASSIGN_AUTO) {
            o.assign = choice->assign;
            o.nassignees = 0;
            for (size_t i = 0; i < choice->nassignees && i < LI_IMPORT_MAX_ASSIGNEES; i++)
                o.assignees[o.nassignees++] = choice->assignees[i];
            o.assign_column = choice->assign_column;
        }
        if ((st = li__assign_check(s, &o, err)) != LI_OK)
            goto out;
        if (!(options = li__opts_to_json(&o, hold.source_path, NULL))) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        /* The review keeps its analysis; it is marked as committed. */
        if (review_from_json(review, &r) != LI_OK) {
            st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_OPTIONS_CORRUPT, (long long)job_id);
            goto out;
        }
        r.job = *job;
        r.rows = job->rows;
        r.valid = job->valid;
        r.invalid = job->invalid;
        r.warnings = job->warnings;
        r.committed = 1;
        job->state = LI_JOB_QUEUED;
        job->error[0] = '\0';
        if ((st = li_store_job_set_options(s, job_id, options, blob, err)) != LI_OK ||
            (st = review_store(s, &r, err)) != LI_OK ||
            (st = li_store_job_update(s, job, err)) != LI_OK ||
            (st = li_store_work_add(s, job_id, LI_WORK_COMMIT, 1, LI_WORK_MAX_ATTEMPTS, 0, err)) !=
                LI_OK)
            goto out;
    } else {
        res->resumed = 1;
        uint64_t pending = 0;
        if ((st = li_store_work_pending(s, job_id, &pending, err)) != LI_OK)
            goto out;
        if (pending == 0) {
            int exclusive = 0;
            li_work_kind kind = li__next_kind(job, &exclusive);
            job->state = LI_JOB_QUEUED;
            job->error[0] = '\0';
            job->finished_at[0] = '\0';
            if ((st = li_store_job_update(s, job, err)) != LI_OK ||
                (st = li_store_work_add(s, job_id, kind, exclusive, LI_WORK_MAX_ATTEMPTS, 0,
                                        err)) != LI_OK)
                goto out;
        }
    }
    if ((st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    if (!(run && run->queue))
        st = run_here(s, job_id, LI_JOB_COMPLETED, run, res, err);
out:
    if (in_tx)
        li_store_rollback(s);
    li_review_free(&r);
    li__opts_hold_free(&hold);
    free(review);
    free(blob);
    free(options);
    return st;
}

/* --- cleanup ----------------------------------------------------------------------- */

typedef struct stale {
    char before[32];
    int64_t *id;
    size_t n, cap;
} stale;

static li_status pick_stale(const li_job_rec *job, void *ctx) {
    stale *c = ctx;
    if ((job->state != LI_JOB_UPLOADED && job->state != LI_JOB_READY) ||
        strcmp(job->created_at, c->before) >= 0)
        return LI_OK;
    if (li__grow((void **)&c->id, &c->cap, c->n, sizeof *c->id))
        return LI_ENOMEM;
    c->id[c->n++] = job->id;
    return LI_OK;
}

li_status li__review_cleanup(li_store *s, double older_than_s, int dry_run, uint64_t *cancelled,
                             li_error *err) {
    stale c;
    memset(&c, 0, sizeof c);
    *cancelled = 0;
    time_t t = time(NULL) - (time_t)older_than_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(c.before, sizeof c.before, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    li_status st = li_store_jobs_each(s, NULL, pick_stale, &c, err);
    if (st == LI_ENOMEM)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (size_t i = 0; st == LI_OK && i < c.n; i++) {
        li_job_rec job;
        char *review = NULL, *blob = NULL;
        int shared = 0;
        if (dry_run) {
            (*cancelled)++;
            continue;
        }
        if ((st = review_job(s, c.id[i], &job, &review, err)) != LI_OK) {
            free(review);
            if (st == LI_EREFUSED) { /* not a review: never cancelled for its age */
                st = LI_OK;
                continue;
            }
            break;
        }
        free(review);
        int taken = 0;
        if ((st = li__job_cancel_expired(s, c.id[i], &job, &taken, err)) != LI_OK)
            break;
        if (!taken) /* retried or committed since it was picked */
            continue;
        if ((st = li_store_job_files(s, job.id, NULL, &blob, NULL, err)) != LI_OK)
            break;
        if (blob && (st = li_store_blob_shared(s, blob, job.id, &shared, err)) == LI_OK &&
            !shared) {
            li_blob_store *bs = NULL;
            if ((st = li_blob_store_of(s, &bs, err)) == LI_OK)
                st = li_blob_delete(bs, blob, err);
            li_blob_store_free(bs);
        }
        free(blob);
        (*cancelled)++;
    }
    free(c.id);
    return st;
}

const char *li_review_status_label(const char *status) {
    if (!status)
        return "?";
    if (strcmp(status, "invalid") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_INVALID);
    if (strcmp(status, "warning") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_WARNING);
    if (strcmp(status, "duplicate") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_DUPLICATE);
    if (strcmp(status, "valid") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_VALID);
    if (strcmp(status, "imported") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_IMPORTED);
    if (strcmp(status, "updated") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_UPDATED);
    if (strcmp(status, "skipped") == 0)
        return li_msg_text(LI_MSG_REVIEW_ROW_SKIPPED);
    return "?";
}

/* --- issues grouped by code ----------------------------------------------------------- */

typedef struct issue_group {
    char code[64];
    int warning;
    uint64_t count;
    uint64_t rows[LI_REVIEW_GROUP_ROWS];
    size_t nrows;
    uint64_t last_row; /* the row counted last: a row counts once per code */
    char *example;
} issue_group;

typedef struct issue_groups {
    issue_group *g;
    size_t n, cap;
    uint64_t rows_with_issues;
    int nomem;
} issue_groups;

static issue_group *group_of(issue_groups *gs, const char *code) {
    for (size_t i = 0; i < gs->n; i++)
        if (strcmp(gs->g[i].code, code) == 0)
            return &gs->g[i];
    if (gs->n == gs->cap) {
        size_t cap = gs->cap ? gs->cap * 2 : 16;
        issue_group *g = realloc(gs->g, cap * sizeof *g);
        if (!g)
            return NULL;
        gs->g = g;
        gs->cap = cap;
    }
    issue_group *g = &gs->g[gs->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->code, sizeof g->code, "%s", code);
    return g;
}

static li_status group_row(const li_staged_row *r, void *ctx) {
    issue_groups *gs = ctx;
    json_t *issues = r->errors.len ? json_loadb(r->errors.ptr, r->errors.len, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    int any = 0;
    json_array_foreach(issues, i, v) {
        const char *code = json_string_value(json_object_get(v, "code"));
        const char *msg = json_string_value(json_object_get(v, "message"));
        const char *sev = json_string_value(json_object_get(v, "severity"));
        if (!code)
            continue;
        issue_group *g = group_of(gs, code);
        if (!g) {
            json_decref(issues);
            return LI_ENOMEM;
        }
        any = 1;
        /* one row counts once per code, even when two of its cells have it */
        if (g->count > 0 && g->last_row == r->row_no)
            continue;
        g->last_row = r->row_no;
        g->count++;
        g->warning = sev && strcmp(sev, "warning") == 0;
        if (g->nrows < LI_REVIEW_GROUP_ROWS)
            g->rows[g->nrows++] = r->row_no;
        if (!g->example && msg && !(g->example = strdup(msg))) {
            json_decref(issues);
            return LI_ENOMEM;
        }
    }
    gs->rows_with_issues += any;
    json_decref(issues);
    return LI_OK;
}

static int by_count(const void *a, const void *b) {
    const issue_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->code, y->code);
}

li_status li_review_issue_groups(li_store *s, int64_t job_id, li_buf *out, li_error *err) {
    issue_groups gs;
    li_job_rec job;
    uint64_t total = 0;
    memset(&gs, 0, sizeof gs);
    li_status st = li_store_job_get(s, job_id, &job, err);
    /* refused rows, then importable rows with a warning: each row read once */
    if (st == LI_OK)
        st = li_store_rows_page(s, job_id, LI_ROWS_INVALID, 0, 0, &total, group_row, &gs, err);
    if (st == LI_OK)
        st = li_store_rows_page(s, job_id, LI_ROWS_WARNING, 0, 0, &total, group_row, &gs, err);
    if (st == LI_ENOMEM)
        li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (st != LI_OK)
        goto done;
    if (gs.n)
        qsort(gs.g, gs.n, sizeof *gs.g, by_count);
    st = li_buf_printf(out, "{\"job_id\":%lld,\"rows_with_issues\":%llu,\"groups\":[",
                       (long long)job_id, (unsigned long long)gs.rows_with_issues);
    for (size_t i = 0; i < gs.n && st == LI_OK; i++) {
        const issue_group *g = &gs.g[i];
        st = li_buf_printf(out, "%s{\"code\":", i ? "," : "");
        if (st == LI_OK)
            st = li_buf_json_str(out, g->code, strlen(g->code));
        if (st == LI_OK)
            st = li_buf_printf(out, ",\"severity\":\"%s\",\"count\":%llu,\"rows\":[",
                               g->warning ? "warning" : "error", (unsigned long long)g->count);
        for (size_t k = 0; k < g->nrows && st == LI_OK; k++)
            st = li_buf_printf(out, "%s%llu", k ? "," : "", (unsigned long long)g->rows[k]);
        if (st == LI_OK)
            st = li_buf_puts(out, "],\"example\":");
        if (st == LI_OK)
            st = g->example ? li_buf_json_str(out, g->example, strlen(g->example))
                            : li_buf_puts(out, "null");
        if (st == LI_OK)
            st = li_buf_putc(out, '}');
    }
    if (st == LI_OK)
        st = li_buf_puts(out, "]}");
    if (st != LI_OK)
        li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
done:
    for (size_t i = 0; i < gs.n; i++)
        free(gs.g[i].example);
    free(gs.g);
    return st;
}
