/*
 * api.c — what a server asks of the job machinery beyond the command
 * line's needs: pages of the history, the users and saved mappings an
 * import may name, the snapshots of a job's event stream, the report as a
 * download. Each is JSON of jobjson.h's kind, or a blob to stream; the
 * HTTP front end only routes and writes them.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/hash.h"
#include "leadimport/jobjson.h"
#include "leadimport/users.h"

/* --- the history ------------------------------------------------------------------ */

typedef struct page_ctx {
    li_buf *b;
    uint64_t first, last; /* the jobs of the page: indexes [first, last) in the walk */
    uint64_t n;           /* jobs seen */
    size_t shown;
} page_ctx;

static li_status page_one(const li_job_rec *j, void *arg) {
    page_ctx *c = arg;
    li_status st = LI_OK;
    if (c->n >= c->first && c->n < c->last) {
        if (c->shown++)
            st = li_buf_putc(c->b, ',');
        if (st == LI_OK)
            st = li_jobjson_job(c->b, j);
    }
    c->n++;
    return st;
}

li_status li_jobjson_history(li_buf *b, li_store *s, const li_job_state *state, uint64_t page,
                             li_error *err) {
    if (page == 0)
        page = 1;
    page_ctx c = {b, (page - 1) * LI_JOBJSON_PAGE, page * LI_JOBJSON_PAGE, 0, 0};
    li_status st = li_buf_puts(b, "{\"imports\":[");
    /* One walk, newest first: the jobs of a database are thousands, not millions. */
    if (st == LI_OK && (st = li_store_jobs_each(s, state, page_one, &c, err)) == LI_ENOMEM)
        li_error_set(err, st, LI_MSG_NO_MEMORY);
    if (st != LI_OK)
        return st;
    uint64_t pages = (c.n + LI_JOBJSON_PAGE - 1) / LI_JOBJSON_PAGE;
    st = li_buf_printf(b, "],\"page\":%llu,\"pages\":%llu,\"total\":%llu,\"per_page\":%d}",
                       (unsigned long long)page, (unsigned long long)pages,
                       (unsigned long long)c.n, LI_JOBJSON_PAGE);
    return st == LI_OK ? LI_OK : li_error_set(err, st, LI_MSG_NO_MEMORY);
}

/* --- users and mappings ------------------------------------------------------------- */

typedef struct list_ctx {
    json_t *array;
} list_ctx;

static li_status user_one(const li_user *u, void *arg) {
    list_ctx *c = arg;
    if (!u->active) /* a disabled user is given no lead */
        return LI_OK;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)u->id, "email", u->email,
                          "name", u->name, "role", u->role, "active", u->active);
    return o && json_array_append_new(c->array, o) == 0 ? LI_OK : LI_ENOMEM;
}

static li_status mapping_one(const li_mapping_rec *m, void *arg) {
    list_ctx *c = arg;
    if (!m->name[0])
        return LI_OK;
    json_t *headers = json_loads(m->headers_json ? m->headers_json : "[]", 0, NULL);
    json_t *map = json_loads(m->mapping_json ? m->mapping_json : "{}", 0, NULL);
    json_t *o = json_pack("{s:s,s:I,s:O,s:O,s:s,s:s,s:s?}", "name", m->name, "columns",
                          (json_int_t)json_array_size(headers), "headers",
                          headers ? headers : json_null(), "mapping", map ? map : json_null(),
                          "created_at", m->created_at, "updated_at", m->updated_at, "used_at",
                          m->used_at[0] ? m->used_at : NULL);
    json_decref(headers);
    json_decref(map);
    return o && json_array_append_new(c->array, o) == 0 ? LI_OK : LI_ENOMEM;
}

