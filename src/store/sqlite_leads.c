/*
 * sqlite_leads.c — leads and their history in the SQLite backend (see
 * store.h), and the bulk-load hint (backend.h). Creating a lead is deferred
 * and batched (sqlite_batch.c); a read that could see a queued lead
 * flushes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

/*
 * A bulk load drops the match key indexes when it brings at least this many
 * rows and the table is at most BULK_TABLE_RATIO times bigger; they are
 * sorted again at its end. Measured: 200k new rows into 970k leads take
 * 13 s with per-row index inserts, 5 s with a rebuild; 20k rows, 1.3 s
 * against 4 s.
 */
#define BULK_MIN_ROWS 20000
#define BULK_TABLE_RATIO 10

/* The value columns, in li_field order (field.h): LEAD_COL_first_name + f is field f. */
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

static const char sql_lead_get[] =
    "SELECT " LI__SQLITE_COLUMN_TEXT(LEAD_COLUMNS) " FROM leads WHERE id=?1";
static const char sql_lead_update[] =
    "UPDATE leads SET first_name=?2, last_name=?3, email=?4, phone=?5, company=?6,"
    " job_title=?7, address=?8, postal_code=?9, city=?10, country=?11, source=?12, notes=?13,"
    " external_id=?14, owner=?15, custom=?16, assigned_to=?17, updated_at=?18, phone_type=?19"
    " WHERE id=?1";
static const char sql_history_add[] =
    "INSERT INTO lead_history (lead_id, action, job_id, changes, at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_lead_keys[] = "SELECT email, phone, external_id FROM leads WHERE id = ?1";
/* Through the partial key indexes: "x = ?1" implies "x IS NOT NULL". */
static const char sql_with_email[] =
    "SELECT id, email, phone, external_id FROM leads WHERE email = ?1 ORDER BY id";
static const char sql_with_phone[] =
    "SELECT id, email, phone, external_id FROM leads WHERE phone = ?1 ORDER BY id";
static const char sql_with_external_id[] =
    "SELECT id, email, phone, external_id FROM leads WHERE external_id = ?1 ORDER BY id";

static const li_field match_fields[3] = {LI_FIELD_EMAIL, LI_FIELD_PHONE, LI_FIELD_EXTERNAL_ID};

