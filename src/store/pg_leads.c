/*
 * pg_leads.c — leads and their history in the PostgreSQL backend (see
 * store.h; the SQLite counterpart is sqlite_leads.c), and the bulk-load
 * hint. Creating a lead is deferred and written by COPY (pg_batch.c); a
 * read that could see a queued lead flushes first.
 *
 * Scans (every lead's keys, every lead for an export) go by pages of ids
 * (li__pg_pages): memory stays flat however many leads there are, and the
 * callback may use the connection between pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadimport/text.h"
#include "pgInt.h"

/* The value columns, in li_field order (field.h). */
#define LEAD_VALUE_COLUMNS(X)                                                                      \
    X(first_name, "first_name")                                                                    \
    X(last_name, "last_name")                                                                      \
    X(email, "email")                                                                              \
    X(phone, "phone")                                                                              \
    X(company, "company")                                                                          \
    X(job_title, "job_title")                                                                      \
    X(address, "address")                                                                          \
    X(postal_code, "postal_code")                                                                  \
    X(city, "city")                                                                                \
    X(country, "country")                                                                          \
    X(source, "source")                                                                            \
    X(notes, "notes")                                                                              \
    X(external_id, "external_id")                                                                  \
    X(owner, "owner")

/* The columns of li_store_lead_get(): the values, then these. */
#define LEAD_COLUMNS(X)                                                                            \
    LEAD_VALUE_COLUMNS(X)                                                                          \
    X(custom, "custom")                                                                            \
    X(assigned_to, "assigned_to")                                                                  \
    X(duplicate_of, "duplicate_of")                                                                \
    X(import_job_id, "import_job_id")                                                              \
    X(created_at, "created_at")                                                                    \
    X(updated_at, "updated_at")                                                                    \
    X(phone_type, "phone_type")

#define LEAD_COL_POS(name, sql) LEAD_COL_##name,
enum { LEAD_COLUMNS(LEAD_COL_POS) LEAD_COL__COUNT };
_Static_assert(LEAD_COL_owner - LEAD_COL_first_name + 1 == LI_FIELD__COUNT &&
                   LEAD_COL_email - LEAD_COL_first_name == LI_FIELD_EMAIL &&
                   LEAD_COL_external_id - LEAD_COL_first_name == LI_FIELD_EXTERNAL_ID,
               "the value columns follow li_field");
_Static_assert(LEAD_COL_custom == LEAD_COL_owner + 1, "custom follows the values");

static const li_field match_fields[3] = {LI_FIELD_EMAIL, LI_FIELD_PHONE, LI_FIELD_EXTERNAL_ID};

li_status li__pg_lead_get(li_store *store, int64_t id, li_lead_rec *out, int *found,
                          li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    li__pg_args a = {0};
    memset(out, 0, sizeof *out);
    *found = 0;
    li__pg_arg_int(&a, id);
    li_status st = li__pg_settle_for(s, id, err);
    if (st != LI_OK ||
        (st = li__pg_run(s, "SELECT " LI__PG_COLUMN_TEXT(LEAD_COLUMNS) " FROM leads WHERE id=$1",
                         &a, &r, err)) != LI_OK)
        return st;
    if (PQntuples(r) == 1) {
        /* The values and custom (the column after them) are copied into out->buf. */
        const int ncopy = LI_FIELD__COUNT + 1;
        size_t total = 0;
        for (int c = 0; c < ncopy; c++)
            total += (size_t)PQgetlength(r, 0, LEAD_COL_first_name + c) + 1;
        if (!(out->buf = malloc(total + 3))) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        size_t at = 0;
        for (int c = 0; c < ncopy; c++) {
            li_slice v = li__pg_col_slice(r, 0, LEAD_COL_first_name + c);
            if (c == LI_FIELD__COUNT && v.len == 0)
                v = (li_slice){"{}", 2};
            memcpy(out->buf + at, v.ptr, v.len);
            li_slice copy = {out->buf + at, v.len};
            out->buf[at + v.len] = '\0';
            at += v.len + 1;
            if (c < LI_FIELD__COUNT)
                out->value[c] = copy;
            else
                out->custom = copy;
        }
        out->id = id;
        out->assigned_to = li__pg_col_int(r, 0, LEAD_COL_assigned_to);
        out->duplicate_of = li__pg_col_int(r, 0, LEAD_COL_duplicate_of);
        out->import_job_id = li__pg_col_int(r, 0, LEAD_COL_import_job_id);
        li__pg_col_copy(out->created_at, sizeof out->created_at, r, 0, LEAD_COL_created_at);
        li__pg_col_copy(out->updated_at, sizeof out->updated_at, r, 0, LEAD_COL_updated_at);
        li__pg_col_copy(out->phone_type, sizeof out->phone_type, r, 0, LEAD_COL_phone_type);
        *found = 1;
    }
out:
    PQclear(r);
    return st;
}