/* {"key": array} appended to b; the array is released. */
static li_status put_list(li_buf *b, const char *key, json_t *array, li_status st,
                          li_error *err) {
    char *text = NULL;
    if (st == LI_OK) {
        json_t *root = json_pack("{s:o}", key, array);
        array = NULL; /* taken by root (released by json_pack on failure too) */
        text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(root);
        st = text ? li_buf_puts(b, text) : LI_ENOMEM;
        if (st != LI_OK)
            li_error_set(err, st, LI_MSG_NO_MEMORY);
    } else if (st == LI_ENOMEM) {
        li_error_set(err, st, LI_MSG_NO_MEMORY);
    }
    json_decref(array);
    free(text);
    return st;
}

li_status li_jobjson_users(li_buf *b, li_store *s, li_error *err) {
    list_ctx c = {json_array()};
    li_status st = c.array ? li_users_each(s, user_one, &c, err) : LI_ENOMEM;
    return put_list(b, "users", c.array, st, err);
}

/* --- to whom a job gave its leads ------------------------------------------------------ */

typedef struct given {
    int64_t lead, user;
    size_t order; /* position in the walk (newest first): the first per lead is its last owner */
} given;

typedef struct given_ctx {
    given *g;
    size_t n, cap;
} given_ctx;

static li_status given_one(const li_history_rec *h, void *arg) {
    given_ctx *c = arg;
    if (strcmp(h->action, "assigned") != 0 || !h->changes)
        return LI_OK;
    json_t *ch = json_loads(h->changes, 0, NULL);
    json_t *to = json_array_get(json_object_get(ch, "assigned_to"), 1);
    int64_t user = json_is_integer(to) ? (int64_t)json_integer_value(to) : 0;
    json_decref(ch);
    if (user <= 0) /* taken away from someone: given to nobody */
        return LI_OK;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        given *g = realloc(c->g, cap * sizeof *g);
        if (!g)
            return LI_ENOMEM;
        c->g = g;
        c->cap = cap;
    }
    c->g[c->n] = (given){h->lead_id, user, c->n};
    c->n++;
    return LI_OK;
}

static int by_lead_then_order(const void *a, const void *b) {
    const given *x = a, *y = b;
    if (x->lead != y->lead)
        return x->lead < y->lead ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct per_user {
    int64_t user;
    uint64_t leads;
    json_t *who; /* {"user_id", "email", "name", "leads"}, filled by names_one */
} per_user;

typedef struct names_ctx {
    per_user *u;
    size_t n;
} names_ctx;

static li_status names_one(const li_user *u, void *arg) {
    names_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++)
        if (c->u[i].user == u->id) {
            json_object_set_new(c->u[i].who, "email", json_string(u->email));
            json_object_set_new(c->u[i].who, "name", json_string(u->name));
        }
    return LI_OK;
}

static int by_leads(const void *a, const void *b) {
    const per_user *x = a, *y = b;
    if (x->leads != y->leads)
        return x->leads > y->leads ? -1 : 1;
    return x->user < y->user ? -1 : x->user > y->user;
}