li_status li__sqlite_lead_get(li_store *store, int64_t id, li_lead_rec *out, int *found,
                              li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_for(s, id, err);
    memset(out, 0, sizeof *out);
    *found = 0;
    if (st != LI_OK || (st = li__sqlite_stmt(s, sql_lead_get, 1, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        /* The values and custom (the column after them) are copied into out->buf. */
        const int ncopy = LI_FIELD__COUNT + 1;
        size_t total = 0;
        for (int c = 0; c < ncopy; c++)
            total += (size_t)sqlite3_column_bytes(q, LEAD_COL_first_name + c) + 1;
        if (!(out->buf = malloc(total + 3))) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        size_t at = 0;
        for (int c = 0; c < ncopy; c++) {
            li_slice v = li__sqlite_col_slice(q, LEAD_COL_first_name + c);
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
        out->assigned_to = sqlite3_column_int64(q, LEAD_COL_assigned_to);
        out->duplicate_of = sqlite3_column_int64(q, LEAD_COL_duplicate_of);
        out->import_job_id = sqlite3_column_int64(q, LEAD_COL_import_job_id);
        li__sqlite_col_copy(out->created_at, sizeof out->created_at, q, LEAD_COL_created_at);
        li__sqlite_col_copy(out->updated_at, sizeof out->updated_at, q, LEAD_COL_updated_at);
        li__sqlite_col_copy(out->phone_type, sizeof out->phone_type, q, LEAD_COL_phone_type);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
    }
out:
    sqlite3_reset(q);
    return st;
}

li_status li__sqlite_lead_update(li_store *store, int64_t id, const li_slice value[LI_FIELD__COUNT],
                                 li_slice custom_json, const li_lead_meta *meta, const char *now,
                                 li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_for(s, id, err);
    if (st != LI_OK || (st = li__sqlite_stmt(s, sql_lead_update, 1, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        li__sqlite_bind_slice(q, 2 + f, value[f]);
    if (custom_json.len <= 2)
        sqlite3_bind_null(q, 16);
    else
        li__sqlite_bind_slice(q, 16, custom_json);
    li__sqlite_bind_id(q, 17, meta->assigned_to);
    sqlite3_bind_text(q, 18, now, -1, SQLITE_STATIC);
    li__sqlite_bind_text(q, 19, meta->phone_type);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_clear_bindings(q); /* the values are the caller's */
    sqlite3_reset(q);
    return st;
}

li_status li__sqlite_lead_delete(li_store *store, int64_t id, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(s, "DELETE FROM leads WHERE id=?1", &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_history_add(li_store *store, int64_t lead_id, const char *action,
                                 int64_t job_id, const char *changes_json, const char *now,
                                 li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q;
    li_status st = li__sqlite_settle_for(s, lead_id, err);
    if (st != LI_OK || (st = li__sqlite_stmt(s, sql_history_add, 1, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, lead_id);
    sqlite3_bind_text(q, 2, action, -1, SQLITE_STATIC);
    li__sqlite_bind_id(q, 3, job_id);
    li__sqlite_bind_text(q, 4, changes_json);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_clear_bindings(q);
    return st;
}

li_status li__sqlite_job_history_each(li_store *store, int64_t job_id, li_history_cb cb, void *ctx,
                                      li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(s,
                                 "SELECT id, lead_id, action, changes, at FROM lead_history"
                                 " WHERE job_id=?1 AND action <> 'created' ORDER BY id DESC",
                                 &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_history_rec h = {
            .id = sqlite3_column_int64(q, 0),
            .lead_id = sqlite3_column_int64(q, 1),
            .job_id = job_id,
            .action = (const char *)sqlite3_column_text(q, 2),
            .changes = (const char *)sqlite3_column_text(q, 3),
            .at = (const char *)sqlite3_column_text(q, 4),
        };
        if ((st = cb(&h, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_lead_changed_since(li_store *store, int64_t id, int64_t after_id,
                                        int64_t job_id, int *changed, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *changed = 0;
    li_status st = li__sqlite_prepare(s,
                                      "SELECT 1 FROM lead_history WHERE lead_id=?1 AND id>?2"
                                      " AND (job_id IS NULL OR job_id<>?3) LIMIT 1",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, after_id);
    sqlite3_bind_int64(q, 3, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *changed = 1;
    else if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_job_leads_each(li_store *store, int64_t job_id, li_id_cb cb, void *ctx,
                                    li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(s, "SELECT id FROM leads WHERE import_job_id=?1 ORDER BY id", &q,
                                 err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = cb(sqlite3_column_int64(q, 0), ctx)) != LI_OK)
            goto out;
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

/* A row of (id, email, phone, external_id) to cb. */
static li_status key_row(sqlite3_stmt *q, li_lead_key_cb cb, void *ctx) {
    li_slice value[LI_FIELD__COUNT] = {{0}};
    for (int k = 0; k < 3; k++)
        value[match_fields[k]] = li__sqlite_col_slice(q, 1 + k);
    return cb(sqlite3_column_int64(q, 0), value, ctx);
}

li_status li__sqlite_lead_keys_each(li_store *store, li_lead_key_cb cb, void *ctx, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_leads(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(s, "SELECT id, email, phone, external_id FROM leads", &q, err)) !=
            LI_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = key_row(q, cb, ctx)) != LI_OK)
            goto out;
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_leads_with_keys(li_store *store, li_field field, const li_slice *values,
                                     size_t n, li_lead_key_cb cb, void *ctx, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle_leads(s, err); /* reads see queued leads */
    if (st != LI_OK)
        return st;
    const char *sql = field == LI_FIELD_EMAIL         ? sql_with_email
                      : field == LI_FIELD_PHONE       ? sql_with_phone
                      : field == LI_FIELD_EXTERNAL_ID ? sql_with_external_id
                                                      : NULL;
    if (!sql)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "clé de recherche inconnue");
    sqlite3_stmt *q;
    if ((st = li__sqlite_stmt(s, sql, 1, &q, err)) != LI_OK)
        return st;
    /* One index probe each, in the process: no round trip to save. */
    for (size_t i = 0; st == LI_OK && i < n; i++) {
        sqlite3_bind_text(q, 1, values[i].ptr ? values[i].ptr : "", (int)values[i].len,
                          SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            if ((st = key_row(q, cb, ctx)) != LI_OK)
                break;
        if (st == LI_OK && rc != SQLITE_DONE)
            st = li__sqlite_fail(s, err);
        sqlite3_reset(q);
    }
    sqlite3_clear_bindings(q);
    return st;
}

li_status li__sqlite_lead_keys_mark(li_store *store, li_error *err) {
    (void)store;
    (void)err;
    return LI_OK; /* committers take turns: no journal */
}

/* The columns of li_store_leads_each(). */
#define EACH_COLUMNS(X)                                                                            \
    X(id, "id")                                                                                    \
    LEAD_VALUE_COLUMNS(X)                                                                          \
    X(custom, "custom")                                                                            \
    X(assignee, "(SELECT u.email FROM users u WHERE u.id = assigned_to)")

#define EACH_COL_POS(name, sql) EACH_COL_##name,
enum { EACH_COLUMNS(EACH_COL_POS) EACH_COL__COUNT };

li_status li__sqlite_leads_each(li_store *store, li_lead_cb cb, void *ctx, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_leads(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(
             s, "SELECT " LI__SQLITE_COLUMN_TEXT(EACH_COLUMNS) " FROM leads ORDER BY id", &q,
             err)) != LI_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_slice v[LI_FIELD__COUNT];
        for (int f = 0; f < LI_FIELD__COUNT; f++)
            v[f] = li__sqlite_col_slice(q, EACH_COL_first_name + f);
        if ((st = cb(sqlite3_column_int64(q, EACH_COL_id), v,
                     li__sqlite_col_slice(q, EACH_COL_custom),
                     li__sqlite_col_slice(q, EACH_COL_assignee), ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

/* Copies v into scratch; *off gets where (an offset: scratch may move as it grows). */
static li_status keep(li_buf *scratch, li_slice v, size_t *off) {
    *off = scratch->len;
    return v.len ? li_buf_append(scratch, v.ptr, v.len) : LI_OK;
}

li_status li__sqlite_lead_keys(li_store *store, int64_t id, li_buf *scratch,
                               li_slice value[LI_FIELD__COUNT], int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_slice v[3] = {{0}};
    size_t off[3] = {0};
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    memset(value, 0, LI_FIELD__COUNT * sizeof *value);
    li_buf_reset(scratch);
    *found = 0;
    const li__sqlite_pending_lead *l = li__sqlite_pending(s, id);
    if (l) { /* not written yet */
        for (int k = 0; k < 3; k++)
            v[k] = l->value[match_fields[k]];
        *found = 1;
    } else {
        if ((st = li__sqlite_stmt(s, sql_lead_keys, 1, &q, err)) != LI_OK)
            return st;
        sqlite3_bind_int64(q, 1, id);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            for (int k = 0; k < 3; k++)
                v[k] = li__sqlite_col_slice(q, k);
            *found = 1;
        } else if (rc != SQLITE_DONE) {
            st = li__sqlite_fail(s, err);
        }
    }
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        if (keep(scratch, v[k], &off[k]) != LI_OK)
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        value[match_fields[k]] = (li_slice){v[k].len ? scratch->data + off[k] : NULL, v[k].len};
    if (q)
        sqlite3_reset(q);
    return st;
}

/*
 * Nothing to exchange: a committer holds SQLite's write lock from its
 * batch's first write to its commit, and the queue runs one committer at a
 * time (exclusive items), so no other can add a lead its key set lacks.
 */
/* Reads are in process: one at a time costs no more than all at once. */
li_status li__sqlite_lead_keys_prefetch(li_store *store, const int64_t *ids, size_t n,
                                        li_error *err) {
    (void)store, (void)ids, (void)n, (void)err;
    return LI_OK;
}

int li__sqlite_side_by_side(li_store *store) {
    (void)store;
    return 0;
}

li_status li__sqlite_leads_recheck(li_store *store, int64_t job_id, const li_lead_keyhash *mine,
                                   size_t nmine, int final, li_keyhash_cb cb, void *ctx,
                                   li_error *err) {
    (void)store, (void)job_id, (void)mine, (void)nmine, (void)final, (void)cb, (void)ctx;
    (void)err;
    return LI_OK;
}

li_status li__sqlite_leads_max_id(li_store *store, int64_t *max_id, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *max_id = 0;
    li_status st = li__sqlite_prepare(s,
                                      "SELECT max(coalesce((SELECT max(id) FROM leads), 0),"
                                      " coalesce((SELECT max(last_id) FROM lead_ids), 0))",
                                      &q, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW)
        *max_id = sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

/* --- bulk-load hint ------------------------------------------------------------ */

/* The indexes of LI__SQLITE_LEAD_KEY_INDEXES, which bulk_end builds again. */
static const char sql_drop_key_indexes[] =
    "DROP INDEX IF EXISTS leads_email; DROP INDEX IF EXISTS leads_phone;"
    " DROP INDEX IF EXISTS leads_external_id;";

/*
 * Deduplication never depends on the match key indexes (the committer's
 * key set does), so a big load can go without them and sort them once at
 * its end. They stay dropped across the load's transactions; bulk_end (at
 * the load's end, after its failure or stop, and at migrate) restores
 * whatever is missing, a no-op when they exist.
 */
li_status li__sqlite_bulk_begin(li_store *store, uint64_t expected_rows, int *slow_end,
                                li_error *err) {
    li__sqlite *s = li__sq(store);
    int64_t max_id = 0;
    *slow_end = 0;
    li_status st = li__sqlite_leads_max_id(store, &max_id, err);
    if (st != LI_OK || expected_rows < BULK_MIN_ROWS ||
        expected_rows * BULK_TABLE_RATIO < (uint64_t)max_id)
        return st;
    if (s->rehearsal) {
        /* In the rehearsal's transaction (DROP INDEX is transactional): its
         * rollback brings them back, no sort, no checkpointer. Never
         * outside one, where the drop would stay. */
        if (sqlite3_get_autocommit(s->db))
            return LI_OK;
        return li__sqlite_exec(s, sql_drop_key_indexes, err);
    }
    if ((st = li__sqlite_settle(s, err)) != LI_OK ||
        (st = li__sqlite_exec(s, sql_drop_key_indexes, err)) != LI_OK)
        return st;
    *slow_end = 1;
    li__sqlite_ckpt_start(s);
    return LI_OK;
}

/*
 * The index builds sort in memory up to cache_size before they spill to
 * temporary files: with the page cache full of the load's pages that was
 * two caches at once, the peak of a 1M-row workbook's import (+21 MiB at
 * the very end). The cache is made small for the builds, then restored.
 * The second core, idle by then, sorts beside the scan (threads=2: SQLite's
 * sorter hands its sorted runs to a helper thread and merges with it).
 * Measured on the 1M leads, the three builds: 2.25-2.82 s with 4 MiB and
 * no helper, 1.89-1.98 s with 2 MiB and one, at the same peak memory
 * (12.5 MiB for the builds alone); 4 MiB with a helper took 8 MiB more.
 */
li_status li__sqlite_bulk_end(li_store *store, li_error *err) {
    li__sqlite *s = li__sq(store);
    li__sqlite_ckpt_stop(s); /* the index builds checkpoint as any other writer */
    li_status st = li__sqlite_settle(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_exec(s, "PRAGMA cache_size=-2048; PRAGMA threads=2;", err)) != LI_OK)
        return st;
    st = li__sqlite_exec(s, li__sqlite_lead_key_indexes, err);
    li_error ignored;
    li_status back = li__sqlite_exec(s, "PRAGMA threads=0; PRAGMA cache_size=-16384;",
                                     st == LI_OK ? err : &ignored);
    return st != LI_OK ? st : back;
}
