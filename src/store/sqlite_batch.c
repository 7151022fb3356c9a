/*
 * sqlite_batch.c — deferred multi-row inserts of the SQLite backend.
 *
 * Inside a transaction, li_store_lead_insert() and li_store_row_put() only
 * queue what they are given; the queue is written at the next flush (at
 * commit, before any read that could see it, or when PENDING_MAX wait) by
 * INSERTs of many rows each: one statement step instead of one per row (on
 * this path the per-statement overhead costs more than the B-tree).
 * Outside a transaction they write at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

#define LEADS_PER_INSERT 32
#define HISTORY_PER_INSERT 64
#define ROWS_PER_INSERT 64
/* Deferred inserts are flushed at the latest when this many wait. */
#define PENDING_MAX 1024

/* The single-row texts; li__sqlite_stmt() repeats their VALUES tuple. */
static const char sql_row_put[] =
    "INSERT OR REPLACE INTO import_rows (job_id, row_no, status, data, errors, lead_id,"
    " match_key, match_lead) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
#define ROW_PUT_WIDTH 8
static const char sql_lead_insert[] =
    "INSERT INTO leads (id, first_name, last_name, email, phone, company, job_title, address,"
    " postal_code, city, country, source, notes, external_id, owner, custom, import_job_id,"
    " import_row, created_at, updated_at, assigned_to, duplicate_of, phone_type) VALUES (?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define LEAD_INSERT_WIDTH 23
static const char sql_history_created[] =
    "INSERT INTO lead_history (lead_id, action, job_id, at) VALUES (?, 'created', ?, ?)";
#define HISTORY_CREATED_WIDTH 3
static const char sql_last_id[] = "UPDATE lead_ids SET last_id=?1 WHERE last_id<?1";
static const char sql_history_assigned[] =
    "INSERT INTO lead_history (lead_id, action, job_id, changes, at)"
    " VALUES (?1, 'assigned', ?2, ?3, ?4)";

static void bind_lead(sqlite3_stmt *q, int at, const void *x) {
    const li__sqlite_pending_lead *l = x;
    sqlite3_bind_int64(q, at, l->id);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        li__sqlite_bind_slice(q, at + 1 + f, l->value[f]);
    if (l->custom.len <= 2) /* "{}" */
        sqlite3_bind_null(q, at + 15);
    else
        li__sqlite_bind_slice(q, at + 15, l->custom);
    sqlite3_bind_int64(q, at + 16, l->job_id);
    sqlite3_bind_int64(q, at + 17, (sqlite3_int64)l->row_no);
    sqlite3_bind_text(q, at + 18, l->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 19, l->now, -1, SQLITE_STATIC);
    li__sqlite_bind_id(q, at + 20, l->meta.assigned_to);
    li__sqlite_bind_id(q, at + 21, l->meta.duplicate_of);
    li__sqlite_bind_text(q, at + 22, l->meta.phone_type); /* static strings */
}

static void bind_history(sqlite3_stmt *q, int at, const void *x) {
    const li__sqlite_pending_lead *l = x;
    sqlite3_bind_int64(q, at, l->id);
    sqlite3_bind_int64(q, at + 1, l->job_id);
    sqlite3_bind_text(q, at + 2, l->now, -1, SQLITE_STATIC);
}

static void bind_row(sqlite3_stmt *q, int at, const void *x) {
    const li__sqlite_pending_row *p = x;
    sqlite3_bind_int64(q, at, p->job_id);
    sqlite3_bind_int64(q, at + 1, (sqlite3_int64)p->row.row_no);
    sqlite3_bind_text(q, at + 2, p->row.status, -1, SQLITE_STATIC);
    li__sqlite_bind_slice(q, at + 3, p->row.data);
    li__sqlite_bind_slice(q, at + 4, p->row.errors);
    li__sqlite_bind_id(q, at + 5, p->row.lead_id);
    li__sqlite_bind_text(q, at + 6, p->row.match_key); /* static strings */
    li__sqlite_bind_id(q, at + 7, p->row.match_lead);
}

/*
 * Inserts n items with sql repeated per rows by chunks, the rest one by
 * one; width: the parameters of one row. The bound values are borrowed:
 * the bindings are cleared before returning (once: the chunks overwrite
 * them in between).
 */
static li_status insert_all(li__sqlite *s, const char *sql, int per, int width, const void *items,
                            size_t size, size_t n, void (*bind)(sqlite3_stmt *, int, const void *),
                            li_error *err) {
    const char *p = items;
    size_t i = 0;
    li_status st = LI_OK;
    sqlite3_stmt *many = NULL, *one = NULL;
    while (st == LI_OK && n - i >= (size_t)per) {
        if ((st = li__sqlite_stmt(s, sql, per, &many, err)) != LI_OK)
            break;
        for (int k = 0; k < per; k++)
            bind(many, 1 + k * width, p + (i + (size_t)k) * size);
        if (sqlite3_step(many) != SQLITE_DONE)
            st = li__sqlite_fail(s, err);
        i += (size_t)per;
    }
    for (; st == LI_OK && i < n; i++) {
        if ((st = li__sqlite_stmt(s, sql, 1, &one, err)) != LI_OK)
            break;
        bind(one, 1, p + i * size);
        if (sqlite3_step(one) != SQLITE_DONE)
            st = li__sqlite_fail(s, err);
    }
    if (many) {
        sqlite3_reset(many);
        sqlite3_clear_bindings(many);
    }
    if (one) {
        sqlite3_reset(one);
        sqlite3_clear_bindings(one);
    }
    return st;
}