li_status li_jobjson_assignments(li_buf *b, li_store *s, int64_t job_id, li_error *err) {
    given_ctx c = {NULL, 0, 0};
    names_ctx nc = {NULL, 0};
    li_job_rec job;
    json_t *users = NULL, *doc = NULL;
    char *text = NULL;
    uint64_t total = 0;
    li_status st = li_store_job_get(s, job_id, &job, err);
    if (st == LI_OK)
        st = li_store_job_history_each(s, job_id, given_one, &c, err);
    if (st != LI_OK)
        goto done;
    if (c.n)
        qsort(c.g, c.n, sizeof *c.g, by_lead_then_order);
    if (c.n && !(nc.u = calloc(c.n, sizeof *nc.u))) {
        st = LI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (i && c.g[i].lead == c.g[i - 1].lead)
            continue; /* an older owner of the same lead */
        size_t k = 0;
        while (k < nc.n && nc.u[k].user != c.g[i].user)
            k++;
        if (k == nc.n)
            nc.u[nc.n++].user = c.g[i].user;
        nc.u[k].leads++;
        total++;
    }
    if (nc.n)
        qsort(nc.u, nc.n, sizeof *nc.u, by_leads);
    if (!(users = json_array())) {
        st = LI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nc.n; i++) {
        nc.u[i].who = json_pack("{s:I,s:s,s:s,s:I}", "user_id", (json_int_t)nc.u[i].user, "email",
                                "", "name", "", "leads", (json_int_t)nc.u[i].leads);
        if (!nc.u[i].who || json_array_append_new(users, nc.u[i].who) != 0) {
            st = LI_ENOMEM;
            goto done;
        }
    }
    if ((st = li_users_each(s, names_one, &nc, err)) != LI_OK)
        goto done;
    doc = json_pack("{s:I,s:I,s:O}", "job_id", (json_int_t)job_id, "assigned", (json_int_t)total,
                    "users", users);
    text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    st = text ? li_buf_puts(b, text) : LI_ENOMEM;
done:
    if (st == LI_ENOMEM)
        li_error_set(err, st, LI_MSG_NO_MEMORY);
    free(text);
    json_decref(doc);
    json_decref(users);
    free(nc.u);
    free(c.g);
    return st;
}

li_status li_jobjson_mappings(li_buf *b, li_store *s, li_error *err) {
    list_ctx c = {json_array()};
    li_status st = c.array ? li_store_mappings_each(s, 0, mapping_one, &c, err) : LI_ENOMEM;
    return put_list(b, "mappings", c.array, st, err);
}

/* --- the report's row count, once per state of a job ----------------------------- */

#define COUNT_CACHE 64

typedef struct counted {
    int64_t id;
    uint64_t key; /* the job's state and counters */
    uint64_t n;
} counted;

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static counted count_cache[COUNT_CACHE];
static size_t count_next;

/* What the count depends on: the job's state and every counter that moves with its rows. */
static uint64_t count_key(const li_job_rec *j) {
    uint64_t v[12] = {(uint64_t)j->state, j->rows,    j->valid,      j->invalid,
                      j->warnings,        j->created, j->updated,    j->skipped,
                      j->flagged,         j->parse_row, j->commit_row, (uint64_t)j->id};
    return li_hash64(v, sizeof v, 0x7265706f72747321ull) ^
           li_hash64(j->finished_at, strlen(j->finished_at), 1);
}

li_status li_job_report_rows(li_store *s, const li_job_rec *job, uint64_t *n, li_error *err) {
    if (!li_job_state_final(job->state) && job->state != LI_JOB_UPLOADED &&
        job->state != LI_JOB_READY) {
        *n = LI_JOBJSON_ROWS_UNKNOWN;
        return LI_OK;
    }
    uint64_t key = count_key(job);
    pthread_mutex_lock(&count_lock);
    for (size_t i = 0; i < COUNT_CACHE; i++) {
        if (count_cache[i].id == job->id && count_cache[i].key == key) {
            *n = count_cache[i].n;
            pthread_mutex_unlock(&count_lock);
            return LI_OK;
        }
    }
    pthread_mutex_unlock(&count_lock);
    li_status st = li_report_count(s, job->id, n, err);
    if (st != LI_OK)
        return st;
    pthread_mutex_lock(&count_lock);
    count_cache[count_next] = (counted){job->id, key, *n};
    count_next = (count_next + 1) % COUNT_CACHE;
    pthread_mutex_unlock(&count_lock);
    return LI_OK;
}

/* --- a job's event stream --------------------------------------------------------------- */

int li_job_watch_init(li_job_watch *w, const char *last_event_id) {
    memset(w, 0, sizeof *w);
    if (!last_event_id)
        return 0;
    if (strcmp(last_event_id, "end") == 0) {
        w->ended = 1;
        return 1;
    }
    size_t n = strspn(last_event_id, "0123456789");
    if (n > 0 && n < 19 && last_event_id[n] == '\0')
        w->seq = strtoull(last_event_id, NULL, 10);
    return 0;
}