static void kc_forget(li__pg *s, int64_t id); /* below, with the keys read ahead */

li_status li__pg_lead_update(li_store *store, int64_t id, const li_slice value[LI_FIELD__COUNT],
                             li_slice custom_json, const li_lead_meta *meta, const char *now,
                             li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle_for(s, id, err);
    if (st != LI_OK)
        return st;
    kc_forget(s, id); /* its keys may change */
    li__pg_arg_int(&a, id);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        li__pg_arg_slice(&a, value[f]);
    li_slice none = {0};
    li__pg_arg_slice(&a, custom_json.len <= 2 ? none : custom_json); /* "{}" */
    li__pg_arg_id(&a, meta ? meta->assigned_to : 0);
    li__pg_arg_text(&a, now);
    li__pg_arg_text(&a, meta ? meta->phone_type : NULL);
    return li__pg_run(s,
                      "UPDATE leads SET first_name=$2, last_name=$3, email=$4, phone=$5,"
                      " company=$6, job_title=$7, address=$8, postal_code=$9, city=$10,"
                      " country=$11, source=$12, notes=$13, external_id=$14, owner=$15,"
                      " custom=$16, assigned_to=$17, updated_at=$18, phone_type=$19 WHERE id=$1",
                      &a, NULL, err);
}

li_status li__pg_lead_delete(li_store *store, int64_t id, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        return st;
    kc_forget(s, id);
    li__pg_arg_int(&a, id);
    return li__pg_run(s, "DELETE FROM leads WHERE id=$1", &a, NULL, err);
}

