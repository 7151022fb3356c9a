/*
 * revert.c — undoing an import (leadimport jobs revert JOB).
 *
 * What it promises:
 *   - the leads the job created are deleted, and the fields it updated get
 *     their previous values back (from lead_history, newest change first,
 *     so that a lead updated twice by the file is restored to what it was
 *     before the import), its reassignments too;
 *   - a lead someone (another import, a user) changed after the job is
 *     left alone and listed: its history has an entry after the job's
 *     that the job did not write;
 *   - nothing the import did not touch changes; each restored or deleted
 *     lead gets a 'reverted' history entry; the job ends "reverted";
 *   - all of it in one transaction: a revert that fails leaves the table
 *     as it was.
 * A completed job can be reverted, once; so can a failed or cancelled one
 * (what it committed before it stopped: a file that changed under it, a
 * full disk), whose rows may never be resumed. Never a job that may run.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

typedef struct revert_ctx {
    li_store *s;
    li_job_rec *job;
    li_revert_result *res;
    char now[32];
    li_error *err;
} revert_ctx;

/* Adds id to the list of leads left alone (once). */
static void keep(li_revert_result *res, int64_t id) {
    for (size_t i = 0; i < res->nkept && i < LI_REVERT_KEPT_MAX; i++)
        if (res->kept[i] == id)
            return;
    if (res->nkept < LI_REVERT_KEPT_MAX)
        res->kept[res->nkept] = id;
    res->nkept++;
}

/* The JSON value as a slice (null: empty). */
static li_slice value_of(json_t *v) {
    const char *s = json_string_value(v);
    return s ? (li_slice){s, strlen(s)} : (li_slice){"", 0};
}

/* Undoes one 'updated' or 'assigned' entry on its lead. */
static li_status undo(revert_ctx *x, const li_history_rec *h) {
    li_status st;
    li_lead_rec lead;
    int found = 0;
    char *custom = NULL;
    json_t *changes = json_loads(h->changes ? h->changes : "{}", 0, NULL);
    json_t *cust = NULL;
    if ((st = li_store_lead_get(x->s, h->lead_id, &lead, &found, x->err)) != LI_OK)
        goto out;
    if (!found || !json_is_object(changes))
        goto out; /* deleted since, or nothing to undo */
    li_slice value[LI_FIELD__COUNT];
    memcpy(value, lead.value, sizeof value);
    int64_t owner = lead.assigned_to;
    const char *key;
    json_t *pair;
    json_object_foreach(changes, key, pair) {
        json_t *old = json_array_get(pair, 0);
        if (strcmp(key, "assigned_to") == 0) {
            owner = json_is_integer(old) ? (int64_t)json_integer_value(old) : 0;
        } else if (strncmp(key, "custom.", 7) == 0) {
            if (!cust)
                cust = json_loads(lead.custom.ptr, 0, NULL);
            if (!json_is_object(cust))
                continue;
            if (json_is_string(old))
                json_object_set(cust, key + 7, old);
            else
                json_object_del(cust, key + 7);
        } else {
            li_field f = li_field_by_key(key);
            if (f >= 0 && f < LI_FIELD__COUNT)
                value[f] = value_of(old);
        }
    }
    li_slice custom_json = lead.custom;
    if (cust) {
        if (!(custom = json_dumps(cust, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
            st = li_error_set(x->err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        custom_json = (li_slice){custom, strlen(custom)};
    }
    li_lead_meta meta = {.assigned_to = owner, .phone_type = li__phone_type_of(value[LI_FIELD_PHONE])};
    if ((st = li_store_lead_update(x->s, h->lead_id, value, custom_json, &meta, x->now, x->err)) !=
            LI_OK ||
        (st = li_store_history_add(x->s, h->lead_id, "reverted", x->job->id, h->changes, x->now,
                                   x->err)) != LI_OK)
        goto out;
    x->res->restored++;
out:
    free(custom);
    json_decref(cust);
    json_decref(changes);
    li_lead_rec_free(&lead);
    return st;
}

static li_status on_history(const li_history_rec *h, void *ctx) {
    revert_ctx *x = ctx;
    int changed = 0;
    if (strcmp(h->action, "updated") != 0 && strcmp(h->action, "assigned") != 0)
        return LI_OK;
    li_status st = li_store_lead_changed_since(x->s, h->lead_id, h->id, x->job->id, &changed,
                                               x->err);
    if (st != LI_OK)
        return st;
    if (changed) {
        keep(x->res, h->lead_id);
        return LI_OK;
    }
    return undo(x, h);
}

/* Ids of the leads the job created: collected first, deleted after the scan. */
typedef struct id_list {
    int64_t *id;
    size_t n, cap;
} id_list;

static li_status collect_id(int64_t id, void *ctx) {
    id_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        int64_t *p = realloc(l->id, cap * sizeof *p);
        if (!p)
            return LI_ENOMEM;
        l->id = p;
        l->cap = cap;
    }
    l->id[l->n++] = id;
    return LI_OK;
}

li_status li_import_revert(li_store *s, int64_t job_id, li_revert_result *res, li_error *err) {
    li_job_rec job;
    id_list created = {0};
    int in_tx = 0;
    memset(res, 0, sizeof *res);
    revert_ctx x = {s, &job, res, "", err};
    li_store_now(x.now);
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    in_tx = 1;
    /* Under the write lock: no batch of a job being cancelled commits now. */
    if ((st = li_store_job_get(s, job_id, &job, err)) != LI_OK)
        goto out;
    if (job.state != LI_JOB_COMPLETED && job.state != LI_JOB_FAILED &&
        job.state != LI_JOB_CANCELLED) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_REVERT_REFUSED, (long long)job_id,
                          li_job_state_label(job.state));
        goto out;
    }
    /* Updates first, newest first: a lead the file updated twice ends as before. */
    if ((st = li_store_job_history_each(s, job_id, on_history, &x, err)) != LI_OK)
        goto out;
    if ((st = li_store_job_leads_each(s, job_id, collect_id, &created, err)) != LI_OK) {
        if (st == LI_ENOMEM)
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    for (size_t i = 0; i < created.n; i++) {
        int changed = 0;
        /* Any entry not from this job (its creation and its own updates are). */
        if ((st = li_store_lead_changed_since(s, created.id[i], 0, job_id, &changed, err)) != LI_OK)
            goto out;
        if (changed) {
            keep(res, created.id[i]);
            continue;
        }
        if ((st = li_store_lead_delete(s, created.id[i], err)) != LI_OK ||
            (st = li_store_history_add(s, created.id[i], "reverted", job_id, "{\"deleted\":true}",
                                       x.now, err)) != LI_OK)
            goto out;
        res->deleted++;
    }
    job.state = LI_JOB_REVERTED;
    if ((st = li_store_job_update(s, &job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
out:
    if (in_tx)
        li_store_rollback(s);
    free(created.id);
    return st;
}