/* The 'assigned' history entries of the pending leads that have an assignee. */
static li_status history_assigned(li__sqlite *s, li_error *err) {
    for (size_t i = 0; i < s->nlead; i++) {
        const li__sqlite_pending_lead *l = &s->lead[i];
        if (!l->meta.assigned_to)
            continue;
        char changes[64];
        snprintf(changes, sizeof changes, "{\"assigned_to\":[null,%lld]}",
                 (long long)l->meta.assigned_to);
        sqlite3_stmt *q;
        li_status st = li__sqlite_stmt(s, sql_history_assigned, 1, &q, err);
        if (st != LI_OK)
            return st;
        sqlite3_bind_int64(q, 1, l->id);
        sqlite3_bind_int64(q, 2, l->job_id);
        sqlite3_bind_text(q, 3, changes, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, l->now, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = li__sqlite_fail(s, err);
        sqlite3_clear_bindings(q);
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

/* The highest id given, kept: the pending leads' ids grow. */
static li_status last_id(li__sqlite *s, li_error *err) {
    sqlite3_stmt *q;
    li_status st = li__sqlite_stmt(s, sql_last_id, 1, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, s->lead[s->nlead - 1].id);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_reset(q);
    return st;
}

/*
 * Only the flag (for li__sqlite_bulk_begin). Statement journals follow
 * temp_store=FILE as elsewhere: SQLite keeps each in memory up to 64 KiB,
 * then in a temporary file. Rehearsals kept them all in memory
 * (temp_store=MEMORY) until the drop of the key indexes came into them:
 * its journal is the size of the indexes (35 MiB for 1M leads). With the
 * indexes dropped, a rehearsal's inserts journal little.
 */
li_status li__sqlite_rehearsal(li_store *store, int on, li_error *err) {
    (void)err;
    li__sq(store)->rehearsal = on;
    return LI_OK;
}

li_status li__sqlite_flush(li_store *store, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_status st = LI_OK;
    if (s->nlead &&
        ((st = insert_all(s, sql_lead_insert, LEADS_PER_INSERT, LEAD_INSERT_WIDTH, s->lead,
                          sizeof *s->lead, s->nlead, bind_lead, err)) != LI_OK ||
         (st = insert_all(s, sql_history_created, HISTORY_PER_INSERT, HISTORY_CREATED_WIDTH,
                          s->lead, sizeof *s->lead, s->nlead, bind_history, err)) != LI_OK ||
         (st = history_assigned(s, err)) != LI_OK || (st = last_id(s, err)) != LI_OK))
        goto out;
    if (s->nrow)
        st = insert_all(s, sql_row_put, ROWS_PER_INSERT, ROW_PUT_WIDTH, s->row, sizeof *s->row,
                        s->nrow, bind_row, err);
out:
    s->nlead = 0;
    s->nrow = 0;
    return st;
}

li_status li__sqlite_settle(li__sqlite *s, li_error *err) {
    return s->nlead || s->nrow ? li__sqlite_flush(&s->base, err) : LI_OK;
}

li_status li__sqlite_settle_rows(li__sqlite *s, li_error *err) {
    return s->nrow ? li__sqlite_flush(&s->base, err) : LI_OK;
}

li_status li__sqlite_settle_leads(li__sqlite *s, li_error *err) {
    return s->nlead ? li__sqlite_flush(&s->base, err) : LI_OK;
}

const li__sqlite_pending_lead *li__sqlite_pending(const li__sqlite *s, int64_t id) {
    /* Pending ids are consecutive. */
    if (s->nlead && id >= s->lead[0].id && id < s->lead[0].id + (int64_t)s->nlead)
        return &s->lead[id - s->lead[0].id];
    return NULL;
}

/*
 * Reading or changing a lead the table already has must not break the
 * batching of the creations around it (an update-heavy import would insert
 * one row per statement otherwise): flush only for a lead still queued.
 */
li_status li__sqlite_settle_for(li__sqlite *s, int64_t id, li_error *err) {
    return li__sqlite_pending(s, id) ? li__sqlite_flush(&s->base, err) : LI_OK;
}

li_status li__sqlite_row_put(li_store *store, int64_t job_id, const li_staged_row *row,
                             li_error *err) {
    li__sqlite *s = li__sq(store);
    if (!s->row && !(s->row = malloc(PENDING_MAX * sizeof *s->row)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    s->row[s->nrow].job_id = job_id;
    s->row[s->nrow].row = *row;
    s->nrow++;
    if (s->nrow == PENDING_MAX || sqlite3_get_autocommit(s->db))
        return li__sqlite_flush(store, err);
    return LI_OK;
}

li_status li__sqlite_lead_insert(li_store *store, const li_slice value[LI_FIELD__COUNT],
                                 li_slice custom_json, const li_lead_meta *meta, int64_t job_id,
                                 uint64_t row_no, const char *now, int64_t *id, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_status st;
    if (!s->lead && !(s->lead = malloc(PENDING_MAX * sizeof *s->lead)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    /* Ids known at insert: one past the highest ever given, then consecutive
     * while this connection holds the write lock (no one else can add a lead). */
    if (s->next_lead_id == 0 || sqlite3_get_autocommit(s->db)) {
        int64_t max_id = 0;
        if ((st = li__sqlite_flush(store, err)) != LI_OK ||
            (st = li__sqlite_leads_max_id(store, &max_id, err)) != LI_OK)
            return st;
        s->next_lead_id = max_id + 1;
    }
    li__sqlite_pending_lead *l = &s->lead[s->nlead++];
    l->id = *id = s->next_lead_id++;
    memcpy(l->value, value, sizeof l->value);
    l->custom = custom_json;
    l->meta = meta ? *meta : (li_lead_meta){0, 0, NULL};
    l->job_id = job_id;
    l->row_no = row_no;
    l->now = now;
    if (s->nlead == PENDING_MAX || sqlite3_get_autocommit(s->db))
        return li__sqlite_flush(store, err);
    return LI_OK;
}