li_status li__pg_history_add(li_store *store, int64_t lead_id, const char *action, int64_t job_id,
                             const char *changes_json, const char *now, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle_for(s, lead_id, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, lead_id);
    li__pg_arg_text(&a, action);
    li__pg_arg_id(&a, job_id);
    li__pg_arg_text(&a, changes_json);
    li__pg_arg_text(&a, now);
    return li__pg_run(s,
                      "INSERT INTO lead_history (lead_id, action, job_id, changes, at)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      &a, NULL, err);
}

typedef struct history_scan {
    int64_t job_id;
    li_history_cb cb;
    void *ctx;
} history_scan;

static li_status history_row(const PGresult *r, int i, void *arg) {
    const history_scan *h = arg;
    li_history_rec rec = {
        .id = li__pg_col_int(r, i, 0),
        .lead_id = li__pg_col_int(r, i, 1),
        .job_id = h->job_id,
        .action = li__pg_col_text(r, i, 2),
        .changes = li__pg_col_text(r, i, 3),
        .at = li__pg_col_text(r, i, 4),
    };
    return h->cb(&rec, h->ctx);
}

li_status li__pg_job_history_each(li_store *store, int64_t job_id, li_history_cb cb, void *ctx,
                                  li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    history_scan h = {job_id, cb, ctx};
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    return li__pg_pages(s,
                        "SELECT id, lead_id, action, changes, at FROM lead_history"
                        " WHERE job_id=$1 AND action <> 'created' AND id<$2 ORDER BY id DESC"
                        " LIMIT $3",
                        &a, 0, INT64_MAX, 0, history_row, &h, err);
}

li_status li__pg_lead_changed_since(li_store *store, int64_t id, int64_t after_id, int64_t job_id,
                                    int *changed, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *changed = 0;
    li__pg_arg_int(&a, id);
    li__pg_arg_int(&a, after_id);
    li__pg_arg_int(&a, job_id);
    li_status st = li__pg_run(s,
                              "SELECT 1 FROM lead_history WHERE lead_id=$1 AND id>$2"
                              " AND (job_id IS NULL OR job_id<>$3) LIMIT 1",
                              &a, &r, err);
    if (st == LI_OK)
        *changed = PQntuples(r) > 0;
    PQclear(r);
    return st;
}

typedef struct id_scan {
    li_id_cb cb;
    void *ctx;
} id_scan;

static li_status id_row(const PGresult *r, int i, void *arg) {
    const id_scan *x = arg;
    return x->cb(li__pg_col_int(r, i, 0), x->ctx);
}

li_status li__pg_job_leads_each(li_store *store, int64_t job_id, li_id_cb cb, void *ctx,
                                li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    id_scan x = {cb, ctx};
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    return li__pg_pages(s,
                        "SELECT id FROM leads WHERE import_job_id=$1 AND id>$2 ORDER BY id"
                        " LIMIT $3",
                        &a, 0, 0, 0, id_row, &x, err);
}

typedef struct key_scan {
    li_lead_key_cb cb;
    void *ctx;
} key_scan;

static li_status key_row(const PGresult *r, int i, void *arg) {
    const key_scan *x = arg;
    li_slice value[LI_FIELD__COUNT] = {{0}};
    for (int k = 0; k < 3; k++)
        value[match_fields[k]] = li__pg_col_slice(r, i, 1 + k);
    return x->cb(li__pg_col_int(r, i, 0), value, x->ctx);
}

li_status li__pg_leads_with_keys(li_store *store, li_field field, const li_slice *values,
                                 size_t n, li_lead_key_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li_buf list;
    li_buf_init(&list, 0);
    li_status st = li__pg_settle_leads(s, err); /* reads see queued leads */
    if (st != LI_OK)
        return st;
    /* One statement for the batch: a round trip costs more than the index
     * probes of a row (500 e-mails into a million leads: 18 ms). The hash
     * index serves "= ANY" through a bitmap scan. */
    const char *sql =
        field == LI_FIELD_EMAIL
            ? "SELECT id, email, phone, external_id FROM leads WHERE email = ANY($1::text[])"
        : field == LI_FIELD_PHONE
            ? "SELECT id, email, phone, external_id FROM leads WHERE phone = ANY($1::text[])"
        : field == LI_FIELD_EXTERNAL_ID
            ? "SELECT id, email, phone, external_id FROM leads WHERE external_id = ANY($1::text[])"
            : NULL;
    if (!sql)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "clé de recherche inconnue");
    /* The values as an array literal: each quoted, its quotes and
     * backslashes escaped. An empty value matches nothing ('' is never
     * stored: NULL is), so it is left out. */
    size_t m = 0;
    st = li_buf_putc(&list, '{');
    for (size_t i = 0; st == LI_OK && i < n; i++) {
        if (!values[i].len)
            continue;
        st = li_buf_puts(&list, m++ ? ",\"" : "\"");
        for (size_t j = 0; st == LI_OK && j < values[i].len; j++) {
            char ch = values[i].ptr[j];
            if (ch == '"' || ch == '\\')
                st = li_buf_putc(&list, '\\');
            if (st == LI_OK)
                st = li_buf_putc(&list, ch);
        }
        if (st == LI_OK)
            st = li_buf_putc(&list, '"');
    }
    if (st == LI_OK)
        st = li_buf_putc(&list, '}');
    if (st != LI_OK) {
        li_buf_free(&list);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    key_scan x = {cb, ctx};
    if (m && !s->leads_analysed) {
        /* A table never analysed has no statistics: "= ANY" of 500 values
         * is then planned as a scan of the whole table (177 ms a batch in a
         * million leads, against 18 ms through the index). Past 8 MiB (some
         * 60,000 leads) the caller then reads every lead once instead
         * (LI_ELIMIT: the look-ups would cost more). Autovacuum analyses a
         * table within a minute of its first load; pg_class.reltuples is -1
         * until then. */
        PGresult *t = NULL;
        st = li__pg_run(s,
                        "SELECT reltuples >= 0 OR pg_relation_size(oid) < 8388608 FROM pg_class"
                        " WHERE oid = 'leads'::regclass",
                        NULL, &t, err);
        if (st == LI_OK)
            s->leads_analysed = PQntuples(t) == 1 && strcmp(li__pg_col_text(t, 0, 0), "t") == 0;
        PQclear(t);
        if (st == LI_OK && !s->leads_analysed)
            st = LI_ELIMIT;
    }
    if (m && st == LI_OK) {
        li__pg_arg_text(&a, list.data);
        if ((st = li__pg_run(s, sql, &a, &r, err)) == LI_OK)
            for (int i = 0; st == LI_OK && i < PQntuples(r); i++)
                st = key_row(r, i, &x);
    }
    PQclear(r);
    li_buf_free(&list);
    return st;
}

/* Read before the leads: what the journal holds after it, the leads may
 * not show (li__pg_leads_recheck). */
li_status li__pg_lead_keys_mark(li_store *store, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    li_status st = li__pg_run(s, "SELECT n FROM lead_commits", NULL, &r, err);
    if (st != LI_OK)
        return st;
    s->log_seen = PQntuples(r) == 1 ? li__pg_col_int(r, 0, 0) : -1;
    /* Holding the turn, we read our own number: the batches before it are
     * the ones the leads show, and ours may yet roll back. */
    if (s->log_mine && s->log_seen == s->log_mine)
        s->log_seen--;
    PQclear(r);
    return LI_OK;
}

li_status li__pg_lead_keys_each(li_store *store, li_lead_key_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    key_scan x = {cb, ctx};
    li_status st = li__pg_settle_leads(s, err);
    if (st != LI_OK)
        return st;
    /* A key set read again in the middle of a batch makes the committer
     * decide the batch again (its rows decided before did not see what the
     * journal had between). */
    if ((st = li__pg_lead_keys_mark(store, err)) != LI_OK)
        return st;
    return li__pg_pages(s,
                        "SELECT id, email, phone, external_id FROM leads WHERE id>$1 ORDER BY id"
                        " LIMIT $2",
                        NULL, 0, 0, 0, key_row, &x, err);
}

/* The columns of li_store_leads_each(). */
#define EACH_COLUMNS(X)                                                                            \
    X(id, "id")                                                                                    \
    LEAD_VALUE_COLUMNS(X)                                                                          \
    X(custom, "custom")                                                                            \
    X(assignee, "(SELECT u.email FROM users u WHERE u.id = assigned_to)")

#define EACH_COL_POS(name, sql) EACH_COL_##name,
enum { EACH_COLUMNS(EACH_COL_POS) EACH_COL__COUNT };

typedef struct lead_scan {
    li_lead_cb cb;
    void *ctx;
} lead_scan;

static li_status lead_row(const PGresult *r, int i, void *arg) {
    const lead_scan *x = arg;
    li_slice v[LI_FIELD__COUNT];
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        v[f] = li__pg_col_slice(r, i, EACH_COL_first_name + f);
    return x->cb(li__pg_col_int(r, i, EACH_COL_id), v, li__pg_col_slice(r, i, EACH_COL_custom),
                 li__pg_col_slice(r, i, EACH_COL_assignee), x->ctx);
}

li_status li__pg_leads_each(li_store *store, li_lead_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    lead_scan x = {cb, ctx};
    li_status st = li__pg_settle_leads(s, err);
    if (st != LI_OK)
        return st;
    return li__pg_pages(s,
                        "SELECT " LI__PG_COLUMN_TEXT(EACH_COLUMNS) " FROM leads WHERE id>$1"
                                                                   " ORDER BY id LIMIT $2",
                        NULL, EACH_COL_id, 0, 0, lead_row, &x, err);
}

/* Copies v into scratch; *off gets where (an offset: scratch may move as it grows). */
static li_status keep(li_buf *scratch, li_slice v, size_t *off) {
    *off = scratch->len;
    return v.len ? li_buf_append(scratch, v.ptr, v.len) : LI_OK;
}

/* --- keys read ahead ------------------------------------------------------------ */

struct li__pg_kc {
    int64_t id;
    size_t off[3], len[3]; /* in kc_text: e-mail, phone, external id */
    int stale;             /* the lead changed since: read it again */
};

void li__pg_kc_clear(li__pg *s) {
    s->nkc = 0;
    li_buf_reset(&s->kc_text);
}

static int kc_cmp(const void *a, const void *b) {
    int64_t x = ((const struct li__pg_kc *)a)->id, y = ((const struct li__pg_kc *)b)->id;
    return x < y ? -1 : x > y;
}

/*
 * One statement for a batch's candidates instead of one round trip each
 * (108 a batch of 500 rows in the bench, each a wait for the client). Only
 * leads found are kept: an id not found is asked again (it may be one this
 * transaction creates later, after a rollback gave its id back).
 */
li_status li__pg_lead_keys_prefetch(li_store *store, const int64_t *ids, size_t n, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    li_buf arr;
    li_buf_init(&arr, 0);
    li__pg_kc_clear(s);
    li_status st = LI_OK;
    if (!n || !s->in_tx)
        goto out;
    st = li_buf_putc(&arr, '{');
    for (size_t i = 0; i < n && st == LI_OK; i++)
        st = li_buf_printf(&arr, "%s%lld", i ? "," : "", (long long)ids[i]);
    if (st == LI_OK)
        st = li_buf_puts(&arr, "}");
    if (st != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    li__pg_args a = {0};
    li__pg_arg_text(&a, arr.data);
    if ((st = li__pg_run(s,
                         "SELECT id, email, phone, external_id FROM leads"
                         " WHERE id = ANY($1::bigint[])",
                         &a, &r, err)) != LI_OK)
        goto out;
    size_t rows = (size_t)PQntuples(r);
    if (rows > s->capkc) {
        struct li__pg_kc *grown = realloc(s->kc, rows * sizeof *grown);
        if (!grown) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        s->kc = grown;
        s->capkc = rows;
    }
    for (size_t i = 0; i < rows && st == LI_OK; i++) {
        struct li__pg_kc *e = &s->kc[i];
        e->id = li__pg_col_int(r, (int)i, 0);
        e->stale = 0;
        for (int k = 0; k < 3 && st == LI_OK; k++) {
            li_slice v = li__pg_col_slice(r, (int)i, 1 + k);
            e->off[k] = s->kc_text.len;
            e->len[k] = v.len;
            if (v.len)
                st = li_buf_append(&s->kc_text, v.ptr, v.len);
        }
    }
    if (st != LI_OK) {
        li__pg_kc_clear(s);
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    s->nkc = rows;
    qsort(s->kc, s->nkc, sizeof *s->kc, kc_cmp);
out:
    PQclear(r);
    li_buf_free(&arr);
    return st;
}

/* The keys of lead id read ahead, or NULL. */
static struct li__pg_kc *kc_find(const li__pg *s, int64_t id) {
    struct li__pg_kc key = {.id = id};
    struct li__pg_kc *e = s->nkc ? bsearch(&key, s->kc, s->nkc, sizeof key, kc_cmp) : NULL;
    return e && !e->stale ? e : NULL;
}

/* Lead id changes: its keys are read again. */
static void kc_forget(li__pg *s, int64_t id) {
    struct li__pg_kc *e = kc_find(s, id);
    if (e)
        e->stale = 1;
}

li_status li__pg_lead_keys(li_store *store, int64_t id, li_buf *scratch,
                           li_slice value[LI_FIELD__COUNT], int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li_slice v[3] = {{0}};
    size_t off[3] = {0};
    memset(value, 0, LI_FIELD__COUNT * sizeof *value);
    li_buf_reset(scratch);
    *found = 0;
    /* A queued lead is written first: one COPY sooner, the same answer. */
    li_status st = li__pg_settle_for(s, id, err);
    if (st != LI_OK)
        return st;
    const struct li__pg_kc *e = kc_find(s, id);
    if (e) { /* read ahead for the batch */
        for (int k = 0; k < 3; k++)
            v[k] = (li_slice){e->len[k] ? s->kc_text.data + e->off[k] : NULL, e->len[k]};
        *found = 1;
    } else {
        li__pg_arg_int(&a, id);
        if ((st = li__pg_run(s, "SELECT email, phone, external_id FROM leads WHERE id=$1", &a, &r,
                             err)) != LI_OK)
            return st;
        if (PQntuples(r) == 1) {
            for (int k = 0; k < 3; k++)
                v[k] = li__pg_col_slice(r, 0, k);
            *found = 1;
        }
    }
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        if (keep(scratch, v[k], &off[k]) != LI_OK)
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        value[match_fields[k]] = (li_slice){v[k].len ? scratch->data + off[k] : NULL, v[k].len};
    PQclear(r);
    return st;
}

li_status li__pg_leads_max_id(li_store *store, int64_t *max_id, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    *max_id = 0;
    li_status st = li__pg_run(s, LI__PG_LEAD_ID_HIGH, NULL, &r, err);
    if (st == LI_OK)
        *max_id = li__pg_col_int(r, 0, 0);
    PQclear(r);
    /* Queued leads count: the key set is sized from this. */
    if (st == LI_OK && s->nlead && s->first_lead + (int64_t)s->nlead - 1 > *max_id)
        *max_id = s->first_lead + (int64_t)s->nlead - 1;
    return st;
}

/* --- committers side by side ------------------------------------------------------ */

/* One lead of the journal: id and three key hashes, little-endian. */
#define LOG_ENTRY 32

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Calls cb for each lead of a journal row's bytea, as text ("\\x" and hex digits). */
static li_status journal_leads(const char *hex, size_t len, li_keyhash_cb cb, void *ctx,
                               li_error *err) {
    if (len < 2 || hex[0] != '\\' || hex[1] != 'x' || (len - 2) % (2 * LOG_ENTRY) != 0)
        return li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, "journal des leads illisible");
    unsigned char e[LOG_ENTRY];
    for (size_t at = 2; at < len; at += 2 * LOG_ENTRY) {
        for (size_t i = 0; i < LOG_ENTRY; i++) {
            int hi = li_text_hex_digit((unsigned char)hex[at + 2 * i]),
                lo = li_text_hex_digit((unsigned char)hex[at + 2 * i + 1]);
            if (hi < 0 || lo < 0)
                return li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, "journal des leads illisible");
            e[i] = (unsigned char)(hi << 4 | lo);
        }
        li_lead_keyhash k = {(int64_t)get_u64(e),
                             {get_u64(e + 8), get_u64(e + 16), get_u64(e + 24)}};
        li_status st = cb(&k, ctx);
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

int li__pg_side_by_side(li_store *store) {
    (void)store;
    return 1;
}

/*
 * Committers run side by side on PostgreSQL (the queue does not make them
 * take turns), each deciding from its own key set. Each batch that commits
 * leads writes a row of the journal lead_commit_log: its number n (counted
 * up in lead_commits, whose row lock the batch holds from that point to its
 * commit: batches commit one at a time, in the order of n, only the COPY
 * work before it runs side by side) and the ids and key hashes of the leads
 * it created or changed. Every committer reads the rows after the last it
 * read, before deciding a batch and again once it holds the turn, and puts
 * those leads in its key set: the turn makes the second read see every
 * batch committed before its own, and a later one sees its row. The
 * numbers are dense and commit in order, so a read sees a prefix; a gap
 * after the last read means rows were pruned (kept: the last KEEP), and
 * the committer reads its key set again.
 */
#define KEEP 4096

li_status li__pg_leads_recheck(li_store *store, int64_t job_id, const li_lead_keyhash *mine,
                               size_t nmine, int final, li_keyhash_cb cb, void *ctx,
                               li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    li_buf blob;
    li_buf_init(&blob, 0);
    int64_t n = 0;
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        goto out;
    if (final) {
        /* The turn: waits for the batch holding it to commit. */
        if ((st = li__pg_run(s, "UPDATE lead_commits SET n=n+1 RETURNING n", NULL, &r, err)) !=
            LI_OK)
            goto out;
        n = PQntuples(r) == 1 ? li__pg_col_int(r, 0, 0) : 0;
        s->log_mine = n;
        PQclear(r);
        r = NULL;
    }
    li__pg_args a = {0};
    li__pg_arg_int(&a, s->log_seen);
    if ((st = li__pg_run(s, "SELECT n, job_id, leads FROM lead_commit_log WHERE n>$1 ORDER BY n",
                         &a, &r, err)) != LI_OK)
        goto out;
    int rows = PQntuples(r);
    int64_t first = rows ? li__pg_col_int(r, 0, 0) : 0;
    if (s->log_seen < 0 || (rows && first != s->log_seen + 1) ||
        (final && !rows && n - 1 > s->log_seen)) {
        st = li_error_set(err, LI_ELIMIT, LI_MSG_DB_ERROR, "journal des leads élagué");
        goto out;
    }
    for (int i = 0; i < rows && st == LI_OK; i++) {
        if (li__pg_col_int(r, i, 1) != job_id) /* our own job's leads are in the key set */
            st = journal_leads(PQgetvalue(r, i, 2), (size_t)PQgetlength(r, i, 2), cb, ctx, err);
        if (st == LI_OK)
            s->log_seen = li__pg_col_int(r, i, 0);
    }
    PQclear(r);
    r = NULL;
    if (st != LI_OK || !final)
        goto out;
    /* Our row, with our commit; the oldest ones pruned now and then. */
    if (li_buf_reserve(&blob, nmine * LOG_ENTRY + 1) != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    for (size_t i = 0; i < nmine; i++) {
        unsigned char *p = (unsigned char *)blob.data + i * LOG_ENTRY;
        put_u64(p, (uint64_t)mine[i].id);
        for (int k = 0; k < 3; k++)
            put_u64(p + 8 + 8 * k, mine[i].key[k]);
    }
    li__pg_args w = {0};
    li__pg_arg_int(&w, n);
    li__pg_arg_int(&w, job_id);
    li__pg_arg_slice(&w, (li_slice){blob.data, nmine * LOG_ENTRY});
    if (!nmine) { /* an empty bytea, not NULL */
        w.v[2] = "";
        w.len[2] = 0;
        w.fmt[2] = 1;
    }
    if ((st = li__pg_run(s, "INSERT INTO lead_commit_log (n, job_id, leads) VALUES ($1, $2, $3)",
                         &w, NULL, err)) != LI_OK)
        goto out;
    if (n % 256 == 0) {
        li__pg_args d = {0};
        li__pg_arg_int(&d, n - KEEP);
        st = li__pg_run(s, "DELETE FROM lead_commit_log WHERE n<$1", &d, NULL, err);
    }
out:
    PQclear(r);
    li_buf_free(&blob);
    return st;
}

/* --- bulk-load hint ------------------------------------------------------------ */

/*
 * Nothing to do on PostgreSQL: the match key indexes take COPY's rows in
 * batches, and dropping them would take an exclusive lock on leads that
 * every other server's reads would wait for. Measured in the bench (see
 * docs/architecture.md).
 */
li_status li__pg_bulk_begin(li_store *store, uint64_t expected_rows, int *slow_end, li_error *err) {
    (void)expected_rows;
    (void)err;
    (void)store;
    *slow_end = 0;
    return LI_OK;
}

li_status li__pg_bulk_end(li_store *store, li_error *err) {
    return li__pg_settle(li__pgs(store), err);
}