/* The job has stopped moving: a final state, or waiting for its user in review. */
static li_status settled(li_store *s, const li_job_rec *job, int *yes, li_error *err) {
    *yes = li_job_state_final(job->state);
    if (*yes || (job->state != LI_JOB_UPLOADED && job->state != LI_JOB_READY))
        return LI_OK;
    uint64_t pending = 0;
    li_status st = li_store_work_pending(s, job->id, &pending, err);
    *yes = st == LI_OK && pending == 0;
    return st;
}

li_status li_job_watch_poll(li_job_watch *w, li_store *s, int64_t job_id, li_buf *data,
                            li_watch_event *ev, char id[24], li_error *err) {
    li_job_rec job;
    int end = 0;
    *ev = LI_WATCH_NONE;
    id[0] = '\0';
    if (w->ended)
        return LI_OK;
    li_status st = li_store_job_get(s, job_id, &job, err);
    if (st == LI_OK)
        st = settled(s, &job, &end, err);
    if (st != LI_OK)
        return st;
    size_t at = data->len;
    if ((st = li_jobjson_job(data, &job)) != LI_OK) {
        data->len = at;
        if (data->data)
            data->data[at] = '\0';
        return li_error_set(err, st, LI_MSG_NO_MEMORY);
    }
    /* The snapshot's fingerprint: a running job's heartbeat moves every
     * second, so a running job gives a snapshot at least that often. */
    uint64_t fp = li_hash64(data->data + at, data->len - at, 0x6c6561646c697665ull) | 1;
    if (!end && fp == w->fp) {
        data->len = at;
        data->data[at] = '\0';
        return LI_OK;
    }
    w->fp = fp;
    if (end) {
        w->ended = 1;
        *ev = LI_WATCH_END;
        snprintf(id, 24, "end");
    } else {
        *ev = LI_WATCH_PROGRESS;
        snprintf(id, 24, "%llu", (unsigned long long)++w->seq);
    }
    return LI_OK;
}

/* --- the report as a download --------------------------------------------------------- */

li_status li_report_open(li_store *s, int64_t job_id, li_blob_reader **out, uint64_t *size,
                         li_error *err) {
    li_job_rec job;
    li_blob_store *bs = NULL;
    char *stored = NULL, *path = NULL, key[64];
    uint64_t pending = 0;
    *out = NULL;
    li_status st = li_store_job_get(s, job_id, &job, err);
    if (st == LI_OK)
        st = li_store_job_files(s, job_id, NULL, NULL, &stored, err);
    if (st == LI_OK)
        st = li_store_work_pending(s, job_id, &pending, err);
    if (st == LI_OK)
        st = li_blob_store_of(s, &bs, err);
    if (st != LI_OK)
        goto out;
    li__report_key(job_id, key);
    /* Written again unless it is the last word on a job that moves no more. */
    int fresh = stored && li_job_state_final(job.state) && pending == 0 &&
                li_blob_size(bs, key, size, NULL) == LI_OK;
    if (!fresh && (st = li_report_store(s, job_id, &path, NULL, err)) != LI_OK)
        goto out;
    if ((st = li_blob_size(bs, key, size, err)) == LI_OK)
        st = li_blob_open(bs, key, out, err);
out:
    /* The reader does not need its store: it holds what it opened. */
    if (*out)
        li_blob_reader_own_store(*out, bs);
    else
        li_blob_store_free(bs);
    free(stored);
    free(path);
    return st;
}

void li_report_file_name(const li_job_rec *job, char *out, size_t cap) {
    const char *name = job->file_name;
    const char *dot = strrchr(name, '.');
    size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    if (n == 0)
        snprintf(out, cap, "import-%lld.erreurs.csv", (long long)job->id);
    else
        snprintf(out, cap, "%.*s.erreurs.csv", (int)n, name);
}
